//! Web Mercator (EPSG:3857) tile addressing, as XYZ tile servers number tiles.

use std::f64::consts::PI;

/// Deepest zoom accepted: 2^24 tiles a side is finer than a building at the equator.
pub const MAX_ZOOM: u8 = 24;

/// Why a tile address is not valid.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum TileError {
    /// The zoom level is above [`MAX_ZOOM`].
    #[error("zoom {z} is above the maximum {MAX_ZOOM}")]
    Zoom {
        /// The zoom given.
        z: u8,
    },
    /// x or y is outside `0..2^z`.
    #[error("tile {z}/{x}/{y} does not exist: x and y must be below {}", 1u64 << z)]
    OutOfRange {
        /// Zoom.
        z: u8,
        /// Column.
        x: u32,
        /// Row.
        y: u32,
    },
}

/// A valid XYZ tile address: zoom `z`, column `x` from the antimeridian eastwards, row `y`
/// from the north.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TileCoord {
    z: u8,
    x: u32,
    y: u32,
}

impl TileCoord {
    /// Validates a tile address.
    pub fn new(z: u8, x: u32, y: u32) -> Result<Self, TileError> {
        if z > MAX_ZOOM {
            return Err(TileError::Zoom { z });
        }
        let n = 1u64 << z;
        if u64::from(x) >= n || u64::from(y) >= n {
            return Err(TileError::OutOfRange { z, x, y });
        }
        Ok(Self { z, x, y })
    }

    /// Zoom, column, row.
    pub fn zxy(&self) -> (u8, u32, u32) {
        (self.z, self.x, self.y)
    }

    /// WGS84 bounds `[west, south, east, north]` in degrees.
    pub fn bounds(&self) -> [f64; 4] {
        let n = (1u64 << self.z) as f64;
        let lon = |x: f64| x / n * 360.0 - 180.0;
        let lat = |y: f64| (PI * (1.0 - 2.0 * y / n)).sinh().atan().to_degrees();
        let (x, y) = (f64::from(self.x), f64::from(self.y));
        [lon(x), lat(y + 1.0), lon(x + 1.0), lat(y)]
    }

    /// The tile at zoom `z` containing the WGS84 point, if the point is within Web Mercator's
    /// latitude range (±85.0511°).
    pub fn containing(lon: f64, lat: f64, z: u8) -> Result<Self, TileError> {
        let n = (1u64 << z.min(MAX_ZOOM)) as f64;
        let x = ((lon + 180.0) / 360.0 * n).floor();
        let lat_r = lat.to_radians();
        let y = ((1.0 - (lat_r.tan() + 1.0 / lat_r.cos()).ln() / PI) / 2.0 * n).floor();
        let clamp = |v: f64| if v.is_finite() && v >= 0.0 && v < n { v as u32 } else { u32::MAX };
        Self::new(z, clamp(x), clamp(y))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_addresses() {
        assert!(TileCoord::new(0, 0, 0).is_ok());
        assert_eq!(TileCoord::new(1, 2, 0), Err(TileError::OutOfRange { z: 1, x: 2, y: 0 }));
        assert_eq!(TileCoord::new(25, 0, 0), Err(TileError::Zoom { z: 25 }));
    }

    #[test]
    fn bounds_and_containing_agree() {
        // The district seat at z14 (slippy-map formula, computed independently in Python).
        let t = TileCoord::containing(116.637, 40.324, 14).unwrap();
        assert_eq!(t.zxy(), (14, 13500, 6183));
        let [w, s, e, n] = t.bounds();
        assert!(w <= 116.637 && 116.637 < e && s <= 40.324 && 40.324 < n);
        let world = TileCoord::new(0, 0, 0).unwrap().bounds();
        assert!((world[3] - 85.051_128_78).abs() < 1e-6);
        assert!(TileCoord::containing(0.0, 89.0, 3).is_err());
    }
}
