//! The bus: this instance's side of the live events. It follows, on one
//! Redis pub/sub connection, the channel of each room and each user that
//! has a socket here, and fans each event out to the sockets it is for.
//! It also counts this instance's sockets in presence and announces the
//! flips ([`Bus::count_presence`]).
//!
//! Its parts each own their state: the [`hub`] (sockets by room and by
//! user), [`delivery`] (per-room cursors and the senders' echoes),
//! [`subscriptions`] (the channels wanted and the connection),
//! [`freshness`] (the latest presence flip per user), [`stats`];
//! [`subscriber`] drives the connection and dispatches events,
//! [`memberships`] subscribes and unsubscribes what joins and leaves
//! heard there need, off the dispatch loop, and [`presence`] runs the
//! heartbeat and the reaper.
//!
//! A room's channel is subscribed while at least one socket here follows
//! the room, from a cursor (the room's rev) read before the SUBSCRIBE;
//! once Redis confirms it, the room is replayed from that cursor, so a
//! message stored or changed in between still arrives (once: the cursor
//! drops duplicates).

mod delivery;
mod freshness;
mod hub;
mod memberships;
mod presence;
mod stats;
mod subscriber;
mod subscriptions;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::mpsc;

use crate::error::AppError;
use crate::model::{Message, RoomId, User, UserId};
use crate::server::events::{
    message_frame, update_frame, ConnTag, EventKind, InstanceId, SessionFingerprint,
};
use crate::server::store::{Changed, PresenceChange, Store, StoreError};

use delivery::{At, Delivery, Echo, Settle, Step};
use freshness::PresenceOrder;
pub use hub::{CloseReason, Outbound};
use hub::{Fanned, Hub, Queues};
pub use stats::BusCounts;
use stats::BusStats;
use subscriptions::Subscriptions;

pub use crate::server::events::ConnId;

/// How many frames may wait for a socket before it counts as too slow.
pub const QUEUE_FRAMES: usize = 256;

#[derive(Clone)]
pub struct Bus {
    inner: Arc<Inner>,
}

struct Inner {
    instance: InstanceId,
    store: Store,
    heartbeat_ttl: Duration,
    /// Rooms of at most this many members carry their members' presence.
    presence_room_limit: u64,
    presence_order: Mutex<PresenceOrder>,
    hub: RwLock<Hub>,
    /// Taken before the hub whenever both are held.
    delivery: Mutex<Delivery>,
    subscriptions: Subscriptions,
    stats: BusStats,
    next_conn: AtomicU64,
    /// Held shared while a socket is counted in or out of presence, and
    /// alone while the heartbeat recounts (see `presence.rs`).
    presence_gate: tokio::sync::RwLock<()>,
    /// The heartbeat lapsed and this instance's users are yet to be
    /// counted in again (see `presence.rs`).
    recount_owed: AtomicBool,
    /// The membership worker's queue, and its receiving end until
    /// [`Bus::start`] hands it to the worker.
    memberships: mpsc::Sender<memberships::Work>,
    membership_queue: Mutex<Option<mpsc::Receiver<memberships::Work>>>,
}

/// A socket's place on the bus: its id and the queues its writer drains.
pub struct Registration {
    pub id: ConnId,
    pub frames: mpsc::Receiver<Utf8Bytes>,
    pub control: mpsc::Receiver<Outbound>,
}

impl Bus {
    /// A bus for a new instance with a random id; call [`Bus::start`] to
    /// begin listening.
    pub fn new(
        store: Store,
        heartbeat_ttl: Duration,
        presence_room_limit: u64,
    ) -> Result<Self, getrandom::Error> {
        let (memberships, membership_queue) = mpsc::channel(memberships::QUEUED);
        Ok(Bus {
            inner: Arc::new(Inner {
                instance: InstanceId::random()?,
                store,
                heartbeat_ttl,
                presence_room_limit,
                presence_order: Mutex::new(PresenceOrder::default()),
                hub: RwLock::new(Hub::default()),
                delivery: Mutex::new(Delivery::default()),
                subscriptions: Subscriptions::default(),
                stats: BusStats::default(),
                next_conn: AtomicU64::new(1),
                presence_gate: tokio::sync::RwLock::new(()),
                recount_owed: AtomicBool::new(false),
                memberships,
                membership_queue: Mutex::new(Some(membership_queue)),
            }),
        })
    }

    /// Starts the subscriber, the membership worker and the heartbeat;
    /// they run until the runtime stops.
    pub fn start(&self) {
        let queue = self
            .inner
            .membership_queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        if let Some(queue) = queue {
            tokio::spawn(memberships::run(self.clone(), queue));
        }
        tokio::spawn(subscriber::run(self.clone()));
        tokio::spawn(presence::run(self.clone()));
    }

    pub fn instance(&self) -> &InstanceId {
        &self.inner.instance
    }

    fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The tag that names a socket across instances (for nonce echoes).
    pub fn conn_tag(&self, id: ConnId) -> ConnTag {
        ConnTag {
            instance: self.inner.instance.clone(),
            conn: id,
        }
    }

    /// Registers a socket of `user` (session `session`): its rooms'
    /// events start, and its user counts as online.
    pub async fn connect(
        &self,
        user: User,
        session: SessionFingerprint,
    ) -> Result<Registration, AppError> {
        // Another socket of the same person here knows their rooms already.
        let known = self.hub().rooms_of(user.id);
        let rooms: HashSet<RoomId> = match known {
            Some(rooms) => rooms,
            None => self.store().room_ids_of(user.id).await?.into_iter().collect(),
        };
        let id = self.inner.next_conn.fetch_add(1, Ordering::Relaxed);
        let (frames_tx, frames) = mpsc::channel(QUEUE_FRAMES);
        let (control_tx, control) = mpsc::channel(1);
        let queues = Queues {
            frames: frames_tx,
            control: control_tx,
        };
        // Counting in and out shares the gate; a heartbeat's recount takes
        // it alone, so it never sees a socket half counted.
        let _gate = self.inner.presence_gate.read().await;
        let followed: Vec<(RoomId, Option<u64>)> = rooms.iter().map(|r| (r.clone(), None)).collect();
        self.hub_mut()
            .insert(id, user.clone(), session, rooms, queues);
        let counted = match self.follow(followed, Some(user.id)).await {
            Ok(()) => self
                .count_presence(&user, PresenceChange::Opened)
                .await
                .map_err(AppError::from),
            Err(err) => Err(err),
        };
        if let Err(err) = counted {
            let removed = self.hub_mut().remove(id);
            if let Some(removed) = removed {
                self.unfollow(removed.rooms.into_iter().collect(), Some(user.id))
                    .await;
            }
            return Err(err);
        }
        self.hub_mut().mark_counted(id);
        Ok(Registration {
            id,
            frames,
            control,
        })
    }

    /// Unregisters a socket; its user goes offline with their last socket.
    pub async fn disconnect(&self, id: ConnId) {
        let _gate = self.inner.presence_gate.read().await;
        let Some(removed) = self.hub_mut().remove(id) else {
            return;
        };
        self.delivery().forget_conn(id);
        let user = removed.user;
        self.unfollow(removed.rooms.into_iter().collect(), Some(user.id))
            .await;
        if !removed.counted {
            return;
        }
        if let Err(err) = self.count_presence(&user, PresenceChange::Closed).await {
            tracing::warn!(error = %err, user = %user.id, "presence not counted down; the heartbeat will repair it");
        }
    }

    /// Tells every socket here to go (1001), so that its client
    /// reconnects, to another instance if there is one.
    pub fn tell_sockets_to_go(&self) {
        self.hub().to_all_close(CloseReason::GoingAway);
    }

    /// Closes every socket here and clears this instance's presence, for a
    /// clean shutdown.
    pub async fn stop(&self) {
        self.tell_sockets_to_go();
        let users = self.hub().users();
        for (user, _) in users {
            let _ = self.count_presence(&user, PresenceChange::Gone).await;
        }
        let _ = self.store().forget_instance(self.instance()).await;
    }

    pub fn is_member(&self, id: ConnId, room: &RoomId) -> bool {
        self.hub().is_member(id, room)
    }

    /// Open sockets on this instance.
    /// The sockets `session` has open on this instance.
    pub fn sockets_of_session(&self, session: &SessionFingerprint) -> usize {
        self.hub().of_session(session).len()
    }

    /// The distinct sessions (and API tokens) with sockets here.
    pub fn session_count(&self) -> usize {
        self.hub().sessions().len()
    }

    pub fn connection_count(&self) -> usize {
        self.hub().connection_count()
    }

    /// What the bus has heard and delivered since the instance started.
    pub fn counts(&self) -> BusCounts {
        self.inner.stats.read()
    }

    /// How many channels this instance follows now.
    pub async fn subscription_count(&self) -> usize {
        self.inner.subscriptions.lock().await.count()
    }

    /// Counts a change of `user`'s sockets on `instance` (this one, or a
    /// dead one being reaped), and announces the flip when there is one.
    /// A failed announcement is only logged: the count is what matters,
    /// and `/api/users/online` reads it.
    async fn count_presence_on(
        &self,
        instance: &InstanceId,
        user: &User,
        change: PresenceChange,
    ) -> Result<(), StoreError> {
        let flip = self.store().change_presence(instance, user, change).await?;
        if let Some(flip) = flip {
            let limit = self.inner.presence_room_limit;
            if let Err(err) = self.store().announce_presence(user, flip, limit).await {
                tracing::warn!(error = %err, user = %user.id, "presence not announced");
            }
        }
        Ok(())
    }

    async fn count_presence(&self, user: &User, change: PresenceChange) -> Result<(), StoreError> {
        self.count_presence_on(self.instance(), user, change).await
    }

    fn presence_order(&self) -> std::sync::MutexGuard<'_, PresenceOrder> {
        self.inner
            .presence_order
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The answer to a send from socket `conn`: `message` was stored with
    /// `nonce`. Makes sure the socket gets the message with its nonce
    /// exactly once, however the message itself travels.
    pub fn settle_echo(&self, conn: ConnId, message: &Message, nonce: &str) {
        let mut delivery = self.delivery();
        let at = At {
            seq: message.seq,
            rev: message.rev,
        };
        if delivery.settle(conn, &message.room_id, at, nonce) == Settle::EchoNow {
            let Ok(json) = serde_json::to_string(message) else {
                return;
            };
            let frame = Utf8Bytes::from(message_frame(&json, Some(nonce)));
            let fanned = self.hub().to_conn(conn, &frame);
            drop(delivery);
            self.after_fan_out(EventKind::Message, fanned);
        }
    }

    /// Starts following `rooms` (each from a known rev, or from its last
    /// rev now) and `user`'s channel, for those the hub holds and this
    /// instance does not follow yet; then replays each new room from its
    /// cursor, for what was stored before the SUBSCRIBE took effect.
    async fn follow(
        &self,
        rooms: Vec<(RoomId, Option<u64>)>,
        user: Option<UserId>,
    ) -> Result<(), AppError> {
        let keys = self.store().keys().clone();
        let mut subscriptions = self.inner.subscriptions.lock().await;
        let rooms: Vec<(RoomId, Option<u64>)> = {
            let hub = self.hub();
            rooms
                .into_iter()
                .filter(|(room, _)| {
                    hub.has_room(room) && !subscriptions.wants(&keys.room_channel(room))
                })
                .collect()
        };
        let user = user.filter(|user| {
            self.hub().has_user(*user) && !subscriptions.wants(&keys.user_channel(*user))
        });
        let unknown: Vec<RoomId> = rooms
            .iter()
            .filter(|(_, seq)| seq.is_none())
            .map(|(room, _)| room.clone())
            .collect();
        let last = if unknown.is_empty() {
            Vec::new()
        } else {
            self.store().last_revs(&unknown).await?
        };
        {
            let mut delivery = self.delivery();
            let mut last = unknown.iter().zip(last);
            for (room, rev) in &rooms {
                let rev = match rev {
                    Some(rev) => Some(*rev),
                    None => last.next().map(|(_, rev)| rev),
                };
                delivery.track(room, rev.unwrap_or(0));
            }
        }
        let mut channels: Vec<String> = rooms
            .iter()
            .map(|(room, _)| keys.room_channel(room))
            .collect();
        channels.extend(user.map(|user| keys.user_channel(user)));
        subscriptions.add(channels).await;
        drop(subscriptions);
        for (room, _) in rooms {
            self.replay(&room, u64::MAX).await;
        }
        Ok(())
    }

    /// Stops following those of `rooms` (and `user`'s channel) that no
    /// socket here needs any more.
    async fn unfollow(&self, rooms: Vec<RoomId>, user: Option<UserId>) {
        let keys = self.store().keys().clone();
        let mut subscriptions = self.inner.subscriptions.lock().await;
        let mut channels = Vec::new();
        {
            let mut delivery = self.delivery();
            let hub = self.hub();
            for room in rooms {
                let channel = keys.room_channel(&room);
                if !hub.has_room(&room) && subscriptions.wants(&channel) {
                    delivery.forget(&room);
                    channels.push(channel);
                }
            }
            if let Some(user) = user {
                let channel = keys.user_channel(user);
                if !hub.has_user(user) && subscriptions.wants(&channel) {
                    channels.push(channel);
                }
            }
        }
        subscriptions.remove(channels).await;
    }

    /// Delivers a message (`update` false) or a change to one heard live,
    /// after any revs it skipped, and never twice.
    async fn deliver_live(&self, room: &RoomId, at: At, json: &str, update: bool, echo: Option<Echo>) {
        // The cursor moves and the frames go out under one lock, so that
        // paths racing for a room (live, gap fill, replay) keep rev order.
        {
            let mut delivery = self.delivery();
            match delivery.offer_live(room, at, echo.clone()) {
                Step::Deliver(echo) => return self.fan_out(room, json, update, echo),
                Step::Skip => return,
                Step::Gap { .. } => {}
            }
        }
        self.replay(room, at.rev - 1).await;
        // Offered again: if the gap could not be filled, nothing goes out
        // of order; the next event or replay tries again.
        let mut delivery = self.delivery();
        if let Step::Deliver(echo) = delivery.offer_live(room, at, echo) {
            self.fan_out(room, json, update, echo);
        }
    }

    /// Delivers every message of `room` stored or changed above its
    /// cursor, up to rev `until` (or all of them). Within a page, the
    /// messages new to the room's sockets go out first, in seq order, then
    /// the changes in rev order: each carries its whole state, so the end
    /// state is the same, and new messages keep their order.
    async fn replay(&self, room: &RoomId, until: u64) {
        const PAGE: u32 = 500;
        loop {
            let Some(cursor) = self.delivery().cursor(room) else {
                return;
            };
            if cursor >= until {
                return;
            }
            let page = match self.store().changes_after(room, cursor, PAGE).await {
                Ok(page) => page,
                Err(err) => {
                    tracing::warn!(error = %err, room = %room, "cannot replay missed messages");
                    return;
                }
            };
            let full = page.len() == PAGE as usize;
            let mut page: Vec<Changed> = page.into_iter().filter(|c| c.message.rev <= until).collect();
            page.sort_by_key(|c| {
                let update = c.stored_rev <= cursor;
                (update, if update { c.message.rev } else { c.message.seq })
            });
            {
                let mut delivery = self.delivery();
                let steps: Vec<Step> = page
                    .iter()
                    .map(|changed| {
                        let at = At {
                            seq: changed.message.seq,
                            rev: changed.message.rev,
                        };
                        delivery.replayed(room, at)
                    })
                    .collect();
                if let Some(last) = page.iter().map(|c| c.message.rev).max() {
                    delivery.move_cursor(room, last);
                }
                for (changed, step) in page.iter().zip(steps) {
                    let Step::Deliver(echo) = step else { continue };
                    let Ok(json) = serde_json::to_string(&changed.message) else {
                        continue;
                    };
                    self.fan_out(room, &json, changed.stored_rev <= cursor, echo);
                }
            }
            let advanced = self.delivery().cursor(room).is_some_and(|now| now > cursor);
            if !full || !advanced {
                return;
            }
        }
    }

    /// Sends one message (or its update) to the room's sockets, the echo
    /// to its socket. Called with the delivery lock held.
    fn fan_out(&self, room: &RoomId, json: &str, update: bool, echo: Option<Echo>) {
        if update {
            let frame = Utf8Bytes::from(update_frame(json));
            let fanned = self.hub().to_room(room, &frame, None, None);
            return self.after_fan_out(EventKind::Message, fanned);
        }
        let frame = Utf8Bytes::from(message_frame(json, None));
        let special = echo.map(|echo| {
            (
                echo.conn,
                Utf8Bytes::from(message_frame(json, Some(&echo.nonce))),
            )
        });
        let fanned = self.hub().to_room(
            room,
            &frame,
            special.as_ref().map(|(id, frame)| (*id, frame)),
            None,
        );
        self.after_fan_out(EventKind::Message, fanned);
    }

    /// Counts a socket closed because a write to it waited past the
    /// deadline (its peer stopped reading).
    pub fn count_too_slow(&self) {
        self.inner.stats.cut_off();
    }

    /// Counts a sync that had to wait for its reader's sync budget.
    pub fn count_sync_wait(&self) {
        self.inner.stats.sync_waited();
    }

    /// Counts a fan-out and cuts off the sockets that overflowed.
    fn after_fan_out(&self, kind: EventKind, fanned: Fanned) {
        self.inner.stats.delivered(kind, fanned.reached);
        if fanned.overflowed.is_empty() {
            return;
        }
        self.inner.stats.overflowed(fanned.overflowed.len());
        let hub = self.hub();
        for id in fanned.overflowed {
            tracing::warn!(conn = id, "socket too slow to keep up: closing it");
            hub.close(id, CloseReason::TooSlow);
        }
    }

    fn hub(&self) -> std::sync::RwLockReadGuard<'_, Hub> {
        self.inner
            .hub
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn hub_mut(&self) -> std::sync::RwLockWriteGuard<'_, Hub> {
        self.inner
            .hub
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn delivery(&self) -> std::sync::MutexGuard<'_, Delivery> {
        self.inner
            .delivery
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
