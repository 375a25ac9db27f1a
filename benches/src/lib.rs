//! Shared set-up for the gridgis benchmarks: the demo grids, generated once per bench run, and
//! deterministic random points over the district.

#![forbid(unsafe_code)]

use gridgis_engine::{Engine, Hierarchy};
use rand::{Rng, SeedableRng};

/// The demo dataset's engine (generated in memory: ~6 s).
pub fn demo_engine() -> Engine {
    let demo = gridgis_import::demo::generate_grids(gridgis_import::demo::DEFAULT_SEED).expect("demo generates");
    Engine::new(Hierarchy::new(demo.grids, demo.townships).expect("demo is a hierarchy"))
}

/// `n` points uniformly over the bounding box of the district (about 45% of them fall inside),
/// from a fixed seed.
pub fn random_points(engine: &Engine, n: usize, seed: u64) -> Vec<(f64, f64)> {
    use geo::BoundingRect;
    let h = engine.hierarchy();
    let &[root] = h.roots() else { panic!("the demo grids are one district") };
    let bbox = h.grid(root).geometry.bounding_rect().expect("district has a bbox");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| (rng.random_range(bbox.min().x..bbox.max().x), rng.random_range(bbox.min().y..bbox.max().y)))
        .collect()
}
