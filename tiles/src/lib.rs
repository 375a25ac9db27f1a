#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod tile;

pub use crate::tile::{MAX_ZOOM, TileCoord, TileError};
