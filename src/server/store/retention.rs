//! Retention in Redis: a room's oldest messages past its limits are
//! dropped with everything that points at them (changes, mentions, the
//! search index), one script call in the room's slot per batch. The
//! sweep that calls it is `server::retention`.

use super::{scripts, Store, StoreResult};
use crate::model::RoomId;

/// Messages one script call drops at most: a bound on how long one call
/// holds Redis.
const TRIM_BATCH: u32 = 500;

/// How much history a room keeps: at most `messages` of them (0: any
/// number), none sent before `sent_after_ms` (Unix ms; 0: any age).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    pub messages: u64,
    pub sent_after_ms: u64,
}

impl Store {
    /// Drops `room`'s messages past `retention`, oldest first; answers how
    /// many it dropped.
    pub async fn trim_room(&self, room: &RoomId, retention: Retention) -> StoreResult<usize> {
        let mut conn = self.conn();
        let mut dropped = 0;
        loop {
            let batch: u32 = scripts::TRIM_ROOM
                .key(self.keys.room_messages(room))
                .key(self.keys.room_changes(room))
                .key(self.keys.room_mentions(room))
                .key(self.keys.room_search(room))
                .key(self.keys.room_search_words(room))
                .arg(retention.messages)
                .arg(retention.sent_after_ms)
                .arg(TRIM_BATCH)
                .invoke_async(&mut conn)
                .await?;
            dropped += batch as usize;
            if batch < TRIM_BATCH {
                return Ok(dropped);
            }
        }
    }

    /// Applies `retention` to every room; answers the rooms it looked at
    /// and the messages it dropped.
    pub async fn trim_every_room(&self, retention: Retention) -> StoreResult<(usize, usize)> {
        let rooms = self.every_room().await?;
        let mut dropped = 0;
        for room in &rooms {
            dropped += self.trim_room(room, retention).await?;
        }
        Ok((rooms.len(), dropped))
    }

    /// Takes the right to sweep for `secs` seconds, if no instance holds
    /// it: one sweep per period across every instance.
    pub async fn take_retention_turn(&self, secs: u64) -> StoreResult<bool> {
        let taken: Option<String> = redis::cmd("SET")
            .arg(self.keys.retention_turn())
            .arg(1)
            .arg("NX")
            .arg("EX")
            .arg(secs.max(1))
            .query_async(&mut self.conn())
            .await?;
        Ok(taken.is_some())
    }
}
