//! `POST /layers/{id}` through the router: access rules, a new layer and a new version served
//! at once, and bad uploads refused with the data dir left exactly as it was.

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

fn state(dir: &std::path::Path) -> SharedState {
    let keys = ApiKeys::load(Some(&format!("gis_staff:{STAFF},viewer:{VIEWER}")), None, None).unwrap();
    Arc::new(AppState::new(common::load(dir), keys, Limits::default()))
}

async fn send(state: &SharedState, req: Request<Body>) -> (StatusCode, Value) {
    let res = gridgis::http::app(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn upload(uri: &str, key: Option<&str>, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    let mut r = Request::post(uri).header(header::CONTENT_TYPE, content_type);
    if let Some(k) = key {
        r = r.header(header::AUTHORIZATION, format!("Bearer {k}"));
    }
    r.body(body.into()).unwrap()
}

/// Hydrants as GeoJSON: `n` points in the district seat, with Chinese names.
fn hydrants(n: usize) -> String {
    let features: Vec<Value> = (0..n)
        .map(|i| {
            serde_json::json!({"type": "Feature",
                "properties": {"name": format!("消火栓{i}号"), "state": "完好", "n": i},
                "geometry": {"type": "Point", "coordinates": [116.62 + i as f64 * 0.001, 40.32]}})
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features}).to_string()
}

#[tokio::test]
async fn uploads_need_a_gis_staff_key() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(common::demo_dir(), dir.path());
    let st = state(dir.path());
    let before = common::snapshot(dir.path());
    let (s, v) = send(&st, upload("/layers/hydrants", None, "application/geo+json", hydrants(3))).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
    let (s, _) =
        send(&st, upload("/layers/hydrants", Some("no-such-key-0123456789"), "application/geo+json", hydrants(3)))
            .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, v) = send(&st, upload("/layers/hydrants", Some(VIEWER), "application/geo+json", hydrants(3))).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    assert_eq!(common::snapshot(dir.path()), before, "refused uploads change nothing");
}

#[tokio::test]
async fn an_upload_is_served_at_once_and_versions_stack() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(common::demo_dir(), dir.path());
    let st = state(dir.path());
    let uri = "/layers/hydrants?name=消火栓&category=公用设施";
    let (s, v) = send(&st, upload(uri, Some(STAFF), "application/geo+json", hydrants(3))).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!((v["version"].as_u64(), v["published"].as_u64(), v["rejected"].as_u64()), (Some(1), Some(3), Some(0)));
    assert_eq!(v["geometry_type"], "Point");
    // No restart: the layer is in the catalog and its features answer.
    let (s, v) = send(&st, Request::get("/layers/hydrants").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (v["name"].as_str(), v["category"].as_str(), v["feature_count"].as_u64()),
        (Some("消火栓"), Some("公用设施"), Some(3))
    );
    let (_, v) =
        send(&st, Request::get("/layers/hydrants/nearest?lon=116.62&lat=40.32&k=1").body(Body::empty()).unwrap()).await;
    assert_eq!(v["features"][0]["properties"]["name"], "消火栓0号");
    // A second upload is version 2 (200), keeping the name and category.
    let (s, v) = send(&st, upload("/layers/hydrants", Some(STAFF), "application/geo+json", hydrants(5))).await;
    assert_eq!((s, v["version"].as_u64()), (StatusCode::OK, Some(2)), "{v}");
    let (_, v) = send(&st, Request::get("/layers/hydrants").body(Body::empty()).unwrap()).await;
    assert_eq!((v["feature_count"].as_u64(), v["name"].as_str()), (Some(5), Some("消火栓")));
    // CSV in GCJ-02, as a phone-app export would be: converted to WGS84 on the way in.
    let (gx, gy) = gridgis_engine::wgs84_to_gcj02(116.63, 40.32);
    let csv = format!("编号,名称,lng,lat\n0101,东关井盖,{gx},{gy}\n");
    let (s, v) = send(&st, upload("/layers/covers?crs=gcj02", Some(STAFF), "text/csv", csv)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (_, v) = send(&st, Request::get("/layers/covers/features").body(Body::empty()).unwrap()).await;
    let c = &v["features"][0]["geometry"]["coordinates"];
    assert!((c[0].as_f64().unwrap() - 116.63).abs() < 1e-7 && (c[1].as_f64().unwrap() - 40.32).abs() < 1e-7, "{c}");
    assert_eq!(v["features"][0]["properties"]["编号"], "0101", "a code keeps its leading zero");
}

#[tokio::test]
async fn bad_uploads_publish_nothing() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(common::demo_dir(), dir.path());
    let st = state(dir.path());
    let before = common::snapshot(dir.path());
    let key = Some(STAFF);
    let cases: Vec<(&str, &str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "/layers/bad",
            "application/geo+json",
            b"{\"type\":\"FeatureCollection\",\"features\":[{\"type\"".to_vec(),
            StatusCode::BAD_REQUEST,
            "unreadable_file",
        ),
        (
            "/layers/bad",
            "application/octet-stream",
            vec![0xff, 0x00, 0x13, 0x37],
            StatusCode::BAD_REQUEST,
            "unreadable_file",
        ),
        (
            "/layers/bad",
            "application/zip",
            b"PK\x03\x04 not really a zip".to_vec(),
            StatusCode::BAD_REQUEST,
            "unreadable_file",
        ),
        (
            "/layers/bad?format=fgb",
            "application/octet-stream",
            b"fgb\x03fgb\x00garbage".to_vec(),
            StatusCode::BAD_REQUEST,
            "unreadable_file",
        ),
        (
            "/layers/bad?format=gpkg",
            "application/octet-stream",
            b"SQLite format 3\x00 and nothing else".to_vec(),
            StatusCode::BAD_REQUEST,
            "unreadable_file",
        ),
        (
            "/layers/bad?crs=EPSG:999999",
            "application/geo+json",
            hydrants(2).into_bytes(),
            StatusCode::BAD_REQUEST,
            "unreadable_file",
        ),
        (
            "/layers/bad?format=klingon",
            "application/geo+json",
            hydrants(2).into_bytes(),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            "/layers/bad?nosuch=1",
            "application/geo+json",
            hydrants(2).into_bytes(),
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        ("/layers/bad", "application/geo+json", Vec::new(), StatusCode::BAD_REQUEST, "bad_request"),
        ("/layers/grids", "application/geo+json", hydrants(2).into_bytes(), StatusCode::CONFLICT, "reserved_layer"),
        ("/layers/townships", "application/geo+json", hydrants(2).into_bytes(), StatusCode::CONFLICT, "reserved_layer"),
        ("/layers/addresses", "application/geo+json", hydrants(2).into_bytes(), StatusCode::CONFLICT, "reserved_layer"),
        ("/layers/Bad%20Id", "application/geo+json", hydrants(2).into_bytes(), StatusCode::BAD_REQUEST, "bad_request"),
        // Projected coordinates with no CRS: every feature refused, with the hint.
        (
            "/layers/bad",
            "text/csv",
            b"x,y\n469149,4465568\n".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "nothing_to_publish",
        ),
    ];
    for (uri, ct, body, status, code) in cases {
        let (s, v) = send(&st, upload(uri, key, ct, body)).await;
        assert_eq!((s, v["error"]["code"].as_str()), (status, Some(code)), "{uri} {ct}: {v}");
        assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    }
    let (_, v) = send(&st, upload("/layers/bad", key, "text/csv", b"x,y\n469149,4465568\n".to_vec())).await;
    assert!(v["report"]["rejections"][0]["reason"].as_str().unwrap().contains("--crs"), "{v}");
    assert_eq!(common::snapshot(dir.path()), before, "nothing was written");
    let (s, _) = send(&st, Request::get("/layers/bad").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_upload_over_the_cap_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(common::demo_dir(), dir.path());
    let keys = ApiKeys::load(Some(&format!("gis_staff:{STAFF}")), None, None).unwrap();
    let limits = Limits { max_upload_bytes: 1_000, ..Limits::default() };
    let st: SharedState = Arc::new(AppState::new(common::load(dir.path()), keys, limits));
    let (s, v) = send(&st, upload("/layers/big", Some(STAFF), "application/geo+json", hydrants(100))).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{v}");
    assert_eq!(v["error"]["code"], "payload_too_large");
}
