//! The pages, and which one a path shows.

mod home;
mod not_found;

use leptos::either::Either;
use leptos::prelude::*;
use crate::model::RoomId;
use crate::ui::location::Location;

pub use home::HomePage;
pub use not_found::NotFound;

/// The page at the current path (see `app::PAGE_PATHS`). Moving between
/// rooms keeps the home page, with its state and live connection.
#[component]
pub fn Pages() -> impl IntoView {
    let location = Location::current();
    let known = Memo::new(move |_| location.with_path(|path| chat_path(path).is_some()));
    move || {
        if known.get() {
            Either::Left(view! { <HomePage/> })
        } else {
            Either::Right(view! { <NotFound/> })
        }
    }
}

/// What a chat path asks for: the room it opens (General for `/`,
/// `/rooms`, `/search` and `/settings`) and whether the room browser
/// shows; `None` for any other path.
pub fn chat_path(path: &str) -> Option<(RoomId, bool)> {
    match path {
        "/" | "/search" | "/settings" => Some((RoomId::GENERAL, false)),
        "/rooms" => Some((RoomId::GENERAL, true)),
        _ => {
            let id = path
                .strip_prefix("/room/")
                .filter(|id| !id.is_empty() && !id.contains('/'))?;
            // A room id that does not parse opens the chat on General.
            Some((RoomId::parse(id).unwrap_or(RoomId::GENERAL), false))
        }
    }
}
