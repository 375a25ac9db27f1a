//! Shared fixtures: one demo data dir per test binary, generated on first use.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use gridgis::data::Loaded;

/// A demo data dir (default seed) under Cargo's per-target scratch dir, generated once per test
/// binary. Earlier runs' dirs for the same binary are removed first.
pub fn demo_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let exe = std::env::current_exe().ok().and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()));
        let prefix = format!("demo-{}-", exe.unwrap_or_else(|| "test".into()));
        if let Ok(entries) = std::fs::read_dir(root) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(&prefix) {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
        let dir = root.join(format!("{prefix}{}", std::process::id()));
        gridgis_import::demo::write_demo(&dir, gridgis_import::demo::DEFAULT_SEED).expect("demo dataset writes");
        dir
    })
}

/// The demo data dir, loaded.
pub fn loaded() -> &'static Loaded {
    static LOADED: OnceLock<Loaded> = OnceLock::new();
    LOADED.get_or_init(|| gridgis::data::load(demo_dir()).expect("demo data dir loads"))
}
