//! Websocket frames: what a client sends (`ClientFrame`) and what the
//! server sends (`ServerEvent`), as JSON text with a `type` tag.

use serde::{Deserialize, Serialize};

use super::{Message, Room, RoomId, User};

/// The largest frame a client may send; a larger one closes the socket
/// with 1009.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// The longest nonce the server echoes.
pub const MAX_NONCE_LEN: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Store `text` in the room and deliver it; `nonce` comes back on the
    /// sender's own connection.
    Send {
        room_id: RoomId,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nonce: Option<String>,
        /// A repeat of an earlier send under the same nonce, whose answer
        /// was lost (an addition): stored only if that one was not.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        retry: bool,
        /// The seq of the message this one answers.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<u64>,
    },
    /// Replay every stored message of the room with seq above `after`
    /// (v1), or every message whose rev is above `after_rev`: new ones as
    /// `message` events, changed ones as `update` events.
    Sync {
        room_id: RoomId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after_rev: Option<u64>,
    },
    /// Replace the text of one's own message. A `nonce` (an addition, on
    /// each change frame) comes back in the `error` that refuses it.
    Edit {
        room_id: RoomId,
        seq: u64,
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nonce: Option<String>,
    },
    /// Delete a message.
    Delete {
        room_id: RoomId,
        seq: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nonce: Option<String>,
    },
    /// Add (`on`) or take away one's reaction `emoji`.
    React {
        room_id: RoomId,
        seq: u64,
        emoji: String,
        on: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nonce: Option<String>,
    },
    /// The sender is typing in the room.
    Typing { room_id: RoomId },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "EventFields")]
pub enum ServerEvent {
    Message {
        message: Message,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nonce: Option<String>,
    },
    /// A stored message changed (edited, deleted, its reactions): its
    /// whole new state.
    Update {
        message: Message,
    },
    Presence {
        user: User,
        online: bool,
    },
    /// The user was added to a room. `rev` (an addition to the contract)
    /// is the room's rev when they were: every message and change above it
    /// reaches the socket live, so a client keeping revs per room starts
    /// the room there.
    Room {
        room: Room,
        #[serde(default)]
        rev: u64,
    },
    Typing {
        room_id: RoomId,
        user: User,
    },
    /// A frame was not valid, too large or not allowed; the socket stays open.
    /// `nonce` (an addition to the contract) names the send, edit, delete
    /// or react that failed.
    Error {
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nonce: Option<String>,
    },
}

/// Every field an event may carry. Events are read through this flat
/// shape: serde reads an internally tagged enum by buffering the whole
/// event first, code that weighs on the browser bundle.
#[derive(Deserialize)]
struct EventFields {
    #[serde(rename = "type")]
    kind: String,
    message: Option<Message>,
    nonce: Option<String>,
    user: Option<User>,
    online: Option<bool>,
    room: Option<Room>,
    rev: Option<u64>,
    room_id: Option<RoomId>,
    reason: Option<String>,
}

impl TryFrom<EventFields> for ServerEvent {
    type Error = String;

    fn try_from(fields: EventFields) -> Result<Self, String> {
        let kind = fields.kind;
        let missing = |field: &str| format!("a `{kind}` event needs `{field}`");
        Ok(match kind.as_str() {
            "message" => ServerEvent::Message {
                message: fields.message.ok_or_else(|| missing("message"))?,
                nonce: fields.nonce,
            },
            "update" => ServerEvent::Update {
                message: fields.message.ok_or_else(|| missing("message"))?,
            },
            "presence" => ServerEvent::Presence {
                user: fields.user.ok_or_else(|| missing("user"))?,
                online: fields.online.ok_or_else(|| missing("online"))?,
            },
            "room" => ServerEvent::Room {
                room: fields.room.ok_or_else(|| missing("room"))?,
                rev: fields.rev.unwrap_or(0),
            },
            "typing" => ServerEvent::Typing {
                room_id: fields.room_id.ok_or_else(|| missing("room_id"))?,
                user: fields.user.ok_or_else(|| missing("user"))?,
            },
            "error" => ServerEvent::Error {
                reason: fields.reason.ok_or_else(|| missing("reason"))?,
                nonce: fields.nonce,
            },
            other => return Err(format!("unknown event type `{other}`")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_frames_read_as_the_contract_writes_them() {
        let send: ClientFrame =
            serde_json::from_str(r#"{"type":"send","room_id":"0","text":"hi","nonce":"c-1"}"#)
                .unwrap();
        assert_eq!(
            send,
            ClientFrame::Send {
                room_id: RoomId::GENERAL,
                text: "hi".into(),
                nonce: Some("c-1".into()),
                retry: false,
                reply_to: None,
            }
        );
        let sync: ClientFrame =
            serde_json::from_str(r#"{"type":"sync","room_id":"0","after":41}"#).unwrap();
        assert_eq!(
            sync,
            ClientFrame::Sync {
                room_id: RoomId::GENERAL,
                after: Some(41),
                after_rev: None,
            }
        );
        let sync: ClientFrame =
            serde_json::from_str(r#"{"type":"sync","room_id":"0","after_rev":96}"#).unwrap();
        assert!(matches!(sync, ClientFrame::Sync { after: None, after_rev: Some(96), .. }));
        let react: ClientFrame = serde_json::from_str(
            r#"{"type":"react","room_id":"0","seq":42,"emoji":"👍","on":true}"#,
        )
        .unwrap();
        assert!(matches!(react, ClientFrame::React { seq: 42, on: true, .. }));
        let edit: ClientFrame =
            serde_json::from_str(r#"{"type":"edit","room_id":"0","seq":42,"text":"new"}"#).unwrap();
        assert!(matches!(edit, ClientFrame::Edit { seq: 42, .. }));
        let delete: ClientFrame =
            serde_json::from_str(r#"{"type":"delete","room_id":"0","seq":42}"#).unwrap();
        assert!(matches!(delete, ClientFrame::Delete { seq: 42, .. }));
        let typing: ClientFrame =
            serde_json::from_str(r#"{"type":"typing","room_id":"2:5"}"#).unwrap();
        assert!(matches!(typing, ClientFrame::Typing { .. }));
        for bad in [
            r#"{"type":"send","room_id":"x","text":"hi"}"#,
            r#"{"type":"shout"}"#,
            "[]",
            "hi",
        ] {
            assert!(serde_json::from_str::<ClientFrame>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn server_events_are_tagged() {
        let event = ServerEvent::Error {
            reason: "no".into(),
            nonce: None,
        };
        assert_eq!(
            serde_json::to_string(&event).unwrap(),
            r#"{"type":"error","reason":"no"}"#
        );
    }

    #[test]
    fn server_events_read_back_and_bad_ones_are_refused() {
        let user = User {
            id: crate::model::UserId(7),
            username: crate::model::Username::parse("alice").unwrap(),
        };
        for event in [
            ServerEvent::Update {
                message: Message::sample(),
            },
            ServerEvent::Presence {
                user: user.clone(),
                online: true,
            },
            ServerEvent::Typing {
                room_id: RoomId::GENERAL,
                user,
            },
            ServerEvent::Error {
                reason: "no".into(),
                nonce: Some("c-1".into()),
            },
        ] {
            let json = serde_json::to_string(&event).unwrap();
            assert_eq!(serde_json::from_str::<ServerEvent>(&json).unwrap(), event);
        }
        // Fields a later server adds are ignored; missing ones and unknown
        // types are errors.
        let extended = r#"{"type":"error","reason":"no","hint":"later"}"#;
        assert!(serde_json::from_str::<ServerEvent>(extended).is_ok());
        for bad in [
            r#"{"type":"presence","online":true}"#,
            r#"{"type":"typing","room_id":"0"}"#,
            r#"{"type":"shout"}"#,
            r#"{"reason":"no"}"#,
        ] {
            assert!(serde_json::from_str::<ServerEvent>(bad).is_err(), "{bad}");
        }
    }
}
