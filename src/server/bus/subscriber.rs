//! The bus's pub/sub connection: subscribe, dispatch each event to the hub,
//! and after a drop reconnect with backoff and jitter and replay what was
//! stored meanwhile.

use std::collections::HashSet;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use futures::StreamExt;
use serde::Deserialize;

use crate::model::{RoomId, ServerEvent, UserId};

use super::event::BusEvent;
use super::{Bus, CloseReason, ConnId};

const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// Messages fetched per round trip when filling a gap or replaying.
const REPLAY_PAGE: u32 = 500;

pub(super) async fn run(bus: Bus) {
    let mut backoff = Duration::from_millis(50);
    let mut first = true;
    loop {
        match bus.store().subscribe_bus().await {
            Ok(mut events) => {
                backoff = Duration::from_millis(50);
                if !first {
                    tracing::info!("bus resubscribed: catching up on what it missed");
                    bus.resync().await;
                    bus.replay_all().await;
                }
                first = false;
                while let Some(payload) = events.next().await {
                    bus.dispatch(&payload).await;
                }
                tracing::warn!("bus connection lost");
            }
            Err(err) => tracing::warn!(error = %err, "cannot subscribe to the bus"),
        }
        tokio::time::sleep(with_jitter(backoff)).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Between half and all of `base`, so that instances do not reconnect in step.
fn with_jitter(base: Duration) -> Duration {
    let mut byte = [0u8; 1];
    let fraction = match getrandom::fill(&mut byte) {
        Ok(()) => 0.5 + f64::from(byte[0]) / 510.0,
        Err(_) => 0.75,
    };
    base.mul_f64(fraction)
}

/// The part of a stored message the bus reads.
#[derive(Deserialize)]
struct Header {
    room_id: RoomId,
    seq: u64,
}

impl Bus {
    async fn dispatch(&self, payload: &[u8]) {
        let event: BusEvent = match serde_json::from_slice(payload) {
            Ok(event) => event,
            Err(err) => {
                tracing::warn!(error = %err, "unreadable bus event dropped");
                return;
            }
        };
        match event {
            BusEvent::Message {
                message,
                nonce,
                conn,
            } => {
                let Ok(header) = serde_json::from_str::<Header>(message.get()) else {
                    tracing::warn!("bus message without room or seq dropped");
                    return;
                };
                let origin = conn
                    .as_deref()
                    .and_then(|tag| self.local_conn(tag))
                    .zip(nonce);
                self.deliver_in_order(&header.room_id, header.seq, message.get(), origin)
                    .await;
            }
            BusEvent::Presence { user, online } => {
                let frame = to_frame(&ServerEvent::Presence { user, online });
                let overflowed = self.hub().to_all(&frame);
                self.cut_off(overflowed);
            }
            BusEvent::Typing { room_id, user } => {
                let except = Some(user.id);
                let frame = to_frame(&ServerEvent::Typing {
                    room_id: room_id.clone(),
                    user,
                });
                let overflowed = self.hub().to_room(&room_id, &frame, None, except);
                self.cut_off(overflowed);
            }
            BusEvent::Room { room, user, after } => {
                let id = room.id.clone();
                let joined = self.hub_mut().join(user, &id);
                let frame = to_frame(&ServerEvent::Room { room });
                let overflowed = self.hub().to_user(user, &frame);
                self.cut_off(overflowed);
                if joined {
                    self.cursors().entry(id.clone()).or_insert(after);
                    // Messages stored between `after` and now came before
                    // this event: deliver them.
                    self.replay(&id, u64::MAX).await;
                }
            }
            BusEvent::Left { room_id, user } => {
                self.hub_mut().leave(user, &room_id);
                self.prune_cursors();
            }
            BusEvent::Logout { session } => {
                let hub = self.hub();
                for id in hub.of_session(&session) {
                    hub.close(id, CloseReason::SignedOut);
                }
            }
        }
    }

    /// The socket id behind a tag, if the socket lives on this instance.
    fn local_conn(&self, tag: &str) -> Option<ConnId> {
        let (instance, id) = tag.split_once('/')?;
        (instance == self.instance())
            .then(|| id.parse().ok())
            .flatten()
    }

    /// Delivers message `seq` of `room` after any it skipped, and never twice.
    async fn deliver_in_order(
        &self,
        room: &RoomId,
        seq: u64,
        message: &str,
        origin: Option<(ConnId, String)>,
    ) {
        let cursor = self.cursors().get(room).copied();
        let Some(cursor) = cursor else {
            return; // No socket here is in the room.
        };
        if seq <= cursor {
            return;
        }
        if seq > cursor + 1 {
            self.replay(room, seq - 1).await;
            if self.cursors().get(room).is_none_or(|now| *now + 1 != seq) {
                // The gap could not be filled: deliver nothing out of order;
                // the next event or replay tries again.
                return;
            }
        }
        self.fan_out(room, seq, message, origin);
    }

    /// Sends one message to the room's sockets and moves its cursor.
    fn fan_out(&self, room: &RoomId, seq: u64, message: &str, origin: Option<(ConnId, String)>) {
        {
            let mut cursors = self.cursors();
            match cursors.get_mut(room) {
                Some(cursor) if *cursor < seq => *cursor = seq,
                _ => return,
            }
        }
        let frame = Utf8Bytes::from(format!(r#"{{"type":"message","message":{message}}}"#));
        let with_nonce = origin.map(|(id, nonce)| {
            let nonce = serde_json::to_string(&nonce).unwrap_or_else(|_| "\"\"".into());
            (
                id,
                Utf8Bytes::from(format!(
                    r#"{{"type":"message","message":{message},"nonce":{nonce}}}"#
                )),
            )
        });
        let special = with_nonce.as_ref().map(|(id, frame)| (*id, frame));
        let overflowed = self.hub().to_room(room, &frame, special, None);
        self.cut_off(overflowed);
    }

    /// Delivers every stored message of `room` above its cursor, up to
    /// `until` (or all of them).
    async fn replay(&self, room: &RoomId, until: u64) {
        loop {
            let Some(cursor) = self.cursors().get(room).copied() else {
                return;
            };
            if cursor >= until {
                return;
            }
            let page = match self.store().messages_after(room, cursor, REPLAY_PAGE).await {
                Ok(page) => page,
                Err(err) => {
                    tracing::warn!(error = %err, room = %room, "cannot replay missed messages");
                    return;
                }
            };
            let full = page.len() == REPLAY_PAGE as usize;
            for message in page.into_iter().filter(|m| m.seq <= until) {
                if let Ok(json) = serde_json::to_string(&message) {
                    self.fan_out(room, message.seq, &json, None);
                }
            }
            let advanced = self.cursors().get(room).is_some_and(|now| *now > cursor);
            if !full || !advanced {
                return;
            }
        }
    }

    /// After a reconnect: sign-outs and membership changes whose events were
    /// missed take effect now, from what Redis holds.
    async fn resync(&self) {
        let sessions = self.hub().sessions();
        match self.store().live_sessions(&sessions).await {
            Ok(live) => {
                let hub = self.hub();
                for (session, _) in sessions.iter().zip(live).filter(|(_, live)| !live) {
                    for id in hub.of_session(session) {
                        hub.close(id, CloseReason::SignedOut);
                    }
                }
            }
            Err(err) => tracing::warn!(error = %err, "cannot check sessions after a reconnect"),
        }
        let memberships = self.hub().memberships();
        let users: Vec<UserId> = memberships.iter().map(|(user, _)| *user).collect();
        let stored = match self.store().room_ids_of_users(&users).await {
            Ok(stored) => stored,
            Err(err) => {
                tracing::warn!(error = %err, "cannot check rooms after a reconnect");
                return;
            }
        };
        for ((user, held), rooms) in memberships.into_iter().zip(stored) {
            let rooms: HashSet<RoomId> = rooms.into_iter().collect();
            for room in held.difference(&rooms) {
                self.hub_mut().leave(user, room);
            }
            let joined: Vec<RoomId> = rooms.difference(&held).cloned().collect();
            if !joined.is_empty() && self.track_rooms(joined.clone()).await.is_ok() {
                for room in &joined {
                    self.hub_mut().join(user, room);
                }
            }
        }
        self.prune_cursors();
    }

    /// After a reconnect: every room with sockets here, from its cursor.
    async fn replay_all(&self) {
        let rooms = self.hub().rooms();
        for room in rooms {
            self.replay(&room, u64::MAX).await;
        }
    }
}

pub(super) fn to_frame(event: &ServerEvent) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(event).unwrap_or_default())
}
