//! The data dir: the catalog and the layer files, published atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use geo::{BoundingRect, CoordsIter};
use geo_types::Geometry;

use crate::catalog::{Catalog, CatalogEntry, FORMAT_VERSION, Field, FieldType, VersionInfo, valid_id};
use crate::feature::{Feature, Value};
use crate::fgb::{self, FgbError};

/// Name of the catalog file in a data dir.
pub const CATALOG_FILE: &str = "catalog.json";
/// Versions kept per layer unless the store is told otherwise ([`Store::keep_versions`]): the
/// current one and four to roll back through.
pub const DEFAULT_KEEP_VERSIONS: usize = 5;
/// The lock file writers hold while they publish.
const LOCK_FILE: &str = ".lock";

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
        /// The catalog file.
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
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { path: path.to_path_buf(), source }
}

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

/// A data dir: the catalog in memory, the layer files on disk.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    catalog: Catalog,
    /// How many versions of each layer are kept on disk (at least 1).
    pub keep_versions: usize,
}

/// Writes `bytes` to `path` through a temporary sibling: write, fsync, rename, fsync the
/// directory. Readers see the old file or the new one, never a part.
fn write_atomic(path: &Path, write: impl FnOnce(&mut std::fs::File) -> Result<()>) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(tmp_name);
    let result = (|| {
        let mut file = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        write(&mut file)?;
        file.sync_all().map_err(io(&tmp))?;
        drop(file);
        std::fs::rename(&tmp, path).map_err(io(path))?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes `bytes` to `path` as every file of the data dir is written: through a temporary
/// sibling, fsynced, renamed into place, the directory fsynced. Readers see the old file or the
/// new one, never a part.
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic(path, |f| f.write_all(bytes).map_err(io(path)))
}

fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
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
    /// Creates a data dir (and its parents) with an empty catalog.
    pub fn create(dir: &Path) -> crate::Result<Self> {
        Ok(Self::create_store(dir)?)
    }

    /// Opens a data dir: reads and checks the catalog and that every current file exists.
    /// Temporary files left by an interrupted publish are ignored.
    pub fn open(dir: &Path) -> crate::Result<Self> {
        Ok(Self::open_store(dir)?)
    }

    /// Removes what writers killed mid-publish left behind (temporary files, version files the
    /// catalog does not name, empty directories of unknown layers), unless a writer holds the
    /// data dir now (it cleans up itself). Returns the files removed, or `None` when a writer
    /// was busy.
    pub fn clean(&self) -> crate::Result<Option<usize>> {
        let (lock, lock_path) = self.lock_file()?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&lock_path)(e).into()),
        }
        let catalog = read_catalog(&self.dir)?;
        remove_temporaries(&self.dir);
        Ok(Some(sweep(&self.dir, &catalog)))
    }

    /// The features of the current version of layer `id`.
    pub fn read(&self, id: &str) -> crate::Result<Vec<Feature>> {
        Ok(self.read_current(id)?)
    }

    /// The features of version `version` of layer `id`, if it is still kept.
    pub fn read_version(&self, id: &str, version: u32) -> crate::Result<Vec<Feature>> {
        Ok(self.read_kept(id, version)?)
    }

    /// Publishes `features` as the next version of layer `meta.id` (version 1 for a new id).
    /// Everything is validated before anything is written; then the FlatGeobuf file and the
    /// catalog are each replaced atomically, the file first, so a crash at any point leaves
    /// the previous version current. Versions beyond [`Store::keep_versions`] are deleted
    /// after the new catalog is in place.
    pub fn publish(&mut self, meta: LayerMeta, features: &[Feature]) -> crate::Result<CatalogEntry> {
        let mut entries = self.locked(|s| s.publish_versions(&[(meta, features)]))?;
        Ok(entries.remove(0))
    }

    /// Publishes several layers with one catalog replacement: all are validated before any
    /// file is written, and all become current together (how the demo writes its 1,150
    /// layers without 1,150 catalog rewrites).
    pub fn publish_many(&mut self, layers: &[(LayerMeta, &[Feature])]) -> crate::Result<Vec<CatalogEntry>> {
        Ok(self.locked(|s| s.publish_versions(layers))?)
    }

    /// Rolls layer `id` back to its previous kept version; the version rolled back from is
    /// deleted (its number is not reused).
    pub fn rollback(&mut self, id: &str) -> crate::Result<CatalogEntry> {
        Ok(self.locked(|s| s.roll_back(id))?)
    }
    fn create_store(dir: &Path) -> Result<Self> {
        if dir.join(CATALOG_FILE).exists() {
            return Err(StoreError::CatalogExists { dir: dir.to_path_buf() });
        }
        std::fs::create_dir_all(dir.join("layers")).map_err(io(dir))?;
        let store = Self { dir: dir.to_path_buf(), catalog: Catalog::new(), keep_versions: DEFAULT_KEEP_VERSIONS };
        store.write_catalog(&store.catalog)?;
        Ok(store)
    }

    fn open_store(dir: &Path) -> Result<Self> {
        let catalog = read_catalog(dir)?;
        Ok(Self { dir: dir.to_path_buf(), catalog, keep_versions: DEFAULT_KEEP_VERSIONS })
    }

    /// The data dir's lock file, opened (made if missing), not yet locked.
    fn lock_file(&self) -> Result<(std::fs::File, PathBuf)> {
        let lock_path = self.dir.join(LOCK_FILE);
        let lock = std::fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        Ok((lock, lock_path))
    }

    /// Runs a change under the data dir's lock file, on the catalog as it is on disk now, so
    /// writers in different processes (a server taking an upload, `gridgis import` beside it)
    /// apply their changes one after the other instead of overwriting each other's. The lock
    /// goes with the process if it dies.
    fn locked<T>(&mut self, change: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let (lock, lock_path) = self.lock_file()?;
        lock.lock().map_err(io(&lock_path))?;
        self.catalog = read_catalog(&self.dir)?;
        let result = change(self);
        drop(lock);
        result
    }
}

/// Reads and checks `dir`'s catalog, and that every current file exists.
fn read_catalog(dir: &Path) -> Result<Catalog> {
    {
        let path = dir.join(CATALOG_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !dir.is_dir() {
                    return Err(StoreError::Io {
                        path: dir.to_path_buf(),
                        source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory"),
                    });
                }
                return Err(StoreError::NoCatalog { dir: dir.to_path_buf() });
            }
            Err(e) => return Err(io(&path)(e)),
        };
        let corrupt = |message: String| StoreError::CorruptCatalog { path: path.clone(), message };
        let catalog: Catalog = serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
        if catalog.format != "gridgis-catalog" || catalog.format_version != FORMAT_VERSION {
            return Err(corrupt(format!(
                "format '{}' version {} is not gridgis-catalog version {FORMAT_VERSION}",
                catalog.format, catalog.format_version
            )));
        }
        for entry in &catalog.layers {
            if !valid_id(&entry.id) || entry.file.contains("..") {
                return Err(corrupt(format!("bad entry '{}'", entry.id)));
            }
            let file = dir.join(&entry.file);
            if !file.is_file() {
                return Err(StoreError::MissingFile { layer: entry.id.clone(), path: file });
            }
        }
        Ok(catalog)
    }
}

impl Store {
    /// The data dir.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    fn read_current(&self, id: &str) -> Result<Vec<Feature>> {
        let entry =
            self.catalog.get(id).ok_or_else(|| StoreError::UnknownLayer { id: id.to_string(), version: None })?;
        Ok(fgb::read_all(&self.dir.join(&entry.file))?)
    }

    fn read_kept(&self, id: &str, version: u32) -> Result<Vec<Feature>> {
        let unknown = || StoreError::UnknownLayer { id: id.to_string(), version: Some(version) };
        let entry = self.catalog.get(id).ok_or_else(unknown)?;
        let file = if entry.version == version {
            &entry.file
        } else {
            &entry.previous.iter().find(|v| v.version == version).ok_or_else(unknown)?.file
        };
        Ok(fgb::read_all(&self.dir.join(file))?)
    }

    /// Validates every layer, writes every file, then replaces the catalog once.
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
        // Files of dead writers (killed mid-publish) first: under the lock, no live writer's.
        sweep(&self.dir, &self.catalog);
        let mut written = Vec::new();
        let published = self.write_versions(layers, prepared, &mut written);
        if published.is_err() {
            // Nothing the catalog does not name may stay: the versions written for a publish
            // that failed (a later layer's file, or the catalog itself, did not fit) go.
            for path in &written {
                let _ = std::fs::remove_file(path);
            }
            sweep(&self.dir, &self.catalog);
        }
        published
    }

    /// Writes each layer's next version, then the catalog naming them; `written` collects the
    /// files renamed into place, for the caller to remove should anything fail.
    fn write_versions(
        &mut self,
        layers: &[(LayerMeta, &[Feature])],
        prepared: Vec<(Vec<Field>, String, Option<[f64; 4]>)>,
        written: &mut Vec<PathBuf>,
    ) -> Result<Vec<CatalogEntry>> {
        let mut catalog = self.catalog.clone();
        let mut entries = Vec::with_capacity(layers.len());
        let mut dropped = Vec::new();
        for ((meta, features), (fields, geometry_type, bbox)) in layers.iter().zip(prepared) {
            let old = self.catalog.get(&meta.id);
            let version = old.map_or(1, |e| e.latest.max(e.version) + 1);
            let layer_dir = self.dir.join("layers").join(&meta.id);
            std::fs::create_dir_all(&layer_dir).map_err(io(&layer_dir))?;
            let rel = version_file(&meta.id, version);
            let path = self.dir.join(&rel);
            write_atomic(&path, |file| {
                let mut w = std::io::BufWriter::new(file);
                fgb::write(&path, &meta.id, &geometry_type, &fields, features, &mut w)?;
                w.flush().map_err(io(&path))
            })?;
            written.push(path);
            let mut previous: Vec<VersionInfo> = old
                .map(|e| std::iter::once(e.current()).chain(e.previous.iter().cloned()).collect())
                .unwrap_or_default();
            let keep = self.keep_versions.max(1);
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
                file: rel.to_string_lossy().replace('\\', "/"),
                previous,
                latest: version,
            };
            catalog.upsert(entry.clone());
            entries.push(entry);
        }
        self.write_catalog(&catalog)?;
        self.catalog = catalog;
        for file in dropped {
            let _ = std::fs::remove_file(self.dir.join(file));
        }
        Ok(entries)
    }

    /// Makes the previous kept version of `id` current again, then deletes the file of the
    /// version rolled back from.
    fn roll_back(&mut self, id: &str) -> Result<CatalogEntry> {
        sweep(&self.dir, &self.catalog);
        let entry =
            self.catalog.get(id).ok_or_else(|| StoreError::UnknownLayer { id: id.to_string(), version: None })?;
        let mut entry = entry.clone();
        if entry.previous.is_empty() {
            return Err(StoreError::NoPreviousVersion { id: id.to_string(), version: entry.version });
        }
        let dropped = entry.file.clone();
        let previous = entry.previous.remove(0);
        entry.latest = entry.latest.max(entry.version);
        entry.set_current(previous);
        let mut catalog = self.catalog.clone();
        catalog.upsert(entry.clone());
        self.write_catalog(&catalog)?;
        self.catalog = catalog;
        let _ = std::fs::remove_file(self.dir.join(dropped));
        Ok(entry)
    }

    fn write_catalog(&self, catalog: &Catalog) -> Result<()> {
        // Temporary catalogs left by writers killed mid-write.
        remove_temporaries(&self.dir);
        let path = self.dir.join(CATALOG_FILE);
        let mut text = serde_json::to_vec_pretty(catalog)
            .map_err(|e| StoreError::CorruptCatalog { path: path.clone(), message: e.to_string() })?;
        text.push(b'\n');
        write_atomic(&path, |f| f.write_all(&text).map_err(io(&path)))
    }
}

/// `layers/{id}/{version:06}.fgb`, relative to the data dir.
fn version_file(id: &str, version: u32) -> PathBuf {
    Path::new("layers").join(id).join(format!("{version:06}.fgb"))
}

/// Removes what writers killed mid-publish leave under `layers/`: temporary files, version
/// files the catalog does not name (written, but the catalog never replaced), and the
/// directories of layers the catalog does not have once empty. Only under the writer lock:
/// then no live writer has files in flight. Returns how many files went.
fn sweep(dir: &Path, catalog: &Catalog) -> usize {
    let named: std::collections::HashSet<PathBuf> = catalog
        .layers
        .iter()
        .flat_map(|e| std::iter::once(&e.file).chain(e.previous.iter().map(|v| &v.file)))
        .map(|f| dir.join(f))
        .collect();
    let mut removed = 0;
    let Ok(layer_dirs) = std::fs::read_dir(dir.join("layers")) else { return 0 };
    for d in layer_dirs.flatten().filter(|d| d.file_type().is_ok_and(|t| t.is_dir())) {
        let Ok(files) = std::fs::read_dir(d.path()) else { continue };
        for f in files.flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            let version_file =
                name.len() == 10 && name.ends_with(".fgb") && name[..6].bytes().all(|b| b.is_ascii_digit());
            if (name.ends_with(".tmp") || (version_file && !named.contains(&f.path())))
                && std::fs::remove_file(f.path()).is_ok()
            {
                removed += 1;
            }
        }
        let id = d.file_name().to_string_lossy().into_owned();
        if catalog.get(&id).is_none() {
            // Fails, as it should, unless empty.
            let _ = std::fs::remove_dir(d.path());
        }
    }
    removed
}

/// Removes temporary files an interrupted publish may have left in a directory.
fn remove_temporaries(layer_dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(layer_dir) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().ends_with(".tmp") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
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
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path()).unwrap();
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
        assert!(!dir.path().join("layers/poi/000001.fgb").exists());
        assert_eq!(store.read_version("poi", 2).unwrap().len(), 1);
        assert!(matches!(store_err(store.read_version("poi", 1)), StoreError::UnknownLayer { .. }));
        // Rollback: back to 2 with its own facts; 3 is gone and its number is not reused.
        let e = store.rollback("poi").unwrap();
        assert_eq!((e.version, e.feature_count, e.kept_versions()), (2, 1, vec![2]));
        assert!(!dir.path().join("layers/poi/000003.fgb").exists());
        assert_eq!(store.read("poi").unwrap().len(), 1);
        assert!(matches!(store_err(store.rollback("poi")), StoreError::NoPreviousVersion { version: 2, .. }));
        assert_eq!(store.publish(meta("poi"), &features()).unwrap().version, 4);
        // A new Store sees what was published.
        let again = Store::open(dir.path()).unwrap();
        assert_eq!(again.catalog(), store.catalog());
    }

    #[test]
    fn writers_with_stale_catalogs_do_not_overwrite_each_other() {
        let dir = tempfile::tempdir().unwrap();
        Store::create(dir.path()).unwrap();
        // Two handles opened at the same time, as two processes would.
        let (mut a, mut b) = (Store::open(dir.path()).unwrap(), Store::open(dir.path()).unwrap());
        a.publish(meta("from_a"), &features()).unwrap();
        b.publish(meta("from_b"), &features()).unwrap();
        let ids: Vec<String> = Store::open(dir.path()).unwrap().catalog().layers.iter().map(|l| l.id.clone()).collect();
        assert_eq!(ids, ["from_a", "from_b"]);
    }

    #[test]
    fn publish_many_is_all_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path()).unwrap();
        let f = features();
        let entries = store.publish_many(&[(meta("a"), &f[..]), (meta("b"), &f[..1])]).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(Store::open(dir.path()).unwrap().catalog().layers.len(), 2);
        let mut bad = features();
        bad[0].geometry = Geometry::Point(point!(x: f64::INFINITY, y: 0.0));
        assert!(store.publish_many(&[(meta("a"), &f[..]), (meta("c"), &bad[..])]).is_err());
        let again = Store::open(dir.path()).unwrap();
        assert_eq!(again.catalog().get("a").unwrap().version, 1, "a was not republished");
        assert!(again.catalog().get("c").is_none());
        assert!(store.publish_many(&[(meta("d"), &f[..]), (meta("d"), &f[..])]).is_err());
    }

    #[test]
    fn every_geometry_type_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path()).unwrap();
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
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path()).unwrap();
        store.publish(meta("poi"), &features()).unwrap();
        let before = std::fs::read(dir.path().join(CATALOG_FILE)).unwrap();
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
        assert_eq!(std::fs::read(dir.path().join(CATALOG_FILE)).unwrap(), before);
        assert_eq!(store.catalog().get("poi").unwrap().version, 1);
        assert!(!dir.path().join("layers/poi/000002.fgb").exists());
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
