//! ESRI Shapefile: the `.shp` with its `.shx`, `.dbf`, `.prj` and `.cpg`, beside each other on
//! disk or in a zip.
//!
//! Every part is read whole (each capped at [`MAX_FILE_BYTES`](super::MAX_FILE_BYTES)) and its
//! header checked against its real length before any feature is read, so a truncated or lying
//! file is refused with one error naming the part, not half-imported.
//!
//! Decisions, where the format or GDAL leave a choice:
//! - The `.dbf` is required (GDAL too): the attributes are the point of a grid layer.
//! - The `.shx` is optional: without it the `.shp` records are walked in order, which is what a
//!   `.shx` says for any file written in one pass. A `.shx` that is present must agree with the
//!   `.shp`, record by record.
//! - The `.shp` and the `.dbf` must hold the same number of records (GDAL only warns): a
//!   mismatch means attributes would be paired with the wrong shapes.
//! - Records marked deleted in the `.dbf` are skipped, as GDAL does; the others keep their
//!   record number as [`RawFeature::index`].
//! - A zip must hold one shapefile, in any folder; with several, [`ReadOptions::table`] names
//!   the one to read (its name without `.shp`, or its path in the zip).
//! - Text is decoded strictly, in the first of: [`ReadOptions::encoding`], the `.cpg`, the
//!   `.dbf` language driver byte, else UTF-8 when all the text is valid UTF-8, else GB18030. A
//!   `.cpg` naming an encoding gridgis does not know is an error (set the option), not ignored.
//!   Undecodable text is a [`ReadError::Encoding`], which ends the stream: the encoding chosen
//!   is wrong, and the rest would be wrong too.

mod archive;
mod dbf;
mod shp;

use std::path::{Path, PathBuf};

use self::dbf::{Dbf, Field, ValueError};
use self::shp::Shp;
use super::{CrsHint, FeatureSource, Format, RawFeature, ReadError, ReadOptions, SourceInfo, TextEncoding};

/// The largest `.prj` or `.cpg` read: both are one line of text (an ESRI WKT is under 2 KiB).
const MAX_SIDECAR_BYTES: u64 = 64 << 10;

/// Opens the shapefile whose `.shp` is at `path`, with the parts beside it (their extensions
/// in any case).
pub(crate) fn open_path(path: &Path, name: &str, options: &ReadOptions) -> Result<Box<dyn FeatureSource>, ReadError> {
    let encoding = option_encoding(name, options)?;
    let stem = Path::new(name).file_stem().map_or_else(|| name.to_string(), |s| s.to_string_lossy().into_owned());
    let siblings = Siblings::find(path, name)?;
    // Before reading a .shp of perhaps gigabytes.
    if siblings.get("dbf").is_none() {
        return Err(missing_dbf(name, &stem));
    }
    let shp = (Part::file(name), super::read_capped(path, name)?);
    let read = |ext: &str, cap: Option<u64>| -> Result<Option<(Part, Vec<u8>)>, ReadError> {
        let Some(path) = siblings.get(ext) else { return Ok(None) };
        let part_name = super::display_name(path);
        let bytes = match cap {
            None => super::read_capped(path, &part_name)?,
            Some(cap) => read_small(path, &part_name, cap)?,
        };
        Ok(Some((Part::file(&part_name), bytes)))
    };
    let files = Files {
        source: name.to_string(),
        format: Format::Shapefile,
        stem,
        shp,
        shx: read("shx", None)?,
        dbf: read("dbf", None)?,
        prj: read("prj", Some(MAX_SIDECAR_BYTES))?,
        cpg: read("cpg", Some(MAX_SIDECAR_BYTES))?,
    };
    open_files(files, encoding)
}

/// Opens the one shapefile inside the zip `bytes` (in any folder of it).
pub(crate) fn open_zip(name: &str, bytes: Vec<u8>, options: &ReadOptions) -> Result<Box<dyn FeatureSource>, ReadError> {
    let encoding = option_encoding(name, options)?;
    let files = archive::extract(name, bytes, options)?;
    open_files(files, encoding)
}

/// One part of a shapefile, for messages: `roads.dbf` beside the `.shp`, or `data/roads.dbf`
/// inside `upload.zip` (then errors name the zip, and the member in the message).
pub(super) struct Part {
    file: String,
    member: Option<String>,
}

impl Part {
    fn file(name: &str) -> Self {
        Part { file: name.to_string(), member: None }
    }

    fn member(zip: &str, path: &str) -> Self {
        Part { file: zip.to_string(), member: Some(path.to_string()) }
    }

    fn message(&self, message: impl Into<String>) -> String {
        match &self.member {
            Some(m) => format!("{m}: {}", message.into()),
            None => message.into(),
        }
    }

    /// The part is broken.
    pub(super) fn invalid(&self, message: impl Into<String>) -> ReadError {
        ReadError::invalid(&self.file, self.message(message))
    }

    /// The part's text cannot be decoded.
    pub(super) fn encoding(&self, message: impl Into<String>) -> ReadError {
        ReadError::Encoding { file: self.file.clone(), message: self.message(message) }
    }
}

/// A shapefile's parts, read.
pub(super) struct Files {
    /// The file errors about the whole name: the `.shp`, or the zip.
    source: String,
    /// [`Format::Shapefile`] or [`Format::Zip`].
    format: Format,
    /// The `.shp`'s name without extension, for messages about a missing part.
    stem: String,
    shp: (Part, Vec<u8>),
    shx: Option<(Part, Vec<u8>)>,
    dbf: Option<(Part, Vec<u8>)>,
    prj: Option<(Part, Vec<u8>)>,
    cpg: Option<(Part, Vec<u8>)>,
}

/// The encoding the caller named, checked before any file is read.
fn option_encoding(name: &str, options: &ReadOptions) -> Result<Option<TextEncoding>, ReadError> {
    let Some(label) = options.encoding.as_deref() else { return Ok(None) };
    TextEncoding::from_label(label).map(Some).ok_or_else(|| {
        ReadError::invalid(
            name,
            format!(
                "unknown encoding {label:?}: use utf-8, gbk, gb18030, gb2312 or big5 (any WHATWG label), or a code \
                 page such as 936 or 65001"
            ),
        )
    })
}

fn open_files(files: Files, option: Option<TextEncoding>) -> Result<Box<dyn FeatureSource>, ReadError> {
    let Files { source, format, stem, shp: (shp_part, shp_bytes), shx, dbf, prj, cpg } = files;
    let Some((dbf_part, dbf_bytes)) = dbf else { return Err(missing_dbf(&source, &stem)) };
    let shp = Shp::open(&shp_part, shp_bytes, shx)?;
    let mut dbf = Dbf::open(&dbf_part, dbf_bytes)?;
    if shp.count() != dbf.count() {
        return Err(ReadError::invalid(
            &source,
            format!(
                "the .shp holds {} records and the .dbf {}: the parts do not belong together, or one is damaged",
                shp.count(),
                dbf.count()
            ),
        ));
    }
    let crs = match prj {
        Some((part, bytes)) => crs(&part, &bytes)?,
        None => CrsHint::None,
    };
    let (encoding, why) = choose_encoding(option, cpg, &dbf)?;
    let fields = dbf.fields(&dbf_part, encoding, &why)?;
    let info = SourceInfo {
        file_name: source.clone(),
        format,
        crs,
        encoding: Some(encoding.name().to_string()),
        declared_features: Some(shp.count() as u64),
    };
    Ok(Box::new(ShapefileSource { info, source, dbf_part, shp, dbf, fields, encoding, why, next: 0, done: false }))
}

fn missing_dbf(source: &str, stem: &str) -> ReadError {
    ReadError::invalid(
        source,
        format!(
            "{stem}.dbf is missing: a shapefile's attributes are in its .dbf, which must come with the .shp (and the \
             .shx, .prj and .cpg)"
        ),
    )
}

/// The `.prj`: WKT text (ASCII in practice; UTF-8 or GB18030 accepted). Empty is no CRS.
fn crs(part: &Part, bytes: &[u8]) -> Result<CrsHint, ReadError> {
    let text = TextEncoding::UTF8
        .decode(bytes)
        .or_else(|| TextEncoding::GB18030.decode(bytes))
        .ok_or_else(|| part.invalid("not text: a .prj holds a WKT coordinate system definition"))?;
    let text = text.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    Ok(if text.is_empty() { CrsHint::None } else { CrsHint::Wkt(text.to_string()) })
}

/// The text encoding, and where it came from (for messages).
fn choose_encoding(
    option: Option<TextEncoding>,
    cpg: Option<(Part, Vec<u8>)>,
    dbf: &Dbf,
) -> Result<(TextEncoding, String), ReadError> {
    if let Some(e) = option {
        return Ok((e, "named by the encoding option".into()));
    }
    if let Some((part, bytes)) = cpg {
        let label = String::from_utf8_lossy(&bytes);
        let label = label.trim_matches(|c: char| c.is_whitespace() || c == '\0' || c == '\u{feff}');
        if !label.is_empty() {
            let e = TextEncoding::from_label(label).ok_or_else(|| {
                part.invalid(format!(
                    "names the encoding {label:?}, which gridgis does not know; set the encoding option (gbk, gb18030, \
                     utf-8…) to read the file"
                ))
            })?;
            return Ok((e, "named by the .cpg".into()));
        }
    }
    if let Some(e) = TextEncoding::from_dbf_language_driver(dbf.language_driver()) {
        return Ok((e, format!("named by the .dbf language driver byte 0x{:02X}", dbf.language_driver())));
    }
    let e = dbf.text().map(TextEncoding::detect).find(|&e| e != TextEncoding::UTF8).unwrap_or(TextEncoding::UTF8);
    let why = if e == TextEncoding::UTF8 { "detected: the text is valid UTF-8" } else { "detected: not UTF-8" };
    Ok((e, why.into()))
}

/// The parts beside a `.shp` on disk: same stem, any case of the extension. A part whose stem
/// matches exactly wins over one matching in another case.
struct Siblings(Vec<(String, PathBuf, bool)>);

impl Siblings {
    fn find(shp: &Path, name: &str) -> Result<Self, ReadError> {
        let dir = match shp.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let stem = shp.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| ReadError::io(name, e))? {
            let path = entry.map_err(|e| ReadError::io(name, e))?.path();
            let (Some(s), Some(ext)) = (path.file_stem(), path.extension()) else { continue };
            let (s, ext) = (s.to_string_lossy(), ext.to_string_lossy().to_ascii_lowercase());
            if s.eq_ignore_ascii_case(&stem) && path.is_file() {
                found.push((ext, path.clone(), *s == stem));
            }
        }
        Ok(Siblings(found))
    }

    fn get(&self, ext: &str) -> Option<&Path> {
        let mut candidates = self.0.iter().filter(|(e, _, _)| e == ext);
        let first = candidates.clone().find(|(_, _, exact)| *exact).or_else(|| candidates.next());
        first.map(|(_, p, _)| p.as_path())
    }
}

/// Reads a small part (`.prj`, `.cpg`), refusing one larger than `cap`.
fn read_small(path: &Path, name: &str, cap: u64) -> Result<Vec<u8>, ReadError> {
    let len = std::fs::metadata(path).map_err(|e| ReadError::io(name, e))?.len();
    if len > cap {
        return Err(ReadError::invalid(name, format!("{len} bytes is too large for a .prj or .cpg (at most {cap})")));
    }
    std::fs::read(path).map_err(|e| ReadError::io(name, e))
}

/// The features of a shapefile whose parts have been checked.
struct ShapefileSource {
    info: SourceInfo,
    /// What errors about one feature name: the `.shp`, or the zip.
    source: String,
    dbf_part: Part,
    shp: Shp,
    dbf: Dbf,
    fields: Vec<Field>,
    encoding: TextEncoding,
    /// Where the encoding came from.
    why: String,
    next: usize,
    /// An error ended the stream.
    done: bool,
}

impl FeatureSource for ShapefileSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
}

impl Iterator for ShapefileSource {
    type Item = Result<RawFeature, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done && self.next < self.shp.count() {
            let i = self.next;
            self.next += 1;
            let index = i as u64;
            // Both parts were checked at open to hold `count` whole records, so neither lookup
            // fails; were one to, the stream ends with an error rather than a panic.
            let (Some(content), Some(record)) = (self.shp.next_record(i), self.dbf.record(i)) else {
                self.done = true;
                return Some(Err(ReadError::invalid(&self.source, format!("feature {i}: record missing"))));
            };
            if dbf::is_deleted(record) {
                continue;
            }
            let properties = match dbf::values(&self.fields, record, self.encoding, &self.why) {
                Ok(p) => p,
                Err(ValueError::Encoding(m)) => {
                    self.done = true;
                    return Some(Err(self.dbf_part.encoding(format!("feature {i}, {m}"))));
                }
                Err(ValueError::Value(m)) => {
                    return Some(Err(ReadError::feature_error(&self.source, index, format!(".dbf {m}"))));
                }
            };
            return Some(match shp::geometry(content) {
                Ok(geometry) => Ok(RawFeature { index, geometry, properties }),
                Err(m) => Err(ReadError::feature_error(&self.source, index, format!(".shp: {m}"))),
            });
        }
        None
    }
}

#[cfg(test)]
mod tests;
