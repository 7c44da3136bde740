//! Messages: sending, validation, the send budget, exact keyset paging, and
//! seqs that stay whole under concurrency.

use std::collections::BTreeSet;

use crate::helpers::{seqs, spawn_app, unique_prefix, Client, TestApp, TestRedis};

#[tokio::test]
async fn a_sent_message_comes_back_as_the_contract_says() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    let id = alice.signed_up("alice").await;
    let sent = alice.send("0", "  hello <b>world</b>  ").await;
    assert_eq!(sent.status, 200, "{:?}", sent.body);
    assert_eq!(sent.body["room_id"], "0");
    assert_eq!(sent.body["seq"], 1);
    assert_eq!(sent.body["from"], id.as_str());
    assert_eq!(sent.body["username"], "alice");
    assert_eq!(sent.body["text"], "hello <b>world</b>");
    let history = alice.history("0", None, None).await;
    assert_eq!(history.body[0], sent.body);
}

#[tokio::test]
async fn identical_texts_in_one_instant_stay_two_messages() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let (a, b) = tokio::join!(alice.send("0", "same"), alice.send("0", "same"));
    assert_eq!((a.status.as_u16(), b.status.as_u16()), (200, 200));
    assert_eq!(seqs(&alice.history("0", None, None).await.body), vec![1, 2]);
}

#[tokio::test]
async fn bad_text_is_refused_and_nothing_is_stored() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let empty = alice.send("0", " \n\t ").await;
    assert_eq!(empty.status, 400);
    assert!(empty.message().contains("empty"));
    let long = alice.send("0", &"x".repeat(4001)).await;
    assert_eq!(long.status, 413);
    assert!(long.message().contains("4000"));
    assert_eq!(
        alice
            .post("/api/messages/send", &[("room_id", "0")])
            .await
            .status,
        400
    );
    assert_eq!(alice.send("not a room", "hi").await.status, 400);
    for control in ["bell \u{7}", "\u{1b}[2Jwiped", "nul\u{0}"] {
        let refused = alice.send("0", control).await;
        assert_eq!(refused.status, 400, "{control:?}");
        assert!(refused.message().contains("control characters"), "{control:?}");
    }
    assert_eq!(
        alice.history("0", None, None).await.body,
        serde_json::json!([])
    );
    assert_eq!(alice.send("0", &"é".repeat(4000)).await.status, 200);
}

#[tokio::test]
async fn the_send_budget_allows_a_burst_then_429() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    // The default budget: a burst of 10 (sends here take far less than the
    // 200 ms it takes to earn one more).
    let mut statuses = Vec::new();
    for i in 0..11 {
        statuses.push(alice.send("0", &format!("m{i}")).await.status.as_u16());
    }
    assert_eq!(&statuses[..10], &[200; 10]);
    assert_eq!(statuses[10], 429);
    let stored = seqs(&alice.history("0", None, None).await.body);
    assert_eq!(stored.len(), 10, "nothing is stored past the limit");
}

#[tokio::test]
async fn paging_is_exact_at_the_edges() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |c| c.send_burst = 1000).await;
    let alice = app.client();
    alice.signed_up("alice").await;
    for i in 1..=120 {
        assert_eq!(alice.send("0", &format!("m{i}")).await.status, 200);
    }
    assert_eq!(
        seqs(&alice.history("0", None, None).await.body),
        (71..=120).collect::<Vec<_>>()
    );
    assert_eq!(
        seqs(&alice.history("0", Some(71), None).await.body),
        (21..=70).collect::<Vec<_>>()
    );
    assert_eq!(
        seqs(&alice.history("0", Some(21), None).await.body),
        (1..=20).collect::<Vec<_>>()
    );
    assert_eq!(
        seqs(&alice.history("0", Some(1), None).await.body),
        Vec::<u64>::new()
    );
    assert_eq!(
        seqs(&alice.history("0", Some(2), Some(1)).await.body),
        vec![1]
    );
    assert_eq!(
        seqs(&alice.history("0", None, Some(100)).await.body),
        (21..=120).collect::<Vec<_>>()
    );
    assert_eq!(
        seqs(&alice.history("0", Some(500), Some(3)).await.body),
        vec![118, 119, 120]
    );
    for bad in [0, 101] {
        let reply = alice.history("0", None, Some(bad)).await;
        assert_eq!(reply.status, 400, "limit {bad}");
        assert!(reply.message().contains("1 to 100"));
    }
    assert_eq!(
        alice
            .post("/api/messages", &[("room_id", "0"), ("before", "x")])
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn eight_concurrent_senders_make_exactly_seqs_1_to_4000() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |c| c.send_burst = 10_000).await;
    let mut senders = Vec::new();
    for i in 0..8 {
        let client = Client::new(&app.base);
        client.signed_up(&format!("sender{i}")).await;
        senders.push(client);
    }
    let tasks = senders.into_iter().enumerate().map(|(i, client)| {
        tokio::spawn(async move {
            for n in 0..500 {
                let reply = client.send("0", &format!("{i}-{n}")).await;
                assert_eq!(reply.status, 200, "{:?}", reply.body);
            }
            client
        })
    });
    let clients: Vec<Client> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|t| t.unwrap())
        .collect();

    let mut all = Vec::new();
    let mut before = None;
    loop {
        let page = clients[0].history("0", before, Some(100)).await;
        let page_seqs = seqs(&page.body);
        if page_seqs.is_empty() {
            break;
        }
        before = page_seqs.first().copied();
        let texts: Vec<String> = page
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap().to_owned())
            .collect();
        all.splice(0..0, page_seqs.into_iter().zip(texts));
    }
    let got: Vec<u64> = all.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(
        got,
        (1..=4000).collect::<Vec<_>>(),
        "no gap, no duplicate, in order"
    );
    let texts: BTreeSet<&str> = all.iter().map(|(_, text)| text.as_str()).collect();
    assert_eq!(texts.len(), 4000, "every message is there once");
}

/// A room's dates never run backwards against its seqs: a message whose
/// sender's clock is behind the room's last message (another instance's
/// clock, two sends racing on one) is dated as that message, so that
/// history and search ("newest first", by date) agree with the seqs.
#[tokio::test]
async fn a_rooms_dates_never_run_backwards() {
    use confab::model::{MessageText, RoomId, UserId};
    use confab::server::events::Envelope;
    use confab::server::store::{Budget, Draft, SendOutcome};

    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    let id = alice.signed_up("alice").await;
    let first = alice.send("0", "first").await.body["date"]
        .as_u64()
        .expect("a date");
    let store = &app.state.store;
    let user = store
        .user(UserId(id.parse().expect("a numeric id")))
        .await
        .expect("a store answer")
        .expect("alice");
    let text = MessageText::parse("from a clock a minute behind").expect("valid text");
    let draft = Draft {
        room: &RoomId::GENERAL,
        sender: &user,
        text: &text,
        date: first - 60_000,
        nonce: None,
        retry: false,
        reply_to: None,
        named: &[],
        via: None,
    };
    let budget = Budget {
        burst: 100,
        per_second: 100.0,
    };
    let stored = match store
        .send_message(&draft, budget, &Envelope::new(None))
        .await
        .expect("a store answer")
    {
        SendOutcome::Stored(message) => message,
        _ => panic!("not stored"),
    };
    assert_eq!((stored.seq, stored.date), (2, first));
    let history = alice.history("0", None, None).await.body;
    assert_eq!(history[1]["date"], first);
    // A date ahead of the last is kept as it is.
    let ahead = Draft {
        date: first + 60_000,
        ..draft
    };
    match store
        .send_message(&ahead, budget, &Envelope::new(None))
        .await
        .expect("a store answer")
    {
        SendOutcome::Stored(message) => assert_eq!(message.date, first + 60_000),
        _ => panic!("not stored"),
    }
}
