//! Per-caller rate limits and the request timeout.
//!
//! Each caller (a key, else a peer address) has a token bucket (GCRA, through `governor`):
//! `requests_per_second` sustained, `burst` at once. Over it, 429 `rate_limited` with
//! `Retry-After` (whole seconds, at least 1). In-process calls and keyless calls from the
//! loopback interface are not limited. Every request
//! but an upload is answered within `request_timeout_s`, else 503 `timeout`; beyond
//! `max_in_flight` requests at once, new ones are refused 503 `overloaded`.

use std::future::Future;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::auth::Caller;
use super::error::AppError;
use crate::state::Policy;

/// The rate limiter of a server.
#[derive(Debug, Default)]
pub struct RateLimits {
    limiter: Option<DefaultKeyedRateLimiter<Caller>>,
}

impl RateLimits {
    /// `per_second` sustained and `burst` at once per caller; 0 for either: no limit.
    pub fn new(per_second: u32, burst: u32) -> Self {
        let limiter = NonZeroU32::new(per_second)
            .zip(NonZeroU32::new(burst))
            .map(|(r, b)| RateLimiter::keyed(Quota::per_second(r).allow_burst(b)));
        Self { limiter }
    }
}

/// Takes a token for `caller`, or says when to come back.
pub fn admit(policy: &Policy, caller: &Caller) -> Result<(), AppError> {
    let Some(limiter) = &policy.rate_limits.limiter else { return Ok(()) };
    // The machine itself without a key (an operator's tools, a load test, a map on the same
    // host) is not limited; keys are, and so is every other address.
    match caller {
        Caller::Local => return Ok(()),
        Caller::Peer(ip) if ip.is_loopback() => return Ok(()),
        _ => {}
    }
    // Forget callers idle long enough to have a full bucket again: the map stays bounded by
    // the callers of the last moments, not of the server's life.
    if limiter.len() > 10_000 {
        limiter.retain_recent();
    }
    limiter.check_key(caller).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        AppError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", format!("too many requests: retry in {secs} s"))
            .with_retry_after(secs.max(1))
    })
}

/// Runs `answer`, or answers 503 `timeout` once `timeout` has passed.
pub async fn within_timeout(timeout: Duration, answer: impl Future<Output = Response>) -> Response {
    match tokio::time::timeout(timeout, answer).await {
        Ok(r) => r,
        Err(_) => AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!("no answer within {} s", timeout.as_secs_f64()),
        )
        .into_response(),
    }
}

/// A request being answered; leaving (drop) frees its place.
#[derive(Debug)]
pub struct InFlight<'a>(&'a AtomicUsize);

impl<'a> InFlight<'a> {
    /// Takes a place among at most `max` requests answered at once, or refuses with 503
    /// `overloaded` (and `Retry-After: 1`): beyond that many, answers would only queue, and a
    /// quick refusal lets a load balancer try another replica.
    pub fn enter(count: &'a AtomicUsize, max: usize) -> Result<Self, AppError> {
        let before = count.fetch_add(1, Ordering::AcqRel);
        if before >= max {
            count.fetch_sub(1, Ordering::AcqRel);
            return Err(AppError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "overloaded",
                format!("the server is answering {max} requests already; retry in a moment"),
            )
            .with_retry_after(1));
        }
        Ok(Self(count))
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Default request timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
