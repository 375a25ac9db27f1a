//! FlatGeobuf, the on-disk format of every layer version.

mod error;
mod read;
mod write;

pub use self::error::FgbError;
pub use self::read::{Record, read_records, read_records_from};
pub use self::write::write;
