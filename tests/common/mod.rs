//! Shared fixtures: one demo data dir per test binary, generated on first use.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use gridgis::data::Loaded;

/// A demo data dir (default seed), never written to: tests that write copy it first.
///
/// `GRIDGIS_TEST_DEMO` names one made beforehand (`make test` makes it once with
/// `gridgis demo` for every test binary, and checks afterwards that no test changed a byte of
/// it); else one is generated under Cargo's per-target scratch dir once per test binary, and
/// earlier runs' dirs for the same binary are removed first.
pub fn demo_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        if let Some(dir) = std::env::var_os("GRIDGIS_TEST_DEMO") {
            return PathBuf::from(dir);
        }
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let exe = std::env::current_exe().ok().and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()));
        let prefix = format!("demo-{}-", exe.unwrap_or_else(|| "test".into()));
        if let Ok(entries) = std::fs::read_dir(root) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(&prefix) {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let dir = root.join(format!("{prefix}{}", std::process::id()));
        gridgis_import::demo::write_demo(&dir, gridgis_import::demo::DEFAULT_SEED).expect("demo dataset writes");
        dir
    })
}

/// The PostGIS databases standing for data dirs, on the PostGIS pass of `make test`.
fn databases() -> &'static std::sync::Mutex<std::collections::HashMap<PathBuf, String>> {
    static DATABASES: OnceLock<std::sync::Mutex<std::collections::HashMap<PathBuf, String>>> = OnceLock::new();
    DATABASES.get_or_init(|| {
        let mut map = std::collections::HashMap::new();
        if let Ok(url) = std::env::var("GRIDGIS_TEST_STORE") {
            map.insert(demo_dir().to_path_buf(), url);
        }
        std::sync::Mutex::new(map)
    })
}

/// Where the layers of data dir `dir` are: its files, or, on the PostGIS pass of `make test`
/// (`GRIDGIS_TEST_STORE` names a database holding the demo's layers), a database: that one
/// for the demo dir, a copy of it for each copy of the demo dir ([`copy_dir`]).
pub fn place(dir: &Path) -> gridgis::data::Place {
    let url = databases().lock().expect("not poisoned").get(dir).cloned();
    gridgis::data::Place { dir: dir.to_path_buf(), store_url: url }
}

/// Data dir `dir` loaded (from its [`place`]).
pub fn load(dir: &Path) -> Loaded {
    let place = place(dir);
    let loaded = gridgis::data::load(&place).expect("the data dir loads");
    // The PostGIS pass must not pass by reading files.
    assert_eq!(loaded.store.backend(), if place.store_url.is_some() { "postgres" } else { "files" });
    loaded
}

/// The store of data dir `dir` (at its [`place`]).
pub fn open_store(dir: &Path) -> gridgis_layers::Store {
    place(dir).open_store().expect("the store opens")
}

/// The demo data dir, loaded.
pub fn loaded() -> &'static Loaded {
    static LOADED: OnceLock<Loaded> = OnceLock::new();
    LOADED.get_or_init(|| load(demo_dir()))
}

/// One request through the router (`oneshot`): the status and the body as JSON (a body that is
/// not JSON as `{"raw": text}`).
pub async fn send(
    state: gridgis::state::SharedState,
    req: axum::http::Request<axum::body::Body>,
) -> (axum::http::StatusCode, serde_json::Value) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let res = gridgis::http::app(state).oneshot(req).await.expect("infallible");
    let status = res.status();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    let value =
        serde_json::from_slice(&bytes).unwrap_or_else(|_| serde_json::json!({"raw": String::from_utf8_lossy(&bytes)}));
    (status, value)
}

/// Copies a data dir (recursively) to `to`, for tests that write; on the PostGIS pass, the
/// demo's database too (`GRIDGIS_TEST_TEMPLATE`: a database no one connects to, holding the
/// demo's layers, which `CREATE DATABASE … TEMPLATE` copies in a second or two).
pub fn copy_dir(from: &Path, to: &Path) {
    copy_files(from, to);
    if from == demo_dir()
        && std::env::var_os("GRIDGIS_TEST_STORE").is_some()
        && let Ok(template) = std::env::var("GRIDGIS_TEST_TEMPLATE")
    {
        let url = new_database_from(&template);
        databases().lock().expect("not poisoned").insert(to.to_path_buf(), url);
    }
}

/// A new database copied from the one at `template` (same cluster); its URL.
pub fn new_database_from(template: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!("copy_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
    let template_name = template.rsplit('/').next().and_then(|s| s.split('?').next()).expect("a database name");
    let admin = gridgis_layers::postgres_store::testing::with_database(template, "postgres");
    let status = std::process::Command::new("psql")
        .args([&admin, "-qAtc", &format!("CREATE DATABASE {name} TEMPLATE {template_name} STRATEGY FILE_COPY")])
        .status()
        .expect("psql runs");
    assert!(status.success(), "database {name} created from {template_name}");
    gridgis_layers::postgres_store::testing::with_database(template, &name)
}

fn copy_files(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy's dir");
    for e in std::fs::read_dir(from).expect("read the dir to copy") {
        let e = e.expect("dir entry");
        if e.file_type().expect("file type").is_dir() {
            copy_files(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy a file");
        }
    }
}

/// Every file under `dir` with a hash of its bytes: two snapshots are equal when no file was
/// added, removed or changed.
pub fn snapshot(dir: &Path) -> std::collections::BTreeMap<PathBuf, u64> {
    use std::hash::{Hash, Hasher};
    fn walk(root: &Path, dir: &Path, out: &mut std::collections::BTreeMap<PathBuf, u64>) {
        for e in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = e.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                std::fs::read(&path).expect("read file").hash(&mut h);
                out.insert(path.strip_prefix(root).expect("under root").to_path_buf(), h.finish());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// One HTTP/1.1 request on a fresh connection; the status code and the body.
pub fn http(port: u16, method: &str, path: &str, headers: &str, body: &[u8]) -> Option<(u16, String)> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n{headers}\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).ok()?;
    s.write_all(body).ok()?;
    let mut buf = String::new();
    s.read_to_string(&mut buf).ok()?;
    let status = buf.get(9..12)?.parse().ok()?;
    let body = buf.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    Some((status, body))
}

/// A GeoJSON FeatureCollection of `n` points in the district, tagged `tag`.
pub fn points(n: usize, tag: &str) -> String {
    let features: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"type":"Feature","properties":{{"tag":"{tag}","n":{i}}},"geometry":{{"type":"Point","coordinates":[{},40.32]}}}}"#,
                116.6 + i as f64 * 0.001
            )
        })
        .collect();
    format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(","))
}

/// The version and feature count a server on `port` serves of layer `id`.
pub fn layer_version(port: u16, id: &str) -> Option<(u64, u64)> {
    let (status, body) = http(port, "GET", &format!("/layers/{id}"), "", b"")?;
    if status != 200 {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(&body).ok()?;
    Some((v["version"].as_u64()?, v["feature_count"].as_u64()?))
}

/// A Mapbox Vector Tile read back for assertions and snapshots: per layer its name, version,
/// extent, keys, and per feature its id, type, properties (as JSON) and command count. A
/// reader of the protobuf written for the tests (the independent decoders are in
/// `tests/tiles/check.py`).
pub mod mvt {
    use serde_json::{Value, json};

    fn varint(b: &[u8], i: &mut usize) -> u64 {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let byte = b[*i];
            *i += 1;
            v |= u64::from(byte & 0x7F) << shift;
            if byte < 0x80 {
                return v;
            }
            shift += 7;
        }
    }

    /// (field number, varint value or bytes) of a message.
    fn fields(b: &[u8]) -> Vec<(u64, Result<u64, &[u8]>)> {
        let (mut i, mut out) = (0, Vec::new());
        while i < b.len() {
            let key = varint(b, &mut i);
            match key & 7 {
                0 => out.push((key >> 3, Ok(varint(b, &mut i)))),
                1 => {
                    out.push((key >> 3, Err(&b[i..i + 8])));
                    i += 8;
                }
                2 => {
                    let n = varint(b, &mut i) as usize;
                    out.push((key >> 3, Err(&b[i..i + n])));
                    i += n;
                }
                w => panic!("wire type {w}"),
            }
        }
        out
    }

    fn packed(b: &[u8]) -> Vec<u64> {
        let (mut i, mut out) = (0, Vec::new());
        while i < b.len() {
            out.push(varint(b, &mut i));
        }
        out
    }

    fn value(b: &[u8]) -> Value {
        match fields(b).first() {
            Some((1, Err(s))) => json!(String::from_utf8_lossy(s)),
            Some((3, Err(d))) => json!(f64::from_le_bytes(d[..8].try_into().expect("8 bytes"))),
            Some((6, Ok(v))) => json!(((v >> 1) as i64) ^ -((v & 1) as i64)),
            Some((7, Ok(v))) => json!(*v != 0),
            other => json!(format!("{other:?}")),
        }
    }

    /// The tile as JSON: `[{name, version, extent, keys, features: [{id, type, properties, commands}]}]`.
    pub fn read(tile: &[u8]) -> Value {
        let mut layers = Vec::new();
        for (n, l) in fields(tile) {
            assert_eq!(n, 3, "a tile holds layers only");
            let l = l.expect_err("a layer is a message");
            let (mut name, mut version, mut extent) = (String::new(), 0, 0);
            let (mut keys, mut values, mut raw_features) = (Vec::new(), Vec::new(), Vec::new());
            for (n, v) in fields(l) {
                match (n, v) {
                    (1, Err(s)) => name = String::from_utf8_lossy(s).into_owned(),
                    (15, Ok(v)) => version = v,
                    (5, Ok(v)) => extent = v,
                    (3, Err(s)) => keys.push(String::from_utf8_lossy(s).into_owned()),
                    (4, Err(s)) => values.push(value(s)),
                    (2, Err(s)) => raw_features.push(s),
                    _ => {}
                }
            }
            let features: Vec<Value> = raw_features
                .iter()
                .map(|f| {
                    let (mut id, mut kind, mut props, mut commands) = (Value::Null, 0, serde_json::Map::new(), 0);
                    for (n, v) in fields(f) {
                        match (n, v) {
                            (1, Ok(v)) => id = json!(v),
                            (3, Ok(v)) => kind = v,
                            (2, Err(s)) => {
                                for kv in packed(s).chunks(2) {
                                    props.insert(keys[kv[0] as usize].clone(), values[kv[1] as usize].clone());
                                }
                            }
                            (4, Err(s)) => commands = packed(s).len(),
                            _ => {}
                        }
                    }
                    json!({"id": id, "type": kind, "properties": props, "commands": commands})
                })
                .collect();
            layers
                .push(json!({"name": name, "version": version, "extent": extent, "keys": keys, "features": features}));
        }
        Value::Array(layers)
    }
}
