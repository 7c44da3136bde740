//! The system under test: a private Redis (or the one given) and K confab
//! child processes on free loopback ports, or the URLs given. It owns
//! every process it starts and stops them all, on error and on drop too.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use confab::server::redis_cluster::RedisCluster;
use confab::server::redis_process::RedisProcess;
use confab::server::store::RedisTarget;

use crate::cli::{Args, RedisMode};

/// How long a new instance may take to answer /healthz.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Instance {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// `127.0.0.1:PORT`, also the Origin's authority.
    pub host: String,
    child: Option<Child>,
}

impl Instance {
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// CPU seconds the instance has used, when we started it.
    pub fn cpu_secs(&self) -> Option<f64> {
        crate::machine::cpu_secs(self.pid()?)
    }

    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.host)
    }
}

pub struct Cluster {
    pub instances: Vec<Instance>,
    /// The Redis the instances use, when we know it.
    pub redis_target: Option<RedisTarget>,
    /// The key prefix of the instances, when we started them.
    pub key_prefix: Option<String>,
    /// True when we started the instances.
    pub own_instances: bool,
    /// True when we started Redis.
    pub own_redis: bool,
    redis: Option<RedisProcess>,
    redis_cluster: Option<RedisCluster>,
    dir: PathBuf,
}

impl Cluster {
    /// Starts what `args` asks for; whatever started is stopped again if a
    /// later step fails.
    pub async fn start(args: &Args, run_tag: &str, mode: RedisMode) -> Result<Cluster, String> {
        let own = if args.urls.is_empty() {
            Some((server_bin(args)?, leptos_config(args)?))
        } else {
            None
        };
        let dir = std::env::temp_dir().join(format!("confab-loadgen-{run_tag}-{mode:?}"));
        let mut cluster = Cluster {
            instances: Vec::new(),
            redis_target: args.redis_url.clone().map(RedisTarget::Single),
            key_prefix: None,
            own_instances: args.urls.is_empty(),
            own_redis: false,
            redis: None,
            redis_cluster: None,
            dir,
        };
        let Some((server, leptos)) = own else {
            for url in &args.urls {
                let base = url.trim_end_matches('/').to_owned();
                let host = base
                    .strip_prefix("http://")
                    .ok_or_else(|| format!("--url {url}: only http:// URLs are supported"))?
                    .to_owned();
                cluster.instances.push(Instance {
                    base,
                    host,
                    child: None,
                });
            }
            cluster.wait_ready().await?;
            return Ok(cluster);
        };
        std::fs::create_dir_all(&cluster.dir)
            .map_err(|e| format!("cannot create {}: {e}", cluster.dir.display()))?;
        let target = match (&args.redis_url, mode) {
            (Some(url), _) => RedisTarget::Single(url.clone()),
            (None, RedisMode::Cluster) => {
                let redis = RedisCluster::start(&cluster.dir.join("redis-cluster"))
                    .await
                    .map_err(|e| e.to_string())?;
                let target = RedisTarget::Cluster(redis.urls());
                cluster.redis_cluster = Some(redis);
                cluster.own_redis = true;
                target
            }
            (None, _) => {
                let redis = RedisProcess::start(&cluster.dir.join("redis"))
                    .await
                    .map_err(|e| e.to_string())?;
                let url = redis.url();
                cluster.redis = Some(redis);
                cluster.own_redis = true;
                RedisTarget::Single(url)
            }
        };
        cluster.redis_target = Some(target.clone());
        let prefix = format!("loadgen-{run_tag}:");
        cluster.key_prefix = Some(prefix.clone());
        for i in 0..args.instances.max(1) {
            let port = free_port()?;
            let host = format!("127.0.0.1:{port}");
            let log = cluster.dir.join(format!("confab-{i}.log"));
            let child = spawn(
                &server,
                &leptos,
                &target,
                &prefix,
                &host,
                &log,
                &args.server_log,
            )?;
            cluster.instances.push(Instance {
                base: format!("http://{host}"),
                host,
                child: Some(child),
            });
        }
        cluster.wait_ready().await?;
        Ok(cluster)
    }

    /// Polls /healthz of every instance until each answers 200.
    async fn wait_ready(&mut self) -> Result<(), String> {
        let client = reqwest::Client::new();
        let started = Instant::now();
        for (i, instance) in self.instances.iter_mut().enumerate() {
            let url = format!("{}/healthz", instance.base);
            loop {
                if let Ok(response) = client.get(&url).send().await {
                    if response.status() == 200 {
                        break;
                    }
                }
                if let Some(child) = instance.child.as_mut() {
                    if let Ok(Some(status)) = child.try_wait() {
                        return Err(format!(
                            "confab instance {i} exited ({status}) before it was ready; see {}",
                            self.dir.join(format!("confab-{i}.log")).display()
                        ));
                    }
                }
                if started.elapsed() > READY_TIMEOUT {
                    return Err(format!("{url} did not answer 200 within {READY_TIMEOUT:?}"));
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        Ok(())
    }

    /// The nodes of the Redis Cluster we started, as URLs.
    pub fn redis_cluster_nodes(&self) -> Vec<String> {
        self.redis_cluster.as_ref().map(RedisCluster::urls).unwrap_or_default()
    }

    /// The (host, port) of a single Redis, for redis-benchmark.
    pub fn redis_host_port(&self) -> Option<(String, u16)> {
        let Some(RedisTarget::Single(url)) = &self.redis_target else {
            return None;
        };
        let rest = url.strip_prefix("redis://")?;
        let rest = rest.rsplit('@').next()?;
        let authority = rest.split('/').next()?;
        let (host, port) = authority.rsplit_once(':').unwrap_or((authority, "6379"));
        Some((host.to_owned(), port.parse().ok()?))
    }

    /// Stops the instances (SIGTERM, then SIGKILL) and the Redis we started,
    /// and removes the scratch directory unless `keep`.
    pub async fn stop(mut self, keep: bool) {
        for instance in &mut self.instances {
            if let Some(child) = instance.child.as_mut() {
                let _ = Command::new("kill")
                    .args(["-TERM", &child.id().to_string()])
                    .stderr(Stdio::null())
                    .status();
            }
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        for instance in &mut self.instances {
            if let Some(mut child) = instance.child.take() {
                while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        if let Some(redis) = self.redis.take() {
            redis.stop().await;
        }
        if let Some(redis) = self.redis_cluster.take() {
            redis.stop().await;
        }
        if self.dir.exists() {
            if keep {
                eprintln!("[loadgen] logs kept in {}", self.dir.display());
            } else {
                let _ = std::fs::remove_dir_all(&self.dir);
            }
        }
    }
}

impl Drop for Cluster {
    /// The last resort (a panic, an early return): kill, never linger.
    fn drop(&mut self) {
        for instance in &mut self.instances {
            if let Some(mut child) = instance.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        // RedisProcess kills its child on drop.
    }
}

fn spawn(
    server: &Path,
    leptos: &Path,
    redis: &RedisTarget,
    prefix: &str,
    host: &str,
    log: &Path,
    rust_log: &str,
) -> Result<Child, String> {
    let out = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let root = leptos.parent().unwrap_or(Path::new("."));
    Command::new(server)
        .current_dir(root)
        .envs([match redis {
            RedisTarget::Single(url) => ("REDIS_URL", url.clone()),
            RedisTarget::Cluster(urls) => ("REDIS_CLUSTER_URLS", urls.join(",")),
        }])
        .env("LEPTOS_SITE_ADDR", host)
        .env("CONFAB_KEY_PREFIX", prefix)
        .env("CONFAB_LEPTOS_CONFIG", leptos)
        .env("CONFAB_SEND_BURST", "1000000")
        .env("CONFAB_SEND_PER_SECOND", "1000000")
        .env("CONFAB_LOGIN_ATTEMPTS_PER_ADDR", "100000000")
        .env("CONFAB_LOGIN_ATTEMPTS_PER_USER", "100000000")
        // A benchmark makes people, rooms and memberships far faster than
        // people do.
        .env("CONFAB_REGISTRATIONS_PER_HOUR", "100000000")
        .env("CONFAB_PASSWORD_HASHING_WAIT_MS", "600000")
        .env("CONFAB_ROOMS_PER_DAY", "100000000")
        .env("CONFAB_ROOMS_PER_PERSON", "100000000")
        .env("CONFAB_MEMBERSHIP_CHANGES_PER_MINUTE", "100000000")
        .env("CONFAB_NEW_DIRECT_ROOMS_PER_HOUR", "100000000")
        // Its users each hold many sockets (a few hundred users stand in for
        // thousands of people: argon2 makes users dear).
        .env("CONFAB_SOCKETS_PER_PERSON", "100000000")
        .env("CONFAB_SOCKETS_PER_SESSION", "100000000")
        .env("RUST_LOG", rust_log)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", server.display()))
}

fn server_bin(args: &Args) -> Result<PathBuf, String> {
    let path = match &args.server_bin {
        Some(path) => path.clone(),
        None => std::env::current_exe()
            .map_err(|e| e.to_string())?
            .with_file_name("confab"),
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "no server binary at {}: build it (`cargo build --features ssr`, or \
             `cargo leptos build --release` for release) or pass --server-bin",
            path.display()
        ))
    }
}

fn leptos_config(args: &Args) -> Result<PathBuf, String> {
    let mut candidates = Vec::new();
    match &args.leptos_config {
        Some(path) => candidates.push(path.clone()),
        None => {
            candidates.push(PathBuf::from("Leptos.toml"));
            if let Ok(exe) = std::env::current_exe() {
                if let Some(root) = exe.parent().and_then(Path::parent).and_then(Path::parent) {
                    candidates.push(root.join("Leptos.toml"));
                }
            }
        }
    }
    candidates
        .iter()
        .find(|path| path.is_file())
        .map(|path| path.canonicalize().unwrap_or_else(|_| path.clone()))
        .ok_or_else(|| {
            format!(
                "no Leptos.toml at {}: run from the repository root or pass --leptos-config",
                candidates
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(" or ")
            )
        })
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}
