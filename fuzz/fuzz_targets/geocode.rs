//! Any text given to the geocoder: an answer or a refusal, never a panic or a hang; answers
//! ordered and scored within 0–1; normalization idempotent. The geocoder is the demo's, read
//! once from the data dir in `GRIDGIS_FUZZ_DATA` (`scripts/fuzz.sh` writes one).

#![no_main]

use std::sync::OnceLock;

use gridgis_engine::{Engine, Geocoder, normalize_address};
use libfuzzer_sys::fuzz_target;

fn geocoder() -> &'static (Engine, Geocoder) {
    static G: OnceLock<(Engine, Geocoder)> = OnceLock::new();
    G.get_or_init(|| {
        let dir = std::env::var("GRIDGIS_FUZZ_DATA").expect("GRIDGIS_FUZZ_DATA names a demo data dir");
        let store = gridgis_layers::Store::open(std::path::Path::new(&dir)).expect("data dir opens");
        let engine = Engine::new(gridgis_layers::load_hierarchy(&store).expect("grids load"));
        let layers = gridgis_layers::LayerSet::load(&store).expect("layers load");
        let geocoder = gridgis_layers::build_geocoder(&engine, &layers).expect("geocoder builds");
        (engine, geocoder)
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let once = normalize_address(&text);
    assert_eq!(normalize_address(&once), once, "normalize is idempotent");
    if let Ok(found) = geocoder().1.geocode(&text, 10) {
        assert!(found.matches.len() <= 10);
        assert!(found.matches.windows(2).all(|w| w[0].score >= w[1].score));
        assert!(found.matches.iter().all(|m| (0.0..=1.0).contains(&m.score)));
    }
});
