//! Attempt counters in fixed windows, and gates that let one event through
//! per interval, shared by every instance.

use std::time::Duration;

use redis::AsyncCommands;

use crate::model::{RoomId, UserId};

use super::{scripts, Store, StoreResult};

impl Store {
    /// The number a counter holds (0 when it was never counted).
    pub async fn counter(&self, key: String) -> StoreResult<u64> {
        let mut conn = self.conn();
        let count: Option<u64> = conn.get(key).await?;
        Ok(count.unwrap_or(0))
    }

    /// Adds one to a counter.
    pub async fn count_one(&self, key: String) -> StoreResult<()> {
        let mut conn = self.conn();
        let _: u64 = conn.incr(key, 1).await?;
        Ok(())
    }

    /// Whether `user` may announce typing in `room` now: true at most once
    /// per `every`, across all their sockets on every instance.
    pub async fn claim_typing(&self, room: &RoomId, user: UserId, every: Duration) -> StoreResult<bool> {
        let mut conn = self.conn();
        let options = redis::SetOptions::default()
            .conditional_set(redis::ExistenceCheck::NX)
            .with_expiration(redis::SetExpiry::PX(
                u64::try_from(every.as_millis()).unwrap_or(u64::MAX),
            ));
        let claimed: Option<String> = conn
            .set_options(self.keys.room_typing(room, user), 1, options)
            .await?;
        Ok(claimed.is_some())
    }

    /// Counts one attempt against `key` and says how many the window holds,
    /// this one included.
    pub async fn count_attempt(&self, key: String, window: Duration) -> StoreResult<u64> {
        let mut conn = self.conn();
        let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
        Ok(scripts::COUNT_ATTEMPT
            .key(key)
            .arg(window_ms)
            .invoke_async(&mut conn)
            .await?)
    }
}
