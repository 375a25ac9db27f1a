//! Locate on the demo grids: every point in the district lands in exactly one grid per level
//! that exists there (checked against geo's polygon containment), the shared-boundary rule,
//! outside-border tolerance and bad input.

#![allow(clippy::unwrap_used)]

mod common;

use geo::{BoundingRect, Contains, Intersects};
use geo_types::{Coord, Point, Rect};
use gridgis_engine::{Engine, EngineError, GridId};
use proptest::prelude::*;

fn engine() -> &'static Engine {
    &common::loaded().engine
}

fn district_bbox() -> Rect<f64> {
    let h = engine().hierarchy();
    h.grid(h.root()).geometry.bounding_rect().expect("bbox")
}

/// Grids of `level` whose polygon contains `p`, by brute force.
fn containing(level: u8, p: Point<f64>) -> Vec<GridId> {
    let h = engine().hierarchy();
    (0..h.len() as GridId)
        .filter(|&i| {
            let g = h.grid(i);
            g.level == level && g.geometry.contains(&p)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn every_point_lands_in_exactly_one_grid_per_level(fx in 0.0f64..1.0, fy in 0.0f64..1.0) {
        let b = district_bbox();
        let p = Point::new(b.min().x + fx * b.width(), b.min().y + fy * b.height());
        let h = engine().hierarchy();
        match engine().index().locate(p.x(), p.y()) {
            Some(leaf) => {
                let chain = h.chain(leaf);
                for (level, &expected) in chain.iter().enumerate() {
                    let found = containing(level as u8, p);
                    // A point exactly on a boundary is contained by none (measure zero).
                    if !found.is_empty() {
                        prop_assert_eq!(found, vec![expected], "level {}", level);
                    }
                }
                // No grid below the leaf's level contains it.
                let deeper = h.grid(leaf).level + 1;
                if deeper <= 4 {
                    prop_assert!(containing(deeper, p).is_empty());
                }
            }
            None => prop_assert!(containing(0, p).is_empty(), "outside, yet the district contains it"),
        }
    }
}

#[test]
fn a_point_on_a_shared_vertex_belongs_to_the_grid_east_then_north_of_it() {
    // Rule: a point on a boundary is located as if moved an infinitesimal step east, then a
    // still smaller step north. At a vertex where no incident edge (of any grid) is close to
    // horizontal, the point (x + 1e-9, y + 1e-12) is inside the grid the rule picks.
    let h = engine().hierarchy();
    let key = |c: Coord<f64>| (c.x.to_bits(), c.y.to_bits());
    let mut incident: std::collections::HashMap<(u64, u64), Vec<Coord<f64>>> = std::collections::HashMap::new();
    for &leaf in h.leaves() {
        for p in &h.grid(leaf).geometry.0 {
            for w in p.exterior().0.windows(2) {
                incident.entry(key(w[0])).or_default().push(w[1] - w[0]);
                incident.entry(key(w[1])).or_default().push(w[0] - w[1]);
            }
        }
    }
    let mut checked = 0;
    for &leaf in h.leaves().iter().step_by(7) {
        for &v in &h.grid(leaf).geometry.0[0].exterior().0 {
            let steep = incident[&key(v)].iter().all(|d| d.y.abs() > 0.05 * d.x.abs());
            if !steep {
                continue;
            }
            let at_vertex = engine().index().locate(v.x, v.y);
            let nudged = engine().index().locate(v.x + 1e-9, v.y + 1e-12);
            assert_eq!(at_vertex, nudged, "vertex {v:?} of {}", h.grid(leaf).code);
            checked += 1;
        }
    }
    assert!(checked > 1000, "only {checked} vertices checked");
}

#[test]
fn a_point_on_a_shared_edge_gets_one_answer_and_its_neighbours_agree() {
    // Walking across a boundary, answers switch exactly once and only between the two grids.
    let h = engine().hierarchy();
    let leaf = h.leaves()[h.leaves().len() / 2];
    let ring = &h.grid(leaf).geometry.0[0].exterior().0;
    let (a, b) = (ring[0], ring[1]);
    let m = Coord { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 };
    let normal = Coord { x: -(b.y - a.y), y: b.x - a.x };
    let mut answers = Vec::new();
    for i in -50..=50 {
        let t = f64::from(i) * 1e-9;
        answers.push(engine().index().locate(m.x + normal.x * t, m.y + normal.y * t));
    }
    answers.dedup();
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert!(answers.contains(&Some(leaf)));
}

#[test]
fn outside_points_get_the_nearest_grid_within_tolerance() {
    let e = engine();
    let h = e.hierarchy();
    let district = &h.grid(h.root()).geometry;
    // Walk west from the district's westernmost vertex: 100 m out is within 500 m.
    let west =
        district.0.iter().flat_map(|p| p.exterior().0.iter()).min_by(|a, b| a.x.total_cmp(&b.x)).copied().unwrap();
    let (mx, _) = gridgis_engine::metres_per_degree(west.y);
    let p = Coord { x: west.x - 100.0 / mx, y: west.y };
    assert!(!district.intersects(&Point::from(p)));
    let loc = e.locate(p.x, p.y, 500.0).unwrap();
    assert!(!loc.inside);
    assert!((loc.distance_m - 100.0).abs() < 1.0, "{}", loc.distance_m);
    assert!(h.grid(loc.grid).geometry.intersects(&Point::from(west)), "nearest grid is the one at that vertex");
    assert!(h.children(loc.grid).is_empty(), "the answer is a finest grid");
    // 10 km out: outside jurisdiction, with the distance in the error.
    let far = Coord { x: west.x - 10_000.0 / mx, y: west.y };
    match e.locate(far.x, far.y, 500.0) {
        Err(EngineError::OutsideJurisdiction { distance_m, .. }) => assert!((distance_m - 10_000.0).abs() < 200.0),
        other => panic!("{other:?}"),
    }
    // A tolerance of 0 turns the near point away too.
    assert!(matches!(e.locate(p.x, p.y, 0.0), Err(EngineError::OutsideJurisdiction { .. })));
}

#[test]
fn bad_coordinates_are_refused() {
    let e = engine();
    for (x, y) in [(f64::NAN, 40.0), (116.6, f64::INFINITY), (181.0, 40.0), (116.6, -90.5), (f64::NEG_INFINITY, 0.0)] {
        assert!(matches!(e.locate(x, y, 500.0), Err(EngineError::InvalidCoordinate { .. })), "({x}, {y})");
    }
}

#[test]
fn the_district_seat_is_in_quanhe_or_longshan() {
    let e = engine();
    let loc = e.locate(116.637, 40.322, 500.0).unwrap();
    assert!(loc.inside);
    let t = e.hierarchy().township(loc.grid).unwrap();
    assert!(t.name == "泉河街道" || t.name == "龙山街道", "{}", t.name);
}
