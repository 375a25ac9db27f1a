//! Coordinate systems a point can arrive in, and their conversion to WGS84 longitude/latitude.
//!
//! - `wgs84` (EPSG:4326), the internal and output system, and `cgcs2000` (EPSG:4490), China's
//!   geodetic system, treated as identical to WGS84: the two agree to a few centimetres, far
//!   below what matters for a district's grids.
//! - `gcj02` and `bd09`, the offsets of Chinese map apps ([`chinese`] has the formulas).
//! - `EPSG:NNNN`, any projected system, or geographic one in degrees, that PROJ can transform
//!   to WGS84 ([`epsg`] wraps PROJ), e.g. EPSG:4548 (CGCS2000 Gauss-Krüger CM 117E).

mod chinese;
mod epsg;
mod error;

use std::fmt;
use std::str::FromStr;

pub use self::chinese::{bd09_to_gcj02, gcj02_to_bd09, gcj02_to_wgs84, wgs84_to_gcj02};
pub use self::error::CrsError;
use self::error::Result;

/// A coordinate system of incoming points. Parses from and displays as `wgs84`, `cgcs2000`,
/// `gcj02`, `bd09` or `EPSG:NNNN`, and serializes as that string.
///
/// # Examples
/// ```
/// use gridgis_engine::{Crs, Transformer};
///
/// let crs: Crs = "GCJ02".parse().unwrap();
/// assert_eq!(crs.to_string(), "gcj02");
/// let (lon, lat) = Transformer::new(&crs).unwrap().to_wgs84(116.41024449916938, 39.91640428150164).unwrap();
/// assert!((lon - 116.404).abs() < 1e-9 && (lat - 39.915).abs() < 1e-9);
/// assert_eq!("EPSG:4326".parse::<Crs>().unwrap(), Crs::Wgs84);
/// assert!("EPSG:999999".parse::<Crs>().is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Crs {
    /// WGS84 longitude/latitude in degrees (EPSG:4326), the internal and output system.
    #[default]
    Wgs84,
    /// CGCS2000 longitude/latitude in degrees (EPSG:4490), taken as identical to WGS84.
    Cgcs2000,
    /// GCJ-02, the offset system of Amap, Tencent and most phone apps in China.
    Gcj02,
    /// BD-09, Baidu's offset of GCJ-02.
    Bd09,
    /// Another EPSG system. Parsing only yields codes PROJ can transform to WGS84: projected
    /// systems (x, y in their own unit) and geographic ones in degrees.
    Epsg(u32),
}

impl Crs {
    /// The system of an EPSG code: 4326 is [`Crs::Wgs84`], 4490 [`Crs::Cgcs2000`], and any
    /// other code PROJ knows as a projected system, or a geographic one in degrees, and can
    /// transform to WGS84 is [`Crs::Epsg`]; the rest is [`CrsError::Unknown`]. The first call
    /// for a code asks PROJ (up to ~100 ms); the answer is kept for the process.
    pub fn from_epsg(code: u32) -> Result<Self> {
        match code {
            4326 => Ok(Crs::Wgs84),
            4490 => Ok(Crs::Cgcs2000),
            _ if epsg::kind(code).is_some() => Ok(Crs::Epsg(code)),
            _ => Err(CrsError::Unknown { crs: format!("EPSG:{code}") }),
        }
    }
}

impl FromStr for Crs {
    type Err = CrsError;

    /// Case-insensitive, surrounding whitespace ignored: `wgs84`, `cgcs2000`, `gcj02`, `bd09`,
    /// or `EPSG:` and a code as [`Crs::from_epsg`] accepts it.
    fn from_str(s: &str) -> Result<Self> {
        let unknown = || CrsError::Unknown { crs: s.chars().take(64).collect() };
        let name = s.trim();
        for (known, crs) in
            [("wgs84", Crs::Wgs84), ("cgcs2000", Crs::Cgcs2000), ("gcj02", Crs::Gcj02), ("bd09", Crs::Bd09)]
        {
            if name.eq_ignore_ascii_case(known) {
                return Ok(crs);
            }
        }
        let digits = match name.split_at_checked(5) {
            Some((prefix, digits)) if prefix.eq_ignore_ascii_case("epsg:") => digits,
            _ => return Err(unknown()),
        };
        // Digits only (no sign, no spaces) and few enough to fit a u32.
        if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(unknown());
        }
        let code = digits.parse().map_err(|_| unknown())?;
        Crs::from_epsg(code).map_err(|_| unknown())
    }
}

impl fmt::Display for Crs {
    /// The canonical name: `wgs84`, `cgcs2000`, `gcj02`, `bd09` or `EPSG:NNNN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Crs::Wgs84 => f.write_str("wgs84"),
            Crs::Cgcs2000 => f.write_str("cgcs2000"),
            Crs::Gcj02 => f.write_str("gcj02"),
            Crs::Bd09 => f.write_str("bd09"),
            Crs::Epsg(code) => write!(f, "EPSG:{code}"),
        }
    }
}

impl serde::Serialize for Crs {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Crs {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Name;
        impl serde::de::Visitor<'_> for Name {
            type Value = Crs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a coordinate system name: wgs84, cgcs2000, gcj02, bd09 or EPSG:NNNN")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Crs, E> {
                v.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Name)
    }
}

/// How a [`Transformer`] gets to WGS84.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    /// WGS84 or CGCS2000: nothing to do but check.
    Identity,
    Gcj02,
    Bd09,
    /// An EPSG system, through PROJ.
    Epsg(u32, epsg::Kind),
}

const NOT_FINITE: &str = "coordinates must be finite numbers";
const OUT_OF_RANGE: &str = "longitude must be in [-180, 180] and latitude in [-90, 90]";
const NO_VALID_RESULT: &str = "the point does not convert to a valid WGS84 longitude/latitude";

/// Converts coordinates from one [`Crs`] to WGS84 longitude/latitude in degrees.
///
/// Small, `Copy`, `Send` and `Sync`: build one per request or share one. For an EPSG system
/// each thread creates its PROJ transformation on first use (5–70 ms) and keeps it.
///
/// # Examples
/// ```
/// use gridgis_engine::{Crs, Transformer};
///
/// // CGCS2000 / 3-degree Gauss-Kruger CM 117E: easting, northing in metres.
/// let t = Transformer::new(&"EPSG:4548".parse::<Crs>().unwrap()).unwrap();
/// let (lon, lat) = t.to_wgs84(469_149.0, 4_465_568.5).unwrap();
/// assert!((lon - 116.637).abs() < 1e-6 && (lat - 40.324).abs() < 1e-6);
/// assert!(t.to_wgs84(f64::NAN, 4_465_568.5).is_err());
///
/// let mut points = [(116.41024449916938, 39.91640428150164), (f64::INFINITY, 0.0)];
/// let failures = Transformer::new(&Crs::Gcj02).unwrap().to_wgs84_many(&mut points);
/// assert!((points[0].0 - 116.404).abs() < 1e-9);
/// assert_eq!(failures.len(), 1);
/// assert_eq!(failures[0].0, 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transformer {
    crs: Crs,
    method: Method,
}

impl Transformer {
    /// A transformer from `crs` to WGS84; [`CrsError::Unknown`] for an EPSG code PROJ cannot
    /// transform (see [`Crs::from_epsg`]). `Crs::Epsg(4326)` and `Crs::Epsg(4490)` are
    /// identities, like [`Crs::Wgs84`].
    pub fn new(crs: &Crs) -> Result<Self> {
        let method = match *crs {
            Crs::Wgs84 | Crs::Cgcs2000 | Crs::Epsg(4326 | 4490) => Method::Identity,
            Crs::Gcj02 => Method::Gcj02,
            Crs::Bd09 => Method::Bd09,
            Crs::Epsg(code) => match epsg::kind(code) {
                Some(kind) => Method::Epsg(code, kind),
                None => return Err(CrsError::Unknown { crs: crs.to_string() }),
            },
        };
        Ok(Self { crs: *crs, method })
    }

    /// The system this transformer converts from.
    pub fn crs(&self) -> Crs {
        self.crs
    }

    /// `(x, y)` in the source system — longitude, latitude in degrees, or easting, northing in
    /// the unit of a projected EPSG system — to WGS84 `(longitude, latitude)`.
    ///
    /// [`CrsError::InvalidCoordinate`] for non-finite input, for a longitude/latitude outside
    /// [-180, 180] × [-90, 90] in a geographic system, for a point PROJ cannot transform, and
    /// whenever the result is not a finite longitude/latitude in that range.
    /// [`CrsError::Proj`] if PROJ fails to set up the transformation on this thread.
    pub fn to_wgs84(&self, x: f64, y: f64) -> Result<(f64, f64)> {
        match self.method {
            Method::Epsg(code, kind) => epsg::with_transform(code, kind, |t| self.convert(Some(t), x, y))
                .map_err(|message| CrsError::Proj { crs: self.crs, message })?,
            _ => self.convert(None, x, y),
        }
    }

    /// Converts `points` in place, as [`Transformer::to_wgs84`] would one by one, and returns
    /// the failures as `(index, error)` in index order (empty when all succeed: nothing is
    /// allocated then). Failed points are set to `(NaN, NaN)`, so they can never pass for a
    /// position.
    ///
    /// The per-point cost is the conversion itself: for WGS84 and CGCS2000 one range check,
    /// for an EPSG system one PROJ call (the thread's transformation is looked up once).
    pub fn to_wgs84_many(&self, points: &mut [(f64, f64)]) -> Vec<(usize, CrsError)> {
        let mut failures = Vec::new();
        let mut run = |transform: Option<&epsg::Transform>| {
            for (i, point) in points.iter_mut().enumerate() {
                match self.convert(transform, point.0, point.1) {
                    Ok(converted) => *point = converted,
                    Err(e) => {
                        failures.push((i, e));
                        *point = (f64::NAN, f64::NAN);
                    }
                }
            }
        };
        match self.method {
            Method::Epsg(code, kind) => {
                if let Err(message) = epsg::with_transform(code, kind, |t| run(Some(t))) {
                    failures.clear();
                    for (i, point) in points.iter_mut().enumerate() {
                        failures.push((i, CrsError::Proj { crs: self.crs, message: message.clone() }));
                        *point = (f64::NAN, f64::NAN);
                    }
                }
            }
            _ => run(None),
        }
        failures
    }

    /// One point; `transform` is this thread's PROJ transformation for an EPSG method, unused
    /// otherwise.
    #[inline]
    fn convert(&self, transform: Option<&epsg::Transform>, x: f64, y: f64) -> Result<(f64, f64)> {
        let invalid = |reason| CrsError::InvalidCoordinate { lon: x, lat: y, crs: self.crs, reason };
        if !(x.is_finite() && y.is_finite()) {
            return Err(invalid(NOT_FINITE));
        }
        if !matches!(self.method, Method::Epsg(_, epsg::Kind::Projected)) && !in_range(x, y) {
            return Err(invalid(OUT_OF_RANGE));
        }
        let (lon, lat) = match (self.method, transform) {
            // Checked above; nothing else can go wrong.
            (Method::Identity, _) => return Ok((x, y)),
            (Method::Gcj02, _) => gcj02_to_wgs84(x, y),
            (Method::Bd09, _) => {
                let (lon, lat) = bd09_to_gcj02(x, y);
                gcj02_to_wgs84(lon, lat)
            }
            (Method::Epsg(..), Some(transform)) => transform.convert(x, y).map_err(invalid)?,
            (Method::Epsg(..), None) => return Err(invalid("no PROJ transformation")),
        };
        if lon.is_finite() && lat.is_finite() && in_range(lon, lat) {
            Ok((lon, lat))
        } else {
            Err(invalid(NO_VALID_RESULT))
        }
    }
}

/// Longitude in [-180, 180] and latitude in [-90, 90] (false for NaN).
#[inline]
fn in_range(lon: f64, lat: f64) -> bool {
    (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proj::Proj;
    use serde::Deserialize;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as ValueError, StrDeserializer};

    /// The Huairou district seat, roughly.
    const HUAIROU: (f64, f64) = (116.637, 40.324);

    fn parse(s: &str) -> Result<Crs> {
        s.parse()
    }

    fn transformer(s: &str) -> Transformer {
        let crs = parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        Transformer::new(&crs).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn assert_close(got: (f64, f64), want: (f64, f64), tol: f64) {
        let (d0, d1) = ((got.0 - want.0).abs(), (got.1 - want.1).abs());
        assert!(d0 <= tol && d1 <= tol, "got {got:?}, want {want:?} (diff {d0:e}, {d1:e}; tolerance {tol:e})");
    }

    #[test]
    fn parses_names_case_insensitively() {
        assert_eq!(parse("wgs84").unwrap(), Crs::Wgs84);
        assert_eq!(parse("WGS84").unwrap(), Crs::Wgs84);
        assert_eq!(parse(" Cgcs2000 ").unwrap(), Crs::Cgcs2000);
        assert_eq!(parse("GCJ02").unwrap(), Crs::Gcj02);
        assert_eq!(parse("bd09").unwrap(), Crs::Bd09);
        assert_eq!(parse("EPSG:4326").unwrap(), Crs::Wgs84);
        assert_eq!(parse("epsg:4490").unwrap(), Crs::Cgcs2000);
        assert_eq!(parse("EPSG:4548").unwrap(), Crs::Epsg(4548));
        assert_eq!(parse("Epsg:4527").unwrap(), Crs::Epsg(4527));
        assert_eq!(parse("EPSG:3857").unwrap(), Crs::Epsg(3857));
        assert_eq!(parse("EPSG:4214").unwrap(), Crs::Epsg(4214));
        assert_eq!(Crs::default(), Crs::Wgs84);
    }

    #[test]
    fn displays_the_canonical_name_which_parses_back() {
        for crs in [Crs::Wgs84, Crs::Cgcs2000, Crs::Gcj02, Crs::Bd09, Crs::Epsg(4548), Crs::Epsg(3857)] {
            let name = crs.to_string();
            assert_eq!(parse(&name).unwrap(), crs, "{name}");
        }
        assert_eq!(Crs::Epsg(4548).to_string(), "EPSG:4548");
        assert_eq!(Crs::Cgcs2000.to_string(), "cgcs2000");
    }

    #[test]
    fn refuses_unknown_names_and_codes() {
        for bad in [
            "",
            "   ",
            "foo",
            "wgs 84",
            "4326",
            "EPSG:",
            "EPSG",
            "EPSG:999999",
            "EPSG:99999999999999999999",
            "EPSG:0",
            "EPSG:-4326",
            "EPSG:+4548",
            "EPSG: 4548",
            "epsg:abc",
            "EPSG:30000",
            "EPSG:4978",
            "EPSG:5773",
            "EPSG:5800",
            "EPSG:4807",
            "ESRI:102100",
            "EPSG:４５４８",
        ] {
            match parse(bad) {
                Err(CrsError::Unknown { crs }) => assert!(bad.starts_with(&crs), "{bad:?} reported as {crs:?}"),
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        let e = parse("xyz").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown coordinate system 'xyz'; expected wgs84, cgcs2000, gcj02, bd09 or EPSG:NNNN"
        );
        let long = "x".repeat(10_000);
        assert!(parse(&long).unwrap_err().to_string().len() < 200, "echoes at most 64 characters");
        assert!(matches!(Crs::from_epsg(999_999), Err(CrsError::Unknown { .. })));
        assert!(matches!(Transformer::new(&Crs::Epsg(999_999)), Err(CrsError::Unknown { .. })));
    }

    #[test]
    fn serde_uses_the_name() {
        let de: StrDeserializer<'_, ValueError> = "EPSG:4548".into_deserializer();
        assert_eq!(Crs::deserialize(de).unwrap(), Crs::Epsg(4548));
        let de: StrDeserializer<'_, ValueError> = "Bd09".into_deserializer();
        assert_eq!(Crs::deserialize(de).unwrap(), Crs::Bd09);
        let de: StrDeserializer<'_, ValueError> = "EPSG:999999".into_deserializer();
        let e = Crs::deserialize(de).unwrap_err().to_string();
        assert!(e.contains("unknown coordinate system 'EPSG:999999'"), "{e}");
    }

    #[test]
    fn named_systems_convert() {
        assert_eq!(transformer("wgs84").to_wgs84(HUAIROU.0, HUAIROU.1).unwrap(), HUAIROU);
        assert_eq!(transformer("cgcs2000").to_wgs84(HUAIROU.0, HUAIROU.1).unwrap(), HUAIROU);
        assert_eq!(transformer("EPSG:4326").to_wgs84(HUAIROU.0, HUAIROU.1).unwrap(), HUAIROU);
        assert_eq!(Transformer::new(&Crs::Epsg(4490)).unwrap().to_wgs84(HUAIROU.0, HUAIROU.1).unwrap(), HUAIROU);
        let gcj = wgs84_to_gcj02(HUAIROU.0, HUAIROU.1);
        assert_close(transformer("gcj02").to_wgs84(gcj.0, gcj.1).unwrap(), HUAIROU, 1e-9);
        let bd = gcj02_to_bd09(gcj.0, gcj.1);
        assert_close(transformer("bd09").to_wgs84(bd.0, bd.1).unwrap(), HUAIROU, 1e-9);
        // The offsets are hundreds of metres here: the conversions really happen.
        assert!((gcj.0 - HUAIROU.0).abs() > 1e-3 && (bd.0 - gcj.0).abs() > 1e-3);
    }

    #[test]
    fn bad_coordinates_are_refused() {
        let geographic = ["wgs84", "cgcs2000", "gcj02", "bd09", "EPSG:4214"];
        for name in geographic {
            let t = transformer(name);
            for (x, y) in [
                (f64::NAN, 40.0),
                (116.0, f64::NAN),
                (f64::INFINITY, 40.0),
                (116.0, f64::NEG_INFINITY),
                (180.5, 0.0),
                (-181.0, 0.0),
                (0.0, 90.5),
                (0.0, -91.0),
                (116.0, 4_464_000.0),
            ] {
                match t.to_wgs84(x, y) {
                    Err(CrsError::InvalidCoordinate { lon, lat, crs, .. }) => {
                        assert!(lon.to_bits() == x.to_bits() && lat.to_bits() == y.to_bits() && crs == t.crs());
                    }
                    other => panic!("{name} ({x}, {y}): {other:?}"),
                }
            }
        }
        for name in ["EPSG:4548", "EPSG:4527", "EPSG:3857"] {
            let t = transformer(name);
            for (x, y) in [(f64::NAN, 4_464_000.0), (469_000.0, f64::INFINITY), (1e30, 1e30), (-1e300, 0.0)] {
                assert!(matches!(t.to_wgs84(x, y), Err(CrsError::InvalidCoordinate { .. })), "{name} ({x}, {y})");
            }
        }
        // Web Mercator beyond ±π·R in x has no longitude in [-180, 180].
        assert!(matches!(transformer("EPSG:3857").to_wgs84(2.1e7, 0.0), Err(CrsError::InvalidCoordinate { .. })));
        // The message says what and where.
        let e = transformer("wgs84").to_wgs84(200.0, 0.0).unwrap_err().to_string();
        assert_eq!(
            e,
            "invalid coordinate (200, 0) in wgs84: longitude must be in [-180, 180] and latitude in [-90, 90]"
        );
    }

    /// Meridian arc length from the equator on the GRS80 ellipsoid (metres), by Helmert's series
    /// in the third flattening n to n⁴ (error ~ a·n⁵ ≈ 1e-7 m): an oracle independent of PROJ.
    fn grs80_meridian_arc(lat_deg: f64) -> f64 {
        let a = 6_378_137.0;
        let f = 1.0 / 298.257_222_101;
        let n = f / (2.0 - f);
        let (n2, n3, n4) = (n * n, n * n * n, n * n * n * n);
        let phi = lat_deg.to_radians();
        a / (1.0 + n)
            * ((1.0 + n2 / 4.0 + n4 / 64.0) * phi - 1.5 * (n - n3 / 8.0) * (2.0 * phi).sin()
                + 15.0 / 16.0 * (n2 - n4 / 4.0) * (4.0 * phi).sin()
                - 35.0 / 48.0 * n3 * (6.0 * phi).sin()
                + 315.0 / 512.0 * n4 * (8.0 * phi).sin())
    }

    #[test]
    fn gauss_kruger_cm_117e() {
        // EPSG:4548, CGCS2000 / 3-degree Gauss-Kruger CM 117E: transverse Mercator, k = 1,
        // false easting 500 km. The district seat is 0.363° west of 117°E: ~30.9 km at 40.3°N.
        let forward = Proj::new_known_crs("EPSG:4326", "EPSG:4548", None).expect("PROJ forward");
        let (e, n) = forward.convert(HUAIROU).expect("forward converts");
        assert!((469_000.0..469_300.0).contains(&e), "easting {e}");
        assert!((4_465_000.0..4_466_000.0).contains(&n), "northing {n}");
        let t = transformer("EPSG:4548");
        assert_close(t.to_wgs84(e, n).unwrap(), HUAIROU, 1e-9);
        // On the central meridian the northing is the meridian arc: checks PROJ's inverse
        // without PROJ's forward.
        for lat in [39.5, 40.0, 40.324, 41.0] {
            assert_close(t.to_wgs84(500_000.0, grs80_meridian_arc(lat)).unwrap(), (117.0, lat), 1e-9);
        }
    }

    #[test]
    fn gauss_kruger_zone_39_has_the_zone_prefix() {
        // EPSG:4527 is the same projection (zone 39 has CM 117E) with 39 before the easting.
        let forward = Proj::new_known_crs("EPSG:4326", "EPSG:4527", None).expect("PROJ forward");
        let (e, n) = forward.convert(HUAIROU).expect("forward converts");
        assert!((39_469_000.0..39_469_300.0).contains(&e), "easting {e}");
        assert!((4_465_000.0..4_466_000.0).contains(&n), "northing {n}");
        let zoned = transformer("EPSG:4527");
        assert_close(zoned.to_wgs84(e, n).unwrap(), HUAIROU, 1e-9);
        let plain = transformer("EPSG:4548").to_wgs84(e - 39_000_000.0, n).unwrap();
        assert_close(zoned.to_wgs84(e, n).unwrap(), plain, 1e-12);
        // Without the prefix the point is ~39,000 km west of the meridian: refused.
        assert!(matches!(zoned.to_wgs84(e - 39_000_000.0, n), Err(CrsError::InvalidCoordinate { .. })));
    }

    #[test]
    fn web_mercator_matches_the_closed_form() {
        // EPSG:3857: x = R·λ, y = R·ln tan(π/4 + φ/2) on the sphere R = 6378137 m.
        let r = 6_378_137.0;
        let t = transformer("EPSG:3857");
        for (lon, lat) in [HUAIROU, (0.0, 0.0), (-73.98, 40.75), (151.2, -33.87), (179.9, 85.0)] {
            let x = r * lon.to_radians();
            let y = r * (std::f64::consts::FRAC_PI_4 + lat.to_radians() / 2.0).tan().ln();
            assert_close(t.to_wgs84(x, y).unwrap(), (lon, lat), 1e-9);
        }
    }

    #[test]
    fn geographic_epsg_systems_convert_in_degrees() {
        // Beijing 1954 differs from WGS84 by tens of metres to a few hundred here.
        let (lon, lat) = transformer("EPSG:4214").to_wgs84(HUAIROU.0, HUAIROU.1).unwrap();
        assert_close((lon, lat), HUAIROU, 0.01);
    }

    #[test]
    fn batch_agrees_with_single_points() {
        let gcj = wgs84_to_gcj02(HUAIROU.0, HUAIROU.1);
        let cases: [(&str, Vec<(f64, f64)>); 5] = [
            ("wgs84", vec![HUAIROU, (f64::NAN, 0.0), (116.0, 40.0), (0.0, 91.0)]),
            ("gcj02", vec![gcj, (116.0, 40.0), (f64::INFINITY, 40.0)]),
            ("bd09", vec![gcj02_to_bd09(gcj.0, gcj.1), (200.0, 40.0), (116.0, 40.0)]),
            ("EPSG:4548", vec![(469_145.0, 4_464_000.0), (1e30, 1e30), (500_000.0, 4_400_000.0), (f64::NAN, 1.0)]),
            ("EPSG:4214", vec![HUAIROU, (116.0, 95.0), (116.0, 40.0)]),
        ];
        for (name, points) in cases {
            let t = transformer(name);
            let mut batch = points.clone();
            let failures = t.to_wgs84_many(&mut batch);
            let mut failed = failures.iter().map(|(i, _)| *i).peekable();
            for (i, (&(x, y), &got)) in points.iter().zip(&batch).enumerate() {
                match t.to_wgs84(x, y) {
                    Ok(want) => {
                        assert_eq!(
                            (got.0.to_bits(), got.1.to_bits()),
                            (want.0.to_bits(), want.1.to_bits()),
                            "{name} #{i}"
                        );
                        assert_ne!(failed.peek(), Some(&i), "{name} #{i}");
                    }
                    Err(want) => {
                        assert!(got.0.is_nan() && got.1.is_nan(), "{name} #{i}");
                        assert_eq!(failed.next(), Some(i), "{name} #{i}");
                        let e = &failures.iter().find(|(j, _)| *j == i).expect("listed").1;
                        // Debug, not ==: the errors hold the NaN inputs.
                        assert_eq!(format!("{e:?}"), format!("{want:?}"), "{name} #{i}");
                    }
                }
            }
            assert_eq!(failed.next(), None, "{name}");
        }
        // All good: no failures, nothing allocated.
        let mut fine = [HUAIROU; 8];
        let failures = transformer("wgs84").to_wgs84_many(&mut fine);
        assert!(failures.is_empty() && failures.capacity() == 0);
        assert_eq!(fine, [HUAIROU; 8]);
    }

    #[test]
    fn shared_across_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Transformer>();
        send_sync::<Crs>();
        send_sync::<CrsError>();
        let t = transformer("EPSG:4548");
        let want = t.to_wgs84(469_145.0, 4_464_000.0).unwrap();
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|i| {
                    s.spawn(move || {
                        // Each thread sets up its own PROJ object, and parses on its own.
                        let parsed = transformer("EPSG:4548");
                        let mut points = vec![(469_145.0, 4_464_000.0); 100 + i];
                        assert!(parsed.to_wgs84_many(&mut points).is_empty());
                        (t.to_wgs84(469_145.0, 4_464_000.0).unwrap(), points[0])
                    })
                })
                .collect();
            for h in handles {
                let (single, batch) = h.join().expect("thread");
                assert_eq!(single, want);
                assert_eq!(batch, want);
            }
        });
    }
}
