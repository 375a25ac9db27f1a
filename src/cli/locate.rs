//! `gridgis locate LON LAT [--crs C]` and `gridgis locate --input FILE|- [--crs C]`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use gridgis_engine::{Engine, EngineError, Location, Transformer};

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

/// Runs `gridgis locate`.
pub fn run(place: &crate::data::Place, args: Args) -> anyhow::Result<ExitCode> {
    if !(args.max_distance.is_finite() && args.max_distance >= 0.0) {
        bail!("--max-distance must be a non-negative number of metres");
    }
    // Parse the CRS before loading anything: a typo should not wait for the data dir.
    let (_, transformer) = answer::parse_crs(Some(&args.crs))?;
    let loaded = crate::data::open_or_create(place)?;
    if std::env::var_os("GRIDGIS_TIMINGS").is_some() {
        eprintln!("gridgis: timings load_s={:.4}", loaded.load_ms as f64 / 1000.0);
    }
    let engine = &loaded.engine;
    match (&args.input, args.lon, args.lat) {
        (Some(input), _, _) => batch(engine, &transformer, input, args.max_distance),
        (None, Some(lon), Some(lat)) => {
            let (location, wgs84) = answer::locate(engine, &transformer, lon, lat, args.max_distance)?;
            let json = serde_json::to_string(&answer::answer(engine, location, wgs84))?;
            super::print_stdout(&format!("{json}\n"))?;
            Ok(ExitCode::SUCCESS)
        }
        _ => bail!("give LON LAT, or --input FILE"),
    }
}

/// Lines parsed, located and written per round: bounds memory on endless input while keeping
/// each phase a tight loop.
const CHUNK: usize = 1 << 20;

/// One parsed input line.
struct Row {
    id: Vec<u8>,
    x: f64,
    y: f64,
    line: u64,
}

/// Locates every line of a CSV; malformed lines are reported on stderr with their line number
/// and skipped, the rest answered in order. With `GRIDGIS_TIMINGS=1`, prints the seconds spent
/// reading, locating (coordinate conversion and point-in-grid lookup), measuring the points
/// outside the district (nearest grid and distance) and writing, on stderr.
fn batch(engine: &Engine, transformer: &Transformer, input: &Path, max_distance: f64) -> anyhow::Result<ExitCode> {
    let mut csv_in = super::CsvInput::open(input)?;
    let mut out = csv::WriterBuilder::new().buffer_capacity(1 << 20).from_writer(std::io::stdout().lock());
    out.write_record(["id", "code", "level", "l1_code", "township_code", "inside", "distance_m"])?;
    let h = engine.hierarchy();
    let (mut read_s, mut locate_s, mut write_s) = (0.0, 0.0, 0.0);
    let mut record = csv::ByteRecord::new();
    let mut rows: Vec<Row> = Vec::with_capacity(CHUNK);
    let mut answers: Vec<Result<Location, LocateError>> = Vec::with_capacity(CHUNK);
    let mut wgs84 = Vec::with_capacity(CHUNK);
    let mut leaves = Vec::with_capacity(CHUNK);
    let mut nearest_s = 0.0;
    let mut distance = String::new();
    let mut done = false;
    while !done {
        let t = std::time::Instant::now();
        rows.clear();
        while rows.len() < CHUNK {
            let Some((line, first)) = csv_in.next(&mut record)? else {
                done = true;
                break;
            };
            match parse_line(&record) {
                Ok((id, x, y)) => rows.push(Row { id: id.to_vec(), x, y, line }),
                // A first line whose coordinates are words is a header.
                Err(_) if first && looks_like_header(&record) => {}
                Err(msg) => csv_in.skip(line, &msg),
            }
        }
        // Point-in-grid first, for every point (what a spatial join does), then the distance
        // work for the points outside the district, timed apart.
        let t1 = std::time::Instant::now();
        wgs84.clear();
        wgs84.extend(rows.iter().map(|r| transformer.to_wgs84(r.x, r.y)));
        leaves.clear();
        leaves.extend(wgs84.iter().map(|p| p.as_ref().ok().and_then(|&(lon, lat)| engine.index().locate(lon, lat))));
        let t_lookup = std::time::Instant::now();
        answers.clear();
        answers.extend(wgs84.iter().zip(&leaves).map(|(p, leaf)| match (p, leaf) {
            (_, Some(grid)) => Ok(Location { grid: *grid, inside: true, distance_m: 0.0 }),
            (Ok((lon, lat)), None) => engine.locate(*lon, *lat, max_distance).map_err(LocateError::from),
            (Err(e), None) => Err(LocateError::from(e.clone())),
        }));
        let t2 = std::time::Instant::now();
        nearest_s += (t2 - t_lookup).as_secs_f64();
        for (row, result) in rows.iter().zip(&answers) {
            distance.clear();
            match result {
                Ok(location) => {
                    let g = h.grid(location.grid);
                    let l1 = h.ancestor_at(location.grid, 1).map_or("", |i| h.grid(i).code.as_str());
                    let township = g.township_code.as_deref().unwrap_or("");
                    if location.inside {
                        distance.push('0');
                    } else {
                        let _ = write!(distance, "{:.2}", location.distance_m);
                    }
                    let level = [b'0' + g.level];
                    let inside: &[u8] = if location.inside { b"true" } else { b"false" };
                    out.write_record([
                        &row.id[..],
                        g.code.as_bytes(),
                        &level,
                        l1.as_bytes(),
                        township.as_bytes(),
                        inside,
                        distance.as_bytes(),
                    ])?;
                }
                Err(LocateError::Engine(EngineError::OutsideJurisdiction { distance_m, .. })) => {
                    if distance_m.is_finite() {
                        let _ = write!(distance, "{distance_m:.2}");
                    }
                    out.write_record([&row.id[..], b"", b"", b"", b"", b"false", distance.as_bytes()])?;
                }
                Err(e) => csv_in.skip(row.line, e),
            }
        }
        let t3 = std::time::Instant::now();
        read_s += (t1 - t).as_secs_f64();
        locate_s += (t_lookup - t1).as_secs_f64();
        write_s += (t3 - t2).as_secs_f64();
    }
    let t = std::time::Instant::now();
    out.flush()?;
    write_s += t.elapsed().as_secs_f64();
    if std::env::var_os("GRIDGIS_TIMINGS").is_some() {
        eprintln!(
            "gridgis: timings read_s={read_s:.4} locate_s={locate_s:.4} nearest_s={nearest_s:.4} write_s={write_s:.4}"
        );
    }
    Ok(csv_in.finish())
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
