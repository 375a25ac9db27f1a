//! PMTiles v3 through the `pmtiles` crate: gzip tiles, gzip directories, TileJSON metadata.

use std::fs::File;
use std::path::{Path, PathBuf};

use pmtiles::{Compression, PmTilesStreamWriter, PmTilesWriter, TileType};

use super::{ArchiveError, ArchiveWriter, Metadata};
use crate::tile::TileCoord;

/// The PMTiles tile id (Hilbert order within each zoom) of a tile.
pub(super) fn tile_id(t: TileCoord) -> u64 {
    let (z, x, y) = t.zxy();
    pmtiles::TileCoord::new(z, x, y).map_or(u64::MAX, |c| pmtiles::TileId::from(c).value())
}

pub(super) struct Writer {
    out: PmTilesStreamWriter<File>,
    path: PathBuf,
}

impl Writer {
    /// Starts `tmp`, to become `path` (named in errors).
    pub fn create(tmp: &Path, path: &Path, meta: &Metadata) -> Result<Self, ArchiveError> {
        let file = File::create(tmp).map_err(|source| ArchiveError::Io { path: path.to_path_buf(), source })?;
        let [w, s, e, n] = meta.bounds;
        let metadata = serde_json::json!({
            "name": meta.name,
            "description": meta.description,
            "vector_layers": meta.vector_layers,
        });
        // Tiles arrive gzip already (as the tile cache holds them): stored as they are.
        let out = PmTilesWriter::new(TileType::Mvt)
            .precompressed(Compression::Gzip)
            .internal_compression(Compression::Gzip)
            .min_zoom(meta.minzoom)
            .max_zoom(meta.maxzoom)
            .bounds(w, s, e, n)
            .center((w + e) / 2.0, (s + n) / 2.0)
            .center_zoom(meta.minzoom.saturating_add(2).min(meta.maxzoom))
            .metadata(metadata.to_string())
            .create(file)
            .map_err(|e| ArchiveError::PmTiles { path: path.to_path_buf(), message: e.to_string() })?;
        Ok(Self { out, path: path.to_path_buf() })
    }
}

impl ArchiveWriter for Writer {
    fn add(&mut self, tile: TileCoord, gzip: &[u8]) -> Result<(), ArchiveError> {
        let (z, x, y) = tile.zxy();
        let err = |e: pmtiles::PmtError| ArchiveError::PmTiles { path: self.path.clone(), message: e.to_string() };
        let coord = pmtiles::TileCoord::new(z, x, y).map_err(err)?;
        // Identical tiles (open country at z14) are stored once.
        self.out.add_tile(coord, gzip).map_err(err)
    }

    fn finish(self: Box<Self>) -> Result<(), ArchiveError> {
        let path = self.path.clone();
        self.out.finalize().map_err(|e| ArchiveError::PmTiles { path, message: e.to_string() })
    }
}
