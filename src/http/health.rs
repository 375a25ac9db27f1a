//! `GET /health`: liveness and what is loaded.

use axum::extract::State;
use serde_json::{Value, json};

use crate::state::SharedState;

/// `{"status":"ok", …}` with counts of grids (per level), townships, layers, features and
/// addresses, what the geocoder holds, and the load time.
pub async fn health(State(state): State<SharedState>) -> axum::Json<Value> {
    let h = state.engine.hierarchy();
    let layers = state.layers.load();
    let g = state.geocoder.load().stats();
    let (connected, last_error) = state.store_health.status();
    axum::Json(json!({
        // Degraded: serving what it holds, but the store cannot be reached (no new versions).
        "status": if connected { "ok" } else { "degraded" },
        "store": {
            "backend": state.store_health.backend,
            "location": state.store_health.location,
            "connected": connected,
            "last_error": last_error,
        },
        "grids": h.len(),
        "grids_per_level": h.counts_per_level(),
        "townships": h.townships().len(),
        "layers": layers.len(),
        "features": layers.feature_count(),
        "addresses": layers.get(gridgis_layers::ADDRESSES_LAYER).map_or(0, |l| l.len()),
        "geocoder": {"addresses": g.addresses, "pois": g.pois, "names": g.names, "roads": g.roads, "compounds": g.compounds},
        "index": state.engine.index_stats(),
        "staff": state.roster.len(),
        "cases": state.cases.read().map_or(0, |c| c.len()),
        "load_ms": state.load_ms,
        "uptime_s": state.started.elapsed().as_secs(),
        "version": env!("CARGO_PKG_VERSION"),
    }))
}
