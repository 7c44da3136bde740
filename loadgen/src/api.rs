//! The HTTP side of Confab as the load generator uses it: register users
//! (keeping each one's session cookie), create and join rooms, send and
//! read messages. Form-encoded POSTs under /api, per the wire contract.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use confab::model::RoomId;
use futures::stream::{self, StreamExt, TryStreamExt};
use serde::Deserialize;

use crate::cluster::Cluster;
use crate::progress::Progress;

pub const PASSWORD: &str = "loadgen-password";

/// A signed-in user.
#[derive(Debug, Clone)]
pub struct Session {
    /// `confab_session=...`, ready for a Cookie header.
    pub cookie: String,
}

#[derive(Deserialize)]
struct Room {
    id: RoomId,
}

#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    bases: Arc<Vec<String>>,
}

impl Api {
    pub fn new(cluster: &Cluster, pool: usize) -> Result<Api, String> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(pool.max(8))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        Ok(Api {
            http,
            bases: Arc::new(cluster.instances.iter().map(|i| i.base.clone()).collect()),
        })
    }

    /// The instance for the `i`-th request (round-robin).
    pub fn base(&self, i: usize) -> &str {
        &self.bases[i % self.bases.len()]
    }

    /// POSTs a form; the body on 2xx, else an error naming the status and
    /// what the server said.
    pub async fn post(
        &self,
        i: usize,
        path: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
    ) -> Result<(reqwest::header::HeaderMap, String), String> {
        let url = format!("{}{path}", self.base(i));
        let mut request = self.http.post(&url).form(form);
        if let Some(cookie) = cookie {
            request = request.header(reqwest::header::COOKIE, cookie);
        }
        let response = request
            .send()
            .await
            .map_err(|e| format!("POST {url}: {e}"))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .text()
            .await
            .map_err(|e| format!("POST {url}: {e}"))?;
        if !status.is_success() {
            let hint = if status == 429 {
                " (a rate limit: against servers we did not start, raise \
                 CONFAB_LOGIN_ATTEMPTS_PER_ADDR, CONFAB_REGISTRATIONS_PER_HOUR, CONFAB_ROOMS_PER_DAY, \
                 CONFAB_MEMBERSHIP_CHANGES_PER_MINUTE, CONFAB_SEND_BURST and CONFAB_SEND_PER_SECOND there)"
            } else {
                ""
            };
            return Err(format!("POST {url}: {status}: {}{hint}", body.trim()));
        }
        Ok((headers, body))
    }

    /// Registers `count` users named `lg{tag}_{i}`, spread over the
    /// instances, a few at a time (argon2 makes each cost server CPU).
    pub async fn register_users(&self, tag: &str, count: usize) -> Result<Vec<Session>, String> {
        self.each_user("users", "/api/register", tag, count).await
    }

    /// Signs in again the `count` users [`Api::register_users`] made with
    /// `tag`: one argon2 verification each, a new session each.
    pub async fn sign_in_users(&self, tag: &str, count: usize) -> Result<Vec<Session>, String> {
        self.each_user("sign-ins", "/api/login", tag, count).await
    }

    /// POSTs `lg{tag}_{i}` and the password to `path` for each `i`, a few
    /// at a time, and keeps the session cookie each answer sets.
    async fn each_user(
        &self,
        label: &str,
        path: &str,
        tag: &str,
        count: usize,
    ) -> Result<Vec<Session>, String> {
        let done = Arc::new(AtomicUsize::new(0));
        let _progress = {
            let done = done.clone();
            Progress::counted(label, count, move || done.load(Ordering::Relaxed))
        };
        let parallel = (self.bases.len() * 2).max(4);
        stream::iter(0..count)
            .map(|i| {
                let done = done.clone();
                async move {
                    let username = format!("lg{tag}_{i}");
                    let (headers, body) = self
                        .post(
                            i,
                            path,
                            None,
                            &[("username", &username), ("password", PASSWORD)],
                        )
                        .await?;
                    let user: serde_json::Value = serde_json::from_str(&body)
                        .map_err(|e| format!("{path} {username}: {e}: {body}"))?;
                    if !user["id"].is_string() {
                        return Err(format!("{path} {username}: no User in {body}"));
                    }
                    let cookie = headers
                        .get_all(reqwest::header::SET_COOKIE)
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .map(|v| v.split(';').next().unwrap_or_default().trim().to_owned())
                        .find(|pair| pair.starts_with("confab_session="))
                        .ok_or_else(|| format!("{path} {username}: no session cookie"))?;
                    done.fetch_add(1, Ordering::Relaxed);
                    Ok::<_, String>(Session { cookie })
                }
            })
            .buffered(parallel)
            .try_collect()
            .await
    }

    /// Creates a public room as `owner`; returns its id.
    pub async fn create_room(&self, owner: &Session, name: &str) -> Result<RoomId, String> {
        let (_, body) = self
            .post(
                0,
                "/api/rooms/create",
                Some(&owner.cookie),
                &[("name", name)],
            )
            .await?;
        let room: Room =
            serde_json::from_str(&body).map_err(|e| format!("create room {name}: {e}: {body}"))?;
        Ok(room.id)
    }

    /// Makes every (user, room) pair a membership, many at a time.
    pub async fn join_all(&self, pairs: Vec<(&Session, RoomId)>) -> Result<(), String> {
        stream::iter(pairs.into_iter().enumerate())
            .map(|(i, (user, room))| async move {
                self.post(
                    i,
                    "/api/rooms/join",
                    Some(&user.cookie),
                    &[("room_id", &room.to_string())],
                )
                .await
                .map(|_| ())
            })
            .buffer_unordered(32)
            .try_collect::<()>()
            .await
    }

    /// Sends a message over HTTP (to fill history for the pages scenario).
    pub async fn send(
        &self,
        i: usize,
        user: &Session,
        room: &RoomId,
        text: &str,
    ) -> Result<(), String> {
        self.post(
            i,
            "/api/messages/send",
            Some(&user.cookie),
            &[("room_id", &room.to_string()), ("text", text)],
        )
        .await
        .map(|_| ())
    }
}
