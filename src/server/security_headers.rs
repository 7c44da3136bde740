//! The headers that tell a browser what a page may do.
//!
//! Every response says `X-Content-Type-Options: nosniff`,
//! `Referrer-Policy: same-origin` and `X-Frame-Options: DENY`, and on a
//! site configured as https, `Strict-Transport-Security`. A page
//! also carries a Content-Security-Policy: scripts only from this site,
//! or inline ones that hold the page's nonce (leptos_axum makes one per
//! page, and Leptos puts it on the hydration and resource scripts it
//! writes); WebAssembly compiled from this site's bundle
//! (`'wasm-unsafe-eval'`); styles, images, fonts, the websocket and form
//! posts only to this site; no frames, no plugins, no `<base>`. A message
//! that somehow became markup still could not run a script.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use http::HeaderValue;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// The page's policy for `nonce`. `reload_port` (development only, under
/// `cargo leptos watch`) lets the live-reload socket connect.
pub fn page_policy(nonce: &str, reload_port: Option<u32>) -> String {
    let reload = reload_port
        .map(|port| format!(" ws://*:{port}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'{reload}; \
         frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    )
}

/// Sets the page's policy on the page being rendered (call it from the
/// page routes' context, where leptos_axum has made the nonce).
pub fn protect_page(reload_port: Option<u32>) {
    let (Some(nonce), Some(response)) =
        (leptos::nonce::use_nonce(), use_context::<ResponseOptions>())
    else {
        return;
    };
    if let Ok(policy) = HeaderValue::from_str(&page_policy(&nonce.to_string(), reload_port)) {
        response.insert_header(CONTENT_SECURITY_POLICY, policy);
    }
}

/// Middleware: the headers every response carries; on an https site
/// (`https`, from the configuration), HSTS too.
pub async fn every_response(State(https): State<bool>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if https {
        headers.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_allows_only_the_site_and_the_nonce() {
        let policy = page_policy("abc", None);
        assert!(policy.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(page_policy("abc", Some(3001)).contains("connect-src 'self' ws://*:3001;"));
    }
}
