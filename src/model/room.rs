//! Rooms: ids, names, and the `Room` record.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{limit_up_to, Message, UserId};
use crate::error::AppError;

/// A room's id: a number for a public room (`"0"` is General), or
/// `"{low}:{high}"` of its two members' ids for a direct room.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum RoomId {
    Public(u64),
    Direct(UserId, UserId),
}

impl RoomId {
    pub const GENERAL: RoomId = RoomId::Public(0);

    /// The room's page, `/room/{id}` (read back by `ui::pages::chat_path`).
    pub fn path(&self) -> String {
        format!("/room/{self}")
    }

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let bad = || AppError::BadInput(format!("\"{}\" is not a room id.", truncate(raw)));
        let number = |s: &str| -> Result<u64, AppError> {
            if s.is_empty()
                || s.len() > 20
                || !s.bytes().all(|b| b.is_ascii_digit())
                || (s.len() > 1 && s.starts_with('0'))
            {
                return Err(bad());
            }
            s.parse().map_err(|_| bad())
        };
        match raw.split_once(':') {
            None => Ok(RoomId::Public(number(raw)?)),
            Some((low, high)) => {
                let (low, high) = (UserId(number(low)?), UserId(number(high)?));
                if low >= high {
                    return Err(bad());
                }
                Ok(RoomId::Direct(low, high))
            }
        }
    }

    /// The direct room of two different users.
    pub fn direct(a: UserId, b: UserId) -> Option<Self> {
        match a.cmp(&b) {
            std::cmp::Ordering::Less => Some(RoomId::Direct(a, b)),
            std::cmp::Ordering::Greater => Some(RoomId::Direct(b, a)),
            std::cmp::Ordering::Equal => None,
        }
    }

    pub fn kind(&self) -> RoomKind {
        match self {
            RoomId::Public(_) => RoomKind::Public,
            RoomId::Direct(..) => RoomKind::Direct,
        }
    }

    /// In a direct room, the member who is not `me`.
    pub fn other_member(&self, me: UserId) -> Option<UserId> {
        match *self {
            RoomId::Direct(low, high) if low == me => Some(high),
            RoomId::Direct(low, high) if high == me => Some(low),
            _ => None,
        }
    }
}

fn truncate(raw: &str) -> String {
    raw.chars().take(40).collect()
}

impl fmt::Display for RoomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RoomId::Public(n) => write!(f, "{n}"),
            RoomId::Direct(low, high) => write!(f, "{low}:{high}"),
        }
    }
}

impl From<RoomId> for String {
    fn from(id: RoomId) -> Self {
        id.to_string()
    }
}

impl TryFrom<String> for RoomId {
    type Error = AppError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        RoomId::parse(&s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RoomKind {
    Public,
    Direct,
}

/// A public room's name: 1 to 64 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomName(String);

impl RoomName {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(AppError::BadInput("A room needs a name.".into()));
        }
        if name.chars().count() > Self::MAX_LEN {
            return Err(AppError::TooLarge(format!(
                "A room name is at most {} characters long.",
                Self::MAX_LEN
            )));
        }
        if name.chars().any(char::is_control) {
            return Err(AppError::BadInput(
                "A room name cannot hold control characters.".into(),
            ));
        }
        if holds_invisible_format(name) {
            return Err(AppError::BadInput(
                "A room name cannot hold invisible or direction-changing characters.".into(),
            ));
        }
        Ok(RoomName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Two names that differ only in case name one room.
    pub fn canonical(&self) -> String {
        self.0.to_lowercase()
    }
}

/// Whether `name` holds a format character (Unicode category Cf): the
/// bidi controls that show text reversed (`\u{202E}evil` reads as "live"),
/// zero-width spaces and joiners that make two names look alike, soft
/// hyphens, tags. A zero-width joiner that glues an emoji sequence
/// together (a family, a flame heart) is let through. The Unicode tables
/// are icu_properties' (already in the server's tree through `url`):
/// a hand-kept list would lag behind new Unicode versions.
pub(super) fn holds_invisible_format(name: &str) -> bool {
    use icu_properties::props::{ExtendedPictographic, GeneralCategory};
    use icu_properties::{CodePointMapData, CodePointSetData};
    let category = CodePointMapData::<GeneralCategory>::new();
    let pictographic = CodePointSetData::new::<ExtendedPictographic>();
    let chars: Vec<char> = name.chars().collect();
    chars.iter().enumerate().any(|(at, &c)| {
        let joins_emoji = c == '\u{200D}'
            && at > 0
            && chars.get(at + 1).is_some_and(|&next| pictographic.contains(next));
        category.get(c) == GeneralCategory::Format && !joins_emoji
    })
}

/// One page of the public room list (`/api/rooms/public`): the rooms whose
/// name contains `contains` in any case, at most `limit` of them, starting
/// after the room `after` (the last of the previous page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicRoomQuery {
    /// Lowercase; `None` matches every room.
    pub contains: Option<String>,
    pub limit: u32,
    pub after: Option<RoomId>,
}

impl PublicRoomQuery {
    /// The most rooms one page holds, and the default.
    pub const MAX_LIMIT: u32 = 100;

    pub fn parse(q: Option<&str>, limit: Option<u32>, after: Option<&str>) -> Result<Self, AppError> {
        let contains = q.map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty());
        if contains.as_ref().is_some_and(|q| q.chars().count() > RoomName::MAX_LEN) {
            return Err(AppError::BadInput(format!(
                "q is at most {} characters, as room names are.",
                RoomName::MAX_LEN
            )));
        }
        let limit = limit_up_to(limit, Self::MAX_LIMIT, Self::MAX_LIMIT)?;
        let after = match after.map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some(raw) => match RoomId::parse(raw) {
                Ok(id @ RoomId::Public(_)) => Some(id),
                _ => {
                    return Err(AppError::BadInput(
                        "after is the id of a public room.".into(),
                    ))
                }
            },
        };
        Ok(PublicRoomQuery {
            contains,
            limit,
            after,
        })
    }

    /// The first page of every public room.
    pub fn first_page() -> Self {
        PublicRoomQuery {
            contains: None,
            limit: Self::MAX_LIMIT,
            after: None,
        }
    }
}

/// A room as every client sees it:
/// `{"id": "0", "name": "General", "kind": "public"}`. A direct room is
/// named after the other member.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Room {
    pub id: RoomId,
    pub name: String,
    pub kind: RoomKind,
    /// A public room's creator (none for General and direct rooms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<UserId>,
}

/// A room in the caller's list: the `Room` fields, plus what is unread and
/// the latest message (an addition to the contract).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "SummaryFields", into = "SummaryFields")]
pub struct RoomSummary {
    pub room: Room,
    /// Messages above the caller's last-read seq.
    pub unread: u64,
    /// Of those, the ones that name the caller.
    pub mentions: u64,
    /// The caller's last-read seq in this room.
    pub last_read: u64,
    /// The newest message, if any.
    pub last_message: Option<Message>,
}

/// A summary on the wire: the room's fields side by side with the rest.
/// (Spelled out rather than `#[serde(flatten)]`, which makes serde buffer
/// every summary it reads: code that weighs on the browser bundle.)
#[derive(Serialize, Deserialize)]
struct SummaryFields {
    id: RoomId,
    name: String,
    kind: RoomKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    owner: Option<UserId>,
    unread: u64,
    #[serde(default)]
    mentions: u64,
    last_read: u64,
    last_message: Option<Message>,
}

impl From<SummaryFields> for RoomSummary {
    fn from(f: SummaryFields) -> Self {
        RoomSummary {
            room: Room {
                id: f.id,
                name: f.name,
                kind: f.kind,
                owner: f.owner,
            },
            unread: f.unread,
            mentions: f.mentions,
            last_read: f.last_read,
            last_message: f.last_message,
        }
    }
}

impl From<RoomSummary> for SummaryFields {
    fn from(s: RoomSummary) -> Self {
        SummaryFields {
            id: s.room.id,
            name: s.room.name,
            kind: s.room.kind,
            owner: s.room.owner,
            unread: s.unread,
            mentions: s.mentions,
            last_read: s.last_read,
            last_message: s.last_message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_room_queries() {
        let q = PublicRoomQuery::parse(Some("  Rust "), Some(10), Some("12")).unwrap();
        assert_eq!(q.contains.as_deref(), Some("rust"));
        assert_eq!((q.limit, q.after), (10, Some(RoomId::Public(12))));
        assert_eq!(PublicRoomQuery::parse(None, None, Some("")).unwrap(), PublicRoomQuery::first_page());
        assert_eq!(PublicRoomQuery::parse(Some(" "), None, None).unwrap().contains, None);
        for limit in [0, 101] {
            assert!(PublicRoomQuery::parse(None, Some(limit), None).is_err(), "{limit}");
        }
        for after in ["x", "3:10", "-1"] {
            assert!(PublicRoomQuery::parse(None, None, Some(after)).is_err(), "{after}");
        }
        assert!(PublicRoomQuery::parse(Some(&"a".repeat(65)), None, None).is_err());
    }

    #[test]
    fn room_ids_parse_both_kinds_and_refuse_the_rest() {
        assert_eq!(RoomId::parse("0").unwrap(), RoomId::GENERAL);
        assert_eq!(RoomId::parse("12").unwrap(), RoomId::Public(12));
        assert_eq!(
            RoomId::parse("3:10").unwrap(),
            RoomId::Direct(UserId(3), UserId(10))
        );
        for bad in [
            "",
            "x",
            "-1",
            "01",
            "10:3",
            "3:3",
            "1:2:3",
            ":",
            "1:",
            " 1",
            "99999999999999999999999",
        ] {
            assert!(RoomId::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(RoomId::Direct(UserId(3), UserId(10)).to_string(), "3:10");
    }

    #[test]
    fn direct_ids_order_their_members() {
        assert_eq!(
            RoomId::direct(UserId(9), UserId(2)),
            Some(RoomId::Direct(UserId(2), UserId(9)))
        );
        assert_eq!(RoomId::direct(UserId(2), UserId(2)), None);
        let id = RoomId::direct(UserId(2), UserId(9)).unwrap();
        assert_eq!(id.other_member(UserId(2)), Some(UserId(9)));
        assert_eq!(id.other_member(UserId(5)), None);
    }

    #[test]
    fn room_names_refuse_invisible_and_direction_changing_characters() {
        for hidden in ["\u{202E}evil", "\u{200B}", "gen\u{200B}eral", "a\u{2066}b", "soft\u{AD}hyphen", "x\u{FEFF}", "\u{E0041}tag"] {
            assert!(
                matches!(RoomName::parse(hidden), Err(AppError::BadInput(_))),
                "{hidden:?}"
            );
        }
        // Emoji sequences keep their joiners; other scripts are welcome.
        for fine in ["Family \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}", "\u{2764}\u{FE0F}\u{200D}\u{1F525} fans", "Ελληνικά", "日本語"] {
            assert!(RoomName::parse(fine).is_ok(), "{fine:?}");
        }
    }

    #[test]
    fn room_names_are_trimmed_and_bounded() {
        assert_eq!(RoomName::parse("  Rust  ").unwrap().as_str(), "Rust");
        assert!(matches!(RoomName::parse("   "), Err(AppError::BadInput(_))));
        assert!(matches!(
            RoomName::parse(&"x".repeat(65)),
            Err(AppError::TooLarge(_))
        ));
        assert!(RoomName::parse(&"é".repeat(64)).is_ok());
        assert!(matches!(
            RoomName::parse("a\u{0}b"),
            Err(AppError::BadInput(_))
        ));
    }

    #[test]
    fn rooms_look_as_the_contract_says() {
        let room = Room {
            id: RoomId::GENERAL,
            name: "General".into(),
            kind: RoomKind::Public,
            owner: None,
        };
        assert_eq!(
            serde_json::to_string(&room).unwrap(),
            r#"{"id":"0","name":"General","kind":"public"}"#
        );
    }
}

#[cfg(test)]
mod summary_tests {
    use super::*;
    use crate::model::Username;

    #[test]
    fn a_summary_round_trips_through_json() {
        let message = Message {
            room_id: RoomId::GENERAL,
            seq: 3,
            from: UserId(7),
            username: Username::parse("alice").unwrap(),
            text: "hi".into(),
            date: 1_732_350_000_123,
            ..Message::sample()
        };
        let summary = RoomSummary {
            room: Room {
                id: RoomId::GENERAL,
                name: "General".into(),
                kind: RoomKind::Public,
                owner: None,
            },
            unread: 2,
            mentions: 1,
            last_read: 1,
            last_message: Some(message),
        };
        let json = serde_json::to_string(&summary).unwrap();
        // The room's fields sit beside the others, as the contract's Room.
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["id"], "0");
        assert_eq!(value["name"], "General");
        assert_eq!(value["kind"], "public");
        assert_eq!(value["unread"], 2);
        assert_eq!(value["mentions"], 1);
        assert_eq!(
            serde_json::from_str::<RoomSummary>(&json).unwrap(),
            summary,
            "{json}"
        );
    }
}
