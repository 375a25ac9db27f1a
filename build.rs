//! Checks, before the compiler does, that the files the command-centre page builds in are there:
//! MapLibre GL JS comes from npm (`web/package.json`), installed by `make deps`.

use std::path::Path;

fn main() {
    // The page's own files and the bundled library are tracked by `include_bytes!` already;
    // this script only needs to run again when the library appears or changes.
    const LIBRARY: &[&str] =
        &["web/node_modules/maplibre-gl/dist/maplibre-gl.js", "web/node_modules/maplibre-gl/dist/maplibre-gl.css"];
    println!("cargo:rerun-if-changed=web/package-lock.json");
    for file in LIBRARY {
        println!("cargo:rerun-if-changed={file}");
        if !Path::new(file).exists() {
            eprintln!("error: {file} is missing: run `make deps` (npm ci --prefix web) to install MapLibre GL JS");
            std::process::exit(1);
        }
    }
}
