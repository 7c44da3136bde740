//! Search (`/api/search`): every word of the query, any case or accents,
//! the last word a prefix; only the caller's rooms; edited messages by
//! their new text, deleted ones never; newest first; bad queries are 400.

use serde_json::Value;

use crate::helpers::{spawn_app, unique_prefix, Client, Reply, TestApp, TestRedis};

async fn search(client: &Client, form: &[(&str, &str)]) -> Reply {
    client.post("/api/search", form).await
}

/// The texts of a search's results, in order.
async fn found(client: &Client, q: &str) -> Vec<String> {
    let reply = search(client, &[("q", q)]).await;
    assert_eq!(reply.status, 200, "{q}: {:?}", reply.body);
    texts(&reply.body)
}

fn texts(body: &Value) -> Vec<String> {
    body.as_array()
        .expect("a list")
        .iter()
        .map(|m| m["text"].as_str().expect("a text").to_owned())
        .collect()
}

#[tokio::test]
async fn words_match_whole_or_as_a_prefix_in_any_case_and_accents() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    for text in [
        "Deploy the café build to prod",
        "the CAFE is closed",
        "deployment finished",
        "nothing to see",
        "Ångström units, naïve résumé",
        "Große Straße, ﬁnal ΣΟΦΙΑΣ",
    ] {
        assert_eq!(alice.send("0", text).await.status, 200);
    }
    assert_eq!(
        found(&alice, "cafe").await,
        ["the CAFE is closed", "Deploy the café build to prod"]
    );
    assert_eq!(found(&alice, "CAFÉ").await, found(&alice, "cafe").await);
    // The last word is a prefix; the others are whole words.
    assert_eq!(
        found(&alice, "depl").await,
        ["deployment finished", "Deploy the café build to prod"]
    );
    assert_eq!(
        found(&alice, "deploy").await,
        ["deployment finished", "Deploy the café build to prod"]
    );
    assert_eq!(
        found(&alice, "deploy prod").await,
        ["Deploy the café build to prod"]
    );
    assert!(
        found(&alice, "deplo prod").await.is_empty(),
        "only the last word is a prefix"
    );
    assert_eq!(
        found(&alice, "the caf").await,
        ["the CAFE is closed", "Deploy the café build to prod"]
    );
    assert_eq!(
        found(&alice, "angstrom resume").await,
        ["Ångström units, naïve résumé"]
    );
    assert_eq!(
        found(&alice, "NAIVE").await,
        ["Ångström units, naïve résumé"]
    );
    // Full case folding and compatibility forms: ß is ss, the ligature ﬁ
    // is fi, a final sigma is a sigma, fullwidth letters are letters.
    assert_eq!(
        found(&alice, "grosse STRASSE final σοφιας").await,
        ["Große Straße, ﬁnal ΣΟΦΙΑΣ"]
    );
    assert_eq!(
        found(&alice, "ｓｔｒａß").await,
        ["Große Straße, ﬁnal ΣΟΦΙΑΣ"]
    );
    assert!(found(&alice, "deploy missing").await.is_empty());
    assert!(found(&alice, "zebra").await.is_empty());

    // Each result says where its words are (byte ranges of its text).
    let reply = search(&alice, &[("q", "cafe bui")]).await;
    let hit = &reply.body[0];
    let text = hit["text"].as_str().unwrap();
    let marked: Vec<&str> = hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &text[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize])
        .collect();
    assert_eq!(marked, ["café", "build"]);
}

#[tokio::test]
async fn edits_are_found_by_their_new_text_and_deleted_messages_never() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let first = alice.send("0", "the old wording").await.body["seq"]
        .as_u64()
        .unwrap();
    let second = alice.send("0", "delete this secret").await.body["seq"]
        .as_u64()
        .unwrap();
    assert_eq!(found(&alice, "wording").await, ["the old wording"]);
    let edited = alice
        .post(
            "/api/messages/edit",
            &[
                ("room_id", "0"),
                ("seq", &first.to_string()),
                ("text", "the new phrasing"),
            ],
        )
        .await;
    assert_eq!(edited.status, 200, "{:?}", edited.body);
    assert!(found(&alice, "wording").await.is_empty());
    assert!(found(&alice, "old").await.is_empty());
    assert_eq!(found(&alice, "phras").await, ["the new phrasing"]);
    assert_eq!(found(&alice, "the").await, ["the new phrasing"]);

    assert_eq!(found(&alice, "secret").await, ["delete this secret"]);
    let deleted = alice
        .post(
            "/api/messages/delete",
            &[("room_id", "0"), ("seq", &second.to_string())],
        )
        .await;
    assert_eq!(deleted.status, 200);
    assert!(found(&alice, "secret").await.is_empty());
    assert!(found(&alice, "delete").await.is_empty());
}

#[tokio::test]
async fn only_the_callers_rooms_are_searched_newest_first() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let bob = app.client();
    let bob_id = bob.signed_up("bob").await;
    let ops = alice.created_room("ops").await;
    let private = bob.created_room("bobs den").await;
    assert_eq!(
        bob.send(&private, "launch codes in the den").await.status,
        200
    );
    assert_eq!(alice.send(&ops, "launch at noon").await.status, 200);
    assert_eq!(alice.send("0", "launch party later").await.status, 200);
    let direct = alice
        .post("/api/rooms/direct", &[("user_id", &bob_id)])
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(bob.send(&direct, "launch check, alice?").await.status, 200);

    assert_eq!(
        found(&alice, "launch").await,
        [
            "launch check, alice?",
            "launch party later",
            "launch at noon"
        ]
    );
    // One room, when asked.
    let in_ops = search(&alice, &[("q", "launch"), ("room_id", &ops)]).await;
    assert_eq!(texts(&in_ops.body), ["launch at noon"]);
    // A room one never joined: refused, and not searched otherwise.
    assert_eq!(
        search(&alice, &[("q", "launch"), ("room_id", &private)])
            .await
            .status,
        403
    );
    assert_eq!(
        search(&alice, &[("q", "launch"), ("room_id", "999")])
            .await
            .status,
        404
    );
    // A room one left is no longer searched.
    assert_eq!(
        alice
            .post("/api/rooms/leave", &[("room_id", &ops)])
            .await
            .status,
        200
    );
    assert_eq!(
        found(&alice, "launch").await,
        ["launch check, alice?", "launch party later"]
    );
    assert_eq!(
        search(&alice, &[("q", "launch"), ("room_id", &ops)])
            .await
            .status,
        403
    );
    // Limits.
    let one = search(&alice, &[("q", "launch"), ("limit", "1")]).await;
    assert_eq!(texts(&one.body), ["launch check, alice?"]);
    for bad in ["0", "51", "x"] {
        assert_eq!(
            search(&alice, &[("q", "launch"), ("limit", bad)])
                .await
                .status,
            400,
            "{bad}"
        );
    }
    assert_eq!(
        app.client()
            .post("/api/search", &[("q", "launch")])
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn bad_and_hostile_queries_are_refused_or_taken_as_words() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    assert_eq!(
        alice.send("0", "100% sure [ok] *starred* a?b").await.status,
        200
    );
    for q in ["", "   ", "*?[]", &"a".repeat(1000), "a b c d e f g h i j k l m n o p q"] {
        let refused = search(&alice, &[("q", q)]).await;
        assert_eq!(refused.status, 400, "{q:.40}: {:?}", refused.body);
        assert!(!refused.message().is_empty());
    }
    assert_eq!(alice.post("/api/search", &[]).await.status, 400);
    // Redis glob and Lua pattern characters are not words: the words
    // around them are searched, and match nothing more than they should.
    let message = ["100% sure [ok] *starred* a?b"];
    assert_eq!(found(&alice, "[ok]").await, message);
    assert_eq!(found(&alice, "*star").await, message);
    assert_eq!(found(&alice, "sta*").await, message);
    assert_eq!(found(&alice, "%a").await, message);
    assert!(found(&alice, "%x").await.is_empty());
    assert!(found(&alice, "\\0").await.is_empty());
    assert!(found(&alice, "' or 1=1 --").await.is_empty());
    assert_eq!(search(&alice, &[("q", ".*")]).await.status, 400);
}

/// However a room's search goes about it (walking the room newest first
/// for common words, led by the rarest whole word, or by the prefix), it
/// answers the newest matches, the same as reading every message would.
#[tokio::test]
async fn each_way_of_searching_a_room_answers_the_newest_matches() {
    let redis = TestRedis::start().await;
    let app =
        TestApp::spawn_with(&redis, &unique_prefix(), |config| config.send_burst = 1000).await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let room = alice.created_room("many").await;
    let sent: Vec<String> = (0..60)
        .map(|i| format!("common word{} tag{i}", i % 7))
        .collect();
    for text in &sent {
        assert_eq!(alice.send(&room, text).await.status, 200);
    }
    let expect = |whole: &[&str], prefix: &str, limit: usize| -> Vec<String> {
        sent.iter()
            .rev()
            .filter(|t| {
                let words: Vec<&str> = t.split(' ').collect();
                whole.iter().all(|w| words.contains(w))
                    && words.iter().any(|w| w.starts_with(prefix))
            })
            .take(limit)
            .cloned()
            .collect()
    };
    for (q, whole, prefix) in [
        ("common", &[][..], "common"),
        ("comm", &[][..], "comm"),
        ("common tag1", &["common"][..], "tag1"),
        ("word3 comm", &["word3"][..], "comm"),
        ("word3 tag4", &["word3"][..], "tag4"),
        ("common word3 t", &["common", "word3"][..], "t"),
    ] {
        for limit in [1usize, 5, 50] {
            let reply = search(
                &alice,
                &[("q", q), ("room_id", &room), ("limit", &limit.to_string())],
            )
            .await;
            assert_eq!(reply.status, 200, "{q}: {:?}", reply.body);
            assert_eq!(
                texts(&reply.body),
                expect(whole, prefix, limit),
                "{q}, limit {limit}"
            );
        }
    }
}

/// `/api/search/panel` (the search box while typing) answers the HTML the
/// search page shows: the caller's results with the words marked and every
/// text escaped, or why there are none; signed out, 401.
#[tokio::test]
async fn the_panel_answers_the_search_pages_results_as_html() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let room = alice.created_room("Deploys <ops>").await;
    assert_eq!(
        alice.send(&room, "the <b>release</b> shipped").await.status,
        200
    );

    let panel = alice.post("/api/search/panel", &[("q", "RELEA")]).await;
    assert_eq!(panel.status, 200, "{:?}", panel.body);
    let html = panel.body.as_str().expect("HTML in a JSON string");
    assert!(html.contains("aria-label=\"Search results\""), "{html}");
    assert!(html.contains("<mark>release</mark>"), "{html}");
    assert!(
        html.contains("Deploys &lt;ops&gt;") && html.contains("&lt;b&gt;"),
        "{html}"
    );
    assert!(!html.contains("<b>") && !html.contains("<ops>"), "{html}");

    let none = alice
        .post("/api/search/panel", &[("q", "nothingsuch")])
        .await;
    assert!(none
        .body
        .as_str()
        .is_some_and(|h| h.contains("No messages match.")));
    let refused = alice.post("/api/search/panel", &[("q", "   ")]).await;
    assert_eq!(refused.status, 200);
    assert!(refused
        .body
        .as_str()
        .is_some_and(|h| h.contains("role=\"alert\"")));
    let stranger = app.client();
    assert_eq!(
        stranger
            .post("/api/search/panel", &[("q", "release")])
            .await
            .status,
        401
    );
}
