//! The state every HTTP handler shares. Handlers take what they need from here, never from
//! the module that mounts them.

use std::sync::Arc;
use std::time::Instant;

use gridgis_engine::Engine;

/// Request limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest accepted request body, bytes.
    pub max_body_bytes: usize,
    /// Most points in one `POST /grids/locate`.
    pub max_batch_points: usize,
    /// Default tolerance for points outside the district, metres.
    pub default_max_distance_m: f64,
    /// Largest tolerance a caller may ask for, metres.
    pub max_max_distance_m: f64,
}

impl Default for Limits {
    fn default() -> Self {
        // 200,000 points is twice the largest batch the case-intake system sends (a year of
        // cases is ~100,000); at ~60 bytes a point that is 12 MB of JSON, under the 32 MiB cap.
        Self {
            max_body_bytes: 32 * 1024 * 1024,
            max_batch_points: 200_000,
            default_max_distance_m: 500.0,
            max_max_distance_m: 50_000.0,
        }
    }
}

/// What the data dir holds, for `/health`.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct DataSummary {
    /// Layers in the catalog (the grid layers included).
    pub layers: usize,
    /// Features over all layers.
    pub features: u64,
    /// Addresses in the gazetteer (none until the geocoding data is loaded).
    pub addresses: u64,
}

/// Shared, immutable server state.
#[derive(Debug)]
pub struct AppState {
    /// The loaded grids and their index.
    pub engine: Engine,
    /// Catalog figures.
    pub summary: DataSummary,
    /// Request limits.
    pub limits: Limits,
    /// When the server finished loading.
    pub started: Instant,
    /// How long loading took, milliseconds.
    pub load_ms: u64,
}

/// The handle handlers receive.
pub type SharedState = Arc<AppState>;
