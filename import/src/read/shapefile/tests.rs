//! Shapefiles written by the `shapefile` crate's writer, by a raw DBF writer (for GBK text and
//! lying headers), and by GDAL when `ogr2ogr` is installed.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use ::shapefile::record::EsriShape;
use ::shapefile::{Point as ShpPoint, PointZ, Polygon as ShpPolygon, PolygonM, PolygonRing, Polyline, ShapeWriter};
use geo::BoundingRect;
use geo_types::{Geometry, Rect};
use gridgis_layers::Value;

use super::*;

// ---- fixtures ------------------------------------------------------------------------------

/// A DBF field: name bytes, type letter, width, decimals.
struct F(Vec<u8>, u8, u8, u8);

fn field(name: &str, kind: u8, len: u8, decimals: u8) -> F {
    F(name.as_bytes().to_vec(), kind, len, decimals)
}

fn gbk(text: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(text).0.into_owned()
}

/// A dBase III table written byte by byte: values padded to their field's width (numbers to
/// the right), records flagged live, an end-of-file marker.
fn dbf(fields: &[F], rows: &[Vec<Vec<u8>>], language_driver: u8) -> Vec<u8> {
    let header_len = 32 + 32 * fields.len() + 1;
    let record_len = 1 + fields.iter().map(|f| usize::from(f.2)).sum::<usize>();
    let mut out = vec![0x03, 125, 6, 1];
    out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
    out.extend_from_slice(&(header_len as u16).to_le_bytes());
    out.extend_from_slice(&(record_len as u16).to_le_bytes());
    out.extend_from_slice(&[0; 17]);
    out.push(language_driver);
    out.extend_from_slice(&[0; 2]);
    for F(name, kind, len, decimals) in fields {
        let mut d = [0u8; 32];
        d[..name.len()].copy_from_slice(name);
        d[11] = *kind;
        d[16] = *len;
        d[17] = *decimals;
        out.extend_from_slice(&d);
    }
    out.push(0x0D);
    for row in rows {
        out.push(b' ');
        for (F(_, kind, len, _), value) in fields.iter().zip(row) {
            let len = usize::from(*len);
            let pad = vec![b' '; len - value.len()];
            if matches!(kind, b'N' | b'F') {
                out.extend_from_slice(&pad);
                out.extend_from_slice(value);
            } else {
                out.extend_from_slice(value);
                out.extend_from_slice(&pad);
            }
        }
    }
    out.push(0x1A);
    out
}

/// `.shp` and `.shx` bytes from the `shapefile` crate's writer.
fn shapes<S: EsriShape>(shapes: &[S]) -> (Vec<u8>, Vec<u8>) {
    let (mut shp, mut shx) = (Cursor::new(Vec::new()), Cursor::new(Vec::new()));
    {
        let mut w = ShapeWriter::with_shx(&mut shp, &mut shx);
        for s in shapes {
            w.write_shape(s).unwrap();
        }
        w.finalize().unwrap();
    }
    (shp.into_inner(), shx.into_inner())
}

/// A shapefile's parts, by extension.
#[derive(Clone, Default)]
struct Fixture(Vec<(&'static str, Vec<u8>)>);

impl Fixture {
    fn new((shp, shx): (Vec<u8>, Vec<u8>), dbf: Vec<u8>) -> Self {
        Fixture(vec![("shp", shp), ("shx", shx), ("dbf", dbf)])
    }

    fn with(mut self, ext: &'static str, bytes: impl Into<Vec<u8>>) -> Self {
        self.0.retain(|(e, _)| *e != ext);
        self.0.push((ext, bytes.into()));
        self
    }

    fn without(mut self, ext: &str) -> Self {
        self.0.retain(|(e, _)| *e != ext);
        self
    }

    fn get(&self, ext: &str) -> Vec<u8> {
        self.0.iter().find(|(e, _)| *e == ext).map(|(_, b)| b.clone()).unwrap()
    }

    /// Writes `stem.ext` files into `dir`; returns the `.shp` path.
    fn write(&self, dir: &Path, stem: &str) -> PathBuf {
        for (ext, bytes) in &self.0 {
            std::fs::write(dir.join(format!("{stem}.{ext}")), bytes).unwrap();
        }
        dir.join(format!("{stem}.shp"))
    }

    /// The parts as zip members `prefix/stem.ext`.
    fn zip(&self, prefix: &str, stem: &str) -> Vec<u8> {
        let members: Vec<(String, Vec<u8>)> =
            self.0.iter().map(|(ext, b)| (format!("{prefix}{stem}.{ext}"), b.clone())).collect();
        zip(&members)
    }
}

fn zip(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = ::zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = ::zip::write::SimpleFileOptions::default();
    for (name, bytes) in members {
        w.start_file(name.as_str(), options).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn open(fixture: &Fixture, options: &ReadOptions) -> Result<Box<dyn FeatureSource>, ReadError> {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture.write(dir.path(), "layer");
    open_path(&path, "layer.shp", options)
}

/// As [`open`], without the disk: the parts go straight to the reader.
fn open_in_memory(fixture: &Fixture) -> Result<Box<dyn FeatureSource>, ReadError> {
    let part = |ext: &str| {
        fixture.0.iter().find(|(e, _)| *e == ext).map(|(_, b)| (Part::file(&format!("g.{ext}")), b.clone()))
    };
    let files = Files {
        source: "g.shp".into(),
        format: Format::Shapefile,
        stem: "g".into(),
        shp: part("shp").unwrap(),
        shx: part("shx"),
        dbf: part("dbf"),
        prj: part("prj"),
        cpg: part("cpg"),
    };
    open_files(files, None)
}

fn read_all(source: Box<dyn FeatureSource>) -> Vec<RawFeature> {
    source.map(|f| f.unwrap()).collect()
}

fn prop<'a>(f: &'a RawFeature, name: &str) -> &'a Value {
    &f.properties.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no property {name}")).1
}

fn err(result: Result<Box<dyn FeatureSource>, ReadError>) -> ReadError {
    match result {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

fn text(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

/// A clockwise (shapefile outer) square.
fn cw(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<ShpPoint> {
    [(x0, y0), (x0, y1), (x1, y1), (x1, y0), (x0, y0)].iter().map(|&(x, y)| ShpPoint::new(x, y)).collect()
}

/// A counter-clockwise (shapefile hole) square.
fn ccw(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<ShpPoint> {
    let mut r = cw(x0, y0, x1, y1);
    r.reverse();
    r
}

/// Shoelace: positive counter-clockwise.
fn signed_area(ring: &geo_types::LineString<f64>) -> f64 {
    ring.0.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum::<f64>() / 2.0
}

fn rect(g: &impl BoundingRect<f64, Output = Option<Rect<f64>>>) -> [f64; 4] {
    let r = g.bounding_rect().unwrap();
    [r.min().x, r.min().y, r.max().x, r.max().y]
}

/// One `name` column, GBK, for `n` point records.
fn gbk_points(names: &[&str]) -> Fixture {
    let points: Vec<ShpPoint> = (0..names.len()).map(|i| ShpPoint::new(116.6 + i as f64 * 0.01, 40.3)).collect();
    let rows: Vec<Vec<Vec<u8>>> = names.iter().map(|n| vec![gbk(n), text("110116")]).collect();
    let fields = [F(gbk("名称"), b'C', 40, 0), field("code", b'C', 12, 0)];
    Fixture::new(shapes(&points), dbf(&fields, &rows, 0))
}

const PLACE: &str = "怀柔区雁栖镇";

// ---- geometry and attributes ---------------------------------------------------------------

#[test]
fn points_and_attribute_types() {
    let points = [ShpPoint::new(116.63, 40.32), ShpPoint::new(116.64, 40.33)];
    let fields = [
        field("name", b'C', 20, 0),
        field("count", b'N', 10, 0),
        field("area", b'N', 12, 3),
        field("ratio", b'F', 12, 4),
        field("ok", b'L', 1, 0),
        field("since", b'D', 8, 0),
        field("big", b'N', 20, 0),
    ];
    let rows = vec![
        vec![text("a  b"), text("42"), text("1.500"), text("-0.2500"), text("T"), text("20240131"), text("12.5")],
        vec![text(""), text(""), text("***"), text("3"), text("?"), text("00000000"), text("99999999999999999999")],
    ];
    let fixture = Fixture::new(shapes(&points), dbf(&fields, &rows, 0)).with("prj", "GEOGCS[\"GCS_WGS_1984\"]\n");
    let source = open(&fixture, &ReadOptions::default()).unwrap();
    let info = source.info().clone();
    assert_eq!(info.format, Format::Shapefile);
    assert_eq!(info.file_name, "layer.shp");
    assert_eq!(info.declared_features, Some(2));
    assert_eq!(info.crs, CrsHint::Wkt("GEOGCS[\"GCS_WGS_1984\"]".into()));
    assert_eq!(info.encoding.as_deref(), Some("UTF-8"));
    let features = read_all(source);
    assert_eq!(features.len(), 2);
    let (a, b) = (&features[0], &features[1]);
    assert_eq!(a.index, 0);
    assert_eq!(a.geometry, Some(Geometry::Point(geo_types::Point::new(116.63, 40.32))));
    let names: Vec<&str> = a.properties.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["name", "count", "area", "ratio", "ok", "since", "big"], "field order kept");
    assert_eq!(prop(a, "name"), &Value::String("a  b".into()));
    assert_eq!(prop(a, "count"), &Value::Int(42));
    assert_eq!(prop(a, "area"), &Value::Float(1.5));
    assert_eq!(prop(a, "ratio"), &Value::Float(-0.25));
    assert_eq!(prop(a, "ok"), &Value::Bool(true));
    assert_eq!(prop(a, "since"), &Value::String("2024-01-31".into()));
    assert_eq!(prop(a, "big"), &Value::Float(12.5), "a fraction in a no-decimals field stays a float");
    assert_eq!(b.index, 1);
    for name in ["name", "count", "area", "ok", "since"] {
        assert_eq!(prop(b, name), &Value::Null, "{name}");
    }
    assert_eq!(prop(b, "ratio"), &Value::Float(3.0), "a decimals field is a float even when whole");
    assert_eq!(prop(b, "big"), &Value::Float(99999999999999999999.0), "too big for i64");
}

#[test]
fn dbase_crate_tables_read_too() {
    // A table written by an independent writer (the dbase crate, through shapefile's Writer).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lines.shp");
    let builder = ::shapefile::dbase::TableWriterBuilder::new()
        .add_character_field("name".try_into().unwrap(), 30)
        .add_numeric_field("lanes".try_into().unwrap(), 4, 0)
        .add_logical_field("oneway".try_into().unwrap())
        .add_date_field("built".try_into().unwrap());
    {
        let mut w = ::shapefile::Writer::from_path(&path, builder).unwrap();
        let mut record = ::shapefile::dbase::Record::default();
        record.insert("name".into(), ::shapefile::dbase::FieldValue::Character(Some("京承高速".into())));
        record.insert("lanes".into(), ::shapefile::dbase::FieldValue::Numeric(Some(6.0)));
        record.insert("oneway".into(), ::shapefile::dbase::FieldValue::Logical(Some(false)));
        let date = ::shapefile::dbase::Date::new(1, 9, 2009).unwrap();
        record.insert("built".into(), ::shapefile::dbase::FieldValue::Date(Some(date)));
        let one = Polyline::new(vec![ShpPoint::new(0.0, 0.0), ShpPoint::new(1.0, 1.0)]);
        let two = Polyline::with_parts(vec![
            vec![ShpPoint::new(0.0, 0.0), ShpPoint::new(1.0, 0.0)],
            vec![ShpPoint::new(2.0, 0.0), ShpPoint::new(3.0, 0.0)],
        ]);
        w.write_shape_and_record(&one, &record).unwrap();
        w.write_shape_and_record(&two, &record).unwrap();
    }
    let features = read_all(open_path(&path, "lines.shp", &ReadOptions::default()).unwrap());
    assert_eq!(features.len(), 2);
    assert!(matches!(&features[0].geometry, Some(Geometry::LineString(l)) if l.0.len() == 2));
    assert!(matches!(&features[1].geometry, Some(Geometry::MultiLineString(m)) if m.0.len() == 2));
    let f = &features[0];
    assert_eq!(prop(f, "name"), &Value::String("京承高速".into()));
    assert_eq!(prop(f, "lanes"), &Value::Int(6));
    assert_eq!(prop(f, "oneway"), &Value::Bool(false));
    assert_eq!(prop(f, "built"), &Value::String("2009-09-01".into()));
}

#[test]
fn polygons_with_holes_grouped_by_containment() {
    // Two outer rings, then their holes in the other order; and an island in a hole with a
    // hole of its own (the island's hole lies inside both outer rings: the smaller wins).
    let split = ShpPolygon::with_rings(vec![
        PolygonRing::Outer(cw(0.0, 0.0, 10.0, 10.0)),
        PolygonRing::Outer(cw(20.0, 0.0, 30.0, 10.0)),
        PolygonRing::Inner(ccw(22.0, 2.0, 28.0, 8.0)),
        PolygonRing::Inner(ccw(2.0, 2.0, 8.0, 8.0)),
    ]);
    let island = ShpPolygon::with_rings(vec![
        PolygonRing::Outer(cw(0.0, 0.0, 100.0, 100.0)),
        PolygonRing::Inner(ccw(10.0, 10.0, 90.0, 90.0)),
        PolygonRing::Outer(cw(20.0, 20.0, 80.0, 80.0)),
        PolygonRing::Inner(ccw(30.0, 30.0, 70.0, 70.0)),
    ]);
    let single = ShpPolygon::with_rings(vec![
        PolygonRing::Outer(cw(0.0, 0.0, 10.0, 10.0)),
        PolygonRing::Inner(ccw(1.0, 1.0, 2.0, 2.0)),
        PolygonRing::Inner(ccw(5.0, 5.0, 6.0, 6.0)),
    ]);
    let fields = [field("id", b'N', 4, 0)];
    let rows = vec![vec![text("1")], vec![text("2")], vec![text("3")]];
    let fixture = Fixture::new(shapes(&[split, island, single]), dbf(&fields, &rows, 0));
    let features = read_all(open(&fixture, &ReadOptions::default()).unwrap());

    let Some(Geometry::MultiPolygon(split)) = &features[0].geometry else { panic!("{:?}", features[0].geometry) };
    assert_eq!(split.0.len(), 2);
    assert_eq!(rect(split.0[0].exterior()), [0.0, 0.0, 10.0, 10.0]);
    assert_eq!(split.0[0].interiors().iter().map(rect).collect::<Vec<_>>(), [[2.0, 2.0, 8.0, 8.0]]);
    assert_eq!(rect(split.0[1].exterior()), [20.0, 0.0, 30.0, 10.0]);
    assert_eq!(split.0[1].interiors().iter().map(rect).collect::<Vec<_>>(), [[22.0, 2.0, 28.0, 8.0]]);

    let Some(Geometry::MultiPolygon(island)) = &features[1].geometry else { panic!() };
    assert_eq!(island.0.len(), 2);
    assert_eq!(island.0[0].interiors().iter().map(rect).collect::<Vec<_>>(), [[10.0, 10.0, 90.0, 90.0]]);
    assert_eq!(rect(island.0[1].exterior()), [20.0, 20.0, 80.0, 80.0]);
    assert_eq!(island.0[1].interiors().iter().map(rect).collect::<Vec<_>>(), [[30.0, 30.0, 70.0, 70.0]]);

    let Some(Geometry::Polygon(single)) = &features[2].geometry else { panic!() };
    assert_eq!(single.interiors().len(), 2);
    // Orientation is left as written (clockwise outside): the repair stage re-orients.
    assert!(signed_area(single.exterior()) < 0.0);
}

#[test]
fn z_and_m_shapes_read_as_2d_and_null_shapes_as_none() {
    let points = [PointZ::new(1.0, 2.0, 3.0, 4.0), PointZ::new(5.0, 6.0, 7.0, ::shapefile::NO_DATA)];
    let fields = [field("id", b'N', 4, 0)];
    let rows = vec![vec![text("1")], vec![text("2")]];
    let features =
        read_all(open(&Fixture::new(shapes(&points), dbf(&fields, &rows, 0)), &ReadOptions::default()).unwrap());
    assert_eq!(features[1].geometry, Some(Geometry::Point(geo_types::Point::new(5.0, 6.0))));

    let ring: Vec<::shapefile::PointM> =
        cw(0.0, 0.0, 1.0, 1.0).iter().map(|p| ::shapefile::PointM::new(p.x, p.y, 9.0)).collect();
    let polygon = PolygonM::new(PolygonRing::Outer(ring));
    let features = read_all(
        open(&Fixture::new(shapes(&[polygon]), dbf(&fields, &rows[..1], 0)), &ReadOptions::default()).unwrap(),
    );
    assert!(matches!(&features[0].geometry, Some(Geometry::Polygon(p)) if p.exterior().0.len() == 5));

    // A null shape (type 0) in a point file: geometry None, attributes still read.
    let (mut shp, mut shx) = shapes(&[ShpPoint::new(1.0, 2.0)]);
    let null_record = [&1i32.to_be_bytes()[..], &2i32.to_be_bytes(), &0i32.to_le_bytes()].concat();
    shp.extend_from_slice(&null_record);
    let len = shp.len() as i32 / 2;
    shp[24..28].copy_from_slice(&len.to_be_bytes());
    shx.extend_from_slice(&[&(len - 6).to_be_bytes()[..], &2i32.to_be_bytes()].concat());
    let shx_len = shx.len() as i32 / 2;
    shx[24..28].copy_from_slice(&shx_len.to_be_bytes());
    let features = read_all(open(&Fixture::new((shp, shx), dbf(&fields, &rows, 0)), &ReadOptions::default()).unwrap());
    assert_eq!(features[1].geometry, None);
    assert_eq!(prop(&features[1], "id"), &Value::Int(2));
}

#[test]
fn empty_shapefile_gives_no_features() {
    let fixture = Fixture::new(shapes::<ShpPoint>(&[]), dbf(&[field("name", b'C', 10, 0)], &[], 0));
    let source = open(&fixture, &ReadOptions::default()).unwrap();
    assert_eq!(source.info().declared_features, Some(0));
    assert_eq!(read_all(source).len(), 0);
}

#[test]
fn missing_shx_is_rebuilt_by_walking_the_shp_and_missing_dbf_refused() {
    let fixture = gbk_points(&[PLACE, "泉河街道"]).with("cpg", "GBK");
    let features = read_all(open(&fixture.clone().without("shx"), &ReadOptions::default()).unwrap());
    assert_eq!(features.len(), 2);
    assert_eq!(prop(&features[1], "名称"), &Value::String("泉河街道".into()));

    let e = err(open(&fixture.without("dbf"), &ReadOptions::default()));
    assert!(e.to_string().contains("layer.dbf is missing"), "{e}");
}

#[test]
fn deleted_records_are_skipped() {
    let mut fixture = gbk_points(&["a", "b", "c"]);
    let mut table = fixture.get("dbf");
    let record_len = 1 + 40 + 12;
    table[32 + 64 + 1 + record_len] = b'*';
    fixture = fixture.with("dbf", table);
    let features = read_all(open(&fixture, &ReadOptions::default()).unwrap());
    assert_eq!(features.iter().map(|f| f.index).collect::<Vec<_>>(), [0, 2]);
}

#[test]
fn sibling_extensions_in_any_case() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = gbk_points(&[PLACE]);
    for (ext, bytes) in &fixture.0 {
        std::fs::write(dir.path().join(format!("Roads.{}", ext.to_uppercase())), bytes).unwrap();
    }
    std::fs::write(dir.path().join("Roads.Cpg"), "936").unwrap();
    let path = dir.path().join("Roads.SHP");
    let features = read_all(open_path(&path, "Roads.SHP", &ReadOptions::default()).unwrap());
    assert_eq!(prop(&features[0], "名称"), &Value::String(PLACE.into()));
}

// ---- text encodings ------------------------------------------------------------------------

#[test]
fn gbk_text_from_the_cpg() {
    let source = open(&gbk_points(&[PLACE]).with("cpg", "GBK\r\n"), &ReadOptions::default()).unwrap();
    assert_eq!(source.info().encoding.as_deref(), Some("GBK"));
    let features = read_all(source);
    assert_eq!(features[0].properties[0], ("名称".to_string(), Value::String(PLACE.into())));
}

#[test]
fn gbk_text_from_the_option_overrides_the_cpg() {
    let options = ReadOptions { encoding: Some("936".into()), ..Default::default() };
    let source = open(&gbk_points(&[PLACE]).with("cpg", "UTF-8"), &options).unwrap();
    assert_eq!(source.info().encoding.as_deref(), Some("GBK"));
    assert_eq!(prop(&read_all(source)[0], "名称"), &Value::String(PLACE.into()));

    let options = ReadOptions { encoding: Some("klingon".into()), ..Default::default() };
    let e = err(open(&gbk_points(&[PLACE]), &options));
    assert!(e.to_string().contains("unknown encoding \"klingon\"") && e.to_string().contains("gbk"), "{e}");
}

#[test]
fn gbk_text_from_the_language_driver_or_detected() {
    // The language driver byte 0x4D (code page 936).
    let mut fixture = gbk_points(&[PLACE]);
    let mut table = fixture.get("dbf");
    table[29] = 0x4D;
    fixture = fixture.with("dbf", table);
    let source = open(&fixture, &ReadOptions::default()).unwrap();
    assert_eq!(source.info().encoding.as_deref(), Some("GBK"));
    assert_eq!(prop(&read_all(source)[0], "名称"), &Value::String(PLACE.into()));

    // Nothing says: not UTF-8, so GB18030 (a superset of GBK).
    let source = open(&gbk_points(&[PLACE, "北京"]), &ReadOptions::default()).unwrap();
    assert_eq!(source.info().encoding.as_deref(), Some("gb18030"));
    let features = read_all(source);
    assert_eq!(prop(&features[0], "名称"), &Value::String(PLACE.into()));
    assert_eq!(prop(&features[1], "名称"), &Value::String("北京".into()));

    // UTF-8 text, UTF-8 field name, no .cpg: detected as UTF-8.
    let fields = [field("名称", b'C', 40, 0)];
    let fixture = Fixture::new(shapes(&[ShpPoint::new(0.0, 0.0)]), dbf(&fields, &[vec![text(PLACE)]], 0));
    let source = open(&fixture, &ReadOptions::default()).unwrap();
    assert_eq!(source.info().encoding.as_deref(), Some("UTF-8"));
    assert_eq!(prop(&read_all(source)[0], "名称"), &Value::String(PLACE.into()));
}

#[test]
fn invalid_gbk_bytes_name_the_feature_and_field() {
    let mut fixture = gbk_points(&[PLACE, "x"]);
    let mut table = fixture.get("dbf");
    // Feature 1's name: "A" then a GBK lead byte with no trail byte.
    let at = 32 + 64 + 1 + (1 + 40 + 12) + 1;
    table[at..at + 2].copy_from_slice(&[b'A', 0xBB]);
    fixture = fixture.with("dbf", table).with("cpg", "GBK");
    let mut source = open(&fixture, &ReadOptions::default()).unwrap();
    assert!(source.next().unwrap().is_ok());
    let e = source.next().unwrap().unwrap_err();
    assert!(matches!(e, ReadError::Encoding { .. }), "{e:?}");
    let m = e.to_string();
    assert!(m.contains("feature 1") && m.contains("field 名称") && m.contains("41 BB") && m.contains("GBK"), "{m}");
    assert!(source.next().is_none(), "an encoding error ends the stream");

    // A field name that is not GBK: refused at open, naming the field.
    let fields = [F(vec![b'n', 0xBB], b'C', 4, 0)];
    let fixture = Fixture::new(shapes(&[ShpPoint::new(0.0, 0.0)]), dbf(&fields, &[vec![text("a")]], 0x4D));
    let e = err(open(&fixture, &ReadOptions::default()));
    assert!(matches!(e, ReadError::Encoding { .. }), "{e:?}");
    assert!(e.to_string().contains("the name of field 1 (bytes [6E BB])"), "{e}");
}

#[test]
fn unknown_cpg_label_is_refused() {
    let e = err(open(&gbk_points(&[PLACE]).with("cpg", "EBCDIC-37"), &ReadOptions::default()));
    assert!(e.to_string().contains("layer.cpg") && e.to_string().contains("EBCDIC-37"), "{e}");
}

// ---- zips ----------------------------------------------------------------------------------

#[test]
fn zipped_in_a_subfolder() {
    let fixture = gbk_points(&[PLACE]).with("cpg", "936").with("prj", "PROJCS[\"CGCS2000_3_Degree_GK_CM_117E\"]");
    let mut members: Vec<(String, Vec<u8>)> =
        fixture.0.iter().map(|(ext, b)| (format!("数据/grids/grids.{ext}"), b.clone())).collect();
    members.push(("__MACOSX/数据/grids/._grids.shp".into(), vec![0; 10]));
    members.push(("readme.txt".into(), text("hello")));
    let source = open_zip("upload.zip", zip(&members), &ReadOptions::default()).unwrap();
    let info = source.info().clone();
    assert_eq!((info.format, info.file_name.as_str()), (Format::Zip, "upload.zip"));
    assert!(matches!(&info.crs, CrsHint::Wkt(w) if w.contains("CGCS2000")));
    let features = read_all(source);
    assert_eq!(prop(&features[0], "名称"), &Value::String(PLACE.into()));
}

#[test]
fn zip_entry_escaping_the_folder_is_refused() {
    let fixture = gbk_points(&[PLACE]);
    for bad in ["../evil", "/tmp/evil"] {
        let e = err(open_zip("upload.zip", fixture.zip("", bad), &ReadOptions::default()));
        assert!(e.to_string().contains("unsafe path in zip"), "{e}");
    }
}

#[test]
fn zip_without_exactly_one_shapefile() {
    let e = err(open_zip("upload.zip", zip(&[("a/roads.geojson".into(), text("{}"))]), &ReadOptions::default()));
    assert!(e.to_string().contains("no .shp") && e.to_string().contains("upload that file directly"), "{e}");

    let e = err(open_zip("upload.zip", zip(&[]), &ReadOptions::default()));
    assert!(e.to_string().contains("empty"), "{e}");

    let a = gbk_points(&["a"]);
    let b = gbk_points(&["b", "c"]);
    let mut members: Vec<(String, Vec<u8>)> = a.0.iter().map(|(e, x)| (format!("a.{e}"), x.clone())).collect();
    members.extend(b.0.iter().map(|(e, x)| (format!("sub/b.{e}"), x.clone())));
    let bytes = zip(&members);
    let e = err(open_zip("upload.zip", bytes.clone(), &ReadOptions::default()));
    assert!(e.to_string().contains("2 shapefiles: a.shp, sub/b.shp"), "{e}");
    let options = ReadOptions { table: Some("b".into()), ..Default::default() };
    assert_eq!(read_all(open_zip("upload.zip", bytes.clone(), &options).unwrap()).len(), 2);
    let options = ReadOptions { table: Some("c".into()), ..Default::default() };
    assert!(err(open_zip("upload.zip", bytes, &options)).to_string().contains("no shapefile \"c\""));
}

#[test]
fn zip_member_sizes_are_not_trusted() {
    let fixture = gbk_points(&[PLACE]);
    let original = fixture.zip("", "big");
    let dbf_len = fixture.get("dbf").len() as u32;
    // The .dbf's uncompressed size in the central directory (signature PK\1\2, size at +24,
    // name at +46).
    let central = (0..original.len() - 4)
        .find(|&i| original[i..i + 4] == [0x50, 0x4B, 0x01, 0x02] && original[i + 46..].starts_with(b"big.dbf"))
        .unwrap();
    let with_size = |size: u32| {
        let mut bytes = original.clone();
        bytes[central + 24..central + 28].copy_from_slice(&size.to_le_bytes());
        bytes
    };
    // Nearly 4 GiB declared: refused from the sizes alone, before reading.
    let e = err(open_zip("upload.zip", with_size(u32::MAX - 1), &ReadOptions::default()));
    assert!(e.to_string().contains("uncompressed"), "{e}");
    // More or fewer bytes than declared: the member is refused, whatever the zip crate says.
    for size in [dbf_len - 10, dbf_len + 1000] {
        let e = err(open_zip("upload.zip", with_size(size), &ReadOptions::default()));
        assert!(e.to_string().contains("big.dbf"), "{e}");
    }
}

// ---- broken files --------------------------------------------------------------------------

#[test]
fn truncated_shp_is_refused() {
    let polygon = ShpPolygon::new(PolygonRing::Outer(cw(0.0, 0.0, 1.0, 1.0)));
    let fields = [field("id", b'N', 4, 0)];
    let fixture =
        Fixture::new(shapes(&[polygon.clone(), polygon]), dbf(&fields, &[vec![text("1")], vec![text("2")]], 0));
    let mut shp = fixture.get("shp");
    shp.truncate(shp.len() - 20);
    let e = err(open(&fixture.clone().with("shp", shp.clone()), &ReadOptions::default()));
    assert!(
        e.to_string().starts_with("layer.shp: the header says the file has") && e.to_string().contains("truncated"),
        "{e}"
    );

    // With the header length fixed up to match, the last record runs past the end.
    let len = shp.len() as i32 / 2;
    shp[24..28].copy_from_slice(&len.to_be_bytes());
    let e = err(open(&fixture.clone().with("shp", shp.clone()).without("shx"), &ReadOptions::default()));
    assert!(e.to_string().contains("feature 1") && e.to_string().contains("runs past the end"), "{e}");
    let e = err(open(&fixture.with("shp", shp), &ReadOptions::default()));
    assert!(e.to_string().contains("feature 1") && e.to_string().contains("past the end"), "{e}");
}

#[test]
fn absurd_counts_in_a_record_are_a_feature_error() {
    let polygon = ShpPolygon::new(PolygonRing::Outer(cw(0.0, 0.0, 1.0, 1.0)));
    let fields = [field("id", b'N', 4, 0)];
    let fixture =
        Fixture::new(shapes(&[polygon.clone(), polygon]), dbf(&fields, &[vec![text("1")], vec![text("2")]], 0));
    let mut shp = fixture.get("shp");
    // Record 0's point count (record header 8, type 4, box 32, parts 4): 2^31 - 1 points.
    shp[100 + 8 + 40..100 + 8 + 44].copy_from_slice(&i32::MAX.to_le_bytes());
    let mut source = open(&fixture.with("shp", shp), &ReadOptions::default()).unwrap();
    let e = source.next().unwrap().unwrap_err();
    assert_eq!(e.feature(), Some(0));
    assert!(e.to_string().contains("2147483647 points"), "{e}");
    assert!(source.next().unwrap().is_ok(), "the next record still reads");
}

#[test]
fn unknown_shape_types_are_refused() {
    let fields = [field("id", b'N', 4, 0)];
    let fixture = Fixture::new(shapes(&[ShpPoint::new(0.0, 0.0)]), dbf(&fields, &[vec![text("1")]], 0));
    let mut shp = fixture.get("shp");
    shp[32..36].copy_from_slice(&42i32.to_le_bytes());
    let e = err(open(&fixture.clone().with("shp", shp), &ReadOptions::default()));
    assert!(e.to_string().contains("unknown shape type 42 in the header"), "{e}");

    let mut shp = fixture.get("shp");
    shp[108..112].copy_from_slice(&42i32.to_le_bytes());
    let e = read_source_error(open(&fixture.with("shp", shp), &ReadOptions::default()).unwrap());
    assert_eq!(e.feature(), Some(0));
    assert!(e.to_string().contains("unknown shape type 42"), "{e}");
}

fn read_source_error(mut source: Box<dyn FeatureSource>) -> ReadError {
    source.next().unwrap().unwrap_err()
}

#[test]
fn dbf_header_lying_is_refused() {
    let fixture = gbk_points(&["a", "b"]);
    let mut table = fixture.get("dbf");
    table[4..8].copy_from_slice(&3u32.to_le_bytes());
    let e = err(open(&fixture.clone().with("dbf", table), &ReadOptions::default()));
    let m = e.to_string();
    assert!(m.starts_with("layer.dbf: the header says 3 records") && m.contains("header lies"), "{m}");

    // Field widths not adding up to the record size.
    let mut table = fixture.get("dbf");
    table[32 + 16] = 39;
    let e = err(open(&fixture.clone().with("dbf", table), &ReadOptions::default()));
    assert!(e.to_string().contains("fields add up to"), "{e}");

    // A header too small for its field descriptors.
    let mut table = fixture.get("dbf");
    table[8..10].copy_from_slice(&40u16.to_le_bytes());
    let e = err(open(&fixture.clone().with("dbf", table), &ReadOptions::default()));
    assert!(e.to_string().contains("layer.dbf") && e.to_string().contains("header"), "{e}");

    let e = err(open(&fixture.with("dbf", vec![3, 0, 0]), &ReadOptions::default()));
    assert!(e.to_string().contains("shorter than the 32-byte header"), "{e}");
}

#[test]
fn record_counts_must_agree() {
    let fixture = gbk_points(&["a", "b"]);
    let other = gbk_points(&["a"]);
    let e = err(open(&fixture.with("dbf", other.get("dbf")), &ReadOptions::default()));
    assert!(e.to_string().contains("the .shp holds 2 records and the .dbf 1"), "{e}");
}

#[test]
fn bad_numbers_are_feature_errors() {
    let fields = [field("n", b'N', 6, 0)];
    let rows = vec![vec![text("1,5")], vec![text("7")]];
    let points = [ShpPoint::new(0.0, 0.0), ShpPoint::new(1.0, 1.0)];
    let mut source = open(&Fixture::new(shapes(&points), dbf(&fields, &rows, 0)), &ReadOptions::default()).unwrap();
    let e = source.next().unwrap().unwrap_err();
    assert_eq!(e.feature(), Some(0));
    assert!(e.to_string().contains("field n") && e.to_string().contains("not a number"), "{e}");
    assert_eq!(prop(&source.next().unwrap().unwrap(), "n"), &Value::Int(7));
}

#[test]
fn garbage_never_panics() {
    // Every prefix of a valid shapefile, and every single-byte corruption of its headers, is
    // an error or a feature stream, never a panic.
    let polygon = ShpPolygon::with_rings(vec![
        PolygonRing::Outer(cw(0.0, 0.0, 10.0, 10.0)),
        PolygonRing::Inner(ccw(2.0, 2.0, 8.0, 8.0)),
    ]);
    let fixture = Fixture::new(shapes(&[polygon]), dbf(&[field("id", b'N', 4, 0)], &[vec![text("1")]], 0));
    for ext in ["shp", "shx", "dbf"] {
        let whole = fixture.get(ext);
        let mut variants: Vec<Vec<u8>> = (0..whole.len()).map(|n| whole[..n].to_vec()).collect();
        for at in 0..whole.len() {
            for byte in [0x00, 0x7F, 0xFF] {
                let mut v = whole.clone();
                v[at] = byte;
                variants.push(v);
            }
        }
        for v in variants {
            if let Ok(source) = open_in_memory(&fixture.clone().with(ext, v)) {
                source.for_each(drop);
            }
        }
    }
}

// ---- GDAL ----------------------------------------------------------------------------------

#[test]
fn gdal_written_gbk_shapefile_in_gauss_kruger() {
    if std::process::Command::new("ogr2ogr").arg("--version").output().is_err() {
        eprintln!("note: ogr2ogr is not installed (scripts/install-deps.sh --test installs it); GDAL check skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.geojson");
    let geojson = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"name":"怀柔区雁栖镇","code":110116109,"area":12.5},
       "geometry":{"type":"MultiPolygon","coordinates":[
         [[[116.60,40.30],[116.70,40.30],[116.70,40.40],[116.60,40.40],[116.60,40.30]],
          [[116.62,40.32],[116.62,40.38],[116.68,40.38],[116.68,40.32],[116.62,40.32]]],
         [[[116.80,40.30],[116.90,40.30],[116.90,40.40],[116.80,40.40],[116.80,40.30]],
          [[116.82,40.32],[116.82,40.38],[116.88,40.38],[116.88,40.32],[116.82,40.32]]]]}},
      {"type":"Feature","properties":{"name":"泉河街道","code":110116001,"area":null},
       "geometry":{"type":"Polygon","coordinates":[[[116.62,40.31],[116.64,40.31],[116.64,40.33],[116.62,40.31]]]}}]}"#;
    std::fs::write(&input, geojson).unwrap();
    let output = dir.path().join("grids.shp");
    let status = std::process::Command::new("ogr2ogr")
        .args(["-f", "ESRI Shapefile", "-lco", "ENCODING=GBK", "-t_srs", "EPSG:4548"])
        .arg(&output)
        .arg(&input)
        .status()
        .unwrap();
    assert!(status.success());

    let source = open_path(&output, "grids.shp", &ReadOptions::default()).unwrap();
    let info = source.info().clone();
    let CrsHint::Wkt(wkt) = &info.crs else { panic!("no .prj: {:?}", info.crs) };
    assert!(wkt.contains("4548") || wkt.contains("Gauss") || wkt.contains("CGCS2000"), "{wkt}");
    assert_eq!(info.encoding.as_deref(), Some("GBK"));
    let features = read_all(source);
    assert_eq!(features.len(), 2);
    assert_eq!(prop(&features[0], "name"), &Value::String("怀柔区雁栖镇".into()));
    assert_eq!(prop(&features[1], "name"), &Value::String("泉河街道".into()));
    assert_eq!(prop(&features[0], "code"), &Value::Int(110116109));
    assert_eq!(prop(&features[1], "area"), &Value::Null);
    let Some(Geometry::MultiPolygon(m)) = &features[0].geometry else { panic!("{:?}", features[0].geometry) };
    assert_eq!(m.0.len(), 2);
    assert!(m.0.iter().all(|p| p.interiors().len() == 1));
    // Gauss-Krüger 117°E: false easting 500 km, so x a little under 500 000 west of 117°E.
    let [x0, y0, _, _] = rect(&m.0[0]);
    assert!((400_000.0..500_000.0).contains(&x0) && (4_400_000.0..4_500_000.0).contains(&y0), "{x0} {y0}");
    assert!(matches!(&features[1].geometry, Some(Geometry::Polygon(p)) if p.interiors().is_empty()));

    // The same files zipped in a folder read the same.
    let members: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_stem().is_some_and(|s| s == "grids"))
        .map(|p| (format!("export/{}", super::super::display_name(&p)), std::fs::read(&p).unwrap()))
        .collect();
    let zipped = read_all(open_zip("grids.zip", zip(&members), &ReadOptions::default()).unwrap());
    assert_eq!(zipped, features);
}
