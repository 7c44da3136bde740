//! The signed-in page: makes the page state from what the server read for
//! it, loads the open room's history (server-rendered too), starts the live
//! connection, and lays out the sidebar and the open room.

use leptos::prelude::*;

use crate::api::{mark_read, messages};
use crate::error::AppError;
use crate::model::{Message, PageData, RoomId};
use crate::ui::components::notifications::NotificationToggle;
use crate::ui::components::room_view::RoomView;
use crate::ui::components::search::MessageSearch;
use crate::ui::components::sidebar::Sidebar;
use crate::ui::json::Json;
use crate::ui::live;
use crate::ui::location::Location;
use crate::ui::pages::chat_path;
use crate::ui::state::{ChatState, Connection};

/// The open room's history as the page shows it: the room in the URL, the
/// older page asked for (`?before=SEQ`: the way back through history
/// without JavaScript; the hydrated page loads older messages as it
/// scrolls), and that page of messages.
#[derive(Clone, Copy)]
pub struct History {
    pub room: Memo<RoomId>,
    pub before: Memo<Option<u64>>,
    pub page: Resource<Result<Vec<Message>, AppError>, Json>,
}

impl History {
    /// Made by the page above its Suspense, so that it is made once per
    /// page load (the server renders a Suspense's content twice when its
    /// data is ready early), for a reader signed in per `signed_in`.
    pub fn new(signed_in: Resource<Result<PageData, AppError>, Json>) -> Self {
        let location = Location::current();
        let room = Memo::new(move |_| {
            location.with_path(|path| chat_path(path).map_or(RoomId::GENERAL, |(room, _)| room))
        });
        let before = Memo::new(move |_| {
            location
                .query("before")
                .and_then(|b| b.parse::<u64>().ok())
        });
        // Opening a room marks it read up to the newest message shown, on
        // the server, so that this holds for a page served without
        // JavaScript too.
        let page = Resource::new_with_options(
            move || (room.get(), before.get()),
            move |(room, before)| async move {
                signed_in.await?;
                let page = messages(room.to_string(), before, Some(50)).await?;
                if let Some(newest) = page.last() {
                    // The page is shown either way; a failed mark only
                    // leaves the badge up.
                    let _ = mark_read(room.to_string(), newest.seq).await;
                }
                Ok(page)
            },
            false,
        );
        History { room, before, page }
    }
}

/// What the sidebar and the open room read besides the page state.
#[derive(Clone, Copy)]
pub struct PageResources {
    pub history: History,
    pub browsing: RwSignal<bool>,
    /// The room browser's content, as the server wrote it.
    pub browser: StoredValue<String>,
    /// What the server wrote over the chat (search results, settings).
    pub panel: StoredValue<String>,
}

#[component]
pub fn ChatShell(data: PageData, history: History) -> impl IntoView {
    let PageData {
        user,
        rooms,
        online,
        blocked,
        admin,
        browsing,
        browser,
        panel,
    } = data;
    let room_in_url = history.room;
    let resources = PageResources {
        history,
        browsing: RwSignal::new(browsing),
        browser: StoredValue::new(browser),
        panel: StoredValue::new(panel),
    };
    let name = user.username.to_string();
    let state = ChatState::new(
        user,
        rooms,
        online,
        blocked,
        admin,
        room_in_url.get_untracked(),
    );
    // `?reply={seq}`: a Reply chosen without JavaScript (a plain GET form).
    let location = Location::current();
    if let Some(seq) = location.query_untracked("reply").and_then(|s| s.parse().ok()) {
        state.replying.set(Some((room_in_url.get_untracked(), seq)));
    }
    provide_context(state);
    Effect::new(move |_| state.open_room.set(room_in_url.get()));
    show_unread_in_the_title(state);
    live::connect(state);
    view! { <Layout state name resources/> }
}

#[component]
fn Layout(state: ChatState, name: String, resources: PageResources) -> impl IntoView {
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
                <MessageSearch panel=resources.panel.get_value()/>
                <ConnectionBanner state/>
                <span class="whoami">"Signed in as " <strong>{name}</strong></span>
                <NotificationToggle/>
                // A plain form, with or without JavaScript: signing out
                // loads the signed-out page.
                <form method="post" action="/api/logout">
                    <button type="submit" class="secondary">"Sign out"</button>
                </form>
            </header>
            <Sidebar state browsing=resources.browsing browser=resources.browser.get_value() on_pick=move || sidebar_open.set(false)/>
            <RoomView state history=resources.history/>
        </div>
    }
}

/// The tab's title counts the messages waiting in the rooms not open, as
/// chat apps do: "(3) Confab". (In the browser only: the server renders the
/// plain title.)
fn show_unread_in_the_title(state: ChatState) {
    Effect::new(move |_| {
        let open = state.open_room.get();
        let unread: u64 = state.rooms.with(|rooms| {
            rooms
                .iter()
                .filter(|r| r.room.id != open)
                .map(|r| r.unread)
                .sum()
        });
        document().set_title(&if unread > 0 {
            format!("({unread}) Confab")
        } else {
            "Confab".to_owned()
        });
        // Leaving the chat (for the not-found page) leaves the plain
        // title. (Registered here, in the browser: effects do not run on
        // the server, which has no document.)
        on_cleanup(|| document().set_title("Confab"));
    });
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
