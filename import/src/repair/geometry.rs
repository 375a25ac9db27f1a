//! Cleaning any geometry before it is stored: what is valid passes (normalized), what can be
//! repaired is, what cannot is refused with the reason.

use geo::{Area, CoordsIter, Orient, RemoveRepeatedPoints, Validation, orient::Direction};
use geo_types::{Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Polygon};

use super::make_valid_precise;

/// A geometry ready to store, and what was done to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Cleaned {
    /// The valid geometry: polygons with counter-clockwise exteriors and clockwise holes
    /// (RFC 7946), no repeated consecutive points.
    pub geometry: Geometry<f64>,
    /// The problem that was repaired, if the input was not valid.
    pub repaired: Option<String>,
}

/// Validates `g` and repairs what can be repaired: repeated consecutive points are dropped;
/// self-intersecting, self-touching or spiked polygons go through `MakeValid` (the parts that
/// keep area survive); degenerate parts of multi-geometries are dropped. Refused, with the
/// reason: non-finite coordinates, empty geometries, lines with fewer than two distinct points,
/// polygons with no area, geometry collections. Ring orientation is normalized silently (a
/// shapefile's clockwise exteriors are not an error).
pub fn clean_geometry(g: Geometry<f64>) -> Result<Cleaned, String> {
    if g.coords_iter().any(|c| !(c.x.is_finite() && c.y.is_finite())) {
        return Err("a coordinate is not a finite number".into());
    }
    if g.coords_count() == 0 {
        return Err("empty geometry".into());
    }
    match g {
        Geometry::Point(p) => Ok(Cleaned { geometry: Geometry::Point(p), repaired: None }),
        Geometry::MultiPoint(mp) => Ok(Cleaned { geometry: Geometry::MultiPoint(MultiPoint(mp.0)), repaired: None }),
        Geometry::Line(l) => clean_lines(MultiLineString(vec![LineString(vec![l.start, l.end])]), true),
        Geometry::LineString(ls) => clean_lines(MultiLineString(vec![ls]), true),
        Geometry::MultiLineString(mls) => clean_lines(mls, false),
        Geometry::Polygon(p) => clean_polygons(MultiPolygon(vec![p]), true),
        Geometry::Rect(r) => clean_polygons(MultiPolygon(vec![r.to_polygon()]), true),
        Geometry::Triangle(t) => clean_polygons(MultiPolygon(vec![t.to_polygon()]), true),
        Geometry::MultiPolygon(mp) => clean_polygons(mp, false),
        Geometry::GeometryCollection(_) => Err("geometry collections are not stored in a layer".into()),
    }
}

fn clean_lines(mls: MultiLineString<f64>, single: bool) -> Result<Cleaned, String> {
    let before: usize = mls.0.iter().map(|l| l.0.len()).sum();
    let deduped = mls.remove_repeated_points();
    let parts: Vec<LineString<f64>> = deduped.0.into_iter().filter(|l| l.0.len() >= 2).collect();
    if parts.is_empty() {
        return Err("a line needs at least two distinct points".into());
    }
    let after: usize = parts.iter().map(|l| l.0.len()).sum();
    let repaired = (after != before).then(|| "repeated points or degenerate parts removed".to_string());
    let mut parts = parts;
    let geometry = match parts.pop() {
        Some(only) if single && parts.is_empty() => Geometry::LineString(only),
        Some(last) => {
            parts.push(last);
            Geometry::MultiLineString(MultiLineString(parts))
        }
        None => return Err("a line needs at least two distinct points".into()),
    };
    Ok(Cleaned { geometry, repaired })
}

fn clean_polygons(mp: MultiPolygon<f64>, single: bool) -> Result<Cleaned, String> {
    let (geometry, repaired) = match mp.check_validation() {
        Ok(()) => (mp, None),
        Err(problem) => {
            let fixed = make_valid_precise(&mp).map_err(|e| format!("invalid ({problem}) and {e}"))?;
            (fixed, Some(problem.to_string()))
        }
    };
    if geometry.0.is_empty() || geometry.unsigned_area() == 0.0 {
        return Err(match repaired {
            Some(p) => format!("polygon has no area once repaired ({p})"),
            None => "polygon has no area".into(),
        });
    }
    let oriented = geometry.orient(Direction::Default);
    let geometry = if single && oriented.0.len() == 1 {
        Geometry::Polygon(oriented.0.into_iter().next().unwrap_or_else(|| Polygon::new(LineString(vec![]), vec![])))
    } else {
        Geometry::MultiPolygon(oriented)
    };
    Ok(Cleaned { geometry, repaired })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{line_string, point, polygon};

    #[test]
    fn valid_geometries_pass_normalized() {
        let p = Geometry::Point(point!(x: 116.0, y: 40.0));
        assert_eq!(clean_geometry(p.clone()).unwrap(), Cleaned { geometry: p, repaired: None });
        // A clockwise square (shapefile order) comes out counter-clockwise, not "repaired".
        let cw = polygon![(x: 0.0, y: 0.0), (x: 0.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0)];
        let c = clean_geometry(Geometry::Polygon(cw)).unwrap();
        assert!(c.repaired.is_none());
        let Geometry::Polygon(p) = c.geometry else { panic!() };
        assert!(p.signed_area() > 0.0);
    }

    #[test]
    fn repairs_and_refusals() {
        let spiky = polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 15.0, y: 5.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)];
        let c = clean_geometry(Geometry::Polygon(spiky)).unwrap();
        assert!(c.repaired.is_some());
        assert!((c.geometry.unsigned_area() - 100.0).abs() < 1e-9);
        let dup = line_string![(x: 0.0, y: 0.0), (x: 0.0, y: 0.0), (x: 1.0, y: 1.0)];
        let c = clean_geometry(Geometry::LineString(dup)).unwrap();
        assert_eq!(c.geometry, Geometry::LineString(line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0)]));
        assert!(c.repaired.is_some());
        assert!(clean_geometry(Geometry::LineString(line_string![(x: 1.0, y: 1.0), (x: 1.0, y: 1.0)])).is_err());
        assert!(clean_geometry(Geometry::Point(point!(x: f64::NAN, y: 1.0))).is_err());
        let flat = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 2.0, y: 0.0)];
        assert!(clean_geometry(Geometry::Polygon(flat)).is_err());
        assert!(clean_geometry(Geometry::MultiPolygon(MultiPolygon(vec![]))).is_err());
        assert!(clean_geometry(Geometry::GeometryCollection(Default::default())).is_err());
    }
}
