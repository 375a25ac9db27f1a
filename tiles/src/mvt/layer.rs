//! One MVT layer: features, with keys and values de-duplicated.

use rustc_hash::FxHashMap;

use super::geometry::{TileGeometry, commands};
use super::proto::{bytes_field, double_field, field_header, packed_body, uint_field, varint_len, zigzag64};

/// A property value as MVT stores it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PropertyValue<'a> {
    /// `string_value`.
    String(&'a str),
    /// `sint_value` (zigzag), the compact form for integers of either sign.
    Int(i64),
    /// `double_value`.
    Double(f64),
    /// `bool_value`.
    Bool(bool),
}

/// Builds one layer. Guarantees: version 2, the given extent, each key and each value stored
/// once, features in the order added. Keys and string values are borrowed (`'a`) from the data
/// being encoded, so building a layer copies no text but into its output.
#[derive(Debug)]
pub struct LayerBuilder<'a> {
    name: String,
    extent: u32,
    features: Vec<u8>,
    count: usize,
    keys: Vec<&'a str>,
    key_index: FxHashMap<&'a str, u32>,
    values: Vec<u8>,
    value_count: u32,
    /// Value indexes by kind; doubles by their bits, so `NaN` and `-0.0` are values of their
    /// own; bools by `u64::from`.
    strings: FxHashMap<&'a str, u32>,
    numbers: FxHashMap<(u8, u64), u32>,
    scratch_tags: Vec<u32>,
    scratch_geometry: Vec<u32>,
    scratch_bytes: (Vec<u8>, Vec<u8>),
}

impl<'a> LayerBuilder<'a> {
    /// An empty layer named `name`.
    pub fn new(name: &str, extent: u32) -> Self {
        Self {
            name: name.to_owned(),
            extent,
            features: Vec::new(),
            count: 0,
            keys: Vec::new(),
            key_index: FxHashMap::default(),
            values: Vec::new(),
            value_count: 0,
            strings: FxHashMap::default(),
            numbers: FxHashMap::default(),
            scratch_tags: Vec::new(),
            scratch_geometry: Vec::new(),
            scratch_bytes: (Vec::new(), Vec::new()),
        }
    }

    /// Number of features added.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when no feature was added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn key(&mut self, k: &'a str) -> u32 {
        if let Some(&i) = self.key_index.get(k) {
            return i;
        }
        let i = self.keys.len() as u32;
        self.keys.push(k);
        self.key_index.insert(k, i);
        i
    }

    fn value(&mut self, v: &PropertyValue<'a>) -> u32 {
        let number = match *v {
            PropertyValue::String(s) => {
                if let Some(&i) = self.strings.get(s) {
                    return i;
                }
                None
            }
            PropertyValue::Int(i) => Some((0, i as u64)),
            PropertyValue::Double(d) => Some((1, d.to_bits())),
            PropertyValue::Bool(b) => Some((2, u64::from(b))),
        };
        if let Some(&i) = number.and_then(|k| self.numbers.get(&k)) {
            return i;
        }
        // The Value message straight into the layer: its length, then its one field.
        match *v {
            PropertyValue::String(s) => {
                field_header(&mut self.values, 4, 1 + varint_len(s.len() as u64) + s.len());
                bytes_field(&mut self.values, 1, s.as_bytes());
            }
            PropertyValue::Double(d) => {
                field_header(&mut self.values, 4, 9);
                double_field(&mut self.values, 3, d);
            }
            PropertyValue::Int(i) => {
                let z = zigzag64(i);
                field_header(&mut self.values, 4, 1 + varint_len(z));
                uint_field(&mut self.values, 6, z);
            }
            PropertyValue::Bool(b) => {
                field_header(&mut self.values, 4, 2);
                uint_field(&mut self.values, 7, u64::from(b));
            }
        }
        let i = self.value_count;
        self.value_count += 1;
        match (*v, number) {
            (PropertyValue::String(s), _) => {
                self.strings.insert(s, i);
            }
            (_, Some(k)) => {
                self.numbers.insert(k, i);
            }
            _ => {}
        }
        i
    }

    /// Adds a feature; `None` values are left out (MVT has no null). Returns false, adding
    /// nothing, when the geometry has nothing left once cleaned for the integer grid (polygon
    /// rings are cleaned in place).
    pub fn add_feature(
        &mut self,
        id: Option<u64>,
        properties: impl IntoIterator<Item = (&'a str, Option<PropertyValue<'a>>)>,
        geometry: &mut TileGeometry,
    ) -> bool {
        let mut geom = std::mem::take(&mut self.scratch_geometry);
        geom.clear();
        let Some(kind) = commands(geometry, &mut geom) else {
            self.scratch_geometry = geom;
            return false;
        };
        let mut tags = std::mem::take(&mut self.scratch_tags);
        tags.clear();
        for (k, v) in properties {
            if let Some(v) = v {
                let (ki, vi) = (self.key(k), self.value(&v));
                tags.push(ki);
                tags.push(vi);
            }
        }
        // The Feature message straight into the layer: the packed bodies once, then its length
        // and its fields.
        let (mut tag_bytes, mut geom_bytes) = std::mem::take(&mut self.scratch_bytes);
        packed_body(&mut tag_bytes, &tags);
        packed_body(&mut geom_bytes, &geom);
        let packed = |n: usize| 1 + varint_len(n as u64) + n;
        let len = id.map_or(0, |id| 1 + varint_len(id))
            + if tags.is_empty() { 0 } else { packed(tag_bytes.len()) }
            + 1
            + varint_len(kind)
            + packed(geom_bytes.len());
        if self.features.capacity() == 0 {
            // A layer with one feature mostly gets more: start at a size that spares growing.
            self.features.reserve(16 * 1024);
        }
        field_header(&mut self.features, 2, len);
        if let Some(id) = id {
            uint_field(&mut self.features, 1, id);
        }
        if !tags.is_empty() {
            bytes_field(&mut self.features, 2, &tag_bytes);
        }
        uint_field(&mut self.features, 3, kind);
        bytes_field(&mut self.features, 4, &geom_bytes);
        self.scratch_bytes = (tag_bytes, geom_bytes);
        self.count += 1;
        self.scratch_geometry = geom;
        self.scratch_tags = tags;
        true
    }

    /// The encoded `Layer` message, or `None` when it holds no feature (an empty layer is
    /// left out of the tile).
    pub fn finish(self) -> Option<Vec<u8>> {
        if self.count == 0 {
            return None;
        }
        let mut out = Vec::with_capacity(self.features.len() + self.values.len() + 64);
        uint_field(&mut out, 15, 2);
        bytes_field(&mut out, 1, self.name.as_bytes());
        out.extend_from_slice(&self.features);
        for k in &self.keys {
            bytes_field(&mut out, 3, k.as_bytes());
        }
        out.extend_from_slice(&self.values);
        uint_field(&mut out, 5, u64::from(self.extent));
        Some(out)
    }
}
