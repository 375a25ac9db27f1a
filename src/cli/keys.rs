//! `gridgis keys add|list|revoke`: the API keys of a data dir, kept hashed in its `keys.toml`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use crate::auth::{KEYS_FILE, KeyStore, Role};

/// Arguments of `gridgis keys`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Make a key: printed once on stdout, stored only as its hash.
    Add {
        /// `viewer`, `integrator`, `gis_staff` or `admin`.
        #[arg(long)]
        role: String,
        /// Who holds it (a system or a department), for `keys list` and the logs.
        #[arg(long)]
        name: String,
    },
    /// The keys: id, name, role, when made, when revoked (never the keys themselves).
    List,
    /// Revoke a key by its id; a running server stops accepting it within a second.
    Revoke {
        /// The key's id (from `keys list`).
        id: String,
    },
}

/// Runs a `keys` subcommand on the data dir `data`.
pub fn run(data: &Path, args: Args) -> anyhow::Result<ExitCode> {
    if !data.join(gridgis_layers::CATALOG_FILE).exists() {
        anyhow::bail!("no data dir at {} (create one with `gridgis demo --out {}`)", data.display(), data.display());
    }
    let path = data.join(KEYS_FILE);
    let mut store = KeyStore::open(&path)?;
    let now = crate::data::now_rfc3339();
    match args.command {
        Command::Add { role, name } => {
            let role = Role::parse(&role)
                .with_context(|| format!("unknown role '{role}' (viewer, integrator, gis_staff, admin)"))?;
            if name.trim().is_empty() {
                anyhow::bail!("--name must say who holds the key");
            }
            let (record, key) = store.add(name.trim(), role, &now)?;
            eprintln!(
                "gridgis: key {} ({}, {}) added to {}; it is shown once, below, and stored only as its hash",
                record.id,
                record.name,
                record.role.as_str(),
                path.display()
            );
            super::print_stdout(&format!("{key}\n"))?;
        }
        Command::List => {
            let mut out = String::from("id        role        created               revoked               name\n");
            for r in store.records() {
                out.push_str(&format!(
                    "{:<9} {:<11} {:<21} {:<21} {}\n",
                    r.id,
                    r.role.as_str(),
                    r.created_at,
                    r.revoked_at.as_deref().unwrap_or("-"),
                    r.name
                ));
            }
            super::print_stdout(&out)?;
        }
        Command::Revoke { id } => {
            let r = store.revoke(&id, &now)?;
            eprintln!("gridgis: key {} ({}, {}) revoked", r.id, r.name, r.role.as_str());
        }
    }
    Ok(ExitCode::SUCCESS)
}
