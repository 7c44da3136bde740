//! Messages: `/api/messages` (history pages), `/api/messages/send`, the
//! changes (`/edit`, `/delete`, `/react`) and `/api/messages/changes`.

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

/// Stores a message (answering message `reply_to`, if given) and
/// delivers it live.
#[server(prefix = "/api", endpoint = "messages/send")]
pub async fn send_message(
    room_id: String,
    text: String,
    reply_to: Option<u64>,
) -> Result<Message, AppError> {
    // Taken before any await (see server::request).
    let scope = crate::server::request::RequestScope::capture();
    let sent = crate::server::services::messages::send(room_id, text.clone(), reply_to).await;
    // Without JavaScript, a refused message comes back in the box (`draft`,
    // beside the reason), unless it is too long to ride in a URL; a sent
    // one leaves no draft behind in the page's URL.
    // An answer chosen without JavaScript (`reply`) is kept likewise.
    let reply = reply_to.map(|seq| seq.to_string()).unwrap_or_default();
    crate::server::request::form_post_back(
        &scope,
        <SendMessage as leptos::server_fn::ServerFn>::PATH,
        sent.as_ref().err(),
        &[
            ("draft", crate::server::request::draft_for_url(&text)),
            ("reply", &reply),
        ],
    );
    sent
}

/// Replaces the text of one's own message.
#[server(prefix = "/api", endpoint = "messages/edit")]
pub async fn edit_message(room_id: String, seq: u64, text: String) -> Result<Message, AppError> {
    // Taken before any await (see server::request).
    let scope = crate::server::request::RequestScope::capture();
    let edited = crate::server::services::changes::edit(room_id, seq, text.clone()).await;
    // Without JavaScript, a refused edit's text comes back in the box.
    crate::server::request::land_change(
        &scope,
        <EditMessage as leptos::server_fn::ServerFn>::PATH,
        edited.as_ref(),
        &[("draft", crate::server::request::draft_for_url(&text))],
    );
    edited
}

/// Deletes a message (its author, the room's owner, or an admin): it stays
/// in the history as a tombstone.
#[server(prefix = "/api", endpoint = "messages/delete")]
pub async fn delete_message(room_id: String, seq: u64) -> Result<Message, AppError> {
    // Taken before any await (see server::request).
    let scope = crate::server::request::RequestScope::capture();
    let deleted = crate::server::services::changes::delete(room_id, seq).await;
    crate::server::request::land_change(
        &scope,
        <DeleteMessage as leptos::server_fn::ServerFn>::PATH,
        deleted.as_ref(),
        &[],
    );
    deleted
}

/// Adds (`on`) or takes away the caller's reaction `emoji`.
#[server(prefix = "/api", endpoint = "messages/react")]
pub async fn react_message(
    room_id: String,
    seq: u64,
    emoji: String,
    on: bool,
) -> Result<Message, AppError> {
    // Taken before any await (see server::request).
    let scope = crate::server::request::RequestScope::capture();
    let reacted = crate::server::services::changes::react(room_id, seq, emoji, on).await;
    crate::server::request::land_change(
        &scope,
        <ReactMessage as leptos::server_fn::ServerFn>::PATH,
        reacted.as_ref(),
        &[],
    );
    reacted
}

/// The messages of a room whose rev is above `after_rev`, in rev order.
#[server(prefix = "/api", endpoint = "messages/changes")]
pub async fn message_changes(
    room_id: String,
    after_rev: u64,
    limit: Option<u32>,
) -> Result<Vec<Message>, AppError> {
    crate::server::services::changes::since(room_id, after_rev, limit).await
}
