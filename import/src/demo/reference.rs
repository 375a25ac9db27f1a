//! The real reference data the demo starts from, embedded in the binary (see `data/README.md`
//! for provenance): Huairou's outline and its statistical divisions.

use geo_types::Polygon;
use geozero::ToGeo;

use super::DemoError;

/// Huairou district's outline as shipped (not OGC-valid; see [`crate::repair`]).
const OUTLINE_GEOJSON: &str = include_str!("../../../data/huairou_outline.geojson");
/// 1 district, 17 township-level units and 321 village-level units with NBS codes.
const DIVISIONS_CSV: &str = include_str!("../../../data/huairou_divisions.csv");

/// One row of the divisions table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Division {
    /// 6-, 9- or 12-digit statistical code.
    pub code: String,
    /// Official name, e.g. `富乐社区居委会`.
    pub name: String,
    /// `district`, `township` or `village` (the NBS term for every village-level unit).
    pub level: String,
    /// Code of the unit above; empty for the district.
    pub parent_code: String,
}

/// The district outline, as shipped.
pub fn outline() -> Result<Polygon<f64>, DemoError> {
    let fc: serde_json::Value =
        serde_json::from_str(OUTLINE_GEOJSON).map_err(|e| DemoError::Reference(format!("outline: {e}")))?;
    let geometry = fc
        .pointer("/features/0/geometry")
        .ok_or_else(|| DemoError::Reference("outline: no feature".into()))?
        .to_string();
    match geozero::geojson::GeoJson(&geometry).to_geo() {
        Ok(geo_types::Geometry::Polygon(p)) => Ok(p),
        Ok(_) => Err(DemoError::Reference("outline: not a Polygon".into())),
        Err(e) => Err(DemoError::Reference(format!("outline: {e}"))),
    }
}

/// All divisions, in file order.
pub fn divisions() -> Result<Vec<Division>, DemoError> {
    let mut reader = csv::Reader::from_reader(DIVISIONS_CSV.as_bytes());
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.map_err(|e| DemoError::Reference(format!("divisions line {}: {e}", i + 2)))?;
        let field = |k: usize| row.get(k).unwrap_or_default().to_string();
        out.push(Division { code: field(0), name: field(1), level: field(2), parent_code: field(3) });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_data_is_complete() {
        let outline = outline().unwrap();
        assert_eq!(outline.exterior().0.len(), 1149);
        let d = divisions().unwrap();
        assert_eq!(d.iter().filter(|d| d.level == "district").count(), 1);
        assert_eq!(d.iter().filter(|d| d.level == "township").count(), 17);
        assert_eq!(d.iter().filter(|d| d.level == "village").count(), 321);
    }
}
