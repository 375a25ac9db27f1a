//! Routing the demo's year of cases on one core (target: all 98,115 from NDJSON in ≤ 2 s):
//! parse each line, route it (locate or geocode, people, facilities), write its answer — what
//! `gridgis route --input` does after loading the data dir. One routing of each kind beside.

use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

fn route(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-route-data");
    let _ = std::fs::remove_dir_all(&dir);
    gridgis_import::demo::write_demo(&dir, gridgis_import::demo::DEFAULT_SEED).expect("demo writes");
    let loaded = gridgis::data::load(&gridgis::data::Place::files(&dir)).expect("loads");
    let router = gridgis::cli::route::router(&loaded, None);
    let json = gridgis::answer::RouteJson::new(&loaded.engine, &loaded.roster);
    let stream = std::fs::read(dir.join(gridgis_import::demo::INTAKE_FILE)).expect("the demo stream");
    let lines = stream.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count();

    let mut group = c.benchmark_group("route");
    group.sample_size(10);
    group.throughput(Throughput::Elements(lines as u64));
    let mut out = Vec::with_capacity(300 << 20);
    group.bench_function(BenchmarkId::new("year_ndjson_one_core", lines), |b| {
        b.iter(|| {
            out.clear();
            // Malformed lines are reported on stderr: a dozen lines an iteration.
            gridgis::cli::route::route_all(&router, &json, "intake", &stream, &mut out).expect("routes")
        })
    });
    let kinds: Vec<(&str, &[u8])> = vec![
        ("wgs84_point", r#"{"id":1,"category":"暴露垃圾","location":{"lon":116.637,"lat":40.324}}"#.as_bytes()),
        (
            "gcj02_point",
            r#"{"id":2,"category":"火灾隐患","location":{"lon":116.6431,"lat":40.3254,"crs":"gcj02"}}"#.as_bytes(),
        ),
        ("address", r#"{"id":3,"address":"北京市怀柔区泉河街道富乐北里社区望怀路104号"}"#.as_bytes()),
    ];
    // One case: parse, route, answer (what `POST /cases/route` does between reading the body
    // and sending the bytes).
    group.throughput(Throughput::Elements(1));
    let mut transformers = gridgis_cases::Transformers::default();
    for (name, body) in kinds {
        group.bench_function(BenchmarkId::new("one", name), |b| {
            b.iter(|| {
                out.clear();
                let case = gridgis_cases::CaseRequest::from_json(body).expect("a case");
                let routing = router.route(&case, 0, &mut transformers).expect("routes");
                let answer = gridgis::answer::route_answer(&json, &case.id, &routing);
                serde_json::to_writer(&mut out, &answer).expect("writes");
                out.len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, route);
criterion_main!(benches);
