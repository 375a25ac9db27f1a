//! Any EPSG coordinate system PROJ knows, converted to WGS84 lon/lat through the `proj` crate
//! (PROJ 9.6, built from source with its database embedded, so nothing is read from disk).
//!
//! A `Proj` is neither `Send` nor `Sync` and costs milliseconds to create, so each thread keeps
//! its own, one per code, created on first use.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Mutex;

use proj::Proj;

/// Whether PROJ can build a transformation from each code asked about so far, process-wide,
/// so an unknown code is looked up in PROJ's database once.
static KNOWN: Mutex<Option<HashMap<u32, bool>>> = Mutex::new(None);

thread_local! {
    static PROJS: RefCell<HashMap<u32, Proj>> = RefCell::new(HashMap::new());
}

fn create(code: u32) -> Option<Proj> {
    // `new_known_crs` normalizes both ends for visualization: input x/easting first, output
    // longitude first.
    Proj::new_known_crs(&format!("EPSG:{code}"), "EPSG:4326", None).ok()
}

/// True when PROJ can transform `EPSG:code` to WGS84.
pub fn is_known(code: u32) -> bool {
    if let Ok(mut guard) = KNOWN.lock() {
        if let Some(&known) = guard.get_or_insert_with(HashMap::new).get(&code) {
            return known;
        }
        let known = create(code).is_some();
        guard.get_or_insert_with(HashMap::new).insert(code, known);
        return known;
    }
    create(code).is_some()
}

/// Converts `(x, y)` in `EPSG:code` to WGS84 `(lon, lat)`; `None` where PROJ cannot.
pub fn to_wgs84(code: u32, x: f64, y: f64) -> Option<(f64, f64)> {
    PROJS.with(|cell| {
        let mut projs = cell.borrow_mut();
        let proj = match projs.entry(code) {
            std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::hash_map::Entry::Vacant(v) => v.insert(create(code)?),
        };
        proj.convert((x, y)).ok()
    })
}
