//! The deterministic demo dataset: a full-size district (7,585 grids in four levels under the
//! real Huairou outline, the real township and village names and codes), written to a data
//! dir the same way every layer is stored. Same seed, same bytes.

mod geography;
mod grids;
mod grow;
mod layers;
mod mesh;
mod naming;
mod reference;
mod trace;

use std::path::Path;

pub use self::grids::{DemoGrids, LEVEL_COUNTS, MAX_VERTICES, MIN_VERTICES, generate as generate_grids};
pub use self::layers::{
    ADDRESS_TOTAL, ADDRESSES_KIND, BUILDINGS_LAYER, CAMERA_TOTAL, CATEGORY_ADDRESSES, CATEGORY_CAMERAS,
    CATEGORY_COMPONENTS, CATEGORY_POIS, CITY_LAYERS, COMPONENT_TOTAL, DISTRICT_LAYERS, POI_TOTAL, ThematicCounts,
};

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
}

/// Generates the demo dataset for `seed` and writes it into the new data dir `dir` (which must
/// not already hold a catalog): the grids and townships, then the 1,148 thematic layers and the gazetteer
/// (116,471 addresses, layer `addresses`) in one catalog write. The returned grids carry the thematic layers' counts.
pub fn write_demo(dir: &Path, seed: u64) -> Result<DemoGrids, DemoError> {
    let mut demo = generate_grids(seed)?;
    let (thematic, counts) = layers::generate(&demo, seed)?;
    let mut store = gridgis_layers::Store::create(dir)?;
    gridgis_layers::publish_grids(&mut store, &demo.grids, &demo.townships, DEMO_UPDATED_AT)?;
    let batch: Vec<(gridgis_layers::LayerMeta, &[gridgis_layers::Feature])> =
        thematic.iter().map(|l| (l.meta.clone(), &l.features[..])).collect();
    store.publish_many(&batch)?;
    demo.thematic = counts;
    Ok(demo)
}

/// The district outline as shipped (for repair tests and tools).
pub fn reference_outline() -> Result<geo_types::Polygon<f64>, DemoError> {
    reference::outline()
}
