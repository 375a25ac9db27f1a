//! Who may write: a `Bearer` key with a role that may publish layers.

use axum::http::{HeaderMap, StatusCode, header};

use super::error::AppError;
use crate::state::SharedState;

/// Passes when the request carries `Authorization: Bearer KEY` of a GIS-staff or admin key:
/// 401 without a key or with an unknown one, 403 with a key of another role.
pub fn require_writer(state: &SharedState, headers: &HeaderMap) -> Result<(), AppError> {
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
    if !role.may_write_layers() {
        return Err(AppError::new(StatusCode::FORBIDDEN, "forbidden", format!("a {role:?} key may not change layers")));
    }
    Ok(())
}
