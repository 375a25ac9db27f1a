//! The HTTP API through the router (`oneshot`), and against a real listening server.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gridgis::auth::ApiKeys;
use gridgis::state::{AppState, Limits, SharedState};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use common::send;

fn state_with(limits: Limits) -> SharedState {
    let loaded = common::load(common::demo_dir());
    Arc::new(AppState::new(loaded, ApiKeys::default(), limits))
}

fn state() -> SharedState {
    static STATE: std::sync::OnceLock<SharedState> = std::sync::OnceLock::new();
    STATE.get_or_init(|| state_with(Limits::default())).clone()
}

async fn get(uri: &str) -> (StatusCode, Value) {
    send(state(), Request::get(uri).body(Body::empty()).expect("request")).await
}

async fn post(uri: &str, body: Value) -> (StatusCode, Value) {
    let req = Request::post(uri).header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_string()));
    send(state(), req.expect("request")).await
}

fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("<no error code>")
}

#[tokio::test]
async fn health_reports_counts() {
    let (status, v) = get("/health").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["status"], "ok");
    assert_eq!(v["grids"], 7585);
    assert_eq!(v["grids_per_level"], json!([1, 340, 1221, 4571, 1452]));
    assert_eq!(v["townships"], 17);
    // The two grid layers, the demo's 1,148 thematic layers and the gazetteer, every feature
    // loaded.
    assert_eq!(v["layers"], 1_151);
    assert_eq!(v["addresses"], gridgis_import::demo::ADDRESS_TOTAL);
    let store = common::open_store(common::demo_dir());
    let features: u64 = store.catalog().layers.iter().map(|l| l.feature_count).sum();
    assert_eq!(v["features"], features);
    assert!(features > 7585 + 17 + 250_000, "{features}");
}

#[tokio::test]
async fn locate_inside_answers_with_grid_chain_and_township() {
    let (status, v) = get("/grids/locate?lon=116.637&lat=40.322").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["inside"], true);
    assert_eq!(v["distance_m"], 0.0);
    let chain = v["chain"].as_array().unwrap();
    assert_eq!(chain[0]["code"], "110116");
    assert_eq!(chain[0]["level"], 0);
    assert_eq!(chain.last().unwrap()["code"], v["grid"]["code"]);
    for w in chain.windows(2) {
        assert!(w[1]["code"].as_str().unwrap().starts_with(w[0]["code"].as_str().unwrap()));
    }
    let township = v["township"]["code"].as_str().unwrap();
    assert!(v["grid"]["code"].as_str().unwrap().starts_with(township));
    assert!(v["grid"]["kind"].is_string());
}

#[tokio::test]
async fn locate_converts_gcj02_and_bd09() {
    let (lon, lat) = (116.637, 40.322);
    let (glon, glat) = gridgis_engine::wgs84_to_gcj02(lon, lat);
    let (blon, blat) = gridgis_engine::gcj02_to_bd09(glon, glat);
    let (_, plain) = get(&format!("/grids/locate?lon={lon}&lat={lat}")).await;
    let (s1, gcj) = get(&format!("/grids/locate?lon={glon}&lat={glat}&crs=gcj02")).await;
    let (s2, bd) = get(&format!("/grids/locate?lon={blon}&lat={blat}&crs=BD09")).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    assert_eq!(gcj["grid"], plain["grid"]);
    assert_eq!(bd["grid"], plain["grid"]);
    assert!((gcj["wgs84"]["lon"].as_f64().unwrap() - lon).abs() < 1e-8);
    // The same place given in GCJ-02 but read as WGS84 is ~500 m off.
    let (_, wrong) = get(&format!("/grids/locate?lon={glon}&lat={glat}")).await;
    assert_ne!(wrong["wgs84"], plain["wgs84"]);
}

#[tokio::test]
async fn locate_projected_epsg() {
    // CGCS2000 3-degree Gauss-Krüger CM 117E: the district seat is 30.8 km west of the central
    // meridian (false easting 500 km).
    let t = gridgis_engine::Transformer::new(&"EPSG:4548".parse().unwrap()).unwrap();
    let (lon, lat) = t.to_wgs84(469_300.0, 4_464_300.0).unwrap();
    let (status, v) = get("/grids/locate?lon=469300&lat=4464300&crs=EPSG:4548").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!((v["wgs84"]["lon"].as_f64().unwrap() - lon).abs() < 1e-9);
    assert!((v["wgs84"]["lat"].as_f64().unwrap() - lat).abs() < 1e-9);
}

#[tokio::test]
async fn locate_errors_are_json() {
    let cases = [
        ("/grids/locate?lon=116.6&lat=40.3&crs=mars", StatusCode::BAD_REQUEST, "unknown_crs"),
        ("/grids/locate?lon=116.6&lat=40.3&crs=EPSG:999999", StatusCode::BAD_REQUEST, "unknown_crs"),
        ("/grids/locate?lon=NaN&lat=40.3", StatusCode::BAD_REQUEST, "invalid_coordinate"),
        ("/grids/locate?lon=116.6&lat=95", StatusCode::BAD_REQUEST, "invalid_coordinate"),
        ("/grids/locate?lon=inf&lat=40.3", StatusCode::BAD_REQUEST, "invalid_coordinate"),
        ("/grids/locate?lon=116.6", StatusCode::BAD_REQUEST, "bad_request"),
        ("/grids/locate?lon=abc&lat=40.3", StatusCode::BAD_REQUEST, "bad_request"),
        ("/grids/locate?lon=116.6&lat=40.3&max_distance_m=-1", StatusCode::BAD_REQUEST, "bad_request"),
        ("/grids/locate?lon=116.0&lat=39.9", StatusCode::NOT_FOUND, "outside_jurisdiction"),
        ("/grids/locate?lon=0&lat=0&crs=gcj02", StatusCode::NOT_FOUND, "outside_jurisdiction"),
    ];
    for (uri, status, code) in cases {
        let (s, v) = get(uri).await;
        assert_eq!((s, error_code(&v)), (status, code), "{uri}: {v}");
        assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn batch_keeps_order_ids_and_per_point_errors() {
    let body = json!({"crs": "wgs84", "points": [
        {"id": "a", "lon": 116.637, "lat": 40.322},
        {"id": 7, "lon": 116.0, "lat": 39.0},
        {"id": "c", "lon": 116.55, "lat": 40.9},
        {"id": "d", "lon": 200.0, "lat": 40.0},
    ]});
    let (status, v) = post("/grids/locate", body).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let r = v["results"].as_array().unwrap();
    assert_eq!(r.len(), 4);
    assert_eq!(r[0]["id"], "a");
    assert_eq!(r[0]["inside"], true);
    assert_eq!(r[1]["id"], 7);
    assert_eq!(error_code(&r[1]), "outside_jurisdiction");
    assert_eq!(r[2]["id"], "c");
    assert_eq!(r[2]["inside"], true);
    assert_eq!(error_code(&r[3]), "invalid_coordinate");
    // The batch answer for a point equals the single answer.
    let (_, single) = get("/grids/locate?lon=116.637&lat=40.322").await;
    assert_eq!(r[0]["grid"], single["grid"]);
    assert_eq!(r[0]["chain"], single["chain"]);
}

#[tokio::test]
async fn batch_of_100k_points() {
    let points: Vec<Value> = (0..100_000)
        .map(|i| json!({"id": i, "lon": 116.30 + (i % 500) as f64 * 0.001, "lat": 40.25 + (i / 500) as f64 * 0.004}))
        .collect();
    let (status, v) = post("/grids/locate", json!({"points": points})).await;
    assert_eq!(status, StatusCode::OK);
    let r = v["results"].as_array().unwrap();
    assert_eq!(r.len(), 100_000);
    assert!(r.iter().enumerate().all(|(i, x)| x["id"] == i));
    let inside = r.iter().filter(|x| x["inside"] == true).count();
    assert!(inside > 30_000, "{inside}");
}

#[tokio::test]
async fn batch_bad_input() {
    let (s, v) = post("/grids/locate", json!({"crs": "nope", "points": []})).await;
    assert_eq!((s, error_code(&v)), (StatusCode::BAD_REQUEST, "unknown_crs"));
    let (s, v) = post("/grids/locate", json!({"points": [{"id": 1, "lon": "x", "lat": 1}]})).await;
    assert_eq!((s, error_code(&v)), (StatusCode::UNPROCESSABLE_ENTITY, "bad_request"), "{v}");
    let req =
        Request::post("/grids/locate").header(header::CONTENT_TYPE, "application/json").body(Body::from("{not json"));
    let (s, v) = send(state(), req.unwrap()).await;
    assert_eq!((s, error_code(&v)), (StatusCode::BAD_REQUEST, "bad_request"));
    let req = Request::post("/grids/locate").body(Body::from("{}"));
    let (s, v) = send(state(), req.unwrap()).await;
    assert_eq!((s, error_code(&v)), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"));
    // Limits: too many points, and a body over the cap.
    let small = state_with(Limits { max_batch_points: 2, max_body_bytes: 1024, ..Limits::default() });
    let three =
        json!({"points": [{"lon": 116.6, "lat": 40.3}, {"lon": 116.6, "lat": 40.3}, {"lon": 116.6, "lat": 40.3}]});
    let req = Request::post("/grids/locate")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(three.to_string()));
    let (s, v) = send(small.clone(), req.unwrap()).await;
    assert_eq!((s, error_code(&v)), (StatusCode::PAYLOAD_TOO_LARGE, "too_many_points"));
    let big = format!("{{\"points\":[],\"pad\":\"{}\"}}", "x".repeat(4096));
    let req = Request::post("/grids/locate").header(header::CONTENT_TYPE, "application/json").body(Body::from(big));
    let (s, v) = send(small, req.unwrap()).await;
    assert_eq!((s, error_code(&v)), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
}

#[tokio::test]
async fn grid_by_code_is_a_geojson_feature_with_children() {
    let (status, v) = get("/grids/110116001001").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["type"], "Feature");
    assert_eq!(v["properties"]["name"], "富乐社区");
    assert_eq!(v["properties"]["level"], 1);
    assert_eq!(v["properties"]["township_code"], "110116001");
    assert_eq!(v["properties"]["township_name"], "泉河街道");
    let children = v["properties"]["children"].as_array().unwrap();
    assert!(children.len() >= 2);
    assert!(children.iter().all(|c| c.as_str().unwrap().starts_with("110116001001")));
    assert!(v["geometry"]["type"] == "Polygon" || v["geometry"]["type"] == "MultiPolygon");
    let (status, v) = get("/grids/110116").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["properties"]["children"].as_array().unwrap().len(), 340);
    let (status, v) = get("/grids/999").await;
    assert_eq!((status, error_code(&v)), (StatusCode::NOT_FOUND, "grid_not_found"));
}

#[tokio::test]
async fn unknown_routes_and_methods_are_json() {
    let (s, v) = get("/nope").await;
    assert_eq!((s, error_code(&v)), (StatusCode::NOT_FOUND, "not_found"));
    let req = Request::delete("/grids/locate").body(Body::empty()).unwrap();
    let (s, v) = send(state(), req).await;
    assert_eq!((s, error_code(&v)), (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"));
}

#[tokio::test]
async fn the_page_and_its_assets_are_built_in() {
    let res = gridgis::http::app(state()).oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let etag = res.headers()[header::ETAG].clone();
    let html = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(html.contains("/web/maplibre-gl.js") && html.contains("/web/app.js"), "the page loads its script");
    assert!(!html.contains("https://"), "nothing from a CDN");
    let req = Request::get("/").header(header::IF_NONE_MATCH, etag).body(Body::empty()).unwrap();
    let res = gridgis::http::app(state()).oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    for (path, kind) in
        [("/web/maplibre-gl.js", "text/javascript"), ("/web/app.js", "text/javascript"), ("/web/style.css", "text/css")]
    {
        let res = gridgis::http::app(state()).oneshot(Request::get(path).body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with(kind), "{path}");
    }
    let (s, v) = get("/web/secret.txt").await;
    assert_eq!((s, error_code(&v)), (StatusCode::NOT_FOUND, "not_found"));
}

/// One HTTP/1.1 request over a plain TCP socket; returns status and body.
fn raw_request(addr: std::net::SocketAddr, request: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).expect("connects");
    s.write_all(request.as_bytes()).expect("writes");
    let mut buf = String::new();
    s.read_to_string(&mut buf).expect("reads");
    let status = buf.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = buf.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

#[test]
fn real_listening_server() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let app = gridgis::http::app(state());
    rt.spawn(async move { axum::serve(listener, app).await });
    let (status, body) =
        raw_request(addr, "GET /grids/locate?lon=116.637&lat=40.322 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["inside"], true);
    let payload = json!({"points": [{"id": "x", "lon": 116.637, "lat": 40.322}]}).to_string();
    let req = format!(
        "POST /grids/locate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    );
    let (status, body) = raw_request(addr, &req);
    assert_eq!(status, 200, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["results"][0]["grid"], v["grid"]);
    let (status, _) = raw_request(addr, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(status, 200);
}

#[tokio::test]
async fn arrays_for_objects_undecodable_paths_and_oversized_cases_are_json_errors() {
    // serde would read an array as a struct's fields in order: refused, for every JSON body.
    for (uri, body) in [
        ("/grids/locate", json!([null, null, []])),
        ("/grids/locate", json!({"points": [["a", 116.63, 40.32]]})),
        ("/geocode", json!({"addresses": [[null, null]]})),
        ("/cases/route?record=false", json!(["x9", null, null, {"lon": 116.63, "lat": 40.32}])),
    ] {
        let (s, v) = post(uri, body.clone()).await;
        // 400 for the wrong shape at the top, 422 (as for any wrong type) inside.
        assert!([StatusCode::BAD_REQUEST, StatusCode::UNPROCESSABLE_ENTITY].contains(&s), "{uri} {body}: {s} {v}");
        assert!(v["error"]["code"].is_string(), "{v}");
    }
    // A path segment that is not UTF-8: a JSON 400 like any other bad request.
    for uri in ["/grids/%FF", "/layers/%FF/features", "/tiles/%FF", "/web/%FF"] {
        let (s, v) = get(uri).await;
        assert_eq!((s, error_code(&v)), (StatusCode::BAD_REQUEST, "bad_request"), "{uri}: {v}");
    }
    // A case over the body cap: the JSON 413 of every other body.
    let small = state_with(Limits { max_body_bytes: 1024, ..Limits::default() });
    let big = format!("{{\"id\":\"big\",\"pad\":\"{}\"}}", "x".repeat(4096));
    let req = Request::post("/cases/route?record=false").body(Body::from(big)).unwrap();
    let (s, v) = send(small, req).await;
    assert_eq!((s, error_code(&v)), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"), "{v}");
}
