//! FlatGeobuf: features streamed one at a time, with the header's coordinate system.
//!
//! The framing (magic bytes, header, index, size-prefixed features) is read here rather than
//! by `flatgeobuf::FgbReader`, because 6.0.1's reader allocates whatever size a feature
//! declares (up to 4 GiB) before reading it, and panics on an index node size of 1. The
//! crate's FlatBuffers verifier still checks every header and feature, and its geometry
//! reader decodes the geometries, after [`check_geometry`] has made sure it cannot index out
//! of bounds; properties are decoded here with bounds checks for the same reason.

use std::fs::File;
use std::io::{self, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use flatgeobuf::{ColumnType, GeometryType, Header};
use geo_types::Geometry;
use geozero::geo_types::GeoWriter;
use gridgis_layers::Value;

use super::{CrsHint, FeatureSource, Format, RawFeature, ReadError, ReadOptions, SourceInfo};

/// The largest header accepted: the `HEADER_MAX_BUFFER_SIZE` of the reference readers
/// (flatgeobuf crate, GDAL).
const MAX_HEADER_BYTES: u64 = 10 << 20;

/// Bytes per packed R-tree node: four f64 bounds and a u64 offset (FlatGeobuf spec).
const NODE_ITEM_BYTES: u128 = 40;

/// The largest feature accepted: the FlatBuffers verifier's limit (`max_apparent_size`, 2 GiB),
/// checked before allocating rather than after.
const MAX_FEATURE_BYTES: u64 = 1 << 31;

/// The FlatGeobuf format version this reads (and the earlier ones the magic bytes allow).
const VERSION: u8 = 3;

/// Opens the FlatGeobuf file at `path`, reading features as they are asked for.
pub(crate) fn open_path(path: &Path, name: &str, _options: &ReadOptions) -> Result<Box<dyn FeatureSource>, ReadError> {
    let file = File::open(path).map_err(|e| ReadError::io(name, e))?;
    let len = file.metadata().map_err(|e| ReadError::io(name, e))?.len();
    let reader = BufReader::with_capacity(1 << 16, file);
    Ok(Box::new(FgbSource::open(name, reader, len)?))
}

/// Opens a FlatGeobuf file held in memory.
pub(crate) fn open_bytes(
    name: &str,
    bytes: Vec<u8>,
    _options: &ReadOptions,
) -> Result<Box<dyn FeatureSource>, ReadError> {
    let len = bytes.len() as u64;
    Ok(Box::new(FgbSource::open(name, Cursor::new(bytes), len)?))
}

/// A header column, as properties are decoded.
struct Column {
    name: String,
    kind: ColumnType,
    /// Where its value goes in a feature's properties; `None` for a binary column, which is
    /// left out (no gridgis property type holds bytes).
    slot: Option<usize>,
}

/// A FlatGeobuf file being read.
struct FgbSource<R> {
    info: SourceInfo,
    reader: R,
    /// The file's length and the reader's position in it, so that no size read from the file
    /// is trusted past its end.
    len: u64,
    pos: u64,
    geometry_type: GeometryType,
    columns: Vec<Column>,
    /// The properties every feature starts from: each column, `Null`.
    empty_properties: Vec<(String, Value)>,
    /// The current feature, with its 4-byte size prefix (reused).
    buf: Vec<u8>,
    /// The header's feature count; 0 when it does not say.
    declared: u64,
    next: u64,
    done: bool,
}

impl<R: Read + Seek> FgbSource<R> {
    fn open(name: &str, mut reader: R, len: u64) -> Result<Self, ReadError> {
        let not_fgb = |why: &str| ReadError::invalid(name, format!("not a FlatGeobuf file: {why}"));
        if len < 12 {
            return Err(not_fgb("too short"));
        }
        let mut start = [0u8; 12];
        read_exact(&mut reader, &mut start, name)?;
        if &start[0..3] != b"fgb" || &start[4..7] != b"fgb" || start[3] > VERSION {
            return Err(not_fgb("bad magic bytes"));
        }
        let header_size = u64::from(u32::from_le_bytes([start[8], start[9], start[10], start[11]]));
        if !(8..=MAX_HEADER_BYTES).contains(&header_size) || 12 + header_size > len {
            return Err(ReadError::invalid(
                name,
                format!("the header size ({header_size} bytes) is impossible for a {len}-byte file"),
            ));
        }
        // Both sizes were just bounded by the file length and 10 MiB.
        let mut header_buf = vec![0u8; 4 + header_size as usize];
        header_buf[..4].copy_from_slice(&start[8..12]);
        read_exact(&mut reader, &mut header_buf[4..], name)?;
        let header = flatgeobuf::size_prefixed_root_as_header(&header_buf)
            .map_err(|e| ReadError::invalid(name, format!("broken header: {e}")))?;
        let mut pos = 12 + header_size;

        let declared = header.features_count();
        let index_node_size = u64::from(header.index_node_size());
        // Every feature takes at least its 4-byte size prefix.
        if declared > (len - pos) / 4 {
            return Err(ReadError::invalid(
                name,
                format!("the header announces {declared} features, more than the file's {len} bytes can hold"),
            ));
        }
        if index_node_size > 0 && declared > 0 {
            if index_node_size < 2 {
                return Err(ReadError::invalid(name, "the header's index node size is 1 (at least 2 is needed)"));
            }
            let index = index_bytes(declared, index_node_size);
            if index > u128::from(len - pos) {
                return Err(ReadError::invalid(
                    name,
                    format!("the file ends inside the spatial index of its {declared} features (truncated?)"),
                ));
            }
            // Bounded by the file length just above.
            let index = index as u64;
            let skip = i64::try_from(index).map_err(|_| not_fgb("index too large"))?;
            reader.seek(SeekFrom::Current(skip)).map_err(|e| ReadError::io(name, e))?;
            pos += index;
        }

        let mut columns = Vec::new();
        let mut empty_properties = Vec::new();
        for c in header.columns().into_iter().flat_map(|cols| cols.iter()) {
            let slot = (c.type_() != ColumnType::Binary).then(|| {
                empty_properties.push((c.name().to_string(), Value::Null));
                empty_properties.len() - 1
            });
            columns.push(Column { name: c.name().to_string(), kind: c.type_(), slot });
        }
        Ok(FgbSource {
            info: SourceInfo {
                file_name: name.to_string(),
                format: Format::FlatGeobuf,
                crs: crs_hint(&header),
                encoding: None,
                declared_features: (declared > 0).then_some(declared),
            },
            geometry_type: header.geometry_type(),
            reader,
            len,
            pos,
            columns,
            empty_properties,
            buf: Vec::new(),
            declared,
            next: 0,
            done: false,
        })
    }

    /// Reads the next feature's bytes into `buf`; `Ok(false)` at the end of the features.
    fn read_feature(&mut self) -> Result<bool, ReadError> {
        let name = &self.info.file_name;
        if self.declared > 0 && self.next == self.declared {
            return Ok(false);
        }
        if self.pos == self.len {
            if self.declared > 0 {
                return Err(ReadError::invalid(
                    name,
                    format!("truncated: the header announces {} features, the file holds {}", self.declared, self.next),
                ));
            }
            return Ok(false);
        }
        let left = self.len - self.pos;
        let mut prefix = [0u8; 4];
        if left < 4 {
            return Err(ReadError::invalid(name, format!("truncated: {left} stray bytes after feature {}", self.next)));
        }
        read_exact(&mut self.reader, &mut prefix, name)?;
        let size = u64::from(u32::from_le_bytes(prefix));
        if size > MAX_FEATURE_BYTES {
            return Err(ReadError::invalid(
                name,
                format!(
                    "feature {} declares {size} bytes, more than the {MAX_FEATURE_BYTES} FlatGeobuf allows",
                    self.next
                ),
            ));
        }
        if size > left - 4 {
            return Err(ReadError::invalid(
                name,
                format!(
                    "feature {} declares {size} bytes, more than the {} left in the file (truncated?)",
                    self.next,
                    left - 4
                ),
            ));
        }
        self.buf.clear();
        self.buf.extend_from_slice(&prefix);
        // Bounded by the file length just above.
        self.buf.resize(4 + size as usize, 0);
        read_exact(&mut self.reader, &mut self.buf[4..], name)?;
        self.pos += 4 + size;
        Ok(true)
    }

    /// Decodes the feature in `buf`: the outer error ends the stream (the bytes are not a
    /// feature at all), the inner one is this feature's.
    fn decode(&self, index: u64) -> Result<Result<RawFeature, ReadError>, ReadError> {
        let name = &self.info.file_name;
        let feature = flatgeobuf::size_prefixed_root_as_feature(&self.buf)
            .map_err(|e| ReadError::invalid(name, format!("feature {index} is broken: {e}")))?;
        let fail = |message: String| ReadError::feature_error(name, index, message);
        let mut properties = self.empty_properties.clone();
        if let Some(bytes) = feature.properties()
            && let Err(message) = decode_properties(bytes.bytes(), &self.columns, &mut properties)
        {
            return Ok(Err(fail(message)));
        }
        let geometry = match feature.geometry() {
            None => None,
            Some(g) => match to_geo(&g, self.geometry_type) {
                Ok(g) => g,
                Err(message) => return Ok(Err(fail(message))),
            },
        };
        Ok(Ok(RawFeature { index, geometry, properties }))
    }
}

impl<R: Read + Seek> Iterator for FgbSource<R> {
    type Item = Result<RawFeature, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = match self.read_feature() {
            Ok(true) => {
                let index = self.next;
                self.next += 1;
                self.decode(index)
            }
            Ok(false) => {
                self.done = true;
                return None;
            }
            Err(e) => Err(e),
        };
        match item {
            Ok(feature) => Some(feature),
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

impl<R: Read + Seek + Send> FeatureSource for FgbSource<R> {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
}

fn read_exact(reader: &mut impl Read, buf: &mut [u8], name: &str) -> Result<(), ReadError> {
    reader.read_exact(buf).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => ReadError::invalid(name, "truncated: the file ends early"),
        _ => ReadError::io(name, e),
    })
}

/// The size of the packed R-tree over `features` items (FlatGeobuf spec,
/// `PackedRTree::index_size`); `node_size` ≥ 2, so the level loop ends.
fn index_bytes(features: u64, node_size: u64) -> u128 {
    if features == 0 {
        return 0;
    }
    let (mut n, mut nodes) = (u128::from(features), u128::from(features));
    // At least one level above the items, even for one item, as the reference does.
    loop {
        n = n.div_ceil(u128::from(node_size));
        nodes += n;
        if n <= 1 {
            break;
        }
    }
    nodes * NODE_ITEM_BYTES
}

/// What the header says about the coordinate system: an EPSG code (the organisation absent
/// means EPSG), else the WKT, else an `EPSG:NNNN` code string.
fn crs_hint(header: &Header<'_>) -> CrsHint {
    let Some(crs) = header.crs() else {
        return CrsHint::None;
    };
    let epsg = crs.org().is_none_or(|org| org.trim().eq_ignore_ascii_case("EPSG"));
    if let Ok(code) = u32::try_from(crs.code())
        && epsg
        && code > 0
    {
        return CrsHint::Epsg(code);
    }
    if let Some(wkt) = crs.wkt().map(str::trim).filter(|w| !w.is_empty()) {
        return CrsHint::Wkt(wkt.to_string());
    }
    crs.code_string()
        .and_then(|s| s.trim().split_once(':'))
        .filter(|(org, _)| org.eq_ignore_ascii_case("EPSG"))
        .and_then(|(_, code)| code.trim().parse().ok())
        .filter(|&code| code > 0)
        .map_or(CrsHint::None, CrsHint::Epsg)
}

/// Fills `out` from a feature's property bytes: a sequence of (u16 column index, value), a
/// value being little-endian fixed-size or a u32 length and that many bytes.
fn decode_properties(bytes: &[u8], columns: &[Column], out: &mut [(String, Value)]) -> Result<(), String> {
    let mut at = 0;
    // Some writers leave one trailing byte after the last value; the reference reader
    // tolerates it, and so does this.
    while at + 1 < bytes.len() {
        let col = usize::from(u16::from_le_bytes(take(bytes, &mut at)?));
        let column = columns
            .get(col)
            .ok_or_else(|| format!("a property of column {col}, but the header has {} columns", columns.len()))?;
        let text = |at: &mut usize| -> Result<&str, String> {
            let len = u32::from_le_bytes(take(bytes, at)?) as usize;
            let raw = slice(bytes, at, len)?;
            std::str::from_utf8(raw).map_err(|_| format!("property '{}' is not UTF-8 text", column.name))
        };
        let value = match column.kind {
            ColumnType::Bool => Value::Bool(take::<1>(bytes, &mut at)?[0] != 0),
            ColumnType::Byte => Value::Int(i64::from(i8::from_le_bytes(take(bytes, &mut at)?))),
            ColumnType::UByte => Value::Int(i64::from(u8::from_le_bytes(take(bytes, &mut at)?))),
            ColumnType::Short => Value::Int(i64::from(i16::from_le_bytes(take(bytes, &mut at)?))),
            ColumnType::UShort => Value::Int(i64::from(u16::from_le_bytes(take(bytes, &mut at)?))),
            ColumnType::Int => Value::Int(i64::from(i32::from_le_bytes(take(bytes, &mut at)?))),
            ColumnType::UInt => Value::Int(i64::from(u32::from_le_bytes(take(bytes, &mut at)?))),
            ColumnType::Long => Value::Int(i64::from_le_bytes(take(bytes, &mut at)?)),
            // Beyond i64 only as a double, as the layer store's own reader does.
            ColumnType::ULong => {
                let v = u64::from_le_bytes(take(bytes, &mut at)?);
                i64::try_from(v).map_or(Value::Float(v as f64), Value::Int)
            }
            ColumnType::Float => Value::Float(f64::from(f32::from_le_bytes(take(bytes, &mut at)?))),
            ColumnType::Double => Value::Float(f64::from_le_bytes(take(bytes, &mut at)?)),
            ColumnType::String | ColumnType::Json | ColumnType::DateTime => Value::String(text(&mut at)?.to_string()),
            ColumnType::Binary => {
                let len = u32::from_le_bytes(take(bytes, &mut at)?) as usize;
                slice(bytes, &mut at, len)?;
                continue;
            }
            other => return Err(format!("column '{}' has an unknown type ({})", column.name, other.0)),
        };
        if let Some(slot) = column.slot.and_then(|s| out.get_mut(s)) {
            slot.1 = value;
        }
    }
    Ok(())
}

/// The next `N` bytes at `at`, moving `at` past them.
fn take<const N: usize>(bytes: &[u8], at: &mut usize) -> Result<[u8; N], String> {
    let raw = slice(bytes, at, N)?;
    <[u8; N]>::try_from(raw).map_err(|_| "properties end inside a value".to_string())
}

/// The next `len` bytes at `at`, moving `at` past them.
fn slice<'a>(bytes: &'a [u8], at: &mut usize, len: usize) -> Result<&'a [u8], String> {
    let raw = at.checked_add(len).and_then(|end| bytes.get(*at..end)).ok_or("properties end inside a value")?;
    *at += len;
    Ok(raw)
}

/// The geometry of a feature; `None` for an empty point.
fn to_geo(g: &flatgeobuf::Geometry<'_>, header_type: GeometryType) -> Result<Option<Geometry<f64>>, String> {
    let geometry_type = if header_type == GeometryType::Unknown { g.type_() } else { header_type };
    if geometry_type == GeometryType::Point && g.xy().is_none_or(|xy| xy.is_empty()) {
        return Ok(None);
    }
    check_geometry(g, geometry_type)?;
    let mut writer = GeoWriter::new();
    g.process(&mut writer, header_type).map_err(|e| format!("broken geometry: {e}"))?;
    Ok(writer.take_geometry())
}

/// Checks what flatgeobuf's geometry reader indexes without checking: coordinate pairs whole,
/// a point's one pair, ring and part ends within the coordinates and in order, multi-part
/// members present. Also limits the types to those a `geo` geometry can hold (no curves,
/// triangles, TINs or polyhedral surfaces). Nesting depth is bounded by the FlatBuffers
/// verifier (64 tables).
fn check_geometry(g: &flatgeobuf::Geometry<'_>, geometry_type: GeometryType) -> Result<(), String> {
    let xy = g.xy().map_or(0, |xy| xy.len());
    if !xy.is_multiple_of(2) {
        return Err("an odd number of coordinate values".into());
    }
    let ends = || -> Result<(), String> {
        if let Some(ends) = g.ends().filter(|e| e.len() > 1) {
            let mut previous = 0;
            for end in ends.iter() {
                let end = end as usize * 2;
                if end < previous || end > xy {
                    return Err("ring or part ends that do not fit its coordinates".into());
                }
                previous = end;
            }
        }
        Ok(())
    };
    let parts = || g.parts().ok_or_else(|| "a multi-part geometry without parts".to_string());
    match geometry_type {
        GeometryType::Point if xy < 2 => Err("an empty point inside a collection".into()),
        GeometryType::Point => Ok(()),
        GeometryType::MultiPoint | GeometryType::LineString | GeometryType::Polygon if g.xy().is_none() => {
            Err("a geometry without coordinates".into())
        }
        GeometryType::MultiPoint | GeometryType::LineString => Ok(()),
        GeometryType::MultiLineString | GeometryType::Polygon => ends(),
        GeometryType::MultiPolygon => parts()?.iter().try_for_each(|p| check_geometry(&p, GeometryType::Polygon)),
        GeometryType::GeometryCollection => parts()?.iter().try_for_each(|p| check_geometry(&p, p.type_())),
        other => Err(format!("unsupported geometry type {}", other.variant_name().unwrap_or("(unknown)"))),
    }
}

/// Also holds the GDAL fixture the GeoPackage tests share.
#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use flatgeobuf::{FgbCrs, FgbWriter, FgbWriterOptions};
    use geo_types::{GeometryCollection, LineString, MultiPolygon, Point, line_string, polygon};
    use geozero::{ColumnValue, PropertyProcessor};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// A feature to write: geometry, name, population (nullable).
    type Row = (Geometry<f64>, &'static str, Option<i64>);

    fn write(geometry_type: GeometryType, options: FgbWriterOptions<'_>, rows: &[Row]) -> Vec<u8> {
        let mut fgb = FgbWriter::create_with_options("grids", geometry_type, options).unwrap();
        fgb.add_column("名称", ColumnType::String, |_, _| {});
        fgb.add_column("人数", ColumnType::Long, |_, c| c.nullable = true);
        fgb.add_column("面积", ColumnType::Double, |_, _| {});
        fgb.add_column("有效", ColumnType::Bool, |_, _| {});
        fgb.add_column("照片", ColumnType::Binary, |_, _| {});
        fgb.add_column("层级", ColumnType::UByte, |_, _| {});
        fgb.add_column("比例", ColumnType::Float, |_, _| {});
        for (geometry, name, people) in rows {
            fgb.add_feature_geom(geometry.clone(), |w| {
                w.property(0, "名称", &ColumnValue::String(name)).unwrap();
                if let Some(p) = people {
                    w.property(1, "人数", &ColumnValue::Long(*p)).unwrap();
                }
                w.property(2, "面积", &ColumnValue::Double(1.5)).unwrap();
                w.property(3, "有效", &ColumnValue::Bool(true)).unwrap();
                w.property(4, "照片", &ColumnValue::Binary(&[1, 2, 3])).unwrap();
                w.property(5, "层级", &ColumnValue::UByte(4)).unwrap();
                w.property(6, "比例", &ColumnValue::Float(0.5)).unwrap();
            })
            .unwrap();
        }
        let mut out = Vec::new();
        fgb.write(&mut out).unwrap();
        out
    }

    fn points() -> Vec<u8> {
        let options = FgbWriterOptions {
            crs: FgbCrs { code: 4548, ..Default::default() },
            detect_type: false,
            promote_to_multi: false,
            ..Default::default()
        };
        let rows: Vec<Row> = vec![
            (Point::new(500_000.0, 4_460_000.0).into(), "馥郁苑社区", Some(1200)),
            (Point::new(501_000.0, 4_461_000.0).into(), "泉河街道", None),
            (Point::new(502_000.0, 4_462_000.0).into(), "雁栖镇", Some(-3)),
        ];
        write(GeometryType::Point, options, &rows)
    }

    /// Reads everything; whether an error was met.
    fn drain(bytes: Vec<u8>) -> bool {
        match open_bytes("t.fgb", bytes, &ReadOptions::default()) {
            Err(_) => true,
            Ok(source) => source.fold(false, |seen, item| seen | item.is_err()),
        }
    }

    fn error(bytes: Vec<u8>) -> String {
        match open_bytes("t.fgb", bytes, &ReadOptions::default()) {
            Err(e) => e.to_string(),
            Ok(source) => source.filter_map(Result::err).map(|e| e.to_string()).next().unwrap_or_default(),
        }
    }

    /// The file offset of a header field (`vt`: its vtable slot), following the FlatBuffers
    /// layout: the root table's offset at byte 12, its vtable before it.
    fn header_field(file: &[u8], vt: usize) -> usize {
        let (table, vtable) = header_tables(file);
        let field = u16::from_le_bytes(file[vtable + vt..vtable + vt + 2].try_into().unwrap()) as usize;
        assert_ne!(field, 0, "field absent");
        table + field
    }

    /// The file offsets of the header's table and of its vtable.
    fn header_tables(file: &[u8]) -> (usize, usize) {
        let u32_at = |i: usize| u32::from_le_bytes(file[i..i + 4].try_into().unwrap()) as usize;
        let table = 12 + u32_at(12);
        (table, table - u32_at(table))
    }

    #[test]
    fn points_with_crs_code_and_index() {
        let bytes = points();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pois.fgb");
        std::fs::write(&path, &bytes).unwrap();
        for source in [
            open_bytes("pois.fgb", bytes, &ReadOptions::default()).unwrap(),
            open_path(&path, "pois.fgb", &ReadOptions::default()).unwrap(),
        ] {
            let info = source.info().clone();
            assert_eq!(info.format, Format::FlatGeobuf);
            assert_eq!(info.crs, CrsHint::Epsg(4548));
            assert_eq!(info.declared_features, Some(3));
            assert_eq!(info.encoding, None);
            let mut features: Vec<RawFeature> = source.map(Result::unwrap).collect();
            assert_eq!(features.iter().map(|f| f.index).collect::<Vec<_>>(), [0, 1, 2]);
            // The index sorts features along a Hilbert curve: find them by name.
            features.sort_by(|a, b| a.properties[0].1.as_str().cmp(&b.properties[0].1.as_str()));
            let by_name = |name: &str| features.iter().find(|f| f.properties[0].1.as_str() == Some(name)).unwrap();
            let f = by_name("馥郁苑社区");
            assert_eq!(f.geometry, Some(Point::new(500_000.0, 4_460_000.0).into()));
            // Every column in order, the binary one left out.
            let names: Vec<&str> = f.properties.iter().map(|(n, _)| n.as_str()).collect();
            assert_eq!(names, ["名称", "人数", "面积", "有效", "层级", "比例"]);
            assert_eq!(f.properties[1].1, Value::Int(1200));
            assert_eq!(f.properties[2].1, Value::Float(1.5));
            assert_eq!(f.properties[3].1, Value::Bool(true));
            assert_eq!(f.properties[4].1, Value::Int(4));
            assert_eq!(f.properties[5].1, Value::Float(0.5));
            assert_eq!(by_name("泉河街道").properties[1].1, Value::Null);
            assert_eq!(by_name("雁栖镇").properties[1].1, Value::Int(-3));
        }
    }

    #[test]
    fn mixed_geometries_and_a_wkt_crs() {
        let wkt = "PROJCS[\"CGCS2000 / 3-degree Gauss-Kruger CM 117E\"]";
        let options = FgbWriterOptions {
            write_index: false,
            detect_type: false,
            promote_to_multi: false,
            crs: FgbCrs { wkt: Some(wkt), ..Default::default() },
            ..Default::default()
        };
        let with_hole = polygon!(
            exterior: [(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 0.)],
            interiors: [[(x: 6., y: 2.), (x: 8., y: 2.), (x: 8., y: 4.), (x: 6., y: 2.)]],
        );
        let rows: Vec<Row> = vec![
            (with_hole.clone().into(), "polygon", Some(1)),
            (MultiPolygon(vec![with_hole.clone(), with_hole.clone()]).into(), "multipolygon", Some(2)),
            (line_string![(x: 1., y: 2.), (x: 3., y: 4.)].into(), "line", None),
        ];
        let source =
            open_bytes("mixed.fgb", write(GeometryType::Unknown, options, &rows), &ReadOptions::default()).unwrap();
        assert_eq!(source.info().crs, CrsHint::Wkt(wkt.into()));
        let features: Vec<RawFeature> = source.map(Result::unwrap).collect();
        assert_eq!(features.len(), rows.len());
        for (f, (geometry, name, _)) in features.iter().zip(&rows) {
            assert_eq!(f.geometry.as_ref(), Some(geometry), "{name}");
            assert_eq!(f.properties[0].1.as_str(), Some(*name));
        }

        // flatgeobuf 6.0.1's writer gets a collection's type wrong in an Unknown-typed file
        // and splits a polygon inside a collection into one polygon per ring (GDAL does
        // neither: see `written_by_gdal`), so this collection gets a file of its own type and
        // no polygon.
        let collection = Geometry::GeometryCollection(GeometryCollection(vec![
            Point::new(1.0, 2.0).into(),
            LineString::from(vec![(0., 0.), (1., 1.)]).into(),
        ]));
        let options = FgbWriterOptions { write_index: false, ..Default::default() };
        let bytes = write(GeometryType::GeometryCollection, options, &[(collection.clone(), "collection", None)]);
        let features: Vec<RawFeature> =
            open_bytes("gc.fgb", bytes, &ReadOptions::default()).unwrap().map(Result::unwrap).collect();
        assert_eq!(features[0].geometry, Some(collection));
    }

    /// Three features in EPSG:4548 (CGCS2000 Gauss-Krüger 117°E) with Chinese names.
    pub(crate) const GEOJSON_4548: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"名称":"馥郁苑社区","人数":1200,"代码":"110116001013"},"geometry":{"type":"Polygon",
 "coordinates":[[[500000,4460000],[501000,4460000],[501000,4461000],[500000,4460000]],
                [[500600,4460200],[500800,4460200],[500800,4460400],[500600,4460200]]]}},
{"type":"Feature","properties":{"名称":"泉河街道","人数":null,"代码":"110116001"},"geometry":{"type":"Point",
 "coordinates":[500500,4460500]}},
{"type":"Feature","properties":{"名称":"雁栖镇","人数":7,"代码":"110116101"},"geometry":{"type":"GeometryCollection",
 "geometries":[{"type":"Point","coordinates":[500001,4460002]},{"type":"Polygon",
 "coordinates":[[[500000,4460000],[500010,4460000],[500010,4460010],[500000,4460000]]]}]}}]}"#;

    /// Converts `GEOJSON_4548` with GDAL's ogr2ogr into `dir/name` in the driver's format;
    /// `None`, with a note, when GDAL is not installed (`scripts/install-deps.sh --test`).
    pub(crate) fn ogr2ogr(dir: &Path, driver: &str, name: &str) -> Option<std::path::PathBuf> {
        let input = dir.join("in.geojson");
        std::fs::write(&input, GEOJSON_4548).unwrap();
        let output = dir.join(name);
        let run = std::process::Command::new("ogr2ogr")
            .args(["-f", driver])
            .arg(&output)
            .arg(&input)
            .args(["-a_srs", "EPSG:4548", "-nln", "网格"])
            .output();
        match run {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                eprintln!("note: ogr2ogr (GDAL) is not installed; skipping the GDAL-written {driver} test");
                None
            }
            Err(e) => panic!("ogr2ogr: {e}"),
            Ok(out) => {
                assert!(out.status.success(), "ogr2ogr: {}", String::from_utf8_lossy(&out.stderr));
                Some(output)
            }
        }
    }

    #[test]
    fn written_by_gdal() {
        let dir = tempfile::tempdir().unwrap();
        let Some(path) = ogr2ogr(dir.path(), "FlatGeobuf", "grids.fgb") else {
            return;
        };
        let source = open_path(&path, "grids.fgb", &ReadOptions::default()).unwrap();
        assert_eq!(source.info().crs, CrsHint::Epsg(4548));
        assert_eq!(source.info().declared_features, Some(3));
        let features: Vec<RawFeature> = source.map(Result::unwrap).collect();
        let by_name =
            |name: &str| features.iter().find(|f| f.properties.iter().any(|(_, v)| v.as_str() == Some(name))).unwrap();
        let f = by_name("馥郁苑社区");
        assert_eq!(
            f.properties,
            vec![
                ("名称".to_string(), Value::String("馥郁苑社区".into())),
                ("人数".to_string(), Value::Int(1200)),
                ("代码".to_string(), Value::String("110116001013".into())),
            ]
        );
        let Some(Geometry::Polygon(p)) = &f.geometry else { panic!("{:?}", f.geometry) };
        assert_eq!(p.interiors().len(), 1);
        assert_eq!(by_name("泉河街道").properties[1].1, Value::Null);
        assert_eq!(by_name("泉河街道").geometry, Some(Point::new(500_500.0, 4_460_500.0).into()));
        let Some(Geometry::GeometryCollection(gc)) = &by_name("雁栖镇").geometry else { panic!() };
        assert_eq!(gc.0.len(), 2);
        assert!(matches!(gc.0[1], Geometry::Polygon(_)));
    }

    #[test]
    fn garbage_and_truncation_are_errors_not_panics() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..2_000 {
            let len = rng.random_range(0..300);
            let mut bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            assert!(drain(bytes.clone()), "random bytes read as FlatGeobuf");
            // Behind valid magic bytes too.
            bytes.splice(0..bytes.len().min(8), *b"fgb\x03fgb\x00");
            drain(bytes);
        }
        assert!(error(Vec::new()).contains("not a FlatGeobuf file"));
        assert!(error(b"PK\x03\x04 a zip, not fgb".to_vec()).contains("bad magic bytes"));

        let whole = points();
        for cut in 0..whole.len() {
            assert!(drain(whole[..cut].to_vec()), "cut at {cut} of {} read without error", whole.len());
        }
        assert!(!drain(whole.clone()));
        // Every byte changed, in two ways: reading may fail, never panic.
        for i in 0..whole.len() {
            for flip in [0xFF, 0x80] {
                let mut bytes = whole.clone();
                bytes[i] ^= flip;
                drain(bytes);
            }
        }
    }

    #[test]
    fn sizes_that_lie() {
        let whole = points();
        // A feature count no file of this size can hold.
        let mut bytes = whole.clone();
        let at = header_field(&bytes, 20);
        bytes[at..at + 8].copy_from_slice(&(u64::MAX / 2).to_le_bytes());
        assert!(error(bytes).contains("more than the file's"));
        // An index node size the reference reader panics on. The writer leaves the field out
        // (16 is its default): point its vtable slot at the table's padding (bytes 4..6, after
        // the vtable offset and before the one-byte geometry type at 7), holding 1.
        let mut bytes = whole.clone();
        let (table, vtable) = header_tables(&bytes);
        assert_eq!(&bytes[vtable + 22..vtable + 24], [0, 0]);
        assert_eq!(&bytes[table + 4..table + 7], [0, 0, 0]);
        bytes[vtable + 22..vtable + 24].copy_from_slice(&4u16.to_le_bytes());
        bytes[table + 4..table + 6].copy_from_slice(&1u16.to_le_bytes());
        let e = error(bytes);
        assert!(e.contains("index node size is 1"), "{e}");
        // A feature declaring 4 GiB: refused before allocating.
        let mut bytes = whole.clone();
        let header_size = u32::from_le_bytes(bytes[8..12].try_into().unwrap()) as usize;
        let first = 12 + header_size + index_bytes(3, 16) as usize;
        bytes[first..first + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let e = error(bytes);
        assert!(e.contains("feature 0 declares 4294967295 bytes, more than the 2147483648 FlatGeobuf allows"), "{e}");
        // One declaring more than the file holds.
        let mut bytes = whole.clone();
        bytes[first..first + 4].copy_from_slice(&100_000u32.to_le_bytes());
        let e = error(bytes);
        assert!(e.contains("feature 0 declares 100000 bytes, more than the"), "{e}");
        // A header size beyond the file.
        let mut bytes = whole;
        bytes[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(error(bytes).contains("header size (4294967295 bytes) is impossible"));
    }

    #[test]
    fn properties_are_bounds_checked() {
        let columns = vec![
            Column { name: "a".into(), kind: ColumnType::Int, slot: Some(0) },
            Column { name: "s".into(), kind: ColumnType::String, slot: Some(1) },
        ];
        let mut out = vec![("a".to_string(), Value::Null), ("s".to_string(), Value::Null)];
        // Column 0, an i32 cut short.
        assert!(decode_properties(&[0, 0, 1, 2], &columns, &mut out).unwrap_err().contains("inside a value"));
        // Column 1, a string longer than the bytes.
        assert!(decode_properties(&[1, 0, 0xFF, 0xFF, 0xFF, 0xFF, b'x'], &columns, &mut out).is_err());
        // Column 7 of 2.
        assert!(decode_properties(&[7, 0, 1, 2, 3, 4], &columns, &mut out).unwrap_err().contains("column 7"));
        // Not UTF-8.
        assert!(decode_properties(&[1, 0, 1, 0, 0, 0, 0xFF], &columns, &mut out).unwrap_err().contains("UTF-8"));
        decode_properties(&[0, 0, 42, 0, 0, 0, 1, 0, 2, 0, 0, 0, b'o', b'k', 9], &columns, &mut out).unwrap();
        assert_eq!(out[0].1, Value::Int(42));
        assert_eq!(out[1].1, Value::String("ok".into()));
    }

    #[test]
    fn index_size_matches_the_reference() {
        for (n, node) in [(1u64, 16u16), (3, 16), (16, 16), (17, 16), (1000, 16), (12345, 2), (7, 65535)] {
            assert_eq!(
                index_bytes(n, u64::from(node)),
                flatgeobuf::packed_r_tree::PackedRTree::index_size(n as usize, node) as u128,
                "{n} items, node size {node}"
            );
        }
    }
}
