//! The connection the store runs its commands on: one Redis (a
//! `ConnectionManager` that reconnects by itself) or a Redis Cluster (the
//! `redis` crate's cluster-async connection with RESP3, which follows
//! MOVED and ASK, retries through a failover and refreshes its slot map).
//! Everything above it is the same code in both modes; the few commands
//! that differ (publishing, reads that span slots, waiting for a replica)
//! are methods here.

use std::time::Duration;

use futures::future::try_join_all;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
use redis::{Cmd, Pipeline, ProtocolVersion, RedisFuture, Value};

use super::replicas::ReplicaWatch;

/// Where Confab's Redis is: one server, or the seed nodes of a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisTarget {
    Single(String),
    Cluster(Vec<String>),
}

impl RedisTarget {
    /// A cluster from `REDIS_CLUSTER_URLS`' comma-separated seed nodes.
    pub fn cluster(urls: &str) -> Self {
        RedisTarget::Cluster(
            urls.split(',')
                .map(str::trim)
                .filter(|url| !url.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }
}

impl std::fmt::Display for RedisTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RedisTarget::Single(url) => f.write_str(url),
            RedisTarget::Cluster(urls) => write!(f, "cluster {}", urls.join(",")),
        }
    }
}

/// How long one command may wait for its reply on a node.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long an acknowledgement waits for a replica to have the write (a
/// healthy replica has it within a millisecond; a missing one costs this).
const REPLICATION_WAIT: Duration = Duration::from_millis(100);
/// How long a command may take in all on a cluster, redirects and the
/// retries of a failover included (a master's replica takes over in about
/// `cluster-node-timeout` plus a second or two).
const CLUSTER_OVERALL_TIMEOUT: Duration = Duration::from_secs(15);

/// The settings of every cluster connection Confab makes: RESP3 (sharded
/// pub/sub needs it), bounded waits, and retries spaced for a failover
/// (the crate's defaults wait at least 1.28 s between tries and never
/// time out a node).
pub(super) fn cluster_builder(urls: &[String]) -> ClusterClientBuilder {
    ClusterClientBuilder::new(urls.iter().map(String::as_str))
        .use_protocol(ProtocolVersion::RESP3)
        .connection_timeout(Duration::from_secs(2))
        .response_timeout(RESPONSE_TIMEOUT)
        .overall_response_timeout(Some(CLUSTER_OVERALL_TIMEOUT))
        .retries(12)
        .min_retry_wait(50)
        .max_retry_wait(1000)
}

#[derive(Clone)]
pub enum Conn {
    Single(ConnectionManager),
    /// With what it last read of the cluster's replicas.
    Cluster(ClusterConnection, ReplicaWatch),
}

impl Conn {
    /// Connects to one Redis or a cluster.
    pub async fn open(target: &RedisTarget) -> redis::RedisResult<Self> {
        Ok(match target {
            RedisTarget::Single(url) => {
                let client = redis::Client::open(url.as_str())?;
                // The client's default (0.5 s) refused sends on an instance
                // busy fanning out, though Redis had stored them; a Redis
                // that is gone fails the connection at once anyway.
                let config = ConnectionManagerConfig::new().set_response_timeout(Some(RESPONSE_TIMEOUT));
                Conn::Single(ConnectionManager::new_with_config(client, config).await?)
            }
            RedisTarget::Cluster(urls) => {
                let conn = cluster_builder(urls).build()?.get_async_connection().await?;
                Conn::Cluster(conn, ReplicaWatch::default())
            }
        })
    }

    /// Runs independent commands, on keys in any slots, and answers their
    /// replies in order: one pipeline on one Redis; on a cluster, one
    /// command each, sent together (the connection pipelines those bound
    /// for one node).
    pub async fn each(&self, commands: Vec<Cmd>) -> redis::RedisResult<Vec<Value>> {
        if commands.is_empty() {
            return Ok(Vec::new());
        }
        match self {
            Conn::Single(conn) => {
                let mut pipe = redis::pipe();
                for command in commands {
                    pipe.add_command(command);
                }
                pipe.query_async(&mut conn.clone()).await
            }
            Conn::Cluster(conn, _) => {
                try_join_all(commands.into_iter().map(|command| {
                    let mut conn = conn.clone();
                    async move { command.query_async::<Value>(&mut conn).await }
                }))
                .await
            }
        }
    }

    /// On a cluster, waits (briefly) until the write just made in `key`'s
    /// slot has reached a replica of its master, so that a failover right
    /// after cannot lose it: the caller acknowledges a write only after
    /// this. Answers how many replicas have it; `None` when there are none
    /// to wait for: on one Redis, and on a cluster whose nodes, read at
    /// most every few seconds, list no healthy replica (see
    /// [`ReplicaWatch`]), where the wait could only time out.
    pub async fn replicated(&self, key: &str) -> redis::RedisResult<Option<u64>> {
        let Conn::Cluster(conn, replicas) = self else {
            return Ok(None);
        };
        if replicas.stale() {
            let nodes = conn
                .clone()
                .route_command(
                    redis::cmd("CLUSTER").arg("NODES").to_owned(),
                    RoutingInfo::SingleNode(SingleNodeRoutingInfo::Random),
                )
                .await;
            let read = match nodes {
                Ok(reply) => redis::from_redis_value::<String>(reply).map_err(redis::RedisError::from),
                Err(err) => Err(err),
            };
            match read {
                Ok(nodes) => replicas.read(&nodes),
                Err(err) => tracing::warn!(error = %err, "cannot read the cluster's replicas"),
            }
        }
        if !replicas.worth_waiting() {
            return Ok(None);
        }
        let mut wait = redis::cmd("WAIT");
        wait.arg(1).arg(REPLICATION_WAIT.as_millis() as u64);
        let route = Route::with_key(key, SlotAddr::Master);
        let reply = conn
            .clone()
            .route_command(wait, RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(route)))
            .await?;
        let confirmed: u64 = redis::from_redis_value(reply)?;
        if confirmed == 0 {
            replicas.forget();
        }
        Ok(Some(confirmed))
    }

    /// The command that publishes on a channel: sharded on a cluster, so
    /// that a room's events travel in its slot.
    pub fn publish_command(&self) -> &'static str {
        match self {
            Conn::Single(_) => "PUBLISH",
            Conn::Cluster(..) => "SPUBLISH",
        }
    }
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Single(conn) => conn.req_packed_command(cmd),
            Conn::Cluster(conn, _) => conn.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Single(conn) => conn.req_packed_commands(pipeline, offset, count),
            Conn::Cluster(conn, _) => conn.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(conn) => conn.get_db(),
            Conn::Cluster(conn, _) => conn.get_db(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_urls_are_split_on_commas() {
        assert_eq!(
            RedisTarget::cluster(" redis://127.0.0.1:7000, redis://127.0.0.1:7001,,"),
            RedisTarget::Cluster(vec![
                "redis://127.0.0.1:7000".into(),
                "redis://127.0.0.1:7001".into()
            ])
        );
    }
}
