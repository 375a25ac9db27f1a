//! `gridgis locate LON LAT [--crs C]` and `gridgis locate --input FILE|- [--crs C]`.

use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use gridgis_engine::{Engine, EngineError, Transformer};

use crate::answer::{self, LocateError};

/// Arguments of `gridgis locate`.
#[derive(Debug, clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct Args {
    /// Longitude (or x/easting in a projected CRS).
    #[arg(required_unless_present = "input", conflicts_with = "input")]
    lon: Option<f64>,
    /// Latitude (or y/northing).
    #[arg(required_unless_present = "input", conflicts_with = "input")]
    lat: Option<f64>,
    /// CSV `id,lon,lat` to read (`-` for stdin); writes CSV
    /// `id,code,level,l1_code,township_code,inside,distance_m` to stdout in the same order.
    #[arg(long)]
    input: Option<PathBuf>,
    /// Coordinate system of the input: wgs84, cgcs2000, gcj02, bd09 or EPSG:NNNN.
    #[arg(long, default_value = "wgs84")]
    crs: String,
    /// Outside the district, how far (m) a point may be and still get the nearest grid.
    #[arg(long, default_value_t = 500.0)]
    max_distance: f64,
}

/// Exit status when a batch completed but skipped malformed lines.
const EXIT_SKIPPED_LINES: u8 = 2;

/// Runs `gridgis locate`.
pub fn run(data: &Path, args: Args) -> anyhow::Result<ExitCode> {
    if !(args.max_distance.is_finite() && args.max_distance >= 0.0) {
        bail!("--max-distance must be a non-negative number of metres");
    }
    // Parse the CRS before loading anything: a typo should not wait for the data dir.
    let (_, transformer) = answer::parse_crs(Some(&args.crs))?;
    let loaded = crate::data::open_or_create(data)?;
    let engine = &loaded.engine;
    match (&args.input, args.lon, args.lat) {
        (Some(input), _, _) => batch(engine, &transformer, input, args.max_distance),
        (None, Some(lon), Some(lat)) => {
            let (location, wgs84) = answer::locate(engine, &transformer, lon, lat, args.max_distance)?;
            let json = serde_json::to_string(&answer::answer(engine, location, wgs84))?;
            println!("{json}");
            Ok(ExitCode::SUCCESS)
        }
        _ => bail!("give LON LAT, or --input FILE"),
    }
}

/// Locates every line of a CSV; malformed lines are reported on stderr with their line number
/// and skipped, the rest answered in order.
fn batch(engine: &Engine, transformer: &Transformer, input: &Path, max_distance: f64) -> anyhow::Result<ExitCode> {
    let name = input.display().to_string();
    let reader: Box<dyn Read> = if input.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(input).with_context(|| format!("cannot open {name}"))?)
    };
    let reader = BufReader::with_capacity(1 << 20, reader);
    let stdout = std::io::stdout().lock();
    let mut out = csv::WriterBuilder::new().buffer_capacity(1 << 20).from_writer(stdout);
    out.write_record(["id", "code", "level", "l1_code", "township_code", "inside", "distance_m"])?;
    let h = engine.hierarchy();
    let mut skipped = 0usize;
    let mut csv_in = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
    let mut record = csv::ByteRecord::new();
    let mut distance = String::new();
    let mut first = true;
    loop {
        match csv_in.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                eprintln!("gridgis: {name} line {line}: {e}");
                skipped += 1;
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    bail!("{name}: read error");
                }
                continue;
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        let is_first = std::mem::take(&mut first);
        let parsed = parse_line(&record);
        let (id, x, y) = match parsed {
            Ok(v) => v,
            // A first line whose coordinates are words is a header.
            Err(_) if is_first && looks_like_header(&record) => continue,
            Err(msg) => {
                eprintln!("gridgis: {name} line {line}: {msg}");
                skipped += 1;
                continue;
            }
        };
        match answer::locate(engine, transformer, x, y, max_distance) {
            Ok((location, _)) => {
                let g = h.grid(location.grid);
                let l1 = h.ancestor_at(location.grid, 1).map_or("", |i| h.grid(i).code.as_str());
                let township = g.township_code.as_deref().unwrap_or("");
                distance.clear();
                if location.inside {
                    distance.push('0');
                } else {
                    use std::fmt::Write as _;
                    let _ = write!(distance, "{:.2}", location.distance_m);
                }
                let level = [b'0' + g.level];
                out.write_record([
                    id,
                    g.code.as_bytes(),
                    &level,
                    l1.as_bytes(),
                    township.as_bytes(),
                    if location.inside { b"true" } else { b"false" },
                    distance.as_bytes(),
                ])?;
            }
            Err(LocateError::Engine(EngineError::OutsideJurisdiction { distance_m, .. })) => {
                distance.clear();
                if distance_m.is_finite() {
                    use std::fmt::Write as _;
                    let _ = write!(distance, "{distance_m:.2}");
                }
                out.write_record([id, b"", b"", b"", b"", b"false", distance.as_bytes()])?;
            }
            Err(e) => {
                eprintln!("gridgis: {name} line {line}: {e}");
                skipped += 1;
            }
        }
    }
    out.flush()?;
    if skipped > 0 {
        eprintln!("gridgis: {name}: {skipped} malformed line(s) skipped");
        return Ok(ExitCode::from(EXIT_SKIPPED_LINES));
    }
    Ok(ExitCode::SUCCESS)
}

/// `id,lon,lat` → (id, lon, lat), or what is wrong with the line.
fn parse_line(record: &csv::ByteRecord) -> Result<(&[u8], f64, f64), String> {
    if record.len() < 3 {
        return Err(format!("expected 3 fields id,lon,lat, found {}", record.len()));
    }
    let number = |i: usize, what: &str| -> Result<f64, String> {
        let raw = &record[i];
        std::str::from_utf8(raw)
            .ok()
            .map(str::trim)
            .and_then(|s| s.parse::<f64>().ok())
            .ok_or_else(|| format!("{what} '{}' is not a number", String::from_utf8_lossy(raw)))
    };
    Ok((&record[0], number(1, "lon")?, number(2, "lat")?))
}

fn looks_like_header(record: &csv::ByteRecord) -> bool {
    record.get(1).is_some_and(|f| f.iter().any(u8::is_ascii_alphabetic))
}

