//! Rooms in Redis: public rooms (create, list, join, leave), direct rooms,
//! memberships, and each member's read mark.

use std::collections::HashMap;

use redis::AsyncCommands;

use crate::model::{Message, Room, RoomId, RoomKind, RoomName, RoomSummary, UserId};

use super::{scripts, Store, StoreError, StoreResult};

impl Store {
    /// Creates a public room with `creator` as its first member, or returns
    /// `None` when another room has that name in any case.
    pub async fn create_room(&self, name: &RoomName, creator: UserId) -> StoreResult<Option<Room>> {
        let mut conn = self.conn();
        // An id lost to a clash leaves a gap; ids are never reused.
        let id = RoomId::Public(conn.incr(self.keys.total_rooms(), 1).await?);
        let created: i64 = scripts::CREATE_ROOM
            .key(self.keys.room_by_name(name))
            .key(self.keys.room_name(&id))
            .key(self.keys.public_rooms())
            .key(self.keys.room_members(&id))
            .key(self.keys.user_rooms(creator))
            .arg(id.to_string())
            .arg(name.as_str())
            .arg(creator.0)
            .invoke_async(&mut conn)
            .await?;
        Ok((created == 1).then(|| Room {
            id,
            name: name.as_str().to_owned(),
            kind: RoomKind::Public,
        }))
    }

    /// A public room's name, if the room exists.
    pub async fn public_room_name(&self, room: &RoomId) -> StoreResult<Option<String>> {
        let mut conn = self.conn();
        Ok(conn.get(self.keys.room_name(room)).await?)
    }

    /// Every public room, by name.
    pub async fn public_rooms(&self) -> StoreResult<Vec<Room>> {
        let mut conn = self.conn();
        let ids: Vec<String> = conn.smembers(self.keys.public_rooms()).await?;
        let ids: Vec<RoomId> = ids.iter().filter_map(|id| RoomId::parse(id).ok()).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let name_keys: Vec<String> = ids.iter().map(|id| self.keys.room_name(id)).collect();
        let names: Vec<Option<String>> = conn.mget(name_keys).await?;
        let mut rooms: Vec<Room> = ids
            .into_iter()
            .zip(names)
            .filter_map(|(id, name)| {
                Some(Room {
                    id,
                    name: name?,
                    kind: RoomKind::Public,
                })
            })
            .collect();
        rooms.sort_by_key(|room| (room.id != RoomId::GENERAL, room.name.to_lowercase()));
        Ok(rooms)
    }

    /// Whether a room exists: a public room with a name, or a direct room
    /// that has been opened.
    pub async fn room_exists(&self, room: &RoomId) -> StoreResult<bool> {
        let mut conn = self.conn();
        let key = match room {
            RoomId::Public(_) => self.keys.room_name(room),
            RoomId::Direct(..) => self.keys.room_members(room),
        };
        Ok(conn.exists(key).await?)
    }

    pub async fn is_member(&self, room: &RoomId, user: UserId) -> StoreResult<bool> {
        let mut conn = self.conn();
        Ok(conn.sismember(self.keys.room_members(room), user.0).await?)
    }

    /// Adds `user` to `room`; answers whether they were not a member before.
    pub async fn add_member(&self, room: &RoomId, user: UserId) -> StoreResult<bool> {
        let mut conn = self.conn();
        let (added, _): (i64, i64) = redis::pipe()
            .atomic()
            .sadd(self.keys.room_members(room), user.0)
            .sadd(self.keys.user_rooms(user), room.to_string())
            .query_async(&mut conn)
            .await?;
        Ok(added == 1)
    }

    /// Takes `user` out of `room`, read mark included.
    pub async fn remove_member(&self, room: &RoomId, user: UserId) -> StoreResult<()> {
        let mut conn = self.conn();
        redis::pipe()
            .atomic()
            .srem(self.keys.room_members(room), user.0)
            .srem(self.keys.user_rooms(user), room.to_string())
            .hdel(self.keys.user_read(user), room.to_string())
            .query_async::<()>(&mut conn)
            .await?;
        Ok(())
    }

    /// Makes the direct room of two users, both of them members; answers
    /// whether it is new.
    pub async fn open_direct(&self, room: &RoomId) -> StoreResult<bool> {
        let RoomId::Direct(low, high) = *room else {
            return Err(StoreError::Corrupt(format!("{room} is not a direct room")));
        };
        let mut conn = self.conn();
        let (added, _, _): (i64, i64, i64) = redis::pipe()
            .atomic()
            .sadd(self.keys.room_members(room), &[low.0, high.0])
            .sadd(self.keys.user_rooms(low), room.to_string())
            .sadd(self.keys.user_rooms(high), room.to_string())
            .query_async(&mut conn)
            .await?;
        Ok(added > 0)
    }

    /// The ids of every member of a room.
    pub async fn members(&self, room: &RoomId) -> StoreResult<Vec<UserId>> {
        let mut conn = self.conn();
        let ids: Vec<u64> = conn.smembers(self.keys.room_members(room)).await?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    /// The ids of the rooms a user belongs to.
    pub async fn room_ids_of(&self, user: UserId) -> StoreResult<Vec<RoomId>> {
        let mut conn = self.conn();
        let ids: Vec<String> = conn.smembers(self.keys.user_rooms(user)).await?;
        Ok(ids.iter().filter_map(|id| RoomId::parse(id).ok()).collect())
    }

    /// The room ids of each of `users`, in one round trip.
    pub async fn room_ids_of_users(&self, users: &[UserId]) -> StoreResult<Vec<Vec<RoomId>>> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for user in users {
            pipe.smembers(self.keys.user_rooms(*user));
        }
        let lists: Vec<Vec<String>> = pipe.query_async(&mut self.conn()).await?;
        Ok(lists
            .iter()
            .map(|ids| ids.iter().filter_map(|id| RoomId::parse(id).ok()).collect())
            .collect())
    }

    /// Moves `user`'s read mark in `room` forward to `seq` (capped at the
    /// room's last seq) and returns the mark.
    pub async fn mark_read(&self, room: &RoomId, user: UserId, seq: u64) -> StoreResult<u64> {
        let mut conn = self.conn();
        Ok(scripts::MARK_READ
            .key(self.keys.user_read(user))
            .key(self.keys.room_seq(room))
            .arg(room.to_string())
            .arg(seq)
            .invoke_async(&mut conn)
            .await?)
    }

    /// The rooms `user` belongs to, with unread counts and last messages,
    /// General first, then by latest activity. Three round trips whatever
    /// the number of rooms.
    pub async fn room_summaries(&self, user: UserId) -> StoreResult<Vec<RoomSummary>> {
        let mut conn = self.conn();
        let (ids, reads): (Vec<String>, HashMap<String, u64>) = redis::pipe()
            .smembers(self.keys.user_rooms(user))
            .hgetall(self.keys.user_read(user))
            .query_async(&mut conn)
            .await?;
        let ids: Vec<RoomId> = ids.iter().filter_map(|id| RoomId::parse(id).ok()).collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }

        let mut pipe = redis::pipe();
        for id in &ids {
            let read = reads.get(&id.to_string()).copied().unwrap_or(0);
            match id.other_member(user) {
                Some(other) => pipe.hget(self.keys.user(other), "username"),
                None => pipe.get(self.keys.room_name(id)),
            };
            pipe.zcount(self.keys.room_messages(id), format!("({read}"), "+inf");
            pipe.zrevrange(self.keys.room_messages(id), 0, 0);
        }
        let rows: Vec<(Option<String>, u64, Vec<String>)> = pipe.query_async(&mut conn).await?;

        let mut summaries = Vec::with_capacity(ids.len());
        for (id, (name, unread, last)) in ids.into_iter().zip(rows) {
            let Some(name) = name else { continue };
            let last_message = match last.first() {
                Some(json) => Some(parse_message(json)?),
                None => None,
            };
            let last_read = reads.get(&id.to_string()).copied().unwrap_or(0);
            let room = Room {
                kind: id.kind(),
                id,
                name,
            };
            summaries.push(RoomSummary {
                room,
                unread,
                last_read,
                last_message,
            });
        }
        summaries.sort_by_key(|s| {
            (
                s.room.id != RoomId::GENERAL,
                std::cmp::Reverse(s.last_message.as_ref().map_or(0, |m| m.date)),
            )
        });
        Ok(summaries)
    }
}

pub(super) fn parse_message(json: &str) -> StoreResult<Message> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("message {json:.80}: {e}")))
}
