//! Retention (`CONFAB_RETENTION_MESSAGES`, `CONFAB_RETENTION_DAYS`): a
//! room's oldest messages past the limits go, and with them everything
//! that pointed at them (catch-up by rev, mentions, the search index);
//! what is kept reads as before and sending goes on.

use std::time::Duration;

use serde_json::{json, Value};

use confab::server::store::Retention;

use crate::helpers::{seqs, unique_prefix, Client, TestApp, TestRedis};

/// Alice, and Bob, in a room Alice made.
async fn alice_and_bob_in(app: &TestApp, name: &str) -> (Client, Client, String) {
    let alice = app.client();
    alice.signed_up("alice").await;
    let bob = app.client();
    bob.signed_up("bob").await;
    let room = alice.created_room(name).await;
    let joined = bob.post("/api/rooms/join", &[("room_id", &room)]).await;
    assert_eq!(joined.status, 200, "{:?}", joined.body);
    (alice, bob, room)
}

/// The room's entry in the caller's room list.
async fn listed(client: &Client, room: &str) -> Value {
    let rooms = client.post("/api/rooms", &[]).await.body;
    rooms
        .as_array()
        .expect("a list")
        .iter()
        .find(|r| r["id"] == room)
        .cloned()
        .expect("the room is listed")
}

async fn changed_seqs(client: &Client, room: &str) -> Vec<u64> {
    let changes = client
        .post(
            "/api/messages/changes",
            &[("room_id", room), ("after_rev", "0")],
        )
        .await;
    assert_eq!(changes.status, 200, "{:?}", changes.body);
    seqs(&changes.body)
}

async fn search_hits(client: &Client, q: &str) -> usize {
    let found = client.post("/api/search", &[("q", q)]).await;
    assert_eq!(found.status, 200, "{:?}", found.body);
    found.body.as_array().expect("a list").len()
}

#[tokio::test]
async fn the_sweep_keeps_the_newest_messages_of_each_room_and_nothing_of_the_rest() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |config| {
        config.retention_messages = 3;
        config.retention_sweep_secs = 1;
    })
    .await;
    let (alice, bob, room) = alice_and_bob_in(&app, "Kept short").await;
    for text in ["@bob zebra one", "zebra two", "three", "four", "five"] {
        assert_eq!(alice.send(&room, text).await.status, 200);
    }

    // The sweep runs each second: wait for it to have run (the room's
    // history is what it shows), at most a while.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let history = loop {
        let history = alice.history(&room, None, None).await;
        if seqs(&history.body).len() == 3 {
            break history;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never trimmed: {:?}",
            history.body
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(seqs(&history.body), [3, 4, 5]);
    assert_eq!(changed_seqs(&alice, &room).await, [3, 4, 5]);
    // The mention and the words of what went are gone with it.
    let entry = listed(&bob, &room).await;
    assert_eq!(
        (entry["unread"].clone(), entry["mentions"].clone()),
        (json!(3), json!(0))
    );
    assert_eq!(search_hits(&alice, "zebra").await, 0);
    assert_eq!(search_hits(&alice, "four").await, 1);
    // Sending goes on after the last seq, and the newest three stay.
    let sent = alice.send(&room, "six").await;
    assert_eq!(sent.body["seq"], 6, "{:?}", sent.body);
}

#[tokio::test]
async fn messages_older_than_the_limit_go_with_their_index_entries() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |_| {}).await;
    let (alice, bob, room) = alice_and_bob_in(&app, "Aging").await;
    let mut dates = Vec::new();
    for text in [
        "@bob walrus one",
        "walrus two",
        "walrus three",
        "walrus four",
    ] {
        let sent = alice.send(&room, text).await;
        dates.push(sent.body["date"].as_u64().expect("a date"));
    }
    // An edit gives the first message a later rev: its changes entry moves.
    let edited = alice
        .post(
            "/api/messages/edit",
            &[
                ("room_id", &room),
                ("seq", "1"),
                ("text", "@bob walrus one!"),
            ],
        )
        .await;
    assert_eq!(edited.status, 200, "{:?}", edited.body);

    // Everything sent before the third message's date goes (messages sent
    // in the same millisecond as it stay).
    let cutoff = dates[2];
    let kept: Vec<u64> = (1..=4)
        .filter(|seq| dates[*seq as usize - 1] >= cutoff)
        .collect();
    let room_id = confab::model::RoomId::parse(&room).expect("a room id");
    let retention = Retention {
        messages: 0,
        sent_after_ms: cutoff,
    };
    let dropped = app
        .state
        .store
        .trim_room(&room_id, retention)
        .await
        .expect("the trim runs");
    assert_eq!(dropped, 4 - kept.len());
    assert_eq!(seqs(&alice.history(&room, None, None).await.body), kept);
    assert_eq!(changed_seqs(&alice, &room).await, kept);
    assert_eq!(search_hits(&alice, "walrus").await, kept.len());
    assert_eq!(listed(&bob, &room).await["mentions"], json!(0));
    // Trimming again drops nothing more.
    assert_eq!(
        app.state
            .store
            .trim_room(&room_id, retention)
            .await
            .expect("the trim runs"),
        0
    );
    // With no limit at all, nothing goes.
    let none = Retention {
        messages: 0,
        sent_after_ms: 0,
    };
    assert_eq!(
        app.state
            .store
            .trim_room(&room_id, none)
            .await
            .expect("the trim runs"),
        0
    );
    assert_eq!(seqs(&alice.history(&room, None, None).await.body), kept);
}
