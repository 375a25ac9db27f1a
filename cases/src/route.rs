//! Routing one case: its location (any CRS) or address → grid, township sub-centre, the people
//! who must act, and the facilities beside it; every answer says how it was matched and how
//! sure it is.

use gridgis_engine::{
    Crs, CrsError, Engine, EngineError, GeocodeError, GeocodeLevel, Geocoder, GridId, Match, Township, Transformer,
    metres_per_degree,
};
use gridgis_layers::{Filter, LayerData, LayerSet};
use serde::Serialize;

use crate::category::{Categories, Category, FacilitySearch};
use crate::request::CaseRequest;
use crate::staff::{Position, Roster};

/// How far a phone's GPS fix is taken to be off, metres: a point closer than this to another
/// grid may belong to it, and its answer says so.
pub const GPS_ACCURACY_M: f64 = 10.0;

/// Why a case could not be routed at all (the caller's request is wrong).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RouteError {
    /// Not JSON.
    #[error("not JSON: {0}")]
    InvalidJson(String),
    /// JSON, but not a case.
    #[error("not a case: {0}")]
    InvalidRequest(String),
    /// Neither a location nor an address.
    #[error("the case has neither a `location` nor an `address`")]
    MissingLocation,
    /// The location's CRS is unknown.
    #[error(transparent)]
    Crs(#[from] CrsError),
    /// The location is not a coordinate.
    #[error("invalid location: {0}")]
    InvalidCoordinate(String),
    /// A text member is too long.
    #[error("{0}")]
    TooLong(String),
    /// `reported_at` is not a time.
    #[error("invalid `reported_at`: {0}")]
    InvalidTime(String),
    /// `max_distance_m` is out of range.
    #[error("`max_distance_m` must be between 0 and {max} metres")]
    InvalidDistance {
        /// The largest accepted.
        max: f64,
    },
}

impl RouteError {
    /// The snake_case error code of CONTRACT.md.
    pub fn code(&self) -> &'static str {
        match self {
            RouteError::InvalidJson(_) => "invalid_json",
            RouteError::InvalidRequest(_) => "invalid_request",
            RouteError::MissingLocation => "missing_location",
            RouteError::Crs(CrsError::Unknown { .. }) => "unknown_crs",
            RouteError::Crs(CrsError::Proj { .. }) => "crs_unavailable",
            RouteError::Crs(_) | RouteError::InvalidCoordinate(_) => "invalid_coordinate",
            RouteError::TooLong(_) => "too_long",
            RouteError::InvalidTime(_) => "invalid_time",
            RouteError::InvalidDistance { .. } => "invalid_distance",
        }
    }
}

/// What became of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// It has a grid and people.
    Routed,
    /// Only its township is known (the address named no more): the sub-centre dispatches it.
    Township,
    /// Outside the district, beyond the tolerance: the district centre transfers it.
    OutsideJurisdiction,
    /// Neither location nor address places it: the district centre dispatches it by hand.
    Unlocated,
}

impl Status {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Routed => "routed",
            Status::Township => "township",
            Status::OutsideJurisdiction => "outside_jurisdiction",
            Status::Unlocated => "unlocated",
        }
    }
}

/// Where the grid came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// The case's coordinates.
    Location,
    /// Its address, geocoded.
    Address,
}

/// How the grid was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The point lies in the grid.
    PointInGrid,
    /// The point lies outside the district, within the tolerance of this grid (border GPS noise).
    NearestGrid,
    /// The point lies outside the district, beyond the tolerance.
    OutsideDistrict,
    /// The address was geocoded.
    Geocoded,
    /// The address matched nothing.
    NoMatch,
}

/// Why a person is on the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Duty {
    /// A grid worker of the case's leaf grid.
    GridWorker,
    /// The leader of the case's level-1 grid.
    GridLeader,
    /// A member of the professional force the category belongs to, answering for the grid.
    Force,
}

/// A person the case goes to, by index into the roster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Assigned {
    /// Index into [`Roster::staff`].
    pub staff: u32,
    /// Why.
    pub duty: Duty,
}

/// A facility beside the case.
#[derive(Clone, Copy, Debug)]
pub struct FacilityHit<'a> {
    /// The layer.
    pub layer: &'a LayerData,
    /// The feature's index in it.
    pub feature: u32,
    /// Metres from the case's point.
    pub distance_m: f64,
}

/// The routing of one case.
#[derive(Debug)]
pub struct Routing<'a> {
    /// What became of it.
    pub status: Status,
    /// Location or address; `None` when neither placed it.
    pub matched_by: Option<MatchedBy>,
    /// How the grid was found.
    pub method: Method,
    /// 0–1: how sure the answer is of its grid (or, outside, of being outside).
    pub confidence: f64,
    /// The CRS of the location used.
    pub crs: Option<Crs>,
    /// The WGS84 point the answer is for (the location, or the geocoded point).
    pub wgs84: Option<(f64, f64)>,
    /// For a location: metres outside the district (0 inside).
    pub distance_m: Option<f64>,
    /// For an address: the best match.
    pub geocode: Option<Match<'a>>,
    /// The grid: the leaf grid of the point; for a village-level address, the level-1 grid.
    pub grid: Option<GridId>,
    /// The township.
    pub township: Option<&'a Township>,
    /// The case's district (its level-0 grid): that of its grid, of its township, of the
    /// district its address names, or, for a point outside every district, of the nearest
    /// one (whose centre transfers it); `None` when nothing places it.
    pub district: Option<GridId>,
    /// The category, if known.
    pub category: Option<&'a Category>,
    /// Who must act.
    pub assignees: Vec<Assigned>,
    /// The dispatchers of the township sub-centre (outside or unlocated: the centre of the
    /// case's district; placed nowhere at all: the first district's).
    pub dispatchers: Vec<u32>,
    /// Facilities beside it.
    pub facilities: Vec<FacilityHit<'a>>,
    /// What the confidence is about: `near_grid_boundary`, `outside_border`, `approximate_location`…
    pub flags: Vec<&'static str>,
    /// What was wrong but did not stop routing: `unknown_category`, `invalid_location`…
    pub warnings: Vec<&'static str>,
    /// When it was reported, seconds since the epoch.
    pub reported_at: i64,
}

/// Everything routing reads; one per request (HTTP) or per batch (CLI).
#[derive(Clone, Copy, Debug)]
pub struct Router<'a> {
    /// The grids.
    pub engine: &'a Engine,
    /// The geocoder.
    pub geocoder: &'a Geocoder,
    /// The layers (facilities, components).
    pub layers: &'a LayerSet,
    /// The staff.
    pub roster: &'a Roster,
    /// The categories.
    pub categories: &'a Categories,
    /// Default tolerance outside the border, metres.
    pub max_distance_m: f64,
    /// Largest tolerance a case may ask for.
    pub max_max_distance_m: f64,
}

/// Transformers by CRS name, so that a batch sets each up once.
#[derive(Debug, Default)]
pub struct Transformers(Vec<(String, Result<Transformer, CrsError>)>);

impl Transformers {
    fn get(&mut self, name: Option<&str>) -> Result<Transformer, CrsError> {
        let name = name.unwrap_or("").trim();
        if let Some((_, t)) = self.0.iter().find(|(n, _)| n == name) {
            return t.clone();
        }
        let t = if name.is_empty() {
            Transformer::new(&Crs::default())
        } else {
            name.parse::<Crs>().and_then(|c| Transformer::new(&c))
        };
        // A batch names a handful of systems; a hostile one could name thousands, so the cache
        // stops growing (each further name is parsed every time).
        if self.0.len() < 64 {
            self.0.push((name.to_owned(), t.clone()));
        }
        t
    }
}

impl<'a> Router<'a> {
    /// Routes one case. `now` is the time stamp of a case that gives none.
    pub fn route(
        &self,
        req: &CaseRequest,
        now: i64,
        transformers: &mut Transformers,
    ) -> Result<Routing<'a>, RouteError> {
        let reported_at = match req.reported_at.as_deref() {
            Some(s) => crate::time::parse_time(s).map_err(RouteError::InvalidTime)?,
            None => now,
        };
        let tolerance = match req.max_distance_m {
            None => self.max_distance_m,
            Some(d) if d.is_finite() && (0.0..=self.max_max_distance_m).contains(&d) => d,
            Some(_) => return Err(RouteError::InvalidDistance { max: self.max_max_distance_m }),
        };
        let mut out = Routing {
            status: Status::Unlocated,
            matched_by: None,
            method: Method::NoMatch,
            confidence: 0.0,
            crs: None,
            wgs84: None,
            distance_m: None,
            geocode: None,
            grid: None,
            township: None,
            district: None,
            category: None,
            assignees: Vec::new(),
            dispatchers: Vec::new(),
            facilities: Vec::new(),
            flags: Vec::new(),
            warnings: Vec::new(),
            reported_at,
        };
        match req.category.as_deref().map(str::trim) {
            None | Some("") => {}
            Some(name) => match self.categories.get(name) {
                Some(c) => out.category = Some(c),
                None => out.warnings.push("unknown_category"),
            },
        }
        let address = req.address.as_deref().filter(|a| !a.trim().is_empty());
        let mut located = false;
        if let Some(p) = &req.location {
            match self.by_location(p.lon, p.lat, p.crs.as_deref(), tolerance, transformers, &mut out) {
                Ok(()) => located = out.status != Status::OutsideJurisdiction || address.is_none(),
                Err(e) if address.is_some() => {
                    // The address may still place the case; the caller hears what was wrong.
                    out.warnings.push(match e {
                        RouteError::Crs(CrsError::Unknown { .. }) => "unknown_crs",
                        _ => "invalid_location",
                    });
                }
                Err(e) => return Err(e),
            }
            if out.status == Status::OutsideJurisdiction && address.is_some() {
                out.warnings.push("location_outside_district");
            }
        }
        if !located {
            match address {
                Some(a) => self.by_address(a, &mut out)?,
                None if req.location.is_none() => return Err(RouteError::MissingLocation),
                None => {}
            }
        } else if let (Some(a), Some(grid)) = (address, out.grid) {
            // Both given: the location decides, and the answer says when the address points
            // at another level-1 grid (a phone fix far from the place described).
            let h = self.engine.hierarchy();
            if let Ok(g) = self.geocoder.geocode(a, 1)
                && let Some(m) = g.matches.first()
                && m.level <= GeocodeLevel::Poi
                && h.ancestor_at(m.grid, 1) != h.ancestor_at(grid, 1)
            {
                out.flags.push("address_elsewhere");
            }
        }
        self.people(&mut out);
        self.facilities(&mut out);
        Ok(out)
    }

    fn by_location(
        &self,
        x: f64,
        y: f64,
        crs: Option<&str>,
        tolerance: f64,
        transformers: &mut Transformers,
        out: &mut Routing<'a>,
    ) -> Result<(), RouteError> {
        let t = transformers.get(crs)?;
        let (lon, lat) = t.to_wgs84(x, y)?;
        out.crs = Some(t.crs());
        out.matched_by = Some(MatchedBy::Location);
        out.wgs84 = Some((lon, lat));
        match self.engine.locate(lon, lat, tolerance) {
            Ok(loc) if loc.inside => {
                out.status = Status::Routed;
                out.method = Method::PointInGrid;
                out.distance_m = Some(0.0);
                out.grid = Some(loc.grid);
                out.confidence = 1.0;
                if let Some(flag) = self.near_other_grid(lon, lat, loc.grid) {
                    out.flags.push(flag);
                    out.confidence = 0.8;
                }
            }
            Ok(loc) => {
                out.status = Status::Routed;
                out.method = Method::NearestGrid;
                out.distance_m = Some(round_cm(loc.distance_m));
                out.grid = Some(loc.grid);
                out.flags.push("outside_border");
                // Sure of the grid at the border, less so the farther out (0.9 → 0.3 at the limit).
                let share = if tolerance > 0.0 { (loc.distance_m / tolerance).min(1.0) } else { 1.0 };
                out.confidence = round3(0.9 - 0.6 * share);
            }
            Err(EngineError::OutsideJurisdiction { distance_m, .. }) => {
                out.status = Status::OutsideJurisdiction;
                out.method = Method::OutsideDistrict;
                out.distance_m = Some(round_cm(distance_m));
                let h = self.engine.hierarchy();
                out.district = self.engine.index().nearest_outside(lon, lat).map(|(g, _)| h.root_of(g));
                // Twice the tolerance out, nobody doubts it.
                out.confidence = round3((0.5 + 0.5 * (distance_m / (2.0 * tolerance.max(1.0)))).min(1.0));
            }
            Err(e) => return Err(RouteError::InvalidCoordinate(e.to_string())),
        }
        if let Some(g) = out.grid {
            let h = self.engine.hierarchy();
            out.township = h.township(g);
            out.district = Some(h.root_of(g));
        }
        Ok(())
    }

    /// `Some(flag)` when a point `GPS_ACCURACY_M` away in some direction lies in another grid
    /// or outside the district.
    fn near_other_grid(&self, lon: f64, lat: f64, grid: GridId) -> Option<&'static str> {
        let (mx, my) = metres_per_degree(lat);
        let (dx, dy) = (GPS_ACCURACY_M / mx, GPS_ACCURACY_M / my);
        let index = self.engine.index();
        let mut flag = None;
        for (ox, oy) in [(dx, 0.0), (-dx, 0.0), (0.0, dy), (0.0, -dy)] {
            match index.locate(lon + ox, lat + oy) {
                Some(g) if g == grid => {}
                Some(_) => flag = flag.or(Some("near_grid_boundary")),
                None => return Some("near_district_border"),
            }
        }
        flag
    }

    fn by_address(&self, address: &str, out: &mut Routing<'a>) -> Result<(), RouteError> {
        let g = match self.geocoder.geocode(address, 1) {
            Ok(g) => g,
            Err(GeocodeError::Empty) => return Err(RouteError::MissingLocation),
            Err(e) => return Err(RouteError::TooLong(e.to_string())),
        };
        // A location that failed leaves its status; the address decides from here.
        out.grid = None;
        out.township = None;
        out.distance_m = None;
        out.matched_by = Some(MatchedBy::Address);
        out.method = Method::Geocoded;
        let Some(m) = g.matches.into_iter().next() else {
            out.status = Status::Unlocated;
            out.method = Method::NoMatch;
            out.matched_by = None;
            out.confidence = 0.0;
            out.wgs84 = None;
            return Ok(());
        };
        let h = self.engine.hierarchy();
        out.wgs84 = Some((m.lon, m.lat));
        out.township = m.township.and_then(|i| h.townships().get(i));
        // Every match lands in a grid of its district (a district-level one, on the district).
        out.district = Some(h.root_of(m.grid));
        // How much of the grid the level pins down: a door plate or a POI pins the leaf; a road
        // only the stretch near the number; a village only its level-1 grid.
        let (status, factor, flag) = match m.level {
            GeocodeLevel::Room | GeocodeLevel::Building | GeocodeLevel::House => (Status::Routed, 1.0, None),
            GeocodeLevel::Poi => (Status::Routed, 0.95, None),
            GeocodeLevel::Road => (Status::Routed, 0.6, Some("approximate_location")),
            GeocodeLevel::Village => (Status::Routed, 0.6, Some("village_level")),
            GeocodeLevel::Township => (Status::Township, 0.4, Some("township_level")),
            GeocodeLevel::District => (Status::Unlocated, 0.0, Some("district_level")),
        };
        out.status = status;
        out.confidence = round3(m.score * factor);
        out.flags.extend(flag);
        if status == Status::Routed {
            out.grid = Some(m.grid);
        }
        if status == Status::Unlocated {
            out.matched_by = None;
        }
        out.geocode = Some(m);
        Ok(())
    }

    fn people(&self, out: &mut Routing<'a>) {
        let h = self.engine.hierarchy();
        let roster = self.roster;
        let with = |code: &str, position: Position| {
            roster.at_unit(code).iter().copied().filter(move |&i| roster.get(i).position == position)
        };
        if let Some(grid) = out.grid {
            if h.children(grid).is_empty() {
                let leaf = &h.grid(grid).code;
                out.assignees
                    .extend(with(leaf, Position::GridWorker).map(|staff| Assigned { staff, duty: Duty::GridWorker }));
            }
            if let Some(l1) = h.ancestor_at(grid, 1) {
                let l1 = &h.grid(l1).code;
                out.assignees
                    .extend(with(l1, Position::GridLeader).map(|staff| Assigned { staff, duty: Duty::GridLeader }));
                if let Some(c) = out.category {
                    out.assignees.extend(
                        roster.force_for(c.force, l1).iter().map(|&staff| Assigned { staff, duty: Duty::Force }),
                    );
                }
            }
        }
        out.dispatchers = match (out.status, out.township) {
            (Status::Routed | Status::Township, Some(t)) => with(&t.code, Position::Dispatcher).collect(),
            _ => match out.district.or_else(|| h.roots().first().copied()) {
                Some(d) => with(&h.grid(d).code, Position::Dispatcher).collect(),
                None => Vec::new(),
            },
        };
    }

    fn facilities(&self, out: &mut Routing<'a>) {
        let (Some(category), Some((lon, lat))) = (out.category, out.wgs84) else { return };
        if out.status == Status::OutsideJurisdiction {
            return;
        }
        let all = Filter::default();
        match &category.facilities {
            None => {}
            Some(FacilitySearch::Nearest(f)) => {
                let mut hits: Vec<FacilityHit<'a>> = Vec::new();
                for id in f.layers {
                    let Some(layer) = self.layers.get(id) else { continue };
                    if let Ok(near) = layer.nearest(lon, lat, f.k, &all, Some(f.radius_m)) {
                        hits.extend(near.into_iter().map(|(feature, distance_m)| FacilityHit {
                            layer: layer.as_ref(),
                            feature,
                            distance_m,
                        }));
                    }
                }
                hits.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m));
                hits.truncate(f.k);
                out.facilities = hits;
            }
            Some(FacilitySearch::Component { layer }) => {
                let near = self.layers.get(layer).and_then(|l| {
                    let hit = l.nearest(lon, lat, 1, &all, Some(crate::category::COMPONENT_RADIUS_M)).ok()?;
                    hit.first().map(|&(feature, distance_m)| FacilityHit { layer: l.as_ref(), feature, distance_m })
                });
                match near {
                    Some(hit) => out.facilities.push(hit),
                    None => out.warnings.push("component_not_found"),
                }
            }
        }
    }
}

fn round_cm(m: f64) -> f64 {
    (m * 100.0).round() / 100.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
