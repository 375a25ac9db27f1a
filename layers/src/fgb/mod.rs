//! FlatGeobuf, the on-disk format of every layer version.

mod error;
mod read;
mod write;

pub use self::error::FgbError;
pub use self::read::{Record, read_all, read_records};
pub use self::write::write;
