//! From a read query to ranked answers: candidates from the gazetteer's tables by key, each
//! scored by how well it explains the query.
//!
//! A candidate's score is a product of factors, 1.0 for an answer that explains every
//! character of the query with names written exactly and nothing contradicting it:
//! - each character no part of the answer explains: × [`UNEXPLAINED_CHAR`];
//! - each edit in a name matched by edit distance: × [`PER_EDIT`] (a little above the cost of
//!   the character it would otherwise leave unexplained, so the near name wins);
//! - a name written without its suffix (`渤海所` for `渤海所村`): × [`SHORT_NAME`];
//! - a district, township, village, road, compound or POI named in the query that is not the
//!   answer's: × the kind's factor in [`conflict`] (hierarchy consistency: a village outside
//!   the named township costs);
//! - a number the answer has a different value for: × [`NUMBER_CONFLICT`]; one it has no place
//!   for (a room asked for, a building answered): × [`NUMBER_UNUSED`].
//!
//! Ties go to a place before a POI of the same name, to a POI before its namesakes with a
//! counter (`（2）`), then to the finer level, then to fewer edits.

use std::borrow::Cow;

use serde::Serialize;

use super::Level;
use super::dictionary::{Entity, Kind, Spot};
use super::gazetteer::Geocoder;
use super::normalize::normalize;
use super::parse::{NumKind, Parsed};
use crate::hierarchy::GridId;

/// Longest query accepted, in characters after normalization (a standard address is under
/// 60; 256 leaves room for descriptions around it).
pub const MAX_QUERY_CHARS: usize = 256;

const UNEXPLAINED_CHAR: f64 = 0.9;
const PER_EDIT: f64 = 0.93;
const SHORT_NAME: f64 = 0.97;
const NUMBER_CONFLICT: f64 = 0.75;
const NUMBER_UNUSED: f64 = 0.85;
/// Below this best score, the query's unexplained text is searched for names with a slip.
const FUZZY_BELOW: f64 = 0.97;
/// Answers scoring below this are not answers.
const MIN_SCORE: f64 = 0.1;
/// The province every address of the reference districts is in (`北京市`).
const PROVINCE: &str = "北京市";

/// Why a query was refused before matching.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GeocodeError {
    /// Nothing left after removing spaces, punctuation and control characters.
    #[error("the address is empty")]
    Empty,
    /// Longer than [`MAX_QUERY_CHARS`].
    #[error("the address is {chars} characters long; at most {max} are accepted")]
    TooLong {
        /// Characters in the normalized query.
        chars: usize,
        /// The limit.
        max: usize,
    },
}

impl GeocodeError {
    /// The snake_case code used in API errors.
    pub fn code(&self) -> &'static str {
        match self {
            GeocodeError::Empty => "empty_query",
            GeocodeError::TooLong { .. } => "query_too_long",
        }
    }
}

/// The parts of a matched address.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Components<'g> {
    /// Township name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub township: Option<&'g str>,
    /// Village or community name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub village: Option<&'g str>,
    /// Road.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub road: Option<&'g str>,
    /// Door-plate number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub house_no: Option<u32>,
    /// Village group as written (`3组`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<&'g str>,
    /// Compound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compound: Option<&'g str>,
    /// Building as the gazetteer writes it (`5号楼`, `A座`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub building: Option<&'g str>,
    /// Unit number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<u32>,
    /// Flat (`101`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room: Option<&'g str>,
}

/// One answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Match<'g> {
    /// How precise it is.
    pub level: Level,
    /// 0–1, how sure: 1 when the answer explains the whole query with names as written.
    pub score: f64,
    /// The standard address text (for a road, village, township or the district, the text up
    /// to that level; for a POI, its address, else its name).
    pub address: Cow<'g, str>,
    /// The POI's name, for level `poi`.
    pub name: Option<&'g str>,
    /// The POI's type, for level `poi`.
    pub poi_type: Option<&'g str>,
    /// The layer a POI comes from.
    pub layer: Option<&'g str>,
    /// WGS84 longitude.
    pub lon: f64,
    /// WGS84 latitude.
    pub lat: f64,
    /// The grid the answer lands in: the leaf grid of its point; for a village its level-1
    /// grid; for a township or a district, that district (level 0).
    pub grid: GridId,
    /// Index of its township in the hierarchy's township list (none for the district).
    pub township: Option<usize>,
    /// Its parts.
    pub components: Components<'g>,
    /// Edits between the query's names and the answer's (0 when all were written exactly).
    pub edits: u32,
}

/// A query's answers, best first.
#[derive(Clone, Debug, PartialEq)]
pub struct Geocoded<'g> {
    /// The query after normalization.
    pub normalized: String,
    /// Answers, best first; empty when nothing matched (level `none`, score 0).
    pub matches: Vec<Match<'g>>,
}

/// What a candidate points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// A gazetteer address.
    Entry(u32),
    /// A compound's gate: compound id, house-level entry.
    Gate(u32, u32),
    /// A road: road id, the entry on it the answer points at.
    Road(u32, u32),
    /// A POI.
    Poi(u32),
    /// A village (level-1 grid).
    Village(GridId),
    /// A township (index).
    Township(u32),
    /// A district (index into the geocoder's districts).
    District(u32),
}

/// What a candidate is, for comparing with what the query says.
#[derive(Clone, Copy, Debug, Default)]
struct Facts {
    district: Option<u32>,
    township: Option<u32>,
    village: Option<GridId>,
    road: Option<u32>,
    compound: Option<u32>,
    poi: Option<u32>,
    house: Option<u32>,
    building: Option<u32>,
    unit: Option<u32>,
    room: Option<u32>,
    group: Option<u32>,
}

impl Facts {
    fn number(&self, kind: NumKind) -> Option<u32> {
        match kind {
            NumKind::House => self.house,
            NumKind::Building => self.building,
            NumKind::Unit => self.unit,
            NumKind::Room => self.room,
            NumKind::Group => self.group,
            NumKind::Floor => None,
        }
    }

    fn agrees(&self, e: &Entity) -> bool {
        match e.kind {
            Kind::Province | Kind::Filler => true,
            // Unknown (a village missing from the table): nothing to contradict.
            Kind::District => self.district.is_none_or(|d| d == e.id),
            Kind::Township => self.township == Some(e.id),
            Kind::Village => self.village == Some(e.id),
            Kind::Road => self.road == Some(e.id),
            Kind::Compound => self.compound == Some(e.id),
            Kind::Poi => self.poi == Some(e.id),
        }
    }
}

/// The factor for a name of `e`'s kind that the answer has a different one of, if it has one.
fn conflict(facts: &Facts, e: &Entity) -> Option<f64> {
    let differs = |have: Option<u32>| have.is_some_and(|h| h != e.id);
    match e.kind {
        Kind::District if differs(facts.district) => Some(0.75),
        Kind::Township if differs(facts.township) => Some(0.75),
        Kind::Village if differs(facts.village) => Some(0.75),
        Kind::Road if differs(facts.road) => Some(0.7),
        Kind::Compound if differs(facts.compound) => Some(0.6),
        Kind::Poi if differs(facts.poi) => Some(0.7),
        _ => None,
    }
}

/// A set of char positions of a query (at most [`MAX_QUERY_CHARS`]).
#[derive(Clone, Copy, Default)]
struct Bits([u64; MAX_QUERY_CHARS / 64]);

impl Bits {
    fn set(&mut self, from: usize, to: usize) {
        for i in from..to.min(MAX_QUERY_CHARS) {
            self.0[i / 64] |= 1 << (i % 64);
        }
    }
    fn covers(&self, from: usize, to: usize) -> bool {
        (from..to.min(MAX_QUERY_CHARS)).all(|i| self.0[i / 64] & (1 << (i % 64)) != 0)
    }
    fn count(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }
}

/// A query being matched: its reading and the names found in it.
struct Reading {
    parsed: Parsed,
    /// Exact spots first, then those found by edit distance.
    spots: Vec<Spot>,
}

impl Geocoder {
    /// Geocodes one free-text address: up to `limit` answers, best first.
    ///
    /// # Errors
    /// [`GeocodeError::Empty`] when nothing is left after normalization,
    /// [`GeocodeError::TooLong`] beyond [`MAX_QUERY_CHARS`]. Text that names no place is not
    /// an error: the answer has no matches.
    ///
    /// # Examples
    /// Answers of a real geocoder come from a built gazetteer; see the crate's tests. The
    /// limits hold for any input:
    /// ```no_run
    /// # fn demo(g: &gridgis_engine::Geocoder) {
    /// assert!(g.geocode("", 5).is_err());
    /// let found = g.geocode("hello", 5).expect("a short text is a query");
    /// assert!(found.matches.is_empty());
    /// # }
    /// ```
    pub fn geocode(&self, query: &str, limit: usize) -> Result<Geocoded<'_>, GeocodeError> {
        // Cap before normalizing, so a huge input costs no more than reading its length.
        let raw_chars = query.chars().take(MAX_QUERY_CHARS * 4 + 1).count();
        if raw_chars > MAX_QUERY_CHARS * 4 {
            return Err(GeocodeError::TooLong { chars: query.chars().count(), max: MAX_QUERY_CHARS });
        }
        let normalized = normalize(query);
        let chars = normalized.chars().count();
        if chars == 0 {
            return Err(GeocodeError::Empty);
        }
        if chars > MAX_QUERY_CHARS {
            return Err(GeocodeError::TooLong { chars, max: MAX_QUERY_CHARS });
        }
        let parsed = Parsed::new(&normalized, &self.dict);
        let mut reading = Reading { spots: parsed.names.clone(), parsed };
        let mut scored = self.candidates(&reading);
        let best = scored.first().map_or(0.0, |c| c.1);
        if best < FUZZY_BELOW {
            let spanned = reading.parsed.spanned(&self.dict);
            let open: Vec<bool> = spanned
                .iter()
                .zip(&reading.parsed.chars)
                .map(|(&s, c)| !s && !c.is_ascii_digit() && *c != '-')
                .collect();
            if open.iter().any(|&o| o) {
                let exact = reading.spots.len();
                self.dict.fuzzy(&reading.parsed.chars, &open, &mut reading.spots);
                if reading.spots.len() > exact {
                    scored = self.candidates(&reading);
                }
            }
        }
        let matches =
            scored.into_iter().filter(|c| c.1 >= MIN_SCORE).take(limit).map(|(t, s, e)| self.answer(t, s, e)).collect();
        Ok(Geocoded { normalized, matches })
    }

    /// Every candidate the query's names and numbers lead to, scored, best first.
    fn candidates(&self, r: &Reading) -> Vec<(Target, f64, u32)> {
        let mut targets: Vec<Target> = Vec::with_capacity(8);
        let mut push = |t: Target| {
            if !targets.contains(&t) {
                targets.push(t);
            }
        };
        fn entries(list: Option<&Vec<u32>>) -> impl Iterator<Item = Target> + '_ {
            list.into_iter().flatten().map(|&i| Target::Entry(i))
        }
        let values = |kind: NumKind| r.parsed.numbers.iter().filter(move |n| n.kind == kind).map(|n| n.value);
        for spot in &r.spots {
            for e in self.dict.entities(spot.name) {
                match e.kind {
                    Kind::Compound => {
                        for b in values(NumKind::Building) {
                            for u in values(NumKind::Unit) {
                                for room in values(NumKind::Room) {
                                    entries(self.rooms.get(&(e.id, b, u, room))).for_each(&mut push);
                                }
                            }
                            entries(self.buildings.get(&(e.id, b))).for_each(&mut push);
                        }
                        if let Some(g) = self.gates[e.id as usize] {
                            push(Target::Gate(e.id, g));
                        }
                    }
                    Kind::Road => {
                        for h in values(NumKind::House) {
                            entries(self.houses.get(&(e.id, h))).for_each(&mut push);
                        }
                        if let Some(i) = self.road_point(e.id, values(NumKind::House).next()) {
                            push(Target::Road(e.id, i));
                        }
                    }
                    Kind::Village => {
                        for g in values(NumKind::Group) {
                            for h in values(NumKind::House) {
                                entries(self.groups.get(&(e.id, g, h))).for_each(&mut push);
                            }
                        }
                        push(Target::Village(e.id));
                    }
                    Kind::Township => push(Target::Township(e.id)),
                    Kind::Poi => push(Target::Poi(e.id)),
                    Kind::District => push(Target::District(e.id)),
                    Kind::Province | Kind::Filler => {}
                }
            }
        }
        let mut scored: Vec<(Target, f64, u32)> = targets
            .into_iter()
            .map(|t| {
                let (s, e) = self.score(r, &self.facts(t));
                (t, s, e)
            })
            .collect();
        // Ties: a place before a POI of the same name (`望怀社区` the community, not its
        // committee's office), a POI before its namesakes told apart by a counter (`（2）`),
        // then the finer level, then fewer edits.
        let poi_rank = |t: Target| match t {
            Target::Poi(p) => 1 + u8::from(self.pois[p as usize].numbered),
            _ => 0,
        };
        scored.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then(poi_rank(a.0).cmp(&poi_rank(b.0)))
                .then(self.level(a.0).cmp(&self.level(b.0)))
                .then(a.2.cmp(&b.2))
        });
        scored
    }

    /// The entry a road-level answer points at: the house on the road whose number is nearest
    /// to the one asked for, else the middle one.
    fn road_point(&self, road: u32, number: Option<u32>) -> Option<u32> {
        let list = self.road_houses.get(road as usize)?;
        if list.is_empty() {
            return None;
        }
        let Some(n) = number else { return Some(list[list.len() / 2]) };
        list.iter().copied().min_by_key(|&i| self.entries[i as usize].house.map_or(u32::MAX, |h| h.abs_diff(n)))
    }

    fn level(&self, t: Target) -> Level {
        match t {
            Target::Entry(i) => self.entries[i as usize].level,
            Target::Gate(..) => Level::House,
            Target::Road(..) => Level::Road,
            Target::Poi(_) => Level::Poi,
            Target::Village(_) => Level::Village,
            Target::Township(_) => Level::Township,
            Target::District(_) => Level::District,
        }
    }

    /// The district of township `t` (index).
    fn town_district(&self, t: u32) -> Option<u32> {
        self.towns.get(t as usize).map(|t| t.district)
    }

    fn facts(&self, t: Target) -> Facts {
        let of_entry = |i: u32| {
            let e = &self.entries[i as usize];
            Facts {
                district: self.town_district(e.township),
                township: Some(e.township),
                village: Some(e.village),
                road: e.road,
                compound: e.compound,
                poi: None,
                house: e.house,
                building: e.building,
                unit: e.unit,
                room: e.room,
                group: e.group,
            }
        };
        match t {
            Target::Entry(i) => of_entry(i),
            Target::Gate(c, i) => Facts { compound: Some(c), ..of_entry(i) },
            Target::Road(r, i) => {
                let e = &self.entries[i as usize];
                Facts {
                    district: self.town_district(e.township),
                    township: Some(e.township),
                    village: Some(e.village),
                    road: Some(r),
                    ..Facts::default()
                }
            }
            Target::Poi(p) => {
                let p_ = &self.pois[p as usize];
                Facts {
                    district: self.town_district(p_.township),
                    township: Some(p_.township),
                    village: Some(p_.village),
                    poi: Some(p),
                    ..Facts::default()
                }
            }
            Target::Village(v) => {
                let township = self.villages.get(&v).map(|v| v.township);
                Facts {
                    district: township.and_then(|t| self.town_district(t)),
                    township,
                    village: Some(v),
                    ..Facts::default()
                }
            }
            Target::Township(t) => Facts { district: self.town_district(t), township: Some(t), ..Facts::default() },
            Target::District(d) => Facts { district: Some(d), ..Facts::default() },
        }
    }

    /// The score of a candidate with `facts` for the query, and the edits it relies on.
    fn score(&self, r: &Reading, facts: &Facts) -> (f64, u32) {
        let mut covered = Bits::default();
        let mut factor = 1.0;
        let mut edits = 0u32;
        let mut used = vec![false; r.spots.len()];
        for (k, spot) in r.spots.iter().enumerate() {
            if let Some(e) = self.dict.entities(spot.name).iter().find(|e| facts.agrees(e)) {
                used[k] = true;
                covered.set(spot.start, spot.end);
                if spot.edits > 0 {
                    factor *= PER_EDIT.powi(i32::from(spot.edits));
                    edits += u32::from(spot.edits);
                }
                if e.short {
                    factor *= SHORT_NAME;
                }
            }
        }
        for (k, spot) in r.spots.iter().enumerate() {
            // Only names written exactly can contradict; a near name that does not fit is
            // just a wrong guess of what was meant.
            if used[k] || spot.edits > 0 || covered.covers(spot.start, spot.end) {
                continue;
            }
            let ents = self.dict.entities(spot.name);
            if ents.iter().all(|e| e.short) {
                continue;
            }
            if let Some(f) = ents.iter().filter_map(|e| conflict(facts, e)).reduce(f64::max) {
                factor *= f;
            }
        }
        for n in &r.parsed.numbers {
            covered.set(n.start, n.end);
            if n.kind == NumKind::Floor {
                continue;
            }
            match facts.number(n.kind) {
                Some(v) if v == n.value => {}
                Some(_) => factor *= NUMBER_CONFLICT,
                None => factor *= NUMBER_UNUSED,
            }
        }
        let unexplained = r.parsed.chars.len().min(MAX_QUERY_CHARS) as u32 - covered.count();
        factor *= UNEXPLAINED_CHAR.powi(unexplained as i32);
        ((factor * 1000.0).round() / 1000.0, edits)
    }

    /// The public answer for a scored candidate.
    fn answer(&self, t: Target, score: f64, edits: u32) -> Match<'_> {
        let town = |i: u32| &*self.towns[i as usize].name;
        let village = |g: GridId| self.villages.get(&g).map(|v| &*v.name);
        // `districts` is never empty (a hierarchy has at least one district).
        let d = self.facts(t).district.unwrap_or(0) as usize;
        let (district_name, district_root, district_at) =
            self.districts.get(d).or(self.districts.first()).map_or(("", 0, (0.0, 0.0)), |d| (&*d.name, d.root, d.at));
        let base = Match {
            level: self.level(t),
            score,
            address: Cow::Borrowed(""),
            name: None,
            poi_type: None,
            layer: None,
            lon: 0.0,
            lat: 0.0,
            grid: district_root,
            township: None,
            components: Components::default(),
            edits,
        };
        let of_entry = |i: u32| {
            let e = &self.entries[i as usize];
            Match {
                address: Cow::Borrowed(&*e.text),
                lon: e.lon,
                lat: e.lat,
                grid: e.leaf,
                township: Some(e.township as usize),
                components: Components {
                    township: Some(town(e.township)),
                    village: village(e.village),
                    road: e.road.map(|r| &*self.roads[r as usize]),
                    house_no: e.house,
                    group: e.group_label.as_deref(),
                    compound: e.compound.map(|c| &*self.compounds[c as usize]),
                    building: e.building_label.as_deref(),
                    unit: e.unit,
                    room: e.room_label.as_deref(),
                },
                ..base.clone()
            }
        };
        match t {
            Target::Entry(i) | Target::Gate(_, i) => of_entry(i),
            Target::Road(r, i) => {
                let m = of_entry(i);
                let road = &*self.roads[r as usize];
                let text = &*self.entries[i as usize].text;
                let address = text.find(road).map_or(Cow::Borrowed(road), |p| Cow::Borrowed(&text[..p + road.len()]));
                let c = m.components;
                Match {
                    address,
                    components: Components {
                        township: c.township,
                        village: c.village,
                        road: c.road,
                        ..Components::default()
                    },
                    ..m
                }
            }
            Target::Poi(p) => {
                let poi = &self.pois[p as usize];
                Match {
                    address: Cow::Borrowed(poi.address.as_deref().unwrap_or(&poi.name)),
                    name: Some(&poi.name),
                    poi_type: poi.kind.as_deref(),
                    layer: Some(&poi.layer),
                    lon: poi.lon,
                    lat: poi.lat,
                    grid: poi.leaf,
                    township: Some(poi.township as usize),
                    components: Components {
                        township: Some(town(poi.township)),
                        village: village(poi.village),
                        ..Components::default()
                    },
                    ..base
                }
            }
            Target::Village(g) => {
                let Some(v) = self.villages.get(&g) else { return base };
                let t = town(v.township);
                Match {
                    address: Cow::Owned(format!("{PROVINCE}{district_name}{t}{}", v.name)),
                    lon: v.at.0,
                    lat: v.at.1,
                    grid: g,
                    township: Some(v.township as usize),
                    components: Components { township: Some(t), village: Some(&v.name), ..Components::default() },
                    ..base
                }
            }
            Target::Township(i) => {
                let t = &self.towns[i as usize];
                Match {
                    address: Cow::Owned(format!("{PROVINCE}{district_name}{}", t.name)),
                    lon: t.at.0,
                    lat: t.at.1,
                    township: Some(i as usize),
                    components: Components { township: Some(&t.name), ..Components::default() },
                    ..base
                }
            }
            Target::District(_) => Match {
                address: Cow::Owned(format!("{PROVINCE}{district_name}")),
                lon: district_at.0,
                lat: district_at.1,
                ..base
            },
        }
    }
}
