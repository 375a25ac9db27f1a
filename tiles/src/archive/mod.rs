//! Tile archives: every tile of some sources over their bounds, for a zoom range, rendered on
//! all cores and written in tile-id order to a PMTiles v3 file (the `pmtiles` crate) or an
//! MBTiles file. Written to a temporary file beside the target and renamed into place when
//! complete, so a failed or interrupted run leaves no half-written archive.

mod mbtiles;
mod pmtiles;

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::cache::RenderedTile;
use crate::source::{Source, TileOptions, render_tile};
use crate::tile::TileCoord;

/// Why an archive could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ArchiveError {
    /// The output's extension is neither `.pmtiles` nor `.mbtiles`.
    #[error("{path}: the archive must be a .pmtiles or .mbtiles file")]
    Format {
        /// The path given.
        path: PathBuf,
    },
    /// The zoom range is empty or beyond the deepest zoom.
    #[error("zooms {min}–{max}: minzoom must not exceed maxzoom, nor maxzoom {}", crate::MAX_ZOOM)]
    Zooms {
        /// Lowest zoom asked for.
        min: u8,
        /// Highest zoom asked for.
        max: u8,
    },
    /// Writing the file.
    #[error("cannot write {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
    /// The PMTiles writer refused.
    #[error("{path}: {message}")]
    PmTiles {
        /// The file.
        path: PathBuf,
        /// What it said.
        message: String,
    },
    /// SQLite refused (MBTiles).
    #[error("{path}: {message}")]
    MbTiles {
        /// The file.
        path: PathBuf,
        /// What it said.
        message: String,
    },
}

/// What an archive holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ArchiveReport {
    /// Tiles with features written.
    pub tiles: u64,
    /// Tiles looked at (the ones over the bounds, empty ones included).
    pub visited: u64,
    /// Bytes of tile data (gzip).
    pub bytes: u64,
    /// Per zoom: (zoom, tiles written, bytes).
    pub per_zoom: Vec<(u8, u64, u64)>,
    /// Milliseconds spent.
    pub elapsed_ms: u64,
}

/// Every tile at `z` over `bounds` (`[west, south, east, north]`), row by row.
pub fn tiles_over(bounds: [f64; 4], z: u8) -> Vec<TileCoord> {
    let clamp = |lat: f64| lat.clamp(-85.051_128, 85.051_128);
    let (Ok(nw), Ok(se)) = (
        TileCoord::containing(bounds[0], clamp(bounds[3]), z),
        TileCoord::containing(bounds[2].min(179.999_999), clamp(bounds[1]), z),
    ) else {
        return Vec::new();
    };
    let ((_, x0, y0), (_, x1, y1)) = (nw.zxy(), se.zxy());
    (y0..=y1).flat_map(|y| (x0..=x1).filter_map(move |x| TileCoord::new(z, x, y).ok())).collect()
}

/// A writer of one archive format, fed tiles in increasing PMTiles tile id.
trait ArchiveWriter {
    fn add(&mut self, tile: TileCoord, gzip: &[u8]) -> Result<(), ArchiveError>;
    fn finish(self: Box<Self>) -> Result<(), ArchiveError>;
}

/// The archive's metadata: TileJSON fields as both formats keep them.
#[derive(Clone, Debug)]
pub struct Metadata {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// `[west, south, east, north]`.
    pub bounds: [f64; 4],
    /// Lowest zoom.
    pub minzoom: u8,
    /// Highest zoom.
    pub maxzoom: u8,
    /// The `vector_layers` JSON array.
    pub vector_layers: serde_json::Value,
}

/// Tiles rendered per batch: enough to keep every core busy, few enough to bound memory.
const BATCH: usize = 4_096;

/// Writes every tile of `sources` over their bounds at zooms `minzoom..=maxzoom` to `path`
/// (`.pmtiles` or `.mbtiles`). `progress` is told each tile looked at.
///
/// # Errors
/// A bad extension or zoom range, or a write that fails (nothing is left at `path` then).
pub fn write_archive(
    sources: &[&dyn Source],
    path: &Path,
    minzoom: u8,
    maxzoom: u8,
    options: &TileOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ArchiveReport, ArchiveError> {
    let started = Instant::now();
    if minzoom > maxzoom || maxzoom > crate::MAX_ZOOM {
        return Err(ArchiveError::Zooms { min: minzoom, max: maxzoom });
    }
    let infos: Vec<_> = sources.iter().map(|s| s.info()).collect();
    let bounds = crate::source::union_bounds(&infos);
    let meta = Metadata {
        name: infos.iter().map(|i| i.id.as_str()).collect::<Vec<_>>().join(","),
        description: infos.iter().map(|i| i.description.as_str()).collect::<Vec<_>>().join("; "),
        bounds,
        minzoom,
        maxzoom,
        vector_layers: serde_json::to_value(infos.iter().flat_map(|i| i.layers.iter()).collect::<Vec<_>>())
            .unwrap_or_default(),
    };
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let name = path.file_name().map_or_else(|| "archive".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let io = |source| ArchiveError::Io { path: path.to_path_buf(), source };
    let _ = std::fs::remove_file(&tmp);
    let mut writer: Box<dyn ArchiveWriter> = match ext.as_deref() {
        Some("pmtiles") => Box::new(pmtiles::Writer::create(&tmp, path, &meta)?),
        Some("mbtiles") => Box::new(mbtiles::Writer::create(&tmp, path, &meta)?),
        _ => return Err(ArchiveError::Format { path: path.to_path_buf() }),
    };
    let result = (|| {
        let mut report = ArchiveReport::default();
        for z in minzoom..=maxzoom {
            let mut tiles = tiles_over(bounds, z);
            // PMTiles wants tiles in Hilbert order (its tile ids); MBTiles does not mind.
            tiles.sort_by_key(|t| pmtiles::tile_id(*t));
            let (mut n, mut bytes) = (0u64, 0u64);
            for batch in tiles.chunks(BATCH) {
                for (tile, rendered) in render_batch(sources, batch, options, progress) {
                    if rendered.is_empty() {
                        continue;
                    }
                    writer.add(tile, &rendered.gzip)?;
                    n += 1;
                    bytes += rendered.gzip.len() as u64;
                }
                report.visited += batch.len() as u64;
            }
            report.per_zoom.push((z, n, bytes));
            report.tiles += n;
            report.bytes += bytes;
        }
        writer.finish()?;
        Ok(report)
    })();
    match result {
        Ok(mut report) => {
            std::fs::rename(&tmp, path).map_err(io)?;
            report.elapsed_ms = started.elapsed().as_millis() as u64;
            Ok(report)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Renders `batch` on all cores, in order.
fn render_batch(
    sources: &[&dyn Source],
    batch: &[TileCoord],
    options: &TileOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<(TileCoord, RenderedTile)> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(batch.len().max(1));
    let chunk = batch.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = batch
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|&t| {
                            let r = RenderedTile::new(render_tile(sources, t, options));
                            progress(1);
                            (t, r)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // A panic in a renderer is a defect, not bad data: it goes on up.
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}
