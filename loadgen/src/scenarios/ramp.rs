//! The ramps: send in steps of rising rate until a step fails (p99 over
//! the limit, the rate not held, or anything lost) or the steps run out,
//! and report the highest rate that passed. `ramp` is fan-out's ramp;
//! ingest uses [`climb`] too.

use std::sync::Arc;
use std::time::Duration;

use crate::report::{round, Pairs, Report};
use crate::traffic::{Figures, Sender, Step};
use crate::ws::{Board, MAX_STEPS};

use super::{board_notes, connect_notes, fanout, Ctx};

/// Runs steps at `first`, `first * factor`, ... and returns every step's
/// figures, stopping after the first that fails.
pub async fn climb(
    ctx: &Ctx<'_>,
    label: &str,
    board: &Arc<Board>,
    first: f64,
    echo: bool,
    senders: impl Fn(f64) -> Vec<Sender>,
) -> Vec<Figures> {
    let args = ctx.args;
    let mut steps = Vec::new();
    let mut rate = first;
    for index in 0..args.ramp_steps.clamp(1, MAX_STEPS) {
        let step = Step {
            label: format!("{label} step {} rate {rate:.0}/s", index + 1),
            index,
            duration: Duration::from_secs(args.step_secs),
            drain: Duration::from_secs(args.drain),
            pad: args.pad,
        };
        let figures = ctx.run_step(board, &senders(rate), &step).await;
        let passed = figures.passes(args.p99_limit_ms, echo);
        steps.push(figures);
        if !passed {
            break;
        }
        rate *= args.ramp_factor;
    }
    steps
}

/// The figures of one step, for the report.
pub fn step_pairs(f: &Figures, limit_ms: f64, echo: bool) -> Pairs {
    let mut pairs = Pairs::default();
    pairs.add("passed", f.passes(limit_ms, echo));
    if echo {
        pairs
            .add("stored_per_sec", round(f.echoes_per_sec))
            .latency("echo_", &f.echo_latency)
            .add("target_rate", round(f.target_rate))
            .add("send_rate", round(f.send_rate))
            .add("sent", f.sent)
            .add("echoes", f.echoes);
        if let Some(cpu) = f.server_cpu_us_per_delivery {
            pairs.add("server_cpu_us_per_delivery", round(cpu));
        }
        if f.errors > 0 {
            pairs.add("error_events", f.errors);
        }
    } else {
        pairs.traffic(f);
    }
    pairs
}

/// The last step that passed (steps stop at the first failure).
pub fn best(steps: &[Figures], limit_ms: f64, echo: bool) -> Option<&Figures> {
    steps.iter().rev().find(|f| f.passes(limit_ms, echo))
}

/// The note for a ramp whose every step passed.
pub fn ceiling_not_found() -> String {
    "every step passed: the ceiling is above the last rate tried (raise --ramp-steps)".into()
}

pub async fn run(ctx: &Ctx<'_>, n: usize) -> Report {
    let args = ctx.args;
    let mut report = Report::new("ramp");
    let setup = match fanout::setup(ctx, "ramp", n).await {
        Ok(setup) => setup,
        Err(e) => return Report::failed("ramp", e),
    };
    let first = (args.rate / 4.0).max(1.0);
    setup
        .describe(ctx, &mut report.params)
        .add("first_rate", first)
        .add("factor", args.ramp_factor)
        .add("step_seconds", args.step_secs)
        .add("p99_limit_ms", args.p99_limit_ms);
    let steps = climb(ctx, "ramp", &setup.board, first, false, |rate| {
        setup.senders(rate)
    })
    .await;
    match best(&steps, args.p99_limit_ms, false) {
        Some(f) => {
            report
                .figures
                .add("highest_passing_rate", round(f.target_rate))
                .add("deliveries_per_sec", round(f.deliveries_per_sec))
                .latency("", &f.latency);
        }
        None => {
            report
                .figures
                .add("highest_passing_rate", serde_json::Value::Null);
            report.notes.push(format!(
                "no step passed (p99 <= {} ms, rate held, nothing lost)",
                args.p99_limit_ms
            ));
        }
    }
    if steps
        .last()
        .is_some_and(|f| f.passes(args.p99_limit_ms, false))
    {
        report.notes.push(ceiling_not_found());
    }
    report.delivered = steps.first().is_some_and(|f| f.delivered > 0);
    report.steps = steps
        .iter()
        .map(|f| step_pairs(f, args.p99_limit_ms, false))
        .collect();
    connect_notes(&mut report, &setup.connected);
    board_notes(&mut report, &setup.board);
    ctx.close(setup.connected).await;
    report
}
