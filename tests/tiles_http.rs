//! Vector tiles over HTTP, through the router: the catalog, TileJSON, the tile answers (gzip,
//! ETag and 304, 204, 400, 404), a new layer version seen at once, and snapshots of a few
//! fixed tiles read back.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Read;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use gridgis::auth::ApiKeys;
use gridgis::state::{AppState, Limits, SharedState};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const STAFF: &str = "staff-0123456789abcdef";

fn state_over(dir: &std::path::Path) -> SharedState {
    let keys = ApiKeys::load(Some(&format!("gis_staff:{STAFF}")), None, None).unwrap();
    Arc::new(AppState::new(common::load(dir), keys, Limits::default()))
}

fn state() -> SharedState {
    static S: std::sync::OnceLock<SharedState> = std::sync::OnceLock::new();
    S.get_or_init(|| state_over(common::demo_dir())).clone()
}

async fn send(state: SharedState, req: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let res = gridgis::http::app(state).oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    (parts.status, parts.headers, body.collect().await.unwrap().to_bytes().to_vec())
}

async fn get(uri: &str, headers: &[(&str, &str)]) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    send(state(), req.body(Body::empty()).unwrap()).await
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|_| json!({"raw": String::from_utf8_lossy(body)}))
}

fn gunzip(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(b).read_to_end(&mut out).unwrap();
    out
}

/// The tile over the district seat at z14.
const SEAT: &str = "14/13500/6183";

#[tokio::test]
async fn catalog_lists_grids_and_every_layer() {
    let (status, _, body) = get("/catalog", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let v = json_of(&body);
    let tiles = v["tiles"].as_object().unwrap();
    assert_eq!(tiles["grids"]["content_type"], "application/x-protobuf");
    assert!(tiles.contains_key("hr_poi_food"));
    assert!(tiles.contains_key("townships"));
    // Every catalog layer but the grid layer itself (served as `grids`), plus `grids`.
    assert_eq!(tiles.len(), common::loaded().layers.len());
}

#[tokio::test]
async fn tilejson_describes_one_source_or_several() {
    let (status, _, body) = get("/tiles/grids", &[("host", "map.centre:8080")]).await;
    assert_eq!(status, StatusCode::OK);
    let v = json_of(&body);
    assert_eq!(v["tilejson"], "3.0.0");
    assert_eq!(v["tiles"], json!(["http://map.centre:8080/tiles/grids/{z}/{x}/{y}"]));
    assert_eq!((v["minzoom"].clone(), v["maxzoom"].clone()), (json!(8), json!(16)));
    let layers: Vec<&str> = v["vector_layers"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(layers, ["grid_l1", "grid_l2", "grid_l3", "grid_l4"]);
    assert_eq!(
        v["vector_layers"][0]["fields"],
        json!({"code": "String", "name": "String", "level": "Number", "kind": "String"})
    );
    let b = v["bounds"].as_array().unwrap();
    assert!(b[0].as_f64().unwrap() < 116.3 && b[2].as_f64().unwrap() > 116.8);
    assert_eq!(v["center"].as_array().unwrap().len(), 3);
    let (status, _, body) = get("/tiles/grids,hr_poi_food", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let v = json_of(&body);
    assert_eq!(v["vector_layers"].as_array().unwrap().len(), 5);
    assert_eq!(v["tiles"], json!(["/tiles/grids,hr_poi_food/{z}/{x}/{y}"]), "no Host: a relative URL");
    let food = &v["vector_layers"][4];
    assert_eq!(food["id"], "hr_poi_food");
    assert_eq!(food["fields"]["name"], "String");
    // The gazetteer is drawn only where its points can be told apart.
    let (_, _, body) = get("/tiles/addresses", &[]).await;
    assert!(json_of(&body)["minzoom"].as_u64().unwrap() >= 15);
}

#[tokio::test]
async fn a_tile_with_gzip_etag_and_304() {
    let uri = format!("/tiles/grids/{SEAT}");
    let (status, h, plain) = get(&uri, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "application/vnd.mapbox-vector-tile");
    assert!(h.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(h[header::CACHE_CONTROL], "public, no-cache");
    assert_eq!(h[header::VARY], "Accept-Encoding");
    let tag = h[header::ETAG].to_str().unwrap().to_owned();
    let (status, hz, zipped) = get(&uri, &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hz[header::CONTENT_ENCODING], "gzip");
    assert_eq!(gunzip(&zipped), plain);
    assert!(zipped.len() < plain.len());
    let ztag = hz[header::ETAG].to_str().unwrap().to_owned();
    assert_ne!(tag, ztag, "each encoding has its own ETag");
    // Revalidation: 304 with no body, for either encoding.
    let (status, h304, body) = get(&uri, &[("if-none-match", &tag)]).await;
    assert_eq!((status, body.len()), (StatusCode::NOT_MODIFIED, 0));
    assert_eq!(h304[header::ETAG], tag.as_str());
    let (status, _, _) = get(&uri, &[("accept-encoding", "gzip"), ("if-none-match", &ztag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    let (status, _, _) = get(&uri, &[("if-none-match", "\"stale\"")]).await;
    assert_eq!(status, StatusCode::OK);
    // The same with a `.pbf` or `.mvt` suffix.
    let (status, _, same) = get(&format!("{uri}.pbf"), &[]).await;
    assert_eq!((status, same), (StatusCode::OK, plain.clone()));
    // What it holds: the levels drawn at z14, version 2, extent 4096, every grid's properties.
    let tile = common::mvt::read(&plain);
    let names: Vec<&str> = tile.as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["grid_l1", "grid_l2", "grid_l3", "grid_l4"]);
    for l in tile.as_array().unwrap() {
        assert_eq!((l["version"].clone(), l["extent"].clone()), (json!(2), json!(4096)));
        for f in l["features"].as_array().unwrap() {
            assert_eq!(f["type"], 3);
            let code = f["properties"]["code"].as_str().unwrap();
            let h = common::loaded().engine.hierarchy();
            let g = h.grid(h.by_code(code).unwrap());
            assert_eq!(f["properties"], json!({"code": g.code, "name": g.name, "level": g.level, "kind": g.kind}));
        }
    }
}

#[tokio::test]
async fn empty_bad_and_unknown_tiles() {
    // Far from the district: no feature, 204, still with an ETag.
    let (status, h, body) = get("/tiles/grids/14/0/0", &[]).await;
    assert_eq!((status, body.len()), (StatusCode::NO_CONTENT, 0));
    assert!(h.contains_key(header::ETAG));
    // Below the first level's minimum zoom: empty too.
    let (status, _, _) = get("/tiles/grids/5/26/12", &[]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for (uri, code) in [
        ("/tiles/grids/25/0/0", "invalid_tile"),
        ("/tiles/grids/3/8/0", "invalid_tile"),
        ("/tiles/grids/3/0/8", "invalid_tile"),
        ("/tiles/grids/a/0/0", "invalid_tile"),
        ("/tiles/grids/3/-1/0", "invalid_tile"),
        ("/tiles/grids,grids/3/0/0", "bad_request"),
    ] {
        let (status, _, body) = get(uri, &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(json_of(&body)["error"]["code"], code, "{uri}");
    }
    for uri in ["/tiles/nope/3/0/0", "/tiles/grids,nope/14/13500/6183", "/tiles/nope"] {
        let (status, _, body) = get(uri, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(json_of(&body)["error"]["code"], "source_not_found", "{uri}");
    }
}

#[tokio::test]
async fn a_composite_tile_holds_each_source_once() {
    let (status, _, body) = get(&format!("/tiles/grids,hr_poi_food/{SEAT}"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let tile = common::mvt::read(&body);
    let names: Vec<&str> = tile.as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["grid_l1", "grid_l2", "grid_l3", "grid_l4", "hr_poi_food"]);
    let food = tile.as_array().unwrap().last().unwrap();
    let f = &food["features"][0];
    assert_eq!(f["type"], 1);
    assert!(f["properties"]["name"].is_string());
    let id = f["id"].as_u64().unwrap() as u32 - 1;
    let layer = common::loaded().layers.get("hr_poi_food").unwrap();
    assert_eq!(f["properties"]["name"], layer.record(id).values[0].as_str().unwrap());
}

#[tokio::test]
async fn a_new_layer_version_is_drawn_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(common::demo_dir(), tmp.path());
    let state = state_over(tmp.path());
    let tile_uri = "/tiles/hr_trash_test/14/13500/6183";
    let upload = |n: usize| {
        let features: Vec<Value> = (0..n)
            .map(|i| {
                json!({"type": "Feature", "properties": {"n": i},
                "geometry": {"type": "Point", "coordinates": [116.637 + i as f64 * 1e-4, 40.322]}})
            })
            .collect();
        Request::post("/layers/hr_trash_test?filename=bins.geojson")
            .header(header::AUTHORIZATION, format!("Bearer {STAFF}"))
            .body(Body::from(json!({"type": "FeatureCollection", "features": features}).to_string()))
            .unwrap()
    };
    let (status, _, _) = send(state.clone(), upload(3)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, h1, b1) = send(state.clone(), Request::get(tile_uri).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(common::mvt::read(&b1)[0]["features"].as_array().unwrap().len(), 3);
    let (status, _, _) = send(state.clone(), upload(5)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, h2, b2) = send(state.clone(), Request::get(tile_uri).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        common::mvt::read(&b2)[0]["features"].as_array().unwrap().len(),
        5,
        "the new version, not a cached tile"
    );
    assert_ne!(h1[header::ETAG], h2[header::ETAG]);
    // The old ETag no longer revalidates.
    let req =
        Request::get(tile_uri).header(header::IF_NONE_MATCH, h1[header::ETAG].clone()).body(Body::empty()).unwrap();
    assert_eq!(send(state.clone(), req).await.0, StatusCode::OK);
    // The grids' tiles stay cached.
    let stats = state.tile_cache.stats();
    assert!(stats.misses >= 2, "{stats:?}");
}

#[test]
fn snapshots_of_fixed_tiles() {
    let s = state();
    let render = |sources: &[&dyn gridgis_tiles::Source], z, x, y| {
        let tile = gridgis_tiles::TileCoord::new(z, x, y).unwrap();
        common::mvt::read(&gridgis_tiles::render_tile(sources, tile, &s.tile_options))
    };
    // A summary: per layer its name, feature count, keys; the first three features in full.
    let summary = |tile: Value| -> Value {
        tile.as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let f = l["features"].as_array().unwrap();
                json!({"name": l["name"], "version": l["version"], "extent": l["extent"], "keys": l["keys"],
                       "features": f.len(), "first": f.iter().take(3).collect::<Vec<_>>()})
            })
            .collect()
    };
    let grids = s.grids_tiles.as_ref();
    insta::assert_json_snapshot!("grids_z10_district_seat", summary(render(&[grids], 10, 843, 386)));
    insta::assert_json_snapshot!("grids_z14_district_seat", summary(render(&[grids], 14, 13500, 6183)));
    let food = gridgis_tiles::LayerSource::new(s.layers.load().get("hr_poi_food").unwrap().clone());
    insta::assert_json_snapshot!("poi_food_z14_district_seat", summary(render(&[&food], 14, 13500, 6183)));
}
