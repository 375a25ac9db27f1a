//! Where layer versions are kept, behind one [`Backend`] trait: a data dir of FlatGeobuf files
//! (the embedded default, [`files`]) or a PostgreSQL + PostGIS database ([`postgres`]). The
//! catalog's rules (version numbers, what is kept, rollback, validation) are the [`Store`]'s,
//! the same for both; a backend only keeps bytes or rows and makes a change all-or-nothing.

mod files;
pub mod postgres;

use std::path::{Path, PathBuf};

use geo::{BoundingRect, CoordsIter};
use geo_types::Geometry;

use crate::catalog::{Catalog, CatalogEntry, Field, FieldType, VersionInfo, valid_id};
use crate::feature::{Feature, Value};
use crate::fgb::{self, FgbError, Record};

pub use self::files::{CATALOG_FILE, write_file_atomic};

/// Versions kept per layer unless the store is told otherwise ([`Store::keep_versions`]): the
/// current one and four to roll back through.
pub const DEFAULT_KEEP_VERSIONS: usize = 5;

/// Why the store refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The directory has no catalog.
    #[error("{dir} is not a gridgis data dir: it has no {CATALOG_FILE}")]
    NoCatalog {
        /// The directory.
        dir: PathBuf,
    },
    /// A catalog is already there.
    #[error("{dir} already holds a data dir")]
    CatalogExists {
        /// The directory.
        dir: PathBuf,
    },
    /// The catalog is not valid.
    #[error("{path}: corrupt catalog: {message}")]
    CorruptCatalog {
        /// The catalog file (or table).
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A layer's file listed in the catalog is missing.
    #[error("layer {layer}: its file {path} is missing")]
    MissingFile {
        /// The layer.
        layer: String,
        /// The file.
        path: PathBuf,
    },
    /// The layer id is not valid.
    #[error("invalid layer id '{id}': use 1–64 characters a-z, 0-9, '_' or '-', starting with a letter or digit")]
    InvalidId {
        /// The id as given.
        id: String,
    },
    /// There is no earlier version to roll back to.
    #[error("layer {id} has no version before {version} to roll back to")]
    NoPreviousVersion {
        /// The layer.
        id: String,
        /// Its current version.
        version: u32,
    },
    /// No such layer (or version).
    #[error("no layer '{id}'{}", version.map(|v| format!(" version {v}")).unwrap_or_default())]
    UnknownLayer {
        /// The id.
        id: String,
        /// The version asked for, if any.
        version: Option<u32>,
    },
    /// A feature is not acceptable.
    #[error("layer {layer}, feature {index}: {message}")]
    InvalidFeature {
        /// The layer.
        layer: String,
        /// The feature's position in the input (0-based).
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// The layer file could not be written or read.
    #[error(transparent)]
    Fgb(#[from] FgbError),
    /// The database could not be reached, or refused a statement (the change, if any, was
    /// rolled back whole).
    #[error("{store}: {what}: {source}")]
    Database {
        /// The store, its URL without the password.
        store: String,
        /// What was being done.
        what: String,
        /// The cause.
        #[source]
        source: ::postgres::Error,
    },
    /// The database holds no gridgis store yet.
    #[error(
        "{store} holds no gridgis store yet (`gridgis serve` gives an empty database the demo dataset; \
         `gridgis store copy --to URL` copies a data dir's layers into it)"
    )]
    NoStore {
        /// The store, its URL without the password.
        store: String,
    },
    /// The database holds a gridgis store of another format, or already holds one.
    #[error("{store}: {message}")]
    NotAStore {
        /// The store, its URL without the password.
        store: String,
        /// What is wrong.
        message: String,
    },
}

impl StoreError {
    /// True when the store could not be reached (a database down or unreachable): the change
    /// may succeed later, the data is not to blame.
    pub fn is_unavailable(&self) -> bool {
        match self {
            // No SQLSTATE: the connection (refused, reset, timed out); class 08: a connection
            // exception; 57P: the server shutting down or restarting.
            Self::Database { source, .. } => {
                source.is_closed()
                    || source.code().is_none_or(|c| c.code().starts_with("08") || c.code().starts_with("57P"))
            }
            _ => false,
        }
    }
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What the publisher says about a layer; the rest of its catalog entry is derived.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerMeta {
    /// Layer id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Category.
    pub category: String,
    /// `system` or `thematic`.
    pub kind: String,
    /// The coordinate system of the source.
    pub source_crs: String,
    /// The source file, if any.
    pub source_file: Option<String>,
    /// RFC 3339 time stamp of this version (the caller's, so the demo stays deterministic).
    pub updated_at: String,
}

/// A new version as the store prepared it: encoded as FlatGeobuf (features sorted along a
/// Hilbert curve), which is what the files backend keeps and what fixes the feature order for
/// every backend.
pub(crate) struct Written<'a> {
    /// The FlatGeobuf encoding.
    pub fgb: &'a [u8],
    /// The schema.
    pub fields: &'a [Field],
    /// The geometry type name.
    pub geometry_type: &'a str,
}

impl Written<'_> {
    /// The features decoded from [`Written::fgb`]: in the order, and with the values, that a
    /// reader of the files backend gets back.
    pub fn records(&self) -> Result<Vec<Record>> {
        Ok(fgb::read_records_from(Path::new("<new version>"), std::io::Cursor::new(self.fgb))?.1)
    }
}

/// Where a [`Store`] keeps what the catalog names. A change is `begin` (writers locked out,
/// the catalog as it is now), `write_version` for each new version, then `commit` (all become
/// current together) or `abort` (none does, nothing of them stays).
pub(crate) trait Backend: std::fmt::Debug + Send + Sync {
    /// `files` or `postgres`.
    fn kind(&self) -> &'static str;
    /// The data dir, or the database URL without its password, for messages.
    fn describe(&self) -> String;
    /// The data dir, for the files backend.
    fn dir(&self) -> Option<&Path>;
    /// The catalog as stored now.
    fn read_catalog(&self) -> Result<Catalog>;
    /// The column names and features of one stored version (`location` is the catalog's
    /// `file` of it), in stored order. Safe to call from several threads at once.
    fn read_records(&self, layer: &str, location: &str, fields: &[Field]) -> Result<(Vec<String>, Vec<Record>)>;
    /// Starts a change: other writers wait until it commits or aborts.
    fn begin(&mut self) -> Result<Catalog>;
    /// Stores version `version` of layer `id`; returns its location.
    fn write_version(&mut self, id: &str, version: u32, written: &Written<'_>) -> Result<String>;
    /// Makes `catalog` the stored one (`changed` are the entries that differ) and deletes the
    /// versions at `dropped`, all at once.
    fn commit(&mut self, catalog: &Catalog, changed: &[CatalogEntry], dropped: &[String]) -> Result<()>;
    /// Ends a change that failed: nothing written since `begin` stays; `catalog` is the one
    /// `begin` returned.
    fn abort(&mut self, catalog: &Catalog);
    /// Removes what writers killed mid-change left, unless a writer is busy (`None`).
    fn clean(&self) -> Result<Option<usize>>;
}

/// The layer catalog and its versions, over one backend: the catalog in memory, the versions
/// in the backend.
#[derive(Debug)]
pub struct Store {
    backend: Box<dyn Backend>,
    catalog: Catalog,
    /// How many versions of each layer are kept (at least 1).
    pub keep_versions: usize,
}

/// The geometry type name of a geometry, as FlatGeobuf names it.
fn type_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::LineString(_) | Geometry::Line(_) => "LineString",
        Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "Unknown",
    }
}

impl Store {
    fn over(backend: Box<dyn Backend>, catalog: Catalog) -> Self {
        Self { backend, catalog, keep_versions: DEFAULT_KEEP_VERSIONS }
    }

    /// Creates a data dir (and its parents) with an empty catalog.
    pub fn create(dir: &Path) -> crate::Result<Self> {
        let (files, catalog) = files::Files::create(dir)?;
        Ok(Self::over(Box::new(files), catalog))
    }

    /// Opens a data dir: reads and checks the catalog and that every current file exists.
    /// Temporary files left by an interrupted publish are ignored.
    pub fn open(dir: &Path) -> crate::Result<Self> {
        let (files, catalog) = files::Files::open(dir)?;
        Ok(Self::over(Box::new(files), catalog))
    }

    /// Creates the gridgis store (schemas, catalog tables) in the PostGIS database at `url`
    /// (`postgres://…`), empty; refused if one is there.
    pub fn create_postgres(url: &str) -> crate::Result<Self> {
        let (pg, catalog) = postgres::Postgres::create(url)?;
        Ok(Self::over(Box::new(pg), catalog))
    }

    /// Opens the gridgis store in the PostGIS database at `url`: reads its catalog.
    pub fn open_postgres(url: &str) -> crate::Result<Self> {
        let (pg, catalog) = postgres::Postgres::open(url)?;
        Ok(Self::over(Box::new(pg), catalog))
    }

    /// `files` or `postgres`.
    pub fn backend(&self) -> &'static str {
        self.backend.kind()
    }

    /// The data dir, or the database URL without its password.
    pub fn describe(&self) -> String {
        self.backend.describe()
    }

    /// Removes what writers killed mid-publish left behind (temporary files, version files the
    /// catalog does not name, empty directories of unknown layers), unless a writer holds the
    /// data dir now (it cleans up itself). Returns the files removed, or `None` when a writer
    /// was busy. A database needs none: its transactions leave nothing.
    pub fn clean(&self) -> crate::Result<Option<usize>> {
        Ok(self.backend.clean()?)
    }

    /// Re-reads the catalog from the backend (what other processes published since).
    pub fn refresh(&mut self) -> crate::Result<()> {
        self.catalog = self.backend.read_catalog()?;
        Ok(())
    }

    /// The features of the current version of layer `id`.
    pub fn read(&self, id: &str) -> crate::Result<Vec<Feature>> {
        let entry =
            self.catalog.get(id).ok_or_else(|| StoreError::UnknownLayer { id: id.to_string(), version: None })?;
        Ok(to_features(self.read_location(id, &entry.file, &entry.fields)?))
    }

    /// The features of version `version` of layer `id`, if it is still kept.
    pub fn read_version(&self, id: &str, version: u32) -> crate::Result<Vec<Feature>> {
        let unknown = || StoreError::UnknownLayer { id: id.to_string(), version: Some(version) };
        let entry = self.catalog.get(id).ok_or_else(unknown)?;
        let (file, fields) = if entry.version == version {
            (&entry.file, &entry.fields)
        } else {
            let v = entry.previous.iter().find(|v| v.version == version).ok_or_else(unknown)?;
            (&v.file, &v.fields)
        };
        Ok(to_features(self.read_location(id, file, fields)?))
    }

    /// The column names and features of the current version of `entry`'s layer, as the
    /// in-memory indexes take them. Safe to call from several threads at once.
    pub(crate) fn read_records(&self, entry: &CatalogEntry) -> crate::Result<(Vec<String>, Vec<Record>)> {
        self.read_location(&entry.id, &entry.file, &entry.fields)
    }

    fn read_location(&self, id: &str, location: &str, fields: &[Field]) -> crate::Result<(Vec<String>, Vec<Record>)> {
        Ok(self.backend.read_records(id, location, fields)?)
    }

    /// Publishes `features` as the next version of layer `meta.id` (version 1 for a new id).
    /// Everything is validated before anything is written; the new version becomes current
    /// all at once (files: the FlatGeobuf file, then the catalog, each replaced atomically;
    /// PostGIS: one transaction), so a crash at any point leaves the previous version current.
    /// Versions beyond [`Store::keep_versions`] are deleted with it.
    pub fn publish(&mut self, meta: LayerMeta, features: &[Feature]) -> crate::Result<CatalogEntry> {
        let mut entries = self.publish_versions(&[(meta, features)])?;
        Ok(entries.remove(0))
    }

    /// Publishes several layers with one catalog change: all are validated before anything is
    /// written, and all become current together (how the demo writes its 1,150 layers
    /// without 1,150 catalog rewrites).
    pub fn publish_many(&mut self, layers: &[(LayerMeta, &[Feature])]) -> crate::Result<Vec<CatalogEntry>> {
        Ok(self.publish_versions(layers)?)
    }

    /// Rolls layer `id` back to its previous kept version; the version rolled back from is
    /// deleted (its number is not reused).
    pub fn rollback(&mut self, id: &str) -> crate::Result<CatalogEntry> {
        Ok(self.change(|store, catalog| store.roll_back(catalog, id))?)
    }

    /// Writes the current version of layer `id` as FlatGeobuf with its index to `out`: the
    /// stored file itself where there is one.
    pub fn write_fgb(&self, id: &str, out: &mut dyn std::io::Write) -> crate::Result<()> {
        let entry =
            self.catalog.get(id).ok_or_else(|| StoreError::UnknownLayer { id: id.to_string(), version: None })?;
        let failed = |path: PathBuf| move |source| StoreError::Io { path, source };
        if let Some(dir) = self.backend.dir() {
            let path = dir.join(&entry.file);
            let mut file = std::fs::File::open(&path).map_err(failed(path.clone()))?;
            std::io::copy(&mut file, out).map_err(failed(path))?;
            return Ok(());
        }
        let features = self.read(id)?;
        let path = PathBuf::from(format!("{}/{}", self.describe(), entry.file));
        fgb::write(&path, id, &entry.geometry_type, &entry.fields, &features, out)?;
        Ok(())
    }

    /// Publishes the current version of every layer of `from` into this store, all in one
    /// change (names, categories, sources and time stamps kept; version numbers are this
    /// store's). Returns the entries published.
    pub fn copy_from(&mut self, from: &Store) -> crate::Result<Vec<CatalogEntry>> {
        let mut layers = Vec::with_capacity(from.catalog.layers.len());
        for e in &from.catalog.layers {
            let meta = LayerMeta {
                id: e.id.clone(),
                name: e.name.clone(),
                category: e.category.clone(),
                kind: e.kind.clone(),
                source_crs: e.source_crs.clone(),
                source_file: e.source_file.clone(),
                updated_at: e.updated_at.clone(),
            };
            layers.push((meta, from.read(&e.id)?));
        }
        let batch: Vec<(LayerMeta, &[Feature])> = layers.iter().map(|(m, f)| (m.clone(), &f[..])).collect();
        self.publish_many(&batch)
    }

    /// The data dir, for the files backend.
    pub fn dir(&self) -> Option<&Path> {
        self.backend.dir()
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Runs a change inside `begin` … `commit`/`abort`, on the catalog as stored now; on
    /// success the returned catalog is the store's.
    fn change<T>(
        &mut self,
        apply: impl FnOnce(&mut Self, &Catalog) -> Result<(Catalog, Vec<CatalogEntry>, Vec<String>, T)>,
    ) -> Result<T> {
        let before = self.backend.begin()?;
        let applied = apply(self, &before).and_then(|(catalog, changed, dropped, out)| {
            self.backend.commit(&catalog, &changed, &dropped)?;
            Ok((catalog, out))
        });
        match applied {
            Ok((catalog, out)) => {
                self.catalog = catalog;
                Ok(out)
            }
            Err(e) => {
                self.backend.abort(&before);
                self.catalog = before;
                Err(e)
            }
        }
    }

    /// Validates every layer, encodes and stores every new version, then changes the catalog
    /// once.
    fn publish_versions(&mut self, layers: &[(LayerMeta, &[Feature])]) -> Result<Vec<CatalogEntry>> {
        let mut prepared = Vec::with_capacity(layers.len());
        let mut seen = std::collections::HashSet::new();
        for (meta, features) in layers {
            if !valid_id(&meta.id) {
                return Err(StoreError::InvalidId { id: meta.id.clone() });
            }
            if !seen.insert(meta.id.as_str()) {
                return Err(StoreError::InvalidId { id: format!("{} (twice in one publish)", meta.id) });
            }
            prepared.push(derive_schema(&meta.id, features)?);
        }
        let keep = self.keep_versions.max(1);
        self.change(|store, before| {
            let mut catalog = before.clone();
            let mut entries = Vec::with_capacity(layers.len());
            let mut dropped = Vec::new();
            for ((meta, features), (fields, geometry_type, bbox)) in layers.iter().zip(prepared) {
                let old = before.get(&meta.id);
                let version = old.map_or(1, |e| e.latest.max(e.version) + 1);
                let path = Path::new("layers").join(&meta.id).join(format!("{version:06}.fgb"));
                let mut bytes = Vec::new();
                fgb::write(&path, &meta.id, &geometry_type, &fields, features, &mut bytes)?;
                let written = Written { fgb: &bytes, fields: &fields, geometry_type: &geometry_type };
                let file = store.backend.write_version(&meta.id, version, &written)?;
                let mut previous: Vec<VersionInfo> = old
                    .map(|e| std::iter::once(e.current()).chain(e.previous.iter().cloned()).collect())
                    .unwrap_or_default();
                if previous.len() >= keep {
                    dropped.extend(previous.drain(keep - 1..).map(|v| v.file));
                }
                let entry = CatalogEntry {
                    id: meta.id.clone(),
                    name: meta.name.clone(),
                    category: meta.category.clone(),
                    kind: meta.kind.clone(),
                    geometry_type,
                    feature_count: features.len() as u64,
                    bbox,
                    fields,
                    source_crs: meta.source_crs.clone(),
                    source_file: meta.source_file.clone(),
                    version,
                    updated_at: meta.updated_at.clone(),
                    file,
                    previous,
                    latest: version,
                };
                catalog.upsert(entry.clone());
                entries.push(entry);
            }
            Ok((catalog, entries.clone(), dropped, entries))
        })
    }

    /// Makes the previous kept version of `id` current again; the version rolled back from
    /// is deleted.
    fn roll_back(
        &mut self,
        before: &Catalog,
        id: &str,
    ) -> Result<(Catalog, Vec<CatalogEntry>, Vec<String>, CatalogEntry)> {
        let entry = before.get(id).ok_or_else(|| StoreError::UnknownLayer { id: id.to_string(), version: None })?;
        let mut entry = entry.clone();
        if entry.previous.is_empty() {
            return Err(StoreError::NoPreviousVersion { id: id.to_string(), version: entry.version });
        }
        let dropped = entry.file.clone();
        let previous = entry.previous.remove(0);
        entry.latest = entry.latest.max(entry.version);
        entry.set_current(previous);
        let mut catalog = before.clone();
        catalog.upsert(entry.clone());
        Ok((catalog, vec![entry.clone()], vec![dropped], entry))
    }
}

/// Records with their column names, as features.
fn to_features((columns, records): (Vec<String>, Vec<Record>)) -> Vec<Feature> {
    records
        .into_iter()
        .map(|r| Feature {
            geometry: r.geometry,
            properties: columns.iter().cloned().zip(r.values.into_vec()).collect(),
        })
        .collect()
}
/// The schema (union of property names in first-seen order, a type each), the geometry type
/// and the bounding box of `features`, or the first feature that does not fit.
fn derive_schema(layer: &str, features: &[Feature]) -> Result<(Vec<Field>, String, Option<[f64; 4]>)> {
    let invalid =
        |index: usize, message: String| StoreError::InvalidFeature { layer: layer.to_string(), index, message };
    // Each field with its type once a non-null value has been seen.
    let mut fields: Vec<(String, Option<FieldType>)> = Vec::new();
    let mut geometry_type: Option<&'static str> = None;
    let mut bbox: Option<[f64; 4]> = None;
    for (index, f) in features.iter().enumerate() {
        if f.geometry.coords_count() == 0 {
            return Err(invalid(index, "empty geometry".into()));
        }
        if f.geometry.coords_iter().any(|c| !(c.x.is_finite() && c.y.is_finite())) {
            return Err(invalid(index, "a coordinate is not a finite number".into()));
        }
        let t = type_name(&f.geometry);
        geometry_type = Some(match geometry_type {
            None => t,
            Some(prev) if prev == t => prev,
            Some(_) => "Unknown",
        });
        if let Some(r) = f.geometry.bounding_rect() {
            let b = bbox.get_or_insert([f64::MAX, f64::MAX, f64::MIN, f64::MIN]);
            b[0] = b[0].min(r.min().x);
            b[1] = b[1].min(r.min().y);
            b[2] = b[2].max(r.max().x);
            b[3] = b[3].max(r.max().y);
        }
        for (i, (name, value)) in f.properties.iter().enumerate() {
            if name.is_empty() || f.properties[..i].iter().any(|(n, _)| n == name) {
                return Err(invalid(index, format!("property name '{name}' is empty or repeated")));
            }
            let t = match value {
                Value::Null => None,
                Value::Bool(_) => Some(FieldType::Bool),
                Value::Int(_) => Some(FieldType::Int),
                Value::Float(_) => Some(FieldType::Float),
                Value::String(_) => Some(FieldType::String),
            };
            let slot = match fields.iter().position(|(n, _)| n == name) {
                Some(p) => &mut fields[p].1,
                None => {
                    fields.push((name.clone(), None));
                    &mut fields.last_mut().expect("just pushed").1
                }
            };
            *slot = match (*slot, t) {
                (prev, None) => prev,
                (None, t) => t,
                (Some(a), Some(b)) if a == b => Some(a),
                (Some(FieldType::Int), Some(FieldType::Float)) | (Some(FieldType::Float), Some(FieldType::Int)) => {
                    Some(FieldType::Float)
                }
                (Some(a), Some(b)) => {
                    return Err(invalid(index, format!("property '{name}' is {b:?} here but {a:?} before")));
                }
            };
        }
    }
    let fields =
        fields.into_iter().map(|(name, t)| Field { name, field_type: t.unwrap_or(FieldType::String) }).collect();
    Ok((fields, geometry_type.unwrap_or("Unknown").to_string(), bbox))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{Point, line_string, point, polygon};

    /// A place for a store: a temporary data dir, and, where `GRIDGIS_TEST_PG` names a
    /// PostgreSQL cluster (`make test` starts one), a new database in it.
    enum Place {
        Files(tempfile::TempDir),
        Postgres(String),
    }

    impl Place {
        fn create(&self) -> Store {
            match self {
                Self::Files(d) => Store::create(d.path()).unwrap(),
                Self::Postgres(url) => Store::create_postgres(url).unwrap(),
            }
        }

        fn open(&self) -> Store {
            match self {
                Self::Files(d) => Store::open(d.path()).unwrap(),
                Self::Postgres(url) => Store::open_postgres(url).unwrap(),
            }
        }
    }

    /// Every backend to run a backend-neutral test on.
    fn places() -> Vec<Place> {
        let mut out = vec![Place::Files(tempfile::tempdir().unwrap())];
        match std::env::var("GRIDGIS_TEST_PG") {
            Ok(url) => out.push(Place::Postgres(postgres::testing::new_database(&url, "layers").unwrap())),
            Err(_) => eprintln!("GRIDGIS_TEST_PG is not set: the PostGIS backend is not tested here"),
        }
        out
    }

    fn store_err<T: std::fmt::Debug>(r: crate::Result<T>) -> StoreError {
        match r {
            Err(crate::LayersError::Store(e)) => e,
            other => panic!("expected a store error, got {other:?}"),
        }
    }

    fn meta(id: &str) -> LayerMeta {
        LayerMeta {
            id: id.into(),
            name: "测试".into(),
            category: "test".into(),
            kind: "thematic".into(),
            source_crs: "wgs84".into(),
            source_file: None,
            updated_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    fn features() -> Vec<Feature> {
        vec![
            Feature {
                geometry: Geometry::Point(point!(x: 116.6, y: 40.3)),
                properties: vec![
                    ("name".into(), Value::String("井盖".into())),
                    ("n".into(), Value::Int(3)),
                    ("ok".into(), Value::Bool(true)),
                ],
            },
            Feature {
                geometry: Geometry::Point(point!(x: 116.7, y: 40.4)),
                properties: vec![
                    ("name".into(), Value::Null),
                    ("n".into(), Value::Int(-4)),
                    ("x".into(), Value::Float(1.5)),
                ],
            },
        ]
    }

    #[test]
    fn publish_read_round_trip_and_versions() {
        for place in places() {
            publish_read_round_trip_and_versions_in(&place);
        }
    }

    fn publish_read_round_trip_and_versions_in(place: &Place) {
        let mut store = place.create();
        store.keep_versions = 2;
        let e = store.publish(meta("poi"), &features()).unwrap();
        assert_eq!((e.version, e.feature_count, e.geometry_type.as_str()), (1, 2, "Point"));
        assert_eq!(e.bbox, Some([116.6, 40.3, 116.7, 40.4]));
        let names: Vec<&str> = e.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["name", "n", "ok", "x"]);
        let back = store.read("poi").unwrap();
        assert_eq!(back.len(), 2);
        let first = back.iter().find(|f| f.get("n") == Some(&Value::Int(3))).unwrap();
        assert_eq!(first.get("name"), Some(&Value::String("井盖".into())));
        assert_eq!(first.get("ok"), Some(&Value::Bool(true)));
        assert_eq!(first.get("x"), Some(&Value::Null));
        let second = back.iter().find(|f| f.get("n") == Some(&Value::Int(-4))).unwrap();
        assert_eq!(second.get("name"), Some(&Value::Null));
        assert_eq!(second.get("x"), Some(&Value::Float(1.5)));
        assert_eq!(second.geometry, Geometry::Point(Point::new(116.7, 40.4)));
        // Versions: 1, 2, 3 → only 2 and 3 kept.
        store.publish(meta("poi"), &features()[..1]).unwrap();
        let e = store.publish(meta("poi"), &features()).unwrap();
        assert_eq!((e.version, e.kept_versions()), (3, vec![3, 2]));
        assert_eq!(store.read_version("poi", 2).unwrap().len(), 1);
        assert!(matches!(store_err(store.read_version("poi", 1)), StoreError::UnknownLayer { .. }));
        // Rollback: back to 2 with its own facts; 3 is gone and its number is not reused.
        let e = store.rollback("poi").unwrap();
        assert_eq!((e.version, e.feature_count, e.kept_versions()), (2, 1, vec![2]));
        assert_eq!(store.read("poi").unwrap().len(), 1);
        assert!(matches!(store_err(store.rollback("poi")), StoreError::NoPreviousVersion { version: 2, .. }));
        assert_eq!(store.publish(meta("poi"), &features()).unwrap().version, 4);
        // A new Store sees what was published.
        let again = place.open();
        assert_eq!(again.catalog(), store.catalog());
        assert_eq!(again.read("poi").unwrap(), store.read("poi").unwrap());
    }

    #[test]
    fn versions_no_longer_kept_are_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path()).unwrap();
        store.keep_versions = 2;
        for _ in 0..3 {
            store.publish(meta("poi"), &features()).unwrap();
        }
        assert!(!dir.path().join("layers/poi/000001.fgb").exists());
        store.rollback("poi").unwrap();
        assert!(!dir.path().join("layers/poi/000003.fgb").exists());
        assert!(dir.path().join("layers/poi/000002.fgb").exists());
    }

    #[test]
    fn writers_with_stale_catalogs_do_not_overwrite_each_other() {
        for place in places() {
            place.create();
            // Two handles opened at the same time, as two processes would.
            let (mut a, mut b) = (place.open(), place.open());
            a.publish(meta("from_a"), &features()).unwrap();
            b.publish(meta("from_b"), &features()).unwrap();
            let ids: Vec<String> = place.open().catalog().layers.iter().map(|l| l.id.clone()).collect();
            assert_eq!(ids, ["from_a", "from_b"]);
        }
    }

    #[test]
    fn publish_many_is_all_or_nothing() {
        for place in places() {
            let mut store = place.create();
            let f = features();
            let entries = store.publish_many(&[(meta("a"), &f[..]), (meta("b"), &f[..1])]).unwrap();
            assert_eq!(entries.len(), 2);
            assert_eq!(place.open().catalog().layers.len(), 2);
            let mut bad = features();
            bad[0].geometry = Geometry::Point(point!(x: f64::INFINITY, y: 0.0));
            assert!(store.publish_many(&[(meta("a"), &f[..]), (meta("c"), &bad[..])]).is_err());
            let again = place.open();
            assert_eq!(again.catalog().get("a").unwrap().version, 1, "a was not republished");
            assert!(again.catalog().get("c").is_none());
            assert!(store.publish_many(&[(meta("d"), &f[..]), (meta("d"), &f[..])]).is_err());
            // A store that fails part-way (PostgreSQL refuses a NUL in text; files keep it):
            // on either backend nothing of the change stays.
            let mut nul = features();
            nul[0].properties[0].1 = Value::String("a\0b".into());
            if let Err(e) = store.publish_many(&[(meta("a"), &f[..]), (meta("e"), &nul[..])]) {
                assert!(e.to_string().contains("NUL"), "{e}");
                let again = place.open();
                assert_eq!(again.catalog().get("a").unwrap().version, 1);
                assert!(again.catalog().get("e").is_none());
                assert_eq!(store.catalog(), again.catalog());
            }
        }
    }

    #[test]
    fn every_geometry_type_round_trips() {
        for place in places() {
            every_geometry_type_round_trips_in(&place);
        }
    }

    fn every_geometry_type_round_trips_in(place: &Place) {
        let mut store = place.create();
        let geoms = vec![
            Geometry::LineString(line_string![(x: 116.0, y: 40.0), (x: 116.1, y: 40.1)]),
            Geometry::Polygon(
                polygon![(x: 116.0, y: 40.0), (x: 116.1, y: 40.0), (x: 116.1, y: 40.1), (x: 116.0, y: 40.0)],
            ),
            Geometry::MultiPoint(vec![point!(x: 116.0, y: 40.0), point!(x: 116.2, y: 40.2)].into()),
        ];
        for (i, g) in geoms.into_iter().enumerate() {
            let id = format!("g{i}");
            let f = vec![Feature { geometry: g.clone(), properties: vec![] }];
            let e = store.publish(meta(&id), &f).unwrap();
            assert_ne!(e.geometry_type, "Unknown");
            assert_eq!(store.read(&id).unwrap()[0].geometry, g);
        }
        // A mixed layer is "Unknown" and still round-trips.
        let mixed = vec![
            Feature { geometry: Geometry::Point(point!(x: 1.0, y: 2.0)), properties: vec![] },
            Feature {
                geometry: Geometry::LineString(line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0)]),
                properties: vec![],
            },
        ];
        assert_eq!(store.publish(meta("mixed"), &mixed).unwrap().geometry_type, "Unknown");
        assert_eq!(store.read("mixed").unwrap().len(), 2);
    }

    #[test]
    fn identical_input_gives_identical_bytes() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        for d in [&a, &b] {
            Store::create(d.path()).unwrap().publish(meta("poi"), &features()).unwrap();
        }
        for f in ["catalog.json", "layers/poi/000001.fgb"] {
            assert_eq!(std::fs::read(a.path().join(f)).unwrap(), std::fs::read(b.path().join(f)).unwrap(), "{f}");
        }
    }

    #[test]
    fn invalid_input_publishes_nothing() {
        for place in places() {
            invalid_input_publishes_nothing_in(&place);
        }
    }

    fn invalid_input_publishes_nothing_in(place: &Place) {
        let mut store = place.create();
        store.publish(meta("poi"), &features()).unwrap();
        let before = place.open().catalog().clone();
        assert!(matches!(store_err(store.publish(meta("Bad Id"), &features())), StoreError::InvalidId { .. }));
        let mut mixed = features();
        mixed[1].properties[1].1 = Value::String("four".into());
        match store_err(store.publish(meta("poi"), &mixed)) {
            StoreError::InvalidFeature { index: 1, message, .. } => assert!(message.contains("'n'"), "{message}"),
            other => panic!("{other:?}"),
        }
        let mut nan = features();
        nan[0].geometry = Geometry::Point(point!(x: f64::NAN, y: 40.0));
        assert!(matches!(store_err(store.publish(meta("poi"), &nan)), StoreError::InvalidFeature { index: 0, .. }));
        assert_eq!(place.open().catalog(), &before);
        assert_eq!(store.catalog().get("poi").unwrap().version, 1);
        if let Place::Files(dir) = place {
            assert!(!dir.path().join("layers/poi/000002.fgb").exists());
        }
    }

    #[test]
    fn broken_data_dirs_give_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(store_err(Store::open(dir.path())), StoreError::NoCatalog { .. }));
        assert!(matches!(store_err(Store::open(&dir.path().join("missing"))), StoreError::Io { .. }));
        let mut store = Store::create(dir.path()).unwrap();
        assert!(matches!(store_err(Store::create(dir.path())), StoreError::CatalogExists { .. }));
        store.publish(meta("poi"), &features()).unwrap();
        // A leftover temporary file from a crash is ignored.
        std::fs::write(dir.path().join("layers/poi/000002.fgb.123.tmp"), b"partial").unwrap();
        std::fs::write(dir.path().join("catalog.json.123.tmp"), b"{partial").unwrap();
        assert_eq!(Store::open(dir.path()).unwrap().catalog().layers.len(), 1);
        store.publish(meta("poi"), &features()).unwrap();
        assert!(!dir.path().join("layers/poi/000002.fgb.123.tmp").exists());
        // A truncated or garbage layer file is an error, not a panic.
        let file = dir.path().join("layers/poi/000002.fgb");
        let bytes = std::fs::read(&file).unwrap();
        for (i, broken) in
            [bytes[..bytes.len() / 2].to_vec(), bytes[..10].to_vec(), vec![0xAB; 4096], b"fgb\x03fgb\x00".repeat(40)]
                .into_iter()
                .enumerate()
        {
            std::fs::write(&file, &broken).unwrap();
            assert!(store.read("poi").is_err(), "case {i}: {:?}", store.read("poi"));
        }
        std::fs::remove_file(&file).unwrap();
        assert!(matches!(store_err(Store::open(dir.path())), StoreError::MissingFile { .. }));
        std::fs::write(dir.path().join(CATALOG_FILE), "{ not json").unwrap();
        match store_err(Store::open(dir.path())) {
            e @ StoreError::CorruptCatalog { .. } => assert!(e.to_string().contains("catalog.json")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn what_killed_writers_leave_is_swept_and_a_failed_publish_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path()).unwrap();
        store.publish(meta("poi"), &features()).unwrap();
        // A writer killed after writing a version file, before the catalog; one killed while
        // writing a new layer's first file.
        let orphan = dir.path().join("layers/poi/000002.fgb");
        std::fs::copy(dir.path().join("layers/poi/000001.fgb"), &orphan).unwrap();
        std::fs::create_dir_all(dir.path().join("layers/fresh")).unwrap();
        std::fs::write(dir.path().join("layers/fresh/000001.fgb.999.tmp"), b"partial").unwrap();
        assert_eq!(store.clean().unwrap(), Some(2));
        assert!(!orphan.exists() && !dir.path().join("layers/fresh").exists());
        assert!(dir.path().join("layers/poi/000001.fgb").exists(), "what the catalog names stays");
        // A publish that fails after its first layer's file was written (the second layer's
        // directory cannot be made): nothing of it stays, the catalog is as it was.
        std::fs::write(dir.path().join("layers/blocked"), b"a file where a directory goes").unwrap();
        let f = features();
        assert!(store.publish_many(&[(meta("poi"), &f[..]), (meta("blocked"), &f[..])]).is_err());
        assert!(!dir.path().join("layers/poi/000002.fgb").exists(), "poi's version 2 removed");
        assert_eq!(Store::open(dir.path()).unwrap().catalog().get("poi").unwrap().version, 1);
        // The next publish sweeps too.
        std::fs::copy(dir.path().join("layers/poi/000001.fgb"), dir.path().join("layers/poi/000007.fgb")).unwrap();
        store.publish(meta("other"), &f).unwrap();
        assert!(!dir.path().join("layers/poi/000007.fgb").exists());
    }
}
