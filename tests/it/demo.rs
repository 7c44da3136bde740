//! `--demo` fills an empty Redis once and never touches one with users.

use crate::helpers::{unique_prefix, Client, TestApp, TestRedis, PASSWORD};

#[tokio::test]
async fn demo_data_fills_an_empty_redis_once() {
    let redis = TestRedis::start().await;
    let prefix = unique_prefix();
    let app = TestApp::spawn_with(&redis, &prefix, |c| c.demo = true).await;
    let alice = app.client();
    assert_eq!(
        alice
            .login("alice", confab::server::demo::DEMO_PASSWORD)
            .await
            .status,
        200
    );
    let rooms = alice.post("/api/rooms", &[]).await.body;
    let rooms = rooms.as_array().unwrap();
    assert!(
        rooms.len() >= 5,
        "General, public rooms and direct rooms: {rooms:?}"
    );
    assert!(rooms.iter().any(|r| r["kind"] == "direct"));
    let stored: u64 = rooms
        .iter()
        .map(|r| r["last_message"]["seq"].as_u64().unwrap_or(0))
        .sum();
    // 300 messages round-robin over 7 rooms; alice is in all but bob and carol's.
    assert_eq!(stored, 300 - 43);
    let general_count = alice
        .history("0", None, Some(100))
        .await
        .body
        .as_array()
        .unwrap()
        .len();

    // A second instance with --demo on the same Redis adds nothing.
    let again = TestApp::spawn_with(&redis, &prefix, |c| c.demo = true).await;
    let count = again.client();
    assert_eq!(
        count
            .login("alice", confab::server::demo::DEMO_PASSWORD)
            .await
            .status,
        200
    );
    assert_eq!(
        count
            .history("0", None, Some(100))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        general_count
    );
}

#[tokio::test]
async fn demo_data_never_touches_a_redis_with_users() {
    let redis = TestRedis::start().await;
    let prefix = unique_prefix();
    let first = TestApp::spawn_with(&redis, &prefix, |_| {}).await;
    Client::new(&first.base).signed_up("zoe").await;
    let app = TestApp::spawn_with(&redis, &prefix, |c| c.demo = true).await;
    let zoe = app.client();
    assert_eq!(zoe.login("zoe", PASSWORD).await.status, 200);
    assert_eq!(
        zoe.history("0", None, None).await.body,
        serde_json::json!([])
    );
    assert_eq!(
        zoe.login("alice", confab::server::demo::DEMO_PASSWORD)
            .await
            .status,
        401
    );
}
