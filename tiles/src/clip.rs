//! From world coordinates to one tile's integer grid: scale, clip to the tile plus its buffer,
//! round. Clipping is against an axis-aligned rectangle, so it is simple and exact: points by
//! containment, lines by Liang–Barsky per segment (a line leaving and re-entering becomes
//! several), polygon rings by Sutherland–Hodgman (a ring stays one ring, running along the
//! buffer's edge where it was cut; the buffer keeps those runs out of sight).

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

    /// A ring clipped to the rectangle (Sutherland–Hodgman), rounded; empty when nothing of it
    /// is inside.
    pub fn clip_ring(&self, ring: impl IntoIterator<Item = World>, out: &mut Vec<TilePoint>) {
        let pts: Vec<(f64, f64)> = ring.into_iter().map(|w| self.to_tile(w)).collect();
        // Rings wholly inside (most, at the zooms where a source is dense) skip the clipper.
        if pts.iter().all(|&p| self.inside(p)) {
            out.extend(pts.into_iter().map(round));
            return;
        }
        let (lo, hi) = (self.lo, self.hi);
        let mut cur = pts;
        let mut next = Vec::with_capacity(cur.len() + 8);
        // Each edge: is a point inside, and where does a segment cross the edge's line.
        type Edge = (fn((f64, f64), f64) -> bool, fn((f64, f64), (f64, f64), f64) -> (f64, f64), f64);
        let edges: [Edge; 4] = [
            (|p, v| p.0 >= v, |a, b, v| cross_x(a, b, v), lo),
            (|p, v| p.0 <= v, |a, b, v| cross_x(a, b, v), hi),
            (|p, v| p.1 >= v, |a, b, v| cross_y(a, b, v), lo),
            (|p, v| p.1 <= v, |a, b, v| cross_y(a, b, v), hi),
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
                return;
            }
        }
        out.extend(cur.into_iter().map(round));
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
    fn rings() {
        let f = frame();
        let sorted = |mut r: Vec<TilePoint>| {
            r.sort_unstable();
            r
        };
        let mut ring = vec![];
        f.clip_ring([w(50.0, 50.0), w(200.0, 50.0), w(200.0, 80.0), w(50.0, 80.0)], &mut ring);
        assert_eq!(sorted(ring), vec![(50, 50), (50, 80), (110, 50), (110, 80)]);
        let mut ring = vec![];
        f.clip_ring([w(200.0, 200.0), w(300.0, 200.0), w(300.0, 300.0)], &mut ring);
        assert!(ring.is_empty());
        // A ring around the whole tile becomes the buffered rectangle.
        let mut ring = vec![];
        f.clip_ring([w(-500.0, -500.0), w(500.0, -500.0), w(500.0, 500.0), w(-500.0, 500.0)], &mut ring);
        assert_eq!(sorted(ring), vec![(-10, -10), (-10, 110), (110, -10), (110, 110)]);
    }
}
