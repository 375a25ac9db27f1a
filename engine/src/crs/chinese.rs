//! The Chinese map offsets: GCJ-02 (国测局, the "Mars" coordinates of Amap, Tencent and most
//! phone apps) and BD-09 (Baidu, an offset of GCJ-02).
//!
//! The forward formulas are the published ones every open-source implementation shares
//! (wandergis/coordtransform, googollee/eviltransform), operation for operation, so they agree
//! with them to the last bit or two. The inverses are not the usual one-step approximations
//! (off by up to ~2 m): they solve the forward formula by fixed-point iteration until
//! `forward(inverse(p))` is within 1e-12° of `p`.

use std::f64::consts::PI;

/// Semi-major axis of the Krasovsky 1940 ellipsoid the GCJ-02 formula uses (metres).
const A: f64 = 6_378_245.0;
/// Its first eccentricity squared, digit for digit as the published formula has it (the
/// digits past f64 precision round away).
#[allow(clippy::excessive_precision)]
const EE: f64 = 0.006_693_421_622_965_943_23;
/// The Baidu constant of the published BD-09 formula: π · 3000 / 180.
const X_PI: f64 = PI * 3000.0 / 180.0;
/// The inverses stop once the forward image is this close to the target (degrees); 1e-12° is
/// 0.1 µm, three orders below the 1e-9° promised.
const TOLERANCE: f64 = 1e-12;
/// Each fixed-point step shrinks the error about 300-fold (the offsets change by < 4e-3° per
/// degree), so 4–5 steps reach the tolerance from the published one-step guess. The cap only
/// matters at the edge of the China box, where the forward map jumps and may have no
/// pre-image.
const MAX_ITERATIONS: usize = 30;

/// True outside the rough bounding box of China (the published `out_of_china` test: longitude
/// 72.004–137.8347, latitude 0.8293–55.8271), where GCJ-02 is WGS84 unchanged. Also true for
/// NaN.
fn out_of_china(lon: f64, lat: f64) -> bool {
    !((72.004..=137.8347).contains(&lon) && (0.8293..=55.8271).contains(&lat))
}

/// The published latitude polynomial; `x`, `y` are degrees from (105°E, 35°N); metres-ish.
fn transform_lat(x: f64, y: f64) -> f64 {
    let mut ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    ret
}

/// The published longitude polynomial.
fn transform_lon(x: f64, y: f64) -> f64 {
    let mut ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    ret += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    ret += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    ret += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    ret
}

/// WGS84 → GCJ-02 by the published formula; unchanged outside the China box (and for NaN).
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

/// GCJ-02 → BD-09 by the published Baidu formula (applied everywhere, as Baidu does).
pub fn gcj02_to_bd09(lon: f64, lat: f64) -> (f64, f64) {
    let z = (lon * lon + lat * lat).sqrt() + 0.00002 * (lat * X_PI).sin();
    let theta = lat.atan2(lon) + 0.000003 * (lon * X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

/// The published one-step GCJ-02 → WGS84 approximation (`p − offset(p)`, off by up to ~2 m):
/// the starting guess of [`gcj02_to_wgs84`].
fn gcj02_to_wgs84_one_step(lon: f64, lat: f64) -> (f64, f64) {
    let (g0, g1) = wgs84_to_gcj02(lon, lat);
    (2.0 * lon - g0, 2.0 * lat - g1)
}

/// The published one-step BD-09 → GCJ-02 formula: the starting guess of [`bd09_to_gcj02`].
fn bd09_to_gcj02_one_step(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = (lon - 0.0065, lat - 0.006);
    let z = (x * x + y * y).sqrt() - 0.00002 * (y * X_PI).sin();
    let theta = y.atan2(x) - 0.000003 * (x * X_PI).cos();
    (z * theta.cos(), z * theta.sin())
}

/// Solves `forward(p) = target` by the fixed-point iteration `p ← p + (target − forward(p))`.
/// It converges because `forward(p) − p` changes by far less than 1 per unit of `p` (a
/// contraction); non-finite input stays non-finite and stops at the iteration cap.
fn invert(target: (f64, f64), start: (f64, f64), forward: impl Fn(f64, f64) -> (f64, f64)) -> (f64, f64) {
    let mut p = start;
    for _ in 0..MAX_ITERATIONS {
        let f = forward(p.0, p.1);
        let (dx, dy) = (target.0 - f.0, target.1 - f.1);
        if dx.abs() <= TOLERANCE && dy.abs() <= TOLERANCE {
            break;
        }
        p = (p.0 + dx, p.1 + dy);
    }
    p
}

/// GCJ-02 → WGS84, the inverse of [`wgs84_to_gcj02`]: inside China the result `w` satisfies
/// `wgs84_to_gcj02(w)` within 1e-12° of the input. Unchanged outside the China box. Within
/// ~0.01° inside the box edge, where the forward map jumps, some points have no exact
/// pre-image; they get the iteration's last (finite) estimate.
pub fn gcj02_to_wgs84(lon: f64, lat: f64) -> (f64, f64) {
    if out_of_china(lon, lat) {
        return (lon, lat);
    }
    invert((lon, lat), gcj02_to_wgs84_one_step(lon, lat), wgs84_to_gcj02)
}

/// BD-09 → GCJ-02, the inverse of [`gcj02_to_bd09`]: the result `g` satisfies
/// `gcj02_to_bd09(g)` within 1e-12° of the input.
pub fn bd09_to_gcj02(lon: f64, lat: f64) -> (f64, f64) {
    invert((lon, lat), bd09_to_gcj02_one_step(lon, lat), gcj02_to_bd09)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn assert_close(got: (f64, f64), want: (f64, f64), tol: f64, what: &str) {
        let (d0, d1) = ((got.0 - want.0).abs(), (got.1 - want.1).abs());
        assert!(d0 <= tol && d1 <= tol, "{what}: got {got:?}, want {want:?} (diff {d0:e}, {d1:e}; tolerance {tol:e})");
    }

    /// wandergis/coordtransform, `test/app.js` (the README shows the same numbers): every
    /// function applied to (116.404, 39.915), printed by node.
    const COORDTRANSFORM_INPUT: (f64, f64) = (116.404, 39.915);
    const COORDTRANSFORM_WGS84_TO_GCJ02: (f64, f64) = (116.41024449916938, 39.91640428150164);
    const COORDTRANSFORM_GCJ02_TO_BD09: (f64, f64) = (116.41036949371029, 39.92133699351021);
    const COORDTRANSFORM_BD09_TO_GCJ02: (f64, f64) = (116.39762729119315, 39.90865673957631);
    const COORDTRANSFORM_GCJ02_TO_WGS84: (f64, f64) = (116.39775550083061, 39.91359571849836);

    #[test]
    fn forward_formulas_match_coordtransform() {
        let (lon, lat) = COORDTRANSFORM_INPUT;
        // Same operations in the same order; only the libm `sin`/`atan2` differ from V8's, by
        // an ulp at most, so 1e-13° (10 µm / 1000) is a tight bound.
        assert_close(wgs84_to_gcj02(lon, lat), COORDTRANSFORM_WGS84_TO_GCJ02, 1e-13, "wgs84_to_gcj02");
        assert_close(gcj02_to_bd09(lon, lat), COORDTRANSFORM_GCJ02_TO_BD09, 1e-13, "gcj02_to_bd09");
        // Their inverses are the one-step formulas, which ours start from: same numbers.
        assert_close(
            gcj02_to_wgs84_one_step(lon, lat),
            COORDTRANSFORM_GCJ02_TO_WGS84,
            1e-13,
            "one-step gcj02_to_wgs84",
        );
        assert_close(bd09_to_gcj02_one_step(lon, lat), COORDTRANSFORM_BD09_TO_GCJ02, 1e-13, "one-step bd09_to_gcj02");
    }

    #[test]
    fn exact_inverses_differ_from_the_one_step_ones_only_by_their_error() {
        // coordtransform's gcj02towgs84 / bd09togcj02 are one-step approximations. Ours solve
        // the forward formula exactly, so they agree with the published values only to the
        // one-step error: the offset's change over one offset length, ~5e-6° for GCJ-02
        // (0.5 m) and ~1e-7° for BD-09 (the Baidu terms are tiny).
        let (lon, lat) = COORDTRANSFORM_INPUT;
        let exact = gcj02_to_wgs84(lon, lat);
        assert_close(exact, COORDTRANSFORM_GCJ02_TO_WGS84, 1e-5, "gcj02_to_wgs84 vs one-step");
        assert_close(wgs84_to_gcj02(exact.0, exact.1), COORDTRANSFORM_INPUT, 1e-12, "gcj02 round trip");
        let exact = bd09_to_gcj02(lon, lat);
        assert_close(exact, COORDTRANSFORM_BD09_TO_GCJ02, 1e-6, "bd09_to_gcj02 vs one-step");
        assert_close(gcj02_to_bd09(exact.0, exact.1), COORDTRANSFORM_INPUT, 1e-12, "bd09 round trip");
    }

    /// googollee/eviltransform, `go/transform_test.go` (also `c/test.c`, `javascript/test.js`):
    /// (wgsLat, wgsLng, gcjLat, gcjLng) — note latitude first — for Shanghai, Shenzhen, Beijing.
    const EVILTRANSFORM: [(f64, f64, f64, f64); 3] = [
        (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
        (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
        (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
    ];

    #[test]
    fn gcj02_matches_eviltransform() {
        for (wlat, wlon, glat, glon) in EVILTRANSFORM {
            // eviltransform sums the same terms in another order: last-bits differences only.
            assert_close(wgs84_to_gcj02(wlon, wlat), (glon, glat), 1e-12, "wgs84_to_gcj02");
            // Their own tests allow 5 m (one-step) and 0.5 m ("exact", a 1e-6° bisection);
            // ours recovers the WGS84 point to the precision the GCJ value was printed with.
            assert_close(gcj02_to_wgs84(glon, glat), (wlon, wlat), 1e-11, "gcj02_to_wgs84");
        }
    }

    /// hujiulong/gcoord, `test/unit/crs/{WGS84,GCJ02,BD09}.spec.ts`: each direction applied to
    /// (123, 45), to 8 decimals.
    #[test]
    fn all_directions_match_gcoord_at_123_45() {
        let p = (123.0, 45.0);
        // Forward formulas: the vectors are truncated (not rounded) to 8 decimals, so they sit up
        // to 1e-8° below the exact values.
        assert_close(wgs84_to_gcj02(p.0, p.1), (123.00607541, 45.00197815), 1e-8, "wgs84_to_gcj02");
        assert_close(gcj02_to_bd09(p.0, p.1), (123.00636499, 45.00636899), 1e-8, "gcj02_to_bd09");
        let g = wgs84_to_gcj02(p.0, p.1);
        assert_close(gcj02_to_bd09(g.0, g.1), (123.0124491, 45.0083293), 1e-7, "wgs84 to bd09 (7 decimals)");
        // gcoord's BD09 → GCJ02 is the one-step formula: ours agrees with it exactly before
        // iterating, and to its error (~1e-7°) after.
        assert_close(bd09_to_gcj02_one_step(p.0, p.1), (122.99363304, 44.99365430), 1e-8, "one-step bd09_to_gcj02");
        assert_close(bd09_to_gcj02(p.0, p.1), (122.99363304, 44.99365430), 1e-6, "bd09_to_gcj02");
        // gcoord's GCJ02 → WGS84 iterates until the forward image is within 1e-6° of the
        // target, so it is only that close to our (1e-12°) answer.
        assert_close(gcj02_to_wgs84(p.0, p.1), (122.99395597, 44.99804071), 2e-6, "gcj02_to_wgs84");
        let g = bd09_to_gcj02(p.0, p.1);
        assert_close(gcj02_to_wgs84(g.0, g.1), (122.98762210, 44.99171540), 2e-6, "bd09 to wgs84");
    }

    /// hujiulong/gcoord, `test/fixtures/china-cities.json`: (WGS84, GCJ02, BD09) of city
    /// centres as (lon, lat) to 7 decimals. Zhumadian, Nagqu, Shenyang, Xilinhot, Jiuquan,
    /// Qinzhou: the corners of the country.
    const GCOORD_CITIES: [[(f64, f64); 3]; 6] = [
        [(114.0164322, 33.0133556), (114.022306, 33.0115324), (114.0287781, 33.0176697)],
        [(92.0499619, 31.4784436), (92.0512438, 31.4762063), (92.0576832, 31.4824421)],
        [(123.4253306, 41.8032629), (123.4314787, 41.8057023), (123.438095, 41.8114013)],
        [(116.0414035, 43.9312805), (116.0482308, 43.9334573), (116.0546232, 43.9397782)],
        [(98.4937175, 39.7319946), (98.4943595, 39.7328234), (98.5008441, 39.7388949)],
        [(108.6503952, 21.9828281), (108.6541485, 21.9799392), (108.6607283, 21.9856319)],
    ];

    #[test]
    fn all_directions_match_gcoord_cities() {
        for [wgs, gcj, bd] in GCOORD_CITIES {
            // GCJ02 ↔ BD09 follow the formula: within the 7-decimal rounding of both columns.
            assert_close(gcj02_to_bd09(gcj.0, gcj.1), bd, 1.1e-7, "gcj02_to_bd09");
            assert_close(bd09_to_gcj02(bd.0, bd.1), gcj, 1.1e-7, "bd09_to_gcj02");
            // The WGS84 column is not from the formula: it sits 4.4–5.8e-6° (~0.5 m) off it at
            // every city, in both directions (gcoord's own tests compare at 4 decimals, 5e-5°).
            // 1e-5° (~1 m) still catches any real error in the formula, which moves points by
            // hundreds of metres.
            assert_close(wgs84_to_gcj02(wgs.0, wgs.1), gcj, 1e-5, "wgs84_to_gcj02");
            assert_close(gcj02_to_wgs84(gcj.0, gcj.1), wgs, 1e-5, "gcj02_to_wgs84");
        }
    }

    #[test]
    fn outside_china_gcj02_is_identity() {
        for p in [(-74.0, 40.7), (2.35, 48.85), (72.0, 30.0), (140.0, 35.7), (100.0, 0.5), (100.0, 56.0)] {
            assert_eq!(wgs84_to_gcj02(p.0, p.1), p);
            assert_eq!(gcj02_to_wgs84(p.0, p.1), p);
        }
    }

    #[test]
    fn non_finite_input_gives_non_finite_output_without_hanging() {
        for p in [(f64::NAN, 40.0), (116.0, f64::NAN), (f64::INFINITY, 40.0), (116.0, f64::NEG_INFINITY)] {
            let g = gcj02_to_wgs84(p.0, p.1);
            assert!(!(g.0.is_finite() && g.1.is_finite()), "{p:?} -> {g:?}");
            let b = bd09_to_gcj02(p.0, p.1);
            assert!(!(b.0.is_finite() && b.1.is_finite()), "{p:?} -> {b:?}");
        }
    }

    #[test]
    fn at_the_box_edge_the_inverse_stays_finite_and_near() {
        // Where the forward map jumps (the box edge) a pre-image may not exist; the answer must
        // still be finite and within an offset length (< 0.02°) of the input.
        for lon in [72.004, 72.005, 72.01, 137.83, 137.8347] {
            for lat in [0.8293, 0.83, 0.84, 30.0, 55.82, 55.8271] {
                let w = gcj02_to_wgs84(lon, lat);
                assert!(w.0.is_finite() && w.1.is_finite());
                assert_close(w, (lon, lat), 0.02, "edge");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        /// `forward(inverse(p)) = p` to 1e-9° over China (0.05° inside the box edge, where
        /// every point has a pre-image).
        #[test]
        fn gcj02_inverse_is_exact(lon in 72.06f64..137.78, lat in 0.88f64..55.77) {
            let (w0, w1) = gcj02_to_wgs84(lon, lat);
            let (g0, g1) = wgs84_to_gcj02(w0, w1);
            prop_assert!((g0 - lon).abs() < 1e-9 && (g1 - lat).abs() < 1e-9, "{} {}", g0 - lon, g1 - lat);
        }

        /// And `inverse(forward(p)) = p`: the pre-image found is the point we started from.
        #[test]
        fn gcj02_round_trip(lon in 72.06f64..137.78, lat in 0.88f64..55.77) {
            let (g0, g1) = wgs84_to_gcj02(lon, lat);
            let (w0, w1) = gcj02_to_wgs84(g0, g1);
            prop_assert!((w0 - lon).abs() < 1e-9 && (w1 - lat).abs() < 1e-9, "{} {}", w0 - lon, w1 - lat);
        }

        #[test]
        fn bd09_inverse_is_exact(lon in 72.0f64..138.0, lat in 0.8f64..56.0) {
            let (g0, g1) = bd09_to_gcj02(lon, lat);
            let (b0, b1) = gcj02_to_bd09(g0, g1);
            prop_assert!((b0 - lon).abs() < 1e-9 && (b1 - lat).abs() < 1e-9, "{} {}", b0 - lon, b1 - lat);
        }

        #[test]
        fn bd09_round_trip(lon in 72.0f64..138.0, lat in 0.8f64..56.0) {
            let (b0, b1) = gcj02_to_bd09(lon, lat);
            let (g0, g1) = bd09_to_gcj02(b0, b1);
            prop_assert!((g0 - lon).abs() < 1e-9 && (g1 - lat).abs() < 1e-9, "{} {}", g0 - lon, g1 - lat);
        }

        /// BD-09 is applied worldwide; its inverse must hold everywhere a longitude/latitude can
        /// be, not just in China.
        #[test]
        fn bd09_inverse_is_exact_worldwide(lon in -180.0f64..=180.0, lat in -90.0f64..=90.0) {
            let (g0, g1) = bd09_to_gcj02(lon, lat);
            let (b0, b1) = gcj02_to_bd09(g0, g1);
            prop_assert!((b0 - lon).abs() < 1e-9 && (b1 - lat).abs() < 1e-9, "{} {}", b0 - lon, b1 - lat);
        }
    }
}
