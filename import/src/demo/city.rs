//! A city of several districts, for measuring one server on a whole city's data: the demo
//! district (Huairou) and copies of it standing for Beijing's other districts.
//!
//! A copy is district 0 moved and renamed, not generated anew (a copy costs a transform, not a
//! generator run):
//! - every geometry (grids, townships, features, case points) shifted by the copy's offset, so
//!   that the copies tile the plane in [`COLUMNS`] columns without overlapping;
//! - every code of the district (grid, township, village, component, building codes, which all
//!   begin with `110116`) given the copy's district code instead;
//! - every text naming the district (`怀柔区`, `怀柔`, as in `北京市怀柔区…`, `怀柔地区`,
//!   `国网北京怀柔供电公司`) the copy's name instead;
//! - thematic layer ids suffixed `_d<code>` and names `（<district>）`, so the city has one
//!   layer of each per district; the system layers (`grids`, `townships`, `addresses`) are one
//!   each, holding every district;
//! - staff (ids `CY-S-000001` for 朝阳区…) and cases (ids `CY20251201…`) likewise; a copy's
//!   people keep district 0's invented names and phone numbers.
//!
//! In a copy's case log, a case placed by its location is routed again over the copy's grids
//! (its point, moved through WGS84 and rounded again in its own system, may fall a few
//! centimetres across a grid boundary); one placed by its address is district 0's answer moved
//! and renamed, which is what the city's gazetteer answers for the copy's address (the copy of
//! the same entry). The dozen malformed lines stay district 0's.
//!
//! The offsets are multiples of 1/64° and every coordinate stays within 64–128°E and 32–64°N,
//! where adding such an offset to an `f64` is exact: a copy's shared boundaries stay shared
//! vertex for vertex, and each point keeps the grid it was in.

use geo::MapCoords;
use geo_types::{Coord, Geometry, MultiPolygon};
use gridgis_cases::{CaseId, CaseRequest, Logged, MatchedBy, PointIn, StaffMember};
use gridgis_engine::{Grid, Township, bd09_to_gcj02, gcj02_to_bd09, gcj02_to_wgs84, wgs84_to_gcj02};
use gridgis_layers::{Feature, LayerMeta, Value};

use super::DemoError;
use super::layers::Layer;

/// A district of the city: its code, name and the prefix of its case and staff ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CityDistrict {
    /// The 6-digit statistical code (GB/T 2260).
    pub code: &'static str,
    /// The Chinese name, ending in `区`.
    pub name: &'static str,
    /// The prefix of its case and staff ids (the pinyin initials of its name).
    pub prefix: &'static str,
}

const fn d(code: &'static str, name: &'static str, prefix: &'static str) -> CityDistrict {
    CityDistrict { code, name, prefix }
}

/// Beijing's 16 districts (GB/T 2260 codes): Huairou, the generated one, first; then the
/// others in code order, the order copies take them.
pub const CITY_DISTRICTS: [CityDistrict; 16] = [
    d("110116", "怀柔区", "HR"),
    d("110101", "东城区", "DC"),
    d("110102", "西城区", "XC"),
    d("110105", "朝阳区", "CY"),
    d("110106", "丰台区", "FT"),
    d("110107", "石景山区", "SJS"),
    d("110108", "海淀区", "HD"),
    d("110109", "门头沟区", "MTG"),
    d("110111", "房山区", "FS"),
    d("110112", "通州区", "TZ"),
    d("110113", "顺义区", "SY"),
    d("110114", "昌平区", "CP"),
    d("110115", "大兴区", "DX"),
    d("110117", "平谷区", "PG"),
    d("110118", "密云区", "MY"),
    d("110119", "延庆区", "YQ"),
];

/// Most districts a city may have: Beijing's.
pub const MAX_DISTRICTS: usize = CITY_DISTRICTS.len();

/// Copies per row: 16 districts make a 4 × 4 block.
pub const COLUMNS: usize = 4;

/// Space between two copies' bounding boxes, degrees. The demo's far-outside cases lie up to
/// 15 km from the border; 0.25° is ≥ 21 km east–west at these latitudes (28 km north–south),
/// so such a case never comes within the 500 m border tolerance of a neighbouring copy.
const MARGIN_DEG: f64 = 0.25;

/// Offsets are whole multiples of this (1/64°): exact in binary, see the module docs.
const OFFSET_QUANTUM: f64 = 1.0 / 64.0;

/// Where `f64` addition of a multiple of [`OFFSET_QUANTUM`] is exact: longitudes keep their
/// binary exponent in [64, 128), latitudes in [32, 64).
const EXACT_LON: std::ops::Range<f64> = 64.0..128.0;
const EXACT_LAT: std::ops::Range<f64> = 32.0..64.0;

/// District 0's name without its `区`: the stem its text writes (`怀柔`).
const BASE_STEM: &str = "怀柔";

/// How the copies are laid out: column `k % COLUMNS` east of district 0, row `k / COLUMNS`
/// south of it, a bounding box plus the margin apart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Layout {
    /// Degrees between two columns.
    pub step_lon: f64,
    /// Degrees between two rows.
    pub step_lat: f64,
}

impl Layout {
    /// The layout for `districts` copies of a district with this bounding box (`[min lon, min
    /// lat, max lon, max lat]`).
    ///
    /// # Errors
    /// When a copy would leave the range where its shift is exact (64–128°E, 32–64°N).
    pub fn new(bbox: [f64; 4], districts: usize) -> Result<Self, DemoError> {
        let step = |extent: f64| ((extent + MARGIN_DEG) / OFFSET_QUANTUM).ceil() * OFFSET_QUANTUM;
        let layout = Self { step_lon: step(bbox[2] - bbox[0]), step_lat: step(bbox[3] - bbox[1]) };
        let rows = districts.div_ceil(COLUMNS).max(1);
        let cols = districts.clamp(1, COLUMNS);
        let east = bbox[2] + layout.step_lon * (cols - 1) as f64;
        let south = bbox[1] - layout.step_lat * (rows - 1) as f64;
        let exact = [(EXACT_LON, bbox[0]), (EXACT_LON, east), (EXACT_LAT, south), (EXACT_LAT, bbox[3])];
        if !exact.iter().all(|(range, x)| range.contains(x)) {
            return Err(DemoError::Geometry(format!(
                "{districts} copies of a district spanning {bbox:?} reach {east:.3}°E, {south:.3}°N, beyond \
                 {EXACT_LON:?}°E × {EXACT_LAT:?}°N"
            )));
        }
        Ok(layout)
    }

    /// The offset (degrees east, degrees north) of copy `k` (0 for district 0).
    pub fn offset(&self, k: usize) -> (f64, f64) {
        let (col, row) = (k % COLUMNS, k / COLUMNS);
        (self.step_lon * col as f64, -(self.step_lat * row as f64))
    }
}

/// One copy: district `k` of the city, made from district 0.
#[derive(Clone, Debug)]
pub struct Replica {
    district: CityDistrict,
    /// The name without `区`, as in `北京朝阳供电公司`.
    stem: &'static str,
    dx: f64,
    dy: f64,
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

impl Replica {
    /// Copy `k` (1 ≤ k < [`MAX_DISTRICTS`]) under `layout`; `None` for any other `k`.
    pub fn new(layout: &Layout, k: usize) -> Option<Self> {
        let district = *CITY_DISTRICTS.get(k).filter(|_| k > 0)?;
        let (dx, dy) = layout.offset(k);
        Some(Self { district, stem: district.name.trim_end_matches('区'), dx, dy })
    }

    /// A code of district 0 (`110116…`) as this district's; other text unchanged.
    pub fn code(&self, code: &str) -> String {
        match code.strip_prefix(CITY_DISTRICTS[0].code) {
            Some(rest) => format!("{}{rest}", self.district.code),
            None => code.to_owned(),
        }
    }

    /// Text naming district 0 (`怀柔区`, `怀柔`) naming this district instead.
    pub fn text(&self, text: &str) -> String {
        if text.contains(BASE_STEM) { text.replace(BASE_STEM, self.stem) } else { text.to_owned() }
    }

    /// A property value: a code renamed, then any mention of the district.
    pub fn value(&self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.text(&self.code(s))),
            other => other.clone(),
        }
    }

    fn shift(&self, c: Coord<f64>) -> Coord<f64> {
        Coord { x: c.x + self.dx, y: c.y + self.dy }
    }

    /// A geometry moved to this district.
    pub fn geometry(&self, g: &Geometry<f64>) -> Geometry<f64> {
        g.map_coords(|c| self.shift(c))
    }

    fn outline(&self, g: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        g.map_coords(|c| self.shift(c))
    }

    /// A grid of district 0 as this district's.
    pub fn grid(&self, g: &Grid) -> Grid {
        Grid {
            code: self.code(&g.code),
            name: self.text(&g.name),
            level: g.level,
            kind: g.kind.clone(),
            parent_code: g.parent_code.as_deref().map(|c| self.code(c)),
            township_code: g.township_code.as_deref().map(|c| self.code(c)),
            geometry: self.outline(&g.geometry),
        }
    }

    /// A township of district 0 as this district's.
    pub fn township(&self, t: &Township) -> Township {
        Township {
            code: self.code(&t.code),
            name: self.text(&t.name),
            kind: t.kind.clone(),
            geometry: self.outline(&t.geometry),
        }
    }

    /// A feature of district 0 as this district's.
    pub fn feature(&self, f: &Feature) -> Feature {
        Feature {
            geometry: self.geometry(&f.geometry),
            properties: f.properties.iter().map(|(k, v)| (k.clone(), self.value(v))).collect(),
        }
    }

    /// The catalog facts of a thematic layer of district 0 as this district's layer: the id
    /// suffixed `_d<code>`, the name `（<district>）`.
    pub fn meta(&self, m: &LayerMeta) -> LayerMeta {
        LayerMeta {
            id: format!("{}_d{}", m.id, self.district.code),
            name: format!("{}（{}）", self.text(&m.name), self.district.name),
            ..m.clone()
        }
    }

    /// A thematic layer of district 0 as this district's.
    pub fn layer(&self, l: &Layer) -> Layer {
        Layer { meta: self.meta(&l.meta), features: l.features.iter().map(|f| self.feature(f)).collect() }
    }

    /// An id of district 0 (`HR…`) as this district's (`CY…`).
    fn id(&self, id: &str) -> String {
        match id.strip_prefix(CITY_DISTRICTS[0].prefix) {
            Some(rest) => format!("{}{rest}", self.district.prefix),
            None => id.to_owned(),
        }
    }

    /// A person of district 0's roster as this district's.
    pub fn staff(&self, s: &StaffMember) -> StaffMember {
        StaffMember {
            id: self.id(&s.id),
            unit_code: self.code(&s.unit_code),
            covers: s.covers.iter().map(|c| self.code(c)).collect(),
            ..s.clone()
        }
    }

    /// A point in its own system (WGS84, CGCS2000, GCJ-02 or BD-09) moved to this district, to
    /// the 6 decimals the stream writes. The Chinese systems' offsets depend on the place:
    /// the point goes through WGS84. A projected (EPSG) point, which the demo never sends, is
    /// kept.
    fn point(&self, p: &PointIn) -> PointIn {
        let (x, y) = match p.crs.as_deref().map(str::trim) {
            None | Some("" | "wgs84" | "cgcs2000") => (p.lon + self.dx, p.lat + self.dy),
            Some("gcj02") => {
                let (lon, lat) = gcj02_to_wgs84(p.lon, p.lat);
                wgs84_to_gcj02(lon + self.dx, lat + self.dy)
            }
            Some("bd09") => {
                let (gx, gy) = bd09_to_gcj02(p.lon, p.lat);
                let (lon, lat) = gcj02_to_wgs84(gx, gy);
                let (gx, gy) = wgs84_to_gcj02(lon + self.dx, lat + self.dy);
                gcj02_to_bd09(gx, gy)
            }
            Some(_) => (p.lon, p.lat),
        };
        PointIn { lon: round6(x), lat: round6(y), crs: p.crs.clone() }
    }

    /// A case of district 0's stream as this district's: id, point, address and description
    /// (its component code too) moved and renamed; category, time and source kept.
    pub fn case(&self, c: &CaseRequest) -> CaseRequest {
        let old = format!("编号{}", CITY_DISTRICTS[0].code);
        let new = format!("编号{}", self.district.code);
        CaseRequest {
            id: match &c.id {
                CaseId::Text(s) => CaseId::Text(self.id(s)),
                other => other.clone(),
            },
            description: c.description.as_deref().map(|d| self.text(d).replace(&old, &new)),
            location: c.location.as_ref().map(|p| self.point(p)),
            address: c.address.as_deref().map(|a| self.text(a)),
            ..c.clone()
        }
    }

    /// The logged routing of district 0's case `original` as that of its copy `copy` (from
    /// [`Replica::case`]): the grid and township renamed, the point moved (for a location, the
    /// copy's location in WGS84, as routing would take it).
    pub fn logged(&self, original: &CaseRequest, copy: &CaseRequest, l: &Logged) -> Logged {
        let by_location = l.matched_by == Some(MatchedBy::Location);
        let point = match (&copy.location, original.location.as_ref().map(|p| p.crs.as_deref())) {
            (Some(p), Some(None | Some("" | "wgs84" | "cgcs2000"))) if by_location => Some((p.lon, p.lat)),
            (Some(p), Some(Some("gcj02"))) if by_location => Some(gcj02_to_wgs84(p.lon, p.lat)),
            (Some(p), Some(Some("bd09"))) if by_location => {
                let (gx, gy) = bd09_to_gcj02(p.lon, p.lat);
                Some(gcj02_to_wgs84(gx, gy))
            }
            _ => None,
        };
        let (lon, lat) = match point {
            Some((x, y)) => (Some(round6(x)), Some(round6(y))),
            None => (l.lon.map(|x| round6(x + self.dx)), l.lat.map(|y| round6(y + self.dy))),
        };
        Logged {
            grid_code: l.grid_code.as_deref().map(|c| self.code(c)),
            township_code: l.township_code.as_deref().map(|c| self.code(c)),
            lon,
            lat,
            ..l.clone()
        }
    }
}

/// True when `case` is one of district 0's well-formed cases (id `HR…`), the ones copies
/// repeat; the malformed dozen are district 0's alone.
pub fn is_district_case(case: &CaseRequest) -> bool {
    matches!(&case.id, CaseId::Text(s) if s.strip_prefix(CITY_DISTRICTS[0].prefix)
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())))
}

/// District 0's case `line` as a city's intake records it: an address that names no district
/// (typed as `泉河街道…`) gets `怀柔区` in front, because in a city every district has a
/// 泉河街道 and the hotline notes whose call it was. Other lines are returned unchanged.
pub fn name_the_district(line: &str) -> Option<String> {
    let mut case = CaseRequest::from_json(line.as_bytes()).ok()?;
    if !is_district_case(&case) {
        return None;
    }
    let address = case.address.as_deref().filter(|a| !a.trim().is_empty())?;
    if address.contains(CITY_DISTRICTS[0].name) {
        return None;
    }
    case.address = Some(format!("{}{address}", CITY_DISTRICTS[0].name));
    serde_json::to_string(&case).ok()
}

/// The bounding box of some outlines, `[min lon, min lat, max lon, max lat]`.
pub fn bbox<'a>(outlines: impl IntoIterator<Item = &'a MultiPolygon<f64>>) -> Option<[f64; 4]> {
    use geo::BoundingRect;
    outlines
        .into_iter()
        .filter_map(|g| g.bounding_rect())
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
        .reduce(|a, b| [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])])
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{Point, polygon};

    /// Huairou's bounding box, near enough.
    const HUAIROU: [f64; 4] = [116.28, 40.19, 116.96, 41.07];

    fn layout() -> Layout {
        Layout::new(HUAIROU, 16).unwrap()
    }

    #[test]
    fn the_districts_are_beijings() {
        let mut codes: Vec<&str> = CITY_DISTRICTS.iter().map(|d| d.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 16);
        assert!(CITY_DISTRICTS.iter().all(|d| d.name.ends_with('区') && d.code.starts_with("1101")));
        let mut prefixes: Vec<&str> = CITY_DISTRICTS.iter().map(|d| d.prefix).collect();
        prefixes.sort_unstable();
        prefixes.dedup();
        assert_eq!(prefixes.len(), 16);
        assert_eq!(CITY_DISTRICTS[3], d("110105", "朝阳区", "CY"));
    }

    #[test]
    fn copies_tile_the_plane_with_exact_offsets() {
        let l = layout();
        assert_eq!(l.offset(0), (0.0, 0.0));
        let boxes: Vec<[f64; 4]> = (0..16)
            .map(|k| {
                let (dx, dy) = l.offset(k);
                [HUAIROU[0] + dx, HUAIROU[1] + dy, HUAIROU[2] + dx, HUAIROU[3] + dy]
            })
            .collect();
        for (i, a) in boxes.iter().enumerate() {
            assert!(a[0] >= 100.0 && a[2] <= 135.0 && a[1] >= 20.0 && a[3] <= 50.0, "{a:?}");
            for b in &boxes[i + 1..] {
                let apart = a[2] + MARGIN_DEG <= b[0] + 1e-9
                    || b[2] + MARGIN_DEG <= a[0] + 1e-9
                    || a[3] + MARGIN_DEG <= b[1] + 1e-9
                    || b[3] + MARGIN_DEG <= a[1] + 1e-9;
                assert!(apart, "{a:?} and {b:?} overlap");
            }
        }
        // Shifting is exact: a difference of two shifted coordinates is the difference itself.
        let c = Replica::new(&l, 15).unwrap();
        let (x0, x1) = (116.123_456_789_012_3, 116.987_654_321_098_7);
        let (a, b) = (c.shift(Coord { x: x0, y: 40.5 }), c.shift(Coord { x: x1, y: 40.25 }));
        assert_eq!(b.x - a.x, x1 - x0);
        assert_eq!(a.y - b.y, 40.5 - 40.25);
        assert_eq!(a.x - c.dx, x0);
        // A district that would run out of the exact range is refused.
        assert!(Layout::new([126.0, 40.0, 127.5, 41.0], 4).is_err());
        assert!(Layout::new(HUAIROU, 1).is_ok());
    }

    #[test]
    fn a_copy_renames_codes_and_names() {
        let c = Replica::new(&layout(), 3).unwrap();
        assert_eq!(c.district.name, "朝阳区");
        assert!(Replica::new(&layout(), 0).is_none() && Replica::new(&layout(), 16).is_none());
        assert_eq!(c.code("110116001013002"), "110105001013002");
        assert_eq!(c.code("110116106210002004-004"), "110105106210002004-004");
        assert_eq!(c.code("泉河街道"), "泉河街道");
        assert_eq!(c.text("北京市怀柔区泉河街道望怀路1号"), "北京市朝阳区泉河街道望怀路1号");
        assert_eq!(c.text("国网北京怀柔供电公司"), "国网北京朝阳供电公司");
        assert_eq!(c.text("怀柔地区"), "朝阳地区");
        assert_eq!(c.value(&Value::String("110116102".into())), Value::String("110105102".into()));
        assert_eq!(c.value(&Value::Int(110116)), Value::Int(110116));
        let meta = LayerMeta {
            id: "hr_comp_0113_xiaofangshuan".into(),
            name: "消火栓".into(),
            category: "部件".into(),
            kind: "thematic".into(),
            source_crs: "wgs84".into(),
            source_file: None,
            updated_at: "2026-01-01T00:00:00Z".into(),
        };
        let m = c.meta(&meta);
        assert_eq!((m.id.as_str(), m.name.as_str()), ("hr_comp_0113_xiaofangshuan_d110105", "消火栓（朝阳区）"));
        assert!(gridgis_layers::valid_id(&m.id));
        let f = Feature {
            geometry: Geometry::Point(Point::new(116.5, 40.5)),
            properties: vec![("grid_code".into(), Value::String("110116001013".into()))],
        };
        let g = c.feature(&f);
        assert_eq!(g.geometry, Geometry::Point(Point::new(116.5 + c.dx, 40.5 + c.dy)));
        assert_eq!(g.get("grid_code"), Some(&Value::String("110105001013".into())));
        let grid = Grid {
            code: "110116".into(),
            name: "怀柔区".into(),
            level: 0,
            kind: "district".into(),
            parent_code: None,
            township_code: None,
            geometry: MultiPolygon(vec![polygon![(x: 116.0, y: 40.0), (x: 117.0, y: 40.0), (x: 117.0, y: 41.0)]]),
        };
        let copied = c.grid(&grid);
        assert_eq!((copied.code.as_str(), copied.name.as_str()), ("110105", "朝阳区"));
        assert_eq!(bbox([&copied.geometry]), Some([116.0 + c.dx, 40.0 + c.dy, 117.0 + c.dx, 41.0 + c.dy]));
        let person = StaffMember {
            id: "HR-S-000007".into(),
            name: "王伟".into(),
            role: gridgis_cases::Role::Professional,
            position: gridgis_cases::Position::ForceMember,
            force: None,
            unit_code: "110116001".into(),
            covers: vec!["110116001001".into()],
            phone: "13800000000".into(),
            source: "demo".into(),
        };
        let p = c.staff(&person);
        assert_eq!(
            (p.id.as_str(), p.unit_code.as_str(), p.covers[0].as_str()),
            ("CY-S-000007", "110105001", "110105001001")
        );
    }

    #[test]
    fn a_copy_moves_cases_in_their_own_systems() {
        let c = Replica::new(&layout(), 5).unwrap();
        let line = r#"{"id":"HR2025120100001","category":"公用设施/电力设施","description":"电力设施占用，编号1101160117000277","location":{"lon":116.636141,"lat":40.303041,"crs":"gcj02"},"reported_at":"2025-12-01T00:56:34+08:00","source":"随手拍"}"#;
        let case = CaseRequest::from_json(line.as_bytes()).unwrap();
        assert!(is_district_case(&case));
        let copy = c.case(&case);
        assert_eq!(copy.id, CaseId::Text("SJS2025120100001".into()));
        assert_eq!(copy.description.as_deref(), Some("电力设施占用，编号1101070117000277"));
        let (p, q) = (case.location.as_ref().unwrap(), copy.location.as_ref().unwrap());
        let (w0, w1) = (gcj02_to_wgs84(p.lon, p.lat), gcj02_to_wgs84(q.lon, q.lat));
        assert!((w1.0 - w0.0 - c.dx).abs() < 2e-6 && (w1.1 - w0.1 - c.dy).abs() < 2e-6);
        let logged = Logged {
            status: gridgis_cases::Status::Routed,
            grid_code: Some("110116005002002001".into()),
            township_code: Some("110116005".into()),
            class: None,
            subclass: None,
            matched_by: Some(MatchedBy::Location),
            confidence: 1.0,
            lon: Some(round6(w0.0)),
            lat: Some(round6(w0.1)),
        };
        let l = c.logged(&case, &copy, &logged);
        assert_eq!(l.grid_code.as_deref(), Some("110107005002002001"));
        assert_eq!((l.lon, l.lat), (Some(round6(w1.0)), Some(round6(w1.1))));
        // BD-09 goes through GCJ-02 and WGS84 too.
        let bd = CaseRequest {
            location: Some(PointIn { lon: 116.64, lat: 40.31, crs: Some("bd09".into()) }),
            ..case.clone()
        };
        let moved = c.case(&bd).location.unwrap();
        let back = |p: &PointIn| {
            let (x, y) = bd09_to_gcj02(p.lon, p.lat);
            gcj02_to_wgs84(x, y)
        };
        let (a, b) = (back(bd.location.as_ref().unwrap()), back(&moved));
        assert!((b.0 - a.0 - c.dx).abs() < 2e-6 && (b.1 - a.1 - c.dy).abs() < 2e-6);
        // An address without the district gets it; malformed lines are not the district's.
        let hotline = r#"{"id":"HR2025120100002","address":"泉河街道富乐北里社区望怀路104号"}"#;
        let named = name_the_district(hotline).unwrap();
        assert!(named.contains(r#""address":"怀柔区泉河街道富乐北里社区望怀路104号""#), "{named}");
        assert_eq!(name_the_district(r#"{"id":"HR2025120100003","address":"北京市怀柔区泉河街道"}"#), None);
        assert_eq!(name_the_district(r#"{"id":"BAD-07","address":"   "}"#), None);
        assert_eq!(name_the_district(r#"{"id":"BAD-04","category":"宣传广告/非法小广告",}"#), None);
        let copied = c.case(&CaseRequest::from_json(named.as_bytes()).unwrap());
        assert_eq!(copied.address.as_deref(), Some("石景山区泉河街道富乐北里社区望怀路104号"));
        assert!(!is_district_case(&CaseRequest::from_json(br#"{"id":"BAD-05"}"#).unwrap()));
    }
}
