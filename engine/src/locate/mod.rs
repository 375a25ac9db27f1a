//! Point-in-grid location on the finest level: which leaf grid contains a point, and for a
//! point outside the district, which grid is nearest.

mod cells;
mod nearest;
mod raster;

use geo_types::MultiPolygon;

use crate::hierarchy::{GridId, Hierarchy};

pub use self::nearest::metres_per_degree;
pub use self::raster::OUTSIDE;

/// Cells per boundary edge in the raster. Measured on the demo grids (`locate` and `startup`
/// benches): 2 gives 9.7 M points/s inside the district, a 12 MB raster and a 165 ms start;
/// 4 gives 14.3 M points/s, ~20 MB and 230 ms. Lookups are the hot path; 4 it is.
const CELLS_PER_EDGE: f64 = 4.0;

/// The index over a hierarchy's leaf grids.
///
/// Guarantees: the leaves of a valid partition give every point exactly one answer. A point
/// on a boundary shared by two grids belongs to the grid east of it; on an east–west
/// boundary, to the grid north of it; at a vertex, to the grid that contains the points just
/// east and then a smaller step north of it (PNPOLY's half-open crossing rule). The district's
/// outer boundary follows the same rule: its west and south edges are inside, its east and
/// north edges outside.
#[derive(Debug)]
pub struct GridIndex {
    raster: raster::Raster,
    outline: nearest::Outline,
}

impl GridIndex {
    /// Builds the index over the leaves of `hierarchy`.
    pub fn build(hierarchy: &Hierarchy) -> Self {
        let faces: Vec<(u32, &MultiPolygon<f64>)> =
            hierarchy.leaves().iter().map(|&id| (id, &hierarchy.grid(id).geometry)).collect();
        Self { raster: raster::Raster::build(&faces, CELLS_PER_EDGE), outline: nearest::Outline::build(&faces) }
    }

    /// The leaf grid containing `(lon, lat)` (WGS84 degrees), or `None` outside every grid.
    #[inline]
    pub fn locate(&self, lon: f64, lat: f64) -> Option<GridId> {
        let face = self.raster.locate(lon, lat);
        (face != OUTSIDE).then_some(face)
    }

    /// [`GridIndex::locate`] for many points; `out[i]` answers `points[i]`.
    pub fn locate_many(&self, points: &[(f64, f64)], out: &mut Vec<Option<GridId>>) {
        out.clear();
        out.extend(points.iter().map(|&(lon, lat)| self.locate(lon, lat)));
    }

    /// The leaf grid whose outer (district) boundary is nearest to `(lon, lat)`, and the
    /// distance to it in metres.
    pub fn nearest_outside(&self, lon: f64, lat: f64) -> Option<(GridId, f64)> {
        self.outline.nearest(lon, lat)
    }

    /// Raster size: cells, cells crossed by edges, edge copies; and approximate heap bytes.
    pub fn stats(&self) -> IndexStats {
        let (cells, mixed_cells, edge_copies) = self.raster.stats();
        IndexStats { cells, mixed_cells, edge_copies, heap_bytes: self.raster.heap_bytes() }
    }
}

/// Size figures of a [`GridIndex`], for logs and `/health`.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct IndexStats {
    /// Raster cells.
    pub cells: usize,
    /// Cells crossed by at least one boundary edge.
    pub mixed_cells: usize,
    /// Edge copies stored in crossed cells.
    pub edge_copies: usize,
    /// Approximate heap bytes of the raster.
    pub heap_bytes: usize,
}
