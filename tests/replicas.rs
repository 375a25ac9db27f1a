//! Several `gridgis serve` replicas sharing one PostGIS store, as a city deploys them behind a
//! load balancer: a version published through any replica (or by `gridgis import --store`) is
//! served by every other within seconds, and so is a case recorded through any of them (one
//! case log, in the database); the database stopped mid-publish publishes nothing and the
//! replicas go on serving what they hold, say so in `/health`, refuse to record cases (503,
//! nothing lost: the intake system sends them again), and reconnect.
//!
//! Needs the PostgreSQL cluster of `make test`: `GRIDGIS_TEST_TEMPLATE` (a database holding the
//! demo's layers) and `GRIDGIS_TEST_PG_DIR` (the cluster, which this test stops and restarts:
//! its one test runs the scenario in order, and cargo runs test binaries one at a time).

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_gridgis");
const STAFF: &str = "staff-key-0123456789abcdef";
const INTAKE: &str = "intake-key-0123456789abcdef";

struct Replica {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Replica {
    fn start(url: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(BIN)
            .args(["--data", dir.path().to_str().unwrap(), "--store", url, "serve"])
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .env("GRIDGIS_API_KEYS", format!("gis_staff:{STAFF},integrator:{INTAKE}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let replica = Self { child, port, _dir: dir };
        let deadline = Instant::now() + Duration::from_secs(60);
        while common::http(port, "GET", "/ready", "", b"").is_none_or(|(s, _)| s != 200) {
            assert!(Instant::now() < deadline, "replica on port {port} did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        replica
    }

    fn health(&self) -> serde_json::Value {
        let (_, body) = common::http(self.port, "GET", "/health", "", b"").unwrap();
        serde_json::from_str(&body).unwrap()
    }

    fn upload(&self, id: &str, body: &str) -> (u16, String) {
        let auth = format!("Authorization: Bearer {STAFF}\r\nContent-Type: application/geo+json\r\n");
        common::http(self.port, "POST", &format!("/layers/{id}"), &auth, body.as_bytes()).unwrap()
    }

    /// Routes and records a case at a point in the district.
    fn record(&self, id: &str) -> (u16, serde_json::Value) {
        let auth = format!("Authorization: Bearer {INTAKE}\r\nContent-Type: application/json\r\n");
        let case =
            serde_json::json!({"id": id, "location": {"lon": 116.637, "lat": 40.324}, "description": "井盖破损"});
        let (status, body) =
            common::http(self.port, "POST", "/cases/route", &auth, case.to_string().as_bytes()).unwrap();
        (status, serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
    }

    /// Waits until this replica's latest cases include `id`.
    fn wait_for_case(&self, id: &str, within: Duration) -> Duration {
        let started = Instant::now();
        loop {
            let (_, body) = common::http(self.port, "GET", "/cases/latest?limit=20", "", b"").unwrap();
            let latest: serde_json::Value = serde_json::from_str(&body).unwrap();
            if latest["features"].as_array().unwrap().iter().any(|f| f["properties"]["id"] == id) {
                return started.elapsed();
            }
            assert!(started.elapsed() < within, "port {}: case {id} never among the latest", self.port);
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The total of `GET /grids/stats` (the cases the replica holds that landed in a grid).
    fn case_total(&self) -> u64 {
        let (_, body) = common::http(self.port, "GET", "/grids/stats?level=1", "", b"").unwrap();
        let stats: serde_json::Value = serde_json::from_str(&body).unwrap();
        stats["total"].as_u64().unwrap()
    }

    fn version(&self, id: &str) -> Option<(u64, u64)> {
        common::layer_version(self.port, id)
    }

    /// Waits until this replica serves `id` at (version, feature count); how long it took.
    fn wait_for(&self, id: &str, want: (u64, u64), within: Duration) -> Duration {
        let started = Instant::now();
        while self.version(id) != Some(want) {
            assert!(started.elapsed() < within, "port {}: {id} is {:?}, not {want:?}", self.port, self.version(id));
            std::thread::sleep(Duration::from_millis(20));
        }
        started.elapsed()
    }

    fn wait_until(&self, what: &str, within: Duration, done: impl Fn(&serde_json::Value) -> bool) {
        let started = Instant::now();
        loop {
            let h = self.health();
            if done(&h) {
                return;
            }
            assert!(started.elapsed() < within, "port {}: never {what}: {h}", self.port);
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Status, ETag and body of a GET.
fn get_raw(port: u16, path: &str) -> (u16, String, Vec<u8>) {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let status = head[9..12].parse().unwrap();
    let etag = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().starts_with("etag:").then(|| l[5..].trim().to_string()))
        .unwrap_or_default();
    (status, etag, buf[split + 4..].to_vec())
}

fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql").args([url, "-qAtc", sql]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn cluster(args: &[&str]) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pg-cluster.sh");
    let out = Command::new(script).args(args).output().unwrap();
    assert!(out.status.success(), "pg-cluster.sh {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// The tile at zoom 14 holding the point (116.6, 40.32), where the test's points are.
const TILE: &str = "/tiles/cams/14/13498/6183";

#[test]
fn replicas_share_one_postgis_store() {
    let (Ok(template), Ok(cluster_dir)) =
        (std::env::var("GRIDGIS_TEST_TEMPLATE"), std::env::var("GRIDGIS_TEST_PG_DIR"))
    else {
        eprintln!("GRIDGIS_TEST_TEMPLATE / GRIDGIS_TEST_PG_DIR are not set (make test sets them): not run");
        return;
    };
    let port = template.rsplit(':').next().and_then(|p| p.split('/').next()).unwrap().to_string();
    let url = common::new_database_from(&template);
    let (a, b) = (Replica::start(&url), Replica::start(&url));
    for r in [&a, &b] {
        let h = r.health();
        assert_eq!((h["status"].as_str(), h["store"]["backend"].as_str()), (Some("ok"), Some("postgres")), "{h}");
        assert_eq!(h["store"]["connected"], true);
        assert_eq!(h["layers"], 1151);
    }
    // The same answers from both, from the one store.
    let locate = "/grids/locate?lon=116.637&lat=40.324";
    assert_eq!(common::http(a.port, "GET", locate, "", b""), common::http(b.port, "GET", locate, "", b""));

    // One case log: the demo's year of cases in the database, a case recorded through one
    // replica counted and listed by the other; the same case sent to the other is answered
    // but not recorded twice.
    let logged = psql(&url, "SELECT count(*) FROM gridgis.cases").parse::<u64>().unwrap();
    assert!(logged > 90_000, "the demo's case log is in the database: {logged}");
    let in_grids = a.case_total();
    assert!(in_grids > 90_000 && in_grids <= logged, "{in_grids} of {logged}");
    assert_eq!(b.case_total(), in_grids);
    let (status, answer) = a.record("HR-REPLICA-1");
    assert_eq!(status, 200, "{answer}");
    let seen = b.wait_for_case("HR-REPLICA-1", Duration::from_secs(5));
    eprintln!("replica B listed the case {} ms after A answered", seen.as_millis());
    assert_eq!(b.case_total(), in_grids + 1);
    let (status, again) = b.record("HR-REPLICA-1");
    assert_eq!(status, 200, "{again}");
    assert!(again["warnings"].as_array().unwrap().iter().any(|w| w == "duplicate_id"), "{again}");
    assert_eq!(again["grid"], answer["grid"]);
    assert_eq!(psql(&url, "SELECT count(*) FROM gridgis.cases WHERE id = '\"HR-REPLICA-1\"'"), "1");
    assert_eq!((a.case_total(), b.case_total()), (in_grids + 1, in_grids + 1));

    // Published through one, served by the other within seconds, its tiles new.
    let (status, body) = a.upload("cams", &common::points(5, "a"));
    assert_eq!(status, 201, "{body}");
    let seen = b.wait_for("cams", (1, 5), Duration::from_secs(5));
    eprintln!("replica B served version 1 {} ms after A answered", seen.as_millis());
    let (status, etag1, tile1) = get_raw(b.port, TILE);
    assert_eq!(status, 200);
    let (status, body) = a.upload("cams", &common::points(9, "a2"));
    assert_eq!(status, 200, "{body}");
    b.wait_for("cams", (2, 9), Duration::from_secs(5));
    let (_, etag2, tile2) = get_raw(b.port, TILE);
    assert!(etag1 != etag2 && tile1 != tile2, "B's tile of cams is of version 2");
    // A rollback through the other one, and an import from the command line.
    let auth = format!("Authorization: Bearer {STAFF}\r\n");
    let (status, body) = common::http(b.port, "POST", "/layers/cams/rollback", &auth, b"").unwrap();
    assert_eq!(status, 200, "{body}");
    a.wait_for("cams", (1, 5), Duration::from_secs(5));
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("cams.geojson");
    std::fs::write(&file, common::points(3, "cli")).unwrap();
    let out = Command::new(BIN)
        .args(["--data", work.path().to_str().unwrap(), "--store", &url, "import", file.to_str().unwrap()])
        .args(["--layer", "cams"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for r in [&a, &b] {
        r.wait_for("cams", (3, 3), Duration::from_secs(5));
    }
    assert_eq!(psql(&url, "SELECT count(*) FROM layers.cams"), "3", "martin's view shows the current version");

    // The database stopped while a large upload is being published: nothing of it is kept.
    let big = {
        let features: Vec<String> = (0..300_000)
            .map(|i| {
                let (x, y) = (116.3 + f64::from(i % 1000) * 0.0005, 40.2 + f64::from(i / 1000) * 0.0005);
                format!(r#"{{"type":"Feature","properties":{{"n":{i}}},"geometry":{{"type":"Point","coordinates":[{x},{y}]}}}}"#)
            })
            .collect();
        format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))
    };
    let upload_port = a.port;
    let uploading = std::thread::spawn(move || {
        let auth = format!("Authorization: Bearer {STAFF}\r\nContent-Type: application/geo+json\r\n");
        common::http(upload_port, "POST", "/layers/cams", &auth, big.as_bytes())
    });
    let admin = gridgis_layers::postgres_store::testing::with_database(&url, "postgres");
    let deadline = Instant::now() + Duration::from_secs(60);
    while psql(&admin, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY gridgis_versions.%'") != "1" {
        assert!(Instant::now() < deadline, "the upload never reached the database");
        std::thread::sleep(Duration::from_millis(5));
    }
    cluster(&["stop", &cluster_dir, "immediate"]);
    let (status, body) = uploading.join().unwrap().unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("store_unavailable"), "{body}");
    // Both go on serving what they hold, and say the store is gone; a case cannot be recorded
    // (503: the intake system keeps it and sends it again) but is still routed in a dry run.
    for r in [&a, &b] {
        assert_eq!(r.version("cams"), Some((3, 3)));
        r.wait_until("degraded", Duration::from_secs(15), |h| {
            h["status"] == "degraded" && h["store"]["connected"] == false
        });
        assert_eq!(common::http(r.port, "GET", locate, "", b"").unwrap().0, 200);
    }
    let (status, refused) = a.record("HR-REPLICA-2");
    assert_eq!((status, refused["error"]["code"].as_str()), (503, Some("store_unavailable")), "{refused}");
    let dry = r#"{"id":"HR-DRY","location":{"lon":116.637,"lat":40.324}}"#;
    assert_eq!(common::http(a.port, "POST", "/cases/route?record=false", "", dry.as_bytes()).unwrap().0, 200);
    cluster(&["start", &cluster_dir, &port]);
    for r in [&a, &b] {
        r.wait_until("reconnected", Duration::from_secs(30), |h| {
            h["status"] == "ok" && h["store"]["connected"] == true
        });
    }
    assert_eq!(psql(&url, "SELECT version FROM gridgis.catalog WHERE id = 'cams'"), "3");
    assert_eq!(
        psql(&url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'gridgis_versions' AND tablename LIKE 'cams@%'"),
        "2"
    );
    assert_eq!(psql(&url, "SELECT to_regclass('gridgis_versions.\"cams@4\"') IS NULL"), "t");
    // Publishing and recording work again, and are seen across.
    let (status, body) = b.upload("cams", &common::points(2, "after"));
    assert_eq!(status, 200, "{body}");
    a.wait_for("cams", (4, 2), Duration::from_secs(5));
    let (status, answer) = a.record("HR-REPLICA-2");
    assert_eq!(status, 200, "{answer}");
    b.wait_for_case("HR-REPLICA-2", Duration::from_secs(5));
    assert_eq!(psql(&url, "SELECT count(*) FROM gridgis.cases").parse::<u64>().unwrap(), logged + 2);
}
