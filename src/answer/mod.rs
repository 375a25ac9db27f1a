//! Answers shared by the CLI and the HTTP API, so that `gridgis locate` and `gridgis geocode`
//! print exactly what the API returns.

mod geocode;
mod locate;
mod route;

pub use self::geocode::{
    BatchGeocodeItem, DEFAULT_RADIUS_M, GeocodeAnswer, GeocodeResult, MAX_RADIUS_M, ReverseAnswer, geocode_answer,
    no_match, result, reverse_answer,
};
pub use self::locate::{GridRef, LocateAnswer, LocateError, TownshipRef, Wgs84, answer, locate, parse_crs};
pub use self::route::{
    CategoryRef, Facility, GeocodeHit, How, Person, RouteAnswer, RouteJson, SubCentre, route_answer,
};

/// The `error` member of an error body; also the `reason` of an item of a batch answer that
/// could not be answered.
#[derive(Debug, serde::Serialize)]
pub struct ErrorBody {
    /// snake_case machine-readable code.
    pub code: &'static str,
    /// Human-readable explanation.
    pub message: String,
}
