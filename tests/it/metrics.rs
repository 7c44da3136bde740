//! `GET /metrics`: Prometheus text on the site's own address, or only on
//! `CONFAB_METRICS_ADDR` when the operator moves it there.

use crate::helpers::{unique_prefix, Client, TestApp, TestRedis};

/// A free loopback address, for a listener the server binds itself.
fn free_addr() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
}

#[tokio::test]
async fn metrics_count_the_open_sockets_on_the_sites_address() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |_| {}).await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let _ws = alice.ws().await;
    let response = alice.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap_or_default().to_owned();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    let text = response.text().await.expect("a body");
    assert!(text.lines().any(|l| l == "confab_open_sockets 1"), "{text}");
    assert!(text.contains("# TYPE confab_bus_events_received_total counter"), "{text}");
}

#[tokio::test]
async fn metrics_move_to_their_own_address() {
    let redis = TestRedis::start().await;
    let addr = free_addr();
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |c| c.metrics_addr = Some(addr)).await;
    // The site answers only once `serve` runs, and `serve` binds the
    // metrics address first: after this answer, that one is listening.
    let on_site = app.client().get("/metrics").await;
    assert_eq!(on_site.status(), 404, "not on the site's address any more");
    let apart = Client::new(&format!("http://{addr}")).get("/metrics").await;
    assert_eq!(apart.status(), 200);
    let text = apart.text().await.expect("a body");
    assert!(text.lines().any(|l| l == "confab_open_sockets 0"), "{text}");
    // Nothing else is served there.
    let other = Client::new(&format!("http://{addr}")).get("/healthz").await;
    assert_eq!(other.status(), 404);
}

/// What an operator watches besides sockets: the sessions they belong to,
/// password hashing, store failures and the send latency histogram.
#[tokio::test]
async fn metrics_show_sessions_hashing_failures_and_send_latency() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |_| {}).await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let (_first, _second) = (alice.ws().await, alice.ws().await);
    for text in ["one", "two", "three"] {
        assert_eq!(alice.send("0", text).await.status, 200);
    }
    let text = alice.get("/metrics").await.text().await.expect("a body");
    let line = |wanted: &str| text.lines().any(|l| l == wanted);
    assert!(line("confab_open_sockets 2"), "{text}");
    assert!(line("confab_signed_in_sessions 1"), "two sockets of one session: {text}");
    assert!(line("confab_password_hashing_running 0"), "{text}");
    assert!(line("confab_password_hashing_waiting 0"), "{text}");
    assert!(text.contains("# TYPE confab_store_failures_total counter"), "{text}");
    assert!(text.contains("# TYPE confab_send_seconds histogram"), "{text}");
    assert!(line("confab_send_seconds_count 3"), "{text}");
    assert!(line("confab_send_seconds_bucket{le=\"+Inf\"} 3"), "{text}");
}
