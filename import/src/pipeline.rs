//! The import pipeline: a source's features → reprojected to WGS84 → cleaned and repaired →
//! one geometry family → published as a new layer version, or nothing at all.

use std::time::Instant;

use geo_types::{Geometry, MultiLineString, MultiPoint, MultiPolygon};
use gridgis_layers::{CatalogEntry, Feature, LayerMeta, Store, Value};
use serde::Serialize;

use crate::read::{CrsHint, FeatureSource, ReadError};
use crate::repair::clean_geometry;
use crate::reproject::{ReprojectError, Reprojector, SourceCrs};

/// How many repaired or rejected features a report lists one by one (the counts are exact).
const LISTED: usize = 1_000;

/// The catalog `kind` of every layer an import writes.
const THEMATIC: &str = "thematic";

/// Whether `layer` (with its catalog entry, if it has one) is one an import may not write: the
/// grid hierarchy, the townships, the addresses, or any layer that is not thematic.
pub fn is_reserved(layer: &str, existing: Option<&CatalogEntry>) -> bool {
    [gridgis_layers::GRIDS_LAYER, gridgis_layers::TOWNSHIPS_LAYER, gridgis_layers::ADDRESSES_LAYER].contains(&layer)
        || existing.is_some_and(|e| e.kind != THEMATIC)
}

/// What to import into.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// Layer id (a new layer, or the next version of an existing one).
    pub layer: String,
    /// Display name; default: the existing layer's, else the file's stem.
    pub name: Option<String>,
    /// Category; default: the existing layer's, else `未分类`.
    pub category: Option<String>,
    /// Source coordinate system, overriding what the file says (`wgs84`, `gcj02`, `EPSG:4548`…).
    pub crs: Option<String>,
    /// RFC 3339 time stamp of the new version.
    pub updated_at: String,
}

/// One feature set aside or changed, with why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Note {
    /// 0-based feature number in the source file.
    pub feature: u64,
    /// What was wrong.
    pub reason: String,
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImportReport {
    /// Layer id.
    pub layer: String,
    /// The version published, if any.
    pub version: Option<u32>,
    /// The source file's name.
    pub source_file: String,
    /// The coordinate system the source was read in.
    pub source_crs: String,
    /// The text encoding used, where the format has one.
    pub encoding: Option<String>,
    /// Features read from the source.
    pub read: u64,
    /// Features published.
    pub published: u64,
    /// Of those, features that were repaired first.
    pub repaired: u64,
    /// Features rejected.
    pub rejected: u64,
    /// The geometry type published.
    pub geometry_type: Option<String>,
    /// Up to 1,000 repaired features and what was repaired.
    pub repairs: Vec<Note>,
    /// Up to 1,000 rejected features and why.
    pub rejections: Vec<Note>,
    /// Milliseconds from the first read to the published version.
    pub elapsed_ms: u64,
}

/// Why an import published nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The source could not be read (its header, its structure, a truncated file…).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The coordinate system is unknown or unusable.
    #[error(transparent)]
    Crs(#[from] ReprojectError),
    /// Not one feature survived validation; the report says why for each.
    #[error("nothing to publish: all {} features were rejected (first: {})", .0.read, .0.rejections.first().map_or("—".to_string(), |n| format!("feature {}: {}", n.feature, n.reason)))]
    NothingToPublish(Box<ImportReport>),
    /// The layer is one gridgis derives its grid hierarchy or its gazetteer from (`grids`,
    /// `townships`, `addresses`): it is written by gridgis's own tools, never replaced by a
    /// thematic import.
    #[error(
        "layer '{layer}' holds the grid hierarchy or the gazetteer and cannot be replaced by an import; choose another layer id"
    )]
    Reserved {
        /// The layer id.
        layer: String,
    },
    /// The layer store refused or failed (the data dir is unchanged).
    #[error(transparent)]
    Store(#[from] gridgis_layers::LayersError),
}

/// The three geometry families a layer may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Family {
    Point,
    Line,
    Polygon,
}

fn family(g: &Geometry<f64>) -> Family {
    match g {
        Geometry::Point(_) | Geometry::MultiPoint(_) => Family::Point,
        Geometry::Line(_) | Geometry::LineString(_) | Geometry::MultiLineString(_) => Family::Line,
        _ => Family::Polygon,
    }
}

/// The same geometry as its family's multi type.
fn to_multi(g: Geometry<f64>) -> Geometry<f64> {
    match g {
        Geometry::Point(p) => Geometry::MultiPoint(MultiPoint(vec![p])),
        Geometry::LineString(l) => Geometry::MultiLineString(MultiLineString(vec![l])),
        Geometry::Polygon(p) => Geometry::MultiPolygon(MultiPolygon(vec![p])),
        other => other,
    }
}

/// Makes the features' properties fit one schema, as the layer store requires: an empty name
/// becomes `field_N` (its position, from 1), a repeated name keeps its first value, and a
/// property whose values mix types (text in one feature, a number in another, as GeoJSON and
/// CSV files do) becomes text in every feature. Integers and decimals mixed stay numbers.
fn unify_properties(features: &mut [Feature]) {
    use std::collections::BTreeMap;
    #[derive(Default)]
    struct Seen {
        bool: bool,
        int: bool,
        float: bool,
        string: bool,
    }
    let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
    for f in features.iter_mut() {
        let mut props = Vec::with_capacity(f.properties.len());
        for (i, (name, value)) in std::mem::take(&mut f.properties).into_iter().enumerate() {
            let name = if name.trim().is_empty() { format!("field_{}", i + 1) } else { name };
            if props.iter().any(|(n, _): &(String, Value)| *n == name) {
                continue;
            }
            let s = seen.entry(name.clone()).or_default();
            match value {
                Value::Null => {}
                Value::Bool(_) => s.bool = true,
                Value::Int(_) => s.int = true,
                Value::Float(_) => s.float = true,
                Value::String(_) => s.string = true,
            }
            props.push((name, value));
        }
        f.properties = props;
    }
    let as_text: Vec<&String> = seen
        .iter()
        .filter(|(_, s)| usize::from(s.bool) + usize::from(s.int || s.float) + usize::from(s.string) > 1)
        .map(|(n, _)| n)
        .collect();
    if as_text.is_empty() {
        return;
    }
    for f in features.iter_mut() {
        for (name, value) in &mut f.properties {
            if as_text.contains(&&*name) {
                *value = match std::mem::replace(value, Value::Null) {
                    Value::Bool(b) => Value::String(b.to_string()),
                    Value::Int(i) => Value::String(i.to_string()),
                    Value::Float(x) => Value::String(x.to_string()),
                    other => other,
                };
            }
        }
    }
}

fn note(list: &mut Vec<Note>, feature: u64, reason: String) {
    if list.len() < LISTED {
        list.push(Note { feature, reason });
    }
}

/// Reads every feature of `source`, converts, cleans and publishes them as the next version
/// of `options.layer`. The source's coordinate system is `options.crs`, else what the file
/// declares, else WGS84 (and then coordinates that are not longitudes/latitudes are refused
/// with a hint). A layer holds one geometry family: the most common one wins, the others are
/// rejected; single and multi geometries of one family are published as the multi type.
/// `progress` is called with the number of features read so far, every 10,000.
///
/// # Errors
/// Nothing is published when the source cannot be read, its coordinate system cannot be used,
/// no feature is valid, or the store refuses; the data dir is then unchanged.
pub fn import(
    mut source: Box<dyn FeatureSource>,
    store: &mut Store,
    options: &ImportOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<(ImportReport, CatalogEntry), ImportError> {
    let started = Instant::now();
    if is_reserved(&options.layer, store.catalog().get(&options.layer)) {
        return Err(ImportError::Reserved { layer: options.layer.clone() });
    }
    let info = source.info().clone();
    let crs = match (&options.crs, &info.crs) {
        (Some(name), _) => SourceCrs::Named(name.parse().map_err(ReprojectError::Crs)?),
        (None, CrsHint::Epsg(code)) => {
            SourceCrs::Named(gridgis_engine::Crs::from_epsg(*code).map_err(ReprojectError::Crs)?)
        }
        (None, CrsHint::Wkt(wkt)) => SourceCrs::Definition(wkt.clone()),
        (None, CrsHint::None) => SourceCrs::Named(gridgis_engine::Crs::Wgs84),
    };
    let reprojector = Reprojector::new(&crs)?;
    let mut report = ImportReport {
        layer: options.layer.clone(),
        version: None,
        source_file: info.file_name.clone(),
        source_crs: reprojector.label().to_string(),
        encoding: info.encoding.clone(),
        read: 0,
        published: 0,
        repaired: 0,
        rejected: 0,
        geometry_type: None,
        repairs: Vec::new(),
        rejections: Vec::new(),
        elapsed_ms: 0,
    };
    // Each kept feature with its number in the file and whether it was repaired.
    let mut kept: Vec<(u64, bool, Feature)> = Vec::new();
    for item in source.by_ref() {
        let raw = match item {
            Ok(raw) => raw,
            Err(e) => match e.feature() {
                // A bad record: set aside, keep reading.
                Some(n) => {
                    report.read += 1;
                    report.rejected += 1;
                    note(&mut report.rejections, n, e.to_string());
                    continue;
                }
                // The file itself is broken: nothing is published.
                None => return Err(ImportError::Read(e)),
            },
        };
        report.read += 1;
        if report.read.is_multiple_of(10_000) {
            progress(report.read);
        }
        let Some(geometry) = raw.geometry else {
            report.rejected += 1;
            note(&mut report.rejections, raw.index, "no geometry".into());
            continue;
        };
        let cleaned = reprojector.geometry(geometry).and_then(clean_geometry);
        match cleaned {
            Ok(c) => {
                let repaired = c.repaired.is_some();
                if let Some(why) = c.repaired {
                    note(&mut report.repairs, raw.index, why);
                }
                kept.push((raw.index, repaired, Feature { geometry: c.geometry, properties: raw.properties }));
            }
            Err(why) => {
                report.rejected += 1;
                note(&mut report.rejections, raw.index, why);
            }
        }
    }
    progress(report.read);

    // One geometry family per layer: the most common (ties to points, lines, polygons).
    let mut counts = [0u64; 3];
    for (_, _, f) in &kept {
        counts[family(&f.geometry) as usize] += 1;
    }
    let main = [Family::Point, Family::Line, Family::Polygon]
        .into_iter()
        .max_by_key(|&f| (counts[f as usize], std::cmp::Reverse(f as usize)))
        .unwrap_or(Family::Point);
    let mixed_single_multi = {
        let mut singles = false;
        let mut multis = false;
        for (_, _, f) in kept.iter().filter(|(_, _, f)| family(&f.geometry) == main) {
            match f.geometry {
                Geometry::MultiPoint(_) | Geometry::MultiLineString(_) | Geometry::MultiPolygon(_) => multis = true,
                _ => singles = true,
            }
        }
        singles && multis
    };
    let mut features = Vec::with_capacity(kept.len());
    for (index, repaired, mut f) in kept {
        if family(&f.geometry) != main {
            report.rejected += 1;
            note(&mut report.rejections, index, format!("a {:?} geometry in a {main:?} layer", family(&f.geometry)));
            continue;
        }
        report.repaired += u64::from(repaired);
        if mixed_single_multi {
            f.geometry = to_multi(f.geometry);
        }
        features.push(f);
    }
    unify_properties(&mut features);
    report.published = features.len() as u64;
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    if features.is_empty() {
        return Err(ImportError::NothingToPublish(Box::new(report)));
    }
    let existing = store.catalog().get(&options.layer).cloned();
    let stem = std::path::Path::new(&info.file_name).file_stem().map(|s| s.to_string_lossy().into_owned());
    let meta = LayerMeta {
        id: options.layer.clone(),
        name: options
            .name
            .clone()
            .or_else(|| existing.as_ref().map(|e| e.name.clone()))
            .or(stem)
            .unwrap_or_else(|| options.layer.clone()),
        category: options
            .category
            .clone()
            .or_else(|| existing.as_ref().map(|e| e.category.clone()))
            .unwrap_or_else(|| "未分类".into()),
        kind: THEMATIC.into(),
        source_crs: report.source_crs.clone(),
        source_file: Some(info.file_name.clone()),
        updated_at: options.updated_at.clone(),
    };
    let entry = store.publish(meta, &features)?;
    report.version = Some(entry.version);
    report.geometry_type = Some(entry.geometry_type.clone());
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok((report, entry))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{Format, RawFeature, SourceInfo};
    use geo_types::{Point, polygon};

    /// A source over features held in memory, declaring `crs`.
    struct Memory {
        info: SourceInfo,
        items: std::vec::IntoIter<Result<RawFeature, ReadError>>,
    }

    impl Iterator for Memory {
        type Item = Result<RawFeature, ReadError>;
        fn next(&mut self) -> Option<Self::Item> {
            self.items.next()
        }
    }

    impl FeatureSource for Memory {
        fn info(&self) -> &SourceInfo {
            &self.info
        }
    }

    fn source(crs: CrsHint, items: Vec<Result<RawFeature, ReadError>>) -> Box<dyn FeatureSource> {
        let info = SourceInfo {
            file_name: "井盖.shp".into(),
            format: Format::Shapefile,
            crs,
            encoding: Some("GBK".into()),
            declared_features: Some(items.len() as u64),
        };
        Box::new(Memory { info, items: items.into_iter() })
    }

    fn feature(
        index: u64,
        geometry: Option<Geometry<f64>>,
        props: Vec<(&str, Value)>,
    ) -> Result<RawFeature, ReadError> {
        Ok(RawFeature { index, geometry, properties: props.into_iter().map(|(k, v)| (k.to_string(), v)).collect() })
    }

    fn options(layer: &str) -> ImportOptions {
        ImportOptions { layer: layer.into(), updated_at: "2026-05-01T00:00:00Z".into(), ..Default::default() }
    }

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(dir.path()).unwrap();
        (dir, store)
    }

    fn catalog_bytes(dir: &tempfile::TempDir) -> Vec<u8> {
        std::fs::read(dir.path().join(gridgis_layers::CATALOG_FILE)).unwrap()
    }

    #[test]
    fn a_prj_proj_cannot_use_publishes_nothing() {
        let (dir, mut store) = store();
        let before = catalog_bytes(&dir);
        let pt = Some(Geometry::Point(Point::new(469_149.0, 4_465_568.5)));
        let src = source(CrsHint::Wkt("PROJCS[\"garbage\",NONSENSE]".into()), vec![feature(0, pt, vec![])]);
        let err = import(src, &mut store, &options("covers"), &mut |_| {}).unwrap_err();
        assert!(matches!(err, ImportError::Crs(_)), "{err}");
        assert!(err.to_string().contains("PROJ cannot use"), "{err}");
        assert_eq!(catalog_bytes(&dir), before);
    }

    #[test]
    fn a_prj_that_lies_rejects_every_feature_and_publishes_nothing() {
        // The .prj says WGS84 but the coordinates are Gauss-Krüger metres.
        let (dir, mut store) = store();
        let before = catalog_bytes(&dir);
        let pt = |x: f64| Some(Geometry::Point(Point::new(x, 4_465_568.5)));
        let src =
            source(CrsHint::Epsg(4326), vec![feature(0, pt(469_149.0), vec![]), feature(1, pt(469_200.0), vec![])]);
        let Err(ImportError::NothingToPublish(report)) = import(src, &mut store, &options("covers"), &mut |_| {})
        else {
            panic!("expected nothing to publish")
        };
        assert_eq!((report.read, report.rejected, report.published), (2, 2, 0));
        assert!(report.rejections[0].reason.contains("--crs"), "{:?}", report.rejections);
        assert_eq!(catalog_bytes(&dir), before);
    }

    #[test]
    fn the_grid_layers_cannot_be_replaced() {
        let (dir, mut store) = store();
        let before = catalog_bytes(&dir);
        for layer in [gridgis_layers::GRIDS_LAYER, gridgis_layers::TOWNSHIPS_LAYER] {
            let pt = Some(Geometry::Point(Point::new(116.6, 40.3)));
            let err =
                import(source(CrsHint::None, vec![feature(0, pt, vec![])]), &mut store, &options(layer), &mut |_| {})
                    .unwrap_err();
            assert!(matches!(err, ImportError::Reserved { .. }), "{err}");
        }
        assert_eq!(catalog_bytes(&dir), before);
    }

    #[test]
    fn a_broken_file_mid_way_publishes_nothing() {
        let (dir, mut store) = store();
        let before = catalog_bytes(&dir);
        let pt = Some(Geometry::Point(Point::new(116.6, 40.3)));
        let src = source(
            CrsHint::None,
            vec![feature(0, pt.clone(), vec![]), Err(ReadError::invalid("井盖.shp", "record 1 runs past the end"))],
        );
        let err = import(src, &mut store, &options("covers"), &mut |_| {}).unwrap_err();
        assert!(err.to_string().contains("record 1 runs past the end"), "{err}");
        assert_eq!(catalog_bytes(&dir), before);
    }

    #[test]
    fn repairs_rejections_families_and_schema() {
        let (_dir, mut store) = store();
        let bowtie =
            polygon![(x: 116.62, y: 40.30), (x: 116.63, y: 40.31), (x: 116.63, y: 40.30), (x: 116.62, y: 40.31)];
        let square =
            polygon![(x: 116.60, y: 40.30), (x: 116.61, y: 40.30), (x: 116.61, y: 40.31), (x: 116.60, y: 40.31)];
        let items = vec![
            feature(
                0,
                Some(Geometry::Polygon(square.clone())),
                vec![("名称", Value::String("青春公园".into())), ("", Value::Int(1))],
            ),
            feature(
                1,
                Some(Geometry::Polygon(bowtie)),
                vec![("名称", Value::String("蝴蝶园".into())), ("", Value::Int(2))],
            ),
            Err(ReadError::feature_error("井盖.shp", 2, "a ring with 2 points")),
            feature(3, Some(Geometry::Point(Point::new(116.6, 40.3))), vec![("名称", Value::String("点".into()))]),
            feature(4, None, vec![]),
            // The same field as a number here and as text before: the field becomes text.
            feature(5, Some(Geometry::Polygon(square)), vec![("名称", Value::Int(7))]),
        ];
        let mut seen = Vec::new();
        let (report, entry) =
            import(source(CrsHint::None, items), &mut store, &options("parks"), &mut |n| seen.push(n)).unwrap();
        assert_eq!((report.read, report.published, report.repaired, report.rejected), (6, 3, 1, 3));
        let rejected: Vec<u64> = report.rejections.iter().map(|n| n.feature).collect();
        assert_eq!(rejected, vec![2, 4, 3]);
        assert_eq!(report.repairs[0].feature, 1);
        assert_eq!((entry.version, entry.geometry_type.as_str()), (1, "MultiPolygon"));
        assert_eq!(entry.name, "井盖", "the file's stem names a new layer");
        assert_eq!(seen.last(), Some(&6));
        let names: Vec<&str> = entry.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["名称", "field_2"]);
        let stored = store.read("parks").unwrap();
        assert!(stored.iter().all(|f| matches!(f.get("名称"), Some(Value::String(_)))), "{stored:?}");
    }
}
