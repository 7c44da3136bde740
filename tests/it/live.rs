//! The websocket, as the contract gives it, over two instances on one Redis.

use serde_json::{json, Value};

use confab::model::UserId;
use confab::server::events::InstanceId;
use confab::server::store::PresenceChange;

use crate::helpers::{seqs, two_instances, unique_prefix, Client, ConfabProcess, TestApp, TestRedis};
use crate::ws::{eventually, Ws};

#[tokio::test]
async fn the_handshake_needs_a_session_and_the_sites_origin() {
    let (_redis, a, _b) = two_instances().await;
    assert_eq!(Ws::connect(&a.base, None, None).await.err(), Some(401));
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
    // replayed, so a late registration would lose it). Fresh sockets each
    // round, so the typing throttle does not apply.
    for _ in 0..5 {
        let mut alice_ws = alice.ws().await;
        let mut bob_ws = bob.ws().await;
        alice_ws
            .send(json!({"type": "typing", "room_id": "0"}))
            .await;
        let typing = bob_ws.next_of("typing").await;
        assert_eq!(typing["room_id"], "0");
        assert_eq!(typing["user"]["username"], "alice");
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

#[tokio::test]
async fn logout_closes_the_sessions_sockets_on_every_instance() {
    let (_redis, a, b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let mut on_a = alice.ws().await;
    let mut on_b = alice.pointed_at(&b.base).ws().await;
    assert_eq!(alice.post("/api/logout", &[]).await.status, 200);
    assert_eq!(on_a.closed().await, Some(4001));
    assert_eq!(on_b.closed().await, Some(4001));
}

/// The next presence event about `name`.
async fn presence_of(ws: &mut Ws, name: &str) -> Value {
    ws.next_where(&format!("presence of {name}"), |event| {
        event["type"] == "presence" && event["user"]["username"] == name
    })
    .await
}

async fn online_names(client: &Client) -> Vec<String> {
    let reply = client.post("/api/users/online", &[]).await;
    assert_eq!(reply.status, 200);
    reply
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn presence_counts_tabs_across_instances() {
    let (_redis, a, b) = two_instances().await;
    let bob = b.client();
    bob.signed_up("bob").await;
    let mut watcher = bob.ws().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    assert_eq!(online_names(&bob).await, vec!["bob"]);

    let first_tab = alice.ws().await;
    let online = presence_of(&mut watcher, "alice").await;
    assert_eq!(online["online"], true);
    assert_eq!(online_names(&bob).await, vec!["alice", "bob"]);

    let mut second_tab = alice.pointed_at(&b.base).ws().await;
    first_tab.close().await;
    eventually("the first tab is gone", || {
        a.state.bus.connection_count() == 0
    })
    .await;
    // Still online: the next event bob sees is alice's message, not presence.
    second_tab.send_message("0", "still here", "c-1").await;
    let next = watcher
        .next_where("alice's message or presence", |event| {
            event["type"] == "message" || event["user"]["username"] == "alice"
        })
        .await;
    assert_eq!(
        next["type"], "message",
        "no presence change while a tab is open: {next}"
    );
    assert_eq!(online_names(&bob).await, vec!["alice", "bob"]);

    second_tab.close().await;
    let offline = presence_of(&mut watcher, "alice").await;
    assert_eq!(offline["online"], false);
    assert_eq!(online_names(&bob).await, vec!["bob"]);
}

#[tokio::test]
async fn users_of_a_killed_instance_go_offline_within_30_s() {
    let redis = TestRedis::start().await;
    let prefix = unique_prefix();
    let a = TestApp::spawn_with(&redis, &prefix, |_| {}).await;
    let bob = a.client();
    bob.signed_up("bob").await;
    let mut watcher = bob.ws().await;

    // A real confab process on the same Redis, killed with SIGKILL.
    let mut child = ConfabProcess::start(&[
        ("REDIS_URL", redis.url()),
        ("CONFAB_KEY_PREFIX", prefix.clone()),
    ])
    .await;
    let base = child.base.clone();
    let alice = Client::new(&base);
    alice.signed_up("alice").await;
    let _socket = alice.ws().await;
    assert_eq!(presence_of(&mut watcher, "alice").await["online"], true);

    child.child.kill().expect("SIGKILL");
    child.child.wait().expect("reaped");
    let killed_at = std::time::Instant::now();
    let offline = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        presence_of(&mut watcher, "alice"),
    )
    .await
    .expect("offline within 30 s");
    assert_eq!(offline["online"], false);
    assert!(killed_at.elapsed() < std::time::Duration::from_secs(30));
    assert_eq!(online_names(&bob).await, vec!["bob"]);
}

/// Signing in again ends the browser's previous session, and with it that
/// session's sockets on every instance (the tabs reconnect with the new
/// cookie).
#[tokio::test]
async fn signing_in_again_closes_the_old_sessions_sockets() {
    let (_redis, a, b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let old_cookie = alice.session_cookie();
    let mut old_socket = alice.pointed_at(&b.base).ws().await;
    eventually("the socket is counted on b", || {
        b.state.bus.connection_count() == 1
    })
    .await;

    let again = alice.login("alice", crate::helpers::PASSWORD).await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_ne!(alice.session_cookie(), old_cookie);
    assert_eq!(old_socket.closed().await, Some(4001));
    // The old cookie is dead; the new one works.
    assert_eq!(
        Ws::connect(&b.base, Some(&old_cookie), None).await.err(),
        Some(401)
    );
    let mut new_socket = alice.pointed_at(&b.base).ws().await;
    new_socket.send_message("0", "still me", "c-1").await;
    assert_eq!(new_socket.next_of("message").await["nonce"], "c-1");
}

/// Events published while an instance's pub/sub connection is down are
/// lost to it; messages are replayed from the store, and sign-outs and
/// leaves are read back from Redis when it resubscribes.
#[tokio::test]
async fn a_sign_out_and_a_leave_missed_by_a_dropped_bus_still_take_effect() {
    let (redis, a, b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let bob = a.client();
    bob.signed_up("bob").await;
    let room = alice.created_room("Outage").await;
    bob.post("/api/rooms/join", &[("room_id", &room)]).await;
    let mut alice_ws = alice.ws().await;
    let mut bob_ws = bob.ws().await;
    eventually("both sockets are counted", || {
        a.state.bus.connection_count() == 2
    })
    .await;

    // Drop every pub/sub connection, and sign alice out and take bob out
    // of the room (through instance b) before they come back.
    let client = redis::Client::open(redis.url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("pubsub")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert_eq!(
        alice
            .pointed_at(&b.base)
            .post("/api/logout", &[])
            .await
            .status,
        200
    );
    assert_eq!(
        bob.pointed_at(&b.base)
            .post("/api/rooms/leave", &[("room_id", &room)])
            .await
            .status,
        200
    );

    // Alice's socket is closed as signed out once instance a is back.
    assert_eq!(alice_ws.closed().await, Some(4001));
    // Bob's socket no longer follows the room: of two messages, one in the
    // room he left and one in General, only General's reaches him.
    let carol = b.client();
    carol.signed_up("carol").await;
    carol.post("/api/rooms/join", &[("room_id", &room)]).await;
    assert_eq!(carol.send(&room, "after the leave").await.status, 200);
    assert_eq!(carol.send("0", "in general").await.status, 200);
    let next = bob_ws.next_of("message").await;
    assert_eq!(next["message"]["text"], "in general", "{next}");
}

/// A peer that finds an instance's heartbeat lapsed clears its users, but
/// not once the instance has beaten again (it was slow, not dead): the
/// check and the clearing are one script, so no interleaving of reaper and
/// heartbeat leaves a connected user offline.
#[tokio::test]
async fn a_reaper_never_clears_an_instance_that_beat_again() {
    let (_redis, a, _b) = two_instances().await;
    let store = &a.state.store;
    let alice = a.client();
    let alice_id = alice.signed_up("alice").await;
    let bob = a.client();
    let bob_id = bob.signed_up("bob").await;
    let _socket = alice.ws().await;
    eventually("alice's socket is counted", || {
        a.state.bus.connection_count() == 1
    })
    .await;
    assert_eq!(online_names(&alice).await, vec!["alice"]);

    // Instance a is alive: reaping it (as a peer that saw it lapse a
    // moment ago would) changes nothing.
    let user = |id: &str| {
        let id = UserId(id.parse().unwrap());
        async move { store.user(id).await.unwrap().unwrap() }
    };
    let alive = a.state.bus.instance();
    let reaped = store
        .change_presence(alive, &user(&alice_id).await, PresenceChange::Reaped)
        .await
        .unwrap();
    assert!(reaped.is_none());
    assert!(!store.forget_instance(alive, true).await.unwrap());
    assert_eq!(online_names(&alice).await, vec!["alice"]);

    // An instance without a heartbeat is cleared.
    let dead = &InstanceId::from("0000dead".to_owned());
    let bob_user = user(&bob_id).await;
    store
        .change_presence(dead, &bob_user, PresenceChange::Opened)
        .await
        .unwrap();
    assert_eq!(online_names(&alice).await, vec!["alice", "bob"]);
    let reaped = store
        .change_presence(dead, &bob_user, PresenceChange::Reaped)
        .await
        .unwrap();
    assert!(
        reaped.is_some_and(|flip| !flip.online),
        "bob goes offline with the dead instance"
    );
    assert!(store.forget_instance(dead, true).await.unwrap());
    assert_eq!(online_names(&alice).await, vec!["alice"]);
}

#[tokio::test]
async fn a_slow_consumer_is_cut_off_and_memory_stays_bounded() {
    let (_redis, a, _b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let sloth = a.client();
    sloth.signed_up("sloth").await;
    let mut slow = sloth.ws().await; // never read until the end
    let rss_before = resident_kib();
    // 16 KB a message (4,000 four-byte characters): more than the kernel's
    // socket buffers and the queue hold, long before the loop ends.
    let text = "😀".repeat(4000);
    for _ in 0..2000 {
        assert_eq!(alice.send("0", &text).await.status, 200);
        if a.state.bus.connection_count() == 0 {
            break;
        }
    }
    eventually("the slow socket is cut off", || {
        a.state.bus.connection_count() == 0
    })
    .await;
    let grown = resident_kib().saturating_sub(rss_before);
    assert!(
        grown < 64 * 1024,
        "the server grew by {grown} KiB for one slow socket"
    );
    // Reading now finds the frames that were in flight, then the end.
    let code = slow.closed().await;
    assert!(matches!(code, Some(1008) | None), "{code:?}");
}

fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_redis_restart_mid_stream_loses_and_repeats_nothing() {
    let (mut redis, a, b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let bob = b.client();
    bob.signed_up("bob").await;
    let mut sender = alice.ws().await;
    let mut receiver = bob.ws().await;

    // Send 120 messages one at a time, each until it is confirmed stored
    // (by its echo, or by the replay that follows a lost echo); restart
    // Redis after the 40th.
    let mut stored_texts = Vec::new();
    for i in 1..=120 {
        if i == 41 {
            redis.process.restart().await.expect("redis comes back");
        }
        let text = format!("m{i}");
        let mut attempt = 0;
        loop {
            attempt += 1;
            sender
                .send_message("0", &text, &format!("c-{i}-{attempt}"))
                .await;
            // A message of an earlier send may come again, with its nonce
            // (its echo, owed since a replay delivered it without one).
            let event = sender
                .next_where("this send's answer", |e| {
                    e["type"] == "error"
                        || (e["type"] == "message" && e["message"]["text"] == text.as_str())
                })
                .await;
            if event["type"] == "message" {
                break;
            }
            assert!(attempt < 200, "Redis did not come back for message {i}");
            // Redis is on its way back; try again shortly.
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        stored_texts.push(text);
    }

    // Every stored message reaches bob exactly once, in seq order.
    let stored = {
        let mut all = Vec::new();
        let mut before = None;
        loop {
            let page = alice.history("0", before, Some(100)).await;
            let page_seqs = seqs(&page.body);
            if page_seqs.is_empty() {
                break;
            }
            before = page_seqs.first().copied();
            all.splice(0..0, page_seqs);
        }
        all
    };
    assert_eq!(stored, (1..=stored.len() as u64).collect::<Vec<_>>());
    let mut received = Vec::new();
    while received.len() < stored.len() {
        let event = receiver.next_of("message").await;
        received.push(event["message"]["seq"].as_u64().unwrap());
    }
    assert_eq!(received, stored, "every stored message, once, in order");
    // And nothing more is on its way: the next event is a fresh message.
    sender.send_message("0", "after", "c-after").await;
    let next = receiver.next_of("message").await;
    assert_eq!(next["message"]["seq"], stored.len() as u64 + 1);
}

/// A retry of a send under the same nonce (the page lost the answer with
/// its connection), on whichever instance: the message is stored once, and
/// the retry is answered with it.
#[tokio::test]
async fn a_retried_send_is_stored_once() {
    let (_redis, a, b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let bob = b.client();
    bob.signed_up("bob").await;
    let mut watcher = bob.ws().await;
    let mut first = alice.ws().await;
    first.send_message("0", "only once", "c-7").await;
    let echo = first.next_of("message").await;
    assert_eq!(echo["nonce"], "c-7");
    let seq = echo["message"]["seq"].as_u64().unwrap();
    assert_eq!(watcher.next_of("message").await["message"]["seq"], seq);
    first.close().await;

    let mut second = alice.pointed_at(&b.base).ws().await;
    second.send(retry("0", "only once", "c-7")).await;
    let again = second.next_of("message").await;
    assert_eq!(again["nonce"], "c-7");
    assert_eq!(again["message"]["seq"], seq);
    assert_eq!(again["message"]["text"], "only once");

    // A retry of a send that was never stored stores it.
    second.send(retry("0", "lost on the way", "c-8")).await;
    let stored = second.next_of("message").await;
    assert_eq!(stored["nonce"], "c-8");
    assert_eq!(stored["message"]["seq"], seq + 1);
    // The others saw each message once: the retry reached nobody else.
    assert_eq!(watcher.next_of("message").await["message"]["seq"], seq + 1);
    assert_eq!(
        seqs(&alice.history("0", None, None).await.body),
        vec![seq, seq + 1]
    );

    // Without `retry`, a nonce used before is just a name: the contract's
    // send stores every message.
    second.send_message("0", "only once", "c-7").await;
    assert_eq!(second.next_of("message").await["message"]["seq"], seq + 2);
}

/// Only a user's last 64 nonces are kept (per user, a day): a retry of an
/// older send stores it again, a retry of a recent one is answered from the
/// store.
#[tokio::test]
async fn only_the_last_nonces_are_kept() {
    let (_redis, a, _b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let mut socket = alice.ws().await;
    for i in 0..=64 {
        socket
            .send_message("0", &format!("m{i}"), &format!("n{i}"))
            .await;
        assert_eq!(socket.next_of("message").await["nonce"], format!("n{i}"));
    }
    socket.send(retry("0", "m1", "n1")).await;
    assert_eq!(socket.next_of("message").await["message"]["seq"], 2);
    socket.send(retry("0", "m0", "n0")).await;
    assert_eq!(socket.next_of("message").await["message"]["seq"], 66);
}

/// A send frame that retries the send named `nonce`.
fn retry(room: &str, text: &str, nonce: &str) -> Value {
    json!({"type": "send", "room_id": room, "text": text, "nonce": nonce, "retry": true})
}
