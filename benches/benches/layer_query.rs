//! Layer queries on a 120,000-point layer (the size of the demo's largest component layers put
//! together): a bbox returning ~1,000 features (target ≤ 200 µs), nearest-10, within 200 m.

use criterion::{Criterion, criterion_group, criterion_main};
use geo_types::{Geometry, Point};
use gridgis_layers::{CatalogEntry, Filter, LayerData, Record, Value};
use rand::{Rng, SeedableRng};

fn layer() -> LayerData {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let records: Vec<Record> = (0..120_000)
        .map(|i| Record {
            geometry: Geometry::Point(Point::new(rng.random_range(116.30..116.88), rng.random_range(40.25..41.05))),
            values: vec![Value::Int(i), Value::String(if i % 7 == 0 { "破损" } else { "完好" }.into())]
                .into_boxed_slice(),
        })
        .collect();
    let entry = CatalogEntry {
        id: "bench".into(),
        name: "bench".into(),
        category: "bench".into(),
        kind: "thematic".into(),
        geometry_type: "Point".into(),
        feature_count: records.len() as u64,
        bbox: None,
        fields: vec![],
        source_crs: "wgs84".into(),
        source_file: None,
        version: 1,
        updated_at: String::new(),
        file: String::new(),
        previous: vec![],
        latest: 1,
    };
    LayerData::new(entry, vec!["n".into(), "state".into()], records)
}

fn queries(c: &mut Criterion) {
    let l = layer();
    let none = Filter::default();
    // 120,000 points over 0.58° × 0.8° is 258,600 a square degree: a 0.0622° square holds ~1,000.
    let bbox = [116.60, 40.30, 116.6622, 40.3622];
    let n = l.bbox(bbox, &none, 0, 10_000).expect("valid bbox").matched;
    assert!((800..1_200).contains(&n), "{n} features in the bench bbox");
    let mut g = c.benchmark_group("layer_query");
    g.bench_function(format!("bbox_{n}_features_of_120k"), |b| b.iter(|| l.bbox(bbox, &none, 0, 10_000)));
    let broken = l.filter(&[("state".into(), "破损".into())]).expect("field exists");
    g.bench_function("bbox_with_attribute_filter", |b| b.iter(|| l.bbox(bbox, &broken, 0, 10_000)));
    g.bench_function("nearest_10", |b| b.iter(|| l.nearest(116.62, 40.32, 10, &none, None)));
    g.bench_function("within_200m", |b| b.iter(|| l.within(116.62, 40.32, 200.0, &none, 0, 1_000)));
    g.finish();
}

criterion_group!(benches, queries);
criterion_main!(benches);
