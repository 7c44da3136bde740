//! The key layout's version, and the upgrades to this one: from layout 1
//! (keys without hash tags, before Redis Cluster), from layout 2 (rooms
//! without revisions), from layout 3 (no search index) and from layout 4
//! (room names claimed by their lowercase, not their look) and from layout
//! 5 (search words only lowercased, not folded in full). Run once, by
//! one instance, before any instance serves; every step can run again
//! after a crash.

use std::time::Duration;

use redis::AsyncCommands;

use super::keys::legacy::Legacy;
use super::keys::LAYOUT_VERSION;
use super::{Store, StoreError, StoreResult};

/// How long the upgrading instance holds its lock at most; the others wait
/// for it that long.
const LOCK_SECS: u64 = 600;
/// How often a waiting instance looks whether the upgrade is done.
const WAIT_STEP: Duration = Duration::from_millis(200);
/// Keys read per SCAN.
const SCAN_COUNT: usize = 1000;

impl Store {
    /// Brings the keys to [`LAYOUT_VERSION`]: a new deployment just records
    /// it; one of layout 1 has its users' and rooms' keys renamed, read
    /// marks moved into their rooms, and passing state (presence, budgets,
    /// nonces) dropped; one of layout 1 or 2 has each room's messages
    /// entered in its changes, each at the rev of its seq; one of layout 3
    /// or before has each room's history entered in its search index.
    pub(super) async fn upgrade_layout(&self) -> StoreResult<()> {
        let mut conn = self.conn();
        let layout = self.keys.layout();
        let version: Option<u32> = conn.get(&layout).await?;
        match version {
            Some(v) if v >= LAYOUT_VERSION => return Ok(()),
            Some(v) => tracing::info!(from = v, to = LAYOUT_VERSION, "upgrading the key layout"),
            None if !conn.exists(self.keys.total_users()).await? => {
                let _: () = conn.set(&layout, LAYOUT_VERSION).await?;
                return Ok(());
            }
            None => tracing::info!(
                to = LAYOUT_VERSION,
                "upgrading the key layout of an earlier release"
            ),
        }
        let lock = self.keys.layout_lock();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(LOCK_SECS);
        loop {
            let locked: bool = redis::cmd("SET")
                .arg(&lock)
                .arg(1)
                .arg("NX")
                .arg("EX")
                .arg(LOCK_SECS)
                .query_async::<Option<String>>(&mut conn)
                .await?
                .is_some();
            if locked {
                break;
            }
            // Another instance upgrades: wait for it.
            let version: Option<u32> = conn.get(&layout).await?;
            if version.is_some_and(|v| v >= LAYOUT_VERSION) {
                return Ok(());
            }
            if tokio::time::Instant::now() > deadline {
                return Err(StoreError::Corrupt(
                    "another instance holds the layout upgrade lock and has not finished".into(),
                ));
            }
            tokio::time::sleep(WAIT_STEP).await;
        }
        if version.is_none_or(|v| v < 2) {
            let moved = self.move_legacy_keys().await?;
            self.drop_passing_state().await?;
            tracing::info!(keys = moved, "keys moved to hash-tagged names");
        }
        let rooms = self.give_rooms_revisions().await?;
        if version.is_none_or(|v| v < 4) {
            let mut indexed = 0;
            for room in self.every_room().await? {
                indexed += self.index_room(&room).await?;
            }
            tracing::info!(messages = indexed, "the history is indexed for search");
        }
        if version.is_none_or(|v| v < 5) {
            let claimed = self.claim_room_looks().await?;
            tracing::info!(
                rooms = claimed,
                "public room names are claimed by their look"
            );
        }
        // An index made by layout 4 or 5 holds words folded the old way
        // (one made above, from layout 3 or before, is folded already).
        if version.is_some_and(|v| (4..6).contains(&v)) {
            let mut indexed = 0;
            for room in self.every_room().await? {
                indexed += self.index_room_again(&room).await?;
            }
            tracing::info!(messages = indexed, "the search index is folded again");
        }
        let _: () = conn.set(&layout, LAYOUT_VERSION).await?;
        let _: () = conn.del(&lock).await?;
        tracing::info!(rooms, "the key layout is upgraded");
        Ok(())
    }

    /// Enters every stored message of every room in the room's changes at
    /// the rev of its seq, and starts the room's revisions at its last
    /// seq. A room that has revisions is
    /// done already; the counter is set last, so a crash midway redoes
    /// the room.
    async fn give_rooms_revisions(&self) -> StoreResult<usize> {
        let mut conn = self.conn();
        let mut upgraded = 0;
        for room in &self.every_room().await? {
            if conn.exists(self.keys.room_rev(room)).await? {
                continue;
            }
            let mut after = 0u64;
            loop {
                let page: Vec<(String, u64)> = redis::cmd("ZRANGE")
                    .arg(self.keys.room_messages(room))
                    .arg(format!("({after}"))
                    .arg("+inf")
                    .arg("BYSCORE")
                    .arg("LIMIT")
                    .arg(0)
                    .arg(SCAN_COUNT)
                    .arg("WITHSCORES")
                    .query_async(&mut conn)
                    .await?;
                let Some(last) = page.last().map(|(_, seq)| *seq) else {
                    break;
                };
                let entries: Vec<(u64, String)> = page
                    .iter()
                    .map(|(_, seq)| (*seq, format!("{seq}:{seq}")))
                    .collect();
                let _: () = conn
                    .zadd_multiple(self.keys.room_changes(room), &entries)
                    .await?;
                after = last;
            }
            let seq: Option<u64> = conn.get(self.keys.room_seq(room)).await?;
            let _: () = conn
                .set_nx(self.keys.room_rev(room), seq.unwrap_or(0))
                .await?;
            upgraded += 1;
        }
        Ok(upgraded)
    }

    /// Claims each public room's name by its look-alike skeleton (layout
    /// 5), oldest room first, and drops its lowercase claim. Two rooms
    /// whose names look alike keep both their names; the older holds the
    /// claim. Each step is idempotent: a crash midway is redone.
    async fn claim_room_looks(&self) -> StoreResult<usize> {
        let mut conn = self.conn();
        let last: Option<u64> = conn.get(self.keys.total_rooms()).await?;
        let mut claimed = 0;
        for id in 0..=last.unwrap_or(0) {
            let room = crate::model::RoomId::Public(id);
            let Some(name) = self.public_room_name(&room).await? else {
                continue;
            };
            let Ok(name) = crate::model::RoomName::parse(&name) else {
                tracing::warn!(room = %room, "a stored room name no longer passes the rules");
                continue;
            };
            let _: bool = conn
                .set_nx(self.keys.room_by_name(&name), room.to_string())
                .await?;
            let _: () = conn.del(self.keys.legacy().room_by_name(&name)).await?;
            claimed += 1;
        }
        Ok(claimed)
    }

    /// Renames every key of a user or a room; answers how many it moved.
    async fn move_legacy_keys(&self) -> StoreResult<usize> {
        let mut conn = self.conn();
        let legacy = self.keys.legacy();
        let mut moved = 0;
        for pattern in legacy.patterns() {
            for key in self.scan(&pattern).await? {
                match legacy.classify(&key) {
                    Some(Legacy::Move(to)) => {
                        let to = self.keys.within_prefix(&to);
                        // Gone already: moved by an upgrade that crashed after.
                        if conn.exists(&key).await? {
                            let _: () = conn.rename(&key, to).await?;
                            moved += 1;
                        }
                    }
                    Some(Legacy::ReadMarks(user)) => {
                        let marks: Vec<(String, u64)> = conn.hgetall(&key).await?;
                        for (room, seq) in marks {
                            let room = crate::model::RoomId::parse(&room)
                                .map_err(|e| StoreError::Corrupt(format!("{key}: {e}")))?;
                            let _: () = conn.hset(self.keys.room_read(&room), user, seq).await?;
                        }
                        let _: () = conn.del(&key).await?;
                        moved += 1;
                    }
                    None => tracing::warn!(%key, "a key of no known kind is left as it is"),
                }
            }
        }
        Ok(moved)
    }

    /// Deletes layout 1's presence, budgets and nonces: sockets count
    /// themselves in again as they reconnect, and the rest is minutes old.
    async fn drop_passing_state(&self) -> StoreResult<()> {
        let mut conn = self.conn();
        for pattern in self.keys.legacy().passing() {
            let keys = if pattern.ends_with('*') {
                self.scan(&pattern).await?
            } else {
                vec![pattern]
            };
            for chunk in keys.chunks(SCAN_COUNT) {
                let _: () = conn.del(chunk).await?;
            }
        }
        Ok(())
    }

    /// Every key matching `pattern` (one node: the upgrade runs on a single
    /// Redis; a cluster deployment starts at this layout).
    async fn scan(&self, pattern: &str) -> StoreResult<Vec<String>> {
        let mut conn = self.conn();
        let mut cursor: u64 = 0;
        let mut keys = Vec::new();
        loop {
            let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(pattern)
                .arg("COUNT")
                .arg(SCAN_COUNT)
                .query_async(&mut conn)
                .await?;
            keys.extend(batch);
            if next == 0 {
                break;
            }
            cursor = next;
        }
        keys.sort();
        keys.dedup();
        Ok(keys)
    }
}
