//! Sessions in Redis: a random token that names a user, with a sliding TTL.

use redis::AsyncCommands;

use crate::model::UserId;
use crate::server::events::SessionFingerprint;

use super::{Store, StoreResult};

/// A session token: 256 bits from the OS CSPRNG, as 64 hex digits.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken(String);

impl SessionToken {
    pub fn generate() -> Result<Self, getrandom::Error> {
        random_hex().map(SessionToken)
    }

    /// Accepts only what `generate` makes, so no other text reaches a key.
    pub fn parse(raw: &str) -> Option<Self> {
        is_random_hex(raw).then(|| SessionToken(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the token, in hex: what Redis keys and the bus use,
    /// so neither ever holds a token that would sign someone in.
    pub fn fingerprint(&self) -> SessionFingerprint {
        SessionFingerprint(sha256_hex(&self.0))
    }
}

/// 256 bits from the OS CSPRNG, as 64 lowercase hex digits: the secret of
/// a session, an API token or a webhook.
pub(super) fn random_hex() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Whether `raw` is what [`random_hex`] makes.
pub(super) fn is_random_hex(raw: &str) -> bool {
    raw.len() == 64
        && raw
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// The SHA-256 of a secret, in hex: what keys and the bus hold instead.
pub(super) fn sha256_hex(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

impl Store {
    pub async fn create_session(
        &self,
        token: &SessionToken,
        user: UserId,
        ttl_secs: u64,
    ) -> StoreResult<()> {
        let mut conn = self.conn();
        conn.set_ex::<_, _, ()>(self.keys.session(token), user.0, ttl_secs)
            .await?;
        Ok(())
    }

    /// The user of a live session, whose life starts over with this use.
    pub async fn session_user(
        &self,
        token: &SessionToken,
        ttl_secs: u64,
    ) -> StoreResult<Option<UserId>> {
        let mut conn = self.conn();
        let id: Option<u64> = redis::cmd("GETEX")
            .arg(self.keys.session(token))
            .arg("EX")
            .arg(ttl_secs)
            .query_async(&mut conn)
            .await?;
        Ok(id.map(UserId))
    }

    /// For each session fingerprint, whether that session still exists.
    pub async fn live_sessions(
        &self,
        fingerprints: &[SessionFingerprint],
    ) -> StoreResult<Vec<bool>> {
        if fingerprints.is_empty() {
            return Ok(Vec::new());
        }
        self.each(fingerprints.iter().map(|fingerprint| {
            let mut cmd = redis::cmd("EXISTS");
            cmd.arg(self.keys.session_by_fingerprint(fingerprint));
            cmd
        }))
        .await
    }

    /// Ends a session; answers whose it was, or `None` when there was no
    /// such session (nothing to announce).
    pub async fn delete_session(&self, token: &SessionToken) -> StoreResult<Option<UserId>> {
        let mut conn = self.conn();
        let user: Option<u64> = redis::cmd("GETDEL")
            .arg(self.keys.session(token))
            .query_async(&mut conn)
            .await?;
        Ok(user.map(UserId))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bit_hex_and_unique() {
        let a = SessionToken::generate().unwrap();
        let b = SessionToken::generate().unwrap();
        assert_eq!(a.as_str().len(), 64);
        assert!(a != b);
        assert!(SessionToken::parse(a.as_str()).is_some());
    }

    #[test]
    fn hostile_tokens_are_refused() {
        for bad in [
            "",
            "abc",
            "*",
            &"g".repeat(64),
            &"A".repeat(64),
            &"a".repeat(65),
        ] {
            assert!(SessionToken::parse(bad).is_none(), "{bad}");
        }
    }
}
