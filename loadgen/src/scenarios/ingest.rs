//! Ingest: how many messages a second the servers store and publish. P
//! sockets, each its user's only one and alone in a room of its own, so
//! each message costs a store, a publish and one delivery (the echo). A
//! ramp finds the highest rate whose send-to-echo p99 stays under the limit.

use std::sync::Arc;

use crate::report::{round, Report};
use crate::traffic::Sender;
use crate::ws::Board;

use super::ramp::{best, ceiling_not_found, climb, step_pairs};
use super::{board_notes, connect_notes, Ctx};

pub async fn run(ctx: &Ctx<'_>) -> Report {
    match run_inner(ctx).await {
        Ok(report) => report,
        Err(e) => Report::failed("ingest", e),
    }
}

async fn run_inner(ctx: &Ctx<'_>) -> Result<Report, String> {
    let args = ctx.args;
    let p = args.ingest_senders.clamp(1, ctx.users.len());
    let mut rooms = Vec::with_capacity(p);
    for (i, user) in ctx.users[..p].iter().enumerate() {
        rooms.push(
            ctx.api
                .create_room(user, &format!("loadgen ingest {i} {}", ctx.tag))
                .await?,
        );
    }
    let board = Arc::new(Board::default());
    let connected = ctx.open("ingest connect", p, p, &board).await?;
    let senders = |rate: f64| -> Vec<Sender> {
        connected
            .sockets
            .iter()
            .map(|socket| Sender {
                sink: socket.sink.clone(),
                rooms: vec![(rooms[socket.user].clone(), 1)],
                rate: rate / connected.sockets.len() as f64,
            })
            .collect()
    };
    let mut report = Report::new("ingest");
    report
        .params
        .add("senders", connected.sockets.len())
        .add("instances", ctx.instances())
        .add("first_rate", args.ingest_rate)
        .add("factor", args.ramp_factor)
        .add("step_seconds", args.step_secs)
        .add("p99_limit_ms", args.p99_limit_ms)
        .add("pad_bytes", args.pad);
    let steps = climb(ctx, "ingest", &board, args.ingest_rate, true, senders).await;
    match best(&steps, args.p99_limit_ms, true) {
        Some(f) => {
            report
                .figures
                .add("stored_per_sec", round(f.echoes_per_sec))
                .latency("echo_", &f.echo_latency)
                .add("at_rate", round(f.target_rate));
        }
        None => {
            report
                .figures
                .add("stored_per_sec", serde_json::Value::Null);
            report.notes.push(format!(
                "no step passed (echo p99 <= {} ms, rate held, nothing lost); the first step stored {:.0}/s",
                args.p99_limit_ms,
                steps.first().map_or(0.0, |f| f.echoes_per_sec)
            ));
        }
    }
    if steps
        .last()
        .is_some_and(|f| f.passes(args.p99_limit_ms, true))
    {
        report.notes.push(ceiling_not_found());
    }
    report.delivered = steps.first().is_some_and(|f| f.echoes > 0);
    report.steps = steps
        .iter()
        .map(|f| step_pairs(f, args.p99_limit_ms, true))
        .collect();
    connect_notes(&mut report, &connected);
    board_notes(&mut report, &board);
    ctx.close(connected).await;
    Ok(report)
}
