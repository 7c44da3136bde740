//! Attempt counters in fixed windows, shared by every instance.

use std::time::Duration;

use super::{scripts, Store, StoreResult};

impl Store {
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
