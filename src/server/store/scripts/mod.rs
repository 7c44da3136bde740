//! Every Lua script Confab runs on Redis, loaded once per process.
//!
//! Each script's header comment lists its KEYS and ARGV. The `redis` crate
//! calls EVALSHA and falls back to EVAL once when a restarted Redis has
//! forgotten a script.

use std::sync::LazyLock;

use redis::Script;

/// Claims a username and creates the user and its memberships atomically.
pub static CREATE_USER: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("create_user.lua")));

/// Counts one attempt in a fixed window (sign-in limits).
pub static COUNT_ATTEMPT: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("count_attempt.lua")));

/// Creates a public room under a name no other room has.
pub static CREATE_ROOM: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("create_room.lua")));

/// Checks, counts, stores and publishes one message.
pub static SEND_MESSAGE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("send_message.lua")));

/// Moves a read mark forward.
pub static MARK_READ: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("mark_read.lua")));

/// Counts a user's sockets up; a new presence version when they come online.
pub static PRESENCE_UP: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("presence_up.lua")));

/// Counts a user's sockets down; a new presence version when they go offline.
pub static PRESENCE_DOWN: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("presence_down.lua")));

/// Forget an instance (for a dead one: only if it is still dead).
pub static FORGET_INSTANCE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("forget_instance.lua")));
