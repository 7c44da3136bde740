//! The live connection: the browser's websocket to `/ws`, which feeds
//! [`ChatState`] with events and drains its outbox. Runs only after
//! hydration; a page without JavaScript has no socket.

pub mod notify;
#[cfg(feature = "hydrate")]
mod socket;

use super::state::ChatState;

/// Starts the socket for `state` (in the browser; nothing on the server).
pub fn connect(state: ChatState) {
    #[cfg(feature = "hydrate")]
    socket::start(state);
    #[cfg(not(feature = "hydrate"))]
    let _ = state;
}
