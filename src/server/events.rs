//! Live events between instances: what travels on the bus channels
//! (`BusEvent`), which channel each goes to (`Route`), the envelope the
//! send script wraps a stored message in, and the frames a socket gets.
//!
//! The one home of this wire format: the store publishes these events and
//! the bus reads them; neither spells their JSON anywhere else.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::model::{Room, RoomId, User, UserId};

/// A server instance, by the random id it takes at start.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InstanceId(String);

impl InstanceId {
    /// A fresh random id (16 hex digits).
    pub fn random() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes)?;
        Ok(InstanceId(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<String> for InstanceId {
    fn from(id: String) -> Self {
        InstanceId(id)
    }
}

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A socket on one instance: a number unique within the instance.
pub type ConnId = u64;

/// A socket named across instances: `"{instance}/{conn}"` on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnTag {
    pub instance: InstanceId,
    pub conn: ConnId,
}

impl fmt::Display for ConnTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.instance, self.conn)
    }
}

impl ConnTag {
    pub fn parse(tag: &str) -> Option<Self> {
        let (instance, conn) = tag.split_once('/')?;
        Some(ConnTag {
            instance: InstanceId(instance.to_owned()),
            conn: conn.parse().ok()?,
        })
    }
}

/// A socket's credential as instances name it: the SHA-256 of its
/// session token, in hex, or `token:` and the SHA-256 of its API token.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionFingerprint(pub String);

impl SessionFingerprint {
    const API_TOKEN: &'static str = "token:";

    /// The fingerprint of the API token whose SHA-256 is `sha`.
    pub fn of_api_token(sha: &str) -> Self {
        SessionFingerprint(format!("{}{sha}", Self::API_TOKEN))
    }

    /// The API token's SHA-256, when this names one.
    pub fn api_token(&self) -> Option<&str> {
        self.0.strip_prefix(Self::API_TOKEN)
    }
}

/// Which channel an event travels on: its room's or its user's.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Route {
    Room(RoomId),
    User(UserId),
}

/// Externally tagged (`{"message": {...}}`): serde cannot hand a raw
/// message through an internally tagged enum.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusEvent {
    /// A stored message; `nonce` goes only to the connection `conn`.
    /// Published by the send script on the room's channel.
    Message {
        message: Box<RawValue>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nonce: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conn: Option<String>,
    },
    /// A stored message changed: its whole new state. Published by the
    /// change script on the room's channel.
    Update { message: Box<RawValue> },
    /// `user` came online or went offline: announced in each of their
    /// rooms small enough to carry presence. `version` orders the flips
    /// of one user (announcements of two flips may cross on the way).
    Presence {
        user: User,
        online: bool,
        room_id: RoomId,
        version: u64,
    },
    /// `user` is typing in `room_id`.
    Typing { room_id: RoomId, user: User },
    /// `user` was added to `room` (named as `user` sees it).
    /// `after` is the room's last rev when it was announced: the
    /// instance delivers every message and change above it.
    Room {
        room: Room,
        user: UserId,
        after: u64,
    },
    /// `user` left `room_id`.
    Left { room_id: RoomId, user: UserId },
    /// A session of `user` signed out: close its sockets.
    Logout {
        user: UserId,
        session: SessionFingerprint,
    },
}

impl BusEvent {
    /// The channel this event is published on; `None` for a message or
    /// an update, which only the scripts publish (on its room's channel).
    pub fn route(&self) -> Option<Route> {
        Some(match self {
            BusEvent::Message { .. } | BusEvent::Update { .. } => return None,
            BusEvent::Presence { room_id, .. } | BusEvent::Typing { room_id, .. } => {
                Route::Room(room_id.clone())
            }
            BusEvent::Room { user, .. }
            | BusEvent::Left { user, .. }
            | BusEvent::Logout { user, .. } => Route::User(*user),
        })
    }

    /// A short name for counting events by kind.
    pub fn kind(&self) -> EventKind {
        match self {
            BusEvent::Message { .. } | BusEvent::Update { .. } => EventKind::Message,
            BusEvent::Presence { .. } => EventKind::Presence,
            BusEvent::Typing { .. } => EventKind::Typing,
            BusEvent::Room { .. } | BusEvent::Left { .. } => EventKind::Membership,
            BusEvent::Logout { .. } => EventKind::Logout,
        }
    }
}

/// Kinds of bus events, for the instance's counters (`Message` counts
/// stored messages and changes to them alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Message,
    Presence,
    Typing,
    Membership,
    Logout,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::Message,
        EventKind::Presence,
        EventKind::Typing,
        EventKind::Membership,
        EventKind::Logout,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EventKind::Message => "message",
            EventKind::Presence => "presence",
            EventKind::Typing => "typing",
            EventKind::Membership => "membership",
            EventKind::Logout => "logout",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// The text around a message JSON that makes it a `BusEvent::Message`,
/// with the sender's connection and nonce when it came from a socket.
pub struct Envelope {
    pub before: String,
    pub after: String,
}

impl Envelope {
    pub fn new(origin: Option<(&ConnTag, &str)>) -> Self {
        let before = r#"{"message":{"message":"#.to_owned();
        let after = match origin {
            Some((conn, nonce)) => format!(
                r#","nonce":{},"conn":{}}}}}"#,
                json_string(nonce),
                json_string(&conn.to_string())
            ),
            None => "}}".to_owned(),
        };
        Envelope { before, after }
    }
}

/// The `message` frame a socket gets for a stored message (its JSON as
/// stored), with `nonce` on the sender's own connection only.
pub fn message_frame(message_json: &str, nonce: Option<&str>) -> String {
    match nonce {
        Some(nonce) => format!(
            r#"{{"type":"message","message":{message_json},"nonce":{}}}"#,
            json_string(nonce)
        ),
        None => format!(r#"{{"type":"message","message":{message_json}}}"#),
    }
}

/// The `update` frame a socket gets for a changed message.
pub fn update_frame(message_json: &str) -> String {
    format!(r#"{{"type":"update","message":{message_json}}}"#)
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ServerEvent;

    const MESSAGE: &str =
        r#"{"seq":1,"rev":1,"room_id":"0","from":"7","username":"a\"b","text":"hi","date":1}"#;

    #[test]
    fn an_enveloped_message_is_a_bus_event() {
        let tag = ConnTag {
            instance: InstanceId("i1".into()),
            conn: 4,
        };
        for origin in [None, Some((&tag, "c-\"1"))] {
            let envelope = Envelope::new(origin);
            let json = format!("{}{MESSAGE}{}", envelope.before, envelope.after);
            let BusEvent::Message {
                message: raw,
                nonce,
                conn,
            } = serde_json::from_str(&json).unwrap()
            else {
                panic!("not a message event: {json}");
            };
            assert_eq!(raw.get(), MESSAGE);
            assert_eq!(nonce.as_deref(), origin.map(|o| o.1));
            assert_eq!(
                conn.as_deref().and_then(ConnTag::parse),
                origin.map(|o| o.0.clone())
            );
        }
    }

    #[test]
    fn a_message_frame_is_the_contracts_message_event() {
        for nonce in [None, Some("c-\"7")] {
            let frame = message_frame(MESSAGE, nonce);
            let ServerEvent::Message {
                message,
                nonce: read,
            } = serde_json::from_str(&frame).unwrap()
            else {
                panic!("not a message event: {frame}");
            };
            assert_eq!(message.seq, 1);
            assert_eq!(message.text, "hi");
            assert_eq!(read.as_deref(), nonce);
            // And back: the frame is what serde makes of the event.
            let again = ServerEvent::Message {
                message,
                nonce: read,
            };
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&frame).unwrap(),
                serde_json::to_value(&again).unwrap()
            );
        }
    }

    #[test]
    fn an_update_frame_is_the_contracts_update_event() {
        let frame = update_frame(MESSAGE);
        let event: ServerEvent = serde_json::from_str(&frame).unwrap();
        assert!(matches!(event, ServerEvent::Update { message } if message.seq == 1));
        let published = format!(r#"{{"update":{{"message":{MESSAGE}}}}}"#);
        assert!(matches!(
            serde_json::from_str::<BusEvent>(&published).unwrap(),
            BusEvent::Update { .. }
        ));
    }

    #[test]
    fn conn_tags_read_back() {
        let tag = ConnTag {
            instance: InstanceId("ab12".into()),
            conn: 17,
        };
        assert_eq!(tag.to_string(), "ab12/17");
        assert_eq!(ConnTag::parse("ab12/17"), Some(tag));
        assert_eq!(ConnTag::parse("ab12"), None);
        assert_eq!(ConnTag::parse("ab12/x"), None);
    }

    #[test]
    fn events_go_to_the_channel_their_sockets_follow() {
        let user = UserId(3);
        let left = BusEvent::Left {
            room_id: RoomId::GENERAL,
            user,
        };
        assert_eq!(left.route(), Some(Route::User(user)));
        let logout = BusEvent::Logout {
            user,
            session: SessionFingerprint("f".into()),
        };
        assert_eq!(logout.route(), Some(Route::User(user)));
    }
}
