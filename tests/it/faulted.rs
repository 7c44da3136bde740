//! Sends under a fault: one socket sends at a steady pace while the test
//! breaks something (kills Redis, fails a master over, moves a slot), and
//! every send must end with its echo (the message with its nonce, exactly
//! once) or an error naming its nonce, which a retry then settles. Shared
//! by the crash, failover and reshard tests.
//!
//! The sender retries a refused send at its next tick, as a client does
//! when it hears the error: a send that Redis stored but whose answer was
//! lost with the connection is found by its retry only while it is among
//! the sender's last 64 in the room (the contract's `retry`).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::seqs;
use crate::ws::Ws;

#[derive(Default, Debug)]
pub struct Outcome {
    pub echoes: Vec<u64>,
    /// The reasons of the errors that named it.
    pub errors: Vec<String>,
}

/// What the sender heard about each of its sends, by nonce.
#[derive(Default, Debug)]
pub struct Sends {
    pub outcomes: HashMap<String, Outcome>,
    pub count: usize,
    /// Retries sent and not answered yet.
    retrying: HashSet<String>,
}

impl Sends {
    /// Notes what an event from the server says about a nonce.
    fn note(&mut self, event: &Value) {
        let Some(nonce) = event["nonce"].as_str() else {
            return;
        };
        self.retrying.remove(nonce);
        let outcome = self.outcomes.entry(nonce.to_owned()).or_default();
        match event["type"].as_str() {
            Some("message") => outcome
                .echoes
                .push(event["message"]["seq"].as_u64().expect("a seq")),
            Some("error") => outcome
                .errors
                .push(event["reason"].as_str().unwrap_or_default().to_owned()),
            _ => {}
        }
    }

    /// Sends `count` messages to General, one every `every`, calling
    /// `before` ahead of each (where the test breaks things), then waits
    /// until each is answered.
    pub async fn run(
        sender: &mut Ws,
        count: usize,
        every: Duration,
        mut before: impl AsyncFnMut(usize),
    ) -> Sends {
        let mut sends = Sends {
            count,
            ..Sends::default()
        };
        let mut ticks = tokio::time::interval(every);
        for i in 0..count {
            ticks.tick().await;
            before(i).await;
            sender.send_message("0", &format!("m{i}"), &format!("n{i}")).await;
            let next_tick = tokio::time::Instant::now() + every / 2;
            while let Some(event) = sender.next_before(next_tick).await {
                sends.note(&event);
            }
            sends.retry_refused(sender).await;
        }
        let deadline = tokio::time::Instant::now() + crate::ws::PATIENCE;
        while !sends.retrying.is_empty()
            || (0..count).any(|i| !sends.outcomes.contains_key(&format!("n{i}")))
        {
            let event = sender
                .next_before(deadline)
                .await
                .unwrap_or_else(|| panic!("unanswered sends: {:?}", sends.outcomes));
            sends.note(&event);
        }
        sends
    }

    /// Sends again, marked as a retry, each send whose last answer was an
    /// error and that has no retry under way.
    async fn retry_refused(&mut self, sender: &mut Ws) {
        for i in 0..self.count {
            let nonce = format!("n{i}");
            let refused = self
                .outcomes
                .get(&nonce)
                .is_some_and(|o| o.echoes.is_empty() && !o.errors.is_empty());
            if refused && self.retrying.insert(nonce.clone()) {
                sender
                    .send(json!({"type": "send", "room_id": "0", "text": format!("m{i}"),
                                 "nonce": nonce, "retry": true}))
                    .await;
            }
        }
    }

    /// How many sends were refused at least once.
    pub fn refused(&self) -> usize {
        self.outcomes.values().filter(|o| !o.errors.is_empty()).count()
    }

    /// The sends still refused (no echo).
    pub fn failed(&self) -> Vec<usize> {
        (0..self.count)
            .filter(|i| self.outcomes[&format!("n{i}")].echoes.is_empty())
            .collect()
    }

    /// Retries every refused send until it is echoed (stored now, or found
    /// stored), then sends a last message, after which everything before
    /// it has been answered.
    pub async fn settle(&mut self, sender: &mut Ws) {
        for i in self.failed() {
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
                    self.note(&event);
                    if event["nonce"] == nonce.as_str() {
                        break event;
                    }
                };
                if event["type"] == "message" {
                    break;
                }
            }
        }
        sender.send_message("0", "last", "n-last").await;
        loop {
            let event = sender
                .next_where("an answer", |e| e.get("nonce").is_some())
                .await;
            if event["nonce"] == "n-last" {
                assert_eq!(event["type"], "message", "{event}");
                break;
            }
            self.note(&event);
        }
    }

    /// Checks the history against the echoes: each send was echoed exactly
    /// once, with the seq its message is stored under, and nothing was
    /// stored twice (the sends and the last message). Answers the stored
    /// seqs, in order.
    pub fn check_history(&self, history: &Value) -> Vec<u64> {
        let stored: HashMap<String, u64> = history
            .as_array()
            .expect("an array")
            .iter()
            .map(|m| (m["text"].as_str().unwrap().to_owned(), m["seq"].as_u64().unwrap()))
            .collect();
        for i in 0..self.count {
            let outcome = &self.outcomes[&format!("n{i}")];
            assert_eq!(outcome.echoes.len(), 1, "send {i}: {outcome:?}");
            assert_eq!(
                stored.get(&format!("m{i}")),
                Some(&outcome.echoes[0]),
                "send {i} is stored once, under the seq it was echoed with"
            );
        }
        let all = seqs(history);
        assert_eq!(all.len(), self.count + 1, "nothing stored twice: {history}, {:?}", self.outcomes);
        all
    }
}

/// The next `n` message seqs a socket receives, in the order it got them.
pub async fn received(receiver: &mut Ws, n: usize) -> Vec<u64> {
    let mut seqs = Vec::with_capacity(n);
    while seqs.len() < n {
        let event = receiver.next_of("message").await;
        seqs.push(event["message"]["seq"].as_u64().unwrap());
    }
    seqs
}
