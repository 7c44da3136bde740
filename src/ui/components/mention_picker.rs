//! The composer's `@` completion: typing `@` and the start of a name
//! offers the room's members whose names start so (`/api/rooms/members`)
//! in a listbox above the box. Arrows move, Enter or Tab (or a click) put
//! the name in (Enter sends instead when the name is typed in full already),
//! Escape closes it; the box names the active option
//! (`aria-activedescendant`), and a status line says how many are offered.
//! The text work is in [`crate::ui::completion`].

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::api::room_members;
use crate::model::User;
use crate::ui::completion::{byte_offset, complete, step, typed_name, utf16_offset, TypedName};
use crate::ui::format::escape;
use crate::ui::state::ChatState;

/// The most names offered at once.
const OFFERED: u32 = 8;

/// The id of the list, which the box names as what it controls.
pub const LIST_ID: &str = "mention-options";

/// The picker of one composer box. It writes the list, the status line
/// and the box's `aria-activedescendant` itself when they change (no
/// reactive views: fewer bytes in the bundle), and closes when the box
/// loses the focus, as it does when another room is chosen.
#[derive(Clone, Copy)]
pub struct MentionPicker {
    state: ChatState,
    text: NodeRef<html::Textarea>,
    list: NodeRef<html::Ul>,
    status: NodeRef<html::Span>,
    /// The names offered; none while the list is closed.
    people: StoredValue<Vec<User>>,
    /// What was typed after `@` when they were offered.
    offered_for: StoredValue<String>,
    /// The index of the active name.
    active: StoredValue<u64>,
    /// The number of the latest request: only its answer is shown.
    latest: StoredValue<u64>,
}

impl MentionPicker {
    pub fn new(state: ChatState, text: NodeRef<html::Textarea>) -> Self {
        MentionPicker {
            state,
            text,
            list: NodeRef::new(),
            status: NodeRef::new(),
            people: StoredValue::new(Vec::new()),
            offered_for: StoredValue::new(String::new()),
            active: StoredValue::new(0),
            latest: StoredValue::new(0),
        }
    }

    /// Closes the list; an answer still on its way is not shown (Escape
    /// must not be undone by a request made before it).
    pub fn close(self) {
        self.latest.update_value(|n| *n += 1);
        if self.people.with_value(|people| !people.is_empty()) {
            self.offer(String::new(), Vec::new());
        }
    }

    /// After each keystroke in the box: narrows the open list to what is
    /// typed now, at once, and asks for the members named like it; or
    /// closes the list when the caret is in no `@` name. Only the answer
    /// to the latest request is shown, and only while the box holds the
    /// same name and has the focus.
    pub fn on_input(self) {
        let Some((_, name)) = self.name_at_caret() else {
            return self.close();
        };
        let typed = name.typed;
        let narrowed: Vec<User> = self.people.with_value(|people| {
            let wanted = typed.to_ascii_lowercase();
            people
                .iter()
                .filter(|u| u.username.canonical().starts_with(&wanted))
                .cloned()
                .collect()
        });
        if self.people.with_value(|people| !people.is_empty()) {
            self.offer(typed.clone(), narrowed);
        }
        let request = self.latest.get_value() + 1;
        self.latest.set_value(request);
        let room = self.state.open_room.get_untracked();
        leptos::task::spawn_local(async move {
            let asked = room_members(room.to_string(), Some(typed.clone()), Some(OFFERED), None);
            let answer = asked.await;
            if self.latest.get_value() != request {
                return;
            }
            let still = self
                .name_at_caret()
                .is_some_and(|(_, now)| now.typed == typed);
            match answer {
                Ok(people) if still && self.has_focus() => self.offer(typed, people),
                _ => self.close(),
            }
        });
    }

    /// A key pressed in the box: true when the open list took it. When
    /// the caret has moved to another name than the list was offered for,
    /// the list follows it first (Enter or Tab then pick nothing yet).
    pub fn on_key(self, ev: &leptos::ev::KeyboardEvent) -> bool {
        let len = self.people.with_value(Vec::len);
        if len == 0 || ev.is_composing() {
            return false;
        }
        let key = ev.key();
        match key.as_str() {
            "ArrowDown" | "ArrowUp" | "Escape" => {}
            "Enter" | "Tab" if !ev.shift_key() => {}
            _ => return false,
        }
        if key == "Enter" && self.typed_in_full() {
            // Picking the name would add nothing: Enter sends, as it does
            // with no list open.
            self.close();
            return false;
        }
        ev.prevent_default();
        let offered_for = self.offered_for.get_value();
        if key == "Escape" {
            self.close();
        } else if self
            .name_at_caret()
            .is_none_or(|(_, now)| now.typed != offered_for)
        {
            self.on_input();
        } else if key == "Enter" || key == "Tab" {
            self.pick(self.active.get_value() as usize);
        } else {
            let active = step(self.active.get_value() as usize, len, key == "ArrowDown");
            self.active.set_value(active as u64);
            self.show();
        }
        true
    }

    /// Whether the name at the caret is the active option's, typed in
    /// full (in any case).
    fn typed_in_full(self) -> bool {
        let Some((_, now)) = self.name_at_caret() else {
            return false;
        };
        let active = self.active.get_value() as usize;
        self.people.with_value(|people| {
            people
                .get(active)
                .is_some_and(|u| u.username.canonical() == now.typed.to_ascii_lowercase())
        })
    }

    /// The list, empty and hidden until names are offered (a click on one
    /// is read from its id), and the status line that says so.
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
            // A live region, not a `status` role: the page's one status is
            // the connection banner.
            <span class="visually-hidden" aria-live="polite" node_ref=self.status></span>
        }
    }

    /// Offers `people` for the name typed as `offered_for`, and shows them.
    fn offer(self, offered_for: String, people: Vec<User>) {
        // An answer that comes after the arrows moved keeps the person they
        // chose, while it still offers them.
        let active = self.active.get_value() as usize;
        let chosen = self.people.with_value(|now| now.get(active).map(|u| u.id));
        let active = chosen
            .and_then(|id| people.iter().position(|u| u.id == id))
            .unwrap_or(0);
        self.people.set_value(people);
        self.offered_for.set_value(offered_for);
        self.active.set_value(active as u64);
        self.show();
    }

    /// Writes the list as HTML (every name escaped), which option the box
    /// names as active, and how many are offered; hides the list when it
    /// offers nobody.
    fn show(self) {
        let (Some(list), Some(area)) = (self.list.get_untracked(), self.text.get_untracked())
        else {
            return;
        };
        let active = self.active.get_value();
        let mut html = String::new();
        let count = self.people.with_value(|people| {
            for (i, user) in people.iter().enumerate() {
                html.push_str(&format!(
                    r#"<li id="mention-{i}" role="option" aria-selected="{}">"#,
                    i as u64 == active
                ));
                escape(user.username.as_str(), &mut html);
                html.push_str("</li>");
            }
            people.len()
        });
        list.set_inner_html(&html);
        list.set_hidden(count == 0);
        let _ = if count == 0 {
            area.remove_attribute("aria-activedescendant")
        } else {
            area.set_attribute("aria-activedescendant", &format!("mention-{active}"))
        };
        if let Some(status) = self.status.get_untracked() {
            let said = match count {
                0 => String::new(),
                1 => "1 person to mention: Enter picks".to_owned(),
                n => format!("{n} people to mention: arrows choose, Enter picks"),
            };
            status.set_text_content(Some(&said));
        }
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

    /// Whether the box has the focus (an answer that comes after the
    /// reader moved on opens nothing).
    fn has_focus(self) -> bool {
        let Some(area) = self.text.get_untracked() else {
            return false;
        };
        document()
            .active_element()
            .is_some_and(|focused| JsValue::from(focused) == JsValue::from(area))
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
