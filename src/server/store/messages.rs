//! Messages in Redis: storing (the sender's send budget, then the room's
//! script that stores and publishes) and reading pages by seq. Changes to
//! stored messages are in [`super::changes`].

use serde::Serialize;

use crate::model::{Message, MessageText, RoomId, User, UserId, Username};

use crate::server::events::Envelope;
use crate::server::words::index_words;

use super::rooms::parse_message;
use super::{scripts, Store, StoreError, StoreResult};

/// A token bucket's settings: `burst` at once, `per_second` sustained (a
/// user's sends, or the pages of history their syncs read).
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub burst: u32,
    pub per_second: f64,
}

/// A message to store: everything but the seq the store will give it.
pub struct Draft<'a> {
    pub room: &'a RoomId,
    pub sender: &'a User,
    pub text: &'a MessageText,
    /// When it was sent (Unix ms). A date earlier than the room's last
    /// message's is stored as that one's: a room's dates follow its seqs.
    pub date: u64,
    /// The client's name for this send (socket sends), remembered so that
    /// a retry of it is not stored twice: see [`SendOutcome::SentBefore`].
    pub nonce: Option<&'a str>,
    /// Whether this send repeats an earlier one under the same nonce.
    pub retry: bool,
    /// The seq of the message it answers.
    pub reply_to: Option<u64>,
    /// The users its text names (the script keeps those who are members).
    pub named: &'a [UserId],
    /// How a program posted it.
    pub via: Option<Via<'a>>,
}

/// How a program posted a message: `kind` `"token"` or `"webhook"`, and
/// the token's or webhook's name.
#[derive(Debug, Clone, Copy)]
pub struct Via<'a> {
    pub kind: &'static str,
    pub name: &'a str,
}

/// How many of a user's last nonces are remembered in each room, and for
/// how long.
const NONCES_KEPT: u32 = 64;
const NONCES_KEPT_SECS: u64 = 24 * 60 * 60;

pub enum SendOutcome {
    Stored(Message),
    /// An earlier send with the same room and nonce stored this message
    /// (and published it then): a client repeating a send it never saw
    /// answered. Nothing was stored, spent or published now.
    SentBefore(Message),
    NotMember,
    /// The message it answers is not in the room.
    NoSuchReply,
    RateLimited,
}

/// A message as stored, before the script gives it its seq.
#[derive(Serialize)]
struct Unnumbered<'a> {
    room_id: &'a RoomId,
    from: UserId,
    username: &'a Username,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reply_to: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    via: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    via_name: Option<&'a str>,
}

impl Store {
    /// Stores a draft and publishes it in its envelope, all or nothing.
    ///
    /// Two slots: the sender's budget is taken first (their slot), then
    /// the room's script checks membership, stores and publishes (the
    /// room's slot); a send that stored nothing gives its token back. A
    /// retry is looked up before any token is taken, so that answering it
    /// costs nothing. A crash between the steps costs the sender one token,
    /// never a message.
    pub async fn send_message(
        &self,
        draft: &Draft<'_>,
        limits: Budget,
        envelope: &Envelope,
    ) -> StoreResult<SendOutcome> {
        let Draft {
            room,
            sender,
            text,
            date,
            nonce,
            retry,
            reply_to,
            named,
            via,
        } = *draft;
        let mut conn = self.conn();
        if let (Some(nonce), true) = (nonce, retry) {
            let earlier: Option<String> = scripts::SENT_BEFORE
                .key(self.keys.sent_nonces(room, sender.id))
                .key(self.keys.room_messages(room))
                .arg(nonce)
                .invoke_async(&mut conn)
                .await?;
            if let Some(stored) = earlier {
                return Ok(SendOutcome::SentBefore(parse_message(&stored)?));
            }
        }
        if !self.take_send_token(sender.id, limits, "take").await? {
            return Ok(SendOutcome::RateLimited);
        }
        let unnumbered = Unnumbered {
            room_id: room,
            from: sender.id,
            username: &sender.username,
            text: text.as_str(),
            reply_to,
            via: via.map(|via| via.kind),
            via_name: via.map(|via| via.name),
        };
        let json =
            serde_json::to_string(&unnumbered).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut script = scripts::SEND_MESSAGE.prepare_invoke();
        script
            .key(self.keys.room_members(room))
            .key(self.keys.room_seq(room))
            .key(self.keys.room_messages(room))
            .key(self.keys.room_read(room))
            .key(self.keys.sent_nonces(room, sender.id))
            .key(self.keys.sent_order(room, sender.id))
            .key(self.keys.room_rev(room))
            .key(self.keys.room_changes(room))
            .key(self.keys.room_mentions(room))
            .key(self.keys.room_search(room))
            .key(self.keys.room_search_words(room))
            .arg(sender.id.0)
            .arg(json)
            .arg(self.keys.room_channel(room))
            .arg(self.publish_command())
            .arg(&envelope.before)
            .arg(&envelope.after)
            .arg(nonce.unwrap_or_default())
            .arg(NONCES_KEPT)
            .arg(NONCES_KEPT_SECS)
            .arg(if retry { "1" } else { "" })
            .arg(reply_to.map(|seq| seq.to_string()).unwrap_or_default())
            .arg(index_words(text.as_str()).join(" "))
            .arg(date);
        for user in named {
            script.arg(user.0);
        }
        let reply: redis::Value = script.invoke_async(&mut conn).await?;
        let outcome = match reply {
            redis::Value::Int(-1) => SendOutcome::NotMember,
            redis::Value::Int(-2) => SendOutcome::NoSuchReply,
            redis::Value::Array(parts) => match tagged_message(parts)? {
                ("stored", message) => SendOutcome::Stored(message),
                ("before", message) => SendOutcome::SentBefore(message),
                (tag, _) => return Err(StoreError::Corrupt(format!("send reply {tag}"))),
            },
            other => return Err(StoreError::Corrupt(format!("send reply {other:?}"))),
        };
        match &outcome {
            SendOutcome::Stored(message) => {
                // Acknowledged only once a replica has it (on a cluster).
                if self.conn.replicated(&self.keys.room_seq(room)).await? == Some(0) {
                    tracing::warn!(room = %room, seq = message.seq, "a message no replica confirmed in time");
                }
            }
            _ => {
                self.take_send_token(sender.id, limits, "refund").await?;
            }
        }
        Ok(outcome)
    }

    /// Takes (or gives back) one token of a user's send budget; answers
    /// whether there was one to take.
    pub(super) async fn take_send_token(&self, user: UserId, limits: Budget, mode: &str) -> StoreResult<bool> {
        self.take_token(self.keys.send_budget(user), limits, mode).await
    }

    /// Takes one page of a user's sync budget: each page of history a
    /// sync reads past its first. Answers whether there was one to take.
    pub async fn take_sync_page(&self, user: UserId, limits: Budget) -> StoreResult<bool> {
        self.take_token(self.keys.sync_budget(user), limits, "take").await
    }

    async fn take_token(&self, bucket: String, limits: Budget, mode: &str) -> StoreResult<bool> {
        let taken: i64 = scripts::TAKE_BUDGET
            .key(bucket)
            .arg(limits.burst)
            .arg(limits.per_second)
            .arg(mode)
            .invoke_async(&mut self.conn())
            .await?;
        Ok(taken == 1)
    }

    /// The newest `limit` messages with seq below `before` (all, without
    /// it), oldest first.
    pub async fn messages_before(
        &self,
        room: &RoomId,
        before: Option<u64>,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let max = before.map_or("+inf".to_owned(), |b| format!("({b}"));
        let mut conn = self.conn();
        let rows: Vec<String> = redis::cmd("ZRANGE")
            .arg(self.keys.room_messages(room))
            .arg(max)
            .arg("-inf")
            .arg("BYSCORE")
            .arg("REV")
            .arg("LIMIT")
            .arg(0)
            .arg(limit)
            .query_async(&mut conn)
            .await?;
        rows.iter().rev().map(|json| parse_message(json)).collect()
    }

    /// Up to `limit` messages with seq above `after`, oldest first.
    pub async fn messages_after(
        &self,
        room: &RoomId,
        after: u64,
        limit: u32,
    ) -> StoreResult<Vec<Message>> {
        let mut conn = self.conn();
        let rows: Vec<String> = redis::cmd("ZRANGE")
            .arg(self.keys.room_messages(room))
            .arg(format!("({after}"))
            .arg("+inf")
            .arg("BYSCORE")
            .arg("LIMIT")
            .arg(0)
            .arg(limit)
            .query_async(&mut conn)
            .await?;
        rows.iter().map(|json| parse_message(json)).collect()
    }
}

impl Store {
    /// The last rev of each room (0 for a room without messages; a room
    /// from before revisions reads as its last seq).
    pub async fn last_revs(&self, rooms: &[RoomId]) -> StoreResult<Vec<u64>> {
        let commands = rooms.iter().flat_map(|room| {
            [self.keys.room_rev(room), self.keys.room_seq(room)].map(|key| {
                let mut get = redis::cmd("GET");
                get.arg(key);
                get
            })
        });
        let values: Vec<Option<u64>> = self.each(commands).await?;
        Ok(values
            .chunks(2)
            .map(|pair| pair[0].or(pair[1]).unwrap_or(0))
            .collect())
    }

}

/// A script's `{tag, message JSON}` reply.
pub(super) fn tagged_message(parts: Vec<redis::Value>) -> StoreResult<(&'static str, Message)> {
    let [tag, json]: [redis::Value; 2] = parts
        .try_into()
        .map_err(|parts| StoreError::Corrupt(format!("script reply {parts:?}")))?;
    let tag: String = redis::from_redis_value(tag).map_err(redis::RedisError::from)?;
    let json: String = redis::from_redis_value(json).map_err(redis::RedisError::from)?;
    let tag = match tag.as_str() {
        "stored" => "stored",
        "before" => "before",
        "changed" => "changed",
        "same" => "same",
        other => return Err(StoreError::Corrupt(format!("script reply tag {other}"))),
    };
    Ok((tag, parse_message(&json)?))
}
