//! The deterministic demo dataset: a full-size district (7,585 grids in four levels under the
//! real Huairou outline, the real township and village names and codes), written to a data
//! dir the same way every layer is stored; or a city of up to 16 such districts, the others
//! copies of it ([`write_city`]). Same seed (and district count), same bytes.

mod cases;
mod city;
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
pub use self::city::{CITY_DISTRICTS, CityDistrict, MAX_DISTRICTS};
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
    /// A city of this many districts cannot be made.
    #[error("a city has 1 to {MAX_DISTRICTS} districts, not {0}")]
    Districts(usize),
}

/// Generates the demo dataset for `seed` and writes it into the new data dir `dir` (which must
/// not already hold a catalog): the grids and townships, then the 1,148 thematic layers and the gazetteer
/// (116,471 addresses, layer `addresses`) in one catalog write; then the staff roster
/// (`staff.csv`, 26,341 people) and the year's case stream as the intake system would send it
/// ([`INTAKE_FILE`], 98,115 lines). The returned grids carry the thematic layers' counts.
pub fn write_demo(dir: &Path, seed: u64) -> Result<DemoGrids, DemoError> {
    write_city(dir, seed, 1)
}

/// Writes a city of `districts` districts (1 to [`MAX_DISTRICTS`]) into the new data dir
/// `dir`, for measuring one server on a whole city. With 1 it is [`write_demo`], byte for byte.
///
/// District 0 is the demo district; district `k` is a copy of it standing for
/// [`CITY_DISTRICTS`]`[k]`, moved east and south so that no two overlap (four to a row, a
/// bounding box and 0.25° apart) and renamed: codes `110116…` become the district's, the
/// names `怀柔区`/`怀柔` its name. The `grids`, `townships` and `addresses` layers hold every
/// district (`districts` × 7,585 grids, × 116,471 addresses); each thematic layer is there once
/// per district (id suffixed `_d<code>`, name `（<district>）`), `districts` × 1,148 in all. The
/// roster and the case stream are repeated per district (ids `CY-S-…`, `CY2025…` for 朝阳区…;
/// the copies' people keep district 0's invented names and phones), a case's copies following
/// it in the stream; the malformed dozen are district 0's only. An address-only case that names
/// no district names its own (`怀柔区泉河街道…`): in a city every district has a 泉河街道. In the
/// copies' case log a case placed by its location is routed again over the copy's grids, one
/// placed by its address is district 0's answer moved and renamed. Same seed and count, same
/// bytes. The returned grids and townships are the whole city's, with its counts.
///
/// # Errors
/// [`DemoError::Districts`] outside 1–16; otherwise as [`write_demo`].
pub fn write_city(dir: &Path, seed: u64, districts: usize) -> Result<DemoGrids, DemoError> {
    if !(1..=MAX_DISTRICTS).contains(&districts) {
        return Err(DemoError::Districts(districts));
    }
    let mut demo = generate_grids(seed)?;
    let (thematic, counts) = layers::generate(&demo, seed)?;
    let copies = replicas(&demo, districts)?;
    let mut store = gridgis_layers::Store::create(dir)?;
    let (city_grids, city_townships) = if copies.is_empty() {
        gridgis_layers::publish_grids(&mut store, &demo.grids, &demo.townships, DEMO_UPDATED_AT)?;
        let batch: Vec<(gridgis_layers::LayerMeta, &[gridgis_layers::Feature])> =
            thematic.iter().map(|l| (l.meta.clone(), &l.features[..])).collect();
        store.publish_many(&batch)?;
        (None, None)
    } else {
        let grids: Vec<gridgis_engine::Grid> = demo
            .grids
            .iter()
            .cloned()
            .chain(copies.iter().flat_map(|c| demo.grids.iter().map(|g| c.grid(g))))
            .collect();
        let townships: Vec<gridgis_engine::Township> = demo
            .townships
            .iter()
            .cloned()
            .chain(copies.iter().flat_map(|c| demo.townships.iter().map(|t| c.township(t))))
            .collect();
        gridgis_layers::publish_grids(&mut store, &grids, &townships, DEMO_UPDATED_AT)?;
        // District 0's thematic layers, and the whole city's gazetteer (one layer). The copies'
        // thematic layers come after district 0's cases are routed, which must not see them.
        let mut gazetteer = Vec::new();
        let mut batch: Vec<(gridgis_layers::LayerMeta, &[gridgis_layers::Feature])> = Vec::new();
        for l in &thematic {
            if l.meta.id == gridgis_layers::ADDRESSES_LAYER {
                gazetteer = l
                    .features
                    .iter()
                    .cloned()
                    .chain(copies.iter().flat_map(|c| l.features.iter().map(|f| c.feature(f))))
                    .collect();
            } else {
                batch.push((l.meta.clone(), &l.features[..]));
            }
        }
        if let Some(l) = thematic.iter().find(|l| l.meta.id == gridgis_layers::ADDRESSES_LAYER) {
            batch.push((l.meta.clone(), &gazetteer[..]));
        }
        store.publish_many(&batch)?;
        (Some(grids), Some(townships))
    };
    demo.thematic = times(&counts, districts);

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
    let mut everyone = roster.clone();
    for c in &copies {
        everyone.extend(roster.iter().map(|s| c.staff(s)));
    }
    gridgis_cases::Roster::write(dir, &everyone).map_err(|e| DemoError::Cases(e.to_string()))?;
    // District 0's cases are made and routed over district 0 alone, as in a one-district demo.
    let engine =
        gridgis_engine::Engine::new(gridgis_engine::Hierarchy::new(demo.grids.clone(), demo.townships.clone())?);
    let mut lines = cases::stream(&thematic, &engine, seed);
    if !copies.is_empty() {
        for line in &mut lines {
            if let Some(named) = city::name_the_district(line) {
                *line = named;
            }
        }
    }
    let log = route_stream(&store, engine, gridgis_cases::Roster::new(roster), &lines, &demo, &copies)?;

    // The copies' thematic layers, one district at a time (each is as big as district 0's).
    for c in &copies {
        let own: Vec<layers::Layer> =
            thematic.iter().filter(|l| l.meta.id != gridgis_layers::ADDRESSES_LAYER).map(|l| c.layer(l)).collect();
        let batch: Vec<(gridgis_layers::LayerMeta, &[gridgis_layers::Feature])> =
            own.iter().map(|l| (l.meta.clone(), &l.features[..])).collect();
        store.publish_many(&batch)?;
    }
    drop(thematic);

    let mut bytes = Vec::with_capacity(lines.len() * districts * 300);
    for l in &lines {
        bytes.extend_from_slice(l.as_bytes());
        bytes.push(b'\n');
        let Ok(case) = gridgis_cases::CaseRequest::from_json(l.as_bytes()) else { continue };
        if copies.is_empty() || !city::is_district_case(&case) {
            continue;
        }
        for c in &copies {
            let line = serde_json::to_string(&c.case(&case)).map_err(|e| DemoError::Cases(e.to_string()))?;
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
        }
    }
    let path = dir.join(INTAKE_FILE);
    std::fs::create_dir_all(dir.join("cases"))
        .and_then(|()| std::fs::write(&path, &bytes))
        .map_err(|e| DemoError::Cases(format!("{}: {e}", path.display())))?;
    drop(bytes);
    gridgis_cases::CaseLog::write_all(dir, &log).map_err(|e| DemoError::Cases(e.to_string()))?;
    demo.cases = log.len();
    demo.staff = everyone.len();
    if let (Some(grids), Some(townships)) = (city_grids, city_townships) {
        (demo.grids, demo.townships) = (grids, townships);
    }
    Ok(demo)
}

/// The copies of district 0 a city of `districts` needs (none for one district).
fn replicas(demo: &DemoGrids, districts: usize) -> Result<Vec<city::Replica>, DemoError> {
    if districts <= 1 {
        return Ok(Vec::new());
    }
    let outline = demo.grids.iter().filter(|g| g.level == 0).map(|g| &g.geometry);
    let bbox = city::bbox(outline).ok_or_else(|| DemoError::Geometry("the district has no outline".into()))?;
    let layout = city::Layout::new(bbox, districts)?;
    Ok((1..districts).filter_map(|k| city::Replica::new(&layout, k)).collect())
}

/// `counts` for `n` districts of them.
fn times(counts: &ThematicCounts, n: usize) -> ThematicCounts {
    ThematicCounts {
        district_layers: counts.district_layers * n,
        city_layers: counts.city_layers * n,
        features: counts.features * n,
        components: counts.components * n,
        pois: counts.pois * n,
        cameras: counts.cameras * n,
        buildings: counts.buildings * n,
        addresses: counts.addresses * n,
    }
}

/// Routes the demo stream as if the intake system had sent it over the year (the malformed
/// lines refused, as the API refuses them): the case log the statistics of the demo start
/// from. With `copies`, each case is followed by its copies in those districts: a case placed
/// by its location routed again over its copy of the grids (where its point, moved and rounded
/// again in its own system, may fall a few centimetres across a grid boundary), one placed by
/// its address moved and renamed with its answer (the copy's gazetteer answers the copy's
/// address with the copy of the same entry).
fn route_stream(
    store: &gridgis_layers::Store,
    engine: gridgis_engine::Engine,
    roster: gridgis_cases::Roster,
    lines: &[String],
    demo: &DemoGrids,
    copies: &[city::Replica],
) -> Result<Vec<gridgis_cases::LogLine>, DemoError> {
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
    if copies.is_empty() {
        return Ok(log);
    }
    // Per copy, its lines in the order of district 0's; one copy's grids in memory at a time.
    let mut moved: Vec<Vec<gridgis_cases::LogLine>> = Vec::with_capacity(copies.len());
    for c in copies {
        let grids = demo.grids.iter().map(|g| c.grid(g)).collect();
        let townships = demo.townships.iter().map(|t| c.township(t)).collect();
        let engine = gridgis_engine::Engine::new(gridgis_engine::Hierarchy::new(grids, townships)?);
        // The location decides a case without an address; the geocoder (district 0's) is
        // never asked.
        let router = gridgis_cases::Router { engine: &engine, ..router };
        let lines = log
            .iter()
            .filter(|l| city::is_district_case(&l.case))
            .map(|l| {
                let case = c.case(&l.case);
                let routed = match (&case.location, &case.address) {
                    (Some(_), None) => router.route(&case, 0, &mut transformers).ok(),
                    _ => None,
                };
                let result = match routed {
                    Some(routing) => gridgis_cases::Logged::new(&routing, engine.hierarchy()),
                    None => c.logged(&l.case, &case, &l.result),
                };
                gridgis_cases::LogLine { case, result }
            })
            .collect();
        moved.push(lines);
    }
    let mut all = Vec::with_capacity(log.len() * (copies.len() + 1));
    let mut moved: Vec<_> = moved.into_iter().map(Vec::into_iter).collect();
    for line in log {
        let copied = city::is_district_case(&line.case);
        all.push(line);
        if copied {
            all.extend(moved.iter_mut().filter_map(Iterator::next));
        }
    }
    Ok(all)
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
