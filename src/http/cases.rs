//! `/cases`: route a case to its grid and people (`POST /cases/route`), the latest cases, and
//! the categories a case may carry.

use axum::extract::State;
use axum::response::Response;
use gridgis_cases::{CaseRequest, LogLine, Logged, RouteError, Router, Transformers};
use serde::Deserialize;
use serde_json::json;

use super::error::AppError;
use super::extract::{Query, RawBody};
use crate::state::SharedState;

impl From<RouteError> for AppError {
    fn from(e: RouteError) -> Self {
        // PROJ failing to set up a conversion it knows is ours, and may pass: 503 as for locate.
        let status = match e.code() {
            "crs_unavailable" => axum::http::StatusCode::SERVICE_UNAVAILABLE,
            _ => axum::http::StatusCode::BAD_REQUEST,
        };
        AppError::new(status, e.code(), e.to_string())
    }
}

/// Query of `POST /cases/route`.
#[derive(Debug, Deserialize)]
pub struct RouteQuery {
    /// `false`: answer only, do not record the case in the log (a dry run).
    record: Option<bool>,
}

/// `POST /cases/route`: one case → its grid, chain, township sub-centre, assignees and
/// facilities, with how it was matched and how sure the answer is. The case is recorded in
/// the case log (fsynced before the answer) unless `?record=false`; recording needs an
/// integrator's or an admin's key (401 without one, 403 with another role's). A case whose id is
/// already logged is answered again but not recorded twice (warning `duplicate_id`).
pub async fn route(
    State(state): State<SharedState>,
    Query(q): Query<RouteQuery>,
    who: Option<axum::Extension<crate::audit::Who>>,
    RawBody(body): RawBody,
) -> Result<Response, AppError> {
    let who = who.map(|w| w.0).unwrap_or_default();
    let mut case = CaseRequest::from_json(&body)?;
    let layers = state.layers.load();
    let geocoder = state.geocoder.load();
    let categories = state.categories.load();
    let router = Router {
        engine: &state.engine,
        geocoder: &geocoder,
        layers: &layers,
        roster: &state.roster,
        categories: &categories,
        max_distance_m: state.limits().default_max_distance_m,
        max_max_distance_m: state.limits().max_max_distance_m,
    };
    let mut routing = router.route(&case, gridgis_cases::now(), &mut Transformers::default())?;
    let duplicate =
        state.cases.read().map_err(|_| AppError::internal("the case index lock is poisoned"))?.contains(&case.id);
    if duplicate {
        routing.warnings.push("duplicate_id");
    }
    if q.record != Some(false) && !duplicate {
        case.reported_at = Some(gridgis_cases::format_time(routing.reported_at));
        let line = LogLine { case: case.clone(), result: Logged::new(&routing, state.engine.hierarchy()) };
        let st = state.clone();
        // The fsync blocks: off the async workers.
        tokio::task::spawn_blocking(move || {
            record(&st, &line)?;
            super::audit(&st, &who, "record_case", &line.case.id.to_string(), None)
        })
        .await
        .map_err(|e| AppError::internal(format!("recording the case failed: {e}")))??;
    }
    let answer = crate::answer::route_answer(&state.route_json, &case.id, &routing);
    Ok(super::json::json_bytes(&answer))
}

/// Appends the case to the log (opening the data dir's file at the first case), then indexes
/// it. The database unreachable: 503 `store_unavailable`, nothing recorded (the intake system
/// sends it again).
fn record(state: &SharedState, line: &LogLine) -> Result<(), AppError> {
    let mut log = state.case_log.lock().map_err(|_| AppError::internal("the case log lock is poisoned"))?;
    if log.is_none() {
        *log = Some(
            gridgis_cases::CaseLog::open(&state.data_dir)
                .map_err(|e| AppError::internal(format!("cannot open the case log: {e}")))?,
        );
    }
    let Some(l) = log.as_mut() else { return Err(AppError::internal("the case log is not open")) };
    let recorded = l.append(line).map_err(|e| {
        if e.is_unavailable() {
            tracing::error!("recording a case: {e}");
            AppError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                "the case log cannot be reached; the case was not recorded, send it again",
            )
            .with_retry_after(5)
        } else {
            AppError::internal(format!("cannot record the case: {e}"))
        }
    })?;
    // Indexed while the log is still held, so the index's order is the log's. A case another
    // replica recorded first arrives with that replica's answer, announced.
    if recorded {
        state.cases.write().map_err(|_| AppError::internal("the case index lock is poisoned"))?.insert(
            &line.case,
            &line.result,
            state.engine.hierarchy(),
        );
    }
    Ok(())
}

/// Query of `GET /cases/latest`.
#[derive(Debug, Deserialize)]
pub struct LatestQuery {
    limit: Option<usize>,
}

/// Most cases one `GET /cases/latest` returns.
const MAX_LATEST: usize = 1_000;

/// `GET /cases/latest?limit=200`: the newest cases that have a point, newest first, as a
/// GeoJSON FeatureCollection.
pub async fn latest(State(state): State<SharedState>, Query(q): Query<LatestQuery>) -> Result<Response, AppError> {
    let limit = q.limit.unwrap_or(200);
    if limit == 0 || limit > MAX_LATEST {
        return Err(AppError::bad_request(format!("limit must be between 1 and {MAX_LATEST}")));
    }
    let index = state.cases.read().map_err(|_| AppError::internal("the case index lock is poisoned"))?;
    let h = state.engine.hierarchy();
    let features: Vec<serde_json::Value> = index
        .entries()
        .iter()
        .rev()
        .filter_map(|e| e.at.map(|at| (e, at)))
        .take(limit)
        .map(|(e, (lon, lat))| {
            let grid = e.grid.map(|g| h.grid(g));
            let township = e.grid.and_then(|g| h.township(g));
            json!({
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "id": e.id,
                    "reported_at": gridgis_cases::format_time(e.t),
                    "class": index.name(e.class),
                    "category": index.name(e.subclass).or(index.name(e.class)),
                    "status": e.status,
                    "matched_by": e.matched_by,
                    "grid_code": grid.map(|g| &g.code),
                    "grid_name": grid.map(|g| &g.name),
                    "township": township.map(|t| &t.name),
                }
            })
        })
        .collect();
    Ok(super::json::json_bytes(&json!({"type": "FeatureCollection", "features": features})))
}

/// `GET /cases/categories`: the classes and subclasses a case may carry, events first, with
/// the professional force of each class.
pub async fn categories(State(state): State<SharedState>) -> Response {
    let categories = state.categories.load();
    let classes: Vec<serde_json::Value> = categories
        .classes()
        .iter()
        .map(|c| json!({"kind": c.kind, "class": c.class, "force": c.force.name_zh(), "subclasses": c.subclasses}))
        .collect();
    super::json::json_bytes(&json!({ "classes": classes }))
}
