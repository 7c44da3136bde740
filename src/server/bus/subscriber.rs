//! The bus's pub/sub connection: connect and subscribe what is wanted,
//! dispatch each event to the hub, and after a drop reconnect with backoff
//! and jitter and catch up on what was missed.

use std::collections::HashSet;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use futures::StreamExt;
use serde::Deserialize;

use crate::model::{RoomId, ServerEvent, UserId};
use crate::server::events::{BusEvent, ConnTag};

use super::delivery::{At, Echo};
use super::memberships::Work;
use super::{Bus, CloseReason};

const MAX_BACKOFF: Duration = Duration::from_secs(5);

pub(super) async fn run(bus: Bus) {
    let mut backoff = Duration::from_millis(50);
    let mut first = true;
    loop {
        match bus.store().bus_link().await {
            Ok((link, mut events)) => {
                let attached = bus.inner.subscriptions.lock().await.attach(link).await;
                match attached {
                    Ok(()) => {
                        backoff = Duration::from_millis(50);
                        if !first {
                            tracing::info!("bus resubscribed: catching up on what it missed");
                            bus.inner.stats.reconnected();
                            bus.presence_order().clear();
                            bus.resync().await;
                            bus.replay_all().await;
                        }
                        first = false;
                        while let Some(payload) = events.next().await {
                            bus.dispatch(&payload).await;
                        }
                        tracing::warn!("bus connection lost");
                    }
                    Err(err) => tracing::warn!(error = %err, "cannot subscribe the bus channels"),
                }
                bus.inner.subscriptions.lock().await.detach();
            }
            Err(err) => tracing::warn!(error = %err, "cannot connect the bus"),
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
    #[serde(default)]
    rev: u64,
}

impl Header {
    fn at(&self) -> At {
        // Stored before revisions existed: its rev is its seq.
        let rev = if self.rev == 0 { self.seq } else { self.rev };
        At { seq: self.seq, rev }
    }
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
        let kind = event.kind();
        self.inner.stats.received(kind);
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
                let echo = conn
                    .as_deref()
                    .and_then(ConnTag::parse)
                    .filter(|tag| &tag.instance == self.instance())
                    .zip(nonce)
                    .map(|(tag, nonce)| Echo {
                        conn: tag.conn,
                        nonce,
                    });
                self.deliver_live(&header.room_id, header.at(), message.get(), false, echo)
                    .await;
            }
            BusEvent::Update { message } => {
                let Ok(header) = serde_json::from_str::<Header>(message.get()) else {
                    tracing::warn!("bus update without room or seq dropped");
                    return;
                };
                self.deliver_live(&header.room_id, header.at(), message.get(), true, None)
                    .await;
            }
            BusEvent::Presence {
                user,
                online,
                room_id,
                version,
            } => {
                if !self.presence_order().admit(user.id, version) {
                    return;
                }
                let frame = to_frame(&ServerEvent::Presence { user, online });
                let fanned = self.hub().to_room(&room_id, &frame, None, None);
                self.after_fan_out(kind, fanned);
            }
            BusEvent::Typing { room_id, user } => {
                let except = Some(user.id);
                let frame = to_frame(&ServerEvent::Typing {
                    room_id: room_id.clone(),
                    user,
                });
                let fanned = self.hub().to_room(&room_id, &frame, None, except);
                self.after_fan_out(kind, fanned);
            }
            // The hub changes here, at once; subscribing and
            // unsubscribing are queued for the membership worker, off
            // this loop.
            BusEvent::Room { room, user, after } => {
                let id = room.id.clone();
                let joined = self.hub_mut().join(user, &id);
                let frame = to_frame(&ServerEvent::Room { room, rev: after });
                let fanned = self.hub().to_user(user, &frame);
                self.after_fan_out(kind, fanned);
                if joined {
                    let cursor = self.delivery().cursor(&id);
                    match cursor {
                        None => {
                            self.queue_membership(Work::Follow { room: id, after })
                                .await
                        }
                        // A message raced the join (see memberships.rs).
                        Some(cursor) if cursor > after => {
                            self.catch_up(user, &id, after, cursor).await
                        }
                        Some(_) => {}
                    }
                }
            }
            BusEvent::Left { room_id, user } => {
                self.hub_mut().leave(user, &room_id);
                self.queue_membership(Work::Left { room: room_id }).await;
            }
            BusEvent::Logout { session, .. } => {
                let hub = self.hub();
                let ids = hub.of_session(&session);
                self.inner.stats.delivered(kind, ids.len());
                for id in ids {
                    hub.close(id, CloseReason::SignedOut);
                }
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
        let mut left = Vec::new();
        let mut joined = Vec::new();
        for ((user, held), rooms) in memberships.into_iter().zip(stored) {
            let rooms: HashSet<RoomId> = rooms.into_iter().collect();
            for room in held.difference(&rooms) {
                self.hub_mut().leave(user, room);
                left.push(room.clone());
            }
            for room in rooms.difference(&held) {
                self.hub_mut().join(user, room);
                joined.push((room.clone(), None));
            }
        }
        self.unfollow(left, None).await;
        if let Err(err) = self.follow(joined, None).await {
            tracing::warn!(error = %err, "cannot follow the rooms joined while away");
        }
    }

    /// After a reconnect: every room followed here, from its cursor.
    async fn replay_all(&self) {
        let rooms = self.delivery().rooms();
        self.rewind_lost(&rooms).await;
        for room in rooms {
            self.replay(&room, u64::MAX).await;
        }
    }

    /// Goes back, in each room whose rev in the store is below its cursor
    /// here, to before what the store holds: Redis came back without
    /// writes it had acknowledged (docs/architecture.md, section 4), and
    /// the room's next messages take those revs again.
    async fn rewind_lost(&self, rooms: &[RoomId]) {
        let revs = match self.store().last_revs(rooms).await {
            Ok(revs) => revs,
            Err(err) => {
                tracing::warn!(error = %err, "cannot compare the rooms' revs after a reconnect");
                return;
            }
        };
        let mut delivery = self.delivery();
        for (room, rev) in rooms.iter().zip(revs) {
            let cursor = delivery.cursor(room);
            if delivery.rewind(room, rev) {
                tracing::error!(room = %room, ?cursor, rev, "the store lost acknowledged messages: delivering the room again from before what it holds");
            }
        }
    }
}

pub(super) fn to_frame(event: &ServerEvent) -> Utf8Bytes {
    Utf8Bytes::from(serde_json::to_string(event).unwrap_or_default())
}
