//! The signed-in page: loads the rooms, the people online and the open
//! room's history (all server-rendered), makes the page state, starts the
//! live connection, and lays out the sidebar and the open room.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

use crate::api::{mark_read, messages, online_users, public_rooms, rooms};
use crate::error::AppError;
use crate::model::{Message, Room};
use crate::model::{RoomId, User};

/// The open room's newest page, and the room browser's listing.
#[derive(Clone, Copy)]
pub struct PageResources {
    pub history: Resource<Result<Vec<Message>, AppError>>,
    /// The `before` of an older page of history (JavaScript off).
    pub before: Memo<Option<u64>>,
    pub browsing: RwSignal<bool>,
    pub listing: Resource<Option<Vec<Room>>>,
}
use crate::ui::components::room_view::RoomView;
use crate::ui::components::sidebar::Sidebar;
use crate::ui::live;
use crate::ui::pages::chat_path;
use crate::ui::state::{ChatState, Connection};

#[component]
pub fn ChatShell(user: User) -> impl IntoView {
    let location = use_location();
    let room_in_url = Memo::new(move |_| {
        chat_path(&location.pathname.read()).map_or(RoomId::GENERAL, |(room, _)| room)
    });
    // Every resource is made here, outside the Suspense, so that the
    // server and the hydrating browser number them alike.
    let my_rooms = Resource::new(|| (), |_| rooms());
    let online = Resource::new(|| (), |_| online_users());
    // `?before=SEQ`: an older page, the way back through history without
    // JavaScript (the hydrated page loads older messages as it scrolls).
    let query = use_query_map();
    let before = Memo::new(move |_| {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<u64>().ok())
    });
    // Opening a room marks it read up to the newest message shown, on the
    // server, so that this holds for a page served without JavaScript too.
    let history = Resource::new(
        move || (room_in_url.get(), before.get()),
        |(room, before)| async move {
            let page = messages(room.to_string(), before, Some(50)).await?;
            if let Some(newest) = page.last() {
                // The page is shown either way; a failed mark only leaves
                // the badge up.
                let _ = mark_read(room.to_string(), newest.seq).await;
            }
            Ok(page)
        },
    );
    // `/rooms` opens with the room browser showing (the JavaScript-off way in).
    let browsing = RwSignal::new(
        chat_path(&location.pathname.get_untracked()).is_some_and(|(_, browsing)| browsing),
    );
    let listing = Resource::new(
        move || browsing.get(),
        |open| async move {
            if open {
                public_rooms().await.ok()
            } else {
                None
            }
        },
    );
    let resources = PageResources {
        history,
        before,
        browsing,
        listing,
    };
    let name = user.username.to_string();

    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {
                let user = user.clone();
                let name = name.clone();
                move || {
                    let user = user.clone();
                    let name = name.clone();
                    Suspend::new(async move {
                        let rooms = my_rooms.await.unwrap_or_default();
                        let online = online.await.unwrap_or_default();
                        let state = ChatState::new(user, rooms, online, room_in_url.get_untracked());
                        provide_context(state);
                        Effect::new(move |_| state.open_room.set(room_in_url.get()));
                        live::connect(state);
                        view! { <Layout state name resources/> }
                    })
                }
            }
        </Suspense>
    }
}

#[component]
fn Layout(
    state: ChatState,
    name: String,
    resources: PageResources,
) -> impl IntoView {
    let sidebar_open = RwSignal::new(false);
    view! {
        <div class="chat" class:sidebar-open=move || sidebar_open.get()>
            <header class="topbar">
                // A link to #sidebar, so that it opens the sidebar without
                // JavaScript too (CSS :target); the hydrated page toggles.
                <a
                    href="#sidebar"
                    role="button"
                    class="menu button secondary"
                    aria-controls="sidebar"
                    aria-expanded=move || sidebar_open.get().to_string()
                    on:click=move |ev| {
                        ev.prevent_default();
                        sidebar_open.update(|open| *open = !*open);
                    }
                >
                    "Menu"
                </a>
                <span class="brand">"Confab"</span>
                <ConnectionBanner state/>
                <span class="whoami">"Signed in as " <strong>{name}</strong></span>
                // A plain form, with or without JavaScript: signing out
                // loads the signed-out page.
                <form method="post" action="/api/logout">
                    <button type="submit" class="secondary">"Sign out"</button>
                </form>
            </header>
            <Sidebar state browsing=resources.browsing listing=resources.listing on_pick=move || sidebar_open.set(false)/>
            <RoomView state history=resources.history before=resources.before/>
        </div>
    }
}

/// A quiet line that says when the live connection is lost and when it is
/// back.
#[component]
fn ConnectionBanner(state: ChatState) -> impl IntoView {
    let text = move || match state.connection.get() {
        Connection::Reconnecting => "Reconnecting…",
        Connection::Restored => "Back online",
        Connection::Idle | Connection::Open => "",
    };
    view! {
        <span
            class="banner"
            class:warn=move || state.connection.get() == Connection::Reconnecting
            role="status"
            data-connection=move || state.connection.get().name()
        >
            {text}
        </span>
    }
}
