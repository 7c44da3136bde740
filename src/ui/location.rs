//! The page's URL, as signals: its path and its query. On the server it is
//! the request's; in the browser, the address bar's, kept current as the
//! reader clicks the site's own links (taken without a page load, so the
//! page keeps its state and its live connection) and uses the back and
//! forward buttons.
//!
//! This is all the routing Confab needs: three page paths matched by hand
//! (`ui::pages`). leptos_router's `<Router>` did the same and more (nested
//! routes, relative links, redirects, scroll restoration) for 21 KB of the
//! browser bundle's 300 (docs/benchmarks.md, "Browser bundle");
//! leptos_router stays on the server, where leptos_axum lists the routes.

use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Location {
    path: RwSignal<String>,
    /// The query string, without its `?`.
    query: RwSignal<String>,
}

impl Location {
    /// Made once, by the app, for the page's URL.
    pub fn provide() -> Self {
        let (path, query) = initial();
        let location = Location {
            path: RwSignal::new(path),
            query: RwSignal::new(query),
        };
        provide_context(location);
        #[cfg(feature = "hydrate")]
        follow_the_browser(location);
        location
    }

    /// The page's location (made by [`Location::provide`]).
    pub fn current() -> Self {
        expect_context()
    }

    /// Reads the path (tracked).
    pub fn with_path<T>(&self, read: impl FnOnce(&str) -> T) -> T {
        self.path.with(|path| read(path))
    }

    pub fn path_untracked(&self) -> String {
        self.path.get_untracked()
    }

    /// The query's value for `key`, decoded (tracked).
    pub fn query(&self, key: &str) -> Option<String> {
        self.query.with(|query| find(query, key))
    }

    pub fn query_untracked(&self, key: &str) -> Option<String> {
        self.query.with_untracked(|query| find(query, key))
    }

    /// Goes to `href` (a path on this site, with or without a query) as a
    /// new entry of the browser's history, without loading the page.
    pub fn navigate(&self, href: &str) {
        #[cfg(feature = "hydrate")]
        {
            let window = window();
            if let Ok(history) = window.history() {
                if history
                    .push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href))
                    .is_ok()
                {
                    self.follow_address_bar();
                    return;
                }
            }
            // No history API: an ordinary page load.
            let _ = window.location().set_href(href);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = href;
    }

    /// Takes the path and query from the address bar.
    #[cfg(feature = "hydrate")]
    fn follow_address_bar(&self) {
        let (path, query) = initial();
        if self.path.get_untracked() != path {
            self.path.set(path);
        }
        if self.query.get_untracked() != query {
            self.query.set(query);
        }
    }
}

/// The value of `key` in a query string (form encoding: `+` is a space).
/// The browser decodes it itself (`URLSearchParams`), so the bundle
/// carries no decoder.
fn find(query: &str, key: &str) -> Option<String> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, value)| value.into_owned())
    }
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::UrlSearchParams::new_with_str(query).ok()?.get(key)
    }
}

/// The path and query the page starts with.
fn initial() -> (String, String) {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().map_or_else(
            || ("/".to_owned(), String::new()),
            |parts| {
                let uri = &parts.uri;
                (
                    uri.path().to_owned(),
                    uri.query().unwrap_or_default().to_owned(),
                )
            },
        )
    }
    #[cfg(not(feature = "ssr"))]
    {
        let location = window().location();
        let path = location.pathname().unwrap_or_else(|_| "/".into());
        let search = location.search().unwrap_or_default();
        (path, search.trim_start_matches('?').to_owned())
    }
}

/// Takes the browser's back and forward buttons, and clicks on links to
/// this site's own pages.
#[cfg(feature = "hydrate")]
fn follow_the_browser(location: Location) {
    use leptos::ev;
    use wasm_bindgen::JsCast;

    let _ = window_event_listener(ev::popstate, move |_| location.follow_address_bar());
    let _ = window_event_listener(ev::click, move |ev| {
        let plain_click =
            ev.button() == 0 && !(ev.meta_key() || ev.ctrl_key() || ev.shift_key() || ev.alt_key());
        if ev.default_prevented() || !plain_click {
            return;
        }
        let Some(link) = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
            .and_then(|element| element.closest("a[href]").ok().flatten())
        else {
            return;
        };
        if link.has_attribute("download")
            || link.get_attribute("target").is_some_and(|t| t != "_self")
        {
            return;
        }
        let Some(href) = link.get_attribute("href") else {
            return;
        };
        // Only this site's pages: an absolute path, or a query on this one.
        let target = if href.starts_with('/') && !href.starts_with("//") {
            href
        } else if href.starts_with('?') {
            format!("{}{href}", location.path.get_untracked())
        } else {
            return;
        };
        ev.prevent_default();
        location.navigate(&target);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(
            find("q=rust+lang&before=5", "q").as_deref(),
            Some("rust lang")
        );
        assert_eq!(
            find("draft=a%3Cb%3E%20c", "draft").as_deref(),
            Some("a<b> c")
        );
        assert_eq!(find("a=1", "b"), None);
        assert_eq!(find("", "a"), None);
    }
}
