//! Arc topology of a planar partition (the TopoJSON idea): every boundary between two faces,
//! or between a face and the outside, is stored once as an arc between nodes. Faces can be
//! merged into coarser groups (grid levels) and arcs simplified without ever opening a gap or
//! an overlap between neighbours, because neighbours reference the same arc.

use rustc_hash::FxHashMap as HashMap;

use geo::line_intersection::{LineIntersection, line_intersection};
use geo::{Area, Contains, Intersects};
use geo_types::{Coord, Line, LineString, MultiPolygon, Polygon};
use rstar::primitives::GeomWithData;
use rstar::{RTree, RTreeObject};

use crate::locate::OUTSIDE;

/// Metres per degree of latitude (spherical); tolerances only need to be approximate.
const M_PER_DEG: f64 = 111_195.0;

/// One boundary polyline between two nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct Arc {
    /// Points from node to node (equal first and last for a closed loop).
    pub points: Vec<Coord<f64>>,
    /// The face on the left when walking `points` in order.
    pub left: u32,
    /// The face on the right, or [`OUTSIDE`].
    pub right: u32,
}

/// Why faces do not form a partition, or an outline could not be rebuilt.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TopologyError {
    /// Two faces claim the same side of an edge: they overlap.
    #[error("faces {a} and {b} overlap along the edge at {at:?}")]
    Overlap {
        /// One face.
        a: u32,
        /// The other.
        b: u32,
        /// Start of the shared directed edge.
        at: Coord<f64>,
    },
    /// Arcs of a group do not close into rings.
    #[error("the outline of group {group} does not close at {at:?}")]
    Open {
        /// The group.
        group: u32,
        /// Where the chain stopped.
        at: Coord<f64>,
    },
    /// A group has no area.
    #[error("group {group} has no outline")]
    Empty {
        /// The group.
        group: u32,
    },
}

/// The arcs of a partition, with their unsimplified originals.
#[derive(Clone, Debug)]
pub struct Topology {
    arcs: Vec<Arc>,
    original: Vec<Vec<Coord<f64>>>,
    face_area: Vec<f64>,
}

type Key = (u64, u64);

fn key(c: Coord<f64>) -> Key {
    (c.x.to_bits(), c.y.to_bits())
}

fn signed_ring_area(points: &[Coord<f64>]) -> f64 {
    points.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum::<f64>() / 2.0
}

impl Topology {
    /// Builds the arcs of `faces`, which must share their common boundaries vertex for vertex.
    pub fn from_faces(faces: &[MultiPolygon<f64>]) -> Result<Self, TopologyError> {
        struct Edge {
            a: Coord<f64>,
            b: Coord<f64>,
            left: u32,
            right: u32,
        }
        let mut edges: Vec<Edge> = Vec::new();
        // Fx rather than SipHash: these maps hold every vertex of a city's grids (millions) and
        // their keys are our own coordinates, not an attacker's.
        let vertices: usize = faces.iter().map(|mp| mp.0.iter().map(|p| p.exterior().0.len()).sum::<usize>()).sum();
        let mut by_dir: HashMap<(Key, Key), usize> = HashMap::with_capacity_and_hasher(vertices, Default::default());
        let mut face_area = vec![0.0; faces.len()];
        for (f, mp) in faces.iter().enumerate() {
            let f = f as u32;
            face_area[f as usize] = mp.unsigned_area();
            for polygon in &mp.0 {
                let rings =
                    std::iter::once((polygon.exterior(), true)).chain(polygon.interiors().iter().map(|r| (r, false)));
                for (ring, exterior) in rings {
                    let mut pts = ring.0.clone();
                    // The face must lie on the left: exteriors counter-clockwise, holes clockwise.
                    if (signed_ring_area(&pts) > 0.0) != exterior {
                        pts.reverse();
                    }
                    for w in pts.windows(2) {
                        if key(w[0]) == key(w[1]) {
                            continue;
                        }
                        let k = (key(w[0]), key(w[1]));
                        if let Some(&other) = by_dir.get(&k) {
                            return Err(TopologyError::Overlap { a: edges[other].left, b: f, at: w[0] });
                        }
                        by_dir.insert(k, edges.len());
                        edges.push(Edge { a: w[0], b: w[1], left: f, right: OUTSIDE });
                    }
                }
            }
        }
        for i in 0..edges.len() {
            if let Some(&twin) = by_dir.get(&(key(edges[i].b), key(edges[i].a))) {
                edges[i].right = edges[twin].left;
            }
        }
        // Each undirected edge once: the direction whose left face is the smaller id.
        let canonical: Vec<usize> = (0..edges.len()).filter(|&i| edges[i].left < edges[i].right).collect();
        let mut out_of: HashMap<Key, Vec<usize>> = HashMap::with_capacity_and_hasher(vertices / 2, Default::default());
        let mut degree: HashMap<Key, u32> = HashMap::with_capacity_and_hasher(vertices / 2, Default::default());
        for &i in &canonical {
            out_of.entry(key(edges[i].a)).or_default().push(i);
            *degree.entry(key(edges[i].a)).or_default() += 1;
            *degree.entry(key(edges[i].b)).or_default() += 1;
        }
        // A vertex is inside an arc when it has two edges with the same two faces.
        let is_node = |v: Key, faces: (u32, u32)| {
            degree.get(&v) != Some(&2)
                || out_of.get(&v).is_none_or(|o| o.len() != 1 || (edges[o[0]].left, edges[o[0]].right) != faces)
        };
        let mut used = vec![false; edges.len()];
        let mut arcs = Vec::new();
        // Arcs from nodes first, then the closed loops that have none.
        for pass in 0..2 {
            for &start in &canonical {
                let e = &edges[start];
                if used[start] || (pass == 0 && !is_node(key(e.a), (e.left, e.right))) {
                    continue;
                }
                let faces_lr = (e.left, e.right);
                let mut points = vec![e.a, e.b];
                used[start] = true;
                let mut cur = start;
                loop {
                    let end = key(edges[cur].b);
                    if is_node(end, faces_lr) || end == key(edges[start].a) {
                        break;
                    }
                    let Some(&next) = out_of.get(&end).and_then(|o| o.first()) else { break };
                    if used[next] {
                        break;
                    }
                    used[next] = true;
                    points.push(edges[next].b);
                    cur = next;
                }
                arcs.push(Arc { points, left: faces_lr.0, right: faces_lr.1 });
            }
        }
        let original = arcs.iter().map(|a| a.points.clone()).collect();
        Ok(Self { arcs, original, face_area })
    }

    /// The arcs.
    pub fn arcs(&self) -> &[Arc] {
        &self.arcs
    }

    /// Simplifies arcs (Douglas–Peucker, tolerance in metres from `tolerance_m`, `None` keeps
    /// an arc as it is) while keeping the partition valid: wherever a simplified arc would cross
    /// or touch another, or a face would lose most of its area or turn inside out, the arcs
    /// involved are simplified again at half the tolerance, down to their original points.
    /// Returns the tolerance each arc ended with.
    pub fn simplify(&mut self, tolerance_m: &dyn Fn(&Arc) -> Option<f64>) -> Vec<Option<f64>> {
        let tol = self.arcs.iter().map(tolerance_m).collect();
        self.simplify_to(tol)
    }

    /// [`Topology::simplify`] with one tolerance per arc (index as in [`Topology::arcs`]),
    /// always starting from the original arcs.
    ///
    /// # Panics
    /// If `tol` does not have one entry per arc.
    pub fn simplify_to(&mut self, mut tol: Vec<Option<f64>>) -> Vec<Option<f64>> {
        assert_eq!(tol.len(), self.arcs.len(), "one tolerance per arc");
        for (arc, (orig, t)) in self.arcs.iter_mut().zip(self.original.iter().zip(&tol)) {
            arc.points = match *t {
                Some(t) => douglas_peucker(orig, t),
                None => orig.clone(),
            };
        }
        // Each round halves the tolerance of offending arcs; after 12 the tolerance is below
        // any vertex spacing and the arc is back to its original, which is known to be valid.
        for _round in 0..12 {
            let mut bad = self.crossing_arcs();
            if bad.is_empty() {
                bad = self.collapsed_face_arcs();
            }
            if bad.is_empty() {
                return tol;
            }
            for i in bad {
                let t = tol[i].map(|t| t / 2.0).filter(|&t| t > 0.01);
                tol[i] = t;
                self.arcs[i].points = match t {
                    Some(t) => douglas_peucker(&self.original[i], t),
                    None => self.original[i].clone(),
                };
            }
        }
        for i in self.crossing_arcs().into_iter().chain(self.collapsed_face_arcs()) {
            self.arcs[i].points = self.original[i].clone();
            tol[i] = None;
        }
        tol
    }

    /// Arcs with a segment that crosses, overlaps or touches another segment anywhere other
    /// than at a shared endpoint.
    fn crossing_arcs(&self) -> Vec<usize> {
        let segments: Vec<GeomWithData<Line<f64>, (u32, u32)>> = self
            .arcs
            .iter()
            .enumerate()
            .flat_map(|(i, a)| {
                a.points
                    .windows(2)
                    .enumerate()
                    .map(move |(s, w)| GeomWithData::new(Line::new(w[0], w[1]), (i as u32, s as u32)))
            })
            .collect();
        let tree = RTree::bulk_load(segments.clone());
        let mut bad = vec![false; self.arcs.len()];
        for s in &segments {
            for t in tree.locate_in_envelope_intersecting(&s.envelope()) {
                if t.data <= s.data {
                    continue;
                }
                if conflict(*s.geom(), *t.geom()) {
                    bad[s.data.0 as usize] = true;
                    bad[t.data.0 as usize] = true;
                }
            }
        }
        (0..bad.len()).filter(|&i| bad[i]).collect()
    }

    /// Arcs of faces whose simplified area fell below a third of the original (or below zero).
    fn collapsed_face_arcs(&self) -> Vec<usize> {
        let mut area = vec![0.0; self.face_area.len()];
        for a in &self.arcs {
            // The shoelace terms of an arc count for its left face and against its right one.
            let s = a.points.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum::<f64>() / 2.0;
            area[a.left as usize] += s;
            if a.right != OUTSIDE {
                area[a.right as usize] -= s;
            }
        }
        let bad_face: Vec<bool> = area.iter().zip(&self.face_area).map(|(&a, &orig)| a < orig / 3.0).collect();
        (0..self.arcs.len())
            .filter(|&i| {
                let a = &self.arcs[i];
                a.points != self.original[i]
                    && (bad_face[a.left as usize] || (a.right != OUTSIDE && bad_face[a.right as usize]))
            })
            .collect()
    }

    /// The outlines of groups of faces: face `f` belongs to group `group[f]`; boundaries
    /// between faces of one group vanish. Groups are numbered `0..n_groups`.
    pub fn merge(&self, group: &[u32], n_groups: usize) -> Result<Vec<MultiPolygon<f64>>, TopologyError> {
        let mut paths: Vec<Vec<Vec<Coord<f64>>>> = vec![Vec::new(); n_groups];
        for a in &self.arcs {
            let gl = group[a.left as usize];
            let gr = if a.right == OUTSIDE { OUTSIDE } else { group[a.right as usize] };
            if gl == gr {
                continue;
            }
            if gl != OUTSIDE {
                paths[gl as usize].push(a.points.clone());
            }
            if gr != OUTSIDE {
                paths[gr as usize].push(a.points.iter().rev().copied().collect());
            }
        }
        paths.iter().enumerate().map(|(g, p)| assemble(g as u32, p)).collect()
    }
}

/// True when two segments meet anywhere but at an endpoint they share.
fn conflict(s: Line<f64>, t: Line<f64>) -> bool {
    match line_intersection(s, t) {
        None => false,
        Some(LineIntersection::Collinear { .. }) => true,
        Some(LineIntersection::SinglePoint { intersection: p, is_proper }) => {
            if is_proper {
                return true;
            }
            let shared = [s.start, s.end].iter().any(|&a| key(a) == key(p))
                && [t.start, t.end].iter().any(|&b| key(b) == key(p));
            !shared
        }
    }
}

/// Douglas–Peucker on lon/lat points with a tolerance in metres (local equirectangular).
fn douglas_peucker(points: &[Coord<f64>], tolerance_m: f64) -> Vec<Coord<f64>> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let kx = points[0].y.to_radians().cos();
    let xy = |c: Coord<f64>| (c.x * kx * M_PER_DEG, c.y * M_PER_DEG);
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let closed = key(points[0]) == key(points[points.len() - 1]);
    let mut stack = Vec::new();
    if closed {
        // A closed loop has no chord: split it at the point farthest from its start.
        let (x0, y0) = xy(points[0]);
        let far = (1..points.len() - 1)
            .max_by(|&i, &j| {
                let d = |k: usize| {
                    let (x, y) = xy(points[k]);
                    (x - x0).hypot(y - y0)
                };
                d(i).total_cmp(&d(j))
            })
            .unwrap_or(1);
        keep[far] = true;
        stack.push((0, far));
        stack.push((far, points.len() - 1));
    } else {
        stack.push((0, points.len() - 1));
    }
    while let Some((i, j)) = stack.pop() {
        if j <= i + 1 {
            continue;
        }
        let (ax, ay) = xy(points[i]);
        let (bx, by) = xy(points[j]);
        let (dx, dy) = (bx - ax, by - ay);
        let len = dx.hypot(dy);
        let (mut best, mut best_d) = (i, -1.0);
        for (k, &p) in points.iter().enumerate().take(j).skip(i + 1) {
            let (px, py) = xy(p);
            let d = if len > 0.0 { ((px - ax) * dy - (py - ay) * dx).abs() / len } else { (px - ax).hypot(py - ay) };
            if d > best_d {
                best = k;
                best_d = d;
            }
        }
        if best_d > tolerance_m {
            keep[best] = true;
            stack.push((i, best));
            stack.push((best, j));
        }
    }
    points.iter().zip(&keep).filter(|(_, k)| **k).map(|(p, _)| *p).collect()
}

/// Chains directed paths (each with the region on its left, each at least two points) into
/// closed rings and groups the rings into polygons: rings with positive area are exteriors,
/// the others holes of the exterior that contains them. `group` only labels errors.
pub fn assemble(group: u32, paths: &[Vec<Coord<f64>>]) -> Result<MultiPolygon<f64>, TopologyError> {
    let mut starts: HashMap<Key, Vec<usize>> = HashMap::with_capacity_and_hasher(paths.len(), Default::default());
    for (i, p) in paths.iter().enumerate() {
        starts.entry(key(p[0])).or_default().push(i);
    }
    let mut used = vec![false; paths.len()];
    let mut exteriors: Vec<Polygon<f64>> = Vec::new();
    let mut holes: Vec<LineString<f64>> = Vec::new();
    for first in 0..paths.len() {
        if used[first] {
            continue;
        }
        used[first] = true;
        let start = key(paths[first][0]);
        let mut ring: Vec<Coord<f64>> = paths[first].clone();
        loop {
            let n = ring.len();
            let (prev, end) = (ring[n - 2], ring[n - 1]);
            if key(end) == start {
                break;
            }
            let next = starts
                .get(&key(end))
                .into_iter()
                .flatten()
                .copied()
                .filter(|&i| !used[i])
                .min_by(|&i, &j| {
                    clockwise_from(prev - end, paths[i][1] - end)
                        .total_cmp(&clockwise_from(prev - end, paths[j][1] - end))
                })
                .ok_or(TopologyError::Open { group, at: end })?;
            used[next] = true;
            ring.extend_from_slice(&paths[next][1..]);
        }
        if signed_ring_area(&ring) > 0.0 {
            exteriors.push(Polygon::new(LineString(ring), vec![]));
        } else {
            holes.push(LineString(ring));
        }
    }
    for h in holes {
        let probe = Coord { x: (h.0[0].x + h.0[1].x) / 2.0, y: (h.0[0].y + h.0[1].y) / 2.0 };
        let owner = exteriors
            .iter()
            .position(|p| p.contains(&probe) || p.exterior().intersects(&probe))
            .ok_or(TopologyError::Open { group, at: probe })?;
        exteriors[owner].interiors_push(h);
    }
    if exteriors.is_empty() {
        return Err(TopologyError::Empty { group });
    }
    Ok(MultiPolygon(exteriors))
}

/// The clockwise angle in (0, 2π] from direction `r` to direction `d`. Where a group touches
/// itself at a node, taking the smallest turn keeps the group on the left and yields separate
/// rings rather than a figure eight.
fn clockwise_from(r: Coord<f64>, d: Coord<f64>) -> f64 {
    let tau = std::f64::consts::TAU;
    let a = (r.y.atan2(r.x) - d.y.atan2(d.x)).rem_euclid(tau);
    if a == 0.0 { tau } else { a }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Validation;
    use geo_types::polygon;

    fn mp(p: Polygon<f64>) -> MultiPolygon<f64> {
        MultiPolygon(vec![p])
    }

    /// Three faces: two squares side by side with a wiggly shared edge, a third below both.
    fn faces() -> Vec<MultiPolygon<f64>> {
        let wiggle = [(1.0, 1.0), (1.01, 1.2), (0.99, 1.4), (1.01, 1.6), (0.99, 1.8), (1.0, 2.0)];
        let mut left = vec![(0.0, 1.0)];
        left.extend(wiggle);
        left.push((0.0, 2.0));
        let mut right: Vec<(f64, f64)> = wiggle.iter().rev().copied().collect();
        right.extend([(2.0, 1.0), (2.0, 2.0)]);
        let poly = |pts: &[(f64, f64)]| {
            let mut ls: LineString<f64> = pts.iter().map(|&(x, y)| Coord { x, y }).collect();
            ls.close();
            Polygon::new(ls, vec![])
        };
        vec![
            mp(poly(&left)),
            mp(poly(&right)),
            mp(polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)]),
        ]
    }

    #[test]
    fn arcs_and_merge() {
        let f = faces();
        let t = Topology::from_faces(&f).unwrap();
        // Arcs: the wiggle (0|1), bottom of 0 (0|2), bottom of 1 (1|2), and the outside arcs.
        let shared: Vec<&Arc> = t.arcs().iter().filter(|a| a.right != OUTSIDE).collect();
        assert_eq!(shared.len(), 3);
        let wiggle = shared.iter().find(|a| a.left == 0 && a.right == 1).unwrap();
        assert_eq!(wiggle.points.len(), 6);
        let merged = t.merge(&[0, 0, 1], 2).unwrap();
        assert!((merged[0].unsigned_area() - 2.0).abs() < 1e-12);
        assert!(merged[0].is_valid());
        let all = t.merge(&[0, 0, 0], 1).unwrap();
        assert!((all[0].unsigned_area() - 4.0).abs() < 1e-12);
        // Identity merge reproduces the faces' areas.
        let same = t.merge(&[0, 1, 2], 3).unwrap();
        for (a, b) in same.iter().zip(&f) {
            assert!((a.unsigned_area() - b.unsigned_area()).abs() < 1e-12);
        }
    }

    #[test]
    fn simplification_straightens_shared_arcs_identically() {
        let f = faces();
        let mut t = Topology::from_faces(&f).unwrap();
        // 0.02° wiggle amplitude is ~1 km: a 5 km tolerance flattens it.
        t.simplify(&|a| (a.right != OUTSIDE).then_some(5_000.0));
        let wiggle = t.arcs().iter().find(|a| a.left == 0 && a.right == 1).unwrap();
        assert_eq!(wiggle.points.len(), 2);
        let same = t.merge(&[0, 1, 2], 3).unwrap();
        let total: f64 = same.iter().map(|m| m.unsigned_area()).sum();
        assert!((total - 4.0).abs() < 1e-12, "no gap, no overlap");
        assert!(same.iter().all(|m| m.is_valid()));
    }

    #[test]
    fn overlap_is_detected() {
        let a = mp(polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)]);
        assert!(matches!(Topology::from_faces(&[a.clone(), a]), Err(TopologyError::Overlap { .. })));
    }

    #[test]
    fn dp_keeps_endpoints() {
        let pts: Vec<Coord<f64>> =
            (0..10).map(|i| Coord { x: i as f64 * 0.001, y: 40.0 + if i % 2 == 0 { 0.0 } else { 1e-6 } }).collect();
        let s = douglas_peucker(&pts, 1.0);
        assert_eq!(s, vec![pts[0], pts[9]]);
    }
}
