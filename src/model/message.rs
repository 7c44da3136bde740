//! Messages: their text rules and the `Message` record.

use serde::{Deserialize, Serialize};

use super::{RoomId, User, UserId, Username};
use crate::error::AppError;

/// Message text: 1 to 4,000 characters after trimming, and no control
/// characters but the line breaks and tabs that typing makes (a bell, an
/// escape or a NUL would be stored as six-byte escapes and shown as
/// nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageText(String);

impl MessageText {
    pub const MAX_LEN: usize = 4000;

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let text = raw.trim();
        if text.is_empty() {
            return Err(AppError::BadInput("A message cannot be empty.".into()));
        }
        if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err(AppError::BadInput(
                "A message cannot hold control characters other than new lines and tabs.".into(),
            ));
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
/// the server stored them; `date` is Unix milliseconds. `rev` is the room's
/// revision of the message's latest change (storing it, an edit, a delete,
/// a reaction): the room's changes are ordered by it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Message {
    pub room_id: RoomId,
    pub seq: u64,
    /// Stored before revisions existed, a message reads as `rev` 0; the
    /// store gives it its seq then (see `Message::with_rev`).
    #[serde(default)]
    pub rev: u64,
    pub from: UserId,
    pub username: Username,
    pub text: String,
    pub date: u64,
    /// Unix ms of the latest edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited: Option<u64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
    /// The seq of the message this one answers, in the same room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
    /// The room's members named in the text as `@username`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<UserId>,
    /// How a program posted it: `"token"` or `"webhook"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// The name of the token or webhook that posted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via_name: Option<String>,
    /// In a search result only: the byte ranges of `text` that matched the
    /// search's words, in order. Written for clients, never read back (the
    /// page shows results the server rendered, and the bundle is spared
    /// the reader).
    #[serde(default, skip_deserializing, skip_serializing_if = "Vec::is_empty")]
    pub highlights: Vec<[usize; 2]>,
}

impl Message {
    /// The message with its revision filled in: one stored before
    /// revisions existed has the revision of its seq (the upgrade to key
    /// layout 3 gave it that place in the room's changes).
    pub fn with_rev(mut self) -> Self {
        if self.rev == 0 {
            self.rev = self.seq;
        }
        self
    }

    /// A message of user 7 in General, for tests.
    #[cfg(test)]
    pub fn sample() -> Self {
        Message {
            room_id: RoomId::GENERAL,
            seq: 1,
            rev: 1,
            from: UserId(7),
            username: Username::parse("alice").expect("a valid name"),
            text: "hi".into(),
            date: 1,
            edited: None,
            deleted: false,
            reply_to: None,
            reactions: Vec::new(),
            mentions: Vec::new(),
            via: None,
            via_name: None,
            highlights: Vec::new(),
        }
    }

    /// Whether `user` is named in it.
    pub fn mentions_user(&self, user: UserId) -> bool {
        self.mentions.contains(&user)
    }

    /// Adds (`on`) or takes away `user`'s reaction `emoji`, as the server
    /// does: a new emoji goes last, and one nobody keeps goes. The page
    /// shows a reaction this way before the server answers.
    pub fn toggle_reaction(&mut self, user: &User, emoji: &str, on: bool) {
        let at = self.reactions.iter().position(|r| same_emoji(&r.emoji, emoji));
        match (at, on) {
            (None, true) => self.reactions.push(Reaction {
                emoji: emoji.to_owned(),
                users: vec![user.id],
                names: vec![user.username.clone()],
            }),
            (Some(at), true) => {
                let reaction = &mut self.reactions[at];
                if !reaction.users.contains(&user.id) {
                    // Names are kept beside ids, or not at all.
                    if reaction.names.len() == reaction.users.len() {
                        reaction.names.push(user.username.clone());
                    }
                    reaction.users.push(user.id);
                }
            }
            (Some(at), false) => {
                let reaction = &mut self.reactions[at];
                if let Some(i) = reaction.users.iter().position(|u| *u == user.id) {
                    reaction.users.remove(i);
                    if i < reaction.names.len() {
                        reaction.names.remove(i);
                    }
                }
                if reaction.users.is_empty() {
                    self.reactions.remove(at);
                }
            }
            (None, false) => {}
        }
    }
}

/// One emoji on a message and who chose it, in the order each first did.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Reaction {
    pub emoji: String,
    pub users: Vec<UserId>,
    /// (Addition) the usernames of `users`, in the same order, for showing
    /// who reacted; empty for a reaction stored before names were kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<Username>,
}

/// Whether two emoji are one, the emoji variation selector (U+FE0F) aside:
/// `❤` and `❤️` are one reaction.
pub fn same_emoji(a: &str, b: &str) -> bool {
    let plain = |e: &str| e.chars().filter(|c| *c != '\u{fe0f}').collect::<String>();
    plain(a) == plain(b)
}

/// How many different emoji one message may carry.
pub const MAX_REACTIONS: usize = 20;

/// The usernames a text names as `@username`, lowercase, each once, in
/// the order they first appear. `@` counts only at the start or after a
/// character that cannot be part of a username (so `a@b.c` names nobody).
pub fn mentioned_names(text: &str) -> Vec<String> {
    let is_name_char = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.');
    let mut names: Vec<String> = Vec::new();
    let mut previous: Option<char> = None;
    for (at, c) in text.char_indices() {
        if c == '@' && !previous.is_some_and(is_name_char) {
            let rest = &text[at + 1..];
            let end = rest.find(|c: char| !is_name_char(c)).unwrap_or(rest.len());
            // A sentence's full stop after a name is not part of it.
            let name = rest[..end].trim_end_matches('.').to_lowercase();
            if (3..=32).contains(&name.chars().count()) && !names.contains(&name) {
                names.push(name);
            }
        }
        previous = Some(c);
    }
    names
}

/// How many messages one page may hold, and how many it holds by default.
pub const PAGE_MAX: u32 = 100;
pub const PAGE_DEFAULT: u32 = 50;

/// A valid page size from what the client asked for.
pub fn page_limit(requested: Option<u32>) -> Result<u32, AppError> {
    limit_up_to(requested, PAGE_DEFAULT, PAGE_MAX)
}

/// A `limit` the client asked for, 1 to `max`, or `default` when it asked
/// for none; 400 otherwise.
pub fn limit_up_to(requested: Option<u32>, default: u32, max: u32) -> Result<u32, AppError> {
    match requested.unwrap_or(default) {
        n if (1..=max).contains(&n) => Ok(n),
        _ => Err(AppError::BadInput(format!("limit is 1 to {max}."))),
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
        assert_eq!(MessageText::parse("a\r\n\tb").unwrap().as_str(), "a\r\n\tb");
        for control in ["a\u{0}b", "ring \u{7}", "\u{1b}[31mred", "del\u{7f}", "c1\u{85}x"] {
            assert!(
                matches!(MessageText::parse(control), Err(AppError::BadInput(_))),
                "{control:?}"
            );
        }
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
        let json = r#"{"room_id":"0","seq":42,"rev":97,"from":"7","username":"alice","text":"hi","date":1732350000123}"#;
        let message: Message = serde_json::from_str(json).unwrap();
        assert_eq!(message.seq, 42);
        assert_eq!(serde_json::to_string(&message).unwrap(), json);
        let full = r#"{"room_id":"0","seq":42,"rev":97,"from":"7","username":"alice","text":"hi @bob","date":1732350000123,"edited":1732350100000,"reply_to":40,"reactions":[{"emoji":"👍","users":["7","9"]}],"mentions":["9"]}"#;
        let message: Message = serde_json::from_str(full).unwrap();
        assert_eq!(message.reactions[0].users, vec![UserId(7), UserId(9)]);
        assert!(message.mentions_user(UserId(9)));
        assert_eq!(serde_json::to_string(&message).unwrap(), full);
    }

    #[test]
    fn a_message_from_before_revisions_takes_its_seq() {
        let old = r#"{"room_id":"0","seq":5,"from":"7","username":"alice","text":"hi","date":1}"#;
        let message: Message = serde_json::from_str(old).unwrap();
        assert_eq!(message.with_rev().rev, 5);
    }

    #[test]
    fn mentions_are_names_after_an_at_sign() {
        assert_eq!(mentioned_names("hi @Bob and @carol."), vec!["bob", "carol"]);
        assert_eq!(mentioned_names("@bob @BOB"), vec!["bob"]);
        assert!(mentioned_names("mail a@bob.com, or @x").is_empty());
        assert_eq!(mentioned_names("(@dave_1)"), vec!["dave_1"]);
        assert_eq!(mentioned_names("@ann.lee's turn"), vec!["ann.lee"]);
    }

    #[test]
    fn a_reaction_toggles_as_the_server_keeps_it() {
        let person = |id: u64, name: &str| User {
            id: UserId(id),
            username: Username::parse(name).unwrap(),
        };
        let (alice, bob) = (person(1, "alice"), person(2, "bob"));
        let mut message: Message = serde_json::from_str(
            r#"{"room_id":"0","seq":1,"rev":1,"from":"1","username":"alice","text":"hi","date":0,
               "reactions":[{"emoji":"🎉","users":["9"]}]}"#,
        )
        .unwrap();
        message.toggle_reaction(&alice, "👍", true);
        message.toggle_reaction(&bob, "👍", true);
        message.toggle_reaction(&bob, "👍", true);
        let thumbs = &message.reactions[1];
        assert_eq!((thumbs.emoji.as_str(), thumbs.users.clone()), ("👍", vec![UserId(1), UserId(2)]));
        assert_eq!(thumbs.names, [alice.username.clone(), bob.username.clone()]);
        // A reaction stored without names gets none.
        message.toggle_reaction(&alice, "🎉", true);
        assert_eq!(message.reactions[0].users, [UserId(9), UserId(1)]);
        assert!(message.reactions[0].names.is_empty());
        message.toggle_reaction(&alice, "👍", false);
        assert_eq!(message.reactions[1].names, std::slice::from_ref(&bob.username));
        message.toggle_reaction(&bob, "👍", false);
        message.toggle_reaction(&bob, "😮", false);
        assert_eq!(message.reactions.len(), 1, "one nobody keeps goes");
        // With or without the variation selector, one reaction.
        message.toggle_reaction(&alice, "\u{2764}", true);
        message.toggle_reaction(&bob, "\u{2764}\u{fe0f}", true);
        assert_eq!(message.reactions.len(), 2);
        assert_eq!(message.reactions[1].users, [UserId(1), UserId(2)]);
    }
}
