//! The gazetteer in memory: every address and POI with its grid, the tables that find an
//! address by its parts (no scans), and the dictionary of names.

use geo::InteriorPoint;
use rustc_hash::FxHashMap;

use super::Level;
use super::dictionary::{Dictionary, DictionaryBuilder, Entity, Kind};
use super::normalize::normalize;
use super::reverse::ReverseIndex;
use crate::engine::Engine;
use crate::hierarchy::GridId;

/// One standard address as the gazetteer layer holds it. Its village and township are those of
/// the grid its point lies in; the names it writes for them, where they differ from the grids'
/// (`雁栖经济开发区` for the level-1 grid `北京雁栖经济开发区虚拟社区`), are read as those too.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AddressRecord {
    /// The full standard text (`北京市怀柔区…号楼1单元101室`).
    pub address: String,
    /// The township as the address writes it.
    pub township: Option<String>,
    /// The village or community as the address writes it.
    pub village: Option<String>,
    /// WGS84 longitude.
    pub lon: f64,
    /// WGS84 latitude.
    pub lat: f64,
    /// Road name, for addresses on a road.
    pub road: Option<String>,
    /// Door-plate number.
    pub house_no: Option<u32>,
    /// Compound name (`望怀小区`).
    pub compound: Option<String>,
    /// Building as written (`5号楼`, `5栋`, `A座`).
    pub building: Option<String>,
    /// Unit (entrance) number.
    pub unit: Option<u32>,
    /// Flat as written (`101`).
    pub room: Option<String>,
    /// Village group as written (`3组`, `2队`).
    pub group: Option<String>,
}

/// A point of interest with a name people search for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PoiRecord {
    /// Its name (`怀柔区第一中学`).
    pub name: String,
    /// Its type (`中学`), if known.
    pub kind: Option<String>,
    /// Its address text, if known.
    pub address: Option<String>,
    /// The layer it comes from.
    pub layer: String,
    /// WGS84 longitude.
    pub lon: f64,
    /// WGS84 latitude.
    pub lat: f64,
}

/// An address in memory, its parts as ids into the gazetteer's name tables.
#[derive(Debug)]
pub(crate) struct Entry {
    pub text: Box<str>,
    pub level: Level,
    pub lon: f64,
    pub lat: f64,
    pub leaf: GridId,
    pub village: GridId,
    pub township: u32,
    pub road: Option<u32>,
    pub house: Option<u32>,
    pub compound: Option<u32>,
    pub building: Option<u32>,
    pub building_label: Option<Box<str>>,
    pub unit: Option<u32>,
    pub room: Option<u32>,
    pub room_label: Option<Box<str>>,
    pub group: Option<u32>,
    pub group_label: Option<Box<str>>,
}

/// A POI in memory.
#[derive(Debug)]
pub(crate) struct Poi {
    pub name: Box<str>,
    pub kind: Option<Box<str>>,
    pub address: Option<Box<str>>,
    pub layer: Box<str>,
    pub lon: f64,
    pub lat: f64,
    pub leaf: GridId,
    pub village: GridId,
    pub township: u32,
    /// Named with a counter (`（2）`) telling it from another POI of the same name.
    pub numbered: bool,
}

/// A village or community (level-1 grid) as the geocoder knows it.
#[derive(Debug)]
pub(crate) struct Village {
    pub name: Box<str>,
    pub township: u32,
    /// Where a village-level answer points: its committee's POI where there is one, else the
    /// village's address nearest to the middle of its addresses (a real door, inside the
    /// village), else a point inside its outline.
    pub at: (f64, f64),
}

/// A township as the geocoder knows it.
#[derive(Debug)]
pub(crate) struct Town {
    pub name: Box<str>,
    pub at: (f64, f64),
    /// Index of its district in [`Geocoder::districts`].
    pub district: u32,
}

/// A district (level-0 grid) as the geocoder knows it.
#[derive(Debug)]
pub(crate) struct District {
    pub name: Box<str>,
    /// Its level-0 grid.
    pub root: GridId,
    /// Where a district-level answer points: the address nearest to the middle of its
    /// addresses, else a point inside its outline.
    pub at: (f64, f64),
}

/// Figures of a built geocoder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GeocoderStats {
    /// Addresses held.
    pub addresses: usize,
    /// POIs held.
    pub pois: usize,
    /// Distinct names in the dictionary.
    pub names: usize,
    /// Distinct roads.
    pub roads: usize,
    /// Distinct compounds.
    pub compounds: usize,
    /// Records left out: a point more than 500 m outside every district, or not a finite
    /// coordinate.
    pub skipped: usize,
}

/// The geocoder could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot build the geocoder's name automaton: {0}")]
pub struct GeocoderBuildError(#[from] aho_corasick::BuildError);

/// Key tuples of the address tables.
type RoomKey = (u32, u32, u32, u32);

/// The geocoder: the gazetteer and its indexes. Immutable and `Sync`; a new layer version
/// means a new geocoder, swapped in whole.
#[derive(Debug)]
pub struct Geocoder {
    pub(crate) dict: Dictionary,
    pub(crate) entries: Vec<Entry>,
    pub(crate) pois: Vec<Poi>,
    pub(crate) roads: Vec<Box<str>>,
    pub(crate) compounds: Vec<Box<str>>,
    pub(crate) villages: FxHashMap<GridId, Village>,
    pub(crate) towns: Vec<Town>,
    /// The hierarchy's districts, in the order of [`crate::Hierarchy::roots`]; never empty.
    pub(crate) districts: Vec<District>,
    pub(crate) rooms: FxHashMap<RoomKey, Vec<u32>>,
    pub(crate) buildings: FxHashMap<(u32, u32), Vec<u32>>,
    pub(crate) houses: FxHashMap<(u32, u32), Vec<u32>>,
    pub(crate) groups: FxHashMap<(GridId, u32, u32), Vec<u32>>,
    /// Per road: its house-level entries, by number.
    pub(crate) road_houses: Vec<Vec<u32>>,
    /// Per compound: its gate (the house-level entry its buildings' road and number name).
    pub(crate) gates: Vec<Option<u32>>,
    pub(crate) reverse: ReverseIndex,
    stats: GeocoderStats,
}

/// Words that say where without naming a place; a query may carry them.
const FILLERS: [&str; 20] = [
    "附近",
    "旁边",
    "对面",
    "门口",
    "东门",
    "西门",
    "南门",
    "北门",
    "东侧",
    "西侧",
    "南侧",
    "北侧",
    "院内",
    "中国",
    "办事处",
    "底商",
    "大门",
    "路口",
    "交叉口",
    "一带",
];

/// `5号楼` → 5, `5栋` → 5, `A座` → 1: the building's number, whatever word follows it.
pub(crate) fn building_number(label: &str) -> Option<u32> {
    let digits: String = label.chars().take_while(char::is_ascii_digit).collect();
    if !digits.is_empty() {
        return digits.parse().ok();
    }
    let mut cs = label.chars();
    match (cs.next(), cs.next()) {
        (Some(c @ 'A'..='Z'), Some(_)) => Some(u32::from(c) - u32::from('A') + 1),
        _ => None,
    }
}

/// The leading number of a label (`3组` → 3, `101` → 101).
fn leading_number(label: &str) -> Option<u32> {
    let digits: String = label.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A POI's name without the counter that tells apart two of the same name (`村委会（2）`):
/// nobody types it, and once normalized it would run into the number after the name.
fn without_counter(name: &str) -> &str {
    for (open, close) in [('（', '）'), ('(', ')')] {
        if let Some(inner) = name.strip_suffix(close)
            && let Some(at) = inner.rfind(open)
            && inner[at + open.len_utf8()..].chars().all(|c| c.is_ascii_digit())
            && at > 0
        {
            return &name[..at];
        }
    }
    name
}

/// Interns names: one id per distinct normalized name in each district. Two districts' roads
/// of the same name are two roads (each district has its own 青春路), so that the numbers on one
/// never answer for the other.
#[derive(Default)]
struct Names {
    /// Per district index.
    tables: Vec<NameTable>,
    names: Vec<Box<str>>,
}

/// One district's names.
#[derive(Default)]
struct NameTable {
    ids: FxHashMap<String, u32>,
    /// Ids by the text as given, so each distinct spelling is normalized once.
    raw: FxHashMap<String, Option<u32>>,
}

impl Names {
    fn id(&mut self, district: u32, raw: &str) -> Option<u32> {
        let d = district as usize;
        if self.tables.len() <= d {
            self.tables.resize_with(d + 1, NameTable::default);
        }
        if let Some(&id) = self.tables[d].raw.get(raw) {
            return id;
        }
        let id = self.intern(d, raw);
        self.tables[d].raw.insert(raw.to_owned(), id);
        id
    }

    fn intern(&mut self, d: usize, raw: &str) -> Option<u32> {
        let key = normalize(raw);
        if key.is_empty() {
            return None;
        }
        if let Some(&id) = self.tables[d].ids.get(&key) {
            return Some(id);
        }
        let id = self.names.len() as u32;
        self.tables[d].ids.insert(key, id);
        self.names.push(raw.into());
        Some(id)
    }
}

/// The member of `points` nearest to their mean: a real place in the middle of them.
fn medoid(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    if points.is_empty() {
        return None;
    }
    let n = points.len() as f64;
    let (mx, my) = points.iter().fold((0.0, 0.0), |(x, y), p| (x + p.0 / n, y + p.1 / n));
    points.iter().copied().min_by(|a, b| {
        let da = (a.0 - mx).powi(2) + (a.1 - my).powi(2);
        let db = (b.0 - mx).powi(2) + (b.1 - my).powi(2);
        da.total_cmp(&db)
    })
}

/// Tolerance for gazetteer points just outside a district (as for case locations).
const OUTSIDE_TOLERANCE_M: f64 = 500.0;

impl Geocoder {
    /// Builds the geocoder over `engine`'s grids from the gazetteer's addresses and POIs.
    /// Records whose point is not in (or within 500 m of) a district are left out and
    /// counted in [`GeocoderStats::skipped`]. Each record belongs to the district its point
    /// lies in; names (of roads, compounds, townships…) are told apart by district, and a
    /// query naming a district prefers that district's answers.
    ///
    /// # Errors
    /// Only if the name automaton cannot be built (it grows past its size limits).
    pub fn build(engine: &Engine, addresses: &[AddressRecord], pois: &[PoiRecord]) -> Result<Self, GeocoderBuildError> {
        let h = engine.hierarchy();
        let town_index: FxHashMap<&str, u32> =
            h.townships().iter().enumerate().map(|(i, t)| (t.code.as_str(), i as u32)).collect();
        let district_index: FxHashMap<GridId, u32> =
            h.roots().iter().enumerate().map(|(i, &r)| (r, i as u32)).collect();
        let district_of = |g: GridId| district_index.get(&h.root_of(g)).copied().unwrap_or(0);
        // A township no grid names has no district to speak of; the first holds it.
        let town_district: Vec<u32> = h
            .townships()
            .iter()
            .map(|t| h.township_root(&t.code).and_then(|r| district_index.get(&r)).copied().unwrap_or(0))
            .collect();
        let place = |lon: f64, lat: f64| -> Option<(GridId, GridId, u32)> {
            let loc = engine.locate(lon, lat, OUTSIDE_TOLERANCE_M).ok()?;
            let village = h.ancestor_at(loc.grid, 1)?;
            let town = h.township(loc.grid).and_then(|t| town_index.get(t.code.as_str())).copied()?;
            Some((loc.grid, village, town))
        };
        let mut skipped = 0;
        let (mut roads, mut compounds) = (Names::default(), Names::default());
        let mut entries = Vec::with_capacity(addresses.len());
        // The names the addresses write for their village and township, by the grid's id.
        let mut written: FxHashMap<(Kind, u32), Vec<String>> = FxHashMap::default();
        let mut note = |kind: Kind, id: u32, name: Option<&str>| {
            if let Some(n) = name.filter(|n| !n.is_empty()) {
                let names = written.entry((kind, id)).or_default();
                if !names.iter().any(|m| m == n) {
                    names.push(n.to_owned());
                }
            }
        };
        for a in addresses {
            let Some((leaf, village, township)) = place(a.lon, a.lat) else {
                skipped += 1;
                continue;
            };
            note(Kind::Village, village, a.village.as_deref());
            note(Kind::Township, township, a.township.as_deref());
            let district = district_of(leaf);
            let road = a.road.as_deref().and_then(|r| roads.id(district, r));
            let compound = a.compound.as_deref().and_then(|c| compounds.id(district, c));
            let building = a.building.as_deref().and_then(building_number);
            let room = a.room.as_deref().and_then(leading_number);
            let level = if room.is_some() && a.unit.is_some() {
                Level::Room
            } else if building.is_some() {
                Level::Building
            } else {
                Level::House
            };
            entries.push(Entry {
                text: a.address.as_str().into(),
                level,
                lon: a.lon,
                lat: a.lat,
                leaf,
                village,
                township,
                road,
                house: a.house_no,
                compound,
                building,
                building_label: a.building.as_deref().map(Into::into),
                unit: a.unit,
                room,
                room_label: a.room.as_deref().map(Into::into),
                group: a.group.as_deref().and_then(leading_number),
                group_label: a.group.as_deref().map(Into::into),
            });
        }
        let mut poi_list = Vec::with_capacity(pois.len());
        for p in pois {
            let Some((leaf, village, township)) = place(p.lon, p.lat) else {
                skipped += 1;
                continue;
            };
            poi_list.push(Poi {
                name: p.name.as_str().into(),
                kind: p.kind.as_deref().map(Into::into),
                address: p.address.as_deref().map(Into::into),
                layer: p.layer.as_str().into(),
                lon: p.lon,
                lat: p.lat,
                leaf,
                village,
                township,
                numbered: without_counter(&p.name).len() < p.name.len(),
            });
        }

        // Tables by key.
        let mut rooms: FxHashMap<RoomKey, Vec<u32>> = FxHashMap::default();
        let mut buildings: FxHashMap<(u32, u32), Vec<u32>> = FxHashMap::default();
        let mut houses: FxHashMap<(u32, u32), Vec<u32>> = FxHashMap::default();
        let mut groups: FxHashMap<(GridId, u32, u32), Vec<u32>> = FxHashMap::default();
        let mut road_houses: Vec<Vec<u32>> = vec![Vec::new(); roads.names.len()];
        for (i, e) in entries.iter().enumerate() {
            let i = i as u32;
            match e.level {
                Level::Room => {
                    if let (Some(c), Some(b), Some(u), Some(r)) = (e.compound, e.building, e.unit, e.room) {
                        rooms.entry((c, b, u, r)).or_default().push(i);
                    }
                }
                Level::Building => {
                    if let (Some(c), Some(b)) = (e.compound, e.building) {
                        buildings.entry((c, b)).or_default().push(i);
                    }
                }
                _ => {
                    match (e.road, e.house, e.group) {
                        (_, Some(n), Some(g)) => groups.entry((e.village, g, n)).or_default().push(i),
                        (Some(r), Some(n), None) => houses.entry((r, n)).or_default().push(i),
                        _ => {}
                    }
                    if let (Some(r), None) = (e.road, e.group) {
                        road_houses[r as usize].push(i);
                    }
                }
            }
        }
        for list in &mut road_houses {
            list.sort_by_key(|&i| (entries[i as usize].house, i));
        }
        let mut gates = vec![None; compounds.names.len()];
        for e in &entries {
            if let (Some(c), Some(r), Some(n)) = (e.compound, e.road, e.house)
                && gates[c as usize].is_none()
            {
                gates[c as usize] = houses.get(&(r, n)).and_then(|l| l.first().copied());
            }
        }

        // Villages and townships, with the points their answers land on.
        let mut village_points: FxHashMap<GridId, Vec<(f64, f64)>> = FxHashMap::default();
        let mut town_points: Vec<Vec<(f64, f64)>> = vec![Vec::new(); h.townships().len()];
        for e in entries.iter().filter(|e| e.level != Level::Room) {
            village_points.entry(e.village).or_default().push((e.lon, e.lat));
            town_points[e.township as usize].push((e.lon, e.lat));
        }
        let inside = |g: &geo_types::MultiPolygon<f64>| g.interior_point().map_or((0.0, 0.0), |p| (p.x(), p.y()));
        // A village's committee (`王化村村委会`, which normalizes to the village's own name)
        // is where a village-level answer is best pointed at, where the POIs have it.
        let mut committees: FxHashMap<GridId, (f64, f64)> = FxHashMap::default();
        for p in &poi_list {
            if committees.contains_key(&p.village) {
                continue;
            }
            let village_name = &h.grid(p.village).name;
            if normalize(without_counter(&p.name)) == normalize(village_name) {
                committees.insert(p.village, (p.lon, p.lat));
            }
        }
        let mut villages = FxHashMap::default();
        for (id, g) in h.grids().iter().enumerate().filter(|(_, g)| g.level == 1) {
            let id = id as GridId;
            let Some(township) = h.township(id).and_then(|t| town_index.get(t.code.as_str())).copied() else {
                continue;
            };
            let at = committees
                .get(&id)
                .copied()
                .or_else(|| village_points.get(&id).and_then(|p| medoid(p)))
                .unwrap_or_else(|| inside(&g.geometry));
            villages.insert(id, Village { name: g.name.as_str().into(), township, at });
        }
        let towns: Vec<Town> = h
            .townships()
            .iter()
            .zip(&town_points)
            .zip(&town_district)
            .map(|((t, p), &district)| Town {
                name: t.name.as_str().into(),
                at: medoid(p).unwrap_or_else(|| inside(&t.geometry)),
                district,
            })
            .collect();
        let mut district_points: Vec<Vec<(f64, f64)>> = vec![Vec::new(); h.roots().len()];
        for (p, &d) in town_points.iter().zip(&town_district) {
            district_points[d as usize].extend_from_slice(p);
        }
        let districts: Vec<District> = h
            .roots()
            .iter()
            .zip(&district_points)
            .map(|(&root, p)| {
                let g = h.grid(root);
                District { name: g.name.as_str().into(), root, at: medoid(p).unwrap_or_else(|| inside(&g.geometry)) }
            })
            .collect();

        // The dictionary.
        let mut b = DictionaryBuilder::default();
        let e = |kind, id| Entity { kind, id, short: false };
        for p in ["北京市", "北京"] {
            b.add(p, e(Kind::Province, 0));
        }
        for (d, district) in districts.iter().enumerate() {
            let d = d as u32;
            let dname = normalize(&district.name);
            b.add(&dname, e(Kind::District, d));
            if let Some(stem) = dname.strip_suffix('区').filter(|s| s.chars().count() >= 2) {
                b.add(stem, e(Kind::District, d));
                // The district's name until it became one (怀柔县 → 怀柔区, 2001; most of the
                // outer districts were counties until the 1990s or 2000s).
                b.add(&format!("{stem}县"), e(Kind::District, d));
            }
        }
        for (i, t) in towns.iter().enumerate() {
            b.add(&normalize(&t.name), e(Kind::Township, i as u32));
        }
        // A village written without 村/社区 (`渤海所`), unless the stem is how other names end
        // (`花园村` → `花园`, the end of many compounds' names).
        // Deduplicated: in a city every district repeats many of the same names.
        let endings: Vec<String> = roads
            .names
            .iter()
            .chain(&compounds.names)
            .map(|n| normalize(n))
            .collect::<std::collections::BTreeSet<String>>()
            .into_iter()
            .collect();
        for (&id, v) in &villages {
            let name = normalize(&v.name);
            b.add(&name, e(Kind::Village, id));
            for suffix in ["社区", "村"] {
                if let Some(stem) = name.strip_suffix(suffix).filter(|s| s.chars().count() >= 2)
                    && !endings.iter().any(|n| n.ends_with(stem))
                {
                    b.add(stem, Entity { kind: Kind::Village, id, short: true });
                }
            }
        }
        for (id, name) in roads.names.iter().enumerate() {
            b.add(&normalize(name), e(Kind::Road, id as u32));
        }
        for (id, name) in compounds.names.iter().enumerate() {
            b.add(&normalize(name), e(Kind::Compound, id as u32));
        }
        for (id, p) in poi_list.iter().enumerate() {
            b.add(&normalize(without_counter(&p.name)), e(Kind::Poi, id as u32));
        }
        for ((kind, id), names) in &written {
            for n in names {
                b.add(&normalize(n), e(*kind, *id));
            }
        }
        for f in FILLERS {
            b.add(f, e(Kind::Filler, 0));
        }
        let dict = b.build()?;
        let reverse = ReverseIndex::build(&entries, &poi_list);
        let stats = GeocoderStats {
            addresses: entries.len(),
            pois: poi_list.len(),
            names: dict.len(),
            roads: roads.names.len(),
            compounds: compounds.names.len(),
            skipped,
        };
        Ok(Self {
            dict,
            entries,
            pois: poi_list,
            roads: roads.names,
            compounds: compounds.names,
            villages,
            towns,
            districts,
            rooms,
            buildings,
            houses,
            groups,
            road_houses,
            gates,
            reverse,
            stats,
        })
    }

    /// Counts of what the geocoder holds.
    pub fn stats(&self) -> GeocoderStats {
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn building_numbers_whatever_the_word() {
        assert_eq!(building_number("5号楼"), Some(5));
        assert_eq!(building_number("12栋"), Some(12));
        assert_eq!(building_number("3幢"), Some(3));
        assert_eq!(building_number("A座"), Some(1));
        assert_eq!(building_number("F座"), Some(6));
        assert_eq!(building_number("27座"), Some(27));
        assert_eq!(building_number("座"), None);
        assert_eq!(leading_number("3组"), Some(3));
        assert_eq!(leading_number("组"), None);
        assert_eq!(without_counter("北湾村村委会（2）"), "北湾村村委会");
        assert_eq!(without_counter("社区卫生服务站(12)"), "社区卫生服务站");
        assert_eq!(without_counter("物美超市（驸马庄店）"), "物美超市（驸马庄店）");
        assert_eq!(without_counter("（2）"), "（2）");
    }

    /// Two districts, each one village, with the same township, village and road names.
    fn two_districts() -> Engine {
        use crate::hierarchy::{Grid, Hierarchy, Township};
        use geo_types::{MultiPolygon, polygon};
        let square = |x: f64| {
            MultiPolygon(vec![polygon![(x: x, y: 40.0), (x: x + 1.0, y: 40.0), (x: x + 1.0, y: 41.0), (x: x, y: 41.0)]])
        };
        let mut grids = Vec::new();
        let mut townships = Vec::new();
        for (code, name, x) in [("110116", "怀柔区", 116.0), ("110105", "朝阳区", 118.0)] {
            let township = format!("{code}001");
            grids.push(Grid {
                code: code.into(),
                name: name.into(),
                level: 0,
                kind: "district".into(),
                parent_code: None,
                township_code: None,
                geometry: square(x),
            });
            grids.push(Grid {
                code: format!("{township}001"),
                name: "望怀社区".into(),
                level: 1,
                kind: "community".into(),
                parent_code: Some(code.into()),
                township_code: Some(township.clone()),
                geometry: square(x),
            });
            townships.push(Township {
                code: township,
                name: "泉河街道".into(),
                kind: "subdistrict".into(),
                geometry: square(x),
            });
        }
        Engine::new(Hierarchy::new(grids, townships).unwrap())
    }

    #[test]
    fn several_districts_keep_their_own_names() {
        let engine = two_districts();
        let h = engine.hierarchy();
        let address = |district: &str, lon: f64| AddressRecord {
            address: format!("北京市{district}泉河街道望怀社区青春路5号"),
            township: Some("泉河街道".into()),
            village: Some("望怀社区".into()),
            lon,
            lat: 40.5,
            road: Some("青春路".into()),
            house_no: Some(5),
            ..AddressRecord::default()
        };
        let g = Geocoder::build(&engine, &[address("怀柔区", 116.5), address("朝阳区", 118.5)], &[]).unwrap();
        assert_eq!((g.stats().addresses, g.stats().roads), (2, 2), "one 青春路 in each district");
        let best = |q: &str| g.geocode(q, 5).unwrap().matches.into_iter().next().unwrap();
        let chaoyang = h.by_code("110105001001").unwrap();
        let m = best("北京市朝阳区泉河街道望怀社区青春路5号");
        assert_eq!((m.level, m.grid, m.lon, m.score), (Level::House, chaoyang, 118.5, 1.0));
        assert_eq!(best("怀柔青春路5号").grid, h.by_code("110116001001").unwrap());
        assert_eq!(best("朝阳区青春路").lon, 118.5);
        let d = best("朝阳区");
        assert_eq!((d.level, d.grid, &*d.address), (Level::District, h.by_code("110105").unwrap(), "北京市朝阳区"));
        // A name every district has: one answer in each, each on its own district.
        let towns = g.geocode("泉河街道", 5).unwrap().matches;
        let mut found: Vec<(String, GridId)> = towns.iter().map(|m| (m.address.to_string(), m.grid)).collect();
        found.sort();
        assert_eq!(
            found,
            vec![
                ("北京市怀柔区泉河街道".to_string(), h.by_code("110116").unwrap()),
                ("北京市朝阳区泉河街道".to_string(), h.by_code("110105").unwrap()),
            ]
        );
        let v = best("朝阳区望怀社区");
        assert_eq!((v.level, v.grid, &*v.address), (Level::Village, chaoyang, "北京市朝阳区泉河街道望怀社区"));
    }

    #[test]
    fn medoid_is_a_member() {
        let pts = [(0.0, 0.0), (1.0, 0.0), (0.4, 0.1), (10.0, 10.0)];
        assert_eq!(medoid(&pts), Some((1.0, 0.0)));
        assert_eq!(medoid(&[]), None);
    }
}
