//! Budgets that bound what one person, or everyone, may do: rooms made,
//! joins and leaves, direct rooms with new people, accounts made, and
//! password hashes run at once. Past each, 429 (or 403 for the lifetime
//! room cap), and nothing is done; a sync past its budget waits.

use crate::helpers::{unique_prefix, TestApp, TestRedis, PASSWORD};

#[tokio::test]
async fn room_making_is_bounded_per_day_and_in_all() {
    let redis = TestRedis::start().await;
    let daily = TestApp::spawn_with(&redis, &unique_prefix(), |c| c.rooms_per_day = 2).await;
    let alice = daily.client();
    alice.signed_up("alice").await;
    for name in ["one", "two"] {
        assert_eq!(
            alice
                .post("/api/rooms/create", &[("name", name)])
                .await
                .status,
            200
        );
    }
    let refused = alice.post("/api/rooms/create", &[("name", "three")]).await;
    assert_eq!(refused.status, 429, "{:?}", refused.body);
    assert!(refused.message().contains("in a day"));
    let public = alice.post("/api/rooms/public", &[("q", "three")]).await;
    assert_eq!(public.body, serde_json::json!([]), "nothing was made");
    // Another person has their own day.
    let bob = daily.client();
    bob.signed_up("bob").await;
    assert_eq!(
        bob.post("/api/rooms/create", &[("name", "three")])
            .await
            .status,
        200
    );

    let lifetime = TestApp::spawn_with(&redis, &unique_prefix(), |c| c.rooms_per_person = 1).await;
    let carol = lifetime.client();
    carol.signed_up("carol").await;
    assert_eq!(
        carol
            .post("/api/rooms/create", &[("name", "mine")])
            .await
            .status,
        200
    );
    let refused = carol
        .post("/api/rooms/create", &[("name", "another")])
        .await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert!(refused.message().contains("at most 1 rooms"));
}

#[tokio::test]
async fn joins_and_leaves_are_bounded_per_minute() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |c| {
        c.membership_changes_per_minute = 2
    })
    .await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let room = alice.created_room("loop").await;
    let bob = app.client();
    bob.signed_up("bob").await;
    assert_eq!(
        bob.post("/api/rooms/join", &[("room_id", &room)])
            .await
            .status,
        200
    );
    assert_eq!(
        bob.post("/api/rooms/leave", &[("room_id", &room)])
            .await
            .status,
        200
    );
    let refused = bob.post("/api/rooms/join", &[("room_id", &room)]).await;
    assert_eq!(refused.status, 429, "{:?}", refused.body);
    let rooms = bob.post("/api/rooms", &[]).await.body;
    assert!(
        !rooms
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == room.as_str()),
        "the refused join did not happen: {rooms}"
    );
}

/// Each look at a room's members reads every member's name: one person's
/// looks are bounded per minute (another person's are not touched).
#[tokio::test]
async fn looks_at_a_rooms_members_are_bounded_per_minute() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |c| {
        c.member_lookups_per_minute = 3
    })
    .await;
    let (alice, bob) = (app.client(), app.client());
    alice.signed_up("alice").await;
    bob.signed_up("bob").await;
    async fn look(client: &crate::helpers::Client) -> crate::helpers::Reply {
        client
            .post("/api/rooms/members", &[("room_id", "0"), ("q", "a")])
            .await
    }
    for _ in 0..3 {
        assert_eq!(look(&alice).await.status, 200);
    }
    let refused = look(&alice).await;
    assert_eq!(refused.status, 429, "{:?}", refused.body);
    assert_eq!(look(&bob).await.status, 200);
}

#[tokio::test]
async fn direct_rooms_with_new_people_are_bounded_per_hour() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |c| {
        c.new_direct_rooms_per_hour = 1
    })
    .await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let bob = app.client();
    let bob_id = bob.signed_up("bob").await;
    let carol = app.client();
    let carol_id = carol.signed_up("carol").await;
    let open = |id: &str| {
        let (alice, id) = (&alice, id.to_owned());
        async move { alice.post("/api/rooms/direct", &[("user_id", &id)]).await }
    };
    assert_eq!(open(&bob_id).await.status, 200);
    let refused = open(&carol_id).await;
    assert_eq!(refused.status, 429, "{:?}", refused.body);
    // The room she has already opens again freely, and carol was not
    // given a room.
    assert_eq!(open(&bob_id).await.status, 200);
    let carols = carol.post("/api/rooms", &[]).await.body;
    assert_eq!(
        carols.as_array().unwrap().len(),
        1,
        "General only: {carols}"
    );
    // Asking for a room with an id nobody has spends the budget too: ids
    // cannot be probed for who exists faster than rooms can be opened.
    let dave = app.client();
    dave.signed_up("dave").await;
    let probe = |id: &'static str| {
        let dave = &dave;
        async move { dave.post("/api/rooms/direct", &[("user_id", id)]).await.status }
    };
    assert_eq!(probe("99990").await, 404);
    assert_eq!(probe("99991").await, 429);
}

#[tokio::test]
async fn accounts_made_are_bounded_per_hour_for_everyone() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |c| c.registrations_per_hour = 2).await;
    assert_eq!(app.client().register("ann", PASSWORD).await.status, 200);
    assert_eq!(app.client().register("ben", PASSWORD).await.status, 200);
    let refused = app.client().register("cat", PASSWORD).await;
    assert_eq!(refused.status, 429, "{:?}", refused.body);
    // Signing in is not making an account.
    assert_eq!(app.client().login("ann", PASSWORD).await.status, 200);
}

/// With one hash at a time and no wait for a turn, of several sign-ups at
/// once some must be turned away (429), and the rest are made.
#[tokio::test]
async fn password_hashing_runs_a_bounded_number_at_once() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |c| {
        c.password_hashing_max = Some(1);
        c.password_hashing_wait_ms = 0;
    })
    .await;
    let replies = futures::future::join_all((0..6).map(|i| {
        let client = app.client();
        async move { client.register(&format!("burst{i}"), PASSWORD).await }
    }))
    .await;
    let made = replies.iter().filter(|r| r.status == 200).count();
    let busy: Vec<_> = replies.iter().filter(|r| r.status == 429).collect();
    assert!(
        made >= 1,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(
        !busy.is_empty(),
        "six at once with one turn: some wait in vain"
    );
    assert!(busy.iter().all(|r| r.message().contains("busy")));
    assert_eq!(made + busy.len(), 6);
}

/// One person's sockets are bounded on every instance together: past the
/// cap, the handshake is answered 429; another person is not affected.
#[tokio::test]
async fn sockets_are_bounded_per_person_across_instances() {
    let redis = TestRedis::start().await;
    let prefix = unique_prefix();
    let a = TestApp::spawn_with(&redis, &prefix, |c| c.sockets_per_person = 2).await;
    let b = TestApp::spawn_with(&redis, &prefix, |c| c.sockets_per_person = 2).await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let cookie = alice.session_cookie();
    let _first = alice.ws().await;
    let _second = alice.pointed_at(&b.base).ws().await;
    for base in [&a.base, &b.base] {
        let refused = crate::ws::Ws::connect(base, Some(&cookie), None)
            .await
            .err();
        assert_eq!(refused, Some(429));
    }
    let bob = b.client();
    bob.signed_up("bob").await;
    let _bobs = bob.ws().await;
}

/// One session's sockets on an instance are bounded too, below the
/// person's cap: past it, 429; the same person signed in elsewhere (another
/// session) still connects, up to the person's cap.
#[tokio::test]
async fn sockets_are_bounded_per_session_on_an_instance() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |c| {
        c.sockets_per_session = 2;
        c.sockets_per_person = 3;
    })
    .await;
    let alice = app.client();
    let id = alice.signed_up("alice").await;
    let id = confab::model::UserId(id.parse().expect("a numeric id"));
    let cookie = alice.session_cookie();
    let first = alice.ws().await;
    let _second = alice.ws().await;
    let refused = crate::ws::Ws::connect(&app.base, Some(&cookie), None)
        .await
        .err();
    assert_eq!(refused, Some(429), "a third socket of one session");
    let laptop = app.client();
    assert_eq!(
        laptop.login("alice", crate::helpers::PASSWORD).await.status,
        200
    );
    let _third = laptop.ws().await;
    let refused = crate::ws::Ws::connect(&app.base, Some(&laptop.session_cookie()), None)
        .await
        .err();
    assert_eq!(refused, Some(429), "a fourth of the person");
    // Closing one frees its place.
    first.close().await;
    crate::ws::eventually_async("the first socket is counted out", || async {
        app.state.store.open_sockets(id).await.ok() == Some(2)
    })
    .await;
    let _again = alice.ws().await;
}

/// A sync that waits for its budget for longer than the silence limit
/// still arrives whole: while the server is busy with the sync, the
/// reader's pongs wait unread, and that silence is not the peer's. (The
/// socket was closed as silent, 1001, in the middle of the sync.)
#[tokio::test]
async fn a_sync_longer_than_the_silence_limit_is_not_cut_off() {
    // Three pages: the first is free, the second takes the one token, the
    // third waits 5 s for the next, past the 3 s silence limit.
    let (_redis, app, _ws) = synced_whole(1010, |c| {
        c.silence_limit_secs = 3;
        c.sync_pages_per_second = 0.2;
    })
    .await;
    assert_eq!(app.state.bus.connection_count(), 1, "the socket stays open");
}

/// A peer that answers no pings for the silence limit is closed with 1001.
#[tokio::test]
async fn a_peer_silent_past_the_limit_is_closed() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |c| c.silence_limit_secs = 3).await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let ws = alice.ws().await;
    assert_eq!(ws.close_code_unanswered().await, Some(1001));
    assert_eq!(app.state.bus.connection_count(), 0);
}

/// A sync's pages past its first count against its reader's sync budget:
/// past it, the sync waits for the budget, and still brings every message,
/// in order.
#[tokio::test]
async fn a_long_sync_waits_for_its_budget_and_loses_nothing() {
    // Four pages of 500: the first is free, the second takes the one
    // token, the rest wait for the budget to refill (one every 2 s).
    let (_redis, app, _ws) = synced_whole(1600, |c| c.sync_pages_per_second = 0.5).await;
    let metrics = app.client().get("/metrics").await.text().await.unwrap();
    assert!(!metrics.contains("confab_sync_waits_total 0"), "{metrics}");
}

/// Stores `total` messages in a new room on an instance whose sync budget
/// is one page (and `settings`), then syncs the room from 0 over a socket
/// and checks that every message arrives, in order, and that the sync
/// waited for its budget. Answers the socket, still open.
async fn synced_whole(
    total: u64,
    settings: impl FnOnce(&mut confab::server::config::Config),
) -> (TestRedis, TestApp, crate::ws::Ws) {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |c| {
        c.sync_pages_burst = 1;
        c.send_burst = 1_000_000;
        c.send_per_second = 1_000_000.0;
        settings(c);
    })
    .await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let room = alice.created_room("Long history").await;
    for n in 1..=total {
        assert_eq!(alice.send(&room, &format!("m{n}")).await.status, 200);
    }
    let mut ws = alice.ws().await;
    ws.send(serde_json::json!({"type": "sync", "room_id": room, "after": 0}))
        .await;
    for seq in 1..=total {
        let event = ws.next_of("message").await;
        assert_eq!(event["message"]["seq"], seq);
        assert_eq!(event["message"]["text"], format!("m{seq}"));
    }
    assert!(
        app.state.bus.counts().sync_waits >= 1,
        "the sync never waited"
    );
    (redis, app, ws)
}
