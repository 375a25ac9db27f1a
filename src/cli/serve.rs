//! `gridgis serve [--listen ADDR]`.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;

use crate::state::{AppState, Limits};

/// Arguments of `gridgis serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
}

/// Loads the data dir (creating the demo where missing) and serves until Ctrl-C or SIGTERM,
/// finishing requests in flight.
pub fn run(data: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let loaded = crate::data::open_or_create(data)?;
    let stats = loaded.engine.index_stats();
    tracing::info!(
        grids = loaded.engine.hierarchy().len(),
        layers = loaded.summary.layers,
        load_ms = loaded.load_ms,
        index_cells = stats.cells,
        index_mb = stats.heap_bytes / (1 << 20),
        "loaded {}",
        data.display()
    );
    let state = Arc::new(AppState {
        engine: loaded.engine,
        summary: loaded.summary,
        limits: Limits::default(),
        started: Instant::now(),
        load_ms: loaded.load_ms,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        tracing::info!("listening on http://{}", listener.local_addr().unwrap_or(args.listen));
        axum::serve(listener, crate::http::app(state)).with_graceful_shutdown(shutdown_signal()).await.context("server")
    })?;
    Ok(ExitCode::SUCCESS)
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
