//! A layer of the catalog as a tile source: its id is the source id and the MVT layer's name;
//! every property goes with its features.

use std::sync::Arc;

use geo::Simplify;
use geo_types::{Coord, Geometry, LineString};
use gridgis_layers::{FieldType, LayerData, Value};

use super::{Source, SourceInfo, TileOptions, UNITS_PER_PIXEL, VectorLayer, below_a_pixel};
use crate::clip::{Frame, Ring, World, world};
use crate::mvt::{LayerBuilder, PropertyValue, TileGeometry, TilePoint};
use crate::tile::TileCoord;

/// Deepest zoom generated for a layer (clients overzoom beyond).
pub const LAYER_MAXZOOM: u8 = 16;
/// Most features a tile of one layer may need to hold at the layer's minimum zoom: a layer is
/// drawn from the first zoom at which its densest tile holds no more (the gazetteer's 116,471
/// points, flats stacked on their buildings, from z16; 7,900 manholes from z0), so no tile is
/// megabytes of points no one can tell apart.
pub const MAX_TILE_FEATURES: u32 = 10_000;

/// One version of a layer, as a tile source.
#[derive(Clone, Debug)]
pub struct LayerSource {
    data: Arc<LayerData>,
}

impl LayerSource {
    /// The source over one loaded layer version.
    pub fn new(data: Arc<LayerData>) -> Self {
        Self { data }
    }

    /// The first zoom at which the layer's densest tile holds at most 10,000 features.
    pub fn minzoom(&self) -> u8 {
        (0..=LAYER_MAXZOOM).find(|&z| self.data.densest_tile(z) <= MAX_TILE_FEATURES).unwrap_or(LAYER_MAXZOOM)
    }
}

/// A line or ring in world coordinates, simplified by half a pixel (`epsilon`, world units).
fn simplified(points: &[Coord<f64>], epsilon: f64) -> Vec<World> {
    let line: LineString<f64> = points.iter().map(|c| world(c.x, c.y)).map(|(x, y)| Coord { x, y }).collect();
    line.simplify(epsilon).0.into_iter().map(|c| (c.x, c.y)).collect()
}

/// A closed ring (last point the first) opened.
fn open(mut ring: Vec<World>) -> Vec<World> {
    ring.pop();
    ring
}

fn extent_of(points: &[World], scale: f64) -> ((f64, f64), (f64, f64)) {
    let mut min = (f64::INFINITY, f64::INFINITY);
    let mut max = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for p in points {
        min = (min.0.min(p.0 * scale), min.1.min(p.1 * scale));
        max = (max.0.max(p.0 * scale), max.1.max(p.1 * scale));
    }
    (min, max)
}

/// A geometry cut for one tile: projected, simplified for the zoom, lines and areas under a
/// pixel dropped, clipped to the tile and its buffer.
fn cut(geometry: &Geometry<f64>, frame: &Frame) -> Option<TileGeometry> {
    let epsilon = UNITS_PER_PIXEL / 2.0 / frame.scale();
    let scale = frame.scale();
    let lines = |ls: &mut dyn Iterator<Item = &LineString<f64>>| {
        let mut out: Vec<Vec<TilePoint>> = Vec::new();
        for l in ls {
            let pts = simplified(&l.0, epsilon);
            let (min, max) = extent_of(&pts, scale);
            if !below_a_pixel(min, max) {
                frame.clip_line(pts, &mut out);
            }
        }
        TileGeometry::Lines(out)
    };
    let polygons = |ps: &mut dyn Iterator<Item = &geo_types::Polygon<f64>>| {
        let mut out = Vec::new();
        for p in ps {
            let exterior = simplified(&p.exterior().0, epsilon);
            let (min, max) = extent_of(&exterior, scale);
            if exterior.len() < 4 || below_a_pixel(min, max) {
                continue;
            }
            let mut rings = Vec::with_capacity(1 + p.interiors().len());
            rings.push(Ring::new(open(exterior)));
            for hole in p.interiors() {
                let h = simplified(&hole.0, epsilon);
                let (min, max) = extent_of(&h, scale);
                if h.len() >= 4 && !below_a_pixel(min, max) {
                    rings.push(Ring::new(open(h)));
                }
            }
            frame.clip_polygon(&rings, &mut out);
        }
        TileGeometry::Polygons(out)
    };
    let g = match geometry {
        Geometry::Point(p) => {
            let mut out = Vec::new();
            frame.clip_points([world(p.x(), p.y())], &mut out);
            TileGeometry::Points(out)
        }
        Geometry::MultiPoint(mp) => {
            let mut out = Vec::new();
            frame.clip_points(mp.0.iter().map(|p| world(p.x(), p.y())), &mut out);
            TileGeometry::Points(out)
        }
        Geometry::LineString(l) => lines(&mut std::iter::once(l)),
        Geometry::MultiLineString(ml) => lines(&mut ml.0.iter()),
        Geometry::Polygon(p) => polygons(&mut std::iter::once(p)),
        Geometry::MultiPolygon(mp) => polygons(&mut mp.0.iter()),
        // A layer holds one family of simple geometries (the import pipeline sees to it).
        _ => return None,
    };
    super::has_parts(&g).then_some(g)
}

fn property(v: &Value) -> Option<PropertyValue<'_>> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(PropertyValue::Bool(*b)),
        Value::Int(i) => Some(PropertyValue::Int(*i)),
        Value::Float(f) => Some(PropertyValue::Double(*f)),
        Value::String(s) => Some(PropertyValue::String(s)),
    }
}

impl Source for LayerSource {
    fn info(&self) -> SourceInfo {
        let e = self.data.entry();
        let fields = e
            .fields
            .iter()
            .map(|f| {
                let t = match f.field_type {
                    FieldType::Bool => "Boolean",
                    FieldType::Int | FieldType::Float => "Number",
                    FieldType::String => "String",
                };
                (f.name.clone(), serde_json::Value::String(t.to_owned()))
            })
            .collect();
        SourceInfo {
            id: e.id.clone(),
            name: e.name.clone(),
            description: format!(
                "{} · {} · {} features · version {}",
                e.category, e.geometry_type, e.feature_count, e.version
            ),
            bounds: e.bbox.unwrap_or([-180.0, -85.051_128_78, 180.0, 85.051_128_78]),
            layers: vec![VectorLayer {
                id: e.id.clone(),
                fields,
                minzoom: self.minzoom(),
                maxzoom: LAYER_MAXZOOM,
                description: e.name.clone(),
            }],
        }
    }

    fn version(&self) -> u64 {
        u64::from(self.data.entry().version)
    }

    fn render(&self, tile: TileCoord, options: &TileOptions, out: &mut Vec<Vec<u8>>) {
        let (z, x, y) = tile.zxy();
        if z < self.minzoom() {
            return;
        }
        let frame = Frame::new(z, x, y, options.extent, options.buffer);
        // The tile's box with its buffer, in degrees, for the layer's index.
        let [w, s, e, n] = tile.bounds();
        let f = f64::from(options.buffer) / f64::from(options.extent);
        let (dx, dy) = ((e - w) * f, (n - s) * f);
        let bbox = [w - dx, s - dy, e + dx, n + dy];
        let columns = self.data.columns();
        let mut layer = LayerBuilder::new(&self.data.entry().id, options.extent);
        let mut hits: Vec<u32> = self.data.candidates_in(bbox).collect();
        // Storage order, so a tile's bytes do not depend on the index's walk.
        hits.sort_unstable();
        for i in hits {
            let r = self.data.record(i);
            let Some(mut g) = cut(&r.geometry, &frame) else { continue };
            let props = columns.iter().zip(r.values.iter()).map(|(k, v)| (k.as_str(), property(v)));
            layer.add_feature(Some(u64::from(i) + 1), props, &mut g);
        }
        if let Some(bytes) = layer.finish() {
            out.push(bytes);
        }
    }
}
