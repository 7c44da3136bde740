//! `Keys`: builds every Redis key and channel Confab uses, behind the
//! configured prefix. Nothing else in the code base spells a key.
//!
//! The layout is cluster-safe: what one script or command touches together
//! shares a hash tag (`{...}`), so it lives in one slot of a Redis Cluster,
//! and a room's channel shares its room's tag, so that the send script can
//! store and publish in one step there too. Writes that span tags are
//! ordered steps, each idempotent; docs/architecture.md (section "Redis
//! Cluster") gives each one's order and what a crash between steps leaves.
//! With prefix `P`:
//!
//! A user, tag `{user:ID}`:
//!
//! | key                          | type   | holds                                          |
//! |------------------------------|--------|------------------------------------------------|
//! | `P:{user:7}`                 | hash   | `username` (as typed), `password` (argon2 PHC) |
//! | `P:{user:7}:rooms`           | set    | ids of the rooms the user belongs to (an index: a superset of the rooms whose members list them; reads check the room) |
//! | `P:{user:7}:budget`          | hash   | token bucket of the user's sends (tokens, ts)  |
//! | `P:{user:7}:budget:sync`     | hash   | token bucket of the pages of history the user's syncs read past their first (tokens, ts) |
//! | `P:{user:7}:presence`        | hash   | instance id -> the user's open sockets there   |
//! | `P:{user:7}:presence_version`| string | INCR counter: one per online/offline flip      |
//! | `P:{user:7}:limit:rooms_created` | string | public rooms the user made in the window (a day); TTL = window |
//! | `P:{user:7}:limit:memberships` | string | joins and leaves in the window (a minute); TTL = window |
//! | `P:{user:7}:limit:member_lookups` | string | lookups of rooms' members in the window (a minute); TTL = window |
//! | `P:{user:7}:limit:direct_rooms` | string | new direct rooms opened in the window (an hour); TTL = window |
//! | `P:{user:7}:rooms_owned`     | string | INCR counter: public rooms the user made, ever |
//! | `P:{user:7}:tokens`          | hash   | token id -> the API token's record (name, created, SHA-256; never the token) |
//! | `P:{user:7}:hooks`           | hash   | webhook id -> the webhook's record (room, secret, created) |
//! | `P:{user:7}:blocked`         | set    | ids of the people the user blocked (no direct room or mention between them) |
//!
//! A room, tag `{room:ID}` (ID `7`, or `3:10` for a direct room):
//!
//! | key                          | type   | holds                                          |
//! |------------------------------|--------|------------------------------------------------|
//! | `P:{room:7}:name`            | string | a public room's name                           |
//! | `P:{room:7}:members`         | set    | user ids of the room's members (public, direct)|
//! | `P:{room:7}:messages`        | zset   | messages: member = Message JSON, score = seq   |
//! | `P:{room:7}:seq`             | string | INCR counter of the room's last seq            |
//! | `P:{room:7}:read`            | hash   | user id -> the last seq that member has read   |
//! | `P:{room:7}:sent:{user}`     | hash   | nonce -> seq of the user's last sends here     |
//! | `P:{room:7}:sent:{user}:order` | list | those nonces, newest first (to drop the oldest)|
//! | `P:{room:7}:rev`             | string | INCR counter of the room's last revision (one per store, edit, delete, reaction change) |
//! | `P:{room:7}:changes`         | zset   | every message once: member = `{seq}:{rev it was stored at}`, score = the rev of its latest change |
//! | `P:{room:7}:mentions`        | zset   | who is named where: member = `{user id}:{seq, 20 digits}`, score 0 (counted by ZLEXCOUNT above a read mark) |
//! | `P:{room:7}:owner`           | string | the user id of a public room's creator         |
//! | `P:{room:7}:search`          | zset   | the search index: member = `{folded word}\0{seq, 10 hex digits}` for each word of each message that is not deleted, score 0 (read by lex range: a word, or every word with a prefix) |
//! | `P:{room:7}:search_words`    | hash   | seq -> the message's indexed words, `" w1 w2 ... "` (to check a candidate, and to take a message out of the index when it is edited or deleted) |
//! | `P:{room:7}:typing:{user}`   | string | set while the user's last typing notice here is fresh; TTL = the typing interval (one notice per person per room, whatever their sockets and instances) |
//!
//! An instance, tag `{instance:ID}`: `P:{instance:ID}:alive` (string, its
//! heartbeat; TTL = liveness window), `P:{instance:ID}:users` (set, users
//! with sockets there), `P:{instance:ID}:reaping` (string, set while a peer
//! clears a dead instance's users; TTL bounds a reaper that died).
//!
//! Who is online, tag `{online}`: `P:{online}:users` (set, users with an
//! open socket anywhere) and `P:{online}:versions` (hash, user id -> the
//! presence version the set reflects, so flips applied out of order end
//! in the newest state).
//!
//! Keys that stand alone (one key per command, any slot):
//!
//! | key                            | type   | holds                                          |
//! |--------------------------------|--------|------------------------------------------------|
//! | `P:layout`                     | string | the key layout's version (5: this one)         |
//! | `P:total_users`                | string | INCR counter that hands out user ids           |
//! | `P:total_rooms`                | string | INCR counter that hands out public room ids    |
//! | `P:demo_seeded`                | string | set once demo data was written                 |
//! | `P:username:{lowercase name}`  | string | the user id that owns the name                 |
//! | `P:room_look:{name skeleton}`  | string | the id of the public room whose name looks so (`look_alike::NameSkeleton`): the claim that keeps names apart |
//! | `P:public_room_index`          | zset   | every public room, score 0, member = its sort key (`0` for General, else `1`, the lowercase name, `\x1f`, the id): paged by ZRANGEBYLEX |
//! | `P:instances`                  | set    | ids of instances that may hold sockets         |
//! | `P:retention:turn`             | string | set while one instance's retention sweep has the period; TTL = `CONFAB_RETENTION_SWEEP_SECS` |
//! | `P:session:{sha256 of token}`  | string | the user id of a session; TTL = session life   |
//! | `P:api_token:{sha256 of token}`| hash   | an API token's `user`, `id` and `name` (no TTL: it lives until revoked) |
//! | `P:hook:{sha256 of secret}`    | hash   | a webhook's `user`, `room` and `id`            |
//! | `P:total_credentials`          | string | INCR counter that hands out token and webhook ids |
//! | `P:attempts:login:user:{name}` | string | sign-in attempts for a username; TTL = window  |
//! | `P:attempts:login:addr:{ip}`   | string | sign-in attempts from an address (an IPv6 one by its /64); TTL = window |
//! | `P:limit:registrations`        | string | accounts made in the window (an hour), by everyone; TTL = window |
//!
//! And the pub/sub channels that carry live events between instances
//! (docs/architecture.md, section 3), sharded channels on a cluster. An
//! instance follows a room's or a user's channel only while it has a
//! socket there:
//!
//! | channel              | carries                                            |
//! |----------------------|----------------------------------------------------|
//! | `P:{room:7}:live`    | the room's messages (from the send script), typing, and its members' presence (rooms of at most `CONFAB_PRESENCE_ROOM_LIMIT` people) |
//! | `P:{user:7}:live`    | a new room, a room left, a session signed out      |
//!
//! [`legacy`] names the keys of the layout before this one, which
//! `Store::upgrade_layout` moves here once.

use std::net::IpAddr;

use crate::model::{RoomId, RoomName, UserId, Username};
use crate::server::events::{InstanceId, Route, SessionFingerprint};
use crate::server::look_alike::NameSkeleton;

use super::SessionToken;

/// The version of the layout these keys make, kept under [`Keys::layout`].
/// 2 brought hash tags; 3 gave every room its revisions (`rev`, `changes`);
/// 4 its search index (`search`, `search_words`); 5 claims room names by
/// their look-alike skeleton (`room_look`) instead of their lowercase; 6
/// folds the search index's words in full (case folding and compatibility
/// forms: `server::words`).
pub const LAYOUT_VERSION: u32 = 6;

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

    fn user_key(&self, id: UserId, rest: &str) -> String {
        self.key(format_args!("{{user:{id}}}{rest}"))
    }

    fn room_key(&self, room: &RoomId, rest: &str) -> String {
        self.key(format_args!("{{room:{room}}}{rest}"))
    }

    fn instance_key(&self, instance: &InstanceId, rest: &str) -> String {
        self.key(format_args!("{{instance:{instance}}}{rest}"))
    }

    /// The room's revision counter: every change to its messages takes
    /// the next one.
    pub fn room_rev(&self, room: &RoomId) -> String {
        self.room_key(room, ":rev")
    }

    /// The room's messages ordered by their latest change.
    pub fn room_changes(&self, room: &RoomId) -> String {
        self.room_key(room, ":changes")
    }

    /// Which messages of the room name which members.
    pub fn room_mentions(&self, room: &RoomId) -> String {
        self.room_key(room, ":mentions")
    }

    /// The room's search index: a word of a message per member,
    /// `{word}\0{seq, 10 hex digits}`, read in lex order.
    pub fn room_search(&self, room: &RoomId) -> String {
        self.room_key(room, ":search")
    }

    /// The words each message of the room is indexed under.
    pub fn room_search_words(&self, room: &RoomId) -> String {
        self.room_key(room, ":search_words")
    }

    /// Who created the (public) room.
    pub fn room_owner(&self, room: &RoomId) -> String {
        self.room_key(room, ":owner")
    }

    /// Set while `user`'s last typing notice in the room is fresh.
    pub fn room_typing(&self, room: &RoomId, user: UserId) -> String {
        self.room_key(room, &format!(":typing:{user}"))
    }

    /// `rest` behind the prefix (a key [`legacy`] names without it).
    pub fn within_prefix(&self, rest: &str) -> String {
        self.key(format_args!("{rest}"))
    }

    pub fn layout(&self) -> String {
        self.key(format_args!("layout"))
    }

    /// Held by the instance that upgrades the layout, so that others wait.
    pub fn layout_lock(&self) -> String {
        self.key(format_args!("layout:upgrading"))
    }

    pub fn retention_turn(&self) -> String {
        self.key(format_args!("retention:turn"))
    }

    pub fn total_users(&self) -> String {
        self.key(format_args!("total_users"))
    }

    pub fn demo_seeded(&self) -> String {
        self.key(format_args!("demo_seeded"))
    }

    pub fn user(&self, id: UserId) -> String {
        self.user_key(id, "")
    }

    pub fn username(&self, name: &Username) -> String {
        self.key(format_args!("username:{}", name.canonical()))
    }

    pub fn user_rooms(&self, id: UserId) -> String {
        self.user_key(id, ":rooms")
    }

    pub fn blocked(&self, id: UserId) -> String {
        self.user_key(id, ":blocked")
    }

    /// The user's count of public rooms made in the current window.
    pub fn limit_rooms_created(&self, id: UserId) -> String {
        self.user_key(id, ":limit:rooms_created")
    }

    /// The user's joins and leaves in the current window.
    pub fn limit_memberships(&self, id: UserId) -> String {
        self.user_key(id, ":limit:memberships")
    }

    /// The user's lookups of rooms' members in the current window.
    pub fn limit_member_lookups(&self, id: UserId) -> String {
        self.user_key(id, ":limit:member_lookups")
    }

    /// The direct rooms the user opened with new people in the window.
    pub fn limit_direct_rooms(&self, id: UserId) -> String {
        self.user_key(id, ":limit:direct_rooms")
    }

    /// How many public rooms the user has made.
    pub fn rooms_owned(&self, id: UserId) -> String {
        self.user_key(id, ":rooms_owned")
    }

    /// Accounts made by everyone in the current window.
    pub fn limit_registrations(&self) -> String {
        self.key(format_args!("limit:registrations"))
    }

    pub fn send_budget(&self, id: UserId) -> String {
        self.user_key(id, ":budget")
    }

    pub fn sync_budget(&self, id: UserId) -> String {
        self.user_key(id, ":budget:sync")
    }

    pub fn presence(&self, user: UserId) -> String {
        self.user_key(user, ":presence")
    }

    pub fn presence_version(&self, user: UserId) -> String {
        self.user_key(user, ":presence_version")
    }

    /// The channel that carries what is addressed to `user`'s sockets.
    pub fn user_channel(&self, user: UserId) -> String {
        self.user_key(user, ":live")
    }

    pub fn total_rooms(&self) -> String {
        self.key(format_args!("total_rooms"))
    }

    pub fn public_room_index(&self) -> String {
        self.key(format_args!("public_room_index"))
    }

    /// The claim on a public room name, and on every name that looks
    /// like it.
    pub fn room_by_name(&self, name: &RoomName) -> String {
        self.key(format_args!("room_look:{}", NameSkeleton::of(name.as_str()).as_str()))
    }

    pub fn room_name(&self, room: &RoomId) -> String {
        self.room_key(room, ":name")
    }

    pub fn room_members(&self, room: &RoomId) -> String {
        self.room_key(room, ":members")
    }

    pub fn room_messages(&self, room: &RoomId) -> String {
        self.room_key(room, ":messages")
    }

    pub fn room_seq(&self, room: &RoomId) -> String {
        self.room_key(room, ":seq")
    }

    /// Every member's read mark in `room`.
    pub fn room_read(&self, room: &RoomId) -> String {
        self.room_key(room, ":read")
    }

    /// The seqs of `user`'s last sends in `room`, by nonce: a send repeated
    /// with its nonce is answered from here.
    pub fn sent_nonces(&self, room: &RoomId, user: UserId) -> String {
        self.room_key(room, &format!(":sent:{user}"))
    }

    /// The fields of [`Keys::sent_nonces`], newest first.
    pub fn sent_order(&self, room: &RoomId, user: UserId) -> String {
        self.room_key(room, &format!(":sent:{user}:order"))
    }

    /// The channel that carries `room`'s messages and typing.
    pub fn room_channel(&self, room: &RoomId) -> String {
        self.room_key(room, ":live")
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

    /// The key that keeps a socket's credential alive, from the
    /// fingerprint the socket keeps of it: its session's key, or its API
    /// token's.
    pub fn session_by_fingerprint(&self, fingerprint: &SessionFingerprint) -> String {
        match fingerprint.api_token() {
            Some(sha) => self.api_token_by_sha(sha),
            None => self.key(format_args!("session:{}", fingerprint.0)),
        }
    }

    /// Who an API token (by its SHA-256) signs in: its owner, id and name.
    pub fn api_token_by_sha(&self, sha: &str) -> String {
        self.key(format_args!("api_token:{sha}"))
    }

    /// The user's API tokens, to list and revoke.
    pub fn user_tokens(&self, id: UserId) -> String {
        self.user_key(id, ":tokens")
    }

    /// Where a webhook (by the SHA-256 of its secret) posts: its room,
    /// owner and id.
    pub fn hook_by_sha(&self, sha: &str) -> String {
        self.key(format_args!("hook:{sha}"))
    }

    /// The user's webhooks, to list and revoke.
    pub fn user_hooks(&self, id: UserId) -> String {
        self.user_key(id, ":hooks")
    }

    /// INCR counter that hands out token and webhook ids.
    pub fn total_credentials(&self) -> String {
        self.key(format_args!("total_credentials"))
    }

    pub fn online_users(&self) -> String {
        self.key(format_args!("{{online}}:users"))
    }

    pub fn online_versions(&self) -> String {
        self.key(format_args!("{{online}}:versions"))
    }

    pub fn instances(&self) -> String {
        self.key(format_args!("instances"))
    }

    pub fn instance_alive(&self, instance: &InstanceId) -> String {
        self.instance_key(instance, ":alive")
    }

    pub fn instance_users(&self, instance: &InstanceId) -> String {
        self.instance_key(instance, ":users")
    }

    pub fn instance_reaping(&self, instance: &InstanceId) -> String {
        self.instance_key(instance, ":reaping")
    }

    pub fn login_attempts_by_user(&self, name: &Username) -> String {
        self.key(format_args!("attempts:login:user:{}", name.canonical()))
    }

    /// Counted by the client's network: an IPv4 address, or the /64 of an
    /// IPv6 one (a single line or host hands out addresses in its /64 at
    /// will, so counting by address would let it try without end).
    pub fn login_attempts_by_addr(&self, addr: IpAddr) -> String {
        self.key(format_args!("attempts:login:addr:{}", address_group(addr)))
    }

    /// The keys of layout 1, for the upgrade.
    pub fn legacy(&self) -> legacy::LegacyKeys<'_> {
        legacy::LegacyKeys { prefix: &self.prefix }
    }
}

/// Keys of earlier layouts (1, before hash tags, and the name claims of 1
/// to 4): read once by `Store::upgrade_layout`.
pub mod legacy {
    use crate::model::RoomName;

    /// The pattern and names of the keys the upgrade moves or drops.
    pub struct LegacyKeys<'a> {
        pub(super) prefix: &'a str,
    }

    impl LegacyKeys<'_> {
        /// SCAN patterns of every key that belongs to a user or a room.
        pub fn patterns(&self) -> [String; 2] {
            [format!("{}user:*", self.prefix), format!("{}room:*", self.prefix)]
        }

        /// Keys of layout 1 that held only passing state (presence,
        /// budgets, nonces): dropped, not moved.
        pub fn passing(&self) -> [String; 5] {
            ["online_users", "instances", "presence:*", "budget:send:*", "sent:*"]
                .map(|rest| format!("{}{rest}", self.prefix))
        }

        pub fn public_rooms(&self) -> String {
            format!("{}public_rooms", self.prefix)
        }

        /// Layouts 1 to 4 claimed a public room name by its lowercase.
        pub fn room_by_name(&self, name: &RoomName) -> String {
            format!("{}room_name:{}", self.prefix, name.canonical())
        }

        /// What a layout-1 key of a user or room became, without the prefix
        /// (`None` for one with no place here); `ReadMarks` for a user's
        /// read marks, which are spread over their rooms.
        pub fn classify<'k>(&self, key: &'k str) -> Option<Legacy<'k>> {
            let rest = key.strip_prefix(self.prefix)?;
            if let Some(user) = rest.strip_prefix("user:") {
                return Some(match user.split_once(':') {
                    None => Legacy::Move(format!("{{user:{user}}}")),
                    Some((id, "rooms")) => Legacy::Move(format!("{{user:{id}}}:rooms")),
                    Some((id, "read")) => Legacy::ReadMarks(id),
                    Some(_) => return None,
                });
            }
            let room = rest.strip_prefix("room:")?;
            // A direct room's id holds a colon itself: `room:3:10:members`.
            for suffix in ["name", "members", "seq"] {
                if let Some(id) = room.strip_suffix(&format!(":{suffix}")) {
                    return Some(Legacy::Move(format!("{{room:{id}}}:{suffix}")));
                }
            }
            Some(Legacy::Move(format!("{{room:{room}}}:messages")))
        }
    }

    /// What the upgrade does with one layout-1 key.
    #[derive(Debug, PartialEq, Eq)]
    pub enum Legacy<'k> {
        /// RENAME it to this key (after the prefix).
        Move(String),
        /// A user's read marks (room -> seq), with the user's id: each goes
        /// to its room's read hash.
        ReadMarks(&'k str),
    }
}

/// The network an address limit counts a client by: its IPv4 address
/// (an IPv4 address written as IPv6 included), or the /64 of its IPv6
/// address.
fn address_group(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::legacy::Legacy;
    use super::*;

    #[test]
    fn address_limits_count_an_ipv6_client_by_its_64() {
        let group = |addr: &str| address_group(addr.parse().unwrap());
        assert_eq!(group("203.0.113.7"), "203.0.113.7");
        assert_eq!(group("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(group("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(group("2001:db8:1:2:bbbb:cccc:dddd:eeee"), group("2001:db8:1:2::9"));
        assert_ne!(group("2001:db8:1:2::1"), group("2001:db8:1:3::1"));
    }

    /// The hash tag Redis Cluster hashes a key by: what lies between the
    /// first `{` and the first `}` after it, when that is not empty.
    fn hash_tag(key: &str) -> &str {
        key.find('{')
            .and_then(|open| {
                let rest = &key[open + 1..];
                rest.find('}').filter(|&close| close > 0).map(|close| &rest[..close])
            })
            .unwrap_or(key)
    }

    #[test]
    fn keys_carry_the_prefix_and_fold_case() {
        let keys = Keys::new("t1");
        let alice = Username::parse("Alice").unwrap();
        assert_eq!(keys.username(&alice), "t1:username:alice");
        assert_eq!(keys.user(UserId(7)), "t1:{user:7}");
        assert_eq!(keys.user_rooms(UserId(7)), "t1:{user:7}:rooms");
        assert_eq!(keys.room_members(&RoomId::GENERAL), "t1:{room:0}:members");
        assert_eq!(
            keys.room_messages(&RoomId::parse("2:9").unwrap()),
            "t1:{room:2:9}:messages"
        );
        assert_eq!(
            keys.room_by_name(&RoomName::parse("Rust").unwrap()),
            "t1:room_look:rust"
        );
        assert_eq!(Keys::new("confab:").total_users(), "confab:total_users");
        assert_eq!(keys.channel(&Route::Room(RoomId::GENERAL)), "t1:{room:0}:live");
        assert_eq!(keys.channel(&Route::User(UserId(7))), "t1:{user:7}:live");
    }

    /// What one script touches shares one slot on a cluster.
    #[test]
    fn keys_used_together_share_a_hash_tag() {
        let keys = Keys::new("t1:");
        let room = RoomId::parse("3:10").unwrap();
        let user = UserId(3);
        let room_keys = [
            keys.room_name(&room),
            keys.room_members(&room),
            keys.room_messages(&room),
            keys.room_seq(&room),
            keys.room_read(&room),
            keys.sent_nonces(&room, user),
            keys.sent_order(&room, user),
            keys.room_channel(&room),
        ];
        assert!(room_keys.iter().all(|k| hash_tag(k) == "room:3:10"), "{room_keys:?}");
        let user_keys = [
            keys.user(user),
            keys.user_rooms(user),
            keys.send_budget(user),
            keys.sync_budget(user),
            keys.blocked(user),
            keys.presence(user),
            keys.presence_version(user),
            keys.user_channel(user),
        ];
        assert!(user_keys.iter().all(|k| hash_tag(k) == "user:3"), "{user_keys:?}");
        let instance = InstanceId::from("ab12".to_owned());
        let instance_keys = [
            keys.instance_alive(&instance),
            keys.instance_users(&instance),
            keys.instance_reaping(&instance),
        ];
        assert!(instance_keys.iter().all(|k| hash_tag(k) == "instance:ab12"));
        assert_eq!(hash_tag(&keys.online_users()), hash_tag(&keys.online_versions()));
        // Rooms, users and instances spread over slots.
        assert_ne!(hash_tag(&keys.room_seq(&RoomId::Public(1))), hash_tag(&keys.room_seq(&RoomId::Public(2))));
    }

    #[test]
    fn layout_1_keys_find_their_new_names() {
        let keys = Keys::new("t1");
        let old = keys.legacy();
        let moved = |key: &str| match old.classify(key) {
            Some(Legacy::Move(to)) => to,
            other => panic!("{key}: {other:?}"),
        };
        assert_eq!(moved("t1:user:7"), "{user:7}");
        assert_eq!(moved("t1:user:7:rooms"), "{user:7}:rooms");
        assert_eq!(moved("t1:room:5"), "{room:5}:messages");
        assert_eq!(moved("t1:room:5:name"), "{room:5}:name");
        assert_eq!(moved("t1:room:3:10:members"), "{room:3:10}:members");
        assert_eq!(moved("t1:room:3:10"), "{room:3:10}:messages");
        assert_eq!(moved("t1:room:3:10:seq"), "{room:3:10}:seq");
        assert_eq!(old.classify("t1:user:7:read"), Some(Legacy::ReadMarks("7")));
        assert_eq!(old.classify("t2:user:7"), None);
        assert_eq!(old.classify("t1:user:7:other"), None);
    }
}
