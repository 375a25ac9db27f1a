//! Who may do what: every route's access rule, in one table, checked before the handler runs
//! (and before an upload's body is read).
//!
//! | permission | routes | without a key |
//! | --- | --- | --- |
//! | public | `GET /`, `/web/…`, `/health`, `/ready`, `/openapi.json` | always open |
//! | map | tiles, catalog, layers and their queries, a grid, its overview, statistics, the latest cases, categories, `/metrics` | open where reads are open |
//! | integrate | locate, geocode, reverse, `POST /cases/route?record=false` | open where reads are open |
//! | record cases | `POST /cases/route` | 401 |
//! | write layers | `POST /layers/{id}`, `POST /layers/{id}/rollback`, `GET /jobs`, `GET /jobs/{id}` | 401 |
//!
//! Reads are open by default to callers on the loopback interface (and to in-process calls,
//! which have no peer address); `--open-reads always|never` changes that. A key sent to any
//! route but the public ones is checked: an unknown one is 401, one whose role lacks the
//! permission 403.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::AppError;
use crate::auth::{OpenReads, Permission};
use crate::state::SharedState;

/// The permission a request needs: by method and matched route (and, for routing a case,
/// whether it is recorded).
pub fn permission(method: &Method, route: &str, query: Option<&str>) -> Permission {
    let dry_run = || query.is_some_and(|q| q.split('&').any(|kv| kv == "record=false"));
    match (method.as_str(), route) {
        (_, "/" | "/web/{file}" | "/health" | "/ready" | "/openapi.json") => Permission::Public,
        (_, "/grids/locate" | "/geocode" | "/reverse") => Permission::Integrate,
        ("POST", "/cases/route") if dry_run() => Permission::Integrate,
        ("POST", "/cases/route") => Permission::RecordCases,
        ("POST", "/layers/{id}" | "/layers/{id}/rollback") => Permission::WriteLayers,
        // A job shows what GIS staff uploaded, and how it went.
        (_, "/jobs" | "/jobs/{id}") => Permission::WriteLayers,
        _ => Permission::Map,
    }
}

/// Checks the request against its route's rule and the caller's rate, then answers it
/// (`next`) within the request timeout; or answers 401/403/429/503 itself. Called by the one
/// middleware ([`super::ops::observe`]) with the matched route and the request id.
pub async fn authorize(state: &SharedState, route: &str, request_id: &str, mut req: Request, next: Next) -> Response {
    let needed = permission(req.method(), route, req.uri().query());
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let policy = state.policy.load();
    let (caller, role) = match check(state, policy.open_reads, needed, req.headers(), peer) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    // Handlers that write name the caller in the audit log (reads need no name: not made).
    if matches!(needed, Permission::RecordCases | Permission::WriteLayers) {
        req.extensions_mut().insert(crate::audit::Who {
            key: match &caller {
                Caller::Key(h) => Some(h[..8].iter().map(|b| format!("{b:02x}")).collect()),
                _ => None,
            },
            role: role.map(crate::auth::Role::as_str),
            peer: peer.map(|p| p.to_string()),
            request_id: Some(request_id.to_owned()),
        });
    }
    if let Err(e) = super::limits::admit(&policy, &caller) {
        return e.into_response();
    }
    // Health, readiness and metrics answer however busy the server is.
    let _slot = if needed == Permission::Public || route == "/metrics" {
        None
    } else {
        match super::limits::InFlight::enter(&state.metrics.in_flight, policy.max_in_flight) {
            Ok(s) => Some(s),
            Err(e) => return e.into_response(),
        }
    };
    let timeout = policy.request_timeout;
    drop(policy);
    // An upload's body arrives as fast as the network lets it (its own timeout); every other
    // request is bounded.
    if needed == Permission::WriteLayers && req.method() == Method::POST {
        return next.run(req).await;
    }
    super::limits::within_timeout(timeout, next.run(req)).await
}

/// Who is calling: a key (by its hash), or a peer address, or an in-process call.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Caller {
    /// A key's SHA-256.
    Key([u8; 32]),
    /// No key, from this address.
    Peer(std::net::IpAddr),
    /// No key, no peer: an in-process call.
    Local,
}

fn check(
    state: &SharedState,
    open_reads: OpenReads,
    needed: Permission,
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
) -> Result<(Caller, Option<crate::auth::Role>), AppError> {
    let anonymous = peer.map_or(Caller::Local, |p| Caller::Peer(p.ip()));
    if needed == Permission::Public {
        return Ok((anonymous, None));
    }
    let unauthorized = |message: &str| AppError::new(StatusCode::UNAUTHORIZED, "unauthorized", message);
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        let open = match open_reads {
            OpenReads::Always => true,
            OpenReads::Never => false,
            // No peer: an in-process call (the tests' router), as local as it gets.
            OpenReads::Loopback => peer.is_none_or(|p| p.ip().is_loopback()),
        };
        return if needed.is_read() && open {
            Ok((anonymous, None))
        } else {
            Err(unauthorized(&format!("{} needs Authorization: Bearer <key>", needed.what())))
        };
    };
    let key = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .ok_or_else(|| unauthorized("the Authorization header must be 'Bearer <key>'"))?;
    let (role, hash) = state.keys.load().identify(key).ok_or_else(|| unauthorized("unknown key"))?;
    if !role.may(needed) {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            format!("a {} key may not {}", role.as_str(), needed.what()),
        ));
    }
    Ok((Caller::Key(hash), Some(role)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table() {
        let get = Method::GET;
        let post = Method::POST;
        assert_eq!(permission(&get, "/health", None), Permission::Public);
        assert_eq!(permission(&get, "/tiles/{sources}/{z}/{x}/{y}", None), Permission::Map);
        assert_eq!(permission(&post, "/grids/locate", None), Permission::Integrate);
        assert_eq!(permission(&post, "/cases/route", Some("record=false")), Permission::Integrate);
        assert_eq!(permission(&post, "/cases/route", Some("record=true")), Permission::RecordCases);
        assert_eq!(permission(&post, "/cases/route", None), Permission::RecordCases);
        assert_eq!(permission(&get, "/layers/{id}", None), Permission::Map);
        assert_eq!(permission(&post, "/layers/{id}", None), Permission::WriteLayers);
        assert_eq!(permission(&post, "/layers/{id}/rollback", None), Permission::WriteLayers);
        assert_eq!(permission(&get, "/jobs/{id}", None), Permission::WriteLayers);
        assert_eq!(permission(&get, "/openapi.json", None), Permission::Public);
    }
}
