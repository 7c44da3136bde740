//! The composer's `@` completion: typing `@` and the start of a name
//! offers the room's members whose names start so (`/api/rooms/members`)
//! in a listbox above the box. Arrows move, Enter or Tab (or a click) put
//! the name in, Escape closes it; the box names the active option
//! (`aria-activedescendant`). The text work is in [`crate::ui::completion`].

use leptos::html;
use leptos::prelude::*;

use crate::api::room_members;
use crate::model::User;
use crate::ui::completion::{byte_offset, complete, step, typed_name, utf16_offset, TypedName};
use crate::ui::format::escape;
use crate::ui::state::ChatState;

/// The most names offered at once.
const OFFERED: u32 = 8;

/// The id of the list, which the box names as what it controls.
pub const LIST_ID: &str = "mention-options";

/// The picker of one composer box. It writes the list and the box's
/// `aria-activedescendant` itself when they change (no reactive views:
/// fewer bytes in the bundle), and closes when the box loses the focus,
/// as it does when another room is chosen.
#[derive(Clone, Copy)]
pub struct MentionPicker {
    state: ChatState,
    text: NodeRef<html::Textarea>,
    list: NodeRef<html::Ul>,
    /// The names offered; none while the list is closed.
    people: StoredValue<Vec<User>>,
    /// The index of the active name.
    active: StoredValue<u64>,
}

impl MentionPicker {
    pub fn new(state: ChatState, text: NodeRef<html::Textarea>) -> Self {
        MentionPicker {
            state,
            text,
            list: NodeRef::new(),
            people: StoredValue::new(Vec::new()),
            active: StoredValue::new(0),
        }
    }

    pub fn close(self) {
        if self.people.with_value(|people| !people.is_empty()) {
            self.offer(Vec::new());
        }
    }

    /// After each keystroke in the box: asks for the members named like
    /// the `@` name at the caret, or closes the list. An answer for a name
    /// the box no longer holds, or for another room, is dropped.
    pub fn on_input(self) {
        let Some((_, name)) = self.name_at_caret() else {
            return self.close();
        };
        let room = self.state.open_room.get_untracked();
        leptos::task::spawn_local(async move {
            let asked = room_members(
                room.to_string(),
                Some(name.typed.clone()),
                Some(OFFERED),
                None,
            );
            let Ok(people) = asked.await else {
                return;
            };
            let same_name = self
                .name_at_caret()
                .is_some_and(|(_, now)| now.typed == name.typed);
            if same_name && room == self.state.open_room.get_untracked() {
                self.offer(people);
            }
        });
    }

    /// A key pressed in the box: true when the open list took it.
    pub fn on_key(self, ev: &leptos::ev::KeyboardEvent) -> bool {
        let len = self.people.with_value(Vec::len);
        if len == 0 || ev.is_composing() {
            return false;
        }
        let active = self.active.get_value() as usize;
        let key = ev.key();
        match key.as_str() {
            "ArrowDown" | "ArrowUp" => {
                self.active
                    .set_value(step(active, len, key == "ArrowDown") as u64);
                self.show();
            }
            "Enter" | "Tab" if !ev.shift_key() => self.pick(active),
            "Escape" => self.close(),
            _ => return false,
        }
        ev.prevent_default();
        true
    }

    /// The list, empty and hidden until names are offered; a click on one
    /// is read from its id.
    pub fn list(self) -> impl IntoView {
        let clicked = move |ev: leptos::ev::MouseEvent| {
            // The box keeps the focus.
            ev.prevent_default();
            let option = event_target::<web_sys::Element>(&ev)
                .closest("li")
                .ok()
                .flatten();
            if let Some(i) = option.and_then(|li| li.id().strip_prefix("mention-")?.parse().ok()) {
                self.pick(i);
            }
        };
        view! {
            <ul
                id=LIST_ID
                class="mentions"
                role="listbox"
                aria-label="People to mention"
                hidden
                node_ref=self.list
                on:mousedown=clicked
            ></ul>
        }
    }

    fn offer(self, people: Vec<User>) {
        self.people.set_value(people);
        self.active.set_value(0);
        self.show();
    }

    /// Writes the list as HTML (every name escaped) and which option the
    /// box names as active; hides it when it offers nobody.
    fn show(self) {
        let (Some(list), Some(area)) = (self.list.get_untracked(), self.text.get_untracked())
        else {
            return;
        };
        let active = self.active.get_value();
        let mut html = String::new();
        self.people.with_value(|people| {
            for (i, user) in people.iter().enumerate() {
                html.push_str(&format!(
                    r#"<li id="mention-{i}" role="option" aria-selected="{}">"#,
                    i as u64 == active
                ));
                escape(user.username.as_str(), &mut html);
                html.push_str("</li>");
            }
        });
        list.set_inner_html(&html);
        list.set_hidden(html.is_empty());
        let _ = if html.is_empty() {
            area.remove_attribute("aria-activedescendant")
        } else {
            area.set_attribute("aria-activedescendant", &format!("mention-{active}"))
        };
    }

    /// Puts the name at `index` in place of the one typed.
    fn pick(self, index: usize) {
        let chosen = self.people.with_value(|people| people.get(index).cloned());
        self.close();
        let (Some(area), Some(user)) = (self.text.get_untracked(), chosen) else {
            return;
        };
        if let Some((value, name)) = self.name_at_caret() {
            let (done, caret) = complete(&value, &name, user.username.as_str());
            area.set_value(&done);
            let caret = utf16_offset(&done, caret);
            let _ = area.set_selection_range(caret, caret);
        }
    }

    /// The box's text and the `@` name its caret is in, if the box has no
    /// selection.
    fn name_at_caret(self) -> Option<(String, TypedName)> {
        let area = self.text.get_untracked()?;
        let text = area.value();
        let start = area.selection_start().ok().flatten()?;
        if area.selection_end().ok().flatten() != Some(start) {
            return None;
        }
        let name = typed_name(&text, byte_offset(&text, start))?;
        Some((text, name))
    }
}
