//! Search: `/api/search`, and `/api/search/panel` (the results as the
//! search page shows them, for the search box while typing).

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

/// The search page's results for `q` as HTML (the same the server writes
/// on `/search?q=`, every text escaped), or why there are none: what the
/// search box shows while the reader types.
#[server(prefix = "/api", endpoint = "search/panel")]
pub async fn search_panel(q: String) -> Result<String, AppError> {
    use crate::ui::components::search::{refusal_html, results_html};
    let rooms = crate::api::rooms().await?;
    Ok(match search(q, None, None).await {
        Ok(found) => results_html(&rooms, &found),
        Err(err) => refusal_html(&err),
    })
}
