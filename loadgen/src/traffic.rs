//! Sending at a set rate and measuring what arrives: the engine under
//! fan-out, rooms, ingest and the ramps. Each sender stamps its texts with
//! the send time and the step (`t=NS k=STEP pad`); the readers of
//! [`crate::ws`] tally them; this module turns a step's tally into figures.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use confab::model::{ClientFrame, RoomId};
use futures::SinkExt;
use serde::Serialize;
use tokio_tungstenite::tungstenite::Message;

use crate::clock::now_ns;
use crate::hist::Latency;
use crate::progress::Progress;
use crate::ws::{Board, Sink};

/// One sending socket: the rooms it cycles through, each with the number of
/// sockets a message there should reach, and its share of the rate.
pub struct Sender {
    pub sink: Arc<tokio::sync::Mutex<Sink>>,
    pub rooms: Vec<(RoomId, u64)>,
    pub rate: f64,
}

pub struct Step {
    pub label: String,
    pub index: usize,
    pub duration: Duration,
    pub drain: Duration,
    pub pad: usize,
}

/// What one step of sending achieved.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    pub target_rate: f64,
    pub seconds: f64,
    pub sent: u64,
    pub send_rate: f64,
    pub send_errors: u64,
    pub skipped: u64,
    pub expected_deliveries: u64,
    pub delivered: u64,
    pub deliveries_per_sec: f64,
    pub echoes: u64,
    pub echoes_per_sec: f64,
    pub latency: Latency,
    pub echo_latency: Latency,
    /// Sockets the server closed during the step.
    pub closed: u64,
    /// `error` events received during the step.
    pub errors: u64,
    /// The servers' CPU time during the step over the deliveries, in
    /// microseconds (when the load generator started the servers).
    pub server_cpu_us_per_delivery: Option<f64>,
}

impl Figures {
    /// Held the rate, lost nothing, and kept p99 (of deliveries, or of
    /// echoes when `echo`) within `limit_ms`.
    pub fn passes(&self, limit_ms: f64, echo: bool) -> bool {
        let latency = if echo {
            &self.echo_latency
        } else {
            &self.latency
        };
        self.sent > 0
            && self.send_rate >= 0.95 * self.target_rate
            && self.delivered >= self.expected_deliveries
            && self.closed == 0
            && self.errors == 0
            && latency.count > 0
            && latency.p99_ms <= limit_ms
    }
}

/// Sends for `step.duration`, waits up to `step.drain` for the rest, and
/// reports.
pub async fn run(board: &Arc<Board>, senders: &[Sender], step: &Step) -> Figures {
    let tally = &board.tallies[step.index];
    let closed_before = board.closed.load(Ordering::Relaxed);
    let errors_before = board.errors.load(Ordering::Relaxed);
    let target_rate: f64 = senders.iter().map(|s| s.rate).sum();
    let _progress = {
        let board = board.clone();
        let index = step.index;
        Progress::timed(&step.label, step.duration, move || {
            let t = &board.tallies[index];
            format!(
                "sent {}  delivered {}/{}  echoes {}  open {}  errors {}",
                t.sent.load(Ordering::Relaxed),
                t.deliveries.load(Ordering::Relaxed),
                t.expected.load(Ordering::Relaxed),
                t.echoes.load(Ordering::Relaxed),
                board.open.load(Ordering::Relaxed),
                board.errors.load(Ordering::Relaxed),
            )
        })
    };
    let start_ns = now_ns();
    let started = Instant::now();
    let pad = "x".repeat(step.pad);
    let count = senders.len().max(1);
    let tasks: Vec<_> = senders
        .iter()
        .enumerate()
        .map(|(i, sender)| {
            let board = board.clone();
            let sink = sender.sink.clone();
            let rooms = sender.rooms.clone();
            let rate = sender.rate;
            let pad = pad.clone();
            let index = step.index;
            let duration = step.duration;
            // Senders start spread over one period, not all at once.
            let offset =
                Duration::from_secs_f64(i as f64 / count as f64 / rate.max(1e-3)).min(duration);
            tokio::spawn(async move {
                send(
                    &board,
                    index,
                    sink,
                    rooms,
                    rate,
                    started + offset,
                    started + duration,
                    &pad,
                )
                .await
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    let send_seconds = started.elapsed().as_secs_f64();
    let drain_until = Instant::now() + step.drain;
    while Instant::now() < drain_until
        && tally.deliveries.load(Ordering::Relaxed) < tally.expected.load(Ordering::Relaxed)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let delivered = tally.deliveries.load(Ordering::Relaxed);
    let echoes = tally.echoes.load(Ordering::Relaxed);
    let last = tally.last_delivery_ns.load(Ordering::Relaxed);
    let span = (last.saturating_sub(start_ns) as f64 / 1e9).max(1e-9);
    let per_sec = |n: u64| if n == 0 { 0.0 } else { n as f64 / span };
    let sent = tally.sent.load(Ordering::Relaxed);
    Figures {
        target_rate,
        seconds: send_seconds,
        sent,
        send_rate: sent as f64 / step.duration.as_secs_f64().max(1e-9),
        send_errors: tally.send_errors.load(Ordering::Relaxed),
        skipped: tally.skipped.load(Ordering::Relaxed),
        expected_deliveries: tally.expected.load(Ordering::Relaxed),
        delivered,
        deliveries_per_sec: per_sec(delivered),
        echoes,
        echoes_per_sec: per_sec(echoes),
        latency: tally.delivery.summary(),
        echo_latency: tally.echo.summary(),
        closed: board.closed.load(Ordering::Relaxed) - closed_before,
        errors: board.errors.load(Ordering::Relaxed) - errors_before,
        server_cpu_us_per_delivery: None,
    }
}

#[allow(clippy::too_many_arguments)]
async fn send(
    board: &Board,
    index: usize,
    sink: Arc<tokio::sync::Mutex<Sink>>,
    rooms: Vec<(RoomId, u64)>,
    rate: f64,
    start: Instant,
    end: Instant,
    pad: &str,
) {
    let tally = &board.tallies[index];
    if rooms.is_empty() || rate <= 0.0 {
        return;
    }
    let period = 1.0 / rate;
    let backlog_limit = rate.ceil().max(1.0) as u64;
    let mut k: u64 = 0;
    tokio::time::sleep_until(start.into()).await;
    loop {
        let now = Instant::now();
        if now >= end {
            return;
        }
        // Messages due by now, the first one at `start`.
        let mut due = ((now - start).as_secs_f64() / period) as u64 + 1;
        if due - k > backlog_limit {
            // More than a second behind: skip, and say so in the figures.
            tally
                .skipped
                .fetch_add(due - k - backlog_limit, Ordering::Relaxed);
            k = due - backlog_limit;
        }
        let mut sink = sink.lock().await;
        while k < due {
            let (room, reach) = &rooms[(k % rooms.len() as u64) as usize];
            let frame = ClientFrame::Send {
                room_id: room.clone(),
                text: format!("t={} k={index} {pad}", now_ns()),
                nonce: Some(format!("n{k}")),
                retry: false,
                reply_to: None,
            };
            let Ok(frame) = serde_json::to_string(&frame) else {
                tally.send_errors.fetch_add(1, Ordering::Relaxed);
                return;
            };
            if sink.feed(Message::text(frame)).await.is_err() {
                tally.send_errors.fetch_add(1, Ordering::Relaxed);
                return;
            }
            tally.sent.fetch_add(1, Ordering::Relaxed);
            tally.expected.fetch_add(*reach, Ordering::Relaxed);
            k += 1;
            if Instant::now() >= end {
                due = k;
            }
        }
        if sink.flush().await.is_err() {
            tally.send_errors.fetch_add(1, Ordering::Relaxed);
            return;
        }
        drop(sink);
        let next = start + Duration::from_secs_f64(k as f64 * period);
        tokio::time::sleep_until(next.min(end).into()).await;
    }
}
