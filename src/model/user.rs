//! Users: ids, usernames and passwords, and the public `User` record.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

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
}
