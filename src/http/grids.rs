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
fn max_distance(state: &SharedState, asked: Option<f64>) -> Result<f64, AppError> {
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
    Ok(json_bytes(&answer::answer(&state.engine, location, wgs84)))
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

/// Below this many points a batch is answered on one thread: splitting costs more than it saves.
const PARALLEL_BATCH: usize = 20_000;

/// `{"results":[…]}` for `points`, built in contiguous chunks on scoped threads (one per
/// core) and concatenated in order.
fn batch_json(
    state: &SharedState,
    transformer: &Transformer,
    points: &[BatchPoint],
    max: f64,
) -> Result<Vec<u8>, AppError> {
    let engine = &state.engine;
    let chunk_json = |chunk: &[BatchPoint]| -> Result<Vec<u8>, serde_json::Error> {
        let mut buf = Vec::with_capacity(chunk.len() * 400);
        for (i, p) in chunk.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            let item = match answer::locate(engine, transformer, p.lon, p.lat, max) {
                Ok((location, wgs84)) => {
                    BatchItem::Found { id: &p.id, answer: answer::answer(engine, location, wgs84) }
                }
                Err(e) => BatchItem::Failed { id: &p.id, error: ErrorBody { code: e.code(), message: e.to_string() } },
            };
            serde_json::to_writer(&mut buf, &item)?;
        }
        Ok(buf)
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parts: Vec<Result<Vec<u8>, serde_json::Error>> = if points.len() < PARALLEL_BATCH || threads == 1 {
        vec![chunk_json(points)]
    } else {
        let size = points.len().div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = points.chunks(size).map(|c| s.spawn(move || chunk_json(c))).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(serde::ser::Error::custom("worker panicked"))))
                .collect()
        })
    };
    let internal = |e: serde_json::Error| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string());
    let mut out = Vec::with_capacity(points.len() * 400 + 16);
    out.extend_from_slice(b"{\"results\":[");
    for (i, part) in parts.into_iter().enumerate() {
        let part = part.map_err(internal)?;
        if i > 0 && !part.is_empty() {
            out.push(b',');
        }
        out.extend_from_slice(&part);
    }
    out.extend_from_slice(b"]}");
    Ok(out)
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

/// Serializes into one buffer: faster than `axum::Json` for large batch answers.
fn json_bytes<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()).into_response(),
    }
}
