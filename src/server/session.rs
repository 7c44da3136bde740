//! The signed-in user, read from the `confab_session` cookie: one place for
//! the API and the websocket alike. Also builds the cookie itself.

use http::header::{COOKIE, ORIGIN};
use http::HeaderMap;

use crate::error::AppError;
use crate::model::User;
use crate::server::store::SessionToken;
use crate::server::AppState;

pub const COOKIE_NAME: &str = "confab_session";

/// The session token the request carries, if it is well formed.
pub fn token(headers: &HeaderMap) -> Option<SessionToken> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .and_then(|(_, value)| SessionToken::parse(value))
}

/// The user signed in on this request, or 401.
pub async fn current_user(state: &AppState, headers: &HeaderMap) -> Result<User, AppError> {
    let token = token(headers).ok_or_else(AppError::signed_out)?;
    let ttl = state.config.session_ttl_secs;
    let id = state
        .store
        .session_user(&token, ttl)
        .await?
        .ok_or_else(AppError::signed_out)?;
    // A session whose user is gone is no session.
    state.store.user(id).await?.ok_or_else(AppError::signed_out)
}

/// Whether the site is served over https, as far as this request tells.
fn is_https(state: &AppState, headers: &HeaderMap) -> bool {
    let header_says = |name, prefix: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(prefix))
    };
    state.config.secure_cookies
        || header_says("x-forwarded-proto", "https")
        || header_says(ORIGIN.as_str(), "https://")
}

/// The `Set-Cookie` value that signs the browser in.
pub fn cookie(state: &AppState, headers: &HeaderMap, token: &SessionToken) -> String {
    let secure = if is_https(state, headers) {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{COOKIE_NAME}={}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}{secure}",
        token.as_str(),
        state.config.session_ttl_secs
    )
}

/// The `Set-Cookie` value that signs the browser out.
pub fn expired_cookie(state: &AppState, headers: &HeaderMap) -> String {
    let secure = if is_https(state, headers) {
        "; Secure"
    } else {
        ""
    };
    format!("{COOKIE_NAME}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0{secure}")
}
