//! `gridgis tiles SOURCES --out FILE.pmtiles|FILE.mbtiles [--minzoom Z] [--maxzoom Z]`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};

use crate::tile_sources::resolve;

/// Arguments of `gridgis tiles`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Sources, comma-separated: `grids` and any layer id (as in `/tiles/{sources}`).
    sources: String,
    /// The archive to write: `.pmtiles` (PMTiles v3) or `.mbtiles`.
    #[arg(long)]
    out: PathBuf,
    /// Lowest zoom (default: the lowest at which any of the sources has features).
    #[arg(long)]
    minzoom: Option<u8>,
    /// Highest zoom.
    #[arg(long, default_value_t = 14)]
    maxzoom: u8,
    /// Units beyond each tile edge that geometries keep.
    #[arg(long, default_value_t = gridgis_tiles::TileOptions::default().buffer)]
    buffer: u32,
}

/// Runs `gridgis tiles`.
pub fn run(place: &crate::data::Place, args: Args) -> anyhow::Result<ExitCode> {
    if args.out.extension().and_then(|e| e.to_str()).is_none_or(|e| !matches!(e, "pmtiles" | "mbtiles")) {
        bail!("{}: the archive must be a .pmtiles or .mbtiles file", args.out.display());
    }
    // Only what tiles need: the grids and the layers (no point index, no geocoder).
    let store = place.open_store()?;
    let shown = place.describe();
    let hierarchy =
        gridgis_layers::load_hierarchy(&store).with_context(|| format!("cannot load the grids of {shown}"))?;
    let grids =
        Arc::new(gridgis_tiles::GridsSource::new(&hierarchy).context("the grids do not share their boundaries")?);
    let layers =
        gridgis_layers::LayerSet::load(&store).with_context(|| format!("cannot load the layers of {shown}"))?;
    let sources = resolve(&args.sources, &grids, &layers)?;
    let refs: Vec<&dyn gridgis_tiles::Source> = sources.iter().map(|s| s.as_ref()).collect();
    let infos: Vec<_> = refs.iter().map(|s| s.info()).collect();
    let minzoom =
        args.minzoom.unwrap_or_else(|| infos.iter().flat_map(|i| &i.layers).map(|l| l.minzoom).min().unwrap_or(0));
    if minzoom > args.maxzoom {
        bail!("--minzoom {minzoom} is above --maxzoom {}", args.maxzoom);
    }
    // The simplified shapes of every zoom at once, on all cores, rather than on first use.
    grids.prepare();
    let bounds = gridgis_tiles::union_bounds(&infos);
    let total: u64 = (minzoom..=args.maxzoom).map(|z| gridgis_tiles::tiles_over(bounds, z).len() as u64).sum();
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{spinner} tiles [{bar:30}] {pos}/{len} ({per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let options = gridgis_tiles::TileOptions { buffer: args.buffer, ..Default::default() };
    let progress = |n: u64| bar.inc(n);
    let report = gridgis_tiles::write_archive(&refs, &args.out, minzoom, args.maxzoom, &options, &progress)
        .with_context(|| format!("writing {}", args.out.display()))?;
    bar.finish_and_clear();
    eprintln!(
        "gridgis: wrote {} tiles ({} looked at, {:.1} MB) of {} at zooms {minzoom}–{} to {} in {:.1} s",
        report.tiles,
        report.visited,
        report.bytes as f64 / 1e6,
        args.sources,
        args.maxzoom,
        args.out.display(),
        report.elapsed_ms as f64 / 1000.0
    );
    for (z, n, bytes) in &report.per_zoom {
        eprintln!("gridgis:   z{z}: {n} tiles, {:.1} KB", *bytes as f64 / 1e3);
    }
    Ok(ExitCode::SUCCESS)
}
