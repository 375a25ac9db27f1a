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

/// Loads the data dir (creating the demo where missing) and serves until Ctrl-C or SIGTERM,
/// finishing requests in flight.
pub fn run(data: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let mut loaded = crate::data::open_or_create(data)?;
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
        "loaded {}",
        data.display()
    );
    if keys.is_empty() {
        tracing::warn!("no API keys configured: reads are open, every write will be refused (see --keys)");
    }
    let mut state = AppState::new(loaded, keys, config.limits());
    state.open_reads = match args.open_reads {
        Some(o) => o,
        None => config.open_reads()?,
    };
    state.cors_allow_origins = config.cors.allow_origins.clone();
    state.rate_limits = crate::http::RateLimits::new(config.limits.requests_per_second, config.limits.burst);
    state.request_timeout = Duration::from_secs_f64(config.limits.request_timeout_s);
    let state = Arc::new(state);
    let catalog = data.join(gridgis_layers::CATALOG_FILE);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
        tracing::info!("listening on http://{}", listener.local_addr().unwrap_or(listen));
        tokio::spawn(watch_catalog(state.clone(), catalog));
        tokio::spawn(watch_keys(state.clone(), keys_path, load_keys));
        let app = crate::http::app(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let draining = async move {
            shutdown_signal().await;
            // `/ready` answers 503 from now on while the requests in flight finish.
            state.metrics.draining.store(true, std::sync::atomic::Ordering::Relaxed);
        };
        axum::serve(listener, app).with_graceful_shutdown(draining).await.context("server")
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Swaps in layer versions published by another process (`gridgis import` beside a running
/// server): the catalog file is replaced atomically on every publish, so a change of its
/// modification time or size is the signal.
async fn watch_catalog(state: crate::state::SharedState, catalog: PathBuf) {
    let stamp = |p: &Path| std::fs::metadata(p).ok().map(|m| (m.modified().ok(), m.len()));
    let mut last = stamp(&catalog);
    loop {
        tokio::time::sleep(CATALOG_POLL).await;
        let now = stamp(&catalog);
        if now == last {
            continue;
        }
        last = now;
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

/// Rereads the keys when the keys file changes (`gridgis keys add|revoke` beside a running
/// server): a revoked key stops working within a second; a file that cannot be read leaves the
/// keys as they were.
async fn watch_keys(
    state: crate::state::SharedState,
    path: PathBuf,
    load: impl Fn(&Path) -> anyhow::Result<ApiKeys> + Send + 'static,
) {
    let stamp = |p: &Path| std::fs::metadata(p).ok().map(|m| (m.modified().ok(), m.len()));
    let mut last = stamp(&path);
    loop {
        tokio::time::sleep(CATALOG_POLL).await;
        let now = stamp(&path);
        if now == last {
            continue;
        }
        last = now;
        match load(&path) {
            Ok(keys) => {
                tracing::info!(keys = keys.len(), "keys reloaded");
                state.keys.store(Arc::new(keys));
            }
            Err(e) => tracing::warn!("keys file changed but could not be read; keeping the previous keys: {e:#}"),
        }
    }
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
