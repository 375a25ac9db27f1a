//! Uncached tile generation: every `grids` tile over the district at z10, z12, z14 and z16
//! (criterion throughput), then each of them timed alone for the median and p99 per zoom
//! (targets at z12–z16: median ≤ 0.2 ms, p99 ≤ 2 ms) with their sizes; and the heaviest
//! thematic-layer tile at z14.

use std::time::Instant;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use gridgis_tiles::{GridsSource, LayerSource, Source, TileCoord, TileOptions, render_tile};

/// Every tile at `z` over `bounds` (`[w, s, e, n]`).
fn tiles_over(bounds: [f64; 4], z: u8) -> Vec<TileCoord> {
    let (Ok(a), Ok(b)) =
        (TileCoord::containing(bounds[0], bounds[3], z), TileCoord::containing(bounds[2], bounds[1], z))
    else {
        return Vec::new();
    };
    let ((_, x0, y0), (_, x1, y1)) = (a.zxy(), b.zxy());
    (x0..=x1).flat_map(|x| (y0..=y1).filter_map(move |y| TileCoord::new(z, x, y).ok())).collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn tiles(c: &mut Criterion) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-tiles-data");
    let _ = std::fs::remove_dir_all(&dir);
    gridgis_import::demo::write_demo(&dir, gridgis_import::demo::DEFAULT_SEED).expect("demo writes");
    let store = gridgis_layers::Store::open(&dir).expect("opens");
    let hierarchy = gridgis_layers::load_hierarchy(&store).expect("grids load");
    let t = Instant::now();
    let grids = GridsSource::new(&hierarchy).expect("grids are a partition");
    let built = t.elapsed();
    let t = Instant::now();
    grids.prepare();
    eprintln!("grids source: topology {built:.2?}, simplified for every zoom {:.2?}", t.elapsed());
    let options = TileOptions::default();
    let bounds = grids.info().bounds;

    let mut group = c.benchmark_group("tiles");
    group.sample_size(10);
    for z in [10u8, 12, 14, 16] {
        let all = tiles_over(bounds, z);
        // z16 has ~100,000 tiles over the district's box: every 16th for the throughput run.
        let sample: Vec<TileCoord> = if z >= 16 { all.iter().step_by(16).copied().collect() } else { all.clone() };
        group.throughput(Throughput::Elements(sample.len() as u64));
        group.bench_with_input(BenchmarkId::new("grids_uncached", z), &sample, |b, tiles| {
            b.iter(|| tiles.iter().map(|&t| render_tile(&[&grids], t, &options).len()).sum::<usize>())
        });
        let mut times = Vec::with_capacity(sample.len());
        let mut sizes = Vec::with_capacity(sample.len());
        for &t in &sample {
            let start = Instant::now();
            let bytes = render_tile(&[&grids], t, &options);
            times.push(start.elapsed().as_secs_f64() * 1e3);
            if !bytes.is_empty() {
                sizes.push(bytes.len());
            }
        }
        times.sort_by(f64::total_cmp);
        sizes.sort_unstable();
        eprintln!(
            "grids z{z}: {} tiles ({} with features), per tile median {:.3} ms, p99 {:.3} ms, max {:.3} ms; \
             size median {} B, largest {} B",
            sample.len(),
            sizes.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            times.last().copied().unwrap_or(0.0),
            sizes.get(sizes.len() / 2).copied().unwrap_or(0),
            sizes.last().copied().unwrap_or(0),
        );
    }

    // The heaviest thematic tile at z14: among the ten layers with the densest z14 tiles (the
    // gazetteer left aside: it is drawn from z16), the tile with the most bytes.
    let layers = gridgis_layers::LayerSet::load(&store).expect("layers load");
    let mut dense: Vec<_> = layers.iter().filter(|l| l.entry().kind == "thematic").cloned().collect();
    dense.sort_by_key(|l| std::cmp::Reverse(l.densest_tile(14)));
    let over = tiles_over(bounds, 14);
    let heaviest = dense
        .into_iter()
        .take(10)
        .flat_map(|l| {
            let source = LayerSource::new(l);
            over.iter()
                .map(|&t| (render_tile(&[&source as &dyn Source], t, &options).len(), t))
                .max_by_key(|(n, _)| *n)
                .map(|(n, t)| (n, t, source))
        })
        .max_by_key(|(n, _, _)| *n);
    if let Some((size, tile, source)) = heaviest {
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(format!("heaviest_thematic_z14/{}", source.info().id), |b| {
            b.iter(|| render_tile(&[&source as &dyn Source], tile, &options).len())
        });
        let start = Instant::now();
        render_tile(&[&source as &dyn Source], tile, &options);
        eprintln!(
            "heaviest thematic tile at z14: {} {:?}, {size} B, {:.3} ms",
            source.info().id,
            tile.zxy(),
            start.elapsed().as_secs_f64() * 1e3
        );
    }
    group.finish();
}

criterion_group!(benches, tiles);
criterion_main!(benches);
