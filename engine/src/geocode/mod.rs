//! Geocoding: free-text Beijing addresses to gazetteer entries, and points back to the
//! nearest address and POI.
//!
//! The flow (`ARCHITECTURE.md`, *Geocode*): [`normalize`] rewrites the forms people type into
//! the gazetteer's written forms; the query is read into names (one Aho–Corasick automaton over
//! every place name, a character index plus edit distance for names typed with a slip) and
//! numbers (parsed by their unit words); candidates come from the gazetteer's tables by key,
//! never by a scan; each is scored by how much of the query it explains, how far its names are
//! from what was typed and whether the query's township and village agree with it; the best
//! come first, and where the full address does not exist the answer falls back one level at a
//! time: room → building → house → road → POI → village → township → district.

mod dictionary;
mod distance;
mod gazetteer;
mod matcher;
mod normalize;
mod parse;
mod reverse;

pub use self::gazetteer::{AddressRecord, Geocoder, GeocoderBuildError, GeocoderStats, PoiRecord};
pub use self::matcher::{Components, GeocodeError, Geocoded, MAX_QUERY_CHARS, Match};
pub use self::normalize::normalize;
pub use self::reverse::{NearAddress, NearPoi, Reverse};

/// How precise a geocoding answer is, finest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// A flat: compound, building, unit and room.
    Room,
    /// A building of a compound.
    Building,
    /// A door plate: road and number, or village group and number, or a compound's gate.
    House,
    /// A road, at the address on it nearest to the number asked for.
    Road,
    /// A point of interest by name.
    Poi,
    /// A village or community (a level-1 grid).
    Village,
    /// A township-level unit.
    Township,
    /// The district.
    District,
}

impl Level {
    /// The name used in answers: `room`, `building`, `house`, `road`, `poi`, `village`,
    /// `township`, `district`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Room => "room",
            Level::Building => "building",
            Level::House => "house",
            Level::Road => "road",
            Level::Poi => "poi",
            Level::Village => "village",
            Level::Township => "township",
            Level::District => "district",
        }
    }

    /// The level of a gazetteer address written as in the `addresses` layer's `level` field.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "room" => Level::Room,
            "building" => Level::Building,
            "house" => Level::House,
            "road" => Level::Road,
            "poi" => Level::Poi,
            "village" => Level::Village,
            "township" => Level::Township,
            "district" => Level::District,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
