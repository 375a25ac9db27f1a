//! Readers: a file (or an upload's bytes) → a stream of raw features in the file's own
//! coordinate system, with what the file says about itself. One module per format; every
//! reader caps what it allocates from sizes the file declares, and reports a broken file as
//! one error ([`ReadError::feature`] is `None`) and a bad record as an error naming it.

mod csv;
mod encoding;
mod fgb;
mod geojson;
mod gpkg;
mod shapefile;

use std::path::Path;

use geo_types::Geometry;
use gridgis_layers::Value;

pub use self::encoding::TextEncoding;

/// The largest file a reader loads whole into memory (shapefile parts, a zip's members, a
/// GeoPackage or FlatGeobuf upload): 4 GiB, twice the largest shapefile the format allows.
pub const MAX_FILE_BYTES: u64 = 4 << 30;

/// A source file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// GeoJSON: a FeatureCollection, one Feature, one geometry, or newline-delimited features.
    GeoJson,
    /// ESRI Shapefile: `.shp` with `.shx`, `.dbf`, `.prj`, `.cpg` beside it.
    Shapefile,
    /// A zip holding one shapefile (or one file of another format).
    Zip,
    /// CSV with lon/lat columns or a WKT column.
    Csv,
    /// FlatGeobuf.
    FlatGeobuf,
    /// OGC GeoPackage (SQLite).
    GeoPackage,
}

impl Format {
    /// The format a file name's extension says, if any.
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "geojson" | "json" | "geojsonl" | "geojsons" | "ndjson" | "geojsonseq" => Format::GeoJson,
            "shp" => Format::Shapefile,
            "zip" => Format::Zip,
            "csv" | "tsv" | "txt" => Format::Csv,
            "fgb" => Format::FlatGeobuf,
            "gpkg" => Format::GeoPackage,
            _ => return None,
        })
    }

    /// The lower-case name used in messages and reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::GeoJson => "geojson",
            Format::Shapefile => "shapefile",
            Format::Zip => "zip",
            Format::Csv => "csv",
            Format::FlatGeobuf => "flatgeobuf",
            Format::GeoPackage => "geopackage",
        }
    }
}

/// What a file says about its coordinate system.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CrsHint {
    /// Nothing (then WGS84 is assumed, and checked).
    None,
    /// An EPSG code (GeoJSON `crs` member, FlatGeobuf header, GeoPackage `srs_id`).
    Epsg(u32),
    /// A WKT definition (a shapefile's `.prj`, a GeoPackage's `definition`).
    Wkt(String),
}

/// What a reader learnt from a file before its first feature.
#[derive(Clone, Debug)]
pub struct SourceInfo {
    /// The file's name (no directories), for reports and the catalog.
    pub file_name: String,
    /// The format read.
    pub format: Format,
    /// The coordinate system the file declares.
    pub crs: CrsHint,
    /// The text encoding used (shapefile DBF, CSV), by its WHATWG name.
    pub encoding: Option<String>,
    /// How many features the file says it holds, where it says so (for a progress bar; never
    /// trusted for allocation).
    pub declared_features: Option<u64>,
}

/// One feature as read: geometry in the source's coordinate system, properties in the file's
/// column order.
#[derive(Clone, Debug, PartialEq)]
pub struct RawFeature {
    /// 0-based number of the feature in the file (a CSV's data rows, a shapefile's records).
    pub index: u64,
    /// The geometry; `None` for a null or absent one.
    pub geometry: Option<Geometry<f64>>,
    /// `(name, value)` pairs.
    pub properties: Vec<(String, Value)>,
}

/// A stream of features from one file. Items come in file order; an `Err` whose
/// [`ReadError::feature`] is `Some` is one bad record (reading goes on), any other `Err` ends
/// the stream and means the file as a whole cannot be trusted.
pub trait FeatureSource: Iterator<Item = Result<RawFeature, ReadError>> + Send {
    /// What the file declared before its features.
    fn info(&self) -> &SourceInfo;
}

/// How to read a file where it cannot tell by itself.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// The format; default: from the file name's extension.
    pub format: Option<Format>,
    /// Text encoding of a DBF or CSV (`gbk`, `gb18030`, `utf-8`, `936`…); default: the `.cpg`,
    /// then the DBF's language driver, else UTF-8 where the text is valid UTF-8, else GB18030.
    pub encoding: Option<String>,
    /// CSV: the longitude column (default: lon, lng, longitude, x, 经度, case-insensitive).
    pub lon_column: Option<String>,
    /// CSV: the latitude column (default: lat, latitude, y, 纬度).
    pub lat_column: Option<String>,
    /// CSV: a WKT geometry column (default: wkt, geom, geometry, the_geom when present).
    pub wkt_column: Option<String>,
    /// GeoPackage: the feature table (default: the only one; an error when there are several).
    /// A zip holding several shapefiles: the one to read (its name without `.shp`, or its path
    /// in the zip).
    pub table: Option<String>,
}

/// Why a file, or one of its features, could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The format cannot be told, or is not one gridgis reads.
    #[error("{file}: {message}")]
    UnknownFormat {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The file is broken as a whole (a truncated file, a header that lies, a missing part).
    #[error("{file}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// One feature is broken; the others may still be read.
    #[error("{file} feature {feature}: {message}")]
    Feature {
        /// The file.
        file: String,
        /// 0-based feature number.
        feature: u64,
        /// What is wrong.
        message: String,
    },
    /// Text that is not valid in the file's encoding.
    #[error("{file}: {message}")]
    Encoding {
        /// The file.
        file: String,
        /// What is wrong, and where.
        message: String,
    },
}

impl ReadError {
    /// The feature this error is about, when it is about one feature (the rest of the file
    /// can still be read); `None` when the file as a whole is unusable.
    pub fn feature(&self) -> Option<u64> {
        match self {
            ReadError::Feature { feature, .. } => Some(*feature),
            _ => None,
        }
    }

    pub(crate) fn invalid(file: &str, message: impl Into<String>) -> Self {
        ReadError::Invalid { file: file.to_string(), message: message.into() }
    }

    pub(crate) fn feature_error(file: &str, feature: u64, message: impl Into<String>) -> Self {
        ReadError::Feature { file: file.to_string(), feature, message: message.into() }
    }

    pub(crate) fn io(file: &str, source: std::io::Error) -> Self {
        ReadError::Io { file: file.to_string(), source }
    }
}

/// The file name without directories, for messages.
pub(crate) fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// The format to read `name` as; also refuses an encoding label no reader could use, whatever
/// the format, so a typo is never silently ignored.
fn format_of(name: &str, options: &ReadOptions) -> Result<Format, ReadError> {
    if let Some(label) = &options.encoding
        && TextEncoding::from_label(label).is_none()
    {
        return Err(ReadError::invalid(
            name,
            format!("unknown encoding '{label}' (use gbk, gb18030, utf-8, big5, or a code page such as 936)"),
        ));
    }
    options.format.or_else(|| Format::from_path(Path::new(name))).ok_or_else(|| ReadError::UnknownFormat {
        file: name.to_string(),
        message: "cannot tell the format from the file name; gridgis reads .geojson/.json, .shp (or a .zip \
                  holding one), .csv, .fgb and .gpkg"
            .into(),
    })
}

/// Opens the file at `path` for reading. A shapefile is read with the `.shx`, `.dbf`, `.prj`
/// and `.cpg` beside it; a `.zip` may hold one shapefile or one file of another format.
///
/// # Errors
/// The file cannot be read, its format cannot be told, or its header is broken.
pub fn open(path: &Path, options: &ReadOptions) -> Result<Box<dyn FeatureSource>, ReadError> {
    let name = display_name(path);
    match format_of(&name, options)? {
        Format::GeoJson => geojson::open_path(path, &name, options),
        Format::Shapefile => shapefile::open_path(path, &name, options),
        Format::Zip => {
            let bytes = read_capped(path, &name)?;
            shapefile::open_zip(&name, bytes, options)
        }
        Format::Csv => csv::open_path(path, &name, options),
        Format::FlatGeobuf => fgb::open_path(path, &name, options),
        Format::GeoPackage => gpkg::open_path(path, &name, options),
    }
}

/// Opens an uploaded file held in memory; `name` is its file name (for the format, when
/// `options.format` is not set, and for messages). A shapefile must come zipped, with its parts.
///
/// # Errors
/// As [`open`].
pub fn open_bytes(name: &str, bytes: Vec<u8>, options: &ReadOptions) -> Result<Box<dyn FeatureSource>, ReadError> {
    let name = display_name(Path::new(name));
    match format_of(&name, options)? {
        Format::GeoJson => geojson::open_bytes(&name, bytes, options),
        Format::Shapefile => Err(ReadError::invalid(
            &name,
            "a shapefile is several files: upload a .zip holding the .shp with its .shx, .dbf and .prj",
        )),
        Format::Zip => shapefile::open_zip(&name, bytes, options),
        Format::Csv => csv::open_bytes(&name, bytes, options),
        Format::FlatGeobuf => fgb::open_bytes(&name, bytes, options),
        Format::GeoPackage => gpkg::open_bytes(&name, bytes, options),
    }
}

/// Reads a whole file, refusing one larger than [`MAX_FILE_BYTES`].
pub(crate) fn read_capped(path: &Path, name: &str) -> Result<Vec<u8>, ReadError> {
    let len = std::fs::metadata(path).map_err(|e| ReadError::io(name, e))?.len();
    if len > MAX_FILE_BYTES {
        return Err(ReadError::invalid(
            name,
            format!("{len} bytes is more than the {MAX_FILE_BYTES} a reader accepts"),
        ));
    }
    std::fs::read(path).map_err(|e| ReadError::io(name, e))
}
