//! What a slow, hostile or too-busy client gets, over real connections (`gridgis::http::serve`
//! on a loopback port) and through the router: slow request heads and huge headers cut off,
//! connections capped, requests beyond the in-flight cap refused at once, endless uploads cut
//! off, background imports reported by `GET /jobs/{id}`, requests in flight finished on
//! shutdown, and the config reloaded on SIGHUP.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use futures_util::StreamExt;
use gridgis::auth::ApiKeys;
use gridgis::http::ConnLimits;
use gridgis::state::{AppState, Limits, Policy, SharedState};

use common::send;

const STAFF: &str = "staff-key-0123456789";

fn state(dir: &std::path::Path) -> SharedState {
    let keys = ApiKeys::load(Some(&format!("gis_staff:{STAFF}")), None, None).unwrap();
    Arc::new(AppState::new(common::load(dir), keys, Limits::default()))
}

/// A server on a free loopback port; dropping the sender shuts it down.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start(st: SharedState, limits: ConnLimits) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let done = tokio::spawn(gridgis::http::serve(listener, gridgis::http::app(st), limits, async move {
        let _ = rx.await;
    }));
    Server { addr, stop: Some(tx), done }
}

/// Writes `head` raw and reads until the server closes or `wait` passes: what came back.
fn raw(addr: SocketAddr, head: &[u8], wait: Duration) -> (String, bool) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(wait)).unwrap();
    s.write_all(head).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let closed = loop {
        match s.read(&mut buf) {
            Ok(0) => break true,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            // Reset by the server counts as closed too.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break true,
            Err(_) => break false,
        }
    };
    (String::from_utf8_lossy(&got).into_owned(), closed)
}

fn get(addr: SocketAddr, path: &str) -> String {
    let head = format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    raw(addr, head.as_bytes(), Duration::from_secs(20)).0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_heads_and_huge_headers_are_cut_off_and_others_are_served() {
    let st = state(common::demo_dir());
    let limits = ConnLimits {
        header_read_timeout: Duration::from_millis(500),
        max_header_bytes: 8_192,
        max_connections: 64,
        shutdown_grace: Duration::from_secs(5),
    };
    let server = start(st, limits).await;
    let addr = server.addr;
    tokio::task::spawn_blocking(move || {
        // Slowloris: a head that never ends is closed after the header timeout, with nothing
        // answered; the server meanwhile answers everyone else.
        let slow = std::thread::spawn(move || {
            raw(addr, b"GET /health HTTP/1.1\r\nHost: t\r\nX-Slow: 1", Duration::from_secs(10))
        });
        assert!(get(addr, "/health").starts_with("HTTP/1.1 200"));
        let (got, closed) = slow.join().unwrap();
        assert!(closed, "the slow client's connection was closed by the server");
        assert!(!got.contains("200 OK"), "{got}");
        // A head larger than max_header_bytes: 431, not a buffer that grows with the client.
        let huge = format!("GET /health HTTP/1.1\r\nHost: t\r\nX-Big: {}\r\n\r\n", "a".repeat(20_000));
        let (got, _) = raw(addr, huge.as_bytes(), Duration::from_secs(10));
        assert!(got.starts_with("HTTP/1.1 431"), "{got}");
        // Under the cap: fine.
        let fine =
            format!("GET /health HTTP/1.1\r\nHost: t\r\nX-Fine: {}\r\nConnection: close\r\n\r\n", "a".repeat(4_000));
        assert!(raw(addr, fine.as_bytes(), Duration::from_secs(10)).0.starts_with("HTTP/1.1 200"));
    })
    .await
    .unwrap();
    drop(server.stop);
    server.done.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_wait_for_a_free_one() {
    let st = state(common::demo_dir());
    let limits = ConnLimits {
        header_read_timeout: Duration::from_millis(700),
        max_header_bytes: 8_192,
        max_connections: 2,
        shutdown_grace: Duration::from_secs(5),
    };
    let server = start(st, limits).await;
    let addr = server.addr;
    tokio::task::spawn_blocking(move || {
        // Two idle connections hold both places; a third request is answered once the server
        // has closed them (the header timeout), not refused and not lost.
        let idle: Vec<TcpStream> = (0..2).map(|_| TcpStream::connect(addr).unwrap()).collect();
        std::thread::sleep(Duration::from_millis(100));
        let got = get(addr, "/health");
        assert!(got.starts_with("HTTP/1.1 200"), "{got}");
        for mut c in idle {
            c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut b = [0u8; 16];
            assert_eq!(c.read(&mut b).unwrap_or(0), 0, "the idle connection was closed");
        }
    })
    .await
    .unwrap();
    drop(server.stop);
    server.done.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_requests_in_flight() {
    let st = state(common::demo_dir());
    let mut server = start(st, ConnLimits::default()).await;
    let addr = server.addr;
    // A batch that takes a while to answer.
    let points: Vec<String> = (0..150_000)
        .map(|i| {
            format!("{{\"lon\":{},\"lat\":{}}}", 116.3 + (i % 500) as f64 * 0.001, 40.3 + (i / 500) as f64 * 0.002)
        })
        .collect();
    let body = format!("{{\"points\":[{}]}}", points.join(","));
    let req = format!(
        "POST /grids/locate HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let call = tokio::task::spawn_blocking(move || raw(addr, req.as_bytes(), Duration::from_secs(60)).0);
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(server.stop.take());
    let got = call.await.unwrap();
    assert!(got.starts_with("HTTP/1.1 200"), "{}", &got[..got.len().min(300)]);
    assert!(got.trim_end().ends_with('}'), "the whole answer arrived");
    server.done.await.unwrap().unwrap();
    assert!(TcpStream::connect(addr).is_err(), "no longer listening");
}

#[tokio::test]
async fn beyond_the_in_flight_cap_requests_are_refused_at_once_but_health_answers() {
    let st = state(common::demo_dir());
    st.policy.store(Arc::new(Policy { max_in_flight: 0, ..Policy::default() }));
    let res = {
        use tower::ServiceExt;
        gridgis::http::app(st.clone())
            .oneshot(Request::get("/grids/locate?lon=116.637&lat=40.324").body(Body::empty()).unwrap())
            .await
            .unwrap()
    };
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers()[header::RETRY_AFTER], "1");
    let (s, _) = send(st.clone(), Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    st.policy.store(Arc::new(Policy::default()));
    let (s, v) = send(st, Request::get("/grids/locate?lon=116.637&lat=40.324").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn an_upload_that_never_ends_is_cut_off_and_publishes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(common::demo_dir(), dir.path());
    let st = state(dir.path());
    st.policy.store(Arc::new(Policy { upload_timeout: Duration::from_millis(300), ..Policy::default() }));
    let before = common::snapshot(dir.path());
    // A first chunk, then nothing more, ever.
    let stream =
        futures_util::stream::once(async { Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"{\"type\":")) })
            .chain(futures_util::stream::pending());
    let req = Request::post("/layers/trickle")
        .header(header::AUTHORIZATION, format!("Bearer {STAFF}"))
        .header(header::CONTENT_TYPE, "application/geo+json")
        .body(Body::from_stream(stream))
        .unwrap();
    let (s, v) = send(st, req).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::REQUEST_TIMEOUT, Some("upload_timeout")), "{v}");
    assert_eq!(common::snapshot(dir.path()), before, "nothing written");
}

fn points_geojson(n: usize) -> String {
    let features: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"type":"Feature","properties":{{"n":{i}}},"geometry":{{"type":"Point","coordinates":[{},{}]}}}}"#,
                116.3 + (i % 300) as f64 * 0.001,
                40.3 + (i / 300) as f64 * 0.001
            )
        })
        .collect();
    format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))
}

async fn job(st: &SharedState, url: &str) -> serde_json::Value {
    for _ in 0..600 {
        let req = Request::get(url).header(header::AUTHORIZATION, format!("Bearer {STAFF}")).body(Body::empty());
        let (s, v) = send(st.clone(), req.unwrap()).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        if v["status"] == "done" || v["status"] == "failed" {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("job {url} did not finish");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_imports_answer_202_and_report_through_jobs() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(common::demo_dir(), dir.path());
    let st = state(dir.path());
    let upload = |uri: &str, body: String| {
        Request::post(uri)
            .header(header::AUTHORIZATION, format!("Bearer {STAFF}"))
            .header(header::CONTENT_TYPE, "application/geo+json")
            .body(Body::from(body))
            .unwrap()
    };
    let res = {
        use tower::ServiceExt;
        gridgis::http::app(st.clone())
            .oneshot(upload("/layers/bg_points?async=true", points_geojson(25_000)))
            .await
            .unwrap()
    };
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
    assert!(location.starts_with("/jobs/"), "{location}");
    let v = job(&st, &location).await;
    assert_eq!(v["status"], "done", "{v}");
    assert_eq!((v["http_status"].as_u64(), v["layer"].as_str()), (Some(201), Some("bg_points")));
    assert_eq!(v["features_read"], 25_000);
    assert_eq!(v["report"]["published"], 25_000);
    assert!(v["started_at"].is_string() && v["finished_at"].is_string(), "{v}");
    let (s, layer) = send(st.clone(), Request::get("/layers/bg_points").body(Body::empty()).unwrap()).await;
    assert_eq!((s, layer["feature_count"].as_u64()), (StatusCode::OK, Some(25_000)));
    // A file that cannot be read: the job fails with what the synchronous answer would be.
    let (s, v) = send(st.clone(), upload("/layers/bg_bad?async=true", "{not json".into())).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{v}");
    let v = job(&st, v["url"].as_str().unwrap()).await;
    assert_eq!((v["status"].as_str(), v["http_status"].as_u64()), (Some("failed"), Some(400)), "{v}");
    assert_eq!(v["error"]["code"], "unreadable_file");
    let (s, _) = send(st.clone(), Request::get("/layers/bg_bad").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "nothing published");
    // The list, newest first; an unknown job; a bad flag.
    let req = Request::get("/jobs").header(header::AUTHORIZATION, format!("Bearer {STAFF}")).body(Body::empty());
    let (_, list) = send(st.clone(), req.unwrap()).await;
    assert_eq!(list["jobs"].as_array().unwrap().len(), 2);
    assert_eq!(list["jobs"][0]["layer"], "bg_bad");
    let req = Request::get("/jobs/nope").header(header::AUTHORIZATION, format!("Bearer {STAFF}")).body(Body::empty());
    assert_eq!(send(st.clone(), req.unwrap()).await.0, StatusCode::NOT_FOUND);
    // An id that cannot be published, or a reserved layer: refused before any job is made.
    let (s, v) = send(st.clone(), upload("/layers/%C2%84?async=true", points_geojson(1))).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")), "{v}");
    let (s, v) = send(st.clone(), upload("/layers/grids?async=true", points_geojson(1))).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("reserved_layer")), "{v}");
    let (s, v) = send(st.clone(), upload("/layers/x?async=maybe", points_geojson(1))).await;
    assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")));
    // Import durations are in the metrics, by outcome.
    let (_, m) = send(st, Request::get("/metrics").body(Body::empty()).unwrap()).await;
    let text = m["raw"].as_str().unwrap();
    assert!(text.contains("gridgis_import_duration_seconds_count{outcome=\"published\"} 1"), "{text}");
}

#[test]
fn sighup_reloads_the_config_and_a_bad_file_keeps_the_settings() {
    const BIN: &str = env!("CARGO_BIN_EXE_gridgis");
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(common::demo_dir(), dir.path());
    let config = dir.path().join("gridgis.toml");
    std::fs::write(&config, "[server]\nopen_reads = \"loopback\"\n").unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut child = std::process::Command::new(BIN)
        .args(["--data", dir.path().to_str().unwrap(), "serve", "--listen", &addr.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let status = |path: &str| {
        let got = get(addr, path);
        got.split(' ').nth(1).unwrap_or("").to_owned()
    };
    let mut up = false;
    for _ in 0..600 {
        if TcpStream::connect(addr).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(up, "the server came up");
    let hup = |pid: u32| {
        assert!(std::process::Command::new("kill").args(["-HUP", &pid.to_string()]).status().unwrap().success());
    };
    let wait_for = |path: &str, want: &str| {
        for _ in 0..100 {
            if status(path) == want {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    };
    assert_eq!(status("/grids/locate?lon=116.637&lat=40.324"), "200");
    std::fs::write(&config, "[server]\nopen_reads = \"never\"\n").unwrap();
    hup(child.id());
    assert!(wait_for("/grids/locate?lon=116.637&lat=40.324", "401"), "reads now need a key");
    // A file with a typo: refused, the settings in effect stay.
    std::fs::write(&config, "[server]\nopen_read = \"always\"\n").unwrap();
    hup(child.id());
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(status("/grids/locate?lon=116.637&lat=40.324"), "401");
    assert_eq!(status("/health"), "200", "still serving");
    std::fs::write(&config, "[server]\nopen_reads = \"loopback\"\n").unwrap();
    hup(child.id());
    assert!(wait_for("/grids/locate?lon=116.637&lat=40.324", "200"), "open again");
    child.kill().unwrap();
    child.wait().unwrap();
}
