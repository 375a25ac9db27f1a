//! GeoJSON reader, streaming: a FeatureCollection of any size is read one feature at a time,
//! never as a whole JSON tree.
//!
//! A small byte-level scanner walks the top-level object's members in file order. Members
//! before `features` are read (`type`, and `crs` as GDAL writes it for data not in WGS84:
//! `{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4548"}}`); when the `features`
//! array begins, the scanner cuts out each element's bytes (tracking strings, escapes and
//! bracket depth) and serde parses that element alone into small typed structs — coordinates
//! go straight into flat `Coord` arrays, never through `serde_json::Value`. Members after
//! `features` are skipped (a `crs` placed there is not seen; GDAL and every other writer put
//! it first).
//!
//! Besides a FeatureCollection the reader takes a single top-level Feature, a bare geometry
//! (one feature without properties), and newline-delimited GeoJSON (GeoJSONSeq / NDJSON: one
//! Feature per line, optionally behind an RS `0x1E`), told apart by content, not by extension.
//!
//! Decisions: property key order is kept as in the file; a key repeated within one feature
//! keeps its first position and its last value (as JavaScript and serde_json do). A Feature's
//! `id` member is ignored (gridgis's own export repeats the grid code there, and a property
//! is what a layer's schema holds). An empty Point (`"coordinates": []`) reads as no geometry.
//! Text must be UTF-8 (RFC 7946 §11); a feature that is not says so in its error.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor};
use std::path::Path;

use geo_types::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon,
};
use gridgis_layers::Value;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{CrsHint, FeatureSource, Format, RawFeature, ReadError, ReadOptions, SourceInfo};

/// The largest single feature (one element of `features`, one line of a sequence, or a lone
/// top-level object) the reader buffers: the brief's cap, far above any real feature (the whole
/// Huairou outline is 2 MB) and low enough that a file with no closing bracket cannot take the
/// machine's memory.
const MAX_FEATURE_BYTES: usize = 256 << 20;

/// The longest top-level member name accepted; real ones are a few bytes.
const MAX_KEY_BYTES: usize = 64 << 10;

/// Read buffer for files: large enough that refills are rare next to parsing (a 170 MB
/// collection is ~700 refills), small enough to be irrelevant to memory.
const READ_BUFFER_BYTES: usize = 256 << 10;

/// An element buffer grown past this by one huge feature is released rather than kept for the
/// rest of the file.
const KEEP_BUFFER_BYTES: usize = 16 << 20;

/// The RS byte that prefixes each text of a GeoJSON text sequence (RFC 8142).
const RS: u8 = 0x1E;

/// Opens a GeoJSON file for streaming.
pub(crate) fn open_path(path: &Path, name: &str, _options: &ReadOptions) -> Result<Box<dyn FeatureSource>, ReadError> {
    let file = File::open(path).map_err(|e| ReadError::io(name, e))?;
    Ok(Box::new(GeoJsonSource::open(name, BufReader::with_capacity(READ_BUFFER_BYTES, file))?))
}

/// Opens GeoJSON held in memory (an upload).
pub(crate) fn open_bytes(
    name: &str,
    bytes: Vec<u8>,
    _options: &ReadOptions,
) -> Result<Box<dyn FeatureSource>, ReadError> {
    Ok(Box::new(GeoJsonSource::open(name, Cursor::new(bytes))?))
}

// ---------------------------------------------------------------------------------------------
// The source: top-level structure and the iteration over features.

/// What the scanner is in the middle of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Inside the `features` array; `started` once an element has been read.
    Collection { started: bool },
    /// One feature per line (NDJSON / GeoJSONSeq as GDAL writes it).
    Lines,
    /// Concatenated JSON texts, each one feature, separated by whitespace or RS (a lone
    /// top-level object is the one-text case).
    Sequence,
    /// The end, or an error that ended the stream.
    Done,
}

/// A streaming GeoJSON [`FeatureSource`].
struct GeoJsonSource<R> {
    info: SourceInfo,
    scanner: Scanner<R>,
    mode: Mode,
    /// The top-level object when it was itself a feature: handed out first.
    first: Option<Result<RawFeature, ReadError>>,
    /// Number of the next feature.
    next_index: u64,
    /// 1-based line of the next line read in [`Mode::Lines`], for messages.
    line: u64,
    /// The element being parsed; reused across features.
    buf: Vec<u8>,
}

impl<R: BufRead> GeoJsonSource<R> {
    /// Reads the top-level object up to its `features` array (a FeatureCollection) or whole
    /// (a Feature or geometry, then possibly the first text of a sequence).
    fn open(name: &str, reader: R) -> Result<Self, ReadError> {
        let mut scanner = Scanner::new(reader);
        let io = |e| ReadError::io(name, e);
        let invalid = |m: String| ReadError::invalid(name, m);
        scanner.skip_bom().map_err(io)?;
        match scanner.skip_ws(true).map_err(io)? {
            None => return Err(invalid("empty file: there is no JSON in it".into())),
            Some(b'{') => scanner.bump(),
            Some(b) => return Err(invalid(not_geojson(b, scanner.pos))),
        }
        // Newlines inside the first object tell a pretty-printed file from a one-per-line one.
        let leading_newlines = scanner.newlines;
        scanner.newlines = 0;
        let mut source = GeoJsonSource {
            info: SourceInfo {
                file_name: name.to_string(),
                format: Format::GeoJson,
                crs: CrsHint::None,
                encoding: None,
                declared_features: None,
            },
            scanner,
            mode: Mode::Done,
            first: None,
            next_index: 0,
            line: 1,
            buf: Vec::new(),
        };
        let sc = &mut source.scanner;
        // The object's members, whitespace dropped, so that a Feature or geometry can be
        // parsed whole once it ends.
        let mut obj = vec![b'{'];
        let mut key_raw = Vec::new();
        let mut kind: Option<Kind> = None;
        let mut crs = CrsHint::None;
        let mut features_not_array = false;
        let mut members = 0usize;
        loop {
            let peeked = sc.skip_ws(false).map_err(io)?;
            let member_at = sc.pos;
            match peeked {
                Some(b'}') if members == 0 => {
                    sc.bump();
                    obj.push(b'}');
                    break;
                }
                Some(b'"') => {}
                None => return Err(invalid("the file ends inside the top-level object".into())),
                Some(b) => {
                    return Err(invalid(format!(
                        "expected a member name in the top-level object at byte {}, found {}",
                        sc.pos,
                        show(b)
                    )));
                }
            }
            key_raw.clear();
            sc.value(Some(&mut key_raw), MAX_KEY_BYTES).map_err(|e| match e {
                ScanError::Io(e) => io(e),
                _ => invalid(format!("unterminated or oversized member name at byte {member_at}")),
            })?;
            let key: Cow<'_, str> = serde_json::from_slice(&key_raw)
                .map_err(|e| invalid(format!("bad member name at byte {member_at}: {e}")))?;
            match sc.skip_ws(false).map_err(io)? {
                Some(b':') => sc.bump(),
                Some(b) => return Err(invalid(format!("expected ':' at byte {}, found {}", sc.pos, show(b)))),
                None => return Err(invalid("the file ends inside the top-level object".into())),
            }
            let value_at = sc.pos;
            let next = sc.skip_ws(false).map_err(io)?;
            if key == "features" && next == Some(b'[') && kind.as_ref().is_none_or(|k| *k == Kind::FeatureCollection) {
                sc.bump();
                source.mode = Mode::Collection { started: false };
                source.info.crs = crs;
                return Ok(source);
            }
            obj.extend_from_slice(&key_raw);
            obj.push(b':');
            let start = obj.len();
            let cap = MAX_FEATURE_BYTES.saturating_sub(start);
            sc.value(Some(&mut obj), cap).map_err(|e| match e {
                ScanError::Io(e) => io(e),
                ScanError::Eof => {
                    invalid(format!("the file ends inside the top-level member {key:?} (at byte {value_at})"))
                }
                ScanError::TooLarge => invalid(format!(
                    "the top-level object is larger than {} MiB (member {key:?} at byte {value_at}); a large \
                     file must be a FeatureCollection or one feature per line",
                    MAX_FEATURE_BYTES >> 20
                )),
                ScanError::Unexpected(b) => {
                    invalid(format!("expected a value for {key:?} at byte {}, found {}", value_at, show(b)))
                }
            })?;
            let raw = obj.get(start..).unwrap_or_default();
            match &*key {
                "type" => {
                    let k = serde_json::from_slice::<Kind>(raw)
                        .map_err(|_| invalid(format!("not GeoJSON: \"type\" at byte {value_at} is not a string")))?;
                    kind = Some(k);
                }
                "crs" => crs = crs_hint(raw).map_err(invalid)?,
                "features" => features_not_array = true,
                _ => {}
            }
            members += 1;
            match sc.skip_ws(false).map_err(io)? {
                Some(b',') => {
                    sc.bump();
                    obj.push(b',');
                }
                Some(b'}') => {
                    sc.bump();
                    obj.push(b'}');
                    break;
                }
                None => return Err(invalid("the file ends inside the top-level object".into())),
                Some(b) => {
                    return Err(invalid(format!(
                        "expected ',' or '}}' in the top-level object at byte {}, found {}",
                        sc.pos,
                        show(b)
                    )));
                }
            }
        }
        match &kind {
            None => return Err(invalid("not GeoJSON: the top-level object has no \"type\" member".into())),
            Some(Kind::FeatureCollection) if features_not_array => {
                return Err(invalid("the FeatureCollection's \"features\" member is not an array".into()));
            }
            Some(Kind::FeatureCollection) => {
                return Err(invalid("the FeatureCollection has no \"features\" member".into()));
            }
            Some(Kind::Other(t)) => return Err(invalid(format!("not GeoJSON: unknown type {t:?}"))),
            Some(_) => {}
        }
        let one_line = sc.newlines == 0 && !obj.contains(&b'\n');
        sc.newlines = 0;
        let after = sc.skip_ws(true).map_err(io)?;
        // A second object after a first one-line object, on a later line: one feature per
        // line. Anything else (a lone object, pretty-printed texts between RS bytes, trailing
        // garbage) goes through the sequence reader, which reports what it finds.
        source.mode = if after == Some(b'{') && one_line && sc.newlines > 0 { Mode::Lines } else { Mode::Sequence };
        source.line = 1 + leading_newlines + sc.newlines;
        source.info.crs = crs;
        source.first = Some(source.feature(&obj, 0, "(the top-level object)"));
        source.next_index = 1;
        Ok(source)
    }

    /// Parses one delimited feature; `at` says where it is, for the message.
    fn feature(&self, bytes: &[u8], index: u64, at: &str) -> Result<RawFeature, ReadError> {
        match parse_feature(bytes) {
            Ok((geometry, properties)) => Ok(RawFeature { index, geometry, properties }),
            Err(m) => Err(ReadError::feature_error(&self.info.file_name, index, format!("{m} {at}"))),
        }
    }

    fn io(&self, e: io::Error) -> ReadError {
        ReadError::io(&self.info.file_name, e)
    }

    fn invalid(&self, message: String) -> ReadError {
        ReadError::invalid(&self.info.file_name, message)
    }

    /// Cuts out the next value as feature `index` into `self.buf`, which began at byte `at`.
    fn cut(&mut self, index: u64, at: u64) -> Result<(), ReadError> {
        self.buf.clear();
        if self.buf.capacity() > KEEP_BUFFER_BYTES {
            self.buf = Vec::new();
        }
        match self.scanner.value(Some(&mut self.buf), MAX_FEATURE_BYTES) {
            Ok(()) => Ok(()),
            Err(ScanError::Io(e)) => Err(self.io(e)),
            Err(ScanError::Eof) => {
                Err(self
                    .invalid(format!("the file ends inside feature {index}, which begins at byte {at} (truncated?)")))
            }
            Err(ScanError::TooLarge) => Err(self.invalid(format!(
                "feature {index} (at byte {at}) is larger than {} MiB, or its brackets never close",
                MAX_FEATURE_BYTES >> 20
            ))),
            Err(ScanError::Unexpected(b)) => {
                Err(self.invalid(format!("expected feature {index} at byte {at}, found {}", show(b))))
            }
        }
    }

    /// The next element of the `features` array.
    fn next_in_collection(&mut self, started: bool) -> Option<Result<RawFeature, ReadError>> {
        let index = self.next_index;
        let peeked = match self.scanner.skip_ws(false) {
            Ok(b) => b,
            Err(e) => return Some(Err(self.io(e))),
        };
        let at = self.scanner.pos;
        match (started, peeked) {
            (_, Some(b']')) => {
                self.scanner.bump();
                self.mode = Mode::Done;
                return self.finish_collection().map(Err);
            }
            (true, Some(b',')) => {
                self.scanner.bump();
                match self.scanner.skip_ws(false) {
                    Ok(Some(b']')) => {
                        return Some(Err(self.invalid(format!(
                            "a ',' with no feature after it at byte {at}, after feature {}",
                            index.saturating_sub(1)
                        ))));
                    }
                    Ok(_) => {}
                    Err(e) => return Some(Err(self.io(e))),
                }
            }
            (false, Some(_)) => {}
            (_, None) => {
                return Some(Err(self.invalid(format!(
                    "the file ends inside the \"features\" array, after {index} features (truncated?)"
                ))));
            }
            (true, Some(b)) => {
                return Some(Err(self.invalid(format!(
                    "expected ',' or ']' after feature {} at byte {at}, found {}",
                    index.saturating_sub(1),
                    show(b)
                ))));
            }
        }
        let at = self.scanner.pos;
        if let Err(e) = self.cut(index, at) {
            return Some(Err(e));
        }
        self.next_index += 1;
        self.mode = Mode::Collection { started: true };
        Some(self.feature(&self.buf, index, &format!("(feature begins at byte {at})")))
    }

    /// After the `features` array: checks the rest of the top-level object is well formed,
    /// skipping its members. `Some` is the error that ends the stream.
    fn finish_collection(&mut self) -> Option<ReadError> {
        loop {
            let b = match self.scanner.skip_ws(false) {
                Ok(b) => b,
                Err(e) => return Some(self.io(e)),
            };
            let at = self.scanner.pos;
            match b {
                Some(b'}') => {
                    self.scanner.bump();
                    break;
                }
                Some(b',') => self.scanner.bump(),
                None => {
                    return Some(
                        self.invalid("the file ends before the FeatureCollection's closing '}' (truncated?)".into()),
                    );
                }
                Some(b) => {
                    return Some(self.invalid(format!(
                        "expected ',' or '}}' after the \"features\" array at byte {at}, found {}",
                        show(b)
                    )));
                }
            }
            // A member: name, ':', value — skipped without buffering.
            let mut ok = matches!(self.scanner.skip_ws(false), Ok(Some(b'"')))
                && self.scanner.value(None, usize::MAX).is_ok()
                && matches!(self.scanner.skip_ws(false), Ok(Some(b':')));
            if ok {
                self.scanner.bump();
                ok = matches!(self.scanner.skip_ws(false), Ok(Some(_))) && self.scanner.value(None, usize::MAX).is_ok();
            }
            if !ok {
                return Some(self.invalid(format!(
                    "broken member after the \"features\" array, at byte {at} (truncated or not JSON)"
                )));
            }
        }
        match self.scanner.skip_ws(true) {
            Ok(None) => None,
            Ok(Some(b)) => Some(self.invalid(format!(
                "unexpected {} at byte {} after the FeatureCollection",
                show(b),
                self.scanner.pos
            ))),
            Err(e) => Some(self.io(e)),
        }
    }

    /// The next text of a sequence of concatenated objects.
    fn next_in_sequence(&mut self) -> Option<Result<RawFeature, ReadError>> {
        let index = self.next_index;
        match self.scanner.skip_ws(true) {
            Ok(None) => return None,
            Ok(Some(b'{')) => {}
            Ok(Some(b)) => {
                return Some(Err(self.invalid(format!(
                    "unexpected {} at byte {} after feature {}",
                    show(b),
                    self.scanner.pos,
                    index.saturating_sub(1)
                ))));
            }
            Err(e) => return Some(Err(self.io(e))),
        }
        let at = self.scanner.pos;
        if let Err(e) = self.cut(index, at) {
            return Some(Err(e));
        }
        self.next_index += 1;
        Some(self.feature(&self.buf, index, &format!("(feature begins at byte {at})")))
    }

    /// The next non-blank line of a one-feature-per-line file.
    fn next_line(&mut self) -> Option<Result<RawFeature, ReadError>> {
        loop {
            self.buf.clear();
            if self.buf.capacity() > KEEP_BUFFER_BYTES {
                self.buf = Vec::new();
            }
            let line = self.line;
            let index = self.next_index;
            match self.scanner.line(&mut self.buf, MAX_FEATURE_BYTES) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(ScanError::Io(e)) => return Some(Err(self.io(e))),
                Err(_) => {
                    return Some(Err(self.invalid(format!(
                        "line {line} (feature {index}) is longer than {} MiB",
                        MAX_FEATURE_BYTES >> 20
                    ))));
                }
            }
            self.line += 1;
            let text = trim_line(&self.buf);
            if text.is_empty() {
                continue;
            }
            self.next_index += 1;
            return Some(self.feature(text, index, &format!("(line {line})")));
        }
    }
}

/// A line without its RS prefix and surrounding whitespace.
fn trim_line(line: &[u8]) -> &[u8] {
    let start = line.iter().position(|&b| !(is_ws(b) || b == RS)).unwrap_or(line.len());
    let end = line.iter().rposition(|&b| !is_ws(b)).map_or(start, |e| e + 1).max(start);
    line.get(start..end).unwrap_or_default()
}

impl<R: BufRead> Iterator for GeoJsonSource<R> {
    type Item = Result<RawFeature, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(first) = self.first.take() {
            return Some(first);
        }
        let item = match self.mode {
            Mode::Done => return None,
            Mode::Collection { started } => self.next_in_collection(started),
            Mode::Lines => self.next_line(),
            Mode::Sequence => self.next_in_sequence(),
        };
        match &item {
            None => self.mode = Mode::Done,
            Some(Err(e)) if e.feature().is_none() => self.mode = Mode::Done,
            Some(_) => {}
        }
        item
    }
}

impl<R: BufRead + Send> FeatureSource for GeoJsonSource<R> {
    fn info(&self) -> &SourceInfo {
        &self.info
    }
}

/// Why a GeoJSON file is rejected from its first byte.
fn not_geojson(b: u8, at: u64) -> String {
    match b {
        0xFF | 0xFE => "not GeoJSON as read: the text is UTF-16; GeoJSON must be UTF-8 (RFC 7946 §11)".into(),
        b'[' => format!(
            "not GeoJSON: a top-level JSON array (at byte {at}); expected an object such as a FeatureCollection"
        ),
        _ => format!("not GeoJSON: expected '{{' at byte {at}, found {}", show(b)),
    }
}

/// A byte for a message.
fn show(b: u8) -> String {
    if b.is_ascii_graphic() { format!("'{}'", b as char) } else { format!("byte 0x{b:02X}") }
}

// ---------------------------------------------------------------------------------------------
// The scanner: JSON structure at byte level, without parsing values.

/// JSON's insignificant whitespace (RFC 8259 §2).
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Why the scanner could not delimit a value.
#[derive(Debug)]
enum ScanError {
    /// Reading failed.
    Io(io::Error),
    /// The input ended inside the value.
    Eof,
    /// The value is longer than the cap.
    TooLarge,
    /// The byte where a value should start cannot start one.
    Unexpected(u8),
}

impl From<io::Error> for ScanError {
    fn from(e: io::Error) -> Self {
        ScanError::Io(e)
    }
}

/// Walks JSON structure over a buffered reader, counting the bytes consumed.
struct Scanner<R> {
    reader: R,
    /// Bytes consumed so far: the offset of the next byte.
    pos: u64,
    /// Newlines skipped as whitespace since last reset.
    newlines: u64,
}

impl<R: BufRead> Scanner<R> {
    fn new(reader: R) -> Self {
        Scanner { reader, pos: 0, newlines: 0 }
    }

    /// The buffered bytes, refilling when empty; empty only at the end of input.
    fn fill(&mut self) -> io::Result<&[u8]> {
        loop {
            // Retried on EINTR; the second call returns what the first buffered.
            match self.reader.fill_buf() {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
                Ok(_) => return self.reader.fill_buf(),
            }
        }
    }

    fn consume(&mut self, n: usize) {
        self.reader.consume(n);
        self.pos += n as u64;
    }

    /// Consumes one byte (after a peek saw it).
    fn bump(&mut self) {
        self.consume(1);
    }

    /// Skips a UTF-8 byte-order mark, which some Windows tools write.
    fn skip_bom(&mut self) -> io::Result<()> {
        if self.fill()?.starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.consume(3);
        }
        Ok(())
    }

    /// Skips whitespace (and RS bytes when `rs`); returns the next byte without consuming it.
    fn skip_ws(&mut self, rs: bool) -> io::Result<Option<u8>> {
        loop {
            let chunk = self.fill()?;
            if chunk.is_empty() {
                return Ok(None);
            }
            let mut newlines = 0;
            let found = chunk.iter().position(|&b| {
                newlines += u64::from(b == b'\n');
                !(is_ws(b) || (rs && b == RS))
            });
            let next = found.and_then(|i| chunk.get(i).copied());
            let skipped = found.unwrap_or(chunk.len());
            // (The closure also saw the byte it stopped at, which is not a newline.)
            self.newlines += newlines;
            self.consume(skipped);
            if next.is_some() {
                return Ok(next);
            }
        }
    }

    /// Consumes one JSON value starting at the next byte, appending its bytes to `out` (when
    /// given) up to `cap` bytes in all. Objects, arrays and strings end at their closing byte;
    /// a number, `true`, `false` or `null` ends before the next delimiter. Bracket kinds are not
    /// matched against each other: a value that is balanced but wrong is left to the parser.
    fn value(&mut self, mut out: Option<&mut Vec<u8>>, cap: usize) -> Result<(), ScanError> {
        let Some(&first) = self.fill()?.first() else { return Err(ScanError::Eof) };
        let scalar = match first {
            b'{' | b'[' | b'"' => false,
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => true,
            other => return Err(ScanError::Unexpected(other)),
        };
        // Outside strings, depth is at least 1 until the value ends (a string value starts
        // inside a string at depth 0, a container raises depth on its first byte).
        let mut depth: u64 = 0;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let chunk = self.fill()?;
            if chunk.is_empty() {
                return if scalar { Ok(()) } else { Err(ScanError::Eof) };
            }
            let mut end = None;
            if scalar {
                end =
                    chunk.iter().position(|&b| is_ws(b) || matches!(b, b',' | b']' | b'}' | b':' | b'[' | b'{' | b'"'));
            } else {
                let mut i = 0;
                while i < chunk.len() {
                    if in_string {
                        if escaped {
                            escaped = false;
                            i += 1;
                            continue;
                        }
                        // Most of a feature is string content or numbers: jump to the next
                        // quote or backslash.
                        let Some(p) =
                            chunk.get(i..).and_then(|rest| rest.iter().position(|&b| b == b'"' || b == b'\\'))
                        else {
                            break;
                        };
                        i += p;
                        if chunk.get(i) == Some(&b'\\') {
                            escaped = true;
                        } else {
                            in_string = false;
                            if depth == 0 {
                                end = Some(i + 1);
                                break;
                            }
                        }
                        i += 1;
                    } else {
                        let Some(p) = chunk
                            .get(i..)
                            .and_then(|rest| rest.iter().position(|&b| matches!(b, b'"' | b'{' | b'[' | b'}' | b']')))
                        else {
                            break;
                        };
                        i += p;
                        match chunk.get(i) {
                            Some(b'"') => in_string = true,
                            Some(b'{' | b'[') => depth += 1,
                            _ => {
                                depth = depth.saturating_sub(1);
                                if depth == 0 {
                                    end = Some(i + 1);
                                    break;
                                }
                            }
                        }
                        i += 1;
                    }
                }
            }
            let take = end.unwrap_or(chunk.len());
            if let Some(out) = out.as_deref_mut() {
                if out.len().saturating_add(take) > cap {
                    return Err(ScanError::TooLarge);
                }
                out.extend_from_slice(chunk.get(..take).unwrap_or_default());
            }
            self.consume(take);
            if end.is_some() {
                return Ok(());
            }
        }
    }

    /// Consumes one line (through its `\n`), appending it without the `\n` to `out`, up to
    /// `cap` bytes. `false` at the end of input with nothing read.
    fn line(&mut self, out: &mut Vec<u8>, cap: usize) -> Result<bool, ScanError> {
        let mut any = false;
        loop {
            let chunk = self.fill()?;
            if chunk.is_empty() {
                return Ok(any);
            }
            any = true;
            let newline = chunk.iter().position(|&b| b == b'\n');
            let take = newline.unwrap_or(chunk.len());
            if out.len().saturating_add(take) > cap {
                return Err(ScanError::TooLarge);
            }
            out.extend_from_slice(chunk.get(..take).unwrap_or_default());
            self.consume(take + usize::from(newline.is_some()));
            if newline.is_some() {
                return Ok(true);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One feature: typed serde structs, parsed from the element's bytes alone.

/// A GeoJSON `type` name, read without allocating for the known ones.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kind {
    Feature,
    FeatureCollection,
    Point,
    MultiPoint,
    LineString,
    MultiLineString,
    Polygon,
    MultiPolygon,
    GeometryCollection,
    Other(String),
}

impl Kind {
    fn name(&self) -> &str {
        match self {
            Kind::Feature => "Feature",
            Kind::FeatureCollection => "FeatureCollection",
            Kind::Point => "Point",
            Kind::MultiPoint => "MultiPoint",
            Kind::LineString => "LineString",
            Kind::MultiLineString => "MultiLineString",
            Kind::Polygon => "Polygon",
            Kind::MultiPolygon => "MultiPolygon",
            Kind::GeometryCollection => "GeometryCollection",
            Kind::Other(s) => s,
        }
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KindVisitor;
        impl Visitor<'_> for KindVisitor {
            type Value = Kind;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a GeoJSON type name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Kind, E> {
                Ok(match v {
                    "Feature" => Kind::Feature,
                    "FeatureCollection" => Kind::FeatureCollection,
                    "Point" => Kind::Point,
                    "MultiPoint" => Kind::MultiPoint,
                    "LineString" => Kind::LineString,
                    "MultiLineString" => Kind::MultiLineString,
                    "Polygon" => Kind::Polygon,
                    "MultiPolygon" => Kind::MultiPolygon,
                    "GeometryCollection" => Kind::GeometryCollection,
                    other => Kind::Other(other.to_string()),
                })
            }
        }
        d.deserialize_str(KindVisitor)
    }
}

/// A Feature, or a bare geometry standing for one (members of both are read; which apply
/// depends on `type`). Other members (`id`, `bbox`, foreign members) are ignored.
#[derive(Deserialize)]
struct FeatureDoc {
    #[serde(rename = "type")]
    kind: Option<Kind>,
    geometry: Option<GeometryMember>,
    properties: Option<Properties>,
    // Boxed: only a bare geometry has these, and a small struct is cheap to move around in
    // serde's generated code (a 440-byte one cost ~10% of the reading time).
    coordinates: Option<Box<Coords>>,
    geometries: Option<Vec<GeometryMember>>,
}

/// A geometry object's members.
#[derive(Deserialize)]
struct GeometryDoc {
    #[serde(rename = "type")]
    kind: Option<Kind>,
    coordinates: Option<Coords>,
    geometries: Option<Vec<GeometryMember>>,
}

/// A geometry object (not null), converted as soon as it is parsed; errors carry serde's
/// position.
struct GeometryMember(Option<Geometry<f64>>);

impl<'de> Deserialize<'de> for GeometryMember {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let doc = GeometryDoc::deserialize(d)?;
        geometry(doc.kind, doc.coordinates, doc.geometries).map(GeometryMember).map_err(de::Error::custom)
    }
}

/// A feature's geometry and properties.
type Parsed = (Option<Geometry<f64>>, Vec<(String, Value)>);

/// Parses one feature's bytes into its geometry and properties, or says why it cannot.
fn parse_feature(bytes: &[u8]) -> Result<Parsed, String> {
    if bytes.first() != Some(&b'{') {
        return Err(
            "not a JSON object; a feature is {\"type\": \"Feature\", \"geometry\": …, \"properties\": …}".into()
        );
    }
    let doc: FeatureDoc = serde_json::from_slice(bytes).map_err(|e| json_error(bytes, &e))?;
    match doc.kind {
        Some(Kind::Feature) => {
            let geometry = doc.geometry.and_then(|g| g.0);
            let mut properties = doc.properties.map(|p| p.0).unwrap_or_default();
            dedupe(&mut properties);
            Ok((geometry, properties))
        }
        Some(Kind::FeatureCollection) => Err("a FeatureCollection where a Feature was expected".into()),
        Some(Kind::Other(t)) => Err(format!("unknown type {t:?}")),
        kind @ Some(_) => Ok((geometry(kind, doc.coordinates.map(|c| *c), doc.geometries)?, Vec::new())),
        None => Err("no \"type\" member".into()),
    }
}

/// A serde error as a message: syntax errors are "invalid JSON", others are about the data.
fn json_error(bytes: &[u8], e: &serde_json::Error) -> String {
    if std::str::from_utf8(bytes).is_err() {
        return "text that is not UTF-8; GeoJSON is UTF-8 (RFC 7946 §11): convert the file first (a GBK file: \
                iconv -f GBK -t UTF-8)"
            .into();
    }
    match e.classify() {
        serde_json::error::Category::Data => e.to_string(),
        _ => format!("invalid JSON: {e}"),
    }
}

/// Keeps the first position and the last value of a key repeated in one object.
fn dedupe(properties: &mut Vec<(String, Value)>) {
    let n = properties.len();
    // Pairwise for the usual few columns; a set for wide tables.
    let has_dupes = if n <= 16 {
        (1..n).any(|i| properties.get(..i).is_some_and(|head| head.iter().any(|(k, _)| *k == properties[i].0)))
    } else {
        let mut seen = std::collections::HashSet::with_capacity(n);
        !properties.iter().all(|(k, _)| seen.insert(k.as_str()))
    };
    if !has_dupes {
        return;
    }
    let mut kept: Vec<(String, Value)> = Vec::with_capacity(n);
    let mut position = std::collections::HashMap::with_capacity(n);
    for (k, v) in properties.drain(..) {
        match position.get(&k) {
            Some(&i) => {
                if let Some(slot) = kept.get_mut(i) {
                    *slot = (k, v);
                }
            }
            None => {
                position.insert(k.clone(), kept.len());
                kept.push((k, v));
            }
        }
    }
    *properties = kept;
}

/// The geometry of a geometry object; `None` for an empty Point.
fn geometry(
    kind: Option<Kind>,
    coordinates: Option<Coords>,
    members: Option<Vec<GeometryMember>>,
) -> Result<Option<Geometry<f64>>, String> {
    let kind = kind.ok_or("a geometry with no \"type\" member")?;
    if kind == Kind::GeometryCollection {
        let members = members.ok_or("a GeometryCollection with no \"geometries\" array")?;
        let members = members.into_iter().filter_map(|m| m.0).collect();
        return Ok(Some(Geometry::GeometryCollection(GeometryCollection(members))));
    }
    let leaf = match kind {
        Kind::Point => 0,
        Kind::MultiPoint | Kind::LineString => 1,
        Kind::MultiLineString | Kind::Polygon => 2,
        Kind::MultiPolygon => 3,
        Kind::Feature | Kind::FeatureCollection | Kind::GeometryCollection => {
            return Err(format!("{:?} is not a geometry type", kind.name()));
        }
        Kind::Other(t) => return Err(format!("unknown geometry type {t:?}")),
    };
    let mut c = coordinates.ok_or_else(|| format!("a {} with no \"coordinates\" array", kind.name()))?;
    if kind == Kind::Point && c.leaf.is_none() && c.max_level == 0 {
        return Ok(None);
    }
    c.expect(leaf, kind.name())?;
    let [_, ends1, ends2, _] = std::mem::take(&mut c.ends);
    let points = c.points;
    Ok(Some(match kind {
        Kind::Point => Geometry::Point(Point(points.first().copied().ok_or("a Point with no position")?)),
        Kind::MultiPoint => Geometry::MultiPoint(MultiPoint(points.into_iter().map(Point).collect())),
        Kind::LineString => Geometry::LineString(LineString(points)),
        Kind::MultiLineString => Geometry::MultiLineString(MultiLineString(split(points, &ends1)?)),
        Kind::Polygon => Geometry::Polygon(polygon(split(points, &ends1)?)),
        // MultiPolygon, the only kind left.
        _ => {
            let mut rings = split(points, &ends2)?.into_iter();
            let mut polygons = Vec::with_capacity(ends1.len());
            let mut prev = 0;
            for &end in &ends1 {
                let n = end.checked_sub(prev).ok_or("inconsistent MultiPolygon nesting")?;
                polygons.push(polygon(rings.by_ref().take(n).collect()));
                prev = end;
            }
            Geometry::MultiPolygon(MultiPolygon(polygons))
        }
    }))
}

/// A polygon from its rings, the first being the exterior; none makes an empty polygon.
fn polygon(rings: Vec<LineString<f64>>) -> Polygon<f64> {
    let mut rings = rings.into_iter();
    let exterior = rings.next().unwrap_or_else(|| LineString(Vec::new()));
    Polygon::new(exterior, rings.collect())
}

/// Splits positions into lines at the cumulative `ends`.
fn split(points: Vec<Coord<f64>>, ends: &[usize]) -> Result<Vec<LineString<f64>>, String> {
    if let [only] = ends
        && *only == points.len()
    {
        return Ok(vec![LineString(points)]);
    }
    let mut out = Vec::with_capacity(ends.len());
    let mut start = 0;
    for &end in ends {
        let part = points.get(start..end).ok_or("inconsistent coordinate nesting")?;
        out.push(LineString(part.to_vec()));
        start = end;
    }
    Ok(out)
}

/// The deepest array level of coordinates: a MultiPolygon's positions.
const MAX_LEVEL: usize = 3;

/// A `coordinates` member of any nesting, flattened as it is parsed: the positions in order,
/// and for each array level the cumulative end of each closed array among its children (so a
/// Polygon's ring ends are `ends[1]` into `points`, a MultiPolygon's polygon ends `ends[1]`
/// into `ends[2]`). Which nesting is right depends on `type`, which may come after.
#[derive(Debug, Default)]
struct Coords {
    points: Vec<Coord<f64>>,
    ends: [Vec<usize>; MAX_LEVEL + 1],
    /// The level of the arrays holding numbers (0: `coordinates` is itself a position).
    leaf: Option<usize>,
    /// The deepest array level seen.
    max_level: usize,
    /// The deepest level of an empty array.
    deepest_empty: Option<usize>,
}

impl Coords {
    /// Checks the nesting is the one `kind` needs, positions at level `leaf`.
    fn expect(&self, leaf: usize, kind: &str) -> Result<(), String> {
        let ok = self.max_level <= leaf
            && self.deepest_empty.is_none_or(|d| d < leaf)
            && self.leaf.is_none_or(|l| l == leaf);
        if ok {
            return Ok(());
        }
        let wanted = match leaf {
            0 => "one position [x, y]",
            1 => "an array of positions",
            2 => "an array of arrays of positions",
            _ => "an array of arrays of arrays of positions",
        };
        Err(match self.leaf {
            Some(l) if l != leaf => {
                format!("{kind} coordinates must be {wanted}, found positions at nesting depth {l}")
            }
            _ => format!("{kind} coordinates must be {wanted}"),
        })
    }
}

impl<'de> Deserialize<'de> for Coords {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut coords = Coords::default();
        Level { coords: &mut coords, level: 0 }.deserialize(d)?;
        Ok(coords)
    }
}

/// Parses one array of `coordinates` at a nesting level.
struct Level<'c> {
    coords: &'c mut Coords,
    level: usize,
}

impl<'de> DeserializeSeed<'de> for Level<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Level<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of coordinates")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Level { coords, level } = self;
        if level > MAX_LEVEL {
            return Err(de::Error::custom("coordinates nested deeper than a MultiPolygon's"));
        }
        if coords.leaf.is_some_and(|l| level > l) {
            return Err(de::Error::custom("coordinates nested deeper than their positions"));
        }
        coords.max_level = coords.max_level.max(level);
        let mut xy = [0.0; 2];
        let mut numbers = 0usize;
        let mut arrays = 0usize;
        while let Some(item) = seq.next_element_seed(Item { coords: &mut *coords, level: level + 1 })? {
            match item {
                Some(v) => {
                    if let Some(slot) = xy.get_mut(numbers) {
                        *slot = v;
                    }
                    numbers += 1;
                }
                None => arrays += 1,
            }
            if numbers > 0 && arrays > 0 {
                return Err(de::Error::custom("numbers and arrays mixed in one coordinates array"));
            }
        }
        if numbers > 0 {
            if numbers < 2 {
                return Err(de::Error::custom("a position needs at least two numbers, [x, y]"));
            }
            match coords.leaf {
                None => coords.leaf = Some(level),
                Some(l) if l != level => return Err(de::Error::custom("positions at different nesting depths")),
                Some(_) => {}
            }
            coords.points.push(Coord { x: xy[0], y: xy[1] });
            return Ok(());
        }
        // A closed non-position array records where its children end. An empty one ends where
        // the previous array of its level did: every child closed so far belongs to one of
        // those (only one array per level is open at a time).
        let end = if arrays == 0 {
            coords.deepest_empty = Some(coords.deepest_empty.map_or(level, |d| d.max(level)));
            coords.ends.get(level).and_then(|e| e.last()).copied().unwrap_or(0)
        } else if coords.leaf == Some(level + 1) {
            coords.points.len()
        } else {
            coords.ends.get(level + 1).map_or(0, Vec::len)
        };
        if let Some(ends) = coords.ends.get_mut(level) {
            ends.push(end);
        }
        Ok(())
    }
}

/// One element of a coordinates array: a number (`Some`) or a nested array (`None`, parsed
/// into the [`Coords`] on the way).
struct Item<'c> {
    coords: &'c mut Coords,
    level: usize,
}

impl<'de> DeserializeSeed<'de> for Item<'_> {
    type Value = Option<f64>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<f64>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Item<'_> {
    type Value = Option<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a coordinate number or an array of coordinates")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<f64>, E> {
        Ok(Some(v))
    }

    // Integers as JSON holds them; precision beyond 2^53 is meaningless for coordinates.
    #[allow(clippy::cast_precision_loss)]
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<f64>, E> {
        Ok(Some(v as f64))
    }

    #[allow(clippy::cast_precision_loss)]
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<f64>, E> {
        Ok(Some(v as f64))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<f64>, A::Error> {
        Level { coords: self.coords, level: self.level }.visit_seq(seq)?;
        Ok(None)
    }
}

/// A `properties` object, in file order.
struct Properties(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Properties {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PropertiesVisitor;
        impl<'de> Visitor<'de> for PropertiesVisitor {
            type Value = Properties;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object of properties")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Properties, A::Error> {
                // The size hint comes from the input: capped.
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(8).min(64));
                while let Some(key) = map.next_key::<String>()? {
                    let PropertyValue(value) = map.next_value()?;
                    out.push((key, value));
                }
                Ok(Properties(out))
            }
        }
        d.deserialize_map(PropertiesVisitor)
    }
}

/// One property value: JSON scalars map to their [`Value`]; arrays and objects become their
/// compact JSON text.
struct PropertyValue(Value);

impl<'de> Deserialize<'de> for PropertyValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = PropertyValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<PropertyValue, E> {
                Ok(PropertyValue(Value::Null))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<PropertyValue, E> {
                Ok(PropertyValue(Value::Bool(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<PropertyValue, E> {
                Ok(PropertyValue(Value::Int(v)))
            }
            // Beyond i64 a JSON integer can only be kept approximately.
            #[allow(clippy::cast_precision_loss)]
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PropertyValue, E> {
                Ok(PropertyValue(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<PropertyValue, E> {
                Ok(PropertyValue(Value::Float(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PropertyValue, E> {
                Ok(PropertyValue(Value::String(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<PropertyValue, E> {
                Ok(PropertyValue(Value::String(v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<PropertyValue, A::Error> {
                let mut text = String::new();
                JsonText(&mut text).visit_seq(seq)?;
                Ok(PropertyValue(Value::String(text)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PropertyValue, A::Error> {
                let mut text = String::new();
                JsonText(&mut text).visit_map(map)?;
                Ok(PropertyValue(Value::String(text)))
            }
        }
        d.deserialize_any(ValueVisitor)
    }
}

/// Writes a JSON value back as compact text, keeping object key order (which a
/// `serde_json::Value` would sort, the workspace not enabling `preserve_order`).
struct JsonText<'s>(&'s mut String);

impl JsonText<'_> {
    fn quoted(&mut self, s: &str) {
        // Serializing a &str cannot fail; the fallback keeps this panic-free regardless.
        self.0.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
    }
}

impl<'de> DeserializeSeed<'de> for JsonText<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for JsonText<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.push_str("null");
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.0.push_str(if v { "true" } else { "false" });
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.0.push_str(&v.to_string());
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.0.push_str(&v.to_string());
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        // serde_json's own formatting (shortest round-trip, "1.0" not "1"); JSON has no NaN.
        self.0.push_str(&serde_json::to_string(&v).unwrap_or_else(|_| "null".into()));
        Ok(())
    }

    fn visit_str<E: de::Error>(mut self, v: &str) -> Result<(), E> {
        self.quoted(v);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.push('[');
        let mut first = true;
        loop {
            let mark = self.0.len();
            if !first {
                self.0.push(',');
            }
            if seq.next_element_seed(JsonText(&mut *self.0))?.is_none() {
                self.0.truncate(mark);
                break;
            }
            first = false;
        }
        self.0.push(']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.0.push('{');
        let mut first = true;
        while let Some(key) = map.next_key::<Cow<'_, str>>()? {
            if !first {
                self.0.push(',');
            }
            first = false;
            self.quoted(&key);
            self.0.push(':');
            map.next_value_seed(JsonText(&mut *self.0))?;
        }
        self.0.push('}');
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// The `crs` member (GeoJSON 2008; RFC 7946 dropped it, but GDAL still writes it for data not
// in WGS84).

/// The coordinate system a `crs` member names.
fn crs_hint(raw: &[u8]) -> Result<CrsHint, String> {
    let v: serde_json::Value = serde_json::from_slice(raw).map_err(|e| format!("unreadable \"crs\" member: {e}"))?;
    let text = || String::from_utf8_lossy(raw).chars().take(200).collect::<String>();
    let unsupported = || {
        format!(
            "unsupported \"crs\" member {}; gridgis reads EPSG codes (\"urn:ogc:def:crs:EPSG::4548\", \
             \"EPSG:4548\") and CRS84: reproject the file, or replace the member with one of those",
            text()
        )
    };
    let name = match &v {
        serde_json::Value::Null => return Ok(CrsHint::None),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Object(o) => {
            let kind = o.get("type").and_then(serde_json::Value::as_str).unwrap_or_default();
            let props = o.get("properties");
            if kind.eq_ignore_ascii_case("name") {
                props
                    .and_then(|p| p.get("name"))
                    .and_then(serde_json::Value::as_str)
                    .ok_or_else(unsupported)?
                    .to_string()
            } else if kind.eq_ignore_ascii_case("EPSG") {
                let code = props.and_then(|p| p.get("code")).ok_or_else(unsupported)?;
                let code = match code {
                    serde_json::Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
                    serde_json::Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                };
                return code.filter(|&c| c > 0).map(CrsHint::Epsg).ok_or_else(unsupported);
            } else {
                return Err(unsupported());
            }
        }
        _ => return Err(unsupported()),
    };
    // A name we cannot read ourselves (`ESRI:102100`, a PROJ string…) goes to PROJ as it is:
    // PROJ may know it, and when it does not, the import says so and `--crs` overrides it.
    Ok(crs_from_name(&name).unwrap_or(CrsHint::Wkt(name)))
}

/// The CRS a `crs` name gives: an EPSG code in any of its spellings
/// (`urn:ogc:def:crs:EPSG::4548`, `urn:ogc:def:crs:EPSG:6.6:4548`, `EPSG:4548`,
/// `http://www.opengis.net/def/crs/EPSG/0/4548`, `…/epsg.xml#4548`), CRS84, or WKT.
fn crs_from_name(name: &str) -> Option<CrsHint> {
    let name = name.trim();
    let upper = name.to_ascii_uppercase();
    if ["PROJCS[", "GEOGCS[", "PROJCRS[", "GEOGCRS[", "COMPD_CS[", "COMPOUNDCRS["].iter().any(|p| upper.starts_with(p))
    {
        return Some(CrsHint::Wkt(name.to_string()));
    }
    if upper.contains("EPSG") {
        let digits = upper.len() - upper.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let code: u32 = upper.get(upper.len() - digits..)?.parse().ok()?;
        return (code > 0).then_some(CrsHint::Epsg(code));
    }
    // OGC CRS84 is WGS84 in lon/lat order: what GeoJSON means anyway.
    (upper.ends_with("CRS84") || upper.ends_with("CRS:84")).then_some(CrsHint::Epsg(4326))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: &[u8]) -> Result<(SourceInfo, Vec<Result<RawFeature, ReadError>>), ReadError> {
        let mut src = open_bytes("t.geojson", bytes.to_vec(), &ReadOptions::default())?;
        let info = src.info().clone();
        let items = src.by_ref().collect();
        Ok((info, items))
    }

    fn features(bytes: &[u8]) -> Vec<RawFeature> {
        let (_, items) = read_all(bytes).unwrap();
        items.into_iter().map(|r| r.unwrap()).collect()
    }

    fn open_err(bytes: &[u8]) -> String {
        match read_all(bytes) {
            Err(e @ ReadError::Invalid { .. }) => e.to_string(),
            Err(e) => panic!("expected an invalid-file error, got {e:?}"),
            Ok((_, items)) => match items.into_iter().find_map(Result::err) {
                Some(e @ ReadError::Invalid { .. }) => e.to_string(),
                other => panic!("expected an invalid-file error, got {other:?}"),
            },
        }
    }

    fn s(v: &str) -> Value {
        Value::String(v.to_string())
    }

    #[test]
    fn collection_with_mixed_types_and_null_geometry() {
        let fc = br#"{"type":"FeatureCollection","name":"x","features":[
            {"type":"Feature","properties":{"a":1},"geometry":{"type":"Point","coordinates":[116.5,40.3,55.0]}},
            {"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[0,0],[1,1]]}},
            {"type":"Feature","properties":null,"geometry":null},
            {"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,0]],[[1,1],[2,1],[2,2],[1,1]]]}},
            {"type":"Feature","geometry":{"coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]],"type":"MultiPolygon"}},
            {"type":"Feature","geometry":{"type":"MultiPoint","coordinates":[[1,2],[3,4]]}},
            {"type":"Feature","geometry":{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2],[3,3],[4,4]]]}},
            {"type":"Feature","geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"LineString","coordinates":[[0,0],[1,1]]}]}}
        ],"bbox":[0,0,1,1]}"#;
        let (info, items) = read_all(fc).unwrap();
        assert_eq!(info.format, Format::GeoJson);
        assert_eq!(info.crs, CrsHint::None);
        assert_eq!(info.file_name, "t.geojson");
        let f: Vec<RawFeature> = items.into_iter().map(Result::unwrap).collect();
        assert_eq!(f.len(), 8);
        assert_eq!(f.iter().map(|f| f.index).collect::<Vec<_>>(), (0..8).collect::<Vec<_>>());
        assert_eq!(f[0].geometry, Some(Geometry::Point(Point::new(116.5, 40.3))));
        assert_eq!(f[0].properties, vec![("a".to_string(), Value::Int(1))]);
        assert_eq!(f[1].geometry, Some(Geometry::LineString(LineString::from(vec![(0.0, 0.0), (1.0, 1.0)]))));
        assert_eq!(f[2].geometry, None);
        assert!(f[2].properties.is_empty());
        let Some(Geometry::Polygon(p)) = &f[3].geometry else { panic!("{:?}", f[3].geometry) };
        assert_eq!(p.exterior().0.len(), 4);
        assert_eq!(p.interiors().len(), 1);
        assert_eq!(p.interiors()[0].0[1], Coord { x: 2.0, y: 1.0 });
        let Some(Geometry::MultiPolygon(mp)) = &f[4].geometry else { panic!() };
        assert_eq!(mp.0.len(), 2);
        assert_eq!(mp.0[1].exterior().0[0], Coord { x: 5.0, y: 5.0 });
        assert!(mp.0.iter().all(|p| p.interiors().is_empty()));
        assert_eq!(
            f[5].geometry,
            Some(Geometry::MultiPoint(MultiPoint(vec![Point::new(1.0, 2.0), Point::new(3.0, 4.0)])))
        );
        let Some(Geometry::MultiLineString(ml)) = &f[6].geometry else { panic!() };
        assert_eq!(ml.0.iter().map(|l| l.0.len()).collect::<Vec<_>>(), vec![2, 3]);
        let Some(Geometry::GeometryCollection(gc)) = &f[7].geometry else { panic!() };
        assert_eq!(gc.0.len(), 2);
    }

    #[test]
    fn multipolygon_with_holes_and_empty_parts() {
        let fc = br#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":{"type":"MultiPolygon","coordinates":[
                [[[0,0],[9,0],[9,9],[0,0]],[[1,1],[2,1],[2,2],[1,1]],[[3,3],[4,3],[4,4],[3,3]]],
                [],
                [[[20,20],[21,20],[21,21],[20,20]]]]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[]}},
            {"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[]}}
        ]}"#;
        let f = features(fc);
        let Some(Geometry::MultiPolygon(mp)) = &f[0].geometry else { panic!() };
        assert_eq!(mp.0.len(), 3);
        assert_eq!(mp.0[0].interiors().len(), 2);
        assert_eq!(mp.0[0].interiors()[1].0[0], Coord { x: 3.0, y: 3.0 });
        assert!(mp.0[1].exterior().0.is_empty());
        assert_eq!(mp.0[2].exterior().0[0], Coord { x: 20.0, y: 20.0 });
        let Some(Geometry::Polygon(p)) = &f[1].geometry else { panic!() };
        assert!(p.exterior().0.is_empty());
        assert_eq!(f[2].geometry, None);
        assert_eq!(f[3].geometry, Some(Geometry::LineString(LineString(vec![]))));
    }

    #[test]
    fn crs_member_gives_the_epsg_code() {
        for crs in [
            r#"{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4548"}}"#,
            r#"{"type":"name","properties":{"name":"EPSG:4548"}}"#,
            r#"{"type":"EPSG","properties":{"code":4548}}"#,
            r#"{"type":"name","properties":{"name":"http://www.opengis.net/def/crs/EPSG/0/4548"}}"#,
            r#""EPSG:4548""#,
        ] {
            let fc = format!(
                r#"{{"type":"FeatureCollection","crs":{crs},"features":[{{"type":"Feature","properties":{{}},"geometry":{{"type":"Point","coordinates":[500000,4400000]}}}}]}}"#
            );
            let (info, items) = read_all(fc.as_bytes()).unwrap();
            assert_eq!(info.crs, CrsHint::Epsg(4548), "{crs}");
            assert_eq!(items.len(), 1);
        }
        let crs84 = br#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[]}"#;
        assert_eq!(read_all(crs84).unwrap().0.crs, CrsHint::Epsg(4326));
        let link = br#"{"type":"FeatureCollection","crs":{"type":"link","properties":{"href":"x.prj"}},"features":[]}"#;
        assert!(open_err(link).contains("unsupported \"crs\""));
        let single = br#"{"type":"Feature","crs":{"type":"name","properties":{"name":"EPSG:4490"}},"properties":{},"geometry":{"type":"Point","coordinates":[116,40]}}"#;
        assert_eq!(read_all(single).unwrap().0.crs, CrsHint::Epsg(4490));
    }

    #[test]
    fn single_feature() {
        let f = features(
            br#"  {"properties": {"name": "x"},
                "geometry": {"type": "Point", "coordinates": [1.5, 2.5]},
                "type": "Feature", "id": 7}
            "#,
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].index, 0);
        assert_eq!(f[0].geometry, Some(Geometry::Point(Point::new(1.5, 2.5))));
        assert_eq!(f[0].properties, vec![("name".to_string(), s("x"))]);
    }

    #[test]
    fn bare_geometry() {
        let f = features(b"\xEF\xBB\xBF{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}\n");
        assert_eq!(f.len(), 1);
        assert!(matches!(f[0].geometry, Some(Geometry::Polygon(_))));
        assert!(f[0].properties.is_empty());
    }

    #[test]
    fn newline_delimited() {
        let text = "{\"type\":\"Feature\",\"properties\":{\"n\":1},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,1]}}\r\n\
                    \n\
                    \x1e{\"type\":\"Feature\",\"properties\":{\"n\":2},\"geometry\":{\"type\":\"Point\",\"coordinates\":[2,2]}}\n\
                    {\"type\":\"Feature\",\"properties\":{\"n\":3},\"geometry\":{\"type\":\"Point\",\"coordinates\":[3,3]\n\
                    {\"type\":\"Feature\",\"properties\":{\"n\":4},\"geometry\":{\"type\":\"Point\",\"coordinates\":[4,4]}}";
        let (_, items) = read_all(text.as_bytes()).unwrap();
        assert_eq!(items.len(), 4);
        let ok: Vec<_> = items.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(ok.iter().map(|f| f.index).collect::<Vec<_>>(), vec![0, 1, 3]);
        assert_eq!(ok[2].properties, vec![("n".to_string(), Value::Int(4))]);
        let bad = items[2].as_ref().unwrap_err();
        assert_eq!(bad.feature(), Some(2));
        assert!(bad.to_string().contains("line 4"), "{bad}");

        // RS-separated pretty-printed texts (RFC 8142) go through the structural reader.
        let seq = "\x1e{\n \"type\": \"Point\",\n \"coordinates\": [1, 2]\n}\n\x1e{\n \"type\": \"Point\", \"coordinates\": [3, 4]}\n";
        let f = features(seq.as_bytes());
        assert_eq!(f.len(), 2);
        assert_eq!(f[1].geometry, Some(Geometry::Point(Point::new(3.0, 4.0))));
    }

    #[test]
    fn property_order_and_types() {
        let f = features(
            br#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":
                {"zeta":null,"alpha":true,"mid":-42,"big":18446744073709551615,"f":1.25,"e":1e3,"s":"t\"x\\y","dup":1,"last":"z","dup":2}}]}"#,
        );
        assert_eq!(
            f[0].properties,
            vec![
                ("zeta".to_string(), Value::Null),
                ("alpha".to_string(), Value::Bool(true)),
                ("mid".to_string(), Value::Int(-42)),
                ("big".to_string(), Value::Float(18446744073709551615.0)),
                ("f".to_string(), Value::Float(1.25)),
                ("e".to_string(), Value::Float(1000.0)),
                ("s".to_string(), s("t\"x\\y")),
                ("dup".to_string(), Value::Int(2)),
                ("last".to_string(), s("z")),
            ]
        );
    }

    #[test]
    fn nested_property_becomes_json_text() {
        let f = features(
            br#"{"type":"Feature","geometry":null,"properties":{"tags":[1, 2.5, "a\"b", null, true],
                "obj": {"z": 1, "a": {"k": []}, "m": {}}}}"#,
        );
        assert_eq!(f[0].properties[0], ("tags".to_string(), s(r#"[1,2.5,"a\"b",null,true]"#)));
        assert_eq!(f[0].properties[1], ("obj".to_string(), s(r#"{"z":1,"a":{"k":[]},"m":{}}"#)));
    }

    #[test]
    fn a_bad_feature_does_not_stop_the_others() {
        let fc = br#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"i":0},"geometry":{"type":"Point","coordinates":[0,0]}},
            {"type":"Feature","properties":{"i":1},"geometry":{"type":"Point","coordinates":["a",0]}},
            {"type":"Feature","properties":{"i":2},"geometry":{"type":"Polygon","coordinates":[[0,0],[1,1]]}},
            {"type":"Feature","properties":{"i":3},"geometry":{"type":"Hexagon","coordinates":[0,0]}},
            {"type":"Feature","properties":{"i":4},"geometry":{"type":"Point","coordinates":[0]}},
            {"type":"Feature","properties":{"i":5},"geometry":{"type":"Point","coordinates":[0,0] oops}},
            {"type":"Feature","properties":{"i":6},"geometry":{"type":"LineString","coordinates":[[0,0],[1,[1]]]}},
            7,
            {"type":"Feature","properties":{"i":8},"geometry":{"type":"Point","coordinates":[8,8]}}
        ]}"#;
        let (_, items) = read_all(fc).unwrap();
        assert_eq!(items.len(), 9);
        for (i, item) in items.iter().enumerate() {
            match i {
                0 | 8 => assert_eq!(item.as_ref().unwrap().index, i as u64),
                _ => {
                    let e = item.as_ref().unwrap_err();
                    assert_eq!(e.feature(), Some(i as u64), "{e}");
                }
            }
        }
        let msg = |i: usize| items[i].as_ref().unwrap_err().to_string();
        assert!(msg(1).contains("expected a coordinate number"), "{}", msg(1));
        assert!(msg(2).contains("Polygon coordinates must be an array of arrays of positions"), "{}", msg(2));
        assert!(msg(3).contains("unknown geometry type \"Hexagon\""), "{}", msg(3));
        assert!(msg(4).contains("at least two numbers"), "{}", msg(4));
        assert!(msg(5).contains("invalid JSON"), "{}", msg(5));
        assert!(msg(6).contains("nested deeper than their positions"), "{}", msg(6));
        assert!(msg(7).contains("not a JSON object"), "{}", msg(7));
        assert!(msg(1).contains("begins at byte"), "{}", msg(1));
    }

    #[test]
    fn truncated_file_is_invalid() {
        let full = br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"abc"},"geometry":{"type":"Point","coordinates":[1,2]}},{"type":"Feature","properties":{"name":"def"},"geometry":{"type":"Point","coordinates":[3,4]}}]}"#;
        for cut in 1..full.len() {
            // Every prefix either errors as a whole or ends in an invalid-file error; never a
            // panic, never a silent success.
            match read_all(&full[..cut]) {
                Err(e) => assert!(e.feature().is_none()),
                Ok((_, items)) => {
                    let last = items.last().expect("an error at the end");
                    assert!(matches!(last, Err(ReadError::Invalid { .. })), "cut {cut}: {last:?}");
                }
            }
        }
        let msg = open_err(&full[..150]);
        assert!(msg.contains("ends inside feature 1"), "{msg}");
        assert!(
            open_err(br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"ab"#)
                .contains("feature 0")
        );
    }

    #[test]
    fn garbage_and_empty_input_are_invalid() {
        assert!(open_err(b"").contains("empty file"));
        assert!(open_err(b"  \n\t ").contains("empty file"));
        assert!(open_err(b"\x00\x01\x02\xff\xfe garbage").contains("not GeoJSON"));
        assert!(open_err(b"PK\x03\x04\x14\x00").contains("not GeoJSON"));
        assert!(open_err(b"[1,2,3]").contains("array"));
        assert!(open_err(br#"{"hello":"world"}"#).contains("no \"type\""));
        assert!(open_err(br#"{"type":"Topology","objects":{}}"#).contains("unknown type"));
        assert!(open_err(br#"{"type":"FeatureCollection","features":{}}"#).contains("not an array"));
        assert!(
            open_err(br#"{"type":"FeatureCollection","features":[]} trailing"#).contains("after the FeatureCollection")
        );
        assert!(
            open_err(br#"{"type":"FeatureCollection","features":[{"type":"Feature"} {"type":"Feature"}]}"#)
                .contains("expected ',' or ']' after feature 0")
        );
        assert!(open_err(br#"{"type":"Point","coordinates":[1,2]} 5"#).contains("unexpected '5'"));
        // Deterministic pseudo-random bytes after a plausible start: errors, no panic.
        let mut x: u32 = 12345;
        for _ in 0..200 {
            let mut bytes = br#"{"type":"FeatureCollection","features":["#.to_vec();
            for _ in 0..64 {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let alphabet = b"{}[]\",:\\ 0a\x1e";
                bytes.push(alphabet[(x >> 16) as usize % alphabet.len()]);
            }
            let _ = read_all(&bytes).map(|(_, items)| items.len());
        }
    }

    #[test]
    fn empty_collection_and_members_after_features() {
        let (_, items) = read_all(br#"{"type":"FeatureCollection","features":[]}"#).unwrap();
        assert!(items.is_empty());
        let f = features(
            br#"{"features":[{"type":"Feature","properties":{},"geometry":null}],"type":"FeatureCollection","bbox":[1,2,3,4],"x":{"y":"}]"}}"#,
        );
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn chinese_text_intact() {
        let fc = r#"{"type":"FeatureCollection","name":"井盖","features":[{"type":"Feature","properties":{"名称":"馥郁苑社区第二网格","状态":"破损"},"geometry":{"type":"Point","coordinates":[116.6312,40.3195]}}]}"#;
        let f = features(fc.as_bytes());
        assert_eq!(
            f[0].properties,
            vec![("名称".to_string(), s("馥郁苑社区第二网格")), ("状态".to_string(), s("破损"))]
        );
        let gbk = b"{\"type\":\"Feature\",\"properties\":{\"n\":\"\xc6\xc6\xcb\xf0\"},\"geometry\":null}";
        let (_, items) = read_all(gbk).unwrap();
        assert!(items[0].as_ref().unwrap_err().to_string().contains("not UTF-8"));
    }

    #[test]
    fn quotes_and_brackets_inside_strings_do_not_confuse_the_scanner() {
        let fc = br#"{"type":"FeatureCollection","name":"a \"}]\" b","features":[
            {"type":"Feature","properties":{"s":"}]},{\"[","t":"\\","u":"\\\"]"},"geometry":{"type":"Point","coordinates":[1,2]}},
            {"type":"Feature","properties":{"s":"{{{"},"geometry":{"type":"Point","coordinates":[3,4]}}
        ]}"#;
        let f = features(fc);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].properties[0].1, s("}]},{\"["));
        assert_eq!(f[0].properties[1].1, s("\\"));
        assert_eq!(f[0].properties[2].1, s("\\\"]"));
        assert_eq!(f[1].properties[0].1, s("{{{"));
    }

    #[test]
    fn scanner_across_small_buffer_refills() {
        // A 7-byte read buffer splits every token and escape across refills.
        let fc = br#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4548"}},"features":[
            {"type":"Feature","properties":{"s":"a\\\"b}"},"geometry":{"type":"Point","coordinates":[1,2]}},
            {"type":"Feature","properties":{"n":12345},"geometry":null}]}"#;
        let mut src = GeoJsonSource::open("t", BufReader::with_capacity(7, &fc[..])).unwrap();
        assert_eq!(src.info().crs, CrsHint::Epsg(4548));
        let f: Vec<_> = src.by_ref().map(Result::unwrap).collect();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].properties[0].1, s("a\\\"b}"));
        assert_eq!(f[1].properties[0].1, Value::Int(12345));
    }

    /// `n` point features as a FeatureCollection, with a bad one at 3 (if `n > 3`).
    fn collection(n: usize) -> Vec<u8> {
        let mut out = br#"{"type":"FeatureCollection","features":["#.to_vec();
        for i in 0..n {
            if i > 0 {
                out.push(b',');
            }
            let x = if i == 3 { "\"x\"".to_string() } else { format!("{}.5", i % 180) };
            out.extend_from_slice(
                format!(
                    r#"{{"type":"Feature","properties":{{"i":{i},"name":"第{i}号井盖"}},"geometry":{{"type":"Point","coordinates":[{x},40.25]}}}}"#
                )
                .as_bytes(),
            );
        }
        out.extend_from_slice(b"]}");
        out
    }

    #[test]
    fn many_features_in_order() {
        let items: Vec<_> = open_bytes("t.geojson", collection(20_000), &ReadOptions::default()).unwrap().collect();
        assert_eq!(items.len(), 20_000);
        assert_eq!(items[3].as_ref().unwrap_err().feature(), Some(3));
        assert!(items.iter().enumerate().all(|(i, r)| r.as_ref().is_err() == (i == 3)));
        assert!(items.iter().enumerate().all(|(i, r)| r.as_ref().map_or(true, |f| f.index == i as u64)));
        let last = items[19_999].as_ref().unwrap();
        assert_eq!(
            last.properties,
            vec![("i".to_string(), Value::Int(19_999)), ("name".to_string(), s("第19999号井盖"))]
        );
        assert_eq!(last.geometry, Some(Geometry::Point(Point::new(19_999.0 % 180.0 + 0.5, 40.25))));
    }

    #[test]
    fn deep_nesting_is_a_feature_error_not_a_stack_overflow() {
        let depth = 5000;
        let gc = format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{{"p":{}{}}},"geometry":{}{}}},{{"type":"Feature","geometry":{{"type":"Point","coordinates":{}1,2{}}}}}]}}"#,
            "[".repeat(depth),
            "]".repeat(depth),
            r#"{"type":"GeometryCollection","geometries":["#.repeat(depth),
            "]}".repeat(depth),
            "[".repeat(depth),
            "]".repeat(depth),
        );
        let (_, items) = read_all(gc.as_bytes()).unwrap();
        assert_eq!(items.len(), 2);
        assert!(items.iter().all(|r| r.as_ref().is_err_and(|e| e.feature().is_some())));
    }

    #[test]
    fn mutated_files_never_panic() {
        let base = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4548"}},"features":[
            {"type":"Feature","properties":{"a":"x\"y","b":[1,{"c":null}],"d":1.5e3},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]],[]]]}},
            {"type":"Feature","properties":{},"geometry":{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]},{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[]]}]}},
            {"type":"Feature","properties":{"名":"值"},"geometry":null}
        ]}"#
        .as_bytes();
        let alphabet = b"{}[]\",:\\ 0-.e\x1en\n";
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut rand = |m: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % m as u64) as usize
        };
        for _ in 0..3000 {
            let mut bytes = base.to_vec();
            for _ in 0..1 + rand(3) {
                let at = rand(bytes.len());
                match rand(3) {
                    0 => bytes[at] = alphabet[rand(alphabet.len())],
                    1 => {
                        bytes.remove(at);
                    }
                    _ => bytes.insert(at, alphabet[rand(alphabet.len())]),
                }
            }
            if let Ok((_, items)) = read_all(&bytes) {
                // Nothing follows an error that ends the stream.
                if let Some(end) = items.iter().position(|r| r.as_ref().is_err_and(|e| e.feature().is_none())) {
                    assert_eq!(end, items.len() - 1);
                }
            }
        }
    }

    #[test]
    fn open_path_reads_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.geojson");
        std::fs::write(&path, br#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}]}"#).unwrap();
        let src = open_path(&path, "p.geojson", &ReadOptions::default()).unwrap();
        assert_eq!(src.info().file_name, "p.geojson");
        assert_eq!(src.count(), 1);
        assert!(matches!(
            open_path(&dir.path().join("missing.geojson"), "missing.geojson", &ReadOptions::default()),
            Err(ReadError::Io { .. })
        ));
    }
}
