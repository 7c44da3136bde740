//! Incoming webhooks: `/api/rooms/webhook`, and the additions
//! `/api/rooms/webhooks` and `/api/rooms/webhook/revoke`. Posting through
//! one is `POST /hooks/{secret}` (not a server function: see
//! `server::hooks`).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Webhook;

/// A new secret URL that posts into `room_id` as the caller, its messages
/// marked with `name` (default "webhook").
#[server(prefix = "/api", endpoint = "rooms/webhook")]
pub async fn create_webhook(room_id: String, name: Option<String>) -> Result<Webhook, AppError> {
    crate::server::services::webhooks::create(room_id, name).await
}

/// The caller's webhooks (in `room_id` only, if given).
#[server(prefix = "/api", endpoint = "rooms/webhooks")]
pub async fn webhooks(room_id: Option<String>) -> Result<Vec<Webhook>, AppError> {
    crate::server::services::webhooks::list(room_id).await
}

/// Revokes the caller's webhook `id`: its URL answers 404 from now on.
#[server(prefix = "/api", endpoint = "rooms/webhook/revoke")]
pub async fn revoke_webhook(id: String) -> Result<(), AppError> {
    crate::server::services::webhooks::revoke(id).await
}
