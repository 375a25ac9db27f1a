//! Case routing end to end: `POST /cases/route` through the router for every CRS, the address
//! path, the border and outside, malformed cases; recording into the case log; the statistics
//! and the grid overview against the log itself; the demo roster and case stream.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gridgis::auth::ApiKeys;
use gridgis::state::{AppState, Limits, SharedState};
use serde_json::{Value, json};

use common::send;

fn state() -> SharedState {
    static STATE: std::sync::OnceLock<SharedState> = std::sync::OnceLock::new();
    STATE
        .get_or_init(|| {
            let loaded = common::load(common::demo_dir());
            Arc::new(AppState::new(loaded, keys(), Limits::default()))
        })
        .clone()
}

async fn get_in(state: SharedState, uri: &str) -> (StatusCode, Value) {
    send(state, Request::get(uri).body(Body::empty()).expect("request")).await
}

/// The case-intake system's key in the tests that record.
const INTAKE_KEY: &str = "intake-system-key-0123456789";

async fn post_raw(state: SharedState, uri: &str, body: String) -> (StatusCode, Value) {
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {INTAKE_KEY}"))
        .body(Body::from(body));
    send(state, req.expect("request")).await
}

fn keys() -> ApiKeys {
    ApiKeys::load(
        Some(&format!("integrator:{INTAKE_KEY},viewer:viewer-key-0123456789,gis_staff:staff-key-0123456789")),
        None,
        None,
    )
    .expect("keys")
}

/// Routes without recording (the shared state stays as the demo left it).
async fn route(case: Value) -> Value {
    let (status, v) = post_raw(state(), "/cases/route?record=false", case.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

async fn route_err(body: &str) -> (StatusCode, String) {
    let (status, v) = post_raw(state(), "/cases/route?record=false", body.to_owned()).await;
    (status, v["error"]["code"].as_str().unwrap_or("<none>").to_owned())
}

/// The leaf grid the engine finds for a WGS84 point.
fn leaf_of(lon: f64, lat: f64) -> String {
    let e = &common::loaded().engine;
    let id = e.locate(lon, lat, 0.0).expect("inside").grid;
    e.hierarchy().grid(id).code.clone()
}

/// (position, unit_code) of every person in a list of answer persons, by id.
fn roster_by_id() -> BTreeMap<String, gridgis_cases::StaffMember> {
    common::loaded().roster.staff().iter().map(|s| (s.id.clone(), s.clone())).collect()
}

const LON: f64 = 116.637;
const LAT: f64 = 40.324;

#[tokio::test]
async fn a_point_goes_to_its_leaf_grid_its_workers_leader_force_and_sub_centre() {
    let v = route(json!({"id": "p1", "category": "街面秩序/占道经营", "location": {"lon": LON, "lat": LAT}})).await;
    let leaf = leaf_of(LON, LAT);
    assert_eq!(v["id"], "p1");
    assert_eq!(v["status"], "routed");
    assert_eq!(v["matched_by"], "location");
    assert_eq!(v["match"]["method"], "point_in_grid");
    assert_eq!(v["grid"]["code"], leaf.as_str());
    let chain: Vec<&str> = v["chain"].as_array().unwrap().iter().map(|g| g["code"].as_str().unwrap()).collect();
    assert_eq!(chain.last().copied(), Some(leaf.as_str()));
    assert!(chain.windows(2).all(|w| w[1].starts_with(w[0])), "{chain:?}");
    let l1 = chain[1];
    let township = v["township"]["code"].as_str().unwrap();
    assert!(l1.starts_with(township));
    assert_eq!(v["category"]["force"], "城管执法");
    let roster = roster_by_id();
    let assignees = v["assignees"].as_array().unwrap();
    let mut duties = BTreeSet::new();
    for a in assignees {
        let s = &roster[a["id"].as_str().unwrap()];
        match a["duty"].as_str().unwrap() {
            "grid_worker" => {
                assert_eq!((s.position, s.unit_code.as_str()), (gridgis_cases::Position::GridWorker, leaf.as_str()))
            }
            "grid_leader" => assert_eq!((s.position, s.unit_code.as_str()), (gridgis_cases::Position::GridLeader, l1)),
            "force" => {
                assert_eq!(s.force, Some(gridgis_cases::Force::Enforcement));
                assert!(s.covers.iter().any(|c| c == l1), "{} covers {l1}", s.id);
            }
            d => panic!("duty {d}"),
        }
        duties.insert(a["duty"].as_str().unwrap().to_owned());
    }
    assert_eq!(duties.len(), 3, "workers, leader and force: {assignees:?}");
    // Every worker of the leaf is on it.
    let workers =
        roster.values().filter(|s| s.unit_code == leaf && s.position == gridgis_cases::Position::GridWorker).count();
    assert_eq!(assignees.iter().filter(|a| a["duty"] == "grid_worker").count(), workers);
    assert_eq!(v["sub_centre"]["code"], township);
    let dispatchers = v["sub_centre"]["dispatchers"].as_array().unwrap();
    assert!(!dispatchers.is_empty());
    assert!(dispatchers.iter().all(|d| roster[d["id"].as_str().unwrap()].unit_code == township));
    let c = v["match"]["confidence"].as_f64().unwrap();
    assert!(c == 1.0 || (c == 0.8 && v["match"]["flags"][0] == "near_grid_boundary"), "{v}");
}

#[tokio::test]
async fn every_crs_lands_in_the_same_grid() {
    let (gx, gy) = gridgis_engine::wgs84_to_gcj02(LON, LAT);
    let (bx, by) = gridgis_engine::gcj02_to_bd09(gx, gy);
    // Projected coordinates of the same point, computed with pyproj 3 (PROJ 9).
    let cases = [
        ("wgs84", LON, LAT),
        ("cgcs2000", LON, LAT),
        ("gcj02", gx, gy),
        ("bd09", bx, by),
        ("EPSG:4548", 469_148.998_778_065_6, 4_465_568.502_324_889),
        ("EPSG:4527", 39_469_148.998_778_07, 4_465_568.502_324_889),
        ("EPSG:3857", 12_983_971.447_655_048, 4_913_137.387_419_716),
    ];
    let leaf = leaf_of(LON, LAT);
    for (crs, x, y) in cases {
        let v = route(json!({"id": crs, "location": {"lon": x, "lat": y, "crs": crs}})).await;
        assert_eq!(v["grid"]["code"], leaf.as_str(), "{crs}: {v}");
        assert_eq!(v["match"]["crs"].as_str().map(str::to_lowercase), Some(crs.to_lowercase()), "{crs}");
        let (lon, lat) = (v["match"]["wgs84"]["lon"].as_f64().unwrap(), v["match"]["wgs84"]["lat"].as_f64().unwrap());
        assert!((lon - LON).abs() < 2e-6 && (lat - LAT).abs() < 2e-6, "{crs}: {lon},{lat}");
    }
}

#[tokio::test]
async fn an_address_is_geocoded_to_its_grid() {
    let layers = &common::loaded().layers;
    let gaz = layers.get(gridgis_layers::ADDRESSES_LAYER).unwrap();
    let col = |name: &str| gaz.columns().iter().position(|c| c == name).unwrap();
    let (ca, cg) = (col("address"), col("grid_code"));
    for i in [0u32, 1_000, 50_000, 116_000] {
        let r = gaz.record(i);
        let address = r.values[ca].as_str().unwrap();
        let code = r.values[cg].as_str().unwrap();
        let v = route(json!({"id": i, "address": address, "category": "暴露垃圾"})).await;
        assert_eq!(v["id"], i);
        assert_eq!(v["matched_by"], "address", "{v}");
        assert_eq!(v["match"]["method"], "geocoded");
        assert_eq!(v["grid"]["code"], code, "{address}");
        assert_eq!(v["match"]["geocode"]["address"], address);
        assert!(v["match"]["confidence"].as_f64().unwrap() >= 0.9);
        assert!(v["assignees"].as_array().unwrap().iter().any(|a| a["duty"] == "grid_worker"));
    }
}

#[tokio::test]
async fn coarse_addresses_route_as_far_as_they_say() {
    // A village: its level-1 grid and leader, no leaf workers.
    let v = route(json!({"id": "v", "address": "怀柔区泉河街道富乐社区"})).await;
    assert_eq!(v["status"], "routed");
    assert_eq!(v["grid"]["level"], 1, "{v}");
    assert!(v["match"]["flags"].as_array().unwrap().contains(&json!("village_level")));
    assert!(v["assignees"].as_array().unwrap().iter().all(|a| a["duty"] != "grid_worker"));
    assert!(v["assignees"].as_array().unwrap().iter().any(|a| a["duty"] == "grid_leader"));
    assert!(v["match"]["confidence"].as_f64().unwrap() < 0.9);
    // A township: its sub-centre dispatches.
    let v = route(json!({"id": "t", "address": "北京市怀柔区雁栖镇"})).await;
    assert_eq!(v["status"], "township", "{v}");
    assert!(v["grid"].is_null());
    assert!(v["township"]["name"].as_str().unwrap().starts_with("雁栖"), "{v}");
    assert_eq!(v["sub_centre"]["code"], v["township"]["code"]);
    // Text that names no place of the district: the district centre.
    let v = route(json!({"id": "n", "address": "火星基地一号"})).await;
    assert_eq!(v["status"], "unlocated");
    assert_eq!(v["match"]["method"], "no_match");
    assert_eq!(v["match"]["confidence"], 0.0);
    assert_eq!(v["sub_centre"]["code"], "110116");
    let roster = roster_by_id();
    assert!(
        v["sub_centre"]["dispatchers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| roster[d["id"].as_str().unwrap()].role == gridgis_cases::Role::CityFulltime)
    );
}

#[tokio::test]
async fn near_the_border_the_nearest_grid_beyond_it_outside_jurisdiction() {
    let engine = &common::loaded().engine;
    // Walk west from the district seat until the point leaves the district.
    let (mut lon, lat) = (116.40, 40.40);
    while engine.locate(lon, lat, 0.0).is_ok() {
        lon -= 0.0005;
    }
    while engine.locate(lon, lat, 0.0).is_err() {
        lon += 0.00002;
    }
    // Just inside now; 60 m west is outside but within tolerance.
    let (mx, _) = gridgis_engine::metres_per_degree(lat);
    let out_lon = lon - 60.0 / mx;
    let near = engine.locate(out_lon, lat, 500.0).unwrap();
    assert!(!near.inside);
    let v = route(json!({"id": "b", "location": {"lon": out_lon, "lat": lat}})).await;
    assert_eq!(v["status"], "routed");
    assert_eq!(v["match"]["method"], "nearest_grid");
    assert!(v["match"]["flags"].as_array().unwrap().contains(&json!("outside_border")));
    assert_eq!(v["grid"]["code"], engine.hierarchy().grid(near.grid).code.as_str());
    let d = v["match"]["distance_m"].as_f64().unwrap();
    assert!((d - near.distance_m).abs() < 0.01 && d > 0.0);
    let c = v["match"]["confidence"].as_f64().unwrap();
    assert!(c < 0.9 && c > 0.3, "{c}");
    // A tolerance of 10 m puts it outside.
    let v = route(json!({"id": "b2", "location": {"lon": out_lon, "lat": lat}, "max_distance_m": 10})).await;
    assert_eq!(v["status"], "outside_jurisdiction");
    // Far away: nobody in the district; the district centre transfers it.
    let v = route(json!({"id": "far", "category": "火灾", "location": {"lon": 116.3, "lat": 39.9}})).await;
    assert_eq!(v["status"], "outside_jurisdiction");
    assert!(v["grid"].is_null() && v["chain"] == json!([]) && v["assignees"] == json!([]));
    assert_eq!(v["facilities"], json!([]));
    assert_eq!(v["sub_centre"]["code"], "110116");
    // Outside with an address that is inside: the address decides, and says why.
    let v =
        route(json!({"id": "fa", "address": "怀柔区泉河街道富乐社区", "location": {"lon": 116.3, "lat": 39.9}})).await;
    assert_eq!(v["matched_by"], "address");
    assert!(v["warnings"].as_array().unwrap().contains(&json!("location_outside_district")));
}

#[tokio::test]
async fn malformed_cases_are_400_with_a_code() {
    for (body, code) in [
        ("{bad", "invalid_json"),
        ("", "invalid_json"),
        (r#"{"location":{"lon":116.6,"lat":40.3}}"#, "invalid_request"),
        (r#"{"id":"","location":{"lon":116.6,"lat":40.3}}"#, "invalid_request"),
        (r#"{"id":{"a":1},"location":{"lon":116.6,"lat":40.3}}"#, "invalid_request"),
        (r#"{"id":"x","location":{"lon":"116.6","lat":40.3}}"#, "invalid_request"),
        (r#"{"id":"x"}"#, "missing_location"),
        (r#"{"id":"x","address":"  "}"#, "missing_location"),
        (r#"{"id":"x","location":{"lon":116.6,"lat":40.3,"crs":"mars"}}"#, "unknown_crs"),
        (r#"{"id":"x","location":{"lon":116.6,"lat":140.3}}"#, "invalid_coordinate"),
        (r#"{"id":"x","location":{"lon":116.6,"lat":40.3},"reported_at":"yesterday"}"#, "invalid_time"),
        (r#"{"id":"x","location":{"lon":116.6,"lat":40.3},"max_distance_m":-1}"#, "invalid_distance"),
    ] {
        let (status, got) = route_err(body).await;
        assert_eq!((status, got.as_str()), (StatusCode::BAD_REQUEST, code), "{body}");
    }
    let long = format!(r#"{{"id":"x","address":"{}"}}"#, "怀".repeat(5_000));
    assert_eq!(route_err(&long).await, (StatusCode::BAD_REQUEST, "too_long".into()));
    // A bad location with a usable address: routed by the address, with a warning.
    let v =
        route(json!({"id": "w", "address": "怀柔区泉河街道富乐社区", "location": {"lon": 116.6, "lat": 400.0}})).await;
    assert_eq!(v["matched_by"], "address");
    assert!(v["warnings"].as_array().unwrap().contains(&json!("invalid_location")));
    let v = route(json!({"id": "u", "category": "不存在的类别", "location": {"lon": LON, "lat": LAT}})).await;
    assert_eq!(v["status"], "routed");
    assert!(v["warnings"].as_array().unwrap().contains(&json!("unknown_category")));
    assert!(v["category"].is_null());
}

/// Brute force: the `k` features of `layer` nearest to a point, by the same metric.
fn nearest_brute(layer: &str, lon: f64, lat: f64, k: usize) -> Vec<(u32, f64)> {
    let l = common::loaded().layers.get(layer).unwrap();
    let mut all: Vec<(u32, f64)> =
        (0..l.len() as u32).map(|i| (i, gridgis_layers::distance_m(lon, lat, &l.record(i).geometry))).collect();
    all.sort_by(|a, b| a.1.total_cmp(&b.1));
    all.truncate(k);
    all
}

#[tokio::test]
async fn facilities_are_the_nearest_of_their_kind_and_a_component_is_itself() {
    let v = route(json!({"id": "f", "category": "突发事件/火灾", "location": {"lon": LON, "lat": LAT}})).await;
    let got: Vec<(String, f64)> = v["facilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap().to_owned(), f["distance_m"].as_f64().unwrap()))
        .collect();
    let layer = common::loaded().layers.get("hr_comp_0113_xiaofangshuan").unwrap();
    let code = layer.columns().iter().position(|c| c == "code").unwrap();
    let want: Vec<(String, f64)> = nearest_brute("hr_comp_0113_xiaofangshuan", LON, LAT, 3)
        .into_iter()
        .filter(|x| x.1 <= 1_000.0)
        .map(|(i, d)| (layer.record(i).values[code].as_str().unwrap().to_owned(), d))
        .collect();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g.0, w.0);
        assert!((g.1 - w.1).abs() < 0.01);
    }
    assert_eq!(v["category"]["force"], "消防救援");
    assert!(v["assignees"].as_array().unwrap().iter().any(|a| a["force"] == "消防救援"));

    // A component case at a lamp: the lamp itself.
    let lamps = common::loaded().layers.get("hr_comp_0114_ludeng").unwrap();
    let r = lamps.record(500);
    let geo_types::Geometry::Point(p) = &r.geometry else { panic!("a lamp is a point") };
    let (mx, my) = gridgis_engine::metres_per_degree(p.y());
    let (lon, lat) = (p.x() + 3.0 / mx, p.y() - 2.0 / my);
    let lamp_code = r.values[lamps.columns().iter().position(|c| c == "code").unwrap()].as_str().unwrap();
    if nearest_brute("hr_comp_0114_ludeng", lon, lat, 1)[0].0 == 500 {
        let v = route(json!({"id": "c", "category": "公用设施/路灯", "location": {"lon": lon, "lat": lat}})).await;
        assert_eq!(v["category"]["kind"], "component");
        assert_eq!(v["facilities"][0]["code"], lamp_code);
        assert_eq!(v["facilities"][0]["kind"], "路灯");
        assert!(v["facilities"][0]["distance_m"].as_f64().unwrap() < 4.0);
    }
    // Far from any lamp: said so.
    let v = route(json!({"id": "c2", "category": "路灯", "location": {"lon": 116.52, "lat": 40.75}})).await;
    if v["facilities"] == json!([]) {
        assert!(v["warnings"].as_array().unwrap().contains(&json!("component_not_found")));
    }
}

/// Counts per level-1 grid straight from the log file, for a window and a class.
fn counts_from_log(dir: &std::path::Path, from: &str, to: &str, class: Option<&str>) -> BTreeMap<String, u64> {
    let (from, to) = (gridgis_cases::parse_time(from).unwrap(), gridgis_cases::parse_time(to).unwrap());
    let text = std::fs::read_to_string(dir.join(gridgis_cases::LOG_FILE)).unwrap();
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let t = gridgis_cases::parse_time(v["case"]["reported_at"].as_str().unwrap()).unwrap();
        if t < from || t >= to || class.is_some_and(|c| v["result"]["class"] != c) {
            continue;
        }
        if let Some(code) = v["result"]["grid_code"].as_str() {
            *out.entry(code[..12].to_owned()).or_default() += 1;
        }
    }
    out
}

#[tokio::test]
async fn stats_per_grid_match_the_log() {
    let dir = common::demo_dir();
    for (class, q) in [(None, ""), (Some("市容环境"), "&category=市容环境")] {
        let (status, v) = get_in(state(), &format!("/grids/stats?level=1&from=2026-06-01&to=2026-07-01{q}")).await;
        assert_eq!(status, StatusCode::OK);
        let want = counts_from_log(dir, "2026-06-01", "2026-07-01", class);
        let grids = v["grids"].as_array().unwrap();
        assert_eq!(grids.len(), 340);
        for g in grids {
            let code = g["code"].as_str().unwrap();
            assert_eq!(g["count"].as_u64().unwrap(), want.get(code).copied().unwrap_or(0), "{code}");
        }
        assert_eq!(v["total"].as_u64().unwrap(), want.values().sum::<u64>());
        assert_eq!(v["max"].as_u64(), want.values().max().copied());
        assert_eq!(v["from"], "2026-06-01T00:00:00+08:00");
    }
    // Deeper levels: every grid of the level listed; counts add up to no more than level 1's.
    let (_, l1) = get_in(state(), "/grids/stats?level=1").await;
    for (level, n) in [(2, 1_221), (3, 4_571), (4, 1_452)] {
        let (_, v) = get_in(state(), &format!("/grids/stats?level={level}")).await;
        let grids = v["grids"].as_array().unwrap();
        assert_eq!(grids.len(), n);
        let sum: u64 = grids.iter().map(|g| g["count"].as_u64().unwrap()).sum();
        assert_eq!(sum, v["total"].as_u64().unwrap());
        assert!(sum <= l1["total"].as_u64().unwrap());
    }
    assert!(l1["total"].as_u64().unwrap() > 95_000, "a year of demo cases: {}", l1["total"]);
    for bad in [
        "/grids/stats?level=0",
        "/grids/stats?level=5",
        "/grids/stats?from=2026-13-01",
        "/grids/stats?from=2026-07-01&to=2026-06-01",
    ] {
        assert_eq!(get_in(state(), bad).await.0, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn the_grid_overview_has_chain_staff_and_case_counts() {
    let (_, stats) = get_in(state(), "/grids/stats?level=1&from=2026-11-01&to=2026-12-01").await;
    let g = &stats["grids"][5];
    let code = g["code"].as_str().unwrap();
    let (status, v) = get_in(state(), &format!("/grids/{code}/overview?from=2026-11-01&to=2026-12-01")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["grid"]["code"], code);
    assert_eq!(v["chain"].as_array().unwrap().len(), 2);
    assert_eq!(v["cases"]["total"], g["count"]);
    let by_class: u64 = v["cases"]["by_class"].as_array().unwrap().iter().map(|c| c["count"].as_u64().unwrap()).sum();
    assert_eq!(by_class, g["count"].as_u64().unwrap());
    let staff = v["staff"].as_array().unwrap();
    assert!(staff.iter().any(|s| s["position"] == "grid_leader" && s["position_name"] == "网格长"));
    assert_eq!(
        staff
            .iter()
            .filter(|s| s["position"] == "force_member")
            .filter_map(|s| s["force"].as_str())
            .collect::<BTreeSet<_>>()
            .len(),
        10
    );
    assert!(v["staff_below"].as_u64().unwrap() > staff.len() as u64 / 2);
    assert_eq!(get_in(state(), "/grids/999/overview").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn recorded_cases_are_logged_counted_and_survive_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(common::demo_dir(), tmp.path());
    let st = Arc::new(AppState::new(common::load(tmp.path()), keys(), Limits::default()));
    let (_, before) = get_in(st.clone(), "/grids/stats?level=1&from=2026-12-01").await;
    // Recording is a write: the intake system's (or an admin's) key, nobody else's.
    let case = json!({"id": "NOKEY", "location": {"lon": LON, "lat": LAT}}).to_string();
    for (key, status) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some("nope-nope-nope-nope"), StatusCode::UNAUTHORIZED),
        (Some("viewer-key-0123456789"), StatusCode::FORBIDDEN),
        (Some("staff-key-0123456789"), StatusCode::FORBIDDEN),
    ] {
        let mut req = Request::post("/cases/route");
        if let Some(k) = key {
            req = req.header(header::AUTHORIZATION, format!("Bearer {k}"));
        }
        let (got, v) = send(st.clone(), req.body(Body::from(case.clone())).unwrap()).await;
        assert_eq!(got, status, "{key:?}: {v}");
    }
    // Answering only needs no key.
    let req = Request::post("/cases/route?record=false").body(Body::from(case.clone())).unwrap();
    assert_eq!(send(st.clone(), req).await.0, StatusCode::OK);
    assert_eq!(before["total"], 0);
    let case = json!({"id": "NEW-1", "category": "暴露垃圾", "location": {"lon": LON, "lat": LAT}, "reported_at": "2026-12-01T09:00:00+08:00"});
    let (status, v) = post_raw(st.clone(), "/cases/route", case.to_string()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(v["warnings"].as_array().unwrap().is_empty());
    let l1 = v["chain"][1]["code"].as_str().unwrap().to_owned();
    let (_, after) = get_in(st.clone(), "/grids/stats?level=1&from=2026-12-01").await;
    assert_eq!(after["total"], 1);
    assert_eq!(after["grids"].as_array().unwrap().iter().find(|g| g["code"] == l1.as_str()).unwrap()["count"], 1);
    let (_, latest) = get_in(st.clone(), "/cases/latest?limit=1").await;
    assert_eq!(latest["features"][0]["properties"]["id"], "NEW-1");
    assert_eq!(latest["features"][0]["properties"]["category"], "暴露垃圾");
    // The same id again: answered, not counted twice.
    let (_, again) = post_raw(st.clone(), "/cases/route", case.to_string()).await;
    assert!(again["warnings"].as_array().unwrap().contains(&json!("duplicate_id")));
    // A dry run is not recorded.
    let dry = json!({"id": "DRY", "location": {"lon": LON, "lat": LAT}, "reported_at": "2026-12-01T10:00:00+08:00"});
    post_raw(st.clone(), "/cases/route?record=false", dry.to_string()).await;
    let (_, after) = get_in(st.clone(), "/grids/stats?level=1&from=2026-12-01").await;
    assert_eq!(after["total"], 1);
    // A torn last line of the file (a crash mid-append) is skipped on reading, and the next
    // case is whole. (In PostGIS a case is one statement: there is no torn line to make.)
    let log = tmp.path().join(gridgis_cases::LOG_FILE);
    let in_file = common::place(tmp.path()).store_url.is_none();
    if in_file {
        std::fs::OpenOptions::new()
            .append(true)
            .open(&log)
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"case\":{\"id\":"))
            .unwrap();
    } else {
        assert!(!log.exists() || !std::fs::read_to_string(&log).unwrap().contains("NEW-1"), "recorded in PostGIS");
    }
    drop(st);
    let loaded = common::load(tmp.path());
    assert_eq!(loaded.cases_report.skipped, usize::from(in_file));
    let st = Arc::new(AppState::new(loaded, keys(), Limits::default()));
    let (_, reloaded) = get_in(st.clone(), "/grids/stats?level=1&from=2026-12-01").await;
    assert_eq!(reloaded["total"], 1, "the recorded case survives a restart");
    let next = json!({"id": "NEW-2", "location": {"lon": LON, "lat": LAT}, "reported_at": "2026-12-01T11:00:00+08:00"});
    assert_eq!(post_raw(st.clone(), "/cases/route", next.to_string()).await.0, StatusCode::OK);
    if in_file {
        let last = std::fs::read_to_string(&log).unwrap();
        let last: Value = serde_json::from_str(last.lines().last().unwrap()).unwrap();
        assert_eq!(last["case"]["id"], "NEW-2");
    }
}

#[test]
fn the_demo_roster_has_the_district_counts_and_covers_every_grid() {
    let loaded = common::loaded();
    let roster = &loaded.roster;
    for (role, n) in gridgis_import::demo::STAFF_COUNTS {
        assert_eq!(roster.counts().iter().find(|c| c.0 == role).unwrap().1, n, "{role:?}");
    }
    assert_eq!(roster.len(), 26_341);
    let h = loaded.engine.hierarchy();
    let has =
        |code: &str, p: gridgis_cases::Position| roster.at_unit(code).iter().any(|&i| roster.get(i).position == p);
    for g in h.grids() {
        let id = h.by_code(&g.code).unwrap();
        if g.level == 1 {
            assert!(has(&g.code, gridgis_cases::Position::GridLeader), "{} has a leader", g.code);
            for f in gridgis_cases::Force::ALL {
                assert!(!roster.force_for(f, &g.code).is_empty(), "{} has {f:?}", g.code);
            }
        }
        if g.level > 0 && h.children(id).is_empty() {
            assert!(has(&g.code, gridgis_cases::Position::GridWorker), "leaf {} has a worker", g.code);
        }
    }
    for t in h.townships() {
        assert!(has(&t.code, gridgis_cases::Position::Dispatcher), "{} has dispatchers", t.name);
    }
    assert!(roster.staff().iter().all(|s| s.source == "demo" && s.phone.len() == 11));
}

#[test]
fn the_demo_stream_has_the_year_its_rhythm_and_its_mix() {
    let text = std::fs::read_to_string(common::demo_dir().join(gridgis_import::demo::INTAKE_FILE)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), gridgis_import::demo::CASE_TOTAL);
    let cases: Vec<gridgis_cases::CaseRequest> = lines
        .iter()
        .filter(|l| !l.contains("BAD-"))
        .filter_map(|l| gridgis_cases::CaseRequest::from_json(l.as_bytes()).ok())
        .collect();
    assert_eq!(cases.len(), gridgis_import::demo::CASE_TOTAL - gridgis_import::demo::MALFORMED);
    let n = cases.len() as f64;
    let share = |f: &dyn Fn(&gridgis_cases::CaseRequest) -> bool| cases.iter().filter(|c| f(c)).count() as f64 / n;
    let address_only = share(&|c| c.location.is_none() && c.address.is_some());
    let gcj = share(&|c| c.location.as_ref().is_some_and(|p| p.crs.as_deref() == Some("gcj02")));
    assert!((0.18..0.22).contains(&address_only), "address only {address_only}");
    assert!((0.09..0.11).contains(&gcj), "gcj02 {gcj}");
    let start = gridgis_cases::parse_time("2025-12-01").unwrap();
    let end = gridgis_cases::parse_time("2026-12-01").unwrap();
    let mut hours = [0u32; 24];
    let mut weekday = [0u32; 7];
    for c in &cases {
        let t = gridgis_cases::parse_time(c.reported_at.as_deref().unwrap()).unwrap();
        assert!((start..end).contains(&t));
        hours[((t - start) % 86_400 / 3_600) as usize] += 1;
        weekday[((t - start) / 86_400 % 7) as usize] += 1;
    }
    assert!(hours[10] > 10 * hours[3], "mid-morning busier than the small hours: {hours:?}");
    assert!(weekday[2] > weekday[6] * 3 / 2, "a Wednesday busier than a Sunday: {weekday:?}");
    let classes: BTreeSet<&str> =
        cases.iter().filter_map(|c| c.category.as_deref()).map(|c| c.split('/').next().unwrap_or(c)).collect();
    for class in ["市容环境", "宣传广告", "施工管理", "街面秩序", "突发事件", "公用设施", "道路交通"]
    {
        assert!(classes.contains(class), "{class}");
    }
}

#[test]
fn gridgis_route_answers_every_line_and_names_the_malformed_ones() {
    let input = common::demo_dir().join(gridgis_import::demo::INTAKE_FILE);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gridgis"))
        .arg("--data")
        .arg(common::demo_dir())
        .args(["route", "--input"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "exit 2: malformed lines skipped");
    let text = std::fs::read_to_string(&input).unwrap();
    let bad: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("BAD-") || !l.contains("\"id\""))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(bad.len(), gridgis_import::demo::MALFORMED);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for line in &bad {
        assert!(stderr.contains(&format!(" line {line}: ")), "line {line} reported: {stderr}");
    }
    let stdout = String::from_utf8(out.stdout).unwrap();
    let answers: Vec<Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(answers.len(), gridgis_import::demo::CASE_TOTAL - bad.len());
    // In input order, and the same as the API answers.
    let ids: Vec<Value> = text
        .lines()
        .filter(|l| !l.contains("BAD-") && l.contains("\"id\""))
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].clone())
        .collect();
    assert!(answers.iter().zip(&ids).all(|(a, id)| &a["id"] == id));
    let statuses: BTreeMap<&str, usize> = answers.iter().fold(BTreeMap::new(), |mut m, a| {
        *m.entry(a["status"].as_str().unwrap()).or_default() += 1;
        m
    });
    assert_eq!(statuses.get("outside_jurisdiction"), Some(&gridgis_import::demo::FAR_OUTSIDE), "{statuses:?}");
    // The stepped-out points, and the odd phone fix that GPS noise put over the border.
    let near = answers.iter().filter(|a| a["match"]["method"] == "nearest_grid").count();
    assert!((gridgis_import::demo::NEAR_OUTSIDE..gridgis_import::demo::NEAR_OUTSIDE + 20).contains(&near), "{near}");
    assert!(statuses["routed"] > 97_000);
}
