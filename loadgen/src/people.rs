//! Benchmark-only: many distinct people, fast. Users and their sessions
//! are written straight into the Redis of instances this load generator
//! started, through the store's own code paths (`Store::create_user`,
//! `Store::create_session`), with one password hash computed once instead
//! of one argon2 run per user; and teams, rooms of a few of them each
//! (`Store::create_room`, `Store::add_member`). The confab binary exposes
//! nothing like it:
//! this lives in the load generator, which needs the Redis and the key
//! prefix of the instances, so it only works on a cluster it started.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use confab::model::{Password, RoomName, UserId, Username};
use confab::server::password;
use confab::server::store::{SessionToken, Store};
use futures::stream::{self, StreamExt, TryStreamExt};

use crate::api::{Session, PASSWORD};
use crate::cluster::Cluster;
use crate::progress::Progress;

/// How long the benchmark's sessions live (they are never used after).
const SESSION_SECS: u64 = 3600;

/// Makes `count` people named `pp{tag}_{i}`, each with a session, and
/// puts every `team` consecutive ones in a room of their own (a team).
pub async fn make(
    cluster: &Cluster,
    tag: &str,
    count: usize,
    team: usize,
) -> Result<Vec<Session>, String> {
    let (Some(target), Some(prefix)) = (&cluster.redis_target, &cluster.key_prefix) else {
        return Err("distinct people need instances this load generator started".into());
    };
    let store = Store::connect(target, prefix)
        .await
        .map_err(|e| format!("cannot reach Redis at {target}: {e}"))?;
    let password = Password::parse(PASSWORD.to_owned()).map_err(|e| e.to_string())?;
    let hash = password::hash(password)
        .await
        .map_err(|e| format!("cannot hash the password: {e}"))?;
    let done = Arc::new(AtomicUsize::new(0));
    let _progress = {
        let done = done.clone();
        Progress::counted("people", count, move || done.load(Ordering::Relaxed))
    };
    let people: Vec<(UserId, Session)> = stream::iter(0..count)
        .map(|i| {
            let (store, hash, done) = (store.clone(), hash.clone(), done.clone());
            let name = format!("pp{tag}_{i}");
            async move {
                let username = Username::parse(&name).map_err(|e| format!("{name}: {e}"))?;
                let user = store
                    .create_user(&username, &hash)
                    .await
                    .map_err(|e| format!("create {name}: {e}"))?
                    .ok_or_else(|| format!("{name} exists already"))?;
                let token = SessionToken::generate().map_err(|e| e.to_string())?;
                store
                    .create_session(&token, user.id, SESSION_SECS)
                    .await
                    .map_err(|e| format!("session of {name}: {e}"))?;
                done.fetch_add(1, Ordering::Relaxed);
                let session = Session {
                    cookie: format!("confab_session={}", token.as_str()),
                };
                Ok::<_, String>((user.id, session))
            }
        })
        .buffered(64)
        .try_collect()
        .await?;
    let teams: Vec<&[(UserId, Session)]> = people.chunks(team.max(1)).collect();
    stream::iter(teams.into_iter().enumerate())
        .map(|(t, members)| {
            let store = store.clone();
            let name = format!("team {tag} {t}");
            async move {
                let name = RoomName::parse(&name).map_err(|e| format!("{name}: {e}"))?;
                let room = store
                    .create_room(&name, members[0].0)
                    .await
                    .map_err(|e| format!("create {}: {e}", name.as_str()))?
                    .ok_or_else(|| format!("{} exists already", name.as_str()))?;
                for (user, _) in &members[1..] {
                    store
                        .add_member(&room.id, *user)
                        .await
                        .map_err(|e| format!("join {}: {e}", name.as_str()))?;
                }
                Ok::<_, String>(())
            }
        })
        .buffer_unordered(16)
        .try_collect::<()>()
        .await?;
    Ok(people.into_iter().map(|(_, session)| session).collect())
}
