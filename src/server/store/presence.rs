//! Presence in Redis: sockets counted per user per instance, instance
//! heartbeats, and the `online_users` set as the readable view.

use redis::AsyncCommands;

use crate::model::{RoomId, User, UserId, Username};
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
    /// The instance stops: none.
    Gone,
    /// A peer found the instance dead: none, unless it has beaten again.
    Reaped,
}

/// A user's presence flipped: online or not, and the flip's version (each
/// flip of a user takes the next one, so a stale announcement is known).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flip {
    pub online: bool,
    pub version: u64,
}

impl Store {
    /// Applies a change; answers the flip when the user came online or
    /// went offline everywhere by it.
    pub async fn change_presence(
        &self,
        instance: &InstanceId,
        user: &User,
        change: PresenceChange,
    ) -> StoreResult<Option<Flip>> {
        let online = matches!(change, PresenceChange::Opened | PresenceChange::Reset(_));
        let mut conn = self.conn();
        let (script, mode, count) = match change {
            PresenceChange::Opened => (&scripts::PRESENCE_UP, "incr", 1),
            PresenceChange::Reset(count) => (&scripts::PRESENCE_UP, "set", count),
            PresenceChange::Closed => (&scripts::PRESENCE_DOWN, "one", 0),
            PresenceChange::Gone => (&scripts::PRESENCE_DOWN, "all", 0),
            PresenceChange::Reaped => (&scripts::PRESENCE_DOWN, "dead", 0),
        };
        let mut invocation = script.key(self.keys.presence(user.id));
        invocation
            .key(self.keys.online_users())
            .key(self.keys.instance_users(instance));
        if !online {
            invocation.key(self.keys.instance_alive(instance));
        }
        invocation
            .key(self.keys.presence_version(user.id))
            .arg(instance.as_str())
            .arg(user.id.0)
            .arg(mode);
        if online {
            invocation.arg(count);
        }
        let version: u64 = invocation.invoke_async(&mut conn).await?;
        Ok((version > 0).then_some(Flip { online, version }))
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
        let mut conn = self.conn();
        let ids: Vec<String> = conn.smembers(self.keys.user_rooms(user.id)).await?;
        let rooms: Vec<RoomId> = ids.iter().filter_map(|id| RoomId::parse(id).ok()).collect();
        if rooms.is_empty() {
            return Ok(());
        }
        let mut sizes = redis::pipe();
        for room in &rooms {
            sizes.scard(self.keys.room_members(room));
        }
        let sizes: Vec<u64> = sizes.query_async(&mut conn).await?;
        let small: Vec<RoomId> = rooms
            .into_iter()
            .zip(sizes)
            .filter(|(_, size)| *size <= room_limit)
            .map(|(room, _)| room)
            .collect();
        if small.is_empty() {
            return Ok(());
        }
        let mut publish = redis::pipe();
        for room in small {
            let event = BusEvent::Presence {
                user: user.clone(),
                online: flip.online,
                room_id: room.clone(),
                version: flip.version,
            };
            let json =
                serde_json::to_string(&event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            publish.publish(self.keys.room_channel(&room), json).ignore();
        }
        publish.query_async::<()>(&mut conn).await?;
        Ok(())
    }

    /// Refreshes an instance's heartbeat; answers whether it had lapsed (so
    /// peers may have cleared what the instance held).
    pub async fn heartbeat(&self, instance: &InstanceId, ttl_secs: u64) -> StoreResult<bool> {
        let mut conn = self.conn();
        let (previous,): (Option<String>,) = redis::pipe()
            .sadd(self.keys.instances(), instance.as_str())
            .ignore()
            .cmd("SET")
            .arg(self.keys.instance_alive(instance))
            .arg(1)
            .arg("EX")
            .arg(ttl_secs)
            .arg("GET")
            .query_async(&mut conn)
            .await?;
        Ok(previous.is_none())
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

    /// The users a (dead) instance held sockets for.
    pub async fn instance_users(&self, instance: &InstanceId) -> StoreResult<Vec<UserId>> {
        let mut conn = self.conn();
        let ids: Vec<u64> = conn.smembers(self.keys.instance_users(instance)).await?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    /// Forgets an instance once everything it held is cleared: one that
    /// stops (`dead` false), or one a peer found dead (`dead` true), which
    /// is kept if it has beaten again since. Answers whether it was forgotten.
    pub async fn forget_instance(&self, instance: &InstanceId, dead: bool) -> StoreResult<bool> {
        let mut conn = self.conn();
        let forgotten: i64 = scripts::FORGET_INSTANCE
            .key(self.keys.instances())
            .key(self.keys.instance_users(instance))
            .key(self.keys.instance_alive(instance))
            .arg(if dead { "dead" } else { "stopped" })
            .arg(instance.as_str())
            .invoke_async(&mut conn)
            .await?;
        Ok(forgotten == 1)
    }

    /// Everyone online now, by name.
    pub async fn online_users(&self) -> StoreResult<Vec<User>> {
        let mut conn = self.conn();
        let ids: Vec<u64> = conn.smembers(self.keys.online_users()).await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for id in &ids {
            pipe.hget(self.keys.user(UserId(*id)), "username");
        }
        let names: Vec<Option<String>> = pipe.query_async(&mut conn).await?;
        let mut users: Vec<User> = ids
            .into_iter()
            .zip(names)
            .filter_map(|(id, name)| {
                Some(User {
                    id: UserId(id),
                    username: Username::parse(&name?).ok()?,
                })
            })
            .collect();
        users.sort_by_key(|u| u.username.canonical());
        Ok(users)
    }
}
