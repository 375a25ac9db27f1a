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
    let mut kept: Vec<(u64, Feature)> = Vec::new();
    let mut repaired_ids = Vec::new();
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
                if let Some(why) = c.repaired {
                    repaired_ids.push(raw.index);
                    note(&mut report.repairs, raw.index, why);
                }
                kept.push((raw.index, Feature { geometry: c.geometry, properties: raw.properties }));
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
    for (_, f) in &kept {
        counts[family(&f.geometry) as usize] += 1;
    }
    let main = [Family::Point, Family::Line, Family::Polygon]
        .into_iter()
        .max_by_key(|&f| (counts[f as usize], std::cmp::Reverse(f as usize)))
        .unwrap_or(Family::Point);
    let mixed_single_multi = {
        let mut singles = false;
        let mut multis = false;
        for (_, f) in kept.iter().filter(|(_, f)| family(&f.geometry) == main) {
            match f.geometry {
                Geometry::MultiPoint(_) | Geometry::MultiLineString(_) | Geometry::MultiPolygon(_) => multis = true,
                _ => singles = true,
            }
        }
        singles && multis
    };
    let mut features = Vec::with_capacity(kept.len());
    for (index, mut f) in kept {
        if family(&f.geometry) != main {
            report.rejected += 1;
            note(&mut report.rejections, index, format!("a {:?} geometry in a {main:?} layer", family(&f.geometry)));
            repaired_ids.retain(|&i| i != index);
            continue;
        }
        if mixed_single_multi {
            f.geometry = to_multi(f.geometry);
        }
        features.push(f);
    }
    unify_properties(&mut features);
    report.repaired = repaired_ids.len() as u64;
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
        kind: existing.as_ref().map_or_else(|| "thematic".into(), |e| e.kind.clone()),
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
