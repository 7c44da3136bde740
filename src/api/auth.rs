//! Accounts: `/api/register`, `/api/login`, `/api/logout`, `/api/me`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::User;

/// Creates an account, signs it in and sets the session cookie.
#[server(prefix = "/api", endpoint = "register")]
pub async fn register(username: String, password: String) -> Result<User, AppError> {
    // Taken before any await (see server::request).
    let scope = crate::server::request::RequestScope::capture();
    let user = crate::server::services::accounts::register(username, password).await;
    crate::server::request::form_post_back(
        &scope,
        <Register as leptos::server_fn::ServerFn>::PATH,
        user.as_ref().err(),
        &[],
    );
    user
}

/// Signs in with a new session and sets the session cookie.
#[server(prefix = "/api", endpoint = "login")]
pub async fn login(username: String, password: String) -> Result<User, AppError> {
    // Taken before any await (see server::request).
    let scope = crate::server::request::RequestScope::capture();
    let user = crate::server::services::accounts::login(username, password).await;
    crate::server::request::form_post_back(
        &scope,
        <Login as leptos::server_fn::ServerFn>::PATH,
        user.as_ref().err(),
        &[],
    );
    user
}

/// Ends this session everywhere and clears the cookie.
#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    crate::server::services::accounts::logout().await
}

/// The signed-in user (401 when signed out).
#[server(prefix = "/api", endpoint = "me")]
pub async fn me() -> Result<User, AppError> {
    crate::server::services::accounts::me().await
}
