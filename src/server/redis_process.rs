//! The embedded default: a private `redis-server` child on a free loopback
//! port, its data on disk in a directory of ours. Tests use it too.
//!
//! The embedded one ([`RedisProcess::start_private`]) is private in fact:
//! its directory is the owner's alone (0700), and it asks for a password
//! made at random at each start and known only to this process, so
//! another local user who finds its port can neither read nor write
//! sessions. The password travels in a settings file of mode 0600, never
//! on the command line (which every local user can read in /proc). It
//! also has a memory ceiling with the `noeviction` policy: full, it refuses
//! writes (a 503) instead of evicting sessions or messages.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Why the embedded Redis could not be started.
#[derive(Debug, thiserror::Error)]
pub enum RedisProcessError {
    #[error(
        "redis-server is not installed: install it (apt-get install redis-server) or set REDIS_URL to a running Redis"
    )]
    NotInstalled,
    #[error("cannot start redis-server in {dir}: {source}")]
    Io {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("redis-server did not come up within {0:?}; see {1}")]
    NotReady(Duration, PathBuf),
    #[error("cannot make a password for the embedded redis-server: {0}")]
    Random(getrandom::Error),
}

pub struct RedisProcess {
    child: Child,
    port: u16,
    dir: PathBuf,
    /// Settings beyond the defaults, kept for a restart.
    extra: Vec<String>,
    /// The private one's password (its settings file holds it too).
    password: Option<String>,
}

/// The private Redis's settings file, in its data directory.
const PRIVATE_SETTINGS: &str = "confab-redis.conf";

const READY_TIMEOUT: Duration = Duration::from_secs(15);

impl RedisProcess {
    /// Starts redis-server with its data in `dir` and waits until it answers.
    pub async fn start(dir: &Path) -> Result<Self, RedisProcessError> {
        Self::start_with(dir, Vec::new()).await
    }

    /// Starts redis-server in `dir` with these settings added (a cluster
    /// node's, say).
    pub async fn start_with(dir: &Path, extra: Vec<String>) -> Result<Self, RedisProcessError> {
        let port = free_port().map_err(|source| RedisProcessError::Io {
            dir: dir.to_owned(),
            source,
        })?;
        Self::start_on(dir, port, extra).await
    }

    /// Starts redis-server in `dir` on `port` (which the caller found free).
    pub async fn start_on(dir: &Path, port: u16, extra: Vec<String>) -> Result<Self, RedisProcessError> {
        let io = |source| RedisProcessError::Io {
            dir: dir.to_owned(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let dir = dir.canonicalize().map_err(io)?;
        let child = spawn(&dir, port, &extra)?;
        let mut process = RedisProcess {
            child,
            port,
            dir,
            extra,
            password: None,
        };
        process.wait_until_ready().await?;
        Ok(process)
    }

    /// Starts the embedded Redis: in `dir` (made the owner's alone), with
    /// a fresh random password and a ceiling of `maxmemory_mb` megabytes
    /// (`noeviction`). See the module's doc.
    pub async fn start_private(dir: &Path, maxmemory_mb: u64) -> Result<Self, RedisProcessError> {
        use std::io::Write;
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let io = |source| RedisProcessError::Io {
            dir: dir.to_owned(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
        let dir = dir.canonicalize().map_err(io)?;
        let mut secret = [0u8; 24];
        getrandom::fill(&mut secret).map_err(RedisProcessError::Random)?;
        let password: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        let settings = dir.join(PRIVATE_SETTINGS);
        // A file left by an earlier start is replaced, and only its owner
        // may read it while it is written.
        let _ = std::fs::remove_file(&settings);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&settings)
            .map_err(io)?;
        writeln!(
            file,
            "requirepass {password}\nmaxmemory {maxmemory_mb}mb\nmaxmemory-policy noeviction"
        )
        .map_err(io)?;
        let port = free_port().map_err(io)?;
        let mut process = RedisProcess {
            child: spawn(&dir, port, &[settings.display().to_string()])?,
            port,
            dir,
            extra: vec![settings.display().to_string()],
            password: Some(password),
        };
        process.wait_until_ready().await?;
        Ok(process)
    }

    /// Stops Redis cleanly and starts it again on the same port with the
    /// same data (for failure tests).
    pub async fn restart(&mut self) -> Result<(), RedisProcessError> {
        self.shutdown().await;
        self.child = spawn(&self.dir, self.port, &self.extra)?;
        self.wait_until_ready().await
    }

    /// Where its data is.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// How to reach it (with its password, for the private one: keep it
    /// out of logs).
    pub fn url(&self) -> String {
        match &self.password {
            Some(password) => format!("redis://:{password}@127.0.0.1:{}", self.port),
            None => format!("redis://127.0.0.1:{}", self.port),
        }
    }
}

/// Starts redis-server on `port` with its data in `dir`. A settings file
/// must come first among the arguments, so the private one's is `extra`'s
/// first and only entry; other settings follow as flags.
fn spawn(dir: &Path, port: u16, extra: &[String]) -> Result<Child, RedisProcessError> {
    let mut command = Command::new("redis-server");
    dies_with_us(&mut command);
    let (settings_file, flags) = match extra.first() {
        Some(first) if !first.starts_with("--") => (Some(first), &extra[1..]),
        _ => (None, extra),
    };
    command.args(settings_file);
    command
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--protected-mode",
            "yes",
        ])
        .arg("--dir")
        .arg(dir)
        .args([
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
        ])
        .args(["--logfile", "redis.log", "--daemonize", "no"])
        .args(flags)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => RedisProcessError::NotInstalled,
            _ => RedisProcessError::Io {
                dir: dir.to_owned(),
                source: e,
            },
        })
}

impl RedisProcess {
    /// Polls with PING until Redis answers, the child dies or time runs out.
    async fn wait_until_ready(&mut self) -> Result<(), RedisProcessError> {
        let log = self.dir.join("redis.log");
        let started = Instant::now();
        let mut pause = Duration::from_millis(5);
        while started.elapsed() < READY_TIMEOUT {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Err(RedisProcessError::NotReady(started.elapsed(), log));
            }
            if self.answers().await {
                return Ok(());
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(200));
        }
        Err(RedisProcessError::NotReady(READY_TIMEOUT, log))
    }

    async fn answers(&self) -> bool {
        let Ok(client) = redis::Client::open(self.url()) else {
            return false;
        };
        let Ok(mut conn) = client.get_multiplexed_async_connection().await else {
            return false;
        };
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .is_ok()
    }

    /// Stops Redis the way it likes (SHUTDOWN, which flushes its data) and
    /// waits for it; kills it if it will not go.
    pub async fn stop(mut self) {
        self.shutdown().await;
    }

    async fn shutdown(&mut self) {
        if let Ok(client) = redis::Client::open(self.url()) {
            if let Ok(mut conn) = client.get_multiplexed_async_connection().await {
                let _ = redis::cmd("SHUTDOWN").query_async::<()>(&mut conn).await;
            }
        }
        // Redis exits as soon as its data is on disk; kill it if it hangs.
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.kill();
    }

    /// Kills Redis at once, as a crash would (for failure tests).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts Redis again after [`RedisProcess::kill`], on the same port
    /// with the same data (for failure tests).
    pub async fn revive(&mut self) -> Result<(), RedisProcessError> {
        self.child = spawn(&self.dir, self.port, &self.extra)?;
        self.wait_until_ready().await
    }
}

impl Drop for RedisProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}

/// Asks the kernel to stop the child (SIGTERM, on which Redis saves and
/// exits) when this process dies, however it dies: a confab killed with
/// SIGKILL must not leave a redis-server behind writing to the data
/// directory the next start will use.
#[cfg(target_os = "linux")]
fn dies_with_us(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: between fork and exec the closure only makes two system
    // calls (prctl, getppid), both async-signal-safe, and allocates nothing.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died before prctl took effect.
            if libc::getppid() != parent {
                return Err(std::io::Error::other(
                    "confab exited while starting redis-server",
                ));
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn dies_with_us(_command: &mut Command) {}

/// A port nobody listens on right now.
fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
