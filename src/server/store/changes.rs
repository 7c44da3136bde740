//! Changes to stored messages in Redis (edit, delete, reactions), each one
//! script in the room's slot that takes the room's next rev and publishes
//! the `update`; and reading a room's changes after a rev, for catch-up.

use crate::model::{Message, RoomId, UserId, Username, MAX_REACTIONS};
use crate::server::words::index_words;

use super::messages::{tagged_message, Budget};
use super::rooms::parse_message;
use super::{scripts, Store, StoreError, StoreResult};

/// What to do to a message.
pub enum Change<'a> {
    /// New text, naming these users (the script keeps the members).
    Edit { text: &'a str, named: &'a [UserId] },
    /// By its author, the room's owner, or an admin (`admin`).
    Delete { admin: bool },
    /// Add (`on`) or take away the user's `emoji`; `name` is the user's,
    /// kept beside their id.
    React {
        emoji: &'a str,
        on: bool,
        name: &'a Username,
    },
}

pub enum ChangeOutcome {
    /// Changed, under a new rev, and published.
    Changed(Message),
    /// The change changes nothing (a second delete, a reaction the user
    /// already gave): the message as it is, nothing published.
    Same(Message),
    NotMember,
    NoSuchMessage,
    NotAllowed,
    /// Deleted messages take no edits or reactions.
    Deleted,
    TooManyReactions,
    RateLimited,
}

/// A message read back from a room's changes, with the rev it was stored
/// at: a message stored after the rev asked for is new to the reader, one
/// stored before and changed since is an update.
pub struct Changed {
    pub message: Message,
    pub stored_rev: u64,
}

impl Store {
    /// Applies `change` to message `seq` of `room` as `user`, all or
    /// nothing; it counts against the user's send budget like a send (a
    /// change refused or changing nothing gives its token back).
    pub async fn change_message(
        &self,
        room: &RoomId,
        seq: u64,
        user: UserId,
        change: Change<'_>,
        limits: Budget,
        now: u64,
    ) -> StoreResult<ChangeOutcome> {
        if !self.take_send_token(user, limits, "take").await? {
            return Ok(ChangeOutcome::RateLimited);
        }
        let mut script = scripts::CHANGE_MESSAGE.prepare_invoke();
        script
            .key(self.keys.room_members(room))
            .key(self.keys.room_seq(room))
            .key(self.keys.room_messages(room))
            .key(self.keys.room_rev(room))
            .key(self.keys.room_changes(room))
            .key(self.keys.room_mentions(room))
            .key(self.keys.room_owner(room))
            .key(self.keys.room_search(room))
            .key(self.keys.room_search_words(room));
        let action = match &change {
            Change::Edit { .. } => "edit",
            Change::Delete { .. } => "delete",
            Change::React { .. } => "react",
        };
        script
            .arg(action)
            .arg(user.0)
            .arg(seq)
            .arg(self.keys.room_channel(room))
            .arg(self.publish_command())
            .arg(now);
        match change {
            Change::Edit { text, named } => {
                script.arg(text).arg(index_words(text).join(" "));
                for named in named {
                    script.arg(named.0);
                }
            }
            Change::Delete { admin } => {
                script.arg(if admin { "1" } else { "" });
            }
            Change::React { emoji, on, name } => {
                script
                    .arg(emoji)
                    .arg(if on { "1" } else { "" })
                    .arg(MAX_REACTIONS)
                    .arg(name.as_str());
            }
        }
        let reply: redis::Value = script.invoke_async(&mut self.conn()).await?;
        let outcome = match reply {
            redis::Value::Int(-1) => ChangeOutcome::NotMember,
            redis::Value::Int(-2) => ChangeOutcome::NoSuchMessage,
            redis::Value::Int(-3) => ChangeOutcome::NotAllowed,
            redis::Value::Int(-4) => ChangeOutcome::Deleted,
            redis::Value::Int(-5) => ChangeOutcome::TooManyReactions,
            redis::Value::Array(parts) => match tagged_message(parts)? {
                ("changed", message) => ChangeOutcome::Changed(message),
                ("same", message) => ChangeOutcome::Same(message),
                (tag, _) => return Err(StoreError::Corrupt(format!("change reply {tag}"))),
            },
            other => return Err(StoreError::Corrupt(format!("change reply {other:?}"))),
        };
        match &outcome {
            ChangeOutcome::Changed(_) => {
                if self.conn.replicated(&self.keys.room_rev(room)).await? == Some(0) {
                    tracing::warn!(room = %room, seq, "a change no replica confirmed in time");
                }
            }
            _ => {
                self.take_send_token(user, limits, "refund").await?;
            }
        }
        Ok(outcome)
    }

    /// Up to `limit` messages of `room` whose latest change is above
    /// `after_rev`, in rev order, each in its current state.
    pub async fn changes_after(
        &self,
        room: &RoomId,
        after_rev: u64,
        limit: u32,
    ) -> StoreResult<Vec<Changed>> {
        let flat: Vec<String> = scripts::CHANGES_AFTER
            .key(self.keys.room_changes(room))
            .key(self.keys.room_messages(room))
            .arg(after_rev)
            .arg(limit)
            .invoke_async(&mut self.conn())
            .await?;
        flat.chunks(2)
            .map(|pair| {
                let stored_rev = pair[0]
                    .parse()
                    .map_err(|_| StoreError::Corrupt(format!("change entry {}", pair[0])))?;
                let message = parse_message(pair.get(1).map_or("", String::as_str))?;
                Ok(Changed { message, stored_rev })
            })
            .collect()
    }
}
