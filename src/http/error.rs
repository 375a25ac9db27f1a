//! One error type for every handler, mapped to a status and the JSON error body of
//! CONTRACT.md: `{"error": {"code": "snake_case_code", "message": "…"}}`.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub use crate::answer::ErrorBody;
use crate::answer::LocateError;

/// An error answer.
#[derive(Debug)]
pub struct AppError {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// Seconds for `Retry-After` (a 429 or 503 that will pass).
    retry_after: Option<u64>,
}

impl AppError {
    /// An error with an explicit status and code.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), retry_after: None }
    }

    /// The same, telling the caller to come back in `secs` seconds (`Retry-After`).
    pub fn with_retry_after(self, secs: u64) -> Self {
        Self { retry_after: Some(secs), ..self }
    }

    /// The status this error answers with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The JSON error body, `{"code", "message"}`, as a job reports it.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({"code": self.code, "message": self.message})
    }

    /// 507 `insufficient_storage` when `e` (or what caused it) is the disk being full, else
    /// 500 `internal` with `context`.
    pub fn from_write_error(context: &str, e: &(dyn std::error::Error + 'static)) -> Self {
        // The store's errors are `transparent` in the import's and the layers' errors, so
        // they are looked for by type, not down the chain of sources.
        let unavailable = e
            .downcast_ref::<gridgis_import::pipeline::ImportError>()
            .is_some_and(|i| matches!(i, gridgis_import::pipeline::ImportError::Store(l) if l.is_unavailable()))
            || e.downcast_ref::<gridgis_layers::LayersError>().is_some_and(|l| l.is_unavailable())
            || e.downcast_ref::<gridgis_layers::StoreError>().is_some_and(|s| s.is_unavailable());
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
        while let Some(c) = cause {
            if unavailable {
                tracing::error!("{context}: {e}");
                return Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable",
                    format!("{context}: the layer store cannot be reached; nothing was published, try again"),
                )
                .with_retry_after(5);
            }
            if let Some(io) = c.downcast_ref::<std::io::Error>() {
                // ENOSPC, EDQUOT: the disk or the quota is full.
                if io.kind() == std::io::ErrorKind::StorageFull || matches!(io.raw_os_error(), Some(28 | 122)) {
                    // The paths are the operator's business (the log), not the caller's.
                    tracing::error!("{context}: {e}");
                    return Self::new(
                        StatusCode::INSUFFICIENT_STORAGE,
                        "insufficient_storage",
                        format!("{context}: the server's disk is full; nothing was published"),
                    );
                }
            }
            cause = c.source();
        }
        Self::internal(format!("{context}: {e}"))
    }

    /// 400 `bad_request`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 500 `internal`: our failure; the details go to the log, not to the caller.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    /// 404 `not_found`.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }
}

impl From<LocateError> for AppError {
    fn from(e: LocateError) -> Self {
        let status = match e.code() {
            "outside_jurisdiction" => StatusCode::NOT_FOUND,
            "crs_unavailable" => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        };
        Self::new(status, e.code(), e.to_string())
    }
}

impl From<QueryRejection> for AppError {
    fn from(e: QueryRejection) -> Self {
        Self::bad_request(e.body_text())
    }
}

impl From<JsonRejection> for AppError {
    fn from(e: JsonRejection) -> Self {
        let status = e.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            return Self::new(status, "payload_too_large", "request body is larger than the server accepts");
        }
        let code = if status == StatusCode::UNSUPPORTED_MEDIA_TYPE { "unsupported_media_type" } else { "bad_request" };
        Self::new(status, code, e.body_text())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Envelope {
            error: ErrorBody,
        }
        if self.status.is_server_error() {
            tracing::error!(code = self.code, message = %self.message, "request failed");
        }
        let mut res =
            (self.status, axum::Json(Envelope { error: ErrorBody { code: self.code, message: self.message } }))
                .into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(secs));
        }
        res
    }
}

/// Fallback for unknown paths.
pub async fn not_found(uri: axum::http::Uri) -> AppError {
    AppError::not_found("not_found", format!("no route for {}", uri.path()))
}

/// Fallback for a known path with the wrong method.
pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> AppError {
    AppError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}
