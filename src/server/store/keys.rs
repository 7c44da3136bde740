//! `Keys`: builds every Redis key Confab uses, behind the configured prefix.
//!
//! Nothing else in the code base spells a key. With prefix `P`:
//!
//! | key                            | type   | holds                                          |
//! |--------------------------------|--------|------------------------------------------------|
//! | `P:total_users`                | string | INCR counter that hands out user ids           |
//! | `P:demo_seeded`                | string | set once demo data was written                 |
//! | `P:user:{id}`                  | hash   | `username` (as typed), `password` (argon2 PHC) |
//! | `P:username:{lowercase name}`  | string | the user id that owns the name                 |
//! | `P:user:{id}:rooms`            | set    | ids of the rooms the user belongs to           |
//! | `P:user:{id}:read`             | hash   | room id -> the last seq the user has read      |
//! | `P:total_rooms`                | string | INCR counter that hands out public room ids    |
//! | `P:public_rooms`               | set    | ids of every public room                       |
//! | `P:room:{id}:name`             | string | a public room's name                           |
//! | `P:room_name:{lowercase name}` | string | the id of the public room with that name       |
//! | `P:room:{id}:members`          | set    | user ids of a room's members (public, direct)  |
//! | `P:room:{id}`                  | zset   | messages: member = Message JSON, score = seq   |
//! | `P:room:{id}:seq`              | string | INCR counter of the room's last seq            |
//! | `P:budget:send:{user id}`      | hash   | token bucket of a user's sends (tokens, ts)    |
//! | `P:sent:{user id}`             | hash   | "{room} {nonce}" -> seq of the user's last sends |
//! | `P:sent:{user id}:order`       | list   | those fields, newest first (to drop the oldest) |
//! | `P:session:{sha256 of token}`  | string | the user id of a session; TTL = session life   |
//! | `P:online_users`               | set    | ids of users with an open socket anywhere      |
//! | `P:presence:{user id}`         | hash   | instance id -> the user's open sockets there   |
//! | `P:presence:{user id}:version` | string | INCR counter: one per online/offline flip      |
//! | `P:instances`                  | set    | ids of instances that may hold sockets         |
//! | `P:instance:{id}:alive`        | string | an instance's heartbeat; TTL = liveness window |
//! | `P:instance:{id}:users`        | set    | users with sockets on that instance            |
//! | `P:attempts:login:user:{name}` | string | sign-in attempts for a username; TTL = window  |
//! | `P:attempts:login:addr:{ip}`   | string | sign-in attempts from an address; TTL = window |
//!
//! And the pub/sub channels that carry live events between instances
//! (docs/architecture.md, section 3). An instance follows a room's or a
//! user's channel only while it has a socket there:
//!
//! | channel                 | carries                                            |
//! |-------------------------|----------------------------------------------------|
//! | `P:room:{id}:live`      | the room's messages (from the send script), typing, and its members' presence (rooms of at most `CONFAB_PRESENCE_ROOM_LIMIT` people) |
//! | `P:user:{id}:live`      | a new room, a room left, a session signed out      |

use std::net::IpAddr;

use crate::model::{RoomId, RoomName, UserId, Username};
use crate::server::events::{InstanceId, Route, SessionFingerprint};

use super::SessionToken;

#[derive(Debug, Clone)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    pub fn new(prefix: impl Into<String>) -> Self {
        let mut prefix = prefix.into();
        if !prefix.is_empty() && !prefix.ends_with(':') {
            prefix.push(':');
        }
        Keys { prefix }
    }

    fn key(&self, rest: std::fmt::Arguments<'_>) -> String {
        format!("{}{}", self.prefix, rest)
    }

    pub fn total_users(&self) -> String {
        self.key(format_args!("total_users"))
    }

    pub fn demo_seeded(&self) -> String {
        self.key(format_args!("demo_seeded"))
    }

    pub fn user(&self, id: UserId) -> String {
        self.key(format_args!("user:{id}"))
    }

    pub fn username(&self, name: &Username) -> String {
        self.key(format_args!("username:{}", name.canonical()))
    }

    pub fn user_rooms(&self, id: UserId) -> String {
        self.key(format_args!("user:{id}:rooms"))
    }

    pub fn user_read(&self, id: UserId) -> String {
        self.key(format_args!("user:{id}:read"))
    }

    pub fn total_rooms(&self) -> String {
        self.key(format_args!("total_rooms"))
    }

    pub fn public_rooms(&self) -> String {
        self.key(format_args!("public_rooms"))
    }

    pub fn room_name(&self, room: &RoomId) -> String {
        self.key(format_args!("room:{room}:name"))
    }

    pub fn room_by_name(&self, name: &RoomName) -> String {
        self.key(format_args!("room_name:{}", name.canonical()))
    }

    pub fn room_members(&self, room: &RoomId) -> String {
        self.key(format_args!("room:{room}:members"))
    }

    pub fn room_messages(&self, room: &RoomId) -> String {
        self.key(format_args!("room:{room}"))
    }

    pub fn room_seq(&self, room: &RoomId) -> String {
        self.key(format_args!("room:{room}:seq"))
    }

    pub fn send_budget(&self, id: UserId) -> String {
        self.key(format_args!("budget:send:{id}"))
    }

    /// The seqs of a user's last sends over the socket, by room and nonce:
    /// a send repeated with its nonce is answered from here.
    pub fn sent_nonces(&self, id: UserId) -> String {
        self.key(format_args!("sent:{id}"))
    }

    /// The fields of [`Keys::sent_nonces`], newest first.
    pub fn sent_order(&self, id: UserId) -> String {
        self.key(format_args!("sent:{id}:order"))
    }

    /// The channel that carries `room`'s messages and typing.
    pub fn room_channel(&self, room: &RoomId) -> String {
        self.key(format_args!("room:{room}:live"))
    }

    /// The channel that carries what is addressed to `user`'s sockets.
    pub fn user_channel(&self, user: UserId) -> String {
        self.key(format_args!("user:{user}:live"))
    }

    /// The channel of a route.
    pub fn channel(&self, route: &Route) -> String {
        match route {
            Route::Room(room) => self.room_channel(room),
            Route::User(user) => self.user_channel(*user),
        }
    }

    pub fn session(&self, token: &SessionToken) -> String {
        self.session_by_fingerprint(&token.fingerprint())
    }

    /// The same key, from the fingerprint a socket keeps of its session.
    pub fn session_by_fingerprint(&self, fingerprint: &SessionFingerprint) -> String {
        self.key(format_args!("session:{}", fingerprint.0))
    }

    pub fn online_users(&self) -> String {
        self.key(format_args!("online_users"))
    }

    pub fn presence(&self, user: UserId) -> String {
        self.key(format_args!("presence:{user}"))
    }

    pub fn presence_version(&self, user: UserId) -> String {
        self.key(format_args!("presence:{user}:version"))
    }

    pub fn instances(&self) -> String {
        self.key(format_args!("instances"))
    }

    pub fn instance_alive(&self, instance: &InstanceId) -> String {
        self.key(format_args!("instance:{instance}:alive"))
    }

    pub fn instance_users(&self, instance: &InstanceId) -> String {
        self.key(format_args!("instance:{instance}:users"))
    }

    pub fn login_attempts_by_user(&self, name: &Username) -> String {
        self.key(format_args!("attempts:login:user:{}", name.canonical()))
    }

    pub fn login_attempts_by_addr(&self, addr: IpAddr) -> String {
        self.key(format_args!("attempts:login:addr:{addr}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_carry_the_prefix_and_fold_case() {
        let keys = Keys::new("t1");
        let alice = Username::parse("Alice").unwrap();
        assert_eq!(keys.username(&alice), "t1:username:alice");
        assert_eq!(keys.user(UserId(7)), "t1:user:7");
        assert_eq!(keys.user_rooms(UserId(7)), "t1:user:7:rooms");
        assert_eq!(keys.room_members(&RoomId::GENERAL), "t1:room:0:members");
        assert_eq!(
            keys.room_messages(&RoomId::parse("2:9").unwrap()),
            "t1:room:2:9"
        );
        assert_eq!(
            keys.room_by_name(&RoomName::parse("Rust").unwrap()),
            "t1:room_name:rust"
        );
        assert_eq!(Keys::new("confab:").total_users(), "confab:total_users");
        assert_eq!(
            keys.channel(&Route::Room(RoomId::GENERAL)),
            "t1:room:0:live"
        );
        assert_eq!(keys.channel(&Route::User(UserId(7))), "t1:user:7:live");
    }
}
