//! Message search: a box labelled `Search messages` in the top bar (`/` or
//! Ctrl+K puts the cursor there), a plain GET form to `/search?q=...`,
//! which the server renders with the results in a list labelled `Search
//! results`: each with its room, author, date and text, the words that
//! matched marked. Choosing a result loads its room at that message. The
//! same with JavaScript on or off.

use leptos::html;
use leptos::prelude::*;

use crate::api::search_panel;
use crate::error::AppError;
use crate::model::{Message, RoomSummary};
use crate::ui::format::{clock, day, escape};
use crate::ui::location::Location;

/// The search box, and the panel the server writes over the chat (`panel`,
/// HTML): search results (`/search`) or the reader's API tokens
/// (`/settings`). Hydration keeps what the server wrote in an
/// `inner_html`, so the browser bundle carries none of the code that writes
/// it (views of this shape, with a search-as-you-type call, weighed 10 KB
/// of the 300 KB budget).
///
/// While the reader types, the hydrated box asks `/api/search/panel` for
/// the same HTML and puts it in place (an answer to an older query than
/// the box holds is dropped); Enter loads the results page as without
/// JavaScript.
#[component]
pub fn MessageSearch(panel: String) -> impl IntoView {
    let location = Location::current();
    let typed = location.query_untracked("q").unwrap_or_default();
    let input = NodeRef::<html::Input>::new();
    let results = NodeRef::<html::Section>::new();
    focus_on_shortcut(input);
    let while_typing = move |_| {
        let Some(wanted) = input.get_untracked().map(|box_| box_.value()) else {
            return;
        };
        let show = move |asked: &str, html: &str| {
            let current = input.get_untracked().map(|box_| box_.value());
            if current.as_deref() == Some(asked) {
                if let Some(results) = results.get_untracked() {
                    results.set_inner_html(html);
                }
            }
        };
        if wanted.trim().is_empty() {
            return show(&wanted, "");
        }
        leptos::task::spawn_local(async move {
            if let Ok(html) = search_panel(wanted.clone()).await {
                show(&wanted, &html);
            }
        });
    };
    view! {
        <form role="search" method="get" action="/search" class="search">
            <input type="search" name="q" aria-label="Search messages" placeholder="Search messages" maxlength="200" node_ref=input value=typed on:input=while_typing/>
        </form>
        <section class="search-results" inner_html=panel node_ref=results></section>
    }
}

/// Search results as HTML: the list (or that nothing matched), every text
/// in it escaped, rooms named as the reader's `rooms` list names them, and
/// a way to close it.
#[cfg_attr(not(feature = "ssr"), allow(dead_code))]
pub fn results_html(rooms: &[RoomSummary], found: &[Message]) -> String {
    let mut html = String::new();
    if found.is_empty() {
        html.push_str(r#"<p class="empty">No messages match.</p>"#);
    } else {
        html.push_str(r#"<ol aria-label="Search results">"#);
        for message in found {
            let room = rooms
                .iter()
                .find(|r| r.room.id == message.room_id)
                .map_or_else(|| message.room_id.to_string(), |r| r.room.name.clone());
            result_html(&room, message, &mut html);
        }
        html.push_str("</ol>");
    }
    html.push_str(CLOSE);
    html
}

/// Why the panel has nothing to show (a refused search), as HTML.
#[cfg_attr(not(feature = "ssr"), allow(dead_code))]
pub fn refusal_html(err: &AppError) -> String {
    let mut html = String::from(r#"<p class="notice" role="alert">"#);
    escape(&err.to_string(), &mut html);
    html.push_str("</p>");
    html.push_str(CLOSE);
    html
}

/// Closes the panel: back to the chat, a whole page load.
pub const CLOSE: &str = r#"<a class="close" href="/" target="_top">Close</a>"#;

/// One result: a link to its room at the message (`target="_top"`: a
/// whole page load, not the page's own navigation, so that the server
/// renders the history around the message and the browser scrolls to it,
/// with or without JavaScript), with its room, author, date and text, the
/// words that matched in `<mark>`.
fn result_html(room: &str, message: &Message, html: &mut String) {
    let seq = message.seq;
    html.push_str(r#"<li><a target="_top" href=""#);
    escape(&message.room_id.path(), html);
    html.push_str(&format!(
        r#"?before={}#m{seq}"><span class="meta"><strong>"#,
        seq + 1
    ));
    escape(room, html);
    html.push_str("</strong> · ");
    escape(message.username.as_str(), html);
    html.push_str(&format!(
        " · <time>{} {}</time></span><span class=\"text\">",
        day(message.date, false),
        clock(message.date, false)
    ));
    let text = &message.text;
    let mut at = 0;
    for &[start, end] in &message.highlights {
        let (Some(before), Some(word)) = (text.get(at..start), text.get(start..end)) else {
            continue;
        };
        escape(before, html);
        html.push_str("<mark>");
        escape(word, html);
        html.push_str("</mark>");
        at = end;
    }
    escape(text.get(at..).unwrap_or_default(), html);
    html.push_str("</span></a></li>");
}

/// `/` (outside a text field) or Ctrl+K (or ⌘K) puts the cursor in the
/// search box.
fn focus_on_shortcut(input: NodeRef<html::Input>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let _ = window_event_listener(leptos::ev::keydown, move |ev| {
            let typing = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA"));
            let slash = ev.key() == "/" && !typing;
            let ctrl_k = ev.key() == "k" && (ev.ctrl_key() || ev.meta_key());
            if slash || ctrl_k {
                if let Some(input) = input.get_untracked() {
                    ev.prevent_default();
                    let _ = input.focus();
                }
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = input;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_stays_text() {
        let mut html = String::new();
        escape(r#"<script>alert('x')</script> & "q""#, &mut html);
        assert_eq!(
            html,
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn a_result_marks_its_words_and_escapes_the_rest() {
        let mut message = Message::sample();
        message.seq = 41;
        message.text = "<b>Café</b> & tea".into();
        message.highlights = vec![[3, 8], [15, 18], [40, 50]];
        let mut html = String::new();
        result_html("<General>", &message, &mut html);
        assert!(html.starts_with(r#"<li><a target="_top" href="/room/0?before=42#m41"><span class="meta"><strong>&lt;General&gt;</strong> · alice · <time>"#), "{html}");
        assert!(html.ends_with(r#"<span class="text">&lt;b&gt;<mark>Café</mark>&lt;/b&gt; &amp; <mark>tea</mark></span></a></li>"#), "{html}");
    }
}
