//! The sidebar: the rooms (a navigation landmark labelled `Rooms`) with
//! unread badges, the room browser, and the people online (a list labelled
//! `Online`), each a button that opens the direct room with them.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::api::direct_room;
use crate::model::{Room, RoomKind, RoomSummary};
use crate::ui::components::room_browser::RoomBrowser;
use crate::ui::state::ChatState;

#[component]
pub fn Sidebar(
    state: ChatState,
    browsing: RwSignal<bool>,
    listing: Resource<Option<Vec<Room>>>,
    on_pick: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let of_kind = move |kind: RoomKind| {
        move || {
            state
                .rooms
                .get()
                .into_iter()
                .filter(|r| r.room.kind == kind)
                .collect::<Vec<_>>()
        }
    };
    let navigate = use_navigate();
    let me = state.me.get_value();
    let browse_button = NodeRef::<leptos::html::Button>::new();
    let open_direct = move |user_id: String| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match direct_room(user_id).await {
                Ok(room) => {
                    let path = format!("/room/{}", room.id);
                    state.join(room);
                    navigate(&path, Default::default());
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
                    <For each=of_kind(RoomKind::Public) key=|r| r.room.id.clone() let:summary>
                        <RoomLink state summary on_pick/>
                    </For>
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
                    <For each=of_kind(RoomKind::Direct) key=|r| r.room.id.clone() let:summary>
                        <RoomLink state summary on_pick/>
                    </For>
                </ul>
            </nav>
            <section class="online">
                <h2 id="online-heading">"Online"</h2>
                <ul aria-label="Online">
                    <For each=move || state.online.get() key=|u| u.id let:user>
                        {
                            let is_me = user.id == me.id;
                            let id = user.id.to_string();
                            let open_direct = open_direct.clone();
                            view! {
                                <li>
                                    <span class="dot" aria-hidden="true"></span>
                                    <form method="post" action="/api/rooms/direct" class="inline-form">
                                        <input type="hidden" name="user_id" value=id.clone()/>
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
                    </For>
                </ul>
            </section>
            <RoomBrowser state open=browsing listing opener=browse_button/>
        </aside>
    }
}

#[component]
fn RoomLink(
    state: ChatState,
    summary: RoomSummary,
    on_pick: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = summary.room.id.clone();
    let href = format!("/room/{id}");
    let current = {
        let id = id.clone();
        Memo::new(move |_| state.open_room.get() == id)
    };
    let unread = {
        let id = id.clone();
        Memo::new(move |_| {
            state.rooms.with(|rooms| {
                rooms
                    .iter()
                    .find(|r| r.room.id == id)
                    .map_or(0, |r| r.unread)
            })
        })
    };
    let sigil = if summary.room.kind == RoomKind::Public {
        "#"
    } else {
        "@"
    };
    view! {
        <li>
            <A href=href attr:class="room-link" attr:aria-current=move || current.get().then_some("page") on:click=move |_| on_pick()>
                <span class="sigil" aria-hidden="true">{sigil}</span>
                <span class="room-name">{summary.room.name.clone()}</span>
                // The open room is being read: no badge, even on a page
                // served before its read mark moved.
                <Show when=move || { unread.get() > 0 && !current.get() }>
                    <span class="badge">{unread} <span class="visually-hidden">" unread"</span></span>
                </Show>
            </A>
        </li>
    }
}
