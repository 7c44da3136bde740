//! `Keys`: builds every Redis key Confab uses, behind the configured prefix.
//!
//! Nothing else in the code base spells a key. With prefix `P`:
//!
//! | key                            | type   | holds                                          |
//! |--------------------------------|--------|------------------------------------------------|
//! | `P:total_users`                | string | INCR counter that hands out user ids           |
//! | `P:user:{id}`                  | hash   | `username` (as typed), `password` (argon2 PHC) |
//! | `P:username:{lowercase name}`  | string | the user id that owns the name                 |
//! | `P:user:{id}:rooms`            | set    | ids of the rooms the user belongs to           |
//! | `P:room:{id}:name`             | string | a public room's name                           |
//! | `P:room:{id}:members`          | set    | user ids of a room's members                   |
//! | `P:session:{token}`            | string | the user id of a session; TTL = session life   |
//! | `P:attempts:login:user:{name}` | string | sign-in attempts for a username; TTL = window  |
//! | `P:attempts:login:addr:{ip}`   | string | sign-in attempts from an address; TTL = window |

use std::net::IpAddr;

use crate::model::{UserId, Username};

use super::SessionToken;

/// The id of the room every user belongs to.
pub const GENERAL_ROOM_ID: &str = "0";

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

    pub fn user(&self, id: UserId) -> String {
        self.key(format_args!("user:{id}"))
    }

    pub fn username(&self, name: &Username) -> String {
        self.key(format_args!("username:{}", name.canonical()))
    }

    pub fn user_rooms(&self, id: UserId) -> String {
        self.key(format_args!("user:{id}:rooms"))
    }

    pub fn room_name(&self, room: &str) -> String {
        self.key(format_args!("room:{room}:name"))
    }

    pub fn room_members(&self, room: &str) -> String {
        self.key(format_args!("room:{room}:members"))
    }

    pub fn session(&self, token: &SessionToken) -> String {
        self.key(format_args!("session:{}", token.as_str()))
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
        assert_eq!(keys.room_members(GENERAL_ROOM_ID), "t1:room:0:members");
        assert_eq!(Keys::new("confab:").total_users(), "confab:total_users");
    }
}
