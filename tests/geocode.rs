//! Geocoding on the demo dataset: every gazetteer address finds itself, villages land in their
//! level-1 grids, answers fall back one level at a time, a township that disagrees costs,
//! bad input never panics, reverse geocoding agrees with a brute-force search; and the HTTP
//! API (`GET`/`POST /geocode`, `GET /reverse`) through the router, including a POI layer
//! published by upload becoming searchable at once.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use gridgis::auth::ApiKeys;
use gridgis::state::{AppState, Limits, SharedState};
use gridgis_engine::{
    AddressRecord, GeocodeError, GeocodeLevel as Level, Geocoder, MAX_QUERY_CHARS, metres_per_degree,
};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use common::send;

fn geocoder() -> &'static Geocoder {
    &common::loaded().geocoder
}

fn records() -> &'static [AddressRecord] {
    static R: std::sync::OnceLock<Vec<AddressRecord>> = std::sync::OnceLock::new();
    R.get_or_init(|| gridgis_layers::address_records(&common::loaded().layers))
}

fn best(q: &str) -> gridgis_engine::Match<'static> {
    geocoder().geocode(q, 5).unwrap().matches.into_iter().next().unwrap_or_else(|| panic!("no match for {q}"))
}

fn level_of(r: &AddressRecord) -> Level {
    if r.room.is_some() {
        Level::Room
    } else if r.building.is_some() {
        Level::Building
    } else {
        Level::House
    }
}

#[test]
fn every_gazetteer_address_finds_itself() {
    let h = common::loaded().engine.hierarchy();
    let engine = &common::loaded().engine;
    let mut per_level = std::collections::BTreeMap::new();
    for r in records() {
        let m = best(&r.address);
        assert_eq!(m.address, r.address, "top answer for {}", r.address);
        assert_eq!(m.level, level_of(r), "{}", r.address);
        assert_eq!(m.score, 1.0, "{}", r.address);
        assert_eq!((m.lon, m.lat), (r.lon, r.lat));
        let leaf = engine.locate(r.lon, r.lat, 0.0).unwrap().grid;
        assert_eq!(m.grid, leaf, "{}: lands in the grid its point is in", r.address);
        assert_eq!(h.grid(m.grid).level, h.grid(leaf).level);
        *per_level.entry(m.level).or_insert(0) += 1;
    }
    assert_eq!(per_level.values().sum::<usize>(), gridgis_import::demo::ADDRESS_TOTAL);
    assert_eq!(per_level.len(), 3, "rooms, buildings and houses: {per_level:?}");
}

#[test]
fn a_village_named_alone_lands_in_its_level_one_grid() {
    let h = common::loaded().engine.hierarchy();
    let mut names = std::collections::HashMap::new();
    for g in h.grids().iter().filter(|g| g.level == 1) {
        *names.entry(g.name.as_str()).or_insert(0) += 1;
    }
    let mut checked = 0;
    for (id, g) in h.grids().iter().enumerate().filter(|(_, g)| matches!(g.kind.as_str(), "village" | "community")) {
        let township = &h.township(id as u32).unwrap().name;
        let mut queries = vec![format!("北京市怀柔区{township}{}", g.name), format!("{township}{}", g.name)];
        if names[g.name.as_str()] == 1 {
            queries.push(g.name.clone());
        }
        if let Some(stem) = g.name.strip_suffix('村') {
            queries.push(format!("{township}{stem}村委会"));
        }
        for q in queries {
            let m = best(&q);
            assert_eq!(m.level, Level::Village, "{q}");
            assert_eq!(h.grid(m.grid).code, g.code, "{q}");
            assert_eq!(m.score, 1.0, "{q}");
            // The answer's point lies in the village, so a case sent there is routed there.
            let at = common::loaded().engine.locate(m.lon, m.lat, 0.0).unwrap().grid;
            assert_eq!(h.ancestor_at(at, 1), Some(id as u32), "{q}: point outside the village");
            checked += 1;
        }
    }
    assert!(checked > 900, "{checked}");
}

/// A room address of the gazetteer and its parts.
fn a_room() -> &'static AddressRecord {
    records()
        .iter()
        .find(|r| r.room.is_some() && r.road.is_some() && r.address.contains(r.township.as_deref().unwrap_or("?")))
        .unwrap()
}

#[test]
fn answers_fall_back_one_level_at_a_time() {
    let r = a_room();
    let compound = r.compound.as_deref().unwrap();
    let building = r.building.as_deref().unwrap();
    let road = r.road.as_deref().unwrap();
    let unit = r.unit.unwrap();
    let township = r.township.as_deref().unwrap();
    let village = r.village.as_deref().unwrap();

    // The flat does not exist: its building.
    let m = best(&format!("{compound}{building}{unit}单元9999室"));
    assert_eq!(m.level, Level::Building);
    assert!(m.address.ends_with(&format!("{compound}{building}")), "{}", m.address);
    assert!(m.score < 1.0 && m.score > 0.5, "{}", m.score);
    // The building does not exist: the compound's gate, a house.
    let m = best(&format!("{compound}99号楼"));
    assert_eq!(m.level, Level::House);
    assert_eq!(m.components.road, Some(road));
    assert!(m.score < 1.0);
    // The number does not exist: the road, at the address nearest to that number.
    let m = best(&format!("北京市怀柔区{road}9999号"));
    assert_eq!(m.level, Level::Road);
    assert!(m.address.ends_with(road), "{}", m.address);
    assert!(m.score < 1.0);
    // An unknown road in a known village: the village.
    let m = best(&format!("{township}{village}无此路88号"));
    assert_eq!(m.level, Level::Village);
    assert_eq!(m.components.village, Some(village));
    // Only the township, then only the district.
    let m = best(&format!("北京市怀柔区{township}"));
    assert_eq!((m.level, m.score), (Level::Township, 1.0));
    let m = best("北京市怀柔区");
    assert_eq!((m.level, m.grid), (Level::District, common::loaded().engine.hierarchy().root()));
    // Only the province is no answer at all.
    assert!(geocoder().geocode("北京市", 5).unwrap().matches.is_empty());
    assert!(geocoder().geocode("北京", 5).unwrap().matches.is_empty());
}

#[test]
fn a_poi_by_name() {
    let pois = gridgis_layers::poi_records(&common::loaded().layers);
    assert_eq!(pois.len(), gridgis_import::demo::POI_TOTAL);
    let p = pois.iter().find(|p| p.name.ends_with("中学")).unwrap();
    let m = best(&p.name);
    assert_eq!((m.level, m.name), (Level::Poi, Some(p.name.as_str())));
    assert_eq!((m.lon, m.lat), (p.lon, p.lat));
    assert_eq!(m.layer, Some(p.layer.as_str()));
}

#[test]
fn a_township_that_disagrees_costs() {
    let r = records()
        .iter()
        .find(|r| r.group.is_none() && r.building.is_none() && r.address.contains(r.township.as_deref().unwrap_or("?")))
        .unwrap();
    let own = r.township.as_deref().unwrap();
    let other = if own == "渤海镇" { "宝山镇" } else { "渤海镇" };
    let detail = r.address.split_once(own).unwrap().1;
    let right = best(&format!("{own}{detail}"));
    let wrong = best(&format!("{other}{detail}"));
    assert_eq!(right.address, r.address);
    assert_eq!(wrong.address, r.address, "the rest of the address still names it");
    assert_eq!(right.score, 1.0);
    assert!(wrong.score < right.score, "{} vs {}", wrong.score, right.score);
}

#[test]
fn the_variations_people_write_read_the_same() {
    let r = a_room();
    let want = best(&r.address);
    let full_width: String = r
        .address
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { char::from_u32(c as u32 + 0xFEE0).unwrap() } else { c })
        .collect();
    let spaced: String = r.address.chars().flat_map(|c| [c, ' ']).collect();
    let no_prefix = r.address.trim_start_matches("北京市怀柔区");
    for q in [full_width.as_str(), spaced.as_str(), no_prefix] {
        let m = best(q);
        assert_eq!((m.address.as_ref(), m.level), (want.address.as_ref(), want.level), "{q}");
    }
}

#[test]
fn bad_input_is_refused_or_matches_nothing() {
    let g = geocoder();
    assert_eq!(g.geocode("", 5).unwrap_err(), GeocodeError::Empty);
    assert_eq!(g.geocode(" ，。 \t\n", 5).unwrap_err(), GeocodeError::Empty);
    assert!(matches!(g.geocode(&"号".repeat(10_000), 5), Err(GeocodeError::TooLong { .. })));
    assert!(matches!(g.geocode(&"a".repeat(MAX_QUERY_CHARS + 1), 5), Err(GeocodeError::TooLong { .. })));
    assert!(g.geocode(&"北".repeat(MAX_QUERY_CHARS), 5).is_ok());
    assert_eq!(g.geocode("-----", 5).unwrap_err(), GeocodeError::Empty);
    for q in ["hello world", "12345", "😀😀😀", "\u{0}\u{1}\u{2}garbage", "ＡＢＣ"] {
        assert!(g.geocode(q, 5).unwrap().matches.is_empty(), "{q}");
    }
    // Binary garbage, read as text the way a lossy decoder does.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    for _ in 0..300 {
        let bytes: Vec<u8> = (0..rng.random_range(1..400)).map(|_| rng.random()).collect();
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(found) = g.geocode(&text, 5) {
            assert!(found.matches.iter().all(|m| (0.0..=1.0).contains(&m.score)));
        }
    }
}

/// Characters addresses are made of, so random text hits the parser's and matcher's paths.
fn address_text() -> impl Strategy<Value = String> {
    let alphabet: Vec<char> =
        "北京市怀柔区泉河街道渤海镇金台园社区村委会新后路号楼栋单元室组队小区花园家园0123456789-一二三十〇 ，A座"
            .chars()
            .collect();
    prop::collection::vec(prop_oneof![prop::sample::select(alphabet), any::<char>()], 0..120)
        .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn answers_are_ordered_and_scored_within_bounds(q in address_text()) {
        if let Ok(found) = geocoder().geocode(&q, 10) {
            prop_assert!(found.matches.len() <= 10);
            for w in found.matches.windows(2) {
                prop_assert!(w[0].score >= w[1].score);
            }
            for m in &found.matches {
                prop_assert!((0.1..=1.0).contains(&m.score));
                prop_assert!(m.lon.is_finite() && m.lat.is_finite());
            }
        }
    }
}

#[test]
fn reverse_agrees_with_a_brute_force_search() {
    let g = geocoder();
    // House- and building-level addresses are the candidates (flats share a building's point).
    let candidates: Vec<&AddressRecord> = records().iter().filter(|r| r.room.is_none()).collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    for _ in 0..300 {
        let (lon, lat) = (rng.random_range(116.55..116.75), rng.random_range(40.28..40.45));
        let (mx, my) = metres_per_degree(lat);
        let want =
            candidates.iter().map(|r| ((r.lon - lon) * mx).hypot((r.lat - lat) * my)).fold(f64::INFINITY, f64::min);
        match g.reverse(lon, lat, 2_000.0).address {
            Some(a) => assert!((a.distance_m - want).abs() < 1e-6, "({lon}, {lat}): {} vs {want}", a.distance_m),
            None => assert!(want > 2_000.0),
        }
    }
    // An address's own point answers with distance 0; beyond the radius, nothing.
    let r = candidates[1234];
    let near = g.reverse(r.lon, r.lat, 10.0);
    assert_eq!(near.address.unwrap().distance_m, 0.0);
    assert!(g.reverse(116.5, 41.05, 10.0).address.is_none());
}

// ---- HTTP ----

const STAFF: &str = "staff-0123456789abcdef";

fn state_over(dir: &std::path::Path, limits: Limits) -> SharedState {
    let keys = ApiKeys::load(Some(&format!("gis_staff:{STAFF}")), None, None).unwrap();
    Arc::new(AppState::new(common::load(dir), keys, limits))
}

fn state() -> SharedState {
    static S: std::sync::OnceLock<SharedState> = std::sync::OnceLock::new();
    S.get_or_init(|| state_over(common::demo_dir(), Limits { max_batch_addresses: 1_000, ..Limits::default() })).clone()
}

async fn get(uri: &str) -> (StatusCode, Value) {
    send(state(), Request::get(uri).body(Body::empty()).unwrap()).await
}

async fn post(uri: &str, body: &str) -> (StatusCode, Value) {
    let req = Request::post(uri).header(header::CONTENT_TYPE, "application/json").body(Body::from(body.to_owned()));
    send(state(), req.unwrap()).await
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn get_geocode_answers_per_the_contract() {
    let r = a_room();
    let (status, v) = get(&format!("/geocode?q={}&limit=3", enc(&r.address))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["query"], r.address.as_str());
    assert_eq!(v["normalized"], r.address.as_str());
    let results = v["results"].as_array().unwrap();
    assert!(!results.is_empty() && results.len() <= 3);
    let top = &results[0];
    assert_eq!(top["address"], r.address.as_str());
    assert_eq!(top["level"], "room");
    assert_eq!(top["score"], 1.0);
    assert_eq!(top["lon"], r.lon);
    let leaf = common::loaded().engine.locate(r.lon, r.lat, 0.0).unwrap().grid;
    assert_eq!(top["grid"]["code"], common::loaded().engine.hierarchy().grid(leaf).code.as_str());
    assert!(top["grid"]["code"].as_str().unwrap().starts_with(top["township"]["code"].as_str().unwrap()));
    assert_eq!(top["components"]["compound"], r.compound.as_deref().unwrap());
    assert_eq!(top["components"]["unit"], r.unit.unwrap());
    assert!(v.get("reason").is_none());
    // Nothing matches: no results, level none, and why.
    let (status, v) = get("/geocode?q=hello").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["results"], json!([]));
    assert_eq!(v["reason"]["code"], "no_match");
}

#[tokio::test]
async fn get_geocode_refuses_bad_queries() {
    for (uri, code) in [
        ("/geocode", "bad_request"),
        ("/geocode?q=", "empty_query"),
        ("/geocode?q=%20%2C", "empty_query"),
        ("/geocode?q=abc&limit=0", "bad_request"),
        ("/geocode?q=abc&limit=51", "bad_request"),
        ("/geocode?q=abc&limit=x", "bad_request"),
    ] {
        let (status, v) = get(uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert_eq!(v["error"]["code"], code, "{uri}");
    }
    let long = enc(&"号".repeat(3_000));
    let (status, v) = get(&format!("/geocode?q={long}")).await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("query_too_long")));
    // Bytes that are not UTF-8 are read as replacement characters: no match, not an error.
    let (status, v) = get("/geocode?q=%FF%FE%00").await;
    assert_eq!((status, v["results"].clone()), (StatusCode::OK, json!([])));
}

#[tokio::test]
async fn post_geocode_answers_each_in_order() {
    let r = a_room();
    let body = json!({"addresses": [
        {"id": "a", "address": r.address},
        {"id": 2, "address": ""},
        {"id": [3], "address": 42},
        {"id": null, "address": "hello"},
        {"address": "渤海所村委会"},
    ]});
    let (status, v) = post("/geocode", &body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    assert_eq!(results[0]["id"], "a");
    assert_eq!(results[0]["result"]["address"], r.address.as_str());
    assert!(results[0].get("reason").is_none());
    assert_eq!((results[1]["id"].clone(), results[1]["result"].clone()), (json!(2), Value::Null));
    assert_eq!(results[1]["reason"]["code"], "empty_query");
    assert_eq!(results[2]["id"], json!([3]));
    assert_eq!(results[2]["reason"]["code"], "bad_request");
    assert_eq!(results[3]["reason"]["code"], "no_match");
    assert_eq!(results[4]["result"]["level"], "village");
    // A batch large enough to be split over the cores keeps its order.
    let many: Vec<Value> = records()
        .iter()
        .step_by(97)
        .take(1_000)
        .enumerate()
        .map(|(i, r)| json!({"id": i, "address": r.address}))
        .collect();
    let (status, v) = post("/geocode", &json!({ "addresses": many }).to_string()).await;
    assert_eq!(status, StatusCode::OK);
    for (i, (item, r)) in v["results"].as_array().unwrap().iter().zip(records().iter().step_by(97)).enumerate() {
        assert_eq!(item["id"], i);
        assert_eq!(item["result"]["address"], r.address.as_str());
    }
}

#[tokio::test]
async fn post_geocode_refuses_bad_bodies() {
    let one = json!({"id": 1, "address": "北京市怀柔区"});
    let (status, v) = post("/geocode", &json!({"addresses": vec![one; 1_001]}).to_string()).await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("too_many_addresses")));
    let (status, v) = post("/geocode", "{\"addresses\": 5}").await;
    assert_eq!((status, v["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_request")));
    let (status, _) = post("/geocode", "{not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let req = Request::post("/geocode").body(Body::from("{\"addresses\":[]}")).unwrap();
    let (status, v) = send(state(), req).await;
    assert_eq!(
        (status, v["error"]["code"].as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_media_type"))
    );
}

#[tokio::test]
async fn reverse_gives_the_grid_and_what_is_nearest() {
    let r = records().iter().find(|r| r.room.is_none()).unwrap();
    let (status, v) = get(&format!("/reverse?lon={}&lat={}", r.lon, r.lat)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["inside"], true);
    assert_eq!(v["chain"][0]["code"], "110116");
    assert_eq!(v["address"]["distance_m"], 0.0);
    assert!(v["poi"]["name"].is_string());
    assert!(v["poi"]["distance_m"].as_f64().unwrap() <= 1_000.0);
    assert_eq!(v["radius_m"], 1_000.0);
    // GCJ-02 input reads the same place.
    let (glon, glat) = gridgis_engine::wgs84_to_gcj02(r.lon, r.lat);
    let (_, g) = get(&format!("/reverse?lon={glon}&lat={glat}&crs=gcj02")).await;
    assert!(g["address"]["distance_m"].as_f64().unwrap() < 0.01, "{g}");
    // A tiny radius far from any address: the grid, and nulls.
    let (_, v) = get("/reverse?lon=116.50&lat=41.05&radius_m=1").await;
    assert_eq!((v["address"].clone(), v["poi"].clone()), (Value::Null, Value::Null));
    for (uri, status, code) in [
        ("/reverse?lon=116.6&lat=40.3&radius_m=-1", StatusCode::BAD_REQUEST, "bad_request"),
        ("/reverse?lon=116.6&lat=40.3&radius_m=1e9", StatusCode::BAD_REQUEST, "bad_request"),
        ("/reverse?lon=116.6", StatusCode::BAD_REQUEST, "bad_request"),
        ("/reverse?lon=116.6&lat=40.3&crs=mars", StatusCode::BAD_REQUEST, "unknown_crs"),
        ("/reverse?lon=117.5&lat=39.0", StatusCode::NOT_FOUND, "outside_jurisdiction"),
    ] {
        let (s, v) = get(uri).await;
        assert_eq!((s, v["error"]["code"].as_str()), (status, Some(code)), "{uri}");
    }
}

#[tokio::test]
async fn a_poi_layer_published_by_upload_is_searchable_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(common::demo_dir(), tmp.path());
    let state = state_over(tmp.path(), Limits::default());
    let name = "怀柔区测试新开图书馆";
    let (_, before) =
        send(state.clone(), Request::get(format!("/geocode?q={}", enc(name))).body(Body::empty()).unwrap()).await;
    assert_ne!(before["results"][0]["level"], "poi", "{before}");
    let geojson = json!({"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {"name": name, "type": "图书馆", "address": "北京市怀柔区青春路1号"},
        "geometry": {"type": "Point", "coordinates": [116.6312, 40.3195]}}]});
    let req = Request::post("/layers/hr_poi_new_libraries?filename=libs.geojson&category=%E5%85%B4%E8%B6%A3%E7%82%B9")
        .header(header::AUTHORIZATION, format!("Bearer {STAFF}"))
        .body(Body::from(geojson.to_string()))
        .unwrap();
    let (status, report) = send(state.clone(), req).await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let (_, after) =
        send(state.clone(), Request::get(format!("/geocode?q={}", enc(name))).body(Body::empty()).unwrap()).await;
    assert_eq!(after["results"][0]["level"], "poi", "{after}");
    assert_eq!(after["results"][0]["name"], name);
    assert_eq!(after["results"][0]["layer"], "hr_poi_new_libraries");
    let (_, health) = send(state, Request::get("/health").body(Body::empty()).unwrap()).await;
    assert_eq!(health["geocoder"]["pois"], gridgis_import::demo::POI_TOTAL + 1);
}
