//! The sender's echo survives Redis crashing under traffic: every send over
//! a socket ends with its echo (the message with its nonce, exactly once)
//! or an error naming its nonce, which a retry then settles.

use std::time::Duration;

use crate::faulted::{received, Sends};
use crate::helpers::{on_cluster, two_instances_on, TestRedis};
use crate::ws::eventually_async;

const SENDS: usize = 70;
const EVERY: Duration = Duration::from_millis(50);
/// Redis is killed before this send, and kept down for [`DOWN_FOR`].
const CRASH_AT: usize = 10;
const DOWN_FOR: Duration = Duration::from_millis(1500);

#[tokio::test]
async fn a_redis_crash_leaves_no_send_without_its_echo_or_an_error_naming_it() {
    let (mut redis, a, b) = two_instances_on(TestRedis::start_durable().await).await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let bob = b.client();
    bob.signed_up("bob").await;
    let mut sender = alice.ws().await;
    let mut receiver = bob.ws().await;

    // One send every 50 ms; Redis is killed (SIGKILL) before the 10th and
    // started again on its data 1.5 s later, while the sends go on.
    let mut killed_at = None;
    let mut sends = Sends::run(&mut sender, SENDS, EVERY, async |i| {
        if i == CRASH_AT {
            redis.kill();
            killed_at = Some(tokio::time::Instant::now());
        }
        if killed_at.is_some_and(|at| at.elapsed() >= DOWN_FOR) {
            redis.revive().await;
            killed_at = None;
        }
    })
    .await;
    assert!(killed_at.is_none(), "Redis was revived during the sends");
    let refused = sends.refused();
    assert!(refused > 0, "the crash refused some sends");
    assert!(refused < SENDS - CRASH_AT, "sends went through again");

    sends.settle(&mut sender).await;
    let all = sends.check_history(&alice.history("0", None, Some(100)).await.body);
    // The other member got every stored message once, in order.
    assert_eq!(received(&mut receiver, all.len()).await, all);
}

/// A Redis that comes back without writes it acknowledged (here: restarted
/// on an older copy of its append-only file) hands their seqs out again.
/// The instances deliver the room again from before what the store holds,
/// so that the next message reaches its members: it was skipped as seen,
/// the instance's cursor being past its rev.
#[tokio::test]
async fn a_store_that_lost_acknowledged_messages_is_delivered_again() {
    if on_cluster() {
        return;
    }
    let (mut redis, a, b) = two_instances_on(TestRedis::start_durable().await).await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let bob = b.client();
    bob.signed_up("bob").await;
    let mut receiver = bob.ws().await;
    for text in ["m1", "m2"] {
        assert_eq!(alice.send("0", text).await.status, 200);
    }
    let copy = tempfile::tempdir().expect("a temporary directory");
    redis.copy_aof(copy.path());
    for text in ["m3", "m4"] {
        assert_eq!(alice.send("0", text).await.status, 200);
    }
    assert_eq!(received(&mut receiver, 4).await, [1, 2, 3, 4]);

    redis.revive_from(copy.path()).await;
    eventually_async("a send is stored again", || async {
        alice.send("0", "m5").await.status == 200
    })
    .await;
    // The room is delivered again from before what the store holds:
    // m1 and m2 may come again (clients keep the latest under each seq).
    let event = receiver
        .next_where("m5", |e| e["type"] == "message" && e["message"]["seq"] == 3)
        .await;
    assert_eq!(event["message"]["text"], "m5", "{event}");
}
