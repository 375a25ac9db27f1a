//! Geocoding on one core (target: ≥ 50,000 addresses/s): the gazetteer's own addresses, the
//! same written as people vary them (no prefix, full-width digits, spaces), and with a slip in
//! a name (the edit-distance path); reverse geocoding; and building the geocoder. The labelled
//! evaluation mix is timed through the CLI by `benches/peers/geocode.sh`, beside the peer.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use gridgis_engine::{AddressRecord, Engine, Geocoder};
use rand::{Rng, SeedableRng};

/// A variation people write, chosen by index: no `北京市怀柔区`, full-width digits, or a space
/// after every third character.
fn vary(i: usize, address: &str) -> String {
    match i % 3 {
        0 => address.trim_start_matches("北京市怀柔区").to_owned(),
        1 => address
            .chars()
            .map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 + 0xFEE0).unwrap_or(c) } else { c })
            .collect(),
        _ => address.chars().enumerate().flat_map(|(k, c)| [Some(c), (k % 3 == 2).then_some(' ')]).flatten().collect(),
    }
}

/// The address with its compound's (else road's) second character dropped.
fn slip(r: &AddressRecord) -> Option<String> {
    let name = r.compound.as_deref().or(r.road.as_deref())?;
    let second = name.char_indices().nth(1)?;
    let typed: String = name.char_indices().filter(|&(b, _)| b != second.0).map(|(_, c)| c).collect();
    (name.chars().count() >= 4).then(|| r.address.replacen(name, &typed, 1))
}

fn geocode(c: &mut Criterion) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-geocode-data");
    let _ = std::fs::remove_dir_all(&dir);
    gridgis_import::demo::write_demo(&dir, gridgis_import::demo::DEFAULT_SEED).expect("demo writes");
    let store = gridgis_layers::Store::open(&dir).expect("opens");
    let engine = Engine::new(gridgis_layers::load_hierarchy(&store).expect("grids load"));
    let layers = gridgis_layers::LayerSet::load(&store).expect("layers load");
    let records = gridgis_layers::address_records(&layers);
    let pois = gridgis_layers::poi_records(&layers);
    let geocoder = Geocoder::build(&engine, &records, &pois).expect("builds");

    let standard: Vec<&str> = records.iter().step_by(10).map(|r| r.address.as_str()).collect();
    let varied: Vec<String> = standard.iter().enumerate().map(|(i, a)| vary(i, a)).collect();
    let slipped: Vec<String> = records.iter().step_by(10).filter_map(slip).take(2_000).collect();
    let mut group = c.benchmark_group("geocode");
    group.sample_size(10);
    for (name, queries) in [
        ("standard", standard.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
        ("varied", varied),
        ("slip", slipped),
    ] {
        group.throughput(Throughput::Elements(queries.len() as u64));
        group.bench_with_input(BenchmarkId::new("one_core", name), &queries, |b, qs| {
            b.iter(|| qs.iter().filter(|q| geocoder.geocode(q, 1).is_ok_and(|f| !f.matches.is_empty())).count())
        });
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let points: Vec<(f64, f64)> =
        (0..10_000).map(|_| (rng.random_range(116.3..116.85), rng.random_range(40.25..41.0))).collect();
    group.throughput(Throughput::Elements(points.len() as u64));
    group.bench_function("reverse", |b| {
        b.iter(|| points.iter().filter(|&&(x, y)| geocoder.reverse(x, y, 1_000.0).address.is_some()).count())
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("build", |b| b.iter(|| Geocoder::build(&engine, &records, &pois).expect("builds")));
    group.finish();
}

criterion_group!(benches, geocode);
criterion_main!(benches);
