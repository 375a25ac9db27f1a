//! The engine's error type.

use crate::crs::CrsError;
use crate::hierarchy::HierarchyError;

/// Everything the engine can refuse.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// A coordinate is NaN, infinite, or outside lon [-180, 180] / lat [-90, 90].
    #[error("invalid coordinate ({lon}, {lat}): longitude must be in [-180, 180] and latitude in [-90, 90]")]
    InvalidCoordinate {
        /// Longitude as given.
        lon: f64,
        /// Latitude as given.
        lat: f64,
    },
    /// The point is outside the district and farther than the allowed distance from it.
    #[error("({lon}, {lat}) is outside the district, {distance_m:.0} m from its boundary (limit {max_distance_m} m)")]
    OutsideJurisdiction {
        /// Longitude (WGS84).
        lon: f64,
        /// Latitude (WGS84).
        lat: f64,
        /// Distance to the nearest grid, metres.
        distance_m: f64,
        /// The tolerance that was applied, metres.
        max_distance_m: f64,
    },
    /// A coordinate system could not be parsed or applied.
    #[error(transparent)]
    Crs(#[from] CrsError),
    /// The grids do not form a hierarchy.
    #[error(transparent)]
    Hierarchy(#[from] HierarchyError),
}

/// Result with [`EngineError`].
pub type Result<T, E = EngineError> = std::result::Result<T, E>;
