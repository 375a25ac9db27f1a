//! The embedded backend: a data dir holding `catalog.json` and one FlatGeobuf file per layer
//! version, each replaced atomically, writers taking turns through a lock file.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{Backend, Result, StoreError, Written};
use crate::catalog::{Catalog, FORMAT_VERSION, Field, valid_id};
use crate::fgb::{self, Record};

/// Name of the catalog file in a data dir.
pub const CATALOG_FILE: &str = "catalog.json";
/// The lock file writers hold while they publish.
const LOCK_FILE: &str = ".lock";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io { path: path.to_path_buf(), source }
}

/// A data dir; while a change is in progress, its lock and the files the change wrote.
#[derive(Debug)]
pub(super) struct Files {
    dir: PathBuf,
    lock: Option<std::fs::File>,
    written: Vec<PathBuf>,
}

impl Files {
    /// Makes `dir` (and its parents) a data dir with an empty catalog.
    pub(super) fn create(dir: &Path) -> Result<(Self, Catalog)> {
        if dir.join(CATALOG_FILE).exists() {
            return Err(StoreError::CatalogExists { dir: dir.to_path_buf() });
        }
        std::fs::create_dir_all(dir.join("layers")).map_err(io(dir))?;
        let files = Self { dir: dir.to_path_buf(), lock: None, written: Vec::new() };
        let catalog = Catalog::new();
        files.write_catalog(&catalog)?;
        Ok((files, catalog))
    }

    /// Opens the data dir `dir`: its catalog, checked.
    pub(super) fn open(dir: &Path) -> Result<(Self, Catalog)> {
        let catalog = read_catalog(dir)?;
        Ok((Self { dir: dir.to_path_buf(), lock: None, written: Vec::new() }, catalog))
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

impl Backend for Files {
    fn describe(&self) -> String {
        self.dir.display().to_string()
    }

    fn kind(&self) -> &'static str {
        "files"
    }

    fn dir(&self) -> Option<&Path> {
        Some(&self.dir)
    }

    fn read_catalog(&self) -> Result<Catalog> {
        read_catalog(&self.dir)
    }

    fn read_records(&self, _layer: &str, location: &str, _fields: &[Field]) -> Result<(Vec<String>, Vec<Record>)> {
        Ok(fgb::read_records(&self.dir.join(location))?)
    }

    /// Takes the lock file, so that writers in different processes (a server taking an upload,
    /// `gridgis import` beside it) apply their changes one after the other, each on the catalog
    /// as the one before left it. The lock goes with the process if it dies.
    fn begin(&mut self) -> Result<Catalog> {
        let (lock, lock_path) = self.lock_file()?;
        lock.lock().map_err(io(&lock_path))?;
        self.lock = Some(lock);
        self.written.clear();
        let catalog = match read_catalog(&self.dir) {
            Ok(c) => c,
            Err(e) => {
                self.lock = None;
                return Err(e);
            }
        };
        // Files of dead writers (killed mid-publish) first: under the lock, no live writer's.
        sweep(&self.dir, &catalog);
        Ok(catalog)
    }

    fn write_version(&mut self, id: &str, version: u32, written: &Written<'_>) -> Result<String> {
        let layer_dir = self.dir.join("layers").join(id);
        std::fs::create_dir_all(&layer_dir).map_err(io(&layer_dir))?;
        let rel = Path::new("layers").join(id).join(format!("{version:06}.fgb"));
        let path = self.dir.join(&rel);
        write_atomic(&path, |file| file.write_all(written.fgb).map_err(io(&path)))?;
        self.written.push(path);
        Ok(rel.to_string_lossy().replace('\\', "/"))
    }

    /// Replaces the catalog, then deletes the files of the versions no longer kept.
    fn commit(&mut self, catalog: &Catalog, _changed: &[crate::CatalogEntry], dropped: &[String]) -> Result<()> {
        self.write_catalog(catalog)?;
        for file in dropped {
            let _ = std::fs::remove_file(self.dir.join(file));
        }
        self.written.clear();
        self.lock = None;
        Ok(())
    }

    /// Nothing the catalog does not name may stay: the versions written for a change that
    /// failed (a later layer's file, or the catalog itself, did not fit) go.
    fn abort(&mut self, catalog: &Catalog) {
        for path in self.written.drain(..) {
            let _ = std::fs::remove_file(path);
        }
        sweep(&self.dir, catalog);
        self.lock = None;
    }

    fn clean(&self) -> Result<Option<usize>> {
        let (lock, lock_path) = self.lock_file()?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
            Err(std::fs::TryLockError::Error(e)) => return Err(io(&lock_path)(e)),
        }
        let catalog = read_catalog(&self.dir)?;
        remove_temporaries(&self.dir);
        Ok(Some(sweep(&self.dir, &catalog)))
    }
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

/// Reads and checks `dir`'s catalog, and that every current file exists.
fn read_catalog(dir: &Path) -> Result<Catalog> {
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
