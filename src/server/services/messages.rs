//! Messages: reading history and sending over HTTP.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::AppError;
use crate::model::{
    mentioned_names, page_limit, Message, MessageText, RoomId, User, UserId, Username,
};
use crate::server::events::{ConnTag, Envelope};
use crate::server::request::RequestContext;
use crate::server::store::{Draft, Budget, SendOutcome, Via};
use crate::server::AppState;

use super::rooms::{not_member_error, require_member};

pub async fn history(
    room_id: String,
    before: Option<u64>,
    limit: Option<u32>,
) -> Result<Vec<Message>, AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    let room = RoomId::parse(&room_id)?;
    let limit = page_limit(limit)?;
    let store = &request.state.store;
    require_member(store, &room, user.id).await?;
    Ok(store.messages_before(&room, before, limit).await?)
}

pub async fn send(
    room_id: String,
    text: String,
    reply_to: Option<u64>,
) -> Result<Message, AppError> {
    let request = RequestContext::current()?;
    let caller = request.caller().await?;
    let room = RoomId::parse(&room_id)?;
    let text = MessageText::parse(&text)?;
    match store_message(
        &request.state,
        &room,
        &caller.user,
        &text,
        reply_to,
        None,
        caller.via(),
    )
    .await?
    {
        Sent::Now(message) | Sent::Before(message) => Ok(message),
    }
}

/// A stored message: stored by this call (and published), or by an
/// earlier send with the same nonce (published then).
pub enum Sent {
    Now(Message),
    Before(Message),
}

/// Where a socket send came from: the connection, the client's nonce for
/// it, and whether the client says it repeats an earlier send.
#[derive(Clone, Copy)]
pub struct Origin<'a> {
    pub connection: &'a ConnTag,
    pub nonce: &'a str,
    pub retry: bool,
}

/// Stores and publishes a message, from HTTP or a socket (`origin`),
/// posted by a program `via` a token or a webhook, or by a person. A
/// socket send that retries one stored under the same nonce is not stored
/// again.
pub async fn store_message(
    state: &AppState,
    room: &RoomId,
    sender: &User,
    text: &MessageText,
    reply_to: Option<u64>,
    origin: Option<Origin<'_>>,
    via: Option<Via<'_>>,
) -> Result<Sent, AppError> {
    if let RoomId::Direct(a, b) = room {
        if state.store.blocked_either_way(*a, *b).await? {
            return Err(blocked_direct());
        }
    }
    let limits = send_limits(state);
    let named = named_users(state, sender.id, text.as_str()).await?;
    let draft = Draft {
        room,
        sender,
        text,
        date: now_millis(),
        nonce: origin.map(|origin| origin.nonce),
        retry: origin.is_some_and(|origin| origin.retry),
        reply_to,
        named: &named,
        via,
    };
    let echo_to = origin.map(|origin| (origin.connection, origin.nonce));
    let started = std::time::Instant::now();
    let outcome = state
        .store
        .send_message(&draft, limits, &Envelope::new(echo_to))
        .await?;
    state.send_latency.observe(started.elapsed());
    match outcome {
        SendOutcome::Stored(message) => Ok(Sent::Now(message)),
        SendOutcome::SentBefore(message) => Ok(Sent::Before(message)),
        SendOutcome::NotMember => Err(not_member_error(&state.store, room, sender.id).await),
        SendOutcome::NoSuchReply => Err(no_such_message()),
        SendOutcome::RateLimited => Err(too_fast()),
    }
}

/// A user's send budget, shared by sends and changes.
pub fn send_limits(state: &AppState) -> Budget {
    Budget {
        burst: state.config.send_burst,
        per_second: state.config.send_per_second,
    }
}

/// The users `text` names as `@username` (the store keeps the members),
/// but those who blocked `sender`: their mention counts for nothing.
pub async fn named_users(state: &AppState, sender: UserId, text: &str) -> Result<Vec<UserId>, AppError> {
    let names: Vec<Username> = mentioned_names(text)
        .iter()
        .filter_map(|name| Username::parse(name).ok())
        .collect();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let named = state.store.user_ids_named(&names).await?;
    Ok(state.store.not_blocking(sender, named).await?)
}

/// A direct room between two people one of whom blocked the other.
pub fn blocked_direct() -> AppError {
    AppError::Forbidden("You cannot write to this person: one of you blocked the other.".into())
}

pub fn too_fast() -> AppError {
    AppError::TooManyRequests("You are sending messages too fast. Please wait a moment.".into())
}

pub fn no_such_message() -> AppError {
    AppError::NotFound("There is no such message in this room.".into())
}

pub fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
