//! Roads and rivers: lines routed over the district's raster, so they bend along valleys and
//! never leave the district.
//!
//! Rivers run through hand-placed waypoints (the real courses of 白河, 汤河, 怀河… roughly
//! followed), valleys being where smooth noise is low; mountain streams run from a source down
//! to the nearest river. Roads are routed over the same terrain, cheaper next to rivers (roads
//! follow valleys) and dear across water (bridges are short): the expressway and national
//! roads through their real towns, county roads between township seats, township roads
//! between villages (a spanning tree plus shortcuts), and the street grids of the district
//! seat and the plain towns.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use geo::{ChaikinSmoothing, Simplify};
use geo_types::{Coord, Line, LineString};
use gridgis_layers::{Feature, Value};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rstar::primitives::{GeomWithData, Line as RLine};
use rstar::{AABB, RTree};

use super::super::geography::{self, TOWN_NAMES, TOWNS};
use super::super::grow::{pair_noise, value_noise};
use super::world::{CELL_DEG, World, round, segment_distance_m};
use super::{Layer, meta, text};

/// Line masks for [`Network::along`]: which lines a family places its points along.
pub const HIGHWAY: u8 = 1;
/// National and provincial roads.
pub const TRUNK: u8 = 2;
/// County and township roads.
pub const RURAL: u8 = 4;
/// City streets.
pub const URBAN: u8 = 8;
/// Rivers and streams.
pub const RIVER: u8 = 16;
/// Every road.
pub const ROADS: u8 = HIGHWAY | TRUNK | RURAL | URBAN;

/// A road class, as the national road classification names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoadClass {
    /// 高速公路.
    Highway,
    /// 国道.
    National,
    /// 省道.
    Provincial,
    /// 县道.
    County,
    /// 乡道.
    Township,
    /// 城市道路.
    Urban,
}

impl RoadClass {
    fn label(self) -> &'static str {
        match self {
            RoadClass::Highway => "高速",
            RoadClass::National => "国道",
            RoadClass::Provincial => "省道",
            RoadClass::County => "县道",
            RoadClass::Township => "乡道",
            RoadClass::Urban => "城市道路",
        }
    }

    fn mask(self) -> u8 {
        match self {
            RoadClass::Highway => HIGHWAY,
            RoadClass::National | RoadClass::Provincial => TRUNK,
            RoadClass::County | RoadClass::Township => RURAL,
            RoadClass::Urban => URBAN,
        }
    }

    /// Lanes (both directions) and width in metres, typical of the class in Beijing's suburbs.
    fn section(self) -> (i64, f64) {
        match self {
            RoadClass::Highway => (6, 28.0),
            RoadClass::National => (4, 18.0),
            RoadClass::Provincial => (4, 15.0),
            RoadClass::County => (2, 9.0),
            RoadClass::Township => (2, 6.5),
            RoadClass::Urban => (4, 20.0),
        }
    }
}

/// A road: one named line.
#[derive(Clone, Debug)]
pub struct Road {
    /// Name, e.g. `京承高速`, `范崎路`.
    pub name: String,
    /// Class.
    pub class: RoadClass,
    /// National route number, if any.
    pub reference: Option<&'static str>,
    /// Geometry.
    pub line: LineString<f64>,
}

/// A river or mountain stream.
#[derive(Clone, Debug)]
pub struct River {
    /// Name, e.g. `怀河`, `大榛峪沟`.
    pub name: String,
    /// True for the named rivers, false for mountain streams.
    pub main: bool,
    /// Geometry, from source to mouth.
    pub line: LineString<f64>,
}

/// Points drawn along lines, uniformly by length.
pub struct LineSampler {
    segments: Vec<(Coord<f64>, Coord<f64>, u32)>,
    cumulative: Vec<f64>,
}

impl LineSampler {
    /// A point on the lines, `offset` metres to either side, and the index of its line; `None`
    /// when there are no lines.
    pub fn sample(&self, rng: &mut ChaCha8Rng, offset: f64, scale: (f64, f64)) -> Option<(Coord<f64>, u32)> {
        let total = *self.cumulative.last()?;
        let u = rng.random::<f64>() * total;
        let i = self.cumulative.partition_point(|&c| c <= u).min(self.segments.len() - 1);
        let (a, b, line) = self.segments[i];
        let t = rng.random::<f64>();
        let (dx, dy) = ((b.x - a.x) * scale.0, (b.y - a.y) * scale.1);
        let len = dx.hypot(dy).max(1e-9);
        let side = if rng.random::<bool>() { offset } else { -offset };
        let (nx, ny) = (-dy / len * side, dx / len * side);
        Some((Coord { x: a.x + (b.x - a.x) * t + nx / scale.0, y: a.y + (b.y - a.y) * t + ny / scale.1 }, line))
    }

    /// True when there is nothing to sample.
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }
}

/// The road and river network.
pub struct Network {
    /// Roads.
    pub roads: Vec<Road>,
    /// Rivers and streams.
    pub rivers: Vec<River>,
    road_index: RTree<GeomWithData<RLine<[f64; 2]>, u32>>,
}

impl Network {
    /// A sampler over the lines selected by `mask` ([`HIGHWAY`], [`TRUNK`], …, [`RIVER`]);
    /// roads weigh by class (a main road carries more of everything placed along roads).
    pub fn along(&self, mask: u8, scale: (f64, f64)) -> LineSampler {
        let mut segments = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0.0;
        let mut push = |ls: &LineString<f64>, weight: f64, index: u32| {
            for l in ls.lines() {
                let len = ((l.end.x - l.start.x) * scale.0).hypot((l.end.y - l.start.y) * scale.1);
                total += len * weight;
                segments.push((l.start, l.end, index));
                cumulative.push(total);
            }
        };
        for (i, r) in self.roads.iter().enumerate() {
            if r.class.mask() & mask != 0 {
                let weight = match r.class {
                    RoadClass::Urban => 3.0,
                    RoadClass::Highway | RoadClass::National | RoadClass::Provincial => 1.5,
                    RoadClass::County => 1.0,
                    RoadClass::Township => 0.6,
                };
                push(&r.line, weight, i as u32);
            }
        }
        if mask & RIVER != 0 {
            for (i, r) in self.rivers.iter().enumerate() {
                push(&r.line, if r.main { 1.0 } else { 0.4 }, (self.roads.len() + i) as u32);
            }
        }
        LineSampler { segments, cumulative }
    }

    /// Line `i` of a [`LineSampler`]'s numbering (roads, then rivers): its name and geometry.
    pub fn line(&self, i: u32) -> (&str, &LineString<f64>) {
        let i = i as usize;
        match self.roads.get(i) {
            Some(r) => (&r.name, &r.line),
            None => {
                let r = &self.rivers[(i - self.roads.len()).min(self.rivers.len().saturating_sub(1))];
                (&r.name, &r.line)
            }
        }
    }

    /// The name of the road nearest to `c` within `max_m` metres, preferring city streets.
    pub fn road_near(&self, c: Coord<f64>, max_m: f64, scale: (f64, f64)) -> Option<&Road> {
        let (rx, ry) = (max_m / scale.0, max_m / scale.1);
        let env = AABB::from_corners([c.x - rx, c.y - ry], [c.x + rx, c.y + ry]);
        self.road_index
            .locate_in_envelope_intersecting(&env)
            .map(|s| {
                let (a, b) = (s.geom().from, s.geom().to);
                let d = segment_distance_m(c, Coord { x: a[0], y: a[1] }, Coord { x: b[0], y: b[1] }, scale);
                (d, s.data)
            })
            .filter(|&(d, _)| d <= max_m)
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(_, i)| &self.roads[i as usize])
    }

    /// True when a road's carriageway comes within `radius` metres of `c`.
    pub fn near_road(&self, c: Coord<f64>, radius: f64, scale: (f64, f64)) -> bool {
        let reach = radius + 15.0;
        let (rx, ry) = (reach / scale.0, reach / scale.1);
        let env = AABB::from_corners([c.x - rx, c.y - ry], [c.x + rx, c.y + ry]);
        self.road_index.locate_in_envelope_intersecting(&env).any(|s| {
            let (a, b) = (s.geom().from, s.geom().to);
            let half_width = self.roads[s.data as usize].class.section().1 / 2.0;
            segment_distance_m(c, Coord { x: a[0], y: a[1] }, Coord { x: b[0], y: b[1] }, scale) < radius + half_width
        })
    }

    /// Where roads cross rivers (bridges), each once, in a stable order.
    pub fn crossings(&self) -> Vec<Coord<f64>> {
        let river_segments = segments(self.rivers.iter().map(|r| &r.line));
        let tree = RTree::bulk_load(river_segments);
        let mut out = BTreeSet::new();
        for road in &self.roads {
            for l in road.line.lines() {
                let env = AABB::from_corners(
                    [l.start.x.min(l.end.x), l.start.y.min(l.end.y)],
                    [l.start.x.max(l.end.x), l.start.y.max(l.end.y)],
                );
                for s in tree.locate_in_envelope_intersecting(&env) {
                    let (a, b) = (s.geom().from, s.geom().to);
                    let river = Line::new(Coord { x: a[0], y: a[1] }, Coord { x: b[0], y: b[1] });
                    if let Some(geo::LineIntersection::SinglePoint { intersection, .. }) =
                        geo::line_intersection::line_intersection(l, river)
                    {
                        let p = round(intersection);
                        out.insert(((p.x * 1e7) as i64, (p.y * 1e7) as i64));
                    }
                }
            }
        }
        out.into_iter().map(|(x, y)| Coord { x: x as f64 / 1e7, y: y as f64 / 1e7 }).collect()
    }
}

/// Rivers with their courses: waypoints (lon, lat) from source to mouth, roughly the real ones.
pub const RIVERS: [(&str, &[(f64, f64)]); 10] = [
    (
        "白河",
        &[
            (116.37, 40.915),
            (116.45, 40.88),
            (116.52, 40.84),
            (116.58, 40.78),
            (116.632, 40.722),
            (116.70, 40.69),
            (116.735, 40.70),
        ],
    ),
    (
        "汤河",
        &[(116.655, 41.03), (116.645, 40.975), (116.69, 40.90), (116.735, 40.80), (116.68, 40.75), (116.635, 40.725)],
    ),
    ("天河", &[(116.84, 40.825), (116.79, 40.80), (116.74, 40.795)]),
    ("琉璃河", &[(116.53, 40.60), (116.60, 40.575), (116.64, 40.63), (116.68, 40.685)]),
    ("雁栖河", &[(116.64, 40.53), (116.66, 40.46), (116.672, 40.405), (116.685, 40.35), (116.695, 40.30)]),
    ("怀沙河", &[(116.42, 40.455), (116.50, 40.43), (116.55, 40.375), (116.585, 40.33)]),
    ("怀九河", &[(116.32, 40.44), (116.40, 40.385), (116.49, 40.355), (116.575, 40.325)]),
    ("怀河", &[(116.605, 40.318), (116.635, 40.312), (116.67, 40.30), (116.70, 40.28), (116.70, 40.258)]),
    ("沙河", &[(116.53, 40.335), (116.57, 40.30), (116.595, 40.28), (116.61, 40.262)]),
    ("崎峰茶沟", &[(116.47, 40.50), (116.50, 40.46), (116.52, 40.44)]),
];

/// Named mountain streams (沟): the demo's figure; the district's mountains have hundreds of
/// gullies, a few dozen of them with a name on the map.
const STREAMS: usize = 46;

/// Trunk roads: name, class, route number, waypoints. 京承高速 (G45) crosses the plain towns
/// to the north-east; 京加路 (G111) runs the length of the district up the valleys of 汤河.
#[allow(clippy::type_complexity)]
const TRUNKS: [(&str, RoadClass, Option<&str>, &[(f64, f64)]); 7] = [
    (
        "京承高速",
        RoadClass::Highway,
        Some("G45"),
        &[(116.68, 40.245), (116.695, 40.30), (116.70, 40.37), (116.72, 40.43)],
    ),
    (
        "京加路",
        RoadClass::National,
        Some("G111"),
        &[
            (116.625, 40.27),
            (116.64, 40.33),
            (116.665, 40.40),
            (116.69, 40.45),
            (116.66, 40.52),
            (116.62, 40.58),
            (116.63, 40.66),
            (116.635, 40.72),
            (116.735, 40.79),
            (116.70, 40.88),
            (116.65, 40.98),
            (116.66, 41.05),
        ],
    ),
    ("京承路", RoadClass::National, Some("G101"), &[(116.70, 40.262), (116.72, 40.31), (116.76, 40.322)]),
    (
        "怀长路",
        RoadClass::Provincial,
        None,
        &[(116.62, 40.33), (116.545, 40.32), (116.47, 40.38), (116.40, 40.38), (116.33, 40.42)],
    ),
    ("怀渤路", RoadClass::Provincial, None, &[(116.63, 40.35), (116.56, 40.40), (116.50, 40.43), (116.45, 40.45)]),
    ("汤宝路", RoadClass::Provincial, None, &[(116.635, 40.72), (116.58, 40.78), (116.52, 40.84), (116.45, 40.88)]),
    ("雁栖大街", RoadClass::Provincial, None, &[(116.645, 40.34), (116.665, 40.37), (116.672, 40.39)]),
];

/// Street names of the district seat: the real ones of `naming::CITY_STREETS` first, east–west
/// streets (街) and north–south roads (路).
const SEAT_EAST_WEST: [&str; 24] = [
    "府前街",
    "南大街",
    "北大街",
    "富乐大街",
    "兴怀大街",
    "商业街",
    "南华大街",
    "建设街",
    "府前东街",
    "后横街",
    "北房路东街",
    "滨河北街",
    "青春东街",
    "红螺寺南街",
    "新村街",
    "东关街",
    "庙城南街",
    "渤海所街",
    "南华二街",
    "永安街",
    "怀北东街",
    "杨宋南街",
    "文化街",
    "科学城北街",
];
const SEAT_NORTH_SOUTH: [&str; 24] = [
    "青春路",
    "开放路",
    "湖光路",
    "东关路",
    "西关路",
    "迎宾路",
    "车站路",
    "龙山路",
    "望怀路",
    "永泰路",
    "丽湖路",
    "于家园路",
    "南华园路",
    "凯丰路",
    "雁栖西路",
    "乐园大街",
    "金台园路",
    "杨家园路",
    "北园路",
    "富乐北路",
    "滨湖路",
    "红螺路",
    "怀柔大街",
    "新开路",
];

/// Steps between raster cells: the 8 neighbours and the 8 knight's moves, so routes can run
/// in 16 directions instead of bending only at multiples of 45°.
const MOVES: [(i64, i64); 16] = [
    (-1, 0),
    (1, 0),
    (0, -1),
    (0, 1),
    (-1, -1),
    (1, -1),
    (-1, 1),
    (1, 1),
    (-2, -1),
    (-2, 1),
    (2, -1),
    (2, 1),
    (-1, -2),
    (1, -2),
    (-1, 2),
    (1, 2),
];

/// The route over the raster between cells, A* over [`MOVES`].
struct Router<'w> {
    world: &'w World,
    best: Vec<f64>,
    from: Vec<u32>,
    seen: Vec<u32>,
    stamp: u32,
}

/// A total order on non-negative costs (their IEEE bits are monotone).
fn key(c: f64) -> u64 {
    c.max(0.0).to_bits()
}

impl<'w> Router<'w> {
    fn new(world: &'w World) -> Self {
        let n = world.raster.nx * world.raster.ny;
        Self { world, best: vec![0.0; n], from: vec![u32::MAX; n], seen: vec![0; n], stamp: 0 }
    }

    /// The nearest cell to `c` that `cost` allows, within 12 cells.
    fn cell_near(&self, c: Coord<f64>, cost: &[f32]) -> Option<usize> {
        let r = &self.world.raster;
        let (fx, fy) = ((c.x - r.origin.x) / CELL_DEG, (c.y - r.origin.y) / CELL_DEG);
        let (cx, cy) = (fx.floor() as i64, fy.floor() as i64);
        let mut best: Option<(f64, usize)> = None;
        for dy in -12..=12i64 {
            for dx in -12..=12i64 {
                let (x, y) = (cx + dx, cy + dy);
                if x < 0 || y < 0 || x >= r.nx as i64 || y >= r.ny as i64 {
                    continue;
                }
                let k = y as usize * r.nx + x as usize;
                if !cost[k].is_finite() {
                    continue;
                }
                let d = (dx * dx + dy * dy) as f64;
                if best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, k));
                }
            }
        }
        best.map(|(_, k)| k)
    }

    fn route(&mut self, cost: &[f32], a: usize, b: usize) -> Option<Vec<usize>> {
        let r = &self.world.raster;
        let (nx, ny) = (r.nx as i64, r.ny as i64);
        let (mx, my) = (CELL_DEG * self.world.scale.0, CELL_DEG * self.world.scale.1);
        let min_cost = cost.iter().copied().filter(|c| c.is_finite()).fold(f32::INFINITY, f32::min) as f64;
        let (bx, by) = ((b as i64 % nx) as f64, (b as i64 / nx) as f64);
        let h = |k: usize| {
            let (x, y) = ((k as i64 % nx) as f64, (k as i64 / nx) as f64);
            ((x - bx) * mx).hypot((y - by) * my) * min_cost
        };
        self.stamp += 1;
        let stamp = self.stamp;
        let mut heap = BinaryHeap::new();
        self.best[a] = 0.0;
        self.from[a] = u32::MAX;
        self.seen[a] = stamp;
        heap.push(Reverse((key(h(a)), a)));
        while let Some(Reverse((_, k))) = heap.pop() {
            if k == b {
                let mut path = vec![b];
                let mut cur = b;
                while self.from[cur] != u32::MAX {
                    cur = self.from[cur] as usize;
                    path.push(cur);
                }
                path.reverse();
                return Some(path);
            }
            let g = self.best[k];
            let (x, y) = (k as i64 % nx, k as i64 / nx);
            for (dx, dy) in MOVES {
                let (x2, y2) = (x + dx, y + dy);
                if x2 < 0 || y2 < 0 || x2 >= nx || y2 >= ny {
                    continue;
                }
                let k2 = (y2 * nx + x2) as usize;
                let c2 = cost[k2];
                if !c2.is_finite() {
                    continue;
                }
                // A knight's move crosses two more cells: both must be passable, and count.
                let mut through = f64::from(cost[k]) + f64::from(c2);
                let mut cells = 2.0;
                if dx.abs() == 2 || dy.abs() == 2 {
                    let (a, b) = if dx.abs() == 2 {
                        ((x + dx / 2, y), (x + dx / 2, y + dy))
                    } else {
                        ((x, y + dy / 2), (x + dx, y + dy / 2))
                    };
                    let ca = cost[(a.1 * nx + a.0) as usize];
                    let cb = cost[(b.1 * nx + b.0) as usize];
                    if !(ca.is_finite() && cb.is_finite()) {
                        continue;
                    }
                    through += f64::from(ca) + f64::from(cb);
                    cells = 4.0;
                }
                let step = ((dx as f64) * mx).hypot((dy as f64) * my) * through / cells;
                let g2 = g + step;
                if self.seen[k2] != stamp || g2 < self.best[k2] {
                    self.seen[k2] = stamp;
                    self.best[k2] = g2;
                    self.from[k2] = k as u32;
                    heap.push(Reverse((key(g2 + h(k2)), k2)));
                }
            }
        }
        None
    }

    /// A smooth line through `waypoints` over `cost`: routed cell to cell, smoothed, simplified
    /// to `tolerance_m`, and cut where it would leave the district. Pieces of 2+ vertices.
    fn line(&mut self, cost: &[f32], waypoints: &[Coord<f64>], tolerance_m: f64) -> Vec<LineString<f64>> {
        let mut cells: Vec<usize> = Vec::new();
        let ends: Vec<usize> = waypoints.iter().filter_map(|&w| self.cell_near(w, cost)).collect();
        for pair in ends.windows(2) {
            if pair[0] == pair[1] {
                continue;
            }
            let Some(path) = self.route(cost, pair[0], pair[1]) else { continue };
            if cells.last() == path.first() {
                cells.extend_from_slice(&path[1..]);
            } else {
                cells.extend(path);
            }
        }
        if cells.len() < 2 {
            return Vec::new();
        }
        // Each cell's point is shifted within the cell by a fixed amount of its own, so that
        // straight runs of cells give lines that wander like surveyed ones, not ruled ones.
        let n = cells.len();
        let raw: LineString<f64> = cells
            .iter()
            .enumerate()
            .map(|(i, &k)| {
                let c = self.world.raster.centre(k);
                if i == 0 || i + 1 == n {
                    return c;
                }
                let jx = pair_noise(k as u32, 1, 0x6a09) - 0.5;
                let jy = pair_noise(k as u32, 2, 0x6a09) - 0.5;
                Coord { x: c.x + jx * 0.6 * CELL_DEG, y: c.y + jy * 0.6 * CELL_DEG }
            })
            .collect();
        let smooth = raw.chaikin_smoothing(3).simplify(tolerance_m / self.world.scale.1);
        let coords: Vec<Coord<f64>> = smooth.0.into_iter().map(round).collect();
        split_inside(self.world, coords)
    }
}

/// `coords` cut into the runs whose every segment lies inside the district.
fn split_inside(world: &World, mut coords: Vec<Coord<f64>>) -> Vec<LineString<f64>> {
    coords.dedup();
    let mut out = Vec::new();
    let mut run: Vec<Coord<f64>> = Vec::new();
    for w in coords.windows(2) {
        if world.segment_inside(w[0], w[1]) {
            if run.is_empty() {
                run.push(w[0]);
            }
            run.push(w[1]);
        } else if run.len() >= 2 {
            out.push(LineString(std::mem::take(&mut run)));
        } else {
            run.clear();
        }
    }
    if run.len() >= 2 {
        out.push(LineString(run));
    }
    out
}

/// Terrain roughness in [0, 1) at `c`: smooth noise on a ~3 km lattice (valleys are low).
fn terrain(c: Coord<f64>, salt: u64) -> f64 {
    const PER_DEG: f64 = 111.195 / 3.0; // lattice points per degree of latitude (3 km apart)
    0.65 * value_noise(c.x * 0.7585 * PER_DEG, c.y * PER_DEG, salt)
        + 0.35 * value_noise(c.x * 0.7585 * PER_DEG * 3.0, c.y * PER_DEG * 3.0, salt ^ 0x9e37)
}

/// Generates the network.
pub fn generate(world: &World, rng: &mut ChaCha8Rng) -> Network {
    let salt: u64 = rng.random();
    let r = &world.raster;
    let n = r.nx * r.ny;
    let mountain = |k: usize| r.density[k] < 1.6;
    // Rivers: through the water (they feed the reservoirs), along the valleys.
    let river_cost: Vec<f32> = (0..n)
        .map(|k| {
            if r.inside[k] < 5 {
                return f32::INFINITY;
            }
            let c = r.centre(k);
            let t = terrain(c, salt);
            let base = if world.water.contains(c) { 0.05 } else { 0.15 + t * t * 3.0 };
            base as f32
        })
        .collect();
    let mut router = Router::new(world);
    let mut rivers = Vec::new();
    for (name, course) in RIVERS {
        let pts: Vec<Coord<f64>> = course.iter().map(|&(x, y)| Coord { x, y }).collect();
        for line in router.line(&river_cost, &pts, 12.0) {
            rivers.push(River { name: name.to_string(), main: true, line });
        }
    }
    // Mountain streams: from a source down to the nearest point of a river.
    let river_points: Vec<Coord<f64>> = rivers.iter().flat_map(|r| r.line.0.iter().copied()).collect();
    let sources = world.sampler(-2.0);
    let mut used_names: BTreeSet<String> = rivers.iter().map(|r| r.name.clone()).collect();
    let mut streams = 0;
    let mut attempts = 0;
    while streams < STREAMS && attempts < 400 && !river_points.is_empty() {
        attempts += 1;
        let source = world.sample(&sources, rng);
        let mouth = river_points
            .iter()
            .copied()
            .min_by(|a, b| {
                let da = (a.x - source.at.x).powi(2) + (a.y - source.at.y).powi(2);
                let db = (b.x - source.at.x).powi(2) + (b.y - source.at.y).powi(2);
                da.total_cmp(&db)
            })
            .unwrap_or(source.at);
        let km = super::super::mesh::distance_km(source.at, mouth);
        if !(2.0..=12.0).contains(&km) {
            continue;
        }
        let place = world.unit(source.leaf).place.trim_end_matches('村').to_string();
        let Some(name) = ["沟", "北沟", "南沟", "东沟", "西沟", "大沟", "后沟"]
            .iter()
            .map(|s| format!("{place}{s}"))
            .find(|n| !used_names.contains(n))
        else {
            continue;
        };
        let lines = router.line(&river_cost, &[source.at, mouth], 10.0);
        if lines.is_empty() {
            continue;
        }
        used_names.insert(name.clone());
        for line in lines {
            rivers.push(River { name: name.clone(), main: false, line });
        }
        streams += 1;
    }

    // Roads: valleys and river banks are cheap, water dear, the plain smooth.
    let mut near_river = vec![false; n];
    for river in &rivers {
        for c in &river.line.0 {
            if let Some(k) = r.cell(*c) {
                near_river[k] = true;
            }
        }
    }
    let road_cost = |smooth: f64| -> Vec<f32> {
        (0..n)
            .map(|k| {
                if r.inside[k] < 5 {
                    return f32::INFINITY;
                }
                let c = r.centre(k);
                let t = terrain(c, salt ^ 0x51);
                let rough = if mountain(k) { 5.0 } else { 0.8 } * smooth;
                let mut cost = 1.0 + rough * t * t;
                if near_river[k] {
                    cost *= 0.6;
                }
                if world.water.contains(c) {
                    cost *= 40.0;
                }
                cost as f32
            })
            .collect()
    };
    let trunk_cost = road_cost(0.4);
    let local_cost = road_cost(1.0);
    let mut roads = Vec::new();
    for (name, class, reference, course) in TRUNKS {
        let pts: Vec<Coord<f64>> = course.iter().map(|&(x, y)| Coord { x, y }).collect();
        for line in router.line(&trunk_cost, &pts, 8.0) {
            roads.push(Road { name: name.to_string(), class, reference, line });
        }
    }
    let mut names: BTreeSet<String> = roads.iter().map(|r| r.name.clone()).collect();
    // County roads: a spanning tree over the district seat and the township seats outside it.
    let mut seats: Vec<(String, Coord<f64>)> =
        vec![("怀柔".to_string(), Coord { x: geography::CITY.0, y: geography::CITY.1 })];
    for t in &geography::TOWNSHIPS {
        let Some(township) = world.hierarchy().township_by_code(t.code) else { continue };
        let short = short_township(&township.name);
        if ["泉河", "龙山", "怀柔", "北京雁栖经济开发区"].contains(&short.as_str()) {
            continue;
        }
        seats.push((short, Coord { x: t.anchor.0, y: t.anchor.1 }));
    }
    for (a, b) in spanning_edges(&seats.iter().map(|s| s.1).collect::<Vec<_>>(), 4) {
        let name = road_name(&seats[a].0, &seats[b].0, &mut names);
        for line in router.line(&local_cost, &[seats[a].1, seats[b].1], 10.0) {
            roads.push(Road { name: name.clone(), class: RoadClass::County, reference: None, line });
        }
    }
    // Township roads: a spanning tree over the villages plus shortcuts.
    let villages: Vec<&super::world::Unit> = world.units.iter().filter(|u| u.kind == "village").collect();
    let anchors: Vec<Coord<f64>> = villages.iter().map(|u| u.anchor).collect();
    for (a, b) in spanning_edges(&anchors, 60) {
        let name = road_name(&villages[a].place, &villages[b].place, &mut names);
        for line in router.line(&local_cost, &[anchors[a], anchors[b]], 10.0) {
            roads.push(Road { name: name.clone(), class: RoadClass::Township, reference: None, line });
        }
    }
    roads.extend(street_grids(world, rng));
    let road_index = RTree::bulk_load(segments(roads.iter().map(|r| &r.line)));
    Network { roads, rivers, road_index }
}

/// Every segment of `lines`, tagged with the number of the line it belongs to, for an R-tree.
fn segments<'a>(lines: impl Iterator<Item = &'a LineString<f64>>) -> Vec<GeomWithData<RLine<[f64; 2]>, u32>> {
    lines
        .enumerate()
        .flat_map(|(i, line)| {
            line.lines()
                .map(move |l| GeomWithData::new(RLine::new([l.start.x, l.start.y], [l.end.x, l.end.y]), i as u32))
        })
        .collect()
}

/// `泉河街道` → `泉河`, `喇叭沟门满族乡` → `喇叭沟门`, `杨宋镇` → `杨宋`.
pub fn short_township(name: &str) -> String {
    let mut s = name.to_string();
    for suffix in ["满族乡", "街道", "地区", "镇", "乡"] {
        if let Some(t) = s.strip_suffix(suffix) {
            s = t.to_string();
            break;
        }
    }
    s
}

/// A road between places named the way Beijing's rural roads are: the first character of each
/// end (`范各庄`–`崎峰茶` → `范崎路`); `甲乙公路`, then `甲至乙路` when taken.
fn road_name(a: &str, b: &str, taken: &mut BTreeSet<String>) -> String {
    let first = |s: &str| s.chars().next().unwrap_or('新');
    let a_short = a.trim_end_matches('村');
    let b_short = b.trim_end_matches('村');
    let candidates = [
        format!("{}{}路", first(a), first(b)),
        format!("{}{}公路", first(a), first(b)),
        format!("{}{}路", first(b), first(a)),
        format!("{a_short}至{b_short}路"),
        format!("{a_short}至{b_short}公路"),
    ];
    let name = candidates
        .iter()
        .find(|c| !taken.contains(*c))
        .cloned()
        .unwrap_or_else(|| format!("{a_short}至{b_short}{}号路", taken.len()));
    taken.insert(name.clone());
    name
}

/// The edges of a minimum spanning tree over `points` (Prim, equirectangular distance), then
/// the `extra` shortest edges between points not yet joined directly (each under 8 km).
fn spanning_edges(points: &[Coord<f64>], extra: usize) -> Vec<(usize, usize)> {
    let n = points.len();
    if n < 2 {
        return Vec::new();
    }
    let d = |a: usize, b: usize| super::super::mesh::distance_km(points[a], points[b]);
    let mut in_tree = vec![false; n];
    let mut best = vec![(f64::INFINITY, usize::MAX); n];
    let mut edges = BTreeSet::new();
    in_tree[0] = true;
    for (j, b) in best.iter_mut().enumerate().skip(1) {
        *b = (d(0, j), 0);
    }
    for _ in 1..n {
        let Some(next) =
            (0..n).filter(|&j| !in_tree[j]).min_by(|&a, &b| best[a].0.total_cmp(&best[b].0).then(a.cmp(&b)))
        else {
            break;
        };
        in_tree[next] = true;
        let (_, from) = best[next];
        edges.insert((from.min(next), from.max(next)));
        for j in 0..n {
            if !in_tree[j] {
                let dj = d(next, j);
                if dj < best[j].0 {
                    best[j] = (dj, next);
                }
            }
        }
    }
    // Shortcuts: for each point its nearest neighbour not already joined to it.
    let mut candidates: BTreeMap<(u64, usize, usize), ()> = BTreeMap::new();
    for a in 0..n {
        for b in a + 1..n {
            let km = d(a, b);
            if km < 8.0 && !edges.contains(&(a, b)) {
                candidates.insert((key(km), a, b), ());
            }
        }
    }
    let mut degree = vec![0usize; n];
    for &(a, b) in &edges {
        degree[a] += 1;
        degree[b] += 1;
    }
    let mut added = 0;
    for &(_, a, b) in candidates.keys() {
        if added == extra {
            break;
        }
        // Prefer joining dead ends, as real shortcuts do.
        if degree[a] <= 2 || degree[b] <= 2 {
            edges.insert((a, b));
            degree[a] += 1;
            degree[b] += 1;
            added += 1;
        }
    }
    edges.into_iter().collect()
}

/// The street grids of the district seat and the plain towns: straight streets through the
/// nodes of a slightly rotated lattice, where the town is dense enough, cut at water.
fn street_grids(world: &World, rng: &mut ChaCha8Rng) -> Vec<Road> {
    let mut roads = Vec::new();
    let mut towns: Vec<(String, Coord<f64>, i64, f64, f64)> =
        vec![("".to_string(), Coord { x: geography::CITY.0, y: geography::CITY.1 }, 10, 360.0, 16.0)];
    for (name, t) in TOWN_NAMES.iter().zip(TOWNS) {
        towns.push((name.to_string(), Coord { x: t.0, y: t.1 }, 3, 300.0, 5.5));
    }
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for (town, centre, half, spacing, min_density) in towns {
        let angle: f64 = (rng.random::<f64>() - 0.5) * 0.35;
        let (s, c) = angle.sin_cos();
        let node = |i: i64, j: i64| -> Coord<f64> {
            let (x, y) = (i as f64 * spacing, j as f64 * spacing);
            round(Coord {
                x: centre.x + (x * c - y * s) / world.scale.0,
                y: centre.y + (x * s + y * c) / world.scale.1,
            })
        };
        let ok = |p: Coord<f64>| geography::density(p) >= min_density && world.spot(p).is_some();
        let mut row_names = SEAT_EAST_WEST.iter();
        let mut col_names = SEAT_NORTH_SOUTH.iter();
        let town_suffixes_ew = ["大街", "南街", "北街", "中街", "后街", "前街", "东西街"];
        let town_suffixes_ns = ["路", "东路", "西路", "中路", "南北路", "新路", "环路"];
        for horizontal in [true, false] {
            for j in -half..=half {
                let pts: Vec<Coord<f64>> =
                    (-half..=half).map(|i| if horizontal { node(i, j) } else { node(j, i) }).collect();
                let mut runs: Vec<Vec<Coord<f64>>> = Vec::new();
                let mut run = Vec::new();
                for w in pts.windows(2) {
                    let mid = Coord { x: (w[0].x + w[1].x) / 2.0, y: (w[0].y + w[1].y) / 2.0 };
                    if ok(w[0]) && ok(w[1]) && world.spot(mid).is_some() && world.segment_inside(w[0], w[1]) {
                        if run.is_empty() {
                            run.push(w[0]);
                        }
                        run.push(w[1]);
                    } else if !run.is_empty() {
                        runs.push(std::mem::take(&mut run));
                    }
                }
                if !run.is_empty() {
                    runs.push(run);
                }
                if runs.is_empty() {
                    continue;
                }
                let name = if town.is_empty() {
                    let pool = if horizontal { &mut row_names } else { &mut col_names };
                    pool.next().map(|s| s.to_string())
                } else {
                    let suffixes = if horizontal { &town_suffixes_ew } else { &town_suffixes_ns };
                    suffixes.iter().map(|s| format!("{town}{s}")).find(|n| !taken.contains(n))
                };
                let Some(name) = name else { continue };
                taken.insert(name.clone());
                for r in runs {
                    roads.push(Road {
                        name: name.clone(),
                        class: RoadClass::Urban,
                        reference: None,
                        line: LineString(r),
                    });
                }
            }
        }
    }
    roads
}

/// The four road layers and the two water-course layers.
pub fn layers(world: &World, net: &Network) -> Vec<Layer> {
    let groups: [(&str, &str, &[RoadClass]); 4] = [
        ("hr_road_highway", "高速公路", &[RoadClass::Highway]),
        ("hr_road_trunk", "国道省道", &[RoadClass::National, RoadClass::Provincial]),
        ("hr_road_rural", "县乡道路", &[RoadClass::County, RoadClass::Township]),
        ("hr_road_urban", "城市道路", &[RoadClass::Urban]),
    ];
    let mut out = Vec::new();
    for (id, name, classes) in groups {
        let features = net
            .roads
            .iter()
            .filter(|r| classes.contains(&r.class))
            .map(|r| {
                let (lanes, width) = r.class.section();
                let surface = if r.class == RoadClass::Township && lanes <= 2 { "水泥" } else { "沥青" };
                Feature {
                    geometry: geo_types::Geometry::LineString(r.line.clone()),
                    properties: vec![
                        ("name".into(), text(&r.name)),
                        ("class".into(), text(r.class.label())),
                        ("ref".into(), r.reference.map_or(Value::Null, text)),
                        ("lanes".into(), Value::Int(lanes)),
                        ("width_m".into(), Value::Float(width)),
                        ("surface".into(), text(surface)),
                        ("length_m".into(), Value::Float(length_m(&r.line, world.scale))),
                        ("township".into(), text(&township_at(world, &r.line))),
                    ],
                }
            })
            .collect();
        out.push(Layer { meta: meta(id, name, "交通"), features });
    }
    for (id, name, main) in [("hr_river", "河流", true), ("hr_stream", "山区沟道", false)] {
        let features = net
            .rivers
            .iter()
            .filter(|r| r.main == main)
            .map(|r| Feature {
                geometry: geo_types::Geometry::LineString(r.line.clone()),
                properties: vec![
                    ("name".into(), text(&r.name)),
                    ("class".into(), text(if main { "河流" } else { "沟道" })),
                    ("length_m".into(), Value::Float(length_m(&r.line, world.scale))),
                    ("township".into(), text(&township_at(world, &r.line))),
                ],
            })
            .collect();
        out.push(Layer { meta: meta(id, name, "水系"), features });
    }
    out
}

/// How far along `ls` (metres from its first vertex) the point of it nearest `c` lies: what
/// house numbers increase with.
pub fn segment_position(ls: &LineString<f64>, c: Coord<f64>, scale: (f64, f64)) -> f64 {
    let mut start = 0.0;
    let mut best = (f64::INFINITY, 0.0);
    for l in ls.lines() {
        let (dx, dy) = ((l.end.x - l.start.x) * scale.0, (l.end.y - l.start.y) * scale.1);
        let len = dx.hypot(dy);
        let (px, py) = ((c.x - l.start.x) * scale.0, (c.y - l.start.y) * scale.1);
        let t = if len > 0.0 { ((px * dx + py * dy) / (len * len)).clamp(0.0, 1.0) } else { 0.0 };
        let d = (px - t * dx).hypot(py - t * dy);
        if d < best.0 {
            best = (d, start + t * len);
        }
        start += len;
    }
    best.1
}

/// Length in metres, to the decimetre.
pub fn length_m(ls: &LineString<f64>, scale: (f64, f64)) -> f64 {
    let m: f64 = ls.lines().map(|l| ((l.end.x - l.start.x) * scale.0).hypot((l.end.y - l.start.y) * scale.1)).sum();
    (m * 10.0).round() / 10.0
}

/// The township at a line's middle vertex.
pub fn township_at(world: &World, ls: &LineString<f64>) -> String {
    let mid = ls.0[ls.0.len() / 2];
    world.locate(mid).map(|id| world.unit(id).township.clone()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn road_names_follow_the_first_character_rule() {
        let mut taken = BTreeSet::new();
        assert_eq!(road_name("范各庄村", "崎峰茶村", &mut taken), "范崎路");
        assert_eq!(road_name("范各庄村", "崎峰茶村", &mut taken), "范崎公路");
        assert_eq!(road_name("范各庄村", "崎峰茶村", &mut taken), "崎范路");
        assert_eq!(road_name("范各庄村", "崎峰茶村", &mut taken), "范各庄至崎峰茶路");
        assert_eq!(short_township("喇叭沟门满族乡"), "喇叭沟门");
        assert_eq!(short_township("泉河街道"), "泉河");
    }

    #[test]
    fn spanning_tree_joins_everything() {
        let pts: Vec<Coord<f64>> =
            (0..20).map(|i| Coord { x: 116.5 + (i % 5) as f64 * 0.01, y: 40.3 + (i / 5) as f64 * 0.01 }).collect();
        let edges = spanning_edges(&pts, 0);
        assert_eq!(edges.len(), 19);
        let mut parent: Vec<usize> = (0..20).collect();
        fn find(p: &mut Vec<usize>, x: usize) -> usize {
            if p[x] != x {
                let r = find(p, p[x]);
                p[x] = r;
            }
            p[x]
        }
        for (a, b) in edges {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            parent[ra] = rb;
        }
        let root = find(&mut parent, 0);
        assert!((0..20).all(|i| find(&mut parent, i) == root));
    }
}
