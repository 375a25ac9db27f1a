//! Region outlines from cell labels: the boundary between two dual cells inside a triangle is
//! the segment from an edge midpoint to the triangle's centroid, so a region's outline is the
//! chain of those segments (and of outline edges), traced with the region on the left.

use std::collections::HashMap;

use geo_types::{Coord, MultiPolygon};

use super::DemoError;
use super::mesh::{Mesh, NONE, centroid, midpoint};

type Segment = (Coord<f64>, Coord<f64>);

/// The outline of every region `0..n_labels`. `label[v]` is the region of cell `v`
/// (`NONE` for cells outside every region); `leaf[v]` its finest region, which decides
/// whether the midpoint of an outline edge is a vertex: it is exactly where two finest grids
/// meet the outline, at every level, so a parent's outline is its children's outlines vertex
/// for vertex.
pub fn trace(mesh: &Mesh, label: &[u32], leaf: &[u32], n_labels: usize) -> Result<Vec<MultiPolygon<f64>>, DemoError> {
    let wanted: Vec<u32> = (0..n_labels as u32).collect();
    trace_some(mesh, 0..mesh.triangles.len() as u32, label, leaf, &wanted).into_iter().collect()
}

/// The outlines of the regions in `wanted`, from the triangles `tris`, which must include
/// every triangle touching a cell of those regions.
pub fn trace_some(
    mesh: &Mesh,
    tris: impl IntoIterator<Item = u32>,
    label: &[u32],
    leaf: &[u32],
    wanted: &[u32],
) -> Vec<Result<MultiPolygon<f64>, DemoError>> {
    let slot: HashMap<u32, usize> = wanted.iter().enumerate().map(|(i, &l)| (l, i)).collect();
    let mut segments: Vec<Vec<Segment>> = vec![Vec::new(); wanted.len()];
    let mut push = |l: u32, s: Segment| {
        if let Some(&i) = slot.get(&l) {
            segments[i].push(s);
        }
    };
    let pts = &mesh.points;
    for t in tris {
        let t = t as usize;
        let tri = mesh.triangles[t];
        let g = centroid(pts[tri[0] as usize], pts[tri[1] as usize], pts[tri[2] as usize]);
        for k in 0..3 {
            let (a, b) = (tri[k], tri[(k + 1) % 3]);
            let (pa, pb) = (pts[a as usize], pts[b as usize]);
            let (la, lb) = (label[a as usize], label[b as usize]);
            if mesh.neighbours[t][k] == NONE {
                if leaf[a as usize] == leaf[b as usize] {
                    push(la, (pa, pb));
                } else {
                    let m = midpoint(pa, pb);
                    push(la, (pa, m));
                    push(lb, (m, pb));
                }
            }
            if la != lb {
                // In the triangle's counter-clockwise order, a's quad runs m → g, b's g → m.
                let m = midpoint(pa, pb);
                push(la, (m, g));
                push(lb, (g, m));
            }
        }
    }
    segments.iter().zip(wanted).map(|(segs, &l)| assemble(l as usize, segs)).collect()
}

/// Chains the segments of one region into its outline (see [`gridgis_engine::assemble`]).
fn assemble(label: usize, segs: &[Segment]) -> Result<MultiPolygon<f64>, DemoError> {
    let paths: Vec<Vec<Coord<f64>>> = segs.iter().map(|&(a, b)| vec![a, b]).collect();
    gridgis_engine::assemble(label as u32, &paths).map_err(|e| DemoError::Geometry(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_squares_touching_at_a_corner_stay_two_rings() {
        let c = |x: f64, y: f64| Coord { x, y };
        let segs = vec![
            (c(0.0, 0.0), c(1.0, 0.0)),
            (c(1.0, 0.0), c(1.0, 1.0)),
            (c(1.0, 1.0), c(0.0, 1.0)),
            (c(0.0, 1.0), c(0.0, 0.0)),
            (c(1.0, 1.0), c(2.0, 1.0)),
            (c(2.0, 1.0), c(2.0, 2.0)),
            (c(2.0, 2.0), c(1.0, 2.0)),
            (c(1.0, 2.0), c(1.0, 1.0)),
        ];
        let mp = assemble(0, &segs).unwrap();
        assert_eq!(mp.0.len(), 2);
        assert!(geo::Validation::is_valid(&mp));
    }
}
