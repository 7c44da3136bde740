//! Personal API tokens: `/api/tokens/create`, `/api/tokens`,
//! `/api/tokens/revoke`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{ApiTokenInfo, NewApiToken};

/// Makes a token named `name`; the answer is the only time it is shown.
/// From a browser session only.
#[server(prefix = "/api", endpoint = "tokens/create")]
pub async fn create_token(name: String) -> Result<NewApiToken, AppError> {
    crate::server::services::tokens::create(name).await
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
    crate::server::services::tokens::revoke(id).await
}
