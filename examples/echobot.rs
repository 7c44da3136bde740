//! echobot: a small Confab bot that uses only the public API (docs/api.md).
//!
//! It signs in with a personal API token, opens `/ws`, and answers every
//! `@{its name} ping` in the rooms it belongs to with `pong` (a reply to the
//! ping). It keeps, per room, the highest rev it has seen (in a state file,
//! so a restart of the bot is covered too) and, whenever its socket opens,
//! syncs each room from that rev: a server restart neither loses a ping
//! nor answers one twice. Each pong carries a nonce made from the ping's
//! room and seq and is sent as a retry, so a pong sent before a crash but
//! not seen is stored once, whatever happens in between.
//!
//! ```sh
//! CONFAB_URL=http://127.0.0.1:3000 CONFAB_TOKEN=confab_... \
//!   cargo run --features ssr --example echobot
//! ```
//! `ECHOBOT_STATE` names the state file (default `echobot-state.json`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message as Frame;

/// How long the bot waits before it tries the server again.
const RETRY_AFTER: Duration = Duration::from_millis(500);
/// The close code of a socket whose session or token was ended.
const SIGNED_OUT: u16 = 4001;

type Failure = Box<dyn std::error::Error + Send + Sync>;

struct Bot {
    base: String,
    token: String,
    http: reqwest::Client,
    me: (String, String),
    /// Per room, the highest rev seen.
    revs: BTreeMap<String, u64>,
    state: PathBuf,
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let base = std::env::var("CONFAB_URL").map_err(|_| "set CONFAB_URL (http://host:port)")?;
    let token = std::env::var("CONFAB_TOKEN").map_err(|_| "set CONFAB_TOKEN (an API token)")?;
    let state = PathBuf::from(
        std::env::var("ECHOBOT_STATE").unwrap_or_else(|_| "echobot-state.json".into()),
    );
    let mut bot = Bot {
        base: base.trim_end_matches('/').to_owned(),
        token,
        http: reqwest::Client::new(),
        me: (String::new(), String::new()),
        revs: std::fs::read(&state)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default(),
        state,
    };
    loop {
        match bot.session().await {
            Ok(()) => {}
            Err(Stop::SignedOut) => return Err("the token was revoked".into()),
            Err(Stop::Lost(why)) => eprintln!("echobot: {why}; trying again"),
        }
        tokio::time::sleep(RETRY_AFTER).await;
    }
}

enum Stop {
    /// The token is no longer valid: retrying cannot help.
    SignedOut,
    /// The server went away or failed: retry.
    Lost(String),
}

impl<E: std::fmt::Display> From<E> for Stop {
    fn from(err: E) -> Self {
        Stop::Lost(err.to_string())
    }
}

impl Bot {
    /// `POST /api/{path}` with the token; the JSON answer, or why not.
    async fn api(&self, path: &str, form: &[(&str, &str)]) -> Result<Value, Stop> {
        let response = self
            .http
            .post(format!("{}/api/{path}", self.base))
            .bearer_auth(&self.token)
            .form(form)
            .send()
            .await?;
        if response.status() == 401 {
            return Err(Stop::SignedOut);
        }
        if !response.status().is_success() {
            return Err(Stop::Lost(format!("/api/{path}: {}", response.status())));
        }
        Ok(response.json().await?)
    }

    /// One connection: who the bot is, its rooms, the socket, catch-up,
    /// then every event until the socket closes.
    async fn session(&mut self) -> Result<(), Stop> {
        let me = self.api("me", &[]).await?;
        self.me = (
            me["id"].as_str().unwrap_or_default().to_owned(),
            me["username"].as_str().unwrap_or_default().to_lowercase(),
        );
        for room in self
            .api("rooms", &[])
            .await?
            .as_array()
            .into_iter()
            .flatten()
        {
            self.know_room(room);
        }
        let url = format!("{}/ws", self.base.replacen("http", "ws", 1));
        let mut request = url.into_client_request()?;
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {}", self.token).parse()?);
        let (mut socket, _) = match tokio_tungstenite::connect_async(request).await {
            Ok(connected) => connected,
            Err(tokio_tungstenite::tungstenite::Error::Http(response))
                if response.status() == 401 =>
            {
                return Err(Stop::SignedOut)
            }
            Err(err) => return Err(err.into()),
        };
        for (room, rev) in &self.revs {
            let sync = json!({"type": "sync", "room_id": room, "after_rev": rev});
            socket.send(Frame::Text(sync.to_string().into())).await?;
        }
        while let Some(frame) = socket.next().await {
            match frame? {
                Frame::Text(text) => {
                    let event: Value = serde_json::from_str(&text)?;
                    for answer in self.handle(&event) {
                        socket.send(Frame::Text(answer.to_string().into())).await?;
                    }
                    self.save();
                }
                Frame::Close(Some(close)) if close.code == CloseCode::from(SIGNED_OUT) => {
                    return Err(Stop::SignedOut)
                }
                Frame::Close(_) => break,
                _ => {}
            }
        }
        Err(Stop::Lost("the socket closed".into()))
    }

    /// A room the bot is in: from then on, only what comes after its last
    /// message is answered (a room joined later is not answered back to
    /// its first ping).
    fn know_room(&mut self, room: &Value) {
        let Some(id) = room["id"].as_str() else {
            return;
        };
        let last = room["last_message"]["rev"].as_u64().unwrap_or(0);
        self.revs.entry(id.to_owned()).or_insert(last);
    }

    /// The frames to send in answer to `event`.
    fn handle(&mut self, event: &Value) -> Vec<Value> {
        match event["type"].as_str() {
            Some("room") => {
                // A room the bot was just added to: what was said there
                // before is not for it. Everything above the room's rev at
                // that moment comes live on this socket.
                let id = event["room"]["id"].as_str().unwrap_or_default().to_owned();
                if id.is_empty() || self.revs.contains_key(&id) {
                    return Vec::new();
                }
                self.revs.insert(id, event["rev"].as_u64().unwrap_or(0));
                Vec::new()
            }
            Some(kind @ ("message" | "update")) => {
                let message = &event["message"];
                let room = message["room_id"].as_str().unwrap_or_default().to_owned();
                let rev = message["rev"].as_u64().unwrap_or(0);
                let seen = self.revs.entry(room.clone()).or_insert(0);
                if rev <= *seen {
                    return Vec::new();
                }
                *seen = rev;
                let ping = format!("@{} ping", self.me.1);
                let text = message["text"].as_str().unwrap_or_default().to_lowercase();
                let from_me = message["from"].as_str() == Some(self.me.0.as_str());
                if kind == "message" && !from_me && text.contains(&ping) {
                    let seq = message["seq"].as_u64().unwrap_or(0);
                    return vec![json!({
                        "type": "send",
                        "room_id": room,
                        "text": "pong",
                        "reply_to": seq,
                        "nonce": format!("pong-{room}-{seq}"),
                        "retry": true,
                    })];
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Keeps the revs for the next start (best effort: a lost write only
    /// means syncing from further back, and the nonces make that safe).
    fn save(&self) {
        if let Ok(json) = serde_json::to_vec(&self.revs) {
            let partial = self.state.with_extension("partial");
            if std::fs::write(&partial, json).is_ok() {
                let _ = std::fs::rename(&partial, &self.state);
            }
        }
    }
}
