//! The answer of `POST /cases/route` and of each line of `gridgis route`.

use gridgis_cases::{
    CaseId, Category, Duty, FacilityHit, Kind, MatchedBy, Method, Roster, Routing, StaffMember, format_time,
};
use gridgis_engine::Engine;
use gridgis_layers::Value;
use serde::Serialize;
use serde_json::value::RawValue;

use super::locate::{GridRef, TownshipRef, Wgs84};

/// A person on an answer.
#[derive(Debug, Serialize)]
pub struct Person<'a> {
    /// Roster id.
    pub id: &'a str,
    /// Name.
    pub name: &'a str,
    /// `professional`, `city_fulltime`, `coordinator`, `part_time` or `volunteer`.
    pub role: &'static str,
    /// The role in Chinese (overviews only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_name: Option<&'static str>,
    /// `grid_leader`, `grid_worker`, `grid_coordinator`, `dispatcher`, `force_member`, `volunteer`.
    pub position: &'static str,
    /// The position in Chinese (overviews only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position_name: Option<&'static str>,
    /// Phone.
    pub phone: &'a str,
    /// The force, for a force member (Chinese name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub force: Option<&'static str>,
    /// The grid, township or district they belong to (overviews only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_code: Option<&'a str>,
    /// Why they are on this case (assignees only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duty: Option<Duty>,
}

impl<'a> Person<'a> {
    /// The short form a routing answer lists (a year of answers is written in one go: every
    /// byte a person takes is paid 100,000 times over).
    pub fn short(s: &'a StaffMember, duty: Option<Duty>) -> Self {
        Self {
            id: &s.id,
            name: &s.name,
            role: s.role.as_str(),
            role_name: None,
            position: s.position.as_str(),
            position_name: None,
            phone: &s.phone,
            force: s.force.map(|f| f.name_zh()),
            unit_code: None,
            duty,
        }
    }

    /// The full form, with the Chinese names and the unit, for the map's grid panel.
    pub fn full(s: &'a StaffMember) -> Self {
        Self {
            role_name: Some(s.role.name_zh()),
            position_name: Some(s.position.name_zh()),
            unit_code: Some(&s.unit_code),
            ..Self::short(s, None)
        }
    }
}

/// What routing answers repeat, serialized once: every person of the roster (with each duty),
/// every grid, its chain, and every sub-centre with its dispatchers. A year of answers lists
/// the same grids and people thousands of times; copying their JSON costs a fraction of
/// writing it anew (escaping the Chinese text byte by byte).
#[derive(Debug, Default)]
pub struct RouteJson {
    /// Per person: without a duty, then as grid worker, grid leader, force member.
    people: Vec<[Box<RawValue>; 4]>,
    /// Per grid id: the grid (with its kind) and its chain.
    grids: Vec<(Box<RawValue>, Box<RawValue>)>,
    /// Per township (hierarchy order): the sub-centre.
    centres: Vec<(String, Box<RawValue>)>,
    /// Per district (the hierarchy's roots, in order): its command centre.
    districts: Vec<(gridgis_engine::GridId, Box<RawValue>)>,
}

fn raw<T: Serialize>(value: &T) -> Box<RawValue> {
    serde_json::value::to_raw_value(value).unwrap_or_else(|_| RawValue::NULL.to_owned())
}

impl RouteJson {
    /// Serializes the roster's people, the grids and the sub-centres.
    pub fn new(engine: &Engine, roster: &Roster) -> Self {
        let one = |s: &StaffMember, duty: Option<Duty>| raw(&Person::short(s, duty));
        let people = roster
            .staff()
            .iter()
            .map(|s| {
                [
                    one(s, None),
                    one(s, Some(Duty::GridWorker)),
                    one(s, Some(Duty::GridLeader)),
                    one(s, Some(Duty::Force)),
                ]
            })
            .collect();
        let h = engine.hierarchy();
        let grids = (0..h.len())
            .map(|i| {
                let g = h.grid(i as gridgis_engine::GridId);
                let chain: Vec<GridRef<'_>> = h
                    .chain(i as gridgis_engine::GridId)
                    .into_iter()
                    .map(|id| {
                        let c = h.grid(id);
                        GridRef { code: &c.code, name: &c.name, level: c.level, kind: None }
                    })
                    .collect();
                (raw(&GridRef { code: &g.code, name: &g.name, level: g.level, kind: Some(&g.kind) }), raw(&chain))
            })
            .collect();
        let dispatchers = |code: &str| -> Vec<Person<'_>> {
            roster
                .at_unit(code)
                .iter()
                .map(|&i| roster.get(i))
                .filter(|s| s.position == gridgis_cases::Position::Dispatcher)
                .map(|s| Person::short(s, None))
                .collect()
        };
        let centres: Vec<(String, Box<RawValue>)> = h
            .townships()
            .iter()
            .map(|t| {
                let c =
                    SubCentre {
                        code: &t.code, name: format!("{}分中心", t.name), dispatchers: dispatchers(&t.code)
                    };
                (t.code.clone(), raw(&c))
            })
            .collect();
        let districts = h
            .roots()
            .iter()
            .map(|&id| {
                let d = h.grid(id);
                let c =
                    SubCentre {
                        code: &d.code, name: format!("{}指挥中心", d.name), dispatchers: dispatchers(&d.code)
                    };
                (id, raw(&c))
            })
            .collect();
        Self { people, grids, centres, districts }
    }

    fn person(&self, staff: u32, duty: Option<Duty>) -> &RawValue {
        let k = match duty {
            None => 0,
            Some(Duty::GridWorker) => 1,
            Some(Duty::GridLeader) => 2,
            Some(Duty::Force) => 3,
        };
        self.people.get(staff as usize).map_or(RawValue::NULL, |p| &p[k])
    }

    /// The township's sub-centre; without one, the command centre of the case's district;
    /// placed nowhere, the first district's.
    fn centre(&self, township: Option<&str>, district: Option<gridgis_engine::GridId>) -> &RawValue {
        if let Some((_, v)) = township.and_then(|code| self.centres.iter().find(|(c, _)| c == code)) {
            return v;
        }
        let found = district.and_then(|d| self.districts.iter().find(|(id, _)| *id == d));
        found.or(self.districts.first()).map_or(RawValue::NULL, |(_, v)| v)
    }
}

/// The geocoded address an answer came from.
#[derive(Debug, Serialize)]
pub struct GeocodeHit<'a> {
    /// The matched standard address.
    pub address: &'a str,
    /// `room` … `district`.
    pub level: &'static str,
    /// The geocoder's score.
    pub score: f64,
}

/// How the case was matched and how sure the answer is.
#[derive(Debug, Serialize)]
pub struct How<'a> {
    /// `point_in_grid`, `nearest_grid`, `outside_district`, `geocoded` or `no_match`.
    pub method: Method,
    /// 0–1.
    pub confidence: f64,
    /// The CRS of the location used.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "crs_name")]
    pub crs: Option<gridgis_engine::Crs>,
    /// The WGS84 point the answer is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wgs84: Option<Wgs84>,
    /// For a location: metres outside the district (0 inside).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_m: Option<f64>,
    /// For an address: the match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geocode: Option<GeocodeHit<'a>>,
    /// What qualifies the confidence: `near_grid_boundary`, `near_district_border`,
    /// `outside_border`, `approximate_location`, `village_level`, `township_level`,
    /// `district_level`, `address_elsewhere`.
    pub flags: &'a [&'static str],
}

/// The township sub-centre (or, for a case outside or unplaced, the district centre).
#[derive(Debug, Serialize)]
pub struct SubCentre<'a> {
    /// Township (9 digits) or district (6 digits) code.
    pub code: &'a str,
    /// `泉河街道分中心`, or `怀柔区指挥中心`.
    pub name: String,
    /// Its dispatchers.
    pub dispatchers: Vec<Person<'a>>,
}

/// The category as understood.
#[derive(Debug, Serialize)]
pub struct CategoryRef<'a> {
    /// `event` or `component`.
    pub kind: Kind,
    /// The class.
    pub class: &'a str,
    /// The subclass.
    pub subclass: Option<&'a str>,
    /// The professional force (Chinese name).
    pub force: &'static str,
}

impl<'a> CategoryRef<'a> {
    /// The answer form of a category.
    pub fn new(c: &'a Category) -> Self {
        Self { kind: c.kind, class: &c.class, subclass: c.subclass.as_deref(), force: c.force.name_zh() }
    }
}

/// A facility beside the case.
#[derive(Debug, Serialize)]
pub struct Facility<'a> {
    /// Its layer.
    pub layer: &'a str,
    /// The layer's name (the facility's kind).
    pub kind: &'a str,
    /// Its code, if the layer has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'a str>,
    /// Its name, if the layer has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    /// Its state (完好, 破损…), for a component.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<&'a str>,
    /// Its owner, for a component.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dept: Option<&'a str>,
    /// Where (points; absent for a line or area facility).
    pub lon: Option<f64>,
    /// Where.
    pub lat: Option<f64>,
    /// Metres from the case.
    pub distance_m: f64,
}

impl<'a> Facility<'a> {
    fn new(hit: &FacilityHit<'a>) -> Self {
        let layer = hit.layer;
        let record = layer.record(hit.feature);
        let text = |col: &str| -> Option<&'a str> {
            let i = layer.columns().iter().position(|c| c == col)?;
            match record.values.get(i) {
                Some(Value::String(s)) => Some(s.as_str()),
                _ => None,
            }
        };
        let (lon, lat) = match &record.geometry {
            geo_types::Geometry::Point(p) => (Some(p.x()), Some(p.y())),
            _ => (None, None),
        };
        Self {
            layer: &layer.entry().id,
            kind: &layer.entry().name,
            code: text("code"),
            name: text("name"),
            state: text("state"),
            dept: text("dept"),
            lon,
            lat,
            distance_m: (hit.distance_m * 100.0).round() / 100.0,
        }
    }
}

/// The routing answer.
#[derive(Debug, Serialize)]
pub struct RouteAnswer<'a> {
    /// The case id, echoed.
    pub id: &'a CaseId,
    /// `routed`, `township`, `outside_jurisdiction` or `unlocated`.
    pub status: &'static str,
    /// `location` or `address`; null when neither placed the case.
    pub matched_by: Option<MatchedBy>,
    /// How, and how sure.
    #[serde(rename = "match")]
    pub how: How<'a>,
    /// The grid (`{code,name,level,kind}`).
    pub grid: Option<&'a RawValue>,
    /// From level 0 down to the grid (`[{code,name,level}…]`; empty without a grid).
    pub chain: &'a RawValue,
    /// The township.
    pub township: Option<TownshipRef<'a>>,
    /// Who dispatches: a [`SubCentre`].
    pub sub_centre: &'a RawValue,
    /// The category as understood.
    pub category: Option<CategoryRef<'a>>,
    /// Who must act.
    pub assignees: Vec<&'a RawValue>,
    /// Facilities beside the case.
    pub facilities: Vec<Facility<'a>>,
    /// What was wrong but did not stop routing: `unknown_category`, `invalid_location`,
    /// `unknown_crs`, `location_outside_district`, `component_not_found`, `duplicate_id`.
    pub warnings: &'a [&'static str],
    /// When the case was reported (Beijing time).
    pub reported_at: String,
}

/// The answer for a routing.
pub fn route_answer<'a>(json: &'a RouteJson, id: &'a CaseId, r: &'a Routing<'a>) -> RouteAnswer<'a> {
    const EMPTY: &str = "[]";
    let grid = r.grid.and_then(|g| json.grids.get(g as usize));
    let centre = match r.status {
        gridgis_cases::Status::Routed | gridgis_cases::Status::Township => r.township.map(|t| t.code.as_str()),
        _ => None,
    };
    RouteAnswer {
        id,
        status: r.status.as_str(),
        matched_by: r.matched_by,
        how: How {
            method: r.method,
            confidence: r.confidence,
            crs: r.crs,
            wgs84: r.wgs84.map(|(lon, lat)| Wgs84 { lon: round6(lon), lat: round6(lat) }),
            distance_m: r.distance_m,
            geocode: r.geocode.as_ref().map(|m| GeocodeHit {
                address: &m.address,
                level: m.level.as_str(),
                score: m.score,
            }),
            flags: &r.flags,
        },
        grid: grid.map(|g| &*g.0),
        chain: grid.map_or_else(|| empty_array(EMPTY), |g| &*g.1),
        township: r.township.map(|t| TownshipRef { code: &t.code, name: &t.name }),
        sub_centre: json.centre(centre, r.district),
        category: r.category.map(CategoryRef::new),
        assignees: r.assignees.iter().map(|a| json.person(a.staff, Some(a.duty))).collect(),
        facilities: r.facilities.iter().map(Facility::new).collect(),
        warnings: &r.warnings,
        reported_at: format_time(r.reported_at),
    }
}

/// `[]` as a raw value.
fn empty_array(_: &str) -> &'static RawValue {
    static EMPTY: std::sync::LazyLock<Box<RawValue>> = std::sync::LazyLock::new(|| {
        RawValue::from_string("[]".to_owned()).unwrap_or_else(|_| RawValue::NULL.to_owned())
    });
    &EMPTY
}

fn crs_name<S: serde::Serializer>(crs: &Option<gridgis_engine::Crs>, s: S) -> Result<S::Ok, S::Error> {
    match crs {
        Some(c) => s.collect_str(c),
        None => s.serialize_none(),
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
