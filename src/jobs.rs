//! Imports in the background. `POST /layers/{id}?async=true` receives the file, answers 202
//! with a job at once, and imports it on a blocking thread; `GET /jobs/{id}` tells how far it
//! is (features read) and, once done, its answer: the import report or the error, with the
//! status the synchronous upload would have given.
//!
//! Jobs live in memory: a restart forgets them (a job that had not finished published
//! nothing; the catalog says what was). The last [`KEEP_FINISHED`] finished jobs are kept.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;

/// Finished jobs kept for `GET /jobs/{id}`.
pub const KEEP_FINISHED: usize = 1_000;

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Received, waiting for the store (one import publishes at a time).
    Queued,
    /// Reading, checking and writing features.
    Running,
    /// Published (`http_status` 200 or 201).
    Done,
    /// Nothing published; `error` says why.
    Failed,
}

/// One import.
#[derive(Debug)]
pub struct Job {
    /// The job's id.
    pub id: String,
    /// The layer it imports into.
    pub layer: String,
    /// Features read so far.
    pub features_read: AtomicU64,
    state: Mutex<JobState>,
}

#[derive(Clone, Debug, Serialize)]
struct JobState {
    status: Status,
    created_at: String,
    started_at: Option<String>,
    finished_at: Option<String>,
    /// The status a synchronous upload would have answered with.
    http_status: Option<u16>,
    /// The import report (done, or failed with every feature rejected).
    report: Option<serde_json::Value>,
    /// `{"code", "message"}` when failed.
    error: Option<serde_json::Value>,
}

/// What `GET /jobs/{id}` answers.
#[derive(Debug, Serialize)]
pub struct JobView {
    id: String,
    layer: String,
    features_read: u64,
    #[serde(flatten)]
    state: JobState,
}

impl Job {
    /// Marks the job running (once; later calls change nothing).
    pub fn start(&self) {
        if let Ok(mut s) = self.state.lock()
            && s.status == Status::Queued
        {
            s.status = Status::Running;
            s.started_at = Some(crate::data::now_rfc3339());
        }
    }

    /// Records the job's answer: done for 2xx, failed otherwise.
    pub fn finish(&self, http_status: u16, body: serde_json::Value) {
        if let Ok(mut s) = self.state.lock() {
            s.finished_at = Some(crate::data::now_rfc3339());
            s.http_status = Some(http_status);
            if (200..300).contains(&http_status) {
                s.status = Status::Done;
                s.report = Some(body);
            } else {
                s.status = Status::Failed;
                // A 422 carries the report of the rejected features beside its error.
                s.report = body.get("report").cloned();
                s.error = body.get("error").cloned().or(Some(body));
            }
        }
    }

    /// Where the job is.
    pub fn status(&self) -> Status {
        self.state.lock().map_or(Status::Failed, |s| s.status)
    }

    /// The job as `GET /jobs/{id}` shows it.
    pub fn view(&self) -> JobView {
        let state = self.state.lock().map_or_else(
            |_| JobState {
                status: Status::Failed,
                created_at: String::new(),
                started_at: None,
                finished_at: None,
                http_status: None,
                report: None,
                error: Some(serde_json::json!({"code": "internal", "message": "the job's record is poisoned"})),
            },
            |s| s.clone(),
        );
        JobView {
            id: self.id.clone(),
            layer: self.layer.clone(),
            features_read: self.features_read.load(Ordering::Relaxed),
            state,
        }
    }
}

/// The server's jobs, newest last.
#[derive(Debug, Default)]
pub struct Jobs {
    jobs: Mutex<VecDeque<Arc<Job>>>,
    next: AtomicU64,
}

/// Why a job was not taken.
#[derive(Debug, thiserror::Error)]
#[error("{0} imports are waiting or running already")]
pub struct Busy(pub usize);

impl Jobs {
    /// A new queued job for `layer`, unless `max_pending` jobs are queued or running already.
    pub fn submit(&self, layer: &str, max_pending: usize) -> Result<Arc<Job>, Busy> {
        let mut jobs = self.jobs.lock().map_err(|_| Busy(0))?;
        let pending = jobs.iter().filter(|j| matches!(j.status(), Status::Queued | Status::Running)).count();
        if pending >= max_pending {
            return Err(Busy(pending));
        }
        // Ids carry the process's start second so that a restarted server's ids differ.
        let n = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let job = Arc::new(Job {
            id: format!("{}-{n}", crate::data::process_stamp()),
            layer: layer.to_owned(),
            features_read: AtomicU64::new(0),
            state: Mutex::new(JobState {
                status: Status::Queued,
                created_at: crate::data::now_rfc3339(),
                started_at: None,
                finished_at: None,
                http_status: None,
                report: None,
                error: None,
            }),
        });
        jobs.push_back(job.clone());
        // Forget the oldest finished ones beyond the kept number.
        let finished = jobs.iter().filter(|j| matches!(j.status(), Status::Done | Status::Failed)).count();
        let mut excess = finished.saturating_sub(KEEP_FINISHED);
        jobs.retain(|j| {
            let drop = excess > 0 && matches!(j.status(), Status::Done | Status::Failed);
            excess -= usize::from(drop);
            !drop
        });
        Ok(job)
    }

    /// The job `id`.
    pub fn get(&self, id: &str) -> Option<Arc<Job>> {
        self.jobs.lock().ok()?.iter().find(|j| j.id == id).cloned()
    }

    /// Every kept job, newest first.
    pub fn list(&self) -> Vec<JobView> {
        self.jobs.lock().map(|j| j.iter().rev().map(|j| j.view()).collect()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_is_bounded_and_finished_jobs_free_their_place() {
        let jobs = Jobs::default();
        let a = jobs.submit("a", 2).unwrap();
        let _b = jobs.submit("b", 2).unwrap();
        assert!(jobs.submit("c", 2).is_err(), "two pending: full");
        a.start();
        a.finish(201, serde_json::json!({"layer": "a"}));
        assert_eq!(a.status(), Status::Done);
        let c = jobs.submit("c", 2).unwrap();
        c.finish(422, serde_json::json!({"error": {"code": "nothing_to_publish"}, "report": {"read": 3}}));
        let v = serde_json::to_value(c.view()).unwrap();
        assert_eq!(v["status"], "failed");
        assert_eq!(v["error"]["code"], "nothing_to_publish");
        assert_eq!(v["report"]["read"], 3);
        assert_eq!(jobs.get(&a.id).unwrap().layer, "a");
        assert_eq!(jobs.list().first().unwrap().id, c.id, "newest first");
    }
}
