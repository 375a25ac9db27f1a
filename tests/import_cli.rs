//! `gridgis import` as GIS staff use it: the report, repairs and rejections named by feature
//! number, encodings and coordinate systems, and bad files refused with the data dir unchanged.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_gridgis");

fn gridgis(data: &Path, args: &[&str]) -> Output {
    Command::new(BIN).arg("--data").arg(data).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A private copy of the demo data dir.
fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(common::demo_dir(), &dir.path().join("data"));
    dir
}

fn import_json(data: &Path, file: &Path, extra: &[&str]) -> (Output, Value) {
    let mut args = vec!["import", file.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let out = gridgis(data, &args);
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out, report)
}

#[test]
fn geojson_with_repairs_and_rejections() {
    let dir = data_dir();
    let data = dir.path().join("data");
    let file = dir.path().join("公园.geojson");
    // 0: a valid square; 1: a bow-tie (self-intersecting, repaired into two triangles);
    // 2: no geometry; 3: a point in a polygon layer; 4: a polygon with no area; 5: broken
    // coordinates; 6: a square wound clockwise (re-oriented silently).
    let sq = |x: f64, cw: bool| {
        let mut r = vec![[x, 40.3], [x + 0.01, 40.3], [x + 0.01, 40.31], [x, 40.31], [x, 40.3]];
        if cw {
            r.reverse();
        }
        serde_json::json!({"type": "Polygon", "coordinates": [r]})
    };
    let features = serde_json::json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"名称": "青春公园", "面积": 1.5}, "geometry": sq(116.60, false)},
        {"type": "Feature", "properties": {"名称": "蝴蝶园", "面积": 2}, "geometry":
            {"type": "Polygon", "coordinates": [[[116.62, 40.30], [116.63, 40.31], [116.63, 40.30], [116.62, 40.31], [116.62, 40.30]]]}},
        {"type": "Feature", "properties": {"名称": "无形"}, "geometry": null},
        {"type": "Feature", "properties": {"名称": "一个点"}, "geometry": {"type": "Point", "coordinates": [116.6, 40.3]}},
        {"type": "Feature", "properties": {"名称": "一条线"}, "geometry":
            {"type": "Polygon", "coordinates": [[[116.6, 40.3], [116.61, 40.3], [116.62, 40.3], [116.6, 40.3]]]}},
        {"type": "Feature", "properties": {"名称": "坏坐标"}, "geometry": {"type": "Polygon", "coordinates": [["a"]]}},
        {"type": "Feature", "properties": {"名称": "顺时针", "面积": "未知"}, "geometry": sq(116.64, true)},
    ]});
    std::fs::write(&file, features.to_string()).unwrap();
    let (out, r) = import_json(&data, &file, &["--layer", "parks", "--category", "园林绿化"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        (r["read"].as_u64(), r["published"].as_u64(), r["rejected"].as_u64()),
        (Some(7), Some(3), Some(4)),
        "{r}"
    );
    assert_eq!(r["repaired"], 1, "{r}");
    assert_eq!(r["repairs"][0]["feature"], 1);
    let rejected: Vec<u64> =
        r["rejections"].as_array().unwrap().iter().map(|n| n["feature"].as_u64().unwrap()).collect();
    assert_eq!(rejected.iter().copied().collect::<std::collections::BTreeSet<_>>(), [2, 3, 4, 5].into());
    assert_eq!(r["geometry_type"], "MultiPolygon", "a bow-tie repairs into two parts: the layer is multi");
    // The CLI names the file and each rejected feature.
    let err = stderr(&out);
    assert!(err.contains("公园.geojson feature 2: rejected: no geometry"), "{err}");
    // Mixed number and text in 面积: the field becomes text rather than failing the import.
    let exported = dir.path().join("out.geojson");
    let o = gridgis(&data, &["export", "parks", "--format", "geojson", "--out", exported.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let back: Value = serde_json::from_str(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    let areas: Vec<&str> =
        back["features"].as_array().unwrap().iter().filter_map(|f| f["properties"]["面积"].as_str()).collect();
    assert_eq!(areas.len(), 3, "{back}");
    let list = gridgis(&data, &["layers", "--json"]);
    let catalog: Value = serde_json::from_slice(&list.stdout).unwrap();
    let parks = catalog.as_array().unwrap().iter().find(|e| e["id"] == "parks").unwrap();
    assert_eq!((parks["category"].as_str(), parks["source_file"].as_str()), (Some("园林绿化"), Some("公园.geojson")));
}

#[test]
fn gbk_csv_in_gauss_kruger() {
    let dir = data_dir();
    let data = dir.path().join("data");
    // Two manhole covers in CGCS2000 3° Gauss-Krüger (CM 117°E), names in GBK as Excel saves them.
    let (e, n) = (469_149.0, 4_465_568.5);
    let text = format!(
        "编号,名称,x,y\n110116010100001,上水井盖,{e},{n}\n110116010100002,污水井盖,{},{}\n",
        e + 100.0,
        n + 50.0
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    let file = dir.path().join("井盖.csv");
    std::fs::write(&file, &gbk).unwrap();
    let (out, r) = import_json(&data, &file, &["--layer", "covers", "--crs", "EPSG:4548", "--encoding", "gbk"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!((r["published"].as_u64(), r["encoding"].as_str()), (Some(2), Some("GBK")), "{r}");
    // Without --encoding the GBK bytes are recognised too (not UTF-8, so GB18030).
    let (out, r) = import_json(&data, &file, &["--layer", "covers2", "--crs", "EPSG:4548"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(r["published"], 2, "{r}");
    let o =
        gridgis(&data, &["export", "covers2", "--format", "csv", "--out", dir.path().join("c.csv").to_str().unwrap()]);
    assert!(o.status.success());
    let csv = std::fs::read_to_string(dir.path().join("c.csv")).unwrap();
    assert!(csv.contains("上水井盖") && csv.contains("110116010100001"), "{csv}");
    // The point is where PROJ puts it: the district seat, 116.637E 40.324N.
    let loc = gridgis(&data, &["locate", &e.to_string(), &n.to_string(), "--crs", "EPSG:4548"]);
    assert!(loc.status.success());
}

#[test]
fn bad_files_leave_the_data_dir_unchanged() {
    let dir = data_dir();
    let data = dir.path().join("data");
    let before = common::snapshot(&data);
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let cases = [
        (
            write(
                "truncated.geojson",
                b"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":{\"type\":\"Po",
            ),
            "truncated.geojson",
        ),
        (write("garbage.geojson", &[0u8, 159, 146, 150, 1, 2, 3]), "garbage.geojson"),
        (write("empty.csv", b""), "empty.csv"),
        (write("nocoords.csv", b"name,value\na,1\n"), "nocoords.csv"),
        (write("fake.shp", b"not a shapefile at all"), "fake.shp"),
        (write("fake.zip", b"PK\x03\x04garbage"), "fake.zip"),
        (write("fake.fgb", b"fgb\x03fgb\x01\xff\xff\xff\x7f"), "fake.fgb"),
        (write("fake.gpkg", b"SQLite format 3\x00"), "fake.gpkg"),
        (write("unknown.xyz", b"{}"), "unknown.xyz"),
        (dir.path().join("missing.geojson"), "missing.geojson"),
    ];
    for (path, name) in &cases {
        let out = gridgis(&data, &["import", path.to_str().unwrap(), "--layer", "bad"]);
        assert!(!out.status.success(), "{name} was accepted");
        let err = stderr(&out);
        assert!(err.contains(name), "{name}: the message names the file: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    // A bad --crs and an unknown encoding are refused before anything is read.
    let good = write(
        "ok.geojson",
        br#"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[116.6,40.3]}}"#,
    );
    for extra in [["--crs", "EPSG:999999"], ["--crs", "mars"], ["--encoding", "klingon"]] {
        let mut args = vec!["import", good.to_str().unwrap(), "--layer", "bad"];
        args.extend_from_slice(&extra);
        let out = gridgis(&data, &args);
        assert!(!out.status.success(), "{extra:?} was accepted");
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
    // Projected coordinates with no CRS: nothing published, and the hint says what to do.
    let projected = write("projected.csv", b"x,y\n469149,4465568\n");
    let out = gridgis(&data, &["import", projected.to_str().unwrap(), "--layer", "bad"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--crs"), "{}", stderr(&out));
    // The grid hierarchy's layers and the gazetteer are not thematic layers.
    for layer in ["grids", "townships", "addresses"] {
        let out = gridgis(&data, &["import", good.to_str().unwrap(), "--layer", layer]);
        assert!(!out.status.success());
        assert!(stderr(&out).contains("cannot be replaced by an import"), "{}", stderr(&out));
    }
    // A layer id that is not one.
    let out = gridgis(&data, &["import", good.to_str().unwrap(), "--layer", "../escape"]);
    assert!(!out.status.success());
    assert_eq!(common::snapshot(&data), before, "nothing was written");
}
