//! The signed-in user, read from the `confab_session` cookie: one place for
//! the API and the websocket alike. Also builds the cookie itself.

use http::header::COOKIE;
use http::HeaderMap;

use crate::error::AppError;
use crate::model::User;
use crate::server::store::SessionToken;
use crate::server::AppState;

pub const COOKIE_NAME: &str = "confab_session";
/// The cookie's name on a site served over https: the `__Host-` prefix
/// makes the browser refuse it unless it is Secure, for the whole host
/// (`Path=/`, no `Domain`), so neither plain http nor a sibling subdomain
/// can set or shadow it.
pub const HTTPS_COOKIE_NAME: &str = "__Host-confab_session";

fn cookie_name(state: &AppState) -> &'static str {
    if state.config.is_https() {
        HTTPS_COOKIE_NAME
    } else {
        COOKIE_NAME
    }
}

/// The session token the request carries, if it is well formed.
pub fn token(headers: &HeaderMap) -> Option<SessionToken> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == HTTPS_COOKIE_NAME || *name == COOKIE_NAME)
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

/// `; Secure` on a site served over https (from the configuration only).
fn secure(state: &AppState) -> &'static str {
    if state.config.is_https() {
        "; Secure"
    } else {
        ""
    }
}

/// The `Set-Cookie` value that signs the browser in.
pub fn cookie(state: &AppState, token: &SessionToken) -> String {
    format!(
        "{}={}; HttpOnly; SameSite=Lax; Path=/; Max-Age={}{}",
        cookie_name(state),
        token.as_str(),
        state.config.session_ttl_secs,
        secure(state)
    )
}

/// The `Set-Cookie` value that signs the browser out.
pub fn expired_cookie(state: &AppState) -> String {
    format!(
        "{}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0{}",
        cookie_name(state),
        secure(state)
    )
}
