//! The sidebar: the rooms (a navigation landmark labelled `Rooms`) with
//! unread badges, the room browser, and the people online (a list labelled
//! `Online`), each a button that opens the direct room with them.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::direct_room;
use crate::model::{RoomKind, RoomSummary, User, UserId};
use crate::ui::components::room_browser::RoomBrowser;
use crate::ui::format::escape;
use crate::ui::location::Location;
use crate::ui::state::ChatState;

#[component]
pub fn Sidebar(
    state: ChatState,
    browsing: RwSignal<bool>,
    /// The room browser's content, as the server wrote it.
    browser: String,
    on_pick: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let location = Location::current();
    let me = state.me.get_value();
    let browse_button = NodeRef::<leptos::html::Button>::new();
    let open_direct = move |user_id: String| {
        leptos::task::spawn_local(async move {
            match direct_room(user_id).await {
                Ok(room) => {
                    let path = room.id.path();
                    state.join(room);
                    location.navigate(&path);
                    on_pick();
                }
                Err(err) => leptos::logging::warn!("cannot open the direct room: {err}"),
            }
        });
    };

    // The people online are written as HTML, again on each change, so that
    // a change makes new rows rather than giving a row another person (a
    // click on a row that had just changed opened the wrong direct room).
    // The focus stays on the person it was on.
    let online = NodeRef::<leptos::html::Ul>::new();
    Effect::new(move |drawn: Option<()>| {
        let html = state.online.with(|people| people_html(people, me.id));
        // The first drawing is the server's.
        let (Some(_), Some(list)) = (drawn, online.get_untracked()) else {
            return;
        };
        let focused = document()
            .active_element()
            .and_then(|element| element.get_attribute("data-user"));
        list.set_inner_html(&html);
        let again = focused.and_then(|user| {
            list.query_selector(&format!("button[data-user=\"{user}\"]"))
                .ok()
                .flatten()
        });
        if let Some(button) = again {
            let _ = button.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    });

    view! {
        <aside id="sidebar" class="sidebar">
            <nav aria-label="Rooms">
                <h2>"Rooms"</h2>
                <ul class="room-list">
                    {room_links(state, RoomKind::Public, on_pick)}
                </ul>
                // A whole page load, with or without JavaScript: the server
                // writes the room browser.
                <form method="get" action="/rooms" class="inline-form">
                    <button type="submit" class="secondary browse" node_ref=browse_button>
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
                <ul
                    aria-label="Online"
                    inner_html=state.online.with_untracked(|people| people_html(people, me.id))
                    node_ref=online
                    on:click=move |ev| {
                        let button = event_target::<web_sys::Element>(&ev).closest("button[data-user]").ok().flatten();
                        if let Some(user_id) = button.and_then(|b| b.get_attribute("data-user")) {
                            ev.prevent_default();
                            open_direct(user_id);
                        }
                    }
                ></ul>
            </section>
            <RoomBrowser open=browsing html=browser opener=browse_button/>
            // A whole page load: the server writes the settings.
            <a class="settings-link" href="/settings" target="_top">"Settings"</a>
        </aside>
    }
}

/// The people online as HTML rows, every name escaped: each a button
/// that opens the direct room with them (a plain form post without
/// JavaScript; `data-user` for the page's own click), the reader's own
/// disabled.
fn people_html(people: &[User], me: UserId) -> String {
    let mut html = String::new();
    for user in people {
        let id = user.id.to_string();
        let is_me = user.id == me;
        html.push_str(
            "<li><span class=\"dot\" aria-hidden=\"true\"></span>\
             <form method=\"post\" action=\"/api/rooms/direct\" class=\"inline-form\">\
             <input type=\"hidden\" name=\"user_id\" value=\"",
        );
        html.push_str(&id);
        html.push_str("\"><button type=\"submit\" class=\"person\" data-user=\"");
        html.push_str(&id);
        if is_me {
            html.push_str("\" disabled title=\"You\">");
        } else {
            html.push_str("\" title=\"Message ");
            escape(user.username.as_str(), &mut html);
            html.push_str("\">");
        }
        escape(user.username.as_str(), &mut html);
        if is_me {
            html.push_str(" (you)");
        }
        html.push_str("</button></form></li>");
    }
    html
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
    // The link is named by the room's name alone; its badges describe it
    // (a screen reader says them after the name).
    let badges = format!("badges-{}", summary.room.id);
    let described = (unread.is_some() || mentions.is_some()).then(|| badges.clone());
    view! {
        <li>
            // A plain link: the router takes the click and opens the room
            // without loading the page again.
            <a
                href=summary.room.id.path()
                class="room-link"
                aria-current=current.then_some("page")
                aria-label=summary.room.name.to_string()
                aria-describedby=described
                on:click=move |_| on_pick()
            >
                <span class="sigil" aria-hidden="true">{sigil}</span>
                <span class="room-name">{summary.room.name.clone()}</span>
                <span id=badges>
                    {mentions.map(|count| view! {
                        <span class="badge mention-badge" title="Mentions of you">"@"{count} <span class="visually-hidden">{if count == 1 { " mention" } else { " mentions" }}</span></span>
                    })}
                    {unread.map(|count| view! {
                        <span class="badge">{count} <span class="visually-hidden">" unread"</span></span>
                    })}
                </span>
            </a>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Username;

    #[test]
    fn each_person_online_is_a_button_to_their_direct_room_but_the_reader() {
        let people = [
            User {
                id: UserId(3),
                username: Username::parse("alice").unwrap(),
            },
            User {
                id: UserId(9),
                username: Username::parse("bob").unwrap(),
            },
        ];
        let html = people_html(&people, UserId(3));
        assert!(
            html.contains(r#"data-user="3" disabled title="You">alice (you)</button>"#),
            "{html}"
        );
        assert!(html.contains(r#"value="9"><button type="submit" class="person" data-user="9" title="Message bob">bob</button>"#), "{html}");
        assert_eq!(html.matches("<li>").count(), 2);
    }
}
