//! Personal API tokens: made, listed and revoked by their owner. Only a
//! browser session makes or lists them (a leaked token cannot mint
//! more); revoking one refuses it at once and closes its sockets.

use crate::error::AppError;
use crate::model::{
    ApiTokenInfo, CredentialId, NewApiToken, TokenName, TokenSettings, MAX_TOKENS_PER_PERSON,
};
use crate::server::events::BusEvent;
use crate::server::request::RequestContext;
use crate::server::session;
use crate::server::store::ApiToken;

use super::messages::now_millis;

pub async fn create(name: String) -> Result<NewApiToken, AppError> {
    let request = RequestContext::current()?;
    let caller = request.caller().await?;
    caller.require_session("API tokens are made")?;
    let name = TokenName::parse(&name)?;
    let token = ApiToken::generate().map_err(|e| {
        tracing::error!(error = %e, "the OS random source failed");
        AppError::Internal
    })?;
    let store = &request.state.store;
    let info = ApiTokenInfo {
        id: store.next_credential_id().await?,
        name,
        created: now_millis(),
    };
    if !store
        .add_api_token(caller.user.id, &info, &token, MAX_TOKENS_PER_PERSON)
        .await?
    {
        return Err(AppError::Conflict(format!(
            "One person may hold at most {MAX_TOKENS_PER_PERSON} API tokens. Revoke one you no longer use."
        )));
    }
    tracing::info!(user = %caller.user.id, token = %info.id, "API token made");
    if request.is_plain_form_post() {
        // The settings page the post lands on shows it once.
        request.set_cookie(session::new_token_cookie(&request.state, &token))?;
    }
    Ok(NewApiToken {
        id: info.id,
        name: info.name,
        token: token.as_str().to_owned(),
        created: info.created,
    })
}

/// The settings page's view: the caller's tokens, and the one their last
/// plain form post made, taken from its cookie (then cleared) if it is
/// theirs and still live.
pub async fn settings() -> Result<TokenSettings, AppError> {
    let request = RequestContext::current()?;
    let caller = request.caller().await?;
    caller.require_session("API tokens are listed")?;
    let store = &request.state.store;
    let tokens = store.api_tokens(caller.user.id).await?;
    let mut made = None;
    if let Some(token) = session::new_token(&request.headers) {
        request.set_cookie(session::cleared_new_token_cookie(&request.state))?;
        if let Some(owner) = store.api_token_owner(&token).await? {
            let info = tokens.iter().find(|info| info.id == owner.id);
            if let (true, Some(info)) = (owner.user == caller.user.id, info) {
                made = Some(NewApiToken {
                    id: info.id,
                    name: info.name.clone(),
                    token: token.as_str().to_owned(),
                    created: info.created,
                });
            }
        }
    }
    Ok(TokenSettings { tokens, made })
}

pub async fn list() -> Result<Vec<ApiTokenInfo>, AppError> {
    let request = RequestContext::current()?;
    let caller = request.caller().await?;
    caller.require_session("API tokens are listed")?;
    Ok(request.state.store.api_tokens(caller.user.id).await?)
}

pub async fn revoke(id: String) -> Result<(), AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    let id = CredentialId::parse(&id)?;
    let store = &request.state.store;
    let fingerprint = store
        .revoke_api_token(user.id, id)
        .await?
        .ok_or_else(|| AppError::NotFound("You have no API token with that id.".into()))?;
    tracing::info!(user = %user.id, token = %id, "API token revoked");
    // Its sockets close on every instance, as a signed-out session's do.
    store
        .publish(&BusEvent::Logout {
            user: user.id,
            session: fingerprint,
        })
        .await?;
    Ok(())
}
