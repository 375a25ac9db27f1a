//! Operations through the router: request ids, Prometheus metrics, readiness.

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
    let st = Arc::new(AppState::new(
        gridgis::data::load(common::demo_dir()).unwrap(),
        ApiKeys::default(),
        Limits::default(),
    ));
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
