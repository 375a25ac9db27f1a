//! `gridgis demo --out DIR [--seed N] [--districts N]`.

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
    /// Districts of the city, 1–16: district 0 is the demo district (Huairou), the others
    /// copies of it standing for Beijing's other districts, side by side (for measuring one
    /// server on a whole city's data).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=16))]
    districts: u16,
}

/// Writes the demo dataset.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.out.join("catalog.json").exists() {
        bail!("{} already holds a data dir; choose a new directory", args.out.display());
    }
    let started = Instant::now();
    let demo = gridgis_import::demo::write_city(&args.out, args.seed, usize::from(args.districts))
        .with_context(|| format!("writing the demo dataset to {}", args.out.display()))?;
    let mut per_level = [0usize; 5];
    for g in &demo.grids {
        per_level[usize::from(g.level)] += 1;
    }
    let t = &demo.thematic;
    eprintln!(
        "gridgis: wrote {} grids (levels 0–4: {:?}), {} townships and {} thematic layers ({} district, {} city: \
         {} components, {} POIs, {} cameras, {} buildings; {} features), {} addresses, {} staff and {} cases to {} in \
         {:.1} s (seed {}{})",
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
        demo.staff,
        demo.cases,
        args.out.display(),
        started.elapsed().as_secs_f64(),
        args.seed,
        if args.districts > 1 { format!(", {} districts", args.districts) } else { String::new() }
    );
    Ok(ExitCode::SUCCESS)
}
