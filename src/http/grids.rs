//! `/grids`: locate points, and read one grid.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::{AppError, ErrorBody};
use super::extract::{Json, Query};
use gridgis_engine::Transformer;

use crate::answer::{self, LocateAnswer};
use crate::state::SharedState;

/// Query of `GET /grids/locate`.
#[derive(Debug, Deserialize)]
pub struct LocateQuery {
    lon: f64,
    lat: f64,
    crs: Option<String>,
    max_distance_m: Option<f64>,
}

/// The tolerance for points outside the district: the caller's, within bounds, or the default.
pub(super) fn max_distance(state: &SharedState, asked: Option<f64>) -> Result<f64, AppError> {
    match asked {
        None => Ok(state.limits.default_max_distance_m),
        Some(d) if d.is_finite() && (0.0..=state.limits.max_max_distance_m).contains(&d) => Ok(d),
        Some(d) => Err(AppError::bad_request(format!(
            "max_distance_m must be between 0 and {} (got {d})",
            state.limits.max_max_distance_m
        ))),
    }
}

/// `GET /grids/locate?lon=&lat=[&crs=][&max_distance_m=]`.
pub async fn locate_get(State(state): State<SharedState>, Query(q): Query<LocateQuery>) -> Result<Response, AppError> {
    let max = max_distance(&state, q.max_distance_m)?;
    let (_, transformer) = answer::parse_crs(q.crs.as_deref())?;
    let (location, wgs84) = answer::locate(&state.engine, &transformer, q.lon, q.lat, max)?;
    Ok(super::json::json_bytes(&answer::answer(&state.engine, location, wgs84)))
}

/// One point of a batch.
#[derive(Debug, Deserialize)]
pub struct BatchPoint {
    #[serde(default)]
    id: Value,
    lon: f64,
    lat: f64,
}

/// Body of `POST /grids/locate`.
#[derive(Debug, Deserialize)]
pub struct BatchRequest {
    crs: Option<String>,
    max_distance_m: Option<f64>,
    points: Vec<BatchPoint>,
}

/// One answer of a batch: the locate answer plus the caller's id, or an error for that point.
#[derive(Serialize)]
#[serde(untagged)]
enum BatchItem<'a> {
    Found {
        id: &'a Value,
        #[serde(flatten)]
        answer: LocateAnswer<'a>,
    },
    Failed {
        id: &'a Value,
        error: ErrorBody,
    },
}

/// `POST /grids/locate`: `{"crs", "max_distance_m"?, "points": [{"id","lon","lat"}…]}` →
/// `{"results": […]}` in the same order. A point that cannot be located gets an `error`
/// member instead of failing the whole batch.
pub async fn locate_post(
    State(state): State<SharedState>,
    Json(body): Json<BatchRequest>,
) -> Result<Response, AppError> {
    if body.points.len() > state.limits.max_batch_points {
        return Err(AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_points",
            format!("{} points in one request; the limit is {}", body.points.len(), state.limits.max_batch_points),
        ));
    }
    let max = max_distance(&state, body.max_distance_m)?;
    let (_, transformer) = answer::parse_crs(body.crs.as_deref())?;
    // Large batches are CPU work: off the async workers, and spread over the cores.
    let points = body.points;
    let bytes = tokio::task::spawn_blocking(move || batch_json(&state, &transformer, &points, max))
        .await
        .map_err(|e| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))??;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

/// `{"results":[…]}` for `points`, on all cores for large batches.
fn batch_json(
    state: &SharedState,
    transformer: &Transformer,
    points: &[BatchPoint],
    max: f64,
) -> Result<Vec<u8>, AppError> {
    let engine = &state.engine;
    // Locating is ~0.1 µs a point: threads pay off only for large batches.
    super::json::results_json(points, 400, 20_000, |p, buf| {
        let item = match answer::locate(engine, transformer, p.lon, p.lat, max) {
            Ok((location, wgs84)) => BatchItem::Found { id: &p.id, answer: answer::answer(engine, location, wgs84) },
            Err(e) => BatchItem::Failed { id: &p.id, error: ErrorBody { code: e.code(), message: e.to_string() } },
        };
        serde_json::to_writer(buf, &item)
    })
}

/// `GET /grids/{code}`: the grid as a GeoJSON Feature with its parent, township and children.
pub async fn grid(State(state): State<SharedState>, Path(code): Path<String>) -> Result<Response, AppError> {
    let h = state.engine.hierarchy();
    let id =
        h.by_code(&code).ok_or_else(|| AppError::not_found("grid_not_found", format!("no grid with code {code}")))?;
    let g = h.grid(id);
    let children: Vec<&str> = h.children(id).iter().map(|&c| h.grid(c).code.as_str()).collect();
    let township = h.township(id);
    let feature = serde_json::json!({
        "type": "Feature",
        "id": g.code,
        "properties": {
            "code": g.code,
            "name": g.name,
            "level": g.level,
            "kind": g.kind,
            "parent_code": g.parent_code,
            "township_code": g.township_code,
            "township_name": township.map(|t| &t.name),
            "children": children,
        },
        "geometry": gridgis_layers::geometry_json(&geo_types::Geometry::MultiPolygon(g.geometry.clone())),
    });
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], feature.to_string()).into_response())
}
