//! Search: `/api/search`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Message;

/// Messages that hold every word of `q` (any case, any accents; the last
/// word may be a prefix), from the caller's rooms or the room `room_id`,
/// newest first, at most `limit` (1 to 50, default 20). Each carries
/// `highlights`: the byte ranges of its text that matched.
#[server(prefix = "/api", endpoint = "search")]
pub async fn search(
    q: String,
    room_id: Option<String>,
    limit: Option<u32>,
) -> Result<Vec<Message>, AppError> {
    crate::server::services::search::search(q, room_id, limit).await
}
