#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod demo;
mod repair;

pub use crate::repair::{RepairError, Repaired, canonical, repair_polygon};
