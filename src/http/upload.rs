//! `POST /layers/{id}` (GIS-staff key): a file in the body becomes the layer's next version,
//! served at once; the answer is the import report.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gridgis_import::pipeline::{ImportError, ImportOptions};
use gridgis_import::read::{self, Format, ReadOptions};

use super::error::AppError;
use super::extract::Query;
use crate::state::SharedState;

const PARAMS: [&str; 10] =
    ["name", "category", "crs", "encoding", "filename", "format", "lon_column", "lat_column", "wkt_column", "table"];

/// The upload's file name: `?filename=`, else `Content-Disposition: …; filename="…"`, else one
/// made from the content type, so the format can be told.
fn file_name(q: &BTreeMap<String, String>, headers: &HeaderMap, id: &str) -> String {
    if let Some(n) = q.get("filename") {
        return n.clone();
    }
    if let Some(n) = headers
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').find_map(|p| p.trim().strip_prefix("filename=")))
    {
        return n.trim_matches('"').to_string();
    }
    let ext = match headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("") {
        t if t.starts_with("application/geo+json") || t.starts_with("application/json") => "geojson",
        t if t.starts_with("application/zip") => "zip",
        t if t.starts_with("text/csv") => "csv",
        t if t.starts_with("application/geopackage") => "gpkg",
        t if t.starts_with("application/flatgeobuf") => "fgb",
        _ => "bin",
    };
    format!("{id}.{ext}")
}

/// Imports the body as the next version of layer `id`: 201 for a new layer, 200 for a new
/// version, 422 with the report when every feature was rejected, 400 for a file that cannot
/// be read; nothing is published unless the answer is 200/201.
pub async fn upload(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    who: Option<axum::Extension<crate::audit::Who>>,
    body: Body,
) -> Result<Response, AppError> {
    let who = who.map(|w| w.0).unwrap_or_default();
    // The key was checked before a byte of the body is read (`auth::authorize`): an
    // unauthenticated client cannot make the server hold a gigabyte.
    if let Some(k) = q.keys().find(|k| !PARAMS.contains(&k.as_str())) {
        return Err(AppError::bad_request(format!("unknown parameter '{k}' ({})", PARAMS.join(", "))));
    }
    let body = axum::body::to_bytes(body, state.limits.max_upload_bytes).await.map_err(|e| {
        if std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>()) {
            AppError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("the upload is larger than the {} bytes the server accepts", state.limits.max_upload_bytes),
            )
        } else {
            AppError::bad_request(format!("the upload could not be read: {e}"))
        }
    })?;
    if body.is_empty() {
        return Err(AppError::bad_request("the request body (the file) is empty"));
    }
    let name = file_name(&q, &headers, &id);
    let format = match q.get("format") {
        Some(f) => Some(Format::from_path(std::path::Path::new(&format!("x.{f}"))).ok_or_else(|| {
            AppError::bad_request(format!("unknown format '{f}' (geojson, shp/zip, csv, fgb, gpkg)"))
        })?),
        None => None,
    };
    let options = ReadOptions {
        format,
        encoding: q.get("encoding").cloned(),
        lon_column: q.get("lon_column").cloned(),
        lat_column: q.get("lat_column").cloned(),
        wkt_column: q.get("wkt_column").cloned(),
        table: q.get("table").cloned(),
    };
    let import = ImportOptions {
        layer: id.clone(),
        name: q.get("name").cloned(),
        category: q.get("category").cloned(),
        crs: q.get("crs").cloned(),
        updated_at: crate::data::now_rfc3339(),
    };
    let st = state.clone();
    let outcome = tokio::task::spawn_blocking(move || -> Result<(StatusCode, serde_json::Value), AppError> {
        let source = read::open_bytes(&name, Vec::from(body), &options)
            .map_err(|e| AppError::new(StatusCode::BAD_REQUEST, "unreadable_file", e.to_string()))?;
        let (report, existed) = {
            let mut store = st.store.lock().map_err(|_| AppError::internal("the store lock is poisoned"))?;
            let existed = store.catalog().get(&import.layer).is_some();
            match gridgis_import::pipeline::import(source, &mut store, &import, &mut |_| {}) {
                Ok((report, _)) => (report, existed),
                Err(ImportError::NothingToPublish(report)) => {
                    return Ok((StatusCode::UNPROCESSABLE_ENTITY, serde_json::json!({
                        "error": {"code": "nothing_to_publish", "message": "every feature was rejected; nothing was published"},
                        "report": report,
                    })));
                }
                Err(ImportError::Store(e)) if matches!(e, gridgis_layers::LayersError::Store(gridgis_layers::StoreError::InvalidId { .. })) => {
                    return Err(AppError::bad_request(e.to_string()));
                }
                Err(e @ ImportError::Reserved { .. }) => {
                    return Err(AppError::new(StatusCode::CONFLICT, "reserved_layer", e.to_string()));
                }
                Err(e @ (ImportError::Read(_) | ImportError::Crs(_))) => {
                    return Err(AppError::new(StatusCode::BAD_REQUEST, "unreadable_file", e.to_string()));
                }
                Err(e) => return Err(AppError::internal(e.to_string())),
            }
        };
        st.reload_layers().map_err(|e| AppError::internal(e.to_string()))?;
        tracing::info!(layer = %report.layer, version = ?report.version, published = report.published, rejected = report.rejected, key = ?who.key, "layer published");
        super::audit(&st, &who, "publish_layer", &report.layer, report.version)?;
        let status = if existed { StatusCode::OK } else { StatusCode::CREATED };
        Ok((status, serde_json::to_value(&report).map_err(|e| AppError::internal(e.to_string()))?))
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))??;
    Ok((outcome.0, axum::Json(outcome.1)).into_response())
}
