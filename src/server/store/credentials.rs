//! Programs' credentials in Redis: personal API tokens and webhook
//! secrets. Each is kept twice: under the SHA-256 of its secret (what a
//! request is checked against, so Redis never holds a token that would
//! sign someone in) and in its owner's list (to list and revoke).
//!
//! Two slots (the owner's, and the secret's standalone key), written in
//! order: the list first, then the secret's key; revoked the other way.
//! A crash between the steps leaves a listed credential that signs nobody
//! in (revoking it clears it), never a working one its owner cannot see.

use redis::AsyncCommands;
use serde::{Deserialize, Serialize};

use crate::model::{ApiTokenInfo, CredentialId, RoomId, TokenName, UserId, Webhook};
use crate::server::events::SessionFingerprint;

use super::sessions::{is_random_hex, random_hex, sha256_hex};
use super::{scripts, Store, StoreError, StoreResult};

/// A personal API token: `confab_` and 64 hex digits from the OS CSPRNG.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    const PREFIX: &'static str = "confab_";

    pub fn generate() -> Result<Self, getrandom::Error> {
        Ok(ApiToken(format!("{}{}", Self::PREFIX, random_hex()?)))
    }

    /// Accepts only what `generate` makes, so no other text reaches a key.
    pub fn parse(raw: &str) -> Option<Self> {
        raw.strip_prefix(Self::PREFIX)
            .filter(|hex| is_random_hex(hex))
            .map(|_| ApiToken(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn sha(&self) -> String {
        sha256_hex(&self.0)
    }

    /// How sockets opened with it are named on the bus.
    pub fn fingerprint(&self) -> SessionFingerprint {
        SessionFingerprint::of_api_token(&self.sha())
    }
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiToken(***)")
    }
}

/// A webhook's secret: 64 hex digits from the OS CSPRNG, the last part
/// of its URL.
#[derive(Clone, PartialEq, Eq)]
pub struct HookSecret(String);

impl HookSecret {
    pub fn generate() -> Result<Self, getrandom::Error> {
        random_hex().map(HookSecret)
    }

    pub fn parse(raw: &str) -> Option<Self> {
        is_random_hex(raw).then(|| HookSecret(raw.to_owned()))
    }

    /// The webhook's URL, relative to the site.
    pub fn url(&self) -> String {
        format!("/hooks/{}", self.0)
    }
}

impl std::fmt::Debug for HookSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HookSecret(***)")
    }
}

/// The most webhooks one person may hold.
pub const MAX_HOOKS_PER_PERSON: usize = 50;

/// Who a live API token signs in.
#[derive(Debug, Clone)]
pub struct TokenOwner {
    pub user: UserId,
    pub id: CredentialId,
    pub name: TokenName,
}

/// Where a live webhook posts, and as whom.
#[derive(Debug, Clone)]
pub struct HookTarget {
    pub user: UserId,
    pub room: RoomId,
    pub id: CredentialId,
    pub name: TokenName,
}

/// A token in its owner's list.
#[derive(Serialize, Deserialize)]
struct TokenRecord {
    #[serde(flatten)]
    info: ApiTokenInfo,
    sha: String,
}

/// A webhook in its owner's list.
#[derive(Serialize, Deserialize)]
struct HookRecord {
    id: CredentialId,
    name: TokenName,
    room_id: RoomId,
    secret: String,
    created: u64,
}

impl HookRecord {
    fn webhook(&self) -> Webhook {
        Webhook {
            id: self.id,
            name: self.name.clone(),
            room_id: self.room_id.clone(),
            url: format!("/hooks/{}", self.secret),
            created: self.created,
        }
    }
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("a {what} record does not parse"))
}

impl Store {
    /// The next id for a token or a webhook.
    pub async fn next_credential_id(&self) -> StoreResult<CredentialId> {
        let mut conn = self.conn();
        Ok(CredentialId(
            conn.incr(self.keys.total_credentials(), 1).await?,
        ))
    }

    /// Adds a token to `user`'s list, then makes it work; `false` when the
    /// list holds `max` already (nothing is stored then).
    pub async fn add_api_token(
        &self,
        user: UserId,
        info: &ApiTokenInfo,
        token: &ApiToken,
        max: usize,
    ) -> StoreResult<bool> {
        let sha = token.sha();
        let record = TokenRecord {
            info: info.clone(),
            sha: sha.clone(),
        };
        let lookup = [
            ("user", user.0.to_string()),
            ("id", info.id.0.to_string()),
            ("name", info.name.as_str().to_owned()),
        ];
        let (list, key) = (
            self.keys.user_tokens(user),
            self.keys.api_token_by_sha(&sha),
        );
        self.add_credential(list, info.id, &record, max, key, &lookup)
            .await
    }

    /// Who `token` signs in, while it is not revoked.
    pub async fn api_token_owner(&self, token: &ApiToken) -> StoreResult<Option<TokenOwner>> {
        let mut conn = self.conn();
        let (user, id, name): (Option<u64>, Option<u64>, Option<String>) = conn
            .hmget(
                self.keys.api_token_by_sha(&token.sha()),
                &["user", "id", "name"],
            )
            .await?;
        let (Some(user), Some(id), Some(name)) = (user, id, name) else {
            return Ok(None);
        };
        let name = TokenName::parse(&name).map_err(|_| corrupt("token"))?;
        Ok(Some(TokenOwner {
            user: UserId(user),
            id: CredentialId(id),
            name,
        }))
    }

    /// `user`'s tokens, oldest first.
    pub async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiTokenInfo>> {
        let mut conn = self.conn();
        let records: Vec<String> = conn.hvals(self.keys.user_tokens(user)).await?;
        let mut tokens = records
            .iter()
            .map(|json| {
                serde_json::from_str::<TokenRecord>(json)
                    .map(|record| record.info)
                    .map_err(|_| corrupt("token"))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        tokens.sort_by_key(|token| token.id.0);
        Ok(tokens)
    }

    /// Revokes `user`'s token `id`: it signs nobody in from now on. Answers
    /// the fingerprint its sockets carry, or `None` when `user` holds no
    /// such token.
    pub async fn revoke_api_token(
        &self,
        user: UserId,
        id: CredentialId,
    ) -> StoreResult<Option<SessionFingerprint>> {
        let mut conn = self.conn();
        let list = self.keys.user_tokens(user);
        let Some(json): Option<String> = conn.hget(&list, id.0).await? else {
            return Ok(None);
        };
        let record: TokenRecord = serde_json::from_str(&json).map_err(|_| corrupt("token"))?;
        conn.del::<_, ()>(self.keys.api_token_by_sha(&record.sha))
            .await?;
        conn.hdel::<_, _, ()>(&list, id.0).await?;
        Ok(Some(SessionFingerprint::of_api_token(&record.sha)))
    }

    /// Adds a webhook to `user`'s list, then makes it work; `false` when
    /// the list holds [`MAX_HOOKS_PER_PERSON`] already.
    pub async fn add_hook(
        &self,
        user: UserId,
        hook: &Webhook,
        secret: &HookSecret,
    ) -> StoreResult<bool> {
        let record = HookRecord {
            id: hook.id,
            name: hook.name.clone(),
            room_id: hook.room_id.clone(),
            secret: secret.0.clone(),
            created: hook.created,
        };
        let lookup = [
            ("user", user.0.to_string()),
            ("room", hook.room_id.to_string()),
            ("id", hook.id.0.to_string()),
            ("name", hook.name.as_str().to_owned()),
        ];
        let (list, key) = (
            self.keys.user_hooks(user),
            self.keys.hook_by_sha(&sha256_hex(&secret.0)),
        );
        self.add_credential(list, hook.id, &record, MAX_HOOKS_PER_PERSON, key, &lookup)
            .await
    }

    /// Adds `record` under `id` to the owner's `list` unless it holds
    /// `max`, then writes the secret's `key` (`lookup`): the order the
    /// module's doc gives. `false` when the list was full.
    async fn add_credential(
        &self,
        list: String,
        id: CredentialId,
        record: &impl Serialize,
        max: usize,
        key: String,
        lookup: &[(&str, String)],
    ) -> StoreResult<bool> {
        let json = serde_json::to_string(record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut conn = self.conn();
        let added: bool = scripts::ADD_CREDENTIAL
            .key(list)
            .arg(id.0)
            .arg(json)
            .arg(max)
            .invoke_async(&mut conn)
            .await?;
        if added {
            conn.hset_multiple::<_, _, _, ()>(key, lookup).await?;
        }
        Ok(added)
    }

    /// Where `secret` posts, while its webhook is not revoked.
    pub async fn hook_target(&self, secret: &HookSecret) -> StoreResult<Option<HookTarget>> {
        let mut conn = self.conn();
        let (user, room, id, name): (Option<u64>, Option<String>, Option<u64>, Option<String>) =
            conn.hmget(
                self.keys.hook_by_sha(&sha256_hex(&secret.0)),
                &["user", "room", "id", "name"],
            )
            .await?;
        let (Some(user), Some(room), Some(id), Some(name)) = (user, room, id, name) else {
            return Ok(None);
        };
        Ok(Some(HookTarget {
            user: UserId(user),
            room: RoomId::parse(&room).map_err(|_| corrupt("webhook"))?,
            id: CredentialId(id),
            name: TokenName::parse(&name).map_err(|_| corrupt("webhook"))?,
        }))
    }

    /// `user`'s webhooks, oldest first.
    pub async fn hooks(&self, user: UserId) -> StoreResult<Vec<Webhook>> {
        let mut conn = self.conn();
        let records: Vec<String> = conn.hvals(self.keys.user_hooks(user)).await?;
        let mut hooks = records
            .iter()
            .map(|json| {
                serde_json::from_str::<HookRecord>(json)
                    .map(|record| record.webhook())
                    .map_err(|_| corrupt("webhook"))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        hooks.sort_by_key(|hook| hook.id.0);
        Ok(hooks)
    }

    /// Revokes `user`'s webhook `id`; `false` when there is no such one.
    pub async fn revoke_hook(&self, user: UserId, id: CredentialId) -> StoreResult<bool> {
        let mut conn = self.conn();
        let list = self.keys.user_hooks(user);
        let Some(json): Option<String> = conn.hget(&list, id.0).await? else {
            return Ok(false);
        };
        let record: HookRecord = serde_json::from_str(&json).map_err(|_| corrupt("webhook"))?;
        conn.del::<_, ()>(self.keys.hook_by_sha(&sha256_hex(&record.secret)))
            .await?;
        conn.hdel::<_, _, ()>(&list, id.0).await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_parse_only_as_made() {
        let token = ApiToken::generate().unwrap();
        assert!(token.as_str().starts_with("confab_"));
        assert_eq!(ApiToken::parse(token.as_str()), Some(token.clone()));
        assert!(ApiToken::parse(&token.as_str()["confab_".len()..]).is_none());
        assert!(ApiToken::parse(&token.as_str().to_uppercase()).is_none());
        assert!(ApiToken::parse("confab_*").is_none());
        assert_ne!(ApiToken::generate().unwrap(), token);
        assert_eq!(format!("{token:?}"), "ApiToken(***)");
    }

    #[test]
    fn a_tokens_fingerprint_names_it_as_a_token() {
        let token = ApiToken::generate().unwrap();
        let fingerprint = token.fingerprint();
        assert_eq!(fingerprint.api_token(), Some(token.sha().as_str()));
        assert!(!fingerprint.0.contains(&token.as_str()["confab_".len()..]));
    }

    #[test]
    fn hook_secrets_parse_only_as_made() {
        let secret = HookSecret::generate().unwrap();
        assert_eq!(HookSecret::parse(&secret.0), Some(secret.clone()));
        assert!(HookSecret::parse("../../etc").is_none());
        assert!(secret.url().starts_with("/hooks/"));
    }
}
