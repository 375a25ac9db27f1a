//! `/layers`: the catalog, features by bbox / distance / attribute, nearest features, and
//! (with a GIS-staff key) publishing and rolling back versions.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use gridgis_layers::{CatalogEntry, LayerData, Page};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::error::AppError;
use super::extract::{Path, Query};
use crate::answer;
use crate::state::SharedState;

/// A catalog entry as the API shows it (the contract's fields, then the rest).
#[derive(Serialize)]
struct EntryView<'a> {
    id: &'a str,
    name: &'a str,
    category: &'a str,
    geometry_type: &'a str,
    feature_count: u64,
    bbox: Option<[f64; 4]>,
    version: u32,
    updated_at: &'a str,
    kind: &'a str,
    fields: &'a [gridgis_layers::Field],
    source_crs: &'a str,
    source_file: Option<&'a str>,
    versions: Vec<u32>,
}

fn view(e: &CatalogEntry) -> EntryView<'_> {
    EntryView {
        id: &e.id,
        name: &e.name,
        category: &e.category,
        geometry_type: &e.geometry_type,
        feature_count: e.feature_count,
        bbox: e.bbox,
        version: e.version,
        updated_at: &e.updated_at,
        kind: &e.kind,
        fields: &e.fields,
        source_crs: &e.source_crs,
        source_file: e.source_file.as_deref(),
        versions: e.kept_versions(),
    }
}

fn json_response(status: StatusCode, value: &impl Serialize, content_type: &'static str) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, content_type)], bytes).into_response(),
        Err(e) => AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()).into_response(),
    }
}

/// `GET /layers[?category=&kind=]`: the catalog.
pub async fn list(
    State(state): State<SharedState>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    for k in q.keys() {
        if k != "category" && k != "kind" {
            return Err(AppError::bad_request(format!("unknown parameter '{k}' (category, kind)")));
        }
    }
    let layers = state.layers.load();
    let entries: Vec<EntryView<'_>> = layers
        .iter()
        .map(|l| l.entry())
        .filter(|e| q.get("category").is_none_or(|c| &e.category == c))
        .filter(|e| q.get("kind").is_none_or(|k| &e.kind == k))
        .map(view)
        .collect();
    Ok(json_response(StatusCode::OK, &json!({"count": entries.len(), "layers": entries}), "application/json"))
}

fn layer(state: &SharedState, id: &str) -> Result<std::sync::Arc<LayerData>, AppError> {
    state
        .layers
        .load()
        .get(id)
        .cloned()
        .ok_or_else(|| AppError::not_found("layer_not_found", format!("no layer '{id}' (GET /layers lists them)")))
}

/// `GET /layers/{id}`: one catalog entry.
pub async fn get(State(state): State<SharedState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let l = layer(&state, &id)?;
    Ok(json_response(StatusCode::OK, &view(l.entry()), "application/json"))
}

/// Query parameters with fixed meanings; every other parameter is an equality filter on the
/// field of that name (as in OGC API - Features).
const RESERVED: [&str; 9] = ["bbox", "limit", "offset", "lon", "lat", "distance_m", "crs", "k", "max_distance_m"];

struct Params {
    raw: BTreeMap<String, String>,
}

impl Params {
    fn number<T: std::str::FromStr>(&self, key: &str) -> Result<Option<T>, AppError> {
        self.raw
            .get(key)
            .map(|v| v.trim().parse::<T>().map_err(|_| AppError::bad_request(format!("{key}='{v}' is not a number"))))
            .transpose()
    }

    fn filter_pairs(&self) -> Vec<(String, String)> {
        self.raw.iter().filter(|(k, _)| !RESERVED.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    /// `lon`/`lat` converted to WGS84 through `crs` (default wgs84), if given.
    fn point(&self) -> Result<Option<(f64, f64)>, AppError> {
        match (self.number::<f64>("lon")?, self.number::<f64>("lat")?) {
            (Some(x), Some(y)) => {
                let (_, t) = answer::parse_crs(self.raw.get("crs").map(String::as_str))?;
                Ok(Some(t.to_wgs84(x, y).map_err(answer::LocateError::from)?))
            }
            (None, None) => Ok(None),
            _ => Err(AppError::bad_request("give both lon and lat")),
        }
    }
}

fn feature_collection(l: &LayerData, page: &Page, extra: Map<String, Value>) -> Value {
    let features: Vec<Value> = page
        .items
        .iter()
        .map(|&(i, d)| {
            let r = l.record(i);
            let mut more = Map::new();
            if let Some(d) = d {
                more.insert("distance_m".into(), json!((d * 100.0).round() / 100.0));
            }
            gridgis_layers::feature_json(l.columns().iter().map(String::as_str).zip(r.values.iter()), &r.geometry, more)
        })
        .collect();
    let mut fc = Map::new();
    fc.insert("type".into(), json!("FeatureCollection"));
    fc.insert("numberMatched".into(), json!(page.matched));
    fc.insert("numberReturned".into(), json!(page.items.len()));
    fc.extend(extra);
    fc.insert("features".into(), Value::Array(features));
    Value::Object(fc)
}

/// `GET /layers/{id}/features?bbox=minx,miny,maxx,maxy | lon=&lat=&distance_m= [&limit=&offset=][&field=value…]`:
/// a GeoJSON FeatureCollection, paged (`numberMatched`, `numberReturned`, and `next` with the
/// query of the next page).
pub async fn features(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    Query(raw): Query<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let l = layer(&state, &id)?;
    let p = Params { raw };
    let limit = p.number::<usize>("limit")?.unwrap_or(state.limits().default_page);
    if limit == 0 || limit > state.limits().max_page {
        return Err(AppError::bad_request(format!("limit must be 1..={}", state.limits().max_page)));
    }
    let offset = p.number::<usize>("offset")?.unwrap_or(0);
    let filter = l.filter(&p.filter_pairs()).map_err(|e| AppError::bad_request(e.to_string()))?;
    let bad = |e: gridgis_layers::QueryError| AppError::bad_request(e.to_string());
    let page = match (p.raw.get("bbox"), p.point()?, p.number::<f64>("distance_m")?) {
        (Some(_), Some(_), _) => return Err(AppError::bad_request("give bbox or lon/lat/distance_m, not both")),
        (Some(b), None, _) => {
            let v: Vec<f64> =
                b.split(',').map(|x| x.trim().parse::<f64>()).collect::<Result<_, _>>().map_err(|_| {
                    AppError::bad_request(format!("bbox='{b}' must be four numbers minx,miny,maxx,maxy"))
                })?;
            let bbox: [f64; 4] = v
                .try_into()
                .map_err(|_| AppError::bad_request(format!("bbox='{b}' must be four numbers minx,miny,maxx,maxy")))?;
            l.bbox(bbox, &filter, offset, limit).map_err(bad)?
        }
        (None, Some((lon, lat)), Some(r)) => l.within(lon, lat, r, &filter, offset, limit).map_err(bad)?,
        (None, Some(_), None) => return Err(AppError::bad_request("lon/lat need distance_m (metres)")),
        (None, None, Some(_)) => return Err(AppError::bad_request("distance_m needs lon and lat")),
        (None, None, None) => l.all(&filter, offset, limit),
    };
    let mut extra = Map::new();
    if offset + page.items.len() < page.matched {
        let mut next = p.raw.clone();
        next.insert("offset".into(), (offset + page.items.len()).to_string());
        next.insert("limit".into(), limit.to_string());
        let query: Vec<String> = next.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        extra.insert("next".into(), json!(format!("/layers/{id}/features?{}", query.join("&"))));
    }
    Ok(json_response(StatusCode::OK, &feature_collection(&l, &page, extra), "application/geo+json"))
}

/// Percent-encodes a query component (RFC 3986 unreserved characters kept).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `GET /layers/{id}/nearest?lon=&lat=[&k=5][&crs=][&max_distance_m=][&field=value…]`: the k
/// nearest features, nearest first, each with `distance_m`.
pub async fn nearest(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    Query(raw): Query<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let l = layer(&state, &id)?;
    let p = Params { raw };
    let (lon, lat) = p.point()?.ok_or_else(|| AppError::bad_request("lon and lat are required"))?;
    let k = p.number::<usize>("k")?.unwrap_or(5);
    if k == 0 || k > state.limits().max_page {
        return Err(AppError::bad_request(format!("k must be 1..={}", state.limits().max_page)));
    }
    let max = p.number::<f64>("max_distance_m")?;
    if max.is_some_and(|m| !(m.is_finite() && m >= 0.0)) {
        return Err(AppError::bad_request("max_distance_m must be a non-negative number of metres"));
    }
    let filter = l.filter(&p.filter_pairs()).map_err(|e| AppError::bad_request(e.to_string()))?;
    let hits = l.nearest(lon, lat, k, &filter, max).map_err(|e| AppError::bad_request(e.to_string()))?;
    let page = Page { matched: hits.len(), items: hits.into_iter().map(|(i, d)| (i, Some(d))).collect() };
    Ok(json_response(StatusCode::OK, &feature_collection(&l, &page, Map::new()), "application/geo+json"))
}

/// `POST /layers/{id}/rollback` (GIS-staff key): back to the previous kept version, served at once.
pub async fn rollback(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    who: Option<axum::Extension<crate::audit::Who>>,
) -> Result<Response, AppError> {
    let who = who.map(|w| w.0).unwrap_or_default();
    let st = state.clone();
    let entry = tokio::task::spawn_blocking(move || -> Result<CatalogEntry, AppError> {
        let entry = {
            let mut store = st.store.lock().map_err(|_| AppError::internal("the store lock is poisoned"))?;
            store.rollback(&id).map_err(|e| match e {
                gridgis_layers::LayersError::Store(gridgis_layers::StoreError::UnknownLayer { .. }) => {
                    AppError::not_found("layer_not_found", e.to_string())
                }
                gridgis_layers::LayersError::Store(gridgis_layers::StoreError::NoPreviousVersion { .. }) => {
                    AppError::new(StatusCode::CONFLICT, "no_previous_version", e.to_string())
                }
                other => AppError::from_write_error(&format!("layer {id}"), &other),
            })?
        };
        st.reload_layers().map_err(|e| AppError::internal(e.to_string()))?;
        Ok(entry)
    })
    .await
    .map_err(|e| AppError::internal(e.to_string()))??;
    tracing::info!(layer = %entry.id, version = entry.version, key = ?who.key, "rolled back");
    super::audit(&state, &who, "rollback_layer", &entry.id, Some(entry.version))?;
    Ok(json_response(StatusCode::OK, &view(&entry), "application/json"))
}
