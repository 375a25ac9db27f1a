//! `/geocode` and `/reverse`: Chinese address text to coordinates and grid, and a point to the
//! nearest address and POI.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use gridgis_engine::GeocodeError;
use serde::Deserialize;
use serde_json::Value;

use super::error::{AppError, ErrorBody};
use super::extract::{Json, Query};
use super::json::{json_bytes, results_json};
use crate::answer::{self, BatchGeocodeItem, DEFAULT_RADIUS_M, MAX_RADIUS_M};
use crate::state::SharedState;

/// Answers a caller may ask for in one `GET /geocode`.
pub const MAX_LIMIT: usize = 50;

impl From<GeocodeError> for AppError {
    fn from(e: GeocodeError) -> Self {
        AppError::new(StatusCode::BAD_REQUEST, e.code(), e.to_string())
    }
}

/// Query of `GET /geocode`.
#[derive(Debug, Deserialize)]
pub struct GeocodeQuery {
    q: String,
    limit: Option<usize>,
}

/// `GET /geocode?q=&limit=5`: up to `limit` answers, best first.
pub async fn geocode_get(
    State(state): State<SharedState>,
    Query(q): Query<GeocodeQuery>,
) -> Result<Response, AppError> {
    let limit = q.limit.unwrap_or(5);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::bad_request(format!("limit must be between 1 and {MAX_LIMIT} (got {limit})")));
    }
    let geocoder = state.geocoder.load();
    let found = geocoder.geocode(&q.q, limit);
    Ok(json_bytes(&answer::geocode_answer(&state.engine, &q.q, found)?))
}

/// One address of a batch.
#[derive(Debug, Deserialize)]
pub struct BatchAddress {
    #[serde(default)]
    id: Value,
    /// Any JSON value: an item whose address is not text gets a reason, not a failed batch.
    #[serde(default)]
    address: Value,
}

/// Body of `POST /geocode`.
#[derive(Debug, Deserialize)]
pub struct BatchRequest {
    #[serde(deserialize_with = "super::extract::objects")]
    addresses: Vec<BatchAddress>,
}

/// `POST /geocode`: `{"addresses":[{"id","address"}…]}` → `{"results":[{"id","result"}…]}` in
/// the same order: the best match each, or `"result": null` with a `reason`.
pub async fn geocode_post(
    State(state): State<SharedState>,
    Json(body): Json<BatchRequest>,
) -> Result<Response, AppError> {
    let max = state.limits().max_batch_addresses;
    if body.addresses.len() > max {
        return Err(AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_addresses",
            format!("{} addresses in one request; the limit is {max}", body.addresses.len()),
        ));
    }
    let items = body.addresses;
    let bytes = tokio::task::spawn_blocking(move || {
        let geocoder = state.geocoder.load();
        let engine = &state.engine;
        // Geocoding is ~10 µs an address: threads pay off from a few thousand on.
        results_json(&items, 500, 2_000, |a, buf| {
            let item = match a.address.as_str() {
                None => BatchGeocodeItem {
                    id: &a.id,
                    result: None,
                    reason: Some(ErrorBody { code: "bad_request", message: "address must be a string".into() }),
                },
                Some(text) => match geocoder.geocode(text, 1) {
                    Ok(found) => {
                        let best = found.matches.into_iter().next().map(|m| answer::result(engine, m));
                        let reason = best.is_none().then(answer::no_match);
                        BatchGeocodeItem { id: &a.id, result: best, reason }
                    }
                    Err(e) => BatchGeocodeItem {
                        id: &a.id,
                        result: None,
                        reason: Some(ErrorBody { code: e.code(), message: e.to_string() }),
                    },
                },
            };
            serde_json::to_writer(buf, &item)
        })
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))??;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

/// Query of `GET /reverse`.
#[derive(Debug, Deserialize)]
pub struct ReverseQuery {
    lon: f64,
    lat: f64,
    crs: Option<String>,
    radius_m: Option<f64>,
    max_distance_m: Option<f64>,
}

/// `GET /reverse?lon=&lat=[&crs=][&radius_m=1000][&max_distance_m=500]`: the point's grid (as
/// `GET /grids/locate` answers it), and the nearest address and POI within `radius_m`.
pub async fn reverse(State(state): State<SharedState>, Query(q): Query<ReverseQuery>) -> Result<Response, AppError> {
    let radius = q.radius_m.unwrap_or(DEFAULT_RADIUS_M);
    if !(radius.is_finite() && (0.0..=MAX_RADIUS_M).contains(&radius)) {
        return Err(AppError::bad_request(format!("radius_m must be between 0 and {MAX_RADIUS_M} (got {radius})")));
    }
    let max = super::grids::max_distance(&state, q.max_distance_m)?;
    let (_, transformer) = answer::parse_crs(q.crs.as_deref())?;
    let (location, wgs84) = answer::locate(&state.engine, &transformer, q.lon, q.lat, max)?;
    let geocoder = state.geocoder.load();
    let near = geocoder.reverse(wgs84.lon, wgs84.lat, radius);
    let located = answer::answer(&state.engine, location, wgs84);
    Ok(json_bytes(&answer::reverse_answer(&state.engine, located, near, radius)))
}
