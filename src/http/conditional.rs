//! Conditional requests: whether a client's `If-None-Match` already names what it would get.

use axum::http::{HeaderMap, header};

/// True when `If-None-Match` names `etag` (strongly or weakly, in any of its lists) or is `*`.
pub fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.trim() == "*" || v.split(',').any(|t| t.trim().trim_start_matches("W/") == etag))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn if_none_match() {
        let h = |values: &[&'static str]| {
            let mut m = HeaderMap::new();
            for v in values {
                m.append(header::IF_NONE_MATCH, HeaderValue::from_static(v));
            }
            m
        };
        assert!(matches_etag(&h(&["\"a\", \"b\""]), "\"b\""));
        assert!(matches_etag(&h(&["\"a\"", "\"b\""]), "\"b\""));
        assert!(matches_etag(&h(&["W/\"b\""]), "\"b\""));
        assert!(matches_etag(&h(&["*"]), "\"b\""));
        assert!(!matches_etag(&h(&["\"a\""]), "\"b\""));
        assert!(!matches_etag(&h(&[]), "\"b\""));
    }
}
