//! Changing stored messages (edit, delete, react) over HTTP and the
//! websocket alike, and reading a room's changes after a rev.

use crate::error::AppError;
use crate::model::{Message, MessageText, RoomId, RoomKind, User};
use crate::server::request::RequestContext;
use crate::server::store::{Change, ChangeOutcome};
use crate::server::AppState;

use super::messages::{named_users, no_such_message, now_millis, send_limits, too_fast};
use super::rooms::{not_member_error, require_member};

/// How many changes one answer holds at most, and by default.
pub const CHANGES_MAX: u32 = 500;
pub const CHANGES_DEFAULT: u32 = 200;

/// A change a client asks for, before it is checked.
pub enum Request<'a> {
    Edit { text: &'a str },
    Delete,
    React { emoji: &'a str, on: bool },
}

/// Checks and applies a change to message `seq` of `room` by `user`: the
/// changed message (or, for a change that changes nothing, the message as
/// it is).
pub async fn change(
    state: &AppState,
    user: &User,
    room: &RoomId,
    seq: u64,
    request: Request<'_>,
) -> Result<Message, AppError> {
    let text;
    let named;
    let change = match request {
        Request::Edit { text: raw } => {
            text = MessageText::parse(raw)?;
            named = named_users(state, user.id, text.as_str()).await?;
            Change::Edit {
                text: text.as_str(),
                named: &named,
            }
        }
        // An admin moderates the public rooms, a member of them or not;
        // a direct room is its two people's alone.
        Request::Delete => Change::Delete {
            admin: state.config.is_admin(&user.username) && room.kind() == RoomKind::Public,
        },
        Request::React { emoji, on } => Change::React {
            emoji: one_emoji(emoji)?,
            on,
            name: &user.username,
        },
    };
    let outcome = state
        .store
        .change_message(room, seq, user.id, change, send_limits(state), now_millis())
        .await?;
    match outcome {
        ChangeOutcome::Changed(message) | ChangeOutcome::Same(message) => Ok(message),
        ChangeOutcome::NotMember => Err(not_member_error(&state.store, room, user.id).await),
        ChangeOutcome::NoSuchMessage => Err(no_such_message()),
        ChangeOutcome::NotAllowed => Err(AppError::Forbidden(
            "Only its author (or, to delete it, the room's owner or an admin) may do that to this message.".into(),
        )),
        ChangeOutcome::Deleted => Err(AppError::Conflict("That message was deleted.".into())),
        ChangeOutcome::TooManyReactions => Err(AppError::Conflict(format!(
            "A message carries at most {} different emoji.",
            crate::model::MAX_REACTIONS
        ))),
        ChangeOutcome::RateLimited => Err(too_fast()),
    }
}

/// The emoji `raw` is, if it is exactly one (a flag, a skin tone or a ZWJ
/// sequence counts as one), in its fully-qualified form, so that `❤` and
/// `❤️` (with the emoji variation selector) are one reaction; else a 400.
/// A variation selector where the emoji takes none (`👍` followed by
/// U+FE0F, as some keyboards send it) is read past.
fn one_emoji(raw: &str) -> Result<&'static str, AppError> {
    let found = emojis::get(raw).or_else(|| {
        raw.contains('\u{fe0f}')
            .then(|| emojis::get(&raw.replace('\u{fe0f}', "")))
            .flatten()
    });
    match found {
        Some(emoji) => Ok(emoji.as_str()),
        None => Err(AppError::BadInput("A reaction is one emoji.".into())),
    }
}

pub async fn edit(room_id: String, seq: u64, text: String) -> Result<Message, AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    let room = RoomId::parse(&room_id)?;
    change(&request.state, &user, &room, seq, Request::Edit { text: &text }).await
}

pub async fn delete(room_id: String, seq: u64) -> Result<Message, AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    let room = RoomId::parse(&room_id)?;
    change(&request.state, &user, &room, seq, Request::Delete).await
}

pub async fn react(room_id: String, seq: u64, emoji: String, on: bool) -> Result<Message, AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    let room = RoomId::parse(&room_id)?;
    change(&request.state, &user, &room, seq, Request::React { emoji: &emoji, on }).await
}

/// The messages of a room whose rev is above `after_rev`, in rev order.
pub async fn since(room_id: String, after_rev: u64, limit: Option<u32>) -> Result<Vec<Message>, AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    let room = RoomId::parse(&room_id)?;
    let limit = match limit.unwrap_or(CHANGES_DEFAULT) {
        n @ 1..=CHANGES_MAX => n,
        _ => return Err(AppError::BadInput(format!("limit is 1 to {CHANGES_MAX}."))),
    };
    let store = &request.state.store;
    require_member(store, &room, user.id).await?;
    let changed = store.changes_after(&room, after_rev, limit).await?;
    Ok(changed.into_iter().map(|changed| changed.message).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emoji_is_kept_in_its_fully_qualified_form() {
        for (typed, kept) in [
            ("\u{2764}", "\u{2764}\u{fe0f}"),
            ("\u{2764}\u{fe0f}", "\u{2764}\u{fe0f}"),
            ("👍", "👍"),
            ("👍🏽", "👍🏽"),
            ("1\u{20e3}", "1\u{fe0f}\u{20e3}"),
            ("🏳\u{200d}🌈", "🏳\u{fe0f}\u{200d}🌈"),
            ("👍\u{fe0f}", "👍"),
            ("👍🏽\u{fe0f}", "👍🏽"),
        ] {
            assert_eq!(one_emoji(typed).ok(), Some(kept), "{typed:?}");
        }
        for bad in ["", "a", "👍👍", ":+1:", "\u{fe0f}", "a\u{fe0f}", "1\u{fe0f}", "👍\u{fe0f}👍"] {
            assert!(one_emoji(bad).is_err(), "{bad:?}");
        }
    }
}
