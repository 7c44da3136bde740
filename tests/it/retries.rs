//! Retried sends: one nonce, one stored message, on any instance.

use serde_json::{json, Value};

use crate::helpers::{seqs, two_instances};

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
