//! GeoJSON geometry as `serde_json` values, written by geozero. A one-part MultiPolygon is
//! written as a Polygon, as GIS tools expect of single-part features.

use geo_types::{Geometry, MultiPolygon};
use geozero::ToJson;
use serde_json::Value;

/// `geometry` as a GeoJSON geometry object (`null` if it cannot be written).
pub fn geometry(geometry: &Geometry<f64>) -> Value {
    let single;
    let g = match geometry {
        Geometry::MultiPolygon(mp) if mp.0.len() == 1 => {
            single = Geometry::Polygon(mp.0[0].clone());
            &single
        }
        other => other,
    };
    g.to_json().ok().and_then(|s| serde_json::from_str(&s).ok()).unwrap_or(Value::Null)
}

/// [`geometry`] for a MultiPolygon.
pub fn multipolygon(mp: &MultiPolygon<f64>) -> Value {
    geometry(&Geometry::MultiPolygon(mp.clone()))
}
