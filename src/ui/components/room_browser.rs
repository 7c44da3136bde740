//! The room browser: a dialog over the chat that lists the public rooms
//! (the first page of them, or those whose name holds what is typed in
//! `Find a room`) to open or join, and creates new ones. Its page is
//! `/rooms` (`/rooms?q=...` to find), which the server writes (HTML, like
//! the search panel: none of its views are in the bundle); its buttons are
//! plain form posts that land in the room, or come back refused, with or
//! without JavaScript.
//!
//! Hydrated, the list follows what is typed in `Find a room` (the server
//! writes it again, `/api/rooms/public/panel`), Tab stays in the dialog,
//! Escape, Close or the backdrop close it, and the focus goes back to
//! `Browse rooms`.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::api::public_rooms_panel;
use crate::model::{PublicRoomQuery, Room, RoomId};
use crate::ui::format::escape;
use crate::ui::location::Location;

/// The id of the list's place, which the hydrated page fills again.
const RESULTS_ID: &str = "browse-results";

#[component]
pub fn RoomBrowser(
    open: RwSignal<bool>,
    /// The dialog's content, as the server wrote it (empty in the browser,
    /// which keeps what the server wrote).
    html: String,
    /// Where focus goes back to when the dialog closes.
    opener: NodeRef<html::Button>,
) -> impl IntoView {
    // Closed, the focus goes back to Browse rooms, and the address leaves
    // `/rooms` (and a refusal it carried), so that a reload does not open
    // the dialog again.
    let location = Location::current();
    Effect::new(move |was_open: Option<bool>| {
        let is_open = open.get();
        if was_open == Some(true) && !is_open {
            if location.path_untracked() == "/rooms" {
                location.navigate("/");
            }
            if let Some(button) = opener.get_untracked() {
                let _ = button.focus();
            }
        }
        is_open
    });
    // What `Find a room` held when last asked: an answer for another is
    // dropped.
    let asked = StoredValue::new(String::new());
    let typed = move |ev: leptos::ev::Event| {
        if event_target::<web_sys::Element>(&ev).id() != "find-room" {
            return;
        }
        let wanted = event_target_value(&ev);
        asked.set_value(wanted.clone());
        leptos::task::spawn_local(async move {
            let Ok(list) = public_rooms_panel(wanted.clone()).await else {
                return;
            };
            if asked.with_value(|now| *now == wanted) {
                if let Some(results) = document().get_element_by_id(RESULTS_ID) {
                    results.set_inner_html(&list);
                }
            }
        });
    };
    // Close keeps the reader where they are; a room's Open link goes there
    // (the page's own navigation), closing the dialog.
    let clicked = move |ev: leptos::ev::MouseEvent| {
        let link = event_target::<web_sys::Element>(&ev)
            .closest("a")
            .ok()
            .flatten();
        if let Some(link) = link {
            if link.class_list().contains("close") {
                ev.prevent_default();
            }
            open.set(false);
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
                inner_html=html.clone()
                on:keydown=move |ev| match ev.key().as_str() {
                    "Escape" => open.set(false),
                    "Tab" => keep_focus_inside(&ev),
                    _ => {}
                }
                on:input=typed
                on:click=clicked
            ></div>
        </Show>
    }
}

/// Tab from the dialog's last control goes to its first, and Shift+Tab
/// from its first to its last: a modal dialog keeps the focus.
fn keep_focus_inside(ev: &leptos::ev::KeyboardEvent) {
    let Some(dialog) = ev
        .current_target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let controls = dialog.query_selector_all("a[href], button:not([disabled]), input:not([type=hidden])");
    let Ok(controls) = controls else {
        return;
    };
    let first = controls.item(0);
    let last = controls.item(controls.length().saturating_sub(1));
    let (Some(first), Some(last)) = (first, last) else {
        return;
    };
    let focused = document().active_element();
    // Focus outside the dialog's controls (on its text, say) comes in.
    let inside = focused.as_ref().is_some_and(|f| f.closest("[role=dialog]").ok().flatten().is_some());
    let (from, to) = if ev.shift_key() { (first, last) } else { (last, first) };
    if !inside || focused.map(JsValue::from) == Some(JsValue::from(from)) {
        ev.prevent_default();
        let _ = to.unchecked_into::<web_sys::HtmlElement>().focus();
    }
}

/// The dialog's content as HTML, every text in it escaped: the form to
/// create a room (with `name` typed and why it was `refused`, when it
/// came back so), the form to find one (holding `query`), and the rooms
/// `found`; `mine` are the ids of the reader's rooms.
#[cfg_attr(not(feature = "ssr"), allow(dead_code))]
pub fn browser_html(
    found: &[Room],
    mine: &[RoomId],
    query: &str,
    name: &str,
    refused: Option<&str>,
) -> String {
    let mut html = String::from(
        "<header><h2 id=\"browser-title\">Public rooms</h2>\
         <a href=\"/\" class=\"button secondary close\">Close</a></header>\
         <form class=\"create\" method=\"post\" action=\"/api/rooms/create\">\
         <label for=\"new-room\">Room name</label>\
         <input id=\"new-room\" name=\"name\" maxlength=\"64\" required autofocus value=\"",
    );
    escape(name, &mut html);
    html.push_str(
        "\"><button type=\"submit\">Create room</button></form>\
         <p class=\"form-error\" role=\"alert\">",
    );
    escape(refused.unwrap_or_default(), &mut html);
    html.push_str(
        "</p><form class=\"find\" role=\"search\" method=\"get\" action=\"/rooms\">\
         <label for=\"find-room\">Find a room</label>\
         <input id=\"find-room\" type=\"search\" name=\"q\" maxlength=\"64\" value=\"",
    );
    escape(query, &mut html);
    html.push_str(&format!(
        "\"><button type=\"submit\" class=\"secondary\">Find</button></form>\
         <div id=\"{RESULTS_ID}\">"
    ));
    html.push_str(&rooms_html(found, mine, query));
    html.push_str("</div>");
    html
}

/// The rooms `found` (whose names hold `query`) as HTML, each with a Join
/// button (a form post), or an Open link for those in `mine`; and, after
/// a full page, a link to the next (a page load of its own, with or
/// without JavaScript).
#[cfg_attr(not(feature = "ssr"), allow(dead_code))]
pub fn rooms_html(found: &[Room], mine: &[RoomId], query: &str) -> String {
    let mut html = String::from("<ul class=\"browse-list\">");
    if found.is_empty() {
        html.push_str("<li class=\"loading\">No room by that name.</li>");
    }
    for room in found {
        let id = room.id.to_string();
        html.push_str("<li><span class=\"room-name\">#");
        escape(&room.name, &mut html);
        html.push_str("</span>");
        if mine.contains(&room.id) {
            html.push_str("<a class=\"button secondary\" href=\"");
            escape(&room.id.path(), &mut html);
            html.push_str("\" aria-label=\"Open ");
            escape(&room.name, &mut html);
            html.push_str("\">Open</a>");
        } else {
            html.push_str(
                "<form method=\"post\" action=\"/api/rooms/join\" class=\"inline-form\">\
                 <input type=\"hidden\" name=\"room_id\" value=\"",
            );
            escape(&id, &mut html);
            html.push_str("\"><button type=\"submit\" aria-label=\"Join ");
            escape(&room.name, &mut html);
            html.push_str("\">Join</button></form>");
        }
        html.push_str("</li>");
    }
    html.push_str("</ul>");
    if let Some(last) = found.last().filter(|_| found.len() >= PublicRoomQuery::MAX_LIMIT as usize) {
        let next: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("q", query)
            .append_pair("after", &last.id.to_string())
            .finish();
        html.push_str("<p class=\"hint\"><a class=\"more\" target=\"_top\" href=\"/rooms?");
        escape(&next, &mut html);
        html.push_str("\">More rooms</a></p>");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RoomKind;

    fn room(id: &str, name: &str) -> Room {
        Room {
            id: RoomId::parse(id).unwrap(),
            name: name.into(),
            kind: RoomKind::Public,
            owner: None,
        }
    }

    #[test]
    fn the_list_offers_join_or_open_and_escapes_every_name() {
        let found = [room("0", "General"), room("7", "<b>\"x\"</b>")];
        let mine = [RoomId::GENERAL];
        let html = rooms_html(&found, &mine, "");
        assert!(html.contains(r#"href="/room/0" aria-label="Open General""#));
        assert!(html.contains(r#"aria-label="Join &lt;b&gt;&quot;x&quot;&lt;/b&gt;""#));
        assert!(!html.contains("<b>"));
        assert!(rooms_html(&[], &[], "").contains("No room by that name."));
        assert!(!html.contains("More rooms"), "not a full page");
    }

    #[test]
    fn a_full_page_links_to_the_next_keeping_the_query() {
        let found: Vec<Room> = (1..=PublicRoomQuery::MAX_LIMIT)
            .map(|n| room(&n.to_string(), &format!("r{n}")))
            .collect();
        let html = rooms_html(&found, &[], "a&b");
        assert!(
            html.contains(r#"<a class="more" target="_top" href="/rooms?q=a%26b&amp;after=100">More rooms</a>"#),
            "{html}"
        );
    }

    #[test]
    fn the_dialog_keeps_what_was_typed_and_says_why_it_was_refused() {
        let html = browser_html(&[], &[], "a\"b", "<new>", Some("Taken."));
        assert!(html.contains(r#"value="&lt;new&gt;""#));
        assert!(html.contains(r#"value="a&quot;b""#));
        assert!(html.contains(r#"role="alert">Taken.</p>"#));
        assert!(html.contains(&format!(r#"<div id="{RESULTS_ID}"><ul"#)));
    }
}
