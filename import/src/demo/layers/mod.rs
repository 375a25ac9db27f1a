//! The demo's thematic layers: the district's own 95 and the 1,053 the city shares with it,
//! 1,148 in all (the district's report), at realistic size and content.
//!
//! - **District** (`hr_…`, 95): 60 component layers, one per GB/T 30428.2 subclass the
//!   district has (119,617 components coded `110116` + class + subclass + sequence); 14 POI
//!   layers (51,243 POIs with Chinese names, mostly unique); 3 camera layers (2,376 cameras
//!   by owner); roads in 4 layers and rivers in 2, as lines; parks, scenic areas, water and
//!   building footprints as polygons; 8 grid-management layers.
//! - **City** (`bj_…`, 1,053): many small layers (tens to hundreds of features) of the city's
//!   bureaus, clipped to the district: singles by theme, and families that real catalogs
//!   have (annual series, heritage batches, land-survey classes, township and village plans,
//!   bus lines, river management lines, standard place names, enterprises by sector).
//!
//! Everything lies inside the district, and is placed the way the real thing is: where people
//! live (the density the grids were cut by), along roads and rivers, at village centres, in
//! the mountains. Every point knows its finest grid (`grid_code`, by the same index the
//! server uses) and township; every building footprint and parcel lies inside one leaf grid
//! (level 4 where it exists, else level 3). Deterministic: each family draws from its own
//! ChaCha8 stream of the seed, and only vectors and B-tree maps are iterated.

mod addresses;
mod areas;
mod cameras;
mod city;
mod components;
mod governance;
mod names;
mod network;
mod place;
mod pois;

pub(super) use self::names::SURNAMES;
mod world;

pub use self::addresses::{ADDRESS_TOTAL, ADDRESSES_KIND, CATEGORY_ADDRESSES};
use gridgis_layers::{Feature, LayerMeta, Value};
use rand_chacha::ChaCha8Rng;

use super::grids::rng_for;
use super::{DEMO_UPDATED_AT, DemoError, DemoGrids};

/// The district's own thematic layers (the district's report).
pub const DISTRICT_LAYERS: usize = 95;
/// The thematic layers the city shares with the district (the district's report).
pub const CITY_LAYERS: usize = 1_053;
/// Physical components (部件) in the district (the district's report).
pub const COMPONENT_TOTAL: usize = 119_617;
/// Points of interest in the district (the district's report).
pub const POI_TOTAL: usize = 51_243;
/// Video cameras: the report says "2,000+"; this is the demo's figure.
pub const CAMERA_TOTAL: usize = 2_376;
/// Catalog category of the component layers.
pub const CATEGORY_COMPONENTS: &str = "部件";
/// Catalog category of the POI layers.
pub const CATEGORY_POIS: &str = gridgis_layers::POI_CATEGORY;
/// Catalog category of the camera layers.
pub const CATEGORY_CAMERAS: &str = "视频监控";
/// Layer id of the building footprints.
pub const BUILDINGS_LAYER: &str = "hr_building";

/// What [`super::write_demo`] added besides the grids (all zero from grid generation alone).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ThematicCounts {
    /// The district's own layers.
    pub district_layers: usize,
    /// The city's layers.
    pub city_layers: usize,
    /// Features over all thematic layers.
    pub features: usize,
    /// Components.
    pub components: usize,
    /// POIs.
    pub pois: usize,
    /// Cameras.
    pub cameras: usize,
    /// Building footprints.
    pub buildings: usize,
    /// Addresses in the gazetteer (its own layer, not counted in `features`).
    pub addresses: usize,
}

/// One layer ready to publish.
pub struct Layer {
    /// Catalog facts.
    pub meta: LayerMeta,
    /// Features.
    pub features: Vec<Feature>,
}

/// A text value.
fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

/// A feature name unique within its layer: `{place}{item}` the first time, then
/// `{place}2号{item}`, `{place}3号{item}`…
fn numbered(seen: &mut std::collections::BTreeMap<String, u32>, place: &str, item: &str) -> String {
    let n = seen.entry(place.to_string()).or_insert(0);
    *n += 1;
    if *n == 1 { format!("{place}{item}") } else { format!("{place}{n}号{item}") }
}

/// The catalog facts of a district layer.
fn meta(id: &str, name: &str, category: &str) -> LayerMeta {
    LayerMeta {
        id: id.into(),
        name: name.into(),
        category: category.into(),
        kind: "thematic".into(),
        source_crs: "wgs84".into(),
        source_file: None,
        updated_at: DEMO_UPDATED_AT.into(),
    }
}

/// The catalog facts of a city layer: the city delivers in CGCS2000 (which WGS84 matches to
/// centimetres, so the coordinates need no conversion).
fn city_meta(id: &str, name: &str, category: &str) -> LayerMeta {
    LayerMeta { source_crs: "cgcs2000".into(), ..meta(id, name, category) }
}

/// The random stream of one family (or one layer, with `key`).
fn stream(seed: u64, family: &str, key: &str) -> ChaCha8Rng {
    rng_for(seed, "layers", &format!("{family}/{key}"), 0)
}

/// Generates the 1,148 thematic layers over the demo grids, district layers first, each group
/// in a stable order, then the gazetteer (layer `addresses`, last).
pub fn generate(demo: &DemoGrids, seed: u64) -> Result<(Vec<Layer>, ThematicCounts), DemoError> {
    let mut world = world::World::new(demo)?;
    let water = areas::water(&world, &mut stream(seed, "water", ""));
    world.water.extend(water.iter().map(|w| w.polygon.clone()));
    let net = network::generate(&world, &mut stream(seed, "network", ""));
    let (parks, scenic) = areas::parks(&world, &net, &mut stream(seed, "parks", ""));
    world.green.extend(parks.iter().map(|p| p.polygon.clone()));

    let mut district = Vec::new();
    district.extend(components::layers(&world, &net, seed));
    district.extend(pois::layers(&world, &net, seed));
    district.extend(cameras::layers(&world, &net, seed));
    district.extend(network::layers(&world, &net));
    district.push(areas::water_layer(&world, &water));
    district.push(areas::park_layer(&world, &parks));
    district.push(areas::scenic_layer(&world, &scenic));
    district.push(areas::buildings(&world, &net, &mut stream(seed, "buildings", "")));
    district.extend(governance::layers(&world, &net, seed));
    let city = city::layers(&world, &net, seed);
    let gazetteer = addresses::layer(&world, &net, seed);
    if gazetteer.features.len() != ADDRESS_TOTAL {
        return Err(DemoError::Geometry(format!(
            "gazetteer: {} addresses, expected {ADDRESS_TOTAL}",
            gazetteer.features.len()
        )));
    }
    if district.len() != DISTRICT_LAYERS || city.len() != CITY_LAYERS {
        return Err(DemoError::Geometry(format!(
            "thematic layers: {} district and {} city, expected {DISTRICT_LAYERS} and {CITY_LAYERS}",
            district.len(),
            city.len()
        )));
    }
    if let Some(empty) = district.iter().chain(&city).find(|l| l.features.is_empty()) {
        return Err(DemoError::Geometry(format!("thematic layer {} came out empty", empty.meta.id)));
    }
    let count = |layers: &[Layer], category: &str| -> usize {
        layers.iter().filter(|l| l.meta.category == category).map(|l| l.features.len()).sum()
    };
    let counts = ThematicCounts {
        district_layers: district.len(),
        city_layers: city.len(),
        features: district.iter().chain(&city).map(|l| l.features.len()).sum(),
        components: count(&district, CATEGORY_COMPONENTS),
        pois: count(&district, CATEGORY_POIS),
        cameras: count(&district, CATEGORY_CAMERAS),
        buildings: district.iter().filter(|l| l.meta.id == BUILDINGS_LAYER).map(|l| l.features.len()).sum(),
        addresses: gazetteer.features.len(),
    };
    district.extend(city);
    district.push(gazetteer);
    Ok((district, counts))
}
