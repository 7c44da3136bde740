//! The sender's echo survives Redis crashing under traffic: every send over
//! a socket ends with its echo (the message with its nonce, exactly once)
//! or an error naming its nonce, which a retry then settles.

use std::time::Duration;

use crate::faulted::{received, Sends};
use crate::helpers::{two_instances_on, TestRedis};

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
