//! Messages: `/api/messages` (history pages) and `/api/messages/send`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Message;

/// The newest `limit` (1 to 100, default 50) messages with seq below
/// `before`, oldest first.
#[server(prefix = "/api", endpoint = "messages")]
pub async fn messages(
    room_id: String,
    before: Option<u64>,
    limit: Option<u32>,
) -> Result<Vec<Message>, AppError> {
    crate::server::services::messages::history(room_id, before, limit).await
}

/// Stores a message and delivers it live.
#[server(prefix = "/api", endpoint = "messages/send")]
pub async fn send_message(room_id: String, text: String) -> Result<Message, AppError> {
    // Taken before any await (see server::request).
    let scope = crate::server::request::RequestScope::capture();
    let sent = crate::server::services::messages::send(room_id, text.clone()).await;
    // Without JavaScript, a refused message comes back in the box (`draft`,
    // beside the reason), unless it is too long to ride in a URL; a sent
    // one leaves no draft behind in the page's URL.
    let draft = if text.len() <= crate::server::request::DRAFT_IN_URL_MAX_BYTES {
        text.as_str()
    } else {
        ""
    };
    crate::server::request::form_post_back(
        &scope,
        <SendMessage as leptos::server_fn::ServerFn>::PATH,
        sent.as_ref().err(),
        &[("draft", draft)],
    );
    sent
}
