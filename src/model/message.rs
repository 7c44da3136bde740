//! Messages: their text rules and the `Message` record.

use serde::{Deserialize, Serialize};

use super::{RoomId, UserId, Username};
use crate::error::AppError;

/// Message text: 1 to 4,000 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(String);

impl MessageText {
    pub const MAX_LEN: usize = 4000;

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(AppError::BadInput("A message cannot be empty.".into()));
        }
        if text.chars().count() > Self::MAX_LEN {
            return Err(AppError::TooLarge(format!(
                "A message is at most {} characters long.",
                Self::MAX_LEN
            )));
        }
        Ok(MessageText(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A stored message. `seq` counts 1, 2, 3, ... within its room, in the order
/// the server stored them; `date` is Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Message {
    pub room_id: RoomId,
    pub seq: u64,
    pub from: UserId,
    pub username: Username,
    pub text: String,
    pub date: u64,
}

/// How many messages one page may hold, and how many it holds by default.
pub const PAGE_MAX: u32 = 100;
pub const PAGE_DEFAULT: u32 = 50;

/// A valid page size from what the client asked for.
pub fn page_limit(requested: Option<u32>) -> Result<u32, AppError> {
    match requested.unwrap_or(PAGE_DEFAULT) {
        n @ 1..=PAGE_MAX => Ok(n),
        _ => Err(AppError::BadInput(format!("limit is 1 to {PAGE_MAX}."))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(MessageText::parse("  hi \n").unwrap().as_str(), "hi");
        assert!(matches!(
            MessageText::parse(" \n\t "),
            Err(AppError::BadInput(_))
        ));
        assert!(MessageText::parse(&"é".repeat(4000)).is_ok());
        assert!(matches!(
            MessageText::parse(&"x".repeat(4001)),
            Err(AppError::TooLarge(_))
        ));
        assert_eq!(MessageText::parse("<b>x</b>").unwrap().as_str(), "<b>x</b>");
    }

    #[test]
    fn page_limits() {
        assert_eq!(page_limit(None).unwrap(), 50);
        assert_eq!(page_limit(Some(1)).unwrap(), 1);
        assert_eq!(page_limit(Some(100)).unwrap(), 100);
        assert!(page_limit(Some(0)).is_err());
        assert!(page_limit(Some(101)).is_err());
    }

    #[test]
    fn messages_look_as_the_contract_says() {
        let json = r#"{"room_id":"0","seq":42,"from":"7","username":"alice","text":"hi","date":1732350000123}"#;
        let message: Message = serde_json::from_str(json).unwrap();
        assert_eq!(message.seq, 42);
        assert_eq!(serde_json::to_string(&message).unwrap(), json);
    }
}
