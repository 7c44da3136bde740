//! The message log (role `log`): messages grouped by author, broken by
//! day, times in the reader's local time, links clickable and text always
//! text; older history loads on scrolling up, with the reader's place kept,
//! and a "Jump to newest" button shows when scrolled away from the bottom.
//! Each message offers what its reader may do to it: Edit and Delete (its
//! author; Delete also the room's owner), Reply and React.

use leptos::either::{Either, EitherOf3};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::{mark_read, messages, DeleteMessage};
use crate::model::{same_emoji, Message, RoomId, UserId, PAGE_MAX};
use crate::ui::components::composer::COMPOSER_ID;
use crate::ui::components::message_text::message_text;
use crate::ui::format::{avatar_class, clock, day, initial};
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
    // An older page (a jump to a search hit or a reply's quote) is read
    // where it stands: newer messages arriving below do not pull it away.
    let at_bottom = RwSignal::new(!paged);
    let loading_older = RwSignal::new(false);
    let reached_start = RwSignal::new(false);

    // The rendered page joins the state once the page runs (writing state
    // during the render would make the hydrated page differ from the
    // server's).
    let initial = StoredValue::new(initial);
    Effect::new(move |_| {
        let room = state.open_room.get_untracked();
        state.add_first_page(&room, initial.get_value());
    });
    let shown = Memo::new(move |_| {
        let room = state.open_room.get();
        // Filled by `extend` (the insert path the state already has), not
        // `collect` (a sort and bulk build of its own in the bundle).
        let mut merged = std::collections::BTreeMap::<u64, Message>::new();
        initial.with_value(|page| {
            merged.extend(
                page.iter()
                    .filter(|m| m.room_id == room)
                    .map(|m| (m.seq, m.clone())),
            )
        });
        state.messages.with(|all| {
            if let Some(held) = all.get(&room) {
                merged.extend(held.iter().map(|(seq, m)| (*seq, m.clone())));
            }
        });
        merged.into_values().collect::<Vec<_>>()
    });
    // Where the unread part of the room began when it was opened: the
    // reader's read mark then, if anything was unread (read before the
    // page marks the room read, so that the server's render and the
    // hydrated page agree; a message arriving while the room is open
    // draws no divider).
    let read_mark = Memo::new(move |_| {
        let room = state.open_room.get();
        state.rooms.with_untracked(|rooms| {
            rooms
                .iter()
                .find(|r| r.room.id == room)
                .filter(|r| r.unread > 0)
                .map(|r| r.last_read)
        })
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
            <div class="log" role="log" aria-label="Conversation" tabindex="0" node_ref=log on:scroll=on_scroll>
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
                {move || rows(state, &shown.get(), local.get(), read_mark.get())}
                {move || pending().into_iter().map(|item| pending_row(state, item)).collect_view()}
            </div>
            {paged.then(|| view! {
                <a class="no-js-only newest" href=move || state.open_room.get().path()>"Newest messages"</a>
            })}
            {move || (local.get() && !at_bottom.get()).then(|| view! {
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
/// day, a "New messages" divider before the first one after `read_mark`,
/// and a header where a new author group starts.
fn rows(
    state: ChatState,
    messages: &[Message],
    local: bool,
    read_mark: Option<u64>,
) -> Vec<impl IntoView> {
    let mut views = Vec::with_capacity(messages.len());
    let mut previous: Option<&Message> = None;
    for message in messages {
        let this_day = day(message.date, local);
        let new_day = previous.is_none_or(|p| day(p.date, local) != this_day);
        let first_unread = read_mark.is_some_and(|read| {
            message.seq > read && previous.is_none_or(|p| p.seq <= read)
        });
        let grouped = !new_day
            && !first_unread
            && message.reply_to.is_none()
            && previous.is_some_and(|p| {
                p.from == message.from && message.date.saturating_sub(p.date) < GROUP_GAP_MS
            });
        let separator = new_day
            .then(|| view! { <div class="day" role="separator"><span>{this_day}</span></div> });
        let replied = message.reply_to.and_then(|seq| {
            messages
                .iter()
                .find(|m| m.seq == seq)
                .map(|m| (m.username.to_string(), m.deleted, m.text.chars().take(80).collect::<String>()))
        });
        let divider = first_unread.then(|| {
            view! { <div class="day new-messages" role="separator"><span>"New messages"</span></div> }
        });
        views.push((separator, divider, message_row(state, message, replied, grouped, local)));
        previous = Some(message);
    }
    views
}

/// The emoji the React button offers.
pub(crate) static QUICK_REACTIONS: [&str; 6] = ["👍", "❤️", "😂", "🎉", "😮", "😢"];

fn message_row(
    state: ChatState,
    message: &Message,
    replied: Option<(String, bool, String)>,
    grouped: bool,
    local: bool,
) -> impl IntoView {
    let time = clock(message.date, local);
    let me = state.me.with_value(|me| me.id);
    let room = message.room_id.clone();
    let seq = message.seq;
    let mine = message.from == me;
    let owner = state.rooms.with_untracked(|rooms| {
        rooms
            .iter()
            .find(|r| r.room.id == room)
            .and_then(|r| r.room.owner)
    });
    let may_delete = !message.deleted && (mine || owner == Some(me) || state.moderates(&room));
    let deleted = message.deleted;
    let editing = move || state.editing.get() == Some((room.clone(), seq));
    let picking = RwSignal::new(false);
    let text = message.text.clone();
    let body = {
        let room = message.room_id.clone();
        let text = text.clone();
        let edited = message.edited.is_some();
        move || {
            if deleted {
                return EitherOf3::A(view! { <p class="text deleted">"Message deleted"</p> });
            }
            if editing() {
                return EitherOf3::B(edit_form(state, room.clone(), seq, text.clone()));
            }
            EitherOf3::C(view! {
                <div class="text" title=time.clone()>
                    {message_text(&text)}
                    {edited.then(|| view! { <span class="edited">"edited"</span> })}
                </div>
            })
        }
    };
    // A blocked person's message is folded away; the reader may open it
    // (a plain <details>, with or without JavaScript).
    let body = if !deleted && state.blocked(message.from) {
        Either::Left(view! {
            <details class="blocked">
                <summary>"A message from someone you blocked"</summary>
                {body}
            </details>
        })
    } else {
        Either::Right(body)
    };
    let reactions = reaction_bar(state, message, me);
    let actions = (!deleted).then(|| {
        let (room_edit, room_delete, room_reply) = (message.room_id.clone(), message.room_id.clone(), message.room_id.clone());
        let room_pick = message.room_id.clone();
        let reacted: Vec<String> = message
            .reactions
            .iter()
            .filter(|r| r.users.contains(&me))
            .map(|r| r.emoji.clone())
            .collect();
        // Each is a form too, so that it works without JavaScript (and
        // before the page is hydrated): Reply, React and Edit open the
        // room with the answer started or the change panel
        // (`message_changes`), Delete posts. The hydrated page takes the
        // click itself.
        let here = message.room_id.path();
        view! {
            <div class="actions">
                <form method="get" action=here.clone() class="inline-form">
                    <input type="hidden" name="reply" value=seq/>
                    <button type="submit" class="link small" on:click=move |ev| {
                        ev.prevent_default();
                        state.replying.set(Some((room_reply.clone(), seq)));
                        // The answer is typed next.
                        if let Some(composer) = document().get_element_by_id(COMPOSER_ID) {
                            let _ = composer.unchecked_into::<web_sys::HtmlElement>().focus();
                        }
                    }>"Reply"</button>
                </form>
                <form method="get" action=here.clone() class="inline-form">
                    <input type="hidden" name="change" value=seq/>
                    <button type="submit" class="link small" aria-expanded=move || picking.get().to_string() on:click=move |ev| {
                        ev.prevent_default();
                        picking.update(|p| *p = !*p);
                    }>"React"</button>
                </form>
                {mine.then(|| view! {
                    <form method="get" action=here.clone() class="inline-form">
                        <input type="hidden" name="change" value=seq/>
                        <button type="submit" class="link small" on:click=move |ev| {
                            ev.prevent_default();
                            state.editing.set(Some((room_edit.clone(), seq)));
                        }>"Edit"</button>
                    </form>
                })}
                {may_delete.then(|| view! {
                    <form method="post" action=DELETE_PATH class="inline-form">
                        <input type="hidden" name="room_id" value=room_delete.to_string()/>
                        <input type="hidden" name="seq" value=seq/>
                        <button type="submit" class="link small" on:click=move |ev| {
                            ev.prevent_default();
                            state.delete(room_delete.clone(), seq);
                        }>"Delete"</button>
                    </form>
                })}
                {move || picking.get().then(|| {
                    let room = room_pick.clone();
                    let reacted = reacted.clone();
                    view! {
                        <div class="picker" role="group" aria-label="Pick a reaction">
                            {QUICK_REACTIONS.iter().map(|emoji| {
                                let room = room.clone();
                                let on = !reacted.iter().any(|r| same_emoji(r, emoji));
                                view! {
                                    <button type="button" class="small" aria-label=format!("React with {emoji}") on:click=move |_| {
                                        state.react(room.clone(), seq, (*emoji).to_owned(), on);
                                        picking.set(false);
                                    }>{*emoji}</button>
                                }
                            }).collect_view()}
                        </div>
                    }
                })}
            </div>
        }
    });
    let mention = message.mentions_user(me).then_some("");
    view! {
        <article class="msg" id=format!("m{seq}") class:grouped=grouped class:deleted=deleted data-seq=seq data-mention=mention>
            {(!grouped).then(|| view! {
                <header>
                    <span class=avatar_class(message.from.0) aria-hidden="true">
                        {initial(message.username.as_str())}
                    </span>
                    <span class="author">{message.username.to_string()}</span>
                    <time>{clock(message.date, local)}</time>
                </header>
            })}
            {via_mark(message)}
            {message.reply_to.map(|parent| reply_quote(state, parent, replied))}
            {body}
            {reactions}
            {actions}
        </article>
    }
}

/// Says that a program posted the message, and through which token or
/// webhook, so that a script is not taken for a person.
fn via_mark(message: &Message) -> Option<impl IntoView> {
    let kind = match message.via.as_deref()? {
        "webhook" => "webhook",
        _ => "API token",
    };
    let name = message.via_name.as_deref().unwrap_or_default();
    Some(view! { <span class="via">{format!("via {kind} {name}")}</span> })
}

/// The reactions on a message: one toggle per emoji, with its count.
fn reaction_bar(state: ChatState, message: &Message, me: UserId) -> impl IntoView {
    (!message.reactions.is_empty()).then(|| {
        let room = message.room_id.clone();
        let seq = message.seq;
        view! {
            <div class="reactions">
                {message.reactions.iter().map(|reaction| {
                    let chosen = reaction.users.contains(&me);
                    let emoji = reaction.emoji.clone();
                    let count = reaction.users.len();
                    let room = room.clone();
                    let label = format!("{emoji} {count}");
                    // Who reacted (when the server kept their names): on
                    // hover, and in the accessible name.
                    let mut who = String::new();
                    for name in &reaction.names {
                        who.push_str(if who.is_empty() { "" } else { ", " });
                        who.push_str(name.as_str());
                    }
                    let by = if who.is_empty() { "" } else { " by " };
                    let named = format!("{emoji}: {count}{by}{who}, {}", if chosen { "yours among them" } else { "add yours" });
                    view! {
                        <button type="button" class="reaction small" aria-pressed=chosen.to_string() title=who
                            aria-label=named
                            on:click=move |_| state.react(room.clone(), seq, emoji.clone(), !chosen)>
                            {label}
                        </button>
                    }
                }).collect_view()}
            </div>
        }
    })
}

/// Where a Delete posts without JavaScript.
const DELETE_PATH: &str = <DeleteMessage as leptos::server_fn::ServerFn>::PATH;

/// The quote of the message a reply answers: its author and first words,
/// or (when it is not loaded) a plain pointer to it. Choosing it goes to
/// that message: in the page when it is there, after loading the history
/// in between when it is not (up to `JUMP_PAGES` pages), and without
/// JavaScript as a page of history ending at it.
fn reply_quote(
    state: ChatState,
    parent: u64,
    quoted: Option<(String, bool, String)>,
) -> impl IntoView {
    let room = state.open_room.get_untracked();
    let href = format!("{}?before={}#m{parent}", room.path(), parent + 1);
    let (lead, snippet) = match quoted {
        Some((author, gone, snippet)) => (
            format!("Replying to {author}: "),
            // Not the tombstone's words: those name the deleted message
            // itself, in the log.
            if gone { "(deleted)".to_owned() } else { snippet },
        ),
        None => ("Replying to an earlier message".to_owned(), String::new()),
    };
    view! {
        <a class="reply-to" href=href.clone() on:click=move |ev| {
            ev.prevent_default();
            let (room, href) = (room.clone(), href.clone());
            leptos::task::spawn_local(async move { jump_to(state, room, parent, href).await });
        }>
            {lead}
            <span>{snippet}</span>
        </a>
    }
}

/// How many pages of history a jump to an answered message loads at most.
const JUMP_PAGES: usize = 10;

/// Scrolls the log to message `seq` of `room` and marks it for a moment,
/// loading the history in between first if needed; a message further back
/// than that is shown by loading `page`, the history ending at it.
async fn jump_to(state: ChatState, room: RoomId, seq: u64, page: String) {
    for _ in 0..JUMP_PAGES {
        match state.first_seq(&room) {
            Some(first) if first > seq => {
                match messages(room.to_string(), Some(first), Some(PAGE_MAX)).await {
                    Ok(older) if !older.is_empty() => state.add_messages(&room, older),
                    _ => break,
                }
            }
            _ => break,
        }
    }
    request_animation_frame(move || {
        match document().get_element_by_id(&format!("m{seq}")) {
            Some(target) => {
                target.scroll_into_view();
                let _ = target.set_attribute("data-flash", "");
            }
            None => {
                let _ = window().location().set_href(&page);
            }
        }
    });
}

/// Editing a message in place: Save sends the edit, Cancel (or Escape)
/// leaves it as it was.
fn edit_form(state: ChatState, room: RoomId, seq: u64, text: String) -> impl IntoView {
    let area = NodeRef::<html::Textarea>::new();
    let save = move || {
        let Some(area) = area.get_untracked() else { return };
        let value = area.value();
        if !value.trim().is_empty() {
            state.edit(room.clone(), seq, value);
        }
        state.editing.set(None);
    };
    let save_click = save.clone();
    // The box takes the focus, the caret after the text.
    Effect::new(move |_| {
        if let Some(area) = area.get() {
            let _ = area.focus();
            let end = area.value().encode_utf16().count() as u32;
            let _ = area.set_selection_range(end, end);
        }
    });
    view! {
        <form class="edit" on:submit=move |ev| {
            ev.prevent_default();
            save();
        }>
            <label class="visually-hidden" for=format!("edit-{seq}")>"Edit message"</label>
            <textarea id=format!("edit-{seq}") node_ref=area maxlength="4000" on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    state.editing.set(None);
                } else if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                    ev.prevent_default();
                    save_click();
                }
            }>{text}</textarea>
            <button type="submit" class="small">"Save"</button>
            <button type="button" class="secondary small" on:click=move |_| state.editing.set(None)>"Cancel"</button>
        </form>
    }
}
