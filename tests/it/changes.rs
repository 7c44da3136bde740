//! Messages that change (contract v1.1): edit, delete, reactions, replies
//! and mentions over HTTP and the websocket, `update` events on every
//! instance, and catch-up by rev (`/api/messages/changes`, `sync` with
//! `after_rev`) that ends in the state of a client that never left.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, two_instances, unique_prefix, Client, Reply, TestApp, TestRedis};

async fn edit(client: &Client, room: &str, seq: u64, text: &str) -> Reply {
    let seq = seq.to_string();
    client
        .post(
            "/api/messages/edit",
            &[("room_id", room), ("seq", &seq), ("text", text)],
        )
        .await
}

async fn delete(client: &Client, room: &str, seq: u64) -> Reply {
    let seq = seq.to_string();
    client
        .post("/api/messages/delete", &[("room_id", room), ("seq", &seq)])
        .await
}

async fn react(client: &Client, room: &str, seq: u64, emoji: &str, on: bool) -> Reply {
    let seq = seq.to_string();
    let on = on.to_string();
    client
        .post(
            "/api/messages/react",
            &[
                ("room_id", room),
                ("seq", &seq),
                ("emoji", emoji),
                ("on", &on),
            ],
        )
        .await
}

async fn changes(client: &Client, room: &str, after_rev: u64) -> Reply {
    let after_rev = after_rev.to_string();
    client
        .post(
            "/api/messages/changes",
            &[("room_id", room), ("after_rev", &after_rev)],
        )
        .await
}

fn rev(message: &Value) -> u64 {
    message["rev"].as_u64().expect("a rev")
}

#[tokio::test]
async fn an_author_edits_and_deletes_and_others_may_not() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let bob = app.client();
    bob.signed_up("bob").await;
    let sent = alice.send("0", "helo").await.body;
    assert_eq!(rev(&sent), 1);

    let edited = edit(&alice, "0", 1, "  hello  ").await;
    assert_eq!(edited.status, 200, "{:?}", edited.body);
    assert_eq!(edited.body["text"], "hello");
    assert_eq!(edited.body["seq"], 1);
    assert!(rev(&edited.body) > rev(&sent));
    assert!(edited.body["edited"].as_u64().is_some());

    assert_eq!(edit(&bob, "0", 1, "mine now").await.status, 403);
    assert_eq!(delete(&bob, "0", 1).await.status, 403);
    assert_eq!(edit(&alice, "0", 1, " ").await.status, 400);
    assert_eq!(edit(&alice, "0", 1, &"x".repeat(4001)).await.status, 413);
    assert_eq!(edit(&alice, "0", 1, "ring \u{7}").await.status, 400);
    assert_eq!(edit(&alice, "0", 99, "no such").await.status, 404);

    let deleted = delete(&alice, "0", 1).await;
    assert_eq!(deleted.status, 200, "{:?}", deleted.body);
    assert_eq!(deleted.body["deleted"], true);
    assert_eq!(deleted.body["text"], "");
    assert_eq!(edit(&alice, "0", 1, "back").await.status, 409);
    // The history keeps the seq, as a tombstone.
    let history = alice.history("0", None, None).await.body;
    assert_eq!(history[0]["seq"], 1);
    assert_eq!(history[0]["deleted"], true);
    assert_eq!(history[0]["text"], "");
}

#[tokio::test]
async fn the_rooms_owner_and_an_admin_may_delete() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |c| {
        c.admins = vec!["Carol".into()]
    })
    .await;
    let owner = app.client();
    let owner_id = owner.signed_up("olga").await;
    let room = owner.created_room("Owned").await;
    let rooms = owner.post("/api/rooms", &[]).await.body;
    let listed = rooms
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == room.as_str())
        .cloned();
    assert_eq!(listed.unwrap()["owner"], owner_id.as_str());
    let bob = app.client();
    bob.signed_up("bob").await;
    assert_eq!(
        bob.post("/api/rooms/join", &[("room_id", &room)])
            .await
            .status,
        200
    );
    bob.send(&room, "one").await;
    bob.send(&room, "two").await;
    bob.send("0", "three").await;
    assert_eq!(delete(&owner, &room, 1).await.status, 200);
    // Owning one room gives nothing in another.
    assert_eq!(delete(&owner, "0", 1).await.status, 403);
    // Someone outside the room who is no admin may not.
    let dave = app.client();
    dave.signed_up("dave").await;
    assert_eq!(delete(&dave, &room, 2).await.status, 403);
    // An admin may, without being a member of the room (moderation).
    let carol = app.client();
    carol.signed_up("carol").await;
    assert_eq!(delete(&carol, &room, 2).await.body["deleted"], true);

    assert_eq!(delete(&carol, "0", 1).await.body["deleted"], true);
    // A direct room is its two people's alone: no admin deletes there.
    let direct = bob
        .post("/api/rooms/direct", &[("user_id", &owner_id)])
        .await
        .body["id"]
        .as_str()
        .expect("a direct room")
        .to_owned();
    assert_eq!(bob.send(&direct, "between us").await.status, 200);
    assert_eq!(delete(&carol, &direct, 1).await.status, 403);
    // A deleted message is still no one else's to delete.
    let again = delete(&owner, "0", 1).await;
    assert_eq!(again.status, 403, "{:?}", again.body);
}

#[tokio::test]
async fn reactions_toggle_count_everyone_and_refuse_what_is_not_one_emoji() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    let alice_id = alice.signed_up("alice").await;
    let bob = app.client();
    let bob_id = bob.signed_up("bob").await;
    alice.send("0", "react to me").await;

    // Two people reacting at the same moment both count.
    let (a, b) = tokio::join!(
        react(&alice, "0", 1, "👍", true),
        react(&bob, "0", 1, "👍", true)
    );
    assert_eq!((a.status.as_u16(), b.status.as_u16()), (200, 200));
    let now = alice.history("0", None, None).await.body[0].clone();
    let users: Vec<&str> = now["reactions"][0]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert_eq!(now["reactions"][0]["emoji"], "👍");
    assert_eq!(users.len(), 2);
    assert!(users.contains(&alice_id.as_str()) && users.contains(&bob_id.as_str()));
    // Their names, in the same order, show who reacted.
    let names: Vec<&str> = users
        .iter()
        .map(|id| if *id == alice_id { "alice" } else { "bob" })
        .collect();
    assert_eq!(now["reactions"][0]["names"], json!(names));

    // The same reaction again changes nothing and takes no rev.
    let again = react(&bob, "0", 1, "👍", true).await.body;
    assert_eq!(rev(&again), rev(&now));
    // Order of first use; taking one away.
    react(&bob, "0", 1, "🎉", true).await;
    let off = react(&alice, "0", 1, "👍", false).await.body;
    assert_eq!(
        off["reactions"],
        json!([
            {"emoji": "👍", "users": [bob_id], "names": ["bob"]},
            {"emoji": "🎉", "users": [bob_id], "names": ["bob"]}
        ])
    );
    // A skin tone and a ZWJ sequence are one emoji each.
    assert_eq!(react(&alice, "0", 1, "👍🏽", true).await.status, 200);
    assert_eq!(react(&alice, "0", 1, "👩‍💻", true).await.status, 200);
    for bad in ["", "x", "👍👍", ":+1:", "👍 ", "<b>"] {
        assert_eq!(
            react(&alice, "0", 1, bad, true).await.status,
            400,
            "{bad:?}"
        );
    }
    assert_eq!(react(&alice, "0", 9, "👍", true).await.status, 404);
}

/// One emoji typed with or without the emoji variation selector (U+FE0F)
/// is one reaction, kept in its fully-qualified form, and either form
/// takes one's own back.
#[tokio::test]
async fn an_emoji_with_or_without_its_variation_selector_is_one_reaction() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    let alice_id = alice.signed_up("alice").await;
    let bob = app.client();
    let bob_id = bob.signed_up("bob").await;
    alice.send("0", "heart it").await;
    let (text, emoji) = ("\u{2764}", "\u{2764}\u{fe0f}");
    assert_eq!(react(&alice, "0", 1, text, true).await.status, 200);
    let both = react(&bob, "0", 1, emoji, true).await;
    assert_eq!(both.status, 200, "{:?}", both.body);
    assert_eq!(both.body["reactions"].as_array().map(Vec::len), Some(1), "{:?}", both.body);
    assert_eq!(both.body["reactions"][0]["emoji"], emoji);
    assert_eq!(both.body["reactions"][0]["users"], json!([alice_id, bob_id]));
    let taken_back = react(&alice, "0", 1, emoji, false).await;
    assert_eq!(taken_back.body["reactions"][0]["users"], json!([bob_id]));
    let gone = react(&bob, "0", 1, text, false).await;
    assert_eq!(gone.body["reactions"].as_array().map_or(0, Vec::len), 0, "{:?}", gone.body);
}

#[tokio::test]
async fn a_twenty_first_emoji_is_409_and_a_deleted_message_takes_none() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |c| c.send_burst = 100).await;
    let alice = app.client();
    alice.signed_up("alice").await;
    alice.send("0", "many").await;
    let emoji = [
        "😀", "😃", "😄", "😁", "😆", "😅", "😂", "🤣", "😊", "😇", "🙂", "🙃", "😉", "😌", "😍",
        "🥰", "😘", "😗", "😙", "😚", "😋",
    ];
    for e in &emoji[..20] {
        assert_eq!(react(&alice, "0", 1, e, true).await.status, 200, "{e}");
    }
    let over = react(&alice, "0", 1, emoji[20], true).await;
    assert_eq!(over.status, 409);
    assert!(over.message().contains("20"));
    delete(&alice, "0", 1).await;
    assert_eq!(react(&alice, "0", 1, "👍", true).await.status, 409);
    let gone = &alice.history("0", None, None).await.body[0];
    assert!(gone.get("reactions").is_none_or(|r| r == &json!([])));
}

#[tokio::test]
async fn a_reply_names_a_message_of_the_room() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    alice.send("0", "question").await;
    let answer = alice
        .post(
            "/api/messages/send",
            &[("room_id", "0"), ("text", "answer"), ("reply_to", "1")],
        )
        .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["reply_to"], 1);
    let missing = alice
        .post(
            "/api/messages/send",
            &[("room_id", "0"), ("text", "lost"), ("reply_to", "7")],
        )
        .await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        alice
            .history("0", None, None)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Over the socket too, and the refusal names the send.
    let mut ws = alice.ws().await;
    ws.send(json!({"type": "send", "room_id": "0", "text": "x", "nonce": "n1", "reply_to": 9}))
        .await;
    let error = ws.next_of("error").await;
    assert_eq!(error["nonce"], "n1");
    ws.send(json!({"type": "send", "room_id": "0", "text": "re", "nonce": "n2", "reply_to": 2}))
        .await;
    let echo = ws.next_of("message").await;
    assert_eq!(
        (echo["nonce"].clone(), echo["message"]["reply_to"].clone()),
        (json!("n2"), json!(2))
    );
}

#[tokio::test]
async fn changes_count_against_the_send_budget() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    alice.send("0", "first").await;
    // The default budget is a burst of 10: one send and nine changes.
    for i in 0..9 {
        let text = format!("edit {i}");
        assert_eq!(edit(&alice, "0", 1, &text).await.status, 200);
    }
    assert_eq!(react(&alice, "0", 1, "👍", true).await.status, 429);
    assert_eq!(
        alice.history("0", None, None).await.body[0]["text"],
        "edit 8"
    );
}

#[tokio::test]
async fn mentions_name_members_and_count_until_read() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let bob = app.client();
    let bob_id = bob.signed_up("bob").await;
    let carol = app.client();
    carol.signed_up("carol").await;
    let room = carol.created_room("Carols").await;
    // Bob is not in carol's room: naming him there names nobody.
    let elsewhere = carol.send(&room, "hi @bob").await.body;
    assert!(elsewhere.get("mentions").is_none_or(|m| m == &json!([])));

    let sent = alice
        .send("0", "hi @BOB and @nobody, mail bob@example.com")
        .await
        .body;
    assert_eq!(sent["mentions"], json!([bob_id]));
    let general = |rooms: Value| {
        rooms
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "0")
            .cloned()
            .unwrap()
    };
    let listed = general(bob.post("/api/rooms", &[]).await.body);
    assert_eq!(
        (listed["unread"].clone(), listed["mentions"].clone()),
        (json!(1), json!(1))
    );

    // An edit that drops the name drops the mention.
    alice.send("0", "@bob again").await;
    assert_eq!(
        general(bob.post("/api/rooms", &[]).await.body)["mentions"],
        2
    );
    let edited = edit(&alice, "0", 2, "never mind").await.body;
    assert!(edited.get("mentions").is_none_or(|m| m == &json!([])));
    assert_eq!(
        general(bob.post("/api/rooms", &[]).await.body)["mentions"],
        1
    );

    assert_eq!(
        bob.post("/api/rooms/read", &[("room_id", "0"), ("seq", "2")])
            .await
            .status,
        200
    );
    let read = general(bob.post("/api/rooms", &[]).await.body);
    assert_eq!(
        (read["unread"].clone(), read["mentions"].clone()),
        (json!(0), json!(0))
    );
}

#[tokio::test]
async fn changes_after_a_rev_come_in_rev_order_to_members_only() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    for text in ["a", "b", "c"] {
        alice.send("0", text).await;
    }
    edit(&alice, "0", 1, "a2").await;
    react(&alice, "0", 2, "👍", true).await;
    // Revs: a=1 b=2 c=3, edit a=4, react b=5.
    let all = changes(&alice, "0", 0).await.body;
    let order: Vec<(u64, u64)> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["seq"].as_u64().unwrap(), rev(m)))
        .collect();
    assert_eq!(order, vec![(3, 3), (1, 4), (2, 5)]);
    let since = changes(&alice, "0", 3).await.body;
    assert_eq!(since[0]["text"], "a2");
    assert_eq!(since.as_array().unwrap().len(), 2);
    assert_eq!(changes(&alice, "0", 5).await.body, json!([]));
    for limit in ["0", "501", "x"] {
        let reply = alice
            .post(
                "/api/messages/changes",
                &[("room_id", "0"), ("after_rev", "0"), ("limit", limit)],
            )
            .await;
        assert_eq!(reply.status, 400, "{limit}");
    }
    let stranger = app.client();
    stranger.signed_up("stranger").await;
    let room = alice.created_room("Private-ish").await;
    assert_eq!(changes(&stranger, &room, 0).await.status, 403);
    assert_eq!(
        app.client()
            .post(
                "/api/messages/changes",
                &[("room_id", "0"), ("after_rev", "0")]
            )
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn updates_reach_every_member_on_every_instance_live() {
    let (_redis, a, b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let bob = b.client();
    bob.signed_up("bob").await;
    let mut bobs = bob.ws().await;
    let mut alices = alice.ws().await;
    alice.send("0", "hello").await;
    assert_eq!(bobs.next_of("message").await["message"]["text"], "hello");
    alices.next_of("message").await;

    alices
        .send(json!({"type": "edit", "room_id": "0", "seq": 1, "text": "hello, world"}))
        .await;
    let update = bobs.next_of("update").await;
    assert_eq!(update["message"]["text"], "hello, world");
    assert_eq!(alices.next_of("update").await["message"]["rev"], 2);

    bobs.send(json!({"type": "react", "room_id": "0", "seq": 1, "emoji": "🎉", "on": true}))
        .await;
    let reacted = alices.next_of("update").await;
    assert_eq!(reacted["message"]["reactions"][0]["emoji"], "🎉");
    bobs.send(json!({"type": "edit", "room_id": "0", "seq": 1, "text": "not mine"}))
        .await;
    assert!(bobs.next_except("update").await["reason"]
        .as_str()
        .is_some());
    // A refused change names its nonce (an addition), as a refused send
    // does, so that the client takes back what it showed at once.
    for (frame, nonce) in [
        (json!({"type": "edit", "room_id": "0", "seq": 1, "text": "x", "nonce": "e1"}), "e1"),
        (json!({"type": "delete", "room_id": "0", "seq": 1, "nonce": "d1"}), "d1"),
        (json!({"type": "react", "room_id": "0", "seq": 99, "emoji": "🎉", "on": true, "nonce": "r1"}), "r1"),
        (json!({"type": "react", "room_id": "0", "seq": "1", "nonce": "r2"}), "r2"),
    ] {
        bobs.send(frame).await;
        let refused = bobs.next_except("update").await;
        assert_eq!(refused["type"], "error", "{refused}");
        assert_eq!(refused["nonce"], nonce, "{refused}");
    }

    alices
        .send(json!({"type": "delete", "room_id": "0", "seq": 1}))
        .await;
    let deleted = bobs.next_of("update").await;
    assert_eq!(
        (
            deleted["message"]["deleted"].clone(),
            deleted["message"]["text"].clone()
        ),
        (json!(true), json!(""))
    );
}

#[tokio::test]
async fn a_sync_after_a_rev_ends_in_the_state_of_a_client_that_never_left() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let bob = app.client();
    bob.signed_up("bob").await;
    for text in ["one", "two", "three"] {
        alice.send("0", text).await;
    }
    // Bob saw rev 3, then was away while things changed and were added.
    edit(&alice, "0", 2, "two, fixed").await;
    react(&bob, "0", 1, "👍", true).await;
    delete(&alice, "0", 3).await;
    alice.send("0", "four").await;
    react(&alice, "0", 4, "❤️", true).await;

    let mut ws = bob.ws().await;
    ws.send(json!({"type": "sync", "room_id": "0", "after_rev": 3}))
        .await;
    let mut state: std::collections::BTreeMap<u64, Value> = std::collections::BTreeMap::new();
    let mut kinds = Vec::new();
    let mut last_rev = 3;
    while last_rev < 8 {
        let event = ws
            .next_where("a message or update", |e| {
                e["type"] == "message" || e["type"] == "update"
            })
            .await;
        let message = event["message"].clone();
        assert!(rev(&message) > last_rev, "rev order");
        last_rev = rev(&message);
        kinds.push((
            event["type"].as_str().unwrap().to_owned(),
            message["seq"].as_u64().unwrap(),
        ));
        state.insert(message["seq"].as_u64().unwrap(), message);
    }
    // Changed ones are updates; the one stored since (and changed again)
    // is a message.
    assert_eq!(
        kinds,
        vec![
            ("update".into(), 2),
            ("update".into(), 1),
            ("update".into(), 3),
            ("message".into(), 4)
        ]
    );
    let history = alice.history("0", None, None).await.body;
    for stored in history.as_array().unwrap() {
        let seq = stored["seq"].as_u64().unwrap();
        if seq > 0 && state.contains_key(&seq) {
            assert_eq!(&state[&seq], stored, "seq {seq}");
        }
    }
}

#[tokio::test]
async fn a_redis_restart_mid_stream_loses_no_change() {
    let (mut redis, a, b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let bob = b.client();
    bob.signed_up("bob").await;
    let mut receiver = bob.ws().await;
    alice.send("0", "v0").await;

    // Edits and reactions one at a time, each until it is answered; Redis
    // restarts after the 20th.
    for i in 1..=60 {
        if i == 21 {
            redis.restart().await;
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let reply = if i % 3 == 0 {
                react(&alice, "0", 1, "👍", i % 2 == 0).await
            } else {
                edit(&alice, "0", 1, &format!("v{i}")).await
            };
            if reply.status == 200 {
                break;
            }
            assert!(
                attempt < 200,
                "Redis did not come back for change {i}: {:?}",
                reply.body
            );
            // Redis is on its way back; try again shortly.
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }
    let last = alice.history("0", None, None).await.body[0].clone();
    // Bob's copy, from the events alone, ends as the store's, each rev
    // once and in order.
    let mut held = Value::Null;
    while held.get("rev") != last.get("rev") {
        let event = receiver
            .next_where("a message or update", |e| {
                e["type"] == "message" || e["type"] == "update"
            })
            .await;
        if held.get("rev").is_some() {
            assert!(rev(&event["message"]) > rev(&held), "rev order, no repeats");
        }
        held = event["message"].clone();
    }
    assert_eq!(held, last);
}

/// A page's HTML, as a browser without JavaScript reads it.
async fn page(client: &Client, path: &str) -> String {
    client.get(path).await.text().await.expect("a page")
}

/// A plain HTML form post (JavaScript off) from the page at `from`.
async fn plain_post(client: &Client, from: &str, path: &str, form: &[(&str, &str)]) -> Reply {
    let headers = [("accept", "text/html"), ("referer", from)];
    client.post_with(path, form, &headers).await
}

/// Where a refused plain form post sends the browser back to, after
/// checking that it says `code`.
fn sent_back(refused: &Reply, code: &str) -> String {
    assert_eq!(refused.status, 302, "{:?}", refused.body);
    let back = refused.headers["location"]
        .to_str()
        .expect("a location")
        .to_owned();
    assert!(back.contains(&format!("__err={code}")), "{back}");
    back
}

/// Without JavaScript, "More…" on a message leads to
/// `/room/{id}?change={seq}`: plain forms to edit and delete (its author)
/// and react (anyone in the room), which land on the room at the message,
/// or come back with the refusal in the page's own words and the edit's
/// text kept.
#[tokio::test]
async fn a_message_changes_through_plain_forms_without_javascript() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let room = alice.created_room("Plain").await;
    let seq = alice.send(&room, "first <b>draft</b>").await.body["seq"]
        .as_u64()
        .expect("a seq");
    let bob = app.client();
    bob.signed_up("bob").await;
    assert_eq!(
        bob.post("/api/rooms/join", &[("room_id", &room)])
            .await
            .status,
        200
    );
    let panel = format!("/room/{room}?change={seq}");
    let from = format!("{}{panel}", app.base);
    let seq_text = seq.to_string();
    let here = [("room_id", room.as_str()), ("seq", seq_text.as_str())];
    let with = |more: &[(&'static str, &'static str)]| {
        let mut all = here.to_vec();
        all.extend_from_slice(more);
        all
    };

    let hers = page(&alice, &panel).await;
    assert!(hers.contains("action=\"/api/messages/edit\""), "{hers}");
    assert!(hers.contains("action=\"/api/messages/delete\""));
    assert!(hers.contains("first &lt;b&gt;draft&lt;/b&gt;") && !hers.contains("<b>draft"));
    let his = page(&bob, &panel).await;
    assert!(
        !his.contains("action=\"/api/messages/edit\"")
            && !his.contains("action=\"/api/messages/delete\"")
    );
    assert!(his.contains("aria-label=\"React with 👍\""), "{his}");

    // An edit lands on the room at the message.
    let edited = plain_post(
        &alice,
        &from,
        "/api/messages/edit",
        &with(&[("text", "second draft")]),
    )
    .await;
    assert_eq!(edited.status, 302);
    assert_eq!(
        edited.headers["location"],
        format!("/room/{room}#m{seq}").as_str()
    );
    assert_eq!(
        alice.history(&room, None, None).await.body[0]["text"],
        "second draft"
    );

    // A refused edit comes back to the panel, says why and keeps the text.
    let refused = plain_post(
        &alice,
        &from,
        "/api/messages/edit",
        &with(&[("text", "a\u{7}b")]),
    )
    .await;
    let back = sent_back(&refused, "bad_input");
    let again = page(&alice, back.strip_prefix(&app.base).unwrap_or(&back)).await;
    assert!(again.contains("no control characters"), "{again}");
    assert!(
        again.contains(">a\u{7}b</textarea>"),
        "the typed text is kept"
    );
    assert_eq!(
        alice.history(&room, None, None).await.body[0]["text"],
        "second draft"
    );

    // bob reacts, and may not delete alice's message.
    let reacted = plain_post(
        &bob,
        &from,
        "/api/messages/react",
        &with(&[("emoji", "👍"), ("on", "true")]),
    )
    .await;
    assert_eq!(reacted.status, 302);
    assert_eq!(
        bob.history(&room, None, None).await.body[0]["reactions"][0]["emoji"],
        "👍"
    );
    assert!(page(&bob, &panel)
        .await
        .contains("aria-label=\"Take back 👍\""));
    let refused = plain_post(&bob, &from, "/api/messages/delete", &here).await;
    sent_back(&refused, "forbidden");
    assert_ne!(
        bob.history(&room, None, None).await.body[0]["deleted"],
        true,
        "still there"
    );

    // alice deletes it; an unknown seq has no panel.
    let deleted = plain_post(&alice, &from, "/api/messages/delete", &here).await;
    assert_eq!(deleted.status, 302);
    assert_eq!(
        alice.history(&room, None, None).await.body[0]["deleted"],
        true
    );
    let none = page(&alice, &format!("/room/{room}?change=999")).await;
    assert!(none.contains("There is no such message."), "{none}");
}
