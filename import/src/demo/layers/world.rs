//! What every family of thematic layers places its features against: the grids (to locate a
//! point, name its place and code it), where people live (to sample points the way real
//! things are spread), the district's outline (so nothing leaves it), and the water and park
//! polygons drawn so far (so nothing is built in a reservoir).

use geo::{BoundingRect, Contains, InteriorPoint, Intersects};
use geo_types::{Coord, Line, LineString, MultiPolygon, Polygon, Rect};
use gridgis_engine::{Engine, GridId, Hierarchy, metres_per_degree};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::super::geography;
use super::super::{DemoError, DemoGrids};

/// Side of a raster cell in degrees (about 210 m east–west by 280 m north–south): fine enough
/// to resolve the 2 km density peak of the district seat and the valleys roads follow, coarse
/// enough that routing over it stays in milliseconds.
pub const CELL_DEG: f64 = 0.0025;

/// A level-1 grid (village, community, city street or the development zone): the place names
/// come from.
#[derive(Clone, Debug)]
pub struct Unit {
    /// Its grid.
    pub id: GridId,
    /// 12-digit code.
    pub code: String,
    /// Everyday name as a place: `桥梓村`, `富乐社区`, `东关路`, `雁栖经济开发区`.
    pub place: String,
    /// `village`, `community`, `city_street` or `dev_zone`.
    pub kind: String,
    /// The township's name, e.g. `桥梓镇`.
    pub township: String,
    /// A point well inside it (its "centre": the village square, the community office).
    pub anchor: Coord<f64>,
}

impl Unit {
    /// The unit's committee as a department name: `桥梓村村委会`, `富乐社区居委会`.
    pub fn committee(&self) -> String {
        match self.kind.as_str() {
            "village" => format!("{}村委会", self.place),
            "community" => format!("{}居委会", self.place),
            "dev_zone" => "雁栖经济开发区管委会".to_string(),
            _ => format!("{}办事处", self.township),
        }
    }
}

/// A located point: where it is and which leaf grid holds it.
#[derive(Clone, Copy, Debug)]
pub struct Spot {
    /// Longitude, latitude.
    pub at: Coord<f64>,
    /// The finest grid containing it.
    pub leaf: GridId,
}

/// Polygons with an R-tree over their boxes, for "is this point in water (or a park)?".
#[derive(Default)]
pub struct Mask {
    polygons: Vec<Polygon<f64>>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, u32>>,
}

impl Mask {
    /// Adds polygons.
    pub fn extend(&mut self, polygons: impl IntoIterator<Item = Polygon<f64>>) {
        self.polygons.extend(polygons);
        let boxes = self
            .polygons
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                p.bounding_rect().map(|r| {
                    GeomWithData::new(Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]), i as u32)
                })
            })
            .collect();
        self.tree = RTree::bulk_load(boxes);
    }

    /// True when `c` lies in one of the polygons.
    pub fn contains(&self, c: Coord<f64>) -> bool {
        self.tree.locate_all_at_point(&[c.x, c.y]).any(|g| self.polygons[g.data as usize].contains(&c))
    }

    /// True when a disc of `radius` metres around `c` meets one of the polygons.
    pub fn meets_disc(&self, c: Coord<f64>, radius: f64, scale: (f64, f64)) -> bool {
        let (rx, ry) = (radius / scale.0, radius / scale.1);
        let env = AABB::from_corners([c.x - rx, c.y - ry], [c.x + rx, c.y + ry]);
        self.tree.locate_in_envelope_intersecting(&env).any(|g| {
            let p = &self.polygons[g.data as usize];
            p.contains(&c)
                || std::iter::once(p.exterior())
                    .chain(p.interiors())
                    .any(|ring| ring.lines().any(|l| segment_distance_m(c, l.start, l.end, scale) < radius))
        })
    }
}

/// Distance in metres from `p` to segment `ab`, on the local plane with `scale` metres per
/// degree (x, y).
pub fn segment_distance_m(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>, scale: (f64, f64)) -> f64 {
    let (ax, ay) = ((a.x - p.x) * scale.0, (a.y - p.y) * scale.1);
    let (bx, by) = ((b.x - p.x) * scale.0, (b.y - p.y) * scale.1);
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    (ax + t * dx).hypot(ay + t * dy)
}

/// Weights over the raster's cells to draw points from: where `weight(cell)` is large, many
/// points land.
pub struct Sampler {
    cells: Vec<u32>,
    cumulative: Vec<f64>,
}

/// The raster over the district's bounding box: for each cell its density and how much of it
/// lies inside the district.
pub struct Raster {
    /// South-west corner.
    pub origin: Coord<f64>,
    /// Columns.
    pub nx: usize,
    /// Rows.
    pub ny: usize,
    /// Relative density of people at each cell's centre ([`geography::density`]).
    pub density: Vec<f64>,
    /// Of the cell's centre and four corners, how many are inside the district (0–5).
    pub inside: Vec<u8>,
}

impl Raster {
    /// The centre of cell `i`.
    pub fn centre(&self, i: usize) -> Coord<f64> {
        let (cx, cy) = (i % self.nx, i / self.nx);
        Coord { x: self.origin.x + (cx as f64 + 0.5) * CELL_DEG, y: self.origin.y + (cy as f64 + 0.5) * CELL_DEG }
    }

    /// The cell containing `c`, if in the raster.
    pub fn cell(&self, c: Coord<f64>) -> Option<usize> {
        let (fx, fy) = ((c.x - self.origin.x) / CELL_DEG, (c.y - self.origin.y) / CELL_DEG);
        if fx < 0.0 || fy < 0.0 {
            return None;
        }
        let (cx, cy) = (fx as usize, fy as usize);
        (cx < self.nx && cy < self.ny).then_some(cy * self.nx + cx)
    }
}

/// The shared context of all families.
pub struct World {
    engine: Engine,
    /// The district's bounding box.
    pub bbox: Rect<f64>,
    boundary: RTree<GeomWithData<rstar::primitives::Line<[f64; 2]>, ()>>,
    /// The level-1 grids, in code order.
    pub units: Vec<Unit>,
    unit_of: Vec<u32>,
    /// Metres per degree of longitude and latitude at the district's mean latitude (40.65N;
    /// over the district's 0.8° of latitude the scale changes by under 1%).
    pub scale: (f64, f64),
    /// Density and inside-ness per cell.
    pub raster: Raster,
    /// Lakes, reservoirs and ponds: nothing is built or placed in them.
    pub water: Mask,
    /// Parks and scenic areas: no buildings in them.
    pub green: Mask,
}

impl World {
    /// Indexes the demo grids.
    pub fn new(demo: &DemoGrids) -> Result<Self, DemoError> {
        let hierarchy = Hierarchy::new(demo.grids.clone(), demo.townships.clone())?;
        let engine = Engine::new(hierarchy);
        let h = engine.hierarchy();
        // The generator cuts one district; a city is made of copies of it afterwards.
        let &[root] = h.roots() else {
            return Err(DemoError::Geometry(format!("{} districts; the layers are made for one", h.roots().len())));
        };
        let district = &h.grid(root).geometry;
        let bbox = district.bounding_rect().ok_or_else(|| DemoError::Geometry("empty district".into()))?;
        let segments = district
            .0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|ring| ring.lines())
            .map(|l| GeomWithData::new(rstar::primitives::Line::new([l.start.x, l.start.y], [l.end.x, l.end.y]), ()))
            .collect();
        let mut units = Vec::new();
        let mut unit_of = vec![u32::MAX; h.len()];
        for (id, g) in h.grids().iter().enumerate() {
            if g.level != 1 {
                continue;
            }
            let township = h.township(id as GridId).map(|t| t.name.clone()).unwrap_or_default();
            let place = match g.kind.as_str() {
                "city_street" => g.name.trim_end_matches("城市街巷").to_string(),
                "dev_zone" => "雁栖经济开发区".to_string(),
                _ => g.name.clone(),
            };
            let anchor = anchor_of(&g.geometry);
            unit_of[id] = units.len() as u32;
            units.push(Unit { id: id as GridId, code: g.code.clone(), place, kind: g.kind.clone(), township, anchor });
        }
        // Every grid below level 1 takes its level-1 ancestor's unit.
        for id in 0..h.len() {
            if let Some(a) = h.ancestor_at(id as GridId, 1) {
                unit_of[id] = unit_of[a as usize];
            }
        }
        let scale = metres_per_degree(40.65);
        let mut world = Self {
            engine,
            bbox,
            boundary: RTree::bulk_load(segments),
            units,
            unit_of,
            scale,
            raster: Raster { origin: bbox.min(), nx: 0, ny: 0, density: Vec::new(), inside: Vec::new() },
            water: Mask::default(),
            green: Mask::default(),
        };
        world.raster = world.build_raster();
        Ok(world)
    }

    fn build_raster(&self) -> Raster {
        let origin = Coord { x: self.bbox.min().x - CELL_DEG, y: self.bbox.min().y - CELL_DEG };
        let nx = (self.bbox.width() / CELL_DEG).ceil() as usize + 2;
        let ny = (self.bbox.height() / CELL_DEG).ceil() as usize + 2;
        // Corner flags once, shared by the four cells around each corner.
        let corner_in: Vec<bool> = (0..(nx + 1) * (ny + 1))
            .map(|k| {
                let (i, j) = (k % (nx + 1), k / (nx + 1));
                self.locate(Coord { x: origin.x + i as f64 * CELL_DEG, y: origin.y + j as f64 * CELL_DEG }).is_some()
            })
            .collect();
        let mut raster = Raster { origin, nx, ny, density: vec![0.0; nx * ny], inside: vec![0; nx * ny] };
        for k in 0..nx * ny {
            let (i, j) = (k % nx, k / nx);
            let c = raster.centre(k);
            let corners = [(i, j), (i + 1, j), (i, j + 1), (i + 1, j + 1)];
            let n = corners.iter().filter(|&&(a, b)| corner_in[b * (nx + 1) + a]).count()
                + usize::from(self.locate(c).is_some());
            raster.inside[k] = n as u8;
            raster.density[k] = geography::density(c);
        }
        raster
    }

    /// The hierarchy.
    pub fn hierarchy(&self) -> &Hierarchy {
        self.engine.hierarchy()
    }

    /// The leaf grid containing `c`, if `c` is inside the district.
    pub fn locate(&self, c: Coord<f64>) -> Option<GridId> {
        match self.engine.locate(c.x, c.y, 0.0) {
            Ok(l) if l.inside => Some(l.grid),
            _ => None,
        }
    }

    /// The code of grid `id`.
    pub fn code(&self, id: GridId) -> &str {
        &self.hierarchy().grid(id).code
    }

    /// The level-1 unit grid `id` belongs to.
    pub fn unit(&self, id: GridId) -> &Unit {
        &self.units[self.unit_of[id as usize] as usize]
    }

    /// True when segment `ab` lies inside the district: both ends inside and no crossing of
    /// its outline.
    pub fn segment_inside(&self, a: Coord<f64>, b: Coord<f64>) -> bool {
        if self.locate(a).is_none() || self.locate(b).is_none() {
            return false;
        }
        let env = AABB::from_corners([a.x.min(b.x), a.y.min(b.y)], [a.x.max(b.x), a.y.max(b.y)]);
        let seg = Line::new(a, b);
        !self.boundary.locate_in_envelope_intersecting(&env).any(|s| {
            let (p, q) = (s.geom().from, s.geom().to);
            seg.intersects(&Line::new(Coord { x: p[0], y: p[1] }, Coord { x: q[0], y: q[1] }))
        })
    }

    /// True when every segment of the closed ring or line `ls` lies inside the district.
    pub fn line_inside(&self, ls: &LineString<f64>) -> bool {
        ls.lines().all(|l| self.segment_inside(l.start, l.end))
    }

    /// A sampler drawing cells with probability ∝ density^`alpha` × the inside share of the cell.
    /// `alpha` > 1 concentrates on the towns, 0 is uniform, < 0 favours the mountains.
    pub fn sampler(&self, alpha: f64) -> Sampler {
        let mut cells = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0.0;
        for (k, (&d, &inside)) in self.raster.density.iter().zip(&self.raster.inside).enumerate() {
            if inside == 0 {
                continue;
            }
            total += d.powf(alpha) * f64::from(inside) / 5.0;
            cells.push(k as u32);
            cumulative.push(total);
        }
        Sampler { cells, cumulative }
    }

    /// A point drawn from `sampler`, inside the district and out of the water (the first
    /// unit's centre if 10,000 draws all miss, which no sampler of the district comes near).
    pub fn sample(&self, sampler: &Sampler, rng: &mut ChaCha8Rng) -> Spot {
        let total = sampler.cumulative.last().copied().unwrap_or(0.0);
        for _ in 0..10_000 {
            let u = rng.random::<f64>() * total;
            let at = sampler.cumulative.partition_point(|&c| c <= u).min(sampler.cells.len().saturating_sub(1));
            let centre = self.raster.centre(sampler.cells[at] as usize);
            let c = round(Coord {
                x: centre.x + (rng.random::<f64>() - 0.5) * CELL_DEG,
                y: centre.y + (rng.random::<f64>() - 0.5) * CELL_DEG,
            });
            if let Some(spot) = self.spot(c) {
                return spot;
            }
        }
        let unit = &self.units[0];
        Spot { at: unit.anchor, leaf: self.locate(unit.anchor).unwrap_or(unit.id) }
    }

    /// `c` located, if it is inside the district and out of the water.
    pub fn spot(&self, c: Coord<f64>) -> Option<Spot> {
        let leaf = self.locate(c)?;
        (!self.water.contains(c)).then_some(Spot { at: c, leaf })
    }

    /// A point near `unit`'s anchor (normal spread of `sigma_m` metres), inside that unit and
    /// out of the water; the anchor itself when 50 draws miss.
    pub fn near_anchor(&self, unit: &Unit, sigma_m: f64, rng: &mut ChaCha8Rng) -> Spot {
        for _ in 0..50 {
            let (dx, dy) = gaussian_pair(rng);
            let c = round(Coord {
                x: unit.anchor.x + dx * sigma_m / self.scale.0,
                y: unit.anchor.y + dy * sigma_m / self.scale.1,
            });
            if let Some(s) = self.spot(c).filter(|s| self.unit(s.leaf).id == unit.id) {
                return s;
            }
        }
        let leaf = self.locate(unit.anchor).unwrap_or(unit.id);
        Spot { at: unit.anchor, leaf }
    }

    /// A rectangular parcel (sides drawn in `size` metres, shrinking when it will not fit)
    /// centred on a point drawn from `sampler`, lying inside that point's leaf grid with a
    /// metre to spare, and out of the water.
    pub fn parcel(&self, sampler: &Sampler, size: (f64, f64), rng: &mut ChaCha8Rng) -> (Polygon<f64>, Spot) {
        let mut shrink = 1.0;
        loop {
            let spot = self.sample(sampler, rng);
            let w = (size.0 + rng.random::<f64>() * (size.1 - size.0)) * shrink;
            let h = (size.0 + rng.random::<f64>() * (size.1 - size.0)) * shrink;
            let radius = 0.5 * w.hypot(h);
            let leaf = &self.hierarchy().grid(spot.leaf).geometry;
            if min_distance_to_rings(leaf, spot.at, self.scale) > radius + 1.0
                && !self.water.meets_disc(spot.at, radius, self.scale)
            {
                let angle = (rng.random::<f64>() - 0.5) * 0.6;
                return (rectangle(spot.at, w, h, angle, self.scale), spot);
            }
            shrink = (shrink * 0.95).max(0.05);
        }
    }
}

/// Distance in metres from `c` to the nearest ring edge of `mp`.
pub fn min_distance_to_rings(mp: &MultiPolygon<f64>, c: Coord<f64>, scale: (f64, f64)) -> f64 {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|r| r.lines())
        .map(|l| segment_distance_m(c, l.start, l.end, scale))
        .fold(f64::INFINITY, f64::min)
}

/// A point well inside `mp`: its interior point (the middle of its widest horizontal chord),
/// or its box's centre for an empty geometry.
fn anchor_of(mp: &MultiPolygon<f64>) -> Coord<f64> {
    mp.interior_point().map(|p| p.0).or_else(|| mp.bounding_rect().map(|r| r.center())).unwrap_or_default()
}

/// Two independent standard normal draws (Box–Muller).
pub fn gaussian_pair(rng: &mut ChaCha8Rng) -> (f64, f64) {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random::<f64>();
    let r = (-2.0 * u1.ln()).sqrt();
    let t = std::f64::consts::TAU * u2;
    (r * t.cos(), r * t.sin())
}

/// Coordinates to 7 decimals (about a centimetre), as survey data is delivered.
pub fn round(c: Coord<f64>) -> Coord<f64> {
    Coord { x: (c.x * 1e7).round() / 1e7, y: (c.y * 1e7).round() / 1e7 }
}

/// A rectangle `w` × `h` metres centred at `c`, rotated by `angle` radians, as a closed
/// counter-clockwise ring, corners rounded to 7 decimals.
pub fn rectangle(c: Coord<f64>, w: f64, h: f64, angle: f64, scale: (f64, f64)) -> Polygon<f64> {
    let (s, co) = angle.sin_cos();
    let corners = [(-w / 2.0, -h / 2.0), (w / 2.0, -h / 2.0), (w / 2.0, h / 2.0), (-w / 2.0, h / 2.0)];
    let mut ring: Vec<Coord<f64>> = corners
        .iter()
        .map(|&(x, y)| round(Coord { x: c.x + (x * co - y * s) / scale.0, y: c.y + (x * s + y * co) / scale.1 }))
        .collect();
    ring.push(ring[0]);
    Polygon::new(LineString(ring), vec![])
}

/// An irregular blob: `n` vertices around `c` at radii `rx`, `ry` metres (an ellipse rotated
/// by `angle`) scaled by 1 ± `rough` of smooth noise; counter-clockwise, closed, rounded.
#[allow(clippy::too_many_arguments)]
pub fn blob(
    c: Coord<f64>,
    rx: f64,
    ry: f64,
    angle: f64,
    n: usize,
    rough: f64,
    scale: (f64, f64),
    rng: &mut ChaCha8Rng,
) -> Polygon<f64> {
    // Smooth radial noise: a few low harmonics with random phases.
    let harmonics: Vec<(f64, f64, f64)> = (2..6)
        .map(|k| (k as f64, rng.random::<f64>() * std::f64::consts::TAU, rng.random::<f64>() / k as f64))
        .collect();
    let norm: f64 = harmonics.iter().map(|h| h.2).sum::<f64>().max(1e-9);
    let (s, co) = angle.sin_cos();
    let mut ring: Vec<Coord<f64>> = (0..n)
        .map(|i| {
            let t = std::f64::consts::TAU * i as f64 / n as f64;
            let wobble: f64 = harmonics.iter().map(|&(k, ph, a)| a * (k * t + ph).sin()).sum::<f64>() / norm;
            let f = 1.0 + rough * wobble;
            let (x, y) = (rx * f * t.cos(), ry * f * t.sin());
            round(Coord { x: c.x + (x * co - y * s) / scale.0, y: c.y + (x * s + y * co) / scale.1 })
        })
        .collect();
    ring.dedup();
    let first = ring[0];
    ring.push(first);
    Polygon::new(LineString(ring), vec![])
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, Validation};
    use rand::SeedableRng;

    #[test]
    fn shapes_are_valid_and_sized() {
        let scale = metres_per_degree(40.65);
        let c = Coord { x: 116.6, y: 40.3 };
        let r = rectangle(c, 10.0, 20.0, 0.3, scale);
        assert!(r.is_valid());
        let area_m2 = r.unsigned_area() * scale.0 * scale.1;
        assert!((area_m2 - 200.0).abs() < 0.5, "{area_m2}");
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let b = blob(c, 300.0, 200.0, 0.5, 40, 0.3, scale, &mut rng);
        assert!(b.is_valid());
        let area_m2 = b.unsigned_area() * scale.0 * scale.1;
        let ellipse = std::f64::consts::PI * 300.0 * 200.0;
        assert!((area_m2 / ellipse - 1.0).abs() < 0.3, "{area_m2} vs {ellipse}");
    }

    #[test]
    fn segment_distance() {
        let scale = (1.0, 1.0);
        let p = Coord { x: 0.0, y: 1.0 };
        assert_eq!(segment_distance_m(p, Coord { x: -1.0, y: 0.0 }, Coord { x: 1.0, y: 0.0 }, scale), 1.0);
        assert_eq!(segment_distance_m(p, Coord { x: 3.0, y: 1.0 }, Coord { x: 5.0, y: 1.0 }, scale), 3.0);
    }
}
