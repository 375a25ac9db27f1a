//! `gridgis route --input FILE|-`: cases as NDJSON (one `POST /cases/route` body a line) →
//! NDJSON answers on stdout, in order; malformed lines reported on stderr by line number.

use std::io::{BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use gridgis_cases::{CaseRequest, Router, Transformers};

use crate::data::Loaded;
use crate::state::Limits;

/// Arguments of `gridgis route`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// NDJSON of cases, one JSON object a line (`-`: stdin).
    #[arg(long)]
    input: PathBuf,
    /// How far outside the border a point still goes to the nearest grid, metres (a case's own
    /// `max_distance_m` wins).
    #[arg(long)]
    max_distance_m: Option<f64>,
}

/// The router over a loaded data dir.
pub fn router(loaded: &Loaded, max_distance_m: Option<f64>) -> Router<'_> {
    let limits = Limits::default();
    Router {
        engine: &loaded.engine,
        geocoder: &loaded.geocoder,
        layers: &loaded.layers,
        roster: &loaded.roster,
        categories: &loaded.categories,
        max_distance_m: max_distance_m.unwrap_or(limits.default_max_distance_m),
        max_max_distance_m: limits.max_max_distance_m,
    }
}

/// Routes every case of the input.
pub fn run(place: &crate::data::Place, args: Args) -> anyhow::Result<ExitCode> {
    if let Some(d) = args.max_distance_m
        && !(d.is_finite() && (0.0..=Limits::default().max_max_distance_m).contains(&d))
    {
        anyhow::bail!("--max-distance-m must be between 0 and {} metres", Limits::default().max_max_distance_m);
    }
    let name = args.input.display().to_string();
    let mut bytes = Vec::new();
    if args.input.as_os_str() == "-" {
        std::io::stdin().lock().read_to_end(&mut bytes).context("cannot read stdin")?;
    } else {
        bytes = std::fs::read(&args.input).with_context(|| format!("cannot read {name}"))?;
    }
    let loaded = crate::data::open_or_create(place)?;
    let router = router(&loaded, args.max_distance_m);
    let started = Instant::now();
    let out = std::io::stdout().lock();
    let json = crate::answer::RouteJson::new(&loaded.engine, &loaded.roster);
    let (routed, skipped) = match route_all(&router, &json, &name, &bytes, out) {
        Err(e) if e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) => {
            return Ok(ExitCode::SUCCESS);
        }
        r => r?,
    };
    if std::env::var_os("GRIDGIS_TIMINGS").is_some() {
        eprintln!(
            "gridgis: timings load_s={:.4} total_s={:.4}",
            loaded.load_ms as f64 / 1000.0,
            started.elapsed().as_secs_f64()
        );
    }
    if skipped > 0 {
        eprintln!("gridgis: {name}: {routed} case(s) routed, {skipped} malformed line(s) skipped");
        return Ok(ExitCode::from(super::EXIT_SKIPPED_LINES));
    }
    Ok(ExitCode::SUCCESS)
}

/// Routes each line of `bytes` (NDJSON of cases, read from `name`) on this thread and writes
/// the answers to `out`, one a line, in order; malformed lines are reported on stderr by
/// number and skipped. Returns (routed, skipped).
pub fn route_all(
    router: &Router<'_>,
    json: &crate::answer::RouteJson,
    name: &str,
    bytes: &[u8],
    out: impl Write,
) -> anyhow::Result<(usize, usize)> {
    let mut out = BufWriter::with_capacity(1 << 20, out);
    let total = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + u64::from(!bytes.ends_with(b"\n"));
    let bar = indicatif::ProgressBar::with_draw_target(Some(total), indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{prefix} [{bar:40}] {pos}/{len} cases ({per_sec}, {eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix("routing");
    let now = gridgis_cases::now();
    let mut transformers = Transformers::default();
    let (mut routed, mut skipped) = (0, 0);
    let (mut parse_s, mut route_s, mut write_s) = (0.0, 0.0, 0.0);
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if i % 4096 == 0 {
            bar.set_position(i as u64);
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let t0 = Instant::now();
        let parsed = CaseRequest::from_json(line);
        let t1 = Instant::now();
        let answered = parsed.and_then(|case| {
            let routing = router.route(&case, now, &mut transformers)?;
            Ok((case, routing))
        });
        let t2 = Instant::now();
        parse_s += (t1 - t0).as_secs_f64();
        route_s += (t2 - t1).as_secs_f64();
        match answered {
            Ok((case, routing)) => {
                let answer = crate::answer::route_answer(json, &case.id, &routing);
                serde_json::to_writer(&mut out, &answer)?;
                out.write_all(b"\n")?;
                write_s += t2.elapsed().as_secs_f64();
                routed += 1;
            }
            Err(e) => {
                bar.suspend(|| eprintln!("gridgis: {name} line {}: {} ({})", i + 1, e, e.code()));
                skipped += 1;
            }
        }
    }
    bar.finish_and_clear();
    let t = Instant::now();
    out.flush()?;
    write_s += t.elapsed().as_secs_f64();
    if std::env::var_os("GRIDGIS_TIMINGS").is_some() {
        eprintln!("gridgis: timings parse_s={parse_s:.4} route_s={route_s:.4} write_s={write_s:.4}");
    }
    Ok((routed, skipped))
}
