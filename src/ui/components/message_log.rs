//! The message log (role `log`): messages grouped by author, broken by
//! day, times in the reader's local time, links clickable and text always
//! text; older history loads on scrolling up, with the reader's place kept,
//! and a "Jump to newest" button shows when scrolled away from the bottom.

use leptos::either::Either;
use leptos::html;
use leptos::prelude::*;

use crate::api::{mark_read, messages};
use crate::model::Message;
use crate::ui::format::{clock, day, linkify, Segment};
use crate::ui::state::{ChatState, Pending};

/// Messages by one author closer than this are one group.
const GROUP_GAP_MS: u64 = 5 * 60 * 1000;
/// How close to the top (px) scrolling must come to load older messages.
const LOAD_OLDER_AT: i32 = 80;
/// How close to the bottom (px) counts as "at the newest".
const AT_BOTTOM: i32 = 48;

#[component]
pub fn MessageLog(
    state: ChatState,
    /// The page of the open room the server rendered: the newest, or an
    /// older one when `paged`.
    initial: Vec<Message>,
    paged: bool,
) -> impl IntoView {
    let log = NodeRef::<html::Div>::new();
    // False during the server render and hydration (UTC, matching the
    // server), true once mounted (the reader's local time).
    let local = RwSignal::new(false);
    let at_bottom = RwSignal::new(true);
    let loading_older = RwSignal::new(false);
    let reached_start = RwSignal::new(false);

    // The rendered page joins the state once the page runs (writing state
    // during the render would make the hydrated page differ from the
    // server's).
    let initial = StoredValue::new(initial);
    Effect::new(move |_| {
        let room = state.open_room.get_untracked();
        state.add_messages(&room, initial.get_value());
    });
    let shown = Memo::new(move |_| {
        let room = state.open_room.get();
        let mut merged: std::collections::BTreeMap<u64, Message> = initial.with_value(|page| {
            page.iter()
                .filter(|m| m.room_id == room)
                .map(|m| (m.seq, m.clone()))
                .collect()
        });
        state.messages.with(|all| {
            if let Some(held) = all.get(&room) {
                merged.extend(held.iter().map(|(seq, m)| (*seq, m.clone())));
            }
        });
        merged.into_values().collect::<Vec<_>>()
    });
    let pending = move || {
        let room = state.open_room.get();
        state
            .pending
            .get()
            .into_iter()
            .filter(|p| p.room == room)
            .collect::<Vec<_>>()
    };

    let scroll_to_bottom = move || {
        if let Some(el) = log.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    };
    Effect::new(move |_| {
        local.set(true);
    });
    // New messages: follow them when at the bottom, and mark the room read.
    Effect::new(move |_| {
        shown.track();
        state.pending.track();
        if at_bottom.get_untracked() {
            request_animation_frame(scroll_to_bottom);
            if let Some((room, seq)) = state.mark_open_room_read() {
                leptos::task::spawn_local(async move {
                    let _ = mark_read(room.to_string(), seq).await;
                });
            }
        }
    });

    let on_scroll = move |_| {
        let Some(el) = log.get_untracked() else {
            return;
        };
        at_bottom.set(el.scroll_height() - el.scroll_top() - el.client_height() < AT_BOTTOM);
        if el.scroll_top() > LOAD_OLDER_AT
            || loading_older.get_untracked()
            || reached_start.get_untracked()
        {
            return;
        }
        let room = state.open_room.get_untracked();
        let Some(first) = state.first_seq(&room) else {
            return;
        };
        if first <= 1 {
            reached_start.set(true);
            return;
        }
        loading_older.set(true);
        leptos::task::spawn_local(async move {
            if let Ok(older) = messages(room.to_string(), Some(first), Some(50)).await {
                let height_before = log.get_untracked().map_or(0, |el| el.scroll_height());
                state.add_messages(&room, older);
                request_animation_frame(move || {
                    // Keep the reader's place: the new content is above.
                    if let Some(el) = log.get_untracked() {
                        el.set_scroll_top(el.scroll_top() + el.scroll_height() - height_before);
                    }
                });
            }
            loading_older.set(false);
        });
    };

    view! {
        <div class="log-wrap">
            <div class="log" role="log" aria-label="Messages" tabindex="0" node_ref=log on:scroll=on_scroll>
                {move || loading_older.get().then(|| view! { <p class="loading">"Loading earlier messages…"</p> })}
                // The first message shown is the room's first, or (without
                // JavaScript) there is an older page to link to.
                {move || {
                    shown.with(|m| m.first().map(|m| m.seq)).map(|first| {
                        if first <= 1 {
                            Either::Left(view! { <p class="start">"This is the start of the room."</p> })
                        } else {
                            // The hydrated page hides this link and loads
                            // older messages as it scrolls.
                            Either::Right(view! { <a class="no-js-only older" href=format!("?before={first}")>"Older messages"</a> })
                        }
                    })
                }}
                {move || rows(&shown.get(), local.get())}
                {move || pending().into_iter().map(|item| pending_row(state, item)).collect_view()}
            </div>
            {paged.then(|| view! {
                <a class="no-js-only newest" href=move || format!("/room/{}", state.open_room.get())>"Newest messages"</a>
            })}
            {move || (!at_bottom.get()).then(|| view! {
                <button type="button" class="jump" on:click=move |_| {
                    at_bottom.set(true);
                    scroll_to_bottom();
                }>
                    "Jump to newest"
                </button>
            })}
        </div>
    }
}

/// A message typed here that is on its way, or failed with a Retry.
fn pending_row(state: ChatState, item: Pending) -> impl IntoView {
    let failed = item.error.is_some();
    let nonce = item.nonce;
    view! {
        <article class="msg pending" class:failed=failed>
            <p class="text">{item.text}</p>
            <span class="status" class:error=failed>
                {match item.error {
                    None => "Sending…".to_owned(),
                    Some(error) => format!("Not sent: {error}"),
                }}
            </span>
            {failed.then(|| view! {
                <button type="button" class="secondary small" on:click=move |_| state.retry(&nonce)>
                    "Retry"
                </button>
            })}
        </article>
    }
}

/// The log's rows: messages with a day separator before the first of each
/// day, and a header where a new author group starts.
fn rows(messages: &[Message], local: bool) -> Vec<impl IntoView> {
    let mut views = Vec::with_capacity(messages.len());
    let mut previous: Option<&Message> = None;
    for message in messages {
        let this_day = day(message.date, local);
        let new_day = previous.is_none_or(|p| day(p.date, local) != this_day);
        let grouped = !new_day
            && previous.is_some_and(|p| {
                p.from == message.from && message.date.saturating_sub(p.date) < GROUP_GAP_MS
            });
        let separator = new_day
            .then(|| view! { <div class="day" role="separator"><span>{this_day}</span></div> });
        views.push((separator, message_row(message, grouped, local)));
        previous = Some(message);
    }
    views
}

fn message_row(message: &Message, grouped: bool, local: bool) -> impl IntoView {
    let time = clock(message.date, local);
    let text = linkify(&message.text)
        .into_iter()
        .map(|segment| match segment {
            Segment::Text(text) => Either::Left(text),
            Segment::Link(href) => {
                let shown = href.clone();
                Either::Right(view! { <a href=href target="_blank" rel="noopener noreferrer nofollow">{shown}</a> })
            }
        })
        .collect_view();
    view! {
        <article class="msg" class:grouped=grouped data-seq=message.seq>
            {(!grouped).then(|| view! {
                <header>
                    <span class="author">{message.username.to_string()}</span>
                    <time>{time.clone()}</time>
                </header>
            })}
            <p class="text" title=time>{text}</p>
        </article>
    }
}
