//! Errors of the cases crate.

use std::path::PathBuf;

/// Why the roster or the case log could not be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CasesError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The case log in PostGIS could not be read or written.
    #[error("the case log: {0}")]
    Store(#[from] gridgis_layers::StoreError),
    /// A row of the roster is wrong.
    #[error("{}, line {line}: {message}", path.display())]
    Roster {
        /// The roster file.
        path: PathBuf,
        /// 1-based line (the header is line 1).
        line: u64,
        /// What is wrong.
        message: String,
    },
}

impl CasesError {
    /// True when the case log's database could not be reached (or went away mid-statement):
    /// the case was not recorded, and may be sent again.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Store(e) if e.is_unavailable())
    }
}
