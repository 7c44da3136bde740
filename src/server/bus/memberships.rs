//! The membership worker: the slow half of a join or a leave heard on the
//! bus. The dispatch loop changes the hub at once (so the next event for
//! the room already reaches, or no longer reaches, the person's sockets)
//! and queues the Redis round trips here: subscribing a room new to this
//! instance (its replay from the joiner's rev then reaches the joiner) and
//! unsubscribing one nobody here follows any more. Run in their own task,
//! in the order heard, a flood of joins and leaves never holds up the
//! delivery of other events. The queue is bounded: past it, dispatch
//! waits for the worker.
//!
//! One read stays in the dispatch loop, and only when a message raced the
//! join: in a room followed here already, what went out between the
//! joiner's rev and the cursor is sent to the joiner before the next live
//! event, so that their messages arrive in order (a client that keeps the
//! highest rev it saw, as the contract asks, would otherwise skip them
//! after a reconnect).

use tokio::sync::mpsc;

use crate::model::{RoomId, ServerEvent, UserId};
use crate::server::events::EventKind;

use super::subscriber::to_frame;
use super::Bus;

/// Membership changes that may wait in the queue.
pub(super) const QUEUED: usize = 1024;

/// The part of a membership change that talks to Redis.
pub(super) enum Work {
    /// Someone's sockets here joined `room`, not followed here yet,
    /// announced when its last rev was `after`: follow it from there.
    Follow { room: RoomId, after: u64 },
    /// Someone's sockets here left `room`: unfollow it unless another
    /// socket here follows it by now.
    Left { room: RoomId },
}

/// Runs the queued work, in order, until the bus is dropped.
pub(super) async fn run(bus: Bus, mut queue: mpsc::Receiver<Work>) {
    while let Some(work) = queue.recv().await {
        match work {
            Work::Follow { room, after } => {
                if let Err(err) = bus.follow(vec![(room.clone(), Some(after))], None).await {
                    tracing::warn!(error = %err, room = %room, "cannot follow a joined room");
                }
            }
            Work::Left { room } => bus.unfollow(vec![room], None).await,
        }
    }
}

impl Bus {
    /// Hands `work` to the membership worker (waiting while its queue is
    /// full).
    pub(super) async fn queue_membership(&self, work: Work) {
        if self.inner.memberships.send(work).await.is_err() {
            tracing::warn!("the membership worker is gone; a join or leave was dropped");
        }
    }

    /// `user`'s sockets here joined `room`, followed here already with its
    /// delivery at `cursor`, announced when its last rev was `after`: what
    /// went out in between went out before they were in the room, so they
    /// get it now (from the changes stream: one read).
    pub(super) async fn catch_up(&self, user: UserId, room: &RoomId, after: u64, cursor: u64) {
        let missed = match self.store().changes_after(room, after, 500).await {
            Ok(missed) => missed,
            Err(err) => {
                return tracing::warn!(error = %err, room = %room, "cannot catch a joiner up")
            }
        };
        for changed in missed.into_iter().filter(|c| c.message.rev <= cursor) {
            let message = changed.message;
            let event = if changed.stored_rev > after {
                ServerEvent::Message {
                    message,
                    nonce: None,
                }
            } else {
                ServerEvent::Update { message }
            };
            let fanned = self.hub().to_user(user, &to_frame(&event));
            self.after_fan_out(EventKind::Message, fanned);
        }
    }
}
