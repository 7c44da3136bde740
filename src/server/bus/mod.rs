//! The bus: ONE Redis pub/sub connection per instance on the channel
//! `P:bus`, and the fan-out of its events to this instance's sockets.
//!
//! Every message event carries its room and seq. The bus keeps, per room
//! with sockets here, the highest seq it has delivered (`cursors`): an
//! event at or below it is a duplicate and dropped; an event above the next
//! one reveals a gap, filled from the store first. After the pub/sub
//! connection drops, the bus resubscribes (backoff with jitter) and replays
//! every room from its cursor, so no socket misses a stored message.

pub mod event;
mod hub;
mod presence;
mod subscriber;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::mpsc;

use crate::error::AppError;
use crate::model::{RoomId, User};
use crate::server::store::{PresenceChange, Store};

pub use hub::{CloseReason, ConnId, Outbound};
use hub::{Hub, Queues};

/// How many frames may wait for a socket before it counts as too slow.
pub const QUEUE_FRAMES: usize = 256;

#[derive(Clone)]
pub struct Bus {
    inner: Arc<Inner>,
}

struct Inner {
    instance: String,
    store: Store,
    heartbeat_ttl: Duration,
    hub: RwLock<Hub>,
    cursors: Mutex<HashMap<RoomId, u64>>,
    next_conn: AtomicU64,
    /// Held shared while a socket is counted in or out of presence, and
    /// alone while the heartbeat recounts (see `presence.rs`).
    presence_gate: tokio::sync::RwLock<()>,
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
    pub fn new(store: Store, heartbeat_ttl: Duration) -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes)?;
        let instance = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Bus {
            inner: Arc::new(Inner {
                instance,
                store,
                heartbeat_ttl,
                hub: RwLock::new(Hub::default()),
                cursors: Mutex::new(HashMap::new()),
                next_conn: AtomicU64::new(1),
                presence_gate: tokio::sync::RwLock::new(()),
            }),
        })
    }

    /// Starts the subscriber and the heartbeat; both run until the runtime
    /// stops.
    pub fn start(&self) {
        tokio::spawn(subscriber::run(self.clone()));
        tokio::spawn(presence::run(self.clone()));
    }

    pub fn instance(&self) -> &str {
        &self.inner.instance
    }

    fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The tag that names a socket across instances (for nonce echoes).
    pub fn conn_tag(&self, id: ConnId) -> String {
        format!("{}/{id}", self.inner.instance)
    }

    /// Registers a socket of `user` (session `session`, a fingerprint):
    /// its rooms' events start, and its user counts as online.
    pub async fn connect(&self, user: User, session: String) -> Result<Registration, AppError> {
        let rooms: HashSet<RoomId> = self
            .store()
            .room_ids_of(user.id)
            .await?
            .into_iter()
            .collect();
        self.track_rooms(rooms.iter().cloned().collect()).await?;
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
        self.hub_mut()
            .insert(id, user.clone(), session, rooms, queues);
        if let Err(err) = self
            .store()
            .change_presence(self.instance(), &user, PresenceChange::Opened)
            .await
        {
            self.hub_mut().remove(id);
            return Err(err.into());
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
        let Some((user, counted)) = self.hub_mut().remove(id) else {
            return;
        };
        self.prune_cursors();
        if !counted {
            return;
        }
        if let Err(err) = self
            .store()
            .change_presence(self.instance(), &user, PresenceChange::Closed)
            .await
        {
            tracing::warn!(error = %err, user = %user.id, "presence not counted down; the heartbeat will repair it");
        }
    }

    /// Closes every socket here and clears this instance's presence, for a
    /// clean shutdown.
    pub async fn stop(&self) {
        let users = {
            let hub = self.hub();
            hub.to_all_close(CloseReason::GoingAway);
            hub.users()
        };
        for (user, _) in users {
            let _ = self
                .store()
                .change_presence(self.instance(), &user, PresenceChange::Gone)
                .await;
        }
        let _ = self.store().forget_instance(self.instance(), false).await;
    }

    pub fn is_member(&self, id: ConnId, room: &RoomId) -> bool {
        self.hub().is_member(id, room)
    }

    /// Open sockets on this instance.
    pub fn connection_count(&self) -> usize {
        self.hub().connection_count()
    }

    /// Starts cursors for rooms that have none, at their current last seq.
    async fn track_rooms(&self, rooms: Vec<RoomId>) -> Result<(), AppError> {
        let missing: Vec<RoomId> = {
            let cursors = self.cursors();
            rooms
                .into_iter()
                .filter(|room| !cursors.contains_key(room))
                .collect()
        };
        if missing.is_empty() {
            return Ok(());
        }
        let seqs = self.store().last_seqs(&missing).await?;
        let mut cursors = self.cursors();
        for (room, seq) in missing.into_iter().zip(seqs) {
            cursors.entry(room).or_insert(seq);
        }
        Ok(())
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

    fn cursors(&self) -> std::sync::MutexGuard<'_, HashMap<RoomId, u64>> {
        self.inner
            .cursors
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Forgets the cursors of rooms without sockets here.
    fn prune_cursors(&self) {
        let hub = self.hub();
        self.cursors().retain(|room, _| hub.has_room(room));
    }

    /// Cuts off sockets whose queue overflowed.
    fn cut_off(&self, overflowed: Vec<ConnId>) {
        if overflowed.is_empty() {
            return;
        }
        let hub = self.hub();
        for id in overflowed {
            tracing::warn!(conn = id, "socket too slow to keep up: closing it");
            hub.close(id, CloseReason::TooSlow);
        }
    }
}
