//! Mapbox Vector Tile 2.1 encoding: layers of features with integer tile coordinates.
//!
//! What the spec asks and this guarantees: layer `version` 2 and `extent` 4096 (or the one
//! given); commands as command integers with zigzag-encoded delta parameters; no zero-length
//! `LineTo`; polygons as exterior rings of positive area in the tile's y-down coordinates,
//! each followed by its holes (negative area), rings closed by `ClosePath` and not repeating
//! their first point; keys and values de-duplicated per layer; feature ids. Geometries that
//! become empty or degenerate once on the integer grid are dropped.

mod geometry;
mod layer;
mod proto;

pub(crate) use self::geometry::area2;
pub use self::geometry::{TileGeometry, TilePoint};
pub use self::layer::{LayerBuilder, PropertyValue};
pub use self::proto::encode_tile;

/// The extent of every layer gridgis writes (the spec's default).
pub const EXTENT: u32 = 4096;
