//! Every layer of a data dir in memory.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::LayerData;
use crate::error::Result;
use crate::store::Store;

/// The layers of a data dir, each an immutable [`LayerData`] behind an `Arc`, so a reader keeps
/// the version it started with while a newer one is swapped in.
#[derive(Clone, Debug, Default)]
pub struct LayerSet {
    layers: BTreeMap<String, Arc<LayerData>>,
}

impl LayerSet {
    /// Loads the current version of every layer in the catalog, on all cores.
    pub fn load(store: &Store) -> Result<Self> {
        let ids: Vec<&str> = store.catalog().layers.iter().map(|l| l.id.as_str()).collect();
        let loaded = load_parallel(store, &ids)?;
        Ok(Self { layers: loaded.into_iter().map(|l| (l.entry().id.clone(), Arc::new(l))).collect() })
    }

    /// The layers whose catalog version differs from the one held (or that are new), reloaded;
    /// layers gone from the catalog are dropped. Layers that did not change are shared, not copied.
    pub fn refreshed(&self, store: &Store) -> Result<Self> {
        let changed: Vec<&str> = store
            .catalog()
            .layers
            .iter()
            .filter(|e| self.layers.get(&e.id).is_none_or(|held| held.entry().version != e.version))
            .map(|e| e.id.as_str())
            .collect();
        let mut layers: BTreeMap<String, Arc<LayerData>> = store
            .catalog()
            .layers
            .iter()
            .filter_map(|e| {
                self.layers
                    .get(&e.id)
                    .filter(|held| held.entry().version == e.version)
                    .map(|l| (e.id.clone(), l.clone()))
            })
            .collect();
        for l in load_parallel(store, &changed)? {
            layers.insert(l.entry().id.clone(), Arc::new(l));
        }
        Ok(Self { layers })
    }

    /// The layer `id`, if loaded.
    pub fn get(&self, id: &str) -> Option<&Arc<LayerData>> {
        self.layers.get(id)
    }

    /// All layers by id.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<LayerData>> {
        self.layers.values()
    }

    /// Number of layers.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// True when no layer is loaded.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Total features over all layers.
    pub fn feature_count(&self) -> usize {
        self.layers.values().map(|l| l.len()).sum()
    }
}

/// Reads and indexes `ids` on scoped threads, one per core, in catalog order.
fn load_parallel(store: &Store, ids: &[&str]) -> Result<Vec<LayerData>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(ids.len().max(1));
    let load_one = |id: &str| -> Result<LayerData> {
        let entry = store
            .catalog()
            .get(id)
            .cloned()
            .ok_or_else(|| crate::store::StoreError::UnknownLayer { id: id.to_string(), version: None })?;
        let (columns, records) = store.read_records(&entry)?;
        Ok(LayerData::new(entry, columns, records))
    };
    let chunk = ids.len().div_ceil(threads).max(1);
    let results: Vec<Result<Vec<LayerData>>> = std::thread::scope(|s| {
        let handles: Vec<_> =
            ids.chunks(chunk).map(|part| s.spawn(move || part.iter().map(|id| load_one(id)).collect())).collect();
        handles.into_iter().map(|h| h.join().unwrap_or(Err(crate::LayersError::LoaderPanicked))).collect()
    });
    let mut out = Vec::with_capacity(ids.len());
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}
