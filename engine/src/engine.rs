//! The engine: a grid hierarchy with its point index, answering *locate*.

use crate::error::{EngineError, Result};
use crate::hierarchy::{GridId, Hierarchy};
use crate::locate::{GridIndex, IndexStats};

/// Where a point lies: its finest grid, and whether it is inside a district.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Location {
    /// The finest grid containing the point; outside every district, the nearest one.
    pub grid: GridId,
    /// True when the point lies in a district.
    pub inside: bool,
    /// 0 inside; outside, the distance to the nearest grid in metres.
    pub distance_m: f64,
}

/// A loaded grid hierarchy and its index. Immutable and `Sync`: share it behind an `Arc`.
#[derive(Debug)]
pub struct Engine {
    hierarchy: Hierarchy,
    index: GridIndex,
}

impl Engine {
    /// Indexes the leaves of `hierarchy`.
    pub fn new(hierarchy: Hierarchy) -> Self {
        let index = GridIndex::build(&hierarchy);
        Self { hierarchy, index }
    }

    /// The grids.
    pub fn hierarchy(&self) -> &Hierarchy {
        &self.hierarchy
    }

    /// The point index.
    pub fn index(&self) -> &GridIndex {
        &self.index
    }

    /// Index size figures.
    pub fn index_stats(&self) -> IndexStats {
        self.index.stats()
    }

    /// Locates a WGS84 point: the finest grid containing it; outside every district, the
    /// nearest grid if it is within `max_distance_m`.
    ///
    /// # Errors
    /// [`EngineError::InvalidCoordinate`] for NaN, infinite or out-of-range input;
    /// [`EngineError::OutsideJurisdiction`] when the point is outside and farther than
    /// `max_distance_m` from every grid.
    pub fn locate(&self, lon: f64, lat: f64, max_distance_m: f64) -> Result<Location> {
        if !(lon.is_finite() && lat.is_finite() && (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)) {
            return Err(EngineError::InvalidCoordinate { lon, lat });
        }
        if let Some(grid) = self.index.locate(lon, lat) {
            return Ok(Location { grid, inside: true, distance_m: 0.0 });
        }
        match self.index.nearest_outside(lon, lat) {
            Some((grid, distance_m)) if distance_m <= max_distance_m => {
                Ok(Location { grid, inside: false, distance_m })
            }
            other => Err(EngineError::OutsideJurisdiction {
                lon,
                lat,
                distance_m: other.map_or(f64::INFINITY, |(_, d)| d),
                max_distance_m,
            }),
        }
    }
}
