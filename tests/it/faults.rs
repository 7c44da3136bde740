//! Faults under traffic: a reader that stops reading, and Redis restarting
//! mid-stream.

use crate::helpers::{seqs, two_instances, Client, ConfabProcess, TestRedis};
use crate::ws::eventually_async;

/// A socket whose reader stops is cut off with 1008 once its queue is
/// full, and the server's memory stays bounded meanwhile. The server runs
/// as its own process so that its resident memory is its own, not that of
/// the tests running beside this one.
#[tokio::test]
async fn a_slow_consumer_is_cut_off_and_memory_stays_bounded() {
    let redis = TestRedis::start().await;
    let server = ConfabProcess::start(&[
        redis.env(),
        ("CONFAB_SEND_BURST", "100000".into()),
        ("CONFAB_SEND_PER_SECOND", "100000".into()),
    ])
    .await;
    let alice = Client::new(&server.base);
    alice.signed_up("alice").await;
    let sloth = Client::new(&server.base);
    sloth.signed_up("sloth").await;
    let mut slow = sloth.ws().await; // never read until the end
    let pid = server.child.id();
    let rss_before = resident_kib(pid);
    // 16 KB a message (4,000 four-byte characters): more than the kernel's
    // socket buffers and the queue hold, long before the loop ends.
    let text = "😀".repeat(4000);
    for i in 0..2000 {
        assert_eq!(alice.send("0", &text).await.status, 200);
        if i % 50 == 49 && cut_off(&alice).await {
            break;
        }
    }
    eventually_async("the slow socket is cut off", || cut_off(&alice)).await;
    let grown = resident_kib(pid).saturating_sub(rss_before);
    assert!(
        grown < 64 * 1024,
        "the server grew by {grown} KiB for one slow socket"
    );
    // Cut off for a full queue, long before the write deadline (30 s).
    assert_eq!(metric(&alice, "confab_queue_overflows_total").await, 1);
    // Reading now finds the frames that were in flight, then the end.
    let code = slow.closed().await;
    assert!(matches!(code, Some(1008) | None), "{code:?}");
}

/// Whether the server's metrics count a socket cut off as too slow.
async fn cut_off(client: &Client) -> bool {
    metric(client, "confab_slow_consumers_cut_total").await > 0
}

/// A counter of the server's metrics (0 when it is not there).
async fn metric(client: &Client, name: &str) -> u64 {
    let text = client
        .get("/metrics")
        .await
        .text()
        .await
        .unwrap_or_default();
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
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
            redis.restart().await;
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

/// A socket whose peer stops reading in the middle of a long `sync` is
/// closed once a write has waited past the deadline
/// (`CONFAB_WRITE_DEADLINE_SECS`), though no live event ever fills its
/// queue: the sync's page and the socket are not held for ever.
#[tokio::test]
async fn a_write_that_waits_past_its_deadline_closes_the_socket() {
    let redis = TestRedis::start().await;
    let server = ConfabProcess::start(&[
        redis.env(),
        ("CONFAB_SEND_BURST", "100000".into()),
        ("CONFAB_SEND_PER_SECOND", "100000".into()),
        ("CONFAB_WRITE_DEADLINE_SECS", "1".into()),
    ])
    .await;
    let alice = Client::new(&server.base);
    alice.signed_up("alice").await;
    let room = alice.created_room("archive").await;
    let sloth = Client::new(&server.base);
    sloth.signed_up("sloth").await;
    assert_eq!(
        sloth
            .post("/api/rooms/join", &[("room_id", &room)])
            .await
            .status,
        200
    );
    // 16 KB a message, 10 MB in all: more than the kernel's socket buffers.
    let text = "😀".repeat(4000);
    for _ in 0..640 {
        assert_eq!(alice.send(&room, &text).await.status, 200);
    }
    let mut slow = sloth.ws().await; // asks for everything, then never reads
    slow.send(serde_json::json!({"type": "sync", "room_id": room, "after": 0}))
        .await;
    eventually_async("the socket that stopped reading is closed", || {
        cut_off(&alice)
    })
    .await;
    // Its queue never filled: the deadline closed it.
    assert_eq!(metric(&alice, "confab_queue_overflows_total").await, 0);
    let code = slow.closed().await;
    assert!(matches!(code, Some(1008) | None), "{code:?}");
}
