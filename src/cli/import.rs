//! `gridgis import FILE --layer ID [--name N] [--category C] [--crs C] [--encoding E]`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use gridgis_import::pipeline::{ImportError, ImportOptions, ImportReport};
use gridgis_import::read::{self, ReadOptions};
use indicatif::{ProgressBar, ProgressStyle};

/// Arguments of `gridgis import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file: .geojson/.json, .shp (or a .zip holding one), .csv, .fgb, .gpkg.
    file: PathBuf,
    /// Layer id: a new layer, or the next version of an existing one.
    #[arg(long)]
    layer: String,
    /// Display name (default: the layer's current name, else the file name).
    #[arg(long)]
    name: Option<String>,
    /// Category (default: the layer's current one, else 未分类).
    #[arg(long)]
    category: Option<String>,
    /// Coordinate system of the file, overriding its .prj: wgs84, cgcs2000, gcj02, bd09, EPSG:NNNN.
    #[arg(long)]
    crs: Option<String>,
    /// Text encoding of a shapefile's DBF or a CSV (gbk, gb18030, utf-8…); default: the .cpg,
    /// else UTF-8 where valid, else GB18030.
    #[arg(long)]
    encoding: Option<String>,
    /// CSV: the longitude column (default: lon/lng/longitude/x/经度).
    #[arg(long)]
    lon_column: Option<String>,
    /// CSV: the latitude column (default: lat/latitude/y/纬度).
    #[arg(long)]
    lat_column: Option<String>,
    /// CSV: a WKT geometry column instead of lon/lat.
    #[arg(long)]
    wkt_column: Option<String>,
    /// GeoPackage: the feature table (needed when it holds several); a zip of several
    /// shapefiles: which one.
    #[arg(long)]
    table: Option<String>,
    /// Versions kept per layer (older ones are deleted; rollback goes back through these).
    #[arg(long, env = "GRIDGIS_KEEP_VERSIONS", default_value_t = gridgis_layers::DEFAULT_KEEP_VERSIONS)]
    keep_versions: usize,
    /// Print the import report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// Prints a report's summary and its first rejections on stderr.
pub fn print_report(r: &ImportReport) {
    eprintln!(
        "gridgis: {} → layer '{}'{}: read {}, published {} ({} repaired), rejected {} [{}; {}] in {:.1} s",
        r.source_file,
        r.layer,
        r.version.map(|v| format!(" version {v}")).unwrap_or_default(),
        r.read,
        r.published,
        r.repaired,
        r.rejected,
        r.source_crs,
        r.encoding.as_deref().unwrap_or("-"),
        r.elapsed_ms as f64 / 1000.0
    );
    for n in r.rejections.iter().take(10) {
        eprintln!("gridgis: {} feature {}: rejected: {}", r.source_file, n.feature, n.reason);
    }
    if r.rejections.len() > 10 {
        eprintln!("gridgis: … {} more rejections (--json lists up to 1,000)", r.rejected - 10);
    }
}

/// Imports a file as a new layer version. A running server swaps it in within a second.
pub fn run(place: &crate::data::Place, args: Args) -> anyhow::Result<ExitCode> {
    let mut store = place.open_store()?;
    store.keep_versions = args.keep_versions.max(1);
    let options = ReadOptions {
        format: None,
        encoding: args.encoding.clone(),
        lon_column: args.lon_column.clone(),
        lat_column: args.lat_column.clone(),
        wkt_column: args.wkt_column.clone(),
        table: args.table.clone(),
    };
    let source = read::open(&args.file, &options)?;
    let declared = source.info().declared_features;
    let bar = match declared {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} features ({per_sec}, {eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {msg} {pos} features ({per_sec})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.set_message(format!("importing {}", args.file.display()));
    let import_options = ImportOptions {
        layer: args.layer.clone(),
        name: args.name.clone(),
        category: args.category.clone(),
        crs: args.crs.clone(),
        updated_at: crate::data::now_rfc3339(),
    };
    let result = gridgis_import::pipeline::import(source, &mut store, &import_options, &mut |n| bar.set_position(n));
    bar.finish_and_clear();
    match result {
        Ok((report, _)) => {
            print_report(&report);
            if args.json {
                super::print_stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportError::NothingToPublish(report)) => {
            print_report(&report);
            if args.json {
                super::print_stdout(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
            }
            bail!("{}: nothing published: every feature was rejected", args.file.display())
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("{}: nothing published", args.file.display()))),
    }
}
