//! Reprojection of imported coordinates to WGS84: the named systems and EPSG codes through the
//! engine's [`Transformer`], a `.prj` file's WKT (or any PROJ definition) through PROJ itself.

use geo::MapCoords;
use geo_types::{Coord, Geometry};
use gridgis_engine::{Crs, Transformer};

/// The coordinate system of a source.
#[derive(Clone, Debug, PartialEq)]
pub enum SourceCrs {
    /// A system gridgis names (`wgs84`, `gcj02`, `EPSG:4548`…).
    Named(Crs),
    /// A definition PROJ parses: WKT (as in a `.prj`), PROJJSON or a PROJ string.
    Definition(String),
}

/// Why a coordinate system cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReprojectError {
    /// The name is not a coordinate system gridgis knows.
    #[error(transparent)]
    Crs(#[from] gridgis_engine::CrsError),
    /// PROJ does not understand the definition, or cannot transform it to WGS84.
    #[error("PROJ cannot use this coordinate system definition ({excerpt}…)")]
    Definition {
        /// The start of the definition.
        excerpt: String,
    },
}

enum Kind {
    Engine(Transformer),
    Proj(proj::Proj),
}

/// Converts geometries from one source system to WGS84 lon/lat. Not `Send` (a PROJ object
/// lives inside): make one per import.
pub struct Reprojector {
    kind: Kind,
    label: String,
}

impl std::fmt::Debug for Reprojector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reprojector").field("label", &self.label).finish()
    }
}

/// The name inside a WKT definition (`PROJCS["name",…` or `GEOGCS["name",…`), for labels.
fn wkt_name(def: &str) -> Option<&str> {
    let start = def.find('"')? + 1;
    let end = start + def[start..].find('"')?;
    Some(&def[start..end])
}

impl Reprojector {
    /// A reprojector from `crs` to WGS84.
    pub fn new(crs: &SourceCrs) -> Result<Self, ReprojectError> {
        match crs {
            SourceCrs::Named(c) => Ok(Self { kind: Kind::Engine(Transformer::new(c)?), label: c.to_string() }),
            SourceCrs::Definition(def) => {
                let excerpt: String = def.chars().take(60).collect();
                // PROJ normalizes both ends for visualization: x/easting in, longitude out.
                let p = proj::Proj::new_known_crs(def, "EPSG:4326", None)
                    .map_err(|_| ReprojectError::Definition { excerpt: excerpt.clone() })?;
                let label = wkt_name(def).map_or_else(|| excerpt.clone(), str::to_string);
                Ok(Self { kind: Kind::Proj(p), label })
            }
        }
    }

    /// What the catalog records as the source system.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// True when no conversion happens (WGS84 or CGCS2000 in, WGS84 out).
    pub fn is_identity(&self) -> bool {
        matches!(&self.kind, Kind::Engine(t) if matches!(t.crs(), Crs::Wgs84 | Crs::Cgcs2000))
    }

    /// One coordinate to WGS84; refuses what does not land on a valid longitude/latitude.
    pub fn coord(&self, c: Coord<f64>) -> Result<Coord<f64>, String> {
        let (x, y) = match &self.kind {
            Kind::Engine(t) => t.to_wgs84(c.x, c.y).map_err(|e| e.to_string())?,
            Kind::Proj(p) => {
                p.convert((c.x, c.y)).map_err(|e| format!("({}, {}) cannot be converted: {e}", c.x, c.y))?
            }
        };
        if !(x.is_finite() && y.is_finite() && (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y)) {
            return Err(format!("({}, {}) does not convert to a longitude/latitude in {}", c.x, c.y, self.label));
        }
        Ok(Coord { x, y })
    }

    /// Every coordinate of `g` to WGS84.
    pub fn geometry(&self, g: Geometry<f64>) -> Result<Geometry<f64>, String> {
        if self.is_identity() {
            // Still refuse what is not a longitude/latitude: a projected file with no .prj.
            if let Some(c) = geo::CoordsIter::coords_iter(&g)
                .find(|c| !((-180.0..=180.0).contains(&c.x) && (-90.0..=90.0).contains(&c.y)))
            {
                return Err(format!(
                    "({}, {}) is not a longitude/latitude: the source's coordinate system is unknown; give it (e.g. --crs EPSG:4548)",
                    c.x, c.y
                ));
            }
            return Ok(g);
        }
        g.try_map_coords(|c| self.coord(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::point;

    /// The `.prj` ogr2ogr writes for EPSG:4548 (ESRI flavour of WKT 1).
    const PRJ_4548: &str = r#"PROJCS["CGCS2000_3_Degree_GK_CM_117E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",117.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;

    #[test]
    fn prj_wkt_matches_the_epsg_code() {
        let wkt = Reprojector::new(&SourceCrs::Definition(PRJ_4548.into())).unwrap();
        assert_eq!(wkt.label(), "CGCS2000_3_Degree_GK_CM_117E");
        let epsg = Reprojector::new(&SourceCrs::Named("EPSG:4548".parse().unwrap())).unwrap();
        let c = Coord { x: 469_149.0, y: 4_465_568.5 };
        let (a, b) = (wkt.coord(c).unwrap(), epsg.coord(c).unwrap());
        assert!((a.x - b.x).abs() < 1e-9 && (a.y - b.y).abs() < 1e-9, "{a:?} {b:?}");
        assert!((a.x - 116.637).abs() < 1e-4 && (a.y - 40.324).abs() < 1e-4, "{a:?}");
    }

    #[test]
    fn gcj02_and_refusals() {
        let r = Reprojector::new(&SourceCrs::Named(Crs::Gcj02)).unwrap();
        let (gx, gy) = gridgis_engine::wgs84_to_gcj02(116.6, 40.3);
        let Geometry::Point(p) = r.geometry(Geometry::Point(point!(x: gx, y: gy))).unwrap() else { panic!() };
        assert!((p.x() - 116.6).abs() < 1e-9 && (p.y() - 40.3).abs() < 1e-9);
        let wgs = Reprojector::new(&SourceCrs::Named(Crs::Wgs84)).unwrap();
        let err = wgs.geometry(Geometry::Point(point!(x: 469_149.0, y: 4_465_568.5))).unwrap_err();
        assert!(err.contains("--crs"), "{err}");
        assert!(Reprojector::new(&SourceCrs::Definition("not a crs".into())).is_err());
    }
}
