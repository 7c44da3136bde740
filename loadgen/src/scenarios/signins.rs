//! Sign-ins: N people sign up and then sign in again through the real
//! endpoints (one argon2 hash, then one verification, each), and each
//! instance's resident memory and thread count are read before, after the
//! sign-ups, after the sign-ins and once idle. Argon2 takes 19 MiB a run,
//! so this shows whether that memory is given back or kept.

use std::time::{Duration, Instant};

use crate::machine::{rss_kib, threads};
use crate::report::{round, Report};

use super::Ctx;

pub async fn run(ctx: &Ctx<'_>) -> Report {
    match run_inner(ctx).await {
        Ok(report) => report,
        Err(e) => Report::failed("signins", e),
    }
}

/// Each instance's resident KiB and threads, as JSON.
fn reading(ctx: &Ctx<'_>) -> Vec<serde_json::Value> {
    ctx.cluster
        .instances
        .iter()
        .map(|i| {
            let pid = i.pid();
            serde_json::json!({
                "rss_kib": pid.and_then(rss_kib),
                "threads": pid.and_then(threads),
            })
        })
        .collect()
}

fn worst_rss_mib(readings: &[serde_json::Value]) -> Option<f64> {
    readings
        .iter()
        .filter_map(|r| r["rss_kib"].as_u64())
        .max()
        .map(|kib| round(kib as f64 / 1024.0))
}

async fn run_inner(ctx: &Ctx<'_>) -> Result<Report, String> {
    let n = ctx.args.signins.max(1);
    let tag = format!("{}s", ctx.tag);
    let before = reading(ctx);
    let started = Instant::now();
    ctx.api.register_users(&tag, n).await?;
    let signed_up = started.elapsed();
    let after_sign_ups = reading(ctx);
    let started = Instant::now();
    let sessions = ctx.api.sign_in_users(&tag, n).await?;
    let signed_in = started.elapsed();
    let after_sign_ins = reading(ctx);
    let idle = Duration::from_secs(if ctx.args.smoke { 1 } else { 10 });
    tokio::time::sleep(idle).await;
    let after_idle = reading(ctx);
    let mut report = Report::new("signins");
    report
        .params
        .add("people", n)
        .add("instances", ctx.instances())
        .add("idle_secs", idle.as_secs());
    report
        .figures
        .add(
            "sign_ups_per_sec",
            round(n as f64 / signed_up.as_secs_f64().max(1e-9)),
        )
        .add(
            "sign_ins_per_sec",
            round(n as f64 / signed_in.as_secs_f64().max(1e-9)),
        )
        .add("rss_mib_before", worst_rss_mib(&before))
        .add("rss_mib_idle_after", worst_rss_mib(&after_idle))
        .add("before", before)
        .add("after_sign_ups", after_sign_ups)
        .add("after_sign_ins", after_sign_ins)
        .add("after_idle", after_idle);
    report.notes.push(
        "rss_mib: the worst instance's resident memory; goal: under 150 MiB idle after 5,000 sign-ins"
            .into(),
    );
    report.delivered = sessions.len() == n;
    Ok(report)
}
