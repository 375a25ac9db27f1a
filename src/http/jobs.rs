//! `GET /jobs` and `GET /jobs/{id}` (GIS-staff key): background imports and how they went.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::error::AppError;
use super::extract::Path;
use crate::state::SharedState;

/// `GET /jobs`: the kept jobs, newest first.
pub async fn list(State(state): State<SharedState>) -> Response {
    Json(serde_json::json!({"jobs": state.jobs.list()})).into_response()
}

/// `GET /jobs/{id}`: one job; 404 `not_found` for an id this server does not know (jobs are
/// forgotten on restart).
pub async fn get(State(state): State<SharedState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let job = state.jobs.get(&id).ok_or_else(|| {
        AppError::not_found("not_found", format!("no job '{id}' (jobs are kept in memory until a restart)"))
    })?;
    Ok(Json(job.view()).into_response())
}
