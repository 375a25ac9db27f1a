//! Errors reading and writing FlatGeobuf.

use std::path::PathBuf;

/// A FlatGeobuf file could not be written or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FgbError {
    /// The file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid FlatGeobuf, or a feature in it is not.
    #[error("{path}: not a valid FlatGeobuf file: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What the reader reported.
        message: String,
    },
    /// A feature could not be encoded.
    #[error("{path}: feature {index} cannot be written: {message}")]
    Encode {
        /// The file being written.
        path: PathBuf,
        /// The feature's position in the input.
        index: usize,
        /// What the writer reported.
        message: String,
    },
}
