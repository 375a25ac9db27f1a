//! Any bytes given to the reader as `layer.zip`: every feature is read or refused with an error,
//! never a panic, a hang or an unbounded allocation.

#![no_main]

use gridgis_import::read::{ReadOptions, open_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(source) = open_bytes("layer.zip", data.to_vec(), &ReadOptions::default()) {
        // Bounded: a reader may yield at most one item per few input bytes.
        for _ in source.take(1 << 20) {}
    }
});
