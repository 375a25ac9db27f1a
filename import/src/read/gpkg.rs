//! GeoPackage: one feature table of an OGC GeoPackage (an SQLite file), opened read-only and
//! read a page of rows at a time in primary key order, with the coordinate system of its
//! geometry column.
//!
//! Properties are every column but the geometry and the integer primary key (`fid`): the key
//! is the GeoPackage's row id, not an attribute (GDAL also keeps it as the feature id rather
//! than a field), and a feature's number is its position in key order. `BLOB` columns are
//! left out, as no gridgis property type holds bytes.

use std::collections::VecDeque;
use std::io::Write;
use std::path::Path;

use geo_types::Geometry;
use geozero::ToGeo;
use gridgis_layers::Value;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row};
use tempfile::NamedTempFile;

use super::{CrsHint, FeatureSource, Format, RawFeature, ReadError, ReadOptions, SourceInfo};

/// Rows fetched per query: enough to amortise the query, few enough that a page of large
/// polygons stays small in memory.
const PAGE_ROWS: usize = 1_000;

/// The deepest nesting of geometry collections read from WKB; geozero's WKB reader recurses
/// once per level, and a hostile blob could overflow the stack.
const MAX_WKB_DEPTH: usize = 32;

/// `PRAGMA application_id` of a GeoPackage: 'GPKG', and 'GP10' / 'GP11' of versions 1.0 and
/// 1.1 (OGC 12-128r18, requirement 2).
const APPLICATION_IDS: [i64; 3] = [0x4750_4B47, 0x4750_3130, 0x4750_3131];

/// Opens the GeoPackage at `path`.
pub(crate) fn open_path(path: &Path, name: &str, options: &ReadOptions) -> Result<Box<dyn FeatureSource>, ReadError> {
    // SQLite reports a missing file only as "unable to open database file".
    std::fs::metadata(path).map_err(|e| ReadError::io(name, e))?;
    Ok(Box::new(GpkgSource::open(name, path, options, None)?))
}

/// Opens a GeoPackage held in memory, through a temporary file (SQLite reads files), which
/// lives as long as the source.
pub(crate) fn open_bytes(
    name: &str,
    bytes: Vec<u8>,
    options: &ReadOptions,
) -> Result<Box<dyn FeatureSource>, ReadError> {
    let io = |e| ReadError::io(name, e);
    let mut file = tempfile::Builder::new().prefix("gridgis-upload-").suffix(".gpkg").tempfile().map_err(io)?;
    file.write_all(&bytes).map_err(io)?;
    file.flush().map_err(io)?;
    drop(bytes);
    let path = file.path().to_path_buf();
    Ok(Box::new(GpkgSource::open(name, &path, options, Some(file))?))
}

/// A property column.
struct Column {
    name: String,
    /// Declared `BOOLEAN`: GeoPackage stores it as an integer 0 or 1.
    boolean: bool,
}

/// The queries that read one page of rows after a key.
struct PageQuery {
    /// The first page: `key >= i64::MIN`.
    first: String,
    /// The next ones: `key > last key read`.
    next: String,
}

/// A GeoPackage feature table being read.
struct GpkgSource {
    info: SourceInfo,
    // Declared before `_file` so that the connection closes before the file is deleted.
    conn: Connection,
    query: PageQuery,
    columns: Vec<Column>,
    page: VecDeque<Result<RawFeature, ReadError>>,
    /// The key of the last row read; `None` before the first page.
    last_key: Option<i64>,
    /// The last page was short: no rows are left.
    exhausted: bool,
    next: u64,
    done: bool,
    /// The temporary copy of an upload.
    _file: Option<NamedTempFile>,
}

impl GpkgSource {
    fn open(name: &str, path: &Path, options: &ReadOptions, file: Option<NamedTempFile>) -> Result<Self, ReadError> {
        let sql = |context: &'static str| move |e: rusqlite::Error| ReadError::invalid(name, format!("{context}: {e}"));
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(sql("cannot open as SQLite"))?;
        // The file is untrusted: functions in its schema (views, generated columns) run only
        // if innocuous, and nothing is written.
        conn.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA query_only = ON;")
            .map_err(sql("not a GeoPackage (not an SQLite database)"))?;
        let has_contents: bool = conn
            .query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE type IN ('table', 'view') AND name = 'gpkg_contents'",
                [],
                |r| r.get(0),
            )
            .map_err(sql("not a GeoPackage (not an SQLite database)"))?;
        if !has_contents {
            let app_id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).unwrap_or(0);
            let why = if APPLICATION_IDS.contains(&app_id) {
                "its application id says GeoPackage, but it has no gpkg_contents table"
            } else {
                "an SQLite database without the gpkg_contents table"
            };
            return Err(ReadError::invalid(name, format!("not a GeoPackage: {why}")));
        }

        let table = feature_table(&conn, name, options)?;
        let kind_sql = "SELECT type FROM sqlite_master WHERE name = ?1 COLLATE NOCASE AND type IN ('table', 'view')";
        let kind: Option<String> =
            conn.query_row(kind_sql, [&table], |r| r.get(0)).optional().map_err(sql("reading the schema"))?;
        match kind.as_deref() {
            Some("table") => {}
            Some(_) => {
                return Err(ReadError::invalid(
                    name,
                    format!("'{table}' is a view; gridgis reads GeoPackage feature tables only"),
                ));
            }
            None => {
                return Err(ReadError::invalid(
                    name,
                    format!("gpkg_contents lists '{table}', but there is no such table"),
                ));
            }
        }

        let geometry: Option<(String, i64)> = conn
            .query_row("SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?1", [&table], |r| {
                Ok((text(r.get_ref(0)?).unwrap_or_default(), r.get_ref(1)?.as_i64().unwrap_or(0)))
            })
            .optional()
            .map_err(sql("reading gpkg_geometry_columns"))?;
        let Some((geometry_column, srs_id)) = geometry else {
            return Err(ReadError::invalid(
                name,
                format!("table '{table}' has no geometry column registered in gpkg_geometry_columns"),
            ));
        };

        // (name, declared type, primary key position) in table order.
        let mut stmt = conn
            .prepare("SELECT name, type, pk FROM pragma_table_info(?1) ORDER BY cid")
            .map_err(sql("reading the schema"))?;
        let table_columns = stmt
            .query_map([&table], |r| {
                Ok((
                    text(r.get_ref(0)?).unwrap_or_default(),
                    text(r.get_ref(1)?).unwrap_or_default(),
                    r.get::<_, i64>(2)?,
                ))
            })
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(sql("reading the schema"))?;
        drop(stmt);
        let keys: Vec<&(String, String, i64)> = table_columns.iter().filter(|c| c.2 > 0).collect();
        // An INTEGER PRIMARY KEY is the row id (GeoPackage requires one, usually `fid`).
        let key = match keys.as_slice() {
            [only] if only.1.eq_ignore_ascii_case("INTEGER") => Some(only.0.clone()),
            _ => None,
        };
        let Some(geometry_name) =
            table_columns.iter().map(|c| &c.0).find(|n| n.eq_ignore_ascii_case(&geometry_column)).cloned()
        else {
            return Err(ReadError::invalid(
                name,
                format!("table '{table}' has no column '{geometry_column}', which gpkg_geometry_columns names"),
            ));
        };
        let columns: Vec<Column> = table_columns
            .iter()
            .filter(|(n, t, _)| {
                Some(n) != key.as_ref() && *n != geometry_name && !t.to_ascii_uppercase().starts_with("BLOB")
            })
            .map(|(n, t, _)| Column { name: n.clone(), boolean: t.eq_ignore_ascii_case("BOOLEAN") })
            .collect();

        let key_sql = key.as_deref().map_or_else(|| "rowid".to_string(), quote);
        let select = std::iter::once(key_sql.clone())
            .chain(std::iter::once(quote(&geometry_name)))
            .chain(columns.iter().map(|c| quote(&c.name)))
            .collect::<Vec<_>>()
            .join(", ");
        let from = format!("SELECT {select} FROM {}", quote(&table));
        let query = PageQuery {
            first: format!("{from} WHERE {key_sql} >= ?1 ORDER BY {key_sql} LIMIT {PAGE_ROWS}"),
            next: format!("{from} WHERE {key_sql} > ?1 ORDER BY {key_sql} LIMIT {PAGE_ROWS}"),
        };
        let count: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {}", quote(&table)), [], |r| r.get(0))
            .map_err(sql("counting the features"))?;
        let crs = crs_hint(&conn, srs_id).map_err(sql("reading gpkg_spatial_ref_sys"))?;
        Ok(GpkgSource {
            info: SourceInfo {
                file_name: name.to_string(),
                format: Format::GeoPackage,
                crs,
                encoding: None,
                declared_features: u64::try_from(count).ok(),
            },
            conn,
            query,
            columns,
            page: VecDeque::new(),
            last_key: None,
            exhausted: false,
            next: 0,
            done: false,
            _file: file,
        })
    }

    /// Reads the next page of rows into `page`.
    fn read_page(&mut self) -> Result<(), rusqlite::Error> {
        let (sql, after) = match self.last_key {
            None => (&self.query.first, i64::MIN),
            Some(key) => (&self.query.next, key),
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let mut rows = stmt.query([after])?;
        let mut n = 0;
        while let Some(row) = rows.next()? {
            n += 1;
            self.last_key = Some(row.get(0)?);
            let index = self.next;
            self.next += 1;
            let feature = feature(&self.info.file_name, index, row, &self.columns)?;
            self.page.push_back(feature);
        }
        self.exhausted = n < PAGE_ROWS;
        Ok(())
    }
}

impl Iterator for GpkgSource {
    type Item = Result<RawFeature, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        if self.page.is_empty()
            && !self.exhausted
            && let Err(e) = self.read_page()
        {
            self.done = true;
            return Some(Err(ReadError::invalid(&self.info.file_name, format!("reading the features: {e}"))));
        }
        let item = self.page.pop_front();
        self.done = item.is_none();
        item
    }
}

impl FeatureSource for GpkgSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
}

/// The feature table to read: the one named (it must be listed in gpkg_contents, which also
/// makes it safe to put in SQL), else the only one.
fn feature_table(conn: &Connection, name: &str, options: &ReadOptions) -> Result<String, ReadError> {
    let tables: Vec<String> = conn
        .prepare("SELECT table_name FROM gpkg_contents WHERE lower(data_type) = 'features' ORDER BY table_name")
        .and_then(|mut stmt| stmt.query_map([], |r| Ok(text(r.get_ref(0)?).unwrap_or_default()))?.collect())
        .map_err(|e| ReadError::invalid(name, format!("reading gpkg_contents: {e}")))?;
    let list = || tables.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ");
    match (&options.table, tables.as_slice()) {
        (Some(wanted), _) => tables
            .iter()
            .find(|t| *t == wanted)
            .or_else(|| tables.iter().find(|t| t.eq_ignore_ascii_case(wanted)))
            .cloned()
            .ok_or_else(|| {
                ReadError::invalid(
                    name,
                    format!(
                        "no feature table '{wanted}'; the feature tables are: {}",
                        if tables.is_empty() { "none".into() } else { list() }
                    ),
                )
            }),
        (None, [only]) => Ok(only.clone()),
        (None, []) => {
            Err(ReadError::invalid(name, "the GeoPackage holds no feature tables (only tiles or attributes?)"))
        }
        (None, _) => Err(ReadError::invalid(
            name,
            format!("the GeoPackage holds {} feature tables ({}); choose one with --table", tables.len(), list()),
        )),
    }
}

/// What `gpkg_spatial_ref_sys` says about `srs_id`: its EPSG code, else its WKT definition.
/// 0 and -1 are the undefined geographic and Cartesian systems (requirement 11).
fn crs_hint(conn: &Connection, srs_id: i64) -> Result<CrsHint, rusqlite::Error> {
    if srs_id == 0 || srs_id == -1 {
        return Ok(CrsHint::None);
    }
    let row = conn
        .query_row(
            "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| Ok((text(r.get_ref(0)?), r.get_ref(1)?.as_i64().ok(), text(r.get_ref(2)?))),
        )
        .optional()?;
    let Some((organization, code, definition)) = row else {
        return Ok(CrsHint::None);
    };
    if organization.is_some_and(|o| o.trim().eq_ignore_ascii_case("EPSG"))
        && let Some(code) = code.and_then(|c| u32::try_from(c).ok()).filter(|&c| c > 0)
    {
        return Ok(CrsHint::Epsg(code));
    }
    Ok(definition
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty() && !d.eq_ignore_ascii_case("undefined"))
        .map_or(CrsHint::None, CrsHint::Wkt))
}

/// A text cell; also an integer or a real written as text, for lenient metadata tables.
fn text(value: ValueRef<'_>) -> Option<String> {
    match value {
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(x) => Some(x.to_string()),
        ValueRef::Null | ValueRef::Blob(_) => None,
    }
}

/// Quotes an SQL identifier.
fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// Row `index` as a feature (the inner error is this row's); the outer error is SQLite's.
fn feature(
    file: &str,
    index: u64,
    row: &Row<'_>,
    columns: &[Column],
) -> Result<Result<RawFeature, ReadError>, rusqlite::Error> {
    let key: i64 = row.get(0)?;
    let fail = |message: String| Ok(Err(ReadError::feature_error(file, index, format!("fid {key}: {message}"))));
    let geometry = match row.get_ref(1)? {
        ValueRef::Null => None,
        ValueRef::Blob(blob) => match geometry_from_blob(blob) {
            Ok(g) => g,
            Err(message) => return fail(message),
        },
        _ => return fail("the geometry is not a GeoPackage geometry blob".into()),
    };
    let mut properties = Vec::with_capacity(columns.len());
    for (i, column) in columns.iter().enumerate() {
        let value = match row.get_ref(i + 2)? {
            ValueRef::Null | ValueRef::Blob(_) => Value::Null,
            ValueRef::Integer(v) if column.boolean => Value::Bool(v != 0),
            ValueRef::Integer(v) => Value::Int(v),
            ValueRef::Real(v) => Value::Float(v),
            ValueRef::Text(t) => match std::str::from_utf8(t) {
                Ok(s) => Value::String(s.to_string()),
                Err(_) => return fail(format!("column '{}' is not UTF-8 text", column.name)),
            },
        };
        properties.push((column.name.clone(), value));
    }
    Ok(Ok(RawFeature { index, geometry, properties }))
}

/// A geometry from a GeoPackage geometry blob (OGC 12-128r18 §2.1.3): `GP`, a version byte,
/// a flags byte, the srs_id, an optional envelope, then standard WKB. `None` for an empty
/// geometry.
fn geometry_from_blob(blob: &[u8]) -> Result<Option<Geometry<f64>>, String> {
    let [b'G', b'P', _version, flags, ..] = blob else {
        return Err("not a GeoPackage geometry blob (no GP magic)".into());
    };
    if flags & 0b0010_0000 != 0 {
        return Err("an extended GeoPackage geometry blob (a non-standard type), which gridgis does not read".into());
    }
    let envelope = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        n => return Err(format!("envelope indicator {n} is not one the GeoPackage standard defines")),
    };
    // The blob's srs_id (bytes 4..8) must equal its column's (requirement 33); the column's
    // is the one reported, so the header's byte order and srs_id are not needed here.
    let Some(wkb) = blob.get(8 + envelope..) else {
        return Err("the blob ends inside its header".into());
    };
    if flags & 0b0001_0000 != 0 {
        return Ok(None);
    }
    check_wkb(wkb)?;
    if is_empty_point(wkb) {
        return Ok(None);
    }
    geozero::wkb::Wkb(wkb).to_geo().map(Some).map_err(|e| format!("broken WKB ({e})"))
}

/// Whether `wkb` is a point of NaN coordinates: how WKB writes an empty point.
fn is_empty_point(wkb: &[u8]) -> bool {
    let mut c = Cursor { bytes: wkb, at: 0 };
    let Ok(order) = c.u8() else { return false };
    let le = order == 1;
    matches!(c.u32(le), Ok(code) if code % 1000 == 1)
        && matches!((c.f64(le), c.f64(le)), (Ok(x), Ok(y)) if x.is_nan() && y.is_nan())
}

/// Checks what geozero's WKB reader trusts: every count is backed by bytes (it reserves
/// memory for the count before reading), collections are nested at most
/// [`MAX_WKB_DEPTH`] deep, multi-part members have the member type, and only the seven types
/// a `geo` geometry can hold appear, in ISO WKB (type codes 1–7, +1000 Z, +2000 M, +3000 ZM).
fn check_wkb(wkb: &[u8]) -> Result<(), String> {
    check_wkb_geometry(&mut Cursor { bytes: wkb, at: 0 }, None, 0)
}

fn check_wkb_geometry(c: &mut Cursor<'_>, member_of: Option<u32>, depth: usize) -> Result<(), String> {
    if depth > MAX_WKB_DEPTH {
        return Err(format!("WKB collections nested more than {MAX_WKB_DEPTH} deep"));
    }
    let le = match c.u8()? {
        0 => false,
        1 => true,
        b => return Err(format!("WKB byte order {b} is neither 0 nor 1")),
    };
    let code = c.u32(le)?;
    let (kind, dims) = (code % 1000, code / 1000);
    if dims > 3 {
        return Err(format!("unsupported WKB geometry type {code}"));
    }
    // x and y, then z (dims 1 and 3) and m (dims 2 and 3).
    let coordinate = 16 + if dims % 2 == 1 { 8 } else { 0 } + if dims >= 2 { 8 } else { 0 };
    if let Some(expected) = member_of
        && kind != expected
    {
        return Err(format!("a WKB type {kind} member where type {expected} belongs"));
    }
    match kind {
        1 => c.skip(coordinate),
        2 => {
            let n = c.u32(le)?;
            c.skip(u64::from(n) * coordinate)
        }
        3 => {
            let rings = c.u32(le)?;
            c.need(u64::from(rings) * 4)?;
            (0..rings).try_for_each(|_| {
                let n = c.u32(le)?;
                c.skip(u64::from(n) * coordinate)
            })
        }
        4..=7 => {
            let n = c.u32(le)?;
            // The smallest member: byte order, type and a count (or half a point).
            c.need(u64::from(n) * 9)?;
            let member = match kind {
                4 => Some(1),
                5 => Some(2),
                6 => Some(3),
                _ => None,
            };
            (0..n).try_for_each(|_| check_wkb_geometry(c, member, depth + 1))
        }
        _ => Err(format!("unsupported WKB geometry type {code} (curves, surfaces, triangles and TINs are not read)")),
    }
}

/// A read position in a WKB buffer.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn left(&self) -> u64 {
        (self.bytes.len() - self.at.min(self.bytes.len())) as u64
    }

    fn need(&self, n: u64) -> Result<(), String> {
        if n > self.left() { Err("the WKB ends early (or a count in it is too large)".into()) } else { Ok(()) }
    }

    fn skip(&mut self, n: u64) -> Result<(), String> {
        self.need(n)?;
        // Within the buffer, so within usize.
        self.at += n as usize;
        Ok(())
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], String> {
        self.need(N as u64)?;
        let raw = self.bytes.get(self.at..self.at + N).and_then(|s| <[u8; N]>::try_from(s).ok());
        self.at += N;
        raw.ok_or_else(|| "the WKB ends early".to_string())
    }

    fn u8(&mut self) -> Result<u8, String> {
        self.take::<1>().map(|[b]| b)
    }

    fn u32(&mut self, le: bool) -> Result<u32, String> {
        self.take().map(|b| if le { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) })
    }

    fn f64(&mut self, le: bool) -> Result<f64, String> {
        self.take().map(|b| if le { f64::from_le_bytes(b) } else { f64::from_be_bytes(b) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{Point, polygon};

    /// The tables of a minimal GeoPackage (OGC 12-128r18 §1.1), with EPSG:4548 and a `CRS_WKT`
    /// system of another organisation.
    const SCHEMA: &str = "
        PRAGMA application_id = 1196444487;
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
            organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
            definition TEXT NOT NULL, description TEXT);
        INSERT INTO gpkg_spatial_ref_sys VALUES
            ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL),
            ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL),
            ('CGCS2000 / 3-degree Gauss-Kruger CM 117E', 4548, 'EPSG', 4548, 'PROJCS[\"CGCS2000 GK 117E\"]', NULL),
            ('Local grid', 990001, 'HUAIROU', 1, 'LOCAL_CS[\"Huairou\"]', NULL);
        CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
            identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME,
            min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
        CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
            geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL);";

    /// Adds a feature table `table` with the usual columns to the GeoPackage.
    fn add_table(conn: &Connection, table: &str, srs_id: i64) {
        let q = quote(table);
        conn.execute_batch(&format!(
            "CREATE TABLE {q} (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom GEOMETRY, 名称 TEXT, 人数 MEDIUMINT,
                 面积 REAL, 有效 BOOLEAN, 照片 BLOB);"
        ))
        .unwrap();
        conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES (?1, 'features', ?2)",
            (table, srs_id),
        )
        .unwrap();
        conn.execute("INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', 'GEOMETRY', ?2, 0, 0)", (table, srs_id))
            .unwrap();
    }

    fn wkb_point(x: f64, y: f64) -> Vec<u8> {
        let mut wkb = vec![1, 1, 0, 0, 0];
        wkb.extend_from_slice(&x.to_le_bytes());
        wkb.extend_from_slice(&y.to_le_bytes());
        wkb
    }

    /// A big-endian WKB polygon of one ring.
    fn wkb_polygon_be(ring: &[(f64, f64)]) -> Vec<u8> {
        let mut wkb = vec![0, 0, 0, 0, 3, 0, 0, 0, 1];
        wkb.extend_from_slice(&(ring.len() as u32).to_be_bytes());
        for (x, y) in ring {
            wkb.extend_from_slice(&x.to_be_bytes());
            wkb.extend_from_slice(&y.to_be_bytes());
        }
        wkb
    }

    /// A GeoPackage geometry blob: little-endian header ints unless `big_endian`, with
    /// `envelope` indicator (its bytes zero) and `empty` flag.
    fn blob(wkb: &[u8], envelope: u8, big_endian: bool, empty: bool) -> Vec<u8> {
        let flags = (envelope << 1) | u8::from(!big_endian) | (u8::from(empty) << 4);
        let mut b = vec![b'G', b'P', 0, flags];
        b.extend_from_slice(&if big_endian { 4548i32.to_be_bytes() } else { 4548i32.to_le_bytes() });
        let envelope_bytes = [0, 32, 48, 48, 64].get(usize::from(envelope)).copied().unwrap_or(0);
        b.extend(std::iter::repeat_n(0u8, envelope_bytes));
        b.extend_from_slice(wkb);
        b
    }

    /// A hand-made GeoPackage with one feature table `兴趣点` of good and bad rows.
    fn hand_made(path: &Path) {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        add_table(&conn, "兴趣点", 4548);
        let square = [(0., 0.), (10., 0.), (10., 10.), (0., 0.)];
        let mut huge_line = vec![1, 2, 0, 0, 0];
        huge_line.extend_from_slice(&u32::MAX.to_le_bytes());
        let rows: Vec<(i64, Option<Vec<u8>>, &str)> = vec![
            (1, Some(blob(&wkb_point(500_000.0, 4_460_000.0), 1, false, false)), "馥郁苑社区"),
            (2, Some(blob(&wkb_polygon_be(&square), 0, true, false)), "泉河街道"),
            (3, Some(blob(&wkb_point(f64::NAN, f64::NAN), 0, false, true)), "empty flag"),
            (4, None, "null geometry"),
            (5, Some(b"XX\x00\x01\x00\x00\x00\x00".to_vec()), "bad magic"),
            (6, Some(blob(&huge_line, 0, false, false)), "huge count"),
            (9, Some(blob(&wkb_point(f64::NAN, f64::NAN), 4, false, false)), "NaN point"),
            (12, Some(blob(&wkb_point(1.0, 2.0), 5, false, false)), "envelope 5"),
            (20, Some(blob(&wkb_point(3.0, 4.0), 2, false, false)), "last"),
        ];
        for (fid, geom, name) in rows {
            conn.execute(
                "INSERT INTO 兴趣点 (fid, geom, 名称, 人数, 面积, 有效, 照片) VALUES (?1, ?2, ?3, ?1 * 100, 1.5, ?1 % 2, x'00')",
                (fid, geom, name),
            )
            .unwrap();
        }
        // Text that is not UTF-8.
        conn.execute(
            "INSERT INTO 兴趣点 (fid, geom, 名称) VALUES (7, ?1, CAST(x'B9FEFF' AS TEXT))",
            [blob(&wkb_point(1.0, 1.0), 0, false, false)],
        )
        .unwrap();
    }

    fn open_err(path: &Path, options: &ReadOptions) -> String {
        match open_path(path, "t.gpkg", options) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("opened"),
        }
    }

    #[test]
    fn hand_made_geopackage() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pois.gpkg");
        hand_made(&path);
        let bytes = std::fs::read(&path).unwrap();
        for source in [
            open_path(&path, "pois.gpkg", &ReadOptions::default()).unwrap(),
            open_bytes("pois.gpkg", bytes, &ReadOptions::default()).unwrap(),
        ] {
            let info = source.info().clone();
            assert_eq!(info.format, Format::GeoPackage);
            assert_eq!(info.crs, CrsHint::Epsg(4548));
            assert_eq!(info.declared_features, Some(10));
            let items: Vec<_> = source.collect();
            assert_eq!(items.len(), 10);
            let ok = |i: usize| items[i].as_ref().unwrap();
            let err = |i: usize| {
                let e = items[i].as_ref().unwrap_err();
                assert_eq!(e.feature(), Some(i as u64));
                e.to_string()
            };
            assert_eq!(ok(0).index, 0);
            assert_eq!(ok(0).geometry, Some(Point::new(500_000.0, 4_460_000.0).into()));
            // No fid, no BLOB column; BOOLEAN as a bool.
            assert_eq!(
                ok(0).properties,
                vec![
                    ("名称".to_string(), Value::String("馥郁苑社区".into())),
                    ("人数".to_string(), Value::Int(100)),
                    ("面积".to_string(), Value::Float(1.5)),
                    ("有效".to_string(), Value::Bool(true)),
                ]
            );
            assert_eq!(
                ok(1).geometry,
                Some(polygon![(x: 0., y: 0.), (x: 10., y: 0.), (x: 10., y: 10.), (x: 0., y: 0.)].into())
            );
            assert_eq!(ok(1).properties[3].1, Value::Bool(false));
            assert_eq!(ok(2).geometry, None);
            assert_eq!(ok(3).geometry, None);
            assert!(err(4).contains("fid 5: not a GeoPackage geometry blob"));
            assert!(err(5).contains("fid 6: the WKB ends early"));
            assert!(err(6).contains("fid 7: column '名称' is not UTF-8 text"));
            assert_eq!(ok(7).geometry, None, "a NaN point is an empty point");
            assert!(err(8).contains("fid 12: envelope indicator 5"));
            assert_eq!(ok(9).index, 9);
            assert_eq!(ok(9).geometry, Some(Point::new(3.0, 4.0).into()));
        }
    }

    #[test]
    fn reads_across_pages_and_chooses_tables() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("two.gpkg");
        let mut conn = Connection::open(&path).unwrap();
        conn.execute_batch(SCHEMA).unwrap();
        add_table(&conn, "many \"quoted\"", 990001);
        add_table(&conn, "undefined", -1);
        let tx = conn.transaction().unwrap();
        for fid in 1..=2_500i64 {
            let point = blob(&wkb_point(fid as f64, 0.0), 0, false, false);
            tx.execute("INSERT INTO \"many \"\"quoted\"\"\" (fid, geom, 名称) VALUES (?1 * 3, ?2, ?1)", (fid, point))
                .unwrap();
        }
        tx.commit().unwrap();
        drop(conn);

        let e = open_err(&path, &ReadOptions::default());
        assert!(e.contains("2 feature tables ('many \"quoted\"', 'undefined'); choose one with --table"), "{e}");
        let e = open_err(&path, &ReadOptions { table: Some("gpkg_contents".into()), ..Default::default() });
        assert!(e.contains("no feature table 'gpkg_contents'"), "{e}");

        let source =
            open_path(&path, "two.gpkg", &ReadOptions { table: Some("many \"quoted\"".into()), ..Default::default() })
                .unwrap();
        assert_eq!(source.info().crs, CrsHint::Wkt("LOCAL_CS[\"Huairou\"]".into()));
        assert_eq!(source.info().declared_features, Some(2_500));
        let mut n = 0;
        for f in source {
            let f = f.unwrap();
            assert_eq!(f.index, n);
            n += 1;
            assert_eq!(f.geometry, Some(Point::new(n as f64, 0.0).into()));
            assert_eq!(f.properties[0].1, Value::String(n.to_string()));
        }
        assert_eq!(n, 2_500);

        let source =
            open_path(&path, "two.gpkg", &ReadOptions { table: Some("UNDEFINED".into()), ..Default::default() })
                .unwrap();
        assert_eq!(source.info().crs, CrsHint::None);
        assert_eq!(source.count(), 0);
    }

    #[test]
    fn not_geopackages() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain.sqlite");
        Connection::open(&plain).unwrap().execute_batch("CREATE TABLE t (a INTEGER);").unwrap();
        let e = open_err(&plain, &ReadOptions::default());
        assert!(e.contains("not a GeoPackage: an SQLite database without the gpkg_contents table"), "{e}");

        for garbage in [Vec::new(), b"PK\x03\x04 not a database at all".to_vec(), vec![0xAB; 4096]] {
            match open_bytes("x.gpkg", garbage, &ReadOptions::default()) {
                Err(e) => assert!(e.to_string().contains("not a GeoPackage"), "{e}"),
                Ok(_) => panic!("opened garbage"),
            }
        }
        // An SQLite header followed by garbage.
        let mut bytes = std::fs::read(&plain).unwrap();
        for b in bytes.iter_mut().skip(100) {
            *b ^= 0x5A;
        }
        assert!(open_bytes("x.gpkg", bytes, &ReadOptions::default()).is_err());

        let missing = dir.path().join("missing.gpkg");
        assert!(matches!(open_path(&missing, "missing.gpkg", &ReadOptions::default()), Err(ReadError::Io { .. })));

        let empty = dir.path().join("empty.gpkg");
        Connection::open(&empty).unwrap().execute_batch(SCHEMA).unwrap();
        assert!(open_err(&empty, &ReadOptions::default()).contains("holds no feature tables"));
    }

    #[test]
    fn written_by_gdal() {
        let dir = tempfile::tempdir().unwrap();
        let Some(path) = super::super::fgb::tests::ogr2ogr(dir.path(), "GPKG", "grids.gpkg") else {
            return;
        };
        let source = open_path(&path, "grids.gpkg", &ReadOptions::default()).unwrap();
        assert_eq!(source.info().crs, CrsHint::Epsg(4548));
        assert_eq!(source.info().declared_features, Some(3));
        let features: Vec<RawFeature> = source.map(Result::unwrap).collect();
        let names: Vec<&str> = features.iter().map(|f| f.properties[0].1.as_str().unwrap()).collect();
        assert_eq!(names, ["馥郁苑社区", "泉河街道", "雁栖镇"]);
        assert_eq!(
            features[0].properties,
            vec![
                ("名称".to_string(), Value::String("馥郁苑社区".into())),
                ("人数".to_string(), Value::Int(1200)),
                ("代码".to_string(), Value::String("110116001013".into())),
            ]
        );
        let Some(Geometry::Polygon(p)) = &features[0].geometry else { panic!("{:?}", features[0].geometry) };
        assert_eq!(p.interiors().len(), 1);
        assert_eq!(features[1].geometry, Some(Point::new(500_500.0, 4_460_500.0).into()));
        assert_eq!(features[1].properties[1].1, Value::Null);
        assert!(matches!(&features[2].geometry, Some(Geometry::GeometryCollection(gc)) if gc.0.len() == 2));
    }

    #[test]
    fn wkb_checks() {
        // Deep collections are refused before geozero recurses.
        let mut deep = Vec::new();
        for _ in 0..10_000 {
            deep.extend_from_slice(&[1, 7, 0, 0, 0, 1, 0, 0, 0]);
        }
        deep.extend_from_slice(&wkb_point(1.0, 2.0));
        assert!(check_wkb(&deep).unwrap_err().contains("nested more than 32"));
        // A multipolygon member that is a point.
        let mut mixed = vec![1, 6, 0, 0, 0, 1, 0, 0, 0];
        mixed.extend_from_slice(&wkb_point(1.0, 2.0));
        assert!(check_wkb(&mixed).unwrap_err().contains("type 1 member where type 3 belongs"));
        // A circular string.
        assert!(check_wkb(&[1, 8, 0, 0, 0, 0, 0, 0, 0]).unwrap_err().contains("unsupported WKB geometry type 8"));
        // ISO Z: a point of 24 bytes.
        let mut z = vec![1, 0xE9, 0x03, 0, 0];
        z.extend_from_slice(&[0; 24]);
        check_wkb(&z).unwrap();
        assert!(check_wkb(&z[..z.len() - 1]).is_err());

        // Nothing panics on any blob: every truncation and byte change of a valid one, and
        // random bytes.
        use rand::{Rng, SeedableRng};
        let mut polygon = blob(&wkb_polygon_be(&[(0., 0.), (1., 0.), (1., 1.), (0., 0.)]), 1, false, false);
        for cut in 0..polygon.len() {
            assert!(geometry_from_blob(&polygon[..cut]).is_err(), "cut at {cut}");
        }
        for i in 0..polygon.len() {
            for flip in [0xFF, 0x01, 0x80] {
                polygon[i] ^= flip;
                let _ = geometry_from_blob(&polygon);
                polygon[i] ^= flip;
            }
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for _ in 0..5_000 {
            let len = rng.random_range(0..120);
            let mut bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            let _ = geometry_from_blob(&bytes);
            bytes.splice(0..bytes.len().min(8), *b"GP\x00\x01\x00\x00\x00\x00");
            let _ = geometry_from_blob(&bytes);
        }
    }
}
