//! Presence in Redis: sockets counted per user per instance, instance
//! heartbeats and the claims of peers that clear dead ones, and the set of
//! online users as the readable view.

use redis::AsyncCommands;

use crate::model::{RoomId, User, UserId};
use crate::server::events::{BusEvent, InstanceId};

use super::{scripts, Store, StoreError, StoreResult};

/// How a user's socket count on an instance changes.
pub enum PresenceChange {
    /// One more socket.
    Opened,
    /// One socket fewer.
    Closed,
    /// The instance holds exactly this many (after its heartbeat lapsed).
    Reset(u64),
    /// None any more: the instance stops, or a peer clears a dead one.
    Gone,
}

/// A user's presence flipped: online or not, and the flip's version (each
/// flip of a user takes the next one, so a stale announcement is known).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flip {
    pub online: bool,
    pub version: u64,
}

/// What a heartbeat found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heartbeat {
    /// It had lapsed: peers may have cleared what the instance held.
    pub lapsed: bool,
    /// A peer is clearing it still: count users in again only after.
    pub reaping: bool,
}

/// How long a peer's claim to clear a dead instance lasts at most.
const REAPING_SECS: u64 = 60;

impl Store {
    /// Applies a change; answers the flip when the user came online or
    /// went offline everywhere by it.
    ///
    /// Three slots, in this order: the instance's user set (on the way up
    /// only: it lists at least the users with sockets there, and is cleared
    /// with the instance; taking a user out when their last socket there
    /// closes could race with their next socket opening), the user's
    /// socket counts (the truth, which takes the version), and the set of
    /// online users (which applies flips newest-version-wins). A crash
    /// between steps leaves an instance listing a user it has no socket of
    /// (clearing it is a no-op), or an online set one flip behind until the
    /// user's next flip or the instance is cleared.
    /// How many sockets `user` has open on every instance together.
    pub async fn open_sockets(&self, user: UserId) -> StoreResult<u64> {
        let mut conn = self.conn();
        let counts: Vec<i64> = conn.hvals(self.keys.presence(user)).await?;
        Ok(counts.into_iter().map(|n| n.max(0).unsigned_abs()).sum())
    }

    pub async fn change_presence(
        &self,
        instance: &InstanceId,
        user: &User,
        change: PresenceChange,
    ) -> StoreResult<Option<Flip>> {
        let mut conn = self.conn();
        let online = matches!(change, PresenceChange::Opened | PresenceChange::Reset(_));
        let version: u64 = if online {
            let _: () = conn
                .sadd(self.keys.instance_users(instance), user.id.0)
                .await?;
            let (mode, count) = match change {
                PresenceChange::Reset(count) => ("set", count),
                _ => ("incr", 1),
            };
            let version: u64 = scripts::PRESENCE_UP
                .key(self.keys.presence(user.id))
                .key(self.keys.presence_version(user.id))
                .arg(instance.as_str())
                .arg(mode)
                .arg(count)
                .invoke_async(&mut conn)
                .await?;
            version
        } else {
            let mode = if matches!(change, PresenceChange::Closed) {
                "one"
            } else {
                "all"
            };
            scripts::PRESENCE_DOWN
                .key(self.keys.presence(user.id))
                .key(self.keys.presence_version(user.id))
                .arg(instance.as_str())
                .arg(mode)
                .invoke_async(&mut conn)
                .await?
        };
        let flip = (version > 0).then_some(Flip { online, version });
        if let Some(flip) = flip {
            let _: i64 = scripts::APPLY_PRESENCE
                .key(self.keys.online_users())
                .key(self.keys.online_versions())
                .arg(user.id.0)
                .arg(if flip.online { "1" } else { "0" })
                .arg(flip.version)
                .invoke_async(&mut conn)
                .await?;
        }
        Ok(flip)
    }

    /// Announces a flip to the people who see it: on the channel of each
    /// of the user's rooms with at most `room_limit` members (direct rooms
    /// always have two). A bigger room (General, in a big deployment)
    /// carries no presence; `/api/users/online` lists everyone online.
    pub async fn announce_presence(
        &self,
        user: &User,
        flip: Flip,
        room_limit: u64,
    ) -> StoreResult<()> {
        let rooms = self.room_ids_of(user.id).await?;
        if rooms.is_empty() {
            return Ok(());
        }
        let sizes: Vec<u64> = self
            .each(rooms.iter().map(|room| {
                let mut cmd = redis::cmd("SCARD");
                cmd.arg(self.keys.room_members(room));
                cmd
            }))
            .await?;
        let small: Vec<RoomId> = rooms
            .into_iter()
            .zip(sizes)
            .filter(|(_, size)| *size <= room_limit)
            .map(|(room, _)| room)
            .collect();
        if small.is_empty() {
            return Ok(());
        }
        let mut publishes = Vec::with_capacity(small.len());
        for room in small {
            let event = BusEvent::Presence {
                user: user.clone(),
                online: flip.online,
                room_id: room.clone(),
                version: flip.version,
            };
            let json =
                serde_json::to_string(&event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let mut cmd = redis::cmd(self.publish_command());
            cmd.arg(self.keys.room_channel(&room)).arg(json);
            publishes.push(cmd);
        }
        let _: Vec<i64> = self.each(publishes).await?;
        Ok(())
    }

    /// Refreshes an instance's heartbeat (and its place in the instance
    /// set, another slot).
    pub async fn heartbeat(&self, instance: &InstanceId, ttl_secs: u64) -> StoreResult<Heartbeat> {
        let mut conn = self.conn();
        let _: () = conn.sadd(self.keys.instances(), instance.as_str()).await?;
        let (lapsed, reaping): (u8, u8) = scripts::HEARTBEAT
            .key(self.keys.instance_alive(instance))
            .key(self.keys.instance_reaping(instance))
            .arg(ttl_secs)
            .invoke_async(&mut conn)
            .await?;
        Ok(Heartbeat {
            lapsed: lapsed == 1,
            reaping: reaping == 1,
        })
    }

    /// Instances whose heartbeat has lapsed.
    pub async fn dead_instances(&self) -> StoreResult<Vec<InstanceId>> {
        let mut conn = self.conn();
        let instances: Vec<String> = conn.smembers(self.keys.instances()).await?;
        let mut dead = Vec::new();
        for instance in instances.into_iter().map(InstanceId::from) {
            if !conn
                .exists::<_, bool>(self.keys.instance_alive(&instance))
                .await?
            {
                dead.push(instance);
            }
        }
        Ok(dead)
    }

    /// Claims the right to clear a dead instance's users: refused while it
    /// has a heartbeat, and while another peer holds the claim. An instance
    /// that beats again meanwhile counts its users in only once the claim
    /// ends ([`Heartbeat::reaping`]), so no clearing undoes its recount.
    pub async fn claim_dead_instance(&self, instance: &InstanceId) -> StoreResult<bool> {
        let claimed: i64 = scripts::CLAIM_DEAD_INSTANCE
            .key(self.keys.instance_alive(instance))
            .key(self.keys.instance_reaping(instance))
            .arg(REAPING_SECS)
            .invoke_async(&mut self.conn())
            .await?;
        Ok(claimed == 1)
    }

    /// The users a (dead) instance held sockets for.
    pub async fn instance_users(&self, instance: &InstanceId) -> StoreResult<Vec<UserId>> {
        let mut conn = self.conn();
        let ids: Vec<u64> = conn.smembers(self.keys.instance_users(instance)).await?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    /// Forgets an instance once its users are cleared (by itself as it
    /// stops, or by the peer that claimed it): its user set and the claim,
    /// then its entry in the instance set.
    pub async fn forget_instance(&self, instance: &InstanceId) -> StoreResult<()> {
        let mut conn = self.conn();
        let _: () = conn
            .del(&[
                self.keys.instance_users(instance),
                self.keys.instance_reaping(instance),
            ])
            .await?;
        let _: () = conn.srem(self.keys.instances(), instance.as_str()).await?;
        Ok(())
    }

    /// Everyone online now, by name.
    pub async fn online_users(&self) -> StoreResult<Vec<User>> {
        let mut conn = self.conn();
        let ids: Vec<u64> = conn.smembers(self.keys.online_users()).await?;
        self.users_by_name(ids.into_iter().map(UserId)).await
    }
}
