//! `spawn_app` and a cookie-keeping HTTP client: what every test starts with.

use std::sync::atomic::{AtomicU64, Ordering};

use confab::server::config::Config;
use confab::server::redis_cluster::{RedisCluster, REPLICAS};
use confab::server::redis_process::RedisProcess;
use confab::server::store::{Conn, RedisTarget};
use confab::server::startup::{build_state, serve};
use confab::server::AppState;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A private Redis in a temporary directory, gone when dropped: one
/// redis-server, or, with `CONFAB_TEST_REDIS=cluster` (the test command's
/// second pass), a local 3-master cluster with a replica each.
pub struct TestRedis {
    backing: Backing,
    _dir: tempfile::TempDir,
}

enum Backing {
    Single(RedisProcess),
    Cluster(RedisCluster),
}

/// Whether this run tests on a Redis Cluster.
pub fn on_cluster() -> bool {
    std::env::var("CONFAB_TEST_REDIS").is_ok_and(|mode| mode == "cluster")
}

impl TestRedis {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let backing = if on_cluster() {
            Backing::Cluster(RedisCluster::start(dir.path()).await.expect("the cluster forms"))
        } else {
            Backing::Single(RedisProcess::start(dir.path()).await.expect("redis-server starts"))
        };
        TestRedis { backing, _dir: dir }
    }

    /// The same, but writing its AOF to disk before each answer
    /// (`appendfsync always`), for the tests that SIGKILL it and count
    /// what survives. With the default `everysec`, Redis postpones its AOF
    /// writes (for up to 2 s) while an fsync is still running on a busy
    /// disk, answering all the while, so a kill then loses acknowledged
    /// writes whatever Confab does (docs/architecture.md, section 4). These
    /// tests check Confab's side: what Redis acknowledged and kept.
    pub async fn start_durable() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let settings = ["--appendfsync", "always"].map(String::from);
        let backing = if on_cluster() {
            Backing::Cluster(
                RedisCluster::start_with_settings(dir.path(), REPLICAS, &settings)
                    .await
                    .expect("the cluster forms"),
            )
        } else {
            Backing::Single(
                RedisProcess::start_with(dir.path(), settings.to_vec())
                    .await
                    .expect("redis-server starts"),
            )
        };
        TestRedis { backing, _dir: dir }
    }

    /// A cluster of masters only (whatever the test command's mode).
    pub async fn start_cluster_without_replicas() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let cluster = RedisCluster::start_with(dir.path(), 0).await.expect("the cluster forms");
        TestRedis { backing: Backing::Cluster(cluster), _dir: dir }
    }

    /// What an instance connects to.
    pub fn target(&self) -> RedisTarget {
        match &self.backing {
            Backing::Single(process) => RedisTarget::Single(process.url()),
            Backing::Cluster(cluster) => RedisTarget::Cluster(cluster.urls()),
        }
    }

    /// The environment variable that points a `confab` process at it.
    pub fn env(&self) -> (&'static str, String) {
        match &self.backing {
            Backing::Single(process) => ("REDIS_URL", process.url()),
            Backing::Cluster(cluster) => ("REDIS_CLUSTER_URLS", cluster.urls().join(",")),
        }
    }

    /// A plain connection, for tests that look at what is stored: to the
    /// one Redis, or to the cluster.
    pub async fn connection(&self) -> Conn {
        Conn::open(&self.target()).await.expect("redis answers")
    }

    /// Each server's URL (one, or every node of the cluster).
    pub fn server_urls(&self) -> Vec<String> {
        match &self.backing {
            Backing::Single(process) => vec![process.url()],
            Backing::Cluster(cluster) => cluster.urls(),
        }
    }

    /// SIGKILL: every node of a cluster.
    pub fn kill(&mut self) {
        match &mut self.backing {
            Backing::Single(process) => process.kill(),
            Backing::Cluster(cluster) => cluster.kill(),
        }
    }

    /// Starts it again on the same data after [`TestRedis::kill`].
    pub async fn revive(&mut self) {
        match &mut self.backing {
            Backing::Single(process) => process.revive().await.expect("redis comes back"),
            Backing::Cluster(cluster) => cluster.revive().await.expect("the cluster comes back"),
        }
    }

    /// One Redis only: copies its append-only file as it stands (with
    /// [`TestRedis::start_durable`], every acknowledged write is in it).
    pub fn copy_aof(&self, to: &std::path::Path) {
        let Backing::Single(process) = &self.backing else {
            panic!("one Redis only");
        };
        copy_dir(&process.dir().join("appendonlydir"), to);
    }

    /// One Redis only: kills it, puts back the append-only file copied by
    /// [`TestRedis::copy_aof`], and starts it again: a Redis that came back
    /// without what it acknowledged since.
    pub async fn revive_from(&mut self, copy: &std::path::Path) {
        let Backing::Single(process) = &mut self.backing else {
            panic!("one Redis only");
        };
        process.kill();
        let aof = process.dir().join("appendonlydir");
        std::fs::remove_dir_all(&aof).expect("the append-only files are removed");
        copy_dir(copy, &aof);
        process.revive().await.expect("redis comes back");
    }

    /// The cluster, for the tests that fail it over or move its slots.
    pub fn cluster_mut(&mut self) -> Option<&mut RedisCluster> {
        match &mut self.backing {
            Backing::Single(_) => None,
            Backing::Cluster(cluster) => Some(cluster),
        }
    }

    /// A clean shutdown and a start on the same data.
    pub async fn restart(&mut self) {
        match &mut self.backing {
            Backing::Single(process) => process.restart().await.expect("redis comes back"),
            Backing::Cluster(cluster) => cluster.restart().await.expect("the cluster comes back"),
        }
    }

}

/// A running instance. Stops serving when dropped.
pub struct TestApp {
    pub base: String,
    pub state: AppState,
    _shutdown: oneshot::Sender<()>,
}

static NEXT_PREFIX: AtomicU64 = AtomicU64::new(0);

pub fn unique_prefix() -> String {
    format!(
        "t{}-{}:",
        std::process::id(),
        NEXT_PREFIX.fetch_add(1, Ordering::Relaxed)
    )
}

impl TestApp {
    /// An instance on `redis` with keys under `key_prefix`, configured by `tweak`.
    pub async fn spawn_with(
        redis: &TestRedis,
        key_prefix: &str,
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = Config::for_tests(key_prefix.to_owned());
        tweak(&mut config);
        let state = build_state(config, &redis.target())
            .await
            .expect("the app state builds");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let addr = listener.local_addr().expect("a bound address");
        let (shutdown, stop) = oneshot::channel::<()>();
        tokio::spawn(serve(listener, state.clone(), async move {
            let _ = stop.await;
        }));
        TestApp {
            base: format!("http://{addr}"),
            state,
            _shutdown: shutdown,
        }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }
}

/// A real `confab` process (the binary under test), for what an
/// in-process instance cannot show: a crash, its child processes, or pages
/// served by the production runtime.
pub struct ConfabProcess {
    pub child: std::process::Child,
    pub base: String,
}

impl ConfabProcess {
    /// Starts the binary with `env` on a free port and waits until its
    /// health check answers.
    pub async fn start(env: &[(&str, String)]) -> Self {
        Self::start_at(None, env).await
    }

    /// Like [`ConfabProcess::start`], on `port` if given (to start an
    /// instance again where its clients look for it).
    pub async fn start_at(port: Option<u16>, env: &[(&str, String)]) -> Self {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_confab"));
        command.env(
            "CONFAB_LEPTOS_CONFIG",
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Leptos.toml"),
        );
        Self::launch_at(port, command, env).await
    }

    /// The port it serves on.
    pub fn port(&self) -> u16 {
        self.base
            .rsplit(':')
            .next()
            .and_then(|port| port.parse().ok())
            .expect("a port in the base URL")
    }

    /// Like [`ConfabProcess::start`], with its log (tracing writes to
    /// standard output) piped to the caller.
    pub async fn start_logging(env: &[(&str, String)]) -> (Self, std::process::ChildStdout) {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_confab"));
        command
            .env(
                "CONFAB_LEPTOS_CONFIG",
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Leptos.toml"),
            )
            .stdout(std::process::Stdio::piped());
        let mut confab = Self::launch(command, env).await;
        let log = confab.child.stdout.take().expect("the log is piped");
        (confab, log)
    }

    /// Starts the binary as it is deployed: from `dir`, which holds no
    /// Leptos.toml or Cargo.toml, with the Leptos deployment variables.
    pub async fn start_deployed(dir: &std::path::Path, env: &[(&str, String)]) -> Self {
        let site = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/site");
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_confab"));
        command
            .current_dir(dir)
            .env_remove("CONFAB_LEPTOS_CONFIG")
            .env("LEPTOS_OUTPUT_NAME", "confab")
            .env("LEPTOS_SITE_ROOT", site)
            .env("LEPTOS_SITE_PKG_DIR", "pkg");
        Self::launch(command, env).await
    }

    async fn launch(command: std::process::Command, env: &[(&str, String)]) -> Self {
        Self::launch_at(None, command, env).await
    }

    async fn launch_at(
        port: Option<u16>,
        mut command: std::process::Command,
        env: &[(&str, String)],
    ) -> Self {
        let port = port.unwrap_or_else(|| {
            std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("a free port")
                .port()
        });
        let child = command
            .env_remove("REDIS_URL")
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .spawn()
            .expect("confab starts");
        let base = format!("http://127.0.0.1:{port}");
        let healthz = format!("{base}/healthz");
        let deadline = tokio::time::Instant::now() + crate::ws::PATIENCE;
        while !reqwest::get(&healthz)
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            assert!(
                tokio::time::Instant::now() < deadline,
                "confab did not come up"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        ConfabProcess { child, base }
    }
}

impl Drop for ConfabProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two instances sharing one Redis and one key prefix, with send budgets
/// no test exhausts.
pub async fn two_instances() -> (TestRedis, TestApp, TestApp) {
    two_instances_on(TestRedis::start().await).await
}

/// Copies the files of directory `from` into `to` (made if missing).
fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("a directory to copy to");
    for entry in std::fs::read_dir(from).expect("a directory to copy") {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().expect("a file name");
        std::fs::copy(&path, to.join(name)).expect("a file copied");
    }
}

/// Two instances sharing `redis`, as [`two_instances`] makes them.
pub async fn two_instances_on(redis: TestRedis) -> (TestRedis, TestApp, TestApp) {
    let prefix = unique_prefix();
    let a = TestApp::spawn_with(&redis, &prefix, |c| c.send_burst = 100_000).await;
    let b = TestApp::spawn_with(&redis, &prefix, |c| c.send_burst = 100_000).await;
    (redis, a, b)
}

/// One instance on its own Redis, with default settings.
pub async fn spawn_app() -> (TestRedis, TestApp) {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |_| {}).await;
    (redis, app)
}

/// A browser stand-in: keeps cookies, speaks form-encoded to `/api`.
pub struct Client {
    base: String,
    http: reqwest::Client,
    /// The last session cookie the server set (`confab_session=...`).
    cookie: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The human-readable `message` of an error body.
    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or_default()
    }
}

impl Client {
    pub fn new(base: &str) -> Self {
        Self::built(base, reqwest::Client::builder().cookie_store(true))
    }

    /// A program's client: no cookies; every request carries
    /// `Authorization: Bearer {token}`.
    pub fn with_token(base: &str, token: &str) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            "authorization",
            format!("Bearer {token}").parse().expect("a header value"),
        );
        Self::built(base, reqwest::Client::builder().default_headers(headers))
    }

    fn built(base: &str, builder: reqwest::ClientBuilder) -> Self {
        let http = builder
            .timeout(crate::ws::PATIENCE)
            // Tests look at redirects themselves.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        Client {
            base: base.to_owned(),
            http,
            cookie: Default::default(),
        }
    }

    /// The same cookie jar pointed at another instance.
    pub fn pointed_at(&self, base: &str) -> Self {
        Client {
            base: base.to_owned(),
            http: self.http.clone(),
            cookie: self.cookie.clone(),
        }
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        self.post_with(path, form, &[]).await
    }

    pub async fn post_with(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = self.http.post(format!("{}{path}", self.base)).form(form);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        if let Some(set) = headers.get("set-cookie").and_then(|v| v.to_str().ok()) {
            let pair = set.split(';').next().unwrap_or_default().to_owned();
            *self.cookie.lock().unwrap() = Some(pair);
        }
        let text = response.text().await.expect("a body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.get_with(path, None).await
    }

    /// A GET with one more header.
    pub async fn get_with(&self, path: &str, header: Option<(&str, &str)>) -> reqwest::Response {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        request.send().await.expect("the server answers")
    }

    /// The session cookie, as a `Cookie` header value.
    pub fn session_cookie(&self) -> String {
        self.cookie.lock().unwrap().clone().expect("signed in")
    }

    /// A websocket on this client's instance with this client's session.
    pub async fn ws(&self) -> crate::ws::Ws {
        crate::ws::Ws::connect(&self.base, Some(&self.session_cookie()), None)
            .await
            .expect("the socket opens")
    }

    pub async fn register(&self, username: &str, password: &str) -> Reply {
        self.post(
            "/api/register",
            &[("username", username), ("password", password)],
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> Reply {
        self.post(
            "/api/login",
            &[("username", username), ("password", password)],
        )
        .await
    }

    pub async fn me(&self) -> Reply {
        self.post("/api/me", &[]).await
    }
}

pub const PASSWORD: &str = "correct horse battery";

impl Client {
    /// Registers a fresh user and returns its id.
    pub async fn signed_up(&self, username: &str) -> String {
        let reply = self.register(username, PASSWORD).await;
        assert_eq!(reply.status, 200, "register {username}: {:?}", reply.body);
        reply.body["id"].as_str().expect("an id").to_owned()
    }

    /// Creates a public room (which must succeed) and returns its id.
    pub async fn created_room(&self, name: &str) -> String {
        let reply = self.post("/api/rooms/create", &[("name", name)]).await;
        assert_eq!(reply.status, 200, "create {name}: {:?}", reply.body);
        reply.body["id"].as_str().expect("an id").to_owned()
    }

    pub async fn send(&self, room_id: &str, text: &str) -> Reply {
        self.post(
            "/api/messages/send",
            &[("room_id", room_id), ("text", text)],
        )
        .await
    }

    pub async fn history(&self, room_id: &str, before: Option<u64>, limit: Option<u32>) -> Reply {
        let before = before.map(|b| b.to_string());
        let limit = limit.map(|l| l.to_string());
        let mut form = vec![("room_id", room_id)];
        if let Some(before) = &before {
            form.push(("before", before));
        }
        if let Some(limit) = &limit {
            form.push(("limit", limit));
        }
        self.post("/api/messages", &form).await
    }
}

/// The seqs of a JSON array of messages.
pub fn seqs(body: &Value) -> Vec<u64> {
    body.as_array()
        .expect("an array")
        .iter()
        .map(|m| m["seq"].as_u64().expect("a seq"))
        .collect()
}
