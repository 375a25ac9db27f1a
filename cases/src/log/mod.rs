//! The case log: every routed case, one JSON line each, in `cases/log.ndjson` of the data dir,
//! or, where the layers are in PostGIS, in its table `gridgis.cases` (which every replica
//! shares: see [`postgres`]); and its in-memory index, which answers the per-grid statistics and
//! the latest cases.
//!
//! A line is `{"case": <the request, reported_at filled in>, "result": {status, grid_code, …}}`.
//! In the file, lines are appended and fsynced one at a time; a line torn by a crash is skipped
//! (and counted) when the log is read, and the next append starts on a fresh line.

pub mod postgres;

use std::borrow::Cow;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use gridgis_engine::{GridId, Hierarchy};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::error::CasesError;
use crate::request::{CaseId, CaseRequest};
use crate::route::{MatchedBy, Routing, Status};
use crate::stats::CategoryFilter as Filter;

/// The log's path in the data dir.
pub const LOG_FILE: &str = "cases/log.ndjson";

/// The routing result a log line keeps: enough to count and draw the case without routing it
/// again.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Logged {
    /// What became of it.
    pub status: Status,
    /// The grid it went to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid_code: Option<String>,
    /// Its township.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub township_code: Option<String>,
    /// Its class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Its subclass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subclass: Option<String>,
    /// Location or address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<MatchedBy>,
    /// How sure.
    pub confidence: f64,
    /// The WGS84 point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    /// The WGS84 point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
}

impl Logged {
    /// What the log keeps of a routing.
    pub fn new(routing: &Routing<'_>, hierarchy: &Hierarchy) -> Self {
        Self {
            status: routing.status,
            grid_code: routing.grid.map(|g| hierarchy.grid(g).code.clone()),
            township_code: routing.township.map(|t| t.code.clone()),
            class: routing.category.map(|c| c.class.clone()),
            subclass: routing.category.and_then(|c| c.subclass.clone()),
            matched_by: routing.matched_by,
            confidence: routing.confidence,
            lon: routing.wgs84.map(|p| round6(p.0)),
            lat: routing.wgs84.map(|p| round6(p.1)),
        }
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// One line of the log.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct LogLine {
    /// The case as received, with `reported_at` filled in.
    pub case: CaseRequest,
    /// What routing made of it.
    pub result: Logged,
}

/// What the index reads of a log line (the rest of the case is passed over).
#[derive(Deserialize)]
struct IndexedLine<'a> {
    #[serde(borrow)]
    case: IndexedCase<'a>,
    #[serde(borrow)]
    result: LoggedRef<'a>,
}

#[derive(Deserialize)]
struct IndexedCase<'a> {
    id: CaseId,
    #[serde(default, borrow)]
    reported_at: Option<Cow<'a, str>>,
}

/// [`Logged`]'s fields that an entry keeps, borrowed from the line where they need no unescaping.
#[derive(Deserialize)]
struct LoggedRef<'a> {
    status: Status,
    #[serde(default, borrow)]
    grid_code: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    class: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    subclass: Option<Cow<'a, str>>,
    #[serde(default)]
    matched_by: Option<MatchedBy>,
    #[serde(default)]
    lon: Option<f64>,
    #[serde(default)]
    lat: Option<f64>,
}

/// One case of the index.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Reported, seconds since the epoch.
    pub t: i64,
    /// The grid (leaf, or level 1 for a village-level address).
    pub grid: Option<GridId>,
    /// Index into the index's class names.
    pub class: u16,
    /// Index into the index's subclass names (0: none).
    pub subclass: u16,
    /// The WGS84 point, if any.
    pub at: Option<(f64, f64)>,
    /// The case id.
    pub id: CaseId,
    /// What became of it.
    pub status: Status,
    /// Location or address.
    pub matched_by: Option<MatchedBy>,
}

/// The log in memory: cases in time order.
#[derive(Debug, Default)]
pub struct CaseIndex {
    entries: Vec<Entry>,
    ids: FxHashSet<CaseId>,
    /// Class and subclass names; index 0 is "none".
    names: Vec<String>,
    name_ids: FxHashMap<String, u16>,
}

/// How a log was read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Cases indexed.
    pub cases: usize,
    /// Lines skipped, with their 1-based numbers (at most the first 20 numbers are kept).
    pub skipped: usize,
    /// The first skipped lines' numbers.
    pub skipped_lines: Vec<u64>,
}

impl CaseIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self { names: vec![String::new()], ..Self::default() }
    }

    fn name_id(&mut self, name: Option<&str>) -> u16 {
        let Some(name) = name else { return 0 };
        if let Some(&i) = self.name_ids.get(name) {
            return i;
        }
        if self.names.len() >= usize::from(u16::MAX) {
            return 0;
        }
        let i = self.names.len() as u16;
        self.names.push(name.to_owned());
        self.name_ids.insert(name.to_owned(), i);
        i
    }

    /// The class or subclass name of an index.
    pub fn name(&self, i: u16) -> Option<&str> {
        (i != 0).then(|| self.names.get(usize::from(i)).map(String::as_str)).flatten()
    }

    /// True when a case with this id is in the log.
    pub fn contains(&self, id: &CaseId) -> bool {
        self.ids.contains(id)
    }

    /// Adds one case, keeping time order.
    pub fn insert(&mut self, case: &CaseRequest, result: &Logged, hierarchy: &Hierarchy) {
        let result = LoggedRef {
            status: result.status,
            grid_code: result.grid_code.as_deref().map(Cow::Borrowed),
            class: result.class.as_deref().map(Cow::Borrowed),
            subclass: result.subclass.as_deref().map(Cow::Borrowed),
            matched_by: result.matched_by,
            lon: result.lon,
            lat: result.lat,
        };
        let entry = self.entry(&case.id, case.reported_at.as_deref(), &result, hierarchy);
        self.ids.insert(case.id.clone());
        // Cases arrive in time order almost always; the rare late one is moved into place.
        let at = self.entries.partition_point(|e| e.t <= entry.t);
        self.entries.insert(at, entry);
    }

    fn entry(&mut self, id: &CaseId, reported_at: Option<&str>, result: &LoggedRef<'_>, h: &Hierarchy) -> Entry {
        Entry {
            t: reported_at.and_then(|s| crate::time::parse_time(s).ok()).unwrap_or(0),
            grid: result.grid_code.as_deref().and_then(|c| h.by_code(c)),
            class: self.name_id(result.class.as_deref()),
            subclass: self.name_id(result.subclass.as_deref()),
            at: result.lon.zip(result.lat),
            id: id.clone(),
            status: result.status,
            matched_by: result.matched_by,
        }
    }

    /// Reads the log of data dir `dir` (none yet: empty).
    pub fn load(dir: &Path, hierarchy: &Hierarchy) -> Result<(Self, LoadReport), CasesError> {
        let path = dir.join(LOG_FILE);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Self::new(), LoadReport::default())),
            Err(source) => return Err(CasesError::Io { path, source }),
        };
        let lines = BufReader::with_capacity(1 << 20, file).split(b'\n');
        Self::from_lines(lines.map(|l| l.map_err(|source| CasesError::Io { path: path.clone(), source })), hierarchy)
    }

    /// The index of a log's lines, in log order (line numbers in the report count from 1;
    /// blank lines are passed over, lines that are not a case skipped and counted); the first
    /// error reading them ends it.
    pub fn from_lines<B: AsRef<[u8]>, E>(
        lines: impl Iterator<Item = Result<B, E>>,
        hierarchy: &Hierarchy,
    ) -> Result<(Self, LoadReport), E> {
        let mut index = Self::new();
        let mut report = LoadReport::default();
        for (n, line) in (1u64..).zip(lines) {
            let line = line?;
            let buf = line.as_ref();
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            // Only what an entry keeps is read out of the line (its strings borrowed), not the
            // whole case: at a city's 1.5 M cases, holding every request to sort them cost more
            // than the rest of the load.
            match serde_json::from_slice::<IndexedLine<'_>>(buf) {
                Ok(line) => {
                    let entry = index.entry(&line.case.id, line.case.reported_at.as_deref(), &line.result, hierarchy);
                    index.ids.insert(line.case.id);
                    index.entries.push(entry);
                }
                Err(_) => {
                    report.skipped += 1;
                    if report.skipped_lines.len() < 20 {
                        report.skipped_lines.push(n);
                    }
                }
            }
        }
        // Sorting once is far cheaper than inserting cases in order; stable, so cases reported
        // at the same second stay in log order, as `insert` keeps them.
        index.entries.sort_by_key(|e| e.t);
        report.cases = index.entries.len();
        Ok((index, report))
    }

    /// Every case, oldest first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The cases reported in `[from, to)`, oldest first.
    pub fn window(&self, from: Option<i64>, to: Option<i64>) -> &[Entry] {
        let lo = from.map_or(0, |f| self.entries.partition_point(|e| e.t < f));
        let hi = to.map_or(self.entries.len(), |t| self.entries.partition_point(|e| e.t < t));
        &self.entries[lo..hi.max(lo)]
    }

    /// True when `e` passes the category filter.
    pub fn passes(&self, e: &Entry, filter: &Filter) -> bool {
        filter.passes(self.name(e.class), self.name(e.subclass))
    }

    /// The time span of the log: first and last report.
    pub fn span(&self) -> Option<(i64, i64)> {
        Some((self.entries.first()?.t, self.entries.last()?.t))
    }

    /// Number of cases.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the log is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The case log, open for appending: the data dir's file, or the PostGIS table.
#[derive(Debug)]
pub struct CaseLog {
    sink: Sink,
}

#[derive(Debug)]
enum Sink {
    File { path: PathBuf, file: File },
    Postgres(Box<postgres::PgCaseLog>),
}

impl CaseLog {
    /// Opens (or creates) the log of data dir `dir` for appending; a torn last line is ended so
    /// the next case starts a line of its own.
    pub fn open(dir: &Path) -> Result<Self, CasesError> {
        let path = dir.join(LOG_FILE);
        let io = |source| CasesError::Io { path: path.clone(), source };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut file = OpenOptions::new().read(true).append(true).create(true).open(&path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        if len > 0 {
            let mut last = [0u8; 1];
            file.seek(SeekFrom::Start(len - 1)).map_err(io)?;
            file.read_exact(&mut last).map_err(io)?;
            if last[0] != b'\n' {
                file.write_all(b"\n").map_err(io)?;
                file.sync_data().map_err(io)?;
            }
        }
        Ok(Self { sink: Sink::File { path, file } })
    }

    /// Opens the log in the PostGIS store at `url` (its table created where missing).
    pub fn open_postgres(url: &str) -> Result<Self, CasesError> {
        Ok(Self { sink: Sink::Postgres(Box::new(postgres::PgCaseLog::open(url)?)) })
    }

    /// True for the PostGIS table (which other replicas append to as well).
    pub fn is_shared(&self) -> bool {
        matches!(self.sink, Sink::Postgres(_))
    }

    /// Appends one line and waits until it is durable (fsynced; committed). False when the
    /// table already holds a case with this id (another replica recorded it first): nothing
    /// was written.
    pub fn append(&mut self, line: &LogLine) -> Result<bool, CasesError> {
        match &mut self.sink {
            Sink::File { path, file } => {
                let io = |source| CasesError::Io { path: path.clone(), source };
                let mut bytes = serde_json::to_vec(line).map_err(|e| io(std::io::Error::other(e)))?;
                bytes.push(b'\n');
                file.write_all(&bytes).map_err(io)?;
                file.sync_data().map_err(io)?;
                Ok(true)
            }
            Sink::Postgres(pg) => pg.append(line),
        }
    }

    /// The whole log, indexed: the file's (as [`CaseIndex::load`]), or the table's.
    pub fn load_index(&mut self, hierarchy: &Hierarchy) -> Result<(CaseIndex, LoadReport), CasesError> {
        match &mut self.sink {
            Sink::File { path, .. } => {
                let dir = path.parent().and_then(Path::parent).unwrap_or(Path::new("."));
                CaseIndex::load(dir, hierarchy)
            }
            Sink::Postgres(pg) => pg.load(hierarchy),
        }
    }

    /// The cases others recorded since the last call (or [`CaseLog::load_index`]); some may be
    /// ones already seen, which the caller passes over by id. The file: none (one server
    /// writes it).
    pub fn recorded_since(&mut self) -> Result<Vec<LogLine>, CasesError> {
        match &mut self.sink {
            Sink::File { .. } => Ok(Vec::new()),
            Sink::Postgres(pg) => pg.recorded_since(),
        }
    }

    /// Every case of data dir `dir`'s log file, in log order (none yet: none); lines that are
    /// not a case are passed over.
    pub fn read_file(dir: &Path) -> Result<Vec<LogLine>, CasesError> {
        let path = dir.join(LOG_FILE);
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(CasesError::Io { path, source }),
        };
        let mut lines = Vec::new();
        for line in BufReader::with_capacity(1 << 20, file).split(b'\n') {
            let line = line.map_err(|source| CasesError::Io { path: path.clone(), source })?;
            if let Ok(l) = serde_json::from_slice::<LogLine>(&line) {
                lines.push(l);
            }
        }
        Ok(lines)
    }

    /// Writes a whole log at once (the demo): to a temporary file, fsynced, renamed into place.
    pub fn write_all(dir: &Path, lines: &[LogLine]) -> Result<(), CasesError> {
        let path = dir.join(LOG_FILE);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| CasesError::Io { path: path.clone(), source })?;
        }
        let mut bytes = Vec::with_capacity(lines.len() * 400);
        for l in lines {
            serde_json::to_writer(&mut bytes, l)
                .map_err(|e| CasesError::Io { path: path.clone(), source: std::io::Error::other(e) })?;
            bytes.push(b'\n');
        }
        crate::write_atomic(&path, &bytes)
    }
}
