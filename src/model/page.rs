//! `PageData`: what the chat page needs before it can draw, read once per
//! page load (on the server, and carried to the browser for hydration).

use serde::{Deserialize, Serialize};

use super::{RoomSummary, User, UserId};

/// The signed-in reader's page, as the server read it for the first paint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageData {
    /// Who is signed in.
    pub user: User,
    /// The rooms they belong to, with unread counts.
    pub rooms: Vec<RoomSummary>,
    /// Everyone online now.
    pub online: Vec<User>,
    /// The people the reader blocked: their messages are shown collapsed.
    pub blocked: Vec<UserId>,
    /// Whether the reader is an admin (`CONFAB_ADMINS`): they may delete
    /// any message in a public room.
    pub admin: bool,
    /// Whether the page opens with the room browser showing (`/rooms`).
    pub browsing: bool,
    /// The room browser's content, as HTML, on `/rooms` (see
    /// `room_browser`); empty on other pages. For the server's render only,
    /// like `panel`.
    #[serde(skip)]
    pub browser: String,
    /// What the server writes over the chat, as HTML: search results
    /// (`/search?q=...`) or the reader's API tokens (`/settings`); empty on
    /// other pages. For the server's render only: not sent to the browser,
    /// which keeps what the server wrote.
    #[serde(skip)]
    pub panel: String,
}
