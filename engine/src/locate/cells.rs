//! A uniform grid of cells over a lon/lat rectangle: the addressing both the point raster and
//! the nearest-segment lists use.

/// Cell `(i, j)` covers `[min_x + i·dx, min_x + (i+1)·dx) × [min_y + j·dy, min_y + (j+1)·dy)`,
/// indexed row-major as `j·nx + i`.
#[derive(Clone, Copy, Debug)]
pub struct CellGrid {
    pub min_x: f64,
    pub min_y: f64,
    pub dx: f64,
    pub dy: f64,
    pub nx: usize,
    pub ny: usize,
}

impl CellGrid {
    /// `nx × ny` cells covering `[min_x, max_x] × [min_y, max_y]` exactly (at least one each way).
    pub fn covering(min_x: f64, min_y: f64, max_x: f64, max_y: f64, nx: usize, ny: usize) -> Self {
        let (nx, ny) = (nx.max(1), ny.max(1));
        Self { min_x, min_y, dx: (max_x - min_x) / nx as f64, dy: (max_y - min_y) / ny as f64, nx, ny }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.nx * self.ny
    }

    /// The cell `(i, j)` containing `(x, y)`, or `None` outside the grid (and for NaN).
    #[inline]
    pub fn cell(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let fx = (x - self.min_x) / self.dx;
        let fy = (y - self.min_y) / self.dy;
        // Written so that NaN fails too.
        if fx >= 0.0 && fy >= 0.0 && fx < self.nx as f64 && fy < self.ny as f64 {
            Some((fx as usize, fy as usize))
        } else {
            None
        }
    }

    /// The column of `x`, clamped to the grid.
    pub fn col_of(&self, x: f64) -> usize {
        (((x - self.min_x) / self.dx).floor().max(0.0) as usize).min(self.nx - 1)
    }

    /// The row of `y`, clamped to the grid.
    pub fn row_of(&self, y: f64) -> usize {
        (((y - self.min_y) / self.dy).floor().max(0.0) as usize).min(self.ny - 1)
    }

    /// The x of the west edge of column `i` (computed the same way everywhere, so adjacent
    /// cells agree on their shared edge to the bit).
    #[inline]
    pub fn x_edge(&self, i: usize) -> f64 {
        self.min_x + i as f64 * self.dx
    }

    /// The y of the south edge of row `j`.
    #[inline]
    pub fn y_edge(&self, j: usize) -> f64 {
        self.min_y + j as f64 * self.dy
    }

    /// The centre of cell `(i, j)`.
    pub fn centre(&self, i: usize, j: usize) -> (f64, f64) {
        (self.min_x + (i as f64 + 0.5) * self.dx, self.min_y + (j as f64 + 0.5) * self.dy)
    }
}
