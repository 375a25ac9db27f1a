//! The `/layers` API through the router: catalog, features (bbox, distance, attribute filter,
//! paging), nearest, and rollback with its access rules.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gridgis::auth::ApiKeys;
use gridgis::state::{AppState, Limits, SharedState};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

const STAFF: &str = "staff-key-0123456789abcdef";
const VIEWER: &str = "viewer-key-0123456789abcdef";

fn keys() -> ApiKeys {
    ApiKeys::load(Some(&format!("gis_staff:{STAFF},viewer:{VIEWER}")), None, None).unwrap()
}

/// A state over `dir` (the shared demo dir for reads, a private copy for writes).
fn state(dir: &std::path::Path) -> SharedState {
    Arc::new(AppState::new(common::load(dir), keys(), Limits::default()))
}

fn shared() -> SharedState {
    static S: std::sync::OnceLock<SharedState> = std::sync::OnceLock::new();
    S.get_or_init(|| state(common::demo_dir())).clone()
}

async fn send(state: SharedState, req: Request<Body>) -> (StatusCode, Value) {
    let res = gridgis::http::app(state).oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn get(uri: &str) -> (StatusCode, Value) {
    send(shared(), Request::get(uri).body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn catalog() {
    let (s, v) = get("/layers").await;
    assert_eq!(s, StatusCode::OK);
    let ids: Vec<&str> = v["layers"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"grids") && ids.contains(&"townships"));
    let (s, v) = get("/layers/grids").await;
    assert_eq!(s, StatusCode::OK);
    for k in ["id", "name", "category", "geometry_type", "feature_count", "bbox", "version", "updated_at"] {
        assert!(!v[k].is_null(), "{k} missing: {v}");
    }
    assert_eq!(v["feature_count"], 7585);
    let (s, v) = get("/layers?category=网格&kind=system").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["count"], 2);
    let (s, v) = get("/layers/nope").await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("layer_not_found")));
    let (s, _) = get("/layers?colour=red").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn features_by_bbox_filter_and_pages() {
    // The level-1 grids touching the district seat, 5 a page.
    let (s, v) = get("/layers/grids/features?bbox=116.62,40.31,116.65,40.33&level=1&limit=5").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["type"], "FeatureCollection");
    let matched = v["numberMatched"].as_u64().unwrap();
    assert!(matched > 5, "{matched}");
    assert_eq!(v["numberReturned"], 5);
    assert!(v["features"].as_array().unwrap().iter().all(|f| f["properties"]["level"] == 1));
    // Follow `next` to the end: every match once.
    let mut seen = std::collections::BTreeSet::new();
    let mut next = Some("/layers/grids/features?bbox=116.62,40.31,116.65,40.33&level=1&limit=5".to_string());
    while let Some(uri) = next {
        let (_, page) = get(&uri).await;
        for f in page["features"].as_array().unwrap() {
            assert!(seen.insert(f["properties"]["code"].as_str().unwrap().to_string()));
        }
        next = page["next"].as_str().map(String::from);
    }
    assert_eq!(seen.len() as u64, matched);
    // Attribute filter on a string field.
    let (_, v) = get("/layers/grids/features?code=110116001001").await;
    assert_eq!(v["numberMatched"], 1);
    assert_eq!(v["features"][0]["properties"]["name"], "富乐社区");
}

#[tokio::test]
async fn features_within_distance_and_nearest() {
    let (s, v) = get("/layers/townships/features?lon=116.637&lat=40.322&distance_m=10").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["numberMatched"], 1, "a point lies in one township");
    assert_eq!(v["features"][0]["properties"]["distance_m"], 0.0);
    let (s, v) = get("/layers/townships/nearest?lon=116.637&lat=40.322&k=3").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let d: Vec<f64> =
        v["features"].as_array().unwrap().iter().map(|f| f["properties"]["distance_m"].as_f64().unwrap()).collect();
    assert_eq!(d.len(), 3);
    assert_eq!(d[0], 0.0);
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    // GCJ-02 input lands on the same township.
    let (glon, glat) = gridgis_engine::wgs84_to_gcj02(116.637, 40.322);
    let (_, g) = get(&format!("/layers/townships/nearest?lon={glon}&lat={glat}&k=1&crs=gcj02")).await;
    assert_eq!(g["features"][0]["properties"]["code"], v["features"][0]["properties"]["code"]);
}

#[tokio::test]
async fn query_errors_are_json_400s() {
    for uri in [
        "/layers/grids/features?bbox=1,2,3",
        "/layers/grids/features?bbox=3,3,1,1",
        "/layers/grids/features?bbox=a,b,c,d",
        "/layers/grids/features?limit=0",
        "/layers/grids/features?limit=1000000",
        "/layers/grids/features?nosuchfield=1",
        "/layers/grids/features?lon=116.6&lat=40.3",
        "/layers/grids/features?lon=116.6&distance_m=5",
        "/layers/grids/nearest?lon=116.6",
        "/layers/grids/nearest?lon=116.6&lat=40.3&k=0",
        "/layers/grids/nearest?lon=116.6&lat=40.3&crs=mars",
        "/layers/grids/nearest?lon=NaN&lat=40.3",
    ] {
        let (s, v) = get(uri).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert!(v["error"]["code"].is_string(), "{uri}: {v}");
    }
}

#[tokio::test]
async fn rollback_needs_a_gis_staff_key_and_swaps_at_once() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(common::demo_dir(), dir.path());
    // A thematic layer with two versions: three hydrants, then one.
    {
        let mut store = common::open_store(dir.path());
        let hydrant = |x: f64| gridgis_layers::Feature {
            geometry: geo_types::Geometry::Point(geo_types::Point::new(x, 40.32)),
            properties: vec![("name".into(), gridgis_layers::Value::String("消火栓".into()))],
        };
        let meta = gridgis_layers::LayerMeta {
            id: "hydrants".into(),
            name: "消火栓".into(),
            category: "公用设施".into(),
            kind: "thematic".into(),
            source_crs: "wgs84".into(),
            source_file: None,
            updated_at: "2026-02-01T00:00:00Z".into(),
        };
        store.publish(meta.clone(), &[hydrant(116.63), hydrant(116.64), hydrant(116.65)]).unwrap();
        store.publish(meta, &[hydrant(116.63)]).unwrap();
    }
    let st = state(dir.path());
    let req = |key: Option<&str>| {
        let mut r = Request::post("/layers/hydrants/rollback");
        if let Some(k) = key {
            r = r.header(header::AUTHORIZATION, format!("Bearer {k}"));
        }
        r.body(Body::empty()).unwrap()
    };
    let (_, v) = send(st.clone(), Request::get("/layers/hydrants").body(Body::empty()).unwrap()).await;
    assert_eq!((v["version"].as_u64(), v["feature_count"].as_u64()), (Some(2), Some(1)));
    let (s, v) = send(st.clone(), req(None)).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
    let (s, _) = send(st.clone(), req(Some("not-a-key-at-all-0000"))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v) = send(st.clone(), req(Some(VIEWER))).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    let (s, v) = send(st.clone(), req(Some(STAFF))).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["version"], 1);
    // Served at once, no restart.
    let (_, v) = send(st.clone(), Request::get("/layers/hydrants").body(Body::empty()).unwrap()).await;
    assert_eq!((v["version"].as_u64(), v["feature_count"].as_u64()), (Some(1), Some(3)));
    let (_, v) = send(st.clone(), Request::get("/layers/hydrants/features").body(Body::empty()).unwrap()).await;
    assert_eq!(v["numberMatched"], 3);
    let (s, v) = send(st.clone(), req(Some(STAFF))).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("no_previous_version")));
}
