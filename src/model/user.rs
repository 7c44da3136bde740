//! Users: ids, usernames and passwords, and the public `User` record.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::limit_up_to;
use crate::error::AppError;

/// A user's id: a number handed out in order, a string on the wire (`"7"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct UserId(pub u64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for UserId {
    type Err = AppError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse::<u64>()
            .map(UserId)
            .map_err(|_| AppError::BadInput(format!("\"{s}\" is not a user id.")))
    }
}

impl From<UserId> for String {
    fn from(id: UserId) -> Self {
        id.to_string()
    }
}

impl TryFrom<String> for UserId {
    type Error = AppError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// A username: 3 to 32 letters, digits, `_`, `-` or `.`; unique without
/// regard to case, shown as its owner typed it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 32;

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let name = raw.trim();
        let len = name.chars().count();
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&len) {
            return Err(AppError::BadInput(format!(
                "A username is {} to {} characters long.",
                Self::MIN_LEN,
                Self::MAX_LEN
            )));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            return Err(AppError::BadInput(
                "A username may hold only letters, digits, '_', '-' and '.'.".into(),
            ));
        }
        Ok(Username(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form two usernames are compared in: `Alice` and `alice` are one.
    pub fn canonical(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed: 8 to 256 characters. Never serialised, never logged.
pub struct Password(String);

impl Password {
    pub const MIN_LEN: usize = 8;
    pub const MAX_LEN: usize = 256;

    pub fn parse(raw: String) -> Result<Self, AppError> {
        let len = raw.chars().count();
        if len < Self::MIN_LEN {
            return Err(AppError::BadInput(format!(
                "A password is at least {} characters long.",
                Self::MIN_LEN
            )));
        }
        if len > Self::MAX_LEN {
            return Err(AppError::TooLarge(format!(
                "A password is at most {} characters long.",
                Self::MAX_LEN
            )));
        }
        Ok(Password(raw))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A user as every client sees them: `{"id": "7", "username": "alice"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub username: Username,
}

/// Which of a room's members to list (`/api/rooms/members`): those whose
/// name starts with `q` (any case), in name order, after the name
/// `after` (the previous page's last), at most `limit`.
#[derive(Debug, PartialEq)]
pub struct MemberQuery {
    /// Lowercase; empty matches everyone.
    pub starts_with: String,
    /// Lowercase; `None` starts at the first name.
    pub after: Option<String>,
    pub limit: usize,
}

impl MemberQuery {
    /// The most members one page holds, and the default.
    pub const MAX_LIMIT: u32 = 100;

    pub fn parse(
        q: Option<&str>,
        limit: Option<u32>,
        after: Option<&str>,
    ) -> Result<Self, AppError> {
        let starts_with = q.unwrap_or_default().trim().to_ascii_lowercase();
        if starts_with.chars().count() > Username::MAX_LEN {
            return Err(AppError::BadInput(format!(
                "q is at most {} characters, as usernames are.",
                Username::MAX_LEN
            )));
        }
        let limit = limit_up_to(limit, Self::MAX_LIMIT, Self::MAX_LIMIT)? as usize;
        let after = match after.map(str::trim).filter(|a| !a.is_empty()) {
            None => None,
            Some(raw) => Some(
                Username::parse(raw)
                    .map_err(|_| AppError::BadInput("after is a username.".into()))?
                    .canonical(),
            ),
        };
        Ok(MemberQuery {
            starts_with,
            after,
            limit,
        })
    }

    /// This page of `users`, who are in name order.
    pub fn page(&self, users: Vec<User>) -> Vec<User> {
        users
            .into_iter()
            .filter(|u| {
                let name = u.username.canonical();
                name.starts_with(&self.starts_with)
                    && self.after.as_ref().is_none_or(|after| name > *after)
            })
            .take(self.limit)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_the_contract() {
        for ok in [
            "abc",
            "alice",
            "A_b-c.d",
            "x23456789012345678901234567890xy",
        ] {
            assert!(Username::parse(ok).is_ok(), "{ok} should be accepted");
        }
        for bad in [
            "ab",
            "",
            "has space",
            "émile",
            "<script>",
            "x234567890123456789012345678901yz",
        ] {
            assert!(
                matches!(Username::parse(bad), Err(AppError::BadInput(_))),
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn usernames_compare_without_case() {
        let a = Username::parse("Alice").unwrap();
        assert_eq!(a.as_str(), "Alice");
        assert_eq!(a.canonical(), "alice");
    }

    #[test]
    fn passwords_have_bounds_and_hide_in_debug() {
        assert!(matches!(
            Password::parse("short".into()),
            Err(AppError::BadInput(_))
        ));
        assert!(matches!(
            Password::parse("x".repeat(257)),
            Err(AppError::TooLarge(_))
        ));
        let pw = Password::parse("correct horse".into()).unwrap();
        assert_eq!(format!("{pw:?}"), "Password(***)");
    }

    #[test]
    fn user_ids_are_strings_on_the_wire() {
        let user = User {
            id: UserId(7),
            username: Username::parse("alice").unwrap(),
        };
        let json = serde_json::to_string(&user).unwrap();
        assert_eq!(json, r#"{"id":"7","username":"alice"}"#);
        assert_eq!(serde_json::from_str::<User>(&json).unwrap(), user);
        assert!(serde_json::from_str::<UserId>("\"x\"").is_err());
    }

    fn user(id: u64, name: &str) -> User {
        User {
            id: UserId(id),
            username: Username::parse(name).unwrap(),
        }
    }

    #[test]
    fn a_member_query_pages_names_by_prefix_in_any_case() {
        let people = || {
            ["al", "Alice", "alina", "Bob", "ALLAN"]
                .iter()
                .enumerate()
                .filter_map(|(i, n)| Username::parse(n).ok().map(|_| user(i as u64, n)))
                .collect::<Vec<_>>()
        };
        let mut sorted = people();
        sorted.sort_by_key(|u| u.username.canonical());
        let names = |users: Vec<User>| {
            users
                .iter()
                .map(|u| u.username.to_string())
                .collect::<Vec<_>>()
        };
        let query = MemberQuery::parse(Some(" AL"), Some(2), None).unwrap();
        assert_eq!(names(query.page(sorted.clone())), ["Alice", "alina"]);
        let next = MemberQuery::parse(Some("al"), Some(2), Some("alina")).unwrap();
        assert_eq!(names(next.page(sorted.clone())), ["ALLAN"]);
        let everyone = MemberQuery::parse(None, None, None).unwrap();
        assert_eq!(everyone.page(sorted.clone()).len(), 4);
        assert!(MemberQuery::parse(Some("zz"), None, None)
            .unwrap()
            .page(sorted)
            .is_empty());
    }

    #[test]
    fn a_member_query_refuses_what_is_out_of_bounds() {
        for (q, limit, after) in [
            (Some("x".repeat(33)), None, None),
            (None, Some(0), None),
            (None, Some(101), None),
            (None, None, Some("not a name!")),
        ] {
            assert!(
                matches!(
                    MemberQuery::parse(q.as_deref(), limit, after),
                    Err(AppError::BadInput(_))
                ),
                "{q:?} {limit:?} {after:?}"
            );
        }
    }
}
