//! Presence in Redis: sockets counted per user per instance, instance
//! heartbeats, and the `online_users` set as the readable view.

use redis::AsyncCommands;

use crate::model::{User, UserId, Username};
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

impl Store {
    /// Applies a change and announces the user online or offline when that
    /// flips; answers whether it did.
    pub async fn change_presence(
        &self,
        instance: &InstanceId,
        user: &User,
        change: PresenceChange,
    ) -> StoreResult<bool> {
        let online = matches!(change, PresenceChange::Opened | PresenceChange::Reset(_));
        let event = BusEvent::Presence {
            user: user.clone(),
            online,
        };
        let event =
            serde_json::to_string(&event).map_err(|e| StoreError::Corrupt(e.to_string()))?;
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
        invocation.arg(instance.as_str()).arg(user.id.0).arg(mode);
        if online {
            invocation.arg(count);
        }
        let flipped: i64 = invocation
            .arg(self.keys.presence_channel())
            .arg(event)
            .invoke_async(&mut conn)
            .await?;
        Ok(flipped == 1)
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
