//! `gridgis serve [--listen ADDR]`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::auth::ApiKeys;
use crate::state::AppState;

/// Arguments of `gridgis serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on [default: `[server] listen` of the config, 127.0.0.1:8080].
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// The config file (`gridgis.toml`; see `gridgis config`) [default: the data dir's
    /// gridgis.toml if there is one, else every default].
    #[arg(long, env = "GRIDGIS_CONFIG")]
    config: Option<PathBuf>,
    /// A plain keys file: lines of `role key` (roles: viewer, integrator, gis_staff, admin).
    /// Keys also come from GRIDGIS_API_KEYS (`role:key,role:key`) and from the data dir's
    /// hashed `keys.toml` (`gridgis keys add`), which a running server rereads when it changes.
    #[arg(long, env = "GRIDGIS_KEYS_FILE")]
    keys: Option<PathBuf>,
    /// Who may read (the map, locate, geocode, route without recording) without a key
    /// [default: `[server] open_reads` of the config, loopback].
    #[arg(long, env = "GRIDGIS_OPEN_READS", value_enum)]
    open_reads: Option<crate::auth::OpenReads>,
    /// Versions kept per layer when uploads publish new ones (older ones are deleted; rollback
    /// goes back through the kept ones).
    /// [default: `[layers] keep_versions` of the config, 5].
    #[arg(long, env = "GRIDGIS_KEEP_VERSIONS")]
    keep_versions: Option<usize>,
}

/// How often the catalog file is checked for versions published by another process.
const CATALOG_POLL: Duration = Duration::from_secs(1);

/// Loads the store and data dir (creating the demo where missing) and serves until Ctrl-C or
/// SIGTERM, finishing requests in flight.
pub fn run(place: &crate::data::Place, args: Args) -> anyhow::Result<ExitCode> {
    let data = place.dir.as_path();
    // `--config FILE` may name the store (`[store] url`) where no flag or variable did.
    let place = match (&place.store_url, &args.config) {
        (None, Some(config)) => crate::data::Place::resolve(data, None, Some(config))?,
        _ => place.clone(),
    };
    let mut loaded = crate::data::open_or_create(&place)?;
    // What a writer killed mid-publish left (a crash, a kill -9) goes before serving.
    match loaded.store.clean() {
        Ok(Some(n)) if n > 0 => tracing::info!("removed {n} files left by an interrupted publish"),
        Ok(_) => {}
        Err(e) => tracing::warn!("could not clean the data dir of interrupted publishes: {e}"),
    }
    let (config, config_path) = crate::config::Config::load(args.config.as_deref(), data)?;
    if let Some(p) = &config_path {
        tracing::info!("settings from {}", p.display());
    }
    let listen: SocketAddr = match args.listen {
        Some(a) => a,
        None => config.server.listen.parse().context("[server] listen")?,
    };
    let keys_path = data.join(crate::auth::KEYS_FILE);
    let env_keys = std::env::var("GRIDGIS_API_KEYS").ok();
    let load_keys = move |path: &Path| -> anyhow::Result<ApiKeys> {
        let store = crate::auth::KeyStore::open(path)?;
        ApiKeys::load(env_keys.as_deref(), args.keys.as_deref(), Some(&store))
    };
    let keys = load_keys(&keys_path)?;
    loaded.store.keep_versions = args.keep_versions.unwrap_or(config.layers.keep_versions).max(1);
    let stats = loaded.engine.index_stats();
    tracing::info!(
        grids = loaded.engine.hierarchy().len(),
        layers = loaded.layers.len(),
        features = loaded.layers.feature_count(),
        load_ms = loaded.load_ms,
        index_cells = stats.cells,
        index_mb = stats.heap_bytes / (1 << 20),
        keys = keys.len(),
        store = loaded.store.backend(),
        "loaded {}",
        place.describe()
    );
    if keys.is_empty() {
        tracing::warn!("no API keys configured: reads are open, every write will be refused (see --keys)");
    }
    let mut state = AppState::new(loaded, keys, config.limits());
    let open_reads_flag = args.open_reads;
    let policy = move |c: &crate::config::Config| -> anyhow::Result<crate::state::Policy> {
        let mut p = c.policy()?;
        if let Some(o) = open_reads_flag {
            p.open_reads = o;
        }
        Ok(p)
    };
    state.policy = arc_swap::ArcSwap::from_pointee(policy(&config)?);
    state.cors_allow_origins = config.cors.allow_origins.clone();
    let conn_limits = crate::http::ConnLimits {
        header_read_timeout: Duration::from_secs_f64(config.server.header_read_timeout_s),
        max_header_bytes: config.server.max_header_bytes,
        max_connections: config.server.max_connections,
        shutdown_grace: Duration::from_secs_f64(config.server.shutdown_grace_s),
    };
    let state = Arc::new(state);
    let catalog = data.join(gridgis_layers::CATALOG_FILE);
    let reload = Reload { explicit: args.config.clone(), data: data.to_path_buf(), current: config, policy };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
        tracing::info!("listening on http://{}", listener.local_addr().unwrap_or(listen));
        match &place.store_url {
            None => drop(tokio::spawn(watch_catalog(state.clone(), catalog))),
            Some(url) => {
                let (st, url) = (state.clone(), url.clone());
                std::thread::Builder::new()
                    .name("store-listener".into())
                    .spawn(move || listen_for_changes(&st, &url))
                    .context("starting the store listener")?;
            }
        }
        tokio::spawn(watch_keys(state.clone(), keys_path, load_keys));
        tokio::spawn(reload_on_hangup(state.clone(), reload));
        let app = crate::http::app(state.clone());
        let draining = async move {
            shutdown_signal().await;
            // `/ready` answers 503 from now on while the requests in flight finish.
            state.metrics.draining.store(true, std::sync::atomic::Ordering::Relaxed);
        };
        crate::http::serve(listener, app, conn_limits, draining).await.context("server")
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Swaps in layer versions published by another process (`gridgis import` beside a running
/// server): the catalog file is replaced atomically on every publish, so a change of its
/// modification time or size is the signal.
async fn watch_catalog(state: crate::state::SharedState, catalog: PathBuf) {
    let mut catalog = Watched::new(catalog);
    loop {
        catalog.changed().await;
        let st = state.clone();
        match tokio::task::spawn_blocking(move || st.reload_layers()).await {
            Ok(Ok(changed)) if !changed.is_empty() => tracing::info!(?changed, "layers swapped in"),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!("catalog changed but could not be loaded; still serving the previous layers: {e:#}")
            }
            Err(e) => tracing::warn!("layer reload failed: {e}"),
        }
    }
}

/// How long the listener waits before reconnecting to a store it lost, at first and at most.
const RECONNECT: (Duration, Duration) = (Duration::from_millis(250), Duration::from_secs(10));

/// Swaps in layer versions published by any server sharing the PostGIS store: each change
/// ends with a notification, which this thread waits for on a connection of its own. A lost
/// connection is said in `/health` and retried (backing off to every 10 s) while the layers
/// held go on being served; once reconnected, whatever was published meanwhile is loaded.
fn listen_for_changes(state: &crate::state::SharedState, url: &str) {
    let mut wait = RECONNECT.0;
    loop {
        match gridgis_layers::Listener::connect(
            url,
            &[gridgis_layers::postgres_store::CHANNEL, gridgis_cases::CASE_CHANNEL],
        ) {
            Ok(mut listener) => {
                wait = RECONNECT.0;
                if state.store_health.reconnected() {
                    tracing::info!("store reachable again: loading what was published and recorded meanwhile");
                }
                reload_published(state, "catching up");
                catch_up_cases(state);
                loop {
                    match listener.wait(Duration::from_secs(1)) {
                        Ok(came) => {
                            let layers: Vec<&str> = came
                                .iter()
                                .filter(|(c, _)| c == gridgis_layers::postgres_store::CHANNEL)
                                .map(|(_, p)| p.as_str())
                                .collect();
                            if !layers.is_empty() {
                                reload_published(state, &layers.join(","));
                            }
                            if came.iter().any(|(c, _)| c == gridgis_cases::CASE_CHANNEL) {
                                catch_up_cases(state);
                            }
                        }
                        Err(e) => {
                            state.store_health.lost(&e);
                            tracing::warn!("lost the store; serving the layers held: {e}");
                            break;
                        }
                    }
                }
            }
            Err(e) => {
                if state.store_health.lost(&e) {
                    tracing::warn!("cannot reach the store; serving the layers held: {e}");
                }
            }
        }
        std::thread::sleep(wait);
        wait = (wait * 2).min(RECONNECT.1);
    }
}

fn reload_published(state: &crate::state::SharedState, why: &str) {
    match state.reload_layers() {
        Ok(changed) if !changed.is_empty() => tracing::info!(?changed, why, "layers swapped in"),
        Ok(_) => {}
        Err(e) => {
            tracing::warn!("a change was announced but could not be loaded; still serving the previous layers: {e:#}")
        }
    }
}

fn catch_up_cases(state: &crate::state::SharedState) {
    match state.catch_up_cases() {
        Ok(0) => {}
        Ok(n) => tracing::debug!(cases = n, "cases recorded by other replicas indexed"),
        Err(e) => tracing::warn!("cases were announced but could not be read: {e:#}"),
    }
}

/// A file watched by polling its modification time and size (every [`CATALOG_POLL`]): the
/// files watched are replaced atomically, so one or the other changes on every write.
struct Watched {
    path: PathBuf,
    last: Option<(Option<std::time::SystemTime>, u64)>,
}

impl Watched {
    fn new(path: PathBuf) -> Self {
        let last = Self::stamp(&path);
        Self { path, last }
    }

    fn stamp(p: &Path) -> Option<(Option<std::time::SystemTime>, u64)> {
        std::fs::metadata(p).ok().map(|m| (m.modified().ok(), m.len()))
    }

    /// Resolves at the first change since the previous one (a write made while the caller
    /// was handling that one counts).
    async fn changed(&mut self) {
        loop {
            tokio::time::sleep(CATALOG_POLL).await;
            let now = Self::stamp(&self.path);
            if now != self.last {
                self.last = now;
                return;
            }
        }
    }
}

/// Rereads the keys when the keys file changes (`gridgis keys add|revoke` beside a running
/// server): a revoked key stops working within a second; a file that cannot be read leaves the
/// keys as they were.
async fn watch_keys(
    state: crate::state::SharedState,
    path: PathBuf,
    load: impl Fn(&Path) -> anyhow::Result<ApiKeys> + Send + 'static,
) {
    let mut file = Watched::new(path);
    loop {
        file.changed().await;
        match load(&file.path) {
            Ok(keys) => {
                tracing::info!(keys = keys.len(), "keys reloaded");
                state.keys.store(Arc::new(keys));
            }
            Err(e) => tracing::warn!("keys file changed but could not be read; keeping the previous keys: {e:#}"),
        }
    }
}

/// What a config reload needs: where the settings come from, the ones in effect, and how
/// flags bend them.
struct Reload<P> {
    explicit: Option<PathBuf>,
    data: PathBuf,
    current: crate::config::Config,
    policy: P,
}

/// On `SIGHUP`, rereads the config and swaps in what may change while serving (the
/// `[limits]`, `open_reads`); settings that shape the listener, the router or the caches are
/// named in a warning and wait for a restart. A file that does not read or check keeps
/// everything as it was.
async fn reload_on_hangup<P>(state: crate::state::SharedState, r: Reload<P>)
where
    P: Fn(&crate::config::Config) -> anyhow::Result<crate::state::Policy> + Send + 'static,
{
    #[cfg(unix)]
    {
        let Ok(mut hangups) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) else {
            tracing::warn!("cannot listen for SIGHUP: the config is read at start only");
            return;
        };
        while hangups.recv().await.is_some() {
            let next = crate::config::Config::load(r.explicit.as_deref(), &r.data)
                .and_then(|(c, path)| Ok(((r.policy)(&c)?, c, path)));
            match next {
                Ok((policy, config, path)) => {
                    let fixed = r.current.fixed_differences(&config);
                    if !fixed.is_empty() {
                        tracing::warn!(settings = ?fixed, "changed settings that take effect at the next restart");
                    }
                    state.policy.store(Arc::new(policy));
                    tracing::info!(from = ?path, "config reloaded");
                }
                Err(e) => tracing::warn!("config not reloaded; keeping the settings in effect: {e:#}"),
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (state, r);
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
