//! JSON answers written into one buffer (faster than `axum::Json` for large ones), and batch
//! answers `{"results":[…]}` built on all cores, in order.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::error::AppError;

/// `value` as an `application/json` answer.
pub fn json_bytes<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => ([(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => AppError::internal(e.to_string()).into_response(),
    }
}

/// `{"results":[…]}` with one JSON value per item, written by `item` into the buffer. From
/// `parallel_from` items on it is built in contiguous chunks on scoped threads (one per core)
/// and concatenated in order; below, splitting would cost more than it saves.
pub fn results_json<T: Sync>(
    items: &[T],
    bytes_per_item: usize,
    parallel_from: usize,
    item: impl Fn(&T, &mut Vec<u8>) -> serde_json::Result<()> + Sync,
) -> Result<Vec<u8>, AppError> {
    let chunk_json = |chunk: &[T]| -> serde_json::Result<Vec<u8>> {
        let mut buf = Vec::with_capacity(chunk.len() * bytes_per_item);
        for (i, x) in chunk.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            item(x, &mut buf)?;
        }
        Ok(buf)
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parts: Vec<serde_json::Result<Vec<u8>>> = if items.len() < parallel_from || threads == 1 {
        vec![chunk_json(items)]
    } else {
        let size = items.len().div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = items.chunks(size).map(|c| s.spawn(move || chunk_json(c))).collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(serde::ser::Error::custom("worker panicked"))))
                .collect()
        })
    };
    let internal = |e: serde_json::Error| AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string());
    // (A worker's panic arrives here as an error: answered as a 500, logged, not re-raised.)
    let mut out = Vec::with_capacity(items.len() * bytes_per_item + 16);
    out.extend_from_slice(b"{\"results\":[");
    for (i, part) in parts.into_iter().enumerate() {
        let part = part.map_err(internal)?;
        if i > 0 && !part.is_empty() {
            out.push(b',');
        }
        out.extend_from_slice(&part);
    }
    out.extend_from_slice(b"]}");
    Ok(out)
}
