//! `gridgis export grids|LAYER_ID --format geojson|fgb|csv --out FILE`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use gridgis_layers::Value;

/// Output formats.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// RFC 7946 FeatureCollection.
    Geojson,
    /// FlatGeobuf with its spatial index (the stored file itself).
    Fgb,
    /// CSV: the properties, then the geometry as WKT.
    Csv,
}

/// Arguments of `gridgis export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to export: `grids` (one feature per grid: code, name, level, parent_code,
    /// township_code, kind), `townships`, or any layer id in the catalog.
    what: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "geojson")]
    format: Format,
    /// Output file; written to a temporary file and renamed when complete.
    #[arg(long)]
    out: PathBuf,
}

/// Runs `gridgis export`.
pub fn run(place: &crate::data::Place, args: Args) -> anyhow::Result<ExitCode> {
    let store = place.open_store()?;
    let Some(entry) = store.catalog().get(&args.what) else {
        // A district has a thousand layers: name the closest ids, not all of them.
        let stem = args.what.get(..args.what.len().min(6)).unwrap_or(&args.what);
        let near: Vec<&str> =
            store.catalog().layers.iter().map(|l| l.id.as_str()).filter(|id| id.contains(stem)).take(10).collect();
        let hint = if near.is_empty() {
            let first: Vec<&str> = store.catalog().layers.iter().map(|l| l.id.as_str()).take(5).collect();
            format!("; e.g. {}", first.join(", "))
        } else {
            format!("; similar: {}", near.join(", "))
        };
        bail!(
            "no layer '{}' in {} ({} layers; `gridgis layers` lists them){hint}",
            args.what,
            place.describe(),
            store.catalog().layers.len()
        );
    };
    let tmp = tmp_path(&args.out);
    let result = (|| -> anyhow::Result<usize> {
        match args.format {
            Format::Fgb => {
                let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
                store.write_fgb(&entry.id, &mut w)?;
                w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
                Ok(entry.feature_count as usize)
            }
            Format::Geojson | Format::Csv => {
                let features = store.read(&entry.id)?;
                let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
                match args.format {
                    Format::Geojson => write_geojson(&mut w, &features)?,
                    _ => write_csv(&mut w, &features)?,
                }
                w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
                Ok(features.len())
            }
        }
    })();
    let count = match result {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.context(format!("writing {}", args.out.display())));
        }
    };
    std::fs::rename(&tmp, &args.out).with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!("gridgis: wrote {count} features of '{}' to {}", entry.id, args.out.display());
    Ok(ExitCode::SUCCESS)
}

fn tmp_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".tmp-{}", std::process::id()));
    out.with_file_name(name)
}

/// A FeatureCollection, one feature per line.
fn write_geojson(w: &mut impl Write, features: &[gridgis_layers::Feature]) -> anyhow::Result<()> {
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    for (i, f) in features.iter().enumerate() {
        let feature = gridgis_layers::feature_json(
            f.properties.iter().map(|(k, v)| (k.as_str(), v)),
            &f.geometry,
            serde_json::Map::new(),
        );
        if i > 0 {
            w.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut *w, &feature)?;
    }
    w.write_all(b"\n]}\n")?;
    Ok(())
}

/// CSV with a header of the property names and a final `wkt` column.
fn write_csv(w: &mut impl Write, features: &[gridgis_layers::Feature]) -> anyhow::Result<()> {
    use geozero::ToWkt;
    let mut out = csv::Writer::from_writer(w);
    let mut header: Vec<&str> =
        features.first().map(|f| f.properties.iter().map(|(k, _)| k.as_str()).collect()).unwrap_or_default();
    header.push("wkt");
    out.write_record(&header)?;
    for f in features {
        let mut row: Vec<String> = f
            .properties
            .iter()
            .map(|(_, v)| match v {
                Value::Null => String::new(),
                Value::Bool(b) => b.to_string(),
                Value::Int(i) => i.to_string(),
                Value::Float(x) => x.to_string(),
                Value::String(s) => s.clone(),
            })
            .collect();
        row.push(f.geometry.to_wkt().unwrap_or_default());
        out.write_record(&row)?;
    }
    out.flush()?;
    Ok(())
}
