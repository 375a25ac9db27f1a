//! The `gridgis` binary: parses the command line and runs it.

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Spatial data engine and map tile server for grid-based urban management.
#[derive(Debug, Parser)]
#[command(name = "gridgis", version, about)]
struct Cli {
    /// The data dir. Created with the demo dataset where missing, for `serve`, `locate`,
    /// `geocode`, `reverse` and `route`.
    #[arg(long, global = true, env = "GRIDGIS_DATA", default_value = "./gridgis-data")]
    data: PathBuf,
    /// Keep the layers in this PostgreSQL + PostGIS database (`postgres://user:password@host/db`)
    /// instead of the data dir's files [default: `[store] url` of the config, if set]. The data
    /// dir still holds the settings, keys, staff and the case log.
    #[arg(long, global = true, env = "GRIDGIS_STORE")]
    store: Option<String>,
    /// Log lines as text, or as one JSON object each (with the request id, for log shippers).
    #[arg(long, global = true, env = "GRIDGIS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the deterministic demo dataset (same seed, same bytes) into a new data dir.
    Demo(gridgis::cli::demo::Args),
    /// Serve the HTTP API.
    Serve(gridgis::cli::serve::Args),
    /// Which grid is a point in: one point as JSON, or a CSV of points.
    Locate(gridgis::cli::locate::Args),
    /// Chinese address text to coordinates and grid: one address as JSON, or a CSV of them.
    Geocode(gridgis::cli::geocode::Args),
    /// Route cases (NDJSON, one case a line) to their grids and people: NDJSON answers.
    Route(gridgis::cli::route::Args),
    /// The nearest address and POI to a point, and its grid.
    Reverse(gridgis::cli::geocode::ReverseArgs),
    /// Write data out.
    Export(gridgis::cli::export::Args),
    /// Pre-render a tile archive (PMTiles or MBTiles) of some sources.
    Tiles(gridgis::cli::tiles::Args),
    /// Import a file (GeoJSON, Shapefile or a zip of one, CSV, FlatGeobuf, GeoPackage) as a
    /// layer's next version; a running server serves it within a second.
    Import(gridgis::cli::import::Args),
    /// The layer catalog.
    Layers(gridgis::cli::layers::Args),
    /// The settings in effect (gridgis.toml and defaults), every one, as TOML.
    Config(gridgis::cli::config::Args),
    /// API keys: add (shown once, stored hashed), list, revoke.
    Keys(gridgis::cli::keys::Args),
    /// Roll a layer back to its previous kept version.
    Rollback(gridgis::cli::layers::RollbackArgs),
    /// The layer store: copy every layer from the data dir (or `--store`) into another store.
    Store(gridgis::cli::store::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let log_level = if matches!(cli.command, Command::Serve(_)) { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(log_level));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().with_current_span(true).init(),
    }
    // Where the layers are: `--store`, else `[store] url` of the config, else the data dir.
    let config = std::env::var_os("GRIDGIS_CONFIG").map(PathBuf::from);
    let place = || gridgis::data::Place::resolve(&cli.data, cli.store.clone(), config.as_deref());
    let result = match cli.command {
        Command::Demo(args) => gridgis::cli::demo::run(args),
        Command::Keys(args) => gridgis::cli::keys::run(&cli.data, args),
        Command::Config(args) => gridgis::cli::config::run(&cli.data, args),
        Command::Serve(args) => place().and_then(|p| gridgis::cli::serve::run(&p, args)),
        Command::Locate(args) => place().and_then(|p| gridgis::cli::locate::run(&p, args)),
        Command::Geocode(args) => place().and_then(|p| gridgis::cli::geocode::run(&p, args)),
        Command::Route(args) => place().and_then(|p| gridgis::cli::route::run(&p, args)),
        Command::Reverse(args) => place().and_then(|p| gridgis::cli::geocode::reverse(&p, args)),
        Command::Export(args) => place().and_then(|p| gridgis::cli::export::run(&p, args)),
        Command::Tiles(args) => place().and_then(|p| gridgis::cli::tiles::run(&p, args)),
        Command::Import(args) => place().and_then(|p| gridgis::cli::import::run(&p, args)),
        Command::Layers(args) => place().and_then(|p| gridgis::cli::layers::run(&p, args)),
        Command::Rollback(args) => place().and_then(|p| gridgis::cli::layers::rollback(&p, args)),
        Command::Store(args) => place().and_then(|p| gridgis::cli::store::run(&p, args)),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gridgis: {e:#}");
            ExitCode::FAILURE
        }
    }
}
