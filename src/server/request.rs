//! What a server function knows of the request it serves: the instance's
//! state, the headers, the client's address, and a way to set cookies.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::ConnectInfo;
use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue};
use leptos::prelude::use_context;
use leptos::server_fn::error::ServerFnUrlError;
use leptos_axum::ResponseOptions;
use tokio::sync::OnceCell;
use url::Url;

use crate::error::AppError;
use crate::model::User;

use super::{session, AppState};

pub struct RequestContext {
    pub state: AppState,
    pub headers: HeaderMap,
    pub client_addr: IpAddr,
}

impl RequestContext {
    pub async fn current() -> Result<Self, AppError> {
        let state = use_context::<AppState>().ok_or_else(|| missing("AppState"))?;
        let headers = leptos_axum::extract::<HeaderMap>()
            .await
            .map_err(|_| missing("headers"))?;
        // Absent only when not served over TCP (never in production).
        let client_addr = leptos_axum::extract::<ConnectInfo<SocketAddr>>()
            .await
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        Ok(RequestContext {
            state,
            headers,
            client_addr,
        })
    }

    /// The signed-in user, or 401. Read from Redis once per request: a
    /// page render calls several server functions, and each asks.
    pub async fn user(&self) -> Result<User, AppError> {
        let read = || session::current_user(&self.state, &self.headers);
        match use_context::<RequestUser>() {
            Some(RequestUser(once)) => once.get_or_init(read).await.clone(),
            None => read().await,
        }
    }

    pub fn set_cookie(&self, cookie: String) -> Result<(), AppError> {
        let response =
            use_context::<ResponseOptions>().ok_or_else(|| missing("ResponseOptions"))?;
        let value = HeaderValue::from_str(&cookie).map_err(|_| missing("a valid cookie"))?;
        response.append_header(SET_COOKIE, value);
        Ok(())
    }
}

/// The answer to "who is signed in?" for the request being served, shared
/// by every server function the request runs (see `startup::router`).
#[derive(Clone, Default)]
pub struct RequestUser(Arc<OnceCell<Result<User, AppError>>>);

fn missing(what: &str) -> AppError {
    tracing::error!("server function called without {what} in context");
    AppError::Internal
}

/// After a plain HTML form post (JavaScript off), sends the browser to
/// `path` rather than back to the page the form was on. Calls from the
/// page's own code are left alone: it updates the page itself.
pub fn land_form_post_on(path: &str) {
    if plain_form_post().is_some() {
        leptos_axum::redirect(path);
    }
}

/// The longest text (in bytes) a refused plain form post puts back in the
/// page's URL: percent-encoded, it stays under the 8 KB of headers common
/// proxies allow.
pub const DRAFT_IN_URL_MAX_BYTES: usize = 2000;

/// After a plain HTML form post to the server function at
/// `server_fn_path`, sends the browser back to the page the form was on,
/// rid of what an earlier refusal left in its URL (`__path`, `__err` and
/// the names in `keep`). When `refused`, the URL then carries this
/// refusal, as leptos_axum does, and `keep` beside it, so that the page can
/// put back what was typed. Calls from the page's own code are left alone.
pub fn form_post_back(server_fn_path: &str, refused: Option<&AppError>, keep: &[(&str, &str)]) {
    let Some(parts) = plain_form_post() else {
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
        let Ok(refusal) = ServerFnUrlError::new(server_fn_path, err.clone()).to_url(back.as_str())
        else {
            return;
        };
        back = refusal;
        back.query_pairs_mut().extend_pairs(keep);
    }
    if back.query().is_some_and(str::is_empty) {
        back.set_query(None);
    }
    leptos_axum::redirect(back.as_str());
}

/// The request, when it is a plain HTML form post (it accepts HTML).
fn plain_form_post() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>().filter(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}
