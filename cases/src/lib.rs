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
pub use crate::log::{CaseIndex, CaseLog, Entry, LOG_FILE, LoadReport, LogLine, Logged};
pub use crate::request::{CaseId, CaseRequest, MAX_DESCRIPTION_CHARS, PointIn};
pub use crate::route::{
    Assigned, Duty, FacilityHit, GPS_ACCURACY_M, MatchedBy, Method, RouteError, Router, Routing, Status, Transformers,
};
pub use crate::staff::{Position, Role, Roster, STAFF_FILE, StaffMember};
pub use crate::stats::{CategoryFilter, GridCounts, grid_counts, grid_summary, level_grids};
pub use crate::time::{format_time, now, parse_time};

/// Writes `bytes` to `path` through a temporary sibling: write, fsync, rename, fsync the
/// directory. Readers see the old file or the new one, never a part.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CasesError> {
    use std::io::Write;
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| CasesError::Io { path: p, source }
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}.tmp", std::process::id()));
    let tmp = dir.join(name);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(io(path))?;
        std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
