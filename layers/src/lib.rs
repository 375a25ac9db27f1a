#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod catalog;
mod error;
mod feature;
mod fgb;
mod grids;
mod store;

pub use crate::catalog::{Catalog, CatalogEntry, Field, FieldType, VersionInfo};
pub use crate::error::{LayersError, Result};
pub use crate::feature::{Feature, Value};
pub use crate::fgb::FgbError;
pub use crate::grids::{GRIDS_LAYER, TOWNSHIPS_LAYER, load_hierarchy, publish_grids};
pub use crate::store::{LayerMeta, Store, StoreError};
