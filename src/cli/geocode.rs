//! `gridgis geocode "ADDRESS"`, `gridgis geocode --input FILE|-` and
//! `gridgis reverse LON LAT [--crs C]`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::bail;
use gridgis_engine::{Engine, Geocoder};
use indicatif::{ProgressBar, ProgressStyle};

use crate::answer::{self, DEFAULT_RADIUS_M, MAX_RADIUS_M};

/// Arguments of `gridgis geocode`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The address, as free Chinese text.
    #[arg(required_unless_present = "input", conflicts_with = "input")]
    address: Option<String>,
    /// CSV `id,address` to read (`-` for stdin; a header line is optional); writes CSV
    /// `id,lon,lat,level,score,grid_code,matched_address,matched_name` to stdout in the same
    /// order, the best match of each (level `none`, score 0 when nothing matches).
    #[arg(long)]
    input: Option<PathBuf>,
    /// Answers to give for one address.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=50))]
    limit: u16,
}

/// Runs `gridgis geocode`.
pub fn run(place: &crate::data::Place, args: Args) -> anyhow::Result<ExitCode> {
    let loaded = crate::data::open_or_create(place)?;
    if std::env::var_os("GRIDGIS_TIMINGS").is_some() {
        eprintln!(
            "gridgis: timings load_s={:.4} geocoder_build_s={:.4}",
            loaded.load_ms as f64 / 1000.0,
            loaded.geocoder_ms as f64 / 1000.0
        );
    }
    match (&args.input, &args.address) {
        (Some(input), _) => batch(&loaded.engine, &loaded.geocoder, input),
        (None, Some(address)) => {
            let found = loaded.geocoder.geocode(address, usize::from(args.limit));
            let json = serde_json::to_string(&answer::geocode_answer(&loaded.engine, address, found)?)?;
            super::print_stdout(&format!("{json}\n"))?;
            Ok(ExitCode::SUCCESS)
        }
        (None, None) => bail!("give an ADDRESS, or --input FILE"),
    }
}

/// One input line: its id, address, and line number.
struct Row {
    id: Vec<u8>,
    address: String,
    line: u64,
}

/// Reads every line first, then geocodes and writes in order, with a progress bar on a
/// terminal. Malformed lines (not two fields, not UTF-8) are reported with their number and
/// skipped; an address that cannot be geocoded is a row of level `none`. With
/// `GRIDGIS_TIMINGS=1` the seconds spent reading, geocoding (one core) and writing go to stderr.
fn batch(engine: &Engine, geocoder: &Geocoder, input: &Path) -> anyhow::Result<ExitCode> {
    let t0 = Instant::now();
    let mut csv_in = super::CsvInput::open(input)?;
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    while let Some((line, first)) = csv_in.next(&mut record)? {
        if record.len() != 2 {
            csv_in.skip(line, &format_args!("expected 2 fields id,address, found {}", record.len()));
            continue;
        }
        let Ok(address) = std::str::from_utf8(&record[1]) else {
            csv_in.skip(line, &"the address is not UTF-8 text");
            continue;
        };
        if first && record[0].eq_ignore_ascii_case(b"id") && address.eq_ignore_ascii_case("address") {
            continue;
        }
        rows.push(Row { id: record[0].to_vec(), address: address.to_owned(), line });
    }
    let read_s = t0.elapsed().as_secs_f64();

    let bar = ProgressBar::new(rows.len() as u64).with_style(
        ProgressStyle::with_template("{spinner} geocoding [{bar:30}] {pos}/{len} addresses ({per_sec}, {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut out = csv::WriterBuilder::new().buffer_capacity(1 << 20).from_writer(std::io::stdout().lock());
    out.write_record(["id", "lon", "lat", "level", "score", "grid_code", "matched_address", "matched_name"])?;
    let h = engine.hierarchy();
    let (mut geocode_s, mut write_s) = (0.0, 0.0);
    let (mut lon, mut lat, mut score) = (String::new(), String::new(), String::new());
    for (k, row) in rows.iter().enumerate() {
        let t = Instant::now();
        let found = geocoder.geocode(&row.address, 1);
        let t1 = Instant::now();
        match found.as_ref().map(|f| f.matches.first()) {
            Ok(Some(m)) => {
                lon.clear();
                lat.clear();
                score.clear();
                let _ = write!(lon, "{:.7}", m.lon);
                let _ = write!(lat, "{:.7}", m.lat);
                let _ = write!(score, "{}", m.score);
                out.write_record([
                    &row.id[..],
                    lon.as_bytes(),
                    lat.as_bytes(),
                    m.level.as_str().as_bytes(),
                    score.as_bytes(),
                    h.grid(m.grid).code.as_bytes(),
                    m.address.as_bytes(),
                    m.name.unwrap_or("").as_bytes(),
                ])?;
            }
            Ok(None) => out.write_record([&row.id[..], b"", b"", b"none", b"0", b"", b"", b""])?,
            Err(e) => {
                csv_in.note(row.line, &e);
                out.write_record([&row.id[..], b"", b"", b"none", b"0", b"", b"", b""])?;
            }
        }
        geocode_s += (t1 - t).as_secs_f64();
        write_s += t1.elapsed().as_secs_f64();
        if k % 4096 == 0 {
            bar.set_position(k as u64);
        }
    }
    bar.finish_and_clear();
    let t = Instant::now();
    out.flush()?;
    write_s += t.elapsed().as_secs_f64();
    if std::env::var_os("GRIDGIS_TIMINGS").is_some() {
        eprintln!(
            "gridgis: timings read_s={read_s:.4} geocode_s={geocode_s:.4} write_s={write_s:.4} addresses={}",
            rows.len()
        );
    }
    Ok(csv_in.finish())
}

/// Arguments of `gridgis reverse`.
#[derive(Debug, clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct ReverseArgs {
    /// Longitude (or x/easting in a projected CRS).
    lon: f64,
    /// Latitude (or y/northing).
    lat: f64,
    /// Coordinate system of the point: wgs84, cgcs2000, gcj02, bd09 or EPSG:NNNN.
    #[arg(long, default_value = "wgs84")]
    crs: String,
    /// How far (m) to look for the nearest address and POI.
    #[arg(long, default_value_t = DEFAULT_RADIUS_M)]
    radius: f64,
    /// Outside the district, how far (m) a point may be and still get the nearest grid.
    #[arg(long, default_value_t = 500.0)]
    max_distance: f64,
}

/// Runs `gridgis reverse`: the JSON of `GET /reverse`.
pub fn reverse(place: &crate::data::Place, args: ReverseArgs) -> anyhow::Result<ExitCode> {
    if !(args.radius.is_finite() && (0.0..=MAX_RADIUS_M).contains(&args.radius)) {
        bail!("--radius must be between 0 and {MAX_RADIUS_M} metres");
    }
    if !(args.max_distance.is_finite() && args.max_distance >= 0.0) {
        bail!("--max-distance must be a non-negative number of metres");
    }
    let (_, transformer) = answer::parse_crs(Some(&args.crs))?;
    let loaded = crate::data::open_or_create(place)?;
    let (location, wgs84) = answer::locate(&loaded.engine, &transformer, args.lon, args.lat, args.max_distance)?;
    let near = loaded.geocoder.reverse(wgs84.lon, wgs84.lat, args.radius);
    let located = answer::answer(&loaded.engine, location, wgs84);
    let json = serde_json::to_string(&answer::reverse_answer(&loaded.engine, located, near, args.radius))?;
    super::print_stdout(&format!("{json}\n"))?;
    Ok(ExitCode::SUCCESS)
}
