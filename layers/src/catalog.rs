//! The catalog: one entry per layer, stored as `catalog.json`.

use serde::{Deserialize, Serialize};

/// Version of the catalog file format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The type of a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    /// true / false.
    Bool,
    /// 64-bit integer.
    Int,
    /// Double.
    Float,
    /// Text.
    String,
}

/// A field of a layer's schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// Property name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub field_type: FieldType,
}

/// What the catalog knows of a layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogEntry {
    /// Layer id: `[a-z0-9][a-z0-9_-]{0,63}`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Category for grouping in the map's layer switcher.
    pub category: String,
    /// `system` (the grids) or `thematic`.
    pub kind: String,
    /// FlatGeobuf geometry type name: Point, LineString, Polygon, MultiPoint, MultiLineString,
    /// MultiPolygon, or Unknown for mixed layers.
    pub geometry_type: String,
    /// Number of features.
    pub feature_count: u64,
    /// `[minx, miny, maxx, maxy]` in WGS84; `None` for an empty layer.
    pub bbox: Option<[f64; 4]>,
    /// The schema, in column order.
    pub fields: Vec<Field>,
    /// The coordinate system the source came in.
    pub source_crs: String,
    /// The file the layer was imported from, if any.
    pub source_file: Option<String>,
    /// The current version, counting from 1.
    pub version: u32,
    /// When the current version was published (RFC 3339).
    pub updated_at: String,
    /// Path of the current version's file, relative to the data dir.
    pub file: String,
    /// Older versions still on disk, newest first: what `rollback` returns to.
    #[serde(default)]
    pub previous: Vec<VersionInfo>,
    /// The highest version number ever published (a rolled-back number is never reused).
    #[serde(default)]
    pub latest: u32,
}

/// What the catalog keeps of one version of a layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionInfo {
    /// Version number.
    pub version: u32,
    /// Its file, relative to the data dir.
    pub file: String,
    /// Geometry type name.
    pub geometry_type: String,
    /// Number of features.
    pub feature_count: u64,
    /// Bounding box, if any feature.
    pub bbox: Option<[f64; 4]>,
    /// Schema.
    pub fields: Vec<Field>,
    /// Source coordinate system.
    pub source_crs: String,
    /// Source file.
    pub source_file: Option<String>,
    /// Publication time.
    pub updated_at: String,
}

impl CatalogEntry {
    /// The current version's facts.
    pub fn current(&self) -> VersionInfo {
        VersionInfo {
            version: self.version,
            file: self.file.clone(),
            geometry_type: self.geometry_type.clone(),
            feature_count: self.feature_count,
            bbox: self.bbox,
            fields: self.fields.clone(),
            source_crs: self.source_crs.clone(),
            source_file: self.source_file.clone(),
            updated_at: self.updated_at.clone(),
        }
    }

    /// Makes `v` the current version (the layer's id, name, category and kind stay).
    pub fn set_current(&mut self, v: VersionInfo) {
        self.version = v.version;
        self.file = v.file;
        self.geometry_type = v.geometry_type;
        self.feature_count = v.feature_count;
        self.bbox = v.bbox;
        self.fields = v.fields;
        self.source_crs = v.source_crs;
        self.source_file = v.source_file;
        self.updated_at = v.updated_at;
    }

    /// Every version kept on disk, current first.
    pub fn kept_versions(&self) -> Vec<u32> {
        std::iter::once(self.version).chain(self.previous.iter().map(|v| v.version)).collect()
    }
}

/// All layers, sorted by id.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// Always `gridgis-catalog`.
    pub format: String,
    /// The catalog format version (1 for this build).
    pub format_version: u32,
    /// The layers.
    pub layers: Vec<CatalogEntry>,
}

impl Catalog {
    /// An empty catalog of the current format.
    pub fn new() -> Self {
        Self { format: "gridgis-catalog".into(), format_version: FORMAT_VERSION, layers: Vec::new() }
    }

    /// The entry of layer `id`.
    pub fn get(&self, id: &str) -> Option<&CatalogEntry> {
        self.layers.iter().find(|l| l.id == id)
    }

    /// Inserts or replaces an entry, keeping the layers sorted by id.
    pub fn upsert(&mut self, entry: CatalogEntry) {
        match self.layers.binary_search_by(|l| l.id.as_str().cmp(&entry.id)) {
            Ok(i) => self.layers[i] = entry,
            Err(i) => self.layers.insert(i, entry),
        }
    }
}

/// True for a valid layer id: 1–64 characters of `a-z 0-9 _ -`, starting with a letter or digit.
pub fn valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter().all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        for ok in ["grids", "a", "poi_2024", "roads-main", "0x"] {
            assert!(valid_id(ok), "{ok}");
        }
        for bad in ["", "Grids", "_a", "-a", "a b", "a/b", "..", "道路", &"a".repeat(65)] {
            assert!(!valid_id(bad), "{bad}");
        }
    }
}
