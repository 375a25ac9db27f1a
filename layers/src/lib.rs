#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod catalog;
mod error;
mod feature;
mod fgb;
mod geocoding;
mod geojson;
mod grids;
mod query;
mod store;

pub use crate::catalog::{Catalog, CatalogEntry, Field, FieldType, VersionInfo, valid_id};
pub use crate::error::{LayersError, Result};
pub use crate::feature::{Feature, Value};
pub use crate::fgb::FgbError;
pub use crate::fgb::Record;
pub use crate::geocoding::{POI_CATEGORY, address_records, build_geocoder, is_geocoder_source, poi_records};
pub use crate::geojson::{feature_json, geometry_json, value_json};
pub use crate::grids::{ADDRESSES_LAYER, GRIDS_LAYER, TOWNSHIPS_LAYER, load_hierarchy, publish_grids};
pub use crate::query::{Filter, LayerData, LayerSet, Page, QueryError, distance_m};
pub use crate::store::postgres::{self as postgres_store, Listener};
pub use crate::store::{CATALOG_FILE, DEFAULT_KEEP_VERSIONS, LayerMeta, Store, StoreError, write_file_atomic};
