//! The geocoder's sources among the layers: the gazetteer (`addresses`) and every POI layer
//! (catalog category [`POI_CATEGORY`] with a `name` field). A new version of any of them means
//! a new geocoder; [`is_geocoder_source`] says which layers those are.

use geo_types::Geometry;
use gridgis_engine::{AddressRecord, Engine, Geocoder, PoiRecord};

use crate::catalog::CatalogEntry;
use crate::feature::Value;
use crate::grids::ADDRESSES_LAYER;
use crate::query::{LayerData, LayerSet};

/// Catalog category of the layers whose features the geocoder finds by name (兴趣点, POIs).
/// A layer imported with this category and a `name` field is searchable as soon as it is
/// published.
pub const POI_CATEGORY: &str = "兴趣点";

/// True when a layer feeds the geocoder: the gazetteer, or a POI layer.
pub fn is_geocoder_source(entry: &CatalogEntry) -> bool {
    entry.id == ADDRESSES_LAYER || entry.category == POI_CATEGORY
}

/// A point to stand for a feature: the point itself, the first of a multipoint; other
/// geometries are not places a name search points at.
fn point_of(g: &Geometry<f64>) -> Option<(f64, f64)> {
    match g {
        Geometry::Point(p) => Some((p.x(), p.y())),
        Geometry::MultiPoint(mp) => mp.0.first().map(|p| (p.x(), p.y())),
        _ => None,
    }
}

/// Column accessors of one layer.
struct Columns<'a> {
    layer: &'a LayerData,
}

impl<'a> Columns<'a> {
    fn index(&self, name: &str) -> Option<usize> {
        self.layer.columns().iter().position(|c| c == name)
    }

    fn text(&self, i: u32, col: Option<usize>) -> Option<String> {
        let v = self.layer.record(i).values.get(col?)?;
        match v {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Int(n) => Some(n.to_string()),
            _ => None,
        }
    }

    fn number(&self, i: u32, col: Option<usize>) -> Option<u32> {
        match self.layer.record(i).values.get(col?)? {
            Value::Int(n) => u32::try_from(*n).ok(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// The gazetteer's addresses as geocoder records (empty without an `addresses` layer).
pub fn address_records(set: &LayerSet) -> Vec<AddressRecord> {
    let Some(layer) = set.get(ADDRESSES_LAYER) else { return Vec::new() };
    let c = Columns { layer };
    let [address, township, village, road, house, compound, building, unit, room, group] =
        ["address", "township", "village", "road", "house_no", "compound", "building", "unit", "room", "group"]
            .map(|n| c.index(n));
    (0..layer.len() as u32)
        .filter_map(|i| {
            let (lon, lat) = point_of(&layer.record(i).geometry)?;
            Some(AddressRecord {
                address: c.text(i, address)?,
                township: c.text(i, township),
                village: c.text(i, village),
                lon,
                lat,
                road: c.text(i, road),
                house_no: c.number(i, house),
                compound: c.text(i, compound),
                building: c.text(i, building),
                unit: c.number(i, unit),
                room: c.text(i, room),
                group: c.text(i, group),
            })
        })
        .collect()
}

/// Every POI of every POI layer, in layer-id order.
pub fn poi_records(set: &LayerSet) -> Vec<PoiRecord> {
    let mut out = Vec::new();
    for layer in set.iter().filter(|l| l.entry().category == POI_CATEGORY) {
        let c = Columns { layer };
        let Some(name) = c.index("name") else { continue };
        let (kind, address) = (c.index("type"), c.index("address"));
        for i in 0..layer.len() as u32 {
            let (Some((lon, lat)), Some(n)) = (point_of(&layer.record(i).geometry), c.text(i, Some(name))) else {
                continue;
            };
            out.push(PoiRecord {
                name: n,
                kind: c.text(i, kind),
                address: c.text(i, address),
                layer: layer.entry().id.clone(),
                lon,
                lat,
            });
        }
    }
    out
}

/// Builds the geocoder over `engine`'s grids from the layers' gazetteer and POIs.
///
/// # Errors
/// When the name automaton cannot be built (see [`Geocoder::build`]).
pub fn build_geocoder(engine: &Engine, set: &LayerSet) -> Result<Geocoder, crate::LayersError> {
    Ok(Geocoder::build(engine, &address_records(set), &poi_records(set))?)
}
