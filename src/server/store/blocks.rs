//! Blocks in Redis: each person's set of the people they blocked, in their
//! own slot (`{user:N}:blocked`). Read where a block matters: opening or
//! writing in a direct room, and counting a mention.

use redis::AsyncCommands;

use crate::model::UserId;

use super::{Store, StoreResult};

impl Store {
    /// `user` blocks `other`; answers how many people `user` now blocks.
    pub async fn block(&self, user: UserId, other: UserId) -> StoreResult<usize> {
        let mut conn = self.conn();
        let key = self.keys.blocked(user);
        let _: () = conn.sadd(&key, other.0).await?;
        Ok(conn.scard(&key).await?)
    }

    pub async fn unblock(&self, user: UserId, other: UserId) -> StoreResult<()> {
        let _: () = self.conn().srem(self.keys.blocked(user), other.0).await?;
        Ok(())
    }

    /// The people `user` blocked.
    pub async fn blocked(&self, user: UserId) -> StoreResult<Vec<UserId>> {
        let ids: Vec<u64> = self.conn().smembers(self.keys.blocked(user)).await?;
        Ok(ids.into_iter().map(UserId).collect())
    }

    /// Whether `a` blocked `b` or `b` blocked `a`.
    pub async fn blocked_either_way(&self, a: UserId, b: UserId) -> StoreResult<bool> {
        let checks = [(a, b), (b, a)].map(|(user, other)| {
            let mut check = redis::cmd("SISMEMBER");
            check.arg(self.keys.blocked(user)).arg(other.0);
            check
        });
        let found: Vec<bool> = self.each(checks).await?;
        Ok(found.into_iter().any(|blocked| blocked))
    }

    /// Of `named`, those who did not block `sender`.
    pub async fn not_blocking(
        &self,
        sender: UserId,
        named: Vec<UserId>,
    ) -> StoreResult<Vec<UserId>> {
        if named.is_empty() {
            return Ok(named);
        }
        let checks = named.iter().map(|user| {
            let mut check = redis::cmd("SISMEMBER");
            check.arg(self.keys.blocked(*user)).arg(sender.0);
            check
        });
        let blocking: Vec<bool> = self.each(checks).await?;
        Ok(named
            .into_iter()
            .zip(blocking)
            .filter(|(_, blocks)| !blocks)
            .map(|(user, _)| user)
            .collect())
    }
}
