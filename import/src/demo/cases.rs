//! The demo case stream: one year (2025-12-01 to 2026-11-30, Beijing time) of 98,115 cases as
//! the intake system would send them, one JSON body of `POST /cases/route` a line.
//!
//! - Times follow the day (quiet at night, peaks mid-morning and mid-afternoon) and the week
//!   (weekdays busier), with a summer swell.
//! - Events (市容环境, 宣传广告, 施工管理, 街面秩序, 突发事件) happen where people live: at the
//!   gazetteer's addresses, with phone GPS noise; component cases at a component of the
//!   subclass they name.
//! - About 20% carry an address only, 10% GCJ-02 coordinates (as Amap-based apps send), a few
//!   BD-09; a few dozen lie outside the border (GPS noise near it, or far off), and a dozen lines
//!   are malformed (broken JSON, no location, unknown CRS, coordinates out of range).

use gridgis_cases::{CaseId, CaseRequest, PointIn};
use gridgis_engine::{Engine, EngineError, gcj02_to_bd09, metres_per_degree, wgs84_to_gcj02};
use gridgis_layers::{Feature, Value};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::grids::rng_for;
use super::layers::Layer;

/// Lines in the demo stream.
pub const CASE_TOTAL: usize = 98_115;
/// Of which malformed.
pub const MALFORMED: usize = 12;
/// Of which outside the border within GPS-noise distance (30–400 m).
pub const NEAR_OUTSIDE: usize = 60;
/// Of which far outside (2–15 km).
pub const FAR_OUTSIDE: usize = 25;

/// 2025-12-01T00:00:00+08:00, seconds since the epoch.
const YEAR_START: i64 = 1_764_518_400;
const DAYS: i64 = 365;

/// Reports per hour of the day, relative.
const HOURS: [f64; 24] = [
    0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 4.0, 5.0, 5.0, 4.5, 3.0, 3.5, 4.5, 4.5, 4.0, 3.5, 3.0, 2.5, 2.0, 1.5, 1.0,
    0.5,
];

/// Event classes and their shares of event cases.
const CLASS_SHARES: [(&str, f64); 5] =
    [("市容环境", 0.38), ("街面秩序", 0.26), ("宣传广告", 0.15), ("施工管理", 0.12), ("突发事件", 0.09)];
/// Share of component cases among well-formed cases.
const COMPONENT_SHARE: f64 = 0.14;
/// Share of address-only cases among event cases (events are 86%: 0.233 × 0.86 ≈ 20% of all).
const ADDRESS_ONLY_SHARE: f64 = 0.233;
/// Share of GCJ-02 points among located cases (≈ 10% of all).
const GCJ02_SHARE: f64 = 0.125;
const BD09_SHARE: f64 = 0.006;
/// Phone GPS noise, metres (standard deviation per axis).
const GPS_SIGMA_M: f64 = 8.0;

const SOURCES: [(&str, f64); 5] =
    [("12345热线", 0.42), ("网格员巡查", 0.30), ("随手拍", 0.16), ("视频监控", 0.07), ("部门移交", 0.05)];

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [(T, f64)]) -> &'a T {
    let sum: f64 = items.iter().map(|i| i.1).sum();
    let mut u = rng.random::<f64>() * sum;
    for (item, w) in items {
        if u < *w {
            return item;
        }
        u -= w;
    }
    &items[items.len() - 1].0
}

fn text<'a>(f: &'a Feature, key: &str) -> Option<&'a str> {
    f.properties
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| if let Value::String(s) = v { Some(s.as_str()) } else { None })
}

fn point(f: &Feature) -> Option<(f64, f64)> {
    match &f.geometry {
        geo_types::Geometry::Point(p) => Some((p.x(), p.y())),
        _ => None,
    }
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller.
    let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-12), rng.random());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn jitter(rng: &mut ChaCha8Rng, (lon, lat): (f64, f64), sigma_m: f64) -> (f64, f64) {
    let (mx, my) = metres_per_degree(lat);
    (lon + normal(rng) * sigma_m / mx, lat + normal(rng) * sigma_m / my)
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A time in the year, with the day's and the week's rhythm.
fn when(rng: &mut ChaCha8Rng) -> i64 {
    loop {
        let day = rng.random_range(0..DAYS);
        // 2025-12-01 is a Monday: day % 7 ≥ 5 is a weekend.
        let week = if day % 7 >= 5 { 0.65 } else { 1.1 };
        // Summer (days ~180–270 from December) brings more street cases.
        let season =
            1.0 + 0.25 * ((day as f64 - 45.0) / DAYS as f64 * std::f64::consts::TAU - std::f64::consts::PI).cos();
        if rng.random::<f64>() * 1.4 < week * season {
            let hour = pick(rng, &HOURS.iter().enumerate().map(|(h, w)| (h as i64, *w)).collect::<Vec<_>>()).to_owned();
            return YEAR_START + day * 86_400 + hour * 3_600 + rng.random_range(0..3_600);
        }
    }
}

/// One well-formed case before its id and time: (request without id, time).
struct Draft {
    t: i64,
    req: CaseRequest,
}

/// The demo stream's lines, in time order, over the generated layers (the gazetteer and the
/// component layers) and grids.
pub fn stream(layers: &[Layer], engine: &Engine, seed: u64) -> Vec<String> {
    let mut rng = rng_for(seed, "cases", "", 0);
    let addresses: Vec<&Feature> = layers
        .iter()
        .find(|l| l.meta.id == gridgis_layers::ADDRESSES_LAYER)
        .map_or(vec![], |l| l.features.iter().collect());
    let components: Vec<(&Layer, f64)> = layers
        .iter()
        .filter(|l| l.meta.category == super::CATEGORY_COMPONENTS && !l.features.is_empty())
        // Lamps and manholes break far more often than bridges do: cases follow the counts.
        .map(|l| (l, (l.features.len() as f64).sqrt()))
        .collect();
    let events: Vec<(&str, Vec<&str>)> = gridgis_cases::event_table().collect();
    let outline: Vec<(f64, f64)> = engine
        .hierarchy()
        .grids()
        .iter()
        .filter(|g| g.level == 0)
        .flat_map(|g| g.geometry.0.iter().flat_map(|p| p.exterior().0.iter().map(|c| (c.x, c.y))))
        .collect();
    let centre = outline.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
    let centre = (centre.0 / outline.len().max(1) as f64, centre.1 / outline.len().max(1) as f64);
    let mut drafts: Vec<Draft> = Vec::with_capacity(CASE_TOTAL);
    let well_formed = CASE_TOTAL - MALFORMED;
    let blank = || CaseRequest {
        id: CaseId::Int(0),
        category: None,
        description: None,
        location: None,
        address: None,
        reported_at: None,
        source: None,
        max_distance_m: None,
    };
    while drafts.len() < well_formed && !addresses.is_empty() {
        let t = when(&mut rng);
        let mut req = blank();
        req.source = Some((*pick(&mut rng, &SOURCES)).to_owned());
        let outside = drafts.len() < NEAR_OUTSIDE + FAR_OUTSIDE;
        let (at, place) = if !outside && !components.is_empty() && rng.random::<f64>() < COMPONENT_SHARE {
            let layer = *pick::<&Layer>(&mut rng, &components);
            let f = &layer.features[rng.random_range(0..layer.features.len())];
            let class = text(f, "class").unwrap_or("其他设施");
            let problem = ["破损", "丢失", "占用", "损坏"][rng.random_range(0..4)];
            req.category = Some(format!("{class}/{}", layer.meta.name));
            req.description = Some(format!("{}{problem}，编号{}", layer.meta.name, text(f, "code").unwrap_or("不详")));
            (point(f).map(|p| jitter(&mut rng, p, GPS_SIGMA_M / 2.0)), None)
        } else {
            let class = *pick(&mut rng, &CLASS_SHARES);
            let subs = events.iter().find(|(c, _)| *c == class).map_or(&[][..], |(_, s)| &s[..]);
            let weights: Vec<(&str, f64)> =
                subs.iter().enumerate().map(|(i, s)| (*s, 1.0 / (i as f64 + 1.5))).collect();
            let sub = *pick(&mut rng, &weights);
            req.category = Some(if rng.random::<f64>() < 0.1 { sub.to_owned() } else { format!("{class}/{sub}") });
            let a = addresses[rng.random_range(0..addresses.len())];
            let text_ = text(a, "address").unwrap_or("");
            req.description =
                Some(format!("群众反映{}附近{sub}，请核实处理", text_.trim_start_matches("北京市怀柔区")));
            (point(a).map(|p| jitter(&mut rng, p, GPS_SIGMA_M)), Some(text_.to_owned()))
        };
        let Some(mut at) = at else { continue };
        if outside {
            // Step out of the border: from a border vertex away from the district's middle.
            let near = drafts.len() < NEAR_OUTSIDE;
            let v = outline[rng.random_range(0..outline.len())];
            let (dx, dy) = (v.0 - centre.0, v.1 - centre.1);
            let len = (dx * dx + dy * dy).sqrt().max(1e-9);
            let d_m = if near { rng.random_range(30.0..400.0) } else { rng.random_range(2_000.0..15_000.0) };
            let (mx, my) = metres_per_degree(v.1);
            at = (v.0 + dx / len * d_m / mx, v.1 + dy / len * d_m / my);
            let ok = match engine.locate(at.0, at.1, 400.0) {
                Ok(l) => near && !l.inside && l.distance_m >= 20.0,
                Err(EngineError::OutsideJurisdiction { distance_m, .. }) => !near && distance_m > 1_000.0,
                Err(_) => false,
            };
            if !ok {
                continue;
            }
        }
        let address_only = !outside && place.is_some() && rng.random::<f64>() < ADDRESS_ONLY_SHARE;
        if address_only {
            let full = place.unwrap_or_default();
            // As hotline operators type it: in full, without the city, or without city and district.
            let u: f64 = rng.random();
            req.address = Some(if u < 0.6 {
                full
            } else if u < 0.85 {
                full.trim_start_matches("北京市").to_owned()
            } else {
                full.trim_start_matches("北京市怀柔区").to_owned()
            });
        } else {
            let u: f64 = rng.random();
            let (x, y, crs) = if u < GCJ02_SHARE {
                let (x, y) = wgs84_to_gcj02(at.0, at.1);
                (x, y, Some("gcj02"))
            } else if u < GCJ02_SHARE + BD09_SHARE {
                let (gx, gy) = wgs84_to_gcj02(at.0, at.1);
                let (x, y) = gcj02_to_bd09(gx, gy);
                (x, y, Some("bd09"))
            } else {
                (at.0, at.1, None)
            };
            req.location = Some(PointIn { lon: round6(x), lat: round6(y), crs: crs.map(str::to_owned) });
        }
        drafts.push(Draft { t, req });
    }
    drafts.sort_by_key(|d| d.t);
    // Ids per day, in order: HR + date + five-digit sequence, as a case system numbers them.
    let mut lines: Vec<(i64, String)> = Vec::with_capacity(CASE_TOTAL);
    let mut day = -1;
    let mut seq = 0;
    for mut d in drafts {
        let this_day = (d.t - YEAR_START) / 86_400;
        if this_day != day {
            (day, seq) = (this_day, 0);
        }
        seq += 1;
        let stamp = gridgis_cases::format_time(d.t);
        d.req.id = CaseId::Text(format!("HR{}{seq:05}", stamp[..10].replace('-', "")));
        d.req.reported_at = Some(stamp);
        lines.push((d.t, serde_json::to_string(&d.req).unwrap_or_default()));
    }
    // The malformed dozen, at random times among the rest.
    let bad = [
        r#"{"id":"BAD-01","category":"市容环境/暴露垃圾","location":{"lon":116.63,"lat":40.32"#.to_owned(),
        r#"{"id":"BAD-02","category":"街面秩序","location":{"lon":"116.62x","lat":40.31}}"#.to_owned(),
        r#"id=BAD-03&lon=116.6&lat=40.3"#.to_owned(),
        r#"{"id":"BAD-04","category":"宣传广告/非法小广告",}"#.to_owned(),
        r#"{"id":"BAD-05","category":"市容环境/暴露垃圾","description":"无位置信息"}"#.to_owned(),
        r#"{"id":"BAD-06","category":"施工管理/施工扰民"}"#.to_owned(),
        r#"{"id":"BAD-07","address":"   ","category":"街面秩序/占道经营"}"#.to_owned(),
        r#"{"id":"BAD-08","location":{"lon":116.63,"lat":40.32,"crs":"mars"}}"#.to_owned(),
        r#"{"id":"BAD-09","location":{"lon":116.63,"lat":40.32,"crs":"EPSG:999999"}}"#.to_owned(),
        r#"{"id":"BAD-10","location":{"lon":216.63,"lat":40.32}}"#.to_owned(),
        r#"{"id":"BAD-11","location":{"lon":116.63,"lat":-140.32}}"#.to_owned(),
        r#"{"category":"市容环境","location":{"lon":116.63,"lat":40.32}}"#.to_owned(),
    ];
    debug_assert_eq!(bad.len(), MALFORMED);
    for b in bad {
        let t = when(&mut rng);
        lines.push((t, b));
    }
    lines.sort_by_key(|l| l.0);
    lines.into_iter().map(|l| l.1).collect()
}
