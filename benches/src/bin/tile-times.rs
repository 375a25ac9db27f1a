//! Times uncached `grids` tiles one by one on one core: every tile over the district at each
//! zoom given, each tile's best of five renders (this 2-core VM's speed wanders by a third from
//! one pass to the next), as JSON lines `{"z","tiles","with_features","total_ms","median_ms","p99_ms",
//! "max_ms","median_bytes","largest_bytes"}`. The tiles side of `benches/peers/tiles.sh`.
//!   tile-times DATA_DIR Z [Z…]

use std::time::Instant;

use gridgis_tiles::{GridsSource, Source, TileOptions, render_tile, tiles_over};

/// Renders of each tile, the best one counted.
const RUNS: usize = 5;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: tile-times DATA_DIR Z [Z…]")?;
    let zooms: Vec<u8> = args.map(|z| z.parse()).collect::<Result<_, _>>()?;
    let store = gridgis_layers::Store::open(std::path::Path::new(&dir))?;
    let grids = GridsSource::new(&gridgis_layers::load_hierarchy(&store)?)?;
    // Simplified shapes made before timing (the server makes each zoom's once, on first use).
    grids.prepare();
    let options = TileOptions::default();
    let bounds = grids.info().bounds;
    for z in zooms {
        let tiles = tiles_over(bounds, z);
        let mut times = vec![f64::INFINITY; tiles.len()];
        let mut sizes = Vec::new();
        for pass in 0..RUNS {
            for (i, &t) in tiles.iter().enumerate() {
                let start = Instant::now();
                let bytes = render_tile(&[&grids], t, &options);
                times[i] = times[i].min(start.elapsed().as_secs_f64() * 1e3);
                if pass == 0 && !bytes.is_empty() {
                    sizes.push(bytes.len());
                }
            }
        }
        let total: f64 = times.iter().sum();
        times.sort_by(f64::total_cmp);
        sizes.sort_unstable();
        let pct = |p: f64| times.get(((times.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(0.0);
        println!(
            "{{\"z\":{z},\"tiles\":{},\"with_features\":{},\"total_ms\":{total:.3},\"median_ms\":{:.4},\"p99_ms\":{:.4},\"max_ms\":{:.4},\"median_bytes\":{},\"largest_bytes\":{}}}",
            tiles.len(),
            sizes.len(),
            pct(0.5),
            pct(0.99),
            times.last().copied().unwrap_or(0.0),
            sizes.get(sizes.len() / 2).copied().unwrap_or(0),
            sizes.last().copied().unwrap_or(0),
        );
    }
    Ok(())
}
