//! Personal API tokens: made, listed and revoked from a browser session; a
//! token acts as its owner on `/api` and `/ws` (`Authorization: Bearer`),
//! skips the Origin check when no cookie comes with it, marks what it
//! posts, and stops working at once when revoked, on every instance.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, two_instances, Client};
use crate::ws::Ws;

/// A new token of `client`'s, named `name`: (its id, the token).
async fn made_token(client: &Client, name: &str) -> (String, String) {
    let made = client.post("/api/tokens/create", &[("name", name)]).await;
    assert_eq!(made.status, 200, "{:?}", made.body);
    assert_eq!(made.body["name"], name);
    let token = made.body["token"]
        .as_str()
        .expect("the token, shown once")
        .to_owned();
    (made.body["id"].as_str().expect("an id").to_owned(), token)
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn a_token_acts_as_its_owner_over_http_and_the_socket_and_marks_what_it_posts() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    let alice_id = alice.signed_up("alice").await;
    let (id, token) = made_token(&alice, "ci bot").await;

    let bot = Client::with_token(&app.base, &token);
    let me = bot.me().await;
    assert_eq!(me.status, 200, "{:?}", me.body);
    assert_eq!(me.body["id"], alice_id.as_str());
    assert!(
        me.headers.get("set-cookie").is_none(),
        "a token gets no cookie"
    );

    // From another site, with no cookie: nothing a browser adds by itself.
    let posted = bot
        .post_with(
            "/api/messages/send",
            &[("room_id", "0"), ("text", "deployed v1.2")],
            &[("origin", "https://elsewhere.example")],
        )
        .await;
    assert_eq!(posted.status, 200, "{:?}", posted.body);
    assert_eq!(posted.body["from"], alice_id.as_str());
    assert_eq!(posted.body["via"], "token");
    assert_eq!(posted.body["via_name"], "ci bot");

    // The owner's own messages stay a person's.
    let own = alice.send("0", "thanks, bot").await;
    assert_eq!(own.status, 200);
    assert!(own.body.get("via").is_none(), "{:?}", own.body);

    // The socket: no cookie, no Origin.
    let mut socket = Ws::connect_with(&app.base, &[("authorization", &bearer(&token))])
        .await
        .expect("a token opens a socket");
    socket.send_message("0", "from the socket", "n1").await;
    let echoed = socket.next_of("message").await;
    assert_eq!(echoed["message"]["via"], "token", "{echoed}");
    assert_eq!(echoed["message"]["from"], alice_id.as_str());

    // Listed without the token itself.
    let listed = alice.post("/api/tokens", &[]).await;
    assert_eq!(listed.status, 200);
    let listed = listed.body.as_array().expect("a list").clone();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(listed[0]["name"], "ci bot");
    assert!(listed[0]["created"].as_u64().is_some());
    assert!(!Value::Array(listed).to_string().contains(&token));
}

#[tokio::test]
async fn a_token_cannot_make_or_list_tokens() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let (id, token) = made_token(&alice, "leaky").await;
    let bot = Client::with_token(&app.base, &token);
    assert_eq!(
        bot.post("/api/tokens/create", &[("name", "more")])
            .await
            .status,
        403
    );
    assert_eq!(bot.post("/api/tokens", &[]).await.status, 403);
    // Nothing was made.
    let listed = alice.post("/api/tokens", &[]).await;
    assert_eq!(
        listed.body,
        json!([{"id": id, "name": "leaky", "created": listed.body[0]["created"]}])
    );
}

#[tokio::test]
async fn a_revoked_token_is_refused_at_once_on_every_instance_and_its_sockets_close() {
    let (_redis, a, b) = two_instances().await;
    let alice = a.client();
    alice.signed_up("alice").await;
    let (id, token) = made_token(&alice, "deploy").await;
    let header = bearer(&token);
    let mut on_a = Ws::connect_with(&a.base, &[("authorization", &header)])
        .await
        .expect("open");
    let mut on_b = Ws::connect_with(&b.base, &[("authorization", &header)])
        .await
        .expect("open");
    // Alice's own browser socket stays open.
    let mut browser = alice.ws().await;

    assert_eq!(
        alice
            .post("/api/tokens/revoke", &[("id", &id)])
            .await
            .status,
        200
    );
    for base in [&a.base, &b.base] {
        let refused = Client::with_token(base, &token).me().await;
        assert_eq!(refused.status, 401, "{:?}", refused.body);
        assert!(refused.message().contains("revoked"), "{:?}", refused.body);
        assert_eq!(
            Ws::connect_with(base, &[("authorization", &header)])
                .await
                .err(),
            Some(401)
        );
    }
    assert_eq!(on_a.closed().await, Some(4001));
    assert_eq!(on_b.closed().await, Some(4001));
    assert!(alice
        .post("/api/tokens", &[])
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        alice
            .post("/api/tokens/revoke", &[("id", &id)])
            .await
            .status,
        404
    );
    browser.send_message("0", "still here", "b1").await;
    assert_eq!(
        browser.next_of("message").await["message"]["text"],
        "still here"
    );
}

#[tokio::test]
async fn another_persons_token_id_is_no_token_of_yours() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let (id, token) = made_token(&alice, "mine").await;
    let mallory = app.client();
    mallory.signed_up("mallory").await;
    let refused = mallory.post("/api/tokens/revoke", &[("id", &id)]).await;
    assert_eq!(refused.status, 404, "{:?}", refused.body);
    assert_eq!(
        mallory
            .post("/api/tokens/revoke", &[("id", "nope")])
            .await
            .status,
        400
    );
    assert_eq!(Client::with_token(&app.base, &token).me().await.status, 200);
}

#[tokio::test]
async fn a_malformed_or_unknown_authorization_is_401() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let (_, token) = made_token(&alice, "real").await;
    let never_issued = format!("confab_{}", "0".repeat(64));
    let stranger = Client::new(&app.base);
    for header in [
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        "Bearer nope".to_owned(),
        format!("Basic {token}"),
        format!("Bearer {}", &token["confab_".len()..]),
        format!("Bearer {never_issued}"),
        format!("Bearer {token}*"),
        "Bearer confab_' or 1=1 --".to_owned(),
    ] {
        let refused = stranger
            .post_with("/api/me", &[], &[("authorization", &header)])
            .await;
        assert_eq!(refused.status, 401, "{header}: {:?}", refused.body);
        assert!(!refused.message().is_empty());
        assert_eq!(
            Ws::connect_with(&app.base, &[("authorization", &header)])
                .await
                .err(),
            Some(401),
            "{header}"
        );
    }
    // A token does not lift the Origin check from a request that carries
    // the session cookie: that one a browser may have sent by itself.
    let mixed = alice
        .post_with(
            "/api/me",
            &[],
            &[
                ("authorization", &bearer(&token)),
                ("origin", "https://elsewhere.example"),
            ],
        )
        .await;
    assert_eq!(mixed.status, 403, "{:?}", mixed.body);
}

#[tokio::test]
async fn one_person_holds_at_most_twenty_tokens_each_with_a_name() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let mut ids = Vec::new();
    for n in 0..20 {
        ids.push(made_token(&alice, &format!("bot {n}")).await.0);
    }
    let refused = alice
        .post("/api/tokens/create", &[("name", "one more")])
        .await;
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    assert_eq!(
        alice
            .post("/api/tokens/revoke", &[("id", &ids[3])])
            .await
            .status,
        200
    );
    made_token(&alice, "one more").await;
    assert_eq!(
        alice
            .post("/api/tokens", &[])
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        20
    );

    assert_eq!(
        alice
            .post("/api/tokens/create", &[("name", "  ")])
            .await
            .status,
        400
    );
    assert_eq!(
        alice
            .post("/api/tokens/create", &[("name", &"n".repeat(65))])
            .await
            .status,
        413
    );
    // Names that would reverse or hide the text after them (a webhook's
    // name is shown on each of its messages).
    for hostile in ["\u{202E}tob yolped", "ci\u{200B}bot"] {
        let refused = alice.post("/api/tokens/create", &[("name", hostile)]).await;
        assert_eq!(refused.status, 400, "{:?}", refused.body);
    }
    assert_eq!(
        app.client()
            .post("/api/tokens/create", &[("name", "x")])
            .await
            .status,
        401
    );
}

/// The settings page (`/settings`), as a browser without JavaScript uses
/// it: a plain form makes a token and lands on the page, which shows the
/// token once (handed over in a short-lived cookie, never in the URL);
/// another plain form revokes it.
#[tokio::test]
async fn the_settings_page_makes_shows_once_and_revokes_a_token() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let html = [
        ("accept", "text/html"),
        ("referer", &*format!("{}/settings", app.base)),
    ];
    let made = alice
        .post_with("/api/tokens/create", &[("name", "<i>deploy</i>")], &html)
        .await;
    assert_eq!(made.status, 302, "{:?}", made.body);
    assert_eq!(made.headers["location"], "/settings");
    let flash = made.headers["set-cookie"].to_str().unwrap();
    assert!(
        flash.starts_with("confab_new_token=confab_")
            && flash.contains("HttpOnly")
            && flash.contains("Path=/settings"),
        "{flash}"
    );
    let token = flash["confab_new_token=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    let page = alice.get("/settings").await;
    let cleared = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("confab_new_token="))
        .unwrap_or_default()
        .to_owned();
    assert!(
        cleared.contains("confab_new_token=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    let page = page.text().await.unwrap();
    assert_eq!(page.matches(&token).count(), 1, "shown once on the page");
    assert!(
        page.contains("&lt;i&gt;deploy&lt;/i&gt;"),
        "the name is text"
    );
    assert!(!page.contains("<i>deploy</i>"));
    assert!(page.contains("aria-label=\"API tokens\""));
    assert!(
        !alice
            .get("/settings")
            .await
            .text()
            .await
            .unwrap()
            .contains(&token),
        "shown only once"
    );
    // The token works; another person's page never shows it.
    assert_eq!(Client::with_token(&app.base, &token).me().await.status, 200);
    let bob = app.client();
    bob.signed_up("bob").await;
    let no_tokens = |page: String| page.contains("You have no API tokens.");
    assert!(no_tokens(bob.get("/settings").await.text().await.unwrap()));

    let id = alice.post("/api/tokens", &[]).await.body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let revoked = alice
        .post_with("/api/tokens/revoke", &[("id", &id)], &html)
        .await;
    assert_eq!(revoked.status, 302, "{:?}", revoked.body);
    assert!(no_tokens(alice.get("/settings").await.text().await.unwrap()));
    assert_eq!(Client::with_token(&app.base, &token).me().await.status, 401);
}
