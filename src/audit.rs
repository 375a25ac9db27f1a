//! The audit log: one JSON line for every write, appended to `audit.ndjson` in the data dir
//! and fsynced before the write is answered: who (the key's id, never the key; or the peer),
//! with which role, what (publish, rollback, record a case), on what, which version, when,
//! under which request id.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

/// The audit log's file name in the data dir.
pub const AUDIT_FILE: &str = "audit.ndjson";

/// Who made a request, as the audit log and the logs name them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Who {
    /// The first 16 hex digits of the key's SHA-256: enough to tell keys apart, useless to
    /// guess one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The key's role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'static str>,
    /// The peer's address, if the request came over the network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer: Option<String>,
    /// The request id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One write.
#[derive(Debug, Serialize)]
pub struct Entry<'a> {
    /// RFC 3339 UTC.
    pub at: String,
    /// Who.
    #[serde(flatten)]
    pub who: &'a Who,
    /// `publish_layer`, `rollback_layer`, `record_case`.
    pub action: &'static str,
    /// The layer id or case id.
    pub target: &'a str,
    /// The layer's version after the write.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
}

/// The audit log, opened at the first write.
#[derive(Debug)]
pub struct Audit {
    path: PathBuf,
    file: Mutex<Option<File>>,
}

impl Audit {
    /// The audit log of data dir `dir`.
    pub fn new(dir: &Path) -> Self {
        Self { path: dir.join(AUDIT_FILE), file: Mutex::new(None) }
    }

    /// Appends `entry` and waits until it is on disk.
    pub fn record(&self, entry: &Entry<'_>) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut file = self.file.lock().map_err(|_| std::io::Error::other("the audit log lock is poisoned"))?;
        if file.is_none() {
            *file = Some(OpenOptions::new().create(true).append(true).open(&self.path)?);
        }
        let f = file.as_mut().ok_or_else(|| std::io::Error::other("the audit log is not open"))?;
        f.write_all(&line)?;
        f.sync_data()
    }
}
