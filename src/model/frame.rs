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
    },
    /// Replay every stored message of the room with seq above `after`.
    Sync { room_id: RoomId, after: u64 },
    /// The sender is typing in the room.
    Typing { room_id: RoomId },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerEvent {
    Message {
        message: Message,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nonce: Option<String>,
    },
    Presence {
        user: User,
        online: bool,
    },
    /// The user was added to a room.
    Room {
        room: Room,
    },
    Typing {
        room_id: RoomId,
        user: User,
    },
    /// A frame was not valid, too large or not allowed; the socket stays open.
    /// `nonce` (an addition to the contract) names the send that failed.
    Error {
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nonce: Option<String>,
    },
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
                nonce: Some("c-1".into())
            }
        );
        let sync: ClientFrame =
            serde_json::from_str(r#"{"type":"sync","room_id":"0","after":41}"#).unwrap();
        assert_eq!(
            sync,
            ClientFrame::Sync {
                room_id: RoomId::GENERAL,
                after: 41
            }
        );
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
}
