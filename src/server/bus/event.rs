//! `BusEvent`: what travels on the bus channel between instances.
//!
//! A message event is written by the send script itself, around the stored
//! message JSON (see [`message_envelope`]), so that storing and publishing
//! are one step.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::model::{Room, RoomId, User, UserId};
use crate::server::store::Envelope;

/// Externally tagged (`{"message": {...}}`): serde cannot hand a raw
/// message through an internally tagged enum.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusEvent {
    /// A stored message; `nonce` goes only to the connection `conn`.
    Message {
        message: Box<RawValue>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nonce: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conn: Option<String>,
    },
    /// `user` came online or went offline.
    Presence { user: User, online: bool },
    /// `user` is typing in `room_id`.
    Typing { room_id: RoomId, user: User },
    /// `user` was added to `room` (named as `user` sees it).
    /// `after` is the room's last seq when it was announced: the
    /// instance delivers every message above it.
    Room {
        room: Room,
        user: UserId,
        after: u64,
    },
    /// `user` left `room_id`.
    Left { room_id: RoomId, user: UserId },
    /// The session with this fingerprint signed out: close its sockets.
    Logout { session: String },
}

/// The text around a message JSON that makes it a `BusEvent::Message`,
/// with the sender's nonce and connection when it came from a socket.
pub fn message_envelope(origin: Option<(&str, &str)>) -> Envelope {
    let before = r#"{"message":{"message":"#.to_owned();
    let after = match origin {
        Some((conn, nonce)) => {
            let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
            format!(r#","nonce":{},"conn":{}}}}}"#, quote(nonce), quote(conn))
        }
        None => "}}".to_owned(),
    };
    Envelope { before, after }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enveloped_message_is_a_bus_event() {
        let message =
            r#"{"seq":1,"room_id":"0","from":"7","username":"a\"b","text":"hi","date":1}"#;
        for origin in [None, Some(("i1/4", "c-\"1"))] {
            let envelope = message_envelope(origin);
            let json = format!("{}{message}{}", envelope.before, envelope.after);
            let BusEvent::Message {
                message: raw,
                nonce,
                conn,
            } = serde_json::from_str(&json).unwrap()
            else {
                panic!("not a message event: {json}");
            };
            assert_eq!(raw.get(), message);
            assert_eq!(nonce.as_deref(), origin.map(|o| o.1));
            assert_eq!(conn.as_deref(), origin.map(|o| o.0));
        }
    }
}
