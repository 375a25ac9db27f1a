//! Layers in memory with a spatial index each: bounding-box, within-distance and nearest-k
//! queries, with an attribute equality filter and paging. What the server answers from.

mod set;

use geo::{BoundingRect, Distance, Euclidean, Intersects, MapCoords};
use geo_types::{Coord, Geometry, Point, Rect};
use gridgis_engine::metres_per_degree;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use crate::catalog::CatalogEntry;
use crate::feature::{Feature, Value};
use crate::fgb::Record;

pub use self::set::LayerSet;

type Indexed = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// A filter names a field the layer does not have.
    #[error("layer {layer} has no field '{field}' (fields: {fields})")]
    UnknownField {
        /// The layer.
        layer: String,
        /// The field asked for.
        field: String,
        /// The layer's fields, comma-separated.
        fields: String,
    },
    /// A bbox or point is not finite or not ordered.
    #[error("invalid query geometry: {0}")]
    Geometry(String),
}

/// An attribute equality filter: every `(column, text)` must match (the value's text form:
/// integers and floats as written by Rust's `Display`, `true`/`false`, strings as they are).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    equals: Vec<(usize, String)>,
}

impl Filter {
    /// True when the filter has no condition.
    pub fn is_empty(&self) -> bool {
        self.equals.is_empty()
    }
}

/// One page of a query's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// How many features match in all.
    pub matched: usize,
    /// The features of this page (record indices), each with its distance in metres where the
    /// query had a point.
    pub items: Vec<(u32, Option<f64>)>,
}

/// A layer version loaded in memory. Immutable: a new version is a new `LayerData`.
#[derive(Debug)]
pub struct LayerData {
    entry: CatalogEntry,
    columns: Vec<String>,
    records: Vec<Record>,
    tree: RTree<Indexed>,
    densest: [u32; DENSITY_ZOOMS],
}

/// Zooms 0..=16 of the Web Mercator tile pyramid that [`LayerData::densest_tile`] knows.
const DENSITY_ZOOMS: usize = 17;

/// The most features whose box centres fall in one tile, per zoom 0..=16 (a z16 tile count
/// summed up the pyramid).
fn densest_per_zoom(boxes: &[Indexed]) -> [u32; DENSITY_ZOOMS] {
    let top = DENSITY_ZOOMS as u32 - 1;
    let n = f64::from(1u32 << top);
    let mut counts: std::collections::HashMap<(u32, u32), u32> = std::collections::HashMap::new();
    for b in boxes {
        let (lo, hi) = (b.geom().lower(), b.geom().upper());
        let c = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
        let x = ((c[0] + 180.0) / 360.0 * n).clamp(0.0, n - 1.0) as u32;
        let s: f64 = c[1].to_radians().sin().clamp(-0.9999, 0.9999);
        let y = ((0.5 - ((1.0 + s) / (1.0 - s)).ln() / (4.0 * std::f64::consts::PI)) * n).clamp(0.0, n - 1.0) as u32;
        *counts.entry((x, y)).or_insert(0) += 1;
    }
    let mut out = [0u32; DENSITY_ZOOMS];
    for z in (0..DENSITY_ZOOMS).rev() {
        out[z] = counts.values().copied().max().unwrap_or(0);
        let mut up: std::collections::HashMap<(u32, u32), u32> = std::collections::HashMap::with_capacity(counts.len());
        for ((x, y), c) in counts {
            *up.entry((x >> 1, y >> 1)).or_insert(0) += c;
        }
        counts = up;
    }
    out
}

fn text_of(v: &Value) -> Option<std::borrow::Cow<'_, str>> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(if *b { "true".into() } else { "false".into() }),
        Value::Int(i) => Some(i.to_string().into()),
        Value::Float(f) => Some(f.to_string().into()),
        Value::String(s) => Some(s.as_str().into()),
    }
}

/// Distance in metres from `(lon, lat)` to `g`, on the local tangent plane at the point
/// (WGS84 radii of curvature): exact to well under a metre over tens of kilometres.
pub fn distance_m(lon: f64, lat: f64, g: &Geometry<f64>) -> f64 {
    if let Geometry::Point(p) = g {
        let (mx, my) = metres_per_degree(lat);
        return ((p.x() - lon) * mx).hypot((p.y() - lat) * my);
    }
    let (mx, my) = metres_per_degree(lat);
    let local = g.map_coords(|c| Coord { x: (c.x - lon) * mx, y: (c.y - lat) * my });
    Euclidean.distance(&Point::new(0.0, 0.0), &local)
}

impl LayerData {
    /// Indexes `records` (with their `columns`) as the data of catalog `entry`.
    pub fn new(entry: CatalogEntry, columns: Vec<String>, records: Vec<Record>) -> Self {
        let boxes: Vec<Indexed> = records
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                r.geometry.bounding_rect().map(|b| {
                    GeomWithData::new(Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]), i as u32)
                })
            })
            .collect();
        let densest = densest_per_zoom(&boxes);
        Self { entry, columns, records, tree: RTree::bulk_load(boxes), densest }
    }

    /// The most features (counted by the centres of their boxes) that one Web Mercator tile at
    /// zoom `z` holds; zooms beyond 16 answer as 16.
    pub fn densest_tile(&self, z: u8) -> u32 {
        self.densest[usize::from(z).min(DENSITY_ZOOMS - 1)]
    }

    /// The catalog entry of this version.
    pub fn entry(&self) -> &CatalogEntry {
        &self.entry
    }

    /// Column names.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when the layer has no feature.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Feature `i` (an index from a [`Page`]).
    ///
    /// # Panics
    /// If `i` is not an index of this layer.
    pub fn record(&self, i: u32) -> &Record {
        &self.records[i as usize]
    }

    /// Feature `i` with its property names.
    pub fn feature(&self, i: u32) -> Feature {
        let r = self.record(i);
        Feature {
            geometry: r.geometry.clone(),
            properties: self.columns.iter().cloned().zip(r.values.iter().cloned()).collect(),
        }
    }

    /// A filter from `(field, value)` pairs; refuses fields the layer does not have.
    pub fn filter(&self, pairs: &[(String, String)]) -> Result<Filter, QueryError> {
        let mut equals = Vec::with_capacity(pairs.len());
        for (field, value) in pairs {
            let col = self.columns.iter().position(|c| c == field).ok_or_else(|| QueryError::UnknownField {
                layer: self.entry.id.clone(),
                field: field.clone(),
                fields: self.columns.join(", "),
            })?;
            equals.push((col, value.clone()));
        }
        Ok(Filter { equals })
    }

    fn passes(&self, i: u32, filter: &Filter) -> bool {
        let values = &self.records[i as usize].values;
        filter.equals.iter().all(|(col, want)| values.get(*col).and_then(text_of).is_some_and(|t| t == *want))
    }

    fn page(matches: Vec<(u32, Option<f64>)>, offset: usize, limit: usize) -> Page {
        let matched = matches.len();
        let items = matches.into_iter().skip(offset).take(limit).collect();
        Page { matched, items }
    }

    /// Features intersecting `[minx, miny, maxx, maxy]`, in storage order.
    pub fn bbox(&self, bbox: [f64; 4], filter: &Filter, offset: usize, limit: usize) -> Result<Page, QueryError> {
        let [x0, y0, x1, y1] = bbox;
        if !(bbox.iter().all(|v| v.is_finite()) && x0 <= x1 && y0 <= y1) {
            return Err(QueryError::Geometry(format!("bbox {bbox:?} must be four finite numbers minx,miny,maxx,maxy")));
        }
        let rect = Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 });
        let mut hits: Vec<u32> = self
            .tree
            .locate_in_envelope_intersecting(&AABB::from_corners([x0, y0], [x1, y1]))
            .map(|r| r.data)
            .filter(|&i| {
                // Points and boxes inside the query need no exact test.
                let g = &self.records[i as usize].geometry;
                matches!(g, Geometry::Point(_)) || g.intersects(&rect)
            })
            .filter(|&i| self.passes(i, filter))
            .collect();
        hits.sort_unstable();
        Ok(Self::page(hits.into_iter().map(|i| (i, None)).collect(), offset, limit))
    }

    /// Features whose bounding box meets `[minx, miny, maxx, maxy]`, in no particular order:
    /// the index's candidates, for callers that clip geometries themselves (tiles).
    pub fn candidates_in(&self, bbox: [f64; 4]) -> impl Iterator<Item = u32> + '_ {
        let [x0, y0, x1, y1] = bbox;
        self.tree.locate_in_envelope_intersecting(&AABB::from_corners([x0, y0], [x1, y1])).map(|r| r.data)
    }

    /// Every feature passing `filter`, in storage order.
    pub fn all(&self, filter: &Filter, offset: usize, limit: usize) -> Page {
        let hits = (0..self.records.len() as u32).filter(|&i| self.passes(i, filter)).map(|i| (i, None)).collect();
        Self::page(hits, offset, limit)
    }

    /// Features within `radius_m` metres of `(lon, lat)`, nearest first.
    pub fn within(
        &self,
        lon: f64,
        lat: f64,
        radius_m: f64,
        filter: &Filter,
        offset: usize,
        limit: usize,
    ) -> Result<Page, QueryError> {
        check_point(lon, lat)?;
        if !(radius_m.is_finite() && radius_m >= 0.0) {
            return Err(QueryError::Geometry(format!("distance {radius_m} must be a non-negative number of metres")));
        }
        let (mx, my) = metres_per_degree(lat);
        // The search box is widened by 1% for the curvature between the point and the box edge.
        let (dx, dy) = (radius_m * 1.01 / mx, radius_m * 1.01 / my);
        let env = AABB::from_corners([lon - dx, lat - dy], [lon + dx, lat + dy]);
        let mut hits: Vec<(u32, Option<f64>)> = self
            .tree
            .locate_in_envelope_intersecting(&env)
            .map(|r| r.data)
            .filter(|&i| self.passes(i, filter))
            .filter_map(|i| {
                let d = distance_m(lon, lat, &self.records[i as usize].geometry);
                (d <= radius_m).then_some((i, Some(d)))
            })
            .collect();
        hits.sort_by(|a, b| a.1.unwrap_or(0.0).total_cmp(&b.1.unwrap_or(0.0)).then(a.0.cmp(&b.0)));
        Ok(Self::page(hits, offset, limit))
    }

    /// The `k` features nearest to `(lon, lat)` (within `max_distance_m` if given), nearest
    /// first, with their distances in metres.
    pub fn nearest(
        &self,
        lon: f64,
        lat: f64,
        k: usize,
        filter: &Filter,
        max_distance_m: Option<f64>,
    ) -> Result<Vec<(u32, f64)>, QueryError> {
        check_point(lon, lat)?;
        let (mx, my) = metres_per_degree(lat);
        let mut best: Vec<(u32, f64)> = Vec::with_capacity(k + 1);
        if k == 0 {
            return Ok(best);
        }
        // The tree orders boxes by distance in degrees; turned into metres with the smaller
        // scale that is a lower bound on the true distance, so the walk can stop once it
        // exceeds the k-th best.
        let scale = mx.min(my);
        for (item, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&[lon, lat]) {
            let lower = d2.sqrt() * scale;
            if best.len() == k && lower > best[k - 1].1 {
                break;
            }
            if max_distance_m.is_some_and(|m| lower > m) {
                break;
            }
            let i = item.data;
            if !self.passes(i, filter) {
                continue;
            }
            let d = distance_m(lon, lat, &self.records[i as usize].geometry);
            if max_distance_m.is_some_and(|m| d > m) {
                continue;
            }
            let at = best.partition_point(|&(j, e)| (e, j) <= (d, i));
            if at < k {
                best.insert(at, (i, d));
                best.truncate(k);
            }
        }
        Ok(best)
    }
}

fn check_point(lon: f64, lat: f64) -> Result<(), QueryError> {
    if lon.is_finite() && lat.is_finite() && (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) {
        Ok(())
    } else {
        Err(QueryError::Geometry(format!("({lon}, {lat}) is not a longitude/latitude")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::CatalogEntry;
    use geo_types::{line_string, point};

    fn entry() -> CatalogEntry {
        CatalogEntry {
            id: "t".into(),
            name: "t".into(),
            category: "t".into(),
            kind: "thematic".into(),
            geometry_type: "Unknown".into(),
            feature_count: 0,
            bbox: None,
            fields: vec![],
            source_crs: "wgs84".into(),
            source_file: None,
            version: 1,
            updated_at: String::new(),
            file: String::new(),
            previous: vec![],
            latest: 1,
        }
    }

    /// 100 points on a line of longitude, 0.001° (~111 m) apart, alternating state; one line.
    fn layer() -> LayerData {
        let mut records: Vec<Record> = (0..100)
            .map(|i| Record {
                geometry: Geometry::Point(point!(x: 116.6, y: 40.3 + f64::from(i) * 0.001)),
                values: vec![Value::Int(i64::from(i)), Value::String(if i % 2 == 0 { "完好" } else { "破损" }.into())]
                    .into_boxed_slice(),
            })
            .collect();
        records.push(Record {
            geometry: Geometry::LineString(line_string![(x: 116.59, y: 40.35), (x: 116.61, y: 40.35)]),
            values: vec![Value::Int(100), Value::Null].into_boxed_slice(),
        });
        LayerData::new(entry(), vec!["n".into(), "state".into()], records)
    }

    #[test]
    fn bbox_filter_and_paging() {
        let l = layer();
        let all = l.bbox([116.0, 40.0, 117.0, 41.0], &Filter::default(), 0, 1000).unwrap();
        assert_eq!(all.matched, 101);
        let f = l.filter(&[("state".into(), "破损".into())]).unwrap();
        let page = l.bbox([116.0, 40.0, 117.0, 41.0], &f, 10, 20).unwrap();
        assert_eq!((page.matched, page.items.len()), (50, 20));
        assert!(page.items.iter().all(|&(i, _)| l.record(i).values[1] == Value::String("破损".into())));
        // The line crosses a box that holds none of its vertices.
        let line_only = l.bbox([116.595, 40.3495, 116.597, 40.3505], &Filter::default(), 0, 10).unwrap();
        assert_eq!(line_only.items, vec![(100, None)]);
        let f = l.filter(&[("n".into(), "7".into())]).unwrap();
        assert_eq!(l.all(&f, 0, 10).items, vec![(7, None)]);
        assert!(matches!(l.filter(&[("nope".into(), "1".into())]), Err(QueryError::UnknownField { .. })));
        assert!(l.bbox([1.0, 1.0, 0.0, 0.0], &Filter::default(), 0, 1).is_err());
        assert!(l.bbox([f64::NAN, 1.0, 2.0, 3.0], &Filter::default(), 0, 1).is_err());
    }

    #[test]
    fn nearest_and_within_in_metres() {
        let l = layer();
        let (_, my) = metres_per_degree(40.3);
        let near = l.nearest(116.6, 40.3101, 3, &Filter::default(), None).unwrap();
        let ids: Vec<u32> = near.iter().map(|&(i, _)| i).collect();
        assert_eq!(ids, vec![10, 11, 9]);
        assert!((near[0].1 - 0.0001 * my).abs() < 0.01, "{}", near[0].1);
        // The line at 40.35 is 0 m from a point on it, and comes first.
        let on_line = l.nearest(116.6005, 40.35, 1, &Filter::default(), None).unwrap();
        assert_eq!(on_line[0].0, 100);
        assert!(on_line[0].1 < 1e-6);
        let f = l.filter(&[("state".into(), "破损".into())]).unwrap();
        let odd = l.nearest(116.6, 40.3101, 2, &f, None).unwrap();
        assert_eq!(odd.iter().map(|&(i, _)| i).collect::<Vec<_>>(), vec![11, 9]);
        assert!(l.nearest(116.6, 40.3101, 5, &Filter::default(), Some(50.0)).unwrap().len() == 1);
        let within = l.within(116.6, 40.3101, 250.0, &Filter::default(), 0, 100).unwrap();
        assert_eq!(within.matched, 5, "10, 11, 9, 12, 8 are within 250 m");
        assert_eq!(within.items[0].0, 10);
        assert!(l.nearest(f64::NAN, 40.0, 1, &Filter::default(), None).is_err());
    }

    #[test]
    fn densest_tile_per_zoom() {
        let l = layer();
        // All 101 features in one tile at low zooms; at z16 (a tile ~480 m tall there) the
        // points 111 m apart share a tile four or five at a time.
        assert_eq!(l.densest_tile(0), 101);
        assert_eq!(l.densest_tile(10), 101);
        assert!((4..=6).contains(&l.densest_tile(16)), "{}", l.densest_tile(16));
        assert_eq!(l.densest_tile(22), l.densest_tile(16));
    }
}
