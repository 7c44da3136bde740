//! Signing out and signing in again, live: a session's sockets close on
//! every instance, even when an instance's bus was down at the time.

use crate::helpers::two_instances;
use crate::ws::{eventually, Ws};

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
    for url in redis.server_urls() {
        let client = redis::Client::open(url).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let _: () = redis::cmd("CLIENT")
            .arg("KILL")
            .arg("TYPE")
            .arg("pubsub")
            .query_async(&mut conn)
            .await
            .unwrap();
    }
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
