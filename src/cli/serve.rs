//! `gridgis serve [--listen ADDR]`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::auth::ApiKeys;
use crate::state::{AppState, Limits};

/// Arguments of `gridgis serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// A keys file: lines of `role key` (roles: viewer, integrator, gis_staff, admin). Keys
    /// also come from GRIDGIS_API_KEYS (`role:key,role:key`). Writes need a gis_staff key.
    #[arg(long, env = "GRIDGIS_KEYS_FILE")]
    keys: Option<PathBuf>,
    /// Versions kept per layer when uploads publish new ones (older ones are deleted; rollback
    /// goes back through the kept ones).
    #[arg(long, env = "GRIDGIS_KEEP_VERSIONS", default_value_t = gridgis_layers::DEFAULT_KEEP_VERSIONS)]
    keep_versions: usize,
}

/// How often the catalog file is checked for versions published by another process.
const CATALOG_POLL: Duration = Duration::from_secs(1);

/// Loads the data dir (creating the demo where missing) and serves until Ctrl-C or SIGTERM,
/// finishing requests in flight.
pub fn run(data: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let keys = ApiKeys::load(std::env::var("GRIDGIS_API_KEYS").ok().as_deref(), args.keys.as_deref())?;
    let mut loaded = crate::data::open_or_create(data)?;
    loaded.store.keep_versions = args.keep_versions.max(1);
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
    let state = Arc::new(AppState::new(loaded, keys, Limits::default()));
    let catalog = data.join(gridgis_layers::CATALOG_FILE);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        tracing::info!("listening on http://{}", listener.local_addr().unwrap_or(args.listen));
        tokio::spawn(watch_catalog(state.clone(), catalog));
        axum::serve(listener, crate::http::app(state)).with_graceful_shutdown(shutdown_signal()).await.context("server")
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
