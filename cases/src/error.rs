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
