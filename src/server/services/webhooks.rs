//! Incoming webhooks: a member makes a secret URL that posts into a room
//! as them; anyone holding it posts with `POST /hooks/{secret}` (see
//! `server::hooks`). Listed and revoked by their maker; a member who
//! leaves the room takes their webhooks there with them.

use crate::error::AppError;
use crate::model::{CredentialId, Message, MessageText, RoomId, TokenName, UserId, Webhook};
use crate::server::request::RequestContext;
use crate::server::store::{HookSecret, Store, Via, MAX_HOOKS_PER_PERSON};
use crate::server::AppState;

use super::messages::{now_millis, store_message, Sent};
use super::rooms::require_member;

/// A webhook's name when its maker gives none.
const DEFAULT_NAME: &str = "webhook";

pub async fn create(room_id: String, name: Option<String>) -> Result<Webhook, AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    let room = RoomId::parse(&room_id)?;
    let name = TokenName::parse(name.as_deref().unwrap_or(DEFAULT_NAME))?;
    let store = &request.state.store;
    require_member(store, &room, user.id).await?;
    let secret = HookSecret::generate().map_err(|e| {
        tracing::error!(error = %e, "the OS random source failed");
        AppError::Internal
    })?;
    let hook = Webhook {
        id: store.next_credential_id().await?,
        name,
        room_id: room,
        url: secret.url(),
        created: now_millis(),
    };
    if !store.add_hook(user.id, &hook, &secret).await? {
        return Err(AppError::Conflict(format!(
            "One person may hold at most {MAX_HOOKS_PER_PERSON} webhooks. Revoke one you no longer use."
        )));
    }
    tracing::info!(user = %user.id, hook = %hook.id, room = %hook.room_id, "webhook made");
    Ok(hook)
}

/// The caller's webhooks, in `room_id` only if given.
pub async fn list(room_id: Option<String>) -> Result<Vec<Webhook>, AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    let room = room_id.as_deref().map(RoomId::parse).transpose()?;
    let mut hooks = request.state.store.hooks(user.id).await?;
    hooks.retain(|hook| room.as_ref().is_none_or(|room| hook.room_id == *room));
    Ok(hooks)
}

pub async fn revoke(id: String) -> Result<(), AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    let id = CredentialId::parse(&id)?;
    if !request.state.store.revoke_hook(user.id, id).await? {
        return Err(AppError::NotFound(
            "You have no webhook with that id.".into(),
        ));
    }
    tracing::info!(user = %user.id, hook = %id, "webhook revoked");
    Ok(())
}

/// Revokes `user`'s webhooks in `room` (they left it).
pub async fn revoke_in_room(store: &Store, user: UserId, room: &RoomId) -> Result<(), AppError> {
    for hook in store.hooks(user).await? {
        if hook.room_id == *room {
            store.revoke_hook(user, hook.id).await?;
        }
    }
    Ok(())
}

fn unknown_hook() -> AppError {
    AppError::NotFound("There is no such webhook: it was revoked, or never made.".into())
}

/// Posts `text` through the webhook whose secret is `secret`, as its
/// maker, under their send rules and limits.
pub async fn post(state: &AppState, secret: &str, text: &str) -> Result<Message, AppError> {
    let secret = HookSecret::parse(secret).ok_or_else(unknown_hook)?;
    let store = &state.store;
    let target = store.hook_target(&secret).await?.ok_or_else(unknown_hook)?;
    let maker = store.user(target.user).await?.ok_or_else(unknown_hook)?;
    let text = MessageText::parse(text)?;
    if !store.is_member(&target.room, maker.id).await? {
        // Its maker left: the webhook goes with them.
        store.revoke_hook(maker.id, target.id).await?;
        return Err(unknown_hook());
    }
    let via = Via {
        kind: "webhook",
        name: target.name.as_str(),
    };
    match store_message(state, &target.room, &maker, &text, None, None, Some(via)).await? {
        Sent::Now(message) | Sent::Before(message) => Ok(message),
    }
}
