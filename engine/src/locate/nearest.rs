//! The nearest grid to a point outside the district: an R-tree over the district's outer
//! boundary segments, with distances on the WGS84 ellipsoid's local tangent plane.

use std::collections::HashMap;

use geo_types::{Coord, Line, MultiPolygon};
use rstar::RTree;
use rstar::primitives::GeomWithData;

/// WGS84 semi-major axis (m) and first eccentricity squared (EPSG:7030).
const WGS84_A: f64 = 6_378_137.0;
const WGS84_E2: f64 = 0.006_694_379_990_14;

type Segment = GeomWithData<Line<f64>, u32>;

/// Boundary segments that separate a face from the outside, indexed for nearest queries.
#[derive(Debug)]
pub struct Outline {
    tree: RTree<Segment>,
    /// Longitudes are multiplied by this before indexing so that tree distances are close to
    /// ground distances (cos of the mean latitude); exact distances are recomputed per query.
    x_scale: f64,
}

impl Outline {
    /// Collects every ring segment that no other face shares (vertex for vertex), tagged with
    /// its face.
    pub fn build(faces: &[(u32, &MultiPolygon<f64>)]) -> Self {
        let mut seen: HashMap<[u64; 4], (u32, u32, Line<f64>)> = HashMap::new();
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
                        seen.entry(key).and_modify(|e| e.1 += 1).or_insert((face, 1, Line::new(a, b)));
                        lat_sum += a.y;
                        n += 1;
                    }
                }
            }
        }
        let x_scale = if n == 0 { 1.0 } else { (lat_sum / n as f64).to_radians().cos() };
        let mut segments: Vec<Segment> = seen
            .into_values()
            .filter(|&(_, count, _)| count == 1)
            .map(|(face, _, l)| {
                let scaled = Line::new(
                    Coord { x: l.start.x * x_scale, y: l.start.y },
                    Coord { x: l.end.x * x_scale, y: l.end.y },
                );
                GeomWithData::new(scaled, face)
            })
            .collect();
        // HashMap order is random; sort so the tree (and tie-breaking) is reproducible.
        segments.sort_by(|a, b| {
            let (p, q) = (a.geom(), b.geom());
            (p.start.x, p.start.y, p.end.x, p.end.y, a.data)
                .partial_cmp(&(q.start.x, q.start.y, q.end.x, q.end.y, b.data))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        Self { tree: RTree::bulk_load(segments), x_scale }
    }

    /// The face whose outer boundary is nearest to `(lon, lat)` and the distance in metres, if
    /// any boundary exists. Candidates are taken in tree order until they are clearly farther
    /// than the best exact distance found.
    pub fn nearest(&self, lon: f64, lat: f64) -> Option<(u32, f64)> {
        let q = geo_types::Point::new(lon * self.x_scale, lat);
        let (m_per_deg_x, m_per_deg_y) = metres_per_degree(lat);
        let mut best: Option<(u32, f64)> = None;
        for (seg, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&q) {
            // Tree distance in scaled degrees; 0.98 leaves room for the scale error over the
            // district's latitude span before we stop looking.
            let approx_m = d2.sqrt() * m_per_deg_y * 0.98;
            if let Some((_, best_m)) = best
                && approx_m > best_m
            {
                break;
            }
            let l = seg.geom();
            let a = Coord { x: (l.start.x / self.x_scale - lon) * m_per_deg_x, y: (l.start.y - lat) * m_per_deg_y };
            let b = Coord { x: (l.end.x / self.x_scale - lon) * m_per_deg_x, y: (l.end.y - lat) * m_per_deg_y };
            let d = distance_to_origin(a, b);
            if best.is_none_or(|(_, m)| d < m) {
                best = Some((seg.data, d));
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
}
