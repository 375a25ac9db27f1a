//! A uniform cell raster over the leaf grids, answering "which face is this point in" with one
//! array read for most points and a short horizontal ray walk for the rest.
//!
//! Each cell either lies inside one face (it stores the face) or is crossed by boundary edges
//! (it stores copies of those edges). A point in a crossed cell casts a ray towards +x: the
//! first edge it crosses tells the face the point is in, because every stored edge knows which
//! face lies on its west side. This is the crossing rule of W. R. Franklin's PNPOLY applied to a
//! whole planar partition at once, so a point on a shared edge lands in exactly one grid.

use geo_types::{Coord, MultiPolygon};

use super::cells::CellGrid;

/// The face id of "no grid": outside the district.
pub const OUTSIDE: u32 = u32::MAX;

/// Flag bit on a cell value: the cell is crossed by edges; the rest of the value indexes `spans`.
const MIXED: u32 = 1 << 31;
/// Cell value meaning "uniform and outside"; face ids must stay below it.
const UNIFORM_OUTSIDE: u32 = MIXED - 1;
/// Conservative margin (degrees) when assigning edges to cells, far above f64 rounding at
/// lon/lat magnitudes (~1e-14) and far below any real feature (1e-9° is 0.1 mm).
const EPS: f64 = 1e-9;

/// One boundary edge as seen by a ray travelling east. A horizontal edge (`y0 == y1`) is never
/// crossed, but it is stored so the cells it runs through are not mistaken for uniform ones.
#[derive(Clone, Copy, Debug)]
struct Edge {
    /// Lower endpoint's y (the edge covers `y0 <= y < y1`, half-open as in PNPOLY).
    y0: f64,
    y1: f64,
    /// x at `y0`.
    x0: f64,
    /// x at `y1`.
    x1: f64,
    /// dx/dy.
    slope: f64,
    /// The face on the side named by `west`.
    face: u32,
    /// True: `face` lies west of the edge. False: `face` lies east; the edge's west side is
    /// unknown to it (for a twin-less boundary edge that is outside).
    west: bool,
}

impl Edge {
    fn x_at(&self, y: f64) -> f64 {
        self.x0 + (y - self.y0) * self.slope
    }
}

/// The point-location raster. Immutable after [`Raster::build`].
#[derive(Debug)]
pub struct Raster {
    grid: CellGrid,
    cells: Vec<u32>,
    /// `(start, end)` into `edges` for each mixed cell.
    spans: Vec<(u32, u32)>,
    edges: Vec<Edge>,
}

/// Turns every non-horizontal ring edge of `faces` into a directed-side [`Edge`], dropping the
/// east-side copy of an edge whose identical twin names the face on its west (the twin decides).
fn collect_edges(faces: &[(u32, &MultiPolygon<f64>)]) -> Vec<Edge> {
    use std::collections::HashSet;
    let mut west_edges = Vec::new();
    let mut east_edges = Vec::new();
    for &(face, geometry) in faces {
        for polygon in &geometry.0 {
            let rings =
                std::iter::once((polygon.exterior(), true)).chain(polygon.interiors().iter().map(|r| (r, false)));
            for (ring, exterior) in rings {
                let ccw = signed_area(&ring.0) > 0.0;
                // The face lies left of each directed edge when exterior rings run counter-clockwise
                // and holes clockwise; otherwise it lies right.
                let face_on_left = exterior == ccw;
                for w in ring.0.windows(2) {
                    let (a, b) = (w[0], w[1]);
                    if a == b {
                        continue;
                    }
                    let upward = b.y > a.y || (b.y == a.y && b.x > a.x);
                    let (lo, hi) = if upward { (a, b) } else { (b, a) };
                    let slope = if hi.y > lo.y { (hi.x - lo.x) / (hi.y - lo.y) } else { 0.0 };
                    let edge =
                        Edge { y0: lo.y, y1: hi.y, x0: lo.x, x1: hi.x, slope, face, west: face_on_left == upward };
                    if edge.west {
                        west_edges.push(edge);
                    } else {
                        east_edges.push(edge);
                    }
                }
            }
        }
    }
    let key = |e: &Edge| (e.y0.to_bits(), e.y1.to_bits(), e.x0.to_bits(), e.x1.to_bits());
    let shared: HashSet<_> = west_edges.iter().map(key).collect();
    west_edges.extend(east_edges.into_iter().filter(|e| !shared.contains(&key(e))));
    west_edges
}

/// Twice the signed area of a closed ring; positive when counter-clockwise.
fn signed_area(ring: &[Coord<f64>]) -> f64 {
    ring.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum()
}

impl Raster {
    /// Builds the raster over `faces` (face id, outline). Face ids must be below `2^31 - 1`.
    /// `cells_per_edge` sets the resolution: about that many cells per boundary edge.
    pub fn build(faces: &[(u32, &MultiPolygon<f64>)], cells_per_edge: f64) -> Self {
        let edges = collect_edges(faces);
        let (mut min_x, mut min_y, mut max_x, mut max_y) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for e in &edges {
            min_x = min_x.min(e.x0.min(e.x1));
            max_x = max_x.max(e.x0.max(e.x1));
            min_y = min_y.min(e.y0);
            max_y = max_y.max(e.y1);
        }
        if edges.is_empty() {
            (min_x, min_y, max_x, max_y) = (0.0, 0.0, 1.0, 1.0);
        }
        let pad = 1e-6;
        let (min_x, min_y, max_x, max_y) = (min_x - pad, min_y - pad, max_x + pad, max_y + pad);
        // Square cells on the ground: a degree of longitude is cos(lat) of a degree of latitude.
        let aspect = ((min_y + max_y) / 2.0).to_radians().cos().max(0.05);
        let (w, h) = ((max_x - min_x) * aspect, max_y - min_y);
        let target = (edges.len() as f64 * cells_per_edge).clamp(1024.0, 16.0 * 1024.0 * 1024.0);
        let side = (w * h / target).sqrt();
        let grid =
            CellGrid::covering(min_x, min_y, max_x, max_y, (w / side).ceil() as usize, (h / side).ceil() as usize);
        let (nx, ny) = (grid.nx, grid.ny);
        let mut raster = Raster { grid, cells: vec![0; nx * ny], spans: Vec::new(), edges: Vec::new() };

        // Two passes over the edges (count, then place) give each mixed cell a contiguous run.
        let mut counts = vec![0u32; nx * ny];
        raster.for_each_cell_of_edges(&edges, |cell, _| counts[cell] += 1);
        let mut starts = vec![0u32; nx * ny];
        let mut total = 0u32;
        for (cell, &n) in counts.iter().enumerate() {
            if n > 0 {
                starts[cell] = total;
                raster.cells[cell] = MIXED | raster.spans.len() as u32;
                raster.spans.push((total, total + n));
                total += n;
            }
        }
        let mut placed =
            vec![Edge { y0: 0.0, y1: 0.0, x0: 0.0, x1: 0.0, slope: 0.0, face: OUTSIDE, west: false }; total as usize];
        raster.for_each_cell_of_edges(&edges, |cell, e| {
            placed[starts[cell] as usize] = *e;
            starts[cell] += 1;
        });
        raster.edges = placed;

        // Uniform cells take the face of their east neighbour, or of the ray from their centre.
        for j in 0..ny {
            for i in (0..nx).rev() {
                let idx = j * nx + i;
                if raster.cells[idx] & MIXED != 0 {
                    continue;
                }
                let face = if i + 1 == nx {
                    OUTSIDE
                } else if raster.cells[idx + 1] & MIXED == 0 {
                    raster.uniform_face(raster.cells[idx + 1])
                } else {
                    let (cx, cy) = raster.grid.centre(i, j);
                    raster.walk(i + 1, j, cx, cy)
                };
                raster.cells[idx] = if face == OUTSIDE { UNIFORM_OUTSIDE } else { face };
            }
        }
        raster
    }

    /// Calls `f(cell, edge)` for every cell an edge may touch (conservatively, with [`EPS`]).
    fn for_each_cell_of_edges(&self, edges: &[Edge], mut f: impl FnMut(usize, &Edge)) {
        for e in edges {
            let g = &self.grid;
            let j0 = g.row_of(e.y0 - EPS);
            let j1 = g.row_of(e.y1 + EPS);
            for j in j0..=j1 {
                let band_lo = (g.y_edge(j) - EPS).max(e.y0);
                let band_hi = (g.y_edge(j + 1) + EPS).min(e.y1);
                let (xa, xb) = if e.y1 > e.y0 { (e.x_at(band_lo), e.x_at(band_hi)) } else { (e.x0, e.x1) };
                let i0 = g.col_of(xa.min(xb) - EPS);
                let i1 = g.col_of(xa.max(xb) + EPS);
                for i in i0..=i1 {
                    f(j * g.nx + i, e);
                }
            }
        }
    }

    fn uniform_face(&self, value: u32) -> u32 {
        if value == UNIFORM_OUTSIDE { OUTSIDE } else { value }
    }

    /// The face containing `(x, y)`, or [`OUTSIDE`].
    #[inline]
    pub fn locate(&self, x: f64, y: f64) -> u32 {
        let Some((i, j)) = self.grid.cell(x, y) else { return OUTSIDE };
        let value = self.cells[j * self.grid.nx + i];
        if value & MIXED == 0 {
            return self.uniform_face(value);
        }
        self.walk(i, j, x, y)
    }

    /// Walks cells `i, i+1, …` of row `j` east from `(x, y)` until the first edge crossing
    /// (the face west of it) or a uniform cell (its face).
    fn walk(&self, i: usize, j: usize, x: f64, y: f64) -> u32 {
        let nx = self.grid.nx;
        let row = j * nx;
        let mut lo = f64::NEG_INFINITY;
        for col in i..nx {
            let value = self.cells[row + col];
            if value & MIXED == 0 {
                return self.uniform_face(value);
            }
            let hi = if col + 1 == nx { f64::INFINITY } else { self.grid.x_edge(col + 1) };
            let (start, end) = self.spans[(value & !MIXED) as usize];
            // The first crossing east of the point. Where two edges cross the ray at the same x
            // (they meet at a vertex on the ray), the one further west just above the ray comes
            // first: the smaller dx/dy. Identical twins: the copy that knows its west face.
            let mut best: Option<(f64, f64, bool, u32)> = None;
            for e in &self.edges[start as usize..end as usize] {
                if e.y0 <= y && y < e.y1 {
                    let xi = e.x_at(y);
                    if xi > x && xi >= lo && xi < hi {
                        let better = match best {
                            None => true,
                            Some((bx, bs, bw, bf)) => {
                                (xi, e.slope) < (bx, bs) || ((xi, e.slope) == (bx, bs) && (e.west, bf) > (bw, e.face))
                            }
                        };
                        if better {
                            best = Some((xi, e.slope, e.west, e.face));
                        }
                    }
                }
            }
            if let Some((_, _, west, face)) = best {
                return if west { face } else { OUTSIDE };
            }
            lo = hi;
        }
        OUTSIDE
    }

    /// Number of cells, and how many of them are crossed by edges.
    pub fn stats(&self) -> (usize, usize, usize) {
        (self.cells.len(), self.spans.len(), self.edges.len())
    }

    /// Approximate heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.cells.len() * 4 + self.spans.len() * 8 + self.edges.len() * std::mem::size_of::<Edge>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    fn mp(p: geo_types::Polygon<f64>) -> MultiPolygon<f64> {
        MultiPolygon(vec![p])
    }

    /// Two unit squares side by side sharing the edge x = 1, the right one with a hole.
    fn faces() -> Vec<MultiPolygon<f64>> {
        vec![
            mp(polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)]),
            mp(polygon!(
                exterior: [(x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0)],
                interiors: [[(x: 1.4, y: 0.4), (x: 1.6, y: 0.4), (x: 1.6, y: 0.6), (x: 1.4, y: 0.6)]],
            )),
        ]
    }

    #[test]
    fn locates_faces_holes_and_outside() {
        let f = faces();
        let refs: Vec<(u32, &MultiPolygon<f64>)> = f.iter().enumerate().map(|(i, g)| (i as u32, g)).collect();
        for cells in [0.5, 4.0, 64.0] {
            let r = Raster::build(&refs, cells);
            assert_eq!(r.locate(0.5, 0.5), 0);
            assert_eq!(r.locate(1.2, 0.5), 1);
            assert_eq!(r.locate(1.5, 0.5), OUTSIDE, "hole");
            assert_eq!(r.locate(1.9, 0.9), 1);
            assert_eq!(r.locate(-0.1, 0.5), OUTSIDE);
            assert_eq!(r.locate(2.1, 0.5), OUTSIDE);
            assert_eq!(r.locate(0.5, 1.5), OUTSIDE);
            assert_eq!(r.locate(f64::NAN, 0.5), OUTSIDE);
            // On the shared edge x = 1: the grid to the east.
            assert_eq!(r.locate(1.0, 0.5), 1);
            // On the bottom edge y = 0 (half-open rule): the grid above.
            assert_eq!(r.locate(0.5, 0.0), 0);
            // On the top edge y = 1: outside (the point belongs to what is north).
            assert_eq!(r.locate(0.5, 1.0), OUTSIDE);
            // On the west edge of the left square: the square (east of it).
            assert_eq!(r.locate(0.0, 0.5), 0);
            // On the east edge of the right square: outside.
            assert_eq!(r.locate(2.0, 0.5), OUTSIDE);
        }
    }

    #[test]
    fn horizontal_edges_split_cells() {
        // Two rectangles stacked along y = 0.5: a cell crossed only by that horizontal edge
        // must not be taken as uniform.
        let f = [
            mp(polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 0.5), (x: 0.0, y: 0.5)]),
            mp(polygon![(x: 0.0, y: 0.5), (x: 1.0, y: 0.5), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)]),
        ];
        let refs: Vec<(u32, &MultiPolygon<f64>)> = f.iter().enumerate().map(|(i, g)| (i as u32, g)).collect();
        for cells in [0.5, 4.0, 64.0, 1024.0] {
            let r = Raster::build(&refs, cells);
            for i in 1..100 {
                let x = i as f64 / 100.0;
                assert_eq!(r.locate(x, 0.49), 0, "{x} at {cells}");
                assert_eq!(r.locate(x, 0.51), 1, "{x} at {cells}");
                assert_eq!(r.locate(x, 0.5), 1, "on the edge: the grid to the north");
            }
        }
    }

    #[test]
    fn a_ray_through_the_bottom_of_a_v_takes_the_edge_west_of_it_just_above() {
        // The ray from (0.5, 0) runs through the V's bottom vertex (1, 0), where both arms
        // start: just above the ray the left arm comes first, so the point is outside.
        let v =
            [mp(polygon![(x: 0.0, y: 1.0), (x: 1.0, y: 0.0), (x: 2.0, y: 1.0), (x: 2.0, y: 2.0), (x: 0.0, y: 2.0)])];
        let refs: Vec<(u32, &MultiPolygon<f64>)> = v.iter().enumerate().map(|(i, g)| (i as u32, g)).collect();
        for cells in [0.5, 4.0, 64.0] {
            let r = Raster::build(&refs, cells);
            assert_eq!(r.locate(0.5, 0.0), OUTSIDE);
            // The vertex itself: a step east, then a smaller step north, is outside the right arm.
            assert_eq!(r.locate(1.0, 0.0), OUTSIDE);
            assert_eq!(r.locate(1.0, 0.5), 0);
        }
    }

    #[test]
    fn orientation_does_not_matter() {
        let mut f = faces();
        for g in &mut f {
            for p in &mut g.0 {
                p.exterior_mut(|r| r.0.reverse());
            }
        }
        let refs: Vec<(u32, &MultiPolygon<f64>)> = f.iter().enumerate().map(|(i, g)| (i as u32, g)).collect();
        let r = Raster::build(&refs, 4.0);
        assert_eq!(r.locate(0.5, 0.5), 0);
        assert_eq!(r.locate(1.2, 0.5), 1);
    }
}
