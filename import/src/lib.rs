#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod demo;
pub mod pipeline;
pub mod read;
mod repair;
mod reproject;

pub use crate::repair::{
    Cleaned, RepairError, Repaired, canonical, clean_geometry, make_valid_precise, repair_polygon,
};
pub use crate::reproject::{ReprojectError, Reprojector, SourceCrs};
