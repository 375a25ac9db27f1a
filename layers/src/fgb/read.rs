//! Reading a layer version back.

use std::io::BufReader;
use std::path::Path;

use flatgeobuf::{FallibleStreamingIterator, FgbReader};
use geozero::{ColumnValue, FeatureProperties, PropertyProcessor, ToGeo};

use super::error::FgbError;
use crate::feature::Value;

/// Collects one feature's properties by column index.
struct Props<'a> {
    values: &'a mut Vec<Value>,
}

impl PropertyProcessor for Props<'_> {
    fn property(&mut self, i: usize, _name: &str, v: &ColumnValue) -> geozero::error::Result<bool> {
        let value = match v {
            ColumnValue::Bool(b) => Value::Bool(*b),
            ColumnValue::Byte(x) => Value::Int(i64::from(*x)),
            ColumnValue::UByte(x) => Value::Int(i64::from(*x)),
            ColumnValue::Short(x) => Value::Int(i64::from(*x)),
            ColumnValue::UShort(x) => Value::Int(i64::from(*x)),
            ColumnValue::Int(x) => Value::Int(i64::from(*x)),
            ColumnValue::UInt(x) => Value::Int(i64::from(*x)),
            ColumnValue::Long(x) => Value::Int(*x),
            ColumnValue::ULong(x) => i64::try_from(*x).map_or(Value::Float(*x as f64), Value::Int),
            ColumnValue::Float(x) => Value::Float(f64::from(*x)),
            ColumnValue::Double(x) => Value::Float(*x),
            ColumnValue::String(s) | ColumnValue::Json(s) | ColumnValue::DateTime(s) => Value::String((*s).to_string()),
            ColumnValue::Binary(_) => Value::Null,
        };
        if let Some(slot) = self.values.get_mut(i) {
            *slot = value;
        }
        Ok(false)
    }
}

/// One stored feature without its column names (they are the layer's, once).
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// Geometry, lon/lat.
    pub geometry: geo_types::Geometry<f64>,
    /// Values in column order.
    pub values: Box<[Value]>,
}

/// Reads the column names and every feature of the FlatGeobuf file at `path`, in file order.
pub fn read_records(path: &Path) -> Result<(Vec<String>, Vec<Record>), FgbError> {
    let file = std::fs::File::open(path).map_err(|source| FgbError::Io { path: path.to_path_buf(), source })?;
    read_records_from(path, BufReader::with_capacity(1 << 20, file))
}

/// [`read_records`] of FlatGeobuf bytes from `reader`; `path` names them in errors.
pub fn read_records_from(path: &Path, mut reader: impl std::io::Read) -> Result<(Vec<String>, Vec<Record>), FgbError> {
    let format = |message: String| FgbError::Format { path: path.to_path_buf(), message };
    let fgb = FgbReader::open(&mut reader).map_err(|e| format(e.to_string()))?;
    let header = fgb.header();
    let columns: Vec<String> =
        header.columns().map(|cols| cols.iter().map(|c| c.name().to_string()).collect()).unwrap_or_default();
    let count = header.features_count();
    let mut iter = fgb.select_all_seq().map_err(|e| format(e.to_string()))?;
    // The count comes from the file: cap the reservation, let the vector grow past it if real.
    let mut out = Vec::with_capacity((count as usize).min(1 << 20));
    while let Some(f) = iter.next().map_err(|e| format(e.to_string()))? {
        let mut values = vec![Value::Null; columns.len()];
        f.process_properties(&mut Props { values: &mut values }).map_err(|e| format(e.to_string()))?;
        let geometry = f.to_geo().map_err(|e| format(format!("feature {}: {e}", out.len())))?;
        out.push(Record { geometry, values: values.into_boxed_slice() });
    }
    // The reader stops quietly at end of file; a file cut short must not pass for a smaller layer.
    if count != 0 && out.len() as u64 != count {
        return Err(format(format!("truncated: the header announces {count} features, the file holds {}", out.len())));
    }
    Ok((columns, out))
}
