//! The HTTP API of CONTRACT.md; one module per resource.

mod auth;
mod cases;
mod conditional;
mod error;
mod extract;
mod geocode;
mod grids;
mod health;
mod jobs;
mod json;
mod layers;
mod limits;
mod ops;
mod server;
mod tiles;
mod upload;
mod web;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::state::SharedState;

pub use self::error::AppError;
pub use self::limits::{DEFAULT_TIMEOUT, RateLimits};
pub use self::ops::{Metrics, REQUEST_ID};
pub use self::server::{ConnLimits, serve};

/// The router, with all routes, limits and JSON fallbacks.
pub fn app(state: SharedState) -> Router {
    let body_limit = state.limits().max_body_bytes;
    let cors = cors(&state.cors_allow_origins);
    let router = Router::new()
        .merge(web::router())
        .route("/health", get(health::health))
        .route("/ready", get(ops::ready))
        .route("/metrics", get(ops::metrics))
        .route("/grids/locate", get(grids::locate_get).post(grids::locate_post))
        .route("/grids/stats", get(grids::stats))
        .route("/grids/{code}", get(grids::grid))
        .route("/grids/{code}/overview", get(grids::overview))
        .route("/cases/route", post(cases::route))
        .route("/cases/latest", get(cases::latest))
        .route("/cases/categories", get(cases::categories))
        .route("/geocode", get(geocode::geocode_get).post(geocode::geocode_post))
        .route("/reverse", get(geocode::reverse))
        .route("/catalog", get(tiles::catalog))
        .route("/tiles/{sources}", get(tiles::tilejson))
        .route("/tiles/{sources}/{z}/{x}/{y}", get(tiles::tile))
        .route("/layers", get(layers::list))
        .route("/layers/{id}", get(layers::get).post(upload::upload))
        .route("/layers/{id}/features", get(layers::features))
        .route("/layers/{id}/nearest", get(layers::nearest))
        .route("/layers/{id}/rollback", post(layers::rollback))
        .route("/jobs", get(jobs::list))
        .route("/jobs/{id}", get(jobs::get))
        .route("/openapi.json", get(openapi))
        // After routing, so that the access rule is the matched route's; before any handler
        // reads a body. Refused requests are counted and logged like the others.
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), ops::observe))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state);
    match cors {
        Some(c) => router.layer(c),
        None => router,
    }
}

/// `GET /openapi.json`: the OpenAPI 3 description of every route.
async fn openapi() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// The OpenAPI description, as served.
pub const OPENAPI: &str = include_str!("openapi.json");

/// Records a write in the audit log; a write that cannot be audited is answered 500 (it has
/// happened: the caller sees that the record of it failed).
fn audit(
    state: &SharedState,
    who: &crate::audit::Who,
    action: &'static str,
    target: &str,
    version: Option<u32>,
) -> Result<(), AppError> {
    let entry = crate::audit::Entry { at: crate::data::now_rfc3339(), who, action, target, version };
    state
        .audit
        .record(&entry)
        .map_err(|e| AppError::internal(format!("the write succeeded but its audit record failed: {e}")))
}

/// The CORS layer for the configured origins (`*`: any), or none when none are configured.
/// Browsers may send the key (`Authorization`) and JSON bodies, with GET and POST.
fn cors(origins: &[String]) -> Option<tower_http::cors::CorsLayer> {
    use axum::http::{HeaderValue, Method, header};
    use tower_http::cors::{AllowOrigin, CorsLayer};
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::IF_NONE_MATCH])
            .expose_headers([header::ETAG])
            .max_age(std::time::Duration::from_secs(3_600)),
    )
}
