//! The scenarios, and what they share: the run's context (arguments,
//! cluster, users) and opening N sockets spread over users and instances.

pub mod bus;
pub mod connections;
pub mod fanout;
pub mod ingest;
pub mod pages;
pub mod presence;
pub mod ramp;
pub mod rooms;
pub mod search;
pub mod signins;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use crate::api::{Api, Session};
use crate::cli::Args;
use crate::cluster::Cluster;
use crate::progress::Progress;
use crate::report::Report;
use crate::traffic::{self, Figures, Sender, Step};
use crate::ws::{self, Board, Connected, Target};

pub struct Ctx<'a> {
    pub args: &'a Args,
    pub cluster: &'a Cluster,
    pub api: Api,
    pub users: Vec<Session>,
    /// Unique to this run: names its users and rooms.
    pub tag: String,
}

impl Ctx<'_> {
    pub fn instances(&self) -> usize {
        self.cluster.instances.len()
    }

    /// Opens `n` sockets: socket `i` as user `i % users`, on instance
    /// `i % instances`. Fails only when none opens.
    pub async fn open(
        &self,
        label: &str,
        n: usize,
        users: usize,
        board: &Arc<Board>,
    ) -> Result<Connected, String> {
        let users = users.clamp(1, self.users.len());
        let targets = (0..n)
            .map(|i| {
                let instance = i % self.instances();
                let at = &self.cluster.instances[instance];
                Target {
                    ws_url: at.ws_url(),
                    origin: at.base.clone(),
                    cookie: self.users[i % users].cookie.clone(),
                    user: i % users,
                    instance,
                }
            })
            .collect();
        let _progress = {
            let board = board.clone();
            Progress::counted(label, n, move || board.open.load(Ordering::Relaxed) as usize)
        };
        let connected = ws::connect_all(targets, board, self.args.connect_concurrency).await;
        if connected.sockets.is_empty() {
            return Err(format!(
                "no socket opened: {}",
                connected.first_failure.unwrap_or_default()
            ));
        }
        Ok(connected)
    }

    /// Runs one step of traffic, and measures the servers' CPU time per
    /// delivery during it (the instances' user + system time, from /proc).
    pub async fn run_step(&self, board: &Arc<Board>, senders: &[Sender], step: &Step) -> Figures {
        let cpu = || -> Option<f64> {
            self.cluster
                .instances
                .iter()
                .map(|instance| instance.cpu_secs())
                .sum()
        };
        let before = cpu();
        let mut figures = traffic::run(board, senders, step).await;
        if let (Some(before), Some(after)) = (before, cpu()) {
            if figures.delivered > 0 {
                figures.server_cpu_us_per_delivery =
                    Some((after - before) * 1e6 / figures.delivered as f64);
            }
        }
        figures
    }

    /// Closes sockets and gives the servers a moment to forget them.
    /// About a second, plus a fifth of a millisecond per socket.
    pub async fn close(&self, connected: Connected) {
        let n = connected.sockets.len() as u64;
        drop(connected);
        let pause = if self.args.smoke {
            300
        } else {
            (1000 + n / 5).min(10_000)
        };
        tokio::time::sleep(Duration::from_millis(pause)).await;
    }
}

/// Notes every scenario that opens sockets adds when some failed.
pub fn connect_notes(report: &mut Report, connected: &Connected) {
    if connected.failures > 0 {
        report.notes.push(format!(
            "{} sockets failed to open; the first: {}",
            connected.failures,
            connected.first_failure.as_deref().unwrap_or("?")
        ));
    }
}

/// Notes about `error` events and server-side closes seen on `board`.
pub fn board_notes(report: &mut Report, board: &Board) {
    if let Some(error) = board.first_error() {
        report.notes.push(format!("the first error event: {error}"));
    }
    let closes = board.closes();
    if !closes.is_empty() {
        let list: Vec<String> = closes
            .iter()
            .map(|(code, n)| format!("{n} with {code}"))
            .collect();
        report
            .notes
            .push(format!("sockets closed under load: {}", list.join(", ")));
    }
}
