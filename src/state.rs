//! The state every HTTP handler shares. Handlers take what they need from here, never from
//! the module that mounts them.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use arc_swap::ArcSwap;
use gridgis_engine::{Engine, Geocoder};
use gridgis_layers::{LayerSet, Store};

use crate::auth::ApiKeys;
use crate::data::Loaded;

/// Request limits, and how tiles are served.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest accepted request body, bytes.
    pub max_body_bytes: usize,
    /// Most points in one `POST /grids/locate`.
    pub max_batch_points: usize,
    /// Most addresses in one `POST /geocode`.
    pub max_batch_addresses: usize,
    /// Default tolerance for points outside the district, metres.
    pub default_max_distance_m: f64,
    /// Largest tolerance a caller may ask for, metres.
    pub max_max_distance_m: f64,
    /// Largest layer upload, bytes.
    pub max_upload_bytes: usize,
    /// Features per page of `/layers/{id}/features` when no limit is asked for.
    pub default_page: usize,
    /// Most features one page may hold.
    pub max_page: usize,
    /// Bytes of rendered tiles the tile cache holds.
    pub tile_cache_bytes: u64,
    /// Tile extent and buffer.
    pub tiles: gridgis_tiles::TileOptions,
}

impl Default for Limits {
    fn default() -> Self {
        // 200,000 points is twice the largest batch the case-intake system sends (a year of
        // cases is ~100,000); at ~60 bytes a point that is 12 MB of JSON, under the 32 MiB cap.
        Self {
            max_body_bytes: 32 * 1024 * 1024,
            max_batch_points: 200_000,
            // A year of the district's cases (~100,000) in one request; at ~100 bytes an
            // address that is 10 MB of JSON, under the body cap.
            max_batch_addresses: 100_000,
            default_max_distance_m: 500.0,
            max_max_distance_m: 50_000.0,
            // A city's largest layers (building footprints, 100k+ polygons) are a few hundred MB
            // as GeoJSON; 1 GiB leaves room and still bounds what one request can hold.
            max_upload_bytes: 1 << 30,
            default_page: 1_000,
            max_page: 10_000,
            // A district's grids at every zoom to 16 and the layers operators keep open fit
            // many times over; the machine has 24 GiB.
            tile_cache_bytes: 512 << 20,
            tiles: gridgis_tiles::TileOptions::default(),
        }
    }
}

/// What a config reload may change while serving (`SIGHUP`): who may read, how fast, how
/// much. A request reads it once, at its start.
#[derive(Debug)]
pub struct Policy {
    /// Request limits (the body cap and the tile settings are fixed at start).
    pub limits: Limits,
    /// Who may read without a key.
    pub open_reads: crate::auth::OpenReads,
    /// Per-caller rate limits (none by default; `gridgis serve` sets the configured ones).
    pub rate_limits: crate::http::RateLimits,
    /// How long any request but an upload may take.
    pub request_timeout: std::time::Duration,
    /// How long an upload's body may take to arrive.
    pub upload_timeout: std::time::Duration,
    /// Requests answered at once, beyond which new ones are refused 503 `overloaded`.
    pub max_in_flight: usize,
    /// Background imports waiting or running, beyond which new ones are refused 503 `busy`.
    pub max_queued_imports: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            open_reads: crate::auth::OpenReads::default(),
            rate_limits: crate::http::RateLimits::default(),
            request_timeout: crate::http::DEFAULT_TIMEOUT,
            upload_timeout: std::time::Duration::from_secs(600),
            max_in_flight: 1_024,
            max_queued_imports: 16,
        }
    }
}

/// How the server stands with its store, for `/health`: the files backend is always there;
/// for PostGIS, whether the listening connection is up, and the last error.
#[derive(Debug)]
pub struct StoreHealth {
    /// `files` or `postgres`.
    pub backend: &'static str,
    /// The data dir, or the database URL without its password.
    pub location: String,
    /// Connected, and the last error seen.
    status: Mutex<(bool, Option<String>)>,
}

impl StoreHealth {
    /// A store just opened (so reachable).
    pub fn new(store: &Store) -> Self {
        Self { backend: store.backend(), location: store.describe(), status: Mutex::new((true, None)) }
    }

    /// Records that the store cannot be reached; true when it could until now.
    pub fn lost(&self, why: &dyn std::fmt::Display) -> bool {
        let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
        let was = s.0;
        *s = (false, Some(why.to_string()));
        was
    }

    /// Records that the store is reachable; true when it had been lost.
    pub fn reconnected(&self) -> bool {
        let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
        let was = s.0;
        s.0 = true;
        !was
    }

    /// Whether the store is reachable, and the last error seen.
    pub fn status(&self) -> (bool, Option<String>) {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Shared server state. The grids are fixed for the process; the layers are swapped whole
/// when a new version is published (a request keeps the snapshot it started with).
#[derive(Debug)]
pub struct AppState {
    /// The loaded grids and their index.
    pub engine: Engine,
    /// Every layer in memory, indexed.
    pub layers: ArcSwap<LayerSet>,
    /// The geocoder over the gazetteer and the POI layers; rebuilt and swapped whole when one
    /// of them changes.
    pub geocoder: ArcSwap<Geocoder>,
    /// The store, for publishing; one writer at a time.
    pub store: Mutex<Store>,
    /// Whether the store is reachable.
    pub store_health: StoreHealth,
    /// The grids as a tile source (fixed for the process, like the engine).
    pub grids_tiles: Arc<gridgis_tiles::GridsSource>,
    /// Rendered tiles.
    pub tile_cache: gridgis_tiles::TileCache,
    /// Tile extent and buffer.
    pub tile_options: gridgis_tiles::TileOptions,
    /// API keys and roles; swapped whole when the keys file changes.
    pub keys: ArcSwap<ApiKeys>,
    /// Who may read, how fast and how much: swapped whole when the config is reloaded.
    pub policy: ArcSwap<Policy>,
    /// Origins whose pages may call the API (`*`: any); none: no CORS headers.
    pub cors_allow_origins: Vec<String>,
    /// Request counts and latencies, request ids, readiness.
    pub metrics: crate::http::Metrics,
    /// Every write, who made it.
    pub audit: crate::audit::Audit,
    /// Imports running in the background (`POST /layers/{id}?async=true`).
    pub jobs: crate::jobs::Jobs,
    /// When the server finished loading.
    pub started: Instant,
    /// How long loading took, milliseconds.
    pub load_ms: u64,
    /// The staff roster (fixed for the process).
    pub roster: gridgis_cases::Roster,
    /// What routing answers repeat (people, grids, sub-centres), serialized once.
    pub route_json: crate::answer::RouteJson,
    /// The case categories; rebuilt when a component layer changes.
    pub categories: ArcSwap<gridgis_cases::Categories>,
    /// Every logged case, indexed for the statistics and the latest cases.
    pub cases: RwLock<gridgis_cases::CaseIndex>,
    /// The case log: the database's table, open from the start (it remembers how far it was
    /// read); the data dir's file, opened at the first case recorded. One writer at a time.
    pub case_log: Mutex<Option<gridgis_cases::CaseLog>>,
    /// The data dir (the store's; kept apart so that recording a case never waits for an
    /// upload holding the store).
    pub data_dir: std::path::PathBuf,
}

impl AppState {
    /// State over a loaded data dir.
    pub fn new(loaded: Loaded, keys: ApiKeys, limits: Limits) -> Self {
        let route_json = crate::answer::RouteJson::new(&loaded.engine, &loaded.roster);
        let data_dir = loaded.place.dir.clone();
        Self {
            route_json,
            engine: loaded.engine,
            layers: ArcSwap::from_pointee(loaded.layers),
            geocoder: ArcSwap::from_pointee(loaded.geocoder),
            grids_tiles: Arc::new(loaded.grids_tiles),
            tile_cache: gridgis_tiles::TileCache::new(limits.tile_cache_bytes),
            tile_options: limits.tiles,
            store_health: StoreHealth::new(&loaded.store),
            store: Mutex::new(loaded.store),
            keys: ArcSwap::from_pointee(keys),
            policy: ArcSwap::from_pointee(Policy { limits, ..Policy::default() }),
            cors_allow_origins: Vec::new(),
            metrics: crate::http::Metrics::default(),
            audit: crate::audit::Audit::new(&data_dir),
            jobs: crate::jobs::Jobs::default(),
            started: Instant::now(),
            load_ms: loaded.load_ms,
            roster: loaded.roster,
            categories: ArcSwap::from_pointee(loaded.categories),
            cases: RwLock::new(loaded.cases),
            case_log: Mutex::new(loaded.case_log),
            data_dir,
        }
    }

    /// The request limits in effect.
    pub fn limits(&self) -> Limits {
        self.policy.load().limits
    }

    /// Indexes the cases other replicas recorded in the shared case log since it was last read
    /// (none for the data dir's file). Returns how many were new here.
    pub fn catch_up_cases(&self) -> anyhow::Result<usize> {
        let mut log = self.case_log.lock().map_err(|_| anyhow::anyhow!("the case log lock is poisoned"))?;
        let Some(log) = log.as_mut() else { return Ok(0) };
        let lines = log.recorded_since()?;
        let mut index = self.cases.write().map_err(|_| anyhow::anyhow!("the case index lock is poisoned"))?;
        let mut added = 0;
        for l in &lines {
            if !index.contains(&l.case.id) {
                index.insert(&l.case, &l.result, self.engine.hierarchy());
                added += 1;
            }
        }
        Ok(added)
    }

    /// Re-reads the catalog from the store and swaps in every layer whose version changed (a
    /// publish by another process or replica, or by this one). Returns the ids that changed.
    pub fn reload_layers(&self) -> anyhow::Result<Vec<String>> {
        let mut store = self.store.lock().map_err(|_| anyhow::anyhow!("the store lock is poisoned"))?;
        store.refresh()?;
        let current = self.layers.load_full();
        let next = current.refreshed(&store)?;
        let changed = changed_ids(&current, &next);
        // The geocoder reads the gazetteer and the POI layers: a new version of any of them
        // (or one gone) means a new geocoder, built before either is swapped in, so that no
        // request sees new layers with the old geocoder's answers for long.
        let feeds_geocoder = changed.iter().any(|id| {
            [current.get(id), next.get(id)].into_iter().flatten().any(|l| gridgis_layers::is_geocoder_source(l.entry()))
        });
        let geocoder = if feeds_geocoder { Some(gridgis_layers::build_geocoder(&self.engine, &next)?) } else { None };
        // Component layers are case categories: a new or removed one changes the list.
        let feeds_categories = changed.iter().any(|id| {
            [current.get(id), next.get(id)]
                .into_iter()
                .flatten()
                .any(|l| l.entry().category == gridgis_cases::COMPONENT_LAYER_CATEGORY)
        });
        if feeds_categories {
            self.categories.store(Arc::new(gridgis_cases::Categories::new(&next)));
        }
        if !changed.is_empty() {
            self.layers.store(Arc::new(next));
        }
        if let Some(g) = geocoder {
            self.geocoder.store(Arc::new(g));
        }
        // New requests already miss the old tiles (their keys hold the versions); this frees
        // the memory now.
        for id in &changed {
            self.tile_cache.purge(id);
        }
        Ok(changed)
    }
}

/// Ids whose version differs between two layer sets (added, replaced or removed).
fn changed_ids(a: &LayerSet, b: &LayerSet) -> Vec<String> {
    let mut out: Vec<String> = b
        .iter()
        .filter(|l| a.get(&l.entry().id).is_none_or(|o| o.entry().version != l.entry().version))
        .map(|l| l.entry().id.clone())
        .collect();
    out.extend(a.iter().filter(|l| b.get(&l.entry().id).is_none()).map(|l| l.entry().id.clone()));
    out
}

/// The handle handlers receive.
pub type SharedState = Arc<AppState>;
