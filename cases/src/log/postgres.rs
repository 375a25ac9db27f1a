//! The case log in the PostGIS store: table `gridgis.cases`, one row per case, shared by every
//! replica of the store.
//!
//! - A case is one statement: inserted unless its id is there already (two replicas sent the
//!   same case: the first one recorded wins, the other records nothing), and announced on
//!   [`CHANNEL`] with its row number in the same statement, so that it is announced exactly
//!   when it is committed.
//! - Each replica keeps the highest row number it has read and, on an announcement, reads the
//!   rows after it. Row numbers are handed out before the commit, so a row may become visible
//!   after a higher one: the numbers skipped below the highest seen are asked for again for
//!   [`LATE_WAIT`] (most never come: an insert that found its id logged used one up).
//! - The row keeps the log line exactly as the file would (`line`, text), and the facts SQL
//!   users filter on as columns.

use std::sync::{Mutex, PoisonError};

use ::postgres::Client;
use ::postgres::binary_copy::BinaryCopyInWriter;
use ::postgres::fallible_iterator::FallibleIterator;
use ::postgres::types::Type;
use gridgis_engine::Hierarchy;
use gridgis_layers::StoreError;
use gridgis_layers::postgres_store::{connect, off_runtime};

use super::{CaseIndex, LoadReport, LogLine};
use crate::error::CasesError;

/// The channel a recorded case is announced on; the payload is its row number.
pub const CHANNEL: &str = "gridgis_case";

/// How long a row number skipped is asked for again (see the module docs): far longer than
/// one insert takes between taking its number and committing.
pub const LATE_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Most skipped numbers remembered at a time (a sequence jumps by 32 after a crash, not more).
const MAX_GAPS: usize = 4_096;

/// The table, created where missing (in the store's schema `gridgis`).
const TABLE_SQL: &str = "
CREATE TABLE IF NOT EXISTS gridgis.cases (
    seq bigserial PRIMARY KEY,
    id text NOT NULL UNIQUE,
    reported_at text,
    status text NOT NULL,
    grid_code text,
    line text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS cases_grid_code ON gridgis.cases (grid_code);
COMMENT ON TABLE gridgis.cases IS 'gridgis: the case log, one routed case per row (written by gridgis only)';
";

/// Inserts a case unless its id is logged, and announces it, in one statement.
const APPEND_SQL: &str = "
WITH added AS (
    INSERT INTO gridgis.cases (id, reported_at, status, grid_code, line) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (id) DO NOTHING
    RETURNING seq
)
SELECT seq, pg_notify('gridgis_case', seq::text) FROM added";

/// The case log's table, and the highest row read.
pub struct PgCaseLog {
    url: String,
    shown: String,
    /// `None` after the connection was lost, until the next statement reconnects. In a mutex
    /// only so that the log is `Sync` (a client is not); `&mut self` reaches it without locking.
    client: Mutex<Option<Client>>,
    /// The highest row number read.
    seen: i64,
    /// Row numbers below it not read yet, and since when.
    gaps: Vec<(i64, std::time::Instant)>,
}

impl std::fmt::Debug for PgCaseLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgCaseLog").field("url", &self.shown).field("seen", &self.seen).finish_non_exhaustive()
    }
}

impl Drop for PgCaseLog {
    fn drop(&mut self) {
        // Dropping a client blocks on its goodbye: not on a runtime's thread.
        let client = self.client.get_mut().unwrap_or_else(PoisonError::into_inner).take();
        off_runtime(move || drop(client));
    }
}

/// The key a case is logged under: its id as JSON (`"HR2025…"` and `17` are two ids).
fn key(line: &LogLine) -> String {
    serde_json::to_string(&line.case.id).unwrap_or_default()
}

/// A case's row: `id`, `reported_at`, `status`, `grid_code`, `line` (`None` only if the line
/// cannot be written as JSON).
fn columns(l: &LogLine) -> [Option<String>; 5] {
    let status = serde_json::to_value(l.result.status).ok().and_then(|v| v.as_str().map(str::to_owned));
    [
        Some(key(l)),
        l.case.reported_at.clone(),
        Some(status.unwrap_or_default()),
        l.result.grid_code.clone(),
        serde_json::to_string(l).ok(),
    ]
}

impl PgCaseLog {
    /// Connects to the store at `url` and creates the table where missing.
    ///
    /// # Errors
    /// When the database cannot be reached, or holds no gridgis store (no schema `gridgis`).
    pub fn open(url: &str) -> Result<Self, CasesError> {
        let (mut client, shown) = off_runtime(|| connect(url, "connecting for the case log"))?;
        let created = off_runtime(|| client.batch_execute(TABLE_SQL));
        let log = Self { url: url.to_string(), shown, client: Mutex::new(Some(client)), seen: 0, gaps: Vec::new() };
        created.map_err(log.database("creating the case log's table"))?;
        Ok(log)
    }

    fn database(&self, what: &str) -> impl FnOnce(::postgres::Error) -> CasesError + use<> {
        let (store, what) = (self.shown.clone(), what.to_string());
        move |source| CasesError::Store(StoreError::Database { store, what, source })
    }

    /// Runs `f` on the connection, connecting first if there is none; when it fails because
    /// the connection went, once more on a new one (every statement here may run twice: the
    /// insert skips an id already logged, the rest only read).
    fn run<T: Send>(
        &mut self,
        what: &str,
        f: impl Fn(&mut Client) -> Result<T, ::postgres::Error> + Send + Sync,
    ) -> Result<T, CasesError> {
        let url = self.url.clone();
        let failed = self.database(what);
        let slot = self.client.get_mut().unwrap_or_else(PoisonError::into_inner);
        off_runtime(|| -> Result<T, CasesError> {
            let mut client = match slot.take() {
                Some(c) if !c.is_closed() => c,
                _ => connect(&url, "connecting for the case log")?.0,
            };
            let mut result = f(&mut client);
            if matches!(&result, Err(e) if e.is_closed() || e.code().is_none()) {
                client = connect(&url, "reconnecting for the case log")?.0;
                result = f(&mut client);
            }
            // A connection in doubt is not reused (and is dropped here, off the runtime).
            if result.is_ok() {
                *slot = Some(client);
            }
            result.map_err(failed)
        })
    }

    /// Records one case (committed before it returns); false when its id was logged already.
    pub fn append(&mut self, line: &LogLine) -> Result<bool, CasesError> {
        let [id, reported, status, grid, text] = columns(line);
        if text.is_none() {
            let e = std::io::Error::other("the case cannot be written as JSON");
            return Err(CasesError::Io { path: "gridgis.cases".into(), source: e });
        }
        let rows = self.run("recording the case", |c| c.query(APPEND_SQL, &[&id, &reported, &status, &grid, &text]))?;
        Ok(!rows.is_empty())
    }

    /// Every logged case, indexed; remembers the highest row read.
    pub fn load(&mut self, hierarchy: &Hierarchy) -> Result<(CaseIndex, LoadReport), CasesError> {
        let ((index, report), seqs) = self.run("reading the case log", |c| {
            // Streamed: a city's year of cases is not held twice.
            let mut rows =
                c.query_raw("SELECT seq, line FROM gridgis.cases ORDER BY seq", std::iter::empty::<i64>())?;
            let mut seqs = Vec::new();
            let lines = std::iter::from_fn(|| {
                rows.next().transpose().map(|row| {
                    row.map(|r| {
                        seqs.push(r.get::<_, i64>(0));
                        r.get::<_, String>(1)
                    })
                })
            });
            let index = CaseIndex::from_lines(lines, hierarchy)?;
            Ok((index, seqs))
        })?;
        // Only the last numbers can still be on their way: gaps among them are asked for again.
        let (older, recent) = seqs.split_at(seqs.len().saturating_sub(MAX_GAPS));
        self.gaps.clear();
        self.seen = older.last().copied().unwrap_or(0);
        self.note(recent);
        Ok((index, report))
    }

    /// Notes row numbers read: each above the highest seen raises it (the numbers it skips
    /// become gaps), each below fills its gap.
    fn note(&mut self, seqs: &[i64]) {
        let now = std::time::Instant::now();
        for &seq in seqs {
            if seq > self.seen {
                let from = (self.seen + 1).max(seq - MAX_GAPS as i64);
                if self.seen > 0 {
                    self.gaps.extend((from..seq).map(|g| (g, now)));
                }
                self.seen = seq;
            } else {
                self.gaps.retain(|&(g, _)| g != seq);
            }
        }
        if self.gaps.len() > MAX_GAPS {
            self.gaps.drain(..self.gaps.len() - MAX_GAPS);
        }
    }

    /// The cases recorded since the last read: those above the highest row number read, and
    /// any that filled a gap below it.
    pub fn recorded_since(&mut self) -> Result<Vec<LogLine>, CasesError> {
        self.gaps.retain(|(_, since)| since.elapsed() < LATE_WAIT);
        let (from, gaps): (i64, Vec<i64>) = (self.seen, self.gaps.iter().map(|g| g.0).collect());
        let rows = self.run("reading new cases", |c| {
            c.query("SELECT seq, line FROM gridgis.cases WHERE seq > $1 OR seq = ANY($2) ORDER BY seq", &[&from, &gaps])
        })?;
        let seqs: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
        self.note(&seqs);
        Ok(rows.iter().filter_map(|r| serde_json::from_str(r.get::<_, &str>(1)).ok()).collect())
    }

    /// Every logged case, in the order recorded.
    pub fn lines(&mut self) -> Result<Vec<LogLine>, CasesError> {
        let rows = self.run("reading the case log", |c| c.query("SELECT line FROM gridgis.cases ORDER BY seq", &[]))?;
        Ok(rows.iter().filter_map(|r| serde_json::from_str(r.get::<_, &str>(0)).ok()).collect())
    }

    /// Records a whole log in one transaction (a data dir's log copied into the store); ids
    /// logged already are passed over. Returns how many were recorded.
    pub fn import(&mut self, lines: &[LogLine]) -> Result<u64, CasesError> {
        let rows: Vec<[Option<String>; 5]> = lines.iter().map(columns).collect();
        self.run("copying the case log", |c| {
            let mut tx = c.transaction()?;
            tx.batch_execute(
                "CREATE TEMP TABLE incoming (id text, reported_at text, status text, grid_code text, line text) \
                 ON COMMIT DROP",
            )?;
            let sink = tx.copy_in("COPY incoming FROM STDIN BINARY")?;
            let mut writer = BinaryCopyInWriter::new(sink, &[Type::TEXT; 5]);
            for r in &rows {
                writer.write(&[&r[0], &r[1], &r[2], &r[3], &r[4]])?;
            }
            writer.finish()?;
            let n = tx.execute(
                "INSERT INTO gridgis.cases (id, reported_at, status, grid_code, line) \
                 SELECT id, reported_at, status, grid_code, line FROM incoming WHERE line IS NOT NULL \
                 ON CONFLICT (id) DO NOTHING",
                &[],
            )?;
            tx.execute("SELECT pg_notify('gridgis_case', 'import')", &[])?;
            tx.commit()?;
            Ok(n)
        })
    }
}
