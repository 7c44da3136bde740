//! What a server function knows of the request it serves: the instance's
//! state, the headers, the client's address, and a way to set cookies.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

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

    /// The signed-in user, or 401.
    pub async fn user(&self) -> Result<User, AppError> {
        session::current_user(&self.state, &self.headers).await
    }

    pub fn set_cookie(&self, cookie: String) -> Result<(), AppError> {
        let response =
            use_context::<ResponseOptions>().ok_or_else(|| missing("ResponseOptions"))?;
        let value = HeaderValue::from_str(&cookie).map_err(|_| missing("a valid cookie"))?;
        response.append_header(SET_COOKIE, value);
        Ok(())
    }
}

fn missing(what: &str) -> AppError {
    tracing::error!("server function called without {what} in context");
    AppError::Internal
}

/// After a plain HTML form post (JavaScript off), sends the browser to
/// `path` rather than back to the page the form was on. Calls from the
/// page's own code are left alone: it updates the page itself.
pub fn land_form_post_on(path: &str) {
    let plain_form = use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    });
    if plain_form {
        leptos_axum::redirect(path);
    }
}
