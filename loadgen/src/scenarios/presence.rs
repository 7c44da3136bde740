//! The connect storm: N distinct people (not a few people with many tabs,
//! which hides the cost), in teams of `--room-members` (a room each; all
//! are in General too), connect over the instances at once. Reported: the
//! connect rate, the `presence` frames every socket received in all and per
//! person, and the delivery p99 of messages sent in General right after.
//! Run at 200 people first and then at N, so that the two connect rates
//! can be compared.

use std::sync::Arc;
use std::time::Duration;

use crate::people;
use confab::model::RoomId;

use crate::report::{round, Pairs, Report};
use crate::traffic::{Sender, Step};
use crate::ws::{self, Board, Target};

use super::{board_notes, connect_notes, Ctx};

/// The smaller storm the large one is compared with.
const SMALL: usize = 200;

pub async fn run(ctx: &Ctx<'_>, n: usize) -> Report {
    match run_inner(ctx, n).await {
        Ok(report) => report,
        Err(e) => Report::failed("presence", e),
    }
}

async fn run_inner(ctx: &Ctx<'_>, n: usize) -> Result<Report, String> {
    let mut report = Report::new("presence");
    report
        .params
        .add("people", n)
        .add("team_size", ctx.args.room_members)
        .add("instances", ctx.instances())
        .add("parallel_handshakes", ctx.args.connect_concurrency);
    let mut rates = Vec::new();
    let sizes = if n > SMALL { vec![SMALL, n] } else { vec![n] };
    for (index, size) in sizes.into_iter().enumerate() {
        let (row, rate) = storm(ctx, size, index).await?;
        report.steps.push(row);
        rates.push(rate);
    }
    if let [small, large] = rates[..] {
        report
            .figures
            .add("connect_rate_vs_200_people", round(large / small.max(1e-9)));
    }
    report.delivered = !rates.is_empty();
    Ok(report)
}

/// One storm of `size` new people; its row and its connect rate.
async fn storm(ctx: &Ctx<'_>, size: usize, index: usize) -> Result<(Pairs, f64), String> {
    let tag = format!("{}s{index}", ctx.tag);
    let people = people::make(ctx.cluster, &tag, size, ctx.args.room_members).await?;
    let targets: Vec<Target> = people
        .iter()
        .enumerate()
        .map(|(i, person)| {
            let instance = i % ctx.instances();
            let at = &ctx.cluster.instances[instance];
            Target {
                ws_url: at.ws_url(),
                origin: at.base.clone(),
                cookie: person.cookie.clone(),
                user: i,
                instance,
            }
        })
        .collect();
    let board = Arc::new(Board::default());
    let connected = ws::connect_all(targets, &board, ctx.args.connect_concurrency).await;
    if connected.sockets.is_empty() {
        return Err(format!(
            "no socket opened: {}",
            connected.first_failure.clone().unwrap_or_default()
        ));
    }
    let rate = connected.sockets.len() as f64 / connected.seconds.max(1e-9);
    // Messages right after the storm, in General, which everyone is in.
    let reach = connected.sockets.len() as u64;
    let senders = vec![Sender {
        sink: connected.sockets[0].sink.clone(),
        rooms: vec![(RoomId::GENERAL, reach)],
        rate: 2.0,
    }];
    let step = Step {
        label: format!("presence n={size} messages"),
        index: 0,
        duration: Duration::from_secs(ctx.args.duration.min(5)),
        drain: Duration::from_secs(ctx.args.drain),
        pad: ctx.args.pad,
    };
    let figures = ctx.run_step(&board, &senders, &step).await;
    let presence = board.presence.load(std::sync::atomic::Ordering::Relaxed);
    let latency = connected.latency.summary();
    let mut row = Pairs::default();
    row.add("people", connected.sockets.len())
        .add("connect_seconds", round(connected.seconds))
        .add("connects_per_sec", round(rate))
        .add("connect_p99_ms", round(latency.p99_ms))
        .add("presence_frames", presence)
        .add(
            "presence_frames_per_person",
            round(presence as f64 / connected.sockets.len() as f64),
        )
        .add("message_p99_ms", round(figures.latency.p99_ms))
        .add("delivered", figures.delivered)
        .add("expected", figures.expected_deliveries);
    if let Some(cpu) = figures.server_cpu_us_per_delivery {
        row.add("server_cpu_us_per_delivery", round(cpu));
    }
    let mut notes = Report::new("presence");
    connect_notes(&mut notes, &connected);
    board_notes(&mut notes, &board);
    if !notes.notes.is_empty() {
        row.add("notes", notes.notes);
    }
    ctx.close(connected).await;
    Ok((row, rate))
}
