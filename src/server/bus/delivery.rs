//! `Delivery`: per room followed here, the highest seq delivered to its
//! sockets (the cursor), and the sender echoes still owed: which socket
//! gets a message's frame with its nonce.
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
    /// Messages between the cursor and this one are missing: read them
    /// from the store first.
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

#[derive(Default)]
pub struct Delivery {
    cursors: HashMap<RoomId, u64>,
    owed: HashMap<(RoomId, u64), Echo>,
    given: HashMap<ConnId, VecDeque<(RoomId, u64)>>,
}

impl Delivery {
    /// Starts following `room` from `seq` (delivered: everything up to
    /// it), unless it is followed already.
    pub fn track(&mut self, room: &RoomId, seq: u64) {
        self.cursors.entry(room.clone()).or_insert(seq);
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

    /// A message heard live: delivered only right after the cursor, so
    /// that a room's messages go out in seq order and once. `echo` is the
    /// sender's socket here, as the event names it.
    pub fn offer_live(&mut self, room: &RoomId, seq: u64, echo: Option<Echo>) -> Step {
        match self.cursor(room) {
            None => Step::Skip,
            Some(cursor) if seq <= cursor => Step::Skip,
            Some(cursor) if seq > cursor + 1 => Step::Gap { cursor },
            Some(_) => self.advance(room, seq, echo),
        }
    }

    /// A message read from the store above the cursor: the store holds
    /// every seq there is, so whatever comes next is next.
    pub fn offer_stored(&mut self, room: &RoomId, seq: u64) -> Step {
        match self.cursor(room) {
            Some(cursor) if seq > cursor => self.advance(room, seq, None),
            _ => Step::Skip,
        }
    }

    fn advance(&mut self, room: &RoomId, seq: u64, live: Option<Echo>) -> Step {
        self.cursors.insert(room.clone(), seq);
        let owed = self.owed.remove(&(room.clone(), seq));
        match live {
            Some(echo) => {
                let given = self.given.entry(echo.conn).or_default();
                if given.len() == GIVEN_KEPT {
                    given.pop_front();
                }
                given.push_back((room.clone(), seq));
                Step::Deliver(Some(echo))
            }
            None => Step::Deliver(owed),
        }
    }

    /// The answer to a send from socket `conn`: message `seq` of `room`
    /// was stored under `nonce`.
    pub fn settle(&mut self, conn: ConnId, room: &RoomId, seq: u64, nonce: &str) -> Settle {
        if let Some(given) = self.given.get_mut(&conn) {
            if let Some(at) = given.iter().position(|(r, s)| r == room && *s == seq) {
                given.remove(at);
                if given.is_empty() {
                    self.given.remove(&conn);
                }
                return Settle::Done;
            }
        }
        match self.cursor(room) {
            Some(cursor) if cursor < seq => {
                let echo = Echo {
                    conn,
                    nonce: nonce.to_owned(),
                };
                self.owed.insert((room.clone(), seq), echo);
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

    fn echo(conn: ConnId, nonce: &str) -> Echo {
        Echo {
            conn,
            nonce: nonce.into(),
        }
    }

    #[test]
    fn live_messages_go_out_in_order_once_and_gaps_are_named() {
        let mut d = Delivery::default();
        assert_eq!(d.offer_live(&room(), 1, None), Step::Skip, "not followed");
        d.track(&room(), 4);
        d.track(&room(), 9); // followed already: the cursor stays
        assert_eq!(d.offer_live(&room(), 4, None), Step::Skip);
        assert_eq!(d.offer_live(&room(), 5, None), Step::Deliver(None));
        assert_eq!(d.offer_live(&room(), 5, None), Step::Skip);
        assert_eq!(d.offer_live(&room(), 8, None), Step::Gap { cursor: 5 });
        assert_eq!(d.offer_stored(&room(), 6), Step::Deliver(None));
        assert_eq!(d.offer_stored(&room(), 8), Step::Deliver(None), "a hole in the store");
        assert_eq!(d.offer_stored(&room(), 8), Step::Skip);
        assert_eq!(d.cursor(&room()), Some(8));
        d.forget(&room());
        assert_eq!(d.offer_stored(&room(), 9), Step::Skip);
    }

    #[test]
    fn a_live_echo_is_given_once_and_its_answer_adds_nothing() {
        let mut d = Delivery::default();
        d.track(&room(), 0);
        assert_eq!(
            d.offer_live(&room(), 1, Some(echo(3, "n1"))),
            Step::Deliver(Some(echo(3, "n1")))
        );
        assert_eq!(d.settle(3, &room(), 1, "n1"), Settle::Done);
        // Settled: a second answer for the same seq is no longer "given".
        assert_eq!(d.settle(3, &room(), 1, "n1"), Settle::EchoNow);
    }

    #[test]
    fn an_answer_before_the_message_makes_the_replay_carry_the_echo() {
        let mut d = Delivery::default();
        d.track(&room(), 0);
        assert_eq!(d.settle(3, &room(), 1, "n1"), Settle::Done);
        // The live event was lost with the bus; the replay delivers it.
        assert_eq!(d.offer_stored(&room(), 1), Step::Deliver(Some(echo(3, "n1"))));
        assert_eq!(d.offer_stored(&room(), 2), Step::Deliver(None));
    }

    #[test]
    fn a_message_replayed_before_its_answer_gets_the_echo_on_its_own() {
        let mut d = Delivery::default();
        d.track(&room(), 0);
        assert_eq!(d.offer_stored(&room(), 1), Step::Deliver(None));
        assert_eq!(d.settle(3, &room(), 1, "n1"), Settle::EchoNow);
    }

    #[test]
    fn a_send_to_a_room_not_followed_here_is_echoed_now() {
        let mut d = Delivery::default();
        assert_eq!(d.settle(3, &room(), 7, "n"), Settle::EchoNow);
    }

    #[test]
    fn a_closed_socket_leaves_nothing_behind() {
        let mut d = Delivery::default();
        d.track(&room(), 0);
        d.settle(3, &room(), 2, "owed");
        d.offer_live(&room(), 1, Some(echo(3, "given")));
        d.forget_conn(3);
        assert!(d.owed.is_empty() && d.given.is_empty());
        // A lost answer never grows what is kept without bound.
        for seq in 2..200 {
            d.offer_live(&room(), seq, Some(echo(4, "n")));
        }
        assert_eq!(d.given[&4].len(), GIVEN_KEPT);
    }
}
