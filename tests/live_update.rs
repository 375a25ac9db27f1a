//! Live update, as GIS staff and operators see it: a running server serves a version that
//! `gridgis import` published beside it (another process) within seconds, takes uploads over
//! real HTTP, and a reader holding the old snapshot keeps reading the old version.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_gridgis");
const STAFF: &str = "staff-key-0123456789abcdef";

#[test]
fn a_running_server_serves_new_versions_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    common::copy_dir(common::demo_dir(), &data);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut server = Command::new(BIN)
        .args(["--data", data.to_str().unwrap(), "serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("GRIDGIS_API_KEYS", format!("gis_staff:{STAFF}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while common::http(port, "GET", "/health", "", b"").is_none() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Another process publishes: the server picks it up from the catalog within seconds.
    let file = dir.path().join("cams.geojson");
    std::fs::write(&file, common::points(4, "cli")).unwrap();
    let out = Command::new(BIN)
        .args(["--data", data.to_str().unwrap(), "import", file.to_str().unwrap(), "--layer", "cams"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let deadline = Instant::now() + Duration::from_secs(10);
    while common::layer_version(port, "cams") != Some((1, 4)) {
        assert!(Instant::now() < deadline, "the server never served the imported layer");
        std::thread::sleep(Duration::from_millis(100));
    }
    // An upload over real HTTP is served by the same answer's time.
    let auth = format!("Authorization: Bearer {STAFF}\r\nContent-Type: application/geo+json\r\n");
    let (status, body) =
        common::http(port, "POST", "/layers/cams", &auth, common::points(7, "http").as_bytes()).unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(common::layer_version(port, "cams"), Some((2, 7)));
    let (_, body) = common::http(port, "GET", "/layers/cams/features?tag=http&limit=1", "", b"").unwrap();
    assert!(body.contains("\"numberMatched\":7"), "{body}");
    // And a rollback from the command line, seen by the server.
    let out = Command::new(BIN).args(["--data", data.to_str().unwrap(), "rollback", "cams"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let deadline = Instant::now() + Duration::from_secs(10);
    while common::layer_version(port, "cams") != Some((1, 4)) {
        assert!(Instant::now() < deadline, "the server never served the rollback");
        std::thread::sleep(Duration::from_millis(100));
    }
    Command::new("kill").arg(server.id().to_string()).status().unwrap();
    assert!(server.wait().unwrap().success());
}

#[test]
fn a_reader_keeps_the_snapshot_it_started_with() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(common::demo_dir(), dir.path());
    let keys = gridgis::auth::ApiKeys::default();
    let state = gridgis::state::AppState::new(common::load(dir.path()), keys, Default::default());
    let mut store = common::open_store(dir.path());
    let meta = |n: &str| gridgis_layers::LayerMeta {
        id: "lamps".into(),
        name: n.into(),
        category: "公用设施".into(),
        kind: "thematic".into(),
        source_crs: "wgs84".into(),
        source_file: None,
        updated_at: "2026-03-01T00:00:00Z".into(),
    };
    let lamp = |x: f64| gridgis_layers::Feature {
        geometry: geo_types::Geometry::Point(geo_types::Point::new(x, 40.32)),
        properties: vec![("name".into(), gridgis_layers::Value::String("路灯".into()))],
    };
    store.publish(meta("路灯"), &[lamp(116.6), lamp(116.61)]).unwrap();
    state.reload_layers().unwrap();
    // A request in flight holds this snapshot…
    let in_flight = state.layers.load_full();
    store.publish(meta("路灯"), &[lamp(116.6)]).unwrap();
    assert_eq!(state.reload_layers().unwrap(), vec!["lamps".to_string()]);
    // …and finishes on version 1, while new requests see version 2.
    let old = in_flight.get("lamps").unwrap();
    assert_eq!((old.entry().version, old.len()), (1, 2));
    let new = state.layers.load_full();
    let new = new.get("lamps").unwrap();
    assert_eq!((new.entry().version, new.len()), (2, 1));
}
