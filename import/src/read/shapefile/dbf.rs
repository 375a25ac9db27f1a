//! The `.dbf` part: a dBase III table, one record per shape.
//!
//! Read here rather than with the `dbase` crate because that crate decodes text lossily (an
//! invalid byte becomes U+FFFD without a word) and decodes field names as UTF-8 whatever the
//! table's encoding, while gridgis decodes strictly, in the encoding the `.cpg` or the caller
//! names, and must say which record and field is broken. The layout is small and fixed
//! (dBase III+ file structure; the shapefile subset in the ESRI technical description, p. 25).

use gridgis_layers::Value;

use super::Part;
use crate::read::{ReadError, TextEncoding};

/// The fixed part of the header, before the field descriptors.
const HEADER_BYTES: usize = 32;
/// One field descriptor.
const FIELD_BYTES: usize = 32;
/// Ends the field descriptors.
const FIELD_TERMINATOR: u8 = 0x0D;
/// dBase's end-of-file marker, which most writers put after the last record.
const EOF_MARKER: u8 = 0x1A;
/// The first byte of a deleted record (a live one has a space).
const DELETED: u8 = b'*';

/// A field descriptor, with its name still in bytes (the encoding is chosen later).
pub(super) struct RawField {
    /// The name's bytes, up to the first NUL.
    pub(super) name: Vec<u8>,
    /// The dBase type letter.
    kind: u8,
    /// Offset of the field in a record (after the deletion flag).
    offset: usize,
    /// Width in bytes.
    len: usize,
    /// Decimal places of a numeric field.
    decimals: u8,
}

/// A `.dbf` whose header has been checked against the file's length.
pub(super) struct Dbf {
    bytes: Vec<u8>,
    header_len: usize,
    record_len: usize,
    count: usize,
    /// The language driver byte (header offset 29).
    language_driver: u8,
    fields: Vec<RawField>,
}

/// A field with its decoded name, ready to read values.
pub(super) struct Field {
    name: String,
    raw: RawField,
}

impl Dbf {
    /// Checks the header: its size against the field descriptors, the fields' widths against
    /// the record size, and record count × record size + header size against the file's size.
    pub(super) fn open(part: &Part, bytes: Vec<u8>) -> Result<Self, ReadError> {
        if bytes.len() < HEADER_BYTES {
            return Err(part.invalid(format!(
                "{} bytes is shorter than the {HEADER_BYTES}-byte header: the file is truncated or not a dBase table",
                bytes.len()
            )));
        }
        let u16_at = |at: usize| usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]));
        let count = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        let header_len = u16_at(8);
        let record_len = u16_at(10);
        let language_driver = bytes[29];

        // The descriptors run from byte 32 to a 0x0D terminator inside the declared header
        // (Visual FoxPro puts a 263-byte backlink after the terminator, inside the header too).
        // A missing terminator, when the descriptors fill the header exactly, is tolerated as
        // shapelib (GDAL) tolerates it.
        let mut fields = Vec::new();
        let mut pos = HEADER_BYTES;
        let mut offset = 1; // after the deletion flag
        loop {
            if bytes.get(pos) == Some(&FIELD_TERMINATOR) {
                if pos + 1 > header_len {
                    return Err(part.invalid(format!(
                        "the header says it is {header_len} bytes but its {} field descriptors and terminator take \
                         {}: the header is damaged",
                        fields.len(),
                        pos + 1
                    )));
                }
                break;
            }
            if pos + FIELD_BYTES > header_len {
                break;
            }
            let d = bytes.get(pos..pos + FIELD_BYTES).ok_or_else(|| {
                part.invalid(format!(
                    "the file ends inside its field descriptors ({} bytes, the header says {header_len}): it is \
                     truncated",
                    bytes.len()
                ))
            })?;
            let name_end = d[..11].iter().position(|&b| b == 0).unwrap_or(11);
            let len = usize::from(d[16]);
            fields.push(RawField { name: d[..name_end].to_vec(), kind: d[11], offset, len, decimals: d[17] });
            offset += len;
            pos += FIELD_BYTES;
        }
        if offset != record_len {
            return Err(part.invalid(format!(
                "the header says records are {record_len} bytes but its {} fields add up to {offset} (with the \
                 deletion flag): the header is damaged",
                fields.len()
            )));
        }
        // Records follow the header, then usually an end-of-file marker.
        let expected = (count as u64) * (record_len as u64) + header_len as u64;
        let actual = bytes.len() as u64;
        if actual != expected && !(actual == expected + 1 && bytes.last() == Some(&EOF_MARKER)) {
            return Err(part.invalid(format!(
                "the header says {count} records of {record_len} bytes after a {header_len}-byte header, {expected} \
                 bytes, but the file has {actual}: it is truncated, or its header lies"
            )));
        }
        Ok(Dbf { bytes, header_len, record_len, count, language_driver, fields })
    }

    /// The number of records.
    pub(super) fn count(&self) -> usize {
        self.count
    }

    /// The header's language driver byte.
    pub(super) fn language_driver(&self) -> u8 {
        self.language_driver
    }

    /// The bytes whose encoding is unknown, field names then records, for detection: valid
    /// UTF-8 piece by piece is valid UTF-8 whole, and nothing is copied.
    pub(super) fn text(&self) -> impl Iterator<Item = &[u8]> {
        self.fields.iter().map(|f| f.name.as_slice()).chain(std::iter::once(self.records()))
    }

    fn records(&self) -> &[u8] {
        let end = self.header_len + self.count * self.record_len;
        self.bytes.get(self.header_len..end).unwrap_or(&[])
    }

    /// Decodes the field names: an invalid one is an encoding error naming the field's number.
    pub(super) fn fields(&mut self, part: &Part, encoding: TextEncoding, why: &str) -> Result<Vec<Field>, ReadError> {
        std::mem::take(&mut self.fields)
            .into_iter()
            .enumerate()
            .map(|(i, raw)| match encoding.decode(&raw.name) {
                Some(name) => Ok(Field { name: name.trim_end_matches([' ', '\0']).to_string(), raw }),
                None => Err(part.encoding(format!(
                    "the name of field {} ({}) is not valid {} ({why}); set the encoding option (gbk, gb18030, \
                     utf-8…)",
                    i + 1,
                    hex(&raw.name),
                    encoding.name()
                ))),
            })
            .collect()
    }

    /// Record `i`, deletion flag first; `None` past the end.
    pub(super) fn record(&self, i: usize) -> Option<&[u8]> {
        let start = self.header_len + i.checked_mul(self.record_len)?;
        self.bytes.get(start..start.checked_add(self.record_len)?)
    }
}

/// Whether a record is marked deleted (GDAL skips those; so does gridgis).
pub(super) fn is_deleted(record: &[u8]) -> bool {
    record.first() == Some(&DELETED)
}

/// How one field's bytes could not be read.
pub(super) enum ValueError {
    /// Text not valid in the table's encoding: the file (or the encoding chosen) is wrong.
    Encoding(String),
    /// A value that is not what its type says (a number field holding letters): one bad record.
    Value(String),
}

/// The record's values, in field order.
pub(super) fn values(
    fields: &[Field],
    record: &[u8],
    encoding: TextEncoding,
    why: &str,
) -> Result<Vec<(String, Value)>, ValueError> {
    let mut out = Vec::with_capacity(fields.len());
    for field in fields {
        let f = &field.raw;
        let bytes = record.get(f.offset..f.offset + f.len).unwrap_or(&[]);
        let value = value(f, bytes, encoding).map_err(|e| match e {
            Bad::Encoding => ValueError::Encoding(format!(
                "field {}: {} are not valid {} ({why}); set the encoding option (gbk, gb18030, utf-8…)",
                field.name,
                hex(trim_end(bytes)),
                encoding.name()
            )),
            Bad::Value(m) => ValueError::Value(format!("field {}: {m}", field.name)),
        })?;
        out.push((field.name.clone(), value));
    }
    Ok(out)
}

/// One field's value. Types as GDAL maps them: C text, N/F numbers (integers when the field
/// has no decimals and the value fits an `i64`), L logical, D date as `YYYY-MM-DD`, plus the
/// binary integer and double of dBase 7 / Visual FoxPro. Memo and other binary types are
/// `Null`: their data is not in the `.dbf`.
fn value(f: &RawField, bytes: &[u8], encoding: TextEncoding) -> Result<Value, Bad> {
    Ok(match f.kind {
        b'C' => {
            // Padded with spaces (some writers use NULs). A blank text is Null, as in GDAL.
            let text = trim_end(bytes);
            if text.is_empty() { Value::Null } else { Value::String(encoding.decode(text).ok_or(Bad::Encoding)?) }
        }
        b'N' | b'F' => number(bytes, f.decimals)?,
        b'L' => match bytes.first() {
            Some(b'T' | b't' | b'Y' | b'y') => Value::Bool(true),
            Some(b'F' | b'f' | b'N' | b'n') => Value::Bool(false),
            _ => Value::Null,
        },
        b'D' => {
            let text = ascii(bytes)?;
            match text.as_bytes() {
                [] => Value::Null,
                d if d.iter().all(|&b| b == b'0') => Value::Null,
                d if d.len() == 8 && d.iter().all(u8::is_ascii_digit) => {
                    Value::String(format!("{}-{}-{}", &text[..4], &text[4..6], &text[6..]))
                }
                _ => return Err(Bad::Value(format!("{text:?} is not a date (YYYYMMDD)"))),
            }
        }
        b'I' | b'+' => match <[u8; 4]>::try_from(bytes) {
            Ok(b) => Value::Int(i64::from(i32::from_le_bytes(b))),
            Err(_) => Value::Null,
        },
        b'O' => match <[u8; 8]>::try_from(bytes) {
            Ok(b) => Value::Float(f64::from_le_bytes(b)),
            Err(_) => Value::Null,
        },
        _ => Value::Null,
    })
}

/// What is wrong with a field's bytes, before the field is named ([`ValueError`]).
enum Bad {
    Encoding,
    Value(String),
}

/// A numeric field: right-aligned ASCII. Blank or all `*` (dBase's overflow mark) is `Null`.
fn number(bytes: &[u8], decimals: u8) -> Result<Value, Bad> {
    let text = ascii(bytes)?;
    if text.is_empty() || text.bytes().all(|b| b == b'*') {
        return Ok(Value::Null);
    }
    if decimals == 0
        && let Ok(i) = text.parse::<i64>()
    {
        return Ok(Value::Int(i));
    }
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(Value::Float(x)),
        _ => Err(Bad::Value(format!("{text:?} is not a number"))),
    }
}

/// The field's bytes as trimmed ASCII (numbers, dates), or a value error.
fn ascii(bytes: &[u8]) -> Result<&str, Bad> {
    let text = std::str::from_utf8(bytes)
        .ok()
        .filter(|t| t.is_ascii())
        .ok_or_else(|| Bad::Value(format!("{} is not ASCII", hex(bytes))))?;
    Ok(text.trim_matches([' ', '\0']))
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|&b| b != b' ' && b != 0).map_or(0, |i| i + 1);
    &bytes[..end]
}

/// Bytes in hex, for messages about text that cannot be decoded (the first 32).
fn hex(bytes: &[u8]) -> String {
    let mut s: String = bytes.iter().take(32).map(|b| format!("{b:02X} ")).collect();
    s.pop();
    if bytes.len() > 32 {
        s.push_str(" …");
    }
    format!("bytes [{s}]")
}
