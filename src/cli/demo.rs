//! `gridgis demo --out DIR [--seed N]`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};

/// Arguments of `gridgis demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the dataset: a new directory (or an empty one).
    #[arg(long)]
    out: PathBuf,
    /// Seed: the same seed writes the same bytes.
    #[arg(long, default_value_t = gridgis_import::demo::DEFAULT_SEED)]
    seed: u64,
}

/// Writes the demo dataset.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.out.join("catalog.json").exists() {
        bail!("{} already holds a data dir; choose a new directory", args.out.display());
    }
    let started = Instant::now();
    let demo = gridgis_import::demo::write_demo(&args.out, args.seed)
        .with_context(|| format!("writing the demo dataset to {}", args.out.display()))?;
    let mut per_level = [0usize; 5];
    for g in &demo.grids {
        per_level[usize::from(g.level)] += 1;
    }
    let t = &demo.thematic;
    eprintln!(
        "gridgis: wrote {} grids (levels 0–4: {:?}), {} townships and {} thematic layers ({} district, {} city: \
         {} components, {} POIs, {} cameras, {} buildings; {} features), {} addresses, {} staff and {} cases to {} in \
         {:.1} s (seed {})",
        demo.grids.len(),
        per_level,
        demo.townships.len(),
        t.district_layers + t.city_layers,
        t.district_layers,
        t.city_layers,
        t.components,
        t.pois,
        t.cameras,
        t.buildings,
        t.features,
        t.addresses,
        gridgis_import::demo::STAFF_COUNTS.iter().map(|c| c.1).sum::<usize>(),
        demo.cases,
        args.out.display(),
        started.elapsed().as_secs_f64(),
        args.seed
    );
    Ok(ExitCode::SUCCESS)
}
