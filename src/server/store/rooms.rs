//! Rooms in Redis: public rooms (create, list, join, leave), direct rooms,
//! memberships, and each member's read mark.

use redis::AsyncCommands;

use crate::model::{Message, PublicRoomQuery, Room, RoomId, RoomKind, RoomName, RoomSummary, UserId};

use super::{scripts, Store, StoreError, StoreResult};

/// Users whose room sets are read in one round trip when every room is
/// listed.
const USERS_PER_PAGE: usize = 1000;

impl Store {
    /// Every room: the public ones by id (from General to the last id
    /// handed out, each that has a name: an id lost to a name clash has
    /// none), whether or not anyone is in them, and the direct ones
    /// through their members' room sets. No SCAN, on one Redis or a
    /// cluster. For upkeep (upgrades, retention), not for requests.
    pub(super) async fn every_room(&self) -> StoreResult<std::collections::BTreeSet<RoomId>> {
        let mut conn = self.conn();
        let users: Option<u64> = conn.get(self.keys.total_users()).await?;
        let ids: Vec<UserId> = (1..=users.unwrap_or(0)).map(UserId).collect();
        let mut rooms = std::collections::BTreeSet::new();
        for page in ids.chunks(USERS_PER_PAGE) {
            for listed in self.room_ids_of_users(page).await? {
                rooms.extend(listed.into_iter().filter(|room| matches!(room, RoomId::Direct(..))));
            }
        }
        let last: Option<u64> = conn.get(self.keys.total_rooms()).await?;
        let public: Vec<RoomId> = (0..=last.unwrap_or(0)).map(RoomId::Public).collect();
        for page in public.chunks(USERS_PER_PAGE) {
            let names: Vec<Option<String>> = self
                .each(page.iter().map(|room| {
                    let mut get = redis::cmd("GET");
                    get.arg(self.keys.room_name(room));
                    get
                }))
                .await?;
            rooms.extend(page.iter().zip(names).filter(|(_, name)| name.is_some()).map(|(room, _)| room.clone()));
        }
        rooms.insert(RoomId::GENERAL);
        Ok(rooms)
    }

    /// Creates a public room with `creator` as its first member, or returns
    /// `None` when another room has that name in any case.
    ///
    /// In this order, across slots: the creator's room index, the room
    /// itself (name and first member, one MULTI in its slot: unreachable
    /// until its name points to it), the name claim (the commit point), the
    /// public index. A crash before the claim leaves a room nothing reaches
    /// (an index entry that reads skip); after it, a room that works for
    /// its creator but is missing from the public list.
    pub async fn create_room(&self, name: &RoomName, creator: UserId) -> StoreResult<Option<Room>> {
        let mut conn = self.conn();
        // An id lost to a clash leaves a gap; ids are never reused.
        let id = RoomId::Public(conn.incr(self.keys.total_rooms(), 1).await?);
        let _: () = conn.sadd(self.keys.user_rooms(creator), id.to_string()).await?;
        let _: () = redis::pipe()
            .atomic()
            .set(self.keys.room_name(&id), name.as_str())
            .set(self.keys.room_owner(&id), creator.0)
            .sadd(self.keys.room_members(&id), creator.0)
            .query_async(&mut conn)
            .await?;
        let claimed: bool = conn.set_nx(self.keys.room_by_name(name), id.to_string()).await?;
        if !claimed {
            let _: () = conn.srem(self.keys.user_rooms(creator), id.to_string()).await?;
            let _: () = conn
                .del(&[
                    self.keys.room_name(&id),
                    self.keys.room_owner(&id),
                    self.keys.room_members(&id),
                ])
                .await?;
            return Ok(None);
        }
        let _: () = conn
            .zadd(self.keys.public_room_index(), index_entry(&id, &name.canonical()), 0)
            .await?;
        Ok(Some(Room {
            id,
            name: name.as_str().to_owned(),
            kind: RoomKind::Public,
            owner: Some(creator),
        }))
    }

    /// The creator of each room (none for General, direct rooms, and rooms
    /// made before owners were kept).
    pub async fn room_owners(&self, rooms: &[RoomId]) -> StoreResult<Vec<Option<UserId>>> {
        let gets = rooms.iter().map(|room| {
            let mut get = redis::cmd("GET");
            get.arg(self.keys.room_owner(room));
            get
        });
        let owners: Vec<Option<u64>> = self.each(gets).await?;
        Ok(owners.into_iter().map(|owner| owner.map(UserId)).collect())
    }

    /// A public room's name, if the room exists.
    pub async fn public_room_name(&self, room: &RoomId) -> StoreResult<Option<String>> {
        let mut conn = self.conn();
        Ok(conn.get(self.keys.room_name(room)).await?)
    }

    /// One page of public rooms, General first, then by name in any case;
    /// `None` when `query.after` names no public room.
    pub async fn public_rooms(&self, query: &PublicRoomQuery) -> StoreResult<Option<Vec<Room>>> {
        let mut conn = self.conn();
        let index = self.keys.public_room_index();
        let mut start = match &query.after {
            None => "-".to_owned(),
            Some(after) => match self.public_room_name(after).await? {
                Some(name) => format!("({}", index_entry(after, &name.to_lowercase())),
                None => return Ok(None),
            },
        };
        // Without `q` the first chunk is the page; with it, the index is
        // read on in chunks until the page is full (names only: the index
        // holds them lowercase).
        let limit = query.limit as usize;
        let chunk = if query.contains.is_some() { INDEX_CHUNK } else { limit };
        let mut ids = Vec::with_capacity(limit);
        while ids.len() < limit {
            let entries: Vec<String> = redis::cmd("ZRANGEBYLEX")
                .arg(&index)
                .arg(&start)
                .arg("+")
                .arg("LIMIT")
                .arg(0)
                .arg(chunk)
                .query_async(&mut conn)
                .await?;
            let Some(last) = entries.last() else { break };
            start = format!("({last}");
            let matching = entries.iter().filter_map(|entry| parse_entry(entry)).filter(|(name, _)| {
                query.contains.as_ref().is_none_or(|q| name.contains(q.as_str()))
            });
            ids.extend(matching.map(|(_, id)| id).take(limit - ids.len()));
            if entries.len() < chunk {
                break;
            }
        }
        if ids.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let name_keys: Vec<String> = ids.iter().map(|id| self.keys.room_name(id)).collect();
        let names: Vec<Option<String>> = conn.mget(name_keys).await?;
        let owners = self.room_owners(&ids).await?;
        Ok(Some(
            ids.into_iter()
                .zip(names)
                .zip(owners)
                .filter_map(|((id, name), owner)| {
                    Some(Room {
                        id,
                        name: name?,
                        kind: RoomKind::Public,
                        owner,
                    })
                })
                .collect(),
        ))
    }

    /// Builds the public room index from the set it replaced, once, on a
    /// deployment that ran an earlier release; idempotent.
    pub(super) async fn upgrade_public_index(&self) -> StoreResult<()> {
        let mut conn = self.conn();
        let legacy = self.keys.legacy().public_rooms();
        let ids: Vec<String> = conn.smembers(&legacy).await?;
        let ids: Vec<RoomId> = ids.iter().filter_map(|id| RoomId::parse(id).ok()).collect();
        for id in &ids {
            if let Some(name) = self.public_room_name(id).await? {
                let _: () = conn
                    .zadd(self.keys.public_room_index(), index_entry(id, &name.to_lowercase()), 0)
                    .await?;
            }
        }
        if !ids.is_empty() {
            tracing::info!(rooms = ids.len(), "built the public room index from the earlier set");
            let _: () = conn.del(&legacy).await?;
        }
        Ok(())
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
    ///
    /// A user's room index holds at least the rooms that list them as a
    /// member: it is written first on a join and last on a leave, and every
    /// read of it checks the room (a crash between the two steps leaves an
    /// entry that reads skip, and the next join or leave settles).
    pub async fn add_member(&self, room: &RoomId, user: UserId) -> StoreResult<bool> {
        let mut conn = self.conn();
        let _: () = conn.sadd(self.keys.user_rooms(user), room.to_string()).await?;
        let added: i64 = conn.sadd(self.keys.room_members(room), user.0).await?;
        Ok(added == 1)
    }

    /// Takes `user` out of `room`, read mark included (one MULTI in the
    /// room's slot), then out of their room index.
    pub async fn remove_member(&self, room: &RoomId, user: UserId) -> StoreResult<()> {
        let mut conn = self.conn();
        redis::pipe()
            .atomic()
            .srem(self.keys.room_members(room), user.0)
            .hdel(self.keys.room_read(room), user.0)
            .query_async::<()>(&mut conn)
            .await?;
        let _: () = conn.srem(self.keys.user_rooms(user), room.to_string()).await?;
        Ok(())
    }

    /// Makes the direct room of two users, both of them members; answers
    /// whether it is new. Both room indexes first, as for a join.
    pub async fn open_direct(&self, room: &RoomId) -> StoreResult<bool> {
        let RoomId::Direct(low, high) = *room else {
            return Err(StoreError::Corrupt(format!("{room} is not a direct room")));
        };
        let mut conn = self.conn();
        for user in [low, high] {
            let _: () = conn.sadd(self.keys.user_rooms(user), room.to_string()).await?;
        }
        let added: i64 = conn.sadd(self.keys.room_members(room), &[low.0, high.0]).await?;
        Ok(added > 0)
    }

    /// Deletes the public room `room` named `name`; answers its members,
    /// or `None` when it was gone already.
    ///
    /// In this order, across slots: the name claim (so the name is free
    /// again) and the public index entry, then the room's own keys in one
    /// script (the commit point: the room has no name, so it no longer
    /// exists for any read or write), then each member's room index. A
    /// crash before the commit leaves a room whose name another room may
    /// take (deleting again finishes it); after it, members' indexes that
    /// list a room reads skip (they check the room).
    pub async fn delete_room(&self, room: &RoomId, name: &RoomName) -> StoreResult<Option<Vec<UserId>>> {
        let mut conn = self.conn();
        let claim = self.keys.room_by_name(name);
        let claimant: Option<String> = conn.get(&claim).await?;
        if claimant.as_deref() == Some(room.to_string().as_str()) {
            let _: () = conn.del(&claim).await?;
        }
        let _: () = conn
            .zrem(self.keys.public_room_index(), index_entry(room, &name.canonical()))
            .await?;
        let members: Option<Vec<u64>> = scripts::DELETE_ROOM
            .key(self.keys.room_name(room))
            .key(self.keys.room_members(room))
            .key(self.keys.room_owner(room))
            .key(self.keys.room_messages(room))
            .key(self.keys.room_seq(room))
            .key(self.keys.room_read(room))
            .key(self.keys.room_rev(room))
            .key(self.keys.room_changes(room))
            .key(self.keys.room_mentions(room))
            .key(self.keys.room_search(room))
            .key(self.keys.room_search_words(room))
            .invoke_async::<redis::Value>(&mut conn)
            .await
            .and_then(|reply| match reply {
                redis::Value::Int(_) => Ok(None),
                other => redis::from_redis_value(other).map(Some).map_err(redis::RedisError::from),
            })?;
        let Some(members) = members else {
            return Ok(None);
        };
        let members: Vec<UserId> = members.into_iter().map(UserId).collect();
        for member in &members {
            let _: () = conn.srem(self.keys.user_rooms(*member), room.to_string()).await?;
        }
        Ok(Some(members))
    }

    /// The ids of every member of a room.
    pub async fn members(&self, room: &RoomId) -> StoreResult<Vec<UserId>> {
        let mut conn = self.conn();
        let ids: Vec<u64> = conn.smembers(self.keys.room_members(room)).await?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    /// The ids of the rooms a user belongs to (checked against each room).
    pub async fn room_ids_of(&self, user: UserId) -> StoreResult<Vec<RoomId>> {
        Ok(self.room_ids_of_users(&[user]).await?.pop().unwrap_or_default())
    }

    /// The room ids of each of `users`: their room indexes, then each entry
    /// checked against the room's members (two round trips).
    pub async fn room_ids_of_users(&self, users: &[UserId]) -> StoreResult<Vec<Vec<RoomId>>> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let indexes = users.iter().map(|user| {
            let mut cmd = redis::cmd("SMEMBERS");
            cmd.arg(self.keys.user_rooms(*user));
            cmd
        });
        let lists: Vec<Vec<String>> = self.each(indexes).await?;
        // Each listed room with the place of its user in `users`.
        let listed: Vec<(usize, RoomId)> = lists
            .iter()
            .enumerate()
            .flat_map(|(i, ids)| ids.iter().filter_map(move |id| Some((i, RoomId::parse(id).ok()?))))
            .collect();
        let checks = listed.iter().map(|(i, room)| {
            let mut cmd = redis::cmd("SISMEMBER");
            cmd.arg(self.keys.room_members(room)).arg(users[*i].0);
            cmd
        });
        let member: Vec<bool> = self.each(checks).await?;
        let mut rooms: Vec<Vec<RoomId>> = vec![Vec::new(); users.len()];
        for ((i, room), member) in listed.into_iter().zip(member) {
            if member {
                rooms[i].push(room);
            }
        }
        Ok(rooms)
    }

    /// Moves `user`'s read mark in `room` forward to `seq` (capped at the
    /// room's last seq) and returns the mark.
    pub async fn mark_read(&self, room: &RoomId, user: UserId, seq: u64) -> StoreResult<u64> {
        let mut conn = self.conn();
        Ok(scripts::MARK_READ
            .key(self.keys.room_read(room))
            .key(self.keys.room_seq(room))
            .arg(user.0)
            .arg(seq)
            .invoke_async(&mut conn)
            .await?)
    }

    /// The rooms `user` belongs to, with unread counts and last messages,
    /// General first, then by latest activity. Three round trips whatever
    /// the number of rooms (the rooms, their names and read marks, their
    /// unread counts and last messages).
    pub async fn room_summaries(&self, user: UserId) -> StoreResult<Vec<RoomSummary>> {
        let ids = self.room_ids_of(user).await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let firsts = ids.iter().flat_map(|id| {
            let name = match id.other_member(user) {
                Some(other) => {
                    let mut cmd = redis::cmd("HGET");
                    cmd.arg(self.keys.user(other)).arg("username");
                    cmd
                }
                None => {
                    let mut cmd = redis::cmd("GET");
                    cmd.arg(self.keys.room_name(id));
                    cmd
                }
            };
            let mut read = redis::cmd("HGET");
            read.arg(self.keys.room_read(id)).arg(user.0);
            let mut owner = redis::cmd("GET");
            owner.arg(self.keys.room_owner(id));
            [name, read, owner]
        });
        let firsts: Vec<Option<String>> = self.each(firsts).await?;
        let mut names = Vec::with_capacity(ids.len());
        let mut reads = Vec::with_capacity(ids.len());
        let mut owners = Vec::with_capacity(ids.len());
        for triple in firsts.chunks(3) {
            names.push(triple[0].clone());
            reads.push(triple[1].as_deref().and_then(|r| r.parse().ok()).unwrap_or(0u64));
            owners.push(triple[2].as_deref().and_then(|o| o.parse().ok()).map(UserId));
        }
        let seconds = ids.iter().zip(&reads).flat_map(|(id, read)| {
            let mut unread = redis::cmd("ZCOUNT");
            unread
                .arg(self.keys.room_messages(id))
                .arg(format!("({read}"))
                .arg("+inf");
            let mut last = redis::cmd("ZRANGE");
            last.arg(self.keys.room_messages(id)).arg(-1).arg(-1);
            let (from, to) = mention_range(user, *read);
            let mut mentions = redis::cmd("ZLEXCOUNT");
            mentions.arg(self.keys.room_mentions(id)).arg(from).arg(to);
            [unread, last, mentions]
        });
        let seconds: Vec<redis::Value> = self.each(seconds).await?;
        let mut summaries = Vec::with_capacity(ids.len());
        let rows = ids.into_iter().zip(names).zip(reads).zip(owners).zip(seconds.chunks(3));
        for ((((id, name), last_read), owner), triple) in rows {
            let Some(name) = name else { continue };
            let unread: u64 = redis::from_redis_value_ref(&triple[0]).map_err(redis::RedisError::from)?;
            let last: Vec<String> = redis::from_redis_value_ref(&triple[1]).map_err(redis::RedisError::from)?;
            let mentions: u64 = redis::from_redis_value_ref(&triple[2]).map_err(redis::RedisError::from)?;
            let last_message = match last.first() {
                Some(json) => Some(parse_message(json)?),
                None => None,
            };
            let room = Room {
                kind: id.kind(),
                id,
                name,
                owner,
            };
            summaries.push(RoomSummary {
                room,
                unread,
                mentions,
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

/// The ZLEXCOUNT range of a room's mentions of `user` above seq `read`
/// (entries are `{user}:{seq, 20 digits}`).
fn mention_range(user: UserId, read: u64) -> (String, String) {
    (format!("({user}:{read:020}"), format!("[{user}:~"))
}

pub(super) fn parse_message(json: &str) -> StoreResult<Message> {
    serde_json::from_str::<Message>(json)
        .map(Message::with_rev)
        .map_err(|e| StoreError::Corrupt(format!("message {json:.80}: {e}")))
}

/// Entries of the public room index read at a time while filtering by `q`.
const INDEX_CHUNK: usize = 500;

/// A room's entry in the public room index: its sort key (General first,
/// then the lowercase name), then its id. Room names hold no control
/// characters, so `\x1f` ends the name.
fn index_entry(id: &RoomId, canonical_name: &str) -> String {
    let rank = if *id == RoomId::GENERAL { '0' } else { '1' };
    format!("{rank}{canonical_name}\u{1f}{id}")
}

/// General's entry in the public room index.
pub(super) fn general_index_entry(general: &RoomName) -> String {
    index_entry(&RoomId::GENERAL, &general.canonical())
}

/// The lowercase name and the id of an index entry.
fn parse_entry(entry: &str) -> Option<(&str, RoomId)> {
    let (key, id) = entry.rsplit_once('\u{1f}')?;
    Some((key.get(1..)?, RoomId::parse(id).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_entries_sort_general_first_and_read_back() {
        let general = index_entry(&RoomId::GENERAL, "general");
        let alpha = index_entry(&RoomId::Public(9), "alpha");
        let beta = index_entry(&RoomId::Public(3), "beta");
        let mut sorted = vec![beta.clone(), alpha.clone(), general.clone()];
        sorted.sort();
        assert_eq!(sorted, vec![general.clone(), alpha.clone(), beta]);
        assert_eq!(parse_entry(&alpha), Some(("alpha", RoomId::Public(9))));
        assert_eq!(parse_entry(&general), Some(("general", RoomId::GENERAL)));
        assert_eq!(parse_entry("no separator"), None);
    }
}
