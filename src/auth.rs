//! API keys and their roles. Keys come from the environment (`GRIDGIS_API_KEYS`) and from a
//! keys file (`--keys FILE` or `GRIDGIS_KEYS_FILE`); writes need a `gis_staff` or `admin` key.

use std::path::Path;

use anyhow::{Context, bail};

/// What a key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The map and tiles.
    Viewer,
    /// What other systems call: locate, geocode, route.
    Integrator,
    /// Import, rollback and delete layers.
    GisStaff,
    /// Everything.
    Admin,
}

impl Role {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "viewer" => Some(Role::Viewer),
            "integrator" => Some(Role::Integrator),
            "gis_staff" => Some(Role::GisStaff),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// True when this role may publish and roll back layers.
    pub fn may_write_layers(self) -> bool {
        matches!(self, Role::GisStaff | Role::Admin)
    }

    /// True when this role may record cases in the case log.
    pub fn may_record_cases(self) -> bool {
        matches!(self, Role::Integrator | Role::Admin)
    }
}

/// The known keys.
#[derive(Clone, Debug, Default)]
pub struct ApiKeys {
    keys: Vec<(String, Role)>,
}

impl ApiKeys {
    /// Parses `role:key` pairs separated by commas (the `GRIDGIS_API_KEYS` form) or lines of
    /// `role key` (the keys file form; `#` starts a comment). `origin` names the source in errors.
    fn parse(text: &str, origin: &str, pairs: bool) -> anyhow::Result<Vec<(String, Role)>> {
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
            // A short key is guessable; refuse it rather than serve with it.
            if key.len() < 16 {
                bail!("{origin} entry {}: a key must be at least 16 characters", n + 1);
            }
            out.push((key.to_string(), role));
        }
        Ok(out)
    }

    /// Keys from `GRIDGIS_API_KEYS` and from `file` (if given).
    pub fn load(env: Option<&str>, file: Option<&Path>) -> anyhow::Result<Self> {
        let mut keys = Vec::new();
        if let Some(text) = env {
            keys.extend(Self::parse(text, "GRIDGIS_API_KEYS", true)?);
        }
        if let Some(path) = file {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("cannot read keys file {}", path.display()))?;
            keys.extend(Self::parse(&text, &path.display().to_string(), false)?);
        }
        Ok(Self { keys })
    }

    /// The role of `key`, if it is known. Compares every key in full, in constant time per
    /// key, so response times do not reveal how much of a key matched.
    pub fn role_of(&self, key: &str) -> Option<Role> {
        let mut found = None;
        for (k, role) in &self.keys {
            if constant_time_eq(k.as_bytes(), key.as_bytes()) {
                found = Some(*role);
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
        let keys =
            ApiKeys::load(Some("admin:admin-key-0123456789,integrator:intg-key-0123456789"), Some(&file)).unwrap();
        assert_eq!(keys.len(), 4);
        assert_eq!(keys.role_of("staff-key-0123456789"), Some(Role::GisStaff));
        assert_eq!(keys.role_of("admin-key-0123456789"), Some(Role::Admin));
        assert_eq!(keys.role_of("viewer-key-0123456789"), Some(Role::Viewer));
        assert_eq!(keys.role_of("staff-key-012345678"), None);
        assert!(ApiKeys::load(Some("boss:aaaaaaaaaaaaaaaaaaaa"), None).is_err());
        assert!(ApiKeys::load(Some("viewer:short"), None).is_err());
        assert!(ApiKeys::load(Some("viewer-no-colon"), None).is_err());
        assert!(ApiKeys::load(None, Some(&dir.path().join("missing"))).is_err());
    }
}
