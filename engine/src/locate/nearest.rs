//! The nearest grid to a point outside the district, with distances on the WGS84 ellipsoid's
//! local tangent plane.
//!
//! The district's outer boundary segments sit in an R-tree. Because most outside points are
//! near the district, a grid of cells over (and around) the district also keeps, per cell,
//! the few segments that can be nearest to any point of the cell; a query there measures those
//! and nothing else, without touching the tree.

use std::collections::HashMap;

use geo_types::{Coord, Line, MultiPolygon, Point};
use rstar::RTree;
use rstar::primitives::GeomWithData;

use super::cells::CellGrid;

/// WGS84 semi-major axis (m) and first eccentricity squared (EPSG:7030).
const WGS84_A: f64 = 6_378_137.0;
const WGS84_E2: f64 = 0.006_694_379_990_14;
/// Candidate-grid cell size, degrees of latitude (~550 m): small enough that a cell keeps a
/// handful of candidates, large enough that building the grid takes tens of milliseconds.
const CELL_DEG: f64 = 0.005;
/// The candidate grid extends this fraction of the district's size beyond its bounding box.
const GRID_MARGIN: f64 = 0.1;
/// Relative error of the scaled plane against local ground distances over a district's
/// latitude span (cos ratio across ±0.5°) is under 1%; 3% is a safe margin for candidates.
const SCALE_SLACK: f64 = 1.03;

/// A boundary segment: endpoints in lon/lat and the face inside it.
#[derive(Clone, Copy, Debug)]
struct Seg {
    a: Coord<f64>,
    b: Coord<f64>,
    face: u32,
}

type Indexed = GeomWithData<Line<f64>, u32>;

/// Boundary segments that separate a face from the outside, indexed for nearest queries.
#[derive(Debug)]
pub struct Outline {
    segs: Vec<Seg>,
    /// Segments with longitudes multiplied by `x_scale` (cos of the mean latitude), so that
    /// tree distances are close to ground distances; data = index into `segs`.
    tree: RTree<Indexed>,
    x_scale: f64,
    grid: Option<CandidateGrid>,
}

/// Per cell, the segments that can be nearest to some point of the cell.
#[derive(Debug)]
struct CandidateGrid {
    cells: CellGrid,
    start: Vec<u32>,
    candidates: Vec<u32>,
}

impl Outline {
    /// Collects every ring segment that no other face shares (vertex for vertex), tagged with
    /// its face, and indexes them.
    pub fn build(faces: &[(u32, &MultiPolygon<f64>)]) -> Self {
        // Per undirected segment: its first face, how many rings use it, its endpoints.
        type Seen = (u32, u32, Coord<f64>, Coord<f64>);
        let mut seen: HashMap<[u64; 4], Seen> = HashMap::new();
        let (mut lat_sum, mut n) = (0.0, 0usize);
        for &(face, geometry) in faces {
            for polygon in &geometry.0 {
                for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                    for line in ring.lines() {
                        let (a, b) = if (line.start.x, line.start.y) <= (line.end.x, line.end.y) {
                            (line.start, line.end)
                        } else {
                            (line.end, line.start)
                        };
                        let key = [a.x.to_bits(), a.y.to_bits(), b.x.to_bits(), b.y.to_bits()];
                        seen.entry(key).and_modify(|e| e.1 += 1).or_insert((face, 1, a, b));
                        lat_sum += a.y;
                        n += 1;
                    }
                }
            }
        }
        let x_scale = if n == 0 { 1.0 } else { (lat_sum / n as f64).to_radians().cos() };
        let mut segs: Vec<Seg> = seen
            .into_values()
            .filter(|&(_, count, _, _)| count == 1)
            .map(|(face, _, a, b)| Seg { a, b, face })
            .collect();
        // HashMap order is random; sort so the tree (and tie-breaking) is reproducible.
        segs.sort_by(|p, q| {
            (p.a.x, p.a.y, p.b.x, p.b.y, p.face)
                .partial_cmp(&(q.a.x, q.a.y, q.b.x, q.b.y, q.face))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let scaled = |c: Coord<f64>| Coord { x: c.x * x_scale, y: c.y };
        let tree = RTree::bulk_load(
            segs.iter()
                .enumerate()
                .map(|(i, s)| GeomWithData::new(Line::new(scaled(s.a), scaled(s.b)), i as u32))
                .collect(),
        );
        let mut outline = Self { segs, tree, x_scale, grid: None };
        outline.grid = outline.build_grid();
        outline
    }

    /// The candidate grid over the segments' bounding box plus a margin.
    fn build_grid(&self) -> Option<CandidateGrid> {
        let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for s in &self.segs {
            min_x = min_x.min(s.a.x.min(s.b.x));
            max_x = max_x.max(s.a.x.max(s.b.x));
            min_y = min_y.min(s.a.y.min(s.b.y));
            max_y = max_y.max(s.a.y.max(s.b.y));
        }
        if self.segs.is_empty() {
            return None;
        }
        let (mx, my) = ((max_x - min_x) * GRID_MARGIN, (max_y - min_y) * GRID_MARGIN);
        let (min_x, min_y, max_x, max_y) = (min_x - mx, min_y - my, max_x + mx, max_y + my);
        let nx = ((max_x - min_x) * self.x_scale / CELL_DEG).ceil() as usize;
        let ny = ((max_y - min_y) / CELL_DEG).ceil() as usize;
        let cells = CellGrid::covering(min_x, min_y, max_x, max_y, nx, ny);
        // Half the cell diagonal, in the scaled plane.
        let r = ((cells.dx * self.x_scale).powi(2) + cells.dy.powi(2)).sqrt() / 2.0;
        let mut start = Vec::with_capacity(cells.len() + 1);
        let mut candidates = Vec::new();
        start.push(0);
        for j in 0..cells.ny {
            for i in 0..cells.nx {
                let (cx, cy) = cells.centre(i, j);
                let c = Point::new(cx * self.x_scale, cy);
                // Every point of the cell is within d0 + r of a segment, so a segment farther
                // than d0 + 2r from the centre cannot be nearest to any of them.
                let d0 = self.tree.nearest_neighbor_iter_with_distance_2(&c).next().map_or(0.0, |(_, d2)| d2.sqrt());
                let reach = (d0 + 2.0 * r) * SCALE_SLACK;
                let first = candidates.len();
                candidates.extend(self.tree.locate_within_distance(c, reach * reach).map(|s| s.data));
                candidates[first..].sort_unstable();
                start.push(candidates.len() as u32);
            }
        }
        Some(CandidateGrid { cells, start, candidates })
    }

    /// The face whose outer boundary is nearest to `(lon, lat)` and the distance in metres, if
    /// any boundary exists.
    pub fn nearest(&self, lon: f64, lat: f64) -> Option<(u32, f64)> {
        let (mx, my) = metres_per_degree(lat);
        let distance = |s: &Seg| {
            let a = Coord { x: (s.a.x - lon) * mx, y: (s.a.y - lat) * my };
            let b = Coord { x: (s.b.x - lon) * mx, y: (s.b.y - lat) * my };
            distance_to_origin(a, b)
        };
        if let Some(g) = &self.grid
            && let Some((i, j)) = g.cells.cell(lon, lat)
        {
            let cell = j * g.cells.nx + i;
            let mut best: Option<(u32, f64)> = None;
            for &k in &g.candidates[g.start[cell] as usize..g.start[cell + 1] as usize] {
                let s = &self.segs[k as usize];
                let d = distance(s);
                if best.is_none_or(|(_, m)| d < m) {
                    best = Some((s.face, d));
                }
            }
            return best;
        }
        // Far away: walk the tree in scaled order until candidates are clearly farther than
        // the best exact distance found.
        let q = Point::new(lon * self.x_scale, lat);
        let mut best: Option<(u32, f64)> = None;
        for (seg, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&q) {
            if let Some((_, best_m)) = best
                && d2.sqrt() * my / SCALE_SLACK > best_m
            {
                break;
            }
            let s = &self.segs[seg.data as usize];
            let d = distance(s);
            if best.is_none_or(|(_, m)| d < m) {
                best = Some((s.face, d));
            }
        }
        best
    }
}

/// Metres per degree of longitude and of latitude at `lat`, on the WGS84 ellipsoid (prime
/// vertical and meridional radii of curvature). Good to well under a millimetre over 1 km.
pub fn metres_per_degree(lat: f64) -> (f64, f64) {
    let phi = lat.to_radians();
    let s = phi.sin();
    let w = 1.0 - WGS84_E2 * s * s;
    let n = WGS84_A / w.sqrt();
    let m = WGS84_A * (1.0 - WGS84_E2) / (w * w.sqrt());
    (n * phi.cos() * std::f64::consts::PI / 180.0, m * std::f64::consts::PI / 180.0)
}

/// Distance from the origin to segment `ab`.
fn distance_to_origin(a: Coord<f64>, b: Coord<f64>) -> f64 {
    let d = b - a;
    let len2 = d.x * d.x + d.y * d.y;
    let t = if len2 > 0.0 { (-(a.x * d.x + a.y * d.y) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let p = a + d * t;
    (p.x * p.x + p.y * p.y).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    #[test]
    fn metres_per_degree_matches_known_values() {
        // At 40°N: 1° of latitude ≈ 111,034 m, 1° of longitude ≈ 85,395 m (WGS84 tables).
        let (x, y) = metres_per_degree(40.0);
        assert!((y - 111_034.6).abs() < 1.0, "{y}");
        assert!((x - 85_394.6).abs() < 1.0, "{x}");
    }

    #[test]
    fn nearest_boundary_of_two_faces() {
        let a = MultiPolygon(vec![
            polygon![(x: 116.0, y: 40.0), (x: 116.01, y: 40.0), (x: 116.01, y: 40.01), (x: 116.0, y: 40.01)],
        ]);
        let b = MultiPolygon(vec![
            polygon![(x: 116.01, y: 40.0), (x: 116.02, y: 40.0), (x: 116.02, y: 40.01), (x: 116.01, y: 40.01)],
        ]);
        let o = Outline::build(&[(0, &a), (1, &b)]);
        // 0.001° east of b's east edge: ~85 m.
        let (face, d) = o.nearest(116.021, 40.005).unwrap();
        assert_eq!(face, 1);
        let expected = 0.001 * metres_per_degree(40.005).0;
        assert!((d - expected).abs() < 0.01, "{d} vs {expected}");
        // South of a.
        let (face, d) = o.nearest(116.005, 39.999).unwrap();
        assert_eq!(face, 0);
        assert!((d - 0.001 * metres_per_degree(40.0).1).abs() < 0.5);
        // The shared edge x = 116.01 is not part of the outline: a point just north of it
        // measures to the top edges, not to the shared one.
        let (_, d) = o.nearest(116.01, 40.0101).unwrap();
        assert!(d < 12.0, "{d}");
    }

    #[test]
    fn candidate_grid_agrees_with_the_tree() {
        // A jagged ring; points on and off the candidate grid must get the same answer as an
        // exhaustive search.
        let ring: Vec<(f64, f64)> = (0..40)
            .map(|k| {
                let t = k as f64 / 40.0 * std::f64::consts::TAU;
                let r = 0.05 + 0.02 * (5.0 * t).sin();
                (116.6 + r * t.cos() / 0.76, 40.5 + r * t.sin())
            })
            .collect();
        let mut ls: geo_types::LineString<f64> = ring.iter().map(|&(x, y)| Coord { x, y }).collect();
        ls.close();
        let mp = MultiPolygon(vec![geo_types::Polygon::new(ls, vec![])]);
        let o = Outline::build(&[(7, &mp)]);
        assert!(o.grid.is_some());
        for k in 0..2000 {
            let lon = 116.45 + (k % 50) as f64 * 0.006;
            let lat = 40.35 + (k / 50) as f64 * 0.0075;
            let (mx, my) = metres_per_degree(lat);
            let exhaustive = o
                .segs
                .iter()
                .map(|s| {
                    distance_to_origin(
                        Coord { x: (s.a.x - lon) * mx, y: (s.a.y - lat) * my },
                        Coord { x: (s.b.x - lon) * mx, y: (s.b.y - lat) * my },
                    )
                })
                .fold(f64::INFINITY, f64::min);
            let (face, d) = o.nearest(lon, lat).unwrap();
            assert_eq!(face, 7);
            assert!((d - exhaustive).abs() < 1e-6, "({lon}, {lat}): {d} vs {exhaustive}");
        }
    }
}
