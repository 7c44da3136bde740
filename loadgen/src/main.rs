//! `loadgen`: Confab's load generator and benchmark runner (issue 6).
//!
//! It starts a private Redis and K confab instances (or targets the URLs it
//! is given), registers users, opens websockets spread over the instances,
//! runs the scenarios, measures Redis's own ceiling in the same run, and
//! reports JSON (and a markdown section for docs/benchmarks.md). Every run
//! is bounded in time and stops what it started, on error and Ctrl-C too.
//! See docs/benchmarks.md for how to run it.

mod api;
mod chart;
mod cli;
mod clock;
mod cluster;
mod hist;
mod limits;
mod machine;
mod people;
mod progress;
mod redis_bench;
mod report;
mod scenarios;
mod shards;
mod traffic;
mod ws;

use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Parser;

use crate::api::Api;
use crate::cli::{Args, RedisMode, Scenario};
use crate::cluster::Cluster;
use crate::progress::note;
use crate::report::{Pairs, Report, Run};
use crate::scenarios::Ctx;

/// Descriptors beyond the sockets: HTTP pools, Redis, files.
const SPARE_FDS: u64 = 1024;
const INTERRUPTED: &str = "interrupted";
/// How long starting Redis and the instances may take.
const START_LIMIT: Duration = Duration::from_secs(120);

fn main() -> ExitCode {
    let args = Args::parse().resolved();
    clock::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("loadgen: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let code = runtime.block_on(run(args));
    // Reader tasks of sockets still open end with the runtime.
    runtime.shutdown_timeout(Duration::from_secs(1));
    code
}

/// What the scenarios produced so far: kept outside the run's future so
/// that a timeout or Ctrl-C still reports what finished.
#[derive(Default)]
struct Results {
    reports: Vec<Report>,
    ceiling: Pairs,
}

async fn run(args: Args) -> ExitCode {
    let needed = args.max_sockets() as u64 + SPARE_FDS;
    match limits::raise_nofile(needed) {
        Ok(limit) => note(format!("open-file limit {limit}")),
        Err(e) => {
            eprintln!("loadgen: {e}");
            return ExitCode::from(2);
        }
    }
    let tag = run_tag();
    let results = Arc::new(Mutex::new(Results::default()));
    let limit = Duration::from_secs(args.timeout_secs());
    let started = tokio::time::Instant::now();
    let mut outcome = Ok(());
    let mut failed;
    let mut server = Pairs::default();
    let modes = if args.redis_url.is_some() || !args.urls.is_empty() {
        &[RedisMode::Single][..]
    } else {
        args.redis.runs()
    };
    for &mode in modes {
        let cluster = match tokio::time::timeout(START_LIMIT, Cluster::start(&args, &tag, mode)).await {
            Ok(Ok(cluster)) => cluster,
            Ok(Err(e)) => {
                eprintln!("loadgen: {e}");
                return ExitCode::from(2);
            }
            Err(_) => {
                eprintln!("loadgen: the servers did not start within {START_LIMIT:?}");
                return ExitCode::from(2);
            }
        };
        note(format!(
            "{} instance(s) on {}: {}",
            cluster.instances.len(),
            mode.label(),
            cluster
                .instances
                .iter()
                .map(|i| i.base.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        ));
        let label = (modes.len() > 1).then(|| mode.label());
        let left = limit.saturating_sub(started.elapsed());
        outcome = tokio::select! {
            outcome = scenarios(&args, &cluster, &tag, &results, label) => outcome,
            _ = tokio::time::sleep(left) => Err(format!("the run took over {limit:?} (--timeout) and was stopped")),
            _ = interrupted() => Err(INTERRUPTED.to_owned()),
        };
        if mode == RedisMode::Cluster {
            let spread = shards::spread(&cluster).await;
            results.lock().unwrap().reports.push(spread);
        }
        // The servers' logs are kept when something failed (not on Ctrl-C).
        failed = outcome.as_ref().is_err_and(|e| e != INTERRUPTED)
            || results.lock().unwrap().reports.iter().any(|r| r.error.is_some() || !r.delivered);
        if server.0.is_empty() {
            server = server_pairs(&args, &cluster, modes);
        }
        cluster.stop(failed).await;
        if outcome.is_err() || failed {
            break;
        }
    }
    let Results { reports, ceiling } = std::mem::take(&mut *results.lock().unwrap());

    let run = Run {
        date: machine::utc_now(),
        commit: machine::commit(),
        machine: machine::machine(),
        command: std::iter::once("loadgen".to_owned())
            .chain(std::env::args().skip(1))
            .collect::<Vec<_>>()
            .join(" "),
        loadgen_build: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        server,
        redis_ceiling: ceiling,
        scenarios: reports,
        error: outcome.err(),
    };
    let mut code = ExitCode::SUCCESS;
    if let Err(e) = report::write_json(&run, args.json.as_deref()) {
        eprintln!("loadgen: {e}");
        code = ExitCode::FAILURE;
    }
    if let Some(path) = &args.markdown {
        let chart = chart::path_beside(path, &run);
        let drawn = chart::draw(&run, &chart).unwrap_or_else(|e| {
            eprintln!("loadgen: {e}");
            code = ExitCode::FAILURE;
            false
        });
        if drawn {
            note(format!("drew the ramps in {}", chart.display()));
        }
        let image = drawn
            .then(|| chart.strip_prefix(path.parent().unwrap_or(Path::new(""))).ok())
            .flatten();
        match report::append_markdown(&run, path, image) {
            Ok(()) => note(format!("appended the results to {}", path.display())),
            Err(e) => {
                eprintln!("loadgen: {e}");
                code = ExitCode::FAILURE;
            }
        }
    }
    if let Some(error) = &run.error {
        eprintln!("loadgen: {error}");
        code = ExitCode::FAILURE;
    }
    for report in &run.scenarios {
        if let Some(error) = &report.error {
            eprintln!("loadgen: {} failed: {error}", report.scenario);
            code = ExitCode::FAILURE;
        } else if !report.delivered {
            eprintln!("loadgen: {} delivered nothing", report.scenario);
            code = ExitCode::FAILURE;
        }
    }
    code
}

/// Registers the users, runs the scenarios asked for, then measures the
/// Redis ceiling.
async fn scenarios(
    args: &Args,
    cluster: &Cluster,
    tag: &str,
    results: &Mutex<Results>,
    mode: Option<&str>,
) -> Result<(), String> {
    let api = Api::new(cluster, args.concurrency)?;
    let users = api.register_users(tag, args.user_count()).await?;
    note(format!("{} users registered", users.len()));
    let ctx = Ctx {
        args,
        cluster,
        api,
        users,
        tag: tag.to_owned(),
    };
    let push = |mut report: Report| {
        if let Some(mode) = mode {
            report.scenario = format!("{} ({mode})", report.scenario);
        }
        note(format!(
            "{}: {}",
            report.scenario,
            report
                .error
                .clone()
                .unwrap_or_else(|| serde_json::to_string(&report.figures).unwrap_or_default())
        ));
        results.lock().unwrap().reports.push(report);
    };
    let n = args.max_sockets();
    let all = args.scenario == Scenario::All;
    // Connections first: fresh instances show the true cost of a socket.
    if all || args.scenario == Scenario::Connections {
        push(scenarios::connections::run(&ctx, n).await);
    }
    if all || args.scenario == Scenario::Fanout {
        for &size in &args.sockets {
            push(scenarios::fanout::run(&ctx, size).await);
        }
    }
    if all || args.scenario == Scenario::Rooms {
        push(scenarios::rooms::run(&ctx, n).await);
    }
    if all || args.scenario == Scenario::Ingest {
        push(scenarios::ingest::run(&ctx).await);
    }
    if all || args.scenario == Scenario::Ramp {
        push(scenarios::ramp::run(&ctx, n).await);
    }
    if all || args.scenario == Scenario::Presence {
        push(scenarios::presence::run(&ctx, n).await);
    }
    if all || args.scenario == Scenario::Bus {
        push(scenarios::bus::run(&ctx).await);
    }
    if all || args.scenario == Scenario::Pages {
        push(scenarios::pages::run(&ctx).await);
    }
    if all || args.scenario == Scenario::Search {
        push(scenarios::search::run(&ctx).await);
    }
    if all || args.scenario == Scenario::Signins {
        push(scenarios::signins::run(&ctx).await);
    }
    if let Some(redis) = cluster.redis_host_port() {
        note("redis-benchmark on the same Redis");
        let ceiling = redis_bench::ceiling(Some(redis), args.redis_bench_requests).await;
        results.lock().unwrap().ceiling = ceiling;
    }
    Ok(())
}

/// How the servers under test were set up, for the report.
fn server_pairs(args: &Args, cluster: &Cluster, modes: &[RedisMode]) -> Pairs {
    let mut pairs = Pairs::default();
    pairs
        .add("instances", cluster.instances.len())
        .add("started_by_loadgen", cluster.own_instances)
        .add(
            "redis",
            match (cluster.own_redis, modes) {
                (false, _) => "given".to_owned(),
                (true, [RedisMode::Single]) => "private redis-server started by loadgen".to_owned(),
                (true, modes) => format!(
                    "started by loadgen: {}",
                    modes.iter().map(|m| m.label()).collect::<Vec<_>>().join(", then ")
                ),
            },
        )
        .add("users", args.user_count());
    if cluster.own_instances {
        let bin = args.server_bin.clone().or_else(|| {
            std::env::current_exe()
                .ok()
                .map(|p| p.with_file_name("confab"))
        });
        if let Some(bin) = bin {
            pairs.add("binary", bin.display().to_string());
        }
        pairs.add(
            "rate_limits",
            "lifted (CONFAB_SEND_*, CONFAB_LOGIN_*, CONFAB_SOCKETS_PER_* and the other per-person limits set high)",
        );
    }
    pairs
}

/// Ctrl-C or SIGTERM.
async fn interrupted() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

/// Seven base-36 characters from the clock: names this run's users, rooms
/// and key prefix apart from any other run's.
fn run_tag() -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
        .wrapping_add(u64::from(std::process::id()) << 20);
    let mut n = millis % 36u64.pow(7);
    let mut tag = Vec::new();
    for _ in 0..7 {
        tag.push(b"0123456789abcdefghijklmnopqrstuvwxyz"[(n % 36) as usize]);
        n /= 36;
    }
    tag.reverse();
    String::from_utf8(tag).unwrap_or_default()
}
