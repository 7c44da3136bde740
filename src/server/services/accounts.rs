//! Registration, sign-in, sign-out and "who am I": the bodies of the
//! account server functions.

use std::time::Duration;

use crate::error::AppError;
use crate::model::{Password, User, Username};

use crate::server::events::BusEvent;
use crate::server::request::RequestContext;
use crate::server::services::limits::{spend, HOUR};
use crate::server::session;
use crate::server::store::SessionToken;

pub async fn register(username: String, password: String) -> Result<User, AppError> {
    let request = RequestContext::current()?;
    let username = Username::parse(&username)?;
    let password = Password::parse(password)?;
    count_attempt_by_addr(&request).await?;
    let store = &request.state.store;
    spend(
        &request,
        store.keys().limit_registrations(),
        request.state.config.registrations_per_hour,
        HOUR,
        "Confab is taking no more new accounts this hour. Please try again later.",
    )
    .await?;
    // Cheap early answer; the atomic claim below is what guarantees it.
    if store.find_by_username(&username).await?.is_some() {
        return Err(taken());
    }
    let hash = request.state.hasher.hash(password).await?;
    let user = store
        .create_user(&username, &hash)
        .await?
        .ok_or_else(taken)?;
    tracing::info!(user = %user.id, "account created");
    start_session(&request, &user).await?;
    Ok(user)
}

pub async fn login(username: String, password: String) -> Result<User, AppError> {
    let request = RequestContext::current()?;
    let (Ok(username), Ok(password)) = (Username::parse(&username), Password::parse(password))
    else {
        return Err(wrong_credentials());
    };
    count_attempt_by_addr(&request).await?;
    let state = &request.state;
    let window = Duration::from_secs(state.config.login_window_secs);
    let by_user = state
        .store
        .count_attempt(state.store.keys().login_attempts_by_user(&username), window)
        .await?;
    if by_user > u64::from(state.config.login_attempts_per_user) {
        return Err(too_many_tries());
    }
    let stored = state.store.find_by_username(&username).await?;
    // Unknown names are checked against a decoy, so timing tells nothing.
    let valid =
        state.hasher.verify(password, stored.as_ref().map(|s| s.password_hash.clone())).await?;
    match stored {
        Some(stored) if valid => {
            state.store.join_general(stored.user.id).await?;
            start_session(&request, &stored.user).await?;
            Ok(stored.user)
        }
        _ => Err(wrong_credentials()),
    }
}

pub async fn logout() -> Result<(), AppError> {
    let request = RequestContext::current()?;
    if let Some(token) = session::token(&request.headers) {
        end_session(&request, &token).await?;
    }
    request.set_cookie(session::expired_cookie(&request.state))
}

/// Deletes a session; its sockets close on every instance.
async fn end_session(request: &RequestContext, token: &SessionToken) -> Result<(), AppError> {
    let store = &request.state.store;
    // A made-up or expired cookie ends nothing and announces nothing.
    if let Some(user) = store.delete_session(token).await? {
        store
            .publish(&BusEvent::Logout {
                user,
                session: token.fingerprint(),
            })
            .await?;
    }
    Ok(())
}

/// Who is signed in. The session's life starts over with every use (in
/// Redis), and so does the cookie's: an active person stays signed in.
pub async fn me() -> Result<User, AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    if let Some(token) = session::token(&request.headers) {
        request.set_cookie(session::cookie(&request.state, &token))?;
    }
    Ok(user)
}

/// Issues a fresh session, ending the one the browser had (whose sockets
/// close: the browser's other tabs reconnect with the new cookie).
async fn start_session(request: &RequestContext, user: &User) -> Result<(), AppError> {
    let store = &request.state.store;
    if let Some(old) = session::token(&request.headers) {
        end_session(request, &old).await?;
    }
    let token = SessionToken::generate().map_err(|e| {
        tracing::error!(error = %e, "the OS random source failed");
        AppError::Internal
    })?;
    store
        .create_session(&token, user.id, request.state.config.session_ttl_secs)
        .await?;
    request.set_cookie(session::cookie(&request.state, &token))
}

async fn count_attempt_by_addr(request: &RequestContext) -> Result<(), AppError> {
    let state = &request.state;
    let window = Duration::from_secs(state.config.login_window_secs);
    let key = state
        .store
        .keys()
        .login_attempts_by_addr(request.client_addr);
    if state.store.count_attempt(key, window).await?
        > u64::from(state.config.login_attempts_per_addr)
    {
        return Err(too_many_tries());
    }
    Ok(())
}

fn taken() -> AppError {
    AppError::Conflict("That username is taken. Please choose another.".into())
}

fn wrong_credentials() -> AppError {
    AppError::Unauthorized("Wrong username or password.".into())
}

fn too_many_tries() -> AppError {
    AppError::TooManyRequests(
        "Too many sign-in attempts. Please wait a few minutes and try again.".into(),
    )
}
