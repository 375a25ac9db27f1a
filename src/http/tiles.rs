//! `/catalog`, `/tiles/{sources}` (TileJSON) and `/tiles/{sources}/{z}/{x}/{y}` (Mapbox Vector
//! Tiles): the grids and every layer, alone or composed, from memory through the tile cache.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gridgis_tiles::{LayerSource, RenderedTile, Source, TileCoord, TileKey};

use crate::tile_sources::{GRIDS_SOURCE, SourcesError, resolve};

use super::conditional::matches_etag;
use super::error::AppError;
use super::extract::Path;
use crate::state::SharedState;

const MVT: &str = "application/vnd.mapbox-vector-tile";
/// Tiles are never stale: every answer is revalidated with its ETag, which changes the moment a
/// source's new version is published (a 304 costs no rendering).
const CACHE_CONTROL: &str = "public, no-cache";

impl From<SourcesError> for AppError {
    fn from(e: SourcesError) -> Self {
        match e {
            SourcesError::Unknown(_) => AppError::not_found("source_not_found", e.to_string()),
            _ => AppError::bad_request(e.to_string()),
        }
    }
}

/// The sources named in a request, resolved against the current layers.
struct Resolved {
    /// The request's ids, comma-separated, in order.
    spec: String,
    sources: Vec<Arc<dyn Source>>,
}

impl Resolved {
    fn new(state: &SharedState, spec: &str) -> Result<Self, AppError> {
        let sources = resolve(spec, &state.grids_tiles, &state.layers.load())?;
        Ok(Self { spec: spec.to_owned(), sources })
    }

    fn refs(&self) -> Vec<&dyn Source> {
        self.sources.iter().map(|s| s.as_ref()).collect()
    }

    fn key(&self, tile: TileCoord) -> TileKey {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for s in &self.sources {
            s.version().hash(&mut h);
        }
        let (z, x, y) = tile.zxy();
        TileKey { sources: self.spec.as_str().into(), versions: h.finish(), z, x, y }
    }
}

/// The ETag of a tile: its key (sources, their versions, z/x/y), and the encoding.
fn etag(key: &TileKey, gzip: bool) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    format!("\"{:016x}{}\"", h.finish(), if gzip { "-gz" } else { "" })
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).any(|v| {
        v.split(',').any(|part| {
            let mut it = part.split(';');
            let coding = it.next().unwrap_or("").trim();
            let refused = it.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
    })
}

fn parse_tile(z: &str, x: &str, y: &str) -> Result<TileCoord, AppError> {
    let y = y.strip_suffix(".pbf").or_else(|| y.strip_suffix(".mvt")).unwrap_or(y);
    let bad = || AppError::new(StatusCode::BAD_REQUEST, "invalid_tile", format!("{z}/{x}/{y} is not a tile address"));
    let (z, x, y) = (
        z.parse::<u8>().map_err(|_| bad())?,
        x.parse::<u32>().map_err(|_| bad())?,
        y.parse::<u32>().map_err(|_| bad())?,
    );
    TileCoord::new(z, x, y).map_err(|e| AppError::new(StatusCode::BAD_REQUEST, "invalid_tile", e.to_string()))
}

/// `GET /tiles/{sources}/{z}/{x}/{y}`: the MVT, gzip when accepted; 304 when `If-None-Match`
/// names the current ETag; 204 when the tile has no feature.
pub async fn tile(
    State(state): State<SharedState>,
    Path((sources, z, x, y)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let tile = parse_tile(&z, &x, &y)?;
    let resolved = Resolved::new(&state, &sources)?;
    let key = resolved.key(tile);
    let gzip = accepts_gzip(&headers);
    let tag = etag(&key, gzip);
    let mut out_headers = HeaderMap::new();
    out_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
    out_headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        out_headers.insert(header::ETAG, v);
    }
    if matches_etag(&headers, &tag) {
        return Ok((StatusCode::NOT_MODIFIED, out_headers).into_response());
    }
    let rendered: Arc<RenderedTile> = match state.tile_cache.get(&key) {
        Some(t) => t,
        None => {
            let st = state.clone();
            tokio::task::spawn_blocking(move || {
                let options = st.tile_options;
                st.tile_cache.get_or_render(&key, || gridgis_tiles::render_tile(&resolved.refs(), tile, &options))
            })
            .await
            .map_err(|e| AppError::internal(e.to_string()))?
        }
    };
    if rendered.is_empty() {
        return Ok((StatusCode::NO_CONTENT, out_headers).into_response());
    }
    out_headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(MVT));
    let body = if gzip {
        out_headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        rendered.gzip.clone()
    } else {
        rendered.raw.clone()
    };
    Ok((StatusCode::OK, out_headers, body).into_response())
}

/// The URL prefix clients reach this server by: `X-Forwarded-Proto`/`X-Forwarded-Host` behind
/// a proxy, else the `Host` header; relative when there is none.
fn base_url(headers: &HeaderMap) -> String {
    let get = |h: &str| headers.get(h).and_then(|v| v.to_str().ok()).map(|s| s.split(',').next().unwrap_or(s).trim());
    let host = get("x-forwarded-host").or_else(|| get("host"));
    match host {
        Some(host) if !host.is_empty() => format!("{}://{host}", get("x-forwarded-proto").unwrap_or("http")),
        _ => String::new(),
    }
}

/// `GET /tiles/{sources}`: TileJSON 3.0.0.
pub async fn tilejson(
    State(state): State<SharedState>,
    Path(sources): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let resolved = Resolved::new(&state, &sources)?;
    let infos: Vec<_> = resolved.sources.iter().map(|s| s.info()).collect();
    let url = format!("{}/tiles/{sources}/{{z}}/{{x}}/{{y}}", base_url(&headers));
    Ok(axum::Json(gridgis_tiles::tilejson(&infos, &url)).into_response())
}

/// `GET /catalog`: every tile source, martin-style.
pub async fn catalog(State(state): State<SharedState>) -> Response {
    let set = state.layers.load();
    let mut infos = vec![state.grids_tiles.info()];
    infos.extend(set.iter().filter(|l| l.entry().id != GRIDS_SOURCE).map(|l| LayerSource::new(l.clone()).info()));
    axum::Json(gridgis_tiles::catalog(&infos)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_encoding_and_etags() {
        let h = |pairs: &[(&'static str, &'static str)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.append(*k, HeaderValue::from_static(v));
            }
            m
        };
        assert!(accepts_gzip(&h(&[("accept-encoding", "gzip, deflate, br")])));
        assert!(accepts_gzip(&h(&[("accept-encoding", "br;q=1.0, GZIP;q=0.5")])));
        assert!(!accepts_gzip(&h(&[("accept-encoding", "gzip;q=0, br")])));
        assert!(!accepts_gzip(&h(&[("accept-encoding", "identity")])));
        assert!(!accepts_gzip(&h(&[])));
        assert_eq!(base_url(&h(&[("host", "map.local:8080")])), "http://map.local:8080");
        assert_eq!(
            base_url(&h(&[("host", "x"), ("x-forwarded-host", "gis.gov.cn"), ("x-forwarded-proto", "https")])),
            "https://gis.gov.cn"
        );
        assert_eq!(base_url(&h(&[])), "");
    }
}
