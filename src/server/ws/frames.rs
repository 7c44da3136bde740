//! Answers each frame a client sends: send, the changes (edit, delete,
//! react), sync and typing. A frame that is not valid or not allowed gets
//! an `error` event; the socket stays open.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::mpsc;

use crate::error::AppError;
use crate::model::{ClientFrame, MessageText, RoomId, ServerEvent, User, MAX_NONCE_LEN};
use crate::server::bus::Outbound;
use crate::server::events::{BusEvent, ConnId, ConnTag};
use crate::server::services::changes::{change, Request};
use crate::server::services::messages::{store_message, Origin, Sent};
use crate::server::services::rooms::require_member;
use crate::server::session::Caller;
use crate::server::store::Budget;
use crate::server::AppState;

/// A socket sends at most one typing event per room in this time.
const TYPING_EVERY: Duration = Duration::from_secs(2);
/// Messages per round trip when answering a sync.
const SYNC_PAGE: u32 = 500;

pub(super) struct FrameHandler {
    state: AppState,
    /// Who the socket signed in, and with what (a program's sends are
    /// marked as its token's).
    caller: Caller,
    user: User,
    conn: ConnId,
    tag: ConnTag,
    replies: mpsc::Sender<Outbound>,
    typed: HashMap<RoomId, Instant>,
}

impl FrameHandler {
    pub fn new(
        state: AppState,
        caller: Caller,
        conn: ConnId,
        replies: mpsc::Sender<Outbound>,
    ) -> Self {
        let tag = state.bus.conn_tag(conn);
        FrameHandler {
            state,
            user: caller.user.clone(),
            caller,
            conn,
            tag,
            replies,
            typed: HashMap::new(),
        }
    }

    pub async fn handle(&mut self, text: &str) {
        let frame = match serde_json::from_str::<ClientFrame>(text) {
            Ok(frame) => frame,
            Err(err) => {
                // A send or change that names its nonce is answered naming
                // it, even when the rest of the frame is not valid, so that
                // the client can settle what it holds as pending.
                return self
                    .reply(&ServerEvent::Error {
                        reason: format!("That frame is not valid: {err}."),
                        nonce: frame_nonce(text),
                    })
                    .await;
            }
        };
        let (result, nonce) = match frame {
            ClientFrame::Send {
                room_id,
                text,
                nonce,
                retry,
                reply_to,
            } => (
                self.send(room_id, &text, reply_to, nonce.as_deref(), retry)
                    .await,
                nonce,
            ),
            ClientFrame::Sync {
                room_id,
                after,
                after_rev,
            } => (
                match after_rev {
                    Some(after_rev) => self.sync_changes(room_id, after_rev).await,
                    None => self.sync(room_id, after.unwrap_or(0)).await,
                },
                None,
            ),
            ClientFrame::Edit {
                room_id,
                seq,
                text,
                nonce,
            } => (
                self.change(room_id, seq, Request::Edit { text: &text })
                    .await,
                nonce,
            ),
            ClientFrame::Delete {
                room_id,
                seq,
                nonce,
            } => (self.change(room_id, seq, Request::Delete).await, nonce),
            ClientFrame::React {
                room_id,
                seq,
                emoji,
                on,
                nonce,
            } => (
                self.change(room_id, seq, Request::React { emoji: &emoji, on })
                    .await,
                nonce,
            ),
            ClientFrame::Typing { room_id } => (self.typing(room_id).await, None),
        };
        if let Err(err) = result {
            // The nonce names the failed send or change; an over-long one
            // is not echoed.
            let nonce = nonce.filter(|n| n.chars().count() <= MAX_NONCE_LEN);
            self.reply(&ServerEvent::Error {
                reason: err.to_string(),
                nonce,
            })
            .await;
        }
    }

    pub async fn refuse(&self, reason: &str) {
        self.reply(&ServerEvent::Error {
            reason: reason.to_owned(),
            nonce: None,
        })
        .await;
    }

    async fn reply(&self, event: &ServerEvent) {
        if let Ok(json) = serde_json::to_string(event) {
            let _ = self
                .replies
                .send(Outbound::Frame(Utf8Bytes::from(json)))
                .await;
        }
    }

    /// Stores and publishes. The echo (with the nonce) comes over the bus
    /// when it can, and from the bus's book of echoes when the live event
    /// was lost (see `bus::delivery`): once either way. A `retry` of a send
    /// this user made before with the same room and nonce (a client
    /// repeating a send it never saw answered) is echoed from here
    /// instead, and not stored again.
    async fn send(
        &self,
        room: RoomId,
        text: &str,
        reply_to: Option<u64>,
        nonce: Option<&str>,
        retry: bool,
    ) -> Result<(), AppError> {
        if nonce.is_some_and(|n| n.chars().count() > MAX_NONCE_LEN) {
            return Err(AppError::BadInput(format!(
                "A nonce is at most {MAX_NONCE_LEN} characters long."
            )));
        }
        let text = MessageText::parse(text)?;
        let origin = nonce.map(|nonce| Origin {
            connection: &self.tag,
            nonce,
            retry,
        });
        let via = self.caller.via();
        match store_message(&self.state, &room, &self.user, &text, reply_to, origin, via).await? {
            Sent::Now(message) => {
                if let Some(nonce) = nonce {
                    self.state.bus.settle_echo(self.conn, &message, nonce);
                }
            }
            Sent::Before(message) => {
                self.reply(&ServerEvent::Message {
                    message,
                    nonce: nonce.map(str::to_owned),
                })
                .await;
            }
        }
        Ok(())
    }

    /// Waits for a page of the user's sync budget: a sync's first page is
    /// free (a reconnect syncs every room), each further page takes one,
    /// and with none left the sync waits for the budget to refill, so that
    /// a sync from 0 in a huge room costs its reader time, not the server.
    async fn budget_page(&self, first: &mut bool) -> Result<(), AppError> {
        if std::mem::take(first) {
            return Ok(());
        }
        let budget = Budget {
            burst: self.state.config.sync_pages_burst.max(1),
            per_second: self.state.config.sync_pages_per_second.max(0.01),
        };
        let mut waited = false;
        let store = &self.state.store;
        while !self.replies.is_closed() && !store.take_sync_page(self.user.id, budget).await? {
            if !waited {
                self.state.bus.count_sync_wait();
                waited = true;
            }
            tokio::time::sleep(Duration::from_secs_f64(1.0 / budget.per_second)).await;
        }
        Ok(())
    }

    /// Replays every stored message above `after`, in order.
    async fn sync(&self, room: RoomId, mut after: u64) -> Result<(), AppError> {
        let store = &self.state.store;
        require_member(store, &room, self.user.id).await?;
        let mut first = true;
        loop {
            self.budget_page(&mut first).await?;
            let page = store.messages_after(&room, after, SYNC_PAGE).await?;
            let full = page.len() == SYNC_PAGE as usize;
            for message in page {
                after = message.seq;
                self.reply(&ServerEvent::Message {
                    message,
                    nonce: None,
                })
                .await;
            }
            // A socket closed meanwhile (its writer gone) reads no more.
            if !full || self.replies.is_closed() {
                return Ok(());
            }
        }
    }

    /// Applies a change; the `update` reaches this socket over the bus,
    /// with every other member's.
    async fn change(&self, room: RoomId, seq: u64, request: Request<'_>) -> Result<(), AppError> {
        change(&self.state, &self.user, &room, seq, request)
            .await
            .map(|_| ())
    }

    /// Replays every message whose rev is above `after_rev`, in rev order:
    /// one stored since as a `message` event, one changed since as an
    /// `update` event.
    async fn sync_changes(&self, room: RoomId, after_rev: u64) -> Result<(), AppError> {
        let store = &self.state.store;
        require_member(store, &room, self.user.id).await?;
        let mut cursor = after_rev;
        let mut first = true;
        loop {
            self.budget_page(&mut first).await?;
            let page = store.changes_after(&room, cursor, SYNC_PAGE).await?;
            let full = page.len() == SYNC_PAGE as usize;
            for changed in page {
                cursor = changed.message.rev;
                let event = if changed.stored_rev > after_rev {
                    ServerEvent::Message {
                        message: changed.message,
                        nonce: None,
                    }
                } else {
                    ServerEvent::Update {
                        message: changed.message,
                    }
                };
                self.reply(&event).await;
            }
            // A socket closed meanwhile (its writer gone) reads no more.
            if !full || self.replies.is_closed() {
                return Ok(());
            }
        }
    }

    /// Publishes a typing event, at most one per person and room per
    /// [`TYPING_EVERY`]: this socket keeps its own clock (no Redis call for
    /// a notice it already knows is too soon), and a gate in Redis holds
    /// the person to it across their other sockets and instances.
    async fn typing(&mut self, room: RoomId) -> Result<(), AppError> {
        if !self.state.bus.is_member(self.conn, &room) {
            return Err(AppError::Forbidden(
                "You are not a member of this room.".into(),
            ));
        }
        let now = Instant::now();
        if self
            .typed
            .get(&room)
            .is_some_and(|last| now.duration_since(*last) < TYPING_EVERY)
        {
            return Ok(());
        }
        self.typed.insert(room.clone(), now);
        let store = &self.state.store;
        if !store
            .claim_typing(&room, self.user.id, TYPING_EVERY)
            .await?
        {
            return Ok(());
        }
        store
            .publish(&BusEvent::Typing {
                room_id: room,
                user: self.user.clone(),
            })
            .await?;
        Ok(())
    }
}

/// The nonce of a frame that reads as a `send` (or an `edit`, `delete` or
/// `react`) with a string `nonce` (of at most `MAX_NONCE_LEN`
/// characters), whatever else is wrong with it.
fn frame_nonce(text: &str) -> Option<String> {
    let frame: serde_json::Value = serde_json::from_str(text).ok()?;
    if !matches!(frame.get("type")?.as_str()?, "send" | "edit" | "delete" | "react") {
        return None;
    }
    let nonce = frame.get("nonce")?.as_str()?;
    (nonce.chars().count() <= MAX_NONCE_LEN).then(|| nonce.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_send_or_change_is_refused_naming_its_nonce() {
        let named = |text: &str| frame_nonce(text);
        assert_eq!(
            named(r#"{"type":"send","room_id":"0","text":"x","nonce":"c-3b","reply_to":"1"}"#)
                .as_deref(),
            Some("c-3b")
        );
        assert_eq!(
            named(r#"{"type":"send","room_id":0,"nonce":"c-4"}"#).as_deref(),
            Some("c-4")
        );
        assert_eq!(
            named(r#"{"type":"react","room_id":"0","seq":"1","nonce":"c-5"}"#).as_deref(),
            Some("c-5")
        );
        assert_eq!(named(r#"{"type":"typing","nonce":"c-6"}"#), None);
        assert_eq!(named(r#"{"type":"send","nonce":7}"#), None);
        assert_eq!(
            named(&format!(
                r#"{{"type":"send","nonce":"{}"}}"#,
                "n".repeat(65)
            )),
            None
        );
        assert_eq!(named("not json"), None);
    }
}
