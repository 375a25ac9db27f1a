//! The demo grid hierarchy: the district cut into its 17 townships, then level 1 (the real
//! village-level units plus city streets), and levels 2–4, each level a partition of the one
//! above, all unions of the same mesh cells.

use geo::{Area, Centroid};
use geo::{BoundingRect, Contains};
use geo_types::{Coord, MultiPolygon};
use gridgis_engine::{Grid, OUTSIDE, Topology, Township};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::grow::{Grower, centres, pair_noise, value_noise};
use super::mesh::{self, Mesh, NONE};
use super::naming::{self, CITY_STREET_FIRST_SEQUENCE, CITY_STREETS};
use super::reference::{self, Division};
use super::trace::{trace, trace_some};
use super::{DemoError, geography};

/// Grids per level, from the district's own report: the district, then levels 1–4.
pub const LEVEL_COUNTS: [usize; 5] = [1, 340, 1221, 4571, 1452];
/// How many level-3 grids are subdivided into the 1,452 level-4 grids: the densest (compounds
/// and buildings in town, where real grids go down to building units).
const SUBDIVIDED_LEVEL3: usize = 450;
/// Mesh cells per finest grid on average. Outline vertex counts grow with the square root of
/// this; 40 puts the finest grids at roughly 30–90 vertices.
const CELLS_PER_LEAF: f64 = 40.0;
/// Lloyd rounds (move each seed to its region's centre, regrow) before the final growth.
const LLOYD_ROUNDS: usize = 3;
/// Attempts at splitting one parent before giving up (each with fresh seeds).
const MAX_ATTEMPTS: u64 = 16;
/// Fewest outline vertices a grid of levels 1–4 may have.
pub const MIN_VERTICES: usize = 20;
/// Most outline vertices a grid of levels 1–4 may have.
pub const MAX_VERTICES: usize = 300;

/// The generated hierarchy: grids of all levels (level 0 first, then by level and code) and
/// the 17 townships.
#[derive(Debug)]
pub struct DemoGrids {
    /// All 7,585 grids (from [`super::write_city`], every district's).
    pub grids: Vec<Grid>,
    /// The 17 township-level units (from [`super::write_city`], every district's).
    pub townships: Vec<Township>,
    /// Number of mesh cells the grids were cut from.
    pub mesh_cells: usize,
    /// The thematic layers [`super::write_demo`] wrote besides the grids (zero here).
    pub thematic: super::ThematicCounts,
    /// The cases [`super::write_demo`] logged (zero here).
    pub cases: usize,
    /// The people on the roster [`super::write_demo`] wrote (zero here).
    pub staff: usize,
}

/// A region of one level while the hierarchy is being cut.
#[derive(Debug, Clone)]
struct Node {
    parent: u32,
    /// Stable identity for random streams, known before codes are: the parent's key and the
    /// child's position in growth order.
    key: String,
    code: String,
    name: String,
    kind: String,
    cells: Vec<u32>,
    population: f64,
    /// km².
    area: f64,
    centroid: Coord<f64>,
}

/// A ChaCha stream for one purpose, independent of the order other streams are used in.
pub(super) fn rng_for(seed: u64, tag: &str, key: &str, attempt: u64) -> ChaCha8Rng {
    // FNV-1a over the inputs: stable across platforms and releases, unlike `DefaultHasher`.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.to_le_bytes().iter().chain(tag.as_bytes()).chain(key.as_bytes()).chain(&attempt.to_le_bytes()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    ChaCha8Rng::seed_from_u64(h)
}

/// ∫ density dA over the district, in density·km², on a 200×200 sample grid (it only sets the
/// overall number of mesh cells).
fn integrate_density(district: &MultiPolygon<f64>) -> f64 {
    let Some(bbox) = district.bounding_rect() else { return 0.0 };
    let n = 200;
    let (w, h) = (bbox.width() / n as f64, bbox.height() / n as f64);
    let cell_km2 = mesh::distance_km(Coord { x: 0.0, y: bbox.center().y }, Coord { x: w, y: bbox.center().y })
        * mesh::distance_km(Coord { x: 0.0, y: 0.0 }, Coord { x: 0.0, y: h });
    let mut sum = 0.0;
    for i in 0..n {
        for j in 0..n {
            let p = Coord { x: bbox.min().x + (i as f64 + 0.5) * w, y: bbox.min().y + (j as f64 + 0.5) * h };
            if district.contains(&p) {
                sum += geography::density(p) * cell_km2;
            }
        }
    }
    sum
}

/// Splits `total` into `weights.len()` integers in `min..=max`, proportional to the weights
/// where the bounds allow (largest remainder, water-filling over the capped; ties to the lower
/// index).
fn allocate(total: usize, weights: &[f64], min: usize, max: usize) -> Result<Vec<usize>, DemoError> {
    let n = weights.len();
    if total < min * n || total > max * n {
        return Err(DemoError::Geometry(format!(
            "cannot give {n} parents {min}..={max} children each, {total} in all"
        )));
    }
    // Water-filling: find the scale at which clamp(w·scale) sums to `total`, by bisection.
    let fill = |scale: f64| -> Vec<f64> { weights.iter().map(|w| (w * scale).clamp(min as f64, max as f64)).collect() };
    let (mut lo, mut hi) = (0.0, 1.0);
    while fill(hi).iter().sum::<f64>() < total as f64 {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if fill(mid).iter().sum::<f64>() < total as f64 { lo = mid } else { hi = mid }
    }
    let exact = fill(hi);
    let mut counts: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    let mut left = total.saturating_sub(counts.iter().sum::<usize>());
    while left > 0 {
        let before = left;
        for &i in &order {
            if left > 0 && counts[i] < max {
                counts[i] += 1;
                left -= 1;
            }
        }
        if before == left {
            break;
        }
    }
    Ok(counts)
}

/// The cutting context: the mesh, per-cell population, and scratch space.
struct Cutter<'m> {
    mesh: &'m Mesh,
    population: Vec<f64>,
    grower: Grower<'m>,
    scratch: Vec<u32>,
    kx: f64,
    seed: u64,
}

impl<'m> Cutter<'m> {
    fn node(&self, parent: u32, cells: Vec<u32>) -> Node {
        let (mut sx, mut sy, mut pop, mut area) = (0.0, 0.0, 0.0, 0.0);
        for &c in &cells {
            let a = self.mesh.cell_area[c as usize];
            let p = self.mesh.points[c as usize];
            sx += p.x * a;
            sy += p.y * a;
            area += a;
            pop += self.population[c as usize];
        }
        Node {
            parent,
            key: String::new(),
            code: String::new(),
            name: String::new(),
            kind: String::new(),
            cells,
            population: pop,
            area,
            centroid: Coord { x: sx / area, y: sy / area },
        }
    }

    /// Splits `cells` into `k` connected regions of equal population with no holes.
    fn split_equal(&mut self, key: &str, cells: &[u32], k: usize) -> Result<Vec<Vec<u32>>, DemoError> {
        if k == 1 {
            return Ok(vec![cells.to_vec()]);
        }
        if k * 4 > cells.len() {
            return Err(DemoError::Geometry(format!("{key}: {} cells are too few for {k} grids", cells.len())));
        }
        let targets = vec![1.0; k];
        let mesh = self.mesh;
        let extent = (cells.iter().map(|&c| mesh.cell_area[c as usize]).sum::<f64>()).sqrt() / mesh::KM_PER_DEG;
        let population = std::mem::take(&mut self.population);
        let measure = |c: u32| population[c as usize];
        let mut result = Err(DemoError::Geometry(format!("{key}: no split without holes")));
        for attempt in 0..MAX_ATTEMPTS {
            let mut rng = rng_for(self.seed, "split", key, attempt);
            let salt = u64::from(rand::Rng::random::<u32>(&mut rng));
            // Bends at about a third of the parent's width, plus a little per-step wobble.
            let scale = 3.0 / extent;
            let weight = |a: u32, b: u32| {
                let m = mesh::midpoint(mesh.points[a as usize], mesh.points[b as usize]);
                0.3 + 1.4 * value_noise(m.x * self.kx * scale, m.y * scale, salt) + 0.3 * pair_noise(a, b, salt)
            };
            let mut seeds = self.grower.spread_seeds(cells, k, &mut rng);
            let mut regions = self.grower.grow(cells, &seeds, &targets, &measure, &weight);
            for _ in 0..LLOYD_ROUNDS {
                seeds = centres(mesh, cells, &regions, k, self.kx, &measure);
                regions = self.grower.grow(cells, &seeds, &targets, &measure, &weight);
            }
            let groups = group(cells, &regions, k);
            if self.acceptable(&groups) {
                result = Ok(groups);
                break;
            }
        }
        self.population = population;
        result
    }

    /// True when every region traces to polygons without holes.
    fn acceptable(&mut self, groups: &[Vec<u32>]) -> bool {
        let mut tris = Vec::new();
        for (r, g) in groups.iter().enumerate() {
            for &c in g {
                self.scratch[c as usize] = r as u32;
                tris.extend_from_slice(self.mesh.triangles_of(c));
            }
        }
        tris.sort_unstable();
        tris.dedup();
        let wanted: Vec<u32> = (0..groups.len() as u32).collect();
        let traced = trace_some(self.mesh, tris, &self.scratch, &self.scratch, &wanted);
        for g in groups {
            for &c in g {
                self.scratch[c as usize] = NONE;
            }
        }
        traced.iter().all(|t| t.as_ref().is_ok_and(|mp| mp.0.iter().all(|p| p.interiors().is_empty())))
    }
}

/// Cells per region.
fn group(cells: &[u32], regions: &[u32], k: usize) -> Vec<Vec<u32>> {
    let mut groups = vec![Vec::new(); k];
    for (&c, &r) in cells.iter().zip(regions) {
        groups[r as usize].push(c);
    }
    groups
}

/// Generates the demo hierarchy for `seed`.
pub fn generate(seed: u64) -> Result<DemoGrids, DemoError> {
    let outline = reference::outline()?;
    let district = crate::repair::repair_polygon(&outline)
        .map_err(|e| DemoError::Geometry(format!("district outline: {e}")))?
        .geometry;
    let divisions = reference::divisions()?;
    let leaves = LEVEL_COUNTS[3] - SUBDIVIDED_LEVEL3 + LEVEL_COUNTS[4];
    let scale = CELLS_PER_LEAF * leaves as f64 / integrate_density(&district);
    let mesh = mesh::build(&district, &|p| geography::density(p) * scale, &mut rng_for(seed, "mesh", "", 0))?;
    let population: Vec<f64> =
        (0..mesh.len()).map(|c| mesh.cell_area[c] * geography::density(mesh.points[c])).collect();
    let cells: Vec<u32> = (0..mesh.len() as u32).filter(|&c| mesh.used[c as usize]).collect();
    let kx = geography::CITY.1.to_radians().cos();
    let mut cutter =
        Cutter { mesh: &mesh, population, grower: Grower::new(&mesh), scratch: vec![NONE; mesh.len()], kx, seed };

    let townships = cut_townships(&mut cutter, &cells, &divisions)?;
    let level1 = cut_level1(&mut cutter, &townships, &divisions)?;
    let weights: Vec<f64> = level1.iter().map(|n| n.population).collect();
    let level2 = cut_children(&mut cutter, &level1, &allocate(LEVEL_COUNTS[2], &weights, 2, 10)?, "l2")?;
    let weights: Vec<f64> = level2.iter().map(|n| n.population).collect();
    let level3 = cut_children(&mut cutter, &level2, &allocate(LEVEL_COUNTS[3], &weights, 2, 8)?, "l3")?;
    // The densest level-3 grids (buildings and compounds in town) get a level 4.
    let density = |n: &Node| n.population / n.area.max(1e-12);
    let mut by_density: Vec<usize> = (0..level3.len()).collect();
    by_density.sort_by(|&a, &b| density(&level3[b]).total_cmp(&density(&level3[a])).then(a.cmp(&b)));
    let subdivided: Vec<usize> = by_density[..SUBDIVIDED_LEVEL3].to_vec();
    let weights: Vec<f64> = subdivided.iter().map(|&i| level3[i].population).collect();
    let counts4 = allocate(LEVEL_COUNTS[4], &weights, 2, 6)?;
    let mut counts = vec![0; level3.len()];
    for (&i, &c) in subdivided.iter().zip(&counts4) {
        counts[i] = c;
    }
    let level4 = cut_children(&mut cutter, &level3, &counts, "l4")?;

    assemble(&mesh, &divisions, &townships, [&level1, &level2, &level3, &level4])
}

/// The 17 townships: grown from their anchors to their approximate areas.
fn cut_townships(cutter: &mut Cutter<'_>, cells: &[u32], divisions: &[Division]) -> Result<Vec<Node>, DemoError> {
    let mesh = cutter.mesh;
    let places = &geography::TOWNSHIPS;
    let seeds: Vec<u32> = places
        .iter()
        .map(|p| {
            let a = Coord { x: p.anchor.0, y: p.anchor.1 };
            *cells
                .iter()
                .min_by(|&&x, &&y| {
                    mesh::distance_km(mesh.points[x as usize], a)
                        .total_cmp(&mesh::distance_km(mesh.points[y as usize], a))
                })
                .unwrap_or(&0)
        })
        .collect();
    let targets: Vec<f64> = places.iter().map(|p| p.area_km2).collect();
    let mut rng = rng_for(cutter.seed, "townships", "", 0);
    let salt = u64::from(rand::Rng::random::<u32>(&mut rng));
    let measure = |c: u32| mesh.cell_area[c as usize];
    // Bends every few kilometres (0.03° ≈ 3 km) and every few hundred metres, so townships do
    // not come out round.
    let weight = |a: u32, b: u32| {
        let m = mesh::midpoint(mesh.points[a as usize], mesh.points[b as usize]);
        mesh::distance_km(mesh.points[a as usize], mesh.points[b as usize])
            * (0.2
                + 1.1 * value_noise(m.x / 0.03, m.y / 0.03, salt)
                + 0.7 * value_noise(m.x / 0.008, m.y / 0.008, salt ^ 1)
                + 0.2 * pair_noise(a, b, salt))
    };
    let regions = cutter.grower.grow(cells, &seeds, &targets, &measure, &weight);
    let groups = group(cells, &regions, places.len());
    let mut nodes = Vec::new();
    for (place, cells) in places.iter().zip(groups) {
        let name = divisions
            .iter()
            .find(|d| d.code == place.code)
            .map(|d| d.name.clone())
            .ok_or_else(|| DemoError::Reference(format!("township {} missing from divisions", place.code)))?;
        let mut node = cutter.node(0, cells);
        node.code = place.code.to_string();
        node.key = node.code.clone();
        node.kind = naming::township_kind(&name).to_string();
        node.name = name;
        nodes.push(node);
    }
    Ok(nodes)
}

/// Level 1: each township split into its real village-level units (plus the city streets of
/// the two 街道). The densest regions become city streets, then communities, then villages;
/// within a kind, real codes are given in reading order.
fn cut_level1(cutter: &mut Cutter<'_>, townships: &[Node], divisions: &[Division]) -> Result<Vec<Node>, DemoError> {
    let mut out = Vec::new();
    for (t_index, t) in townships.iter().enumerate() {
        let mut units: Vec<&Division> =
            divisions.iter().filter(|d| d.level == "village" && d.parent_code == t.code).collect();
        units.sort_by(|a, b| a.code.cmp(&b.code));
        let streets: &[&str] = CITY_STREETS.iter().find(|(code, _)| *code == t.code).map_or(&[], |(_, s)| s);
        let k = units.len() + streets.len();
        let groups = cutter.split_equal(&t.code, &t.cells, k)?;
        let mut regions: Vec<Node> = groups.into_iter().map(|g| cutter.node(t_index as u32, g)).collect();
        // Rank regions by population density, densest first.
        let density = |n: &Node| n.population / n.area.max(1e-12);
        let mut rank: Vec<usize> = (0..regions.len()).collect();
        rank.sort_by(|&a, &b| density(&regions[b]).total_cmp(&density(&regions[a])).then(a.cmp(&b)));
        let kind_of = |d: &Division| {
            if d.name.ends_with("虚拟社区") {
                "dev_zone"
            } else if d.name.ends_with("社区居委会") {
                "community"
            } else {
                "village"
            }
        };
        let communities: Vec<&Division> = units.iter().copied().filter(|d| kind_of(d) != "village").collect();
        let villages: Vec<&Division> = units.iter().copied().filter(|d| kind_of(d) == "village").collect();
        let (street_regions, rest) = rank.split_at(streets.len());
        let (community_regions, village_regions) = rest.split_at(communities.len());
        // City streets get their codes (and names) in reading order of their final outlines.
        for (i, &r) in street_regions.iter().enumerate() {
            let n = &mut regions[r];
            n.key = format!("{}:street{i}", t.code);
            n.kind = "city_street".into();
        }
        for (group, regs) in [(&communities, community_regions), (&villages, village_regions)] {
            for (d, &r) in group.iter().zip(in_reading_order(&regions, regs).iter()) {
                let n = &mut regions[r];
                n.code = d.code.clone();
                n.key = d.code.clone();
                n.name = naming::short_name(&d.name);
                n.kind = kind_of(d).into();
            }
        }
        regions.sort_by(|a, b| a.key.cmp(&b.key));
        out.extend(regions);
    }
    Ok(out)
}

/// `subset` (indices into `nodes`) sorted in reading order of their centroids.
fn in_reading_order(nodes: &[Node], subset: &[usize]) -> Vec<usize> {
    let centroids: Vec<Coord<f64>> = subset.iter().map(|&i| nodes[i].centroid).collect();
    naming::reading_order(&centroids).into_iter().map(|i| subset[i]).collect()
}

/// The next level: parent `i` split into `counts[i]` children (none where the count is 0).
/// Codes and names come later, from the final outlines.
fn cut_children(
    cutter: &mut Cutter<'_>,
    parents: &[Node],
    counts: &[usize],
    tag: &str,
) -> Result<Vec<Node>, DemoError> {
    let mut out = Vec::new();
    for (p_index, (p, &k)) in parents.iter().zip(counts).enumerate() {
        if k == 0 {
            continue;
        }
        let groups = cutter.split_equal(&format!("{tag}:{}", p.key), &p.cells, k)?;
        let kind = naming::child_kind(&p.kind);
        for (i, g) in groups.into_iter().enumerate() {
            let mut child = cutter.node(p_index as u32, g);
            child.key = format!("{}/{i}", p.key);
            child.kind = kind.to_string();
            out.push(child);
        }
    }
    Ok(out)
}

/// Simplification tolerance of a shared arc, as a fraction of the square root of the area of
/// the smaller of the two grids it separates, at the coarsest level it separates them (index
/// 1–4). Level-1 boundaries are smoothed at the scale of villages, the rest at the scale of
/// their grids; the fractions keep levels 1–4 between 20 and 300 vertices.
const SIMPLIFY_FRACTION: [f64; 5] = [0.0, 0.015, 0.02, 0.02, 0.02];

/// Traces the finest grids, simplifies their shared arcs once, and merges them into every
/// level, so that all levels share the same (simplified) boundaries vertex for vertex.
fn assemble(
    mesh: &Mesh,
    divisions: &[Division],
    townships: &[Node],
    levels: [&[Node]; 4],
) -> Result<DemoGrids, DemoError> {
    let n = mesh.len();
    let [l1, l2, l3, l4] = levels;
    // The finest grids: level-3 grids without children, then all level-4 grids.
    let mut has_children = vec![false; l3.len()];
    for node in l4 {
        has_children[node.parent as usize] = true;
    }
    let mut leaf_of_cell = vec![NONE; n];
    // For each finest grid: its level-3 and level-4 index (NONE when it is a level-3 grid).
    let mut leaves: Vec<(u32, u32)> = Vec::new();
    for (i, node) in l3.iter().enumerate() {
        if !has_children[i] {
            for &c in &node.cells {
                leaf_of_cell[c as usize] = leaves.len() as u32;
            }
            leaves.push((i as u32, NONE));
        }
    }
    for (i, node) in l4.iter().enumerate() {
        for &c in &node.cells {
            leaf_of_cell[c as usize] = leaves.len() as u32;
        }
        leaves.push((node.parent, i as u32));
    }
    let leaf_polys = trace(mesh, &leaf_of_cell, &leaf_of_cell, leaves.len())?;
    let mut topology = Topology::from_faces(&leaf_polys).map_err(|e| DemoError::Geometry(e.to_string()))?;
    // Group maps from finest grid to each level's index.
    let l3_of: Vec<u32> = leaves.iter().map(|&(i3, _)| i3).collect();
    let l2_of: Vec<u32> = l3_of.iter().map(|&i| l3[i as usize].parent).collect();
    let l1_of: Vec<u32> = l2_of.iter().map(|&i| l2[i as usize].parent).collect();
    let town_of: Vec<u32> = l1_of.iter().map(|&i| l1[i as usize].parent).collect();
    let l4_of: Vec<u32> = leaves.iter().map(|&(_, i4)| if i4 == NONE { OUTSIDE } else { i4 }).collect();
    let leaf_of: Vec<u32> = (0..leaves.len() as u32).collect();

    let kx = geography::CITY.1.to_radians().cos();
    let leaf_area: Vec<f64> =
        leaf_polys.iter().map(|p| p.unsigned_area() * kx * (mesh::M_PER_DEG * mesh::M_PER_DEG)).collect();
    let level_area = |group: &[u32], n: usize| {
        let mut a = vec![0.0; n];
        for (leaf, &g) in group.iter().enumerate() {
            if g != OUTSIDE {
                a[g as usize] += leaf_area[leaf];
            }
        }
        a
    };
    // Level 4 separates leaves of one level-3 grid: measure those at leaf size.
    let maps: [(&[u32], Vec<f64>); 4] = [
        (&l1_of, level_area(&l1_of, l1.len())),
        (&l2_of, level_area(&l2_of, l2.len())),
        (&l3_of, level_area(&l3_of, l3.len())),
        (&leaf_of, leaf_area.clone()),
    ];
    let mut tol = topology.simplify(&|arc| {
        if arc.right == OUTSIDE {
            return None;
        }
        let (f, g) = (arc.left as usize, arc.right as usize);
        maps.iter()
            .enumerate()
            .find(|(_, (map, _))| map[f] != map[g])
            .map(|(k, (map, area))| SIMPLIFY_FRACTION[k + 1] * area[map[f] as usize].min(area[map[g] as usize]).sqrt())
    });
    // Bring every grid of levels 1–4 within MIN_VERTICES..=MAX_VERTICES: finer where too few,
    // coarser where too many, on the arcs of the offending grids only.
    let level_maps: [(&[u32], usize); 4] =
        [(&l1_of, l1.len()), (&l2_of, l2.len()), (&l3_of, l3.len()), (&l4_of, l4.len())];
    for _round in 0..10 {
        let mut counts: Vec<Vec<usize>> = level_maps.iter().map(|&(_, n)| vec![0; n]).collect();
        for arc in topology.arcs() {
            for (k, &(map, _)) in level_maps.iter().enumerate() {
                let gl = map[arc.left as usize];
                let gr = if arc.right == OUTSIDE { OUTSIDE } else { map[arc.right as usize] };
                if gl != gr {
                    for g in [gl, gr] {
                        if g != OUTSIDE {
                            counts[k][g as usize] += arc.points.len() - 1;
                        }
                    }
                }
            }
        }
        let mut changed = false;
        for (i, arc) in topology.arcs().iter().enumerate() {
            let Some(t) = tol[i] else { continue };
            let mut factor: f64 = 1.0;
            for (k, &(map, _)) in level_maps.iter().enumerate() {
                let gl = map[arc.left as usize];
                let gr = if arc.right == OUTSIDE { OUTSIDE } else { map[arc.right as usize] };
                if gl == gr {
                    continue;
                }
                for g in [gl, gr] {
                    if g == OUTSIDE {
                        continue;
                    }
                    let c = counts[k][g as usize];
                    if c < MIN_VERTICES {
                        factor = factor.min(0.5);
                    } else if c > MAX_VERTICES && factor >= 1.0 {
                        factor = 1.5;
                    }
                }
            }
            if factor != 1.0 {
                tol[i] = Some(t * factor).filter(|&t| t > 0.01);
                changed = true;
            }
        }
        if !changed {
            break;
        }
        tol = topology.simplify_to(tol);
    }

    let merge = |group: &[u32], n: usize| topology.merge(group, n).map_err(|e| DemoError::Geometry(e.to_string()));

    let district = divisions
        .iter()
        .find(|d| d.level == "district")
        .ok_or_else(|| DemoError::Reference("no district row".into()))?;
    let district_geom = merge(&vec![0; leaves.len()], 1)?
        .pop()
        .ok_or_else(|| DemoError::Geometry("district traced to nothing".into()))?;
    let mut grids = vec![Grid {
        code: district.code.clone(),
        name: district.name.clone(),
        level: 0,
        kind: "district".into(),
        parent_code: None,
        township_code: None,
        geometry: district_geom,
    }];
    // Per level: outlines, then codes and names in reading order of the outlines' centroids
    // among siblings ("west→east, then north→south").
    let mut parent_codes: Vec<String> = townships.iter().map(|_| district.code.clone()).collect();
    let mut parent_names: Vec<String> = townships.iter().map(|t| t.name.clone()).collect();
    let mut parent_townships: Vec<String> = townships.iter().map(|t| t.code.clone()).collect();
    let streets: std::collections::HashMap<&str, &[&str]> = CITY_STREETS.iter().copied().collect();
    for (depth, (nodes, group)) in [(l1, &l1_of), (l2, &l2_of), (l3, &l3_of), (l4, &l4_of)].into_iter().enumerate() {
        let geoms = merge(group, nodes.len())?;
        let mut codes: Vec<String> = nodes.iter().map(|n| n.code.clone()).collect();
        let mut names: Vec<String> = nodes.iter().map(|n| n.name.clone()).collect();
        // Siblings to number: every child below level 1; at level 1 only the city streets.
        let mut siblings: std::collections::BTreeMap<u32, Vec<usize>> = std::collections::BTreeMap::new();
        for (i, n) in nodes.iter().enumerate() {
            if depth > 0 || n.kind == "city_street" {
                siblings.entry(n.parent).or_default().push(i);
            }
        }
        for (parent, children) in siblings {
            let centroids: Vec<Coord<f64>> =
                children.iter().map(|&i| geoms[i].centroid().map_or(nodes[i].centroid, |p| p.0)).collect();
            for (seq, at) in naming::reading_order(&centroids).into_iter().enumerate() {
                let i = children[at];
                let p = parent as usize;
                if depth == 0 {
                    let town = &parent_townships[p];
                    codes[i] = format!("{town}{:03}", CITY_STREET_FIRST_SEQUENCE + seq as u32);
                    let street = streets.get(town.as_str()).and_then(|s| s.get(seq)).copied().unwrap_or("城市");
                    names[i] = format!("{street}城市街巷");
                } else {
                    codes[i] = format!("{}{:03}", parent_codes[p], seq + 1);
                    names[i] = naming::child_name(&parent_names[p], &nodes[i].kind, seq as u32 + 1);
                }
            }
        }
        let mut towns = Vec::with_capacity(nodes.len());
        let mut level_grids = Vec::with_capacity(nodes.len());
        for (i, (node, geometry)) in nodes.iter().zip(geoms).enumerate() {
            let township = parent_townships[node.parent as usize].clone();
            level_grids.push(Grid {
                code: codes[i].clone(),
                name: names[i].clone(),
                level: depth as u8 + 1,
                kind: node.kind.clone(),
                parent_code: Some(parent_codes[node.parent as usize].clone()),
                township_code: Some(township.clone()),
                geometry,
            });
            towns.push(township);
        }
        level_grids.sort_by(|a, b| a.code.cmp(&b.code));
        grids.extend(level_grids);
        parent_codes = codes;
        parent_names = names;
        parent_townships = towns;
    }
    let townships = townships
        .iter()
        .zip(merge(&town_of, townships.len())?)
        .map(|(t, geometry)| Township { code: t.code.clone(), name: t.name.clone(), kind: t.kind.clone(), geometry })
        .collect();
    Ok(DemoGrids { grids, townships, mesh_cells: n, thematic: super::ThematicCounts::default(), cases: 0, staff: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_is_exact_and_proportional() {
        // Exact shares 2.5, 2.5, 5: the spare unit goes to the first of the tied remainders.
        let c = allocate(10, &[1.0, 1.0, 2.0], 2, 10).unwrap();
        assert_eq!(c, vec![3, 2, 5]);
        // The cap moves the excess to the others.
        let c = allocate(12, &[1.0, 1.0, 10.0], 2, 5).unwrap();
        assert_eq!(c, vec![4, 3, 5]);
        assert!(allocate(3, &[1.0, 1.0], 2, 5).is_err());
        assert!(allocate(11, &[1.0, 1.0], 2, 5).is_err());
    }
}
