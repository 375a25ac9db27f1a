//! EPSG coordinate systems through PROJ (the `proj` crate: PROJ 9.6 built from source, its
//! database embedded in the binary; a `PROJ_DATA` variable, if set, still takes precedence).
//!
//! Three facts about `proj` 0.31 shape this file:
//! - a `Proj` is neither `Send` nor `Sync` and takes 5–70 ms to create, so each thread keeps
//!   its own, one per code (two for a projected system, see [`Transform`]), created on first
//!   use and reused;
//! - every failed lookup of a code leaks its PROJ context (~24 kB, measured), and PROJ logs
//!   "crs not found" to stderr, so codes are looked up once per process, only inside the EPSG
//!   CRS code range, and at most [`MAX_FAILED_LOOKUPS`] unknown codes are ever asked about;
//! - `Proj::new_known_crs` panics ("PROJ did not supply an error") when PROJ finds no
//!   operation to WGS84 (engineering systems, for one), so only projected and geographic
//!   systems get that far, and the call runs under `catch_unwind`.
//!
//! `Proj::new_known_crs` normalizes both ends for visualization (it calls
//! `proj_normalize_for_visualization`): input is easting, northing (or longitude, latitude),
//! output is longitude, latitude, whatever the axis order of the EPSG definitions.

use std::cell::RefCell;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{LazyLock, Mutex, PoisonError};

use proj::Proj;

/// EPSG codes of coordinate reference systems lie in 1024–32766 (OGC GeoTIFF 1.1, 19-008r4,
/// requirements classes GeodeticCRSGeoKey and ProjectedCRSGeoKey; 32767 means "user-defined");
/// the EPSG CRSs in PROJ 9.6's database span 2000–20046 (and the retired Google 900913).
/// Anything outside the range is refused without asking PROJ.
const CODE_RANGE: std::ops::RangeInclusive<u32> = 1024..=32766;
/// Unknown codes asked about before we stop asking: bounds what failed lookups leak
/// (~24 kB each, so ~25 MB at most). Codes already known keep working after that.
const MAX_FAILED_LOOKUPS: usize = 1024;
/// Transformations one thread keeps; past that one is dropped to make room. A server uses a
/// handful of codes; each transformation holds ~0.6 MB.
const PER_THREAD_CAPACITY: usize = 16;

/// What kind of system a usable EPSG code is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Kind {
    /// Easting/northing in the system's linear unit.
    Projected,
    /// Longitude/latitude in degrees: the input range can be checked.
    Geographic,
}

/// What the process has learnt about codes so far.
#[derive(Default)]
struct Registry {
    /// `Some(kind)` for a usable code, `None` for one PROJ does not know or we do not accept.
    codes: HashMap<u32, Option<Kind>>,
    /// Lookups PROJ failed (each leaked a context).
    failed: usize,
}

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(|| Mutex::new(Registry::default()));

thread_local! {
    /// This thread's transformations to WGS84, by code.
    static TRANSFORMS: RefCell<HashMap<u32, Transform>> = RefCell::new(HashMap::new());
}

/// The kind of `EPSG:code` if PROJ knows it as a projected system, or a geographic one in
/// degrees, and can transform it to WGS84; `None` otherwise. PROJ is asked once per code and
/// process (the first time takes up to ~100 ms).
pub(super) fn kind(code: u32) -> Option<Kind> {
    if !CODE_RANGE.contains(&code) {
        return None;
    }
    {
        let registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(&known) = registry.codes.get(&code) {
            return known;
        }
        if registry.failed >= MAX_FAILED_LOOKUPS {
            return None;
        }
    }
    // The lock is not held while PROJ works: two threads may look the same code up at once,
    // which costs time but gives the same answer.
    let (found, lookup_failed) = look_up(code);
    let mut registry = REGISTRY.lock().unwrap_or_else(PoisonError::into_inner);
    if lookup_failed {
        registry.failed += 1;
    }
    *registry.codes.entry(code).or_insert(found)
}

/// Asks PROJ about `EPSG:code`: its kind, and whether the lookup failed (leaking a context).
/// A usable transformation is kept for this thread, which will most likely use it next.
fn look_up(code: u32) -> (Option<Kind>, bool) {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let Ok(crs) = Proj::new(&format!("EPSG:{code}")) else {
            return (None, true);
        };
        let Some(kind) = crs.as_wkt(None, None).ok().and_then(|wkt| classify(&wkt)) else {
            return (None, false);
        };
        match Transform::create(code, kind) {
            Ok(transform) => {
                keep(code, transform);
                (Some(kind), false)
            }
            Err(_) => (None, true),
        }
    }));
    outcome.unwrap_or((None, true))
}

/// The kind of system a WKT2 definition describes, if it is one whose 2D coordinates convert
/// to WGS84 longitude/latitude: a projected system (any linear unit; PROJ converts), or a
/// geographic one whose angles are all in degrees (we range-check degrees). Geocentric,
/// vertical, engineering, compound and derived systems, and grads, are refused.
fn classify(wkt: &str) -> Option<Kind> {
    let keyword = wkt.split('[').next()?.trim();
    match keyword {
        "PROJCRS" => Some(Kind::Projected),
        "GEOGCRS" => {
            let unit = "ANGLEUNIT[\"";
            let all_degrees = wkt.match_indices(unit).all(|(at, _)| wkt[at + unit.len()..].starts_with("degree\""));
            all_degrees.then_some(Kind::Geographic)
        }
        _ => None,
    }
}

/// One thread's PROJ objects for one code.
pub(super) struct Transform {
    /// `EPSG:code` → WGS84, longitude first.
    to_wgs84: Proj,
    /// WGS84 → `EPSG:code`, for a projected system only: PROJ's inverse projections accept
    /// points far outside their domain and answer with wrapped longitudes (EPSG:3857 at
    /// x = 1e30 gives a longitude in range), so each answer is projected back and must land
    /// on the input.
    from_wgs84: Option<Proj>,
}

/// How far a projected point may move in the round trip, in the system's unit (1 m in a metre
/// system), plus a relative part for large coordinates such as zone-prefixed eastings.
/// Projections alone round-trip to nanometres and datum shifts to about a millimetre
/// (measured: EPSG:2056, Swiss LV95, 1.2 mm; EPSG:27700, British National Grid, 0.9 mm),
/// while points outside the domain come back wrapped, thousands of kilometres away.
const ROUND_TRIP_ABSOLUTE: f64 = 1.0;
/// See [`ROUND_TRIP_ABSOLUTE`].
const ROUND_TRIP_RELATIVE: f64 = 1e-9;

impl Transform {
    /// Creates the PROJ objects; `Err` carries PROJ's message.
    fn create(code: u32, kind: Kind) -> Result<Self, String> {
        let name = format!("EPSG:{code}");
        let create = |from: &str, to: &str| {
            catch_unwind(AssertUnwindSafe(|| Proj::new_known_crs(from, to, None)))
                .map_err(|_| "PROJ failed without an error message".to_owned())?
                .map_err(|e| e.to_string())
        };
        let to_wgs84 = create(&name, "EPSG:4326")?;
        let from_wgs84 = match kind {
            Kind::Projected => Some(create("EPSG:4326", &name)?),
            Kind::Geographic => None,
        };
        Ok(Self { to_wgs84, from_wgs84 })
    }

    /// `(x, y)` → WGS84 `(lon, lat)`, or why not. Does not check ranges.
    pub(super) fn convert(&self, x: f64, y: f64) -> Result<(f64, f64), &'static str> {
        let (lon, lat) = self.to_wgs84.convert((x, y)).map_err(|_| "PROJ cannot transform this point")?;
        if let Some(forward) = &self.from_wgs84 {
            let (x2, y2) = forward.convert((lon, lat)).map_err(|_| "outside the projection's domain")?;
            let tolerance = |v: f64| ROUND_TRIP_ABSOLUTE + ROUND_TRIP_RELATIVE * v.abs();
            // Written so that NaN fails.
            if !((x2 - x).abs() <= tolerance(x) && (y2 - y).abs() <= tolerance(y)) {
                return Err("outside the projection's domain");
            }
        }
        Ok((lon, lat))
    }
}

/// Stores a transformation in this thread's cache, dropping another if it is full.
fn keep(code: u32, transform: Transform) {
    // Fails only while the thread is being torn down; the transformation is then dropped.
    let _ = TRANSFORMS.try_with(|cell| {
        if let Ok(mut cache) = cell.try_borrow_mut() {
            make_room(&mut cache, code);
            cache.insert(code, transform);
        }
    });
}

/// Drops one cached transformation if the cache is full and `code` is not in it.
fn make_room(cache: &mut HashMap<u32, Transform>, code: u32) {
    if cache.len() >= PER_THREAD_CAPACITY
        && !cache.contains_key(&code)
        && let Some(&evict) = cache.keys().next()
    {
        cache.remove(&evict);
    }
}

/// Runs `f` with this thread's transformation of `EPSG:code` (of `kind`) to WGS84, creating
/// it on first use. `Err` carries PROJ's message when it cannot be created. `f` must not call
/// back into this function.
pub(super) fn with_transform<R>(code: u32, kind: Kind, f: impl FnOnce(&Transform) -> R) -> Result<R, String> {
    TRANSFORMS
        .try_with(|cell| {
            let mut cache = cell.try_borrow_mut().map_err(|_| "transformation cache already in use".to_owned())?;
            if !cache.contains_key(&code) {
                let created = Transform::create(code, kind)?;
                make_room(&mut cache, code);
                cache.insert(code, created);
            }
            let transform = cache.get(&code).ok_or_else(|| "transformation vanished from the cache".to_owned())?;
            Ok(f(transform))
        })
        .map_err(|_| "thread is shutting down".to_owned())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_systems_by_kind() {
        assert_eq!(kind(4548), Some(Kind::Projected), "CGCS2000 / 3-degree Gauss-Kruger CM 117E");
        assert_eq!(kind(4527), Some(Kind::Projected), "CGCS2000 / 3-degree Gauss-Kruger zone 39");
        assert_eq!(kind(3857), Some(Kind::Projected), "WGS 84 / Pseudo-Mercator");
        assert_eq!(kind(2230), Some(Kind::Projected), "NAD83 / California zone 6 (ftUS)");
        assert_eq!(kind(4214), Some(Kind::Geographic), "Beijing 1954");
        assert_eq!(kind(4610), Some(Kind::Geographic), "Xian 1980");
        assert_eq!(kind(4979), Some(Kind::Geographic), "WGS 84 3D");
        assert_eq!(kind(4807), None, "NTF (Paris): angles in grads");
        assert_eq!(kind(4978), None, "WGS 84 geocentric");
        assert_eq!(kind(5773), None, "EGM96 height: vertical");
        assert_eq!(kind(9518), None, "WGS 84 + EGM2008 height: compound");
        // Engineering: PROJ finds no operation to WGS84, and `new_known_crs` would panic.
        assert_eq!(kind(5800), None, "Astra Minas Grid: engineering");
        assert_eq!(kind(1), None, "below the EPSG CRS range");
        assert_eq!(kind(999_999), None, "above the EPSG CRS range");
        assert_eq!(kind(30_000), None, "in range, not in PROJ's database");
    }

    #[test]
    fn classify_reads_the_wkt_keyword_and_angle_units() {
        assert_eq!(classify("PROJCRS[\"x\",BASEGEOGCRS[\"y\"]]"), Some(Kind::Projected));
        assert_eq!(
            classify("GEOGCRS[\"x\",CS[ellipsoidal,2],AXIS[\"a\",ANGLEUNIT[\"degree\",0.01745]]]"),
            Some(Kind::Geographic)
        );
        assert_eq!(classify("GEOGCRS[\"x\",CS[ellipsoidal,2],AXIS[\"a\",ANGLEUNIT[\"grad\",0.0157]]]"), None);
        assert_eq!(classify("GEODCRS[\"x\"]"), None);
        assert_eq!(classify(""), None);
    }

    #[test]
    fn output_is_longitude_first() {
        // EPSG:4326 is latitude-first by definition; the normalized transformation is not.
        let x = 6_378_137.0 * 116.0f64.to_radians();
        let (lon, lat) = with_transform(3857, Kind::Projected, |t| t.convert(x, 0.0))
            .expect("EPSG:3857 transformation")
            .expect("point converts");
        assert!((lon - 116.0).abs() < 1e-9 && lat.abs() < 1e-9, "{lon} {lat}");
        let (lon, lat) = with_transform(4214, Kind::Geographic, |t| t.convert(116.6, 40.3))
            .expect("EPSG:4214 transformation")
            .expect("point converts");
        assert!((lon - 116.6).abs() < 0.01 && (lat - 40.3).abs() < 0.01, "{lon} {lat}");
    }

    #[test]
    fn points_outside_the_projection_fail_the_round_trip() {
        // PROJ alone answers these with longitudes in range.
        let proj = Proj::new_known_crs("EPSG:3857", "EPSG:4326", None).expect("PROJ");
        let (lon, lat) = proj.convert((1e30f64, 1e30f64)).expect("PROJ accepts it");
        assert!(lon.abs() <= 180.0 && lat.abs() <= 90.0, "{lon} {lat}");
        for (x, y) in [(1e30, 1e30), (2.1e7, 0.0), (-4.1e7, 1e6)] {
            let r = with_transform(3857, Kind::Projected, |t| t.convert(x, y)).expect("EPSG:3857");
            assert!(r.is_err(), "({x}, {y}) -> {r:?}");
        }
        // Inside, the round trip is far tighter than its tolerance.
        let (x, y) = (12_983_852.0, 4_911_476.0);
        assert!(with_transform(3857, Kind::Projected, |t| t.convert(x, y)).expect("EPSG:3857").is_ok());
    }

    #[test]
    fn datum_shifted_systems_pass_the_round_trip() {
        // These round-trip to ~1 mm, not nanometres: the tolerance must let them through.
        for (code, x, y, lon, lat) in [
            (2056, 2_600_000.0, 1_200_000.0, 7.4386, 46.9511), // Swiss LV95 origin, Bern
            (27700, 530_000.0, 180_000.0, -0.1280, 51.5080),   // British National Grid, London
            (2436, 469_000.0, 4_465_000.0, 116.635, 40.319),   // Beijing 1954 / 3-degree GK CM 117E
        ] {
            assert_eq!(kind(code), Some(Kind::Projected), "EPSG:{code}");
            let (got_lon, got_lat) = with_transform(code, Kind::Projected, |t| t.convert(x, y))
                .expect("transformation")
                .unwrap_or_else(|e| panic!("EPSG:{code}: {e}"));
            assert!((got_lon - lon).abs() < 0.01 && (got_lat - lat).abs() < 0.01, "EPSG:{code}: {got_lon} {got_lat}");
        }
    }

    #[test]
    fn the_thread_cache_stays_bounded() {
        let codes = [
            4491, 4492, 4493, 4494, 4495, 4496, 4497, 4498, 4499, 4500, 4501, 4502, 4513, 4514, 4515, 4516, 4517, 4518,
        ];
        for code in codes {
            assert_eq!(kind(code), Some(Kind::Projected), "EPSG:{code}");
            with_transform(code, Kind::Projected, |_| ()).expect("transformation");
        }
        let cached = TRANSFORMS.with(|cell| cell.borrow().len());
        assert!(cached <= PER_THREAD_CAPACITY, "{cached}");
    }
}
