//! `Hub`: this instance's open sockets, indexed by room and by user, and
//! the fan-out of one serialised frame to many of them.
//!
//! Sending never blocks and never touches Redis: each socket has a bounded
//! queue, and a socket whose queue is full is cut off (a slow consumer).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::ws::Utf8Bytes;
use tokio::sync::mpsc;

use crate::model::{RoomId, User, UserId};
use crate::server::events::{ConnId, SessionFingerprint};

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
    session: SessionFingerprint,
    /// Whether its presence count has gone up in Redis.
    counted: bool,
    frames: mpsc::Sender<Utf8Bytes>,
    control: mpsc::Sender<Outbound>,
    /// Told to close: it takes no more frames, and is cut off (and
    /// counted) once.
    closing: AtomicBool,
}

/// A person with sockets here: their sockets, and the rooms all of them
/// follow (a person's sockets follow the same rooms: joins and leaves
/// reach every one), kept once per person, not per socket.
#[derive(Default)]
struct Person {
    conns: HashSet<ConnId>,
    rooms: HashSet<RoomId>,
}

/// Memory in proportion to sockets plus memberships (each person's rooms,
/// indexed both ways), never to sockets times rooms.
#[derive(Default)]
pub struct Hub {
    conns: HashMap<ConnId, Conn>,
    people: HashMap<UserId, Person>,
    by_room: HashMap<RoomId, HashSet<UserId>>,
}

/// What a removed socket was.
pub struct Removed {
    pub user: User,
    /// Whether its presence was counted in Redis.
    pub counted: bool,
    /// The rooms its person follows here (still followed if the person has
    /// other sockets here).
    pub rooms: HashSet<RoomId>,
}

/// What one fan-out did: how many sockets took the frame, and which
/// overflowed (to be cut off as too slow).
#[derive(Default)]
pub struct Fanned {
    pub reached: usize,
    pub overflowed: Vec<ConnId>,
}

impl Fanned {
    fn offer(&mut self, id: ConnId, conn: Option<&Conn>, frame: &Utf8Bytes) {
        let Some(conn) = conn.filter(|conn| !conn.closing.load(Ordering::Relaxed)) else {
            return;
        };
        if conn.frames.try_send(frame.clone()).is_ok() {
            self.reached += 1;
        } else {
            self.overflowed.push(id);
        }
    }
}

/// The two queues of a socket: frames (bounded, may overflow) and control
/// (for the close that follows an overflow or a sign-out).
pub struct Queues {
    pub frames: mpsc::Sender<Utf8Bytes>,
    pub control: mpsc::Sender<Outbound>,
}

impl Hub {
    /// Adds a socket, following `rooms` (with whatever its person's other
    /// sockets here follow); answers how many sockets its user now has
    /// here.
    pub fn insert(
        &mut self,
        id: ConnId,
        user: User,
        session: SessionFingerprint,
        rooms: HashSet<RoomId>,
        queues: Queues,
    ) -> usize {
        let person = self.people.entry(user.id).or_default();
        person.conns.insert(id);
        for room in rooms {
            self.by_room
                .entry(room.clone())
                .or_default()
                .insert(user.id);
            person.rooms.insert(room);
        }
        let count = person.conns.len();
        self.conns.insert(
            id,
            Conn {
                user,
                session,
                counted: false,
                frames: queues.frames,
                control: queues.control,
                closing: AtomicBool::new(false),
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

    /// Removes a socket; answers what it was, or `None` if it was removed
    /// already. With its person's last socket here, their rooms go too.
    pub fn remove(&mut self, id: ConnId) -> Option<Removed> {
        let conn = self.conns.remove(&id)?;
        let user = conn.user.id;
        let rooms = match self.people.get_mut(&user) {
            Some(person) => {
                person.conns.remove(&id);
                if person.conns.is_empty() {
                    let rooms = self
                        .people
                        .remove(&user)
                        .map(|p| p.rooms)
                        .unwrap_or_default();
                    for room in &rooms {
                        self.drop_from_room(room, user);
                    }
                    rooms
                } else {
                    person.rooms.clone()
                }
            }
            None => HashSet::new(),
        };
        Some(Removed {
            user: conn.user,
            counted: conn.counted,
            rooms,
        })
    }

    fn drop_from_room(&mut self, room: &RoomId, user: UserId) {
        if let Some(set) = self.by_room.get_mut(room) {
            set.remove(&user);
            if set.is_empty() {
                self.by_room.remove(room);
            }
        }
    }

    pub fn is_member(&self, id: ConnId, room: &RoomId) -> bool {
        self.conns
            .get(&id)
            .and_then(|conn| self.people.get(&conn.user.id))
            .is_some_and(|person| person.rooms.contains(room))
    }

    /// Every user with sockets here whose presence is counted, with how
    /// many such sockets.
    pub fn counted_users(&self) -> Vec<(User, usize)> {
        self.people
            .values()
            .filter_map(|person| {
                let counted: Vec<&Conn> = person
                    .conns
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
        self.people
            .values()
            .filter_map(|person| {
                person
                    .conns
                    .iter()
                    .next()
                    .and_then(|id| self.conns.get(id))
                    .map(|c| (c.user.clone(), person.conns.len()))
            })
            .collect()
    }

    /// The rooms `user`'s sockets here follow, if they have any here.
    pub fn rooms_of(&self, user: UserId) -> Option<HashSet<RoomId>> {
        self.people.get(&user).map(|person| person.rooms.clone())
    }

    pub fn has_room(&self, room: &RoomId) -> bool {
        self.by_room.contains_key(room)
    }

    pub fn has_user(&self, user: UserId) -> bool {
        self.people.contains_key(&user)
    }

    pub fn connection_count(&self) -> usize {
        self.conns.len()
    }

    /// Starts `room`'s events on every socket of `user`; answers whether
    /// they were not in it yet.
    pub fn join(&mut self, user: UserId, room: &RoomId) -> bool {
        let Some(person) = self.people.get_mut(&user) else {
            return false;
        };
        let changed = person.rooms.insert(room.clone());
        self.by_room.entry(room.clone()).or_default().insert(user);
        changed
    }

    /// Stops `room`'s events on every socket of `user`.
    pub fn leave(&mut self, user: UserId, room: &RoomId) {
        if let Some(person) = self.people.get_mut(&user) {
            person.rooms.remove(room);
        }
        self.drop_from_room(room, user);
    }

    /// Sends `frame` to every socket in `room`, but `special` (if any) gets
    /// its own frame instead, whether or not it follows the room yet (the
    /// sender's echo), and `except`'s sockets get nothing. Answers how
    /// many sockets it reached.
    pub fn to_room(
        &self,
        room: &RoomId,
        frame: &Utf8Bytes,
        special: Option<(ConnId, &Utf8Bytes)>,
        except: Option<UserId>,
    ) -> Fanned {
        let mut fanned = Fanned::default();
        if let Some((id, frame)) = special {
            fanned.offer(id, self.conns.get(&id), frame);
        }
        let Some(users) = self.by_room.get(room) else {
            return fanned;
        };
        for user in users {
            if except == Some(*user) {
                continue;
            }
            let Some(person) = self.people.get(user) else {
                continue;
            };
            for id in &person.conns {
                if special.is_some_and(|(s, _)| s == *id) {
                    continue;
                }
                fanned.offer(*id, self.conns.get(id), frame);
            }
        }
        fanned
    }

    /// Sends `frame` to one socket.
    pub fn to_conn(&self, id: ConnId, frame: &Utf8Bytes) -> Fanned {
        let mut fanned = Fanned::default();
        fanned.offer(id, self.conns.get(&id), frame);
        fanned
    }

    /// Sends `frame` to every socket of `user`.
    pub fn to_user(&self, user: UserId, frame: &Utf8Bytes) -> Fanned {
        let mut fanned = Fanned::default();
        for id in self.people.get(&user).into_iter().flat_map(|p| &p.conns) {
            fanned.offer(*id, self.conns.get(id), frame);
        }
        fanned
    }

    /// Tells a socket to close: the first order counts, a later one for
    /// the same socket changes nothing.
    pub fn close(&self, id: ConnId, reason: CloseReason) {
        if let Some(conn) = self.conns.get(&id) {
            if !conn.closing.swap(true, Ordering::Relaxed) {
                let _ = conn.control.try_send(Outbound::Close(reason));
            }
        }
    }

    /// Tells every socket to close.
    pub fn to_all_close(&self, reason: CloseReason) {
        for id in self.conns.keys() {
            self.close(*id, reason);
        }
    }

    /// The distinct sessions (fingerprints) with sockets here.
    pub fn sessions(&self) -> Vec<SessionFingerprint> {
        let sessions: HashSet<&SessionFingerprint> =
            self.conns.values().map(|c| &c.session).collect();
        sessions.into_iter().cloned().collect()
    }

    /// The users with sockets here, and the rooms their sockets follow.
    pub fn memberships(&self) -> Vec<(UserId, HashSet<RoomId>)> {
        self.people
            .iter()
            .map(|(user, person)| (*user, person.rooms.clone()))
            .collect()
    }

    /// The sockets of a session (by fingerprint).
    pub fn of_session(&self, session: &SessionFingerprint) -> Vec<ConnId> {
        self.conns
            .iter()
            .filter(|(_, c)| &c.session == session)
            .map(|(id, _)| *id)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Username;

    fn user(id: u64) -> User {
        User {
            id: UserId(id),
            username: Username::parse(&format!("user{id}")).unwrap(),
        }
    }

    /// A socket with room for `capacity` frames, and its frame queue.
    fn add(
        hub: &mut Hub,
        id: ConnId,
        who: u64,
        rooms: &[RoomId],
        capacity: usize,
    ) -> mpsc::Receiver<Utf8Bytes> {
        let (frames, received) = mpsc::channel(capacity);
        let (control, _) = mpsc::channel(1);
        hub.insert(
            id,
            user(who),
            SessionFingerprint(format!("s{who}")),
            rooms.iter().cloned().collect(),
            Queues { frames, control },
        );
        received
    }

    fn frame(text: &str) -> Utf8Bytes {
        Utf8Bytes::from(text.to_owned())
    }

    #[test]
    fn a_room_frame_reaches_its_sockets_and_the_echo_its_sender_even_outside() {
        let room = RoomId::Public(4);
        let mut hub = Hub::default();
        let mut a = add(&mut hub, 1, 1, std::slice::from_ref(&room), 8);
        let mut b = add(&mut hub, 2, 2, std::slice::from_ref(&room), 8);
        let mut outside = add(&mut hub, 3, 3, &[], 8);
        let echo = frame("echo");
        let fanned = hub.to_room(&room, &frame("all"), Some((1, &echo)), None);
        assert_eq!(fanned.reached, 2);
        assert_eq!(a.try_recv().unwrap().as_str(), "echo");
        assert_eq!(b.try_recv().unwrap().as_str(), "all");
        // The sender's echo reaches it even before it follows the room.
        let fanned = hub.to_room(&room, &frame("all"), Some((3, &echo)), Some(UserId(2)));
        assert_eq!(fanned.reached, 2, "b is left out as the typist");
        assert_eq!(outside.try_recv().unwrap().as_str(), "echo");
        assert_eq!(a.try_recv().unwrap().as_str(), "all");
        assert!(b.try_recv().is_err());
    }

    #[test]
    fn joins_leaves_and_removals_keep_the_indexes_in_step() {
        let room = RoomId::Public(4);
        let mut hub = Hub::default();
        let _a = add(&mut hub, 1, 1, &[RoomId::GENERAL], 8);
        let _b = add(&mut hub, 2, 1, &[RoomId::GENERAL], 8);
        assert!(!hub.has_room(&room));
        assert!(hub.join(UserId(1), &room), "both tabs join");
        assert!(!hub.join(UserId(1), &room), "nothing new the second time");
        assert!(hub.is_member(1, &room) && hub.is_member(2, &room));
        hub.leave(UserId(1), &room);
        assert!(!hub.has_room(&room));
        let removed = hub.remove(1).unwrap();
        assert_eq!(removed.rooms, HashSet::from([RoomId::GENERAL]));
        assert!(hub.has_user(UserId(1)), "the other tab is still here");
        hub.remove(2);
        assert!(!hub.has_user(UserId(1)) && !hub.has_room(&RoomId::GENERAL));
        assert!(hub.remove(2).is_none());
    }

    #[test]
    fn a_full_queue_is_reported_as_overflowed() {
        let mut hub = Hub::default();
        let _slow = add(&mut hub, 1, 1, &[RoomId::GENERAL], 1);
        assert_eq!(hub.to_user(UserId(1), &frame("1")).reached, 1);
        let fanned = hub.to_user(UserId(1), &frame("2"));
        assert_eq!((fanned.reached, fanned.overflowed), (0, vec![1]));
        // Told to close, it is offered nothing more, so it is cut off (and
        // counted) once however many events follow.
        hub.close(1, CloseReason::TooSlow);
        let fanned = hub.to_user(UserId(1), &frame("3"));
        assert_eq!((fanned.reached, fanned.overflowed), (0, vec![]));
    }

    #[test]
    fn a_persons_sockets_share_one_set_of_rooms() {
        let (general, room) = (RoomId::GENERAL, RoomId::Public(4));
        let mut hub = Hub::default();
        let _tabs: Vec<_> = (1..=3)
            .map(|id| add(&mut hub, id, 1, &[general.clone(), room.clone()], 8))
            .collect();
        let _other = add(&mut hub, 4, 2, std::slice::from_ref(&general), 8);
        // Each room lists each person once, whatever their sockets.
        assert_eq!(hub.by_room[&room].len(), 1);
        assert_eq!(hub.by_room[&general].len(), 2);
        assert_eq!(hub.people[&UserId(1)].rooms.len(), 2);
        assert_eq!(
            hub.rooms_of(UserId(1)),
            Some(HashSet::from([general.clone(), room.clone()]))
        );
        assert_eq!(hub.to_room(&room, &frame("x"), None, None).reached, 3);
        assert_eq!(
            hub.to_room(&general, &frame("x"), None, Some(UserId(2)))
                .reached,
            3
        );
        hub.remove(1);
        hub.remove(2);
        assert!(
            hub.is_member(3, &room),
            "the last tab still follows the room"
        );
        hub.remove(3);
        assert!(!hub.has_room(&room) && hub.rooms_of(UserId(1)).is_none());
    }
}
