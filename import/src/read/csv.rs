//! CSV: one feature per data row, a point from longitude/latitude columns or any geometry from
//! a WKT column, the other columns as properties. Rows are streamed: a file larger than memory
//! reads fine. Cells are decoded strictly in one text encoding (given, or told from the first
//! 64 KiB: UTF-8 when valid, else GB18030, the superset of the GBK that Excel in a Chinese
//! locale writes).
//!
//! Property types are inferred per cell (see [`infer`]); the pipeline turns a column whose
//! cells disagree into text.

use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use csv::ByteRecord;
use geo_types::{Geometry, Point};
use geozero::ToGeo;
use gridgis_layers::Value;

use super::{CrsHint, FeatureSource, Format, RawFeature, ReadError, ReadOptions, SourceInfo, TextEncoding};

/// How much of the file the encoding and the delimiter are told from.
const SAMPLE_BYTES: usize = 64 << 10;

/// The longest row read: an unclosed quote otherwise makes the rest of a multi-gigabyte file
/// one cell in memory. A WKT multipolygon of a whole province at survey resolution is a few MiB.
const MAX_ROW_BYTES: u64 = 64 << 20;

/// An integer cell with more digits than this is an identifier, kept as text: counts, areas
/// and money in grid-management data fit in 10 digits, while phone numbers (11 digits),
/// village codes (12), grid codes (15) and ID card numbers (18) are codes that must keep their
/// exact text and never be summed.
const MAX_NUMBER_DIGITS: usize = 10;

/// The deepest parenthesis nesting a WKT cell may have; the WKT parser recurses once per level
/// and a hostile cell could overflow the stack. A multipolygon inside a geometry collection is
/// four levels.
const MAX_WKT_DEPTH: usize = 32;

/// Longitude column names looked for (case-insensitive), in order of preference.
const LON_NAMES: &[&str] = &["lon", "lng", "long", "longitude", "x", "经度"];
/// Latitude column names looked for (case-insensitive), in order of preference.
const LAT_NAMES: &[&str] = &["lat", "latitude", "y", "纬度"];
/// WKT column names looked for (case-insensitive) when there are no lon/lat columns.
const WKT_NAMES: &[&str] = &["wkt", "geom", "geometry", "the_geom", "shape"];

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Opens the CSV file at `path`, reading it row by row.
pub(crate) fn open_path(path: &Path, name: &str, options: &ReadOptions) -> Result<Box<dyn FeatureSource>, ReadError> {
    let mut file = File::open(path).map_err(|e| ReadError::io(name, e))?;
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    (&mut file).take(SAMPLE_BYTES as u64).read_to_end(&mut sample).map_err(|e| ReadError::io(name, e))?;
    let more = sample.len() == SAMPLE_BYTES;
    let detected = Detected::from_sample(name, &sample, more, options)?;
    // The CSV parser keeps its own 64 KiB buffer, so the file needs no BufReader of its own.
    let stream = Cursor::new(sample).chain(file);
    CsvSource::open(name, detected, Box::new(stream), MAX_ROW_BYTES).map(|s| Box::new(s) as Box<dyn FeatureSource>)
}

/// Opens a CSV file held in memory.
pub(crate) fn open_bytes(
    name: &str,
    bytes: Vec<u8>,
    options: &ReadOptions,
) -> Result<Box<dyn FeatureSource>, ReadError> {
    let sample = bytes.get(..SAMPLE_BYTES).unwrap_or(&bytes);
    let detected = Detected::from_sample(name, sample, bytes.len() > SAMPLE_BYTES, options)?;
    CsvSource::open(name, detected, Box::new(Cursor::new(bytes)), MAX_ROW_BYTES)
        .map(|s| Box::new(s) as Box<dyn FeatureSource>)
}

/// What the first bytes of a file tell.
struct Detected<'a> {
    encoding: TextEncoding,
    delimiter: u8,
    /// The stream starts with a UTF-8 byte order mark, to skip.
    bom: bool,
    options: &'a ReadOptions,
}

impl<'a> Detected<'a> {
    /// `more`: the file goes on past `sample`, which may then end inside a character.
    fn from_sample(name: &str, sample: &[u8], more: bool, options: &'a ReadOptions) -> Result<Self, ReadError> {
        let bom = sample.starts_with(UTF8_BOM);
        let body = sample.get(UTF8_BOM.len()..).filter(|_| bom).unwrap_or(sample);
        let encoding = match &options.encoding {
            Some(label) => TextEncoding::from_label(label).ok_or_else(|| {
                ReadError::invalid(name, format!("unknown text encoding '{label}' (try utf-8, gbk or gb18030)"))
            })?,
            None if bom => TextEncoding::UTF8,
            None => {
                // A sample cut inside a multi-byte character is still UTF-8.
                let end = match std::str::from_utf8(body) {
                    Err(e) if more && e.error_len().is_none() => e.valid_up_to(),
                    _ => body.len(),
                };
                TextEncoding::detect(body.get(..end).unwrap_or(body))
            }
        };
        let tsv = Path::new(name).extension().is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
        // GBK and GB18030 never use these ASCII bytes inside a character, so sniffing (and the
        // CSV parser) may work on the raw bytes.
        let header_line = body.split(|&b| b == b'\n').next().unwrap_or_default();
        let delimiter = if tsv || (!header_line.contains(&b',') && header_line.contains(&b'\t')) {
            b'\t'
        } else if !header_line.contains(&b',') && header_line.contains(&b';') {
            b';'
        } else {
            b','
        };
        Ok(Detected { encoding, delimiter, bom, options })
    }
}

/// Where a row's geometry comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GeometryColumns {
    /// Longitude and latitude column indexes.
    LonLat(usize, usize),
    /// A WKT column index.
    Wkt(usize),
}

/// A CSV file being read.
struct CsvSource {
    info: SourceInfo,
    reader: csv::Reader<RowCap<Box<dyn Read + Send>>>,
    record: ByteRecord,
    encoding: TextEncoding,
    /// Header names, trimmed.
    names: Vec<String>,
    geometry: GeometryColumns,
    /// Where the byte budget of the row being read ends (see [`RowCap`]).
    limit: Arc<AtomicU64>,
    /// The longest row accepted, in bytes ([`MAX_ROW_BYTES`]; smaller in tests).
    max_row: u64,
    /// The next data row's number.
    next: u64,
    done: bool,
}

impl CsvSource {
    fn open(
        name: &str,
        detected: Detected<'_>,
        mut stream: Box<dyn Read + Send>,
        max_row: u64,
    ) -> Result<Self, ReadError> {
        if detected.bom {
            stream.read_exact(&mut [0; UTF8_BOM.len()]).map_err(|e| ReadError::io(name, e))?;
        }
        let limit = Arc::new(AtomicU64::new(max_row));
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(detected.delimiter)
            // The header is read as a plain record so that it is decoded like the cells, and
            // rows of the wrong length are reported one by one instead of stopping the file.
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(SAMPLE_BYTES)
            .from_reader(RowCap { inner: stream, read: 0, limit: limit.clone() });
        let mut header = ByteRecord::new();
        if !reader.read_byte_record(&mut header).map_err(|e| csv_error(name, 0, max_row, e))? {
            return Err(ReadError::invalid(name, "the file is empty: a CSV needs a header row naming its columns"));
        }
        limit.store(reader.position().byte().saturating_add(max_row), Ordering::Relaxed);
        let encoding = detected.encoding;
        let names = header
            .iter()
            .map(|raw| encoding.decode(raw).map(|s| s.trim().trim_start_matches('\u{feff}').trim().to_string()))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| ReadError::Encoding {
                file: name.to_string(),
                message: format!("the header row is not valid {} text; pass the file's encoding", encoding.name()),
            })?;
        let geometry = geometry_columns(name, &names, detected.options)?;
        Ok(CsvSource {
            info: SourceInfo {
                file_name: name.to_string(),
                format: Format::Csv,
                // A CSV says nothing about its coordinates; the user passes --crs.
                crs: CrsHint::None,
                encoding: Some(encoding.name().to_string()),
                declared_features: None,
            },
            reader,
            record: ByteRecord::new(),
            encoding,
            names,
            geometry,
            limit,
            max_row,
            next: 0,
            done: false,
        })
    }

    /// Turns the record just read, data row `index`, into a feature.
    fn feature(&self, index: u64) -> Result<RawFeature, ReadError> {
        let line = self.record.position().map_or(0, csv::Position::line);
        let fail =
            |message: String| ReadError::feature_error(&self.info.file_name, index, format!("line {line}: {message}"));
        if self.record.len() != self.names.len() {
            return Err(fail(format!("{} fields where the header has {}", self.record.len(), self.names.len())));
        }
        let mut properties = Vec::with_capacity(self.names.len());
        let (mut lon, mut lat, mut wkt) = (None, None, None);
        for (i, (raw, name)) in self.record.iter().zip(&self.names).enumerate() {
            let text = self
                .encoding
                .decode(raw)
                .ok_or_else(|| fail(format!("column '{name}' is not valid {} text", self.encoding.name())))?;
            match self.geometry {
                GeometryColumns::LonLat(x, _) if x == i => lon = Some(text),
                GeometryColumns::LonLat(_, y) if y == i => lat = Some(text),
                GeometryColumns::Wkt(w) if w == i => wkt = Some(text),
                _ => properties.push((name.clone(), infer(text))),
            }
        }
        let geometry = match self.geometry {
            GeometryColumns::LonLat(x, y) => lon_lat(
                lon.as_deref().unwrap_or_default(),
                lat.as_deref().unwrap_or_default(),
                self.name(x),
                self.name(y),
            )
            .map_err(fail)?,
            GeometryColumns::Wkt(w) => parse_wkt(wkt.as_deref().unwrap_or_default())
                .map_err(|e| fail(format!("column '{}': {e}", self.name(w))))?,
        };
        Ok(RawFeature { index, geometry, properties })
    }

    fn name(&self, column: usize) -> &str {
        self.names.get(column).map_or("", String::as_str)
    }
}

impl Iterator for CsvSource {
    type Item = Result<RawFeature, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.reader.read_byte_record(&mut self.record) {
            Ok(true) => {
                let index = self.next;
                self.next += 1;
                self.limit.store(self.reader.position().byte().saturating_add(self.max_row), Ordering::Relaxed);
                Some(self.feature(index))
            }
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(csv_error(&self.info.file_name, self.next, self.max_row, e)))
            }
        }
    }
}

impl FeatureSource for CsvSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
}

/// Finds the geometry columns: the named WKT column, else the lon/lat columns (named or
/// found by their usual names), else a WKT column found by its usual names.
fn geometry_columns(file: &str, names: &[String], options: &ReadOptions) -> Result<GeometryColumns, ReadError> {
    let header = || names.join(", ");
    let named = |wanted: &str| {
        let wanted = wanted.trim();
        names.iter().position(|n| n == wanted).or_else(|| names.iter().position(|n| same_name(n, wanted))).ok_or_else(
            || ReadError::invalid(file, format!("there is no column named '{wanted}'; the header is: {}", header())),
        )
    };
    let usual = |candidates: &[&str]| candidates.iter().find_map(|c| names.iter().position(|n| same_name(n, c)));
    if let Some(wkt) = &options.wkt_column {
        return named(wkt).map(GeometryColumns::Wkt);
    }
    if options.lon_column.is_some() || options.lat_column.is_some() {
        let find = |given: &Option<String>, candidates: &[&str], what: &str| match given {
            Some(n) => named(n),
            None => usual(candidates).ok_or_else(|| {
                ReadError::invalid(
                    file,
                    format!("no {what} column (looked for {}); the header is: {}", candidates.join(", "), header()),
                )
            }),
        };
        let lon = find(&options.lon_column, LON_NAMES, "longitude")?;
        let lat = find(&options.lat_column, LAT_NAMES, "latitude")?;
        return Ok(GeometryColumns::LonLat(lon, lat));
    }
    if let (Some(lon), Some(lat)) = (usual(LON_NAMES), usual(LAT_NAMES)) {
        return Ok(GeometryColumns::LonLat(lon, lat));
    }
    usual(WKT_NAMES).map(GeometryColumns::Wkt).ok_or_else(|| {
        ReadError::invalid(
            file,
            format!(
                "no geometry columns: expected longitude/latitude columns ({} / {}) or a WKT column ({}), or name \
                 them with the lon/lat/wkt column options; the header is: {}",
                LON_NAMES.join(", "),
                LAT_NAMES.join(", "),
                WKT_NAMES.join(", "),
                header()
            ),
        )
    })
}

fn same_name(a: &str, b: &str) -> bool {
    a == b || a.to_lowercase() == b.to_lowercase()
}

/// A point from longitude and latitude cells; both empty is a row without a location.
fn lon_lat(lon: &str, lat: &str, lon_name: &str, lat_name: &str) -> Result<Option<Geometry<f64>>, String> {
    let (lon, lat) = (lon.trim(), lat.trim());
    if lon.is_empty() && lat.is_empty() {
        return Ok(None);
    }
    let coordinate = |text: &str, column: &str| {
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("column '{column}': '{text}' is not a number"))
    };
    Ok(Some(Point::new(coordinate(lon, lon_name)?, coordinate(lat, lat_name)?).into()))
}

/// A geometry from a WKT cell (an EWKT `SRID=…;` prefix is ignored); an empty cell is a row
/// without a geometry.
fn parse_wkt(text: &str) -> Result<Option<Geometry<f64>>, String> {
    let mut wkt = text.trim();
    if wkt.is_empty() {
        return Ok(None);
    }
    if wkt.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("srid=")) {
        wkt = wkt.split_once(';').map_or(wkt, |(_, rest)| rest.trim_start());
    }
    let mut depth = 0usize;
    for b in wkt.bytes() {
        match b {
            b'(' => {
                depth += 1;
                if depth > MAX_WKT_DEPTH {
                    return Err(format!("WKT nested more than {MAX_WKT_DEPTH} levels deep"));
                }
            }
            b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    geozero::wkt::Wkt(wkt).to_geo().map(Some).map_err(|e| format!("not valid WKT ({e})"))
}

/// The value a cell stands for, decided cell by cell:
///
/// - empty (or only spaces) → `Null`;
/// - `true` / `false`, any case → `Bool`;
/// - an integer (`-?[0-9]+`) of at most [`MAX_NUMBER_DIGITS`] digits → `Int`;
/// - a decimal (`-?[0-9]+\.[0-9]+`) → `Float`;
/// - anything else → `String`, as written. That includes numbers that are codes: a leading
///   zero (`0101`, `007`), or more than [`MAX_NUMBER_DIGITS`] digits (grid code
///   `110116001013002`, phone and ID card numbers), and forms such as `1e5`, `+5` or `1,234`.
fn infer(text: String) -> Value {
    let t = text.trim();
    if t.is_empty() {
        Value::Null
    } else if t.eq_ignore_ascii_case("true") {
        Value::Bool(true)
    } else if t.eq_ignore_ascii_case("false") {
        Value::Bool(false)
    } else {
        number(t).unwrap_or(Value::String(text))
    }
}

fn number(t: &str) -> Option<Value> {
    let unsigned = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || (int.len() > 1 && int.starts_with('0')) {
        return None;
    }
    match frac {
        None if int.len() <= MAX_NUMBER_DIGITS => t.parse().ok().map(Value::Int),
        None => None,
        Some(f) if digits(f) => t.parse::<f64>().ok().filter(|v| v.is_finite()).map(Value::Float),
        Some(_) => None,
    }
}

/// The error reading stopped on, after `rows` data rows.
fn csv_error(file: &str, rows: u64, max_row: u64, e: csv::Error) -> ReadError {
    match e.into_kind() {
        csv::ErrorKind::Io(err) if err.get_ref().is_some_and(|inner| inner.is::<RowTooLong>()) => ReadError::invalid(
            file,
            format!("after row {rows}: a row runs on for more than {max_row} bytes (an unclosed quote?)"),
        ),
        csv::ErrorKind::Io(err) => ReadError::io(file, err),
        other => ReadError::invalid(file, format!("after row {rows}: {other:?}")),
    }
}

/// The error [`RowCap`] stops a runaway row with.
#[derive(Debug)]
struct RowTooLong;

impl std::fmt::Display for RowTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("row too long")
    }
}

impl std::error::Error for RowTooLong {}

/// The stream under the CSV parser. The parser grows its record buffer without bound, so this
/// refuses to deliver bytes past `limit`, which the source moves to [`MAX_ROW_BYTES`] past the
/// end of each row read.
struct RowCap<R> {
    inner: R,
    read: u64,
    limit: Arc<AtomicU64>,
}

impl<R: Read> Read for RowCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let room = self.limit.load(Ordering::Relaxed).saturating_sub(self.read);
        if room == 0 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, RowTooLong));
        }
        let len = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..len])?;
        self.read += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{Polygon, polygon};

    fn read(name: &str, text: &[u8], options: &ReadOptions) -> (SourceInfo, Vec<Result<RawFeature, ReadError>>) {
        let source = open_bytes(name, text.to_vec(), options).unwrap();
        let info = source.info().clone();
        (info, source.collect())
    }

    fn features(name: &str, text: &str) -> Vec<RawFeature> {
        read(name, text.as_bytes(), &ReadOptions::default()).1.into_iter().map(Result::unwrap).collect()
    }

    fn open_err(text: &str, options: &ReadOptions) -> String {
        match open_bytes("t.csv", text.as_bytes().to_vec(), options) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("opened"),
        }
    }

    fn prop<'a>(f: &'a RawFeature, name: &str) -> &'a Value {
        &f.properties.iter().find(|(n, _)| n == name).unwrap().1
    }

    #[test]
    fn lon_lat_columns() {
        let (info, items) = read(
            "pois.csv",
            "名称,lng,LAT,人数\n馥郁苑社区,116.6312,40.3195,120\n泉河街道,116.64,40.32,\n".as_bytes(),
            &ReadOptions::default(),
        );
        assert_eq!(info.format, Format::Csv);
        assert_eq!(info.crs, CrsHint::None);
        assert_eq!(info.encoding.as_deref(), Some("UTF-8"));
        let f: Vec<RawFeature> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].index, 0);
        assert_eq!(f[0].geometry, Some(Point::new(116.6312, 40.3195).into()));
        // The coordinate columns are the geometry, not properties.
        assert_eq!(
            f[0].properties,
            vec![("名称".to_string(), Value::String("馥郁苑社区".into())), ("人数".to_string(), Value::Int(120))]
        );
        assert_eq!(f[1].index, 1);
        assert_eq!(prop(&f[1], "人数"), &Value::Null);

        let f = features("c.csv", "id,经度,纬度\n1,116.5,40.1\n2,,\n");
        assert_eq!(f[0].geometry, Some(Point::new(116.5, 40.1).into()));
        assert_eq!(f[1].geometry, None, "a row with no coordinates has no geometry");

        // Named columns win over the usual names.
        let options =
            ReadOptions { lon_column: Some("东".into()), lat_column: Some("北".into()), ..Default::default() };
        let (_, items) = read("p.csv", "x,东,北\n1,500000,4400000\n".as_bytes(), &options);
        let f = items.into_iter().next().unwrap().unwrap();
        assert_eq!(f.geometry, Some(Point::new(500000.0, 4400000.0).into()));
        assert_eq!(f.properties, vec![("x".to_string(), Value::Int(1))]);
    }

    #[test]
    fn wkt_column() {
        let f = features(
            "g.csv",
            "name,WKT\n\"一号\",\"POLYGON((0 0,1 0,1 1,0 0))\"\n二号,SRID=4490;POINT(116 40)\n三号,\n",
        );
        let square: Polygon<f64> = polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.), (x: 0., y: 0.)];
        assert_eq!(f[0].geometry, Some(square.into()));
        assert_eq!(f[0].properties, vec![("name".to_string(), Value::String("一号".into()))]);
        assert_eq!(f[1].geometry, Some(Point::new(116.0, 40.0).into()));
        assert_eq!(f[2].geometry, None);

        // A named WKT column wins over lon/lat columns.
        let options = ReadOptions { wkt_column: Some("where".into()), ..Default::default() };
        let (_, items) = read("g.csv", b"lon,lat,where\n1,2,POINT(3 4)\n", &options);
        let f = items.into_iter().next().unwrap().unwrap();
        assert_eq!(f.geometry, Some(Point::new(3.0, 4.0).into()));
        assert_eq!(f.properties, vec![("lon".to_string(), Value::Int(1)), ("lat".to_string(), Value::Int(2))]);
    }

    #[test]
    fn gbk_text() {
        let text = "名称,经度,纬度,备注\n怀柔区,116.63,40.32,雁栖湖\n泉河街道,116.64,40.33,\n";
        let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
        assert!(!unmappable);
        // Told from the bytes: not UTF-8, so GB18030 (a superset of GBK).
        let (info, items) = read("gbk.csv", &gbk, &ReadOptions::default());
        assert_eq!(info.encoding.as_deref(), Some("gb18030"));
        let f: Vec<RawFeature> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(prop(&f[0], "名称"), &Value::String("怀柔区".into()));
        assert_eq!(prop(&f[0], "备注"), &Value::String("雁栖湖".into()));
        assert_eq!(f[1].geometry, Some(Point::new(116.64, 40.33).into()));
        // Or named.
        let (info, items) = read("gbk.csv", &gbk, &ReadOptions { encoding: Some("936".into()), ..Default::default() });
        assert_eq!(info.encoding.as_deref(), Some("GBK"));
        assert_eq!(prop(items[0].as_ref().unwrap(), "名称"), &Value::String("怀柔区".into()));
        // A wrong label is an encoding error on the header, not garbage text.
        let Err(e) =
            open_bytes("gbk.csv", gbk.to_vec(), &ReadOptions { encoding: Some("utf-8".into()), ..Default::default() })
        else {
            panic!("opened")
        };
        assert!(matches!(e, ReadError::Encoding { .. }), "{e}");
        assert!(
            open_err("a\n", &ReadOptions { encoding: Some("klingon".into()), ..Default::default() })
                .contains("unknown text encoding 'klingon'")
        );
    }

    #[test]
    fn codes_stay_text() {
        let f = features(
            "t.csv",
            "lon,lat,grid,village,zero,phone,n,neg,f,b,empty,blank,exp,plus,word\n\
             1,2,110116001013002,110116001013,0101,13812345678,42,-7,3.50,TRUE,,  ,1e5,+5,怀柔\n",
        );
        let want = [
            ("grid", Value::String("110116001013002".into())),
            ("village", Value::String("110116001013".into())),
            ("zero", Value::String("0101".into())),
            ("phone", Value::String("13812345678".into())),
            ("n", Value::Int(42)),
            ("neg", Value::Int(-7)),
            ("f", Value::Float(3.5)),
            ("b", Value::Bool(true)),
            ("empty", Value::Null),
            ("blank", Value::Null),
            ("exp", Value::String("1e5".into())),
            ("plus", Value::String("+5".into())),
            ("word", Value::String("怀柔".into())),
        ];
        for (name, value) in want {
            assert_eq!(prop(&f[0], name), &value, "{name}");
        }
        assert_eq!(number("0"), Some(Value::Int(0)));
        assert_eq!(number("0.25"), Some(Value::Float(0.25)));
        assert_eq!(number("9999999999"), Some(Value::Int(9_999_999_999)));
        assert_eq!(number("00.5"), None);
        assert_eq!(number("1."), None);
        assert_eq!(number(".5"), None);
        assert_eq!(number("-"), None);
        assert_eq!(number("NaN"), None);
    }

    #[test]
    fn bad_rows_are_reported_and_skipped() {
        let mut text = "name,lon,lat\nok0,116,40\nshort,116\nbadlon,东经116,40\nok3,116.1,40.1\n".as_bytes().to_vec();
        text.extend_from_slice(b"bad\xFFutf8,116,40\none,116,\nok6,116.2,40.2\n");
        // Named: told from the bytes, the stray 0xFF would make this GB18030.
        let (_, items) = read("t.csv", &text, &ReadOptions { encoding: Some("utf-8".into()), ..Default::default() });
        assert_eq!(items.len(), 7);
        let ok: Vec<u64> = items.iter().filter_map(|r| r.as_ref().ok()).map(|f| f.index).collect();
        assert_eq!(ok, [0, 3, 6]);
        let errors: Vec<(u64, String)> =
            items.iter().filter_map(|r| r.as_ref().err()).map(|e| (e.feature().unwrap(), e.to_string())).collect();
        assert_eq!(errors[0].0, 1);
        assert!(errors[0].1.contains("t.csv feature 1: line 3: 2 fields where the header has 3"), "{}", errors[0].1);
        assert_eq!(errors[1].0, 2);
        assert!(errors[1].1.contains("column 'lon': '东经116' is not a number"), "{}", errors[1].1);
        assert_eq!(errors[2].0, 4);
        assert!(errors[2].1.contains("column 'name' is not valid UTF-8 text"), "{}", errors[2].1);
        assert_eq!(errors[3].0, 5);
        assert!(errors[3].1.contains("column 'lat': '' is not a number"), "{}", errors[3].1);

        let (_, items) =
            read("w.csv", b"id,wkt\n1,POINT(1 2)\n2,\"POLYGON((0 0,1 1\"\n3,NOT WKT\n", &ReadOptions::default());
        assert!(items[0].is_ok());
        for (i, item) in items.iter().enumerate().skip(1) {
            let e = item.as_ref().unwrap_err();
            assert_eq!(e.feature(), Some(i as u64));
            assert!(e.to_string().contains("column 'wkt': not valid WKT"), "{e}");
        }
        // A hostile nesting depth is refused before the recursive parser sees it.
        let deep = format!("id,wkt\n1,{}POINT(1 2){}\n", "GEOMETRYCOLLECTION(".repeat(10_000), ")".repeat(10_000));
        let (_, items) = read("d.csv", deep.as_bytes(), &ReadOptions::default());
        assert!(items[0].as_ref().unwrap_err().to_string().contains("nested more than 32"));
    }

    #[test]
    fn missing_columns() {
        let e = open_err("名称,地址\n怀柔,青春路\n", &ReadOptions::default());
        assert!(e.contains("no geometry columns"), "{e}");
        assert!(e.contains("the header is: 名称, 地址"), "{e}");
        let e = open_err("name,lon,lat\n", &ReadOptions { lon_column: Some("east".into()), ..Default::default() });
        assert!(e.contains("no column named 'east'"), "{e}");
        let e = open_err("name,wkt\n", &ReadOptions { wkt_column: Some("geom".into()), ..Default::default() });
        assert!(e.contains("no column named 'geom'; the header is: name, wkt"), "{e}");
        let e = open_err("name,east\n", &ReadOptions { lon_column: Some("east".into()), ..Default::default() });
        assert!(e.contains("no latitude column"), "{e}");
        let e = open_err("", &ReadOptions::default());
        assert!(e.contains("needs a header row"), "{e}");
        // Only a header: no features.
        assert!(features("t.csv", "lon,lat\n").is_empty());
    }

    #[test]
    fn delimiters_and_bom() {
        let f = features("t.tsv", "name\tlon\tlat\n怀柔,区\t116\t40\n");
        assert_eq!(prop(&f[0], "name"), &Value::String("怀柔,区".into()));
        let f = features("t.txt", "name\tlon\tlat\na\t116\t40\n");
        assert_eq!(f[0].geometry, Some(Point::new(116.0, 40.0).into()));
        let f = features("t.csv", "name;lon;lat\na;116.5;40.5\n");
        assert_eq!(f[0].geometry, Some(Point::new(116.5, 40.5).into()));
        let f = features("t.csv", "\u{feff}lon,lat,名称\r\n116,40,x\r\n");
        assert_eq!(f[0].properties, vec![("名称".to_string(), Value::String("x".into()))]);
    }

    #[test]
    fn streams_a_file_with_the_sample_cut_inside_a_character() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.csv");
        // Pad the header until byte 64 Ki falls inside a three-byte character.
        let row = "馥郁苑社区第二网格,116.6312,40.3195\n";
        let mut pad = 0;
        let text = loop {
            let mut text = format!("name{},lon,lat\n", "_".repeat(pad));
            while text.len() < 3 * SAMPLE_BYTES {
                text.push_str(row);
            }
            if std::str::from_utf8(&text.as_bytes()[..SAMPLE_BYTES]).is_err() {
                break text;
            }
            pad += 1;
        };
        std::fs::write(&path, &text).unwrap();
        let source = open_path(&path, "big.csv", &ReadOptions::default()).unwrap();
        assert_eq!(source.info().encoding.as_deref(), Some("UTF-8"));
        let mut n = 0;
        for f in source {
            let f = f.unwrap();
            assert_eq!(f.index, n);
            assert_eq!(f.properties[0].1, Value::String("馥郁苑社区第二网格".into()));
            n += 1;
        }
        assert_eq!(n as usize, (text.len() - text.find('\n').unwrap() - 1) / row.len());
    }

    #[test]
    fn an_unclosed_quote_stops_at_the_row_cap() {
        let mut text = b"name,lon,lat\na,1,2\n\"never closed,1,2\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 10_000));
        let options = ReadOptions::default();
        let detected = Detected::from_sample("t.csv", &text, false, &options).unwrap();
        let source = CsvSource::open("t.csv", detected, Box::new(Cursor::new(text)), 1_000).unwrap();
        let items: Vec<_> = source.collect();
        assert_eq!(items.len(), 2);
        assert!(items[0].is_ok());
        let e = items[1].as_ref().unwrap_err();
        assert_eq!(e.feature(), None);
        assert!(e.to_string().contains("after row 1: a row runs on for more than 1000 bytes"), "{e}");
    }
}
