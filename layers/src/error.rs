//! The crate's error type.

use crate::fgb::FgbError;
use crate::store::StoreError;

/// Everything the layer store can refuse or fail at.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LayersError {
    /// The data dir, its catalog or a publish.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A FlatGeobuf file.
    #[error(transparent)]
    Fgb(#[from] FgbError),
    /// The grid layers do not hold a valid hierarchy.
    #[error("layer {layer}: {message}")]
    Grids {
        /// `grids` or `townships`.
        layer: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A worker thread loading layers panicked (a defect; the data is not to blame).
    #[error("a layer loader thread panicked")]
    LoaderPanicked,
    /// The geocoder over the gazetteer and POI layers could not be built.
    #[error(transparent)]
    Geocoder(#[from] gridgis_engine::GeocoderBuildError),
    /// The grid layers hold grids, but they do not form a hierarchy.
    #[error("the grids do not form a hierarchy: {0}")]
    Hierarchy(#[from] gridgis_engine::HierarchyError),
}

impl LayersError {
    /// True when the store could not be reached (see [`StoreError::is_unavailable`]).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Store(e) if e.is_unavailable())
    }
}

/// Result with [`LayersError`].
pub type Result<T, E = LayersError> = std::result::Result<T, E>;
