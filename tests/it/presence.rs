//! Presence across instances: tabs counted per person, a killed instance's
//! people going offline, and a reaper that never clears the living.

use serde_json::Value;

use confab::model::UserId;
use confab::server::events::InstanceId;
use confab::server::store::PresenceChange;

use crate::helpers::{two_instances, unique_prefix, Client, ConfabProcess, TestApp, TestRedis};
use crate::ws::{eventually, Ws};

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
        redis.env(),
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

/// A peer that finds an instance's heartbeat lapsed claims it and clears
/// its users; no peer can claim an instance that beats, nor one another
/// peer holds, and an instance that beats again while a peer still clears
/// it is told to wait before it counts its users in again (so that no
/// clearing undoes its recount).
#[tokio::test]
async fn a_reaper_never_clears_an_instance_that_beat_again() {
    let (_redis, a, _b) = two_instances().await;
    let store = &a.state.store;
    let alice = a.client();
    alice.signed_up("alice").await;
    let bob = a.client();
    let bob_id = bob.signed_up("bob").await;
    let _socket = alice.ws().await;
    eventually("alice's socket is counted", || {
        a.state.bus.connection_count() == 1
    })
    .await;
    assert_eq!(online_names(&alice).await, vec!["alice"]);

    // Instance a is alive: no peer may claim it.
    let alive = a.state.bus.instance();
    assert!(!store.claim_dead_instance(alive).await.unwrap());
    assert_eq!(online_names(&alice).await, vec!["alice"]);

    // An instance without a heartbeat is claimed once, then cleared.
    let dead = &InstanceId::from("0000dead".to_owned());
    let bob_user = store.user(UserId(bob_id.parse().unwrap())).await.unwrap().unwrap();
    store
        .change_presence(dead, &bob_user, PresenceChange::Opened)
        .await
        .unwrap();
    assert_eq!(online_names(&alice).await, vec!["alice", "bob"]);
    assert!(store.claim_dead_instance(dead).await.unwrap());
    assert!(!store.claim_dead_instance(dead).await.unwrap(), "one peer at a time");
    // It beats again while the claim stands: it must wait to recount.
    let beat = store.heartbeat(dead, 15).await.unwrap();
    assert!(beat.lapsed && beat.reaping, "{beat:?}");
    let flip = store
        .change_presence(dead, &bob_user, PresenceChange::Gone)
        .await
        .unwrap();
    assert!(flip.is_some_and(|f| !f.online), "bob goes offline with the dead instance");
    store.forget_instance(dead).await.unwrap();
    assert_eq!(online_names(&alice).await, vec!["alice"]);
    // The claim is over: the next beat lets it count its users in.
    let beat = store.heartbeat(dead, 15).await.unwrap();
    assert!(!beat.lapsed && !beat.reaping, "{beat:?}");
    assert!(!store.claim_dead_instance(dead).await.unwrap(), "it beats: no claim");
}
