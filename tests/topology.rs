//! The demo grids as stored and loaded back: exact counts, validity, codes, and exact tiling
//! (checked combinatorially on the shared vertices, and by area).

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;

use geo::{Area, Centroid, Validation};
use geo_types::{Coord, MultiPolygon};
use gridgis_engine::{GridId, Hierarchy};

type Key = (u64, u64);
type Edge = (Key, Key);

fn key(c: Coord<f64>) -> Key {
    (c.x.to_bits(), c.y.to_bits())
}

/// Directed edges of a multipolygon, oriented so the polygon lies on the left.
fn directed_edges(mp: &MultiPolygon<f64>) -> Vec<Edge> {
    let mut out = Vec::new();
    for p in &mp.0 {
        for (i, ring) in std::iter::once(p.exterior()).chain(p.interiors()).enumerate() {
            let pts = &ring.0;
            let area: f64 = pts.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum();
            let ccw_wanted = i == 0;
            for w in pts.windows(2) {
                let (a, b) = if (area > 0.0) == ccw_wanted { (w[0], w[1]) } else { (w[1], w[0]) };
                out.push((key(a), key(b)));
            }
        }
    }
    out
}

fn hierarchy() -> &'static Hierarchy {
    common::loaded().engine.hierarchy()
}

fn level(h: &Hierarchy, k: u8) -> Vec<GridId> {
    (0..h.len() as GridId).filter(|&i| h.grid(i).level == k).collect()
}

#[test]
fn exact_counts_per_level() {
    let h = hierarchy();
    assert_eq!(h.counts_per_level(), vec![1, 340, 1221, 4571, 1452]);
    assert_eq!(h.len(), 7585);
    assert_eq!(h.townships().len(), 17);
    let mut kinds: HashMap<&str, usize> = HashMap::new();
    for id in level(h, 1) {
        *kinds.entry(h.grid(id).kind.as_str()).or_default() += 1;
    }
    assert_eq!(kinds.get("community"), Some(&36));
    assert_eq!(kinds.get("village"), Some(&284));
    assert_eq!(kinds.get("city_street"), Some(&19));
    assert_eq!(kinds.get("dev_zone"), Some(&1));
    // Only some level-3 grids are subdivided.
    let subdivided = level(h, 3).into_iter().filter(|&i| !h.children(i).is_empty()).count();
    assert!(subdivided > 0 && subdivided < 4571);
}

#[test]
fn real_units_keep_their_codes_and_names() {
    let h = hierarchy();
    let csv = include_str!("../data/huairou_divisions.csv");
    let mut n = 0;
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f[2] != "village" {
            continue;
        }
        let id = h.by_code(f[0]).unwrap_or_else(|| panic!("real unit {} missing", f[0]));
        let g = h.grid(id);
        assert_eq!(g.level, 1);
        let official = f[1];
        // The grid carries the everyday name: 富乐社区居委会 → 富乐社区, 桥梓村委会 → 桥梓村.
        assert!(official.starts_with(&g.name) && g.name.chars().count() >= 2, "{} vs {official}", g.name);
        assert_eq!(g.township_code.as_deref(), Some(f[3]));
        n += 1;
    }
    assert_eq!(n, 321);
    for t in h.townships() {
        assert!(csv.contains(&format!("{},{},township", t.code, t.name)), "{} {}", t.code, t.name);
    }
}

#[test]
fn every_polygon_is_valid_with_20_to_300_vertices() {
    let h = hierarchy();
    for g in h.grids() {
        assert!(g.geometry.is_valid(), "{} is invalid: {:?}", g.code, g.geometry.validation_errors());
        if g.level >= 1 {
            let n: usize = g.geometry.0.iter().map(|p| p.exterior().0.len() - 1).sum();
            assert!((20..=300).contains(&n), "{} has {n} vertices", g.code);
            assert!(g.geometry.0.iter().all(|p| p.interiors().is_empty()), "{} has a hole", g.code);
        }
    }
}

#[test]
fn codes_follow_the_contract() {
    let h = hierarchy();
    for id in 0..h.len() as GridId {
        let g = h.grid(id);
        let len = if g.level == 0 { 6 } else { 12 + 3 * (usize::from(g.level) - 1) };
        assert_eq!(g.code.len(), len, "{}", g.code);
        if let Some(p) = h.parent(id) {
            assert!(g.code.starts_with(&h.grid(p).code));
            assert_eq!(g.township_code.as_deref(), Some(&g.code[..9]));
        }
        // Children below level 1 are numbered 001, 002, … in reading order: rows of equal size
        // north to south (⌈√n⌉ rows by centroid latitude), each row west to east.
        let kids = h.children(id);
        if g.level >= 1 && !kids.is_empty() {
            let centroids: Vec<(f64, f64)> = kids
                .iter()
                .map(|&k| h.grid(k).geometry.centroid().map(|p| (p.x(), p.y())).unwrap_or_default())
                .collect();
            let mut order: Vec<usize> = (0..kids.len()).collect();
            order.sort_by(|&a, &b| centroids[b].1.total_cmp(&centroids[a].1).then(a.cmp(&b)));
            let rows = (kids.len() as f64).sqrt().ceil() as usize;
            let mut start = 0;
            let mut expected = Vec::new();
            for r in 0..rows {
                let len = kids.len() / rows + usize::from(r < kids.len() % rows);
                let mut row = order[start..start + len].to_vec();
                row.sort_by(|&a, &b| centroids[a].0.total_cmp(&centroids[b].0).then(a.cmp(&b)));
                expected.extend(row);
                start += len;
            }
            for (seq, &k) in expected.iter().enumerate() {
                let code = &h.grid(kids[k]).code;
                assert_eq!(&code[code.len() - 3..], format!("{:03}", seq + 1), "child order of {}", g.code);
            }
        }
    }
}

#[test]
fn neighbours_share_boundaries_vertex_for_vertex() {
    // At every level, each edge of a grid is an edge of its neighbour in reverse, unless it is
    // on the district outline or the other side has no grid of that level (level 4 exists only
    // in some level-3 grids): then it is an edge of the finest grid there.
    let h = hierarchy();
    let district: std::collections::HashSet<Edge> = directed_edges(&h.grid(h.root()).geometry).into_iter().collect();
    let mut leaf_edges: std::collections::HashSet<Edge> = std::collections::HashSet::new();
    for &leaf in h.leaves() {
        leaf_edges.extend(directed_edges(&h.grid(leaf).geometry));
    }
    for k in 1..=4 {
        let mut owner: HashMap<Edge, GridId> = HashMap::new();
        for id in level(h, k) {
            for e in directed_edges(&h.grid(id).geometry) {
                assert!(owner.insert(e, id).is_none(), "level {k}: edge claimed twice (overlap)");
            }
        }
        let mut unshared_inside = 0;
        for (&(a, b), &id) in &owner {
            if owner.contains_key(&(b, a)) || district.contains(&(a, b)) {
                continue;
            }
            assert!(
                leaf_edges.contains(&(b, a)),
                "level {k}: an edge of {} has no neighbour, is not on the outline and borders no finest grid",
                h.grid(id).code
            );
            unshared_inside += 1;
        }
        if k < 4 {
            assert_eq!(unshared_inside, 0, "level {k} exists everywhere");
        }
    }
}

#[test]
fn children_tile_their_parent_exactly() {
    let h = hierarchy();
    for id in 0..h.len() as GridId {
        let kids = h.children(id);
        if kids.is_empty() {
            continue;
        }
        // Children's edges minus the ones two children share are exactly the parent's edges.
        let mut edges: HashMap<Edge, i32> = HashMap::new();
        for &k in kids {
            for e in directed_edges(&h.grid(k).geometry) {
                *edges.entry(e).or_default() += 1;
            }
        }
        let mut outer: Vec<Edge> = edges.keys().filter(|&&(a, b)| !edges.contains_key(&(b, a))).copied().collect();
        let mut parent = directed_edges(&h.grid(id).geometry);
        outer.sort_unstable();
        parent.sort_unstable();
        assert_eq!(outer, parent, "children of {} do not tile it", h.grid(id).code);
        let area: f64 = kids.iter().map(|&k| h.grid(k).geometry.unsigned_area()).sum();
        let pa = h.grid(id).geometry.unsigned_area();
        assert!((area - pa).abs() <= 1e-12 * pa.max(1e-9), "{}: {area} vs {pa}", h.grid(id).code);
    }
}

#[test]
fn level_one_covers_the_repaired_outline() {
    let h = hierarchy();
    let shipped = gridgis_import::demo::reference_outline().unwrap();
    let repaired = gridgis_import::repair_polygon(&shipped).unwrap().geometry;
    let district = &h.grid(h.root()).geometry;
    assert!((district.unsigned_area() - repaired.unsigned_area()).abs() < 1e-12);
    // Every vertex of the repaired outline is a vertex of the district grid; the district grid
    // adds only the points where grids meet the outline.
    let ours: std::collections::HashSet<Key> =
        district.0.iter().flat_map(|p| p.exterior().0.iter().map(|&c| key(c))).collect();
    for p in &repaired.0 {
        for &c in &p.exterior().0 {
            assert!(ours.contains(&key(c)), "outline vertex {c:?} missing");
        }
    }
    let level1: f64 = level(h, 1).iter().map(|&id| h.grid(id).geometry.unsigned_area()).sum();
    assert!((level1 - repaired.unsigned_area()).abs() <= 1e-12 * level1);
    let townships: f64 = h.townships().iter().map(|t| t.geometry.unsigned_area()).sum();
    assert!((townships - repaired.unsigned_area()).abs() <= 1e-12 * townships);
}
