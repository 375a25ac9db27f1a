//! Batch point-in-grid on the full demo grid set, one core. Target: ≥ 5 million points/s.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gridgis_benches::{demo_engine, random_points};

fn locate(c: &mut Criterion) {
    let engine = demo_engine();
    let points = random_points(&engine, 1_000_000, 42);
    let inside: Vec<(f64, f64)> =
        points.iter().copied().filter(|&(x, y)| engine.index().locate(x, y).is_some()).collect();
    let mut out = Vec::with_capacity(points.len());
    let mut group = c.benchmark_group("locate");
    group.throughput(Throughput::Elements(points.len() as u64));
    group.bench_function("finest_grid_1m_points_over_bbox", |b| {
        b.iter(|| engine.index().locate_many(&points, &mut out))
    });
    group.throughput(Throughput::Elements(inside.len() as u64));
    group.bench_function("finest_grid_points_inside_district", |b| {
        b.iter(|| engine.index().locate_many(&inside, &mut out))
    });
    // The full answer path: validation, index, and the ancestor chain from the parent table.
    group.throughput(Throughput::Elements(inside.len() as u64));
    group.bench_function("locate_with_chain_inside_district", |b| {
        b.iter(|| {
            let mut levels = 0usize;
            for &(x, y) in &inside {
                if let Ok(loc) = engine.locate(x, y, 500.0) {
                    levels += engine.hierarchy().chain(loc.grid).len();
                }
            }
            levels
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = locate
}
criterion_main!(benches);
