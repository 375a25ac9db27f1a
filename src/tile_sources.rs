//! Tile sources named in a request or on the command line (`grids,hr_poi_food`): shared by
//! `/tiles/…` and `gridgis tiles`, so both accept and refuse the same names.

use std::sync::Arc;

use gridgis_layers::LayerSet;
use gridgis_tiles::{GridsSource, LayerSource, Source};

/// The source id of the grid hierarchy.
pub const GRIDS_SOURCE: &str = "grids";
/// Most sources one composite tile may hold.
pub const MAX_SOURCES: usize = 32;

/// Why a list of sources was refused.
#[derive(Debug, thiserror::Error)]
pub enum SourcesError {
    /// More than [`MAX_SOURCES`].
    #[error("{0} sources in one request; at most {MAX_SOURCES}")]
    TooMany(usize),
    /// One named twice (tile layer names must be unique).
    #[error("source '{0}' is named twice: tile layer names must be unique")]
    Twice(String),
    /// Neither `grids` nor a layer of the catalog.
    #[error("no tile source '{0}' (see /catalog)")]
    Unknown(String),
}

/// The sources of `spec` (ids, comma-separated), in order: `grids` is the grid hierarchy, any
/// other id a layer of `layers` (its current version).
pub fn resolve(spec: &str, grids: &Arc<GridsSource>, layers: &LayerSet) -> Result<Vec<Arc<dyn Source>>, SourcesError> {
    let ids: Vec<&str> = spec.split(',').collect();
    if ids.len() > MAX_SOURCES {
        return Err(SourcesError::TooMany(ids.len()));
    }
    let mut out: Vec<Arc<dyn Source>> = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            return Err(SourcesError::Twice((*id).to_owned()));
        }
        if *id == GRIDS_SOURCE {
            out.push(grids.clone());
            continue;
        }
        let data = layers.get(id).ok_or_else(|| SourcesError::Unknown((*id).to_owned()))?;
        out.push(Arc::new(LayerSource::new(data.clone())));
    }
    Ok(out)
}
