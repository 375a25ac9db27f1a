//! The grid hierarchy as two system layers: `grids` (every grid of every level) and
//! `townships` (the 17 township-level units).

use geo_types::{Geometry, MultiPolygon};
use gridgis_engine::{Grid, Hierarchy, Township};

use crate::error::{LayersError, Result};
use crate::feature::{Feature, Value};
use crate::store::{LayerMeta, Store};

/// Layer id of the grids.
pub const GRIDS_LAYER: &str = "grids";
/// Layer id of the townships.
pub const TOWNSHIPS_LAYER: &str = "townships";
/// Layer id of the gazetteer (标准地址): one point per standard address.
pub const ADDRESSES_LAYER: &str = "addresses";

fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

fn opt(s: &Option<String>) -> Value {
    s.as_deref().map_or(Value::Null, text)
}

fn system_meta(id: &str, name: &str, updated_at: &str) -> LayerMeta {
    LayerMeta {
        id: id.into(),
        name: name.into(),
        category: "网格".into(),
        kind: "system".into(),
        source_crs: "wgs84".into(),
        source_file: None,
        updated_at: updated_at.into(),
    }
}

/// Publishes the grids (one MultiPolygon feature each, properties `code, name, level,
/// parent_code, township_code, kind`) and the townships (`code, name, kind`), together.
pub fn publish_grids(store: &mut Store, grids: &[Grid], townships: &[Township], updated_at: &str) -> Result<()> {
    let features: Vec<Feature> = grids
        .iter()
        .map(|g| Feature {
            geometry: Geometry::MultiPolygon(g.geometry.clone()),
            properties: vec![
                ("code".into(), text(&g.code)),
                ("name".into(), text(&g.name)),
                ("level".into(), Value::Int(i64::from(g.level))),
                ("parent_code".into(), opt(&g.parent_code)),
                ("township_code".into(), opt(&g.township_code)),
                ("kind".into(), text(&g.kind)),
            ],
        })
        .collect();
    let township_features: Vec<Feature> = townships
        .iter()
        .map(|t| Feature {
            geometry: Geometry::MultiPolygon(t.geometry.clone()),
            properties: vec![
                ("code".into(), text(&t.code)),
                ("name".into(), text(&t.name)),
                ("kind".into(), text(&t.kind)),
            ],
        })
        .collect();
    store.publish_many(&[
        (system_meta(GRIDS_LAYER, "网格", updated_at), &features),
        (system_meta(TOWNSHIPS_LAYER, "街乡镇", updated_at), &township_features),
    ])?;
    Ok(())
}

fn multipolygon(layer: &'static str, index: usize, g: Geometry<f64>) -> Result<MultiPolygon<f64>> {
    match g {
        Geometry::MultiPolygon(mp) => Ok(mp),
        Geometry::Polygon(p) => Ok(MultiPolygon(vec![p])),
        other => Err(LayersError::Grids { layer, message: format!("feature {index} is a {other:?}, not a polygon") }),
    }
}

fn string(layer: &'static str, index: usize, f: &Feature, name: &str) -> Result<String> {
    match f.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(LayersError::Grids { layer, message: format!("feature {index} has no text '{name}'") }),
    }
}

fn optional(f: &Feature, name: &str) -> Option<String> {
    f.get(name).and_then(Value::as_str).map(str::to_string)
}

/// Reads the two grid layers back into a validated [`Hierarchy`]. Grids are ordered by level,
/// then code (the files are in spatial order), so grid ids do not depend on the file layout.
pub fn load_hierarchy(store: &Store) -> Result<Hierarchy> {
    let mut grids = Vec::new();
    for (i, f) in store.read(GRIDS_LAYER)?.into_iter().enumerate() {
        let level =
            f.get("level").and_then(Value::as_i64).and_then(|l| u8::try_from(l).ok()).ok_or_else(|| {
                LayersError::Grids { layer: GRIDS_LAYER, message: format!("feature {i} has no level") }
            })?;
        grids.push(Grid {
            code: string(GRIDS_LAYER, i, &f, "code")?,
            name: string(GRIDS_LAYER, i, &f, "name")?,
            level,
            kind: string(GRIDS_LAYER, i, &f, "kind")?,
            parent_code: optional(&f, "parent_code"),
            township_code: optional(&f, "township_code"),
            geometry: multipolygon(GRIDS_LAYER, i, f.geometry)?,
        });
    }
    grids.sort_by(|a, b| (a.level, &a.code).cmp(&(b.level, &b.code)));
    let mut townships = Vec::new();
    for (i, f) in store.read(TOWNSHIPS_LAYER)?.into_iter().enumerate() {
        townships.push(Township {
            code: string(TOWNSHIPS_LAYER, i, &f, "code")?,
            name: string(TOWNSHIPS_LAYER, i, &f, "name")?,
            kind: string(TOWNSHIPS_LAYER, i, &f, "kind")?,
            geometry: multipolygon(TOWNSHIPS_LAYER, i, f.geometry)?,
        });
    }
    townships.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(Hierarchy::new(grids, townships)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    fn square(x: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![
            polygon![(x: x, y: 0.0), (x: x + 1.0, y: 0.0), (x: x + 1.0, y: 1.0), (x: x, y: 1.0), (x: x, y: 0.0)],
        ])
    }

    #[test]
    fn grids_round_trip_through_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(dir.path()).unwrap();
        let t = Some("110116001".to_string());
        let grids = vec![
            Grid {
                code: "110116".into(),
                name: "怀柔区".into(),
                level: 0,
                kind: "district".into(),
                parent_code: None,
                township_code: None,
                geometry: square(0.0),
            },
            Grid {
                code: "110116001001".into(),
                name: "富乐社区".into(),
                level: 1,
                kind: "community".into(),
                parent_code: Some("110116".into()),
                township_code: t.clone(),
                geometry: square(0.0),
            },
        ];
        let townships = vec![Township {
            code: "110116001".into(),
            name: "泉河街道".into(),
            kind: "subdistrict".into(),
            geometry: square(0.0),
        }];
        publish_grids(&mut store, &grids, &townships, "2026-01-01T00:00:00Z").unwrap();
        let h = load_hierarchy(&Store::open(dir.path()).unwrap()).unwrap();
        assert_eq!(h.grids(), &grids[..]);
        assert_eq!(h.townships(), &townships[..]);
        let entry = store.catalog().get(GRIDS_LAYER).unwrap();
        let fields: Vec<&str> = entry.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(fields, ["code", "name", "level", "parent_code", "township_code", "kind"]);
        assert_eq!(entry.kind, "system");
    }
}
