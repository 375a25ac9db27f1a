//! The tile cache: rendered tiles by sources, their versions and z/x/y, bounded by bytes.
//!
//! A key holds the version of every source in it, so the moment a layer's new version is
//! published no request can be answered from a tile of the old one; [`TileCache::purge`] then
//! frees the old tiles' memory at once rather than waiting for them to age out.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::Compression;
use flate2::write::GzEncoder;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

/// What a cached tile is found by.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TileKey {
    /// The source ids, comma-separated, as requested.
    pub sources: Box<str>,
    /// The sources' versions, combined.
    pub versions: u64,
    /// Zoom.
    pub z: u8,
    /// Column.
    pub x: u32,
    /// Row.
    pub y: u32,
}

/// A rendered tile: the MVT bytes and their gzip (empty both for a tile with no feature).
#[derive(Debug, PartialEq, Eq)]
pub struct RenderedTile {
    /// Uncompressed MVT.
    pub raw: Vec<u8>,
    /// The same, gzip.
    pub gzip: Vec<u8>,
}

impl RenderedTile {
    /// Wraps MVT bytes, compressing them (fast level: tiles are served many times, but made
    /// on the request path).
    pub fn new(raw: Vec<u8>) -> Self {
        if raw.is_empty() {
            return Self { raw, gzip: Vec::new() };
        }
        let mut enc = GzEncoder::new(Vec::with_capacity(raw.len() / 2), Compression::fast());
        // Writing to a Vec cannot fail.
        let gzip = enc.write_all(&raw).and_then(|()| enc.finish()).unwrap_or_default();
        Self { raw, gzip }
    }

    /// True when the tile has no feature.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }
}

#[derive(Clone, Copy, Debug)]
struct Bytes;

impl Weighter<TileKey, Arc<RenderedTile>> for Bytes {
    fn weight(&self, key: &TileKey, tile: &Arc<RenderedTile>) -> u64 {
        // Empty tiles still take a slot: count them as their key.
        (tile.raw.len() + tile.gzip.len() + key.sources.len() + 64) as u64
    }
}

/// A size-bounded, concurrent cache of rendered tiles (CLOCK-Pro eviction, `quick_cache`).
#[derive(Debug)]
pub struct TileCache {
    cache: Cache<TileKey, Arc<RenderedTile>, Bytes>,
    capacity_bytes: u64,
    /// Tiles answered by [`TileCache::get`], and lookups through [`TileCache::get_or_render`]
    /// with how many of them rendered.
    hits: AtomicU64,
    lookups: AtomicU64,
    misses: AtomicU64,
}

impl TileCache {
    /// A cache holding up to `capacity_bytes` of tiles.
    pub fn new(capacity_bytes: u64) -> Self {
        // ~20 KB a tile on average over the grids and thematic layers.
        let estimated = (capacity_bytes / 20_000).max(16) as usize;
        Self {
            cache: Cache::with_weighter(estimated, capacity_bytes, Bytes),
            capacity_bytes,
            hits: AtomicU64::new(0),
            lookups: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The tile for `key`, if cached.
    pub fn get(&self, key: &TileKey) -> Option<Arc<RenderedTile>> {
        let t = self.cache.get(key);
        if t.is_some() {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        t
    }

    /// The tile for `key`, rendered by `render` (once, however many requests wait for it)
    /// when not cached.
    pub fn get_or_render(&self, key: &TileKey, render: impl FnOnce() -> Vec<u8>) -> Arc<RenderedTile> {
        let tile = self
            .cache
            .get_or_insert_with(key, || {
                self.misses.fetch_add(1, Ordering::Relaxed);
                Ok::<_, std::convert::Infallible>(Arc::new(RenderedTile::new(render())))
            })
            .unwrap_or_else(|e| match e {});
        self.lookups.fetch_add(1, Ordering::Relaxed);
        tile
    }

    /// Drops every cached tile that holds source `id` (a layer with a new version, or gone).
    pub fn purge(&self, id: &str) {
        self.cache.retain(|k, _| !k.sources.split(',').any(|s| s == id));
    }

    /// Tiles held, bytes held, the capacity, hits and misses since start.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            tiles: self.cache.len(),
            bytes: self.cache.weight(),
            capacity_bytes: self.capacity_bytes,
            hits: self.hits.load(Ordering::Relaxed)
                + self.lookups.load(Ordering::Relaxed).saturating_sub(self.misses.load(Ordering::Relaxed)),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}

/// Figures of a [`TileCache`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CacheStats {
    /// Tiles held.
    pub tiles: usize,
    /// Bytes they weigh.
    pub bytes: u64,
    /// The most it holds.
    pub capacity_bytes: u64,
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that rendered.
    pub misses: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(sources: &str, versions: u64, x: u32) -> TileKey {
        TileKey { sources: sources.into(), versions, z: 14, x, y: 1 }
    }

    #[test]
    fn renders_once_and_purges_by_source() {
        let cache = TileCache::new(1 << 20);
        let mut renders = 0;
        for _ in 0..3 {
            let t = cache.get_or_render(&key("grids,hr_poi_food", 1, 0), || {
                renders += 1;
                vec![1, 2, 3]
            });
            assert_eq!(t.raw, [1, 2, 3]);
        }
        assert_eq!(renders, 1);
        // A new version is a new key: rendered again.
        cache.get_or_render(&key("grids,hr_poi_food", 2, 0), || {
            renders += 1;
            vec![4]
        });
        assert_eq!(renders, 2);
        cache.get_or_render(&key("grids", 1, 0), Vec::new);
        assert_eq!(cache.stats().tiles, 3);
        cache.purge("hr_poi_food");
        assert_eq!(cache.stats().tiles, 1, "only the grids tile is left");
        cache.purge("hr_poi");
        assert_eq!(cache.stats().tiles, 1, "ids match whole, not by prefix");
    }

    #[test]
    fn bounded_by_bytes() {
        let cache = TileCache::new(200_000);
        for x in 0..100 {
            cache.get_or_render(&key("grids", 1, x), || vec![7; 10_000]);
        }
        let s = cache.stats();
        assert!(s.bytes <= 200_000, "{s:?}");
        assert!(s.tiles < 100);
    }

    #[test]
    fn gzip_round_trips() {
        let t = RenderedTile::new(b"hello tiles".repeat(50));
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&t.gzip[..]), &mut out).unwrap();
        assert_eq!(out, t.raw);
        assert!(RenderedTile::new(Vec::new()).is_empty());
    }
}
