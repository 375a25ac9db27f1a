//! Video cameras by owner: public security (雪亮工程: village entrances, streets, hilltop
//! lookouts), city management (streets and squares in town) and traffic (junctions and
//! trunk roads). Each has a 20-digit device code in the layout of GB/T 28181.

use std::collections::BTreeMap;

use geo_types::Geometry;
use gridgis_layers::{Feature, Value};
use rand::Rng;
use rand::seq::IndexedRandom;

use super::names::{MOUNTAINS, Place, mix, on};
use super::network::{HIGHWAY, Network, ROADS, TRUNK, URBAN};
use super::world::World;
use super::{CAMERA_TOTAL, CATEGORY_CAMERAS, Layer, meta, place, stream, text};

/// One camera layer: id, name, owner, GB/T 28181 industry code, count, placement, and the
/// shares of fixed (枪机), dome (球机) and high-point lookout (高空瞭望) cameras.
struct Owner {
    id: &'static str,
    name: &'static str,
    owner: &'static str,
    industry: &'static str,
    count: usize,
    place: Place,
    kinds: [f64; 3],
}

/// The three owners. Counts are the demo's (the report says "2,000+"); industry codes are
/// GB/T 28181's: 00 public-security road access, 08 city management, 04 traffic road access.
const OWNERS: [Owner; 3] = [
    Owner {
        id: "hr_camera_police",
        name: "公安视频监控",
        owner: "公安",
        industry: "00",
        count: 1_420,
        place: mix(ROADS, 0.55, 1.2),
        kinds: [0.6, 0.34, 0.06],
    },
    Owner {
        id: "hr_camera_urban",
        name: "城管视频监控",
        owner: "城管",
        industry: "08",
        count: 508,
        place: mix(URBAN, 0.7, 2.0),
        kinds: [0.5, 0.46, 0.04],
    },
    Owner {
        id: "hr_camera_traffic",
        name: "交通视频监控",
        owner: "交通",
        industry: "04",
        count: 448,
        place: on(URBAN | TRUNK | HIGHWAY),
        kinds: [0.7, 0.3, 0.0],
    },
];

const KINDS: [&str; 3] = ["枪机", "球机", "高空瞭望"];
/// Where cameras hang in a village.
const VILLAGE_SPOTS: [&str; 10] =
    ["村口", "村委会门前", "主街东口", "主街西口", "文化广场", "小学门口", "桥头", "停车场", "后街", "路口"];
/// Status and weights: most are online (the demo's figures).
const STATUS: [(&str, f64); 3] = [("在线", 0.93), ("离线", 0.05), ("故障", 0.02)];

/// The three camera layers.
pub fn layers(world: &World, net: &Network, seed: u64) -> Vec<Layer> {
    debug_assert_eq!(OWNERS.iter().map(|o| o.count).sum::<usize>(), CAMERA_TOTAL);
    OWNERS
        .iter()
        .map(|o| {
            let mut rng = stream(seed, "cameras", o.id);
            let lookouts = (o.count as f64 * o.kinds[2]).round() as usize;
            let mut spots = place::spots(world, net, MOUNTAINS, lookouts, &mut rng);
            spots.extend(place::spots(world, net, o.place, o.count - lookouts, &mut rng));
            let mut per_place: BTreeMap<String, u32> = BTreeMap::new();
            let features = spots
                .iter()
                .enumerate()
                .map(|(i, spot)| {
                    let kind = if i < lookouts {
                        KINDS[2]
                    } else if rng.random::<f64>() < o.kinds[0] / (o.kinds[0] + o.kinds[1]) {
                        KINDS[0]
                    } else {
                        KINDS[1]
                    };
                    let unit = world.unit(spot.leaf);
                    let road = net.road_near(spot.at, 60.0, world.scale).map(|r| r.name.clone());
                    let base = match (&road, unit.kind.as_str(), kind) {
                        (_, _, "高空瞭望") => format!("{}制高点", unit.place),
                        (Some(r), k, _) if k != "village" => r.clone(),
                        _ => format!("{}{}", unit.place, VILLAGE_SPOTS.choose(&mut rng).copied().unwrap_or("路口")),
                    };
                    let n = per_place.entry(base.clone()).or_insert(0);
                    *n += 1;
                    let name = if road.is_some() && unit.kind != "village" && kind != "高空瞭望" {
                        format!("{base}{:03}号杆{kind}", n)
                    } else if *n == 1 {
                        format!("{base}{kind}")
                    } else {
                        format!("{base}{kind}{n}")
                    };
                    let u: f64 = rng.random();
                    let status = if u < STATUS[0].1 {
                        STATUS[0].0
                    } else if u < STATUS[0].1 + STATUS[1].1 {
                        STATUS[1].0
                    } else {
                        STATUS[2].0
                    };
                    // 20 digits: centre 11011600, industry, type 132 (network camera), serial.
                    let device = format!("11011600{}132{:07}", o.industry, i + 1);
                    Feature {
                        geometry: Geometry::Point(spot.at.into()),
                        properties: vec![
                            ("id".into(), text(&device)),
                            ("name".into(), text(&name)),
                            ("kind".into(), text(kind)),
                            ("owner".into(), text(o.owner)),
                            ("status".into(), text(status)),
                            ("install_year".into(), Value::Int(rng.random_range(2013..=2025))),
                            ("grid_code".into(), text(world.code(spot.leaf))),
                            ("township".into(), text(&unit.township)),
                        ],
                    }
                })
                .collect();
            Layer { meta: meta(o.id, o.name, CATEGORY_CAMERAS), features }
        })
        .collect()
}
