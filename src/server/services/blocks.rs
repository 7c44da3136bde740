//! Blocking a person: the blocker and the blocked get no direct room
//! together (none opens, and nothing more is sent in one they had), and
//! the blocked person's `@` mentions of the blocker count for nothing (no
//! mention, no badge, no notification). Either may still read the other in
//! public rooms.

use crate::error::AppError;
use crate::model::{User, UserId, Username};
use crate::server::request::RequestContext;

/// The most people one person may block.
pub const MAX_BLOCKED: usize = 1000;

/// Blocks the person named by `user_id` or, failing that, `username`.
pub async fn block(user_id: Option<String>, username: Option<String>) -> Result<(), AppError> {
    let request = RequestContext::current()?;
    let me = request.user().await?;
    let other = person(&request, user_id, username).await?;
    if other == me.id {
        return Err(AppError::BadInput("You cannot block yourself.".into()));
    }
    let store = &request.state.store;
    if store.block(me.id, other).await? > MAX_BLOCKED {
        store.unblock(me.id, other).await?;
        return Err(AppError::Conflict(format!(
            "One person may block at most {MAX_BLOCKED} people."
        )));
    }
    Ok(())
}

pub async fn unblock(user_id: String) -> Result<(), AppError> {
    let request = RequestContext::current()?;
    let me = request.user().await?;
    let other: UserId = user_id.parse()?;
    Ok(request.state.store.unblock(me.id, other).await?)
}

/// The people the caller blocked, by name (those whose account is gone
/// are left out).
pub async fn blocked() -> Result<Vec<User>, AppError> {
    let request = RequestContext::current()?;
    let me = request.user().await?;
    let store = &request.state.store;
    let mut people = Vec::new();
    for id in store.blocked(me.id).await? {
        if let Some(user) = store.user(id).await? {
            people.push(user);
        }
    }
    people.sort_by_key(|user| user.username.canonical());
    Ok(people)
}

/// The id of the person a request names, by id or by username: 404 when
/// nobody has it, 400 when it names nobody at all.
async fn person(
    request: &RequestContext,
    user_id: Option<String>,
    username: Option<String>,
) -> Result<UserId, AppError> {
    let store = &request.state.store;
    let nobody = || AppError::NotFound("There is no such user.".into());
    match (user_id.filter(|id| !id.trim().is_empty()), username) {
        (Some(id), _) => {
            let id: UserId = id.parse()?;
            store.user(id).await?.map(|user| user.id).ok_or_else(nobody)
        }
        (None, Some(name)) => {
            let name = Username::parse(&name)?;
            store
                .user_ids_named(std::slice::from_ref(&name))
                .await?
                .pop()
                .ok_or_else(nobody)
        }
        (None, None) => Err(AppError::BadInput("Name the person to block.".into())),
    }
}
