//! Cross-site request refusal: a request that names an origin (Origin, or
//! Referer when Origin is absent) must name the site's own.
//!
//! The site's own origin is the configured public URL (`CONFAB_PUBLIC_URL`):
//! scheme, host and port must all match (a default port may be written or
//! not), so `http://host` does not pass for an https site. Without a
//! public URL (plain local runs), the request's `Host` stands in and only
//! host and port are compared, as the scheme cannot be known.
//!
//! Clients that send neither header (scripts, bots) are not browsers
//! acting for someone else, and pass.

use http::header::{HOST, ORIGIN, REFERER};
use http::HeaderMap;
use url::Url;

/// The site's origin as people reach it: `https://chat.example.com`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteOrigin {
    https: bool,
    host: String,
    port: u16,
}

impl SiteOrigin {
    /// Reads a public URL: http or https, a host, nothing after the path's
    /// `/`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url = Url::parse(raw).map_err(|e| format!("{raw:?} is not a URL: {e}"))?;
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            other => {
                return Err(format!(
                    "{raw:?}: the scheme must be http or https, not {other}"
                ))
            }
        };
        let host = url
            .host_str()
            .ok_or_else(|| format!("{raw:?} has no host"))?;
        if url.path() != "/" || url.query().is_some() {
            return Err(format!(
                "{raw:?}: give the site's origin only, with no path"
            ));
        }
        Ok(SiteOrigin {
            https,
            host: host.to_ascii_lowercase(),
            port: url
                .port_or_known_default()
                .unwrap_or(if https { 443 } else { 80 }),
        })
    }

    /// Whether people reach the site over https.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// Whether `url` (an Origin or a Referer) is on this site.
    fn names_this_site(&self, url: &str) -> bool {
        let Ok(url) = Url::parse(url) else {
            return false;
        };
        url.scheme() == if self.https { "https" } else { "http" }
            && url
                .host_str()
                .is_some_and(|host| host.eq_ignore_ascii_case(&self.host))
            && url.port_or_known_default() == Some(self.port)
    }
}

/// The `host[:port]` part of an `http(s)://host[:port]/...` URL.
fn authority(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// False when the request comes from a page of another site: one not at
/// `site` (the public URL), or without one, not at the request's Host.
pub fn is_same_site(headers: &HeaderMap, site: Option<&SiteOrigin>) -> bool {
    let named = headers.get(ORIGIN).or_else(|| headers.get(REFERER));
    let Some(named) = named.map(|value| value.to_str().unwrap_or_default()) else {
        return true;
    };
    if let Some(site) = site {
        return site.names_this_site(named);
    }
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
    match (authority(named), host) {
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
        let same = |pairs: &[(&'static str, &str)]| is_same_site(&headers(pairs), None);
        assert!(same(&[
            ("host", "chat.example:3000"),
            ("origin", "http://chat.example:3000")
        ]));
        assert!(!same(&[
            ("host", "chat.example:3000"),
            ("origin", "http://evil.example")
        ]));
        assert!(!same(&[("host", "chat.example"), ("origin", "null")]));
        assert!(!same(&[
            ("host", "chat.example"),
            ("origin", "http://chat.example.evil.example")
        ]));
    }

    #[test]
    fn referer_counts_when_origin_is_absent() {
        let same = |pairs: &[(&'static str, &str)]| is_same_site(&headers(pairs), None);
        assert!(same(&[
            ("host", "a.example"),
            ("referer", "https://a.example/room/0")
        ]));
        assert!(!same(&[
            ("host", "a.example"),
            ("referer", "https://b.example/a.example")
        ]));
        assert!(same(&[("host", "a.example")]));
    }

    #[test]
    fn with_a_public_url_scheme_host_and_port_must_match() {
        let site = SiteOrigin::parse("https://Chat.Example").unwrap();
        assert!(site.is_https());
        let same = |origin: &str| {
            is_same_site(
                &headers(&[("host", "internal:3000"), ("origin", origin)]),
                Some(&site),
            )
        };
        assert!(same("https://chat.example"));
        assert!(
            same("https://chat.example:443"),
            "the default port, written out"
        );
        assert!(!same("http://chat.example"), "the scheme counts");
        assert!(!same("https://chat.example:8443"));
        assert!(!same("https://evil.example"));
        assert!(!same("null"));
        // The Host header no longer decides.
        assert!(!same("http://internal:3000"));
    }

    #[test]
    fn a_public_url_is_an_origin() {
        assert_eq!(
            SiteOrigin::parse("http://localhost:3000").unwrap(),
            SiteOrigin {
                https: false,
                host: "localhost".into(),
                port: 3000
            }
        );
        for bad in [
            "chat.example",
            "ftp://chat.example",
            "https://chat.example/app",
            "https://",
        ] {
            assert!(SiteOrigin::parse(bad).is_err(), "{bad}");
        }
        assert!(SiteOrigin::parse("https://chat.example/").is_ok());
    }
}
