//! Users in Redis: creating one (the record, then the name claim, then
//! General), and finding one by id or by name.

use std::collections::HashMap;

use redis::AsyncCommands;

use crate::model::{RoomId, User, UserId, Username};

use super::{Store, StoreError, StoreResult};

/// An argon2 PHC string. Server-only and not `Serialize`, so it cannot be
/// sent to a browser by mistake.
#[derive(Clone)]
pub struct PasswordHash(pub String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(***)")
    }
}

/// A user with the secret the store keeps for them.
#[derive(Debug, Clone)]
pub struct StoredUser {
    pub user: User,
    pub password_hash: PasswordHash,
}

impl Store {
    /// Creates a user, or returns `None` when the name is taken in any case.
    ///
    /// Three slots, in this order: the user's record (unreachable until its
    /// name points to it), the name claim (the commit point), then the
    /// membership of General. A crash after the record leaves a record no
    /// name reaches; a crash after the claim, a user outside General, whom
    /// their next sign-in puts back ([`Store::join_general`]).
    pub async fn create_user(
        &self,
        username: &Username,
        password_hash: &PasswordHash,
    ) -> StoreResult<Option<User>> {
        let mut conn = self.conn();
        // An id lost to a clash leaves a gap in the ids; ids are never reused.
        let id = UserId(conn.incr(self.keys.total_users(), 1).await?);
        let _: () = conn
            .hset_multiple(
                self.keys.user(id),
                &[
                    ("username", username.as_str()),
                    ("password", password_hash.0.as_str()),
                ],
            )
            .await?;
        let claimed: bool = conn.set_nx(self.keys.username(username), id.0).await?;
        if !claimed {
            let _: () = conn.del(self.keys.user(id)).await?;
            return Ok(None);
        }
        self.join_general(id).await?;
        Ok(Some(User {
            id,
            username: username.clone(),
        }))
    }

    /// Makes `user` a member of General (idempotent: sign-in repeats it,
    /// for a sign-up cut short after its name was claimed).
    pub async fn join_general(&self, user: UserId) -> StoreResult<()> {
        self.add_member(&RoomId::GENERAL, user).await.map(|_| ())
    }

    /// Claims the one-time right to seed demo data: true only on a Redis
    /// that holds no users and was never seeded.
    pub async fn claim_demo(&self) -> StoreResult<bool> {
        let mut conn = self.conn();
        if conn.exists(self.keys.total_users()).await? {
            return Ok(false);
        }
        Ok(conn.set_nx(self.keys.demo_seeded(), 1).await?)
    }

    /// The user and password hash behind a username, in any case.
    pub async fn find_by_username(&self, username: &Username) -> StoreResult<Option<StoredUser>> {
        let mut conn = self.conn();
        let id: Option<u64> = conn.get(self.keys.username(username)).await?;
        match id {
            Some(id) => self.stored_user(UserId(id)).await,
            None => Ok(None),
        }
    }

    /// The ids of the users with these names (any case); names nobody has
    /// are left out.
    pub async fn user_ids_named(&self, names: &[Username]) -> StoreResult<Vec<UserId>> {
        let gets = names.iter().map(|name| {
            let mut get = redis::cmd("GET");
            get.arg(self.keys.username(name));
            get
        });
        let ids: Vec<Option<u64>> = self.each(gets).await?;
        Ok(ids.into_iter().flatten().map(UserId).collect())
    }

    /// The users with these ids, in name order; ids that name nobody are
    /// left out. One read per user, pipelined (each in its own slot).
    pub async fn users_by_name(
        &self,
        ids: impl IntoIterator<Item = UserId>,
    ) -> StoreResult<Vec<User>> {
        let ids: Vec<UserId> = ids.into_iter().collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let names: Vec<Option<String>> = self
            .each(ids.iter().map(|id| {
                let mut cmd = redis::cmd("HGET");
                cmd.arg(self.keys.user(*id)).arg("username");
                cmd
            }))
            .await?;
        let mut users: Vec<User> = ids
            .into_iter()
            .zip(names)
            .filter_map(|(id, name)| {
                Some(User {
                    id,
                    username: Username::parse(&name?).ok()?,
                })
            })
            .collect();
        users.sort_by_key(|u| u.username.canonical());
        Ok(users)
    }

    /// The public record of a user, if there is one.
    pub async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        Ok(self.stored_user(id).await?.map(|stored| stored.user))
    }

    async fn stored_user(&self, id: UserId) -> StoreResult<Option<StoredUser>> {
        let mut conn = self.conn();
        let mut fields: HashMap<String, String> = conn.hgetall(self.keys.user(id)).await?;
        if fields.is_empty() {
            return Ok(None);
        }
        let corrupt = |what: &str| StoreError::Corrupt(format!("user {id}: {what}"));
        let username = fields
            .remove("username")
            .ok_or_else(|| corrupt("no username"))?;
        let username = Username::parse(&username).map_err(|_| corrupt("bad username"))?;
        let password = fields
            .remove("password")
            .ok_or_else(|| corrupt("no password"))?;
        Ok(Some(StoredUser {
            user: User { id, username },
            password_hash: PasswordHash(password),
        }))
    }
}
