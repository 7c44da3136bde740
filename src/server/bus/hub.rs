//! `Hub`: this instance's open sockets, indexed by room and by user, and
//! the fan-out of one serialised frame to many of them.
//!
//! Sending never blocks and never touches Redis: each socket has a bounded
//! queue, and a socket whose queue is full is cut off (a slow consumer).

use std::collections::{HashMap, HashSet};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::mpsc;

use crate::model::{RoomId, User, UserId};

/// A socket on this instance: a number unique within the instance.
pub type ConnId = u64;

/// Why the server ends a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// Its queue was full: the client reads too slowly.
    TooSlow,
    /// Its session was signed out.
    SignedOut,
    /// The instance is shutting down.
    GoingAway,
    /// The client sent a frame over the size limit.
    TooLarge,
    /// The peer stopped answering pings.
    Unresponsive,
    /// The client closed, or the connection ended normally.
    Done,
}

impl CloseReason {
    /// The websocket close code and reason sent for it.
    pub fn code_and_text(self) -> (u16, &'static str) {
        match self {
            CloseReason::TooSlow => (1008, "too slow to keep up"),
            CloseReason::SignedOut => (4001, "signed out"),
            CloseReason::GoingAway => (1001, "server shutting down"),
            CloseReason::TooLarge => (1009, "frame too large"),
            CloseReason::Unresponsive => (1001, "no answer to pings"),
            CloseReason::Done => (1000, "bye"),
        }
    }
}

/// What a socket's writer is told to do.
#[derive(Debug, Clone)]
pub enum Outbound {
    Frame(Utf8Bytes),
    Ping,
    Close(CloseReason),
}

struct Conn {
    user: User,
    session: String,
    rooms: HashSet<RoomId>,
    /// Whether its presence count has gone up in Redis.
    counted: bool,
    frames: mpsc::Sender<Utf8Bytes>,
    control: mpsc::Sender<Outbound>,
}

#[derive(Default)]
pub struct Hub {
    conns: HashMap<ConnId, Conn>,
    by_room: HashMap<RoomId, HashSet<ConnId>>,
    by_user: HashMap<UserId, HashSet<ConnId>>,
}

/// The two queues of a socket: frames (bounded, may overflow) and control
/// (for the close that follows an overflow or a sign-out).
pub struct Queues {
    pub frames: mpsc::Sender<Utf8Bytes>,
    pub control: mpsc::Sender<Outbound>,
}

impl Hub {
    /// Adds a socket; answers how many sockets its user now has here.
    pub fn insert(
        &mut self,
        id: ConnId,
        user: User,
        session: String,
        rooms: HashSet<RoomId>,
        queues: Queues,
    ) -> usize {
        for room in &rooms {
            self.by_room.entry(room.clone()).or_default().insert(id);
        }
        let of_user = self.by_user.entry(user.id).or_default();
        of_user.insert(id);
        let count = of_user.len();
        self.conns.insert(
            id,
            Conn {
                user,
                session,
                rooms,
                counted: false,
                frames: queues.frames,
                control: queues.control,
            },
        );
        count
    }

    /// Notes that a socket's presence count has gone up in Redis.
    pub fn mark_counted(&mut self, id: ConnId) {
        if let Some(conn) = self.conns.get_mut(&id) {
            conn.counted = true;
        }
    }

    /// Removes a socket; answers its user and whether its presence was
    /// counted, or `None` if it was removed already.
    pub fn remove(&mut self, id: ConnId) -> Option<(User, bool)> {
        let conn = self.conns.remove(&id)?;
        for room in &conn.rooms {
            if let Some(set) = self.by_room.get_mut(room) {
                set.remove(&id);
                if set.is_empty() {
                    self.by_room.remove(room);
                }
            }
        }
        if let Some(set) = self.by_user.get_mut(&conn.user.id) {
            set.remove(&id);
            if set.is_empty() {
                self.by_user.remove(&conn.user.id);
            }
        }
        Some((conn.user, conn.counted))
    }

    pub fn is_member(&self, id: ConnId, room: &RoomId) -> bool {
        self.conns
            .get(&id)
            .is_some_and(|conn| conn.rooms.contains(room))
    }

    /// Every user with sockets here whose presence is counted, with how
    /// many such sockets.
    pub fn counted_users(&self) -> Vec<(User, usize)> {
        self.by_user
            .values()
            .filter_map(|ids| {
                let counted: Vec<&Conn> = ids
                    .iter()
                    .filter_map(|id| self.conns.get(id))
                    .filter(|conn| conn.counted)
                    .collect();
                let user = counted.first()?.user.clone();
                Some((user, counted.len()))
            })
            .collect()
    }

    /// Every user with sockets here, with how many.
    pub fn users(&self) -> Vec<(User, usize)> {
        self.by_user
            .values()
            .filter_map(|ids| {
                ids.iter()
                    .next()
                    .and_then(|id| self.conns.get(id))
                    .map(|c| (c.user.clone(), ids.len()))
            })
            .collect()
    }

    /// The rooms that have sockets here.
    pub fn rooms(&self) -> Vec<RoomId> {
        self.by_room.keys().cloned().collect()
    }

    pub fn has_room(&self, room: &RoomId) -> bool {
        self.by_room.contains_key(room)
    }

    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }

    /// Starts `room`'s events on every socket of `user`; answers whether
    /// any socket here was not in it yet.
    pub fn join(&mut self, user: UserId, room: &RoomId) -> bool {
        let ids: Vec<ConnId> = self
            .by_user
            .get(&user)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        let mut changed = false;
        for id in ids {
            if let Some(conn) = self.conns.get_mut(&id) {
                changed |= conn.rooms.insert(room.clone());
                self.by_room.entry(room.clone()).or_default().insert(id);
            }
        }
        changed
    }

    /// Stops `room`'s events on every socket of `user`.
    pub fn leave(&mut self, user: UserId, room: &RoomId) {
        let ids: Vec<ConnId> = self
            .by_user
            .get(&user)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default();
        for id in ids {
            if let Some(conn) = self.conns.get_mut(&id) {
                conn.rooms.remove(room);
            }
            if let Some(set) = self.by_room.get_mut(room) {
                set.remove(&id);
                if set.is_empty() {
                    self.by_room.remove(room);
                }
            }
        }
    }

    /// Sends `frame` to every socket in `room`, but `special` (if any) gets
    /// its own frame instead. Answers the sockets that overflowed.
    pub fn to_room(
        &self,
        room: &RoomId,
        frame: &Utf8Bytes,
        special: Option<(ConnId, &Utf8Bytes)>,
        except: Option<UserId>,
    ) -> Vec<ConnId> {
        let Some(ids) = self.by_room.get(room) else {
            return Vec::new();
        };
        let mut overflowed = Vec::new();
        for id in ids {
            let Some(conn) = self.conns.get(id) else {
                continue;
            };
            if except == Some(conn.user.id) {
                continue;
            }
            let frame = match special {
                Some((special_id, special_frame)) if special_id == *id => special_frame,
                _ => frame,
            };
            if conn.frames.try_send(frame.clone()).is_err() {
                overflowed.push(*id);
            }
        }
        overflowed
    }

    /// Sends `frame` to every socket of `user`.
    pub fn to_user(&self, user: UserId, frame: &Utf8Bytes) -> Vec<ConnId> {
        let ids = self.by_user.get(&user).into_iter().flatten();
        self.send_each(ids, frame)
    }

    /// Sends `frame` to every socket here.
    pub fn to_all(&self, frame: &Utf8Bytes) -> Vec<ConnId> {
        self.send_each(self.conns.keys(), frame)
    }

    fn send_each<'a>(
        &self,
        ids: impl Iterator<Item = &'a ConnId>,
        frame: &Utf8Bytes,
    ) -> Vec<ConnId> {
        ids.filter(|id| {
            self.conns
                .get(id)
                .is_some_and(|conn| conn.frames.try_send(frame.clone()).is_err())
        })
        .copied()
        .collect()
    }

    /// Tells a socket to close. The control queue holds one order; a
    /// second order for the same socket changes nothing.
    pub fn close(&self, id: ConnId, reason: CloseReason) {
        if let Some(conn) = self.conns.get(&id) {
            let _ = conn.control.try_send(Outbound::Close(reason));
        }
    }

    /// Tells every socket to close.
    pub fn to_all_close(&self, reason: CloseReason) {
        for id in self.conns.keys() {
            self.close(*id, reason);
        }
    }

    /// The sockets of a session (by fingerprint).
    /// The distinct sessions (fingerprints) with sockets here.
    pub fn sessions(&self) -> Vec<String> {
        let sessions: HashSet<&String> = self.conns.values().map(|c| &c.session).collect();
        sessions.into_iter().cloned().collect()
    }

    /// The users with sockets here, and the rooms their sockets follow.
    pub fn memberships(&self) -> Vec<(UserId, HashSet<RoomId>)> {
        self.by_user
            .iter()
            .filter_map(|(user, ids)| {
                let conn = ids.iter().next().and_then(|id| self.conns.get(id))?;
                Some((*user, conn.rooms.clone()))
            })
            .collect()
    }

    pub fn of_session(&self, session: &str) -> Vec<ConnId> {
        self.conns
            .iter()
            .filter(|(_, c)| c.session == session)
            .map(|(id, _)| *id)
            .collect()
    }
}
