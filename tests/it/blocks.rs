//! Blocking a person (`/api/users/block`, `/unblock`, `/blocked`): no
//! direct room opens between the two and nothing more is sent in one they
//! had, and the blocked person's mentions of the blocker count for nothing;
//! unblocking undoes both. Bad requests are refused.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, two_instances, Client, TestApp};

/// Alice (on one instance), and bob and carol (on another, or the same),
/// signed up; bob has opened a direct room with alice.
struct People {
    alice: Client,
    alice_id: String,
    bob: Client,
    bob_id: String,
    carol: Client,
    room: String,
}

impl People {
    async fn on(alices: &TestApp, others: &TestApp) -> Self {
        let alice = alices.client();
        let alice_id = alice.signed_up("alice").await;
        let bob = others.client();
        let bob_id = bob.signed_up("bob").await;
        let carol = others.client();
        carol.signed_up("carol").await;
        let direct = bob
            .post("/api/rooms/direct", &[("user_id", &alice_id)])
            .await;
        assert_eq!(direct.status, 200, "{:?}", direct.body);
        let room = direct.body["id"].as_str().expect("a room id").to_owned();
        People { alice, alice_id, bob, bob_id, carol, room }
    }
}

async fn general_mentions(client: &Client) -> Value {
    let rooms = client.post("/api/rooms", &[]).await.body;
    rooms
        .as_array()
        .expect("a list")
        .iter()
        .find(|r| r["id"] == "0")
        .expect("General")["mentions"]
        .clone()
}

#[tokio::test]
async fn a_block_closes_direct_rooms_and_mutes_mentions_until_undone() {
    let (_redis, app) = spawn_app().await;
    let People { alice, alice_id, bob, bob_id, carol, room } = People::on(&app, &app).await;
    assert_eq!(bob.send(&room, "hello").await.status, 200);

    // Bad requests first: nobody named, oneself, nobody there.
    assert_eq!(alice.post("/api/users/block", &[]).await.status, 400);
    assert_eq!(
        alice
            .post("/api/users/block", &[("user_id", &alice_id)])
            .await
            .status,
        400
    );
    assert_eq!(
        alice
            .post("/api/users/block", &[("username", "nobody")])
            .await
            .status,
        404
    );
    assert_eq!(
        alice
            .post("/api/users/block", &[("user_id", "999")])
            .await
            .status,
        404
    );
    assert_eq!(
        alice
            .post("/api/users/block", &[("user_id", "x")])
            .await
            .status,
        400
    );

    let blocked = alice.post("/api/users/block", &[("username", "BOB")]).await;
    assert_eq!(
        (blocked.status.as_u16(), blocked.body.clone()),
        (200, Value::Null)
    );
    let list = alice.post("/api/users/blocked", &[]).await.body;
    assert_eq!(list, json!([{"id": bob_id, "username": "bob"}]));

    // No direct room either way, and nothing more in the one they had.
    for (client, other) in [(&bob, &alice_id), (&alice, &bob_id)] {
        let refused = client
            .post("/api/rooms/direct", &[("user_id", other)])
            .await;
        assert_eq!(refused.status, 403, "{:?}", refused.body);
        assert!(refused.message().contains("blocked"));
        assert_eq!(client.send(&room, "still there?").await.status, 403);
    }
    let mut ws = bob.ws().await;
    ws.send_message(&room, "over the socket", "n1").await;
    let error = ws.next_of("error").await;
    assert!(
        error["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("blocked"),
        "{error}"
    );

    // Bob's mention of alice counts for nothing; carol's counts.
    let sent = bob.send("0", "hey @alice").await.body;
    assert!(
        sent.get("mentions").is_none_or(|m| m == &json!([])),
        "{sent}"
    );
    assert_eq!(general_mentions(&alice).await, 0);
    carol.send("0", "hey @alice").await;
    assert_eq!(general_mentions(&alice).await, 1);

    // Unblocked: all as before.
    assert_eq!(
        alice
            .post("/api/users/unblock", &[("user_id", &bob_id)])
            .await
            .status,
        200
    );
    assert_eq!(alice.post("/api/users/blocked", &[]).await.body, json!([]));
    assert_eq!(bob.send(&room, "back").await.status, 200);
    let sent = bob.send("0", "hey @alice").await.body;
    assert_eq!(sent["mentions"], json!([alice_id]));
}

/// The settings page blocks by username and unblocks, with plain forms.
#[tokio::test]
async fn the_settings_page_blocks_and_unblocks_without_javascript() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let bob = app.client();
    let bob_id = bob.signed_up("bob").await;
    let html = [
        ("accept", "text/html"),
        ("referer", &*format!("{}/settings", app.base)),
    ];
    let blocked = alice
        .post_with("/api/users/block", &[("username", "bob")], &html)
        .await;
    assert_eq!(blocked.status, 302, "{:?}", blocked.body);
    assert_eq!(blocked.headers["location"], "/settings");
    let page = alice.get("/settings").await.text().await.unwrap();
    assert!(page.contains("aria-label=\"Unblock bob\""), "{page}");
    let unblocked = alice
        .post_with("/api/users/unblock", &[("user_id", &bob_id)], &html)
        .await;
    assert_eq!(unblocked.status, 302);
    let page = alice.get("/settings").await.text().await.unwrap();
    assert!(page.contains("You have blocked nobody."), "{page}");
}

/// A block made on one instance holds on another: the direct room is
/// closed there, over HTTP and over a socket opened before the block, and
/// a mention from there counts for nothing (while another person's does).
#[tokio::test]
async fn a_block_made_on_one_instance_holds_on_another() {
    let (_redis, a, b) = two_instances().await;
    let People { alice, bob, bob_id, carol, room, .. } = People::on(&a, &b).await;
    let mut socket = bob.ws().await;

    let blocked = alice.post("/api/users/block", &[("user_id", &bob_id)]).await;
    assert_eq!(blocked.status, 200, "{:?}", blocked.body);
    assert_eq!(bob.send(&room, "still there?").await.status, 403);
    socket.send_message(&room, "still there?", "n1").await;
    let refused = socket
        .next_where("the refusal", |e| e["nonce"] == "n1")
        .await;
    assert_eq!(refused["type"], "error", "{refused}");

    assert_eq!(bob.send("0", "@alice hi").await.status, 200);
    assert_eq!(general_mentions(&alice).await, 0);
    assert_eq!(carol.send("0", "@alice hi").await.status, 200);
    assert_eq!(general_mentions(&alice).await, 1);
    let history = alice.post("/api/messages", &[("room_id", &room)]).await.body;
    assert_eq!(history.as_array().map(Vec::len), Some(0), "{history}");
}
