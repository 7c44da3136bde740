//! Connections: the resident memory of each instance before and after N
//! idle sockets connect (KiB per socket), and the connect rate through the
//! handshake, the session check and the bus registration (a socket counts
//! once it answers a ping). Best run first, on fresh instances:
//! memory freed by earlier scenarios may be reused and hide the cost.

use std::sync::Arc;
use std::time::Duration;

use crate::machine::rss_kib;
use crate::report::{round, Report};
use crate::ws::Board;

use super::{board_notes, connect_notes, Ctx};

pub async fn run(ctx: &Ctx<'_>, n: usize) -> Report {
    match run_inner(ctx, n).await {
        Ok(report) => report,
        Err(e) => Report::failed("connections", e),
    }
}

fn rss_all(ctx: &Ctx<'_>) -> Vec<Option<u64>> {
    ctx.cluster
        .instances
        .iter()
        .map(|i| i.pid().and_then(rss_kib))
        .collect()
}

async fn run_inner(ctx: &Ctx<'_>, n: usize) -> Result<Report, String> {
    let users = ctx.users.len().min(n).max(1);
    let settle = Duration::from_millis(if ctx.args.smoke { 300 } else { 2000 });
    tokio::time::sleep(settle).await;
    let before = rss_all(ctx);
    let board = Arc::new(Board::default());
    let connected = ctx
        .open(&format!("connections n={n}"), n, users, &board)
        .await?;
    tokio::time::sleep(settle).await;
    let after = rss_all(ctx);
    let mut per_instance = Vec::new();
    let mut per_socket = Vec::new();
    for (k, (b, a)) in before.iter().zip(&after).enumerate() {
        let sockets = connected.sockets.iter().filter(|s| s.instance == k).count();
        let kib = match (b, a) {
            (Some(b), Some(a)) if sockets > 0 => {
                let kib = a.saturating_sub(*b) as f64 / sockets as f64;
                per_socket.push(kib);
                Some(round(kib))
            }
            _ => None,
        };
        per_instance.push(serde_json::json!({
            "sockets": sockets,
            "rss_before_kib": b,
            "rss_after_kib": a,
            "kib_per_socket": kib,
        }));
    }
    let latency = connected.latency.summary();
    let mut report = Report::new("connections");
    report
        .params
        .add("sockets", n)
        .add("users", users)
        .add("instances", ctx.instances())
        .add("parallel_handshakes", ctx.args.connect_concurrency);
    let worst = per_socket
        .iter()
        .copied()
        .fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
    report
        .figures
        .add("kib_per_idle_socket", worst.map(round))
        .add(
            "connects_per_sec",
            round(connected.sockets.len() as f64 / connected.seconds.max(1e-9)),
        )
        .add("connect_p50_ms", round(latency.p50_ms))
        .add("connect_p99_ms", round(latency.p99_ms))
        .add("opened", connected.sockets.len())
        .add("failed", connected.failures)
        .add("per_instance", per_instance)
        .add("loadgen_rss_kib", rss_kib(std::process::id()));
    if worst.is_none() {
        report.notes.push(
            "resident memory is known only for instances loadgen started (not with --url)".into(),
        );
    } else {
        report.notes.push(
            "kib per idle socket: the worst instance's (RSS after - RSS before) / its sockets"
                .into(),
        );
    }
    report.delivered = !connected.sockets.is_empty();
    connect_notes(&mut report, &connected);
    board_notes(&mut report, &board);
    ctx.close(connected).await;
    Ok(report)
}
