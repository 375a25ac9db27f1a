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
}

impl Frame {
    /// The frame of tile `z/x/y` with `extent` units a side and `buffer` units beyond each edge.
    pub fn new(z: u8, x: u32, y: u32, extent: u32, buffer: u32) -> Self {
        let n = (1u64 << z) as f64;
        Self {
            scale: n * f64::from(extent),
            x0: f64::from(x) * f64::from(extent),
            y0: f64::from(y) * f64::from(extent),
            lo: -f64::from(buffer),
            hi: f64::from(extent) + f64::from(buffer),
            extent: f64::from(extent),
        }
    }

    /// The world-coordinate box the clip rectangle covers: `(min, max)`.
    pub fn world_box(&self) -> (World, World) {
        let w = |t: f64, o: f64| (t + o) / self.scale;
        ((w(self.lo, self.x0), w(self.lo, self.y0)), (w(self.hi, self.x0), w(self.hi, self.y0)))
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
    pub fn clip_polygon(&self, rings: &[Vec<World>], out: &mut Vec<Vec<Vec<TilePoint>>>) {
        if rings.is_empty() {
            return;
        }
        let mut clipped: Vec<Vec<Units>> = Vec::with_capacity(rings.len());
        for (k, r) in rings.iter().enumerate() {
            let c = self.sutherland_hodgman(r);
            if c.len() < 3 {
                if k == 0 {
                    return;
                }
                continue;
            }
            clipped.push(c);
        }
        if clipped.iter().any(|r| self.bridged(r)) {
            self.clip_exact(rings, out);
            return;
        }
        out.push(clipped.into_iter().map(|r| r.into_iter().map(round).collect()).collect());
    }

    /// One ring in tile units clipped by Sutherland–Hodgman (the ring itself when wholly
    /// inside).
    fn sutherland_hodgman(&self, ring: &[World]) -> Vec<Units> {
        let mut cur: Vec<Units> = ring.iter().map(|&w| self.to_tile(w)).collect();
        if cur.iter().all(|&p| self.inside(p)) {
            return cur;
        }
        let (lo, hi) = (self.lo, self.hi);
        let mut next = Vec::with_capacity(cur.len() + 8);
        type Edge = (fn(Units, f64) -> bool, fn(Units, Units, f64) -> Units, f64);
        let edges: [Edge; 4] = [
            (|p, v| p.0 >= v, cross_x, lo),
            (|p, v| p.0 <= v, cross_x, hi),
            (|p, v| p.1 >= v, cross_y, lo),
            (|p, v| p.1 <= v, cross_y, hi),
        ];
        for (inside, cross, v) in edges {
            next.clear();
            let n = cur.len();
            for i in 0..n {
                let (a, b) = (cur[(i + n - 1) % n], cur[i]);
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
            std::mem::swap(&mut cur, &mut next);
            if cur.is_empty() {
                break;
            }
        }
        cur
    }

    /// True when a clipped ring runs along one of the rectangle's edges twice over the same
    /// stretch: the corridor Sutherland–Hodgman leaves between parts that meet only outside.
    fn bridged(&self, ring: &[Units]) -> bool {
        let n = ring.len();
        // Per edge line (x = lo, x = hi, y = lo, y = hi): the stretches the ring runs along it.
        let mut runs: [Vec<(f64, f64)>; 4] = Default::default();
        for i in 0..n {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            for (k, (on, along)) in [
                (a.0 == self.lo && b.0 == self.lo, (a.1, b.1)),
                (a.0 == self.hi && b.0 == self.hi, (a.1, b.1)),
                (a.1 == self.lo && b.1 == self.lo, (a.0, b.0)),
                (a.1 == self.hi && b.1 == self.hi, (a.0, b.0)),
            ]
            .into_iter()
            .enumerate()
            {
                if on && along.0 != along.1 {
                    runs[k].push((along.0.min(along.1), along.0.max(along.1)));
                }
            }
        }
        runs.iter_mut().any(|r| {
            r.sort_by(|a, b| a.0.total_cmp(&b.0));
            r.windows(2).any(|w| w[1].0 < w[0].1)
        })
    }

    /// The polygon ∩ the rectangle by `geo`'s boolean operations: valid parts.
    fn clip_exact(&self, rings: &[Vec<World>], out: &mut Vec<Vec<Vec<TilePoint>>>) {
        use geo::BooleanOps;
        use geo_types::{Coord, LineString, Polygon, Rect};
        let ring = |r: &Vec<World>| -> LineString<f64> {
            r.iter().map(|&w| self.to_tile(w)).map(|(x, y)| Coord { x, y }).collect()
        };
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

#[inline]
fn round(p: (f64, f64)) -> TilePoint {
    (p.0.round() as i32, p.1.round() as i32)
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
    fn polygons() {
        let f = frame();
        let clip = |rings: Vec<Vec<World>>| {
            let mut out = vec![];
            f.clip_polygon(&rings, &mut out);
            out.into_iter()
                .map(|p| {
                    p.into_iter()
                        .map(|mut r| {
                            r.sort_unstable();
                            r
                        })
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
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
