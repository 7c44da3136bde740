//! The room browser: a dialog that lists every public room to open or
//! join, and creates new ones.

use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api::{create_room, join_room};
use crate::model::Room;
use crate::ui::state::ChatState;

#[component]
pub fn RoomBrowser(
    state: ChatState,
    open: RwSignal<bool>,
    listing: Resource<Option<Vec<Room>>>,
    /// Where focus goes back to when the dialog closes.
    opener: NodeRef<html::Button>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
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
    let navigate = use_navigate();
    let go = Callback::new(move |room: Room| {
        let path = format!("/room/{}", room.id);
        state.join(room);
        open.set(false);
        navigate(&path, Default::default());
    });
    let join = Callback::new(move |room: Room| {
        let member = state
            .rooms
            .with_untracked(|rooms| rooms.iter().any(|r| r.room.id == room.id));
        leptos::task::spawn_local(async move {
            if member {
                return go.run(room);
            }
            match join_room(room.id.to_string()).await {
                Ok(room) => go.run(room),
                Err(err) => error.set(Some(err.to_string())),
            }
        });
    });
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let wanted = name.get_untracked();
        leptos::task::spawn_local(async move {
            match create_room(wanted).await {
                Ok(room) => {
                    name.set(String::new());
                    error.set(None);
                    go.run(room);
                }
                Err(err) => error.set(Some(err.to_string())),
            }
        });
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
                <form class="create" method="post" action="/api/rooms/create" on:submit=create>
                    <label for="new-room">"Room name"</label>
                    <input
                        id="new-room"
                        name="name"
                        node_ref=name_field
                        maxlength="64"
                        required
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))
                    />
                    <button type="submit">"Create room"</button>
                </form>
                <p class="form-error" role="alert">{move || error.get()}</p>
                <Suspense fallback=|| view! { <p class="loading">"Loading rooms…"</p> }>
                    <ul class="browse-list">
                        {move || {
                            listing.get().flatten().unwrap_or_default().into_iter().map(move |room| {
                                let member = state.rooms.with(|rooms| rooms.iter().any(|r| r.room.id == room.id));
                                let label = format!("{} {}", if member { "Open" } else { "Join" }, room.name);
                                let name = room.name.clone();
                                let id = room.id.to_string();
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
                                                    join.run(room.clone());
                                                }
                                            >
                                                {if member { "Open" } else { "Join" }}
                                            </button>
                                        </form>
                                    </li>
                                }
                            }).collect_view()
                        }}
                    </ul>
                </Suspense>
            </div>
        </Show>
    }
}
