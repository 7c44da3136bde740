//! Search in Redis: each room's index is written by the send and change
//! scripts in the same step that stores a message (so it never disagrees
//! with the history), and read here, one script per room in the room's
//! slot. docs/architecture.md ("Search") gives the layout and its cost.

use futures::future::try_join_all;
use redis::AsyncCommands;

use crate::model::{Message, RoomId};
use crate::server::words::Query;

use super::rooms::parse_message;
use super::{scripts, Store, StoreResult};

/// The most index entries (or messages) one room's search looks at: a
/// bound on the work one query makes Redis do in a room, whatever it asks.
const ROOM_BUDGET: u32 = 5000;

impl Store {
    /// The newest `limit` messages of `rooms` that hold `query`'s words,
    /// newest first.
    pub async fn search(
        &self,
        rooms: &[RoomId],
        query: &Query,
        limit: usize,
    ) -> StoreResult<Vec<Message>> {
        let searches = rooms.iter().map(|room| {
            let mut conn = self.conn();
            let mut script = scripts::SEARCH_ROOM.prepare_invoke();
            script
                .key(self.keys.room_search(room))
                .key(self.keys.room_search_words(room))
                .key(self.keys.room_messages(room))
                .key(self.keys.room_seq(room))
                .arg(&query.prefix)
                .arg(limit)
                .arg(ROOM_BUDGET);
            for word in &query.whole {
                script.arg(word);
            }
            async move { script.invoke_async::<Vec<String>>(&mut conn).await }
        });
        let mut found = Vec::new();
        for room in try_join_all(searches).await? {
            for json in room {
                found.push(parse_message(&json)?);
            }
        }
        found.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| b.seq.cmp(&a.seq)));
        found.truncate(limit);
        Ok(found)
    }

    /// Drops `room`'s search index and makes it again from its history
    /// (the upgrade to layout 6, whose words are folded in full). A crash
    /// midway is redone from the start by the next upgrade.
    pub(super) async fn index_room_again(&self, room: &RoomId) -> StoreResult<usize> {
        let mut conn = self.conn();
        // One slot: the room's tag.
        let _: () = conn
            .del(&[
                self.keys.room_search(room),
                self.keys.room_search_words(room),
            ])
            .await?;
        self.index_room(room).await
    }

    /// Enters the stored messages of `room` in its search index, a page at
    /// a time (the upgrade to key layout 4). Answers how many it entered.
    pub(super) async fn index_room(&self, room: &RoomId) -> StoreResult<usize> {
        let mut conn = self.conn();
        let mut indexed = 0;
        let mut after = 0u64;
        loop {
            let page = self.messages_after(room, after, INDEX_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for message in &page {
                let words = crate::server::words::index_words(&message.text);
                let entered: u32 = scripts::INDEX_MESSAGE
                    .key(self.keys.room_search(room))
                    .key(self.keys.room_search_words(room))
                    .key(self.keys.room_messages(room))
                    .arg(message.seq)
                    .arg(words.join(" "))
                    .arg(&message.text)
                    .invoke_async(&mut conn)
                    .await?;
                indexed += entered as usize;
            }
        }
        Ok(indexed)
    }
}

/// Messages read per round trip when indexing a room's history.
const INDEX_PAGE: u32 = 500;
