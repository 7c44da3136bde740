//! The types that cross the wire, and the validated newtypes that guard them.
//!
//! Everything here compiles for both the server and the browser. Parsing
//! functions (`Username::parse`, ...) are the only way to make a validated
//! value, so a value of the type is proof that the rule holds.

mod frame;
mod message;
mod page;
mod room;
mod token;
mod user;

pub use frame::{ClientFrame, ServerEvent, MAX_FRAME_BYTES, MAX_NONCE_LEN};
pub use message::{
    limit_up_to, mentioned_names, page_limit, same_emoji, Message, MessageText, Reaction, MAX_REACTIONS, PAGE_DEFAULT, PAGE_MAX,
};
pub use page::PageData;
pub use room::{PublicRoomQuery, Room, RoomId, RoomKind, RoomName, RoomSummary};
pub use token::{
    ApiTokenInfo, CredentialId, NewApiToken, TokenName, TokenSettings, Webhook, MAX_TOKENS_PER_PERSON,
};
pub use user::{MemberQuery, Password, User, UserId, Username};
