//! Tile sources: what a tile of one source id holds. `grids` (the grid hierarchy, one MVT
//! layer per level) and every layer of the catalog by its id, behind one trait.

mod grids;
mod layer;

use serde::Serialize;

use crate::mvt::TileGeometry;
use crate::tile::TileCoord;

pub use self::grids::GridsSource;
pub use self::layer::LayerSource;

/// How tiles are cut: the extent, the buffer beyond each edge, and when shapes are simplified.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TileOptions {
    /// Units a side (MVT `extent`).
    pub extent: u32,
    /// Units beyond each edge that geometries keep, so strokes and labels at the edge do not
    /// break (martin's and PostGIS's default).
    pub buffer: u32,
}

impl Default for TileOptions {
    fn default() -> Self {
        Self { extent: crate::mvt::EXTENT, buffer: 64 }
    }
}

/// Tile units per screen pixel when a 4096-unit tile is drawn 512 pixels wide (MapLibre's
/// vector tile size): the size below which a feature is not seen, and twice the simplification
/// tolerance, so that no simplification moves a line by more than half a pixel.
pub const UNITS_PER_PIXEL: f64 = 8.0;

/// A field of an MVT layer, for TileJSON's `vector_layers`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VectorLayer {
    /// The MVT layer's name.
    pub id: String,
    /// Field name → `String`, `Number` or `Boolean`, as TileJSON writes them.
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// Zoom from which the layer has features.
    pub minzoom: u8,
    /// Zoom up to which it is generated (beyond, clients overzoom).
    pub maxzoom: u8,
    /// What it is.
    pub description: String,
}

/// The union of the sources' bounds (`[west, south, east, north]`); infinite (west and south
/// +∞, east and north −∞) when there are none.
pub fn union_bounds(infos: &[SourceInfo]) -> [f64; 4] {
    infos.iter().fold([f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY], |b, i| {
        [b[0].min(i.bounds[0]), b[1].min(i.bounds[1]), b[2].max(i.bounds[2]), b[3].max(i.bounds[3])]
    })
}

/// What a source says of itself for TileJSON and the catalog.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceInfo {
    /// Source id (`grids`, or a layer id).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Description.
    pub description: String,
    /// WGS84 bounds `[west, south, east, north]`.
    pub bounds: [f64; 4],
    /// The MVT layers the source's tiles hold.
    pub layers: Vec<VectorLayer>,
}

/// A source of vector tiles.
///
/// # Examples
/// ```
/// use gridgis_tiles::{Source, SourceInfo, TileCoord, TileOptions};
///
/// /// A source with nothing in it.
/// struct Nothing;
///
/// impl Source for Nothing {
///     fn info(&self) -> SourceInfo {
///         SourceInfo { id: "nothing".into(), name: "Nothing".into(), description: String::new(),
///                      bounds: [0.0, 0.0, 0.0, 0.0], layers: vec![] }
///     }
///     fn version(&self) -> u64 { 1 }
///     fn render(&self, _tile: TileCoord, _options: &TileOptions, _out: &mut Vec<Vec<u8>>) {}
/// }
///
/// let tile = gridgis_tiles::render_tile(&[&Nothing], TileCoord::new(3, 1, 2).unwrap(), &TileOptions::default());
/// assert!(tile.is_empty());
/// ```
pub trait Source: Send + Sync {
    /// Its id, layers and bounds.
    fn info(&self) -> SourceInfo;
    /// What changes whenever its data does (a layer's version): part of cache keys and ETags.
    fn version(&self) -> u64;
    /// Appends the encoded MVT layers of `tile` that have features (none when it is empty).
    fn render(&self, tile: TileCoord, options: &TileOptions, out: &mut Vec<Vec<u8>>);
}

/// The tile holding every source's layers, in order; empty when none has a feature there.
pub fn render_tile(sources: &[&dyn Source], tile: TileCoord, options: &TileOptions) -> Vec<u8> {
    let mut layers = Vec::new();
    for s in sources {
        s.render(tile, options, &mut layers);
    }
    crate::mvt::encode_tile(&layers)
}

/// True when a polygon or line's extent in tile units is under a pixel both ways: nothing of
/// it would be seen at this zoom.
pub(crate) fn below_a_pixel(min: (f64, f64), max: (f64, f64)) -> bool {
    max.0 - min.0 < UNITS_PER_PIXEL && max.1 - min.1 < UNITS_PER_PIXEL
}

/// True when a geometry has anything to encode.
pub(crate) fn has_parts(g: &TileGeometry) -> bool {
    match g {
        TileGeometry::Points(p) => !p.is_empty(),
        TileGeometry::Lines(l) => !l.is_empty(),
        TileGeometry::Polygons(p) => !p.is_empty(),
    }
}
