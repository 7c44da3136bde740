//! `Delivery`: per room followed here, the highest rev delivered to its
//! sockets (the cursor: every stored message and every change to one
//! takes the room's next rev), and the sender echoes still owed: which
//! socket gets a message's frame with its nonce.
//!
//! Pure bookkeeping, no I/O: the bus asks it what to do with each message
//! it hears of (live, from a gap fill or from a replay), and does it.
//!
//! A message stored by a socket here reaches that socket with its nonce
//! exactly once, by whichever path it arrives:
//! - live, the send script's event names the socket and nonce: the echo
//!   is given and noted, so that the send's own answer adds nothing;
//! - when the send's answer (the seq) comes before the message, the echo
//!   is owed: the gap fill or replay that delivers the seq gives it;
//! - when the message went out without a nonce before the answer came
//!   (a replay after the bus dropped), the echo is due now, on its own.

use std::collections::{HashMap, VecDeque};

use crate::model::RoomId;
use crate::server::events::ConnId;

/// How many revs before what the store holds a room is delivered again
/// after the store went back in time (see [`Delivery::rewind`]).
pub const REDELIVERED: u64 = 500;

/// Echoes given live that a socket's send has not settled yet, kept per
/// socket; an answer lost with Redis leaves one behind, so few are kept.
const GIVEN_KEPT: usize = 64;

/// The socket a message's nonce goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Echo {
    pub conn: ConnId,
    pub nonce: String,
}

/// What to do with a message the bus heard of.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Send it to the room's sockets (the echo, if any, to its socket).
    Deliver(Option<Echo>),
    /// Delivered already (or the room is not followed here): drop it.
    Skip,
    /// Revs between the cursor and this one are missing: read them from
    /// the store first.
    Gap { cursor: u64 },
}

/// What a send's answer leaves to do.
#[derive(Debug, PartialEq, Eq)]
pub enum Settle {
    /// The echo went out live, or will go out with the message.
    Done,
    /// The message went out without the nonce: send the echo now.
    EchoNow,
}

/// Where a message stands: its seq, and the rev of its latest change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    pub seq: u64,
    pub rev: u64,
}

#[derive(Default)]
pub struct Delivery {
    cursors: HashMap<RoomId, u64>,
    owed: HashMap<(RoomId, u64), Echo>,
    given: HashMap<ConnId, VecDeque<(RoomId, u64)>>,
}

impl Delivery {
    /// Starts following `room` from `rev` (delivered: everything up to
    /// it), unless it is followed already.
    pub fn track(&mut self, room: &RoomId, rev: u64) {
        self.cursors.entry(room.clone()).or_insert(rev);
    }

    /// Whether the store, holding `room` up to `rev`, has gone back in
    /// time (Redis lost writes it had acknowledged, and hands those revs
    /// out again); if so, delivers the room again from [`REDELIVERED`]
    /// revs before `rev`: the messages stored under reused revs before
    /// this was noticed are among them, and clients keep the latest
    /// message under each seq. The echoes owed for lost messages are
    /// dropped, and so are the live echoes noted for seqs the store no
    /// longer holds (a new message under such a seq is not one of them).
    pub fn rewind(&mut self, room: &RoomId, rev: u64) -> bool {
        let Some(cursor) = self.cursors.get_mut(room).filter(|cursor| **cursor > rev) else {
            return false;
        };
        *cursor = rev.saturating_sub(REDELIVERED);
        self.owed.retain(|(owed_room, _), _| owed_room != room);
        for given in self.given.values_mut() {
            given.retain(|(given_room, seq)| given_room != room || *seq <= rev);
        }
        self.given.retain(|_, given| !given.is_empty());
        true
    }

    /// Stops following `room`.
    pub fn forget(&mut self, room: &RoomId) {
        self.cursors.remove(room);
        self.owed.retain(|(owed_room, _), _| owed_room != room);
    }

    pub fn cursor(&self, room: &RoomId) -> Option<u64> {
        self.cursors.get(room).copied()
    }

    pub fn rooms(&self) -> Vec<RoomId> {
        self.cursors.keys().cloned().collect()
    }

    /// A message or change heard live, at `rev`: delivered only right
    /// after the cursor, so that a room's changes go out in rev order and
    /// once. `echo` is the sender's socket here, as the event names it
    /// (a new message only).
    pub fn offer_live(&mut self, room: &RoomId, at: At, echo: Option<Echo>) -> Step {
        match self.cursor(room) {
            None => Step::Skip,
            Some(cursor) if at.rev <= cursor => Step::Skip,
            Some(cursor) if at.rev > cursor + 1 => Step::Gap { cursor },
            Some(_) => self.advance(room, at, echo),
        }
    }

    /// A message read from the store (a page of a room's changes, in any
    /// order): delivered if its rev is above the cursor, with the echo it
    /// owes. The cursor stays until [`Delivery::move_cursor`] moves it
    /// past the page.
    pub fn replayed(&mut self, room: &RoomId, at: At) -> Step {
        match self.cursor(room) {
            Some(cursor) if at.rev > cursor => Step::Deliver(self.owed.remove(&(room.clone(), at.seq))),
            _ => Step::Skip,
        }
    }

    /// Moves the cursor of a followed room up to `rev` (the last of a
    /// page read from the store: it holds every rev there is).
    pub fn move_cursor(&mut self, room: &RoomId, rev: u64) {
        if let Some(cursor) = self.cursors.get_mut(room) {
            *cursor = (*cursor).max(rev);
        }
    }

    fn advance(&mut self, room: &RoomId, at: At, live: Option<Echo>) -> Step {
        self.cursors.insert(room.clone(), at.rev);
        let owed = self.owed.remove(&(room.clone(), at.seq));
        match live {
            // The send was answered first: its echo was owed and goes out
            // now, with nothing left to settle.
            Some(echo) if owed.is_some() => Step::Deliver(Some(echo)),
            Some(echo) => {
                let given = self.given.entry(echo.conn).or_default();
                if given.len() == GIVEN_KEPT {
                    given.pop_front();
                }
                given.push_back((room.clone(), at.seq));
                Step::Deliver(Some(echo))
            }
            None => Step::Deliver(owed),
        }
    }

    /// The answer to a send from socket `conn`: message `at.seq` of
    /// `room` was stored at `at.rev` under `nonce`.
    pub fn settle(&mut self, conn: ConnId, room: &RoomId, at: At, nonce: &str) -> Settle {
        if let Some(given) = self.given.get_mut(&conn) {
            if let Some(position) = given.iter().position(|(r, s)| r == room && *s == at.seq) {
                given.remove(position);
                if given.is_empty() {
                    self.given.remove(&conn);
                }
                return Settle::Done;
            }
        }
        match self.cursor(room) {
            Some(cursor) if cursor < at.rev => {
                let echo = Echo {
                    conn,
                    nonce: nonce.to_owned(),
                };
                self.owed.insert((room.clone(), at.seq), echo);
                Settle::Done
            }
            _ => Settle::EchoNow,
        }
    }

    /// Forgets what was kept for a socket that closed.
    pub fn forget_conn(&mut self, conn: ConnId) {
        self.given.remove(&conn);
        self.owed.retain(|_, echo| echo.conn != conn);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room() -> RoomId {
        RoomId::GENERAL
    }

    /// A page of one message read from the store.
    fn stored(d: &mut Delivery, at: At) -> Step {
        let step = d.replayed(&room(), at);
        d.move_cursor(&room(), at.rev);
        step
    }

    /// A message never changed: its rev is its seq.
    fn at(seq: u64) -> At {
        At { seq, rev: seq }
    }

    fn echo(conn: ConnId, nonce: &str) -> Echo {
        Echo {
            conn,
            nonce: nonce.into(),
        }
    }

    #[test]
    fn live_messages_go_out_in_order_once_and_gaps_are_named() {
        let mut d = Delivery::default();
        assert_eq!(d.offer_live(&room(), at(1), None), Step::Skip, "not followed");
        d.track(&room(), 4);
        d.track(&room(), 9); // followed already: the cursor stays
        assert_eq!(d.offer_live(&room(), at(4), None), Step::Skip);
        assert_eq!(d.offer_live(&room(), at(5), None), Step::Deliver(None));
        assert_eq!(d.offer_live(&room(), at(5), None), Step::Skip);
        assert_eq!(d.offer_live(&room(), at(8), None), Step::Gap { cursor: 5 });
        assert_eq!(stored(&mut d, at(6)), Step::Deliver(None));
        assert_eq!(stored(&mut d, at(8)), Step::Deliver(None), "a hole in the store");
        assert_eq!(stored(&mut d, at(8)), Step::Skip);
        assert_eq!(d.cursor(&room()), Some(8));
        d.forget(&room());
        assert_eq!(stored(&mut d, at(9)), Step::Skip);
    }

    #[test]
    fn a_live_echo_is_given_once_and_its_answer_adds_nothing() {
        let mut d = Delivery::default();
        d.track(&room(), 0);
        assert_eq!(
            d.offer_live(&room(), at(1), Some(echo(3, "n1"))),
            Step::Deliver(Some(echo(3, "n1")))
        );
        assert_eq!(d.settle(3, &room(), at(1), "n1"), Settle::Done);
        // Settled: a second answer for the same seq is no longer "given".
        assert_eq!(d.settle(3, &room(), at(1), "n1"), Settle::EchoNow);
    }

    #[test]
    fn a_live_echo_after_its_answer_leaves_nothing_to_settle() {
        let mut d = Delivery::default();
        d.track(&room(), 0);
        assert_eq!(d.settle(3, &room(), at(1), "n1"), Settle::Done);
        assert_eq!(
            d.offer_live(&room(), at(1), Some(echo(3, "n1"))),
            Step::Deliver(Some(echo(3, "n1")))
        );
        // Nothing is kept for seq 1: a later answer naming it (a Redis that
        // lost its last writes numbers the next message 1 again) is not
        // taken as given already, and is echoed.
        assert!(d.owed.is_empty() && d.given.is_empty());
        assert_eq!(d.settle(3, &room(), at(1), "n2"), Settle::EchoNow);
    }

    #[test]
    fn an_answer_before_the_message_makes_the_replay_carry_the_echo() {
        let mut d = Delivery::default();
        d.track(&room(), 0);
        assert_eq!(d.settle(3, &room(), at(1), "n1"), Settle::Done);
        // The live event was lost with the bus; the replay delivers it.
        assert_eq!(stored(&mut d, at(1)), Step::Deliver(Some(echo(3, "n1"))));
        assert_eq!(stored(&mut d, at(2)), Step::Deliver(None));
    }

    #[test]
    fn a_message_replayed_before_its_answer_gets_the_echo_on_its_own() {
        let mut d = Delivery::default();
        d.track(&room(), 0);
        assert_eq!(stored(&mut d, at(1)), Step::Deliver(None));
        assert_eq!(d.settle(3, &room(), at(1), "n1"), Settle::EchoNow);
    }

    #[test]
    fn a_send_to_a_room_not_followed_here_is_echoed_now() {
        let mut d = Delivery::default();
        assert_eq!(d.settle(3, &room(), at(7), "n"), Settle::EchoNow);
    }

    #[test]
    fn changes_move_the_cursor_and_an_echo_follows_its_seq() {
        let mut d = Delivery::default();
        d.track(&room(), 10);
        // Message 4 changed at rev 11: delivered, no echo for it.
        assert_eq!(d.offer_live(&room(), At { seq: 4, rev: 11 }, None), Step::Deliver(None));
        // Message 5 stored at rev 12, answered before the bus brings it.
        assert_eq!(d.settle(3, &room(), At { seq: 5, rev: 12 }, "n5"), Settle::Done);
        assert_eq!(d.offer_live(&room(), At { seq: 5, rev: 14 }, None), Step::Gap { cursor: 11 });
        // The replay finds it already changed again (rev 14): the echo
        // still goes with it.
        assert_eq!(
            stored(&mut d, At { seq: 5, rev: 14 }),
            Step::Deliver(Some(echo(3, "n5")))
        );
        assert_eq!(d.cursor(&room()), Some(14));
    }

    #[test]
    fn a_store_that_lost_revs_is_delivered_again_from_before_what_it_holds() {
        let mut d = Delivery::default();
        d.track(&room(), 0);
        for seq in 1..=3 {
            d.offer_live(&room(), at(seq), Some(echo(3, &format!("n{seq}"))));
        }
        assert_eq!(d.settle(3, &room(), at(1), "n1"), Settle::Done);
        d.settle(3, &room(), at(5), "n5"); // answered, never heard
        assert!(!d.rewind(&room(), 9), "a store ahead is no loss");
        assert!(!d.rewind(&room(), 3), "nor one level with the cursor");
        // Redis comes back holding rev 1 only.
        assert!(d.rewind(&room(), 1));
        assert_eq!(d.cursor(&room()), Some(0), "{REDELIVERED} revs back");
        assert!(d.owed.is_empty() && d.given.is_empty(), "nothing kept for lost messages");
        // The replay delivers what the store holds, a message stored under
        // a reused rev included, and that send's echo goes out.
        assert_eq!(stored(&mut d, at(1)), Step::Deliver(None));
        assert_eq!(stored(&mut d, at(2)), Step::Deliver(None));
        assert_eq!(d.settle(4, &room(), at(2), "m2"), Settle::EchoNow);
    }

    #[test]
    fn a_closed_socket_leaves_nothing_behind() {
        let mut d = Delivery::default();
        d.track(&room(), 0);
        d.settle(3, &room(), at(2), "owed");
        d.offer_live(&room(), at(1), Some(echo(3, "given")));
        d.forget_conn(3);
        assert!(d.owed.is_empty() && d.given.is_empty());
        // A lost answer never grows what is kept without bound.
        for seq in 2..200 {
            d.offer_live(&room(), at(seq), Some(echo(4, "n")));
        }
        assert_eq!(d.given[&4].len(), GIVEN_KEPT);
    }
}
