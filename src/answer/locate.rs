//! The answer to "where is this point": shared by `GET`/`POST /grids/locate`, `GET /reverse`
//! and `gridgis locate`.

use gridgis_engine::{Crs, CrsError, Engine, EngineError, Location, Transformer};
use serde::Serialize;

/// A grid as it appears in answers.
#[derive(Debug, Serialize)]
pub struct GridRef<'a> {
    /// Grid code.
    pub code: &'a str,
    /// Grid name.
    pub name: &'a str,
    /// Level, 0–4.
    pub level: u8,
    /// Kind; only on the located grid itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'a str>,
}

/// A township as it appears in answers.
#[derive(Debug, Serialize)]
pub struct TownshipRef<'a> {
    /// 9-digit code.
    pub code: &'a str,
    /// Name.
    pub name: &'a str,
}

/// The point in WGS84, after any coordinate conversion.
#[derive(Debug, Serialize)]
pub struct Wgs84 {
    /// Longitude.
    pub lon: f64,
    /// Latitude.
    pub lat: f64,
}

/// The locate answer of CONTRACT.md, plus the WGS84 point it was computed for.
#[derive(Debug, Serialize)]
pub struct LocateAnswer<'a> {
    /// True when the point is in the district.
    pub inside: bool,
    /// 0 inside; outside, metres to the grid (rounded to the centimetre).
    pub distance_m: f64,
    /// The finest grid (outside: the nearest).
    pub grid: GridRef<'a>,
    /// From level 0 down to the grid.
    pub chain: Vec<GridRef<'a>>,
    /// The township; absent only if the grid is the district itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub township: Option<TownshipRef<'a>>,
    /// The point in WGS84.
    pub wgs84: Wgs84,
}

/// Why a point could not be located.
#[derive(Debug, thiserror::Error)]
pub enum LocateError {
    /// The coordinate system, or the conversion of this point.
    #[error(transparent)]
    Crs(#[from] CrsError),
    /// Invalid coordinates or outside the district.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl LocateError {
    /// The snake_case error code of CONTRACT.md.
    pub fn code(&self) -> &'static str {
        match self {
            LocateError::Engine(EngineError::OutsideJurisdiction { .. }) => "outside_jurisdiction",
            LocateError::Crs(CrsError::Unknown { .. }) => "unknown_crs",
            // PROJ could not set up a transformation it accepted before: ours, not the caller's.
            LocateError::Crs(CrsError::Proj { .. }) => "crs_unavailable",
            _ => "invalid_coordinate",
        }
    }
}

/// Converts `(x, y)` in the transformer's CRS to WGS84 and locates it.
pub fn locate(
    engine: &Engine,
    transformer: &Transformer,
    x: f64,
    y: f64,
    max_distance_m: f64,
) -> Result<(Location, Wgs84), LocateError> {
    let (lon, lat) = transformer.to_wgs84(x, y)?;
    let location = engine.locate(lon, lat, max_distance_m)?;
    Ok((location, Wgs84 { lon, lat }))
}

/// Builds the answer for a located point.
pub fn answer(engine: &Engine, location: Location, wgs84: Wgs84) -> LocateAnswer<'_> {
    let h = engine.hierarchy();
    let grid = h.grid(location.grid);
    let chain = h
        .chain(location.grid)
        .into_iter()
        .map(|id| {
            let g = h.grid(id);
            GridRef { code: &g.code, name: &g.name, level: g.level, kind: None }
        })
        .collect();
    LocateAnswer {
        inside: location.inside,
        distance_m: (location.distance_m * 100.0).round() / 100.0,
        grid: GridRef { code: &grid.code, name: &grid.name, level: grid.level, kind: Some(&grid.kind) },
        chain,
        township: h.township(location.grid).map(|t| TownshipRef { code: &t.code, name: &t.name }),
        wgs84,
    }
}

/// Parses a CRS name as the API and CLI accept it.
pub fn parse_crs(name: Option<&str>) -> Result<(Crs, Transformer), LocateError> {
    let crs: Crs = match name {
        None | Some("") => Crs::default(),
        Some(s) => s.parse()?,
    };
    let transformer = Transformer::new(&crs)?;
    Ok((crs, transformer))
}
