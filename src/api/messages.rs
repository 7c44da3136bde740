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
    let sent = crate::server::services::messages::send(room_id, text.clone()).await;
    if let Err(err) = &sent {
        // Without JavaScript, the page comes back with the text still in
        // the box (`draft`), beside the reason.
        crate::server::request::refuse_form_post_keeping(
            <SendMessage as leptos::server_fn::ServerFn>::PATH,
            err,
            &[("draft", &text)],
        );
    }
    sent
}
