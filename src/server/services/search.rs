//! Search: the caller's rooms (or one of them) for messages holding every
//! word of a query, newest first, each with where its words matched.

use crate::error::AppError;
use crate::model::{Message, RoomId};
use crate::server::request::RequestContext;
use crate::server::words::Query;

use super::rooms::require_member;

/// Results per search unless asked: 1 to [`MAX_LIMIT`].
const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 50;

pub async fn search(
    q: String,
    room_id: Option<String>,
    limit: Option<u32>,
) -> Result<Vec<Message>, AppError> {
    let request = RequestContext::current()?;
    let user = request.user().await?;
    let query = Query::parse(&q)?;
    let limit = match limit.unwrap_or(DEFAULT_LIMIT) {
        n @ 1..=MAX_LIMIT => n as usize,
        _ => return Err(AppError::BadInput(format!("limit is 1 to {MAX_LIMIT}."))),
    };
    let store = &request.state.store;
    let rooms = match room_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty())
    {
        Some(id) => {
            let room = RoomId::parse(id)?;
            require_member(store, &room, user.id).await?;
            vec![room]
        }
        None => store.room_ids_of(user.id).await?,
    };
    let mut found = store.search(&rooms, &query, limit).await?;
    for message in &mut found {
        message.highlights = query
            .matches_in(&message.text)
            .into_iter()
            .map(|range| [range.start, range.end])
            .collect();
    }
    Ok(found)
}
