//! Start-up: read the grids from a data dir (FlatGeobuf) and build the index (target: < 1 s),
//! and load and index every layer of the full demo store, 1,150 layers (target: with the
//! grids, the server answers within 3 s).

use criterion::{Criterion, criterion_group, criterion_main};

fn startup(c: &mut Criterion) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-startup-data");
    let _ = std::fs::remove_dir_all(&dir);
    gridgis_import::demo::write_demo(&dir, gridgis_import::demo::DEFAULT_SEED).expect("demo writes");
    let mut group = c.benchmark_group("startup");
    group.bench_function("load_grids_and_build_index", |b| {
        b.iter(|| {
            let store = gridgis_layers::Store::open(&dir).expect("opens");
            let hierarchy = gridgis_layers::load_hierarchy(&store).expect("loads");
            gridgis_engine::Engine::new(hierarchy)
        })
    });
    group.bench_function("load_all_layers", |b| {
        b.iter(|| {
            let store = gridgis_layers::Store::open(&dir).expect("opens");
            gridgis_layers::LayerSet::load(&store).expect("loads")
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = startup
}
criterion_main!(benches);
