//! The district's grid-management layers: where the grid staff sit, the township
//! sub-centres, and the things the command centre watches (waterlogging, illegal building,
//! waste sorting, forest fire checkpoints, fire-safety key units, vendor zones).

use std::collections::BTreeMap;

use geo_types::Geometry;
use gridgis_layers::{Feature, Value};
use rand::Rng;
use rand::seq::IndexedRandom;

use super::areas::area_m2;
use super::names::{d, mix, on};
use super::network::{Network, RURAL, TRUNK, URBAN};
use super::world::{Spot, World};
use super::{Layer, meta, numbered, place, stream, text};

fn point(world: &World, spot: &Spot, name: String, extra: Vec<(String, Value)>) -> Feature {
    let unit = world.unit(spot.leaf);
    let mut properties = vec![("name".into(), Value::String(name))];
    properties.extend(extra);
    properties.push(("grid_code".into(), text(world.code(spot.leaf))));
    properties.push(("township".into(), text(&unit.township)));
    Feature { geometry: Geometry::Point(spot.at.into()), properties }
}

/// The eight layers.
pub fn layers(world: &World, net: &Network, seed: u64) -> Vec<Layer> {
    let mut out = Vec::new();

    // One workstation per level-1 grid, at its centre.
    let mut rng = stream(seed, "governance", "workstation");
    let features = world
        .units
        .iter()
        .map(|u| {
            let spot = world.near_anchor(u, 40.0, &mut rng);
            let staff = Value::Int(rng.random_range(3..=12));
            point(
                world,
                &spot,
                format!("{}网格工作站", u.place),
                vec![("unit_code".into(), text(&u.code)), ("staff".into(), staff)],
            )
        })
        .collect();
    out.push(Layer { meta: meta("hr_grid_workstation", "网格工作站", "网格管理"), features });

    // One sub-centre per township, in its densest unit.
    let mut rng = stream(seed, "governance", "subcentre");
    let mut seats: BTreeMap<&str, &super::world::Unit> = BTreeMap::new();
    for u in &world.units {
        let dens = |u: &super::world::Unit| super::super::geography::density(u.anchor);
        let e = seats.entry(u.code.get(..9).unwrap_or("")).or_insert(u);
        if dens(u) > dens(e) {
            *e = u;
        }
    }
    let features = seats
        .iter()
        .map(|(code, u)| {
            let spot = world.near_anchor(u, 80.0, &mut rng);
            point(
                world,
                &spot,
                format!("{}网格化服务管理分中心", u.township),
                vec![("township_code".into(), text(code))],
            )
        })
        .collect();
    out.push(Layer {
        meta: meta("hr_grid_subcentre", "街乡镇网格化服务管理分中心", "网格管理"), features
    });

    // Waterlogging points on town streets and trunk roads.
    let mut rng = stream(seed, "governance", "waterlogging");
    let mut seen = BTreeMap::new();
    let features = place::spots(world, net, on(URBAN | TRUNK), 62, &mut rng)
        .iter()
        .map(|s| {
            let road = net
                .road_near(s.at, 60.0, world.scale)
                .map_or_else(|| world.unit(s.leaf).place.clone(), |r| r.name.clone());
            let depth = Value::Int(rng.random_range(15..=60));
            let level = text(if rng.random::<f64>() < 0.3 { "重点" } else { "一般" });
            point(
                world,
                s,
                numbered(&mut seen, &road, "积水点"),
                vec![("depth_cm".into(), depth), ("level".into(), level)],
            )
        })
        .collect();
    out.push(Layer { meta: meta("hr_waterlogging", "积水点", "应急"), features });

    // Illegal building found by patrols: small parcels, each in one leaf grid.
    let mut rng = stream(seed, "governance", "illegal");
    let sampler = world.sampler(0.9);
    let mut seen = BTreeMap::new();
    let features = (0..312)
        .map(|_| {
            let (polygon, spot) = world.parcel(&sampler, (8.0, 40.0), &mut rng);
            let unit = world.unit(spot.leaf);
            let status =
                ["已拆除", "已拆除", "已拆除", "拆除中", "待拆除"].choose(&mut rng).copied().unwrap_or("待拆除");
            Feature {
                properties: vec![
                    ("name".into(), text(&numbered(&mut seen, &unit.place, "违法建设"))),
                    ("status".into(), text(status)),
                    ("year".into(), Value::Int(rng.random_range(2017..=2025))),
                    ("area_m2".into(), Value::Float(area_m2(&polygon, world.scale))),
                    ("grid_code".into(), text(world.code(spot.leaf))),
                    ("township".into(), text(&unit.township)),
                ],
                geometry: Geometry::Polygon(polygon),
            }
        })
        .collect();
    out.push(Layer { meta: meta("hr_illegal_building", "违法建设图斑", "城市管理"), features });

    // Waste-sorting stations in residential areas.
    let mut rng = stream(seed, "governance", "garbage");
    let mut seen = BTreeMap::new();
    let features = place::spots(world, net, d(1.6), 418, &mut rng)
        .iter()
        .map(|s| point(world, s, numbered(&mut seen, &world.unit(s.leaf).place, "垃圾分类驿站"), vec![]))
        .collect();
    out.push(Layer { meta: meta("hr_garbage_station", "垃圾分类驿站", "城市管理"), features });

    // Forest fire checkpoints on the mountain roads.
    let mut rng = stream(seed, "governance", "forest");
    let lines = net.along(RURAL | TRUNK, world.scale);
    let mountains = world.sampler(-1.5);
    let mut seen = BTreeMap::new();
    let features = (0..46)
        .map(|_| {
            let spot = (0..400)
                .find_map(|_| {
                    let (c, _) = lines.sample(&mut rng, 14.0, world.scale)?;
                    world.spot(super::world::round(c)).filter(|s| super::super::geography::density(s.at) < 1.5)
                })
                .unwrap_or_else(|| world.sample(&mountains, &mut rng));
            point(world, &spot, numbered(&mut seen, &world.unit(spot.leaf).place, "森林防火检查站"), vec![])
        })
        .collect();
    out.push(Layer { meta: meta("hr_forest_fire_check", "森林防火检查站", "应急"), features });

    // Fire-safety key units.
    let mut rng = stream(seed, "governance", "firekey");
    let kinds = ["商场", "宾馆", "学校", "医院", "养老院", "厂房", "仓库", "娱乐场所", "加油站", "写字楼"];
    let mut seen = BTreeMap::new();
    let features = place::spots(world, net, d(1.8), 384, &mut rng)
        .iter()
        .map(|s| {
            let kind = kinds.choose(&mut rng).copied().unwrap_or("商场");
            let name = numbered(&mut seen, &format!("{}{kind}", world.unit(s.leaf).place), "");
            point(world, s, name, vec![("kind".into(), text(kind))])
        })
        .collect();
    out.push(Layer { meta: meta("hr_fire_key_unit", "消防安全重点单位", "应急"), features });

    // Vendor zones on town streets.
    let mut rng = stream(seed, "governance", "vendor");
    let mut seen = BTreeMap::new();
    let features = place::spots(world, net, mix(URBAN, 1.0, 2.0), 40, &mut rng)
        .iter()
        .map(|s| {
            let road = net
                .road_near(s.at, 60.0, world.scale)
                .map_or_else(|| world.unit(s.leaf).place.clone(), |r| r.name.clone());
            point(world, s, numbered(&mut seen, &road, "便民疏导点"), vec![])
        })
        .collect();
    out.push(Layer { meta: meta("hr_vendor_zone", "便民疏导点", "城市管理"), features });
    out
}
