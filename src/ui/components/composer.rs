//! The composer: a text box labelled `Message` and a `Send` button. Enter
//! sends, Shift+Enter starts a new line. Hydrated, a sent message shows at
//! once as pending and goes over the socket; without JavaScript the form
//! posts to `/api/messages/send` and the page comes back with it, or with
//! the reason it was refused. Answering a message (Reply in the log)
//! shows what is answered above the box, with a way to stop. Typing `@`
//! offers the room's members ([`MentionPicker`]).

use leptos::html;
use leptos::prelude::*;

use crate::ui::components::mention_picker::{MentionPicker, LIST_ID};
use crate::ui::refusal::{kept, refused, Form};
use crate::ui::state::{now_ms, ChatState};

/// A typing notice goes out at most this often.
const TYPING_EVERY_MS: f64 = 2000.0;

/// The box's id: its label names it, a Reply puts the focus in it, and
/// public/early-enter.js finds it before the page is hydrated.
pub const COMPOSER_ID: &str = "composer-text";

#[component]
pub fn Composer(state: ChatState) -> impl IntoView {
    let text = NodeRef::<html::Textarea>::new();
    // The reason a plain form post (JavaScript off) was refused.
    let refusal = refused(Form::Send).map(|words| format!("Not sent: {words}"));
    // And what was typed, back in the box.
    let draft = kept(Form::Send, "draft");
    let last_typing = StoredValue::new(0.0);
    let picker = MentionPicker::new(state, text);
    let submit = move || {
        let Some(area) = text.get_untracked() else {
            return;
        };
        let value = area.value();
        if value.trim().is_empty() {
            return;
        }
        let room = state.open_room.get_untracked();
        let reply_to = state
            .replying
            .get_untracked()
            .filter(|(replied_room, _)| *replied_room == room)
            .map(|(_, seq)| seq);
        state.send(room, value, reply_to);
        state.replying.set(None);
        picker.close();
        area.set_value("");
        last_typing.set_value(0.0);
    };
    let placeholder = move || {
        let id = state.open_room.get();
        state.rooms.with(|rooms| {
            rooms
                .iter()
                .find(|r| r.room.id == id)
                .map(|r| format!("Message {}", r.room.name))
        })
    };

    let replying = move || {
        let room = state.open_room.get();
        let (replied_room, seq) = state.replying.get()?;
        if replied_room != room {
            return None;
        }
        let author = state.messages.with(|all| {
            all.get(&room)
                .and_then(|held| held.get(&seq))
                .map(|m| m.username.to_string())
        });
        // Without JavaScript, the form carries the answer's parent, and
        // Cancel reply is a link to the room.
        Some(view! {
            <div class="replying" role="status">
                <span>{format!("Replying to {}", author.unwrap_or_else(|| "a message".into()))}</span>
                <input type="hidden" name="reply_to" form="composer" value=seq/>
                <a
                    href=room.path()
                    class="button secondary small"
                    on:click=move |ev| {
                        ev.prevent_default();
                        state.replying.set(None);
                    }
                >
                    "Cancel reply"
                </a>
            </div>
        })
    };

    view! {
        {replying}
        <form
            id="composer"
            class="composer"
            method="post"
            action="/api/messages/send"
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            <input type="hidden" name="room_id" value=move || state.open_room.get().to_string()/>
            <label for=COMPOSER_ID class="visually-hidden">"Message"</label>
            {picker.list()}
            <textarea
                id=COMPOSER_ID
                name="text"
                rows="1"
                maxlength="4000"
                required
                placeholder=placeholder
                node_ref=text
                aria-autocomplete="list"
                aria-controls=LIST_ID
                on:blur=move |_| picker.close()
                on:keydown=move |ev| {
                    if picker.on_key(&ev) {
                        return;
                    }
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        submit();
                    }
                }
                on:input=move |_| {
                    picker.on_input();
                    let now = now_ms();
                    if now - last_typing.get_value() > TYPING_EVERY_MS {
                        last_typing.set_value(now);
                        state.typing_in(state.open_room.get_untracked());
                    }
                }
            >
                {draft}
            </textarea>
            <button type="submit">"Send"</button>
        </form>
        <p class="form-error composer-error" role="alert">{refusal}</p>
    }
}
