//! The answers of geocoding: `GET`/`POST /geocode`, `GET /reverse`, `gridgis geocode` and
//! `gridgis reverse`.

use std::borrow::Cow;

use gridgis_engine::{Components, Engine, GeocodeError, Geocoded, Match, Reverse};
use serde::Serialize;

use super::ErrorBody;
use super::locate::{GridRef, LocateAnswer, TownshipRef};

/// One geocoding answer.
#[derive(Debug, Serialize)]
pub struct GeocodeResult<'a> {
    /// The standard address text (for a POI its address, else its name).
    pub address: Cow<'a, str>,
    /// The POI's name (level `poi`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    /// The POI's type (level `poi`).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub poi_type: Option<&'a str>,
    /// The layer the POI comes from (level `poi`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<&'a str>,
    /// WGS84 longitude.
    pub lon: f64,
    /// WGS84 latitude.
    pub lat: f64,
    /// `room`, `building`, `house`, `road`, `poi`, `village`, `township` or `district`.
    pub level: &'static str,
    /// 0–1, best first.
    pub score: f64,
    /// The grid the answer lands in.
    pub grid: GridRef<'a>,
    /// Its township (absent for the district).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub township: Option<TownshipRef<'a>>,
    /// The matched address's parts.
    pub components: Components<'a>,
}

/// `GET /geocode` and `gridgis geocode "ADDRESS"`.
#[derive(Debug, Serialize)]
pub struct GeocodeAnswer<'a> {
    /// The query as given.
    pub query: &'a str,
    /// The query after normalization.
    pub normalized: String,
    /// Answers, best first.
    pub results: Vec<GeocodeResult<'a>>,
    /// Why there is no answer (only when `results` is empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<ErrorBody>,
}

/// One item of a `POST /geocode` answer: the best match, or `null` with the reason.
#[derive(Debug, Serialize)]
pub struct BatchGeocodeItem<'a> {
    /// The caller's id, echoed.
    pub id: &'a serde_json::Value,
    /// The best match.
    pub result: Option<GeocodeResult<'a>>,
    /// Why `result` is null.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<ErrorBody>,
}

/// The reason given when nothing in the gazetteer matches.
pub fn no_match() -> ErrorBody {
    ErrorBody {
        code: "no_match",
        message: "no address, place or POI of the district matches this text (level none, score 0)".into(),
    }
}

/// The answer form of one match.
pub fn result<'a>(engine: &'a Engine, m: Match<'a>) -> GeocodeResult<'a> {
    let h = engine.hierarchy();
    let g = h.grid(m.grid);
    GeocodeResult {
        address: m.address,
        name: m.name,
        poi_type: m.poi_type,
        layer: m.layer,
        lon: m.lon,
        lat: m.lat,
        level: m.level.as_str(),
        score: m.score,
        grid: GridRef { code: &g.code, name: &g.name, level: g.level, kind: None },
        township: m.township.and_then(|i| h.townships().get(i)).map(|t| TownshipRef { code: &t.code, name: &t.name }),
        components: m.components,
    }
}

/// The answer to one query, from what the geocoder returned.
pub fn geocode_answer<'a>(
    engine: &'a Engine,
    query: &'a str,
    found: Result<Geocoded<'a>, GeocodeError>,
) -> Result<GeocodeAnswer<'a>, GeocodeError> {
    let found = found?;
    let results: Vec<GeocodeResult<'a>> = found.matches.into_iter().map(|m| result(engine, m)).collect();
    let reason = results.is_empty().then(no_match);
    Ok(GeocodeAnswer { query, normalized: found.normalized, results, reason })
}

/// Default search radius of reverse geocoding, metres (the common web geocoding APIs' default).
pub const DEFAULT_RADIUS_M: f64 = 1_000.0;
/// Largest search radius, metres.
pub const MAX_RADIUS_M: f64 = 50_000.0;

/// The nearest address to a point, as answered.
#[derive(Debug, Serialize)]
pub struct NearAddressAnswer<'a> {
    /// Standard address text.
    pub address: &'a str,
    /// `house` or `building`.
    pub level: &'static str,
    /// Its point.
    pub lon: f64,
    /// Its point.
    pub lat: f64,
    /// Metres from the query point (centimetres).
    pub distance_m: f64,
    /// The leaf grid it lies in.
    pub grid_code: &'a str,
}

/// The nearest POI to a point, as answered.
#[derive(Debug, Serialize)]
pub struct NearPoiAnswer<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub poi_type: Option<&'a str>,
    /// Its address text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<&'a str>,
    /// The layer it comes from.
    pub layer: &'a str,
    /// Its point.
    pub lon: f64,
    /// Its point.
    pub lat: f64,
    /// Metres from the query point (centimetres).
    pub distance_m: f64,
    /// The leaf grid it lies in.
    pub grid_code: &'a str,
}

/// `GET /reverse` and `gridgis reverse`: where the point is (the locate answer), the nearest
/// address and the nearest POI within the radius (`null` beyond it).
#[derive(Debug, Serialize)]
pub struct ReverseAnswer<'a> {
    /// The grid of the point, as `GET /grids/locate` answers it.
    #[serde(flatten)]
    pub located: LocateAnswer<'a>,
    /// Nearest address.
    pub address: Option<NearAddressAnswer<'a>>,
    /// Nearest POI.
    pub poi: Option<NearPoiAnswer<'a>>,
    /// The search radius applied, metres.
    pub radius_m: f64,
}

fn centimetres(d: f64) -> f64 {
    (d * 100.0).round() / 100.0
}

/// The reverse answer from the located point and what lies nearest.
pub fn reverse_answer<'a>(
    engine: &'a Engine,
    located: LocateAnswer<'a>,
    near: Reverse<'a>,
    radius_m: f64,
) -> ReverseAnswer<'a> {
    let code = |g| engine.hierarchy().grid(g).code.as_str();
    ReverseAnswer {
        located,
        address: near.address.map(|a| NearAddressAnswer {
            address: a.address,
            level: a.level.as_str(),
            lon: a.lon,
            lat: a.lat,
            distance_m: centimetres(a.distance_m),
            grid_code: code(a.grid),
        }),
        poi: near.poi.map(|p| NearPoiAnswer {
            name: p.name,
            poi_type: p.kind,
            address: p.address,
            layer: p.layer,
            lon: p.lon,
            lat: p.lat,
            distance_m: centimetres(p.distance_m),
            grid_code: code(p.grid),
        }),
        radius_m,
    }
}
