//! Benchmark-only: many distinct people, fast. Users and their sessions
//! are written straight into the Redis of instances this load generator
//! started, through the store's own code paths (`Store::create_user`,
//! `Store::create_session`), with one password hash computed once instead
//! of one argon2 run per user. The confab binary exposes nothing like it:
//! this lives in the load generator, which needs the Redis and the key
//! prefix of the instances, so it only works on a cluster it started.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use confab::model::{Password, Username};
use confab::server::password;
use confab::server::store::{SessionToken, Store};
use futures::stream::{self, StreamExt, TryStreamExt};

use crate::api::{Session, PASSWORD};
use crate::cluster::Cluster;
use crate::progress::Progress;

/// How long the benchmark's sessions live (they are never used after).
const SESSION_SECS: u64 = 3600;

/// Makes `count` people named `pp{tag}_{i}`, each with a session.
pub async fn make(cluster: &Cluster, tag: &str, count: usize) -> Result<Vec<Session>, String> {
    let (Some(url), Some(prefix)) = (&cluster.redis_url, &cluster.key_prefix) else {
        return Err("distinct people need instances this load generator started".into());
    };
    let store = Store::connect(url, prefix)
        .await
        .map_err(|e| format!("cannot reach Redis at {url}: {e}"))?;
    let password = Password::parse(PASSWORD.to_owned()).map_err(|e| e.to_string())?;
    let hash = password::hash(password)
        .await
        .map_err(|e| format!("cannot hash the password: {e}"))?;
    let done = Arc::new(AtomicUsize::new(0));
    let _progress = {
        let done = done.clone();
        Progress::start("people", move || {
            format!("made {}/{count}", done.load(Ordering::Relaxed))
        })
    };
    stream::iter(0..count)
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
                Ok::<_, String>(Session {
                    cookie: format!("confab_session={}", token.as_str()),
                })
            }
        })
        .buffered(64)
        .try_collect()
        .await
}
