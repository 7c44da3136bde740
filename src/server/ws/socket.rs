//! One websocket connection: a reader task (this one) and a writer task.
//!
//! The writer drains three queues: control (a close order), replies to
//! this client (errors, sync pages) and bus frames (bounded: overflow cuts
//! the client off as too slow). It pings every third of the silence limit
//! (`CONFAB_SILENCE_LIMIT_SECS`); a peer silent for longer is closed, but
//! not while the reader is busy with one of its frames.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures::stream::SplitSink;
use futures::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tracing::Instrument;

use crate::error::AppError;
use crate::model::{User, MAX_FRAME_BYTES};
use crate::server::bus::{Bus, CloseReason, Outbound, Registration};
use crate::server::events::SessionFingerprint;
use crate::server::session::Caller;
use crate::server::AppState;

use super::frames::FrameHandler;

/// How long a close frame may take to write before the socket is dropped.
const CLOSE_WRITE_LIMIT: Duration = Duration::from_secs(2);
/// At most this many queued frames go out with one flush.
const WRITE_BATCH: usize = 64;

/// A socket's place on the bus, taken during the handshake. If the upgrade
/// never completes, dropping it unregisters the socket.
pub(super) struct Admission {
    bus: Bus,
    registration: Option<Registration>,
}

impl Admission {
    pub async fn new(
        state: &AppState,
        user: User,
        session: SessionFingerprint,
    ) -> Result<Self, AppError> {
        let registration = state.bus.connect(user, session).await?;
        Ok(Admission {
            bus: state.bus.clone(),
            registration: Some(registration),
        })
    }

    fn take(mut self) -> Option<Registration> {
        self.registration.take()
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        if let Some(registration) = self.registration.take() {
            let bus = self.bus.clone();
            tokio::spawn(async move { bus.disconnect(registration.id).await });
        }
    }
}

pub(super) async fn serve(
    state: AppState,
    caller: Caller,
    admission: Admission,
    socket: WebSocket,
) {
    let Some(registration) = admission.take() else {
        return;
    };
    let conn = registration.id;
    // The socket's lines carry its id, whatever task writes them.
    let span = tracing::info_span!("socket", conn = %conn, user = %caller.user.id);
    serve_in(state, caller, registration, socket)
        .instrument(span)
        .await
}

async fn serve_in(state: AppState, caller: Caller, registration: Registration, socket: WebSocket) {
    let conn = registration.id;
    let (sink, mut stream) = socket.split();
    let (replies, reply_queue) = mpsc::channel(64);
    let hearing = Arc::new(Hearing::new(Duration::from_secs(
        state.config.silence_limit_secs,
    )));
    let deadline = WriteDeadline {
        after: Duration::from_secs(state.config.write_deadline_secs),
        bus: state.bus.clone(),
    };
    let writer = tokio::spawn(
        write(sink, registration, reply_queue, hearing.clone(), deadline).in_current_span(),
    );

    let mut handler = FrameHandler::new(state.clone(), caller, conn, replies.clone());
    let mut writer = writer;
    let mut writer_done = false;
    loop {
        let message = tokio::select! {
            message = stream.next() => message,
            _ = &mut writer => {
                writer_done = true;
                break;
            }
        };
        let Some(Ok(message)) = message else { break };
        hearing.heard();
        let oversized = match &message {
            Message::Text(text) => text.len() > MAX_FRAME_BYTES,
            Message::Binary(bytes) => bytes.len() > MAX_FRAME_BYTES,
            _ => false,
        };
        if oversized {
            let _ = replies.send(Outbound::Close(CloseReason::TooLarge)).await;
            break;
        }
        match message {
            Message::Text(text) => {
                // The peer's pongs wait unread while its frame is handled
                // (a sync may wait minutes for its budget).
                hearing.busy(true);
                handler.handle(text.as_str()).await;
                hearing.busy(false);
            }
            Message::Binary(_) => handler.refuse("Frames are JSON text.").await,
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) => {}
        }
    }
    drop(handler);
    drop(replies);
    state.bus.disconnect(conn).await;
    // The writer ends once its queues are closed and drained.
    if !writer_done {
        let _ = writer.await;
    }
}

/// What the reader tells the writer about the peer: when it last heard
/// from it, and whether it is busy with one of its frames (then the
/// peer's silence is the server's doing, and does not count).
struct Hearing {
    started: Instant,
    heard_ms: AtomicU64,
    busy: AtomicBool,
    limit: Duration,
}

impl Hearing {
    fn new(limit: Duration) -> Self {
        Hearing {
            started: Instant::now(),
            heard_ms: AtomicU64::new(0),
            busy: AtomicBool::new(false),
            limit,
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn heard(&self) {
        self.heard_ms.store(self.now_ms(), Ordering::Relaxed);
    }

    /// Marks the start or the end of handling one of the peer's frames;
    /// the silence counts again from the end.
    fn busy(&self, busy: bool) {
        self.heard();
        self.busy.store(busy, Ordering::Relaxed);
    }

    fn ping_every(&self) -> Duration {
        self.limit / 3
    }

    fn too_silent(&self) -> bool {
        let silent = self
            .now_ms()
            .saturating_sub(self.heard_ms.load(Ordering::Relaxed));
        !self.busy.load(Ordering::Relaxed) && Duration::from_millis(silent) > self.limit
    }
}

/// How long one write may wait on a peer that does not read, and the bus
/// that counts the sockets closed for it.
struct WriteDeadline {
    after: Duration,
    bus: Bus,
}

async fn write(
    mut sink: SplitSink<WebSocket, Message>,
    registration: Registration,
    mut replies: mpsc::Receiver<Outbound>,
    hearing: Arc<Hearing>,
    deadline: WriteDeadline,
) {
    let Registration {
        mut frames,
        mut control,
        ..
    } = registration;
    let mut ping = tokio::time::interval(hearing.ping_every());
    ping.tick().await;
    loop {
        let next = tokio::select! {
            biased;
            Some(order) = control.recv() => Some(order),
            _ = ping.tick() => {
                if hearing.too_silent() {
                    return close(&mut sink, CloseReason::Unresponsive).await;
                }
                Some(Outbound::Ping)
            }
            reply = replies.recv() => match reply {
                Some(reply) => Some(reply),
                None => return close(&mut sink, CloseReason::Done).await,
            },
            Some(frame) = frames.recv() => Some(Outbound::Frame(frame)),
        };
        let message = match next {
            Some(Outbound::Frame(text)) => Message::Text(text),
            Some(Outbound::Ping) => Message::Ping(Default::default()),
            Some(Outbound::Close(reason)) => return close(&mut sink, reason).await,
            None => return,
        };
        // A write may wait on a client that does not read: a close order
        // (such as "too slow") must still get through, and a write that
        // waits past the deadline closes the socket (its queued frames and
        // a sync's page are not held for ever).
        tokio::select! {
            biased;
            Some(order) = control.recv() => {
                if let Outbound::Close(reason) = order {
                    return close(&mut sink, reason).await;
                }
            }
            sent = send_batch(&mut sink, message, &mut frames) => {
                if sent.is_err() {
                    return;
                }
            }
            _ = tokio::time::sleep(deadline.after) => {
                tracing::warn!(after = ?deadline.after, "a write waited past its deadline");
                deadline.bus.count_too_slow();
                return close(&mut sink, CloseReason::TooSlow).await;
            }
        }
    }
}

/// Writes `first`, then the bus frames already queued behind it (up to
/// [`WRITE_BATCH`]), with one flush: a burst costs one write, not one each.
async fn send_batch(
    sink: &mut SplitSink<WebSocket, Message>,
    first: Message,
    frames: &mut mpsc::Receiver<Utf8Bytes>,
) -> Result<(), axum::Error> {
    sink.feed(first).await?;
    for _ in 1..WRITE_BATCH {
        let Ok(frame) = frames.try_recv() else { break };
        sink.feed(Message::Text(frame)).await?;
    }
    sink.flush().await
}

async fn close(sink: &mut SplitSink<WebSocket, Message>, reason: CloseReason) {
    let (code, text) = reason.code_and_text();
    if reason == CloseReason::TooSlow || reason == CloseReason::Unresponsive {
        tracing::warn!(code, text, "closing a socket");
    }
    let frame = Message::Close(Some(CloseFrame {
        code,
        reason: text.into(),
    }));
    let _ = tokio::time::timeout(CLOSE_WRITE_LIMIT, sink.send(frame)).await;
}
