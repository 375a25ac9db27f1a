//! The `.shp` and `.shx` parts: the record framing, checked against the files' real lengths
//! before anything is read, and each record's shape turned into a geo-types geometry.
//!
//! The `shapefile` crate parses a record's content, but only after the content has been cut
//! out of the file (so the crate cannot read past it) and its declared part and point counts
//! checked against its length (so no count the file declares can make the crate reserve more
//! memory than the record's own bytes justify).

use std::io::Cursor;

use ::shapefile::record::traits::HasXY;
use ::shapefile::{PolygonRing, ReadableShape, Shape, ShapeType};
use geo::coordinate_position::{CoordPos, coord_pos_relative_to_ring};
use geo_types::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};

use super::Part;
use crate::read::ReadError;

/// The size of the `.shp` and `.shx` headers (ESRI Shapefile Technical Description, 1998, p. 3).
const HEADER_BYTES: usize = 100;
/// A record header in the `.shp`: record number and content length, big-endian `i32`s; also
/// the size of one `.shx` entry (offset and content length).
const RECORD_HEADER_BYTES: usize = 8;
/// The file code both files start with.
const FILE_CODE: i32 = 9994;
/// The largest record content handed to the `shapefile` crate, which takes the record size as
/// an `i32` of bytes. The format's own limit is an `i32` of 16-bit words, but a 2 GiB record
/// (134 million points in one shape) is never a real one.
const MAX_RECORD_BYTES: usize = i32::MAX as usize;

/// Where the records are: the `.shx` entries when there is a `.shx`, else one after the other
/// from the end of the `.shp` header (what the `.shx` would say for any file a writer produced
/// in one pass).
enum Index {
    /// The `.shx` bytes, header included.
    Shx(Vec<u8>),
    /// No `.shx`: the `.shp` is walked in order.
    Sequential,
}

/// A `.shp` whose framing has been checked: every record lies inside the file.
pub(super) struct Shp {
    bytes: Vec<u8>,
    index: Index,
    count: usize,
    /// The position of the next record header when walking without a `.shx`.
    next_pos: usize,
}

impl Shp {
    /// Checks the `.shp` header and the framing of every record, against the `.shx` when there
    /// is one. Nothing is allocated beyond the two files' bytes.
    pub(super) fn open(shp: &Part, shp_bytes: Vec<u8>, shx: Option<(Part, Vec<u8>)>) -> Result<Self, ReadError> {
        let shape_type = check_header(shp, &shp_bytes)?;
        if shape_type == ShapeType::Multipatch {
            return Err(shp.invalid("its shapes are MultiPatch (3-D surfaces), which gridgis does not import"));
        }
        let (index, count) = match shx {
            Some((shx_part, shx_bytes)) => {
                check_header(&shx_part, &shx_bytes)?;
                let count = check_shx(shp, &shp_bytes, &shx_part, &shx_bytes)?;
                (Index::Shx(shx_bytes), count)
            }
            None => (Index::Sequential, count_sequential(shp, &shp_bytes)?),
        };
        Ok(Shp { bytes: shp_bytes, index, count, next_pos: HEADER_BYTES })
    }

    /// How many records the file holds.
    pub(super) fn count(&self) -> usize {
        self.count
    }

    /// The content (shape type onwards) of record `i`, which must be the one after the
    /// previous call's: records are read in order. `None` when past the end or (which `open`
    /// ruled out) when the framing does not hold.
    pub(super) fn next_record(&mut self, i: usize) -> Option<&[u8]> {
        if i >= self.count {
            return None;
        }
        let start = match &self.index {
            Index::Shx(shx) => shx_entry(shx, i)?.0,
            Index::Sequential => self.next_pos,
        };
        let len = usize::try_from(words_to_bytes(be_i32(&self.bytes, start + 4)?)?).ok()?;
        let content_start = start + RECORD_HEADER_BYTES;
        self.next_pos = content_start.checked_add(len)?;
        self.bytes.get(content_start..self.next_pos)
    }
}

/// Checks a `.shp` or `.shx` header: the file code, a known shape type, and a file length
/// equal to the real one. Returns the shape type.
fn check_header(part: &Part, bytes: &[u8]) -> Result<ShapeType, ReadError> {
    if bytes.len() < HEADER_BYTES {
        return Err(part.invalid(format!(
            "{} bytes is shorter than the {HEADER_BYTES}-byte header: the file is truncated or not a shapefile part",
            bytes.len()
        )));
    }
    let code = be_i32(bytes, 0).unwrap_or(0);
    if code != FILE_CODE {
        return Err(part.invalid(format!("file code {code} where a shapefile part has {FILE_CODE}: not a shapefile")));
    }
    let declared = be_i32(bytes, 24).and_then(words_to_bytes);
    if declared != Some(bytes.len() as i64) {
        let declared = declared.map_or_else(|| "a negative length".to_string(), |d| format!("{d} bytes"));
        return Err(part.invalid(format!(
            "the header says the file has {declared} but it has {}: it is truncated or damaged",
            bytes.len()
        )));
    }
    let type_code = le_i32(bytes, 32).unwrap_or(-1);
    ShapeType::from(type_code).ok_or_else(|| part.invalid(format!("unknown shape type {type_code} in the header")))
}

/// Checks that every `.shx` entry points at a record header inside the `.shp` that declares the
/// same content length, and that the record fits in the `.shp`. Returns the number of entries.
fn check_shx(shp: &Part, shp_bytes: &[u8], shx: &Part, shx_bytes: &[u8]) -> Result<usize, ReadError> {
    let entries = shx_bytes.len() - HEADER_BYTES;
    if !entries.is_multiple_of(RECORD_HEADER_BYTES) {
        return Err(shx.invalid(format!(
            "{} bytes of entries after the header, not a whole number of {RECORD_HEADER_BYTES}-byte entries",
            entries
        )));
    }
    let count = entries / RECORD_HEADER_BYTES;
    for i in 0..count {
        let (offset, len) = shx_entry(shx_bytes, i)
            .ok_or_else(|| shx.invalid(format!("entry for feature {i} has a negative offset or length")))?;
        if offset < HEADER_BYTES {
            return Err(shx.invalid(format!("entry for feature {i} points into the .shp header (offset {offset})")));
        }
        let record_len = be_i32(shp_bytes, offset + 4).and_then(words_to_bytes);
        if record_len != Some(len as i64) {
            return Err(shx.invalid(format!(
                "entry for feature {i} does not match the .shp: the .shx says a {len}-byte record at offset {offset}, \
                 the .shp {}",
                match record_len {
                    Some(l) => format!("{l} bytes there"),
                    None => "has no record header there".to_string(),
                }
            )));
        }
        check_record_fits(shp, shp_bytes.len(), i, offset, len)?;
    }
    Ok(count)
}

/// Walks the `.shp` record by record, checking that each lies inside the file. Returns the
/// number of records.
fn count_sequential(shp: &Part, bytes: &[u8]) -> Result<usize, ReadError> {
    let mut pos = HEADER_BYTES;
    let mut count = 0;
    while pos < bytes.len() {
        let len = be_i32(bytes, pos + 4).ok_or_else(|| {
            shp.invalid(format!(
                "feature {count}: the record header at offset {pos} runs past the end of the file: it is truncated"
            ))
        })?;
        let len = words_to_bytes(len)
            .and_then(|l| usize::try_from(l).ok())
            .ok_or_else(|| shp.invalid(format!("feature {count}: negative record length {len} at offset {pos}")))?;
        check_record_fits(shp, bytes.len(), count, pos, len)?;
        pos += RECORD_HEADER_BYTES + len;
        count += 1;
    }
    Ok(count)
}

/// Checks that a record of `len` content bytes whose header is at `offset` holds at least a
/// shape type and ends inside the file.
fn check_record_fits(shp: &Part, file_len: usize, feature: usize, offset: usize, len: usize) -> Result<(), ReadError> {
    if len < 4 {
        return Err(shp.invalid(format!(
            "feature {feature}: a record of {len} bytes at offset {offset} cannot hold even a shape type"
        )));
    }
    if len > MAX_RECORD_BYTES {
        return Err(shp.invalid(format!("feature {feature}: a record of {len} bytes at offset {offset} is absurd")));
    }
    let end = offset.checked_add(RECORD_HEADER_BYTES + len).filter(|&end| end <= file_len);
    if end.is_none() {
        return Err(shp.invalid(format!(
            "feature {feature}: the {len}-byte record at offset {offset} runs past the end of the {file_len}-byte file: \
             it is truncated or damaged"
        )));
    }
    Ok(())
}

/// The `.shx` entry `i`: the record's offset and content length, in bytes.
fn shx_entry(shx: &[u8], i: usize) -> Option<(usize, usize)> {
    let at = HEADER_BYTES + i * RECORD_HEADER_BYTES;
    let offset = usize::try_from(words_to_bytes(be_i32(shx, at)?)?).ok()?;
    let len = usize::try_from(words_to_bytes(be_i32(shx, at + 4)?)?).ok()?;
    Some((offset, len))
}

/// A length or offset in 16-bit words as bytes; `None` when negative.
fn words_to_bytes(words: i32) -> Option<i64> {
    (words >= 0).then(|| i64::from(words) * 2)
}

fn be_i32(bytes: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_be_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn le_i32(bytes: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_le_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

/// The geometry of one record's content (shape type onwards): `None` for a null shape or one
/// with no points. `Err` says what is wrong with the record.
pub(super) fn geometry(content: &[u8]) -> Result<Option<Geometry<f64>>, String> {
    let type_code = le_i32(content, 0).ok_or("the record is too short for a shape type")?;
    let shape_type = ShapeType::from(type_code).ok_or_else(|| format!("unknown shape type {type_code}"))?;
    check_counts(shape_type, content)?;
    // The record is cut out of the file and its counts checked: the crate can neither read
    // past it nor allocate more than its length justifies.
    let record_size = i32::try_from(content.len()).map_err(|_| format!("a record of {} bytes", content.len()))?;
    let shape = Shape::read_from(&mut Cursor::new(content), record_size)
        .map_err(|e| format!("cannot read the {shape_type:?} shape: {e}"))?;
    match shape {
        Shape::NullShape => Ok(None),
        Shape::Point(p) => point(&p),
        Shape::PointM(p) => point(&p),
        Shape::PointZ(p) => point(&p),
        Shape::Multipoint(m) => multipoint(m.points()),
        Shape::MultipointM(m) => multipoint(m.points()),
        Shape::MultipointZ(m) => multipoint(m.points()),
        Shape::Polyline(l) => lines(l.parts()),
        Shape::PolylineM(l) => lines(l.parts()),
        Shape::PolylineZ(l) => lines(l.parts()),
        Shape::Polygon(p) => polygons(p.rings()),
        Shape::PolygonM(p) => polygons(p.rings()),
        Shape::PolygonZ(p) => polygons(p.rings()),
        Shape::Multipatch(_) => Err("a MultiPatch (3-D surface) shape, which gridgis does not import".into()),
    }
}

/// Checks the part and point counts a multi-point, polyline or polygon record declares against
/// its length, before the crate reserves memory for them. The layouts are those of the ESRI
/// technical description (pp. 5–22): a 32-byte box, the counts, 4 bytes per part index and
/// 16 per point, then for Z types a 16-byte range and 8 bytes per point (M values are optional).
fn check_counts(shape_type: ShapeType, content: &[u8]) -> Result<(), String> {
    use ShapeType::*;
    let (has_parts, z) = match shape_type {
        Multipoint | MultipointM => (false, false),
        MultipointZ => (false, true),
        Polyline | PolylineM | Polygon | PolygonM => (true, false),
        PolylineZ | PolygonZ => (true, true),
        Multipatch => return Err("a MultiPatch (3-D surface) shape, which gridgis does not import".into()),
        // Fixed sizes: a short record is an end-of-data error from the crate's reader.
        NullShape | Point | PointM | PointZ => return Ok(()),
    };
    // Shape type (4) and box (32), then the counts.
    let (parts, points, fixed) =
        if has_parts { (le_i32(content, 36), le_i32(content, 40), 44u64) } else { (Some(0), le_i32(content, 36), 40) };
    let (Some(parts), Some(points)) = (parts, points) else {
        return Err(format!("a {}-byte record is too short for its part and point counts", content.len()));
    };
    if parts < 0 || points < 0 {
        return Err(format!("negative counts ({parts} parts, {points} points)"));
    }
    let per_point: u64 = if z { 24 } else { 16 };
    let needed = fixed + 4 * parts as u64 + per_point * points as u64 + if z { 16 } else { 0 };
    if needed > content.len() as u64 {
        return Err(format!(
            "the record declares {parts} parts and {points} points, {needed} bytes, but holds only {}",
            content.len()
        ));
    }
    // Part i starts at point parts[i] (the first at 0), in order: the crate reads part i as
    // parts[i+1] - parts[i] points, and would reserve room for that many first.
    let mut previous = 0;
    for i in 0..parts as usize {
        let start = le_i32(content, fixed as usize + 4 * i).unwrap_or(-1);
        if (i == 0 && start != 0) || start < previous || start > points {
            return Err(format!("part {i} starts at point {start}, out of order or past the {points} points"));
        }
        previous = start;
    }
    Ok(())
}

/// `p` as a coordinate, refusing NaN and infinities (which no later stage can place).
fn coord<P: HasXY>(p: &P) -> Result<Coord<f64>, String> {
    let (x, y) = (p.x(), p.y());
    if x.is_finite() && y.is_finite() {
        Ok(Coord { x, y })
    } else {
        Err(format!("the coordinate ({x}, {y}) is not a finite number"))
    }
}

fn coords<P: HasXY>(points: &[P]) -> Result<Vec<Coord<f64>>, String> {
    points.iter().map(coord).collect()
}

fn point<P: HasXY>(p: &P) -> Result<Option<Geometry<f64>>, String> {
    Ok(Some(Geometry::Point(Point(coord(p)?))))
}

fn multipoint<P: HasXY>(points: &[P]) -> Result<Option<Geometry<f64>>, String> {
    if points.is_empty() {
        return Ok(None);
    }
    let points = points.iter().map(|p| coord(p).map(Point)).collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Geometry::MultiPoint(MultiPoint(points))))
}

/// A polyline's parts: one → LineString, several → MultiLineString; empty parts are dropped.
fn lines<P: HasXY>(parts: &[Vec<P>]) -> Result<Option<Geometry<f64>>, String> {
    let mut lines = parts
        .iter()
        .filter(|part| !part.is_empty())
        .map(|part| coords(part).map(LineString))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(match lines.len() {
        0 => None,
        1 => lines.pop().map(Geometry::LineString),
        _ => Some(Geometry::MultiLineString(MultiLineString(lines))),
    })
}

/// A polygon record's rings grouped into polygons: one → Polygon, several → MultiPolygon.
fn polygons<P: HasXY>(rings: &[PolygonRing<P>]) -> Result<Option<Geometry<f64>>, String> {
    let mut outers = Vec::new();
    let mut holes = Vec::new();
    for ring in rings {
        if ring.points().is_empty() {
            continue;
        }
        let mut line = LineString(coords(ring.points())?);
        line.close();
        // The crate classifies by orientation: clockwise is an outer ring, counter-clockwise
        // a hole (ESRI technical description, p. 8).
        match ring {
            PolygonRing::Outer(_) => outers.push(line),
            PolygonRing::Inner(_) => holes.push(line),
        }
    }
    let mut polygons = group_rings(outers, holes);
    Ok(match polygons.len() {
        0 => None,
        1 => polygons.pop().map(Geometry::Polygon),
        _ => Some(Geometry::MultiPolygon(MultiPolygon(polygons))),
    })
}

/// Gives each hole to the smallest outer ring that contains it. With one outer ring every hole
/// is its own, as GDAL decides (`OGRGeometryFactory::organizePolygons`), without testing; a
/// hole no outer ring contains becomes a polygon of its own (a writer that got orientation
/// backwards). Validity is not repaired here: the repair stage does that, and re-orients.
fn group_rings(outers: Vec<LineString<f64>>, holes: Vec<LineString<f64>>) -> Vec<Polygon<f64>> {
    if outers.len() <= 1 {
        let mut outers = outers.into_iter();
        return match outers.next() {
            Some(outer) => vec![Polygon::new(outer, holes)],
            None => holes.into_iter().map(|h| Polygon::new(h, vec![])).collect(),
        };
    }
    let boxes: Vec<Bounds> = outers.iter().map(Bounds::of).collect();
    let areas: Vec<f64> = outers.iter().map(|o| ring_area(o).abs()).collect();
    let mut interiors: Vec<Vec<LineString<f64>>> = vec![Vec::new(); outers.len()];
    let mut orphans = Vec::new();
    for hole in holes {
        let hole_box = Bounds::of(&hole);
        let owner = (0..outers.len())
            .filter(|&i| boxes[i].contains(&hole_box) && ring_inside(&hole, &outers[i]))
            .min_by(|&a, &b| areas[a].total_cmp(&areas[b]));
        match owner {
            Some(i) => interiors[i].push(hole),
            None => orphans.push(Polygon::new(hole, vec![])),
        }
    }
    outers.into_iter().zip(interiors).map(|(outer, holes)| Polygon::new(outer, holes)).chain(orphans).collect()
}

/// Whether `ring` lies inside `outer`: decided by its first vertex not on `outer`'s boundary
/// (a hole may touch its outer ring at a vertex); a ring wholly on the boundary counts as
/// inside.
fn ring_inside(ring: &LineString<f64>, outer: &LineString<f64>) -> bool {
    for &c in &ring.0 {
        match coord_pos_relative_to_ring(c, outer) {
            CoordPos::Inside => return true,
            CoordPos::Outside => return false,
            CoordPos::OnBoundary => {}
        }
    }
    true
}

/// The signed area of a closed ring (shoelace formula), positive when counter-clockwise.
fn ring_area(ring: &LineString<f64>) -> f64 {
    ring.0.windows(2).map(|w| w[0].x * w[1].y - w[1].x * w[0].y).sum::<f64>() / 2.0
}

/// An axis-aligned bounding box, to skip the containment test for outer rings that cannot hold
/// a hole.
struct Bounds {
    min: Coord<f64>,
    max: Coord<f64>,
}

impl Bounds {
    fn of(ring: &LineString<f64>) -> Self {
        let mut b = Bounds { min: Coord { x: f64::MAX, y: f64::MAX }, max: Coord { x: f64::MIN, y: f64::MIN } };
        for c in &ring.0 {
            b.min.x = b.min.x.min(c.x);
            b.min.y = b.min.y.min(c.y);
            b.max.x = b.max.x.max(c.x);
            b.max.y = b.max.y.max(c.y);
        }
        b
    }

    fn contains(&self, other: &Bounds) -> bool {
        self.min.x <= other.min.x && self.min.y <= other.min.y && self.max.x >= other.max.x && self.max.y >= other.max.y
    }
}
