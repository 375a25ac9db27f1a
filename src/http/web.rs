//! `GET /` and `/web/…`: the command-centre page, built into the binary.
//!
//! Command centres run on networks without the internet, so everything the page needs — its
//! HTML, script and style, and MapLibre GL JS from npm (`web/node_modules`, installed by
//! `make deps`) — is compiled in with `include_bytes!`; nothing is fetched from a CDN.

use std::hash::{Hash, Hasher};
use std::sync::LazyLock;

use axum::Router;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::conditional::matches_etag;
use super::error::AppError;
use super::extract::Path;
use crate::state::SharedState;

/// Revalidated on every use: a new binary may carry a new page, and a 304 costs nothing.
const CACHE_CONTROL: &str = "public, no-cache";
const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// One built-in file.
struct Asset {
    /// The name under `/web/` (`index.html` is served at `/`).
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

static ASSETS: &[Asset] = &[
    Asset { name: "index.html", content_type: HTML, body: include_bytes!("../../web/index.html") },
    Asset { name: "app.js", content_type: JS, body: include_bytes!("../../web/app.js") },
    Asset { name: "style.css", content_type: CSS, body: include_bytes!("../../web/style.css") },
    Asset {
        name: "maplibre-gl.js",
        content_type: JS,
        body: include_bytes!("../../web/node_modules/maplibre-gl/dist/maplibre-gl.js"),
    },
    Asset {
        name: "maplibre-gl.css",
        content_type: CSS,
        body: include_bytes!("../../web/node_modules/maplibre-gl/dist/maplibre-gl.css"),
    },
];

/// Each asset's ETag (same order as [`ASSETS`]), hashed once on first use: the bytes never
/// change while the binary runs.
static ETAGS: LazyLock<Vec<String>> = LazyLock::new(|| ASSETS.iter().map(|a| etag(a.body)).collect());

fn etag(body: &[u8]) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut h);
    format!("\"{:x}-{:016x}\"", body.len(), h.finish())
}

/// The page's routes: `GET /` (the page) and `GET /web/{file}` (its script, style and MapLibre
/// GL JS), each with an ETag, `Cache-Control: public, no-cache` and 304 on `If-None-Match`; an
/// unknown file is the API's 404 JSON error.
pub fn router() -> Router<SharedState> {
    Router::new().route("/", get(index)).route("/web/{file}", get(file))
}

async fn index(headers: HeaderMap) -> Response {
    serve(0, &headers)
}

async fn file(Path(name): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    match ASSETS.iter().position(|a| a.name == name && a.name != "index.html") {
        Some(i) => Ok(serve(i, &headers)),
        None => Err(AppError::not_found("not_found", format!("no file /web/{name}"))),
    }
}

fn serve(i: usize, headers: &HeaderMap) -> Response {
    let asset = &ASSETS[i];
    let tag = &ETAGS[i];
    let mut out = HeaderMap::new();
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
    out.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(v) = HeaderValue::from_str(tag) {
        out.insert(header::ETAG, v);
    }
    if matches_etag(headers, tag) {
        return (StatusCode::NOT_MODIFIED, out).into_response();
    }
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    (StatusCode::OK, out, asset.body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_are_there_and_tagged() {
        assert_eq!(ASSETS[0].name, "index.html");
        assert_eq!(ETAGS.len(), ASSETS.len());
        for (a, t) in ASSETS.iter().zip(ETAGS.iter()) {
            assert!(!a.body.is_empty(), "{} is empty", a.name);
            assert!(t.starts_with('"') && t.ends_with('"'));
        }
        // Distinct files, distinct tags.
        let mut tags: Vec<_> = ETAGS.iter().collect();
        tags.sort();
        tags.dedup();
        assert_eq!(tags.len(), ASSETS.len());
    }
}
