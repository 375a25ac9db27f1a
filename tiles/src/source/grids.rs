//! The `grids` source: MVT layers `grid_l1` … `grid_l4`, properties `code`, `name`, `level`,
//! `kind`.
//!
//! Shapes come from one arc topology over the finest grids (every level's boundaries are made
//! of those arcs, since children tile their parents edge for edge). Up to zoom
//! [`SIMPLIFY_UNTIL`] the arcs are simplified for the zoom, each arc once, topology-safely, and
//! every level's grids are assembled from the same simplified arcs: neighbours, and parents
//! and children, share every vertex at every zoom, so no gap or sliver can open between them.
//! Beyond, the stored outlines are drawn as they are.

use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use geo_types::MultiPolygon;
use gridgis_engine::{GridId, Hierarchy, OUTSIDE, Topology, TopologyError};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use super::{Source, SourceInfo, TileOptions, VectorLayer, below_a_pixel};
use crate::clip::{Frame, Ring, World, world};
use crate::mvt::{LayerBuilder, PropertyValue, TileGeometry};
use crate::tile::TileCoord;

/// Zoom from which each level is drawn (index = level − 1), on tiles drawn 512 px wide: level
/// 1 (340 communities and villages, ~2.5 km across) from the district overview (z8: the
/// district in two tiles); level 2 (~1.3 km, ~0.4 km in town) from z11, 15–40 px a grid;
/// level 3 (~0.7 km, 0.15 km in town) from z13, 20–90 px; level 4 (a building, a street
/// front, ~0.1 km) from z14, ~25 px.
pub const LEVEL_MINZOOM: [u8; 4] = [8, 11, 13, 14];
/// Deepest zoom generated (clients overzoom beyond).
pub const GRIDS_MAXZOOM: u8 = 16;
/// Up to this zoom shapes are simplified for the zoom; beyond, half a pixel is under 4 m and
/// the stored outlines (vertices tens of metres apart) have nothing to drop.
pub const SIMPLIFY_UNTIL: u8 = 12;

/// Metres of Earth circumference at the equator (WGS84).
const CIRCUMFERENCE_M: f64 = 40_075_016.686;

type Indexed = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// One grid's outline in world coordinates.
#[derive(Debug)]
struct Shape {
    grid: GridId,
    polygons: Vec<Vec<Ring>>,
}

/// The grids of one level at one simplification, with an index of their boxes.
#[derive(Debug)]
struct Shapes {
    shapes: Vec<Shape>,
    boxes: Vec<(World, World)>,
    tree: RTree<Indexed>,
}

impl Shapes {
    fn new(shapes: Vec<Shape>) -> Self {
        let boxes: Vec<(World, World)> = shapes.iter().map(|s| bbox(&s.polygons)).collect();
        let tree = RTree::bulk_load(
            boxes
                .iter()
                .enumerate()
                .map(|(i, (a, b))| GeomWithData::new(Rectangle::from_corners([a.0, a.1], [b.0, b.1]), i as u32))
                .collect(),
        );
        Self { shapes, boxes, tree }
    }
}

fn bbox(polygons: &[Vec<Ring>]) -> (World, World) {
    let mut min = (f64::INFINITY, f64::INFINITY);
    let mut max = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for (lo, hi) in polygons.iter().filter_map(|p| p.first()).map(Ring::bbox) {
        min = (min.0.min(lo.0), min.1.min(lo.1));
        max = (max.0.max(hi.0), max.1.max(hi.1));
    }
    (min, max)
}

fn to_world(mp: &MultiPolygon<f64>) -> Vec<Vec<Ring>> {
    mp.0.iter()
        .map(|p| {
            std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(|r| {
                    let mut pts: Vec<World> = r.0.iter().map(|c| world(c.x, c.y)).collect();
                    // Rings are stored closed; the encoder wants them open.
                    if pts.len() > 1 && pts.first() == pts.last() {
                        pts.pop();
                    }
                    Ring::new(pts)
                })
                .collect()
        })
        .collect()
}

/// What a grid's features say.
#[derive(Debug)]
struct Attributes {
    code: Box<str>,
    name: Box<str>,
    level: u8,
    kind: Box<str>,
}

/// The `grids` tile source.
#[derive(Debug)]
pub struct GridsSource {
    attributes: Vec<Attributes>,
    /// The stored outlines, per level (index = level − 1).
    original: Vec<Shapes>,
    topology: Topology,
    /// Per level: each finest grid's group (its ancestor's place in that level's list), or
    /// `OUTSIDE` where the level does not reach (level 4 covers part of the district).
    groups: Vec<(Vec<u32>, Vec<GridId>)>,
    /// Simplified shapes per zoom `0..=SIMPLIFY_UNTIL`, made on first use.
    simplified: Vec<OnceLock<Arc<Vec<Shapes>>>>,
    bounds: [f64; 4],
    version: u64,
}

impl GridsSource {
    /// The source over `hierarchy`'s grids.
    ///
    /// # Errors
    /// When the finest grids do not form a partition that shares boundaries vertex for vertex.
    pub fn new(hierarchy: &Hierarchy) -> Result<Self, TopologyError> {
        let grids = hierarchy.grids();
        let leaves = hierarchy.leaves();
        let faces: Vec<MultiPolygon<f64>> = leaves.iter().map(|&g| hierarchy.grid(g).geometry.clone()).collect();
        let topology = Topology::from_faces(&faces)?;
        let levels = grids.iter().map(|g| g.level).max().unwrap_or(0).min(4);
        let mut original = Vec::new();
        let mut groups = Vec::new();
        for level in 1..=levels {
            let members: Vec<GridId> =
                (0..grids.len() as GridId).filter(|&g| grids[g as usize].level == level).collect();
            let place: rustc_hash::FxHashMap<GridId, u32> =
                members.iter().enumerate().map(|(i, &g)| (g, i as u32)).collect();
            let group: Vec<u32> = leaves
                .iter()
                .map(|&leaf| hierarchy.ancestor_at(leaf, level).and_then(|a| place.get(&a).copied()).unwrap_or(OUTSIDE))
                .collect();
            original.push(Shapes::new(
                members.iter().map(|&g| Shape { grid: g, polygons: to_world(&grids[g as usize].geometry) }).collect(),
            ));
            groups.push((group, members));
        }
        let attributes = grids
            .iter()
            .map(|g| Attributes {
                code: g.code.as_str().into(),
                name: g.name.as_str().into(),
                level: g.level,
                kind: g.kind.as_str().into(),
            })
            .collect();
        // Over every district: a city's districts are one source.
        let bounds = hierarchy
            .roots()
            .iter()
            .filter_map(|&r| geo::BoundingRect::bounding_rect(&hierarchy.grid(r).geometry))
            .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
            .reduce(|a, b| [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])])
            .unwrap_or([0.0; 4]);
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for g in grids {
            g.code.hash(&mut h);
            g.geometry.0.iter().map(|p| p.exterior().0.len()).sum::<usize>().hash(&mut h);
            if let Some(c) = g.geometry.0.first().and_then(|p| p.exterior().0.first()) {
                (c.x.to_bits(), c.y.to_bits()).hash(&mut h);
            }
        }
        Ok(Self {
            attributes,
            original,
            topology,
            groups,
            simplified: (0..=SIMPLIFY_UNTIL).map(|_| OnceLock::new()).collect(),
            bounds,
            version: h.finish(),
        })
    }

    /// Half a pixel at zoom `z` in metres, at the middle latitude of the districts (a tile drawn
    /// 512 px).
    fn tolerance_m(&self, z: u8) -> f64 {
        let lat = (self.bounds[1] + self.bounds[3]) / 2.0;
        let tile_m = CIRCUMFERENCE_M * lat.to_radians().cos() / (1u64 << z) as f64;
        tile_m / 512.0 / 2.0
    }

    /// The shapes of every level drawn at zoom `z ≤ SIMPLIFY_UNTIL`, simplified for it.
    fn simplified(&self, z: u8) -> Arc<Vec<Shapes>> {
        self.simplified[usize::from(z)]
            .get_or_init(|| {
                let mut topo = self.topology.clone();
                let tol = self.tolerance_m(z);
                topo.simplify_to(vec![Some(tol); topo.arcs().len()]);
                let levels = self
                    .groups
                    .iter()
                    .enumerate()
                    .map(|(i, (group, members))| {
                        if LEVEL_MINZOOM[i] > z {
                            return Shapes::new(Vec::new());
                        }
                        // The simplified arcs always assemble (the simplification keeps the
                        // partition valid); if they did not, the stored outlines serve.
                        match topo.merge(group, members.len()) {
                            Ok(merged) => Shapes::new(
                                merged
                                    .iter()
                                    .zip(members)
                                    .map(|(mp, &g)| Shape { grid: g, polygons: to_world(mp) })
                                    .collect(),
                            ),
                            Err(_) => Shapes::new(
                                self.original[i]
                                    .shapes
                                    .iter()
                                    .map(|s| Shape { grid: s.grid, polygons: s.polygons.clone() })
                                    .collect(),
                            ),
                        }
                    })
                    .collect();
                Arc::new(levels)
            })
            .clone()
    }

    /// Makes the simplified shapes of every zoom now, on all cores (for archives and
    /// benchmarks, which would otherwise pay for them on their first tiles).
    pub fn prepare(&self) {
        std::thread::scope(|s| {
            for z in 0..=SIMPLIFY_UNTIL {
                if z >= LEVEL_MINZOOM[0] {
                    s.spawn(move || self.simplified(z));
                }
            }
        });
    }

    fn render_level(&self, shapes: &Shapes, level: usize, frame: &Frame, out: &mut Vec<Vec<u8>>, extent: u32) {
        let (a, b) = frame.world_box();
        let mut layer = LayerBuilder::new(&format!("grid_l{}", level + 1), extent);
        let scale = frame.scale();
        let mut hits: Vec<usize> = shapes
            .tree
            .locate_in_envelope_intersecting(&AABB::from_corners([a.0, a.1], [b.0, b.1]))
            .map(|h| h.data as usize)
            .collect();
        // Grid order, so a tile's bytes do not depend on the index's walk.
        hits.sort_unstable();
        for i in hits {
            let (min, max) = shapes.boxes[i];
            if below_a_pixel((min.0 * scale, min.1 * scale), (max.0 * scale, max.1 * scale)) {
                continue;
            }
            let shape = &shapes.shapes[i];
            let mut polygons = Vec::with_capacity(shape.polygons.len());
            for polygon in &shape.polygons {
                frame.clip_polygon(polygon, &mut polygons);
            }
            if polygons.is_empty() {
                continue;
            }
            let a = &self.attributes[shape.grid as usize];
            layer.add_feature(
                Some(u64::from(shape.grid) + 1),
                [
                    ("code", Some(PropertyValue::String(&a.code))),
                    ("name", Some(PropertyValue::String(&a.name))),
                    ("level", Some(PropertyValue::Int(i64::from(a.level)))),
                    ("kind", Some(PropertyValue::String(&a.kind))),
                ],
                &mut TileGeometry::Polygons(polygons),
            );
        }
        if let Some(bytes) = layer.finish() {
            out.push(bytes);
        }
    }
}

impl Source for GridsSource {
    fn info(&self) -> SourceInfo {
        let fields: serde_json::Map<String, serde_json::Value> =
            [("code", "String"), ("name", "String"), ("level", "Number"), ("kind", "String")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v.to_owned())))
                .collect();
        SourceInfo {
            id: "grids".into(),
            name: "网格".into(),
            description: "The grid hierarchy: one layer per level (grid_l1 … grid_l4)".into(),
            bounds: self.bounds,
            layers: (0..self.original.len())
                .map(|i| VectorLayer {
                    id: format!("grid_l{}", i + 1),
                    fields: fields.clone(),
                    minzoom: LEVEL_MINZOOM[i],
                    maxzoom: GRIDS_MAXZOOM,
                    description: format!("Level-{} grids", i + 1),
                })
                .collect(),
        }
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn render(&self, tile: TileCoord, options: &TileOptions, out: &mut Vec<Vec<u8>>) {
        let (z, x, y) = tile.zxy();
        let frame = Frame::new(z, x, y, options.extent, options.buffer);
        let simplified = (z <= SIMPLIFY_UNTIL && z >= LEVEL_MINZOOM[0]).then(|| self.simplified(z));
        for level in 0..self.original.len() {
            if z < LEVEL_MINZOOM[level] {
                continue;
            }
            let shapes = simplified.as_ref().map_or(&self.original[level], |s| &s[level]);
            self.render_level(shapes, level, &frame, out, options.extent);
        }
    }
}
