//! API keys, their roles and what each role may do.
//!
//! Keys are kept hashed (SHA-256) in the keys file of the data dir (`keys.toml`, written by
//! `gridgis keys add|revoke`): a key is shown once, when it is made, and never stored or
//! logged in the clear. Plain keys from the environment (`GRIDGIS_API_KEYS`) and from an older
//! keys file (`--keys FILE`, lines of `role key`) are hashed as they are read.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The keys file's name in the data dir.
pub const KEYS_FILE: &str = "keys.toml";

/// Shortest key accepted: a short key is guessable.
const MIN_KEY_LEN: usize = 16;

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The map and tiles.
    Viewer,
    /// What other systems call: locate, geocode, route (and record) cases.
    Integrator,
    /// Import, roll back and delete layers.
    GisStaff,
    /// Everything.
    Admin,
}

/// What a request needs (see `http::auth` for which route needs what).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// The page and liveness: anyone.
    Public,
    /// Tiles, the catalog, layers, grids, statistics.
    Map,
    /// Locate, geocode, reverse, route without recording.
    Integrate,
    /// Record a case in the case log.
    RecordCases,
    /// Publish and roll back layers.
    WriteLayers,
}

impl Permission {
    /// True for what may be open to callers without a key.
    pub fn is_read(self) -> bool {
        matches!(self, Permission::Public | Permission::Map | Permission::Integrate)
    }

    /// What it allows, for error messages.
    pub fn what(self) -> &'static str {
        match self {
            Permission::Public => "read the page",
            Permission::Map => "read the map",
            Permission::Integrate => "locate, geocode and route",
            Permission::RecordCases => "record cases (route with ?record=false to answer only)",
            Permission::WriteLayers => "change layers or see import jobs",
        }
    }
}

impl Role {
    const ALL: [Role; 4] = [Role::Viewer, Role::Integrator, Role::GisStaff, Role::Admin];

    /// The name used in files, flags and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Integrator => "integrator",
            Role::GisStaff => "gis_staff",
            Role::Admin => "admin",
        }
    }

    /// Parses [`Role::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// True when this role may do what `p` allows.
    pub fn may(self, p: Permission) -> bool {
        match p {
            Permission::Public | Permission::Map => true,
            Permission::Integrate => self != Role::Viewer,
            Permission::RecordCases => matches!(self, Role::Integrator | Role::Admin),
            Permission::WriteLayers => matches!(self, Role::GisStaff | Role::Admin),
        }
    }
}

/// Who may read without a key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OpenReads {
    /// Callers on the loopback interface (the demo default: easy on the machine itself, closed
    /// to the network).
    #[default]
    Loopback,
    /// Everyone (a map wall on a closed network).
    Always,
    /// Nobody: every request but the page and `/health` needs a key.
    Never,
}

/// One key of the keys file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// Short id, to name the key in `keys list` and `keys revoke` (not a secret).
    pub id: String,
    /// Who holds it (`12345热线`, `区城管委`…).
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// SHA-256 of the key, hex.
    pub sha256: String,
    /// When it was made (RFC 3339, UTC).
    pub created_at: String,
    /// When it was revoked; a revoked key opens nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct KeysFile {
    #[serde(default, rename = "key")]
    keys: Vec<KeyRecord>,
}

/// The keys file of a data dir.
#[derive(Debug)]
pub struct KeyStore {
    path: PathBuf,
    records: Vec<KeyRecord>,
}

fn sha256_hex(key: &str) -> String {
    Sha256::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

impl KeyStore {
    /// Reads `path` (missing: no keys yet).
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let records = match std::fs::read_to_string(path) {
            Ok(text) => {
                toml::from_str::<KeysFile>(&text).with_context(|| format!("keys file {}", path.display()))?.keys
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e).with_context(|| format!("cannot read keys file {}", path.display())),
        };
        Ok(Self { path: path.to_path_buf(), records })
    }

    /// Every key, revoked ones included, in the order they were made.
    pub fn records(&self) -> &[KeyRecord] {
        &self.records
    }

    /// Makes a new key for `name` with `role`, stores its hash, and returns its record and the
    /// key itself (the only time it is seen).
    pub fn add(&mut self, name: &str, role: Role, now: &str) -> anyhow::Result<(KeyRecord, String)> {
        use rand::Rng;
        // ThreadRng is a CSPRNG seeded from the operating system.
        let mut rng = rand::rng();
        let secret: String = (0..32).map(|_| format!("{:02x}", rng.random::<u8>())).collect();
        let key = format!("ggk_{secret}");
        let id = loop {
            let id: String = (0..4).map(|_| format!("{:02x}", rng.random::<u8>())).collect();
            if !self.records.iter().any(|r| r.id == id) {
                break id;
            }
        };
        let record = KeyRecord {
            id,
            name: name.to_owned(),
            role,
            sha256: sha256_hex(&key),
            created_at: now.to_owned(),
            revoked_at: None,
        };
        self.records.push(record.clone());
        self.save()?;
        Ok((record, key))
    }

    /// Revokes the key `id`; an error if there is none or it is revoked already.
    pub fn revoke(&mut self, id: &str, now: &str) -> anyhow::Result<KeyRecord> {
        let Some(r) = self.records.iter_mut().find(|r| r.id == id) else {
            bail!("no key has id {id} (see `gridgis keys list`)");
        };
        if r.revoked_at.is_some() {
            bail!("key {id} is revoked already");
        }
        r.revoked_at = Some(now.to_owned());
        let r = r.clone();
        self.save()?;
        Ok(r)
    }

    fn save(&self) -> anyhow::Result<()> {
        let text = toml::to_string(&KeysFile { keys: self.records.clone() }).context("writing the keys file")?;
        let header = "# gridgis API keys: SHA-256 hashes only (the keys were shown once, when made).\n\
                      # Managed by `gridgis keys add|list|revoke`.\n\n";
        gridgis_layers::write_file_atomic(&self.path, format!("{header}{text}").as_bytes())
            .with_context(|| format!("cannot write keys file {}", self.path.display()))
    }
}

/// The keys a server accepts: hashes and roles.
#[derive(Clone, Debug, Default)]
pub struct ApiKeys {
    keys: Vec<([u8; 32], Role)>,
}

impl ApiKeys {
    /// Parses `role:key` pairs separated by commas (the `GRIDGIS_API_KEYS` form) or lines of
    /// `role key` (the plain keys file form; `#` starts a comment). `origin` names the source
    /// in errors.
    fn parse(text: &str, origin: &str, pairs: bool) -> anyhow::Result<Vec<([u8; 32], Role)>> {
        let mut out = Vec::new();
        let items: Vec<&str> = if pairs { text.split(',').collect() } else { text.lines().collect() };
        for (n, item) in items.into_iter().enumerate() {
            let item = item.split('#').next().unwrap_or("").trim();
            if item.is_empty() {
                continue;
            }
            let (role, key) = if pairs { item.split_once(':') } else { item.split_once(char::is_whitespace) }
                .map(|(r, k)| (r.trim(), k.trim()))
                .with_context(|| {
                    format!("{origin} entry {}: expected 'role{}key'", n + 1, if pairs { ":" } else { " " })
                })?;
            let role = Role::parse(role).with_context(|| {
                format!("{origin} entry {}: unknown role '{role}' (viewer, integrator, gis_staff, admin)", n + 1)
            })?;
            if key.len() < MIN_KEY_LEN {
                bail!("{origin} entry {}: a key must be at least {MIN_KEY_LEN} characters", n + 1);
            }
            out.push((Sha256::digest(key.as_bytes()).into(), role));
        }
        Ok(out)
    }

    /// Keys from `GRIDGIS_API_KEYS`, from a plain keys file `file` (if given) and from the
    /// hashed keys file `store` (if given; revoked keys left out).
    pub fn load(env: Option<&str>, file: Option<&Path>, store: Option<&KeyStore>) -> anyhow::Result<Self> {
        let mut keys = Vec::new();
        if let Some(text) = env {
            keys.extend(Self::parse(text, "GRIDGIS_API_KEYS", true)?);
        }
        if let Some(path) = file {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("cannot read keys file {}", path.display()))?;
            keys.extend(Self::parse(&text, &path.display().to_string(), false)?);
        }
        for r in store.map_or(&[][..], |s| s.records()).iter().filter(|r| r.revoked_at.is_none()) {
            let bytes: Option<Vec<u8>> = (0..r.sha256.len())
                .step_by(2)
                .map(|i| r.sha256.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
                .collect();
            let hash: [u8; 32] = bytes
                .and_then(|b| b.try_into().ok())
                .with_context(|| format!("keys file: key {} has no valid sha256", r.id))?;
            keys.push((hash, r.role));
        }
        Ok(Self { keys })
    }

    /// The role of `key`, if it is known. Hashes it and compares every stored hash in full, so
    /// response times do not reveal how much of a key matched.
    pub fn role_of(&self, key: &str) -> Option<Role> {
        self.identify(key).map(|(role, _)| role)
    }

    /// The role of `key` and its hash (the caller's identity for rate limits and logs; never
    /// the key itself), if it is known.
    pub fn identify(&self, key: &str) -> Option<(Role, [u8; 32])> {
        let hash: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        let mut found = None;
        for (k, role) in &self.keys {
            if constant_time_eq(k, &hash) {
                found = Some((*role, hash));
            }
        }
        found
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when no key is configured (every write is then refused).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_from_env_and_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keys");
        std::fs::write(&file, "# staff\ngis_staff  staff-key-0123456789\nviewer viewer-key-0123456789 # map\n")
            .unwrap();
        let keys = ApiKeys::load(Some("admin:admin-key-0123456789,integrator:intg-key-0123456789"), Some(&file), None)
            .unwrap();
        assert_eq!(keys.len(), 4);
        assert_eq!(keys.role_of("staff-key-0123456789"), Some(Role::GisStaff));
        assert_eq!(keys.role_of("admin-key-0123456789"), Some(Role::Admin));
        assert_eq!(keys.role_of("viewer-key-0123456789"), Some(Role::Viewer));
        assert_eq!(keys.role_of("staff-key-012345678"), None);
        assert!(ApiKeys::load(Some("boss:aaaaaaaaaaaaaaaaaaaa"), None, None).is_err());
        assert!(ApiKeys::load(Some("viewer:short"), None, None).is_err());
        assert!(ApiKeys::load(Some("viewer-no-colon"), None, None).is_err());
        assert!(ApiKeys::load(None, Some(&dir.path().join("missing")), None).is_err());
    }

    #[test]
    fn the_store_keeps_hashes_only_and_revoked_keys_open_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(KEYS_FILE);
        let mut store = KeyStore::open(&path).unwrap();
        let (a, key_a) = store.add("12345热线", Role::Integrator, "2026-12-01T00:00:00Z").unwrap();
        let (b, key_b) = store.add("GIS 科", Role::GisStaff, "2026-12-01T00:00:00Z").unwrap();
        assert_ne!(a.id, b.id);
        assert!(key_a.starts_with("ggk_") && key_a.len() == 68);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(&key_a) && !text.contains(&key_b), "no key in the clear");
        assert!(text.contains(&sha256_hex(&key_a)));
        let store = KeyStore::open(&path).unwrap();
        assert_eq!(store.records(), &[a.clone(), b.clone()]);
        let keys = ApiKeys::load(None, None, Some(&store)).unwrap();
        assert_eq!(keys.role_of(&key_a), Some(Role::Integrator));
        assert_eq!(keys.role_of(&key_b), Some(Role::GisStaff));
        let mut store = store;
        store.revoke(&a.id, "2026-12-02T00:00:00Z").unwrap();
        assert!(store.revoke(&a.id, "2026-12-02T00:00:00Z").is_err());
        assert!(store.revoke("nope", "2026-12-02T00:00:00Z").is_err());
        let keys = ApiKeys::load(None, None, Some(&KeyStore::open(&path).unwrap())).unwrap();
        assert_eq!(keys.role_of(&key_a), None);
        assert_eq!(keys.role_of(&key_b), Some(Role::GisStaff));
    }

    #[test]
    fn every_role_and_permission() {
        use Permission::*;
        let table = [
            (Role::Viewer, [true, true, false, false, false]),
            (Role::Integrator, [true, true, true, true, false]),
            (Role::GisStaff, [true, true, true, false, true]),
            (Role::Admin, [true, true, true, true, true]),
        ];
        for (role, may) in table {
            for (p, m) in [Public, Map, Integrate, RecordCases, WriteLayers].into_iter().zip(may) {
                assert_eq!(role.may(p), m, "{role:?} {p:?}");
            }
        }
    }
}
