//! `gridgis store copy --to URL|DIR`: every layer of one store into another (a data dir's
//! files into PostGIS when a city outgrows one machine, or back).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use gridgis_layers::Store;

/// Arguments of `gridgis store`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Copy the current version of every layer (from `--data`, or `--store`) into a new store:
    /// a PostGIS database holding none yet (`postgres://…`), or a new data dir. One change:
    /// all the layers arrive, or none. The case log follows them (a second transaction).
    Copy {
        /// The store to create and fill.
        #[arg(long)]
        to: String,
    },
}

/// Runs `gridgis store`.
pub fn run(place: &crate::data::Place, args: Args) -> anyhow::Result<ExitCode> {
    let Command::Copy { to } = args.command;
    let from = place.open_store()?;
    let started = Instant::now();
    let shown = gridgis_layers::postgres_store::redact(&to);
    if shown == place.describe() {
        bail!("--to {shown} is the store copied from");
    }
    let (mut target, to_place) = if gridgis_layers::postgres_store::is_url(&to) {
        let store = Store::create_postgres(&to).with_context(|| format!("cannot create a store in {shown}"))?;
        (store, crate::data::Place { dir: place.dir.clone(), store_url: Some(to.clone()) })
    } else {
        let dir = PathBuf::from(&to);
        let store = Store::create(&dir).with_context(|| format!("cannot create a data dir at {}", dir.display()))?;
        (store, crate::data::Place::files(&dir))
    };
    eprintln!("gridgis: copying {} layers from {} to {shown}…", from.catalog().layers.len(), place.describe());
    let copied = target.copy_from(&from).with_context(|| format!("copying the layers into {shown}"))?;
    let features: u64 = copied.iter().map(|e| e.feature_count).sum();
    let cases = crate::data::copy_case_log(place, &to_place)?;
    eprintln!(
        "gridgis: copied {} layers ({features} features) and {cases} cases to {shown} in {:.1} s",
        copied.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
