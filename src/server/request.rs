//! What a server function knows of the request it serves: the instance's
//! state, the headers, the client's address, and a way to set cookies and
//! redirect.
//!
//! Everything is taken from the reactive context once, when the server
//! function starts (before its first await), and kept: the reactive owner
//! is a thread-local, and a lookup made after an await can find whatever
//! owner the thread carries then, another request's, so that a cookie or a
//! redirect would go into that request's response (seen under load: one
//! browser signed in as another person). Nothing here reads the context
//! after an await.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::ConnectInfo;
use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use tokio::sync::OnceCell;
use url::Url;

use crate::error::AppError;
use crate::model::User;

use super::session::{self, Caller};
use super::AppState;

pub struct RequestContext {
    pub state: AppState,
    pub headers: HeaderMap,
    pub client_addr: IpAddr,
    scope: RequestScope,
}

impl RequestContext {
    /// Reads the request from the context: call it first thing in a
    /// server function, before any await.
    pub fn current() -> Result<Self, AppError> {
        let state = use_context::<AppState>().ok_or_else(|| missing("AppState"))?;
        let scope = RequestScope::capture();
        let parts = scope.parts.as_ref().ok_or_else(|| missing("the request"))?;
        // Absent only when not served over TCP (never in production).
        let client_addr = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(RequestContext {
            state,
            headers: parts.headers.clone(),
            client_addr,
            scope,
        })
    }

    /// Whether this is a page load (a GET that renders a page and runs
    /// server functions in it) that the reader asked for: one the site's
    /// own page made, or one typed in or bookmarked (`Sec-Fetch-Site`
    /// `same-origin` or `none`). A page load another site set off (a link
    /// or an `<img>` pointing here) says `cross-site`, and an old browser
    /// says nothing: neither may change state.
    pub fn is_page_load_not_asked_for(&self) -> bool {
        let page_load = self
            .scope
            .parts
            .as_ref()
            .is_some_and(|parts| parts.method == http::Method::GET);
        let asked_for = self
            .headers
            .get("sec-fetch-site")
            .and_then(|site| site.to_str().ok())
            .is_some_and(|site| site == "same-origin" || site == "none");
        page_load && !asked_for
    }

    /// Who is signed in, and with what, or 401. Read from Redis once per
    /// request: a page render calls several server functions, and each
    /// asks.
    pub async fn caller(&self) -> Result<Caller, AppError> {
        let read = || session::current_caller(&self.state, &self.headers);
        match &self.scope.user {
            Some(RequestUser(once)) => once.get_or_init(read).await.clone(),
            None => read().await,
        }
    }

    /// The signed-in user, or 401.
    pub async fn user(&self) -> Result<User, AppError> {
        self.caller().await.map(|caller| caller.user)
    }

    /// Whether this is a plain HTML form post (JavaScript off, or a form
    /// the page does not handle itself).
    pub fn is_plain_form_post(&self) -> bool {
        self.scope.plain_form_post().is_some()
    }

    pub fn set_cookie(&self, cookie: String) -> Result<(), AppError> {
        let response = self.scope.response.as_ref().ok_or_else(|| missing("ResponseOptions"))?;
        let value = HeaderValue::from_str(&cookie).map_err(|_| missing("a valid cookie"))?;
        response.append_header(SET_COOKIE, value);
        Ok(())
    }
}

/// The request's own handles, taken from the context at once: its parts,
/// its response, and its slot for who is signed in.
#[derive(Clone)]
pub struct RequestScope {
    parts: Option<http::request::Parts>,
    response: Option<ResponseOptions>,
    user: Option<RequestUser>,
}

impl RequestScope {
    /// Call it first thing in a server function, before any await.
    pub fn capture() -> Self {
        let parts = use_context::<http::request::Parts>();
        let known = parts
            .as_ref()
            .and_then(|parts| parts.extensions.get::<RequestUser>().cloned());
        RequestScope {
            parts,
            response: use_context::<ResponseOptions>(),
            user: known.or_else(use_context::<RequestUser>),
        }
    }

    /// The request's parts, when it is a plain HTML form post (it accepts
    /// HTML).
    fn plain_form_post(&self) -> Option<&http::request::Parts> {
        self.parts
            .as_ref()
            .filter(|parts| is_plain_form_post(&parts.headers))
    }

    /// A 302 to `path` (plain form posts only: the page's own calls update
    /// the page themselves).
    fn redirect(&self, path: &str) {
        if let (Some(response), Ok(location)) = (&self.response, HeaderValue::from_str(path)) {
            response.insert_header(http::header::LOCATION, location);
            response.set_status(http::StatusCode::FOUND);
        }
    }

    /// After a plain HTML form post (JavaScript off), sends the browser to
    /// `path` rather than back to the page the form was on. Calls from the
    /// page's own code are left alone: it updates the page itself.
    pub fn land_form_post_on(&self, path: &str) {
        if self.plain_form_post().is_some() {
            self.redirect(path);
        }
    }
}

/// The page's query parameter `name` (the last, decoded), for what only
/// the server reads of a page's address. Call it before any await.
pub fn page_query(name: &str) -> Option<String> {
    let parts = use_context::<http::request::Parts>()?;
    form_urlencoded::parse(parts.uri.query()?.as_bytes())
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .last()
}

/// Whether a request with these headers is a plain HTML form post: it
/// accepts HTML, and is answered with a redirect rather than JSON.
pub fn is_plain_form_post(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The answer to "who is signed in?" for the request being served, shared
/// by every server function the request runs (see `startup::router`). The
/// API's guard answers it first for a call that needs a caller, so that a
/// call from nobody is a 401 before its fields are read.
#[derive(Clone, Default)]
pub struct RequestUser(Arc<OnceCell<Result<Caller, AppError>>>);

impl RequestUser {
    /// The slot, already holding `caller`.
    pub fn known(caller: Caller) -> Self {
        RequestUser(Arc::new(OnceCell::new_with(Some(Ok(caller)))))
    }
}

fn missing(what: &str) -> AppError {
    tracing::error!("server function called without {what} in context");
    AppError::Internal
}

/// The longest text (in bytes) a refused plain form post puts back in the
/// page's URL: percent-encoded, it stays under the 8 KB of headers common
/// proxies allow.
const DRAFT_IN_URL_MAX_BYTES: usize = 2000;

/// What a refused plain form post may put back in the page's URL of the
/// `text` it carried: all of it, or nothing when it is too long to ride
/// there.
pub fn draft_for_url(text: &str) -> &str {
    if text.len() <= DRAFT_IN_URL_MAX_BYTES {
        text
    } else {
        ""
    }
}

/// After a plain HTML form post that changed a message (edit, delete,
/// react; see `ui::components::message_changes`): the room at the
/// message when it was changed, or back to the form with the refusal.
pub fn land_change(
    scope: &RequestScope,
    server_fn_path: &str,
    changed: Result<&crate::model::Message, &AppError>,
    keep: &[(&str, &str)],
) {
    match changed {
        Ok(message) => {
            scope.land_form_post_on(&format!("{}#m{}", message.room_id.path(), message.seq))
        }
        Err(err) => form_post_back(scope, server_fn_path, Some(err), keep),
    }
}

/// After a plain HTML form post to the server function at
/// `server_fn_path`, sends the browser back to the page the form was on,
/// rid of what an earlier refusal left in its URL (`__path`, `__err` and
/// the names in `keep`). When `refused`, the URL then carries the form's
/// path and the error's code (never its words, which a crafted link could
/// forge; see `ui::refusal`), and the values of `keep` that are not empty
/// beside them, so that the page can put back what was typed. Calls from
/// the page's own code are left alone.
pub fn form_post_back(
    scope: &RequestScope,
    server_fn_path: &str,
    refused: Option<&AppError>,
    keep: &[(&str, &str)],
) {
    let Some(parts) = scope.plain_form_post() else {
        return;
    };
    let Some(mut back) = parts
        .headers
        .get(http::header::REFERER)
        .and_then(|referer| referer.to_str().ok())
        .and_then(|referer| Url::parse(referer).ok())
    else {
        return;
    };
    let ours = |key: &str| key == "__path" || key == "__err" || keep.iter().any(|(k, _)| *k == key);
    let others: Vec<(String, String)> = back
        .query_pairs()
        .into_owned()
        .filter(|(key, _)| !ours(key))
        .collect();
    back.query_pairs_mut().clear().extend_pairs(&others);
    if let Some(err) = refused {
        // The code only: the page says it in its own words (ui::refusal).
        back.query_pairs_mut()
            .append_pair("__path", server_fn_path)
            .append_pair("__err", err.code())
            .extend_pairs(keep.iter().filter(|(_, value)| !value.is_empty()));
    }
    if back.query().is_some_and(str::is_empty) {
        back.set_query(None);
    }
    scope.redirect(back.as_str());
}
