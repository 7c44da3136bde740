//! Every Lua script Confab runs on Redis, loaded once per process.
//!
//! Each script's header comment lists its KEYS and ARGV; the KEYS of one
//! script always share a hash tag (one slot on a Redis Cluster, see
//! [`super::keys`]). The `redis` crate calls EVALSHA and falls back to
//! EVAL once when a restarted Redis (or a new master) has forgotten a
//! script.

use std::sync::LazyLock;

use redis::Script;

/// Counts one attempt in a fixed window (sign-in limits).
pub static COUNT_ATTEMPT: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("count_attempt.lua")));

/// Takes a token from a user's send budget, or gives one back.
pub static TAKE_BUDGET: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("take_budget.lua")));

/// The message an earlier send under a nonce stored, for a retry.
pub static SENT_BEFORE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("sent_before.lua")));

/// Checks, stores and publishes one message in its room's slot.
pub static SEND_MESSAGE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("send_message.lua")));

/// Edits, deletes or reacts to a stored message, and publishes the update.
pub static CHANGE_MESSAGE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("change_message.lua")));

/// The messages of a room changed (or stored) after a rev.
pub static CHANGES_AFTER: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("changes_after.lua")));

/// Moves a read mark forward.
pub static MARK_READ: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("mark_read.lua")));

/// Counts a user's sockets up; a new presence version when they come online.
pub static PRESENCE_UP: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("presence_up.lua")));

/// Counts a user's sockets down; a new presence version when they go offline.
pub static PRESENCE_DOWN: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("presence_down.lua")));

/// Applies a presence flip to the set of online users, newest version wins.
pub static APPLY_PRESENCE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("apply_presence.lua")));

/// Refreshes an instance's heartbeat; says whether it lapsed.
pub static HEARTBEAT: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("heartbeat.lua")));

/// A peer's claim to clear a dead instance.
pub static CLAIM_DEAD_INSTANCE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("claim_dead_instance.lua")));

/// Adds a token or a webhook to its owner's list, unless it is full.
pub static ADD_CREDENTIAL: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("add_credential.lua")));

/// Finds a room's messages by their words, newest first.
pub static SEARCH_ROOM: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("search_room.lua")));

/// Enters one stored message in its room's search index (the upgrade).
pub static INDEX_MESSAGE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("index_message.lua")));

/// Drops a room's oldest messages past its retention, with their index
/// entries.
pub static TRIM_ROOM: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("trim_room.lua")));

/// Deletes a public room's own keys and answers its members.
pub static DELETE_ROOM: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("delete_room.lua")));
