//! Writing a layer version as FlatGeobuf with its spatial index.

use std::io::Write;
use std::path::Path;

use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geozero::{ColumnValue, PropertyProcessor};

use super::error::FgbError;
use crate::catalog::{Field, FieldType};
use crate::feature::{Feature, Value};

/// The FlatGeobuf geometry type for a catalog type name.
pub fn geometry_type(name: &str) -> GeometryType {
    match name {
        "Point" => GeometryType::Point,
        "LineString" => GeometryType::LineString,
        "Polygon" => GeometryType::Polygon,
        "MultiPoint" => GeometryType::MultiPoint,
        "MultiLineString" => GeometryType::MultiLineString,
        "MultiPolygon" => GeometryType::MultiPolygon,
        _ => GeometryType::Unknown,
    }
}

/// Encodes `features` (already validated against `fields`) into `out`: WGS84 (EPSG:4326)
/// header, one nullable column per field, features sorted along a Hilbert curve behind a
/// packed R-tree. Same input, same bytes.
pub fn write(
    path: &Path,
    name: &str,
    geometry_type_name: &str,
    fields: &[Field],
    features: &[Feature],
    out: impl Write,
) -> Result<(), FgbError> {
    let options = FgbWriterOptions {
        write_index: true,
        detect_type: false,
        promote_to_multi: false,
        crs: FgbCrs { code: 4326, ..Default::default() },
        ..Default::default()
    };
    let encode = |index: usize, message: String| FgbError::Encode { path: path.to_path_buf(), index, message };
    let mut fgb = FgbWriter::create_with_options(name, geometry_type(geometry_type_name), options)
        .map_err(|e| encode(0, e.to_string()))?;
    for f in fields {
        let t = match f.field_type {
            FieldType::Bool => ColumnType::Bool,
            FieldType::Int => ColumnType::Long,
            FieldType::Float => ColumnType::Double,
            FieldType::String => ColumnType::String,
        };
        fgb.add_column(&f.name, t, |_, col| col.nullable = true);
    }
    for (index, feature) in features.iter().enumerate() {
        let mut failed = None;
        fgb.add_feature_geom(feature.geometry.clone(), |w| {
            for (col, field) in fields.iter().enumerate() {
                let value = feature.get(&field.name).unwrap_or(&Value::Null);
                let cv = match (value, field.field_type) {
                    (Value::Null, _) => continue,
                    (Value::Bool(b), _) => ColumnValue::Bool(*b),
                    (Value::Int(i), FieldType::Float) => ColumnValue::Double(*i as f64),
                    (Value::Int(i), _) => ColumnValue::Long(*i),
                    (Value::Float(x), _) => ColumnValue::Double(*x),
                    (Value::String(s), _) => ColumnValue::String(s),
                };
                if let Err(e) = w.property(col, &field.name, &cv) {
                    failed = Some(e.to_string());
                }
            }
        })
        .map_err(|e| encode(index, e.to_string()))?;
        if let Some(message) = failed {
            return Err(encode(index, message));
        }
    }
    // A failed write is the disk's (full, gone), not a feature's: keep the I/O error, so that
    // callers can tell a full disk.
    fgb.write(out).map_err(|e| match e {
        flatgeobuf::Error::IO(source) => FgbError::Io { path: path.to_path_buf(), source },
        e => FgbError::Format { path: path.to_path_buf(), message: e.to_string() },
    })
}
