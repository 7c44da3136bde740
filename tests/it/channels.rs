//! Per-room and per-user channels: an instance hears only the rooms and
//! people it has sockets for, and joining, leaving, a new direct room and
//! a sign-out change that live, across instances.

use confab::server::events::EventKind;

use crate::helpers::{two_instances, unique_prefix, TestApp, TestRedis};
use crate::ws::{eventually, eventually_async};

/// The message events an instance has received from Redis.
fn messages_heard(app: &TestApp) -> u64 {
    let counts = app.state.bus.counts();
    counts
        .received
        .iter()
        .find(|(kind, _)| *kind == EventKind::Message)
        .map_or(0, |(_, n)| *n)
}

#[tokio::test]
async fn an_instance_hears_only_the_rooms_it_has_sockets_in() {
    let (_redis, a, b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let bob = b.client();
    bob.signed_up("bob").await;
    let room = alice.created_room("Only on a").await;
    let mut alice_ws = alice.ws().await;
    let mut bob_ws = bob.ws().await;

    // Ten messages in alice's room, then one in General. One connection
    // hears its channels in publish order, so once bob has General's
    // message, instance b would have heard the room's before it.
    for i in 0..10 {
        assert_eq!(alice.send(&room, &format!("r{i}")).await.status, 200);
    }
    assert_eq!(alice.send("0", "for everyone").await.status, 200);
    assert_eq!(
        bob_ws.next_of("message").await["message"]["text"],
        "for everyone"
    );
    assert_eq!(messages_heard(&b), 1, "b hears General only");
    let mut last = String::new();
    while last != "for everyone" {
        last = alice_ws.next_of("message").await["message"]["text"]
            .as_str()
            .unwrap()
            .to_owned();
    }
    assert_eq!(messages_heard(&a), 11, "a hears both rooms");
}

#[tokio::test]
async fn joining_leaving_and_a_new_direct_room_change_what_an_instance_follows() {
    let (_redis, a, b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let bob = b.client();
    let bob_id = bob.signed_up("bob").await;
    let room = alice.created_room("Moving").await;
    let mut bob_ws = bob.ws().await;
    // General and bob's own channel.
    let before = b.state.bus.subscription_count().await;

    // Bob joins through instance a: b hears of it on bob's channel and
    // follows the room from then on.
    assert_eq!(
        bob.pointed_at(&a.base)
            .post("/api/rooms/join", &[("room_id", &room)])
            .await
            .status,
        200
    );
    assert_eq!(bob_ws.next_of("room").await["room"]["id"], room.as_str());
    assert_eq!(b.state.bus.subscription_count().await, before + 1);
    alice.send(&room, "welcome").await;
    assert_eq!(
        bob_ws.next_of("message").await["message"]["text"],
        "welcome"
    );

    // A direct room appears on both sides and is followed at once.
    let direct = alice
        .post("/api/rooms/direct", &[("user_id", &bob_id)])
        .await
        .body;
    let direct_id = direct["id"].as_str().unwrap().to_owned();
    assert_eq!(
        bob_ws.next_of("room").await["room"]["id"],
        direct_id.as_str()
    );
    alice.send(&direct_id, "psst").await;
    assert_eq!(bob_ws.next_of("message").await["message"]["text"], "psst");
    assert_eq!(b.state.bus.subscription_count().await, before + 2);

    // Leaving: b stops following the room, and hears none of it.
    bob.post("/api/rooms/leave", &[("room_id", &room)]).await;
    eventually_async("b unsubscribes the room", || async {
        b.state.bus.subscription_count().await == before + 1
    })
    .await;
    let heard = messages_heard(&b);
    alice.send(&room, "gone?").await;
    alice.send("0", "general news").await;
    assert_eq!(
        bob_ws.next_of("message").await["message"]["text"],
        "general news"
    );
    assert_eq!(messages_heard(&b), heard + 1, "only General's message");

    // The last socket closing unsubscribes everything.
    bob_ws.close().await;
    eventually("b has no sockets", || b.state.bus.connection_count() == 0).await;
    eventually_async("b follows nothing", || async {
        b.state.bus.subscription_count().await == 0
    })
    .await;
}

/// Joins and leaves heard on the bus change the hub at once and leave
/// their SUBSCRIBE and UNSUBSCRIBE to a worker off the dispatch loop. In a
/// flood of them, delivery stays exact and in order: a watcher on the same
/// instance gets every message of a busy room in order, and once the flood
/// is over the instance follows exactly the rooms its sockets are in.
#[tokio::test]
async fn a_flood_of_joins_and_leaves_keeps_delivery_exact_and_in_order() {
    let redis = TestRedis::start().await;
    let prefix = unique_prefix();
    let loose = |c: &mut confab::server::config::Config| {
        c.send_burst = 100_000;
        c.membership_changes_per_minute = 100_000;
        c.rooms_per_day = 1_000;
    };
    let a = TestApp::spawn_with(&redis, &prefix, loose).await;
    let b = TestApp::spawn_with(&redis, &prefix, loose).await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let busy = alice.created_room("Busy").await;
    let mut rooms = Vec::new();
    for i in 0..10 {
        rooms.push(alice.created_room(&format!("Flood {i}")).await);
    }
    let wendy = b.client();
    wendy.signed_up("wendy").await;
    assert_eq!(
        wendy
            .post("/api/rooms/join", &[("room_id", &busy)])
            .await
            .status,
        200
    );
    let mut wendy_ws = wendy.ws().await;
    let joe = b.client();
    joe.signed_up("joe").await;
    let mut joe_ws = joe.ws().await;

    // joe joins and leaves through instance a (b hears it on his
    // channel) while alice talks in Busy. He ends in rooms 0 to 4.
    let joe_on_a = joe.pointed_at(&a.base);
    let flood = async {
        for pass in 0..2 {
            for (i, room) in rooms.iter().enumerate() {
                let join = joe_on_a.post("/api/rooms/join", &[("room_id", room)]).await;
                assert_eq!(join.status, 200, "{:?}", join.body);
                if pass == 0 || i >= 5 {
                    let leave = joe_on_a
                        .post("/api/rooms/leave", &[("room_id", room)])
                        .await;
                    assert_eq!(leave.status, 200, "{:?}", leave.body);
                }
            }
        }
    };
    let talk = async {
        for i in 0..60 {
            assert_eq!(alice.send(&busy, &format!("m{i}")).await.status, 200);
        }
    };
    tokio::join!(flood, talk);
    for i in 0..60 {
        let heard = wendy_ws
            .next_where("a message in Busy", |e| {
                e["type"] == "message" && e["message"]["room_id"] == busy.as_str()
            })
            .await;
        assert_eq!(
            heard["message"]["text"],
            format!("m{i}"),
            "in order, each once"
        );
    }

    // b follows General, Busy, rooms 0 to 4 and its two people's channels.
    eventually_async("b follows what its sockets are in", || async {
        b.state.bus.subscription_count().await == 9
    })
    .await;
    for room in rooms.iter().rev() {
        assert_eq!(
            alice.send(room, &format!("after in {room}")).await.status,
            200
        );
    }
    let mut heard = Vec::new();
    while heard.len() < 5 {
        let event = joe_ws
            .next_where("a message in a flood room", |e| {
                e["type"] == "message" && e["message"]["room_id"] != "0"
            })
            .await;
        heard.push(
            event["message"]["text"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    heard.sort();
    let mut wanted: Vec<String> = rooms[..5].iter().map(|r| format!("after in {r}")).collect();
    wanted.sort();
    assert_eq!(heard, wanted, "only the rooms joe is in");
}

#[tokio::test]
async fn a_sign_out_reaches_the_sockets_on_every_instance_through_the_users_channel() {
    let (_redis, a, b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let mut on_b = alice.pointed_at(&b.base).ws().await;
    // A made-up session ends nothing and announces nothing.
    let stranger = crate::helpers::Client::new(&a.base);
    let forged = format!("confab_session={}", "b".repeat(64));
    let reply = stranger
        .post_with("/api/logout", &[], &[("cookie", &forged)])
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(alice.post("/api/logout", &[]).await.status, 200);
    assert_eq!(on_b.closed().await, Some(4001));
    let logouts = b
        .state
        .bus
        .counts()
        .received
        .iter()
        .find(|(kind, _)| *kind == EventKind::Logout)
        .map_or(0, |(_, n)| *n);
    assert_eq!(logouts, 1, "only the real sign-out was published");
}

/// Presence travels in rooms small enough to carry it: with a limit of two,
/// General (three people) carries none, a direct room does, and the list
/// of everyone online still names all.
#[tokio::test]
async fn presence_reaches_those_who_share_a_small_room_only() {
    let redis = crate::helpers::TestRedis::start().await;
    let prefix = crate::helpers::unique_prefix();
    let a = TestApp::spawn_with(&redis, &prefix, |c| c.presence_room_limit = 2).await;
    let b = TestApp::spawn_with(&redis, &prefix, |c| c.presence_room_limit = 2).await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let bob = b.client();
    bob.signed_up("bob").await;
    let carol = b.client();
    let carol_id = carol.signed_up("carol").await;
    let mut alice_ws = alice.ws().await;

    // Bob shares only General with alice: his coming online is not hers.
    let _bob_ws = bob.ws().await;
    // Carol shares a direct room with her: hers is.
    alice
        .post("/api/rooms/direct", &[("user_id", &carol_id)])
        .await;
    alice_ws.next_of("room").await;
    let _carol_ws = carol.ws().await;
    let first = alice_ws.next_of("presence").await;
    assert_eq!(first["user"]["username"], "carol", "{first}");
    assert_eq!(first["online"], true);

    let online = alice.post("/api/users/online", &[]).await.body;
    let names: Vec<&str> = online
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["alice", "bob", "carol"]);
}
