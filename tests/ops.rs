//! Operations through the router: request ids, Prometheus metrics, readiness, the audit log,
//! and the OpenAPI description against the routes served.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use gridgis::auth::ApiKeys;
use gridgis::state::{AppState, Limits};
use http_body_util::BodyExt;
use tower::ServiceExt;

#[tokio::test]
async fn request_ids_metrics_and_readiness() {
    let st = Arc::new(AppState::new(common::load(common::demo_dir()), ApiKeys::default(), Limits::default()));
    let app = || gridgis::http::app(st.clone());
    let res = app().oneshot(Request::get("/tiles/grids/12/3375/1545").body(Body::empty()).unwrap()).await.unwrap();
    let made = res.headers()[&gridgis::http::REQUEST_ID].to_str().unwrap().to_owned();
    assert!(!made.is_empty());
    let res = app()
        .oneshot(Request::get("/health").header("x-request-id", "intake-42").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.headers()[&gridgis::http::REQUEST_ID], "intake-42", "a caller's id is kept");
    let res = app()
        .oneshot(Request::get("/health").header("x-request-id", "x".repeat(100)).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_ne!(res.headers()[&gridgis::http::REQUEST_ID], "x".repeat(100).as_str(), "an overlong one is replaced");
    let res = app().oneshot(Request::post("/cases/route").body(Body::from("{}")).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app().oneshot(Request::get("/metrics").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    for want in [
        r#"gridgis_http_requests_total{method="GET",route="/tiles/{sources}/{z}/{x}/{y}",status="200"} 1"#,
        r#"gridgis_http_requests_total{method="POST",route="/cases/route",status="401"} 1"#,
        r#"gridgis_http_request_duration_seconds_count{route="/health"} 2"#,
        "gridgis_tile_cache_misses_total 1",
        r#"gridgis_layer_version{layer="hr_poi_food"} 1"#,
        "gridgis_cases 98103",
    ] {
        assert!(text.contains(want), "{want} in\n{}", &text[..text.len().min(3000)]);
    }
    assert!(text.trim_end().ends_with("# EOF"));
    let res = app().oneshot(Request::get("/ready").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    st.metrics.draining.store(true, std::sync::atomic::Ordering::Relaxed);
    let res = app().oneshot(Request::get("/ready").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn every_write_is_in_the_audit_log_with_who_and_which_version() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(common::demo_dir(), tmp.path());
    let keys =
        ApiKeys::load(Some("gis_staff:staff-key-0123456789,integrator:intake-key-0123456789"), None, None).unwrap();
    let st = Arc::new(AppState::new(common::load(tmp.path()), keys, Limits::default()));
    let geojson = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"站"},"geometry":{"type":"Point","coordinates":[116.63,40.32]}}]}"#;
    let post = |uri: &str, key: &str, body: &str, id: &str| {
        Request::post(uri)
            .header("authorization", format!("Bearer {key}"))
            .header("x-request-id", id)
            .header("content-type", "application/geo+json")
            .body(Body::from(body.to_owned()))
            .unwrap()
    };
    for (i, want) in [StatusCode::CREATED, StatusCode::OK].into_iter().enumerate() {
        let res = gridgis::http::app(st.clone())
            .oneshot(post("/layers/audit_test", "staff-key-0123456789", geojson, &format!("up-{i}")))
            .await
            .unwrap();
        assert_eq!(res.status(), want);
    }
    let res = gridgis::http::app(st.clone())
        .oneshot(post("/layers/audit_test/rollback", "staff-key-0123456789", "", "rb"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let case = r#"{"id":"AUD-1","location":{"lon":116.637,"lat":40.324}}"#;
    let res = gridgis::http::app(st.clone())
        .oneshot(post("/cases/route", "intake-key-0123456789", case, "case-1"))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = std::fs::read_to_string(tmp.path().join(gridgis::audit::AUDIT_FILE)).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let got: Vec<(&str, &str, Option<u64>, &str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["action"].as_str().unwrap(),
                l["target"].as_str().unwrap(),
                l["version"].as_u64(),
                l["role"].as_str().unwrap(),
                l["request_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("publish_layer", "audit_test", Some(1), "gis_staff", "up-0"),
            ("publish_layer", "audit_test", Some(2), "gis_staff", "up-1"),
            ("rollback_layer", "audit_test", Some(1), "gis_staff", "rb"),
            ("record_case", "AUD-1", None, "integrator", "case-1"),
        ]
    );
    assert!(lines.iter().all(|l| l["key"].as_str().is_some_and(|k| k.len() == 16) && l["at"].as_str().is_some()));
    assert!(!text.contains("staff-key-0123456789") && !text.contains("intake-key"), "no key in the clear");
}

/// Every route the router serves (`src/http/mod.rs`), by method.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/"),
    ("get", "/web/{file}"),
    ("get", "/health"),
    ("get", "/ready"),
    ("get", "/metrics"),
    ("get", "/openapi.json"),
    ("get", "/grids/locate"),
    ("post", "/grids/locate"),
    ("get", "/grids/stats"),
    ("get", "/grids/{code}"),
    ("get", "/grids/{code}/overview"),
    ("post", "/cases/route"),
    ("get", "/cases/latest"),
    ("get", "/cases/categories"),
    ("get", "/geocode"),
    ("post", "/geocode"),
    ("get", "/reverse"),
    ("get", "/catalog"),
    ("get", "/tiles/{sources}"),
    ("get", "/tiles/{sources}/{z}/{x}/{y}"),
    ("get", "/layers"),
    ("get", "/layers/{id}"),
    ("post", "/layers/{id}"),
    ("get", "/layers/{id}/features"),
    ("get", "/layers/{id}/nearest"),
    ("post", "/layers/{id}/rollback"),
    ("get", "/jobs"),
    ("get", "/jobs/{id}"),
];

#[tokio::test]
async fn the_openapi_description_names_every_route_and_only_routes_that_exist() {
    let st = Arc::new(AppState::new(common::load(common::demo_dir()), ApiKeys::default(), Limits::default()));
    let res = gridgis::http::app(st.clone())
        .oneshot(Request::get("/openapi.json").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_slice(&res.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut described: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in
            ops.as_object().unwrap().keys().filter(|m| ["get", "post", "put", "delete", "patch"].contains(&m.as_str()))
        {
            described.push((method.clone(), path.clone()));
        }
    }
    let mut served: Vec<(String, String)> = ROUTES.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
    described.sort();
    served.sort();
    assert_eq!(described, served, "the description and the router differ");
    // And each described operation reaches a handler: not the router's 404 or 405.
    for (method, path) in &described {
        let uri = path
            .replace("{file}", "app.js")
            .replace("{code}", "110116001001")
            .replace("{sources}", "grids")
            .replace("{z}/{x}/{y}", "12/3375/1545")
            .replace("{id}", "hr_poi_food");
        let req = Request::builder().method(method.to_uppercase().as_str()).uri(&uri).body(Body::empty()).unwrap();
        let res = gridgis::http::app(st.clone()).oneshot(req).await.unwrap();
        let status = res.status();
        let body = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned();
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
        assert!(!body.contains("no route for"), "{method} {uri}: {body}");
    }
}
