//! TileJSON 3.0.0 for one source or a composite of several, and the martin-style catalog.

use serde_json::{Value, json};

use crate::source::SourceInfo;

/// TileJSON 3.0.0 for `sources` (in request order), whose tiles are at `tiles_url` (with
/// `{z}/{x}/{y}` in it). Bounds are the union of the sources'; `minzoom`/`maxzoom` the range
/// over their layers; the center is the middle of the bounds at the lowest zoom with features,
/// plus two (where a district fills the screen).
pub fn tilejson(sources: &[SourceInfo], tiles_url: &str) -> Value {
    let layers: Vec<_> = sources.iter().flat_map(|s| s.layers.iter()).collect();
    let minzoom = layers.iter().map(|l| l.minzoom).min().unwrap_or(0);
    let maxzoom = layers.iter().map(|l| l.maxzoom).max().unwrap_or(0);
    let mut b = crate::source::union_bounds(sources);
    if !b.iter().all(|v| v.is_finite()) {
        b = [-180.0, -85.051_128_78, 180.0, 85.051_128_78];
    }
    let center_zoom = (minzoom + 2).min(maxzoom);
    json!({
        "tilejson": "3.0.0",
        "name": sources.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(","),
        "description": sources.iter().map(|s| s.description.as_str()).collect::<Vec<_>>().join("; "),
        "scheme": "xyz",
        "tiles": [tiles_url],
        "minzoom": minzoom,
        "maxzoom": maxzoom,
        "bounds": b,
        "center": [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0, center_zoom],
        "vector_layers": layers,
    })
}

/// The catalog of tile sources as martin answers `GET /catalog`:
/// `{"tiles": {id: {"content_type", "name", "description"}}}`.
pub fn catalog(sources: &[SourceInfo]) -> Value {
    let tiles: serde_json::Map<String, Value> = sources
        .iter()
        .map(|s| {
            (
                s.id.clone(),
                json!({"content_type": "application/x-protobuf", "name": s.name, "description": s.description}),
            )
        })
        .collect();
    json!({ "tiles": tiles, "sprites": {}, "fonts": {}, "styles": {} })
}
