//! `ChatState`: what the signed-in page knows, as signals, and how each
//! server event changes it. Shared by the server render and the browser.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::model::{
    ClientFrame, Message, Room, RoomId, RoomKind, RoomSummary, ServerEvent, User, UserId,
};

/// The state of the live connection, for the banner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// Not connected yet (the page is still loading, or JavaScript is off).
    Idle,
    Open,
    /// Lost; trying again.
    Reconnecting,
    /// Open again after a loss (shown briefly).
    Restored,
}

impl Connection {
    /// Its name in the page (`data-connection`), for tests and styles.
    pub fn name(self) -> &'static str {
        match self {
            Connection::Idle => "idle",
            Connection::Open => "open",
            Connection::Reconnecting => "reconnecting",
            Connection::Restored => "restored",
        }
    }
}

/// A message typed here that the server has not confirmed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub nonce: String,
    pub room: RoomId,
    pub text: String,
    pub reply_to: Option<u64>,
    /// Why it failed, if it did.
    pub error: Option<String>,
}

#[derive(Clone, Copy)]
pub struct ChatState {
    pub me: StoredValue<User>,
    pub rooms: RwSignal<Vec<RoomSummary>>,
    pub online: RwSignal<Vec<User>>,
    /// The people the reader blocked, as of the page load (blocking is
    /// done on the settings page, a page load of its own).
    blocked: StoredValue<Vec<UserId>>,
    /// Whether the reader is an admin (they delete in public rooms).
    admin: bool,
    /// Known messages per room, by seq (so an event seen twice counts once).
    pub messages: RwSignal<BTreeMap<RoomId, BTreeMap<u64, Message>>>,
    pub pending: RwSignal<Vec<Pending>>,
    /// Who is typing where, with when they were last seen typing (ms).
    pub typing: RwSignal<BTreeMap<RoomId, Vec<(User, f64)>>>,
    pub connection: RwSignal<Connection>,
    /// The room on screen.
    pub open_room: RwSignal<RoomId>,
    /// Frames waiting for the socket (drained by `ui::live`).
    pub outbox: RwSignal<Vec<ClientFrame>>,
    /// The message the composer answers (room, seq), if any.
    pub replying: RwSignal<Option<(RoomId, u64)>>,
    /// The message being edited in place (room, seq), if any.
    pub editing: RwSignal<Option<(RoomId, u64)>>,
    /// Per room, the highest rev this page has from the live stream (or
    /// its first page): a reconnect syncs the changes after it.
    seen_revs: StoredValue<BTreeMap<RoomId, u64>>,
    next_nonce: StoredValue<u64>,
    /// Changes asked for and not answered yet.
    changes: StoredValue<Vec<PendingChange>>,
    /// Why the reader's latest change (edit, delete, reaction) was refused.
    pub change_refused: RwSignal<Option<String>>,
}

/// A change the reader asked for: its nonce (an `error` naming it refuses
/// it), and, for a reaction shown at once, which (emoji, on), to be taken
/// back if refused.
#[derive(Clone)]
struct PendingChange {
    nonce: String,
    room: RoomId,
    seq: u64,
    shown: Option<(String, bool)>,
}

/// How many changes asked for are kept to be matched with a refusal.
const CHANGES_KEPT: usize = 50;

/// How long a typing notice lasts without a new one.
pub const TYPING_FOR_MS: f64 = 4000.0;

impl ChatState {
    pub fn new(
        me: User,
        rooms: Vec<RoomSummary>,
        online: Vec<User>,
        blocked: Vec<UserId>,
        admin: bool,
        open_room: RoomId,
    ) -> Self {
        ChatState {
            me: StoredValue::new(me),
            rooms: RwSignal::new(rooms),
            online: RwSignal::new(online),
            blocked: StoredValue::new(blocked),
            admin,
            messages: RwSignal::new(BTreeMap::new()),
            pending: RwSignal::new(Vec::new()),
            typing: RwSignal::new(BTreeMap::new()),
            connection: RwSignal::new(Connection::Idle),
            open_room: RwSignal::new(open_room),
            outbox: RwSignal::new(Vec::new()),
            replying: RwSignal::new(None),
            editing: RwSignal::new(None),
            seen_revs: StoredValue::new(BTreeMap::new()),
            next_nonce: StoredValue::new(0),
            changes: StoredValue::new(Vec::new()),
            change_refused: RwSignal::new(None),
        }
    }

    /// Whether the reader deletes others' messages in `room` as an admin.
    pub fn moderates(&self, room: &RoomId) -> bool {
        self.admin && room.kind() == RoomKind::Public
    }

    /// Whether the reader blocked `person`.
    pub fn blocked(&self, person: UserId) -> bool {
        self.blocked.with_value(|blocked| blocked.contains(&person))
    }

    /// The first page of a room, as the server rendered it: its state is
    /// the room's as of then, so its highest rev is a safe place to sync
    /// changes from.
    pub fn add_first_page(&self, room: &RoomId, messages: Vec<Message>) {
        if let Some(rev) = messages.iter().map(|m| m.rev).max() {
            self.note_rev(room, rev);
        }
        self.add_messages(room, messages);
    }

    fn note_rev(&self, room: &RoomId, rev: u64) {
        self.seen_revs.update_value(|revs| {
            let seen = revs.entry(room.clone()).or_default();
            *seen = (*seen).max(rev);
        });
    }

    /// The highest rev seen live in a room (0 when none).
    pub fn seen_rev(&self, room: &RoomId) -> u64 {
        self.seen_revs
            .with_value(|revs| revs.get(room).copied().unwrap_or(0))
    }

    /// A stored message changed: its new state replaces the one held (a
    /// message not held, in a page not loaded, is left to that page).
    fn update(&self, message: Message) {
        self.note_rev(&message.room_id, message.rev);
        self.messages.update(|all| {
            if let Some(held) = all
                .get_mut(&message.room_id)
                .and_then(|room| room.get_mut(&message.seq))
            {
                if held.rev <= message.rev {
                    *held = message.clone();
                }
            }
        });
        // The server's state stands: a refusal still to come takes nothing
        // back.
        self.changes.update_value(|changes| {
            for change in changes
                .iter_mut()
                .filter(|c| c.room == message.room_id && c.seq == message.seq)
            {
                change.shown = None;
            }
        });
    }

    /// Asks for an edit of one's own message.
    pub fn edit(&self, room: RoomId, seq: u64, text: String) {
        let nonce = self.asked_change(&room, seq, None);
        self.outbox.update(|o| {
            o.push(ClientFrame::Edit {
                room_id: room,
                seq,
                text,
                nonce: Some(nonce),
            })
        });
    }

    /// Asks for a message to be deleted.
    pub fn delete(&self, room: RoomId, seq: u64) {
        let nonce = self.asked_change(&room, seq, None);
        self.outbox.update(|o| {
            o.push(ClientFrame::Delete {
                room_id: room,
                seq,
                nonce: Some(nonce),
            })
        });
    }

    /// Adds or takes away one's reaction, shown at once (and taken back
    /// if the server refuses it).
    pub fn react(&self, room: RoomId, seq: u64, emoji: String, on: bool) {
        let me = self.me.get_value();
        let mut shown = None;
        self.messages.update(|all| {
            if let Some(message) = all.get_mut(&room).and_then(|held| held.get_mut(&seq)) {
                message.toggle_reaction(&me, &emoji, on);
                shown = Some((emoji.clone(), on));
            }
        });
        let nonce = self.asked_change(&room, seq, shown);
        self.outbox.update(|o| {
            o.push(ClientFrame::React {
                room_id: room,
                seq,
                emoji,
                on,
                nonce: Some(nonce),
            })
        });
    }

    /// Notes a change asked for, under a new nonce, which it answers.
    fn asked_change(&self, room: &RoomId, seq: u64, shown: Option<(String, bool)>) -> String {
        let nonce = self.new_nonce();
        self.change_refused.set(None);
        self.changes.update_value(|changes| {
            // A change the server took is answered by an update, which
            // does not name it: the oldest are let go.
            if changes.len() >= CHANGES_KEPT {
                changes.remove(0);
            }
            changes.push(PendingChange {
                nonce: nonce.clone(),
                room: room.clone(),
                seq,
                shown,
            })
        });
        nonce
    }

    /// Takes back what `change` showed at once (unless the server's state
    /// replaced it since).
    fn take_back(&self, change: &PendingChange) {
        let Some((emoji, on)) = &change.shown else {
            return;
        };
        let me = self.me.get_value();
        self.messages.update(|all| {
            if let Some(held) = all.get_mut(&change.room).and_then(|h| h.get_mut(&change.seq)) {
                held.toggle_reaction(&me, emoji, !on);
            }
        });
    }

    /// The connection dropped: a change not answered may or may not have
    /// been made, so what it showed goes back; the sync after the
    /// reconnect brings what the server made.
    pub fn connection_lost(&self) {
        let mut unanswered = Vec::new();
        self.changes.update_value(|changes| unanswered = std::mem::take(changes));
        for change in &unanswered {
            self.take_back(change);
        }
    }

    /// A refused change: what was shown at once goes back, and the page
    /// says why.
    fn refused_change(&self, nonce: &str, reason: String) -> bool {
        let mut found = None;
        self.changes.update_value(|changes| {
            if let Some(at) = changes.iter().position(|c| c.nonce == nonce) {
                found = Some(changes.remove(at));
            }
        });
        let Some(change) = found else {
            return false;
        };
        self.take_back(&change);
        self.change_refused.set(Some(reason));
        true
    }

    /// Adds messages (history pages, sync answers, live events) to a room.
    pub fn add_messages(&self, room: &RoomId, messages: impl IntoIterator<Item = Message>) {
        self.messages.update(|all| {
            let held = all.entry(room.clone()).or_default();
            for message in messages {
                held.insert(message.seq, message);
            }
        });
    }

    /// The highest seq held for a room (0 when none).
    pub fn last_seq(&self, room: &RoomId) -> u64 {
        self.messages.with_untracked(|all| {
            all.get(room)
                .and_then(|m| m.keys().next_back().copied())
                .unwrap_or(0)
        })
    }

    /// The lowest seq held for a room, if any.
    pub fn first_seq(&self, room: &RoomId) -> Option<u64> {
        self.messages
            .with_untracked(|all| all.get(room).and_then(|m| m.keys().next().copied()))
    }

    /// Queues a message (answering `reply_to`, if given): shown at once as
    /// pending, sent when the socket can.
    pub fn send(&self, room: RoomId, text: String, reply_to: Option<u64>) {
        let nonce = self.new_nonce();
        self.pending.update(|p| {
            p.push(Pending {
                nonce: nonce.clone(),
                room: room.clone(),
                text: text.clone(),
                reply_to,
                error: None,
            })
        });
        self.outbox.update(|o| {
            o.push(ClientFrame::Send {
                room_id: room,
                text,
                nonce: Some(nonce),
                retry: false,
                reply_to,
            })
        });
    }

    /// A nonce no other frame of this page carries.
    fn new_nonce(&self) -> String {
        let nonce = self
            .next_nonce
            .with_value(|n| format!("c-{}-{n}", now_ms() as u64));
        self.next_nonce.update_value(|n| *n += 1);
        nonce
    }

    /// Sends a failed message again, under its nonce: if the first try was
    /// stored after all (its answer was lost with the connection), the
    /// server answers with that message instead of storing it twice.
    pub fn retry(&self, nonce: &str) {
        let Some(failed) = self
            .pending
            .with_untracked(|p| p.iter().find(|p| p.nonce == nonce).cloned())
        else {
            return;
        };
        self.pending.update(|p| {
            if let Some(again) = p.iter_mut().find(|p| p.nonce == nonce) {
                again.error = None;
            }
        });
        self.outbox.update(|o| {
            o.push(ClientFrame::Send {
                room_id: failed.room,
                text: failed.text,
                nonce: Some(failed.nonce),
                retry: true,
                reply_to: failed.reply_to,
            })
        });
    }

    pub fn typing_in(&self, room: RoomId) {
        self.outbox
            .update(|o| o.push(ClientFrame::Typing { room_id: room }));
    }

    fn is_pending_send(&self, nonce: &str) -> bool {
        self.pending.with_untracked(|p| p.iter().any(|p| p.nonce == nonce))
    }

    /// Applies one event from the server.
    pub fn apply(&self, event: ServerEvent) {
        match event {
            ServerEvent::Message { message, nonce } => self.receive(message, nonce),
            ServerEvent::Update { message } => self.update(message),
            ServerEvent::Presence { user, online } => self.online.update(|list| {
                list.retain(|u| u.id != user.id);
                if online {
                    // Kept in order by inserting in place (no sort code in
                    // the bundle for it).
                    let name = user.username.canonical();
                    let at = list.partition_point(|u| u.username.canonical() < name);
                    list.insert(at, user);
                }
            }),
            ServerEvent::Room { room, .. } => self.join(room),
            ServerEvent::Typing { room_id, user } => self.typing.update(|all| {
                let list = all.entry(room_id).or_default();
                list.retain(|(u, _)| u.id != user.id);
                list.push((user, now_ms()));
            }),
            ServerEvent::Error {
                reason,
                nonce: Some(nonce),
            } if self.is_pending_send(&nonce) => {
                self.pending.update(|p| {
                    if let Some(failed) = p.iter_mut().find(|p| p.nonce == nonce) {
                        failed.error = Some(reason);
                    }
                })
            }
            ServerEvent::Error { reason, nonce } => {
                let said = nonce.is_some_and(|nonce| self.refused_change(&nonce, reason.clone()));
                if !said {
                    leptos::logging::warn!("server: {reason}");
                }
            }
        }
    }

    /// The title of the notification `message` deserves, before it is
    /// applied: one not seen before, from someone else, that names the
    /// reader or is in one of their direct rooms.
    pub fn notable(&self, message: &Message) -> Option<String> {
        let me = self.me.with_value(|me| me.id);
        let room = &message.room_id;
        let seen = self
            .messages
            .with_untracked(|all| all.get(room).is_some_and(|m| m.contains_key(&message.seq)));
        if seen || message.from == me {
            return None;
        }
        if room.kind() == RoomKind::Direct {
            return Some(message.username.to_string());
        }
        if !message.mentions_user(me) {
            return None;
        }
        let name = self.rooms.with_untracked(|rooms| {
            rooms
                .iter()
                .find(|r| &r.room.id == room)
                .map(|r| r.room.name.clone())
        })?;
        Some(format!("{} in {name}", message.username))
    }

    fn receive(&self, message: Message, nonce: Option<String>) {
        let room = message.room_id.clone();
        self.note_rev(&room, message.rev);
        let me = self.me.with_value(|me| me.id);
        let fresh = self
            .messages
            .with_untracked(|all| !all.get(&room).is_some_and(|m| m.contains_key(&message.seq)));
        let mine = message.from == me;
        // The echo of our own message: by nonce, or (after a replay that
        // lost the nonce) by author and text.
        self.pending.update(|pending| {
            let index = match &nonce {
                Some(nonce) => pending.iter().position(|p| &p.nonce == nonce),
                None if mine => pending
                    .iter()
                    .position(|p| p.room == room && p.text == message.text),
                None => None,
            };
            if let Some(index) = index {
                pending.remove(index);
            }
        });
        self.typing.update(|all| {
            if let Some(list) = all.get_mut(&room) {
                list.retain(|(u, _)| u.id != message.from);
            }
        });
        if fresh {
            self.rooms.update(|rooms| {
                if let Some(summary) = rooms.iter_mut().find(|r| r.room.id == room) {
                    if summary
                        .last_message
                        .as_ref()
                        .is_none_or(|m| m.seq < message.seq)
                    {
                        summary.last_message = Some(message.clone());
                    }
                    if !mine
                        && message.seq > summary.last_read
                        && self.open_room.get_untracked() != room
                    {
                        summary.unread += 1;
                        if message.mentions_user(me) {
                            summary.mentions += 1;
                        }
                    }
                }
            });
        }
        self.add_messages(&room, [message]);
    }

    /// Adds a room to the list (a room event, or a join from this page).
    pub fn join(&self, room: Room) {
        self.rooms.update(|rooms| {
            if !rooms.iter().any(|r| r.room.id == room.id) {
                rooms.push(RoomSummary {
                    room,
                    unread: 0,
                    mentions: 0,
                    last_read: 0,
                    last_message: None,
                });
            }
        });
    }

    /// Marks the open room read up to what is held; answers the seq to
    /// tell the server, if it moved.
    pub fn mark_open_room_read(&self) -> Option<(RoomId, u64)> {
        let room = self.open_room.get_untracked();
        let last = self.last_seq(&room);
        let mut moved = None;
        self.rooms.update(|rooms| {
            if let Some(summary) = rooms.iter_mut().find(|r| r.room.id == room) {
                if last > summary.last_read || summary.unread > 0 {
                    summary.last_read = summary.last_read.max(last);
                    summary.unread = 0;
                    summary.mentions = 0;
                    moved = Some((room.clone(), summary.last_read));
                }
            }
        });
        moved
    }
}

/// Milliseconds since the Unix epoch, on whichever side runs this (the
/// browser's clock in WebAssembly; the system's in the server and in the
/// page's native unit tests).
pub fn now_ms() -> f64 {
    #[cfg(all(feature = "hydrate", target_arch = "wasm32"))]
    {
        js_sys::Date::now()
    }
    #[cfg(not(all(feature = "hydrate", target_arch = "wasm32")))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_millis() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RoomKind, Username};

    fn person(id: u64, name: &str) -> User {
        User {
            id: UserId(id),
            username: Username::parse(name).expect("a valid name"),
        }
    }

    fn general() -> RoomSummary {
        RoomSummary {
            room: Room {
                id: RoomId::GENERAL,
                name: "General".into(),
                kind: RoomKind::Public,
                owner: None,
            },
            unread: 0,
            mentions: 0,
            last_read: 0,
            last_message: None,
        }
    }

    /// The page of bob (user 9), in General, and the owner it lives in.
    fn bob_reading() -> (Owner, ChatState) {
        reading(false)
    }

    /// Bob's page, bob an admin or not.
    fn reading(admin: bool) -> (Owner, ChatState) {
        let owner = Owner::new();
        owner.set();
        let state = ChatState::new(
            person(9, "bob"),
            vec![general()],
            Vec::new(),
            Vec::new(),
            admin,
            RoomId::GENERAL,
        );
        (owner, state)
    }

    #[test]
    fn an_admin_moderates_public_rooms_only() {
        let (_owner, admin) = reading(true);
        assert!(admin.moderates(&RoomId::GENERAL));
        assert!(!admin.moderates(&RoomId::Direct(UserId(7), UserId(9))));
        let (_owner, reader) = bob_reading();
        assert!(!reader.moderates(&RoomId::GENERAL));
    }

    #[test]
    fn a_message_is_notable_when_it_names_the_reader_or_is_direct() {
        // bob reads; alice (user 7) writes.
        let (_owner, state) = bob_reading();
        let mut message = Message::sample();
        assert_eq!(state.notable(&message), None, "names nobody");

        message.mentions = vec![UserId(9)];
        assert_eq!(state.notable(&message).as_deref(), Some("alice in General"));

        let mut direct = Message::sample();
        direct.room_id = RoomId::direct(UserId(7), UserId(9)).expect("two people");
        assert_eq!(state.notable(&direct).as_deref(), Some("alice"));

        // Seen before (a replay after a reconnect), or one's own: no.
        state.add_messages(&RoomId::GENERAL, [message.clone()]);
        assert_eq!(state.notable(&message), None);
        let mut mine = direct.clone();
        mine.from = UserId(9);
        assert_eq!(state.notable(&mine), None);
    }

    #[test]
    fn the_online_list_stays_in_name_order_and_lists_each_once() {
        let owner = Owner::new();
        owner.set();
        let state = ChatState::new(
            person(9, "bob"),
            vec![general()],
            vec![person(9, "bob")],
            vec![UserId(4)],
            false,
            RoomId::GENERAL,
        );
        let flip = |user: User, online: bool| state.apply(ServerEvent::Presence { user, online });
        flip(person(7, "Alice"), true);
        flip(person(5, "dave"), true);
        flip(person(6, "carol"), true);
        flip(person(7, "Alice"), true);
        flip(person(5, "dave"), false);
        let names: Vec<String> = state
            .online
            .get_untracked()
            .iter()
            .map(|u| u.username.to_string())
            .collect();
        assert_eq!(names, ["Alice", "bob", "carol"]);
        assert!(state.blocked(UserId(4)) && !state.blocked(UserId(7)));
    }

    #[test]
    fn reactions_shown_at_once_go_back_when_refused_or_lost() {
        let (_owner, state) = bob_reading();
        let message = Message::sample();
        let seq = message.seq;
        state.add_messages(&RoomId::GENERAL, [message]);
        let emoji_shown = || {
            state.messages.with_untracked(|all| {
                all[&RoomId::GENERAL][&seq]
                    .reactions
                    .iter()
                    .map(|r| r.emoji.clone())
                    .collect::<Vec<_>>()
            })
        };
        let nonces = || {
            state.outbox.with_untracked(|o| {
                o.iter()
                    .filter_map(|f| match f {
                        ClientFrame::React { nonce, .. } => nonce.clone(),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
            })
        };
        // Two at once, both refused, in order: neither stays.
        state.react(RoomId::GENERAL, seq, "👍".into(), true);
        state.react(RoomId::GENERAL, seq, "😮".into(), true);
        assert_eq!(emoji_shown(), ["👍", "😮"]);
        let [first, second] = <[String; 2]>::try_from(nonces()).expect("two frames");
        let refuse = |nonce: &str| {
            state.apply(ServerEvent::Error {
                reason: "A message carries at most 20 different emoji.".into(),
                nonce: Some(nonce.to_owned()),
            })
        };
        refuse(&first);
        refuse(&second);
        assert!(emoji_shown().is_empty());
        assert_eq!(
            state.change_refused.get_untracked().as_deref(),
            Some("A message carries at most 20 different emoji.")
        );
        // One unanswered when the connection drops goes back too.
        state.react(RoomId::GENERAL, seq, "🎉".into(), true);
        assert_eq!(emoji_shown(), ["🎉"]);
        state.connection_lost();
        assert!(emoji_shown().is_empty());
    }
}
