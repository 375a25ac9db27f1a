#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod archive;
mod cache;
mod clip;
mod mvt;
mod source;
mod tile;
mod tilejson;

pub use crate::archive::{ArchiveError, ArchiveReport, tiles_over, write_archive};
pub use crate::cache::{CacheStats, RenderedTile, TileCache, TileKey};
pub use crate::clip::{Frame, Ring, World, world};
pub use crate::mvt::{EXTENT, LayerBuilder, PropertyValue, TileGeometry, TilePoint, encode_tile};
pub use crate::source::{
    GridsSource, LayerSource, Source, SourceInfo, TileOptions, UNITS_PER_PIXEL, VectorLayer, render_tile, union_bounds,
};
pub use crate::tile::{MAX_ZOOM, TileCoord, TileError};
pub use crate::tilejson::{catalog, tilejson};
