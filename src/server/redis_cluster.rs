//! A private, local Redis Cluster for the tests and the load generator:
//! three masters with one replica each (or none, for a test), every node a [`RedisProcess`] on a
//! free loopback port in a directory of its own, joined by
//! `redis-cli --cluster create`. The nodes die with this process.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::redis_process::{RedisProcess, RedisProcessError};

/// Masters, and replicas of each.
const MASTERS: usize = 3;
pub const REPLICAS: usize = 1;
/// How long forming the cluster, or its recovery, may take.
const FORM_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum RedisClusterError {
    #[error(transparent)]
    Node(#[from] RedisProcessError),
    #[error("redis-cli --cluster create failed: {0}")]
    Create(String),
    #[error("the cluster did not reach cluster_state:ok within {0:?}")]
    NotReady(Duration),
}

pub struct RedisCluster {
    nodes: Vec<RedisProcess>,
    dir: PathBuf,
}

impl RedisCluster {
    /// Starts the nodes in subdirectories of `dir` and forms the cluster.
    pub async fn start(dir: &Path) -> Result<Self, RedisClusterError> {
        Self::start_with(dir, REPLICAS).await
    }

    /// The same with `replicas` replicas of each master (0: masters only).
    pub async fn start_with(dir: &Path, replicas: usize) -> Result<Self, RedisClusterError> {
        Self::start_with_settings(dir, replicas, &[]).await
    }

    /// The same with `settings` added to every node's (flags such as
    /// `--appendfsync always`).
    pub async fn start_with_settings(
        dir: &Path,
        replicas: usize,
        settings: &[String],
    ) -> Result<Self, RedisClusterError> {
        let mut nodes = Vec::with_capacity(MASTERS * (1 + replicas));
        for i in 0..MASTERS * (1 + replicas) {
            let node_dir = dir.join(format!("node{i}"));
            let port = node_port().map_err(|source| RedisProcessError::Io {
                dir: node_dir.clone(),
                source,
            })?;
            let mut node_flags = node_settings();
            node_flags.extend_from_slice(settings);
            nodes.push(RedisProcess::start_on(&node_dir, port, node_flags).await?);
        }
        let cluster = RedisCluster {
            nodes,
            dir: dir.to_owned(),
        };
        let mut create = tokio::process::Command::new("redis-cli");
        create.arg("--cluster").arg("create");
        for node in &cluster.nodes {
            create.arg(format!("127.0.0.1:{}", node.port()));
        }
        create
            .args(["--cluster-replicas", &replicas.to_string(), "--cluster-yes"])
            .stdin(std::process::Stdio::null());
        let out = create
            .output()
            .await
            .map_err(|e| RedisClusterError::Create(e.to_string()))?;
        if !out.status.success() {
            return Err(RedisClusterError::Create(
                String::from_utf8_lossy(&out.stdout).into_owned(),
            ));
        }
        cluster.wait_until_ok().await?;
        Ok(cluster)
    }

    /// The seed URLs, as `REDIS_CLUSTER_URLS` takes them.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisProcess::url).collect()
    }

    pub fn nodes(&self) -> &[RedisProcess] {
        &self.nodes
    }

    pub fn nodes_mut(&mut self) -> &mut [RedisProcess] {
        &mut self.nodes
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// SIGKILLs every node.
    pub fn kill(&mut self) {
        for node in &mut self.nodes {
            node.kill();
        }
    }

    /// Starts every node again (they rejoin from their nodes.conf) and
    /// waits until the cluster serves.
    pub async fn revive(&mut self) -> Result<(), RedisClusterError> {
        for node in &mut self.nodes {
            node.revive().await?;
        }
        self.wait_until_ok().await
    }

    /// Shuts every node down cleanly and starts it again.
    pub async fn restart(&mut self) -> Result<(), RedisClusterError> {
        for node in &mut self.nodes {
            node.restart().await?;
        }
        self.wait_until_ok().await
    }

    pub async fn stop(self) {
        for node in self.nodes {
            node.stop().await;
        }
    }

    /// Waits until every node that answers says `cluster_state:ok`.
    pub async fn wait_until_ok(&self) -> Result<(), RedisClusterError> {
        let started = Instant::now();
        while started.elapsed() < FORM_TIMEOUT {
            let mut all_ok = true;
            for node in &self.nodes {
                all_ok &= node_says_ok(&node.url()).await;
            }
            if all_ok {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(RedisClusterError::NotReady(FORM_TIMEOUT))
    }
}

/// A port for a node: free, and with its cluster bus port (10000 above
/// it, as Redis fixes it) free and valid too, which an ephemeral port from
/// the kernel often is not.
fn node_port() -> std::io::Result<u16> {
    use std::net::TcpListener;
    for _ in 0..100 {
        let probe = TcpListener::bind("127.0.0.1:0")?;
        // Fold the kernel's pick into 20000..50000, so that +10000 fits.
        let port = 20_000 + probe.local_addr()?.port() % 30_000;
        drop(probe);
        if TcpListener::bind(("127.0.0.1", port)).is_ok()
            && TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok()
        {
            return Ok(port);
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AddrInUse,
        "no free port with a free cluster bus port",
    ))
}

/// What makes a node a cluster node that fails over fast: a second to
/// call a master dead, replicas that may always take over, and a full
/// sync that starts at once.
fn node_settings() -> Vec<String> {
    [
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        "nodes.conf",
        "--cluster-node-timeout",
        "1000",
        "--cluster-replica-validity-factor",
        "0",
        "--repl-diskless-sync-delay",
        "0",
        "--cluster-require-full-coverage",
        "no",
    ]
    .map(String::from)
    .to_vec()
}

async fn node_says_ok(url: &str) -> bool {
    let Ok(client) = redis::Client::open(url) else {
        return false;
    };
    let Ok(mut conn) = client.get_multiplexed_async_connection().await else {
        return false;
    };
    redis::cmd("CLUSTER")
        .arg("INFO")
        .query_async::<String>(&mut conn)
        .await
        .is_ok_and(|info| info.lines().any(|l| l.trim() == "cluster_state:ok"))
}
