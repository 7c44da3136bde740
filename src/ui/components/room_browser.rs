//! The room browser: a dialog that lists the public rooms (the first page
//! of them, or those whose name holds what is typed in `Find a room`) to
//! open or join, and creates new ones. Without JavaScript it is the
//! `/rooms` page (`/rooms?q=...` to find), and its buttons are plain form
//! posts.

use leptos::either::Either;
use leptos::html;
use leptos::prelude::*;

use crate::api::{create_room, join_room, public_rooms};
use crate::model::{PublicRoomQuery, Room};
use crate::ui::location::Location;
use crate::ui::state::ChatState;

#[component]
pub fn RoomBrowser(
    state: ChatState,
    open: RwSignal<bool>,
    /// The public rooms found, once read.
    listing: RwSignal<Option<Vec<Room>>>,
    /// Where focus goes back to when the dialog closes.
    opener: NodeRef<html::Button>,
) -> impl IntoView {
    // Focus moves into the dialog when it opens, and back when it closes.
    let name_field = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(field) = name_field.get() {
            let _ = field.focus();
        }
    });
    Effect::new(move |was_open: Option<bool>| {
        let is_open = open.get();
        if was_open == Some(true) && !is_open {
            if let Some(button) = opener.get_untracked() {
                let _ = button.focus();
            }
        }
        is_open
    });
    let error = RwSignal::new(None::<String>);
    // What `Find a room` holds (from the URL on a `/rooms?q=` page).
    let query = RwSignal::new(Location::current().query_untracked("q").unwrap_or_default());
    // Reads the rooms for what is typed now; an answer to an older query
    // than the field holds is dropped. A failed read says so in the dialog.
    let find = move || {
        let wanted = query.get_untracked();
        leptos::task::spawn_local(async move {
            let q = Some(wanted.clone()).filter(|q| !q.trim().is_empty());
            let found = public_rooms(q, None, None).await;
            if query.get_untracked() != wanted {
                return;
            }
            match found {
                Ok(rooms) => listing.set(Some(rooms)),
                Err(err) => error.set(Some(err.to_string())),
            }
        });
    };
    // The hydrated page reads the public rooms afresh each time the
    // browser opens.
    Effect::new(move |was_open: Option<bool>| {
        let is_open = open.get();
        if is_open && was_open == Some(false) {
            find();
        }
        is_open
    });
    let location = Location::current();
    // Joins (unless a member already) or creates a room, then opens it.
    let enter = move |joining: Option<Room>| {
        leptos::task::spawn_local(async move {
            let entered = match joining {
                Some(room)
                    if state
                        .rooms
                        .with_untracked(|rooms| rooms.iter().any(|r| r.room.id == room.id)) =>
                {
                    Ok(room)
                }
                Some(room) => join_room(room.id.to_string()).await,
                None => {
                    let name = name_field
                        .get_untracked()
                        .map(|field| field.value())
                        .unwrap_or_default();
                    create_room(name).await
                }
            };
            match entered {
                Ok(room) => {
                    let path = format!("/room/{}", room.id);
                    state.join(room);
                    error.set(None);
                    open.set(false);
                    location.navigate(&path);
                }
                Err(err) => error.set(Some(err.to_string())),
            }
        });
    };
    // A full page means there may be more than one answer holds.
    let more_hint = move || {
        listing
            .with(|rooms| rooms.as_ref().is_some_and(|r| r.len() >= PublicRoomQuery::MAX_LIMIT as usize))
            .then(|| {
                view! {
                    <p class="hint">
                        {format!("The first {} rooms; type in Find a room to see others.", PublicRoomQuery::MAX_LIMIT)}
                    </p>
                }
            })
    };
    let rooms = {
        let enter = enter.clone();
        move || {
            let Some(rooms) = listing.get() else {
                return Either::Left(view! { <li class="loading">"Loading rooms…"</li> });
            };
            if rooms.is_empty() {
                return Either::Left(view! { <li class="loading">"No room by that name."</li> });
            }
            Either::Right(
                rooms
                    .into_iter()
                    .map(|room| {
                        let member = state
                            .rooms
                            .with(|rooms| rooms.iter().any(|r| r.room.id == room.id));
                        let verb = if member { "Open" } else { "Join" };
                        let label = format!("{verb} {}", room.name);
                        let name = room.name.clone();
                        let id = room.id.to_string();
                        let enter = enter.clone();
                        view! {
                            <li>
                                <span class="room-name">"#" {name}</span>
                                <form method="post" action="/api/rooms/join" class="inline-form">
                                    <input type="hidden" name="room_id" value=id/>
                                    <button
                                        type="submit"
                                        aria-label=label
                                        on:click=move |ev| {
                                            ev.prevent_default();
                                            enter(Some(room.clone()));
                                        }
                                    >
                                        {verb}
                                    </button>
                                </form>
                            </li>
                        }
                    })
                    .collect_view(),
            )
        }
    };

    view! {
        <Show when=move || open.get()>
            <div class="backdrop" on:click=move |_| open.set(false)></div>
            <div
                class="dialog"
                role="dialog"
                aria-modal="true"
                aria-labelledby="browser-title"
                on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }
            >
                <header>
                    <h2 id="browser-title">"Public rooms"</h2>
                    <a
                        href="/"
                        class="button secondary"
                        on:click=move |ev| {
                            ev.prevent_default();
                            open.set(false);
                        }
                    >
                        "Close"
                    </a>
                </header>
                <form
                    class="create"
                    method="post"
                    action="/api/rooms/create"
                    on:submit={
                        let enter = enter.clone();
                        move |ev| {
                            ev.prevent_default();
                            enter(None);
                        }
                    }
                >
                    <label for="new-room">"Room name"</label>
                    <input id="new-room" name="name" node_ref=name_field maxlength="64" required/>
                    <button type="submit">"Create room"</button>
                </form>
                <p class="form-error" role="alert">{move || error.get()}</p>
                <form
                    class="find"
                    role="search"
                    method="get"
                    action="/rooms"
                    on:submit=move |ev| {
                        ev.prevent_default();
                        find();
                    }
                >
                    <label for="find-room">"Find a room"</label>
                    <input
                        id="find-room"
                        type="search"
                        name="q"
                        maxlength="64"
                        prop:value=move || query.get()
                        on:input=move |ev| {
                            query.set(event_target_value(&ev));
                            find();
                        }
                    />
                    <button type="submit" class="secondary">"Find"</button>
                </form>
                <ul class="browse-list">{rooms.clone()}</ul>
                {more_hint}
            </div>
        </Show>
    }
}
