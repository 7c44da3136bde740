//! Cross-site request refusal: a request that names an origin (Origin, or
//! Referer when Origin is absent) must name the site's own host.
//!
//! Clients that send neither (scripts, bots) are not browsers acting for
//! someone else, and pass.

use http::header::{HOST, ORIGIN, REFERER};
use http::HeaderMap;

/// The `host[:port]` part of an `http(s)://host[:port]/...` URL.
fn authority(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// False when the request comes from a page of another site.
pub fn is_same_site(headers: &HeaderMap) -> bool {
    let named = headers.get(ORIGIN).or_else(|| headers.get(REFERER));
    let Some(named) = named else { return true };
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
    match (named.to_str().ok().and_then(authority), host) {
        (Some(origin), Some(host)) => origin.eq_ignore_ascii_case(host),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn own_origin_passes_and_foreign_is_refused() {
        assert!(is_same_site(&headers(&[
            ("host", "chat.example:3000"),
            ("origin", "http://chat.example:3000")
        ])));
        assert!(!is_same_site(&headers(&[
            ("host", "chat.example:3000"),
            ("origin", "http://evil.example")
        ])));
        assert!(!is_same_site(&headers(&[
            ("host", "chat.example"),
            ("origin", "null")
        ])));
        assert!(!is_same_site(&headers(&[
            ("host", "chat.example"),
            ("origin", "http://chat.example.evil.example")
        ])));
    }

    #[test]
    fn referer_counts_when_origin_is_absent() {
        assert!(is_same_site(&headers(&[
            ("host", "a.example"),
            ("referer", "https://a.example/room/0")
        ])));
        assert!(!is_same_site(&headers(&[
            ("host", "a.example"),
            ("referer", "https://b.example/a.example")
        ])));
        assert!(is_same_site(&headers(&[("host", "a.example")])));
    }
}
