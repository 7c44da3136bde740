//! Who makes a request: read from the `confab_session` cookie, or from an
//! API token in `Authorization: Bearer`. One place for the API and the
//! websocket alike. Also builds the cookie itself.

use http::header::{AUTHORIZATION, COOKIE};
use http::HeaderMap;

use crate::error::AppError;
use crate::model::{CredentialId, TokenName, User};
use crate::server::events::SessionFingerprint;
use crate::server::store::{ApiToken, SessionToken, Via};
use crate::server::AppState;

/// Who makes a request, and with what.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub credential: Credential,
}

/// What signed a request in.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A browser's session cookie.
    Session(SessionToken),
    /// A personal API token (a program acting as its owner).
    ApiToken {
        token: ApiToken,
        id: CredentialId,
        name: TokenName,
    },
}

impl Caller {
    /// How the caller's sockets are named on the bus (sign-outs and
    /// revocations close them by it).
    pub fn fingerprint(&self) -> SessionFingerprint {
        match &self.credential {
            Credential::Session(token) => token.fingerprint(),
            Credential::ApiToken { token, .. } => token.fingerprint(),
        }
    }

    /// How a message it posts is marked: via the token, for a program;
    /// `None` for a person in a browser.
    pub fn via(&self) -> Option<Via<'_>> {
        match &self.credential {
            Credential::Session(_) => None,
            Credential::ApiToken { name, .. } => Some(Via {
                kind: "token",
                name: name.as_str(),
            }),
        }
    }

    /// Refuses a caller that is not a browser session: what only a person
    /// may do (`what` says it) is not done with a token.
    pub fn require_session(&self, what: &str) -> Result<(), AppError> {
        match self.credential {
            Credential::Session(_) => Ok(()),
            Credential::ApiToken { .. } => Err(AppError::Forbidden(format!(
                "{what} from a signed-in browser, not with an API token."
            ))),
        }
    }
}

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
    cookie_value(headers, |name| name == HTTPS_COOKIE_NAME || name == COOKIE_NAME)
        .and_then(SessionToken::parse)
}

/// The value of the first cookie whose name `wanted` accepts.
fn cookie_value(headers: &HeaderMap, wanted: impl Fn(&str) -> bool) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| wanted(name))
        .map(|(_, value)| value)
}

/// The API token in `Authorization: Bearer`, if the request has that
/// header; a header that is not a bearer Confab token is 401.
pub fn bearer(headers: &HeaderMap) -> Result<Option<ApiToken>, AppError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .and_then(|(_, token)| ApiToken::parse(token.trim()))
        .map(Some)
        .ok_or_else(|| {
            AppError::Unauthorized(
                "The Authorization header must be \"Bearer\" and a Confab API token.".into(),
            )
        })
}

/// Whether the request is a program's: it carries an Authorization header
/// and no session cookie, so no browser sent a credential on its own and
/// the Origin check has nothing to guard.
pub fn is_programs(headers: &HeaderMap) -> bool {
    headers.contains_key(AUTHORIZATION) && token(headers).is_none()
}

/// Who is signed in on this request (by token, else by cookie), or 401.
pub async fn current_caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, AppError> {
    let (id, credential) = match bearer(headers)? {
        Some(token) => {
            let owner = state.store.api_token_owner(&token).await?.ok_or_else(|| {
                AppError::Unauthorized("This API token is revoked or was never issued.".into())
            })?;
            let credential = Credential::ApiToken {
                token,
                id: owner.id,
                name: owner.name,
            };
            (owner.user, credential)
        }
        None => {
            let token = token(headers).ok_or_else(AppError::signed_out)?;
            let ttl = state.config.session_ttl_secs;
            let id = state
                .store
                .session_user(&token, ttl)
                .await?
                .ok_or_else(AppError::signed_out)?;
            (id, Credential::Session(token))
        }
    };
    // A credential whose user is gone signs nobody in.
    let user = state
        .store
        .user(id)
        .await?
        .ok_or_else(AppError::signed_out)?;
    Ok(Caller { user, credential })
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

/// The cookie that carries a token made by a plain form post to the
/// settings page, which shows it once and clears it: the token never rides
/// in a URL (nor in the browser's history or a proxy's log). HttpOnly,
/// sent to `/settings` only, for five minutes.
const NEW_TOKEN_COOKIE: &str = "confab_new_token";
const NEW_TOKEN_PATH: &str = "/settings";

/// The `Set-Cookie` value that hands `token` to the settings page.
pub fn new_token_cookie(state: &AppState, token: &ApiToken) -> String {
    format!(
        "{NEW_TOKEN_COOKIE}={}; HttpOnly; SameSite=Strict; Path={NEW_TOKEN_PATH}; Max-Age=300{}",
        token.as_str(),
        secure(state)
    )
}

/// The `Set-Cookie` value that clears it once shown.
pub fn cleared_new_token_cookie(state: &AppState) -> String {
    format!(
        "{NEW_TOKEN_COOKIE}=; HttpOnly; SameSite=Strict; Path={NEW_TOKEN_PATH}; Max-Age=0{}",
        secure(state)
    )
}

/// The token the request's new-token cookie carries, if well formed.
pub fn new_token(headers: &HeaderMap) -> Option<ApiToken> {
    cookie_value(headers, |name| name == NEW_TOKEN_COOKIE).and_then(ApiToken::parse)
}
