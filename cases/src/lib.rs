#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod category;
mod error;
mod log;
mod request;
mod route;
mod staff;
mod stats;
mod time;

use std::path::Path;

pub use crate::category::{
    COMPONENT_LAYER_CATEGORY, COMPONENT_RADIUS_M, Categories, Category, ClassListing, Facilities, FacilitySearch,
    Force, Kind, event_table,
};
pub use crate::error::CasesError;
pub use crate::log::postgres::{CHANNEL as CASE_CHANNEL, PgCaseLog};
pub use crate::log::{CaseIndex, CaseLog, Entry, LOG_FILE, LoadReport, LogLine, Logged};
pub use crate::request::{CaseId, CaseRequest, MAX_DESCRIPTION_CHARS, PointIn};
pub use crate::route::{
    Assigned, Duty, FacilityHit, GPS_ACCURACY_M, MatchedBy, Method, RouteError, Router, Routing, Status, Transformers,
};
pub use crate::staff::{Position, Role, Roster, STAFF_FILE, StaffMember};
pub use crate::stats::{CategoryFilter, GridCounts, grid_counts, grid_summary, level_grids};
pub use crate::time::{format_time, now, parse_time};

/// Writes `bytes` to `path` as the data dir's files are written (temporary sibling, fsync,
/// rename, fsync the directory).
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CasesError> {
    gridgis_layers::write_file_atomic(path, bytes)
        .map_err(|e| CasesError::Io { path: path.to_path_buf(), source: std::io::Error::other(e) })
}
