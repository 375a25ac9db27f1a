//! The demo gazetteer (标准地址): 116,471 addresses written the way Beijing's standard
//! addresses are, each a point in the grid whose code it keeps.
//!
//! - Towns (communities, city streets, the development zone): `北京市怀柔区` + township +
//!   community + road + `N号`, then in a compound `小区/家园/花园/苑` + `N号楼|栋|幢|座` +
//!   `N单元` + `NNN室`. A compound's gate is a house address, each building one building
//!   address, each flat a room address; shops on the street are house addresses.
//! - Villages: `北京市怀柔区` + township + `X村` + `N组|队` + `N号` (the 村民小组 is the
//!   village's level-2 grid, `第三网格` → `3组`), or `X村` + road + `N号`.
//!
//! Where people live sets where addresses are: sites are drawn by population density, and
//! the budget is split 70/30 between towns and villages (a demo choice near the district's
//! urbanisation rate of roughly 70%; not taken from a cited table). Roads are the network's where one passes within
//! reach, else invented local names; house numbers increase along each road (and within each
//! group from west to east or south to north). Rooms share their building's point; a
//! building's point lies in its community's leaf grid.

use std::collections::{BTreeMap, BTreeSet};

use geo_types::{Coord, Geometry};
use gridgis_engine::GridId;
use gridgis_layers::{Feature, Value};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::network::{Network, RoadClass, segment_position};
use super::world::{Unit, World, round};
use super::{Layer, meta, text};

/// Addresses in the demo gazetteer (the figure for the district).
pub const ADDRESS_TOTAL: usize = 116_471;
/// Catalog category of the gazetteer.
pub const CATEGORY_ADDRESSES: &str = "地址";
/// Catalog kind of the gazetteer: not a thematic layer, so an import cannot replace it.
pub const ADDRESSES_KIND: &str = "addresses";

/// Share of addresses in the towns (see the module docs).
const URBAN_SHARE: f64 = 0.70;

/// Words compounds are named with (invented, in the style of Huairou's estates).
const COMPOUND_WORDS: &[&str] = &[
    "青春", "富乐", "金台", "望怀", "杨林", "乐园", "凯富", "翠湖", "和平", "滨湖", "北斗", "银河", "东方", "泉润",
    "雁栖", "红螺", "观湖", "锦绣", "阳光", "康城", "丽景", "怡馨", "恒兴", "宝山", "龙湾", "明珠", "金秋", "紫云",
    "兴怀", "安居", "新城", "绿波", "清河", "祥云", "聚金", "柳荫", "丰和",
];
/// Compound suffixes.
const COMPOUND_SUFFIXES: &[&str] = &["小区", "家园", "花园", "苑"];
/// Road suffixes of invented local roads.
const ROAD_SUFFIXES: &[&str] = &["街", "路", "大街", "巷", "胡同"];
/// Lanes of a village, by where they lie from its centre.
const LANES: &[(&str, &str)] = &[("东", "街"), ("西", "街"), ("南", "街"), ("北", "街"), ("前", "街"), ("后", "街")];

/// What stands at a site.
enum What {
    /// A compound (in town): its name, building word (`号楼`…), and buildings as (point,
    /// leaf, units, floors, flats per floor).
    Compound { name: String, word: &'static str, buildings: Vec<(Coord<f64>, GridId, u32, u32, u32)> },
    /// A house on a road (a shop in town, a farmhouse on the village road).
    House,
    /// A farmhouse in a village group (`3组`), with the village's word for it (`组`/`队`).
    Group { group: u32, word: &'static str },
}

/// A numbered place: where, in which unit, on which road (or group), and what stands there.
struct Site {
    at: Coord<f64>,
    leaf: GridId,
    unit: usize,
    road: String,
    /// Position along the road (or the group's axis), to number by.
    along: f64,
    what: What,
    number: u32,
}

/// The unit's name as a place prefix: `富乐社区` → `富乐`, `桥梓村` → `桥梓`.
fn short(place: &str) -> &str {
    let s = place.trim_end_matches("社区").trim_end_matches('村');
    if s.is_empty() { place } else { s }
}

/// The prefix of a unit's invented roads and compounds: `富乐`, and `雁栖` for the
/// development zone.
fn own_short(unit: &Unit) -> &str {
    if unit.kind == "dev_zone" { "雁栖" } else { short(&unit.place) }
}

/// A building's label: `3号楼`, `5栋`; towers (`座`) are lettered `A座`, `B座`.
fn building_label(n: u32, word: &str) -> String {
    if word == "座" && n <= 26 { format!("{}座", char::from(b'A' + (n - 1) as u8)) } else { format!("{n}{word}") }
}

/// Generates the gazetteer.
pub fn layer(world: &World, net: &Network, seed: u64) -> Layer {
    let mut rng = super::stream(seed, "addresses", "");
    let urban_target = (ADDRESS_TOTAL as f64 * URBAN_SHARE).round() as usize;
    let village_target = ADDRESS_TOTAL - urban_target;
    let sampler = world.sampler(1.0);
    let unit_index: BTreeMap<GridId, usize> = world.units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    // Per unit: the suffix of its invented roads and, for villages, 组 or 队.
    let suffix: Vec<&str> =
        (0..world.units.len()).map(|_| ROAD_SUFFIXES[rng.random_range(0..ROAD_SUFFIXES.len())]).collect();
    let group_word: Vec<&str> =
        (0..world.units.len()).map(|_| if rng.random::<f64>() < 0.25 { "队" } else { "组" }).collect();
    let mut compounds_taken: BTreeSet<String> = BTreeSet::new();
    let mut sites: Vec<Site> = Vec::new();
    let (mut urban, mut village) = (0usize, 0usize);
    while urban < urban_target || village < village_target {
        let spot = world.sample(&sampler, &mut rng);
        let unit = world.unit(spot.leaf);
        let Some(&ui) = unit_index.get(&unit.id) else { continue };
        if unit.kind == "village" {
            if village >= village_target {
                continue;
            }
            let home = world.near_anchor(unit, 220.0, &mut rng);
            let road = net
                .road_near(home.at, 60.0, world.scale)
                .filter(|r| !matches!(r.class, RoadClass::Highway))
                .filter(|_| rng.random::<f64>() < 0.6);
            let (road, along, what) = if let Some(r) = road {
                (r.name.clone(), segment_position(&r.line, home.at, world.scale), What::House)
            } else if rng.random::<f64>() < 0.25 {
                let (dx, dy) =
                    ((home.at.x - unit.anchor.x) * world.scale.0, (home.at.y - unit.anchor.y) * world.scale.1);
                let lane = if dx.abs() > dy.abs() {
                    if dx > 0.0 { 0 } else { 1 }
                } else if rng.random::<bool>() {
                    if dy > 0.0 { 5 } else { 4 }
                } else if dy > 0.0 {
                    3
                } else {
                    2
                };
                let (dir, suf) = LANES[lane];
                (format!("{}{dir}{suf}", short(&unit.place)), f64::NAN, What::House)
            } else {
                let group = world
                    .hierarchy()
                    .ancestor_at(home.leaf, 2)
                    .and_then(|g| world.code(g).get(12..15).and_then(|s| s.parse().ok()))
                    .unwrap_or(1);
                (String::new(), f64::NAN, What::Group { group, word: group_word[ui] })
            };
            village += 1;
            sites.push(Site { at: home.at, leaf: home.leaf, unit: ui, road, along, what, number: 0 });
            continue;
        }
        // The development zone is offices and factories: few homes for its density.
        if urban >= urban_target || (unit.kind == "dev_zone" && rng.random::<f64>() < 0.75) {
            continue;
        }
        let near = net.road_near(spot.at, 250.0, world.scale).filter(|r| !matches!(r.class, RoadClass::Highway));
        let (road, along) = if unit.kind == "city_street" {
            (unit.place.clone(), f64::NAN)
        } else if let Some(r) = near {
            (r.name.clone(), segment_position(&r.line, spot.at, world.scale))
        } else {
            let (dx, dy) = ((spot.at.x - unit.anchor.x) * world.scale.0, (spot.at.y - unit.anchor.y) * world.scale.1);
            let dir = if dx.abs() > dy.abs() {
                if dx > 0.0 { "东" } else { "西" }
            } else if dy > 0.0 {
                "北"
            } else {
                "南"
            };
            (format!("{}{dir}{}", own_short(unit), suffix[ui]), f64::NAN)
        };
        let shop = unit.kind == "city_street" || rng.random::<f64>() < 0.3;
        let what = if shop {
            urban += 1;
            What::House
        } else {
            let sfx = COMPOUND_SUFFIXES[rng.random_range(0..COMPOUND_SUFFIXES.len())];
            let own = own_short(unit);
            let mut name = if own.ends_with('苑') || own.ends_with('园') {
                format!("{own}小区")
            } else {
                format!("{own}{sfx}")
            };
            let mut tries = 0;
            while compounds_taken.contains(&name) && tries < 40 {
                let w = COMPOUND_WORDS[rng.random_range(0..COMPOUND_WORDS.len())];
                let sfx = COMPOUND_SUFFIXES[rng.random_range(0..COMPOUND_SUFFIXES.len())];
                name = if tries < 20 { format!("{w}{sfx}") } else { format!("{own}{w}{sfx}") };
                tries += 1;
            }
            compounds_taken.insert(name.clone());
            let word = if unit.kind == "dev_zone" {
                "座"
            } else {
                match rng.random_range(0..20) {
                    0..=12 => "号楼",
                    13..=15 => "栋",
                    16..=17 => "幢",
                    _ => "座",
                }
            };
            let n_buildings = rng.random_range(1..=8u32);
            let tall = rng.random::<f64>() < 0.2;
            let angle = rng.random::<f64>() * 0.5;
            let (s, c) = angle.sin_cos();
            let mut buildings = Vec::new();
            for b in 0..n_buildings {
                // Rows of three slabs, 35 m apart east–west and 45 m north–south.
                let (x, y) = (f64::from(b % 3) * 35.0 - 35.0, -f64::from(b / 3) * 45.0);
                let p = round(Coord {
                    x: spot.at.x + (x * c - y * s) / world.scale.0,
                    y: spot.at.y + (x * s + y * c) / world.scale.1,
                });
                let (p, leaf) = match world.spot(p).filter(|q| world.unit(q.leaf).id == unit.id) {
                    Some(q) => (q.at, q.leaf),
                    None => (spot.at, spot.leaf),
                };
                let units = rng.random_range(1..=4u32);
                let floors = if tall { rng.random_range(9..=18u32) } else { rng.random_range(3..=6u32) };
                let flats = rng.random_range(2..=3u32);
                buildings.push((p, leaf, units, floors, flats));
            }
            let size: usize = 1 + buildings.iter().map(|&(_, _, u, f, r)| 1 + (u * f * r) as usize).sum::<usize>();
            urban += size;
            What::Compound { name, word, buildings }
        };
        sites.push(Site { at: spot.at, leaf: spot.leaf, unit: ui, road, along, what, number: 0 });
    }
    number(&mut sites, world, &mut rng);
    let mut features = Vec::with_capacity(ADDRESS_TOTAL);
    let (mut urban_left, mut village_left) = (urban_target, village_target);
    for site in &sites {
        let unit = &world.units[site.unit];
        let township_code = unit.code.get(..9).unwrap_or("");
        let base = Base { world, unit: site.unit, township_code, road: &site.road, number: site.number };
        match &site.what {
            What::Group { group, word } => {
                if village_left == 0 {
                    continue;
                }
                village_left -= 1;
                let g = format!("{group}{word}");
                let address = format!("北京市怀柔区{}{}{g}{}号", unit.township, unit.place, site.number);
                features.push(base.feature(address, "house", site.at, site.leaf, None, &[], Some(&g)));
            }
            What::House => {
                let left = if unit.kind == "village" { &mut village_left } else { &mut urban_left };
                if *left == 0 {
                    continue;
                }
                *left -= 1;
                features.push(base.feature(base.prefix(), "house", site.at, site.leaf, None, &[], None));
            }
            What::Compound { name, word, buildings } => {
                if urban_left == 0 {
                    continue;
                }
                urban_left -= 1;
                features.push(base.feature(base.prefix(), "house", site.at, site.leaf, None, &[], None));
                'buildings: for (b, &(at, leaf, units, floors, flats)) in buildings.iter().enumerate() {
                    let label = building_label(b as u32 + 1, word);
                    let head = format!("{}{name}{label}", base.prefix());
                    if urban_left == 0 {
                        break;
                    }
                    urban_left -= 1;
                    let bld = [("compound", text(name)), ("building", text(&label))];
                    features.push(base.feature(head.clone(), "building", at, leaf, Some(&bld), &[], None));
                    for u in 1..=units {
                        for f in 1..=floors {
                            for r in 1..=flats {
                                if urban_left == 0 {
                                    break 'buildings;
                                }
                                urban_left -= 1;
                                let room = format!("{f}{r:02}");
                                let flat = [("unit", Value::Int(i64::from(u))), ("room", text(&room))];
                                let address = format!("{head}{u}单元{room}室");
                                features.push(base.feature(address, "room", at, leaf, Some(&bld), &flat, None));
                            }
                        }
                    }
                }
            }
        }
    }
    let mut m = meta(gridgis_layers::ADDRESSES_LAYER, "标准地址", CATEGORY_ADDRESSES);
    m.kind = ADDRESSES_KIND.into();
    Layer { meta: m, features }
}

/// What every address of a site shares.
struct Base<'a> {
    world: &'a World,
    unit: usize,
    township_code: &'a str,
    road: &'a str,
    number: u32,
}

impl Base<'_> {
    /// `北京市怀柔区` + township + unit + road + `N号` (a city street is its own road; the
    /// development zone is its own township).
    fn prefix(&self) -> String {
        let u = &self.world.units[self.unit];
        if u.kind == "city_street" {
            format!("北京市怀柔区{}{}{}号", u.township, u.place, self.number)
        } else if u.kind == "dev_zone" {
            // The zone is its own township (北京雁栖经济开发区): written once, as people do.
            format!("北京市怀柔区{}{}{}号", u.place, self.road, self.number)
        } else {
            format!("北京市怀柔区{}{}{}{}号", u.township, u.place, self.road, self.number)
        }
    }

    /// One address feature, properties in the gazetteer's order.
    #[allow(clippy::too_many_arguments)]
    fn feature(
        &self,
        address: String,
        level: &str,
        at: Coord<f64>,
        leaf: GridId,
        building: Option<&[(&str, Value); 2]>,
        flat: &[(&str, Value)],
        group: Option<&str>,
    ) -> Feature {
        let u = &self.world.units[self.unit];
        let pick = |set: &[(&str, Value)], key: &str| {
            set.iter().find(|(k, _)| *k == key).map_or(Value::Null, |(_, v)| v.clone())
        };
        let bld: &[(&str, Value)] = building.map_or(&[], |b| &b[..]);
        let road = if group.is_some() { Value::Null } else { text(self.road) };
        Feature {
            geometry: Geometry::Point(at.into()),
            properties: vec![
                ("address".into(), Value::String(address)),
                ("level".into(), text(level)),
                ("grid_code".into(), text(self.world.code(leaf))),
                ("township".into(), text(&u.township)),
                ("township_code".into(), text(self.township_code)),
                ("village".into(), text(&u.place)),
                ("village_code".into(), text(&u.code)),
                ("road".into(), road),
                ("house_no".into(), Value::Int(i64::from(self.number))),
                ("compound".into(), pick(bld, "compound")),
                ("building".into(), pick(bld, "building")),
                ("unit".into(), pick(flat, "unit")),
                ("room".into(), pick(flat, "room")),
                ("group".into(), group.map_or(Value::Null, text)),
            ],
        }
    }
}

/// Numbers the sites: along each road (over the whole district, so a road's numbers keep
/// increasing through the communities it crosses), and within each village group; numbers
/// step by 1–3 as real doorplates skip.
fn number(sites: &mut [Site], world: &World, rng: &mut ChaCha8Rng) {
    let mut keys: BTreeMap<(String, usize), Vec<usize>> = BTreeMap::new();
    for (i, s) in sites.iter().enumerate() {
        // A road's numbers run over the whole district (a network road crosses many units,
        // and an invented lane may share a network road's name).
        let key = match &s.what {
            What::Group { group, .. } => (format!("{group}"), s.unit),
            _ => (s.road.clone(), usize::MAX),
        };
        keys.entry(key).or_default().push(i);
    }
    for members in keys.values_mut() {
        let along_road = members.iter().all(|&i| !sites[i].along.is_nan());
        let extent = |f: fn(&Site) -> f64| {
            let (lo, hi) = members
                .iter()
                .map(|&i| f(&sites[i]))
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
            hi - lo
        };
        let east_west = extent(|s| s.at.x) * world.scale.0 >= extent(|s| s.at.y) * world.scale.1;
        let pos = |s: &Site| -> f64 {
            if along_road {
                s.along
            } else if east_west {
                s.at.x
            } else {
                s.at.y
            }
        };
        members.sort_by(|&a, &b| pos(&sites[a]).total_cmp(&pos(&sites[b])).then(a.cmp(&b)));
        let mut n = 0;
        for &i in members.iter() {
            n += rng.random_range(1..=3u32);
            sites[i].number = n;
        }
    }
}
