//! `Config`: every setting of a server instance, from flags or environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

/// Confab: real-time chat on Leptos, axum and Redis.
#[derive(Debug, Clone, Parser)]
#[command(name = "confab", version, about)]
pub struct Config {
    /// Redis to use as store and bus, e.g. redis://127.0.0.1:6379. Without
    /// it, Confab runs its own private redis-server (the embedded default).
    #[arg(long, env = "REDIS_URL", conflicts_with = "redis_cluster_urls")]
    pub redis_url: Option<String>,

    /// Run on a Redis Cluster instead: a comma-separated list of seed
    /// nodes, e.g. redis://127.0.0.1:7000,redis://127.0.0.1:7001. Needs
    /// Redis 7 (sharded pub/sub).
    #[arg(long, env = "REDIS_CLUSTER_URLS")]
    pub redis_cluster_urls: Option<String>,

    /// Address to listen on; overrides `site-addr` of the Leptos settings.
    #[arg(long, env = "LEPTOS_SITE_ADDR")]
    pub site_addr: Option<SocketAddr>,

    /// Serve `GET /metrics` on this address instead of the site's own (for
    /// a port only the monitoring network reaches).
    #[arg(long, env = "CONFAB_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,

    /// Prefix of every Redis key and channel, so that several deployments
    /// (or test runs) can share one Redis. No braces: they would become
    /// the hash tag of every key.
    #[arg(long, env = "CONFAB_KEY_PREFIX", default_value = "confab:", value_parser = key_prefix)]
    pub key_prefix: String,

    /// How long a session lasts without use, in seconds.
    #[arg(long, env = "CONFAB_SESSION_TTL_SECS", default_value_t = 30 * 24 * 3600)]
    pub session_ttl_secs: u64,

    /// Where the embedded redis-server keeps its data.
    #[arg(long, env = "CONFAB_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// The embedded redis-server's memory ceiling, in megabytes. Full, it
    /// refuses writes (answered 503) rather than evict sessions or
    /// messages. A Redis of your own (REDIS_URL) keeps its own settings.
    #[arg(long, env = "CONFAB_REDIS_MAXMEMORY_MB", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..))]
    pub redis_maxmemory_mb: u64,

    /// The Leptos site settings read at run time. Without it, ./Leptos.toml
    /// if there is one; else the LEPTOS_* environment variables and the
    /// defaults built in (output `confab`, site `target/site`, pkg `pkg`).
    #[arg(long, env = "CONFAB_LEPTOS_CONFIG")]
    pub leptos_config: Option<PathBuf>,

    /// Sign-in attempts allowed per username in each window.
    #[arg(long, env = "CONFAB_LOGIN_ATTEMPTS_PER_USER", default_value_t = 10)]
    pub login_attempts_per_user: u32,

    /// Sign-in and sign-up attempts allowed per client address in each window.
    #[arg(long, env = "CONFAB_LOGIN_ATTEMPTS_PER_ADDR", default_value_t = 60)]
    pub login_attempts_per_addr: u32,

    /// Length of the sign-in attempt window, in seconds.
    #[arg(long, env = "CONFAB_LOGIN_WINDOW_SECS", default_value_t = 300)]
    pub login_window_secs: u64,

    /// Messages a user may send at once (over the websocket and HTTP).
    #[arg(long, env = "CONFAB_SEND_BURST", default_value_t = 10)]
    pub send_burst: u32,

    /// Messages a user may send per second, sustained.
    #[arg(long, env = "CONFAB_SEND_PER_SECOND", default_value_t = 5.0)]
    pub send_per_second: f64,

    /// Pages of history (500 messages each) a user's syncs may read at
    /// once past each sync's first page; past it, a sync waits for the
    /// budget to refill (it is never cut short).
    #[arg(long, env = "CONFAB_SYNC_PAGES_BURST", default_value_t = 20)]
    pub sync_pages_burst: u32,

    /// Such pages per second, sustained.
    #[arg(long, env = "CONFAB_SYNC_PAGES_PER_SECOND", default_value_t = 2.0)]
    pub sync_pages_per_second: f64,

    /// Presence events go to the members of rooms of at most this many
    /// people (and of direct rooms); a bigger room carries none, so that
    /// many people coming online cost O(people), not O(people squared).
    /// `/api/users/online` lists everyone online either way.
    #[arg(long, env = "CONFAB_PRESENCE_ROOM_LIMIT", default_value_t = 100)]
    pub presence_room_limit: u64,

    /// Websockets one person may hold open at once, on every instance
    /// together; the handshake of one more is answered 429.
    #[arg(long, env = "CONFAB_SOCKETS_PER_PERSON", default_value_t = 30)]
    pub sockets_per_person: u64,

    /// Websockets one session (one sign-in, or one API token) may hold open
    /// on one instance; the handshake of one more is answered 429. Within
    /// the person's cap, it keeps one runaway tab or script from taking
    /// all of the person's places.
    #[arg(long, env = "CONFAB_SOCKETS_PER_SESSION", default_value_t = 10)]
    pub sockets_per_session: usize,

    /// Seconds a socket's frame may wait to be written (its peer not
    /// reading) before the socket is closed (1008, too slow to keep up).
    #[arg(long, env = "CONFAB_WRITE_DEADLINE_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub write_deadline_secs: u64,

    /// Seconds a socket's peer may stay silent (no frame, no answer to the
    /// pings sent every third of it) before the socket is closed (1001).
    /// The time the server spends on one of the peer's frames (a long
    /// `sync`) does not count.
    #[arg(long, env = "CONFAB_SILENCE_LIMIT_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(3..))]
    pub silence_limit_secs: u64,

    /// The log's format: `text` for people, `json` (one object a line,
    /// with the request's or socket's id) for log shippers. `RUST_LOG`
    /// chooses what is logged.
    #[arg(long, env = "CONFAB_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Public rooms one person may make per day.
    #[arg(long, env = "CONFAB_ROOMS_PER_DAY", default_value_t = 20)]
    pub rooms_per_day: u32,

    /// Public rooms one person may make in all.
    #[arg(long, env = "CONFAB_ROOMS_PER_PERSON", default_value_t = 200)]
    pub rooms_per_person: u64,

    /// Joins and leaves one person may make per minute.
    #[arg(long, env = "CONFAB_MEMBERSHIP_CHANGES_PER_MINUTE", default_value_t = 30)]
    pub membership_changes_per_minute: u32,

    /// Looks at a room's members by name (`/api/rooms/members`, the
    /// composer's `@` completion: each reads every member's name) one
    /// person may make per minute.
    #[arg(long, env = "CONFAB_MEMBER_LOOKUPS_PER_MINUTE", default_value_t = 120)]
    pub member_lookups_per_minute: u32,

    /// Direct rooms one person may open with new people per hour.
    #[arg(long, env = "CONFAB_NEW_DIRECT_ROOMS_PER_HOUR", default_value_t = 30)]
    pub new_direct_rooms_per_hour: u32,

    /// Accounts everyone together may make per hour.
    #[arg(long, env = "CONFAB_REGISTRATIONS_PER_HOUR", default_value_t = 1000)]
    pub registrations_per_hour: u32,

    /// Password hashes (argon2, 19 MiB each) computed at once; by default
    /// one per core.
    #[arg(long, env = "CONFAB_PASSWORD_HASHING_MAX")]
    pub password_hashing_max: Option<usize>,

    /// How long a sign-in or sign-up waits for a turn at hashing before it
    /// is answered 429, in milliseconds.
    #[arg(long, env = "CONFAB_PASSWORD_HASHING_WAIT_MS", default_value_t = 2000)]
    pub password_hashing_wait_ms: u64,

    /// Seconds an instance's heartbeat lives: users of an instance that
    /// dies without warning go offline within this plus a third of it.
    #[arg(long, env = "CONFAB_HEARTBEAT_TTL_SECS", default_value_t = 15)]
    pub heartbeat_ttl_secs: u64,

    /// The most messages a room keeps: past it, the oldest are dropped at
    /// the next retention sweep. 0 keeps every message.
    #[arg(long, env = "CONFAB_RETENTION_MESSAGES", default_value_t = 0)]
    pub retention_messages: u64,

    /// Days a message is kept: older ones are dropped at the next
    /// retention sweep. 0 keeps messages for ever.
    #[arg(long, env = "CONFAB_RETENTION_DAYS", default_value_t = 0)]
    pub retention_days: u64,

    /// Seconds between retention sweeps (one instance sweeps each
    /// period); only with a retention limit set.
    #[arg(long, env = "CONFAB_RETENTION_SWEEP_SECS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..))]
    pub retention_sweep_secs: u64,

    /// Fill a Redis that holds no users with demo users, rooms and messages.
    #[arg(long, env = "CONFAB_DEMO")]
    pub demo: bool,

    /// Usernames (comma-separated, any case) of the admins: they may
    /// delete any message in a public room, and any public room but General.
    #[arg(long, env = "CONFAB_ADMINS", value_delimiter = ',', default_value = "")]
    pub admins: Vec<String>,

    /// The site's address as people reach it, such as
    /// https://chat.example.com (behind a TLS proxy, the proxy's). It
    /// decides whether the site is served over https (the session cookie
    /// is then `__Host-confab_session`, Secure, and responses send HSTS),
    /// and cross-site checks compare a request's Origin with its scheme,
    /// host and port. Without it, the request's Host stands in (plain local
    /// runs).
    #[arg(long, env = "CONFAB_PUBLIC_URL", value_parser = crate::server::origin::SiteOrigin::parse)]
    pub public_url: Option<crate::server::origin::SiteOrigin>,

    /// Serve as https without a public https URL (behind a TLS proxy): the
    /// session cookie is Secure and `__Host-` prefixed, and pages send HSTS.
    #[arg(long, env = "CONFAB_SECURE_COOKIES")]
    pub secure_cookies: bool,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Config {
    /// Whether the site is served over https, as configured (never as a
    /// request's headers say: a proxy that sends no X-Forwarded-Proto must
    /// not turn the cookie's Secure off).
    pub fn is_https(&self) -> bool {
        self.secure_cookies || self.public_url.as_ref().is_some_and(|site| site.is_https())
    }

    /// Whether `username` is one of [`Config::admins`].
    pub fn is_admin(&self, username: &crate::model::Username) -> bool {
        self.admins
            .iter()
            .any(|admin| !admin.trim().is_empty() && admin.trim().eq_ignore_ascii_case(username.as_str()))
    }

    /// The settings a test instance uses: everything default, with the
    /// given key prefix (the Redis is given to `build_state`).
    pub fn for_tests(key_prefix: String) -> Self {
        let mut config = Config::parse_from(["confab"]);
        config.key_prefix = key_prefix;
        config.site_addr = None;
        config
    }
}

/// A key prefix without `{` or `}`: Redis Cluster hashes a key by what its
/// first braces hold, so a brace in the prefix would put every key of the
/// deployment in one slot.
fn key_prefix(raw: &str) -> Result<String, String> {
    if raw.contains(['{', '}']) {
        return Err("a key prefix cannot hold a brace ({ or }): on a Redis Cluster it would put every key in one slot".into());
    }
    Ok(raw.to_owned())
}
