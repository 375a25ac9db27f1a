//! MBTiles 1.3: one SQLite file, `metadata` and `tiles` tables (rows counted from the south,
//! TMS style), gzip MVT tile data.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, params};

use super::{ArchiveError, ArchiveWriter, Metadata};
use crate::tile::TileCoord;

/// Tiles inserted per transaction.
const BATCH: usize = 2_048;

pub(super) struct Writer {
    conn: Connection,
    path: PathBuf,
    pending: usize,
}

fn err(path: &Path) -> impl Fn(rusqlite::Error) -> ArchiveError + '_ {
    move |e| ArchiveError::MbTiles { path: path.to_path_buf(), message: e.to_string() }
}

impl Writer {
    /// Starts `tmp`, to become `path` (named in errors).
    pub fn create(tmp: &Path, path: &Path, meta: &Metadata) -> Result<Self, ArchiveError> {
        let conn = Connection::open(tmp).map_err(err(path))?;
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
             CREATE TABLE metadata (name TEXT NOT NULL, value TEXT);
             CREATE UNIQUE INDEX metadata_name ON metadata (name);
             CREATE TABLE tiles (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL,
                                 tile_row INTEGER NOT NULL, tile_data BLOB NOT NULL);
             CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
             BEGIN;",
        )
        .map_err(err(path))?;
        let [w, s, e, n] = meta.bounds;
        let json = serde_json::json!({ "vector_layers": meta.vector_layers }).to_string();
        let center_zoom = meta.minzoom.saturating_add(2).min(meta.maxzoom);
        for (k, v) in [
            ("name", meta.name.clone()),
            ("description", meta.description.clone()),
            ("format", "pbf".into()),
            ("type", "overlay".into()),
            ("version", "1".into()),
            ("scheme", "tms".into()),
            ("minzoom", meta.minzoom.to_string()),
            ("maxzoom", meta.maxzoom.to_string()),
            ("bounds", format!("{w},{s},{e},{n}")),
            ("center", format!("{},{},{center_zoom}", (w + e) / 2.0, (s + n) / 2.0)),
            ("json", json),
        ] {
            conn.execute("INSERT INTO metadata (name, value) VALUES (?1, ?2)", params![k, v]).map_err(err(path))?;
        }
        Ok(Self { conn, path: path.to_path_buf(), pending: 0 })
    }
}

impl ArchiveWriter for Writer {
    fn add(&mut self, tile: TileCoord, gzip: &[u8]) -> Result<(), ArchiveError> {
        let (z, x, y) = tile.zxy();
        // MBTiles counts rows from the south (TMS).
        let row = (1u64 << z) - 1 - u64::from(y);
        self.conn
            .prepare_cached("INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?1, ?2, ?3, ?4)")
            .and_then(|mut st| st.execute(params![z, x, row, gzip]))
            .map_err(err(&self.path))?;
        self.pending += 1;
        if self.pending >= BATCH {
            self.conn.execute_batch("COMMIT; BEGIN;").map_err(err(&self.path))?;
            self.pending = 0;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), ArchiveError> {
        self.conn.execute_batch("COMMIT;").map_err(err(&self.path))?;
        self.conn.close().map_err(|(_, e)| err(&self.path)(e))
    }
}
