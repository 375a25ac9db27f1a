//! The `gridgis` binary as a user runs it.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_gridgis");

fn gridgis(data: &Path, args: &[&str]) -> Output {
    Command::new(BIN).arg("--data").arg(data).args(args).output().expect("runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn locate_one_point_prints_the_api_answer() {
    let o = gridgis(common::demo_dir(), &["locate", "116.637", "40.322"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["inside"], true);
    assert_eq!(v["chain"][0]["code"], "110116");
    // A negative coordinate is a number, not a flag; it is outside the district.
    let o = gridgis(common::demo_dir(), &["locate", "-74.0", "40.7"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("outside the district"), "{}", stderr(&o));
}

#[test]
fn locate_csv_batch_reports_bad_lines_and_keeps_order() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("points.csv");
    std::fs::write(
        &input,
        "id,lon,lat\n\
         a,116.637,40.322\n\
         b,not-a-number,40.3\n\
         \"c,1\",116.55,40.9\n\
         d,116.0,39.0\n\
         e,116.6\n\
         f,116.6,95\n\
         g,116.63,40.33\n",
    )
    .unwrap();
    let o = gridgis(common::demo_dir(), &["locate", "--input", input.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "completed with skipped lines: {}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("line 3") && err.contains("not a number"), "{err}");
    assert!(err.contains("line 6") && err.contains("expected 3 fields"), "{err}");
    assert!(err.contains("line 7"), "{err}");
    let out = stdout(&o);
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(out.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["a", "c,1", "d", "g"]);
    assert_eq!(rows[0][5], "true");
    assert!(rows[0][1].starts_with(&rows[0][3]) && rows[0][3].starts_with(&rows[0][4]));
    assert_eq!(rows[2][1], "", "far outside: no grid");
    assert_eq!(rows[2][5], "false");
    assert!(rows[2][6].parse::<f64>().unwrap() > 10_000.0);
}

#[test]
fn locate_from_stdin_in_gcj02() {
    let (lon, lat) = gridgis_engine::wgs84_to_gcj02(116.637, 40.322);
    let mut child = Command::new(BIN)
        .args(["--data", common::demo_dir().to_str().unwrap(), "locate", "--input", "-", "--crs", "gcj02"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("1,{lon},{lat}\n").as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let single: Value =
        serde_json::from_str(&stdout(&gridgis(common::demo_dir(), &["locate", "116.637", "40.322"]))).unwrap();
    assert!(stdout(&o).lines().nth(1).unwrap().starts_with(&format!("1,{}", single["grid"]["code"].as_str().unwrap())));
}

#[test]
fn clear_errors_for_bad_input() {
    let o = gridgis(common::demo_dir(), &["locate", "116.6", "40.3", "--crs", "mars"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("unknown coordinate system 'mars'"), "{}", stderr(&o));
    let o = gridgis(common::demo_dir(), &["locate", "--input", "/no/such/file.csv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/no/such/file.csv"), "{}", stderr(&o));
    // A data dir that is a file, and one whose catalog is garbage.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let o = gridgis(&file, &["locate", "116.6", "40.3"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("plain-file"), "{}", stderr(&o));
    let broken = dir.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    std::fs::write(broken.join("catalog.json"), "{ not json").unwrap();
    let o = gridgis(&broken, &["locate", "116.6", "40.3"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("catalog.json"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"));
    // Export of something that does not exist says where to look.
    let o = gridgis(common::demo_dir(), &["export", "roads", "--out", dir.path().join("x.geojson").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no layer 'roads'") && stderr(&o).contains("gridgis layers"), "{}", stderr(&o));
    assert!(!dir.path().join("x.geojson").exists());
}

#[test]
fn export_grids_in_three_formats() {
    let dir = tempfile::tempdir().unwrap();
    for (format, file) in [("geojson", "g.geojson"), ("csv", "g.csv"), ("fgb", "g.fgb")] {
        let out = dir.path().join(file);
        let o = gridgis(common::demo_dir(), &["export", "grids", "--format", format, "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        assert!(std::fs::metadata(&out).unwrap().len() > 1_000_000, "{format}");
    }
    let fc: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("g.geojson")).unwrap()).unwrap();
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 7585);
    let keys: Vec<&str> = features[0]["properties"].as_object().unwrap().keys().map(String::as_str).collect();
    for k in ["code", "name", "level", "parent_code", "township_code", "kind"] {
        assert!(keys.contains(&k), "{k} missing from {keys:?}");
    }
    let csv_text = std::fs::read_to_string(dir.path().join("g.csv")).unwrap();
    assert!(csv_text.starts_with("code,name,level,parent_code,township_code,kind,wkt"), "{}", &csv_text[..80]);
    assert_eq!(csv::Reader::from_reader(csv_text.as_bytes()).records().count(), 7585);
    let fgb = std::fs::read(dir.path().join("g.fgb")).unwrap();
    assert_eq!(&fgb[..3], b"fgb");
}

#[test]
fn demo_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let c = dir.path().join("c");
    for (d, seed) in [(&a, "7"), (&b, "7"), (&c, "8")] {
        let o = Command::new(BIN).args(["demo", "--out", d.to_str().unwrap(), "--seed", seed]).output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let files = |d: &Path| -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![d.to_path_buf()];
        while let Some(p) = stack.pop() {
            for e in std::fs::read_dir(&p).unwrap() {
                let e = e.unwrap();
                if e.file_type().unwrap().is_dir() {
                    stack.push(e.path());
                } else {
                    out.push((
                        e.path().strip_prefix(d).unwrap().display().to_string(),
                        std::fs::read(e.path()).unwrap(),
                    ));
                }
            }
        }
        out.sort();
        out
    };
    let (fa, fb, fc) = (files(&a), files(&b), files(&c));
    assert!(fa.len() >= 3);
    assert_eq!(fa, fb, "same seed, same bytes");
    assert_ne!(fa, fc, "another seed, another dataset");
    // Writing over an existing data dir is refused.
    let o = Command::new(BIN).args(["demo", "--out", a.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn serve_creates_the_demo_and_answers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("fresh");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(BIN)
        .args(["--data", data.to_str().unwrap(), "serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let body = loop {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
            let mut buf = String::new();
            s.read_to_string(&mut buf).unwrap();
            break buf;
        }
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    assert!(body.contains("\"grids\":7585"), "{body}");
    assert!(data.join("catalog.json").exists());
    // SIGTERM: a graceful exit.
    Command::new("kill").arg(child.id().to_string()).status().unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(status.success(), "{err}");
    assert!(err.contains("creating it with the embedded demo dataset"), "{err}");
}

#[test]
fn geocode_one_address_prints_the_api_answer() {
    let o = gridgis(common::demo_dir(), &["geocode", "北京市怀柔区渤海镇渤海所村委会", "--limit", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["normalized"], "北京市怀柔区渤海镇渤海所村");
    assert_eq!(v["results"][0]["level"], "village");
    assert_eq!(v["results"][0]["grid"]["level"], 1);
    assert!(v["results"].as_array().unwrap().len() <= 2);
    // Refused before anything is matched: a clear one-line error.
    let o = gridgis(common::demo_dir(), &["geocode", " ， "]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("the address is empty"), "{}", stderr(&o));
}

#[test]
fn geocode_csv_batch_keeps_order_and_reports_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("addresses.csv");
    let mut text = b"id,address\n\
        a,\"\xe5\x8c\x97\xe4\xba\xac\xe5\xb8\x82\xe6\x80\x80\xe6\x9f\x94\xe5\x8c\xba\"\n\
        b,hello\n\
        c\n"
    .to_vec();
    text.extend_from_slice(b"d,\xff\xfe\n");
    text.extend_from_slice("e,\"渤海所村委会，2组\"\nf,\n".as_bytes());
    std::fs::write(&input, text).unwrap();
    let o = gridgis(common::demo_dir(), &["geocode", "--input", input.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "completed with skipped lines: {}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("line 4") && err.contains("expected 2 fields"), "{err}");
    assert!(err.contains("line 5") && err.contains("not UTF-8"), "{err}");
    assert!(err.contains("line 7") && err.contains("empty"), "{err}");
    let out = stdout(&o);
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["id", "lon", "lat", "level", "score", "grid_code", "matched_address", "matched_name"]
    );
    let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["a", "b", "e", "f"]);
    assert_eq!((rows[0][3].as_str(), rows[0][5].as_str()), ("district", "110116"));
    assert_eq!((rows[1][3].as_str(), rows[1][4].as_str(), rows[1][1].as_str()), ("none", "0", ""));
    assert_eq!(rows[2][3], "village");
    assert_eq!(rows[3][3], "none");
}

#[test]
fn reverse_prints_the_api_answer() {
    let o = gridgis(common::demo_dir(), &["reverse", "116.6312", "40.3195"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["inside"], true);
    assert!(v["address"]["address"].as_str().unwrap().starts_with("北京市怀柔区"));
    assert!(v["poi"]["name"].is_string());
    let o = gridgis(common::demo_dir(), &["reverse", "116.6", "40.3", "--radius", "-5"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--radius"), "{}", stderr(&o));
}
