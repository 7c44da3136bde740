//! The store: the only code that talks to Redis.
//!
//! `Store` is cheap to clone (a multiplexed connection that reconnects by
//! itself). Its methods are grouped by area: users, sessions, attempts,
//! rooms, messages.
//! Keys come from [`keys`], scripts from [`scripts`].

mod attempts;
mod blocks;
mod changes;
mod conn;
mod credentials;
mod events;
pub mod keys;
mod layout;
mod messages;
mod presence;
mod replicas;
mod retention;
mod rooms;
mod scripts;
mod search;
mod sessions;
mod users;

use std::sync::atomic::{AtomicU64, Ordering};

use redis::AsyncCommands;

use crate::error::AppError;
use crate::model::{RoomId, RoomName};

pub use changes::{Change, ChangeOutcome, Changed};
pub use conn::{Conn, RedisTarget};
pub use credentials::{ApiToken, HookSecret, HookTarget, TokenOwner, MAX_HOOKS_PER_PERSON};
pub use keys::Keys;
pub use events::BusSubscriber;
pub use messages::{Draft, Budget, SendOutcome, Via};
pub use presence::{Flip, Heartbeat, PresenceChange};
pub use retention::Retention;
pub use sessions::SessionToken;
pub use users::{PasswordHash, StoredUser};

/// A failure to talk to Redis or to read what it holds.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("stored data is not as expected: {0}")]
    Corrupt(String),
}

/// Requests (and socket frames) that failed on a store error, since the
/// process started: for `/metrics`.
static FAILURES: AtomicU64 = AtomicU64::new(0);

/// See [`FAILURES`].
pub fn failures_so_far() -> u64 {
    FAILURES.load(Ordering::Relaxed)
}

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        FAILURES.fetch_add(1, Ordering::Relaxed);
        tracing::error!(error = %err, "store failure");
        match &err {
            // Redis is away, or a cluster is between masters, or it is
            // full (maxmemory with noeviction): try again later.
            StoreError::Redis(e)
                if e.code() == Some("OOM")
                    || e.is_connection_dropped()
                    || e.is_io_error()
                    || e.is_timeout()
                    || e.is_cluster_error()
                    || e.kind() == redis::ErrorKind::ClusterConnectionNotFound =>
            {
                AppError::Unavailable
            }
            _ => AppError::Internal,
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone)]
pub struct Store {
    target: RedisTarget,
    conn: Conn,
    keys: Keys,
}

impl Store {
    /// Connects to one Redis or a cluster; every key gets `key_prefix`.
    pub async fn connect(target: &RedisTarget, key_prefix: &str) -> StoreResult<Self> {
        let conn = Conn::open(target).await?;
        Ok(Store {
            target: target.clone(),
            conn,
            keys: Keys::new(key_prefix),
        })
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    /// Answers whether Redis answers.
    pub async fn ping(&self) -> StoreResult<()> {
        let mut conn = self.conn.clone();
        redis::cmd("PING").query_async::<String>(&mut conn).await?;
        Ok(())
    }

    /// Brings an earlier release's keys to this layout, then makes what
    /// every instance relies on: the room `General` (its name, its claim,
    /// its place in the public index; each step idempotent).
    pub async fn ensure_defaults(&self) -> StoreResult<()> {
        self.upgrade_layout().await?;
        let mut conn = self.conn.clone();
        let general = RoomName::parse("General").map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let _: () = redis::cmd("SET")
            .arg(self.keys.room_name(&RoomId::GENERAL))
            .arg(general.as_str())
            .arg("NX")
            .query_async(&mut conn)
            .await?;
        let _: () = redis::cmd("SET")
            .arg(self.keys.room_by_name(&general))
            .arg(RoomId::GENERAL.to_string())
            .arg("NX")
            .query_async(&mut conn)
            .await?;
        let _: () = conn
            .zadd(self.keys.public_room_index(), rooms::general_index_entry(&general), 0)
            .await?;
        self.upgrade_public_index().await
    }

    /// Runs independent commands, on keys in any slots, and answers their
    /// replies in order: one pipeline on one Redis.
    async fn each<T: redis::FromRedisValue>(
        &self,
        commands: impl IntoIterator<Item = redis::Cmd>,
    ) -> StoreResult<Vec<T>> {
        let replies = self.conn.each(commands.into_iter().collect()).await?;
        replies
            .into_iter()
            .map(|reply| redis::from_redis_value(reply).map_err(|e| redis::RedisError::from(e).into()))
            .collect()
    }

    /// The command that publishes on a channel from a script.
    fn publish_command(&self) -> &'static str {
        self.conn.publish_command()
    }

    fn conn(&self) -> Conn {
        self.conn.clone()
    }
}
