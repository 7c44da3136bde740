//! The store: the only code that talks to Redis.
//!
//! `Store` is cheap to clone (a multiplexed connection that reconnects by
//! itself). Its methods are grouped by area: users, sessions, attempts,
//! rooms, messages.
//! Keys come from [`keys`], scripts from [`scripts`].

mod attempts;
mod events;
pub mod keys;
mod messages;
mod presence;
mod rooms;
mod scripts;
mod sessions;
mod users;

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::error::AppError;
use crate::model::{RoomId, RoomName};

pub use keys::Keys;
pub use events::BusSubscriber;
pub use messages::{Draft, SendLimits, SendOutcome};
pub use presence::{Flip, PresenceChange};
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

impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        tracing::error!(error = %err, "store failure");
        match &err {
            StoreError::Redis(e)
                if e.is_connection_dropped() || e.is_io_error() || e.is_timeout() =>
            {
                AppError::Unavailable
            }
            _ => AppError::Internal,
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// How long a command may wait for its reply. The client's default (0.5 s)
/// refused sends on an instance busy fanning out, though Redis had stored
/// them; a Redis that is gone fails the connection at once anyway.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone)]
pub struct Store {
    client: redis::Client,
    conn: ConnectionManager,
    keys: Keys,
}

impl Store {
    /// Connects to `redis_url`; every key gets `key_prefix`.
    pub async fn connect(redis_url: &str, key_prefix: &str) -> StoreResult<Self> {
        let client = redis::Client::open(redis_url)?;
        let config = ConnectionManagerConfig::new().set_response_timeout(Some(RESPONSE_TIMEOUT));
        let conn = ConnectionManager::new_with_config(client.clone(), config).await?;
        Ok(Store {
            client,
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

    /// Makes what every instance relies on: the room `General`.
    pub async fn ensure_defaults(&self) -> StoreResult<()> {
        let mut conn = self.conn.clone();
        let general = RoomName::parse("General").map_err(|e| StoreError::Corrupt(e.to_string()))?;
        redis::pipe()
            .atomic()
            .cmd("SADD")
            .arg(self.keys.public_rooms())
            .arg(RoomId::GENERAL.to_string())
            .ignore()
            .cmd("SET")
            .arg(self.keys.room_by_name(&general))
            .arg(RoomId::GENERAL.to_string())
            .arg("NX")
            .ignore()
            .cmd("SET")
            .arg(self.keys.room_name(&RoomId::GENERAL))
            .arg(general.as_str())
            .arg("NX")
            .query_async::<()>(&mut conn)
            .await?;
        Ok(())
    }

    fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }
}
