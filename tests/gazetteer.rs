//! The demo's gazetteer (layer `addresses`) as stored and loaded back: 116,471 unique
//! standard addresses, each a point in the grid it names, its township and village those of
//! that grid, its text well formed for its level, towns and villages in realistic shares.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use geo_types::Geometry;
use gridgis_import::demo::{ADDRESS_TOTAL, ADDRESSES_KIND, CATEGORY_ADDRESSES};
use gridgis_layers::{ADDRESSES_LAYER, LayerData, Value};

/// The columns, in the gazetteer's order.
const COLUMNS: [&str; 14] = [
    "address",
    "level",
    "grid_code",
    "township",
    "township_code",
    "village",
    "village_code",
    "road",
    "house_no",
    "compound",
    "building",
    "unit",
    "room",
    "group",
];

/// One address as read back: the text columns by name, `house_no` and `unit` as numbers.
struct Address<'a> {
    at: (f64, f64),
    text: BTreeMap<&'static str, &'a str>,
    house_no: i64,
    unit: Option<i64>,
}

impl Address<'_> {
    fn get(&self, k: &str) -> Option<&str> {
        self.text.get(k).copied()
    }
    fn must(&self, k: &str) -> &str {
        self.get(k).unwrap_or_else(|| panic!("{}: no {k}", self.get("address").unwrap_or("?")))
    }
}

fn layer() -> &'static LayerData {
    common::loaded().layers.get(ADDRESSES_LAYER).expect("the demo has the gazetteer")
}

fn addresses() -> Vec<Address<'static>> {
    let l = layer();
    assert_eq!(l.columns(), COLUMNS);
    (0..l.len() as u32)
        .map(|i| {
            let r = l.record(i);
            let Geometry::Point(p) = &r.geometry else { panic!("address {i} is not a point") };
            let mut text = BTreeMap::new();
            let (mut house_no, mut unit) = (0, None);
            for (name, v) in COLUMNS.iter().zip(r.values.iter()) {
                match (*name, v) {
                    ("house_no", Value::Int(n)) => house_no = *n,
                    ("unit", Value::Int(n)) => unit = Some(*n),
                    (_, Value::String(s)) => {
                        text.insert(*name, s.as_str());
                    }
                    (_, Value::Null) => {}
                    (n, v) => panic!("address {i}: {n} = {v:?}"),
                }
            }
            Address { at: (p.x(), p.y()), text, house_no, unit }
        })
        .collect()
}

#[test]
fn the_gazetteer_is_its_own_layer() {
    let e = layer().entry();
    assert_eq!(
        (e.name.as_str(), e.category.as_str(), e.kind.as_str()),
        ("标准地址", CATEGORY_ADDRESSES, ADDRESSES_KIND)
    );
    assert_eq!(e.geometry_type, "Point");
    assert_eq!(layer().len(), ADDRESS_TOTAL);
    assert_eq!(ADDRESS_TOTAL, 116_471);
}

#[test]
fn addresses_are_unique_and_lie_in_their_grid() {
    let loaded = common::loaded();
    let (engine, h) = (&loaded.engine, loaded.engine.hierarchy());
    let all = addresses();
    let unique: BTreeSet<&str> = all.iter().map(|a| a.must("address")).collect();
    assert_eq!(unique.len(), ADDRESS_TOTAL, "addresses repeat");
    for a in &all {
        let text = a.must("address");
        let l = engine.locate(a.at.0, a.at.1, 0.0).unwrap();
        assert!(l.inside, "{text} is outside the district");
        let grid = h.grid(l.grid);
        assert_eq!(grid.code, a.must("grid_code"), "{text}");
        let l1 = h.grid(h.ancestor_at(l.grid, 1).unwrap());
        let township = h.township(l.grid).unwrap();
        assert_eq!(l1.code, a.must("village_code"), "{text}");
        assert_eq!(township.code, a.must("township_code"), "{text}");
        assert_eq!(township.name, a.must("township"), "{text}");
        // The village as written is the level-1 grid's name as people write it.
        let village = a.must("village");
        let written = match l1.kind.as_str() {
            "city_street" => l1.name.trim_end_matches("城市街巷"),
            "dev_zone" => "雁栖经济开发区",
            _ => l1.name.as_str(),
        };
        assert_eq!(village, written, "{text}");
        // …and the text names the township (the zone is its own township), then the village.
        let rest = text.strip_prefix("北京市怀柔区").unwrap_or_else(|| panic!("{text}"));
        let rest = if l1.kind == "dev_zone" {
            assert!(township.name.ends_with(village), "{text}");
            rest
        } else {
            rest.strip_prefix(township.name.as_str()).unwrap_or_else(|| panic!("{text}: not in {}", township.name))
        };
        assert!(rest.starts_with(village), "{text}: not in {village}");
    }
}

/// Checks one address's text against its parts, without regexes: the text is exactly the
/// parts in order, and it ends the way its level says.
fn check_form(a: &Address<'_>) {
    let text = a.must("address");
    let level = a.must("level");
    let mut expected = String::from("北京市怀柔区");
    let (township, village) = (a.must("township"), a.must("village"));
    if !township.ends_with(village) {
        expected.push_str(township);
    }
    expected.push_str(village);
    match (a.get("group"), a.get("road")) {
        (Some(g), None) => {
            assert!(village.ends_with('村'), "{text}: a group outside a village");
            let n = g.strip_suffix('组').or_else(|| g.strip_suffix('队')).unwrap_or_else(|| panic!("{text}"));
            assert!(n.parse::<u32>().is_ok_and(|n| n >= 1), "{text}");
            expected.push_str(g);
        }
        (None, Some(road)) => {
            assert!(
                ["街", "路", "大街", "巷", "胡同", "公路"].iter().any(|s| road.ends_with(s)),
                "{text}: road '{road}'"
            );
            if road != village {
                expected.push_str(road);
            }
        }
        _ => panic!("{text}: needs a road or a group, not both"),
    }
    assert!(a.house_no >= 1, "{text}");
    expected.push_str(&format!("{}号", a.house_no));
    match level {
        "house" => {
            assert!(text.ends_with('号'), "{text}");
            assert!(a.get("compound").is_none() && a.get("building").is_none() && a.unit.is_none(), "{text}");
        }
        "building" | "room" => {
            let (compound, building) = (a.must("compound"), a.must("building"));
            assert!(["小区", "家园", "花园", "苑"].iter().any(|s| compound.ends_with(s)), "{text}");
            assert!(["号楼", "栋", "幢", "座"].iter().any(|s| building.ends_with(s)), "{text}");
            expected.push_str(compound);
            expected.push_str(building);
            if level == "room" {
                let (unit, room) = (a.unit.unwrap_or_else(|| panic!("{text}")), a.must("room"));
                assert!(unit >= 1 && room.len() >= 3 && room.parse::<u32>().is_ok(), "{text}");
                expected.push_str(&format!("{unit}单元{room}室"));
                assert!(text.ends_with('室'), "{text}");
            } else {
                assert!(a.unit.is_none() && a.get("room").is_none(), "{text}");
            }
        }
        other => panic!("{text}: level {other}"),
    }
    assert_eq!(text, expected);
}

#[test]
fn addresses_are_well_formed_and_realistically_mixed() {
    let all = addresses();
    let mut by: BTreeMap<(bool, &str, bool), usize> = BTreeMap::new();
    for a in &all {
        check_form(a);
        let village = a.must("village_code");
        let in_village = a.must("village").ends_with('村') && !village.is_empty();
        *by.entry((in_village, a.must("level"), a.get("group").is_some())).or_default() += 1;
    }
    let count =
        |f: &dyn Fn(&(bool, &str, bool)) -> bool| by.iter().filter(|(k, _)| f(k)).map(|(_, n)| n).sum::<usize>();
    let share = |n: usize| n as f64 / ADDRESS_TOTAL as f64;
    // Towns hold about 70% (the generator's split), most of it flats.
    let urban = count(&|k| !k.0);
    assert!((0.6..0.8).contains(&share(urban)), "{by:?}");
    let rooms = count(&|k| k.1 == "room");
    assert!(share(rooms) > 0.5, "{by:?}");
    assert!(count(&|k| !k.0 && k.1 == "building") > 500, "{by:?}");
    assert!(count(&|k| !k.0 && k.1 == "house") > 200, "{by:?}");
    // Villages: by group mostly, by road too.
    let groups = count(&|k| k.0 && k.2);
    let village_roads = count(&|k| k.0 && !k.2);
    assert!(groups > village_roads && village_roads > ADDRESS_TOTAL / 20, "{by:?}");
    // Every township has addresses, the towns in the south far more than the mountains.
    let mut per_township: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &all {
        *per_township.entry(a.must("township")).or_default() += 1;
    }
    assert_eq!(per_township.len(), 17, "{per_township:?}");
    assert!(per_township["泉河街道"] > 5 * per_township["喇叭沟门满族乡"], "{per_township:?}");
}

#[test]
fn rooms_share_their_buildings_point_and_numbers_run_along_roads() {
    let all = addresses();
    let mut buildings: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for a in all.iter().filter(|a| a.must("level") == "building") {
        buildings.insert(a.must("address").to_string(), a.at);
    }
    let mut rooms = 0;
    for a in all.iter().filter(|a| a.must("level") == "room") {
        let text = a.must("address");
        let head = &text[..text.find(&format!("{}单元", a.unit.unwrap())).unwrap()];
        if let Some(&at) = buildings.get(head) {
            assert_eq!(at, a.at, "{text}");
            rooms += 1;
        }
    }
    assert!(rooms > ADDRESS_TOTAL / 2);
    // A road's house numbers are distinct over the district.
    let mut numbers: BTreeMap<(&str, i64), BTreeSet<&str>> = BTreeMap::new();
    for a in all.iter().filter(|a| a.must("level") == "house" && a.get("road").is_some()) {
        numbers.entry((a.must("road"), a.house_no)).or_default().insert(a.must("village_code"));
    }
    assert!(numbers.values().all(|v| v.len() == 1));
}

#[test]
fn hand_checked_examples() {
    let all = addresses();
    let find = |text: &str| all.iter().find(|a| a.must("address") == text).unwrap_or_else(|| panic!("{text} missing"));
    for (text, level, grid) in EXAMPLES {
        let a = find(text);
        assert_eq!((a.must("level"), a.must("grid_code")), (*level, *grid), "{text}");
    }
}

/// Addresses of the default seed, read and checked by hand on the map.
const EXAMPLES: &[(&str, &str, &str)] = &[
    ("北京市怀柔区泉河街道金台园社区新后路12号望怀小区5号楼1单元101室", "room", "110116001011002001001"),
    ("北京市怀柔区龙山街道南城社区青春东街77号南城花园6号楼", "building", "110116002002001002"),
    ("北京市怀柔区泉河街道金台园社区后横街39号", "house", "110116001011002003003"),
    ("北京市怀柔区渤海镇渤海所村2组4号", "house", "110116108201002002"),
    ("北京市怀柔区杨宋镇北年丰村北年丰西街23号", "house", "110116103204004002"),
    ("北京市怀柔区雁栖经济开发区富乐北路46号雁栖花园A座1单元101室", "room", "110116400498006008"),
];
