//! Operations: a request id on every request and answer, one log line per request, Prometheus
//! metrics (`GET /metrics`), and readiness (`GET /ready`).

use std::collections::HashSet;
use std::sync::RwLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tracing::Instrument;

use crate::state::SharedState;

/// The header carrying the request id, in and out.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

// Labels borrow interned names: counting a request allocates nothing.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ImportLabels {
    outcome: &'static str,
}

/// The server's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    imports: Family<ImportLabels, Histogram, fn() -> Histogram>,
    next_id: AtomicU64,
    prefix: String,
    routes: RwLock<HashSet<&'static str>>,
    /// Requests being answered now (health, readiness and metrics aside).
    pub in_flight: std::sync::atomic::AtomicUsize,
    /// Set when shutdown begins: `/ready` then says so, so that a load balancer stops sending.
    pub draining: AtomicBool,
}

fn latency_histogram() -> Histogram {
    // 50 µs to ~1.6 s: a located point to a large batch.
    Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
}

fn import_histogram() -> Histogram {
    // 10 ms to ~20 min: a handful of points to a city's building footprints.
    Histogram::new(exponential_buckets(0.01, 2.0, 18))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        registry.register(
            "gridgis_http_requests",
            "HTTP requests answered, by method, route and status",
            requests.clone(),
        );
        let imports = Family::<ImportLabels, Histogram, fn() -> Histogram>::new_with_constructor(import_histogram);
        registry.register(
            "gridgis_import_duration_seconds",
            "Time to import an upload (reading, checking, writing, publishing), by outcome",
            imports.clone(),
        );
        registry.register(
            "gridgis_http_request_duration_seconds",
            "Time to answer, by route (to the answer's head; bodies stream after)",
            latency.clone(),
        );
        // A per-process prefix keeps ids unique across restarts without a random source.
        let prefix = crate::data::process_stamp().to_owned();
        Self {
            registry,
            requests,
            latency,
            imports,
            next_id: AtomicU64::new(1),
            prefix,
            routes: RwLock::default(),
            in_flight: std::sync::atomic::AtomicUsize::new(0),
            draining: AtomicBool::new(false),
        }
    }
}

impl Metrics {
    fn new_id(&self) -> String {
        format!("{}-{}", self.prefix, self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// Counts an upload's import: `ok` when it published.
    pub fn import_finished(&self, secs: f64, ok: bool) {
        let outcome = if ok { "published" } else { "refused" };
        self.imports.get_or_create(&ImportLabels { outcome }).observe(secs);
    }

    /// The route pattern as a `'static` name. The patterns are the router's (a few dozen), so
    /// the leaked names are bounded by the code, not by the traffic.
    fn route_name(&self, route: &str) -> &'static str {
        if let Some(r) = self.routes.read().ok().and_then(|s| s.get(route).copied()) {
            return r;
        }
        let Ok(mut set) = self.routes.write() else { return "unknown" };
        if let Some(r) = set.get(route) {
            return r;
        }
        let name: &'static str = Box::leak(route.to_owned().into_boxed_str());
        set.insert(name);
        name
    }
}

fn method_name(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// A caller's request id is kept when it is short and printable; else one is made.
fn request_id(state: &SharedState, req: &Request) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(|| state.metrics.new_id(), str::to_owned)
}

/// The one middleware: a request id, the access check and limits ([`super::auth::authorize`]),
/// metrics, and a log line per request (debug; failures warn). One layer rather than two: each
/// costs a boxed future per request, and at tens of thousands a second that shows.
pub async fn observe(State(state): State<SharedState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(&state, &req);
    let route = state.metrics.route_name(req.extensions().get::<MatchedPath>().map_or("unmatched", |m| m.as_str()));
    let method = method_name(req.method());
    // A span only when debug is on: at tens of thousands of tiles a second, a span per request
    // (its fields formatted) would cost more than many of the answers.
    let mut res = if tracing::enabled!(tracing::Level::DEBUG) {
        let span = tracing::debug_span!("request", id = %id, method, route);
        super::auth::authorize(&state, route, &id, req, next).instrument(span).await
    } else {
        super::auth::authorize(&state, route, &id, req, next).await
    };
    let status = res.status().as_u16();
    let secs = started.elapsed().as_secs_f64();
    state.metrics.requests.get_or_create(&RequestLabels { method, route, status }).inc();
    state.metrics.latency.get_or_create(&RouteLabels { route }).observe(secs);
    if status >= 500 {
        tracing::warn!(id = %id, method, route, status, ms = secs * 1e3, "answered");
    } else {
        tracing::debug!(id = %id, method, route, status, ms = secs * 1e3, "answered");
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID.clone(), v);
    }
    res
}

/// `GET /metrics`: Prometheus text: requests and latency per route, the tile cache, the
/// layers' versions, the case log, uptime.
pub async fn metrics(State(state): State<SharedState>) -> Response {
    let mut out = String::new();
    if prometheus_client::encoding::text::encode(&mut out, &state.metrics.registry).is_err() {
        return (StatusCode::INTERNAL_SERVER_ERROR, "metrics could not be encoded").into_response();
    }
    // The registry ends with `# EOF`; the figures read at scrape time go before it.
    let body = out.trim_end().strip_suffix("# EOF").unwrap_or(&out).to_owned();
    let mut out = body;
    let c = state.tile_cache.stats();
    let ratio = if c.hits + c.misses > 0 { c.hits as f64 / (c.hits + c.misses) as f64 } else { 0.0 };
    let layers = state.layers.load();
    let mut versions = String::new();
    for l in layers.iter() {
        versions.push_str(&format!("gridgis_layer_version{{layer=\"{}\"}} {}\n", l.entry().id, l.entry().version));
    }
    let cases = state.cases.read().map_or(0, |c| c.len());
    out.push_str(&format!(
        "# HELP gridgis_tile_cache_hits Tile lookups answered from the cache.\n# TYPE gridgis_tile_cache_hits counter\n\
         gridgis_tile_cache_hits_total {}\n\
         # HELP gridgis_tile_cache_misses Tile lookups that rendered.\n# TYPE gridgis_tile_cache_misses counter\n\
         gridgis_tile_cache_misses_total {}\n\
         # HELP gridgis_tile_cache_hit_ratio Hits over lookups since start.\n# TYPE gridgis_tile_cache_hit_ratio gauge\n\
         gridgis_tile_cache_hit_ratio {ratio}\n\
         # HELP gridgis_tile_cache_bytes Bytes of tiles held.\n# TYPE gridgis_tile_cache_bytes gauge\n\
         gridgis_tile_cache_bytes {}\n\
         # HELP gridgis_layer_version The version served of each layer.\n# TYPE gridgis_layer_version gauge\n\
         {versions}\
         # HELP gridgis_cases Cases in the case log.\n# TYPE gridgis_cases gauge\ngridgis_cases {cases}\n\
         # HELP gridgis_http_requests_in_flight Requests being answered.\n# TYPE gridgis_http_requests_in_flight gauge\n\
         gridgis_http_requests_in_flight {}\n\
         # HELP gridgis_uptime_seconds Seconds since the data was loaded.\n# TYPE gridgis_uptime_seconds gauge\n\
         gridgis_uptime_seconds {}\n# EOF\n",
        c.hits,
        c.misses,
        c.bytes,
        state.metrics.in_flight.load(Ordering::Relaxed),
        state.started.elapsed().as_secs_f64(),
    ));
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], out).into_response()
}

/// `GET /ready`: 200 while the server takes requests (it listens only once loaded), 503
/// `draining` once shutdown has begun.
pub async fn ready(State(state): State<SharedState>) -> Response {
    if state.metrics.draining.load(Ordering::Relaxed) {
        return (StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({"status": "draining"})))
            .into_response();
    }
    axum::Json(serde_json::json!({"status": "ready"})).into_response()
}
