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
    axum::Json(json!({
        "status": "ok",
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
