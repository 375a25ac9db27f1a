//! Features as every layer holds them: a geometry and ordered properties.

use geo_types::Geometry;

/// A property value.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Value {
    /// No value.
    Null,
    /// true / false.
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A double.
    Float(f64),
    /// Text (UTF-8).
    String(String),
}

impl Value {
    /// The text, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
}

/// A feature: WGS84 geometry and properties in schema order.
#[derive(Clone, Debug, PartialEq)]
pub struct Feature {
    /// Geometry, lon/lat degrees.
    pub geometry: Geometry<f64>,
    /// `(name, value)` pairs.
    pub properties: Vec<(String, Value)>,
}

impl Feature {
    /// The value of property `name` (`None` if absent).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.properties.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}
