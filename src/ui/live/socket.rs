//! The websocket loop in the browser (gloo-net): connect, sync every room
//! held from its last seq, apply events, send the outbox; on a loss,
//! reconnect with exponential backoff and jitter.

use std::time::Duration;

use futures::channel::{mpsc, oneshot};
use futures::future::{select, Either};
use futures::{SinkExt, StreamExt};
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::{Message, State};
use leptos::prelude::*;

use crate::model::{ClientFrame, RoomId, ServerEvent};
use crate::ui::state::{now_ms, ChatState, Connection, TYPING_FOR_MS};

const FIRST_BACKOFF_MS: f64 = 500.0;
const MAX_BACKOFF_MS: f64 = 15_000.0;
const OPEN_TIMEOUT_MS: f64 = 10_000.0;

pub fn start(state: ChatState) {
    let (outgoing, frames) = mpsc::unbounded::<ClientFrame>();
    // Whatever the page queues goes to the socket task, in order.
    Effect::new(move |_| {
        let queued = state.outbox.get();
        if !queued.is_empty() {
            for frame in queued {
                let _ = outgoing.unbounded_send(frame);
            }
            state.outbox.set(Vec::new());
        }
    });
    // Typing notices fade.
    set_interval(
        move || {
            let now = now_ms();
            state.typing.update(|all| {
                for list in all.values_mut() {
                    list.retain(|(_, at)| now - at < TYPING_FOR_MS);
                }
            });
        },
        Duration::from_secs(1),
    );
    leptos::task::spawn_local(run(state, frames));
}

async fn run(state: ChatState, mut frames: mpsc::UnboundedReceiver<ClientFrame>) {
    let mut backoff = FIRST_BACKOFF_MS;
    let mut was_open = false;
    loop {
        if let Some(socket) = open().await {
            backoff = FIRST_BACKOFF_MS;
            state.connection.set(if was_open {
                Connection::Restored
            } else {
                Connection::Open
            });
            if was_open {
                // "Back online" shows for a moment, then the banner goes.
                set_timeout(
                    move || {
                        if state.connection.get_untracked() == Connection::Restored {
                            state.connection.set(Connection::Open);
                        }
                    },
                    Duration::from_secs(3),
                );
            }
            was_open = true;
            serve(&state, socket, &mut frames).await;
        }
        state.connection.set(Connection::Reconnecting);
        sleep(backoff * (0.5 + js_sys::Math::random())).await;
        backoff = (backoff * 2.0).min(MAX_BACKOFF_MS);
    }
}

/// A socket that reached the open state, or `None`.
async fn open() -> Option<WebSocket> {
    let location = window().location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    let socket = WebSocket::open(&format!("{scheme}://{}/ws", location.host().ok()?)).ok()?;
    let started = now_ms();
    loop {
        match socket.state() {
            State::Open => return Some(socket),
            State::Connecting if now_ms() - started < OPEN_TIMEOUT_MS => sleep(50.0).await,
            _ => return None,
        }
    }
}

/// Runs one open socket until it drops.
async fn serve(
    state: &ChatState,
    socket: WebSocket,
    frames: &mut mpsc::UnboundedReceiver<ClientFrame>,
) {
    let (mut sink, mut stream) = socket.split();
    // Catch up on every room held: on the changes after the last rev seen
    // live, or (nothing seen yet) on the messages after its last seq.
    let mut rooms: Vec<RoomId> = state
        .messages
        .with_untracked(|all| all.keys().cloned().collect());
    let open_room = state.open_room.get_untracked();
    if !rooms.contains(&open_room) {
        rooms.push(open_room);
    }
    for room in rooms {
        let seen = state.seen_rev(&room);
        let sync = if seen > 0 {
            ClientFrame::Sync {
                room_id: room,
                after: None,
                after_rev: Some(seen),
            }
        } else {
            ClientFrame::Sync {
                after: Some(state.last_seq(&room)),
                room_id: room,
                after_rev: None,
            }
        };
        if send(&mut sink, &sync)
        .await
        .is_err()
        {
            return;
        }
    }
    // And on who is online: presence events sent while this socket was
    // away (or before it was registered) are gone, so read the list anew.
    leptos::task::spawn_local({
        let online = state.online;
        async move {
            if let Ok(people) = crate::api::online_users().await {
                online.set(people);
            }
        }
    });
    let mut in_flight: Vec<String> = Vec::new();
    loop {
        match select(stream.next(), frames.next()).await {
            Either::Left((Some(Ok(Message::Text(text))), _)) => {
                match crate::ui::json::from_text::<ServerEvent>(&text) {
                    Ok(event) => {
                        if let ServerEvent::Message { message, .. } = &event {
                            if let Some(title) = state.notable(message) {
                                super::notify::show(&title, &message.text);
                            }
                        }
                        state.apply(event)
                    }
                    Err(err) => leptos::logging::warn!("unreadable event: {err}"),
                }
            }
            Either::Left((Some(Ok(Message::Bytes(_))), _)) => {}
            Either::Left((_, _)) => break,
            Either::Right((Some(frame), _)) => {
                if let ClientFrame::Send {
                    nonce: Some(nonce), ..
                } = &frame
                {
                    in_flight.push(nonce.clone());
                }
                if send(&mut sink, &frame).await.is_err() {
                    break;
                }
            }
            Either::Right((None, _)) => return,
        }
    }
    // Sends that were not confirmed may or may not be stored: say so, and
    // let the person retry (a sync that brings them back clears them).
    state.pending.update(|pending| {
        for p in pending
            .iter_mut()
            .filter(|p| p.error.is_none() && in_flight.contains(&p.nonce))
        {
            p.error = Some("The connection dropped before this was confirmed.".into());
        }
    });
    state.connection_lost();
}

async fn send(
    sink: &mut (impl futures::Sink<Message, Error = gloo_net::websocket::WebSocketError> + Unpin),
    frame: &ClientFrame,
) -> Result<(), ()> {
    let json = serde_json::to_string(frame).map_err(|_| ())?;
    sink.send(Message::Text(json)).await.map_err(|_| ())
}

/// Waits `ms` milliseconds.
async fn sleep(ms: f64) {
    let (done, fired) = oneshot::channel();
    set_timeout(
        move || {
            let _ = done.send(());
        },
        Duration::from_millis(ms as u64),
    );
    let _ = fired.await;
}
