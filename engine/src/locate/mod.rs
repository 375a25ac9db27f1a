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

#[cfg(test)]
mod tests {
    use geo_types::{MultiPolygon, polygon};
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::hierarchy::{Grid, Township};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![polygon![(x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1)]])
    }

    /// Two districts side by side, sharing the border x = 117, each cut into 4 × 4 leaves,
    /// and a third apart from them.
    fn city() -> Hierarchy {
        let mut grids = Vec::new();
        let mut townships = Vec::new();
        for (d, x) in [(0, 116.0), (1, 117.0), (2, 119.5)] {
            let (code, town) = (format!("11010{d}"), format!("11010{d}001"));
            grids.push(Grid {
                code: code.clone(),
                name: code.clone(),
                level: 0,
                kind: "district".into(),
                parent_code: None,
                township_code: None,
                geometry: rect(x, 40.0, x + 1.0, 41.0),
            });
            townships.push(Township {
                code: town.clone(),
                name: town.clone(),
                kind: "镇".into(),
                geometry: rect(x, 40.0, x + 1.0, 41.0),
            });
            for i in 0..4 {
                for j in 0..4 {
                    let (x0, y0) = (x + f64::from(i) * 0.25, 40.0 + f64::from(j) * 0.25);
                    grids.push(Grid {
                        code: format!("{town}0{i}{j}"),
                        name: format!("{town}0{i}{j}"),
                        level: 1,
                        kind: "village".into(),
                        parent_code: Some(code.clone()),
                        township_code: Some(town.clone()),
                        geometry: rect(x0, y0, x0 + 0.25, y0 + 0.25),
                    });
                }
            }
        }
        Hierarchy::new(grids, townships).unwrap()
    }

    #[test]
    fn a_city_is_one_partition_of_its_districts() {
        let h = city();
        let index = GridIndex::build(&h);
        // Every point of a leaf's open square is in that leaf (the leaves are 0.25° squares).
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for _ in 0..20_000 {
            let (x, y) = (rng.random_range(115.9..120.6), rng.random_range(39.9..41.1));
            let expected = h.leaves().iter().copied().find(|&id| {
                let r = geo::BoundingRect::bounding_rect(&h.grid(id).geometry).unwrap();
                x > r.min().x && x < r.max().x && y > r.min().y && y < r.max().y
            });
            let on_an_edge = ((x * 4.0).fract().abs() < 1e-12) || ((y * 4.0).fract().abs() < 1e-12);
            if !on_an_edge {
                assert_eq!(index.locate(x, y), expected, "({x}, {y})");
            }
        }
        // The border belongs to the district east of it; the east and north edges are out.
        let code = |x: f64, y: f64| index.locate(x, y).map(|g| h.grid(g).code.clone());
        assert_eq!(code(117.0, 40.1).as_deref(), Some("110101001000"));
        assert_eq!(code(116.999_999, 40.1).as_deref(), Some("110100001030"));
        assert_eq!((code(118.0, 40.1), code(117.5, 41.0), code(119.0, 40.5)), (None, None, None));
        assert_eq!(code(120.4, 40.9).as_deref(), Some("110102001033"));
    }
}
