//! Personal API tokens: `/api/tokens/create`, `/api/tokens`,
//! `/api/tokens/revoke`, and the addition `/api/tokens/settings` (what the
//! settings page shows).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{ApiTokenInfo, NewApiToken, TokenSettings};

/// Makes a token named `name`; the answer is the only time it is shown.
/// From a browser session only. A plain form post (the settings page)
/// lands on `/settings`, which shows the token once.
#[server(prefix = "/api", endpoint = "tokens/create")]
pub async fn create_token(name: String) -> Result<NewApiToken, AppError> {
    // Taken before any await (see server::request).
    let scope = crate::server::request::RequestScope::capture();
    let made = crate::server::services::tokens::create(name).await;
    crate::server::request::form_post_back(
        &scope,
        <CreateToken as leptos::server_fn::ServerFn>::PATH,
        made.as_ref().err(),
        &[],
    );
    if made.is_ok() {
        scope.land_form_post_on("/settings");
    }
    made
}

/// The settings page's view of the caller's tokens: the list, and the
/// token the caller's last plain form post made (shown this once). From a
/// browser session only.
#[server(prefix = "/api", endpoint = "tokens/settings")]
pub async fn api_token_settings() -> Result<TokenSettings, AppError> {
    crate::server::services::tokens::settings().await
}

/// The caller's tokens (never the tokens themselves). From a browser
/// session only.
#[server(prefix = "/api", endpoint = "tokens")]
pub async fn tokens() -> Result<Vec<ApiTokenInfo>, AppError> {
    crate::server::services::tokens::list().await
}

/// Revokes the caller's token `id`: refused from now on, its sockets
/// closed.
#[server(prefix = "/api", endpoint = "tokens/revoke")]
pub async fn revoke_token(id: String) -> Result<(), AppError> {
    // Taken before any await (see server::request).
    let scope = crate::server::request::RequestScope::capture();
    let revoked = crate::server::services::tokens::revoke(id).await;
    crate::server::request::form_post_back(
        &scope,
        <RevokeToken as leptos::server_fn::ServerFn>::PATH,
        revoked.as_ref().err(),
        &[],
    );
    revoked
}
