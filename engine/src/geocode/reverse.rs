//! Reverse geocoding: the address and the POI nearest to a point.

use rstar::RTree;
use rstar::primitives::GeomWithData;

use super::Level;
use super::gazetteer::{Entry, Geocoder, Poi};
use crate::hierarchy::GridId;
use crate::locate::metres_per_degree;

/// Latitude whose metres-per-degree scale the trees use (the middle of the reference
/// district); the few nearest by that scale are re-measured at the query's own latitude.
const TREE_LAT: f64 = 40.6;
/// How many of the nearest by the tree's scale are re-measured exactly.
const REFINE: usize = 8;

type Item = GeomWithData<[f64; 2], u32>;

/// Trees over the house- and building-level addresses (flats share their building's point)
/// and over the POIs, in metres at [`TREE_LAT`].
#[derive(Debug)]
pub(crate) struct ReverseIndex {
    addresses: RTree<Item>,
    pois: RTree<Item>,
}

fn scaled(lon: f64, lat: f64) -> [f64; 2] {
    let (mx, my) = metres_per_degree(TREE_LAT);
    [lon * mx, lat * my]
}

impl ReverseIndex {
    pub fn build(entries: &[Entry], pois: &[Poi]) -> Self {
        let addresses = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.level != Level::Room)
            .map(|(i, e)| GeomWithData::new(scaled(e.lon, e.lat), i as u32))
            .collect();
        let pois = pois.iter().enumerate().map(|(i, p)| GeomWithData::new(scaled(p.lon, p.lat), i as u32)).collect();
        Self { addresses: RTree::bulk_load(addresses), pois: RTree::bulk_load(pois) }
    }
}

/// Nearest of `tree` to `(lon, lat)` by true local distance, if within `radius_m`.
fn nearest(
    tree: &RTree<Item>,
    lon: f64,
    lat: f64,
    radius_m: f64,
    at: impl Fn(u32) -> (f64, f64),
) -> Option<(u32, f64)> {
    let (mx, my) = metres_per_degree(lat);
    tree.nearest_neighbor_iter(&scaled(lon, lat))
        .take(REFINE)
        .map(|item| {
            let (x, y) = at(item.data);
            (item.data, ((x - lon) * mx).hypot((y - lat) * my))
        })
        .filter(|&(_, d)| d <= radius_m)
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
}

/// The nearest address to a point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NearAddress<'g> {
    /// The standard address text.
    pub address: &'g str,
    /// `house` or `building`.
    pub level: Level,
    /// Its point.
    pub lon: f64,
    /// Its point.
    pub lat: f64,
    /// The leaf grid it lies in.
    pub grid: GridId,
    /// Metres from the query point.
    pub distance_m: f64,
}

/// The nearest POI to a point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NearPoi<'g> {
    /// Its name.
    pub name: &'g str,
    /// Its type, if known.
    pub kind: Option<&'g str>,
    /// Its address text, if known.
    pub address: Option<&'g str>,
    /// The layer it comes from.
    pub layer: &'g str,
    /// Its point.
    pub lon: f64,
    /// Its point.
    pub lat: f64,
    /// The leaf grid it lies in.
    pub grid: GridId,
    /// Metres from the query point.
    pub distance_m: f64,
}

/// What lies nearest to a point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reverse<'g> {
    /// The nearest address within the radius.
    pub address: Option<NearAddress<'g>>,
    /// The nearest POI within the radius.
    pub poi: Option<NearPoi<'g>>,
}

impl Geocoder {
    /// The address (house or building; a flat is at its building's point) and the POI nearest
    /// to a WGS84 point, each if within `radius_m` metres. Distances are on the local tangent
    /// plane, as in every answer of the engine.
    pub fn reverse(&self, lon: f64, lat: f64, radius_m: f64) -> Reverse<'_> {
        if !(lon.is_finite() && lat.is_finite() && radius_m >= 0.0) {
            return Reverse { address: None, poi: None };
        }
        let address = nearest(&self.reverse.addresses, lon, lat, radius_m, |i| {
            let e = &self.entries[i as usize];
            (e.lon, e.lat)
        })
        .map(|(i, distance_m)| {
            let e = &self.entries[i as usize];
            NearAddress { address: &e.text, level: e.level, lon: e.lon, lat: e.lat, grid: e.leaf, distance_m }
        });
        let poi = nearest(&self.reverse.pois, lon, lat, radius_m, |i| {
            let p = &self.pois[i as usize];
            (p.lon, p.lat)
        })
        .map(|(i, distance_m)| {
            let p = &self.pois[i as usize];
            NearPoi {
                name: &p.name,
                kind: p.kind.as_deref(),
                address: p.address.as_deref(),
                layer: &p.layer,
                lon: p.lon,
                lat: p.lat,
                grid: p.leaf,
                distance_m,
            }
        });
        Reverse { address, poi }
    }
}
