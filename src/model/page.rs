//! `PageData`: what the chat page needs before it can draw, read once per
//! page load (on the server, and carried to the browser for hydration).

use serde::{Deserialize, Serialize};

use super::{Message, Room, RoomSummary, User};

/// The signed-in reader's page, as the server read it for the first paint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageData {
    /// Who is signed in.
    pub user: User,
    /// The rooms they belong to, with unread counts.
    pub rooms: Vec<RoomSummary>,
    /// Everyone online now.
    pub online: Vec<User>,
    /// Every public room, when the page opens with the room browser
    /// showing (`/rooms`).
    pub listing: Option<Vec<Room>>,
    /// The messages a search found, when the page is search results
    /// (`/search?q=...`). For the server's render only: not sent to the
    /// browser, which keeps the results the server wrote.
    #[serde(skip)]
    pub found: Option<Vec<Message>>,
}
