//! The sidebar: the rooms (a navigation landmark labelled `Rooms`) with
//! unread badges, the room browser, and the people online (a list labelled
//! `Online`), each a button that opens the direct room with them.

use leptos::prelude::*;

use crate::api::direct_room;
use crate::model::{Room, RoomKind, RoomSummary, User};
use crate::ui::components::room_browser::RoomBrowser;
use crate::ui::location::Location;
use crate::ui::state::ChatState;

#[component]
pub fn Sidebar(
    state: ChatState,
    browsing: RwSignal<bool>,
    listing: RwSignal<Option<Vec<Room>>>,
    on_pick: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let location = Location::current();
    let me = state.me.get_value();
    let browse_button = NodeRef::<leptos::html::Button>::new();
    let open_direct = move |user_id: String| {
        leptos::task::spawn_local(async move {
            match direct_room(user_id).await {
                Ok(room) => {
                    let path = format!("/room/{}", room.id);
                    state.join(room);
                    location.navigate(&path);
                    on_pick();
                }
                Err(err) => leptos::logging::warn!("cannot open the direct room: {err}"),
            }
        });
    };

    view! {
        <aside id="sidebar" class="sidebar">
            <nav aria-label="Rooms">
                <h2>"Rooms"</h2>
                <ul class="room-list">
                    {room_links(state, RoomKind::Public, on_pick)}
                </ul>
                <form method="get" action="/rooms" class="inline-form">
                    <button
                        type="submit"
                        class="secondary browse"
                        node_ref=browse_button
                        on:click=move |ev| {
                            ev.prevent_default();
                            browsing.set(true);
                        }
                    >
                        "Browse rooms"
                    </button>
                </form>
                <h2>"Direct messages"</h2>
                <ul class="room-list">
                    {room_links(state, RoomKind::Direct, on_pick)}
                </ul>
            </nav>
            <section class="online">
                <h2 id="online-heading">"Online"</h2>
                <ul aria-label="Online">
                    {move || {
                        let open_direct = open_direct.clone();
                        state.online.with(|people| {
                            people.iter().map(|user| person(user, user.id == me.id, open_direct.clone())).collect_view()
                        })
                    }}
                </ul>
            </section>
            <RoomBrowser state open=browsing listing opener=browse_button/>
            // A whole page load: the server writes the settings.
            <a class="settings-link" href="/settings" target="_top">"Settings"</a>
        </aside>
    }
}

/// One person online: a button that opens the direct room with them (a
/// plain form post without JavaScript).
fn person(
    user: &User,
    is_me: bool,
    open_direct: impl Fn(String) + Clone + 'static,
) -> impl IntoView {
    let id = user.id.to_string();
    let posted = id.clone();
    view! {
        <li>
            <span class="dot" aria-hidden="true"></span>
            <form method="post" action="/api/rooms/direct" class="inline-form">
                <input type="hidden" name="user_id" value=posted/>
                <button
                    type="submit"
                    class="person"
                    disabled=is_me
                    title=if is_me { "You".to_owned() } else { format!("Message {}", user.username) }
                    on:click=move |ev| {
                        ev.prevent_default();
                        open_direct(id.clone());
                    }
                >
                    {user.username.to_string()}
                    {is_me.then_some(" (you)")}
                </button>
            </form>
        </li>
    }
}

/// The rooms of one kind, each a link with its unread badge. The lists
/// are short, so they are drawn again whole when a room changes.
fn room_links(
    state: ChatState,
    kind: RoomKind,
    on_pick: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    move || {
        let open = state.open_room.get();
        state.rooms.with(|rooms| {
            rooms
                .iter()
                .filter(|r| r.room.kind == kind)
                .map(|summary| room_link(summary, summary.room.id == open, on_pick))
                .collect_view()
        })
    }
}

fn room_link(
    summary: &RoomSummary,
    current: bool,
    on_pick: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let sigil = if summary.room.kind == RoomKind::Public {
        "#"
    } else {
        "@"
    };
    // The open room is being read: no badge, even on a page served before
    // its read mark moved.
    let unread = (summary.unread > 0 && !current).then_some(summary.unread);
    let mentions = (summary.mentions > 0 && !current).then_some(summary.mentions);
    view! {
        <li>
            // A plain link: the router takes the click and opens the room
            // without loading the page again.
            <a
                href=format!("/room/{}", summary.room.id)
                class="room-link"
                aria-current=current.then_some("page")
                on:click=move |_| on_pick()
            >
                <span class="sigil" aria-hidden="true">{sigil}</span>
                <span class="room-name">{summary.room.name.clone()}</span>
                {mentions.map(|count| view! {
                    <span class="badge mention-badge" title="Mentions of you">"@"{count} <span class="visually-hidden">{if count == 1 { " mention" } else { " mentions" }}</span></span>
                })}
                {unread.map(|count| view! {
                    <span class="badge">{count} <span class="visually-hidden">" unread"</span></span>
                })}
            </a>
        </li>
    }
}
