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
    let result = match cli.command {
        Command::Demo(args) => gridgis::cli::demo::run(args),
        Command::Serve(args) => gridgis::cli::serve::run(&cli.data, args),
        Command::Locate(args) => gridgis::cli::locate::run(&cli.data, args),
        Command::Geocode(args) => gridgis::cli::geocode::run(&cli.data, args),
        Command::Route(args) => gridgis::cli::route::run(&cli.data, args),
        Command::Reverse(args) => gridgis::cli::geocode::reverse(&cli.data, args),
        Command::Export(args) => gridgis::cli::export::run(&cli.data, args),
        Command::Tiles(args) => gridgis::cli::tiles::run(&cli.data, args),
        Command::Import(args) => gridgis::cli::import::run(&cli.data, args),
        Command::Layers(args) => gridgis::cli::layers::run(&cli.data, args),
        Command::Keys(args) => gridgis::cli::keys::run(&cli.data, args),
        Command::Config(args) => gridgis::cli::config::run(&cli.data, args),
        Command::Rollback(args) => gridgis::cli::layers::rollback(&cli.data, args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gridgis: {e:#}");
            ExitCode::FAILURE
        }
    }
}
