//! The example bot (examples/echobot.rs) against the real server: it signs
//! in with a token, answers `@echobot ping` with `pong`, and after its
//! server restarts it answers the pings sent while it was away, once each,
//! and repeats nothing; in a room it joins later, it answers only what
//! comes after.

use std::process::{Child, Command};

use serde_json::Value;

use crate::helpers::{unique_prefix, Client, ConfabProcess, TestRedis};
use crate::ws::Ws;

/// The example, built by `cargo test` beside the test binaries.
fn echobot_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let deps = exe.parent().expect("target/<profile>/deps");
    deps.parent()
        .expect("target/<profile>")
        .join("examples/echobot")
}

struct Bot(Child);

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits on `socket` for the bot's pong to the ping `ping` (a seq).
async fn pong_to(socket: &mut Ws, ping: u64) -> Value {
    socket
        .next_where(&format!("the pong to {ping}"), |event| {
            event["type"] == "message"
                && event["message"]["text"] == "pong"
                && event["message"]["reply_to"] == ping
        })
        .await["message"]
        .clone()
}

/// The pings the bot's pongs in `room` answer, in order.
async fn pongs_in(client: &Client, room: &str) -> Vec<u64> {
    let history = client.history(room, None, Some(100)).await;
    history
        .body
        .as_array()
        .expect("a history")
        .iter()
        .filter(|m| m["text"] == "pong")
        .filter_map(|m| m["reply_to"].as_u64())
        .collect()
}

#[tokio::test]
async fn the_example_bot_answers_pings_and_misses_or_repeats_none_across_a_server_restart() {
    let binary = echobot_binary();
    assert!(
        binary.exists(),
        "cargo test builds the example: {}",
        binary.display()
    );
    let redis = TestRedis::start().await;
    let env = [redis.env(), ("CONFAB_KEY_PREFIX", unique_prefix())];
    let confab = ConfabProcess::start(&env).await;
    let port = confab.port();

    let owner = Client::new(&confab.base);
    owner.signed_up("echobot").await;
    let made = owner.post("/api/tokens/create", &[("name", "echo")]).await;
    let token = made.body["token"].as_str().expect("a token").to_owned();
    let alice = Client::new(&confab.base);
    alice.signed_up("alice").await;
    let state = tempfile::tempdir().expect("a scratch directory");
    let _bot = Bot(Command::new(&binary)
        .env("CONFAB_URL", &confab.base)
        .env("CONFAB_TOKEN", &token)
        .env("ECHOBOT_STATE", state.path().join("state.json"))
        .spawn()
        .expect("the bot starts"));

    // A bot with no saved state answers only what comes after it first
    // reads its rooms: wait until it is online (its socket is open, so it
    // has read them), then ping.
    crate::ws::eventually_async("the bot is online", || async {
        let online = alice.post("/api/users/online", &[]).await.body;
        online.as_array().is_some_and(|people| people.iter().any(|p| p["username"] == "echobot"))
    })
    .await;
    let mut watching = alice.ws().await;
    let first = alice.send("0", "@echobot ping").await.body["seq"]
        .as_u64()
        .unwrap();
    let pong = pong_to(&mut watching, first).await;
    assert_eq!(pong["username"], "echobot");
    assert_eq!(pong["via"], "token");
    assert!(alice.send("0", "hello @echobot").await.status.is_success());

    // The server goes away; a ping is sent while it is down (straight into
    // Redis's history through a second instance); then it comes back.
    drop(watching);
    drop(confab);
    let other = ConfabProcess::start(&env).await;
    let while_away = Client::new(&other.base);
    assert_eq!(
        while_away
            .login("alice", crate::helpers::PASSWORD)
            .await
            .status,
        200
    );
    let missed = while_away
        .send("0", "@EchoBot ping, are you there?")
        .await
        .body["seq"]
        .as_u64()
        .unwrap();
    drop(other);
    let confab = ConfabProcess::start_at(Some(port), &env).await;
    let alice = Client::new(&confab.base);
    assert_eq!(
        alice.login("alice", crate::helpers::PASSWORD).await.status,
        200
    );
    let mut watching = alice.ws().await;
    watching
        .send(serde_json::json!({"type": "sync", "room_id": "0", "after": missed}))
        .await;
    pong_to(&mut watching, missed).await;
    let last = alice.send("0", "@echobot ping").await.body["seq"]
        .as_u64()
        .unwrap();
    pong_to(&mut watching, last).await;

    // One pong per ping, none twice.
    assert_eq!(pongs_in(&alice, "0").await, vec![first, missed, last]);

    // A room the bot's owner joins later: a ping said there before is not
    // the bot's to answer; the ones after are, once each.
    let room = alice.created_room("Later").await;
    alice.send(&room, "@echobot ping, before you came").await;
    let owner = Client::new(&confab.base);
    assert_eq!(
        owner.login("echobot", crate::helpers::PASSWORD).await.status,
        200
    );
    assert_eq!(
        owner
            .post("/api/rooms/join", &[("room_id", &room)])
            .await
            .status,
        200
    );
    let mut answered = Vec::new();
    for _ in 0..2 {
        let ping = alice.send(&room, "@echobot ping").await.body["seq"]
            .as_u64()
            .unwrap();
        pong_to(&mut watching, ping).await;
        answered.push(ping);
    }
    assert_eq!(pongs_in(&alice, &room).await, answered);
}
