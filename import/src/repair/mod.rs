//! Validation and repair of geometry: polygons through `geo`'s `MakeValid`, at a precision
//! fit for degrees, and every geometry type through [`clean_geometry`].

mod geometry;

use std::collections::HashMap;

use geo::{BoundingRect, MakeValid, MapCoords, Validation};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};

pub use self::geometry::{Cleaned, clean_geometry};

/// `MakeValid` snaps vertices closer than 1e-4 units (its triangulation's fixed snap radius):
/// ten metres in degrees. Repairing a copy scaled by this factor makes that 1e-8° (1 mm).
const SCALE: f64 = 1e4;

/// Why a polygon could not be repaired.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RepairError {
    /// The triangulation-based repair failed (non-finite coordinates, or constraints that
    /// could not be inserted).
    #[error("polygon repair failed: {0:?}")]
    Failed(geo::algorithm::repair_polygon::RepairPolygonError),
    /// The repair ran but its result is still not valid.
    #[error("polygon repair produced an invalid result: {0}")]
    StillInvalid(String),
}

/// What a repair did.
#[derive(Debug, Clone, PartialEq)]
pub struct Repaired {
    /// The valid result.
    pub geometry: MultiPolygon<f64>,
    /// Whether the input was already valid (then `geometry` is the input itself).
    pub was_valid: bool,
    /// The input's first validation problem, if any.
    pub problem: Option<String>,
}

/// Makes `polygon` OGC-valid. A valid input is returned unchanged (as a one-part
/// MultiPolygon); an invalid one goes through `geo`'s `MakeValid` (Ledoux et al. 2014:
/// constrained triangulation of the rings, odd-even fill), which removes duplicate points
/// and zero-area spikes, splits a ring where it touches or crosses itself, and keeps every
/// input vertex that still bounds area. The repaired result is put in a canonical form (see
/// [`canonical`]) because `MakeValid` starts its rings at a different vertex from run to run.
pub fn repair_polygon(polygon: &Polygon<f64>) -> Result<Repaired, RepairError> {
    if let Err(problem) = polygon.check_validation() {
        let geometry = make_valid_precise(&MultiPolygon(vec![polygon.clone()]))?;
        if let Err(e) = geometry.check_validation() {
            return Err(RepairError::StillInvalid(e.to_string()));
        }
        return Ok(Repaired { geometry, was_valid: false, problem: Some(problem.to_string()) });
    }
    Ok(Repaired { geometry: MultiPolygon(vec![polygon.clone()]), was_valid: true, problem: None })
}

/// `MakeValid` on a copy translated to the origin and scaled by 10⁴ (so its fixed 1e-4 snap
/// radius becomes 1e-8°, a millimetre), mapped back; input
/// vertices come back bit for bit (a new vertex, where rings cross, is computed), canonical.
pub fn make_valid_precise(mp: &MultiPolygon<f64>) -> Result<MultiPolygon<f64>, RepairError> {
    let Some(bbox) = mp.bounding_rect() else { return Ok(MultiPolygon(vec![])) };
    let o = bbox.min();
    let to_scaled = |c: Coord<f64>| Coord { x: (c.x - o.x) * SCALE, y: (c.y - o.y) * SCALE };
    let originals: HashMap<(u64, u64), Coord<f64>> =
        mp.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|r| r.0.iter())
            .map(|&c| {
                let s = to_scaled(c);
                ((s.x.to_bits(), s.y.to_bits()), c)
            })
            .collect();
    let scaled = mp.map_coords(to_scaled);
    let repaired = scaled.make_valid().map_err(RepairError::Failed)?;
    let back = repaired.map_coords(|s| {
        originals
            .get(&(s.x.to_bits(), s.y.to_bits()))
            .copied()
            .unwrap_or(Coord { x: s.x / SCALE + o.x, y: s.y / SCALE + o.y })
    });
    Ok(canonical(back))
}

/// The canonical form of a multipolygon: exterior rings counter-clockwise and holes clockwise,
/// every ring starting at its lexicographically smallest vertex, holes and polygons sorted by
/// that vertex. Same shape in, same coordinates out, whatever order they came in.
pub fn canonical(mp: MultiPolygon<f64>) -> MultiPolygon<f64> {
    fn ring(mut r: LineString<f64>, ccw: bool) -> LineString<f64> {
        r.close();
        let mut pts: Vec<Coord<f64>> = r.0[..r.0.len().saturating_sub(1)].to_vec();
        if pts.is_empty() {
            return r;
        }
        let area: f64 = pts.iter().zip(pts.iter().cycle().skip(1)).map(|(a, b)| a.x * b.y - b.x * a.y).sum();
        if (area > 0.0) != ccw {
            pts.reverse();
        }
        let start = (0..pts.len())
            .min_by(|&i, &j| {
                (pts[i].x, pts[i].y).partial_cmp(&(pts[j].x, pts[j].y)).unwrap_or(std::cmp::Ordering::Equal)
            })
            .unwrap_or(0);
        pts.rotate_left(start);
        pts.push(pts[0]);
        LineString(pts)
    }
    let first = |r: &LineString<f64>| r.0.first().map_or((0.0, 0.0), |c| (c.x, c.y));
    let mut polygons: Vec<Polygon<f64>> =
        mp.0.into_iter()
            .map(|p| {
                let (ext, holes) = p.into_inner();
                let mut holes: Vec<LineString<f64>> = holes.into_iter().map(|h| ring(h, false)).collect();
                holes.sort_by(|a, b| first(a).partial_cmp(&first(b)).unwrap_or(std::cmp::Ordering::Equal));
                Polygon::new(ring(ext, true), holes)
            })
            .collect();
    polygons.sort_by(|a, b| first(a.exterior()).partial_cmp(&first(b.exterior())).unwrap_or(std::cmp::Ordering::Equal));
    MultiPolygon(polygons)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;
    use geo_types::polygon;

    #[test]
    fn canonical_form_ignores_ring_start_and_orientation() {
        let a = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
        let b = polygon![(x: 1.0, y: 1.0), (x: 1.0, y: 0.0), (x: 0.0, y: 0.0), (x: 0.0, y: 1.0)];
        assert_eq!(canonical(MultiPolygon(vec![a.clone()])), canonical(MultiPolygon(vec![b])));
        assert_eq!(canonical(MultiPolygon(vec![a.clone()])).0[0].exterior().0[0], Coord { x: 0.0, y: 0.0 });
    }

    #[test]
    fn valid_input_is_untouched() {
        let p = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)];
        let r = repair_polygon(&p).unwrap();
        assert!(r.was_valid);
        assert_eq!(r.geometry.0[0], p);
    }

    #[test]
    fn spike_is_removed_and_area_kept() {
        let p = polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 15.0, y: 5.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)];
        let r = repair_polygon(&p).unwrap();
        assert!(!r.was_valid);
        assert!((r.geometry.unsigned_area() - 100.0).abs() < 1e-9);
        assert!(r.geometry.is_valid());
    }

    #[test]
    fn close_vertices_survive_repair() {
        // A bow-tie whose vertices are 1e-6° (~0.1 m) apart in places: MakeValid's fixed
        // 1e-4 snap would merge them in degrees; the scaled repair keeps them.
        let p = polygon![(x: 116.0, y: 40.0), (x: 116.000001, y: 40.000001), (x: 116.000001, y: 40.0), (x: 116.0, y: 40.000001)];
        let r = repair_polygon(&p).unwrap();
        assert!(!r.was_valid);
        assert_eq!(r.geometry.0.len(), 2, "two triangles");
        assert!((r.geometry.unsigned_area() - 0.5e-12).abs() < 1e-18, "{}", r.geometry.unsigned_area());
    }

    #[test]
    fn huairou_outline_repairs_to_body_and_lobe() {
        let outline = crate::demo::reference_outline().unwrap();
        let r = repair_polygon(&outline).unwrap();
        assert!(!r.was_valid);
        assert!(r.geometry.is_valid());
        assert_eq!(r.geometry.0.len(), 2, "main body and the lobe cut off at the self-touch");
        // Every vertex of the result is a vertex of the input: repaired, not replaced.
        let input: std::collections::HashSet<(u64, u64)> =
            outline.exterior().0.iter().map(|c| (c.x.to_bits(), c.y.to_bits())).collect();
        for p in &r.geometry.0 {
            for c in &p.exterior().0 {
                assert!(input.contains(&(c.x.to_bits(), c.y.to_bits())), "{c:?} not from the input");
            }
        }
        // Area unchanged: the spike and duplicates had none, the lobe is kept.
        let shipped = outline.unsigned_area();
        assert!((r.geometry.unsigned_area() - shipped).abs() < 1e-12, "{} vs {shipped}", r.geometry.unsigned_area());
    }
}
