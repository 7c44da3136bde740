//! The command line: which scenario to run, against what, at which sizes,
//! and where the results go. `--smoke` swaps in tiny sizes.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// Confab's load generator: starts (or targets) Confab instances, drives
/// websocket and HTTP load through them and reports throughput and latency.
#[derive(Debug, Clone, Parser)]
#[command(name = "loadgen", version, about)]
pub struct Args {
    /// What to run.
    #[arg(value_enum)]
    pub scenario: Scenario,

    /// Base URL of a running Confab instance to target instead of starting
    /// our own, e.g. http://127.0.0.1:3000 (repeat for several).
    #[arg(long = "url")]
    pub urls: Vec<String>,

    /// Redis to use: with --url, only for the redis-benchmark ceiling; without,
    /// the instances we start share it (under a fresh key prefix) instead of
    /// a private redis-server.
    #[arg(long)]
    pub redis_url: Option<String>,

    /// The Redis the load generator starts (without --redis-url): one
    /// redis-server, a local Redis Cluster (3 masters, a replica each), or
    /// both, one after the other, reported side by side.
    #[arg(long, value_enum, default_value_t = RedisMode::Single)]
    pub redis: RedisMode,

    /// Confab instances to start (ignored with --url).
    #[arg(long, default_value_t = 2)]
    pub instances: usize,

    /// The confab server binary (default: `confab` next to this executable).
    #[arg(long)]
    pub server_bin: Option<PathBuf>,

    /// The Leptos.toml the instances read (default: ./Leptos.toml, else the
    /// one two directories above this executable).
    #[arg(long)]
    pub leptos_config: Option<PathBuf>,

    /// RUST_LOG for the instances we start.
    #[arg(long, default_value = "warn")]
    pub server_log: String,

    /// Users to create (argon2 makes each cost tens of ms of server CPU);
    /// sockets are spread over them. Default: min(largest socket count, 200).
    #[arg(long)]
    pub users: Option<usize>,

    /// Socket counts for fan-out (each one a run); the largest is used by
    /// rooms, connections and ramp.
    #[arg(long, value_delimiter = ',', default_value = "1000,5000,10000")]
    pub sockets: Vec<usize>,

    /// Sockets that send, in fan-out and ramp.
    #[arg(long, default_value_t = 10)]
    pub senders: usize,

    /// Total messages per second sent in fan-out and rooms, and the first
    /// rate of the fan-out ramp.
    #[arg(long, default_value_t = 50.0)]
    pub rate: f64,

    /// Seconds each steady run sends for.
    #[arg(long, default_value_t = 10)]
    pub duration: u64,

    /// Seconds to wait for deliveries after the senders stop.
    #[arg(long, default_value_t = 5)]
    pub drain: u64,

    /// Rooms in the rooms scenario (default: sockets / 10).
    #[arg(long)]
    pub rooms: Option<usize>,

    /// Members (users) of each room in the rooms scenario.
    #[arg(long, default_value_t = 10)]
    pub room_members: usize,

    /// Sockets that send in ingest, each in a room of its own.
    #[arg(long, default_value_t = 20)]
    pub ingest_senders: usize,

    /// First total rate of the ingest ramp, messages per second.
    #[arg(long, default_value_t = 2000.0)]
    pub ingest_rate: f64,

    /// Most steps of a ramp (ingest and ramp).
    #[arg(long, default_value_t = 8)]
    pub ramp_steps: usize,

    /// Each ramp step sends this many times the rate of the one before.
    #[arg(long, default_value_t = 1.5)]
    pub ramp_factor: f64,

    /// Seconds each ramp step sends for.
    #[arg(long, default_value_t = 5)]
    pub step_secs: u64,

    /// The latency a passing ramp step stays under, at p99, in ms.
    #[arg(long, default_value_t = 100.0)]
    pub p99_limit_ms: f64,

    /// Concurrent HTTP requests in the pages scenario.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,

    /// Handshakes in flight at once while sockets connect.
    #[arg(long, default_value_t = 128)]
    pub connect_concurrency: usize,

    /// Bytes of padding in each message text (after the timestamp).
    #[arg(long, default_value_t = 64)]
    pub pad: usize,

    /// Messages stored before the search scenario's queries.
    #[arg(long, default_value_t = 1_000_000)]
    pub search_messages: usize,

    /// Rooms those messages are spread over.
    #[arg(long, default_value_t = 1000)]
    pub search_rooms: usize,

    /// Rooms the person who searches belongs to.
    #[arg(long, default_value_t = 50)]
    pub search_member_of: usize,

    /// Queries of each kind (one word, two words), one at a time.
    #[arg(long, default_value_t = 1000)]
    pub search_queries: usize,

    /// People who sign up and then sign in, in the signins scenario.
    #[arg(long, default_value_t = 5000)]
    pub signins: usize,

    /// Requests per redis-benchmark test.
    #[arg(long, default_value_t = 100_000)]
    pub redis_bench_requests: u64,

    /// Tiny sizes, about two seconds a scenario: the whole `all` run takes
    /// seconds. Exits non-zero if any scenario delivered nothing.
    #[arg(long)]
    pub smoke: bool,

    /// Write the JSON report here instead of stdout.
    #[arg(long)]
    pub json: Option<PathBuf>,

    /// Append a markdown section to this file.
    #[arg(long)]
    pub markdown: Option<PathBuf>,

    /// Record the run: append to docs/benchmarks.md unless --markdown says
    /// otherwise.
    #[arg(long)]
    pub record: bool,

    /// Give up (cleaning up) after this many seconds in all.
    #[arg(long)]
    pub timeout: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RedisMode {
    Single,
    Cluster,
    Both,
}

impl RedisMode {
    /// The modes a run goes through, in order.
    pub fn runs(self) -> &'static [RedisMode] {
        match self {
            RedisMode::Single => &[RedisMode::Single],
            RedisMode::Cluster => &[RedisMode::Cluster],
            RedisMode::Both => &[RedisMode::Single, RedisMode::Cluster],
        }
    }

    /// How a report names the mode.
    pub fn label(self) -> &'static str {
        match self {
            RedisMode::Single => "1 redis",
            RedisMode::Cluster => "cluster 3x2",
            RedisMode::Both => "both",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    /// N sockets in one room, P senders at a total rate.
    Fanout,
    /// N sockets over rooms of about ten members.
    Rooms,
    /// Messages stored and published per second (a ramp on send-to-echo p99).
    Ingest,
    /// Resident memory per idle socket, and the connect rate.
    Connections,
    /// The server-rendered page and the messages endpoint.
    Pages,
    /// Fan-out at rising rates until p99 passes the limit.
    Ramp,
    /// Per instance, bus events received against those delivered, with
    /// rooms whose members sit on one or two instances (use --instances 4).
    Bus,
    /// N distinct people connect at once (made fast, without argon2): the
    /// connect rate, presence frames per person, a message's p99 after.
    Presence,
    /// Message search over a large history: query p50/p99 and the index's
    /// memory per message (see --search-*).
    Search,
    /// N people sign up, then sign in again: each instance's resident
    /// memory and threads before, after and once idle (see --signins).
    Signins,
    /// Every scenario above.
    All,
}

impl Args {
    /// Applies `--smoke`: tiny sizes so that `all` finishes in seconds.
    pub fn resolved(mut self) -> Self {
        if self.smoke {
            self.sockets = vec![20];
            self.senders = 2;
            self.rate = 20.0;
            self.duration = 2;
            self.drain = 2;
            self.users = Some(4);
            self.room_members = 2;
            self.rooms = Some(2);
            self.ingest_senders = 2;
            self.ingest_rate = 20.0;
            self.ramp_steps = 2;
            self.step_secs = 1;
            self.concurrency = 4;
            self.connect_concurrency = 8;
            self.redis_bench_requests = 10_000;
            self.signins = 8;
        }
        if self.sockets.is_empty() {
            self.sockets = vec![1000];
        }
        if self.record && self.markdown.is_none() {
            self.markdown = Some(PathBuf::from("docs/benchmarks.md"));
        }
        self
    }

    pub fn max_sockets(&self) -> usize {
        self.sockets.iter().copied().max().unwrap_or(1).max(1)
    }

    pub fn user_count(&self) -> usize {
        self.users
            .unwrap_or_else(|| self.max_sockets().min(200))
            .max(1)
    }

    /// The bound on the whole run, in seconds.
    pub fn timeout_secs(&self) -> u64 {
        self.timeout.unwrap_or(if self.smoke { 120 } else { 3600 })
    }
}
