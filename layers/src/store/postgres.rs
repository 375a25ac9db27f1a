//! The PostgreSQL + PostGIS backend: the system of record when several servers share one
//! store, and what martin (or QGIS, or SQL) reads beside them.
//!
//! In the database:
//! - `gridgis.store`: one row, the format; `gridgis.catalog`: one row per layer (its catalog
//!   entry as `jsonb`, and the facts SQL users filter on as columns); `gridgis.versions`: one
//!   row per kept version.
//! - `gridgis_versions."{id}@{version}"`: one table per kept version, `fid` (the feature's
//!   position, in the Hilbert order every backend serves), `geom geometry(<type>, 4326)` with
//!   a GiST index, and one typed column per field.
//! - `layers."{id}"`: a view of each layer's current version, for martin and other readers.
//!
//! Every change is one transaction under a table lock that writers take in turn; it ends with
//! `NOTIFY gridgis_publish` so that every replica listening reloads what changed.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use geo_types::Geometry;
use geozero::{GeomProcessor, GeozeroGeometry};
use postgres::binary_copy::{BinaryCopyInWriter, BinaryCopyOutIter};
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls};

use super::{Backend, Result, StoreError, Written};
use crate::catalog::{Catalog, CatalogEntry, FORMAT_VERSION, Field, FieldType, valid_id};
use crate::feature::Value;
use crate::fgb::Record;

/// The channel every change is announced on; the payload lists `id:version` of the layers
/// changed (or `*` when they do not fit in one notification).
pub const CHANNEL: &str = "gridgis_publish";
/// The schema of the version tables.
const VERSIONS_SCHEMA: &str = "gridgis_versions";
/// The schema of the views of the current versions.
const VIEWS_SCHEMA: &str = "layers";
/// PostgreSQL truncates longer identifiers.
const MAX_IDENT: usize = 63;

/// The schema, created by [`Postgres::create`] in one transaction.
const SCHEMA_SQL: &str = "
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE SCHEMA gridgis;
CREATE SCHEMA gridgis_versions;
CREATE SCHEMA IF NOT EXISTS layers;
CREATE TABLE gridgis.store (
    format text NOT NULL,
    format_version integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE gridgis.catalog (
    id text PRIMARY KEY,
    name text NOT NULL,
    category text NOT NULL,
    kind text NOT NULL,
    geometry_type text NOT NULL,
    feature_count bigint NOT NULL,
    version integer NOT NULL,
    updated_at text NOT NULL,
    table_name text NOT NULL,
    view_name text NOT NULL,
    entry jsonb NOT NULL
);
CREATE TABLE gridgis.versions (
    layer text NOT NULL REFERENCES gridgis.catalog (id),
    version integer NOT NULL,
    current boolean NOT NULL,
    table_name text NOT NULL,
    feature_count bigint NOT NULL,
    updated_at text NOT NULL,
    PRIMARY KEY (layer, version)
);
COMMENT ON SCHEMA gridgis IS 'gridgis: the layer catalog (written by gridgis only)';
COMMENT ON SCHEMA gridgis_versions IS 'gridgis: one table per kept layer version (written by gridgis only)';
";

/// A gridgis store in a PostGIS database: a pool of reading connections, and the writing one
/// while a change is open.
pub(super) struct Postgres {
    config: postgres::Config,
    shown: String,
    readers: Mutex<Vec<Client>>,
    writer: Mutex<Option<Client>>,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres").field("url", &self.shown).finish_non_exhaustive()
    }
}

impl Drop for Postgres {
    /// A client says goodbye to the server when dropped, blocking: off the runtime, too.
    fn drop(&mut self) {
        let readers = std::mem::take(self.readers.get_mut().unwrap_or_else(|p| p.into_inner()));
        let writer = self.writer.get_mut().unwrap_or_else(|p| p.into_inner()).take();
        off_runtime(move || drop((readers, writer)));
    }
}

/// Runs `f` where a blocking client may block: on a thread of its own when called from
/// inside an async runtime (whose threads must not block on another runtime).
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| match s.spawn(f).join() {
            Ok(v) => v,
            Err(panic) => std::panic::resume_unwind(panic),
        })
    } else {
        f()
    }
}

/// A client of the database at `url` (its application name `gridgis`, a 10 s connect timeout
/// unless the URL sets them), and the URL as messages show it: for the data kept beside the
/// layers (the case log). Call it off the async runtime ([`off_runtime`]).
///
/// # Errors
/// [`StoreError::NotAStore`] for a URL that does not parse; [`StoreError::Database`] when the
/// database cannot be reached.
pub fn connect(url: &str, what: &str) -> Result<(Client, String)> {
    let (config, shown) = Postgres::parse(url)?;
    match config.connect(NoTls) {
        Ok(client) => Ok((client, shown)),
        Err(source) => Err(StoreError::Database { store: shown, what: what.to_string(), source }),
    }
}

/// `url` with its password replaced by `***`, for messages and `/health`.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else { return url.to_string() };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => {
            format!("{}{}:***{}", &url[..scheme_end + 3], &authority[..colon], &rest[at..])
        }
        _ => url.to_string(),
    }
}

/// True for a store URL (`postgres://…` or `postgresql://…`) rather than a data dir.
pub fn is_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// A SQL identifier, quoted.
fn quote(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// FNV-1a: a stable short hash for the identifiers that must be shortened.
fn fnv(s: &str) -> u32 {
    s.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// `s` cut to at most `max` bytes at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The name of the table of version `version` of layer `id`: `{id}@{version}`, shortened
/// (with a hash of the id) where PostgreSQL would truncate it.
fn version_table(id: &str, version: u32) -> String {
    let name = format!("{id}@{version}");
    if name.len() <= MAX_IDENT { name } else { format!("{}~{:08x}@{version}", cut(id, 40), fnv(id)) }
}

/// The name of the view of layer `id`: the id, shortened like the version tables' names when longer
/// than PostgreSQL allows.
pub fn view_name(id: &str) -> String {
    if id.len() <= MAX_IDENT { id.to_string() } else { format!("{}~{:08x}", cut(id, 50), fnv(id)) }
}

/// The column of a field: its name, unless that is too long, holds a NUL, or is one of the
/// two columns every version table has (then shortened, with a hash of the name).
pub fn column_name(field: &str) -> String {
    if field.len() <= MAX_IDENT && !field.contains('\0') && field != "fid" && field != "geom" {
        field.to_string()
    } else {
        format!("{}~{:08x}", cut(&field.replace('\0', ""), 50), fnv(field))
    }
}

/// The PostGIS geometry type of a catalog geometry type name.
fn geometry_type(name: &str) -> &'static str {
    match name {
        "Point" => "Point",
        "LineString" => "LineString",
        "Polygon" => "Polygon",
        "MultiPoint" => "MultiPoint",
        "MultiLineString" => "MultiLineString",
        "MultiPolygon" => "MultiPolygon",
        _ => "Geometry",
    }
}

/// `gridgis_versions."…"`, the location of a version table, checked to be one.
fn checked_location(location: &str) -> Option<&str> {
    let name = location.strip_prefix(VERSIONS_SCHEMA)?.strip_prefix(".\"")?.strip_suffix('"')?;
    (!name.is_empty() && !name.contains('"')).then_some(location)
}

/// A geometry as PostGIS takes it: EWKB with SRID 4326.
struct Wgs84<'a>(&'a Geometry<f64>);

impl GeozeroGeometry for Wgs84<'_> {
    fn process_geom<P: GeomProcessor>(&self, processor: &mut P) -> geozero::error::Result<()> {
        self.0.process_geom(processor)
    }

    fn srid(&self) -> Option<i32> {
        Some(4326)
    }
}

/// One property value in a binary COPY, typed as its field.
#[derive(Debug)]
enum Cell<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(&'a str),
}

impl<'a> Cell<'a> {
    fn of(value: &'a Value, field: FieldType) -> Self {
        match (value, field) {
            (Value::Bool(b), FieldType::Bool) => Self::Bool(*b),
            (Value::Int(i), FieldType::Int) => Self::Int(*i),
            (Value::Int(i), FieldType::Float) => Self::Float(*i as f64),
            (Value::Float(x), FieldType::Float) => Self::Float(*x),
            (Value::String(s), FieldType::String) => Self::Text(s),
            _ => Self::Null,
        }
    }
}

impl ToSql for Cell<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Self::Null => Ok(IsNull::Yes),
            Self::Bool(b) => b.to_sql(ty, out),
            Self::Int(i) => i.to_sql(ty, out),
            Self::Float(x) => x.to_sql(ty, out),
            Self::Text(s) => s.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        [Type::BOOL, Type::INT8, Type::FLOAT8, Type::TEXT].contains(ty)
    }

    to_sql_checked!();
}

fn sql_type(field: FieldType) -> (&'static str, Type) {
    match field {
        FieldType::Bool => ("boolean", Type::BOOL),
        FieldType::Int => ("bigint", Type::INT8),
        FieldType::Float => ("double precision", Type::FLOAT8),
        FieldType::String => ("text", Type::TEXT),
    }
}

impl Postgres {
    fn database(&self, what: impl Into<String>) -> impl FnOnce(postgres::Error) -> StoreError + '_ {
        let what = what.into();
        move |source| StoreError::Database { store: self.shown.clone(), what, source }
    }

    fn parse(url: &str) -> Result<(postgres::Config, String)> {
        let shown = redact(url);
        let mut config: postgres::Config = url
            .parse()
            .map_err(|e: postgres::Error| StoreError::NotAStore { store: shown.clone(), message: e.to_string() })?;
        if config.get_application_name().is_none() {
            config.application_name("gridgis");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        Ok((config, shown))
    }

    fn connect(&self) -> Result<Client> {
        self.config.connect(NoTls).map_err(self.database("connecting"))
    }

    fn new(url: &str) -> Result<Self> {
        let (config, shown) = Self::parse(url)?;
        Ok(Self { config, shown, readers: Mutex::new(Vec::new()), writer: Mutex::new(None) })
    }

    /// Creates the store's schemas and tables in the database at `url`, empty.
    pub(super) fn create(url: &str) -> Result<(Self, Catalog)> {
        let pg = Self::new(url)?;
        off_runtime(|| {
            let mut client = pg.connect()?;
            let exists: bool = client
                .query_one("SELECT to_regclass('gridgis.store') IS NOT NULL", &[])
                .map_err(pg.database("looking for a store"))?
                .get(0);
            if exists {
                return Err(StoreError::NotAStore {
                    store: pg.shown.clone(),
                    message: "the database already holds a gridgis store".into(),
                });
            }
            let mut tx = client.transaction().map_err(pg.database("creating the store"))?;
            tx.batch_execute(SCHEMA_SQL).map_err(pg.database("creating the store"))?;
            tx.execute(
                "INSERT INTO gridgis.store (format, format_version) VALUES ('gridgis-catalog', $1)",
                &[&(FORMAT_VERSION as i32)],
            )
            .map_err(pg.database("creating the store"))?;
            tx.commit().map_err(pg.database("creating the store"))?;
            pg.give_back(client);
            Ok(())
        })?;
        Ok((pg, Catalog::new()))
    }

    /// Opens the store in the database at `url`: checks its format, reads its catalog.
    pub(super) fn open(url: &str) -> Result<(Self, Catalog)> {
        let pg = Self::new(url)?;
        let catalog = off_runtime(|| {
            let mut client = pg.connect()?;
            let found: bool = client
                .query_one("SELECT to_regclass('gridgis.store') IS NOT NULL", &[])
                .map_err(pg.database("looking for a store"))?
                .get(0);
            if !found {
                return Err(StoreError::NoStore { store: pg.shown.clone() });
            }
            let row = client
                .query_one("SELECT format, format_version FROM gridgis.store LIMIT 1", &[])
                .map_err(pg.database("reading the store's format"))?;
            let (format, version): (String, i32) = (row.get(0), row.get(1));
            if format != "gridgis-catalog" || version != FORMAT_VERSION as i32 {
                return Err(StoreError::NotAStore {
                    store: pg.shown.clone(),
                    message: format!(
                        "format '{format}' version {version} is not gridgis-catalog version {FORMAT_VERSION}"
                    ),
                });
            }
            let catalog = pg.catalog_of(&mut client)?;
            pg.give_back(client);
            Ok(catalog)
        })?;
        Ok((pg, catalog))
    }

    /// Runs `read` on a reading connection, given back to the pool after; once more on a new
    /// connection when a pooled one turns out to have died (a database restart).
    fn reading<T>(&self, read: impl Fn(&mut Client) -> Result<T>) -> Result<T> {
        let pooled = self.readers.lock().ok().and_then(|mut p| p.pop()).filter(|c| !c.is_closed());
        let fresh = pooled.is_none();
        let mut client = match pooled {
            Some(c) => c,
            None => self.connect()?,
        };
        let out = match read(&mut client) {
            Err(e) if !fresh && e.is_unavailable() => {
                client = self.connect()?;
                read(&mut client)
            }
            other => other,
        };
        self.give_back(client);
        out
    }

    fn give_back(&self, client: Client) {
        if !client.is_closed()
            && let Ok(mut pool) = self.readers.lock()
        {
            pool.push(client);
        }
    }

    fn catalog_of(&self, client: &mut Client) -> Result<Catalog> {
        let rows = client
            .query("SELECT entry::text FROM gridgis.catalog ORDER BY id COLLATE \"C\"", &[])
            .map_err(self.database("reading the catalog"))?;
        let mut catalog = Catalog::new();
        for row in rows {
            let text: &str = row.get(0);
            let entry: CatalogEntry = serde_json::from_str(text).map_err(|e| StoreError::CorruptCatalog {
                path: "gridgis.catalog".into(),
                message: format!("{}: {e}", self.shown),
            })?;
            if !valid_id(&entry.id) || checked_location(&entry.file).is_none() {
                return Err(StoreError::CorruptCatalog {
                    path: "gridgis.catalog".into(),
                    message: format!("bad entry '{}'", entry.id),
                });
            }
            catalog.layers.push(entry);
        }
        Ok(catalog)
    }

    fn read_with(
        &self,
        client: &mut Client,
        layer: &str,
        location: &str,
        fields: &[Field],
    ) -> Result<(Vec<String>, Vec<Record>)> {
        let what = || format!("reading layer {layer} ({location})");
        let Some(table) = checked_location(location) else {
            return Err(StoreError::CorruptCatalog {
                path: "gridgis.catalog".into(),
                message: format!("layer {layer}: '{location}' is not a version table"),
            });
        };
        let geometry = client
            .prepare("SELECT NULL::geometry")
            .map_err(self.database(what()))?
            .columns()
            .first()
            .map(|c| c.type_().clone())
            .ok_or_else(|| StoreError::NotAStore { store: self.shown.clone(), message: "no geometry type".into() })?;
        let mut columns = vec!["geom".to_string()];
        columns.extend(fields.iter().map(|f| quote(&column_name(&f.name))));
        let mut types = vec![geometry];
        types.extend(fields.iter().map(|f| sql_type(f.field_type).1));
        let copy = format!("COPY (SELECT {} FROM {table} ORDER BY fid) TO STDOUT (FORMAT binary)", columns.join(", "));
        let reader = client.copy_out(&copy).map_err(self.database(what()))?;
        let mut rows = BinaryCopyOutIter::new(reader, &types);
        let mut records = Vec::new();
        let decode = |e: postgres::Error| StoreError::Database { store: self.shown.clone(), what: what(), source: e };
        while let Some(row) = rows.next().map_err(decode)? {
            let geometry: geozero::wkb::Decode<Geometry<f64>> = row.try_get(0).map_err(decode)?;
            let Some(geometry) = geometry.geometry else {
                return Err(StoreError::CorruptCatalog {
                    path: location.into(),
                    message: format!("feature {} has no geometry", records.len()),
                });
            };
            let mut values = Vec::with_capacity(fields.len());
            for (i, f) in fields.iter().enumerate() {
                let v = match f.field_type {
                    FieldType::Bool => row.try_get::<Option<bool>>(i + 1).map(|v| v.map(Value::Bool)),
                    FieldType::Int => row.try_get::<Option<i64>>(i + 1).map(|v| v.map(Value::Int)),
                    FieldType::Float => row.try_get::<Option<f64>>(i + 1).map(|v| v.map(Value::Float)),
                    FieldType::String => row.try_get::<Option<&str>>(i + 1).map(|v| v.map(|s| Value::String(s.into()))),
                }
                .map_err(decode)?;
                values.push(v.unwrap_or(Value::Null));
            }
            records.push(Record { geometry, values: values.into_boxed_slice() });
        }
        Ok((fields.iter().map(|f| f.name.clone()).collect(), records))
    }

    /// The writing connection, made anew if there is none or it was lost: only where a
    /// change starts.
    fn open_writer(&mut self) -> Result<&mut Client> {
        let fresh = match self.writer.get_mut().unwrap_or_else(|p| p.into_inner()) {
            Some(c) if !c.is_closed() => None,
            _ => Some(self.connect()?),
        };
        let slot = self.writer.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = fresh {
            *slot = Some(c);
        }
        slot.as_mut().ok_or_else(|| unreachable_writer(&self.shown))
    }

    /// The connection of the change in progress. Never a new one: statements on another
    /// connection would run outside the change's transaction.
    fn writer(&mut self) -> Result<&mut Client> {
        match self.writer.get_mut().unwrap_or_else(|p| p.into_inner()) {
            Some(c) if !c.is_closed() => Ok(c),
            _ => Err(unreachable_writer(&self.shown)),
        }
    }

    fn write_table(&mut self, id: &str, version: u32, written: &Written<'_>) -> Result<String> {
        let records = written.records()?;
        for (index, r) in records.iter().enumerate() {
            if let Some((name, _)) = written
                .fields
                .iter()
                .zip(r.values.iter())
                .find(|(_, v)| matches!(v, Value::String(s) if s.contains('\0')))
            {
                return Err(StoreError::InvalidFeature {
                    layer: id.to_string(),
                    index,
                    message: format!("property '{}' holds a NUL character, which PostgreSQL cannot store", name.name),
                });
            }
        }
        let table = format!("{VERSIONS_SCHEMA}.{}", quote(&version_table(id, version)));
        let shown = self.shown.clone();
        let what = format!("writing layer {id} version {version}");
        let database = |source| StoreError::Database { store: shown.clone(), what: what.clone(), source };
        let client = self.writer()?;
        let geometry = client
            .prepare("SELECT NULL::geometry")
            .map_err(database)?
            .columns()
            .first()
            .map(|c| c.type_().clone())
            .ok_or_else(|| unreachable_writer(&shown))?;
        let mut defs = vec![
            "fid integer NOT NULL".to_string(),
            format!("geom geometry({}, 4326) NOT NULL", geometry_type(written.geometry_type)),
        ];
        let mut names = vec!["fid".to_string(), "geom".to_string()];
        let mut types = vec![Type::INT4, geometry];
        for f in written.fields {
            let (sql, ty) = sql_type(f.field_type);
            let column = quote(&column_name(&f.name));
            defs.push(format!("{column} {sql}"));
            names.push(column);
            types.push(ty);
        }
        client
            .batch_execute(&format!("DROP TABLE IF EXISTS {table}; CREATE TABLE {table} ({})", defs.join(", ")))
            .map_err(database)?;
        let sink = client
            .copy_in(&format!("COPY {table} ({}) FROM STDIN (FORMAT binary)", names.join(", ")))
            .map_err(database)?;
        let mut copy = BinaryCopyInWriter::new(sink, &types);
        for (fid, r) in records.iter().enumerate() {
            let fid = fid as i32;
            let geom = geozero::wkb::Encode(Wgs84(&r.geometry));
            let cells: Vec<Cell<'_>> =
                written.fields.iter().zip(r.values.iter()).map(|(f, v)| Cell::of(v, f.field_type)).collect();
            let mut row: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(2 + cells.len());
            row.push(&fid);
            row.push(&geom);
            row.extend(cells.iter().map(|c| c as &(dyn ToSql + Sync)));
            copy.write(&row).map_err(database)?;
        }
        copy.finish().map_err(database)?;
        client
            .batch_execute(&format!(
                "ALTER TABLE {table} ADD PRIMARY KEY (fid); CREATE INDEX ON {table} USING gist (geom); \
                 ANALYZE {table}"
            ))
            .map_err(database)?;
        Ok(table)
    }

    fn commit_change(&mut self, changed: &[CatalogEntry], dropped: &[String]) -> Result<()> {
        let shown = self.shown.clone();
        let database = |what: &str| {
            let what = what.to_string();
            let shown = shown.clone();
            move |source| StoreError::Database { store: shown, what, source }
        };
        let client = self.writer()?;
        for e in changed {
            let json = serde_json::to_string(e).map_err(|err| StoreError::CorruptCatalog {
                path: "gridgis.catalog".into(),
                message: err.to_string(),
            })?;
            let view = format!("{VIEWS_SCHEMA}.{}", quote(&view_name(&e.id)));
            let what = format!("publishing layer {}", e.id);
            client
                .execute(
                    "INSERT INTO gridgis.catalog (id, name, category, kind, geometry_type, feature_count, version, \
                     updated_at, table_name, view_name, entry) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::text::jsonb) \
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, category = excluded.category, \
                     kind = excluded.kind, geometry_type = excluded.geometry_type, \
                     feature_count = excluded.feature_count, version = excluded.version, \
                     updated_at = excluded.updated_at, table_name = excluded.table_name, \
                     view_name = excluded.view_name, entry = excluded.entry",
                    &[
                        &e.id,
                        &e.name,
                        &e.category,
                        &e.kind,
                        &e.geometry_type,
                        &(e.feature_count as i64),
                        &(e.version as i32),
                        &e.updated_at,
                        &e.file,
                        &view,
                        &json,
                    ],
                )
                .map_err(database(&what))?;
            client.execute("DELETE FROM gridgis.versions WHERE layer = $1", &[&e.id]).map_err(database(&what))?;
            for v in std::iter::once(e.current()).chain(e.previous.iter().cloned()) {
                client
                    .execute(
                        "INSERT INTO gridgis.versions (layer, version, current, table_name, feature_count, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                        &[
                            &e.id,
                            &(v.version as i32),
                            &(v.version == e.version),
                            &v.file,
                            &(v.feature_count as i64),
                            &v.updated_at,
                        ],
                    )
                    .map_err(database(&what))?;
            }
            let Some(table) = checked_location(&e.file) else {
                return Err(StoreError::CorruptCatalog {
                    path: "gridgis.catalog".into(),
                    message: format!("layer {}: '{}' is not a version table", e.id, e.file),
                });
            };
            let comment = format!("{} — gridgis layer {} version {}", e.name, e.id, e.version).replace('\'', "''");
            client
                .batch_execute(&format!(
                    "DROP VIEW IF EXISTS {view}; CREATE VIEW {view} AS SELECT * FROM {table}; \
                     COMMENT ON VIEW {view} IS '{comment}'"
                ))
                .map_err(database(&what))?;
        }
        for location in dropped {
            // A location that is not a version table is not ours to drop.
            if let Some(table) = checked_location(location) {
                client
                    .batch_execute(&format!("DROP TABLE IF EXISTS {table}"))
                    .map_err(database("dropping old versions"))?;
            }
        }
        let mut payload: String =
            changed.iter().map(|e| format!("{}:{}", e.id, e.version)).collect::<Vec<_>>().join(",");
        // NOTIFY payloads are limited to 8,000 bytes; a listener reloads the catalog anyway.
        if payload.len() > 7_000 {
            payload = "*".into();
        }
        client.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload]).map_err(database("announcing the change"))?;
        client.batch_execute("COMMIT").map_err(database("committing"))?;
        Ok(())
    }
}

fn unreachable_writer(shown: &str) -> StoreError {
    StoreError::NotAStore {
        store: shown.to_string(),
        message: "the connection was lost during the change (it was rolled back)".into(),
    }
}

impl Backend for Postgres {
    fn kind(&self) -> &'static str {
        "postgres"
    }

    fn describe(&self) -> String {
        self.shown.clone()
    }

    fn dir(&self) -> Option<&Path> {
        None
    }

    fn read_catalog(&self) -> Result<Catalog> {
        off_runtime(|| self.reading(|client| self.catalog_of(client)))
    }

    fn read_records(&self, layer: &str, location: &str, fields: &[Field]) -> Result<(Vec<String>, Vec<Record>)> {
        off_runtime(|| self.reading(|client| self.read_with(client, layer, location, fields)))
    }

    /// Opens the transaction and takes the catalog's lock, which writers take in turn (readers
    /// are not held up).
    fn begin(&mut self) -> Result<Catalog> {
        off_runtime(|| {
            let shown = self.shown.clone();
            let start = "BEGIN; LOCK TABLE gridgis.catalog IN SHARE ROW EXCLUSIVE MODE";
            let client = self.open_writer()?;
            if let Err(source) = client.batch_execute(start) {
                let e = StoreError::Database { store: shown.clone(), what: "starting a change".into(), source };
                if !e.is_unavailable() {
                    return Err(e);
                }
                // The connection kept from the last change died with a database restart (a
                // client learns so only when it next speaks): once more on a new one.
                *self.writer.get_mut().unwrap_or_else(|p| p.into_inner()) = None;
                self.open_writer()?.batch_execute(start).map_err(|source| StoreError::Database {
                    store: shown,
                    what: "starting a change".into(),
                    source,
                })?;
            }
            let slot = self.writer.get_mut().unwrap_or_else(|p| p.into_inner());
            let mut client = slot.take().ok_or_else(|| unreachable_writer(&self.shown))?;
            let catalog = self.catalog_of(&mut client);
            *self.writer.get_mut().unwrap_or_else(|p| p.into_inner()) = Some(client);
            catalog
        })
    }

    fn write_version(&mut self, id: &str, version: u32, written: &Written<'_>) -> Result<String> {
        off_runtime(|| self.write_table(id, version, written))
    }

    fn commit(&mut self, _catalog: &Catalog, changed: &[CatalogEntry], dropped: &[String]) -> Result<()> {
        off_runtime(|| self.commit_change(changed, dropped))
    }

    /// Rolls the transaction back: the tables it made go with it.
    fn abort(&mut self, _catalog: &Catalog) {
        off_runtime(|| {
            let slot = self.writer.get_mut().unwrap_or_else(|p| p.into_inner());
            if let Some(c) = slot
                && c.batch_execute("ROLLBACK").is_err()
            {
                *slot = None;
            }
        });
    }

    /// Transactions leave nothing behind.
    fn clean(&self) -> Result<Option<usize>> {
        Ok(Some(0))
    }
}

/// A connection that waits for what is announced on some channels: [`CHANNEL`] for layers,
/// others for data kept beside them (the case log's).
pub struct Listener {
    /// Always `Some` but while dropped.
    client: Option<Client>,
    shown: String,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener").field("url", &self.shown).finish_non_exhaustive()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        // Dropping a client blocks on its goodbye: not on a runtime's thread.
        let client = self.client.take();
        off_runtime(move || drop(client));
    }
}

/// What one wait for announcements brought: per channel, the payloads in the order sent.
pub type Announcements = Vec<(String, String)>;

impl Listener {
    /// Connects to the store at `url` and listens on `channels` (plain identifiers).
    pub fn connect(url: &str, channels: &[&str]) -> crate::Result<Self> {
        let (config, shown) = Postgres::parse(url)?;
        let database = |what: &str| {
            let (shown, what) = (shown.clone(), what.to_string());
            move |source| StoreError::Database { store: shown, what, source }
        };
        let listen: String = channels.iter().map(|c| format!("LISTEN {};", quote(c))).collect();
        let client = off_runtime(|| -> Result<Client> {
            let mut client = config.connect(NoTls).map_err(database("connecting to listen"))?;
            client.batch_execute(&listen).map_err(database("listening"))?;
            Ok(client)
        })?;
        Ok(Self { client: Some(client), shown })
    }

    /// Waits up to `timeout` for an announcement: those that came (the first and any others
    /// pending with it), empty when none came. An error when the connection is lost.
    pub fn wait(&mut self, timeout: Duration) -> crate::Result<Announcements> {
        let shown = self.shown.clone();
        let Some(client) = self.client.as_mut() else { return Ok(Vec::new()) };
        Ok(off_runtime(move || -> Result<Announcements> {
            let lost = |source| StoreError::Database { store: shown.clone(), what: "listening".into(), source };
            let came = {
                let mut notifications = client.notifications();
                let mut came: Announcements = Vec::new();
                let first = notifications.timeout_iter(timeout).next().map_err(lost)?;
                if let Some(n) = first {
                    came.push((n.channel().to_string(), n.payload().to_string()));
                    while let Some(n) = notifications.iter().next().map_err(lost)? {
                        came.push((n.channel().to_string(), n.payload().to_string()));
                    }
                }
                came
            };
            if came.is_empty() {
                // The wait ends quietly when the server goes away: ask whether it is there.
                client.is_valid(Duration::from_secs(5)).map_err(lost)?;
            }
            Ok(came)
        })?)
    }
}

/// For tests and benchmarks that need databases of their own in one cluster.
pub mod testing {
    use std::sync::atomic::{AtomicU32, Ordering};

    /// `url` with its database name replaced by `name`.
    pub fn with_database(url: &str, name: &str) -> String {
        let start = url.find("://").map_or(0, |i| i + 3);
        let (head, query) = match url[start..].find('?') {
            Some(q) => url.split_at(start + q),
            None => (url, ""),
        };
        let authority_end = head[start..].find('/').map_or(head.len(), |i| start + i);
        format!("{}/{name}{query}", &head[..authority_end])
    }

    /// Creates a new, empty database in the cluster at `url` (to which the user may connect
    /// and create databases), named `{prefix}_{pid}_{n}`, and returns its URL.
    pub fn new_database(url: &str, prefix: &str) -> crate::Result<String> {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!("{prefix}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
        let (config, shown) = super::Postgres::parse(url)?;
        super::off_runtime(|| -> super::Result<()> {
            let database = |source| super::StoreError::Database {
                store: shown.clone(),
                what: format!("creating database {name}"),
                source,
            };
            let mut client = config.connect(super::NoTls).map_err(database)?;
            client.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).map_err(database)?;
            client.batch_execute(&format!("CREATE DATABASE {name}")).map_err(database)
        })?;
        Ok(with_database(url, &name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shown_without_their_password() {
        assert_eq!(redact("postgres://gis:s3cret@db.example:5432/city"), "postgres://gis:***@db.example:5432/city");
        assert_eq!(redact("postgres://gis@db/city"), "postgres://gis@db/city");
        assert_eq!(redact("postgresql://db/city?user=x"), "postgresql://db/city?user=x");
        assert!(is_url("postgres://x") && is_url("postgresql://x") && !is_url("./gridgis-data"));
        assert_eq!(testing::with_database("postgres://u@%2Ftmp:5/postgres", "t1"), "postgres://u@%2Ftmp:5/t1");
        assert_eq!(
            testing::with_database("postgres://u@h/db?sslmode=disable", "t"),
            "postgres://u@h/t?sslmode=disable"
        );
        assert_eq!(testing::with_database("postgres://u@h", "t"), "postgres://u@h/t");
    }

    #[test]
    fn identifiers_fit_postgresql() {
        let long = "a".repeat(64);
        assert_eq!(version_table("poi", 3), "poi@3");
        assert!(version_table(&long, 123_456).len() <= MAX_IDENT);
        assert_ne!(version_table(&long, 1), version_table(&format!("{}b", "a".repeat(63)), 1));
        assert_eq!(view_name("poi"), "poi");
        assert!(view_name(&long).len() <= MAX_IDENT);
        assert_eq!(column_name("名称"), "名称");
        for odd in ["geom", "fid", "a\0b", &"名".repeat(30)] {
            let c = column_name(odd);
            assert!(c.len() <= MAX_IDENT && c != odd && !c.contains('\0'), "{odd:?} → {c:?}");
        }
        assert_eq!(quote("a\"b"), "\"a\"\"b\"");
        assert_eq!(checked_location("gridgis_versions.\"poi@3\""), Some("gridgis_versions.\"poi@3\""));
        for bad in ["public.x", "gridgis_versions.\"a\"; DROP TABLE x; --\"", "gridgis_versions.\"\""] {
            assert_eq!(checked_location(bad), None, "{bad}");
        }
    }
}
