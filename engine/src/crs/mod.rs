//! Coordinate systems a point can arrive in, and their conversion to WGS84.
//!
//! CGCS2000 (EPSG:4490) is treated as identical to WGS84: the two differ by centimetres at
//! the scale of a district.

mod chinese;
mod epsg;

use std::fmt;
use std::str::FromStr;

pub use self::chinese::{bd09_to_gcj02, gcj02_to_bd09, gcj02_to_wgs84, wgs84_to_gcj02};

/// A coordinate system of incoming points.
///
/// # Examples
/// ```
/// use gridgis_engine::{Crs, Transformer};
/// let crs: Crs = "gcj02".parse().unwrap();
/// let (lon, lat) = Transformer::new(&crs).unwrap().to_wgs84(116.41024449916938, 39.91640428150164).unwrap();
/// assert!((lon - 116.404).abs() < 1e-9 && (lat - 39.915).abs() < 1e-9);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Crs {
    /// WGS84 longitude/latitude (EPSG:4326), the internal and output system.
    #[default]
    Wgs84,
    /// CGCS2000 longitude/latitude (EPSG:4490), taken as WGS84.
    Cgcs2000,
    /// GCJ-02, the offset system of Amap, Tencent and most phone apps in China.
    Gcj02,
    /// BD-09, Baidu's offset of GCJ-02.
    Bd09,
    /// Any other EPSG code PROJ can transform to WGS84 (e.g. 4548, CGCS2000 Gauss-Krüger).
    Epsg(u32),
}

/// Why a coordinate system or a coordinate was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CrsError {
    /// The name is not a coordinate system we know.
    #[error("unknown coordinate system '{crs}'; expected wgs84, cgcs2000, gcj02, bd09 or EPSG:NNNN known to PROJ")]
    Unknown {
        /// The name as given.
        crs: String,
    },
    /// The coordinate cannot be converted: not finite, out of range, or outside the area PROJ
    /// can project.
    #[error("invalid coordinate ({x}, {y}) in {crs}: {reason}")]
    InvalidCoordinate {
        /// x or longitude as given.
        x: f64,
        /// y or latitude as given.
        y: f64,
        /// The coordinate system.
        crs: Crs,
        /// What is wrong.
        reason: &'static str,
    },
}

impl FromStr for Crs {
    type Err = CrsError;

    /// Case-insensitive: `wgs84`, `cgcs2000`, `gcj02`, `bd09`, `EPSG:NNNN`. `EPSG:4326` and
    /// `EPSG:4490` are the named systems; any other code must be one PROJ can transform.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || CrsError::Unknown { crs: s.chars().take(64).collect() };
        let lower = s.trim().to_ascii_lowercase();
        match lower.as_str() {
            "wgs84" | "wgs-84" => Ok(Crs::Wgs84),
            "cgcs2000" => Ok(Crs::Cgcs2000),
            "gcj02" | "gcj-02" => Ok(Crs::Gcj02),
            "bd09" | "bd-09" => Ok(Crs::Bd09),
            _ => {
                let code: u32 = lower.strip_prefix("epsg:").and_then(|c| c.parse().ok()).ok_or_else(unknown)?;
                match code {
                    4326 => Ok(Crs::Wgs84),
                    4490 => Ok(Crs::Cgcs2000),
                    _ if epsg::is_known(code) => Ok(Crs::Epsg(code)),
                    _ => Err(unknown()),
                }
            }
        }
    }
}

impl fmt::Display for Crs {
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
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Crs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Converts coordinates of one system to WGS84. Cheap to create for the named systems; for
/// an EPSG code the PROJ object is created once per thread and kept. `Send + Sync`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transformer {
    crs: Crs,
}

impl Transformer {
    /// A transformer from `crs` to WGS84.
    pub fn new(crs: &Crs) -> Result<Self, CrsError> {
        if let Crs::Epsg(code) = crs
            && !epsg::is_known(*code)
        {
            return Err(CrsError::Unknown { crs: crs.to_string() });
        }
        Ok(Self { crs: *crs })
    }

    /// The source system.
    pub fn crs(&self) -> Crs {
        self.crs
    }

    /// `(x, y)` in the source system → WGS84 `(lon, lat)`. Refuses non-finite input,
    /// longitude/latitude out of range for the geographic systems, and any result that is not
    /// a valid longitude/latitude.
    pub fn to_wgs84(&self, x: f64, y: f64) -> Result<(f64, f64), CrsError> {
        let invalid = |reason| CrsError::InvalidCoordinate { x, y, crs: self.crs, reason };
        if !(x.is_finite() && y.is_finite()) {
            return Err(invalid("coordinates must be finite numbers"));
        }
        let geographic = !matches!(self.crs, Crs::Epsg(_));
        if geographic && !((-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y)) {
            return Err(invalid("longitude must be in [-180, 180] and latitude in [-90, 90]"));
        }
        let (lon, lat) = match self.crs {
            Crs::Wgs84 | Crs::Cgcs2000 => (x, y),
            Crs::Gcj02 => gcj02_to_wgs84(x, y),
            Crs::Bd09 => {
                let (gx, gy) = bd09_to_gcj02(x, y);
                gcj02_to_wgs84(gx, gy)
            }
            Crs::Epsg(code) => epsg::to_wgs84(code, x, y).ok_or_else(|| invalid("PROJ cannot transform this point"))?,
        };
        if !(lon.is_finite() && lat.is_finite() && (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)) {
            return Err(invalid("the point does not convert to a valid longitude/latitude"));
        }
        Ok((lon, lat))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_codes() {
        assert_eq!("WGS84".parse::<Crs>().unwrap(), Crs::Wgs84);
        assert_eq!("cgcs2000".parse::<Crs>().unwrap(), Crs::Cgcs2000);
        assert_eq!("GCJ02".parse::<Crs>().unwrap(), Crs::Gcj02);
        assert_eq!("bd09".parse::<Crs>().unwrap(), Crs::Bd09);
        assert_eq!("EPSG:4326".parse::<Crs>().unwrap(), Crs::Wgs84);
        assert_eq!("epsg:4490".parse::<Crs>().unwrap(), Crs::Cgcs2000);
        assert_eq!("EPSG:4548".parse::<Crs>().unwrap(), Crs::Epsg(4548));
        assert_eq!(Crs::Epsg(4548).to_string(), "EPSG:4548");
        for bad in ["", "foo", "EPSG:", "EPSG:999999", "EPSG:-1", "epsg:abc", "4326"] {
            assert!(matches!(bad.parse::<Crs>(), Err(CrsError::Unknown { .. })), "{bad:?}");
        }
    }

    #[test]
    fn named_systems_convert() {
        let t = Transformer::new(&Crs::Gcj02).unwrap();
        let (g0, g1) = wgs84_to_gcj02(116.637, 40.324);
        let (lon, lat) = t.to_wgs84(g0, g1).unwrap();
        assert!((lon - 116.637).abs() < 1e-9 && (lat - 40.324).abs() < 1e-9);
        let t = Transformer::new(&Crs::Bd09).unwrap();
        let (b0, b1) = gcj02_to_bd09(g0, g1);
        let (lon, lat) = t.to_wgs84(b0, b1).unwrap();
        assert!((lon - 116.637).abs() < 1e-9 && (lat - 40.324).abs() < 1e-9);
        assert_eq!(Transformer::new(&Crs::Cgcs2000).unwrap().to_wgs84(116.6, 40.3).unwrap(), (116.6, 40.3));
    }

    #[test]
    fn bad_coordinates_are_refused() {
        let t = Transformer::new(&Crs::Wgs84).unwrap();
        for (x, y) in [(f64::NAN, 1.0), (1.0, f64::INFINITY), (181.0, 0.0), (0.0, -91.0)] {
            assert!(matches!(t.to_wgs84(x, y), Err(CrsError::InvalidCoordinate { .. })), "({x}, {y})");
        }
        let t = Transformer::new(&Crs::Epsg(4548)).unwrap();
        assert!(t.to_wgs84(f64::NAN, 4_464_000.0).is_err());
        assert!(t.to_wgs84(1e30, 1e30).is_err());
    }

    #[test]
    fn gauss_kruger_through_proj() {
        // CGCS2000 / 3-degree Gauss-Kruger CM 117E (EPSG:4548): false easting 500 km, so the
        // district seat (0.363° west of 117E, ~30.8 km) has an easting near 469.2 km.
        let forward = proj::Proj::new_known_crs("EPSG:4326", "EPSG:4548", None).unwrap();
        let (e, n) = forward.convert((116.637, 40.324)).unwrap();
        assert!((469_000.0..469_400.0).contains(&e) && (4_464_000.0..4_466_000.0).contains(&n), "{e} {n}");
        let t = Transformer::new(&Crs::Epsg(4548)).unwrap();
        let (lon, lat) = t.to_wgs84(e, n).unwrap();
        assert!((lon - 116.637).abs() < 1e-9 && (lat - 40.324).abs() < 1e-9, "{lon} {lat}");
        // EPSG:4527 is the same projection with the zone number (39) before the easting.
        let z = Transformer::new(&Crs::Epsg(4527)).unwrap();
        let (lon2, lat2) = z.to_wgs84(39_000_000.0 + e, n).unwrap();
        assert!((lon2 - lon).abs() < 1e-9 && (lat2 - lat).abs() < 1e-9);
        // Web Mercator: x = R·λ.
        let m = Transformer::new(&Crs::Epsg(3857)).unwrap();
        let (lon, lat) = m.to_wgs84(6_378_137.0 * 116.637f64.to_radians(), 0.0).unwrap();
        assert!((lon - 116.637).abs() < 1e-9 && lat.abs() < 1e-9);
        // Threads each get their own PROJ object, with the same answers.
        let expected = t.to_wgs84(e, n).unwrap();
        let handles: Vec<_> = (0..4).map(|_| std::thread::spawn(move || t.to_wgs84(e, n).unwrap())).collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), expected);
        }
    }
}
