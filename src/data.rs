//! Opening the data dir: the embedded demo dataset where it is missing, then the grids.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use gridgis_engine::{Engine, Geocoder};
use gridgis_layers::{LayerSet, Store};

/// Where a command's data is: the data dir (the settings, keys, staff, the audit log; and the
/// layers and the case log, unless a database keeps them), and where the layers are kept.
#[derive(Clone, Debug)]
pub struct Place {
    /// The data dir.
    pub dir: PathBuf,
    /// A PostGIS database keeping the layers and the case log (`postgres://…`); `None`: the
    /// data dir's files.
    pub store_url: Option<String>,
}

impl Place {
    /// The place of data dir `dir`: the layers in the database `store_url` names (from
    /// `--store` / `GRIDGIS_STORE`), else in the one of `[store] url` in the config (`config`,
    /// else the data dir's `gridgis.toml` if there is one), else in the data dir.
    pub fn resolve(dir: &Path, store_url: Option<String>, config: Option<&Path>) -> anyhow::Result<Self> {
        let store_url = match store_url.filter(|u| !u.is_empty()) {
            Some(u) => Some(u),
            None => {
                let (config, _) = crate::config::Config::load(config, dir)?;
                Some(config.store.url).filter(|u| !u.is_empty())
            }
        };
        if let Some(u) = &store_url
            && !gridgis_layers::postgres_store::is_url(u)
        {
            bail!("--store {u}: give a postgres://… URL (the data dir's files need no --store)");
        }
        Ok(Self { dir: dir.to_path_buf(), store_url })
    }

    /// The place of a data dir whose layers are in it.
    pub fn files(dir: &Path) -> Self {
        Self { dir: dir.to_path_buf(), store_url: None }
    }

    /// The store, for messages: the data dir, or the database URL without its password.
    pub fn describe(&self) -> String {
        match &self.store_url {
            Some(u) => gridgis_layers::postgres_store::redact(u),
            None => self.dir.display().to_string(),
        }
    }

    /// Opens the store of the layers.
    pub fn open_store(&self) -> anyhow::Result<Store> {
        match &self.store_url {
            // The store's errors name it (without the password).
            Some(url) => Ok(Store::open_postgres(url)?),
            None => {
                if !self.dir.exists() {
                    bail!(
                        "no data dir at {} (create one with `gridgis demo --out {}`)",
                        self.dir.display(),
                        self.dir.display()
                    );
                }
                Store::open(&self.dir).with_context(|| format!("cannot open data dir {}", self.dir.display()))
            }
        }
    }

    /// Opens the case log: the table in the database, or the data dir's file (created at the
    /// first case).
    pub fn open_case_log(&self) -> anyhow::Result<gridgis_cases::CaseLog> {
        match &self.store_url {
            Some(url) => Ok(gridgis_cases::CaseLog::open_postgres(url)?),
            None => gridgis_cases::CaseLog::open(&self.dir)
                .with_context(|| format!("cannot open the case log of {}", self.dir.display())),
        }
    }
}

/// A data dir loaded into memory.
#[derive(Debug)]
pub struct Loaded {
    /// Where it was loaded from.
    pub place: Place,
    /// The store (catalog and versions).
    pub store: Store,
    /// The grids and their index.
    pub engine: Engine,
    /// Every layer, indexed (the grid layers among them).
    pub layers: LayerSet,
    /// The geocoder over the gazetteer and the POI layers.
    pub geocoder: Geocoder,
    /// The grids as a tile source.
    pub grids_tiles: gridgis_tiles::GridsSource,
    /// Milliseconds spent reading and indexing.
    pub load_ms: u64,
    /// Of which building the geocoder.
    pub geocoder_ms: u64,
    /// The staff roster.
    pub roster: gridgis_cases::Roster,
    /// The case categories (events, and the component layers').
    pub categories: gridgis_cases::Categories,
    /// The case log, indexed.
    pub cases: gridgis_cases::CaseIndex,
    /// The case log in the database, open (it remembers how far it was read); `None` for the
    /// data dir's file, opened at the first case recorded.
    pub case_log: Option<gridgis_cases::CaseLog>,
    /// How the case log was read.
    pub cases_report: gridgis_cases::LoadReport,
}

/// True when `dir` is missing or an empty directory: a place for the demo dataset.
fn is_vacant(dir: &Path) -> anyhow::Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e).with_context(|| format!("cannot read data dir {}", dir.display())),
    }
}

/// True when the database at `url` holds no gridgis store yet.
fn is_vacant_database(url: &str) -> anyhow::Result<bool> {
    match Store::open_postgres(url) {
        Ok(_) => Ok(false),
        Err(gridgis_layers::LayersError::Store(gridgis_layers::StoreError::NoStore { .. })) => Ok(true),
        Err(e) => Err(e.into()),
    }
}

/// Gives the place the demo dataset where it has none (saying so on stderr). Files: where the
/// data dir is missing or empty, written into a temporary sibling first and renamed into place
/// when complete, so an interrupted run never leaves a half-written data dir. A database: where
/// it holds no store, its layers copied in one transaction, then its case log (the staff go to
/// the data dir, if that is vacant).
pub fn ensure_demo(place: &Place) -> anyhow::Result<()> {
    let Some(url) = &place.store_url else { return ensure_demo_dir(&place.dir) };
    if !is_vacant_database(url)? {
        return Ok(());
    }
    let shown = place.describe();
    eprintln!("gridgis: no store in {shown}; creating one with the embedded demo dataset…");
    let started = Instant::now();
    let tmp = std::env::temp_dir().join(format!("gridgis-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let copied = (|| -> anyhow::Result<usize> {
        gridgis_import::demo::write_demo(&tmp, gridgis_import::demo::DEFAULT_SEED)
            .with_context(|| format!("writing the demo dataset to {}", tmp.display()))?;
        let from = Store::open(&tmp)?;
        let mut to = Store::create_postgres(url).with_context(|| format!("cannot create a store in {shown}"))?;
        let n = to.copy_from(&from).with_context(|| format!("copying the demo's layers into {shown}"))?.len();
        copy_case_log(&Place::files(&tmp), place)?;
        if is_vacant(&place.dir)? {
            std::fs::remove_dir_all(tmp.join("layers"))?;
            std::fs::remove_dir_all(tmp.join("cases"))?;
            std::fs::remove_file(tmp.join(gridgis_layers::CATALOG_FILE))?;
            move_dir(&tmp, &place.dir)?;
        }
        Ok(n)
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    eprintln!(
        "gridgis: demo dataset ({} layers) written to {shown} in {:.1} s",
        copied?,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Copies the case log of `from` into that of `to`: into the database's table (cases whose
/// ids it holds passed over), or into a data dir that has no log yet. Returns how many cases
/// were copied.
pub fn copy_case_log(from: &Place, to: &Place) -> anyhow::Result<u64> {
    let lines = match &from.store_url {
        Some(url) => gridgis_cases::PgCaseLog::open(url)?.lines()?,
        None => gridgis_cases::CaseLog::read_file(&from.dir)?,
    };
    if lines.is_empty() {
        return Ok(0);
    }
    match &to.store_url {
        Some(url) => Ok(gridgis_cases::PgCaseLog::open(url)?.import(&lines)?),
        None => {
            if to.dir.join(gridgis_cases::LOG_FILE).exists() {
                bail!("{} has a case log already", to.dir.join(gridgis_cases::LOG_FILE).display());
            }
            gridgis_cases::CaseLog::write_all(&to.dir, &lines)?;
            Ok(lines.len() as u64)
        }
    }
}

/// Renames `from` to the vacant `to` (across file systems: copies, then removes).
fn move_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    if to.exists() {
        std::fs::remove_dir(to).with_context(|| format!("cannot replace empty {}", to.display()))?;
    }
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    fn copy(from: &Path, to: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(to)?;
        for e in std::fs::read_dir(from)? {
            let e = e?;
            if e.file_type()?.is_dir() {
                copy(&e.path(), &to.join(e.file_name()))?;
            } else {
                std::fs::copy(e.path(), to.join(e.file_name()))?;
            }
        }
        Ok(())
    }
    copy(from, to).with_context(|| format!("cannot move the demo's staff and cases to {}", to.display()))
}

fn ensure_demo_dir(dir: &Path) -> anyhow::Result<()> {
    if !is_vacant(dir)? {
        return Ok(());
    }
    eprintln!(
        "gridgis: no data at {}; creating it with the embedded demo dataset (seed {})…",
        dir.display(),
        gridgis_import::demo::DEFAULT_SEED
    );
    let started = Instant::now();
    let name = dir.file_name().map_or_else(|| "gridgis-data".into(), |n| n.to_string_lossy().into_owned());
    let parent =
        dir.parent().filter(|p| !p.as_os_str().is_empty()).map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    std::fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let tmp = parent.join(format!(".{name}.demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    gridgis_import::demo::write_demo(&tmp, gridgis_import::demo::DEFAULT_SEED)
        .with_context(|| format!("writing the demo dataset to {}", tmp.display()))?;
    if dir.exists() {
        // An empty directory: rename cannot replace it on every platform, so remove it first.
        std::fs::remove_dir(dir).with_context(|| format!("cannot replace empty {}", dir.display()))?;
    }
    std::fs::rename(&tmp, dir).with_context(|| format!("cannot move the demo dataset to {}", dir.display()))?;
    eprintln!("gridgis: demo dataset written to {} in {:.1} s", dir.display(), started.elapsed().as_secs_f64());
    Ok(())
}

/// Opens an existing store and data dir and loads them.
pub fn load(place: &Place) -> anyhow::Result<Loaded> {
    let started = Instant::now();
    let dir = place.dir.as_path();
    let store = place.open_store()?;
    let shown = place.describe();
    let hierarchy =
        gridgis_layers::load_hierarchy(&store).with_context(|| format!("cannot load the grids of {shown}"))?;
    let engine = Engine::new(hierarchy);
    let grids_ms = started.elapsed().as_millis() as u64;
    // The staff, the case log and the tiles' topology need only the grids: read and built on
    // a second thread while the layers load and the geocoder is built.
    let ((layers, geocoder, layers_ms, geocoder_ms), side) = std::thread::scope(|s| {
        let side = s.spawn(|| -> anyhow::Result<_> {
            let t = Instant::now();
            let grids_tiles = gridgis_tiles::GridsSource::new(engine.hierarchy())
                .with_context(|| format!("the grids of {shown} do not share their boundaries"))?;
            let topology_ms = t.elapsed().as_millis() as u64;
            let roster = gridgis_cases::Roster::load(dir)?;
            let (cases, case_log) = match &place.store_url {
                Some(_) => {
                    let mut log = place.open_case_log()?;
                    (log.load_index(engine.hierarchy())?, Some(log))
                }
                None => (gridgis_cases::CaseIndex::load(dir, engine.hierarchy())?, None),
            };
            let staff_cases_ms = t.elapsed().as_millis() as u64 - topology_ms;
            Ok((grids_tiles, roster, cases, case_log, topology_ms, staff_cases_ms))
        });
        let main = (|| -> anyhow::Result<_> {
            let t = Instant::now();
            let layers = LayerSet::load(&store).with_context(|| format!("cannot load the layers of {shown}"))?;
            let layers_ms = t.elapsed().as_millis() as u64;
            let t = Instant::now();
            let geocoder = gridgis_layers::build_geocoder(&engine, &layers)
                .with_context(|| format!("cannot build the geocoder over {shown}"))?;
            Ok((layers, geocoder, layers_ms, t.elapsed().as_millis() as u64))
        })();
        let side = side.join().map_err(|_| anyhow::anyhow!("loading the staff and cases panicked"))?;
        main.map(|main| (main, side))
    })?;
    let (grids_tiles, roster, (cases, cases_report), case_log, topology_ms, staff_cases_ms) = side?;
    // Where start-up goes, for sizing a deployment: the grids first, then the layers and the
    // geocoder on this thread while the tiles' topology, the roster and the cases load on another.
    tracing::debug!(grids_ms, layers_ms, geocoder_ms, topology_ms, staff_cases_ms, "load phases");
    let categories = gridgis_cases::Categories::new(&layers);
    if cases_report.skipped > 0 {
        tracing::warn!(
            skipped = cases_report.skipped,
            lines = ?cases_report.skipped_lines,
            "{}: lines that are not cases were skipped",
            match &place.store_url {
                Some(_) => format!("{shown}, table gridgis.cases"),
                None => dir.join(gridgis_cases::LOG_FILE).display().to_string(),
            }
        );
    }
    let load_ms = started.elapsed().as_millis() as u64;
    Ok(Loaded {
        place: place.clone(),
        store,
        engine,
        layers,
        geocoder,
        grids_tiles,
        load_ms,
        geocoder_ms,
        roster,
        categories,
        cases,
        cases_report,
        case_log,
    })
}

/// [`ensure_demo`] then [`load`]: what `serve` and `locate` do.
pub fn open_or_create(place: &Place) -> anyhow::Result<Loaded> {
    ensure_demo(place)?;
    load(place)
}

/// The time stamp of a new layer version, shared by the CLI's imports and the server's uploads.
/// Now as RFC 3339 UTC, without a date crate: seconds since the epoch, civil calendar.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3_600, rem % 3_600 / 60, rem % 60)
}

/// This process's start second, in hex: request and job ids carry it so that a restarted
/// server's ids never repeat the previous one's.
pub fn process_stamp() -> &'static str {
    static STAMP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    STAMP.get_or_init(|| {
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        format!("{secs:x}")
    })
}
