//! A city of two districts (`write_city`): Huairou and its copy standing for 东城区, written,
//! read back and served from as one data dir.

use geo::BoundingRect;
use gridgis_cases::CaseId;
use gridgis_engine::{Engine, GeocodeLevel, GridId, Hierarchy};
use gridgis_import::demo::{
    ADDRESS_TOTAL, CITY_DISTRICTS, CITY_LAYERS, DEFAULT_SEED, DISTRICT_LAYERS, LEVEL_COUNTS, STAFF_COUNTS, write_city,
};
use gridgis_layers::{ADDRESSES_LAYER, GRIDS_LAYER, LayerSet, Store, TOWNSHIPS_LAYER, Value, load_hierarchy};

const GRIDS: usize = 7_585;
const CASES: usize = 98_103;

fn bbox(h: &Hierarchy, id: GridId) -> [f64; 4] {
    let r = h.grid(id).geometry.bounding_rect().expect("a district has an outline");
    [r.min().x, r.min().y, r.max().x, r.max().y]
}

#[test]
fn two_districts_make_one_city() {
    let dir = tempfile::tempdir().unwrap();
    let demo = write_city(dir.path(), DEFAULT_SEED, 2).unwrap();
    assert_eq!(LEVEL_COUNTS.iter().sum::<usize>(), GRIDS);
    assert_eq!((demo.grids.len(), demo.townships.len()), (2 * GRIDS, 34));
    assert_eq!((demo.thematic.district_layers, demo.thematic.city_layers), (2 * DISTRICT_LAYERS, 2 * CITY_LAYERS));
    assert_eq!(demo.thematic.addresses, 2 * ADDRESS_TOTAL);
    assert_eq!(demo.staff, 2 * STAFF_COUNTS.iter().map(|c| c.1).sum::<usize>());
    assert_eq!(demo.cases, 2 * CASES);

    // The hierarchy: two roots, every code unique (the hierarchy refuses duplicates), each
    // grid under its own district's code and name.
    let store = Store::open(dir.path()).unwrap();
    let h = load_hierarchy(&store).unwrap();
    assert_eq!(h.len(), 2 * GRIDS);
    let roots: Vec<(&str, &str)> =
        h.roots().iter().map(|&r| (h.grid(r).code.as_str(), h.grid(r).name.as_str())).collect();
    assert_eq!(roots, [("110101", "东城区"), ("110116", "怀柔区")]);
    let (dongcheng, huairou) = (h.roots()[0], h.roots()[1]);
    for (id, g) in h.grids().iter().enumerate() {
        let root = h.grid(h.root_of(id as GridId));
        assert!(g.code.starts_with(&root.code), "{} under {}", g.code, root.code);
        if root.code == "110101" {
            assert!(!g.name.contains("怀柔"), "{} keeps the old name", g.name);
        }
    }
    assert!(h.townships().iter().filter(|t| t.code.starts_with("110101")).all(|t| !t.name.contains("怀柔")));
    assert!(h.townships().iter().any(|t| t.name == "东城地区"), "怀柔地区 renamed");

    // The copy is shifted east, by more than the district's width: no overlap.
    let (a, b) = (bbox(&h, huairou), bbox(&h, dongcheng));
    assert!(b[0] > a[2] + 0.2, "{a:?} and {b:?} overlap");
    assert_eq!((b[1], b[3]), (a[1], a[3]));
    assert!((b[2] - b[0] - (a[2] - a[0])).abs() < 1e-9);
    assert!(b.iter().step_by(2).all(|x| (100.0..135.0).contains(x)));

    // Layers: every thematic layer twice, the system layers once with both districts.
    let catalog = store.catalog();
    assert_eq!(catalog.layers.len(), 2 * (DISTRICT_LAYERS + CITY_LAYERS) + 3);
    for e in catalog.layers.iter().filter(|e| e.kind == "thematic" && !e.id.ends_with("_d110101")) {
        let copy = catalog.get(&format!("{}_d110101", e.id)).unwrap_or_else(|| panic!("{} has no copy", e.id));
        assert!(copy.name.ends_with("（东城区）") && !copy.name.contains("怀柔"), "{}", copy.name);
        assert_eq!(copy.feature_count, e.feature_count);
        assert!(gridgis_layers::valid_id(&copy.id));
    }
    assert_eq!(catalog.get(GRIDS_LAYER).unwrap().feature_count, 2 * GRIDS as u64);
    assert_eq!(catalog.get(TOWNSHIPS_LAYER).unwrap().feature_count, 34);
    let addresses = store.read(ADDRESSES_LAYER).unwrap();
    assert_eq!(addresses.len(), 2 * ADDRESS_TOTAL);
    let text = |f: &gridgis_layers::Feature, k: &str| f.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let copied: Vec<_> = addresses.iter().filter(|f| text(f, "address").starts_with("北京市东城区")).collect();
    assert_eq!(copied.len(), ADDRESS_TOTAL);
    assert!(
        copied
            .iter()
            .all(|f| text(f, "grid_code").starts_with("110101") && text(f, "village_code").starts_with("110101"))
    );

    // Served as one city: locate and geocode in the copy, the copy's cases and people.
    let engine = Engine::new(h);
    let h = engine.hierarchy();
    let dx = b[0] - a[0];
    let inside = |lon: f64, lat: f64| engine.locate(lon, lat, 0.0).unwrap().grid;
    let (g0, g1) = (inside(116.637, 40.324), inside(116.637 + dx, 40.324));
    assert_eq!(h.root_of(g1), dongcheng);
    assert_eq!(h.grid(g1).code, h.grid(g0).code.replacen("110116", "110101", 1));
    let layers = LayerSet::load(&store).unwrap();
    let geocoder = gridgis_layers::build_geocoder(&engine, &layers).unwrap();
    assert_eq!(geocoder.stats().skipped, 0);
    let sample = text(copied[1234], "address");
    let m = geocoder.geocode(&sample, 1).unwrap().matches.remove(0);
    assert_eq!((&*m.address, m.score), (sample.as_str(), 1.0));
    assert_eq!(h.root_of(m.grid), dongcheng);
    let d = geocoder.geocode("东城区", 1).unwrap().matches.remove(0);
    assert_eq!((d.level, d.grid), (GeocodeLevel::District, dongcheng));

    let roster = gridgis_cases::Roster::load(dir.path()).unwrap();
    assert_eq!(roster.len(), demo.staff);
    assert!(roster.staff().iter().filter(|s| s.id.starts_with("DC-S-")).all(|s| s.unit_code.starts_with("110101")));
    let (cases, report) = gridgis_cases::CaseIndex::load(dir.path(), h).unwrap();
    assert_eq!((cases.len(), report.skipped), (2 * CASES, 0));
    for e in cases.entries() {
        let CaseId::Text(id) = &e.id else { panic!("{:?}", e.id) };
        if let Some(g) = e.grid {
            let expected = if id.starts_with("DC") { dongcheng } else { huairou };
            assert_eq!(h.root_of(g), expected, "{id}");
        }
    }

    // A case outside the copy's border goes to the copy's command centre.
    let categories = gridgis_cases::Categories::new(&layers);
    let router = gridgis_cases::Router {
        engine: &engine,
        geocoder: &geocoder,
        layers: &layers,
        roster: &roster,
        categories: &categories,
        max_distance_m: 500.0,
        max_max_distance_m: 500.0,
    };
    let outside = gridgis_cases::CaseRequest::from_json(
        format!(r#"{{"id":"x","location":{{"lon":{},"lat":{}}}}}"#, b[2] + 0.05, (b[1] + b[3]) / 2.0).as_bytes(),
    )
    .unwrap();
    let routing = router.route(&outside, 0, &mut gridgis_cases::Transformers::default()).unwrap();
    assert_eq!(routing.status, gridgis_cases::Status::OutsideJurisdiction);
    assert_eq!(routing.district, Some(dongcheng));
    assert!(!routing.dispatchers.is_empty());
    assert!(routing.dispatchers.iter().all(|&i| roster.get(i).unit_code == "110101"));
    assert_eq!(CITY_DISTRICTS[1].code, "110101");
}
