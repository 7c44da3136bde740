//! The open room: its header (name, Leave), the message log, who is
//! typing, and the composer.

use leptos::either::Either;
use leptos::prelude::*;

use crate::api::leave_room;
use crate::model::{RoomId, RoomKind};
use crate::ui::components::chat_shell::History;
use crate::ui::components::composer::Composer;
use crate::ui::components::message_log::MessageLog;
use crate::ui::location::Location;
use crate::ui::state::ChatState;

#[component]
pub fn RoomView(state: ChatState, history: History) -> impl IntoView {
    let room = move || {
        let id = state.open_room.get();
        state.rooms.with(|rooms| {
            rooms
                .iter()
                .find(|r| r.room.id == id)
                .map(|r| r.room.clone())
        })
    };
    let location = Location::current();
    let leave = move |id: RoomId| {
        leptos::task::spawn_local(async move {
            if leave_room(id.to_string()).await.is_ok() {
                state
                    .rooms
                    .update(|rooms| rooms.retain(|r| r.room.id != id));
                location.navigate("/");
            }
        });
    };
    let typing = move || {
        let id = state.open_room.get();
        let me = state.me.with_value(|me| me.id);
        let names: Vec<String> = state.typing.with(|all| {
            all.get(&id)
                .map(|l| {
                    l.iter()
                        .filter(|(u, _)| u.id != me)
                        .map(|(u, _)| u.username.to_string())
                        .collect()
                })
                .unwrap_or_default()
        });
        match names.as_slice() {
            [] => String::new(),
            [one] => format!("{one} is typing…"),
            [one, two] => format!("{one} and {two} are typing…"),
            _ => "Several people are typing…".to_owned(),
        }
    };

    view! {
        <main class="room">
            <header class="room-header">
                <h1>
                    {move || room().map(|r| format!("{}{}", if r.kind == RoomKind::Public { "#" } else { "@" }, r.name)).unwrap_or_default()}
                </h1>
                {move || {
                    room().filter(|r| r.kind == RoomKind::Public && r.id != RoomId::GENERAL).map(|r| {
                        let id = r.id.to_string();
                        view! {
                            <form method="post" action="/api/rooms/leave" class="inline-form">
                                <input type="hidden" name="room_id" value=id/>
                                <button
                                    type="submit"
                                    class="secondary"
                                    on:click=move |ev| {
                                        ev.prevent_default();
                                        leave(r.id.clone());
                                    }
                                >
                                    "Leave room"
                                </button>
                            </form>
                        }
                    })
                }}
            </header>
            <Transition fallback=|| view! { <div class="log" role="log"><p class="loading">"Loading…"</p></div> }>
                {move || Suspend::new(async move {
                    match history.page.await {
                        Ok(page) => {
                            let paged = history.before.get_untracked().is_some();
                            Either::Left(view! { <MessageLog state initial=page paged/> })
                        }
                        Err(err) => Either::Right(view! {
                            <div class="log" role="log"><p class="notice">{err.to_string()}</p></div>
                        }),
                    }
                })}
            </Transition>
            <p class="typing" aria-live="polite">{typing}</p>
            // Why the reader's latest edit, delete or reaction was refused.
            <p class="form-error change-error" role="alert">
                {move || state.change_refused.get().map(|why| format!("Not changed: {why}"))}
            </p>
            <Composer state/>
        </main>
    }
}
