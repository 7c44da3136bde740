//! The websocket, as the contract gives it, over two instances on one Redis.

use serde_json::json;

use crate::helpers::{seqs, two_instances};
use crate::ws::Ws;

#[tokio::test]
async fn the_handshake_needs_a_session_and_the_sites_origin() {
    let (_redis, a, _b) = two_instances().await;
    assert_eq!(Ws::connect(&a.base, None, None).await.err(), Some(401));
    // Who asks is settled before how: a plain GET from nobody is a 401 too.
    let plain = reqwest::get(format!("{}/ws", a.base)).await.expect("an answer");
    assert_eq!(plain.status(), 401);
    let forged = format!("confab_session={}", "a".repeat(64));
    assert_eq!(
        Ws::connect(&a.base, Some(&forged), None).await.err(),
        Some(401)
    );
    let alice = a.client();
    alice.signed_up("alice").await;
    let cookie = alice.session_cookie();
    assert_eq!(
        Ws::connect(&a.base, Some(&cookie), Some("http://evil.example"))
            .await
            .err(),
        Some(403)
    );
    assert!(Ws::connect(&a.base, Some(&cookie), None).await.is_ok());
}

#[tokio::test]
async fn messages_cross_instances_in_order_with_the_nonce_only_for_the_sender() {
    let (_redis, a, b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let bob = b.client();
    bob.signed_up("bob").await;
    let mut sender = alice.ws().await;
    let mut other_tab = alice.pointed_at(&b.base).ws().await;
    let mut receiver = bob.ws().await;

    for i in 1..=30 {
        sender
            .send_message("0", &format!("m{i}"), &format!("c-{i}"))
            .await;
    }
    for i in 1..=30u64 {
        let mine = sender.next_of("message").await;
        assert_eq!(mine["nonce"], format!("c-{i}"));
        assert_eq!(mine["message"]["seq"], i);
        let theirs = receiver.next_of("message").await;
        assert_eq!(
            theirs["message"]["seq"], i,
            "in order on the other instance"
        );
        assert_eq!(theirs["message"]["text"], format!("m{i}"));
        assert_eq!(theirs["message"]["username"], "alice");
        assert!(
            theirs.get("nonce").is_none(),
            "no nonce for others: {theirs}"
        );
        let tab = other_tab.next_of("message").await;
        assert!(
            tab.get("nonce").is_none(),
            "no nonce on the sender's other tab: {tab}"
        );
        assert_eq!(tab["message"]["seq"], i);
    }
}

#[tokio::test]
async fn a_non_member_gets_nothing_and_an_error_on_send() {
    let (_redis, a, b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let carol = b.client();
    carol.signed_up("carol").await;
    let room = alice.created_room("Secret").await;
    let mut alice_ws = alice.ws().await;
    let mut carol_ws = carol.ws().await;

    alice_ws.send_message(&room, "for members", "c-1").await;
    assert_eq!(
        alice_ws.next_of("message").await["message"]["text"],
        "for members"
    );
    carol_ws.send_message(&room, "let me in", "c-2").await;
    let error = carol_ws.next_of("error").await;
    assert!(
        error["reason"].as_str().unwrap().contains("not a member"),
        "{error}"
    );
    carol_ws
        .send(json!({"type": "sync", "room_id": room, "after": 0}))
        .await;
    assert!(carol_ws.next_of("error").await["reason"]
        .as_str()
        .unwrap()
        .contains("not a member"));
    carol_ws
        .send(json!({"type": "typing", "room_id": room}))
        .await;
    assert!(carol_ws.next_of("error").await["reason"]
        .as_str()
        .unwrap()
        .contains("not a member"));

    // The bus keeps order: had carol been sent the secret, it would come first.
    alice_ws.send_message("0", "for everyone", "c-3").await;
    let first = carol_ws.next_of("message").await;
    assert_eq!(first["message"]["text"], "for everyone");
    assert_eq!(
        seqs(&alice.history(&room, None, None).await.body),
        vec![1],
        "nothing of carol's was stored"
    );
}

#[tokio::test]
async fn bad_frames_get_errors_and_the_socket_stays_open() {
    let (_redis, a, _b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let mut ws = alice.ws().await;
    for bad in [
        "not json".to_owned(),
        json!({"type": "shout"}).to_string(),
        json!({"type": "send", "room_id": "x", "text": "hi"}).to_string(),
        json!({"type": "send", "room_id": "0", "text": "   "}).to_string(),
        json!({"type": "send", "room_id": "0", "text": "x".repeat(4001)}).to_string(),
        json!({"type": "send", "room_id": "0", "text": "hi", "nonce": "n".repeat(65)}).to_string(),
        json!({"type": "sync", "room_id": "99", "after": 0}).to_string(),
    ] {
        ws.send_raw(bad.clone()).await;
        let event = ws.next_except("presence").await;
        assert_eq!(event["type"], "error", "{bad:.60} -> {event}");
        assert!(!event["reason"].as_str().unwrap().is_empty());
    }
    ws.send_message("0", "still here", "c-1").await;
    assert_eq!(ws.next_of("message").await["message"]["text"], "still here");
    assert_eq!(seqs(&alice.history("0", None, None).await.body), vec![1]);
}

#[tokio::test]
async fn a_frame_over_16_kib_closes_with_1009() {
    let (_redis, a, _b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let mut ws = alice.ws().await;
    let big = json!({"type": "send", "room_id": "0", "text": "x".repeat(20 * 1024)}).to_string();
    ws.send_raw(big).await;
    assert_eq!(ws.closed().await, Some(1009));
    assert_eq!(alice.history("0", None, None).await.body, json!([]));
}

#[tokio::test]
async fn sync_replays_what_was_missed_in_order() {
    let (_redis, a, b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    for i in 1..=7 {
        alice.send("0", &format!("m{i}")).await;
    }
    let mut ws = alice.pointed_at(&b.base).ws().await;
    ws.send(json!({"type": "sync", "room_id": "0", "after": 3}))
        .await;
    for seq in 4..=7u64 {
        let event = ws.next_of("message").await;
        assert_eq!(event["message"]["seq"], seq);
    }
    // Then live again.
    alice.send("0", "m8").await;
    assert_eq!(ws.next_of("message").await["message"]["seq"], 8);
}

#[tokio::test]
async fn typing_reaches_the_others_in_the_room() {
    let (_redis, a, b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let bob = b.client();
    bob.signed_up("bob").await;
    // A socket is on the bus once its handshake is answered: typing sent
    // right after bob's socket opens still reaches it (typing is never
    // replayed, so a late registration would lose it). Fresh sockets and
    // a new typist each round, so the typing throttle (per person and
    // room) does not apply.
    for round in 0..5 {
        let typist = a.client();
        let name = format!("typist{round}");
        typist.signed_up(&name).await;
        let mut typist_ws = typist.ws().await;
        let mut bob_ws = bob.ws().await;
        typist_ws
            .send(json!({"type": "typing", "room_id": "0"}))
            .await;
        let typing = bob_ws.next_of("typing").await;
        assert_eq!(typing["room_id"], "0");
        assert_eq!(typing["user"]["username"], name);
    }
    let mut alice_ws = alice.ws().await;
    // Alice is not told of her own typing: her next event is her message.
    alice_ws.send_message("0", "done typing", "c-1").await;
    assert_eq!(alice_ws.next_except("presence").await["type"], "message");
    assert_eq!(
        seqs(&alice.history("0", None, None).await.body),
        vec![1],
        "typing is never stored"
    );
}

/// One typing notice per person and room per interval, however many
/// sockets and instances the person types from: a script that opens
/// sockets cannot flood the room.
#[tokio::test]
async fn typing_is_throttled_per_person_across_sockets_and_instances() {
    let (_redis, a, b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let bob = b.client();
    bob.signed_up("bob").await;
    let mut bob_ws = bob.ws().await;
    let mut alice_sockets = Vec::new();
    for instance in [&a, &b, &a, &b] {
        alice_sockets.push(alice.pointed_at(&instance.base).ws().await);
    }
    // Each socket types, then sends: a socket handles its frames in
    // order, so its typing (if it goes out) is on the bus before its
    // message, and bob has seen every notice once he has the four messages.
    for (i, socket) in alice_sockets.iter_mut().enumerate() {
        socket.send(json!({"type": "typing", "room_id": "0"})).await;
        socket.send_message("0", &format!("m{i}"), &format!("n{i}")).await;
    }
    let (mut typing, mut messages) = (0, 0);
    while messages < 4 {
        let event = bob_ws.next_except("presence").await;
        match event["type"].as_str() {
            Some("typing") => typing += 1,
            Some("message") => messages += 1,
            other => panic!("unexpected {other:?}: {event}"),
        }
    }
    assert_eq!(typing, 1, "one notice from four sockets on two instances");
}

#[tokio::test]
async fn membership_changes_take_effect_live() {
    let (_redis, a, b) = two_instances().await;
    let alice = a.client();
    let alice_id = alice.signed_up("alice").await;
    let bob = b.client();
    let bob_id = bob.signed_up("bob").await;
    let mut bob_ws = bob.ws().await;

    // A new direct room reaches bob as a room event, and its messages follow.
    let direct = alice
        .post("/api/rooms/direct", &[("user_id", &bob_id)])
        .await
        .body;
    let event = bob_ws.next_of("room").await;
    assert_eq!(event["room"]["id"], direct["id"]);
    assert_eq!(event["room"]["name"], "alice");
    assert_eq!(event["room"]["kind"], "direct");
    let direct_id = direct["id"].as_str().unwrap();
    alice.send(direct_id, "psst").await;
    assert_eq!(bob_ws.next_of("message").await["message"]["text"], "psst");

    // Joining starts a room's events; leaving stops them.
    let room = alice.created_room("Later").await;
    bob.post("/api/rooms/join", &[("room_id", &room)]).await;
    assert_eq!(bob_ws.next_of("room").await["room"]["id"], room.as_str());
    alice.send(&room, "welcome").await;
    assert_eq!(
        bob_ws.next_of("message").await["message"]["text"],
        "welcome"
    );
    bob.post("/api/rooms/leave", &[("room_id", &room)]).await;
    alice.send(&room, "gone?").await;
    alice.send("0", "general news").await;
    assert_eq!(
        bob_ws.next_of("message").await["message"]["text"],
        "general news"
    );
    let _ = alice_id;
}
