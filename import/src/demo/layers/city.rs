//! The 1,053 layers the city shares with the district: many small ones, as a city's data
//! catalog has them. Single themes of the city's bureaus, and the families real catalogs
//! grow: heritage batches, annual series, monthly hotline hot spots, land-survey classes,
//! township and village plans, river management, standard place names, enterprises by
//! sector, bus lines.

use std::collections::{BTreeMap, BTreeSet};

use geo::{BoundingRect, InteriorPoint};
use geo_types::{Coord, Geometry, LineString, Polygon};
use gridgis_engine::GridId;
use gridgis_layers::{Feature, Value};
use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand_chacha::ChaCha8Rng;

use super::areas::area_m2;
use super::names::{
    ANNUAL, H_LINES, HERITAGE_BATCHES, HERITAGE_KINDS, INDUSTRIES, LAND_CLASSES, LAST_YEAR, MOUNTAINS,
    PLACE_NAME_CLASSES, PLACE_STEMS, PLAN_ZONES, Place, Shape, THEMES, TOWNSHIP_PLAN, TRADE_NAMES, TRUNK_BUS_LINES,
    VILLAGE_USES, cat, d, on,
};
use super::network::{Network, RIVER, RIVERS, ROADS, RURAL, RoadClass, TRUNK, length_m, township_at};
use super::world::{Spot, World, blob, round};
use super::{Layer, city_meta, numbered, place, stream, text};

/// ASCII names of the rivers of [`RIVERS`], for layer ids.
const RIVER_SLUGS: [(&str, &str); 10] = [
    ("白河", "baihe"),
    ("汤河", "tanghe"),
    ("天河", "tianhe"),
    ("琉璃河", "liulihe"),
    ("雁栖河", "yanqihe"),
    ("怀沙河", "huaishahe"),
    ("怀九河", "huaijiuhe"),
    ("怀河", "huaihe"),
    ("沙河", "shahe"),
    ("崎峰茶沟", "qifengchagou"),
];

/// What people call the hotline (12345) about, for the monthly hot-spot layers.
const HOTLINE_ISSUES: [&str; 12] = [
    "噪声扰民",
    "违章停车",
    "占道经营",
    "垃圾清运",
    "供暖不热",
    "路灯不亮",
    "道路破损",
    "油烟扰民",
    "私搭乱建",
    "井盖缺失",
    "停水停电",
    "小区物业",
];

/// Months of hotline hot-spot layers: 2023-01 to 2025-12.
const HOTLINE_MONTHS: (u32, u32) = (2023, 2025);

/// Shared naming and property helpers.
struct Make<'a> {
    world: &'a World,
    net: &'a Network,
}

impl Make<'_> {
    /// The place word of a spot: the road it stands on (when `roads`), else its village or
    /// community.
    fn place_word(&self, spot: &Spot, roads: bool) -> String {
        if roads && let Some(r) = self.net.road_near(spot.at, 60.0, self.world.scale) {
            return r.name.clone();
        }
        self.world.unit(spot.leaf).place.clone()
    }

    fn point(&self, spot: &Spot, name: String, source: &str, extra: Vec<(String, Value)>) -> Feature {
        let mut properties = vec![("name".into(), Value::String(name))];
        properties.extend(extra);
        properties.push(("source".into(), text(source)));
        properties.push(("grid_code".into(), text(self.world.code(spot.leaf))));
        properties.push(("township".into(), text(&self.world.unit(spot.leaf).township)));
        Feature { geometry: Geometry::Point(spot.at.into()), properties }
    }

    fn parcel(
        &self,
        polygon: Polygon<f64>,
        spot: &Spot,
        name: String,
        source: &str,
        extra: Vec<(String, Value)>,
    ) -> Feature {
        let mut properties = vec![("name".into(), Value::String(name))];
        properties.extend(extra);
        properties.push(("area_m2".into(), Value::Float(area_m2(&polygon, self.world.scale))));
        properties.push(("source".into(), text(source)));
        properties.push(("grid_code".into(), text(self.world.code(spot.leaf))));
        properties.push(("township".into(), text(&self.world.unit(spot.leaf).township)));
        Feature { geometry: Geometry::Polygon(polygon), properties }
    }

    /// A piece of a line selected by `mask`, about `length` metres, and the line's name.
    fn line_piece(&self, mask: u8, length: (f64, f64), rng: &mut ChaCha8Rng) -> Option<(String, LineString<f64>)> {
        let lines = self.net.along(mask, self.world.scale);
        for _ in 0..20 {
            let (c, i) = lines.sample(rng, 0.0, self.world.scale)?;
            let (name, ls) = self.net.line(i);
            let start =
                ls.0.iter()
                    .enumerate()
                    .min_by(|a, b| {
                        let da = (a.1.x - c.x).powi(2) + (a.1.y - c.y).powi(2);
                        let db = (b.1.x - c.x).powi(2) + (b.1.y - c.y).powi(2);
                        da.total_cmp(&db)
                    })
                    .map_or(0, |(k, _)| k);
            let target = length.0 + rng.random::<f64>() * (length.1 - length.0);
            let mut piece = vec![ls.0[start]];
            let mut walked = 0.0;
            for w in ls.0[start..].windows(2) {
                walked += ((w[1].x - w[0].x) * self.world.scale.0).hypot((w[1].y - w[0].y) * self.world.scale.1);
                piece.push(w[1]);
                if walked >= target {
                    break;
                }
            }
            if piece.len() >= 2 {
                return Some((name.to_string(), LineString(piece)));
            }
        }
        None
    }

    fn line(&self, ls: LineString<f64>, name: String, source: &str, extra: Vec<(String, Value)>) -> Feature {
        let mut properties = vec![("name".into(), Value::String(name))];
        properties.extend(extra);
        properties.push(("length_m".into(), Value::Float(length_m(&ls, self.world.scale))));
        properties.push(("source".into(), text(source)));
        properties.push(("township".into(), text(&township_at(self.world, &ls))));
        Feature { geometry: Geometry::LineString(ls), properties }
    }

    /// An irregular area of `radius` metres round a point drawn ∝ density^alpha, inside the
    /// district.
    fn area(&self, alpha: f64, radius: (f64, f64), rng: &mut ChaCha8Rng) -> (Polygon<f64>, Spot) {
        let sampler = self.world.sampler(alpha);
        // Each failed centre makes the next try a little smaller, so a fit always comes.
        let mut scale = 1.0;
        loop {
            let spot = self.world.sample(&sampler, rng);
            let mut r = (radius.0 + rng.random::<f64>() * (radius.1 - radius.0)) * scale;
            scale *= 0.97;
            for _ in 0..6 {
                let p = blob(spot.at, r, r * 0.7, rng.random::<f64>() * 3.0, 32, 0.3, self.world.scale, rng);
                if self.world.line_inside(p.exterior()) {
                    return (p, spot);
                }
                r *= 0.75;
            }
        }
    }

    /// `count` features of `shape`, named after their place and `item`.
    fn shaped(
        &self,
        shape: Shape,
        count: usize,
        item: &str,
        source: &str,
        extra: &[(&str, Value)],
        rng: &mut ChaCha8Rng,
    ) -> Vec<Feature> {
        let extra = || extra.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<Vec<_>>();
        let mut seen = BTreeMap::new();
        match shape {
            Shape::Points(p) => {
                let roads = matches!(p, Place::Along { share, mask, .. } if share > 0.0 && mask & ROADS != 0);
                place::spots(self.world, self.net, p, count, rng)
                    .iter()
                    .map(|s| {
                        let name = numbered(&mut seen, &self.place_word(s, roads), item);
                        self.point(s, name, source, extra())
                    })
                    .collect()
            }
            Shape::Parcels(alpha, size) => {
                let sampler = self.world.sampler(alpha);
                (0..count)
                    .map(|_| {
                        let (polygon, spot) = self.world.parcel(&sampler, size, rng);
                        let name = numbered(&mut seen, &self.world.unit(spot.leaf).place, item);
                        self.parcel(polygon, &spot, name, source, extra())
                    })
                    .collect()
            }
            Shape::Lines(mask, length) => (0..count)
                .filter_map(|_| self.line_piece(mask, length, rng))
                .map(|(line_name, ls)| {
                    let name = numbered(&mut seen, &line_name, item);
                    self.line(ls, name, source, extra())
                })
                .collect(),
            Shape::Areas(alpha, radius) => (0..count)
                .map(|_| {
                    let (polygon, spot) = self.area(alpha, radius, rng);
                    let name = numbered(&mut seen, &self.world.unit(spot.leaf).place, item);
                    let mut properties = vec![("name".into(), Value::String(name))];
                    properties.extend(extra());
                    properties.push(("area_m2".into(), Value::Float(area_m2(&polygon, self.world.scale))));
                    properties.push(("source".into(), text(source)));
                    properties.push(("township".into(), text(&self.world.unit(spot.leaf).township)));
                    Feature { geometry: Geometry::Polygon(polygon), properties }
                })
                .collect(),
        }
    }
}

/// A spot in one of `grids` (leaf grids), out of the water unless `wet`.
fn spot_in(world: &World, grids: &[GridId], wet: bool, rng: &mut ChaCha8Rng) -> Option<Spot> {
    for _ in 0..400 {
        let leaf = *grids.choose(rng)?;
        let bbox = world.hierarchy().grid(leaf).geometry.bounding_rect()?;
        let c = round(Coord {
            x: bbox.min().x + rng.random::<f64>() * bbox.width(),
            y: bbox.min().y + rng.random::<f64>() * bbox.height(),
        });
        let spot = if wet { world.locate(c).map(|leaf| Spot { at: c, leaf }) } else { world.spot(c) };
        if let Some(s) = spot.filter(|s| s.leaf == leaf) {
            return Some(s);
        }
    }
    None
}

/// A parcel in one of `grids`, out of the water unless `wet`.
fn parcel_in(
    world: &World,
    grids: &[GridId],
    size: (f64, f64),
    wet: bool,
    rng: &mut ChaCha8Rng,
) -> Option<(Polygon<f64>, Spot)> {
    let mut shrink = 1.0;
    for _ in 0..400 {
        let spot = spot_in(world, grids, wet, rng)?;
        let w = (size.0 + rng.random::<f64>() * (size.1 - size.0)) * shrink;
        let h = (size.0 + rng.random::<f64>() * (size.1 - size.0)) * shrink;
        let radius = 0.5 * w.hypot(h);
        let leaf = &world.hierarchy().grid(spot.leaf).geometry;
        if super::world::min_distance_to_rings(leaf, spot.at, world.scale) > radius + 1.0
            && (wet || !world.water.meets_disc(spot.at, radius, world.scale))
        {
            let angle = (rng.random::<f64>() - 0.5) * 0.6;
            return Some((super::world::rectangle(spot.at, w, h, angle, world.scale), spot));
        }
        shrink = (shrink * 0.93f64).max(0.05);
    }
    None
}

/// Chinese numerals for batch numbers.
fn batch(n: usize) -> String {
    super::super::naming::chinese_number(n as u32)
}

/// The city's layers, in a stable order.
pub fn layers(world: &World, net: &Network, seed: u64) -> Vec<Layer> {
    let make = Make { world, net };
    let mut out = Vec::new();

    for theme in THEMES {
        let mut rng = stream(seed, "city", theme.slug);
        let mut features = make.shaped(theme.shape, theme.count, theme.item, theme.dept, &[], &mut rng);
        if theme.slug == "gh_village_class" {
            const CLASSES: [&str; 5] = ["城镇集建型", "整治完善型", "特色保护型", "整体搬迁型", "城乡融合型"];
            for f in &mut features {
                let class = CLASSES.choose(&mut rng).copied().unwrap_or(CLASSES[1]);
                f.properties.insert(1, ("class".into(), text(class)));
            }
        }
        out.push(Layer { meta: city_meta(&format!("bj_{}", theme.slug), theme.name, theme.category), features });
    }

    for b in 1..=HERITAGE_BATCHES {
        let id = format!("bj_wl_heritage_city_b{b}");
        let mut rng = stream(seed, "city", &id);
        let n = rng.random_range(2..=7);
        let kind = HERITAGE_KINDS[(b * 3) % HERITAGE_KINDS.len()];
        let features =
            make.shaped(Shape::Points(d(0.2)), n, kind, "市文物局", &[("batch", Value::Int(b as i64))], &mut rng);
        out.push(Layer {
            meta: city_meta(&id, &format!("市级文物保护单位（第{}批）", batch(b)), cat::WL), features
        });
    }

    for &(slug, name, category, dept, first, shape, item, per_year) in ANNUAL {
        for year in first..=LAST_YEAR {
            let id = format!("bj_{slug}_{year}");
            let mut rng = stream(seed, "city", &id);
            let n = ((per_year as f64) * (0.7 + 0.6 * rng.random::<f64>())).round().max(1.0) as usize;
            let features = make.shaped(shape, n, item, dept, &[("year", Value::Int(i64::from(year)))], &mut rng);
            out.push(Layer { meta: city_meta(&id, &format!("{year}年度{name}"), category), features });
        }
    }

    for year in HOTLINE_MONTHS.0..=HOTLINE_MONTHS.1 {
        for month in 1..=12u32 {
            let id = format!("bj_zl_hotline_{year}{month:02}");
            let mut rng = stream(seed, "city", &id);
            let n = rng.random_range(30..=70);
            let spots = place::spots(world, net, d(1.6), n, &mut rng);
            let mut seen = BTreeMap::new();
            let features = spots
                .iter()
                .map(|s| {
                    let issue = HOTLINE_ISSUES.choose(&mut rng).copied().unwrap_or("噪声扰民");
                    let name = numbered(&mut seen, &format!("{}{issue}", make.place_word(s, true)), "");
                    let cases = Value::Int(rng.random_range(5..=80));
                    make.point(s, name, "市政务服务局", vec![("issue".into(), text(issue)), ("cases".into(), cases)])
                })
                .collect();
            let name = format!("{year}年{month}月接诉即办高频诉求点位");
            out.push(Layer { meta: city_meta(&id, &name, cat::ZL), features });
        }
    }

    for (code, class) in LAND_CLASSES {
        let id = format!("bj_gt_sandiao_{}", code.to_ascii_lowercase());
        let mut rng = stream(seed, "city", &id);
        let (alpha, size) = match &code[..2] {
            "01" | "02" | "04" => (0.2, (60.0, 220.0)),
            "03" => (-1.5, (80.0, 300.0)),
            "05" | "06" | "07" | "08" | "09" | "10" => (1.5, (25.0, 120.0)),
            "11" => (0.0, (30.0, 150.0)),
            _ => (0.3, (20.0, 100.0)),
        };
        let n = rng.random_range(40..=140);
        let extra = [("dlbm", text(code)), ("dlmc", text(class))];
        let features = make.shaped(Shape::Parcels(alpha, size), n, class, "市规划自然资源委", &extra, &mut rng);
        out.push(Layer {
            meta: city_meta(&id, &format!("第三次全国国土调查地类图斑（{code} {class}）"), cat::GT),
            features,
        });
    }

    out.extend(township_plans(&make, seed));
    out.extend(village_plans(&make, seed));
    out.extend(river_layers(&make, seed));

    for (slug, class, endings) in PLACE_NAME_CLASSES {
        let id = format!("bj_dm_{slug}");
        let mut rng = stream(seed, "city", &id);
        let place = match slug {
            "shanfeng" | "shankou" | "shanling" | "gougu" | "quan" | "pubu" | "dong" | "guankou" | "dongtai"
            | "lindi" => MOUNTAINS,
            "zirancun" => Place::Villages,
            "qiaoliang" | "shuizha" | "di" | "dianzhan" | "shuiku" => on(RIVER),
            "suidao" => on(RURAL | TRUNK),
            "siyuan" | "guji" | "jinianbei" => d(0.3),
            _ => d(2.0),
        };
        let n = rng.random_range(20..=80);
        let mut taken = BTreeSet::new();
        let features = place::spots(world, net, place, n, &mut rng)
            .iter()
            .map(|s| {
                let name = (0..30)
                    .map(|_| {
                        let stem = PLACE_STEMS.choose(&mut rng).copied().unwrap_or("大");
                        let end = endings.choose(&mut rng).copied().unwrap_or("山");
                        format!("{stem}{end}")
                    })
                    .find(|n| !taken.contains(n))
                    .unwrap_or_else(|| format!("{}{}", world.unit(s.leaf).place, endings[0]));
                let name = if taken.contains(&name) { format!("{name}{}", taken.len()) } else { name };
                taken.insert(name.clone());
                make.point(s, name, "市民政局", vec![("class".into(), text(class))])
            })
            .collect();
        out.push(Layer { meta: city_meta(&id, &format!("标准地名（{class}）"), cat::DM), features });
    }

    for (letter, sector, word) in INDUSTRIES {
        let id = format!("bj_jj_frdw_{letter}");
        let mut rng = stream(seed, "city", &id);
        let alpha = match letter {
            "a" => 0.2,
            "b" => -1.0,
            "c" | "d" | "e" | "g" => 0.8,
            _ => 1.5,
        };
        let n = rng.random_range(30..=120);
        let mut taken = BTreeSet::new();
        let features = place::spots(world, net, d(alpha), n, &mut rng)
            .iter()
            .map(|s| {
                let name = (0..30)
                    .map(|_| {
                        let a = TRADE_NAMES.choose(&mut rng).copied().unwrap_or("京北");
                        let b = TRADE_NAMES.choose(&mut rng).copied().unwrap_or("华宇");
                        format!("北京{a}{b}{word}有限公司")
                    })
                    .find(|n| !taken.contains(n))
                    .unwrap_or_else(|| format!("北京{}{word}有限公司{}", world.unit(s.leaf).place, taken.len()));
                taken.insert(name.clone());
                make.point(s, name, "市市场监管局", vec![("sector".into(), text(sector))])
            })
            .collect();
        let name = format!("法人单位名录（{} {sector}）", letter.to_ascii_uppercase());
        out.push(Layer { meta: city_meta(&id, &name, cat::JJ), features });
    }

    out.extend(bus_lines(&make, seed));
    out
}

/// Each township's plan: zones (its level-2 grids), land use parcels, public service
/// facilities, planned roads.
fn township_plans(make: &Make<'_>, seed: u64) -> Vec<Layer> {
    let world = make.world;
    let h = world.hierarchy();
    let mut out = Vec::new();
    for township in h.townships() {
        let leaves: Vec<GridId> =
            h.leaves().iter().copied().filter(|&l| h.township(l).is_some_and(|t| t.code == township.code)).collect();
        let level2: Vec<GridId> = (0..h.len() as GridId)
            .filter(|&g| h.grid(g).level == 2 && h.township(g).is_some_and(|t| t.code == township.code))
            .collect();
        let source = "市规划自然资源委";
        for (key, what) in TOWNSHIP_PLAN {
            let id = format!("bj_gh_{}_{key}", township.code);
            let mut rng = stream(seed, "city", &id);
            let mut seen = BTreeMap::new();
            let features: Vec<Feature> = match key {
                "fq" => level2
                    .iter()
                    .map(|&g| {
                        let grid = h.grid(g);
                        let at = grid.geometry.interior_point().map_or(Coord::default(), |p| p.0);
                        let dens = super::super::geography::density(at);
                        let zone = PLAN_ZONES[match dens {
                            x if x < 1.3 => 0,
                            x if x < 2.0 => 1,
                            x if x < 5.0 => 2,
                            _ => 3,
                        }];
                        Feature {
                            geometry: Geometry::MultiPolygon(grid.geometry.clone()),
                            properties: vec![
                                ("name".into(), text(&numbered(&mut seen, &township.name, zone))),
                                ("zone".into(), text(zone)),
                                ("grid_code".into(), text(&grid.code)),
                                ("source".into(), text(source)),
                                ("township".into(), text(&township.name)),
                            ],
                        }
                    })
                    .collect(),
                "yd" => {
                    let mut features = Vec::new();
                    for _ in 0..rng.random_range(25..=45) {
                        let Some((polygon, spot)) = parcel_in(world, &leaves, (30.0, 140.0), false, &mut rng) else {
                            continue;
                        };
                        let usage = VILLAGE_USES.choose(&mut rng).copied().unwrap_or("耕地");
                        let name = numbered(&mut seen, &world.unit(spot.leaf).place, &format!("{usage}地块"));
                        features.push(make.parcel(polygon, &spot, name, source, vec![("ydlx".into(), text(usage))]));
                    }
                    features
                }
                "ggfw" => {
                    let mut features = Vec::new();
                    for _ in 0..rng.random_range(12..=30) {
                        let Some(s) = spot_in(world, &leaves, false, &mut rng) else { continue };
                        let kind = [
                            "规划幼儿园",
                            "规划小学",
                            "规划社区卫生服务站",
                            "规划养老驿站",
                            "规划文化活动站",
                            "规划体育场地",
                        ]
                        .choose(&mut rng)
                        .copied()
                        .unwrap_or("规划幼儿园");
                        features.push(make.point(
                            &s,
                            numbered(&mut seen, &world.unit(s.leaf).place, kind),
                            source,
                            vec![],
                        ));
                    }
                    features
                }
                _ => {
                    // Planned roads: the runs of the network's roads inside the township.
                    let mut lines = Vec::new();
                    for road in &make.net.roads {
                        let mut run: Vec<Coord<f64>> = Vec::new();
                        for c in road.line.0.iter().copied().chain(std::iter::once(Coord { x: f64::NAN, y: f64::NAN }))
                        {
                            let inside =
                                world.locate(c).is_some_and(|g| h.township(g).is_some_and(|t| t.code == township.code));
                            if inside {
                                run.push(c);
                            } else {
                                if run.len() >= 2 {
                                    lines.push((road.name.clone(), LineString(std::mem::take(&mut run))));
                                }
                                run.clear();
                            }
                        }
                    }
                    lines.truncate(40);
                    if lines.is_empty()
                        && let (Some(a), Some(b)) =
                            (spot_in(world, &leaves, false, &mut rng), spot_in(world, &leaves, false, &mut rng))
                        && a.at != b.at
                        && world.segment_inside(a.at, b.at)
                    {
                        lines.push((world.unit(a.leaf).place.clone(), LineString(vec![a.at, b.at])));
                    }
                    lines
                        .into_iter()
                        .map(|(name, ls)| {
                            let class = ["主干路", "次干路", "支路"].choose(&mut rng).copied().unwrap_or("支路");
                            make.line(
                                ls,
                                numbered(&mut seen, &name, "规划"),
                                source,
                                vec![("class".into(), text(class))],
                            )
                        })
                        .collect()
                }
            };
            let name = format!("{}国土空间规划（2020年—2035年）{what}", township.name);
            out.push(Layer { meta: city_meta(&id, &name, cat::GH), features });
        }
    }
    out
}

/// One layer per village: its plan's land-use parcels, inside the village's grids.
fn village_plans(make: &Make<'_>, seed: u64) -> Vec<Layer> {
    let world = make.world;
    let h = world.hierarchy();
    let mut leaves_of: BTreeMap<GridId, Vec<GridId>> = BTreeMap::new();
    for &leaf in h.leaves() {
        leaves_of.entry(world.unit(leaf).id).or_default().push(leaf);
    }
    world
        .units
        .iter()
        .filter(|u| u.kind == "village")
        .map(|u| {
            let id = format!("bj_cz_{}", u.code);
            let mut rng = stream(seed, "city", &id);
            let leaves = leaves_of.get(&u.id).cloned().unwrap_or_default();
            let mut seen = BTreeMap::new();
            let mut features = Vec::new();
            for _ in 0..rng.random_range(12..=40) {
                let Some((polygon, spot)) = parcel_in(world, &leaves, (20.0, 120.0), false, &mut rng) else { continue };
                let usage = VILLAGE_USES.choose(&mut rng).copied().unwrap_or("宅基地");
                let name = numbered(&mut seen, &u.place, &format!("{usage}地块"));
                features.push(make.parcel(
                    polygon,
                    &spot,
                    name,
                    "市规划自然资源委",
                    vec![("ydlx".into(), text(usage))],
                ));
            }
            // A village whose land lies under a reservoir still has a plan: its water.
            if features.is_empty()
                && let Some((polygon, spot)) = parcel_in(world, &leaves, (20.0, 120.0), true, &mut rng)
            {
                let name = numbered(&mut seen, &u.place, "水域地块");
                let usage = vec![("ydlx".into(), text("水域"))];
                features.push(make.parcel(polygon, &spot, name, "市规划自然资源委", usage));
            }
            Layer {
                meta: city_meta(&id, &format!("{}村庄规划（2020年—2035年）", u.place), cat::GH), features
            }
        })
        .collect()
}

/// Per named river: its management boundary lines, river-chief signboards and monitoring
/// sections.
fn river_layers(make: &Make<'_>, seed: u64) -> Vec<Layer> {
    let world = make.world;
    let mut out = Vec::new();
    for (name, _) in RIVERS {
        let slug = RIVER_SLUGS.iter().find(|r| r.0 == name).map_or("river", |r| r.1);
        let lines: Vec<&LineString<f64>> =
            make.net.rivers.iter().filter(|r| r.main && r.name == name).map(|r| &r.line).collect();
        // Management boundary: the banks 40 m out on each side, where they stay inside.
        let mut rng = stream(seed, "city", slug);
        let mut features = Vec::new();
        for ls in &lines {
            for side in [1.0, -1.0] {
                let offset: Vec<Coord<f64>> =
                    ls.0.iter()
                        .enumerate()
                        .map(|(i, c)| {
                            let a = ls.0[i.saturating_sub(1)];
                            let b = ls.0[(i + 1).min(ls.0.len() - 1)];
                            let (dx, dy) = ((b.x - a.x) * world.scale.0, (b.y - a.y) * world.scale.1);
                            let len = dx.hypot(dy).max(1e-9);
                            round(Coord {
                                x: c.x - dy / len * 40.0 * side / world.scale.0,
                                y: c.y + dx / len * 40.0 * side / world.scale.1,
                            })
                        })
                        .collect();
                let mut run: Vec<Coord<f64>> = Vec::new();
                for w in offset.windows(2) {
                    if w[0] != w[1] && world.segment_inside(w[0], w[1]) {
                        if run.is_empty() {
                            run.push(w[0]);
                        }
                        run.push(w[1]);
                    } else if run.len() >= 2 {
                        features.push(make.line(
                            LineString(std::mem::take(&mut run)),
                            format!("{name}{}岸管理范围线", if side > 0.0 { "左" } else { "右" }),
                            "市水务局",
                            vec![],
                        ));
                    } else {
                        run.clear();
                    }
                }
                if run.len() >= 2 {
                    let label = if side > 0.0 { "左" } else { "右" };
                    features.push(make.line(LineString(run), format!("{name}{label}岸管理范围线"), "市水务局", vec![]));
                }
            }
        }
        if features.is_empty() {
            features = make.shaped(Shape::Lines(RIVER, (500.0, 2000.0)), 2, "管理范围线", "市水务局", &[], &mut rng);
        }
        out.push(Layer {
            meta: city_meta(&format!("bj_sx_{slug}_glfw"), &format!("{name}河道管理范围线"), cat::SX),
            features,
        });

        for (key, what, every_m, item) in
            [("hzgsp", "河长公示牌", 1500.0, "河长公示牌"), ("szdm", "水质监测断面", 6000.0, "监测断面")]
        {
            let mut rng = stream(seed, "city", &format!("{slug}_{key}"));
            let mut spots = Vec::new();
            for ls in &lines {
                let mut walked = 0.0;
                let mut next = every_m * (0.3 + 0.4 * rng.random::<f64>());
                for w in ls.0.windows(2) {
                    let seg = ((w[1].x - w[0].x) * world.scale.0).hypot((w[1].y - w[0].y) * world.scale.1);
                    while walked + seg >= next {
                        let t = (next - walked) / seg.max(1e-9);
                        let c = Coord {
                            x: w[0].x + (w[1].x - w[0].x) * t,
                            y: w[0].y + (w[1].y - w[0].y) * t + 20.0 / world.scale.1,
                        };
                        if let Some(s) = world.spot(round(c)) {
                            spots.push(s);
                        }
                        next += every_m;
                    }
                    walked += seg;
                }
            }
            if spots.len() < 2 {
                spots.extend(place::spots(world, make.net, on(RIVER), 2, &mut rng));
            }
            let mut seen = BTreeMap::new();
            let features = spots
                .iter()
                .map(|s| {
                    let place = world.unit(s.leaf).place.clone();
                    make.point(
                        s,
                        numbered(&mut seen, &format!("{name}{place}段"), item),
                        "市水务局",
                        vec![("river".into(), text(name))],
                    )
                })
                .collect();
            out.push(Layer {
                meta: city_meta(&format!("bj_sx_{slug}_{key}"), &format!("{name}{what}"), cat::SX),
                features,
            });
        }
    }
    out
}

/// Bus lines: the stops of each line along its roads.
fn bus_lines(make: &Make<'_>, seed: u64) -> Vec<Layer> {
    let world = make.world;
    let net = make.net;
    let mut lines: Vec<(String, String, bool)> =
        TRUNK_BUS_LINES.iter().map(|l| (l.to_string(), l.replace('快', "k").replace('支', "z"), true)).collect();
    lines.extend((1..=H_LINES).map(|n| (format!("H{n}"), format!("h{n}"), false)));
    let long: Vec<usize> = (0..net.roads.len())
        .filter(|&i| matches!(net.roads[i].class, RoadClass::Highway | RoadClass::National | RoadClass::Provincial))
        .collect();
    let local: Vec<usize> = (0..net.roads.len())
        .filter(|&i| {
            matches!(net.roads[i].class, RoadClass::Urban | RoadClass::County | RoadClass::Township)
                && length_m(&net.roads[i].line, world.scale) > 1500.0
        })
        .collect();
    lines
        .into_iter()
        .map(|(line, slug, trunk)| {
            let id = format!("bj_bus_{slug}");
            let mut rng = stream(seed, "city", &id);
            let pool = if trunk && !long.is_empty() { &long } else { &local };
            let mut order = pool.clone();
            order.shuffle(&mut rng);
            let target = rng.random_range(if trunk { 18..=40 } else { 8..=26 });
            let spacing = if trunk { 1200.0 } else { 650.0 };
            let mut stops: Vec<Spot> = Vec::new();
            for &r in order.iter().take(6) {
                let ls = &net.roads[r].line;
                let mut walked = 0.0;
                let mut next = spacing * rng.random::<f64>();
                for w in ls.0.windows(2) {
                    let seg = ((w[1].x - w[0].x) * world.scale.0).hypot((w[1].y - w[0].y) * world.scale.1);
                    while walked + seg >= next && stops.len() < target {
                        let t = (next - walked) / seg.max(1e-9);
                        let (dx, dy) = ((w[1].x - w[0].x) * world.scale.0, (w[1].y - w[0].y) * world.scale.1);
                        let len = dx.hypot(dy).max(1e-9);
                        let c = Coord {
                            x: w[0].x + (w[1].x - w[0].x) * t - dy / len * 12.0 / world.scale.0,
                            y: w[0].y + (w[1].y - w[0].y) * t + dx / len * 12.0 / world.scale.1,
                        };
                        if let Some(s) = world.spot(round(c)) {
                            stops.push(s);
                        }
                        next += spacing * (0.7 + 0.6 * rng.random::<f64>());
                    }
                    walked += seg;
                }
                if stops.len() >= target {
                    break;
                }
            }
            if stops.len() < 2 {
                stops.extend(place::spots(world, net, on(ROADS), 2, &mut rng));
            }
            let mut taken = BTreeSet::new();
            let features = stops
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let unit = world.unit(s.leaf);
                    let base = match net.road_near(s.at, 40.0, world.scale) {
                        Some(r) if unit.kind != "village" && r.class == RoadClass::Urban => {
                            format!("{}{}", r.name, unit.place)
                        }
                        _ => unit.place.clone(),
                    };
                    let name = ["站", "路口站", "东站", "西站", "南站", "北站"]
                        .iter()
                        .map(|sfx| format!("{base}{sfx}"))
                        .find(|n| !taken.contains(n))
                        .unwrap_or_else(|| format!("{base}{}号站", i + 1));
                    taken.insert(name.clone());
                    make.point(
                        s,
                        name,
                        "北京公交集团",
                        vec![("line".into(), text(&line)), ("seq".into(), Value::Int(i as i64 + 1))],
                    )
                })
                .collect();
            let display = if line.ends_with('快') || line.ends_with('支') {
                format!("公交{line}线站点")
            } else {
                format!("公交{line}路站点")
            };
            Layer { meta: city_meta(&id, &display, cat::JT), features }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_add_up_to_the_city_catalog() {
        let annual: usize = ANNUAL.iter().map(|a| (LAST_YEAR - a.4 + 1) as usize).sum();
        let months = 12 * (HOTLINE_MONTHS.1 - HOTLINE_MONTHS.0 + 1) as usize;
        let townships = 17 * TOWNSHIP_PLAN.len();
        let villages = 284;
        let rivers = 3 * RIVERS.len();
        let total = THEMES.len()
            + HERITAGE_BATCHES
            + annual
            + months
            + LAND_CLASSES.len()
            + townships
            + villages
            + rivers
            + PLACE_NAME_CLASSES.len()
            + INDUSTRIES.len()
            + TRUNK_BUS_LINES.len()
            + H_LINES;
        assert_eq!(total, super::super::CITY_LAYERS);
    }
}
