//! `POST /layers/{id}` (GIS-staff key): a file in the body becomes the layer's next version,
//! served at once; the answer is the import report. With `?async=true` the answer is 202 and a
//! job (`GET /jobs/{id}`) as soon as the file has arrived; the import runs in the background.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gridgis_import::pipeline::{ImportError, ImportOptions};
use gridgis_import::read::{self, Format, ReadOptions};

use super::error::AppError;
use super::extract::{Path, Query};
use crate::state::SharedState;

const PARAMS: [&str; 11] = [
    "name",
    "category",
    "crs",
    "encoding",
    "filename",
    "format",
    "lon_column",
    "lat_column",
    "wkt_column",
    "table",
    "async",
];

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
/// be read, 507 when the disk is full; nothing is published unless the answer is 200/201.
/// With `async=true`: 202 and the job once the body has arrived (503 `busy` when
/// `max_queued_imports` are waiting); the job ends with what the answer would have been.
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
    // The id is checked before the body is read: an upload that cannot be published is
    // refused before the client sends a gigabyte (and before a job is made for it).
    if !gridgis_layers::valid_id(&id) {
        return Err(AppError::bad_request(gridgis_layers::StoreError::InvalidId { id: id.clone() }.to_string()));
    }
    // (From the layers served, not the store: an import running holds the store for minutes.)
    if gridgis_import::pipeline::is_reserved(&id, state.layers.load().get(&id).map(|l| l.entry())) {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "reserved_layer",
            ImportError::Reserved { layer: id.clone() }.to_string(),
        ));
    }
    let background = match q.get("async").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(v) => return Err(AppError::bad_request(format!("async must be true or false, not '{v}'"))),
    };
    let name = file_name(&q, &headers, &id);
    let format = match q.get("format") {
        Some(f) => Some(Format::from_path(std::path::Path::new(&format!("x.{f}"))).ok_or_else(|| {
            AppError::bad_request(format!("unknown format '{f}' (geojson, shp/zip, csv, fgb, gpkg)"))
        })?),
        None => None,
    };
    let (max_bytes, upload_timeout) = {
        let p = state.policy.load();
        (p.limits.max_upload_bytes, p.upload_timeout)
    };
    // A body that never ends (or trickles) is cut off: the size cap and the time cap together
    // bound what one upload can hold.
    let body = match tokio::time::timeout(upload_timeout, axum::body::to_bytes(body, max_bytes)).await {
        Err(_) => {
            return Err(AppError::new(
                StatusCode::REQUEST_TIMEOUT,
                "upload_timeout",
                format!("the upload did not arrive within {} s", upload_timeout.as_secs_f64()),
            ));
        }
        Ok(Err(e)) if std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>()) => {
            return Err(AppError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("the upload is larger than the {max_bytes} bytes the server accepts"),
            ));
        }
        Ok(Err(e)) => return Err(AppError::bad_request(format!("the upload could not be read: {e}"))),
        Ok(Ok(b)) => b,
    };
    if body.is_empty() {
        return Err(AppError::bad_request("the request body (the file) is empty"));
    }
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
    let upload = Upload { name, body: Vec::from(body), options, import, who };
    if !background {
        let st = state.clone();
        let (status, value) = tokio::task::spawn_blocking(move || run(&st, upload, &mut |_| {}))
            .await
            .map_err(|e| AppError::internal(e.to_string()))??;
        return Ok((status, axum::Json(value)).into_response());
    }
    let max_pending = state.policy.load().max_queued_imports;
    let job = state.jobs.submit(&id, max_pending).map_err(|e| {
        AppError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", format!("{e}; retry later")).with_retry_after(5)
    })?;
    let (st, j) = (state.clone(), job.clone());
    tokio::task::spawn_blocking(move || {
        let (status, value) = match run(&st, upload, &mut |read| {
            j.features_read.store(read, std::sync::atomic::Ordering::Relaxed);
            if read == 0 {
                j.start();
            }
        }) {
            Ok((s, v)) => (s, v),
            Err(e) => (e.status(), serde_json::json!({"error": e.to_json()})),
        };
        j.finish(status.as_u16(), value);
    });
    let url = format!("/jobs/{}", job.id);
    let mut res = (
        StatusCode::ACCEPTED,
        axum::Json(serde_json::json!({"job": job.id, "layer": id, "status": "queued", "url": url})),
    )
        .into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&url) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// An upload that has arrived.
struct Upload {
    name: String,
    body: Vec<u8>,
    options: ReadOptions,
    import: ImportOptions,
    who: crate::audit::Who,
}

/// Imports an upload (on a blocking thread): the status and body of the answer.
fn run(
    st: &SharedState,
    up: Upload,
    progress: &mut dyn FnMut(u64),
) -> Result<(StatusCode, serde_json::Value), AppError> {
    let Upload { name, body, options, import, who } = up;
    let source = read::open_bytes(&name, body, &options)
        .map_err(|e| AppError::new(StatusCode::BAD_REQUEST, "unreadable_file", e.to_string()))?;
    let started = std::time::Instant::now();
    let (report, existed) = {
        let mut store = st.store.lock().map_err(|_| AppError::internal("the store lock is poisoned"))?;
        // Called with 0 once the store is ours: the job is running, no longer queued.
        progress(0);
        let existed = store.catalog().get(&import.layer).is_some();
        let outcome = gridgis_import::pipeline::import(source, &mut store, &import, progress);
        st.metrics.import_finished(started.elapsed().as_secs_f64(), outcome.is_ok());
        match outcome {
            Ok((report, _)) => (report, existed),
            Err(ImportError::NothingToPublish(report)) => {
                return Ok((
                    StatusCode::UNPROCESSABLE_ENTITY,
                    serde_json::json!({
                        "error": {"code": "nothing_to_publish", "message": "every feature was rejected; nothing was published"},
                        "report": report,
                    }),
                ));
            }
            Err(ImportError::Store(e))
                if matches!(e, gridgis_layers::LayersError::Store(gridgis_layers::StoreError::InvalidId { .. })) =>
            {
                return Err(AppError::bad_request(e.to_string()));
            }
            Err(e @ ImportError::Reserved { .. }) => {
                return Err(AppError::new(StatusCode::CONFLICT, "reserved_layer", e.to_string()));
            }
            Err(e @ (ImportError::Read(_) | ImportError::Crs(_))) => {
                return Err(AppError::new(StatusCode::BAD_REQUEST, "unreadable_file", e.to_string()));
            }
            Err(e) => return Err(AppError::from_write_error(&format!("layer {}", import.layer), &e)),
        }
    };
    st.reload_layers().map_err(|e| AppError::internal(format!("{e:#}")))?;
    tracing::info!(layer = %report.layer, version = ?report.version, published = report.published, rejected = report.rejected, key = ?who.key, "layer published");
    super::audit(st, &who, "publish_layer", &report.layer, report.version)?;
    let status = if existed { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, serde_json::to_value(&report).map_err(|e| AppError::internal(e.to_string()))?))
}
