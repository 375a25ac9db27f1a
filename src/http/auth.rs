//! Who may write: a `Bearer` key with a role that may publish layers, or record cases.

use axum::http::{HeaderMap, StatusCode, header};

use super::error::AppError;
use crate::auth::Role;
use crate::state::SharedState;

/// Passes when the request carries `Authorization: Bearer KEY` of a GIS-staff or admin key:
/// 401 without a key or with an unknown one, 403 with a key of another role.
pub fn require_writer(state: &SharedState, headers: &HeaderMap) -> Result<(), AppError> {
    require(state, headers, Role::may_write_layers, "change layers")
}

/// Passes when the request carries the key of an integrator (the case-intake system) or an
/// admin: recording a case is a write. 401 / 403 as for [`require_writer`].
pub fn require_case_writer(state: &SharedState, headers: &HeaderMap) -> Result<(), AppError> {
    require(state, headers, Role::may_record_cases, "record cases (route with ?record=false to answer only)")
}

fn require(state: &SharedState, headers: &HeaderMap, allowed: fn(Role) -> bool, what: &str) -> Result<(), AppError> {
    let unauthorized = |message: &str| AppError::new(StatusCode::UNAUTHORIZED, "unauthorized", message);
    let value =
        headers.get(header::AUTHORIZATION).ok_or_else(|| unauthorized("this needs Authorization: Bearer <key>"))?;
    let key = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .ok_or_else(|| unauthorized("the Authorization header must be 'Bearer <key>'"))?;
    let role = state.keys.role_of(key).ok_or_else(|| unauthorized("unknown key"))?;
    if !allowed(role) {
        return Err(AppError::new(StatusCode::FORBIDDEN, "forbidden", format!("a {role:?} key may not {what}")));
    }
    Ok(())
}
