//! `gridgis.toml`: every setting of the server, with its default. Read from `--config FILE`
//! (or `GRIDGIS_CONFIG`), else from the data dir's `gridgis.toml` when there is one; a setting
//! not written keeps its default; an unknown setting is an error naming the file, so a typo
//! never passes silently. Command-line flags win over the file. `gridgis config` prints the
//! settings in effect, every one of them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::auth::OpenReads;
use crate::state::{Limits, Policy};

/// The config file's name in the data dir.
pub const CONFIG_FILE: &str = "gridgis.toml";

/// Every setting.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Listening and who may read.
    pub server: Server,
    /// Request and batch limits.
    pub limits: LimitsConfig,
    /// Tiles.
    pub tiles: Tiles,
    /// Layer versions.
    pub layers: Layers,
    /// Browser callers from other origins.
    pub cors: Cors,
    /// Where the layers are kept.
    pub store: StoreConfig,
}

/// `[store]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// A PostgreSQL + PostGIS database to keep the layers in (`postgres://user:password@host/db`),
    /// shared by every server pointed at it; empty: the data dir's files. `--store` and
    /// `GRIDGIS_STORE` win over it.
    pub url: String,
}

/// `[server]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Server {
    /// Address to listen on.
    pub listen: String,
    /// Who may read without a key: `loopback`, `always` or `never`.
    pub open_reads: String,
    /// Seconds a client has to send a request's head (and an idle connection is kept), so
    /// that slow clients (slowloris) cannot hold connections.
    pub header_read_timeout_s: f64,
    /// Largest request head (request line and headers), bytes; larger: 431.
    pub max_header_bytes: usize,
    /// Connections held at once; further ones wait in the kernel's queue.
    pub max_connections: usize,
    /// Seconds the requests in flight have to finish once shutdown begins.
    pub shutdown_grace_s: f64,
}

impl Default for Server {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            open_reads: "loopback".into(),
            header_read_timeout_s: 10.0,
            // nginx's default allows 4 × 8 KiB; hyper needs at least 8 KiB.
            max_header_bytes: 32 * 1024,
            max_connections: 4_096,
            shutdown_grace_s: 30.0,
        }
    }
}

/// `[limits]`: see [`Limits`] for what each means.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Largest request body, bytes (uploads excepted).
    pub max_body_bytes: usize,
    /// Most points in one `POST /grids/locate`.
    pub max_batch_points: usize,
    /// Most addresses in one `POST /geocode`.
    pub max_batch_addresses: usize,
    /// Default border tolerance, metres.
    pub default_max_distance_m: f64,
    /// Largest border tolerance a caller may ask for, metres.
    pub max_max_distance_m: f64,
    /// Largest layer upload, bytes.
    pub max_upload_bytes: usize,
    /// Features per page of `/layers/{id}/features` by default.
    pub default_page: usize,
    /// Most features one page may hold.
    pub max_page: usize,
    /// Requests a second each caller (a key, else an address) may make, sustained; 0: no limit.
    pub requests_per_second: u32,
    /// Requests a caller may make at once above that.
    pub burst: u32,
    /// Seconds any request but an upload may take before it is answered 503 `timeout`.
    pub request_timeout_s: f64,
    /// Seconds an upload's body may take to arrive (then 408 `upload_timeout`).
    pub upload_timeout_s: f64,
    /// Requests answered at once; beyond it, 503 `overloaded` at once rather than a queue.
    pub max_in_flight: usize,
    /// Background imports waiting for their turn; beyond it, 503 `busy`.
    pub max_queued_imports: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        let l = Limits::default();
        Self {
            max_body_bytes: l.max_body_bytes,
            max_batch_points: l.max_batch_points,
            max_batch_addresses: l.max_batch_addresses,
            default_max_distance_m: l.default_max_distance_m,
            max_max_distance_m: l.max_max_distance_m,
            max_upload_bytes: l.max_upload_bytes,
            default_page: l.default_page,
            max_page: l.max_page,
            // Far above what a map or an intake system asks (a map wall opens ~100 tiles at
            // once), and low enough that one caller cannot take the server from the others.
            requests_per_second: 1_000,
            burst: 2_000,
            request_timeout_s: crate::http::DEFAULT_TIMEOUT.as_secs_f64(),
            upload_timeout_s: 600.0,
            max_in_flight: 1_024,
            max_queued_imports: 16,
        }
    }
}

/// `[tiles]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tiles {
    /// Bytes of rendered tiles kept in memory.
    pub cache_bytes: u64,
    /// Tile units kept beyond each edge.
    pub buffer: u32,
}

impl Default for Tiles {
    fn default() -> Self {
        let l = Limits::default();
        Self { cache_bytes: l.tile_cache_bytes, buffer: l.tiles.buffer }
    }
}

/// `[layers]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Layers {
    /// Versions kept per layer.
    pub keep_versions: usize,
}

impl Default for Layers {
    fn default() -> Self {
        Self { keep_versions: gridgis_layers::DEFAULT_KEEP_VERSIONS }
    }
}

/// `[cors]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cors {
    /// Origins whose pages may call the API (`https://map.example.gov.cn`), or `["*"]` for
    /// any; none by default (the command-centre page is served by gridgis itself).
    pub allow_origins: Vec<String>,
}

impl Config {
    /// Reads `explicit` if given, else `data_dir/gridgis.toml` if it exists, else the defaults.
    /// Returns the config and the file it came from.
    pub fn load(explicit: Option<&Path>, data_dir: &Path) -> anyhow::Result<(Self, Option<PathBuf>)> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = data_dir.join(CONFIG_FILE);
                if !p.exists() {
                    return Ok((Self::default(), None));
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read config {}", path.display()))?;
        let config: Config = toml::from_str(&text).with_context(|| format!("config {}", path.display()))?;
        config.check().with_context(|| format!("config {}", path.display()))?;
        Ok((config, Some(path)))
    }

    /// Refuses settings that cannot work.
    pub fn check(&self) -> anyhow::Result<()> {
        self.server.listen.parse::<std::net::SocketAddr>().with_context(|| {
            format!("[server] listen = {:?} is not an address such as 127.0.0.1:8080", self.server.listen)
        })?;
        self.open_reads()?;
        if !self.store.url.is_empty() && !gridgis_layers::postgres_store::is_url(&self.store.url) {
            anyhow::bail!("[store] url must be a postgres://… URL (or empty for the data dir's files)");
        }
        let l = &self.limits;
        if !(l.default_max_distance_m >= 0.0 && l.default_max_distance_m <= l.max_max_distance_m) {
            anyhow::bail!("[limits] default_max_distance_m must be between 0 and max_max_distance_m");
        }
        if l.max_body_bytes == 0 || l.max_upload_bytes == 0 || l.max_page == 0 || l.default_page > l.max_page {
            anyhow::bail!("[limits] sizes must be positive and default_page at most max_page");
        }
        let positive = |v: f64| v.is_finite() && v > 0.0;
        for (name, v) in [
            ("[limits] request_timeout_s", l.request_timeout_s),
            ("[limits] upload_timeout_s", l.upload_timeout_s),
            ("[server] header_read_timeout_s", self.server.header_read_timeout_s),
            ("[server] shutdown_grace_s", self.server.shutdown_grace_s),
        ] {
            if !positive(v) {
                anyhow::bail!("{name} must be a positive number of seconds");
            }
        }
        if l.max_in_flight == 0 || l.max_queued_imports == 0 || self.server.max_connections == 0 {
            anyhow::bail!("[limits] max_in_flight, max_queued_imports and [server] max_connections must be positive");
        }
        if self.server.max_header_bytes < 8_192 {
            anyhow::bail!("[server] max_header_bytes must be at least 8192");
        }
        if self.layers.keep_versions == 0 {
            anyhow::bail!("[layers] keep_versions must be at least 1");
        }
        for o in &self.cors.allow_origins {
            if o != "*" && !(o.starts_with("http://") || o.starts_with("https://")) {
                anyhow::bail!("[cors] allow_origins: {o:?} is not an origin such as https://map.example.gov.cn");
            }
        }
        Ok(())
    }

    /// `[server] open_reads` parsed.
    pub fn open_reads(&self) -> anyhow::Result<OpenReads> {
        use clap::ValueEnum;
        OpenReads::from_str(&self.server.open_reads, false).map_err(|_| {
            anyhow::anyhow!("[server] open_reads = {:?}: expected loopback, always or never", self.server.open_reads)
        })
    }

    /// The request limits these settings make.
    pub fn limits(&self) -> Limits {
        let l = &self.limits;
        let mut tiles = Limits::default().tiles;
        tiles.buffer = self.tiles.buffer;
        Limits {
            max_body_bytes: l.max_body_bytes,
            max_batch_points: l.max_batch_points,
            max_batch_addresses: l.max_batch_addresses,
            default_max_distance_m: l.default_max_distance_m,
            max_max_distance_m: l.max_max_distance_m,
            max_upload_bytes: l.max_upload_bytes,
            default_page: l.default_page,
            max_page: l.max_page,
            tile_cache_bytes: self.tiles.cache_bytes,
            tiles,
        }
    }

    /// What of these settings a running server may take on reload.
    pub fn policy(&self) -> anyhow::Result<Policy> {
        let l = &self.limits;
        Ok(Policy {
            limits: self.limits(),
            open_reads: self.open_reads()?,
            rate_limits: crate::http::RateLimits::new(l.requests_per_second, l.burst),
            request_timeout: Duration::from_secs_f64(l.request_timeout_s),
            upload_timeout: Duration::from_secs_f64(l.upload_timeout_s),
            max_in_flight: l.max_in_flight,
            max_queued_imports: l.max_queued_imports,
        })
    }

    /// The settings a reload cannot change (they shape the listener, the router or the
    /// caches), by name, where `self` and `next` differ.
    pub fn fixed_differences(&self, next: &Self) -> Vec<&'static str> {
        let (a, b) = (&self.server, &next.server);
        [
            ("[server] listen", a.listen != b.listen),
            ("[server] header_read_timeout_s", a.header_read_timeout_s != b.header_read_timeout_s),
            ("[server] max_header_bytes", a.max_header_bytes != b.max_header_bytes),
            ("[server] max_connections", a.max_connections != b.max_connections),
            ("[server] shutdown_grace_s", a.shutdown_grace_s != b.shutdown_grace_s),
            ("[limits] max_body_bytes", self.limits.max_body_bytes != next.limits.max_body_bytes),
            ("[tiles]", self.tiles != next.tiles),
            ("[layers] keep_versions", self.layers != next.layers),
            ("[cors]", self.cors != next.cors),
            ("[store] url", self.store != next.store),
        ]
        .into_iter()
        .filter_map(|(name, differs)| differs.then_some(name))
        .collect()
    }

    /// The settings as TOML, every one written.
    pub fn to_toml(&self) -> anyhow::Result<String> {
        let mut shown = self.clone();
        // The settings may be shown on a screen or pasted in a ticket: never the password.
        shown.store.url = gridgis_layers::postgres_store::redact(&shown.store.url);
        Ok(toml::to_string(&shown)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_and_match_the_limits() {
        let c = Config::default();
        let text = c.to_toml().unwrap();
        assert_eq!(toml::from_str::<Config>(&text).unwrap(), c);
        let l = c.limits();
        let d = Limits::default();
        assert_eq!(
            (l.max_body_bytes, l.max_page, l.tile_cache_bytes),
            (d.max_body_bytes, d.max_page, d.tile_cache_bytes)
        );
        c.check().unwrap();
    }

    #[test]
    fn a_partial_file_keeps_the_other_defaults_and_typos_are_refused() {
        let c: Config = toml::from_str("[limits]\nmax_page = 500\ndefault_page = 100\n").unwrap();
        assert_eq!(c.limits.max_page, 500);
        assert_eq!(c.limits.max_batch_points, Limits::default().max_batch_points);
        assert!(toml::from_str::<Config>("[limits]\nmax_pages = 5\n").is_err(), "unknown setting");
        assert!(toml::from_str::<Config>("[limit]\n").is_err(), "unknown section");
        let bad = |t: &str| toml::from_str::<Config>(t).unwrap().check().is_err();
        assert!(bad("[server]\nlisten = \"nowhere\"\n"));
        assert!(bad("[server]\nopen_reads = \"sometimes\"\n"));
        assert!(bad("[layers]\nkeep_versions = 0\n"));
        assert!(bad("[cors]\nallow_origins = [\"map.gov.cn\"]\n"));
    }
}
