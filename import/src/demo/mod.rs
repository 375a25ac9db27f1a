//! The deterministic demo dataset: a full-size district (7,585 grids in four levels under the
//! real Huairou outline, the real township and village names and codes), written to a data
//! dir the same way every layer is stored. Same seed, same bytes.

mod cases;
mod geography;
mod grids;
mod grow;
mod layers;
mod mesh;
mod naming;
mod reference;
mod staff;
mod trace;

use std::path::Path;

pub use self::cases::{CASE_TOTAL, FAR_OUTSIDE, MALFORMED, NEAR_OUTSIDE};
pub use self::grids::{DemoGrids, LEVEL_COUNTS, MAX_VERTICES, MIN_VERTICES, generate as generate_grids};
pub use self::layers::{
    ADDRESS_TOTAL, ADDRESSES_KIND, BUILDINGS_LAYER, CAMERA_TOTAL, CATEGORY_ADDRESSES, CATEGORY_CAMERAS,
    CATEGORY_COMPONENTS, CATEGORY_POIS, CITY_LAYERS, COMPONENT_TOTAL, DISTRICT_LAYERS, POI_TOTAL, ThematicCounts,
};
pub use self::staff::STAFF_COUNTS;

/// The default seed of the embedded demo dataset.
pub const DEFAULT_SEED: u64 = 2026;

/// The `updated_at` stamped on demo layers: fixed, so that the same seed gives the same bytes.
pub const DEMO_UPDATED_AT: &str = "2026-01-01T00:00:00Z";

/// Why the demo could not be generated or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// The embedded reference data could not be read (a build defect).
    #[error("reference data: {0}")]
    Reference(String),
    /// Cutting the grids failed (a generator defect for this seed).
    #[error("demo geometry: {0}")]
    Geometry(String),
    /// The hierarchy does not validate.
    #[error("demo hierarchy: {0}")]
    Hierarchy(#[from] gridgis_engine::HierarchyError),
    /// Writing the data dir failed.
    #[error("writing demo data: {0}")]
    Store(#[from] gridgis_layers::LayersError),
    /// Writing the roster or the case stream failed.
    #[error("writing demo cases: {0}")]
    Cases(String),
}

/// Generates the demo dataset for `seed` and writes it into the new data dir `dir` (which must
/// not already hold a catalog): the grids and townships, then the 1,148 thematic layers and the gazetteer
/// (116,471 addresses, layer `addresses`) in one catalog write; then the staff roster
/// (`staff.csv`, 26,341 people) and the year's case stream as the intake system would send it
/// ([`INTAKE_FILE`], 98,115 lines). The returned grids carry the thematic layers' counts.
pub fn write_demo(dir: &Path, seed: u64) -> Result<DemoGrids, DemoError> {
    let mut demo = generate_grids(seed)?;
    let (thematic, counts) = layers::generate(&demo, seed)?;
    let mut store = gridgis_layers::Store::create(dir)?;
    gridgis_layers::publish_grids(&mut store, &demo.grids, &demo.townships, DEMO_UPDATED_AT)?;
    let batch: Vec<(gridgis_layers::LayerMeta, &[gridgis_layers::Feature])> =
        thematic.iter().map(|l| (l.meta.clone(), &l.features[..])).collect();
    store.publish_many(&batch)?;
    demo.thematic = counts;

    let mut people: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    if let Some(gazetteer) = thematic.iter().find(|l| l.meta.id == gridgis_layers::ADDRESSES_LAYER) {
        for f in &gazetteer.features {
            if let Some((_, gridgis_layers::Value::String(code))) = f.properties.iter().find(|(k, _)| k == "grid_code")
            {
                *people.entry(code.clone()).or_default() += 1;
            }
        }
    }
    let roster = staff::roster(&demo.grids, &people, seed);
    gridgis_cases::Roster::write(dir, &roster).map_err(|e| DemoError::Cases(e.to_string()))?;
    let engine =
        gridgis_engine::Engine::new(gridgis_engine::Hierarchy::new(demo.grids.clone(), demo.townships.clone())?);
    let lines = cases::stream(&thematic, &engine, seed);
    let mut bytes = Vec::with_capacity(lines.len() * 300);
    for l in &lines {
        bytes.extend_from_slice(l.as_bytes());
        bytes.push(b'\n');
    }
    let path = dir.join(INTAKE_FILE);
    std::fs::create_dir_all(dir.join("cases"))
        .and_then(|()| std::fs::write(&path, &bytes))
        .map_err(|e| DemoError::Cases(format!("{}: {e}", path.display())))?;
    demo.cases = route_stream(&store, dir, engine, gridgis_cases::Roster::new(roster), &lines)?;
    Ok(demo)
}

/// Routes the demo stream into the case log of the new data dir, as if the intake system had
/// sent it over the year (the malformed lines refused, as the API refuses them): the log the
/// statistics of the demo start from. Returns how many cases were logged.
fn route_stream(
    store: &gridgis_layers::Store,
    dir: &Path,
    engine: gridgis_engine::Engine,
    roster: gridgis_cases::Roster,
    lines: &[String],
) -> Result<usize, DemoError> {
    let layers = gridgis_layers::LayerSet::load(store)?;
    let geocoder = gridgis_layers::build_geocoder(&engine, &layers)?;
    let categories = gridgis_cases::Categories::new(&layers);
    let router = gridgis_cases::Router {
        engine: &engine,
        geocoder: &geocoder,
        layers: &layers,
        roster: &roster,
        categories: &categories,
        max_distance_m: DEMO_MAX_DISTANCE_M,
        max_max_distance_m: DEMO_MAX_DISTANCE_M,
    };
    let mut transformers = gridgis_cases::Transformers::default();
    let mut log = Vec::with_capacity(lines.len());
    for line in lines {
        let Ok(case) = gridgis_cases::CaseRequest::from_json(line.as_bytes()) else { continue };
        let Ok(routing) = router.route(&case, 0, &mut transformers) else { continue };
        let result = gridgis_cases::Logged::new(&routing, engine.hierarchy());
        log.push(gridgis_cases::LogLine { case, result });
    }
    gridgis_cases::CaseLog::write_all(dir, &log).map_err(|e| DemoError::Cases(e.to_string()))?;
    Ok(log.len())
}

/// The border tolerance the demo's cases were routed with: the server's default.
const DEMO_MAX_DISTANCE_M: f64 = 500.0;

/// The demo's case stream in the data dir: one `POST /cases/route` body a line, the malformed
/// dozen among them; `gridgis route --input` reads it, and the demo's case log is it routed.
pub const INTAKE_FILE: &str = "cases/intake.ndjson";

/// The district outline as shipped (for repair tests and tools).
pub fn reference_outline() -> Result<geo_types::Polygon<f64>, DemoError> {
    reference::outline()
}
