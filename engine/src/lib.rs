#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod crs;
mod engine;
mod error;
mod geocode;
mod hierarchy;
mod locate;
mod topology;

pub use crate::crs::{Crs, CrsError, Transformer, bd09_to_gcj02, gcj02_to_bd09, gcj02_to_wgs84, wgs84_to_gcj02};
pub use crate::engine::{Engine, Location};
pub use crate::error::{EngineError, Result};
pub use crate::geocode::{
    AddressRecord, Components, GeocodeError, Geocoded, Geocoder, GeocoderBuildError, GeocoderStats,
    Level as GeocodeLevel, MAX_QUERY_CHARS, Match, NearAddress, NearPoi, PoiRecord, Reverse,
    normalize as normalize_address,
};
pub use crate::hierarchy::{Grid, GridId, Hierarchy, HierarchyError, Township};
pub use crate::locate::{GridIndex, IndexStats, OUTSIDE, metres_per_degree};
pub use crate::topology::{Arc, Topology, TopologyError, assemble};
