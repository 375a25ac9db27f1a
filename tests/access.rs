//! Every route's access rule, for every role and for no key, through the router; who may read
//! without a key (loopback, always, never); keys made with `gridgis keys` work at once in a
//! running server and stop working when revoked.

#![allow(clippy::unwrap_used)]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use gridgis::auth::{ApiKeys, OpenReads};
use gridgis::state::{AppState, Limits, Policy, SharedState};

use common::send;

const KEYS: [(&str, &str); 4] = [
    ("viewer", "viewer-key-0123456789"),
    ("integrator", "integrator-key-0123456789"),
    ("gis_staff", "staff-key-0123456789"),
    ("admin", "admin-key-0123456789"),
];

fn state(open_reads: OpenReads) -> SharedState {
    let env = KEYS.iter().map(|(r, k)| format!("{r}:{k}")).collect::<Vec<_>>().join(",");
    let keys = ApiKeys::load(Some(&env), None, None).unwrap();
    let st = AppState::new(common::load(common::demo_dir()), keys, Limits::default());
    st.policy.store(Arc::new(Policy { open_reads, ..Policy::default() }));
    Arc::new(st)
}

/// What a caller gets: allowed (anything but 401/403), 401 or 403.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Got {
    Allowed,
    Unauthorized,
    Forbidden,
}

async fn call(st: &SharedState, method: &str, uri: &str, key: Option<&str>, peer: Option<&str>) -> Got {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(k) = key {
        req = req.header(header::AUTHORIZATION, format!("Bearer {k}"));
    }
    let body = match method {
        "POST" if uri.starts_with("/cases/route") => r#"{"id":"a1","location":{"lon":116.637,"lat":40.324}}"#,
        "POST" if uri.starts_with("/grids/locate") => r#"{"points":[{"id":1,"lon":116.637,"lat":40.324}]}"#,
        "POST" if uri.starts_with("/geocode") => r#"{"addresses":[{"id":1,"address":"怀柔区泉河街道"}]}"#,
        // An upload or rollback of a layer that does not exist: an allowed caller gets 400/404
        // and nothing is written.
        _ => "",
    };
    let mut req = req.header(header::CONTENT_TYPE, "application/json").body(Body::from(body)).unwrap();
    if let Some(p) = peer {
        req.extensions_mut().insert(ConnectInfo(p.parse::<SocketAddr>().unwrap()));
    }
    match send(st.clone(), req).await.0 {
        StatusCode::UNAUTHORIZED => Got::Unauthorized,
        StatusCode::FORBIDDEN => Got::Forbidden,
        _ => Got::Allowed,
    }
}

/// Every route, and who may call it: viewer, integrator, gis_staff, admin, and no key (reads
/// open on loopback).
const ROUTES: &[(&str, &str, [bool; 4], bool)] = &[
    ("GET", "/", [true, true, true, true], true),
    ("GET", "/web/app.js", [true, true, true, true], true),
    ("GET", "/health", [true, true, true, true], true),
    ("GET", "/ready", [true, true, true, true], true),
    ("GET", "/openapi.json", [true, true, true, true], true),
    ("GET", "/metrics", [true, true, true, true], true),
    ("GET", "/catalog", [true, true, true, true], true),
    ("GET", "/tiles/grids", [true, true, true, true], true),
    ("GET", "/tiles/grids/12/3375/1545", [true, true, true, true], true),
    ("GET", "/layers", [true, true, true, true], true),
    ("GET", "/layers/hr_poi_food", [true, true, true, true], true),
    ("GET", "/layers/hr_poi_food/features?limit=1", [true, true, true, true], true),
    ("GET", "/layers/hr_poi_food/nearest?lon=116.637&lat=40.324", [true, true, true, true], true),
    ("GET", "/grids/110116001002", [true, true, true, true], true),
    ("GET", "/grids/110116001002/overview", [true, true, true, true], true),
    ("GET", "/grids/stats?level=1", [true, true, true, true], true),
    ("GET", "/cases/latest?limit=1", [true, true, true, true], true),
    ("GET", "/cases/categories", [true, true, true, true], true),
    ("GET", "/grids/locate?lon=116.637&lat=40.324", [false, true, true, true], true),
    ("POST", "/grids/locate", [false, true, true, true], true),
    ("GET", "/geocode?q=怀柔区泉河街道", [false, true, true, true], true),
    ("POST", "/geocode", [false, true, true, true], true),
    ("GET", "/reverse?lon=116.637&lat=40.324", [false, true, true, true], true),
    ("POST", "/cases/route?record=false", [false, true, true, true], true),
    ("POST", "/cases/route", [false, true, false, true], false),
    ("POST", "/layers/no_such_layer", [false, false, true, true], false),
    ("POST", "/layers/no_such_layer/rollback", [false, false, true, true], false),
    ("GET", "/jobs", [false, false, true, true], false),
    ("GET", "/jobs/no-such-job", [false, false, true, true], false),
];

#[tokio::test]
async fn every_route_for_every_role_and_no_key() {
    // Recording a case writes the log: a copy of the data dir for this test.
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(common::demo_dir(), tmp.path());
    let env = KEYS.iter().map(|(r, k)| format!("{r}:{k}")).collect::<Vec<_>>().join(",");
    let keys = ApiKeys::load(Some(&env), None, None).unwrap();
    let st = Arc::new(AppState::new(common::load(tmp.path()), keys, Limits::default()));
    for (method, uri, by_role, anonymous) in ROUTES {
        for ((role, key), allowed) in KEYS.iter().zip(by_role) {
            let want = if *allowed { Got::Allowed } else { Got::Forbidden };
            assert_eq!(call(&st, method, uri, Some(key), None).await, want, "{role} {method} {uri}");
        }
        let want = if *anonymous { Got::Allowed } else { Got::Unauthorized };
        assert_eq!(call(&st, method, uri, None, Some("127.0.0.1:50000")).await, want, "no key {method} {uri}");
        // The page and liveness ignore keys; everything else refuses an unknown one.
        let public = ["/", "/web/app.js", "/health", "/ready", "/openapi.json"].contains(uri);
        let want = if public { Got::Allowed } else { Got::Unauthorized };
        assert_eq!(call(&st, method, uri, Some("not-a-key-0123456789"), None).await, want, "{uri}");
    }
}

#[tokio::test]
async fn who_reads_without_a_key() {
    let map = "/tiles/grids";
    let locate = "/grids/locate?lon=116.637&lat=40.324";
    let st = state(OpenReads::Loopback);
    for uri in [map, locate] {
        assert_eq!(call(&st, "GET", uri, None, Some("127.0.0.1:4000")).await, Got::Allowed);
        assert_eq!(call(&st, "GET", uri, None, Some("[::1]:4000")).await, Got::Allowed);
        assert_eq!(
            call(&st, "GET", uri, None, Some("10.1.2.3:4000")).await,
            Got::Unauthorized,
            "{uri} from the network"
        );
        assert_eq!(
            call(&st, "GET", uri, Some("viewer-key-0123456789"), Some("10.1.2.3:4000")).await == Got::Allowed,
            uri == map
        );
    }
    let st = state(OpenReads::Never);
    assert_eq!(call(&st, "GET", map, None, Some("127.0.0.1:4000")).await, Got::Unauthorized);
    assert_eq!(call(&st, "GET", "/health", None, Some("127.0.0.1:4000")).await, Got::Allowed);
    assert_eq!(call(&st, "GET", "/", None, Some("10.1.2.3:4000")).await, Got::Allowed);
    let st = state(OpenReads::Always);
    assert_eq!(call(&st, "GET", locate, None, Some("10.1.2.3:4000")).await, Got::Allowed);
    assert_eq!(
        call(&st, "POST", "/cases/route", None, Some("127.0.0.1:4000")).await,
        Got::Unauthorized,
        "writes always need a key"
    );
}

#[test]
fn gridgis_keys_add_list_revoke() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(common::demo_dir(), tmp.path());
    let gridgis = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_gridgis"))
            .arg("--data")
            .arg(tmp.path())
            .args(args)
            .output()
            .unwrap()
    };
    let out = gridgis(&["keys", "add", "--role", "integrator", "--name", "12345热线"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(key.starts_with("ggk_"));
    let file = std::fs::read_to_string(tmp.path().join(gridgis::auth::KEYS_FILE)).unwrap();
    assert!(!file.contains(&key), "the key is not stored");
    let list = String::from_utf8(gridgis(&["keys", "list"]).stdout).unwrap();
    assert!(list.contains("12345热线") && list.contains("integrator") && !list.contains(&key), "{list}");
    let id = list.lines().nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let bad = gridgis(&["keys", "add", "--role", "boss", "--name", "x"]);
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("unknown role"));
    // The key works for what an integrator may do, then not at all once revoked.
    let store = gridgis::auth::KeyStore::open(&tmp.path().join(gridgis::auth::KEYS_FILE)).unwrap();
    let keys = ApiKeys::load(None, None, Some(&store)).unwrap();
    assert_eq!(keys.role_of(&key), Some(gridgis::auth::Role::Integrator));
    assert!(gridgis(&["keys", "revoke", &id]).status.success());
    assert!(!gridgis(&["keys", "revoke", &id]).status.success(), "twice");
    let store = gridgis::auth::KeyStore::open(&tmp.path().join(gridgis::auth::KEYS_FILE)).unwrap();
    assert_eq!(ApiKeys::load(None, None, Some(&store)).unwrap().role_of(&key), None);
}

#[tokio::test]
async fn cors_for_the_configured_origins_only() {
    let keys = ApiKeys::default();
    let mut st = AppState::new(common::load(common::demo_dir()), keys, Limits::default());
    st.cors_allow_origins = vec!["https://map.example.gov.cn".into()];
    let st = Arc::new(st);
    let app = || gridgis::http::app(st.clone());
    use tower::ServiceExt;
    let req = |origin: &str| Request::get("/tiles/grids").header(header::ORIGIN, origin).body(Body::empty()).unwrap();
    let res = app().oneshot(req("https://map.example.gov.cn")).await.unwrap();
    assert_eq!(res.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://map.example.gov.cn");
    let res = app().oneshot(req("https://evil.example.com")).await.unwrap();
    assert!(res.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let preflight = Request::builder()
        .method("OPTIONS")
        .uri("/cases/route")
        .header(header::ORIGIN, "https://map.example.gov.cn")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization,content-type")
        .body(Body::empty())
        .unwrap();
    let res = app().oneshot(preflight).await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let allowed = res.headers()[header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap().to_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"), "{allowed}");
    // None configured: no CORS headers at all.
    let res = gridgis::http::app(state(OpenReads::Loopback)).oneshot(req("https://map.example.gov.cn")).await.unwrap();
    assert!(res.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[test]
fn gridgis_config_prints_every_setting_and_names_a_bad_file() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_gridgis"))
            .arg("--data")
            .arg(common::demo_dir())
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["config"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for setting in
        ["listen", "open_reads", "max_body_bytes", "max_upload_bytes", "cache_bytes", "keep_versions", "allow_origins"]
    {
        assert!(text.contains(setting), "{setting} in {text}");
    }
    let good = tmp.path().join("good.toml");
    std::fs::write(&good, "[limits]\nmax_page = 5000\n[cors]\nallow_origins = [\"*\"]\n").unwrap();
    let text = String::from_utf8(run(&["config", "--config", good.to_str().unwrap()]).stdout).unwrap();
    assert!(text.contains("max_page = 5000") && text.contains("default_page = 1000"), "{text}");
    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, "[limits]\nmax_pages = 500\n").unwrap();
    let out = run(&["config", "--config", bad.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("bad.toml") && err.contains("max_pages"), "{err}");
}

#[tokio::test]
async fn a_caller_over_its_rate_gets_429_with_retry_after_and_others_do_not() {
    let env = KEYS.iter().map(|(r, k)| format!("{r}:{k}")).collect::<Vec<_>>().join(",");
    let keys = ApiKeys::load(Some(&env), None, None).unwrap();
    let st = AppState::new(common::load(common::demo_dir()), keys, Limits::default());
    st.policy.store(Arc::new(Policy { rate_limits: gridgis::http::RateLimits::new(1, 3), ..Policy::default() }));
    let st = Arc::new(st);
    let get = |key: Option<&'static str>, peer: Option<&'static str>| {
        let st = st.clone();
        async move {
            let mut req = Request::get("/cases/categories");
            if let Some(k) = key {
                req = req.header(header::AUTHORIZATION, format!("Bearer {k}"));
            }
            let mut req = req.body(Body::empty()).unwrap();
            if let Some(p) = peer {
                req.extensions_mut().insert(ConnectInfo(p.parse::<SocketAddr>().unwrap()));
            }
            use tower::ServiceExt;
            gridgis::http::app(st).oneshot(req).await.unwrap()
        }
    };
    for _ in 0..3 {
        assert_eq!(get(Some("viewer-key-0123456789"), None).await.status(), StatusCode::OK);
    }
    let res = get(Some("viewer-key-0123456789"), None).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    // Another key, another address: their own buckets; an in-process call: none.
    assert_eq!(get(Some("admin-key-0123456789"), None).await.status(), StatusCode::OK);
    // Reads open to everyone for this part: another host without a key has its own bucket.
    let open = AppState::new(common::load(common::demo_dir()), ApiKeys::default(), Limits::default());
    open.policy.store(Arc::new(Policy {
        rate_limits: gridgis::http::RateLimits::new(1, 3),
        open_reads: OpenReads::Always,
        ..Policy::default()
    }));
    let open = Arc::new(open);
    let anonymous = |peer: &'static str| {
        let st = open.clone();
        async move {
            let mut req = Request::get("/cases/categories").body(Body::empty()).unwrap();
            req.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
            send(st, req).await.0
        }
    };
    for _ in 0..3 {
        assert_eq!(anonymous("10.1.2.3:1").await, StatusCode::OK);
    }
    assert_eq!(anonymous("10.1.2.3:2").await, StatusCode::TOO_MANY_REQUESTS, "per address, not per port");
    assert_eq!(anonymous("10.1.2.4:1").await, StatusCode::OK);
    // The machine itself without a key, and in-process calls: not limited.
    for _ in 0..10 {
        assert_eq!(anonymous("127.0.0.1:1").await, StatusCode::OK);
        assert_eq!(get(None, None).await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn a_request_past_the_timeout_is_503_timeout() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(common::demo_dir(), tmp.path());
    let keys = ApiKeys::load(Some("integrator:integrator-key-0123456789"), None, None).unwrap();
    let st = AppState::new(common::load(tmp.path()), keys, Limits::default());
    st.policy.store(Arc::new(Policy { request_timeout: std::time::Duration::from_nanos(1), ..Policy::default() }));
    let st = Arc::new(st);
    // Recording waits on the disk (fsync, off the async workers): longer than a nanosecond.
    let req = Request::post("/cases/route")
        .header(header::AUTHORIZATION, "Bearer integrator-key-0123456789")
        .body(Body::from(r#"{"id":"t","location":{"lon":116.637,"lat":40.324}}"#))
        .unwrap();
    let (status, v) = send(st, req).await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("timeout")));
}
