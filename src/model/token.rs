//! Programs' credentials: personal API tokens and incoming webhooks, as
//! they cross the wire (`/api/tokens*`, `/api/rooms/webhook*`).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::room::holds_invisible_format;
use super::RoomId;
use crate::error::AppError;

/// A token's or a webhook's id: a number handed out in order, a string on
/// the wire (`"3"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct CredentialId(pub u64);

impl CredentialId {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        raw.trim().parse::<u64>().map(CredentialId).map_err(|_| {
            AppError::BadInput(format!(
                "\"{}\" is not an id.",
                raw.chars().take(40).collect::<String>()
            ))
        })
    }
}

impl fmt::Display for CredentialId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<CredentialId> for String {
    fn from(id: CredentialId) -> Self {
        id.to_string()
    }
}

impl TryFrom<String> for CredentialId {
    type Error = AppError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        CredentialId::parse(&s)
    }
}

/// A token's name, chosen by its owner to tell tokens apart ("ci bot"):
/// 1 to 64 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TokenName(String);

impl TokenName {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(AppError::BadInput("A token needs a name.".into()));
        }
        if name.chars().count() > Self::MAX_LEN {
            return Err(AppError::TooLarge(format!(
                "A token's name is at most {} characters long.",
                Self::MAX_LEN
            )));
        }
        if name.chars().any(char::is_control) {
            return Err(AppError::BadInput(
                "A token's name cannot hold control characters.".into(),
            ));
        }
        // A webhook's name is shown on each of its messages ("via webhook
        // …"): it must not reverse or hide what follows it.
        if holds_invisible_format(name) {
            return Err(AppError::BadInput(
                "A token's name cannot hold invisible or direction-changing characters.".into(),
            ));
        }
        Ok(TokenName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How many live tokens one person may hold.
pub const MAX_TOKENS_PER_PERSON: usize = 20;

/// A token as listed: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiTokenInfo {
    pub id: CredentialId,
    pub name: TokenName,
    /// Unix ms.
    pub created: u64,
}

/// A token just made: the only time `token` is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewApiToken {
    pub id: CredentialId,
    pub name: TokenName,
    pub token: String,
    pub created: u64,
}

/// The page's API token settings: the reader's tokens, and the one just
/// made (shown this once), if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSettings {
    pub tokens: Vec<ApiTokenInfo>,
    pub made: Option<NewApiToken>,
}

/// An incoming webhook: a secret URL that posts into `room_id` as the
/// person who made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: CredentialId,
    /// What its messages are marked with (`via_name`): "webhook" unless
    /// its maker named it.
    pub name: TokenName,
    pub room_id: RoomId,
    /// `/hooks/{secret}`, relative to the site.
    pub url: String,
    /// Unix ms.
    pub created: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_names_are_trimmed_bounded_and_plain() {
        assert_eq!(TokenName::parse("  ci bot ").unwrap().as_str(), "ci bot");
        assert_eq!(TokenName::parse("   ").unwrap_err().status(), 400);
        assert_eq!(TokenName::parse(&"n".repeat(65)).unwrap_err().status(), 413);
        assert!(TokenName::parse(&"é".repeat(64)).is_ok());
        assert_eq!(TokenName::parse("a\u{7}b").unwrap_err().status(), 400);
        assert_eq!(
            TokenName::parse("\u{202E}tob ic").unwrap_err().status(),
            400
        );
        assert_eq!(TokenName::parse("ci\u{200B}bot").unwrap_err().status(), 400);
        assert!(TokenName::parse("deploy 🚀").is_ok());
    }

    #[test]
    fn ids_are_numbers_on_the_wire_as_strings() {
        assert_eq!(serde_json::to_string(&CredentialId(3)).unwrap(), "\"3\"");
        assert_eq!(CredentialId::parse(" 12 ").unwrap(), CredentialId(12));
        assert_eq!(CredentialId::parse("x").unwrap_err().status(), 400);
        assert_eq!(CredentialId::parse("-1").unwrap_err().status(), 400);
    }
}
