//! Polygons: water (the real reservoirs and lakes, and ponds on the plain), parks and scenic
//! areas, and building footprints, each footprint inside one leaf grid.

use std::collections::BTreeSet;

use geo::{Area, BoundingRect, Contains};
use geo_types::{Coord, Geometry, MultiPolygon, Polygon};
use gridgis_engine::GridId;
use gridgis_layers::{Feature, Value};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::network::Network;
use super::world::{Spot, World, blob, gaussian_pair, min_distance_to_rings, rectangle, round};
use super::{BUILDINGS_LAYER, Layer, meta, text};

/// A named polygon.
pub struct NamedArea {
    /// Name.
    pub name: String,
    /// Kind (`水库`, `社区公园`, 国家AAAA级…).
    pub kind: String,
    /// Outline.
    pub polygon: Polygon<f64>,
}

/// Name, kind, centre, semi-axes in metres, orientation in radians.
type WaterSpec = (&'static str, &'static str, (f64, f64), f64, f64, f64);

/// The real reservoirs and lakes: name, kind, centre, semi-axes in metres, orientation.
/// Positions and sizes approximate public maps (怀柔水库 about 7 km², 雁栖湖 about 2 km²).
const WATERS: [WaterSpec; 6] = [
    ("怀柔水库", "水库", (116.590, 40.324), 2100.0, 1000.0, 0.35),
    ("雁栖湖", "湖泊", (116.672, 40.404), 950.0, 600.0, 1.2),
    ("北台上水库", "水库", (116.656, 40.436), 520.0, 300.0, 0.8),
    ("大水峪水库", "水库", (116.648, 40.492), 450.0, 260.0, 0.3),
    ("沙峪口水库", "水库", (116.505, 40.402), 320.0, 190.0, 0.5),
    ("黄花城水库", "水库", (116.345, 40.418), 260.0, 160.0, 1.0),
];

/// Ponds (坑塘) on the plain: the demo's figure, of the order of the farm ponds public maps
/// show on Huairou's plain.
const PONDS: usize = 140;

/// The district's scenic areas: name, grade, centre, radius in metres (approximate).
const SCENIC: [(&str, &str, (f64, f64), f64); 14] = [
    ("慕田峪长城景区", "国家AAAAA级", (116.565, 40.440), 2200.0),
    ("红螺寺景区", "国家AAAA级", (116.625, 40.385), 1200.0),
    ("青龙峡景区", "国家AAAA级", (116.600, 40.505), 1500.0),
    ("雁栖湖生态发展示范区", "国家AAAA级", (116.672, 40.410), 2600.0),
    ("黄花城水长城景区", "国家AAAA级", (116.345, 40.425), 1300.0),
    ("神堂峪自然风景区", "国家AAA级", (116.632, 40.458), 1400.0),
    ("幽谷神潭景区", "国家AAA级", (116.575, 40.482), 1000.0),
    ("云蒙峡景区", "国家AAA级", (116.700, 40.600), 1600.0),
    ("喇叭沟门原始森林公园", "国家AAAA级", (116.655, 40.990), 3000.0),
    ("百泉山自然风景区", "国家AAA级", (116.690, 40.640), 1300.0),
    ("天池峡谷景区", "国家AAA级", (116.760, 40.790), 1200.0),
    ("箭扣长城", "未评级", (116.505, 40.455), 1100.0),
    ("白河湾景区", "国家AA级", (116.505, 40.850), 1400.0),
    ("不夜谷景区", "国家AAA级", (116.550, 40.620), 1000.0),
];

/// Area in m² of a polygon, to the square metre.
pub fn area_m2(p: &Polygon<f64>, scale: (f64, f64)) -> f64 {
    (p.unsigned_area() * scale.0 * scale.1).round()
}

/// A blob around `centre`, shrunk until it lies inside the district (up to 6 times).
fn fitted_blob(
    world: &World,
    centre: Coord<f64>,
    r: f64,
    aspect: f64,
    angle: f64,
    rng: &mut ChaCha8Rng,
) -> Option<Polygon<f64>> {
    let mut radius = r;
    for _ in 0..6 {
        let p = blob(centre, radius, radius * aspect, angle, 48, 0.35, world.scale, rng);
        if world.line_inside(p.exterior()) {
            return Some(p);
        }
        radius *= 0.8;
    }
    None
}

/// The reservoirs and lakes, then the ponds.
pub fn water(world: &World, rng: &mut ChaCha8Rng) -> Vec<NamedArea> {
    let mut out = Vec::new();
    for (name, kind, (x, y), rx, ry, angle) in WATERS {
        if let Some(p) = fitted_blob(world, Coord { x, y }, rx, ry / rx, angle, rng) {
            out.push(NamedArea { name: name.into(), kind: kind.into(), polygon: p });
        }
    }
    let sampler = world.sampler(1.0);
    let mut names = BTreeSet::new();
    let mut placed: Vec<(Coord<f64>, f64)> = Vec::new();
    let mut tries = 0;
    let mut ponds = 0;
    while ponds < PONDS && tries < PONDS * 50 {
        tries += 1;
        let spot = world.sample(&sampler, rng);
        let d = super::super::geography::density(spot.at);
        // Ponds are a feature of the farmed plain, not the seat's streets or the mountains.
        if !(1.8..=9.0).contains(&d) {
            continue;
        }
        let r = 25.0 + rng.random::<f64>() * 65.0;
        let clear = |c: Coord<f64>, rr: f64| {
            placed.iter().all(|&(p, pr)| dist_m(world, p, c) > pr + rr + 30.0)
                && out.iter().all(|w| !w.polygon.contains(&c))
        };
        if !clear(spot.at, r * 1.4) {
            continue;
        }
        let p = blob(
            spot.at,
            r,
            r * (0.5 + rng.random::<f64>() * 0.5),
            rng.random::<f64>() * 3.0,
            16,
            0.3,
            world.scale,
            rng,
        );
        if !world.line_inside(p.exterior()) {
            continue;
        }
        let place = world.unit(spot.leaf).place.clone();
        let name = (1..)
            .map(|n| if n == 1 { format!("{place}坑塘") } else { format!("{place}{n}号坑塘") })
            .find(|n| !names.contains(n));
        let Some(name) = name else { continue };
        names.insert(name.clone());
        placed.push((spot.at, r * 1.4));
        out.push(NamedArea { name, kind: "坑塘".into(), polygon: p });
        ponds += 1;
    }
    out
}

/// Metres between two points.
fn dist_m(world: &World, a: Coord<f64>, b: Coord<f64>) -> f64 {
    ((a.x - b.x) * world.scale.0).hypot((a.y - b.y) * world.scale.1)
}

/// City parks (in the seat and towns, clear of streets and water) and the scenic areas.
pub fn parks(world: &World, net: &Network, rng: &mut ChaCha8Rng) -> (Vec<NamedArea>, Vec<NamedArea>) {
    // The demo's figure: of the order of the parks and squares in Huairou's seat and towns.
    const PARKS: usize = 96;
    let sampler = world.sampler(2.0);
    let mut parks: Vec<NamedArea> = Vec::new();
    let mut placed: Vec<(Coord<f64>, f64)> = Vec::new();
    let mut names = BTreeSet::new();
    let mut tries = 0;
    while parks.len() < PARKS && tries < PARKS * 60 {
        tries += 1;
        let spot = world.sample(&sampler, rng);
        let big = rng.random::<f64>() < 0.15;
        let r = if big { 150.0 + rng.random::<f64>() * 120.0 } else { 40.0 + rng.random::<f64>() * 90.0 };
        if net.near_road(spot.at, r * 1.3, world.scale)
            || world.water.meets_disc(spot.at, r * 1.3, world.scale)
            || placed.iter().any(|&(p, pr)| dist_m(world, p, spot.at) < pr + r * 1.3 + 20.0)
        {
            continue;
        }
        let p = blob(
            spot.at,
            r,
            r * (0.6 + rng.random::<f64>() * 0.4),
            rng.random::<f64>() * 3.0,
            24,
            0.25,
            world.scale,
            rng,
        );
        if !world.line_inside(p.exterior()) {
            continue;
        }
        let unit = world.unit(spot.leaf);
        // Parks are named after the town street they lie on, if any.
        let road = net
            .road_near(spot.at, 400.0, world.scale)
            .filter(|r| r.class == super::network::RoadClass::Urban)
            .map(|r| r.name.clone());
        let river = net
            .rivers
            .iter()
            .filter(|rv| rv.main)
            .find(|rv| rv.line.0.iter().any(|c| dist_m(world, *c, spot.at) < 500.0))
            .map(|rv| rv.name.clone());
        let (kind, candidates) = if big {
            let mut c = vec![format!("{}公园", unit.place.trim_end_matches("社区"))];
            if let Some(rv) = &river {
                c.insert(0, format!("{rv}滨河公园"));
            }
            c.push(format!("{}森林公园", unit.place.trim_end_matches('村')));
            ("综合公园", c)
        } else {
            let mut c =
                vec![format!("{}社区公园", unit.place.trim_end_matches("社区")), format!("{}休闲广场", unit.place)];
            if let Some(road) = &road {
                c.insert(0, format!("{road}街心公园"));
                c.push(format!("{road}口袋公园"));
            }
            ("社区公园", c)
        };
        let Some(name) = candidates.into_iter().find(|n| !names.contains(n)) else { continue };
        names.insert(name.clone());
        placed.push((spot.at, r * 1.3));
        parks.push(NamedArea { name, kind: kind.into(), polygon: p });
    }
    let mut scenic = Vec::new();
    for (name, grade, (x, y), r) in SCENIC {
        let angle = rng.random::<f64>() * 3.0;
        if let Some(p) = fitted_blob(world, Coord { x, y }, r, 0.7, angle, rng) {
            scenic.push(NamedArea { name: name.into(), kind: grade.into(), polygon: p });
        }
    }
    (parks, scenic)
}

/// A polygon layer from named areas.
fn area_layer(world: &World, id: &str, name: &str, category: &str, areas: &[NamedArea], kind_field: &str) -> Layer {
    let features = areas
        .iter()
        .map(|a| {
            let centre = a.polygon.bounding_rect().map(|r| r.center()).unwrap_or_default();
            let township = world
                .locate(centre)
                .or_else(|| world.locate(a.polygon.exterior().0[0]))
                .map(|g| world.unit(g).township.clone());
            Feature {
                geometry: Geometry::Polygon(a.polygon.clone()),
                properties: vec![
                    ("name".into(), text(&a.name)),
                    (kind_field.into(), text(&a.kind)),
                    ("area_m2".into(), Value::Float(area_m2(&a.polygon, world.scale))),
                    ("township".into(), township.map_or(Value::Null, |t| text(&t))),
                ],
            }
        })
        .collect();
    Layer { meta: meta(id, name, category), features }
}

/// 水域: reservoirs, lakes and ponds.
pub fn water_layer(world: &World, water: &[NamedArea]) -> Layer {
    area_layer(world, "hr_water", "水域", "水系", water, "kind")
}

/// 公园绿地.
pub fn park_layer(world: &World, parks: &[NamedArea]) -> Layer {
    area_layer(world, "hr_park", "公园绿地", "园林绿化", parks, "kind")
}

/// 风景名胜区.
pub fn scenic_layer(world: &World, scenic: &[NamedArea]) -> Layer {
    area_layer(world, "hr_scenic_area", "风景名胜区", "文化旅游", scenic, "grade")
}

/// How a leaf grid of a kind is built up: footprints per grid, size ranges (m), floors, use,
/// and whether they cluster round one centre (villages) or spread over the grid (town).
struct Build {
    count: (u32, u32),
    width: (f64, f64),
    length: (f64, f64),
    floors: (i64, i64),
    usage: &'static str,
    cluster: bool,
}

fn build_of(kind: &str) -> Build {
    let b = |count, width, length, floors, usage, cluster| Build { count, width, length, floors, usage, cluster };
    match kind {
        // Courtyard houses of 9–16 m, one storey, clustered round the village centre.
        "party_member_household" => b((6, 14), (9.0, 16.0), (7.0, 12.0), (1, 2), "农村住宅", true),
        "household_group" => b((5, 10), (9.0, 15.0), (7.0, 11.0), (1, 2), "农村住宅", true),
        // Residential slabs of compounds.
        "building" => b((2, 5), (12.0, 16.0), (30.0, 65.0), (6, 18), "住宅", false),
        "building_unit" => b((1, 2), (11.0, 14.0), (16.0, 30.0), (6, 18), "住宅", false),
        "street_segment" => b((3, 6), (8.0, 20.0), (10.0, 25.0), (1, 3), "商业", false),
        "shop_front" => b((2, 4), (7.0, 14.0), (9.0, 18.0), (1, 3), "商业", false),
        "enterprise" => b((2, 5), (20.0, 50.0), (30.0, 80.0), (1, 4), "工业", false),
        _ => b((1, 3), (15.0, 40.0), (20.0, 60.0), (1, 3), "工业", false),
    }
}

/// Building footprints: per leaf grid, rectangles that lie inside that grid (with a metre to
/// spare), clear of water, parks, roads and each other, oriented roughly south (as courtyard
/// houses and slabs in Beijing face).
pub fn buildings(world: &World, net: &Network, rng: &mut ChaCha8Rng) -> Layer {
    let h = world.hierarchy();
    let mut features = Vec::new();
    for &leaf in h.leaves() {
        let grid = h.grid(leaf);
        let spec = build_of(&grid.kind);
        let n = rng.random_range(spec.count.0..=spec.count.1) as usize;
        let Some(bbox) = grid.geometry.bounding_rect() else { continue };
        let unit = world.unit(leaf);
        let centre = if spec.cluster { cluster_centre(world, leaf, &grid.geometry, rng) } else { bbox.center() };
        let sigma = (area_m2_mp(&grid.geometry, world.scale).sqrt() / 5.0).clamp(40.0, 160.0);
        let base_angle = (rng.random::<f64>() - 0.5) * 0.3;
        let mut placed: Vec<(Coord<f64>, f64)> = Vec::new();
        let mut attempts = 0;
        while placed.len() < n && attempts < n * 12 {
            attempts += 1;
            let c = if spec.cluster {
                let (dx, dy) = gaussian_pair(rng);
                round(Coord { x: centre.x + dx * sigma / world.scale.0, y: centre.y + dy * sigma / world.scale.1 })
            } else {
                round(Coord {
                    x: bbox.min().x + rng.random::<f64>() * bbox.width(),
                    y: bbox.min().y + rng.random::<f64>() * bbox.height(),
                })
            };
            // Later attempts try smaller footprints, so narrow grids still get some.
            let shrink = 1.0 - 0.5 * attempts as f64 / (n * 12) as f64;
            let w = spec.width.0 + rng.random::<f64>() * (spec.width.1 - spec.width.0);
            let l = (spec.length.0 + rng.random::<f64>() * (spec.length.1 - spec.length.0)) * shrink;
            let radius = 0.5 * w.hypot(l);
            if world.locate(c) != Some(leaf)
                || min_distance_to_rings(&grid.geometry, c, world.scale) <= radius + 1.0
                || world.water.meets_disc(c, radius, world.scale)
                || world.green.contains(c)
                || net.near_road(c, radius, world.scale)
                || placed.iter().any(|&(p, pr)| dist_m(world, p, c) < pr + radius + 3.0)
            {
                continue;
            }
            placed.push((c, radius));
            // Slabs lie east–west (long side along x), facing south.
            let angle = base_angle + (rng.random::<f64>() - 0.5) * 0.12;
            let polygon = rectangle(c, l.max(w), l.min(w), angle, world.scale);
            let floors = rng.random_range(spec.floors.0..=spec.floors.1);
            let name = (spec.usage == "住宅" && placed.len() == 1).then(|| grid.name.clone());
            features.push(Feature {
                properties: vec![
                    ("code".into(), text(&format!("{}-{:03}", grid.code, placed.len()))),
                    ("name".into(), name.map_or(Value::Null, Value::String)),
                    ("use".into(), text(spec.usage)),
                    ("floors".into(), Value::Int(floors)),
                    ("height_m".into(), Value::Float(floors as f64 * if spec.usage == "工业" { 6.0 } else { 3.0 })),
                    ("area_m2".into(), Value::Float(area_m2(&polygon, world.scale))),
                    ("grid_code".into(), text(&grid.code)),
                    ("township".into(), text(&unit.township)),
                ],
                geometry: Geometry::Polygon(polygon),
            });
        }
    }
    Layer { meta: meta(BUILDINGS_LAYER, "建筑物", "建筑"), features }
}

fn area_m2_mp(mp: &MultiPolygon<f64>, scale: (f64, f64)) -> f64 {
    mp.unsigned_area() * scale.0 * scale.1
}

/// Where a village group's houses cluster: a point inside the leaf, nearer its middle.
fn cluster_centre(world: &World, leaf: GridId, mp: &MultiPolygon<f64>, rng: &mut ChaCha8Rng) -> Coord<f64> {
    let Some(bbox) = mp.bounding_rect() else { return Coord::default() };
    let mut best: Option<(f64, Spot)> = None;
    for _ in 0..12 {
        let c = Coord {
            x: bbox.min().x + (0.2 + 0.6 * rng.random::<f64>()) * bbox.width(),
            y: bbox.min().y + (0.2 + 0.6 * rng.random::<f64>()) * bbox.height(),
        };
        if world.locate(c) == Some(leaf) && !world.water.contains(c) {
            let depth = min_distance_to_rings(mp, c, world.scale);
            if best.as_ref().is_none_or(|(d, _)| depth > *d) {
                best = Some((depth, Spot { at: c, leaf }));
            }
        }
    }
    best.map_or(bbox.center(), |(_, s)| s.at)
}
