//! Why a coordinate system or a coordinate was refused.

use super::Crs;

/// Why a coordinate system or a coordinate was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CrsError {
    /// The name is not one we accept: not `wgs84`, `cgcs2000`, `gcj02`, `bd09`, nor an EPSG
    /// code of a projected or geographic (degree) system that PROJ can transform to WGS84.
    #[error("unknown coordinate system '{crs}'; expected wgs84, cgcs2000, gcj02, bd09 or EPSG:NNNN")]
    Unknown {
        /// The name as given (at most 64 characters of it).
        crs: String,
    },
    /// The coordinate cannot be converted: NaN or infinite, longitude/latitude out of range,
    /// outside the domain of the projection, or converting to no valid longitude/latitude.
    #[error("invalid coordinate ({lon}, {lat}) in {crs}: {reason}")]
    InvalidCoordinate {
        /// Longitude, or x (easting) for a projected system, as given.
        lon: f64,
        /// Latitude, or y (northing) for a projected system, as given.
        lat: f64,
        /// The system the coordinate was given in.
        crs: Crs,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// PROJ accepted the code when it was parsed but could not set up the transformation on
    /// this thread (out of memory or file handles, say); the next call tries again.
    #[error("PROJ could not set up the transformation from {crs} to WGS84: {message}")]
    Proj {
        /// The system.
        crs: Crs,
        /// What PROJ said.
        message: String,
    },
}

/// Result with [`CrsError`].
pub type Result<T, E = CrsError> = std::result::Result<T, E>;
