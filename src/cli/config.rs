//! `gridgis config [--config FILE]`: the settings in effect, every one, as TOML (copy it to
//! the data dir's `gridgis.toml` and edit what should differ).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `gridgis config`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The config file to read [default: the data dir's gridgis.toml if there is one].
    #[arg(long, env = "GRIDGIS_CONFIG")]
    config: Option<PathBuf>,
}

/// Prints the settings.
pub fn run(data: &Path, args: Args) -> anyhow::Result<ExitCode> {
    let (config, from) = crate::config::Config::load(args.config.as_deref(), data)?;
    let origin = from.map_or_else(|| "every setting at its default".to_owned(), |p| format!("from {}", p.display()));
    super::print_stdout(&format!("# gridgis settings in effect ({origin})\n\n{}", config.to_toml()?))?;
    Ok(ExitCode::SUCCESS)
}
