//! The sender's echo survives Redis crashing under traffic: every send over
//! a socket ends with its echo (the message with its nonce, exactly once)
//! or an error naming its nonce, which a retry then settles.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{seqs, two_instances};

const SENDS: usize = 70;
const EVERY: Duration = Duration::from_millis(50);
/// Redis is killed before this send, and kept down for [`DOWN_FOR`].
const CRASH_AT: usize = 10;
const DOWN_FOR: Duration = Duration::from_millis(1500);

#[derive(Default, Debug)]
struct Outcome {
    echoes: Vec<u64>,
    errors: usize,
}

/// Notes what an event from the server says about a nonce.
fn note(outcomes: &mut HashMap<String, Outcome>, event: &Value) {
    let Some(nonce) = event["nonce"].as_str() else {
        return;
    };
    let outcome = outcomes.entry(nonce.to_owned()).or_default();
    match event["type"].as_str() {
        Some("message") => outcome
            .echoes
            .push(event["message"]["seq"].as_u64().expect("a seq")),
        Some("error") => outcome.errors += 1,
        _ => {}
    }
}

#[tokio::test]
async fn a_redis_crash_leaves_no_send_without_its_echo_or_an_error_naming_it() {
    let (mut redis, a, b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let bob = b.client();
    bob.signed_up("bob").await;
    let mut sender = alice.ws().await;
    let mut receiver = bob.ws().await;

    // One send every 50 ms; Redis is killed (SIGKILL) before the 10th and
    // started again on its data 1.5 s later, while the sends go on.
    let mut outcomes: HashMap<String, Outcome> = HashMap::new();
    let mut ticks = tokio::time::interval(EVERY);
    let mut killed_at = None;
    for i in 0..SENDS {
        ticks.tick().await;
        if i == CRASH_AT {
            redis.kill();
            killed_at = Some(tokio::time::Instant::now());
        }
        if killed_at.is_some_and(|at| at.elapsed() >= DOWN_FOR) {
            redis.revive().await;
            killed_at = None;
        }
        sender
            .send_message("0", &format!("m{i}"), &format!("n{i}"))
            .await;
        let next_tick = tokio::time::Instant::now() + EVERY / 2;
        while let Some(event) = sender.next_before(next_tick).await {
            note(&mut outcomes, &event);
        }
    }
    assert!(killed_at.is_none(), "Redis was revived during the sends");

    // Every send is answered: its echo or an error that names it.
    let deadline = tokio::time::Instant::now() + crate::ws::PATIENCE;
    while (0..SENDS).any(|i| !outcomes.contains_key(&format!("n{i}"))) {
        let event = sender
            .next_before(deadline)
            .await
            .unwrap_or_else(|| panic!("unanswered sends: {outcomes:?}"));
        note(&mut outcomes, &event);
    }
    let failed: Vec<usize> = (0..SENDS)
        .filter(|i| outcomes[&format!("n{i}")].echoes.is_empty())
        .collect();
    assert!(!failed.is_empty(), "the crash refused some sends");
    assert!(failed.len() < SENDS - CRASH_AT, "sends went through again");

    // A retry settles each refused send: stored now, or found stored.
    for i in &failed {
        let nonce = format!("n{i}");
        loop {
            sender
                .send(json!({"type": "send", "room_id": "0", "text": format!("m{i}"),
                             "nonce": nonce, "retry": true}))
                .await;
            let event = loop {
                let event = sender
                    .next_where("an answer", |e| e.get("nonce").is_some())
                    .await;
                note(&mut outcomes, &event);
                if event["nonce"] == nonce.as_str() {
                    break event;
                }
            };
            if event["type"] == "message" {
                break;
            }
        }
    }
    // A last send: everything before it has been answered by now.
    sender.send_message("0", "last", "n-last").await;
    loop {
        let event = sender
            .next_where("an answer", |e| e.get("nonce").is_some())
            .await;
        if event["nonce"] == "n-last" {
            assert_eq!(event["type"], "message", "{event}");
            break;
        }
        note(&mut outcomes, &event);
    }

    // Each send was echoed exactly once, with the seq its message has.
    let history = alice.history("0", None, Some(100)).await.body;
    let stored: HashMap<String, u64> = history
        .as_array()
        .expect("an array")
        .iter()
        .map(|m| (m["text"].as_str().unwrap().to_owned(), m["seq"].as_u64().unwrap()))
        .collect();
    for i in 0..SENDS {
        let outcome = &outcomes[&format!("n{i}")];
        assert_eq!(outcome.echoes.len(), 1, "send {i}: {outcome:?}");
        assert_eq!(
            stored.get(&format!("m{i}")),
            Some(&outcome.echoes[0]),
            "send {i} is stored once, under the seq it was echoed with"
        );
    }
    let all = seqs(&history);
    assert_eq!(all.len(), SENDS + 1, "nothing stored twice");

    // The other member got every stored message once, in order.
    let mut received = Vec::new();
    while received.len() < all.len() {
        let event = receiver.next_of("message").await;
        received.push(event["message"]["seq"].as_u64().unwrap());
    }
    assert_eq!(received, all);
}
