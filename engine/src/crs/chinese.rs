//! The Chinese map offsets: GCJ-02 (国测局, the "Mars" coordinates of Amap, Tencent and most
//! phone apps) and BD-09 (Baidu). The forward formulas are the published ones every
//! open-source implementation shares (eviltransform, coordtransform); the inverses solve the
//! forward formula iteratively, to 1e-9° and better, instead of the usual one-step
//! approximation that is off by up to a few metres.

use std::f64::consts::PI;

/// Semi-major axis of the Krasovsky 1940 ellipsoid the GCJ-02 formula uses.
const A: f64 = 6_378_245.0;
/// Its first eccentricity squared, digit for digit as published (the extra digits round away).
#[allow(clippy::excessive_precision)]
const EE: f64 = 0.006_693_421_622_965_943_23;
/// The Baidu constant: π · 3000 / 180.
const X_PI: f64 = PI * 3000.0 / 180.0;
/// Iterations stop once the forward image is this close to the target (degrees).
const TOLERANCE: f64 = 1e-12;
/// More than enough: each fixed-point step shrinks the error about 1,000-fold.
const MAX_ITERATIONS: usize = 30;

/// True outside the rough bounding box of China, where GCJ-02 equals WGS84 (the published
/// `out_of_china` test).
pub fn out_of_china(lon: f64, lat: f64) -> bool {
    !(72.004..=137.8347).contains(&lon) || !(0.8293..=55.8271).contains(&lat)
}

fn transform_lat(x: f64, y: f64) -> f64 {
    let mut ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    ret
}

fn transform_lon(x: f64, y: f64) -> f64 {
    let mut ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    ret
}

/// WGS84 → GCJ-02 (identity outside China).
pub fn wgs84_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    let dlat = transform_lat(lon - 105.0, lat - 35.0);
    let dlon = transform_lon(lon - 105.0, lat - 35.0);
    let rad = lat / 180.0 * PI;
    let magic = 1.0 - EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    let dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let dlon = (dlon * 180.0) / (A / sqrt_magic * rad.cos() * PI);
    (lon + dlon, lat + dlat)
}

/// GCJ-02 → BD-09.
pub fn gcj02_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let z = (lon * lon + lat * lat).sqrt() + 0.00002 * (lat * X_PI).sin();
    let theta = lat.atan2(lon) + 0.000003 * (lon * X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// The published one-step BD-09 → GCJ-02 formula: the starting guess of [`bd09_to_gcj02`].
fn bd09_to_gcj02_approx(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = (lon - 0.0065, lat - 0.006);
    let z = (x * x + y * y).sqrt() - 0.00002 * (y * X_PI).sin();
    let theta = y.atan2(x) - 0.000003 * (x * X_PI).cos();
    (z * theta.cos(), z * theta.sin())
}

/// Solves `forward(p) = target` by fixed-point iteration `p ← p + (target − forward(p))`,
/// which converges because both offsets change by less than 1e-3 per degree.
fn invert(target: (f64, f64), start: (f64, f64), forward: impl Fn(f64, f64) -> (f64, f64)) -> (f64, f64) {
    let mut p = start;
    for _ in 0..MAX_ITERATIONS {
        let f = forward(p.0, p.1);
        let (dx, dy) = (target.0 - f.0, target.1 - f.1);
        p = (p.0 + dx, p.1 + dy);
        if dx.abs() < TOLERANCE && dy.abs() < TOLERANCE {
            break;
        }
    }
    p
}

/// GCJ-02 → WGS84, the exact inverse of [`wgs84_to_gcj02`] (identity outside China).
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    invert((lon, lat), (lon, lat), wgs84_to_gcj02)
}

/// BD-09 → GCJ-02, the exact inverse of [`gcj02_to_bd09`].
pub fn bd09_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    invert((lon, lat), bd09_to_gcj02_approx(lon, lat), gcj02_to_bd09)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Published vectors: wandergis/coordtransform README (JavaScript), the same in its ports
    // (Python `coordTransform_py`, Java `CoordinateUtil` tests): input (116.404, 39.915).
    const INPUT: (f64, f64) = (116.404, 39.915);

    fn close(a: (f64, f64), b: (f64, f64), tol: f64) -> bool {
        (a.0 - b.0).abs() <= tol && (a.1 - b.1).abs() <= tol
    }

    #[test]
    fn forward_formulas_match_published_vectors_bit_for_bit() {
        assert_eq!(wgs84_to_gcj02(INPUT.0, INPUT.1), (116.41024449916938, 39.91640428150164));
        assert_eq!(gcj02_to_bd09(INPUT.0, INPUT.1), (116.41036949371029, 39.92133699351021));
        let (g0, g1) = wgs84_to_gcj02(INPUT.0, INPUT.1);
        assert_eq!(gcj02_to_bd09(g0, g1), (116.41662724378733, 39.922699552216216));
    }

    #[test]
    fn inverses_agree_with_the_published_one_step_ones_to_their_accuracy() {
        // coordtransform's gcj02towgs84 and bd09togcj02 are one-step approximations, off by up
        // to ~1e-5°; ours are exact, so they agree only to that tolerance.
        assert!(close(gcj02_to_wgs84(INPUT.0, INPUT.1), (116.39775550083061, 39.91359571849836), 2e-5));
        assert!(close(bd09_to_gcj02(INPUT.0, INPUT.1), (116.39762729119315, 39.90865673957631), 2e-5));
        assert_eq!(bd09_to_gcj02_approx(INPUT.0, INPUT.1), (116.39762729119315, 39.90865673957631));
    }

    #[test]
    fn outside_china_is_identity() {
        assert_eq!(wgs84_to_gcj02(-74.0, 40.7), (-74.0, 40.7));
        assert_eq!(gcj02_to_wgs84(2.35, 48.85), (2.35, 48.85));
    }

    proptest! {
        #[test]
        fn gcj02_inverse_is_exact(lon in 73.0f64..135.0, lat in 4.0f64..53.0) {
            let (g0, g1) = wgs84_to_gcj02(lon, lat);
            let (w0, w1) = gcj02_to_wgs84(g0, g1);
            prop_assert!((w0 - lon).abs() < 1e-9 && (w1 - lat).abs() < 1e-9, "{} {}", w0 - lon, w1 - lat);
        }

        #[test]
        fn bd09_inverse_is_exact(lon in 73.0f64..135.0, lat in 4.0f64..53.0) {
            let (b0, b1) = gcj02_to_bd09(lon, lat);
            let (g0, g1) = bd09_to_gcj02(b0, b1);
            prop_assert!((g0 - lon).abs() < 1e-9 && (g1 - lat).abs() < 1e-9, "{} {}", g0 - lon, g1 - lat);
        }
    }
}
