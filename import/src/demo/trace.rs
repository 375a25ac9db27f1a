//! Region outlines from cell labels: the boundary between two dual cells inside a triangle is
//! the segment from an edge midpoint to the triangle's centroid, so a region's outline is the
//! chain of those segments (and of outline edges), traced with the region on the left.

use std::collections::HashMap;

use geo::{Area, Contains};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};

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

fn bits(c: Coord<f64>) -> (u64, u64) {
    (c.x.to_bits(), c.y.to_bits())
}

/// Chains directed segments (region on the left) into rings and groups them into polygons.
fn assemble(label: usize, segs: &[Segment]) -> Result<MultiPolygon<f64>, DemoError> {
    let mut starts: HashMap<(u64, u64), Vec<usize>> = HashMap::with_capacity(segs.len());
    for (i, s) in segs.iter().enumerate() {
        starts.entry(bits(s.0)).or_default().push(i);
    }
    let mut used = vec![false; segs.len()];
    let mut rings: Vec<LineString<f64>> = Vec::new();
    for first in 0..segs.len() {
        if used[first] {
            continue;
        }
        let mut ring = vec![segs[first].0];
        let mut cur = first;
        used[cur] = true;
        loop {
            let (from, to) = segs[cur];
            ring.push(to);
            if bits(to) == bits(segs[first].0) {
                break;
            }
            let next = starts
                .get(&bits(to))
                .into_iter()
                .flatten()
                .copied()
                .filter(|&i| !used[i])
                .min_by(|&i, &j| clockwise_from(from - to, segs[i].1 - to).total_cmp(&clockwise_from(from - to, segs[j].1 - to)))
                .ok_or_else(|| DemoError::Geometry(format!("region {label}: outline does not close at {to:?}")))?;
            used[next] = true;
            cur = next;
        }
        rings.push(LineString(ring));
    }
    let mut exteriors = Vec::new();
    let mut holes = Vec::new();
    for r in rings {
        if signed_area(&r) > 0.0 { exteriors.push(Polygon::new(r, vec![])) } else { holes.push(r) }
    }
    for h in holes {
        let probe = midpoint(h.0[0], h.0[1]);
        let owner = exteriors
            .iter()
            .position(|p| p.contains(&probe) || geo::Intersects::intersects(p.exterior(), &geo_types::Point(probe)))
            .ok_or_else(|| DemoError::Geometry(format!("region {label}: a hole lies in no exterior ring")))?;
        exteriors[owner].interiors_push(h);
    }
    if exteriors.is_empty() {
        return Err(DemoError::Geometry(format!("region {label} is empty")));
    }
    Ok(MultiPolygon(exteriors))
}

/// The clockwise angle in (0, 2π] from direction `r` to direction `d`: at a vertex where a
/// region touches itself, the smallest such turn keeps the region on the left and splits the
/// outline into separate rings instead of a figure eight.
fn clockwise_from(r: Coord<f64>, d: Coord<f64>) -> f64 {
    let tau = std::f64::consts::TAU;
    let a = (r.y.atan2(r.x) - d.y.atan2(d.x)).rem_euclid(tau);
    if a == 0.0 { tau } else { a }
}

fn signed_area(r: &LineString<f64>) -> f64 {
    Polygon::new(r.clone(), vec![]).signed_area()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clockwise_turns() {
        let south = Coord { x: 0.0, y: -1.0 };
        let west = Coord { x: -1.0, y: 0.0 };
        let east = Coord { x: 1.0, y: 0.0 };
        assert!(clockwise_from(south, west) < clockwise_from(south, east));
    }

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
