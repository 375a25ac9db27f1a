//! GeoJSON (RFC 7946) of features, written through geozero. A one-part MultiPolygon is written
//! as a Polygon, as GIS tools expect of single-part features.

use geo_types::Geometry;
use geozero::ToJson;
use serde_json::{Map, Value as Json, json};

use crate::feature::Value;

/// `geometry` as a GeoJSON geometry object (`null` if it cannot be written).
pub fn geometry_json(geometry: &Geometry<f64>) -> Json {
    let single;
    let g = match geometry {
        Geometry::MultiPolygon(mp) if mp.0.len() == 1 => {
            single = Geometry::Polygon(mp.0[0].clone());
            &single
        }
        other => other,
    };
    g.to_json().ok().and_then(|s| serde_json::from_str(&s).ok()).unwrap_or(Json::Null)
}

/// A property value as JSON.
pub fn value_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Float(f) => json!(f),
        Value::String(s) => json!(s),
    }
}

/// A GeoJSON Feature from its properties (in order) and geometry.
pub fn feature_json<'a>(
    properties: impl IntoIterator<Item = (&'a str, &'a Value)>,
    geometry: &Geometry<f64>,
    extra: Map<String, Json>,
) -> Json {
    let mut props: Map<String, Json> = properties.into_iter().map(|(k, v)| (k.to_string(), value_json(v))).collect();
    props.extend(extra);
    json!({"type": "Feature", "properties": props, "geometry": geometry_json(geometry)})
}
