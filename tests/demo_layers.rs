//! The demo's thematic layers as stored and loaded back: the report's counts (1,148 layers,
//! 119,617 components, 51,243 POIs, 2,000+ cameras), component codes and states, unique POI
//! names, everything inside the district, every point coded with the grid the engine locates
//! it in, and every footprint and parcel inside the one leaf grid it names.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use geo::{Contains, CoordsIter, Validation};
use geo_types::{Coord, Geometry};
use gridgis_import::demo::{
    BUILDINGS_LAYER, CAMERA_TOTAL, CATEGORY_CAMERAS, CATEGORY_COMPONENTS, CATEGORY_POIS, CITY_LAYERS, COMPONENT_TOTAL,
    DISTRICT_LAYERS, POI_TOTAL,
};
use gridgis_layers::LayerData;

/// The thematic layers (everything but `grids` and `townships`).
fn thematic() -> Vec<&'static LayerData> {
    common::loaded().layers.iter().map(|l| &**l).filter(|l| l.entry().kind == "thematic").collect()
}

fn column(layer: &LayerData, name: &str) -> Option<usize> {
    layer.columns().iter().position(|c| c == name)
}

fn string(layer: &LayerData, i: u32, col: usize) -> &str {
    layer.record(i).values[col].as_str().unwrap_or_else(|| panic!("{}: feature {i} column {col}", layer.entry().id))
}

/// The leaf grid the engine locates `c` in, if inside the district.
fn leaf_code(c: Coord<f64>) -> Option<&'static str> {
    let engine = &common::loaded().engine;
    match engine.locate(c.x, c.y, 0.0) {
        Ok(l) if l.inside => Some(engine.hierarchy().grid(l.grid).code.as_str()),
        _ => None,
    }
}

#[test]
fn the_catalog_has_the_reports_layers() {
    let store = &common::loaded().store;
    let layers = &store.catalog().layers;
    // 1,148 thematic layers besides the two grid layers and the gazetteer: 1,151 in the
    // catalog.
    assert_eq!(layers.len(), 1_151);
    let thematic = thematic();
    assert_eq!(thematic.len(), DISTRICT_LAYERS + CITY_LAYERS);
    assert_eq!(thematic.iter().filter(|l| l.entry().id.starts_with("hr_")).count(), DISTRICT_LAYERS);
    assert_eq!(thematic.iter().filter(|l| l.entry().id.starts_with("bj_")).count(), CITY_LAYERS);
    let mut sizes = Vec::new();
    for l in &thematic {
        let e = l.entry();
        assert!(!l.is_empty(), "{} is empty", e.id);
        assert!(!e.name.is_ascii(), "{}: name '{}' is not Chinese", e.id, e.name);
        assert!(!e.category.is_empty() && e.geometry_type != "Unknown", "{}", e.id);
        sizes.push(l.len());
    }
    // Many small layers, a few large ones.
    sizes.sort_unstable();
    assert!(sizes[sizes.len() / 2] < 200, "median layer size {}", sizes[sizes.len() / 2]);
    assert!(sizes.iter().filter(|&&n| n > 10_000).count() >= 5);
}

#[test]
fn components_are_coded_stated_and_located() {
    let states = ["完好", "破损", "丢失", "占用"];
    let mut total = 0;
    let mut per_state: BTreeMap<&str, usize> = BTreeMap::new();
    for l in thematic().into_iter().filter(|l| l.entry().category == CATEGORY_COMPONENTS) {
        let id = &l.entry().id;
        // hr_comp_CCSS_…: the class and subclass digits of every code.
        let class_sub = &id["hr_comp_".len().."hr_comp_".len() + 4];
        let [code, state, grid, dept, class] =
            ["code", "state", "grid_code", "dept", "class"].map(|c| column(l, c).unwrap());
        let mut sequences = BTreeSet::new();
        for i in 0..l.len() as u32 {
            let c = string(l, i, code);
            assert!(c.len() == 16 && c.bytes().all(|b| b.is_ascii_digit()), "{id}: code {c}");
            assert!(c.starts_with("110116") && &c[6..10] == class_sub, "{id}: code {c}");
            assert!(sequences.insert(c[10..].parse::<u32>().unwrap()), "{id}: code {c} twice");
            let s = string(l, i, state);
            assert!(states.contains(&s), "{id}: state {s}");
            *per_state.entry(states.iter().find(|x| **x == s).unwrap()).or_default() += 1;
            assert!(!string(l, i, dept).is_empty() && !string(l, i, class).is_empty());
            let Geometry::Point(p) = &l.record(i).geometry else { panic!("{id}: not a point") };
            assert_eq!(leaf_code(p.0), Some(string(l, i, grid)), "{id}: {c} at {p:?}");
        }
        // Sequences run 1..=n.
        assert_eq!(sequences.len(), l.len());
        assert_eq!(sequences.last().copied(), Some(l.len() as u32), "{id}");
        total += l.len();
    }
    assert_eq!(total, COMPONENT_TOTAL);
    // Mostly in good order, every state present.
    assert!(per_state["完好"] * 10 > total * 9, "{per_state:?}");
    assert_eq!(per_state.len(), 4, "{per_state:?}");
}

#[test]
fn pois_have_unique_chinese_names_types_and_addresses() {
    let mut names = BTreeSet::new();
    let mut total = 0;
    for l in thematic().into_iter().filter(|l| l.entry().category == CATEGORY_POIS) {
        let [name, ty, address] = ["name", "type", "address"].map(|c| column(l, c).unwrap());
        for i in 0..l.len() as u32 {
            let n = string(l, i, name);
            assert!(!n.is_ascii(), "{n}");
            assert!(names.insert(n.to_string()), "POI name {n} twice");
            assert!(!string(l, i, ty).is_empty());
            assert!(string(l, i, address).starts_with("北京市怀柔区"), "{}", string(l, i, address));
        }
        total += l.len();
    }
    assert_eq!(total, POI_TOTAL);
    // Village committees carry the real village names (NBS: 前桥梓村委会).
    assert!(names.contains("前桥梓村村委会"), "no 前桥梓村村委会");
}

#[test]
fn cameras_have_device_codes_kinds_and_owners() {
    let mut ids = BTreeSet::new();
    for l in thematic().into_iter().filter(|l| l.entry().category == CATEGORY_CAMERAS) {
        let [id, kind, owner, status] = ["id", "kind", "owner", "status"].map(|c| column(l, c).unwrap());
        for i in 0..l.len() as u32 {
            let d = string(l, i, id);
            assert!(d.len() == 20 && d.starts_with("11011600") && d.bytes().all(|b| b.is_ascii_digit()), "{d}");
            assert!(ids.insert(d.to_string()), "device {d} twice");
            assert!(["枪机", "球机", "高空瞭望"].contains(&string(l, i, kind)));
            assert!(["公安", "城管", "交通"].contains(&string(l, i, owner)));
            assert!(["在线", "离线", "故障"].contains(&string(l, i, status)));
        }
    }
    assert!(ids.len() >= 2_000);
    assert_eq!(ids.len(), CAMERA_TOTAL);
}

#[test]
fn everything_lies_inside_the_district_and_points_know_their_grid() {
    let h = common::loaded().engine.hierarchy();
    let district = &h.grid(h.root()).geometry;
    let mut checked_whole = 0;
    for l in thematic() {
        let id = &l.entry().id;
        let grid = column(l, "grid_code");
        for i in 0..l.len() as u32 {
            let g = &l.record(i).geometry;
            // Planning zones are grids themselves: their outline is the grid's, vertex for vertex
            // (on the district's own boundary where the grid meets it).
            if let (Geometry::MultiPolygon(mp), Some(col)) = (g, grid) {
                let code = string(l, i, col);
                assert_eq!(
                    Some(mp),
                    h.by_code(code).map(|id| &h.grid(id).geometry),
                    "{id} feature {i}: not grid {code}"
                );
                continue;
            }
            for c in g.coords_iter() {
                assert!(leaf_code(c).is_some(), "{id} feature {i}: vertex {c:?} outside the district");
            }
            match g {
                Geometry::Point(p) => {
                    if let Some(col) = grid {
                        assert_eq!(leaf_code(p.0), Some(string(l, i, col)), "{id} feature {i}");
                    }
                }
                // Lines and areas not tied to one grid: the whole geometry, by geo's relate.
                Geometry::LineString(_) | Geometry::Polygon(_) if grid.is_none() => {
                    assert!(g.is_valid(), "{id} feature {i} is not valid");
                    assert!(district.contains(g), "{id} feature {i} leaves the district");
                    checked_whole += 1;
                }
                _ => {}
            }
        }
    }
    assert!(checked_whole > 1_000, "{checked_whole}");
}

#[test]
fn footprints_and_parcels_lie_in_the_one_leaf_grid_they_name() {
    let h = common::loaded().engine.hierarchy();
    let mut buildings = 0;
    for l in thematic() {
        let Some(col) = column(l, "grid_code") else { continue };
        if !matches!(l.entry().geometry_type.as_str(), "Polygon") {
            continue;
        }
        let id = &l.entry().id;
        for i in 0..l.len() as u32 {
            let code = string(l, i, col);
            let grid = h.grid(h.by_code(code).unwrap_or_else(|| panic!("{id}: no grid {code}")));
            // A leaf: level 4, or level 3 where level 4 does not exist.
            assert!(
                grid.level == 4 || (grid.level == 3 && h.children(h.by_code(code).unwrap()).is_empty()),
                "{id}: {code}"
            );
            let g = &l.record(i).geometry;
            assert!(g.is_valid(), "{id} feature {i}");
            assert!(grid.geometry.contains(g), "{id} feature {i} is not inside {code}");
            assert!(g.coords_iter().all(|c| leaf_code(c) == Some(code)), "{id} feature {i}");
        }
        if id == BUILDINGS_LAYER {
            buildings = l.len();
        }
    }
    assert!((30_000..=60_000).contains(&buildings), "{buildings} building footprints");
}
