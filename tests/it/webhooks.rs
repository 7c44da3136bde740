//! Incoming webhooks: a member makes a secret URL for a room; a POST to it
//! (JSON or form) posts into the room as that member, under their send
//! rules and limits, marked as a webhook's. Unknown, revoked and left-room
//! hooks answer 404; bad bodies a clear 400 or 413.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, unique_prefix, Client, TestApp, TestRedis};

/// A new webhook of `client`'s into `room`: its URL.
async fn made_hook(client: &Client, room: &str) -> String {
    let made = client
        .post("/api/rooms/webhook", &[("room_id", room)])
        .await;
    assert_eq!(made.status, 200, "{:?}", made.body);
    assert_eq!(made.body["room_id"], room);
    let url = made.body["url"].as_str().expect("a url").to_owned();
    assert!(url.starts_with("/hooks/"), "{url}");
    url
}

/// POSTs `body` with `content_type` to `url` on `base`: (status, body).
async fn post_raw(
    base: &str,
    url: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}{url}"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn post_json(base: &str, url: &str, body: Value) -> (u16, Value) {
    post_raw(base, url, "application/json", body.to_string()).await
}

#[tokio::test]
async fn a_webhook_posts_into_its_room_as_its_maker_until_revoked() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    let alice_id = alice.signed_up("alice").await;
    let room = alice.created_room("deploys").await;
    let bob = app.client();
    bob.signed_up("bob").await;
    assert_eq!(
        bob.post("/api/rooms/join", &[("room_id", &room)])
            .await
            .status,
        200
    );
    let mut bobs = bob.ws().await;
    let url = made_hook(&alice, &room).await;

    // From anywhere: no cookie, no Origin, another site's.
    let (status, message) = post_json(&app.base, &url, json!({"text": "build 41 passed"})).await;
    assert_eq!(status, 200, "{message}");
    assert_eq!(message["room_id"], room.as_str());
    assert_eq!(message["from"], alice_id.as_str());
    assert_eq!(message["text"], "build 41 passed");
    assert_eq!(message["via"], "webhook");
    assert_eq!(message["via_name"], "webhook");
    let live = bobs.next_of("message").await;
    assert_eq!(live["message"], message);

    let (status, form) = post_raw(
        &app.base,
        &url,
        "application/x-www-form-urlencoded; charset=utf-8",
        "text=deploy+%F0%9F%9A%80",
    )
    .await;
    assert_eq!(status, 200, "{form}");
    assert_eq!(form["text"], "deploy 🚀");
    assert_eq!(form["seq"], message["seq"].as_u64().unwrap() + 1);

    // Listed, then revoked.
    let listed = alice
        .post("/api/rooms/webhooks", &[("room_id", &room)])
        .await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body[0]["url"], url.as_str());
    let id = listed.body[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        bob.post("/api/rooms/webhook/revoke", &[("id", &id)])
            .await
            .status,
        404
    );
    assert_eq!(
        alice
            .post("/api/rooms/webhook/revoke", &[("id", &id)])
            .await
            .status,
        200
    );
    let (status, gone) = post_json(&app.base, &url, json!({"text": "too late"})).await;
    assert_eq!(status, 404, "{gone}");
    assert_eq!(gone["error"], "not_found");
    assert!(alice
        .post("/api/rooms/webhooks", &[])
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn only_members_make_webhooks_and_a_leavers_stop_working() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let room = alice.created_room("ops").await;
    let bob = app.client();
    bob.signed_up("bob").await;
    assert_eq!(
        bob.post("/api/rooms/webhook", &[("room_id", &room)])
            .await
            .status,
        403
    );
    assert_eq!(
        bob.post("/api/rooms/webhook", &[("room_id", "999")])
            .await
            .status,
        404
    );
    assert_eq!(
        app.client()
            .post("/api/rooms/webhook", &[("room_id", "0")])
            .await
            .status,
        401
    );

    assert_eq!(
        bob.post("/api/rooms/join", &[("room_id", &room)])
            .await
            .status,
        200
    );
    let url = made_hook(&bob, &room).await;
    assert_eq!(
        post_json(&app.base, &url, json!({"text": "while a member"}))
            .await
            .0,
        200
    );
    assert_eq!(
        bob.post("/api/rooms/leave", &[("room_id", &room)])
            .await
            .status,
        200
    );
    let (status, body) = post_json(&app.base, &url, json!({"text": "after leaving"})).await;
    assert_eq!(status, 404, "{body}");
    let texts: Vec<Value> = alice
        .history(&room, None, None)
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].clone())
        .collect();
    assert_eq!(texts, vec![json!("while a member")]);
}

/// A webhook's name is shown on each of its messages: one that would
/// reverse or hide the text after it is refused, and no webhook is made.
#[tokio::test]
async fn a_webhook_name_cannot_reverse_or_hide_text() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let room = alice.created_room("alerts").await;
    for hostile in ["\u{202E}nimda", "dep\u{2060}loy"] {
        let refused = alice
            .post("/api/rooms/webhook", &[("room_id", room.as_str()), ("name", hostile)])
            .await;
        assert_eq!(refused.status, 400, "{:?}", refused.body);
    }
    let listed = alice.post("/api/rooms/webhooks", &[("room_id", &room)]).await;
    assert_eq!(listed.body, serde_json::json!([]));
}

#[tokio::test]
async fn bad_posts_get_a_clear_error_and_store_nothing() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let room = alice.created_room("alerts").await;
    let url = made_hook(&alice, &room).await;
    let base = &app.base;

    let unknown = format!("/hooks/{}", "0".repeat(64));
    for missing in [
        unknown.as_str(),
        "/hooks/nope",
        "/hooks/%2e%2e%2f%2a",
        "/hooks/*",
    ] {
        let (status, body) = post_json(base, missing, json!({"text": "hi"})).await;
        assert_eq!(status, 404, "{missing}: {body}");
    }
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("text/plain", b"hi".to_vec(), 400),
        ("application/json", b"{\"text\": ".to_vec(), 400),
        ("application/json", b"{\"words\": \"hi\"}".to_vec(), 400),
        ("application/json", b"{\"text\": \"   \"}".to_vec(), 400),
        (
            "application/json",
            json!({"text": "x".repeat(4001)}).to_string().into_bytes(),
            413,
        ),
        ("application/json", vec![b'a'; 100 * 1024], 413),
        (
            "application/x-www-form-urlencoded",
            b"words=hi".to_vec(),
            400,
        ),
        (
            "application/x-www-form-urlencoded",
            b"text=%FF%FE".to_vec(),
            400,
        ),
        ("application/x-www-form-urlencoded", vec![0xff, 0xfe], 400),
        (
            "application/x-www-form-urlencoded",
            b"text=100%zz".to_vec(),
            400,
        ),
        (
            "application/x-www-form-urlencoded",
            b"text=hi%".to_vec(),
            400,
        ),
        ("application/json", b"[\"an array\"]".to_vec(), 400),
        ("application/json", b"\"a string\"".to_vec(), 400),
        (
            "application/json",
            json!({"text": "a\u{7}b"}).to_string().into_bytes(),
            400,
        ),
    ];
    for (content_type, body, want) in cases {
        let shown = String::from_utf8_lossy(&body[..body.len().min(40)]).into_owned();
        let (status, answer) = post_raw(base, &url, content_type, body).await;
        assert_eq!(status, want, "{content_type} {shown}: {answer}");
        assert!(
            answer["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{answer}"
        );
    }
    // Hostile text is stored as text.
    let hostile = "<script>alert(1)</script> *{} ' \" \\ %s";
    let (status, stored) = post_json(base, &url, json!({"text": hostile})).await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored["text"], hostile);
    assert_eq!(
        alice
            .history(&room, None, None)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_webhook_spends_its_makers_send_budget() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |config| {
        config.send_burst = 3;
        config.send_per_second = 0.001;
    })
    .await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let url = made_hook(&alice, "0").await;
    for n in 0..3 {
        assert_eq!(
            post_json(&app.base, &url, json!({"text": format!("alert {n}")}))
                .await
                .0,
            200
        );
    }
    let (status, body) = post_json(&app.base, &url, json!({"text": "one too many"})).await;
    assert_eq!(status, 429, "{body}");
    // The person shares the budget the hook spent.
    assert_eq!(alice.send("0", "me too").await.status, 429);
}

/// What senders commonly send works: JSON labelled as a form (`curl -d
/// '{"text": ...}'`), and either kind with no Content-Type at all.
#[tokio::test]
async fn common_ways_of_posting_are_understood() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let url = made_hook(&alice, "0").await;
    let form = "application/x-www-form-urlencoded";
    let (status, body) = post_raw(&app.base, &url, form, r#" {"text": "curl style"}"#).await;
    assert_eq!(
        (status, body["text"].clone()),
        (200, json!("curl style")),
        "{body}"
    );
    for (body, text) in [
        (r#"{"text":"unlabelled json"}"#, "unlabelled json"),
        ("text=unlabelled+form", "unlabelled form"),
    ] {
        let response = reqwest::Client::new()
            .post(format!("{}{url}", app.base))
            .body(body)
            .send()
            .await
            .expect("the server answers");
        assert_eq!(response.status(), 200);
        let stored: Value = response.json().await.expect("a message");
        assert_eq!(stored["text"], text);
    }
    let (status, _) = post_raw(
        &app.base,
        &url,
        "application/vnd.api+json",
        r#"{"text":"vendor json"}"#,
    )
    .await;
    assert_eq!(status, 200);
}
