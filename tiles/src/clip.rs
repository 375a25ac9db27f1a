//! From world coordinates to one tile's integer grid: scale, clip to the tile plus its buffer,
//! round. Clipping is against an axis-aligned rectangle, so it is simple and exact: points by
//! containment, lines by Liang–Barsky per segment (a line leaving and re-entering becomes
//! several), polygons by Sutherland–Hodgman ring by ring. Where that would leave a ring
//! running out along the buffer's edge and back (a polygon whose parts inside the tile join
//! only outside it, which Sutherland–Hodgman bridges with a zero-width corridor, invalid in
//! OGC terms), the polygon is clipped again with `geo`'s boolean operations into its separate
//! valid parts.

use crate::mvt::TilePoint;

/// Web Mercator world coordinates: `x` east and `y` south, both `0..1` over the world.
pub type World = (f64, f64);

/// WGS84 longitude/latitude to world coordinates (latitudes beyond ±85.0511° clamp to the edge).
pub fn world(lon: f64, lat: f64) -> World {
    let x = (lon + 180.0) / 360.0;
    let s = lat.to_radians().sin().clamp(-0.999_999_999_999, 0.999_999_999_999);
    let y = 0.5 - ((1.0 + s) / (1.0 - s)).ln() / (4.0 * std::f64::consts::PI);
    (x, y.clamp(0.0, 1.0))
}

/// A point in tile units, before rounding.
type Units = (f64, f64);

/// Vertices per chunk of a [`Ring`].
const CHUNK: usize = 16;

/// A ring in world coordinates (open: the last point is not the first again) with the boxes
/// of its runs of 16 vertices, so that clipping can pass over runs far from the tile
/// without looking at each vertex.
#[derive(Clone, Debug, PartialEq)]
pub struct Ring {
    points: Vec<World>,
    chunks: Vec<(World, World)>,
}

impl Ring {
    /// The ring of `points` (open).
    pub fn new(points: Vec<World>) -> Self {
        let chunks = points
            .chunks(CHUNK)
            .map(|c| {
                c.iter()
                    .fold(((f64::INFINITY, f64::INFINITY), (f64::NEG_INFINITY, f64::NEG_INFINITY)), |(lo, hi), p| {
                        ((lo.0.min(p.0), lo.1.min(p.1)), (hi.0.max(p.0), hi.1.max(p.1)))
                    })
            })
            .collect();
        Self { points, chunks }
    }

    /// Its points.
    pub fn points(&self) -> &[World] {
        &self.points
    }

    /// Its box: `(min, max)`.
    pub fn bbox(&self) -> (World, World) {
        self.chunks
            .iter()
            .fold(((f64::INFINITY, f64::INFINITY), (f64::NEG_INFINITY, f64::NEG_INFINITY)), |(lo, hi), c| {
                ((lo.0.min(c.0.0), lo.1.min(c.0.1)), (hi.0.max(c.1.0), hi.1.max(c.1.1)))
            })
    }
}

/// One tile's frame: world → tile units, and the clipping rectangle.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    scale: f64,
    x0: f64,
    y0: f64,
    /// The clip rectangle in tile units: `-buffer ..= extent + buffer`.
    lo: f64,
    hi: f64,
    extent: f64,
    /// The clip rectangle in world coordinates.
    world_lo: World,
    world_hi: World,
}

impl Frame {
    /// The frame of tile `z/x/y` with `extent` units a side and `buffer` units beyond each edge.
    pub fn new(z: u8, x: u32, y: u32, extent: u32, buffer: u32) -> Self {
        let n = (1u64 << z) as f64;
        let (scale, x0, y0) =
            (n * f64::from(extent), f64::from(x) * f64::from(extent), f64::from(y) * f64::from(extent));
        let (lo, hi) = (-f64::from(buffer), f64::from(extent) + f64::from(buffer));
        Self {
            scale,
            x0,
            y0,
            lo,
            hi,
            extent: f64::from(extent),
            world_lo: ((lo + x0) / scale, (lo + y0) / scale),
            world_hi: ((hi + x0) / scale, (hi + y0) / scale),
        }
    }

    /// The world-coordinate box the clip rectangle covers: `(min, max)`.
    pub fn world_box(&self) -> (World, World) {
        (self.world_lo, self.world_hi)
    }

    /// Tile units per world unit.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// The tile's extent in units.
    pub fn extent(&self) -> f64 {
        self.extent
    }

    /// A world point in tile units (not rounded, not clipped).
    #[inline]
    pub fn to_tile(&self, p: World) -> (f64, f64) {
        (p.0 * self.scale - self.x0, p.1 * self.scale - self.y0)
    }

    fn inside(&self, p: (f64, f64)) -> bool {
        p.0 >= self.lo && p.0 <= self.hi && p.1 >= self.lo && p.1 <= self.hi
    }

    /// Points inside the clip rectangle, rounded.
    pub fn clip_points(&self, points: impl IntoIterator<Item = World>, out: &mut Vec<TilePoint>) {
        out.extend(points.into_iter().map(|p| self.to_tile(p)).filter(|&p| self.inside(p)).map(round));
    }

    /// The parts of a line inside the clip rectangle, each rounded (Liang–Barsky per segment).
    pub fn clip_line(&self, line: impl IntoIterator<Item = World>, out: &mut Vec<Vec<TilePoint>>) {
        let mut part: Vec<TilePoint> = Vec::new();
        let mut prev: Option<(f64, f64)> = None;
        for w in line {
            let p = self.to_tile(w);
            if let Some(a) = prev {
                match self.clip_segment(a, p) {
                    Some((s, e, cut_end)) => {
                        if part.is_empty() {
                            part.push(round(s));
                        } else if part.last() != Some(&round(s)) {
                            // The segment re-entered: a new part begins.
                            out.push(std::mem::take(&mut part));
                            part.push(round(s));
                        }
                        push_distinct(&mut part, round(e));
                        if cut_end {
                            flush(&mut part, out);
                        }
                    }
                    None => flush(&mut part, out),
                }
            }
            prev = Some(p);
        }
        flush(&mut part, out);
    }

    /// The segment `a→b` inside the rectangle: its clipped start and end, and whether the end
    /// was cut (the line leaves there).
    fn clip_segment(&self, a: Units, b: Units) -> Option<(Units, Units, bool)> {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [(-dx, a.0 - self.lo), (dx, self.hi - a.0), (-dy, a.1 - self.lo), (dy, self.hi - a.1)] {
            if p == 0.0 {
                if q < 0.0 {
                    return None;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
                if t0 > t1 {
                    return None;
                }
            }
        }
        let at = |t: f64| (a.0 + t * dx, a.1 + t * dy);
        Some((at(t0), at(t1), t1 < 1.0))
    }
}

impl Frame {
    /// A polygon (exterior ring, then holes; open rings) clipped to the rectangle and rounded:
    /// its parts, each an exterior followed by its holes; none when nothing is inside.
    pub fn clip_polygon(&self, rings: &[Ring], out: &mut Vec<Vec<Vec<TilePoint>>>) {
        let mut clipped: Vec<Vec<TilePoint>> = Vec::with_capacity(rings.len());
        let mut cut = false;
        for (k, r) in rings.iter().enumerate() {
            let (c, was_cut) = self.sutherland_hodgman(r);
            if c.len() < 3 {
                if k == 0 {
                    return;
                }
                continue;
            }
            cut |= was_cut;
            clipped.push(c);
        }
        if clipped.is_empty() {
            return;
        }
        // Only a ring that was cut can run along the rectangle's edge.
        if cut && self.bridged(&clipped) {
            if !self.resolve_corridors(&clipped, out) {
                self.clip_exact(&clipped, out);
            }
            return;
        }
        out.push(clipped);
    }

    /// One ring clipped by Sutherland–Hodgman and rounded (the ring itself, rounded, when
    /// wholly inside).
    fn sutherland_hodgman(&self, ring: &Ring) -> (Vec<TilePoint>, bool) {
        thread_local! {
            /// The passes' buffers, kept per thread so clipping allocates only its answer.
            static PASSES: std::cell::RefCell<(Vec<Units>, Vec<Units>)> =
                const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
        }
        PASSES.with_borrow_mut(|(cur, next)| {
            cur.clear();
            // Which sides of the rectangle a point is beyond (Cohen–Sutherland outcodes).
            let code = |p: Units| {
                u8::from(p.0 < self.lo)
                    | u8::from(p.0 > self.hi) << 1
                    | u8::from(p.1 < self.lo) << 2
                    | u8::from(p.1 > self.hi) << 3
            };
            let pts = &ring.points;
            let n = pts.len();
            let mut all_inside = true;
            let mut kept_code = 0u8;
            for (k, &(cmin, cmax)) in ring.chunks.iter().enumerate() {
                let (from, to) = (k * CHUNK, ((k + 1) * CHUNK).min(n));
                // A run wholly beyond one side: its ends alone, by the same argument as below
                // (the straight path between them is beyond that side too).
                let beyond = cmax.0 < self.world_lo.0
                    || cmin.0 > self.world_hi.0
                    || cmax.1 < self.world_lo.1
                    || cmin.1 > self.world_hi.1;
                if beyond && to - from > 2 {
                    all_inside = false;
                    cur.push(self.to_tile(pts[from]));
                    let last = self.to_tile(pts[to - 1]);
                    kept_code = code(last);
                    cur.push(last);
                    continue;
                }
                let mut p = self.to_tile(pts[from]);
                let mut c = code(p);
                for i in from..to {
                    let next = pts.get(i + 1).map(|&w| self.to_tile(w));
                    let next_code = next.map_or(0, code);
                    all_inside &= c == 0;
                    // A vertex between two others beyond the same side adds nothing the
                    // clipper keeps: the straight path between them is beyond that side too.
                    // Large grids at deep zooms are mostly such runs; dropping them first makes
                    // clipping cost what the tile holds, not what the polygon does.
                    if !(i > 0 && next.is_some() && kept_code & c & next_code != 0) {
                        kept_code = c;
                        cur.push(p);
                    }
                    if let Some(q) = next {
                        (p, c) = (q, next_code);
                    }
                }
            }
            if all_inside {
                return (cur.iter().map(|&p| round(p)).collect(), false);
            }
            let (lo, hi) = (self.lo, self.hi);
            type Edge = (fn(Units, f64) -> bool, fn(Units, Units, f64) -> Units, f64);
            let edges: [Edge; 4] = [
                (|p, v| p.0 >= v, cross_x, lo),
                (|p, v| p.0 <= v, cross_x, hi),
                (|p, v| p.1 >= v, cross_y, lo),
                (|p, v| p.1 <= v, cross_y, hi),
            ];
            for (inside, cross, v) in edges {
                next.clear();
                let Some(&last) = cur.last() else { break };
                let mut a = last;
                for &b in cur.iter() {
                    let from = std::mem::replace(&mut a, b);
                    let a = from;
                    match (inside(a, v), inside(b, v)) {
                        (true, true) => next.push(b),
                        (true, false) => next.push(cross(a, b, v)),
                        (false, true) => {
                            next.push(cross(a, b, v));
                            next.push(b);
                        }
                        (false, false) => {}
                    }
                }
                std::mem::swap(cur, next);
                if cur.is_empty() {
                    break;
                }
            }
            (cur.iter().map(|&p| round(p)).collect(), true)
        })
    }

    /// True when clipped rings run along one of the rectangle's edges twice over the same
    /// stretch: the corridor Sutherland–Hodgman leaves between parts that meet only outside, or
    /// a hole cut open by the edge lying along the exterior's cut.
    fn bridged(&self, rings: &[Vec<TilePoint>]) -> bool {
        let (lo, hi) = (self.lo as i32, self.hi as i32);
        // Per edge line (x = lo, x = hi, y = lo, y = hi): the stretches the rings run along it.
        let mut runs: [Vec<(i32, i32)>; 4] = Default::default();
        for ring in rings {
            let n = ring.len();
            for i in 0..n {
                let (a, b) = (ring[i], ring[(i + 1) % n]);
                for (k, (on, along)) in [
                    (a.0 == lo && b.0 == lo, (a.1, b.1)),
                    (a.0 == hi && b.0 == hi, (a.1, b.1)),
                    (a.1 == lo && b.1 == lo, (a.0, b.0)),
                    (a.1 == hi && b.1 == hi, (a.0, b.0)),
                ]
                .into_iter()
                .enumerate()
                {
                    if on && along.0 != along.1 {
                        runs[k].push((along.0.min(along.1), along.0.max(along.1)));
                    }
                }
            }
        }
        // Stretches that overlap, or meet end to end (the rings pinch there: a point of the
        // edge visited twice).
        if runs.iter_mut().any(|r| {
            r.sort_unstable();
            r.windows(2).any(|w| w[1].0 <= w[0].1)
        }) {
            return true;
        }
        // A point of an edge that two stretches of the rings reach (a pinch without a run
        // along the edge), or that touches a run along it from elsewhere in the rings.
        let mut on_edge: Vec<TilePoint> =
            rings.iter().flatten().copied().filter(|p| p.0 == lo || p.0 == hi || p.1 == lo || p.1 == hi).collect();
        let before = on_edge.len();
        on_edge.sort_unstable();
        on_edge.dedup();
        if on_edge.len() != before {
            return true;
        }
        on_edge.iter().any(|p| {
            [(p.0 == lo, p.1), (p.0 == hi, p.1), (p.1 == lo, p.0), (p.1 == hi, p.0)]
                .iter()
                .zip(&runs)
                .any(|(&(on, v), r)| on && r.iter().any(|&(a, b)| a < v && v < b))
        })
    }

    /// Removes the corridors from Sutherland–Hodgman rings: every stretch of a rectangle edge
    /// that the rings run along both ways cancels, and what is left is chained back into rings
    /// (`gridgis_engine::assemble`: exteriors, and holes in the exterior that holds them).
    /// False, writing nothing, where the rings do not chain (rounding made them cross): the
    /// boolean operations take over.
    fn resolve_corridors(&self, clipped: &[Vec<TilePoint>], out: &mut Vec<Vec<Vec<TilePoint>>>) -> bool {
        use geo_types::Coord;
        let (lo, hi) = (self.lo as i32, self.hi as i32);
        let on_side = |a: TilePoint, b: TilePoint| -> Option<usize> {
            [a.0 == lo && b.0 == lo, a.0 == hi && b.0 == hi, a.1 == lo && b.1 == lo, a.1 == hi && b.1 == hi]
                .iter()
                .position(|&on| on)
        };
        // The rings as directed paths, the region on their left (counter-clockwise exteriors in
        // the plane of the coordinates as they are, clockwise holes): the runs between the
        // rectangle's sides kept whole, the stretches along a side apart, per side.
        let mut kept: Vec<Vec<TilePoint>> = Vec::new();
        let mut sides: [Vec<(TilePoint, TilePoint)>; 4] = Default::default();
        for (k, ring) in clipped.iter().enumerate() {
            let area = crate::mvt::area2(ring);
            let mut pts = ring.clone();
            if (k == 0 && area < 0) || (k > 0 && area > 0) {
                pts.reverse();
            }
            pts.dedup();
            let n = pts.len();
            let edge = |i: usize| (pts[i % n], pts[(i + 1) % n]);
            let Some(first) = (0..n).find(|&i| on_side(edge(i).0, edge(i).1).is_some()) else {
                // Nowhere along a side: the ring as it is, closed.
                let mut closed = pts.clone();
                closed.push(pts[0]);
                kept.push(closed);
                continue;
            };
            let mut run: Vec<TilePoint> = Vec::new();
            for i in first..first + n {
                let (a, b) = edge(i);
                if let Some(side) = on_side(a, b) {
                    if run.len() >= 2 {
                        kept.push(std::mem::take(&mut run));
                    }
                    run.clear();
                    sides[side].push((a, b));
                } else {
                    if run.is_empty() {
                        run.push(a);
                    }
                    run.push(b);
                    // A run parts at a point where it touches a side, so that rings pinched
                    // there can be told apart when chained.
                    if b.0 == lo || b.0 == hi || b.1 == lo || b.1 == hi {
                        kept.push(std::mem::take(&mut run));
                    }
                }
            }
            if run.len() >= 2 {
                kept.push(run);
            }
        }
        // The stretches along each side, cut at every vertex any of them has there, so that
        // overlapping stretches become the same pieces; a piece run both ways cancels.
        for (k, side) in sides.iter().enumerate() {
            let along = |p: TilePoint| if k < 2 { p.1 } else { p.0 };
            let at = |v: i32| match k {
                0 => (lo, v),
                1 => (hi, v),
                2 => (v, lo),
                _ => (v, hi),
            };
            // Cut also where a ring only touches the side, so the chaining below can part
            // rings there.
            let on_line = |p: &TilePoint| match k {
                0 => p.0 == lo,
                1 => p.0 == hi,
                2 => p.1 == lo,
                _ => p.1 == hi,
            };
            let touching = clipped.iter().flatten().filter(|p| on_line(p)).map(|&p| along(p));
            let mut cuts: Vec<i32> = side.iter().flat_map(|&(a, b)| [along(a), along(b)]).chain(touching).collect();
            cuts.sort_unstable();
            cuts.dedup();
            // Per elementary piece: how many times it is run forward (+) and backward (−).
            let mut net = vec![0i32; cuts.len().saturating_sub(1)];
            for &(a, b) in side {
                let (u, v) = (along(a), along(b));
                let (i, j) = (cuts.partition_point(|&c| c < u.min(v)), cuts.partition_point(|&c| c < u.max(v)));
                for piece in &mut net[i..j] {
                    *piece += if u < v { 1 } else { -1 };
                }
            }
            for (i, &count) in net.iter().enumerate() {
                let (a, b) = (at(cuts[i]), at(cuts[i + 1]));
                for _ in 0..count.unsigned_abs() {
                    kept.push(if count > 0 { vec![a, b] } else { vec![b, a] });
                }
            }
        }
        let paths: Vec<Vec<Coord<f64>>> =
            kept.iter().map(|p| p.iter().map(|&(x, y)| Coord { x: f64::from(x), y: f64::from(y) }).collect()).collect();
        let Ok(parts) = gridgis_engine::assemble(0, &paths) else { return false };
        let open = |ls: &geo_types::LineString<f64>| -> Vec<TilePoint> {
            ls.0[..ls.0.len().saturating_sub(1)].iter().map(|c| (c.x as i32, c.y as i32)).collect()
        };
        for part in &parts {
            let mut rings = vec![open(part.exterior())];
            rings.extend(part.interiors().iter().map(open));
            out.push(rings);
        }
        true
    }

    /// The Sutherland–Hodgman rings (corridors and all) ∩ the rectangle by `geo`'s boolean
    /// operations: the same area as valid parts. Working from the clipped rings rather than the
    /// whole polygon keeps the overlay small: only the vertices inside the buffered tile.
    fn clip_exact(&self, clipped: &[Vec<TilePoint>], out: &mut Vec<Vec<Vec<TilePoint>>>) {
        use geo::BooleanOps;
        use geo_types::{Coord, LineString, Polygon, Rect};
        let ring = |r: &Vec<TilePoint>| -> LineString<f64> {
            r.iter().map(|&(x, y)| Coord { x: f64::from(x), y: f64::from(y) }).collect()
        };
        let rings = clipped;
        let polygon = Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect());
        let rect = Rect::new(Coord { x: self.lo, y: self.lo }, Coord { x: self.hi, y: self.hi }).to_polygon();
        for part in polygon.intersection(&rect) {
            let open = |ls: &LineString<f64>| -> Vec<TilePoint> {
                let pts = &ls.0[..ls.0.len().saturating_sub(1)];
                pts.iter().map(|c| round((c.x, c.y))).collect()
            };
            let mut rings = vec![open(part.exterior())];
            rings.extend(part.interiors().iter().map(open));
            out.push(rings);
        }
    }
}

fn cross_x(a: (f64, f64), b: (f64, f64), x: f64) -> (f64, f64) {
    (x, a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0))
}

fn cross_y(a: (f64, f64), b: (f64, f64), y: f64) -> (f64, f64) {
    (a.0 + (b.0 - a.0) * (y - a.1) / (b.1 - a.1), y)
}

/// Rounds half away from zero, as `f64::round`, by a truncating cast: on the x86-64 baseline
/// (no SSE4.1) `f64::round` is a library call, and this runs for every vertex of every tile.
#[inline]
fn round(p: (f64, f64)) -> TilePoint {
    let r = |v: f64| if v >= 0.0 { (v + 0.5) as i32 } else { (v - 0.5) as i32 };
    (r(p.0), r(p.1))
}

fn push_distinct(part: &mut Vec<TilePoint>, p: TilePoint) {
    if part.last() != Some(&p) {
        part.push(p);
    }
}

fn flush(part: &mut Vec<TilePoint>, out: &mut Vec<Vec<TilePoint>>) {
    if part.len() >= 2 {
        out.push(std::mem::take(part));
    } else {
        part.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame over world `[0, 1]` at z0 with extent 100 and buffer 10: tile units are world × 100.
    fn frame() -> Frame {
        Frame::new(0, 0, 0, 100, 10)
    }

    fn w(x: f64, y: f64) -> World {
        (x / 100.0, y / 100.0)
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        for v in [0.0, 0.49, 0.5, 1.5, 2.5, -0.5, -1.49, -1.5, -2.5, 4095.5, -64.5, 4160.4999] {
            assert_eq!(round((v, -v)), (v.round() as i32, (-v).round() as i32), "{v}");
        }
    }

    #[test]
    fn world_coordinates() {
        assert_eq!(world(-180.0, 0.0), (0.0, 0.5));
        let (x, y) = world(116.637, 40.324);
        // The slippy-map formula: tile 13500/6183 at z14.
        assert_eq!(((x * 16384.0) as u32, (y * 16384.0) as u32), (13500, 6183));
    }

    #[test]
    fn points_and_lines() {
        let f = frame();
        let mut pts = vec![];
        f.clip_points([w(5.0, 5.0), w(-20.0, 5.0), w(109.0, 50.0)], &mut pts);
        assert_eq!(pts, vec![(5, 5), (109, 50)]);
        // A line crossing out of the buffer and back in: two parts, cut at the buffer's edge.
        let mut lines = vec![];
        f.clip_line([w(50.0, 50.0), w(150.0, 50.0), w(150.0, 60.0), w(50.0, 60.0)], &mut lines);
        assert_eq!(lines, vec![vec![(50, 50), (110, 50)], vec![(110, 60), (50, 60)]]);
        // Wholly outside: nothing.
        let mut lines = vec![];
        f.clip_line([w(200.0, 0.0), w(300.0, 0.0)], &mut lines);
        assert!(lines.is_empty());
    }

    #[test]
    fn long_runs_beyond_a_side_clip_the_same() {
        // A ring of 400 vertices, most of them far east of the tile: the chunks beyond the
        // side are passed over, and the answer is what clipping every vertex gives.
        let f = frame();
        let mut pts = vec![w(50.0, 20.0)];
        pts.extend((0..398).map(|i| w(500.0 + f64::from(i), 20.0 + f64::from(i % 7) * 10.0)));
        pts.push(w(50.0, 80.0));
        let (mut fast, mut slow) = (vec![], vec![]);
        f.clip_polygon(&[Ring::new(pts.clone())], &mut fast);
        // Chunks whose boxes cover everything: no run passed over, every vertex looked at.
        let everywhere = ((f64::NEG_INFINITY, f64::NEG_INFINITY), (f64::INFINITY, f64::INFINITY));
        let plain = Ring { chunks: vec![everywhere; pts.len().div_ceil(CHUNK)], points: pts };
        f.clip_polygon(&[plain], &mut slow);
        assert_eq!(fast, slow);
        assert_eq!(fast.len(), 1);
    }

    #[test]
    fn corridors_resolve_as_the_boolean_operations_do() {
        // The arch of `polygons`, and a square with a hole both cut by the buffer's north edge
        // and joined north of it: each resolved without the overlay, to the overlay's area.
        let f = frame();
        let area = |parts: &Vec<Vec<Vec<TilePoint>>>| -> i64 {
            parts
                .iter()
                .map(|p| {
                    crate::mvt::area2(&p[0]).abs() - p[1..].iter().map(|h| crate::mvt::area2(h).abs()).sum::<i64>()
                })
                .sum()
        };
        let arch = vec![(20, 50), (20, -50), (80, -50), (80, 50), (60, 50), (60, -30), (40, -30), (40, 50)];
        let square = vec![(10, -40), (90, -40), (90, 90), (10, 90)];
        let hole = vec![(30, -50), (30, 60), (70, 60), (70, -50)];
        for rings in [vec![arch], vec![square, hole]] {
            let rings: Vec<Ring> = rings
                .into_iter()
                .map(|r| Ring::new(r.into_iter().map(|(x, y)| w(f64::from(x), f64::from(y))).collect()))
                .collect();
            let clipped: Vec<Vec<TilePoint>> = rings.iter().map(|r| f.sutherland_hodgman(r).0).collect();
            assert!(f.bridged(&clipped));
            let (mut fast, mut exact) = (vec![], vec![]);
            assert!(f.resolve_corridors(&clipped, &mut fast));
            f.clip_exact(&clipped, &mut exact);
            assert_eq!(area(&fast), area(&exact), "{fast:?} vs {exact:?}");
            assert_eq!(fast.len(), exact.len());
        }
    }

    #[test]
    fn a_ring_pinched_on_the_edge_parts_there() {
        // A real case (z14, a level-3 grid): the ring runs down the buffer's east edge and, in
        // between, touches it at one point from inside. Chained, two rings meeting at that
        // point (a valid multipolygon), not one ring through it twice.
        let f = Frame::new(14, 13498, 6185, 4096, 64);
        let ring: Vec<TilePoint> = vec![
            (4160, 4160),
            (4160, 2198),
            (4148, 2214),
            (4160, 2289),
            (4160, 2317),
            (4085, 2325),
            (4130, 2429),
            (4160, 2429),
            (4160, 2509),
            (4156, 2521),
            (4107, 2528),
            (4093, 2677),
            (4160, 2782),
            (4005, 2855),
            (4086, 2984),
            (4026, 3012),
            (4083, 3247),
            (3998, 3298),
            (3937, 3466),
            (3849, 3472),
            (3693, 3656),
            (3728, 3693),
            (3651, 3783),
            (3671, 3846),
            (3731, 3982),
            (3649, 4160),
        ];
        assert!(f.bridged(std::slice::from_ref(&ring)));
        let mut out = vec![];
        assert!(f.resolve_corridors(&[ring], &mut out));
        for part in &out {
            let r = &part[0];
            let mut sorted = r.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), r.len(), "a ring visits a point twice: {r:?}");
        }
        assert!(out.len() >= 2);
    }

    #[test]
    fn polygons() {
        let f = frame();
        let clip = |rings: Vec<Vec<World>>| {
            let mut out = vec![];
            let rings: Vec<Ring> = rings.into_iter().map(Ring::new).collect();
            f.clip_polygon(&rings, &mut out);
            let mut parts = out
                .into_iter()
                .map(|p| {
                    p.into_iter()
                        .map(|mut r| {
                            r.sort_unstable();
                            r
                        })
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>();
            parts.sort();
            parts
        };
        // Cut by the buffer's east edge.
        let square = vec![w(50.0, 50.0), w(200.0, 50.0), w(200.0, 80.0), w(50.0, 80.0)];
        assert_eq!(clip(vec![square]), vec![vec![vec![(50, 50), (50, 80), (110, 50), (110, 80)]]]);
        // Wholly outside: nothing; around the whole tile: the buffered square.
        assert!(clip(vec![vec![w(200.0, 200.0), w(300.0, 200.0), w(300.0, 300.0)]]).is_empty());
        let around = vec![w(-500.0, -500.0), w(500.0, -500.0), w(500.0, 500.0), w(-500.0, 500.0)];
        assert_eq!(clip(vec![around]), vec![vec![vec![(-10, -10), (-10, 110), (110, -10), (110, 110)]]]);
        // An arch: two legs inside the tile, joined only by a bar north of the buffer. Clipped,
        // two separate parts, not one ring with a corridor along the buffer's edge.
        let arch = vec![
            w(20.0, 50.0),
            w(20.0, -50.0),
            w(80.0, -50.0),
            w(80.0, 50.0),
            w(60.0, 50.0),
            w(60.0, -30.0),
            w(40.0, -30.0),
            w(40.0, 50.0),
        ];
        assert_eq!(
            clip(vec![arch]),
            vec![
                vec![vec![(20, -10), (20, 50), (40, -10), (40, 50)]],
                vec![vec![(60, -10), (60, 50), (80, -10), (80, 50)]]
            ]
        );
    }
}
