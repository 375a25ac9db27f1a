//! The HTTP API of CONTRACT.md; one module per resource.

mod error;
mod extract;
mod grids;
mod health;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;

use crate::state::SharedState;

pub use self::error::AppError;

/// The router, with all routes, limits and JSON fallbacks.
pub fn app(state: SharedState) -> Router {
    let body_limit = state.limits.max_body_bytes;
    Router::new()
        .route("/health", get(health::health))
        .route("/grids/locate", get(grids::locate_get).post(grids::locate_post))
        .route("/grids/{code}", get(grids::grid))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}
