//! Opening the data dir: the embedded demo dataset where it is missing, then the grids.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use gridgis_engine::{Engine, Geocoder};
use gridgis_layers::{LayerSet, Store};

/// A data dir loaded into memory.
#[derive(Debug)]
pub struct Loaded {
    /// The store (catalog and files).
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

/// Writes the demo dataset into `dir` if it is missing or empty (saying so on stderr): into a
/// temporary sibling first, renamed into place when complete, so an interrupted run never
/// leaves a half-written data dir.
pub fn ensure_demo(dir: &Path) -> anyhow::Result<()> {
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

/// Opens an existing data dir and loads its grids.
pub fn load(dir: &Path) -> anyhow::Result<Loaded> {
    let started = Instant::now();
    if !dir.exists() {
        bail!("no data dir at {} (create one with `gridgis demo --out {}`)", dir.display(), dir.display());
    }
    let store = Store::open(dir).with_context(|| format!("cannot open data dir {}", dir.display()))?;
    let hierarchy = gridgis_layers::load_hierarchy(&store)
        .with_context(|| format!("cannot load the grids of {}", dir.display()))?;
    let engine = Engine::new(hierarchy);
    // The staff, the case log and the tiles' topology need only the grids: read and built on
    // a second thread while the layers load and the geocoder is built.
    let (layers, geocoder, geocoder_ms, side) = std::thread::scope(|s| {
        let side = s.spawn(|| -> anyhow::Result<_> {
            let grids_tiles = gridgis_tiles::GridsSource::new(engine.hierarchy())
                .with_context(|| format!("the grids of {} do not share their boundaries", dir.display()))?;
            let roster = gridgis_cases::Roster::load(dir)?;
            let cases = gridgis_cases::CaseIndex::load(dir, engine.hierarchy())?;
            Ok((grids_tiles, roster, cases))
        });
        let main = (|| -> anyhow::Result<_> {
            let layers =
                LayerSet::load(&store).with_context(|| format!("cannot load the layers of {}", dir.display()))?;
            let t = Instant::now();
            let geocoder = gridgis_layers::build_geocoder(&engine, &layers)
                .with_context(|| format!("cannot build the geocoder over {}", dir.display()))?;
            Ok((layers, geocoder, t.elapsed().as_millis() as u64))
        })();
        let side = side.join().map_err(|_| anyhow::anyhow!("loading the staff and cases panicked"))?;
        main.map(|(l, g, ms)| (l, g, ms, side))
    })?;
    let (grids_tiles, roster, (cases, cases_report)) = side?;
    let categories = gridgis_cases::Categories::new(&layers);
    if cases_report.skipped > 0 {
        tracing::warn!(
            skipped = cases_report.skipped,
            lines = ?cases_report.skipped_lines,
            "{}: lines that are not cases were skipped",
            dir.join(gridgis_cases::LOG_FILE).display()
        );
    }
    let load_ms = started.elapsed().as_millis() as u64;
    Ok(Loaded {
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
    })
}

/// [`ensure_demo`] then [`load`]: what `serve` and `locate` do.
pub fn open_or_create(dir: &Path) -> anyhow::Result<Loaded> {
    ensure_demo(dir)?;
    load(dir)
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
