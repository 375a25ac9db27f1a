//! The base mesh the demo grids are cut from: a constrained Delaunay triangulation of the
//! district (outline vertices plus density-weighted interior points), whose barycentric dual
//! cells tile the district exactly. Every grid of every level is a union of dual cells, so
//! neighbours share boundaries vertex for vertex by construction, and since at most three
//! cells meet at any point, a connected union never pinches.

use std::collections::HashMap;

use geo::{BoundingRect, Contains};
use geo_types::{Coord, MultiPolygon};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rstar::RTree;
use rstar::primitives::GeomWithData;
use spade::{ConstrainedDelaunayTriangulation, Point2, Triangulation};

use super::DemoError;

/// No neighbouring triangle across an edge: the edge is on the district outline.
pub const NONE: u32 = u32::MAX;

/// The triangulated district and its dual cells (one per vertex).
#[derive(Debug)]
pub struct Mesh {
    /// Vertex positions, lon/lat degrees, exactly as given (outline vertices are the outline's).
    pub points: Vec<Coord<f64>>,
    /// Inside triangles, counter-clockwise.
    pub triangles: Vec<[u32; 3]>,
    /// For triangle `t`, edge `k` (from vertex `k` to vertex `k+1`), the triangle across it.
    pub neighbours: Vec<[u32; 3]>,
    /// Adjacency between cells (vertices sharing an inside triangle edge), CSR layout.
    adj_start: Vec<u32>,
    adj: Vec<u32>,
    /// Triangles incident to each cell, CSR layout.
    tri_start: Vec<u32>,
    tri_of: Vec<u32>,
    /// Dual cell area in km².
    pub cell_area: Vec<f64>,
    /// Cells with at least one inside triangle; the rest are not part of the district.
    pub used: Vec<bool>,
}

impl Mesh {
    /// Cells adjacent to cell `v`.
    pub fn adjacent(&self, v: u32) -> &[u32] {
        &self.adj[self.adj_start[v as usize] as usize..self.adj_start[v as usize + 1] as usize]
    }

    /// Inside triangles incident to cell `v`.
    pub fn triangles_of(&self, v: u32) -> &[u32] {
        &self.tri_of[self.tri_start[v as usize] as usize..self.tri_start[v as usize + 1] as usize]
    }

    /// Number of cells (vertices), used or not.
    pub fn len(&self) -> usize {
        self.points.len()
    }
}

/// A vertex of the triangulation: its position in a locally isotropic plane (longitude scaled
/// by cos(latitude), so that Delaunay's empty-circle test works in ground distances).
#[derive(Clone, Copy, Debug)]
struct Vertex(Point2<f64>);

impl spade::HasPosition for Vertex {
    type Scalar = f64;
    fn position(&self) -> Point2<f64> {
        self.0
    }
}

/// km per degree of latitude, a spherical-earth figure; good to 0.5% for area weights.
pub const KM_PER_DEG: f64 = 111.195;
/// The same in metres.
pub const M_PER_DEG: f64 = KM_PER_DEG * 1000.0;

/// Builds the mesh over `district`. `density(p)` is the wanted number of cells per km² at `p`.
pub fn build(
    district: &MultiPolygon<f64>,
    density: &dyn Fn(Coord<f64>) -> f64,
    rng: &mut ChaCha8Rng,
) -> Result<Mesh, DemoError> {
    let bbox = district.bounding_rect().ok_or(DemoError::Geometry("empty district outline".into()))?;
    let lat0 = bbox.center().y;
    let kx = lat0.to_radians().cos();

    // Outline vertices, deduplicated (rings may share a vertex where they touch), and edges.
    let mut index: HashMap<(u64, u64), u32> = HashMap::new();
    let mut points: Vec<Coord<f64>> = Vec::new();
    let mut constraints: Vec<[usize; 2]> = Vec::new();
    let mut outline_lines = Vec::new();
    for polygon in &district.0 {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            let mut ids = Vec::with_capacity(ring.0.len());
            for c in &ring.0 {
                let id = *index.entry((c.x.to_bits(), c.y.to_bits())).or_insert_with(|| {
                    points.push(*c);
                    (points.len() - 1) as u32
                });
                ids.push(id);
            }
            for w in ids.windows(2) {
                if w[0] != w[1] {
                    constraints.push([w[0] as usize, w[1] as usize]);
                }
            }
            for l in ring.lines() {
                let a = Coord { x: l.start.x * kx, y: l.start.y };
                let b = Coord { x: l.end.x * kx, y: l.end.y };
                outline_lines.push(GeomWithData::new(geo_types::Line::new(a, b), ()));
            }
        }
    }
    let outline_tree = RTree::bulk_load(outline_lines);

    // Interior points: a quadtree over the bounding box splits until each quad expects at
    // most one point, then places one with that probability, jittered within the quad's
    // middle so neighbours rarely crowd. Points too close to the outline are dropped to keep
    // triangles along it from degenerating.
    let mut candidates = Vec::new();
    let mut stack = vec![(bbox.min(), bbox.max())];
    while let Some((lo, hi)) = stack.pop() {
        let (w_km, h_km) = ((hi.x - lo.x) * kx * KM_PER_DEG, (hi.y - lo.y) * KM_PER_DEG);
        let area = w_km * h_km;
        let mid = Coord { x: (lo.x + hi.x) / 2.0, y: (lo.y + hi.y) / 2.0 };
        // The densest of nine samples decides the split, so a narrow peak is not missed.
        let mut peak: f64 = 0.0;
        for i in 0..3 {
            for j in 0..3 {
                let p = Coord {
                    x: lo.x + (hi.x - lo.x) * (i as f64 + 0.5) / 3.0,
                    y: lo.y + (hi.y - lo.y) * (j as f64 + 0.5) / 3.0,
                };
                peak = peak.max(density(p));
            }
        }
        if peak * area > 1.0 {
            stack.push((lo, mid));
            stack.push((Coord { x: mid.x, y: lo.y }, Coord { x: hi.x, y: mid.y }));
            stack.push((Coord { x: lo.x, y: mid.y }, Coord { x: mid.x, y: hi.y }));
            stack.push((mid, hi));
            continue;
        }
        let expected = density(mid) * area;
        if rng.random::<f64>() < expected {
            let p = Coord {
                x: lo.x + (hi.x - lo.x) * rng.random_range(0.2..0.8),
                y: lo.y + (hi.y - lo.y) * rng.random_range(0.2..0.8),
            };
            let spacing_deg = (hi.y - lo.y).max((hi.x - lo.x) * kx);
            candidates.push((p, spacing_deg));
        }
    }
    for (p, spacing) in candidates {
        if !district.contains(&p) {
            continue;
        }
        let q = geo_types::Point::new(p.x * kx, p.y);
        let near = outline_tree.nearest_neighbor(&q).map(|l| rstar::PointDistance::distance_2(l, &q).sqrt());
        if near.is_some_and(|d| d < 0.4 * spacing) {
            continue;
        }
        points.push(p);
    }

    let vertices: Vec<Vertex> = points.iter().map(|c| Vertex(Point2::new(c.x * kx, c.y))).collect();
    let n_input = vertices.len();
    let cdt: ConstrainedDelaunayTriangulation<Vertex> =
        ConstrainedDelaunayTriangulation::bulk_load_cdt(vertices, constraints.clone())
            .map_err(|e| DemoError::Geometry(format!("triangulation failed: {e:?}")))?;
    if cdt.num_vertices() != n_input {
        return Err(DemoError::Geometry("triangulation merged duplicate points".into()));
    }

    // All finite triangles, then keep those inside the outline: flood fill from the convex
    // hull, flipping inside/outside across every constraint (outline) edge.
    let all: Vec<[u32; 3]> = cdt
        .inner_faces()
        .map(|f| {
            let [a, b, c] = f.vertices();
            [a.fix().index() as u32, b.fix().index() as u32, c.fix().index() as u32]
        })
        .collect();
    let constraint_set: std::collections::HashSet<(u32, u32)> =
        constraints.iter().map(|&[a, b]| (a.min(b) as u32, a.max(b) as u32)).collect();
    let key = |a: u32, b: u32| (a.min(b), a.max(b));
    let mut edge_faces: HashMap<(u32, u32), [u32; 2]> = HashMap::with_capacity(all.len() * 2);
    for (t, tri) in all.iter().enumerate() {
        for k in 0..3 {
            let e = edge_faces.entry(key(tri[k], tri[(k + 1) % 3])).or_insert([NONE, NONE]);
            if e[0] == NONE { e[0] = t as u32 } else { e[1] = t as u32 }
        }
    }
    let mut inside: Vec<Option<bool>> = vec![None; all.len()];
    let mut queue = std::collections::VecDeque::new();
    for (t, tri) in all.iter().enumerate() {
        for k in 0..3 {
            let e = key(tri[k], tri[(k + 1) % 3]);
            if edge_faces[&e][1] == NONE && inside[t].is_none() {
                inside[t] = Some(constraint_set.contains(&e));
                queue.push_back(t);
            }
        }
    }
    while let Some(t) = queue.pop_front() {
        let state = inside[t].unwrap_or(false);
        let tri = all[t];
        for k in 0..3 {
            let e = key(tri[k], tri[(k + 1) % 3]);
            let [f0, f1] = edge_faces[&e];
            let other = if f0 as usize == t { f1 } else { f0 };
            if other == NONE || inside[other as usize].is_some() {
                continue;
            }
            inside[other as usize] = Some(state != constraint_set.contains(&e));
            queue.push_back(other as usize);
        }
    }

    let mut triangles = Vec::new();
    let mut new_id = vec![NONE; all.len()];
    for (t, tri) in all.iter().enumerate() {
        if inside[t] == Some(true) {
            new_id[t] = triangles.len() as u32;
            // Orient counter-clockwise in lon/lat.
            let (a, b, c) = (points[tri[0] as usize], points[tri[1] as usize], points[tri[2] as usize]);
            let cross = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
            triangles.push(if cross > 0.0 { *tri } else { [tri[0], tri[2], tri[1]] });
        }
    }
    let mut neighbours = vec![[NONE; 3]; triangles.len()];
    for (t, tri) in triangles.iter().enumerate() {
        for k in 0..3 {
            let [f0, f1] = edge_faces[&key(tri[k], tri[(k + 1) % 3])];
            for f in [f0, f1] {
                if f != NONE && new_id[f as usize] != NONE && new_id[f as usize] != t as u32 {
                    neighbours[t][k] = new_id[f as usize];
                }
            }
        }
    }

    // Cell areas (a third of each incident triangle) and adjacency.
    let n = points.len();
    let mut cell_area = vec![0.0; n];
    let mut used = vec![false; n];
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(triangles.len() * 6);
    for tri in &triangles {
        let (a, b, c) = (points[tri[0] as usize], points[tri[1] as usize], points[tri[2] as usize]);
        let area_km2 =
            ((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)).abs() / 2.0 * kx * KM_PER_DEG * KM_PER_DEG;
        for k in 0..3 {
            cell_area[tri[k] as usize] += area_km2 / 3.0;
            used[tri[k] as usize] = true;
            pairs.push((tri[k], tri[(k + 1) % 3]));
            pairs.push((tri[(k + 1) % 3], tri[k]));
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let mut adj_start = vec![0u32; n + 1];
    for &(a, _) in &pairs {
        adj_start[a as usize + 1] += 1;
    }
    for i in 0..n {
        adj_start[i + 1] += adj_start[i];
    }
    let adj = pairs.iter().map(|&(_, b)| b).collect();
    let mut tri_start = vec![0u32; n + 1];
    for tri in &triangles {
        for &v in tri {
            tri_start[v as usize + 1] += 1;
        }
    }
    for i in 0..n {
        tri_start[i + 1] += tri_start[i];
    }
    let mut fill = tri_start.clone();
    let mut tri_of = vec![0u32; triangles.len() * 3];
    for (t, tri) in triangles.iter().enumerate() {
        for &v in tri {
            tri_of[fill[v as usize] as usize] = t as u32;
            fill[v as usize] += 1;
        }
    }
    Ok(Mesh { points, triangles, neighbours, adj_start, adj, tri_start, tri_of, cell_area, used })
}

/// The centroid of a triangle, computed one way everywhere so shared points are bit-identical.
pub fn centroid(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> Coord<f64> {
    Coord { x: (a.x + b.x + c.x) / 3.0, y: (a.y + b.y + c.y) / 3.0 }
}

/// The midpoint of an edge; symmetric in its arguments (IEEE addition commutes).
pub fn midpoint(a: Coord<f64>, b: Coord<f64>) -> Coord<f64> {
    Coord { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 }
}

/// Approximate ground distance in km between two lon/lat points (equirectangular).
pub fn distance_km(a: Coord<f64>, b: Coord<f64>) -> f64 {
    let kx = ((a.y + b.y) / 2.0).to_radians().cos();
    (((a.x - b.x) * kx).powi(2) + (a.y - b.y).powi(2)).sqrt() * KM_PER_DEG
}

/// Ring helper for tests: the closed ring of a slice of points.
#[cfg(test)]
pub fn ring(points: &[(f64, f64)]) -> geo_types::LineString<f64> {
    let mut ls: geo_types::LineString<f64> = points.iter().map(|&(x, y)| Coord { x, y }).collect();
    ls.close();
    ls
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::Polygon;
    use rand::SeedableRng;

    #[test]
    fn dual_cells_tile_the_polygon() {
        let square = MultiPolygon(vec![Polygon::new(
            ring(&[(116.0, 40.0), (116.1, 40.0), (116.1, 40.1), (116.0, 40.1)]),
            vec![],
        )]);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mesh = build(&square, &|_| 20.0, &mut rng).unwrap();
        let total: f64 = mesh.cell_area.iter().sum();
        let expected = 0.1 * 0.1 * 40.05f64.to_radians().cos() * KM_PER_DEG * KM_PER_DEG;
        assert!((total - expected).abs() / expected < 0.01, "{total} vs {expected}");
        assert!(mesh.points.len() > 100);
        // Every inside triangle edge has a neighbour unless it lies on the square's outline.
        for (t, tri) in mesh.triangles.iter().enumerate() {
            for k in 0..3 {
                let (a, b) = (mesh.points[tri[k] as usize], mesh.points[tri[(k + 1) % 3] as usize]);
                let on_outline =
                    (a.x == b.x && (a.x == 116.0 || a.x == 116.1)) || (a.y == b.y && (a.y == 40.0 || a.y == 40.1));
                assert_eq!(mesh.neighbours[t][k] == NONE, on_outline);
            }
        }
    }
}
