//! Server-rendered pages: which paths are pages, what a signed-in and a
//! signed-out reader get, and the 404 for everything else. Served by the
//! real binary (pages are what its multi-threaded runtime serves).

use crate::helpers::{unique_prefix, Client, ConfabProcess, TestRedis, PASSWORD};

async fn confab() -> (TestRedis, ConfabProcess) {
    let redis = TestRedis::start().await;
    let confab = ConfabProcess::start(&[redis.env(), ("CONFAB_KEY_PREFIX", unique_prefix())]).await;
    (redis, confab)
}

#[tokio::test]
async fn every_page_path_is_a_page_and_anything_else_a_404() {
    let (_redis, confab) = confab().await;
    let stranger = Client::new(&confab.base);
    for path in ["/", "/rooms", "/room/0", "/room/not-a-room"] {
        let page = stranger.get(path).await;
        assert_eq!(page.status(), 200, "{path}");
        let html = page.text().await.unwrap();
        assert!(html.contains("Create account"), "{path}: {html}");
    }
    for path in ["/nope", "/room", "/room/0/more", "/rooms/0"] {
        let page = stranger.get(path).await;
        assert_eq!(page.status(), 404, "{path}");
        let html = page.text().await.unwrap();
        assert!(html.contains("Page not found"), "{path}: {html}");
    }
}

/// A store that cannot be reached is not a sign-out: the page says what is
/// wrong instead of showing the sign-in form.
#[tokio::test]
async fn without_its_store_the_page_says_so_rather_than_signing_out() {
    let (mut redis, confab) = confab().await;
    let alice = Client::new(&confab.base);
    alice.register("alice", PASSWORD).await;
    redis.kill();
    let page = alice.get("/").await.text().await.unwrap();
    assert!(page.contains("cannot reach its database"), "{page}");
    assert!(page.contains("Try again"), "{page}");
    assert!(!page.contains("Create account"), "{page}");
}

/// A page render runs several server functions, and they share one
/// session lookup: one `GETEX` per page, not one per function.
#[tokio::test]
async fn a_page_reads_the_session_once() {
    let (redis, confab) = confab().await;
    let alice = Client::new(&confab.base);
    alice.register("alice", PASSWORD).await;
    // Counted on every server (every node of a cluster).
    let getex_calls = || async {
        let mut calls = 0;
        for url in redis.server_urls() {
            let client = redis::Client::open(url).unwrap();
            let mut conn = client.get_multiplexed_async_connection().await.unwrap();
            let stats: String = redis::cmd("INFO")
                .arg("commandstats")
                .query_async(&mut conn)
                .await
                .unwrap();
            calls += stats
                .lines()
                .find_map(|line| line.strip_prefix("cmdstat_getex:calls="))
                .and_then(|rest| rest.split(',').next())
                .map_or(0, |calls| calls.parse::<u64>().unwrap());
        }
        calls
    };
    let before = getex_calls().await;
    let page = alice.get("/").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Signed in as"));
    assert_eq!(getex_calls().await - before, 1);
}

#[tokio::test]
async fn a_signed_in_reader_gets_the_chat_open_on_the_room_in_the_path() {
    let (_redis, confab) = confab().await;
    let alice = Client::new(&confab.base);
    alice.register("alice", PASSWORD).await;
    let room = alice.created_room("Tea").await;
    alice.send(&room, "kettle's on").await;

    let general = alice.get("/").await.text().await.unwrap();
    assert!(general.contains("Signed in as"), "{general}");

    let tea = alice
        .get(&format!("/room/{room}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        tea.contains("kettle&#x27;s on") || tea.contains("kettle's on"),
        "{tea}"
    );

    let browser = alice.get("/rooms").await.text().await.unwrap();
    assert!(browser.contains("Public rooms"), "{browser}");
    assert!(
        browser.contains("Join Tea") || browser.contains("Open Tea"),
        "{browser}"
    );
}

/// A form post the server refuses (JavaScript off) comes back to the page
/// with the reason in the URL, and the page says it in words.
#[tokio::test]
async fn a_refused_form_post_is_shown_in_words() {
    let (_redis, confab) = confab().await;
    let alice = Client::new(&confab.base);
    alice.register("alice", PASSWORD).await;
    let stranger = Client::new(&confab.base);
    let refused = stranger
        .post_with(
            "/api/login",
            &[("username", "alice"), ("password", "not the password")],
            &[
                ("accept", "text/html"),
                ("referer", &format!("{}/", confab.base)),
            ],
        )
        .await;
    assert!(refused.status.is_redirection(), "{}", refused.message());
    let location = refused.headers["location"].to_str().unwrap().to_owned();
    assert!(location.contains("__err=unauthorized"), "{location}");
    let path = location.trim_start_matches(&confab.base);
    let page = stranger.get(path).await.text().await.unwrap();
    assert!(page.contains("Wrong username or password."), "{page}");
}

/// A link can name a refusal but not write its words: whatever `__err`
/// carries (free text, or the encoded error leptos_axum would write), the
/// page shows only a sentence of its own.
#[tokio::test]
async fn a_crafted_refusal_in_a_link_shows_none_of_its_text() {
    let (_redis, confab) = confab().await;
    let reader = Client::new(&confab.base);
    // `{"error":"unauthorized","message":"Sign in at evil.example"}`,
    // URL-safe base64, as server_fn encodes a refusal.
    let encoded =
        "eyJlcnJvciI6InVuYXV0aG9yaXplZCIsIm1lc3NhZ2UiOiJTaWduIGluIGF0IGV2aWwuZXhhbXBsZSJ9";
    for err in [encoded, "Sign+in+at+evil.example"] {
        let page = reader
            .get(&format!("/?__path=/api/login&__err={err}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(!page.contains("evil.example"), "{page}");
        assert!(page.contains("Something went wrong on our side."), "{page}");
    }
}

/// A message a plain form post could not send comes back in the URL beside
/// the reason and is put back in the box; a second refusal replaces the
/// first instead of piling up in the URL.
#[tokio::test]
async fn a_refused_message_post_keeps_its_text() {
    let (_redis, confab) = confab().await;
    let alice = Client::new(&confab.base);
    alice.register("alice", PASSWORD).await;
    let post = |referer: String, text: &'static str| {
        let alice = &alice;
        async move {
            let reply = alice
                .post_with(
                    "/api/messages/send",
                    &[("room_id", "999"), ("text", text)],
                    &[("accept", "text/html"), ("referer", &referer)],
                )
                .await;
            assert!(reply.status.is_redirection(), "{}", reply.message());
            reply.headers["location"].to_str().unwrap().to_owned()
        }
    };
    let first = post(format!("{}/room/999", confab.base), "hello <there>").await;
    assert!(first.contains("draft=hello+%3Cthere%3E"), "{first}");
    let second = post(first, "again").await;
    assert_eq!(second.matches("__err=").count(), 1, "{second}");
    assert_eq!(second.matches("draft=").count(), 1, "{second}");
    assert!(second.contains("draft=again"), "{second}");

    let page = alice
        .get(second.trim_start_matches(&confab.base))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Not sent: There is no such room."), "{page}");
    assert!(page.contains(">again</textarea>"), "{page}");

    // A message sent from that page leaves none of it in the URL.
    let sent = alice
        .post_with(
            "/api/messages/send",
            &[("room_id", "0"), ("text", "sent at last")],
            &[("accept", "text/html"), ("referer", &second)],
        )
        .await;
    assert!(sent.status.is_redirection(), "{}", sent.message());
    assert_eq!(
        sent.headers["location"].to_str().unwrap(),
        format!("{}/room/999", confab.base)
    );

    // Text too long to ride in a URL is not put back.
    let long = "x".repeat(3000);
    let refused = alice
        .post_with(
            "/api/messages/send",
            &[("room_id", "999"), ("text", &long)],
            &[
                ("accept", "text/html"),
                ("referer", &format!("{}/", confab.base)),
            ],
        )
        .await;
    let location = refused.headers["location"].to_str().unwrap();
    assert!(location.contains("__err=not_found"), "{location}");
    assert!(!location.contains("xxx"), "{location}");
}

/// Many readers at once, each signing up (some under a name taken a moment
/// before), posting plain forms and loading pages: every page greets its
/// own reader, a refused sign-up greets nobody. Served by the real binary,
/// whose runtime serves requests on several threads at once.
#[tokio::test]
async fn concurrent_readers_each_see_their_own_page() {
    let (_redis, confab) = confab().await;
    let readers = futures::future::join_all((0..16).map(|i| {
        let base = confab.base.clone();
        async move {
            let me = Client::new(&base);
            let name = format!("reader{i}");
            assert_eq!(me.register(&name, PASSWORD).await.status, 200);
            let late = Client::new(&base);
            assert_eq!(late.register(&name, PASSWORD).await.status, 409);
            let room = me.created_room(&format!("room of {name}")).await;
            for n in 0..3 {
                assert_eq!(me.send(&room, &format!("{name} {n}")).await.status, 200);
            }
            let html = [("accept", "text/html")];
            for round in 0..6 {
                for path in [
                    "/".to_owned(),
                    format!("/room/{room}"),
                    format!("/room/{room}?before=3"),
                ] {
                    let page = me.get(&path).await.text().await.unwrap();
                    let whoami = page
                        .find("Signed in as")
                        .map_or("(signed out)", |at| &page[at..(at + 80).min(page.len())]);
                    assert!(
                        page.contains(&format!("<strong>{name}<")),
                        "{name} on {path} got: {whoami}"
                    );
                }
                let posted = me
                    .post_with(
                        "/api/messages/send",
                        &[
                            ("room_id", &room),
                            ("text", &format!("{name} form {round}")),
                        ],
                        &html,
                    )
                    .await;
                assert!(
                    posted.status.is_redirection(),
                    "{name}: {:?}",
                    posted.status
                );
                let stranger = late.get("/").await.text().await.unwrap();
                assert!(
                    stranger.contains("Create account"),
                    "a refused {name} got: {stranger:.400}"
                );
            }
        }
    }));
    readers.await;
}

/// A page carries a Content-Security-Policy whose nonce is the one on the
/// page's own inline scripts, and no `unsafe-inline`; every response says
/// nosniff, same-origin referrers and no framing.
#[tokio::test]
async fn pages_carry_a_content_security_policy_with_their_nonce() {
    let (_redis, confab) = confab().await;
    let reader = Client::new(&confab.base);
    let page = reader.get("/").await;
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    let policy = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy")
        .to_owned();
    let html = page.text().await.unwrap();
    let scripts: Vec<&str> = html
        .split("<script")
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or_default())
        .collect();
    assert!(!scripts.is_empty(), "{html}");
    for script in scripts {
        assert!(
            script.contains(&format!("nonce=\"{nonce}\"")),
            "<script{script}>"
        );
    }
    // A second page gets a nonce of its own.
    let again = reader.get("/").await;
    assert!(!again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains(&nonce));

    for response in [
        reader.get("/favicon.svg").await,
        reader.get("/no/such/page").await,
    ] {
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "same-origin");
        assert_eq!(headers["x-frame-options"], "DENY");
    }
}

/// While readers sign in and load pages (each page load renews its
/// reader's cookie), a stranger fetching the site's files and asking who
/// it is never gets a cookie: no response carries another request's
/// `Set-Cookie`. (The page renderer leaves its reactive owner on the
/// worker thread, and a handler that looked up its response there wrote
/// a page's cookie into a file's response: one browser signed in as
/// another.)
#[tokio::test]
async fn no_response_carries_another_readers_cookie() {
    let redis = TestRedis::start().await;
    let confab = ConfabProcess::start(&[
        redis.env(),
        ("CONFAB_KEY_PREFIX", unique_prefix()),
        ("CONFAB_LOGIN_ATTEMPTS_PER_ADDR", "1000".into()),
        ("CONFAB_LOGIN_ATTEMPTS_PER_USER", "1000".into()),
    ])
    .await;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers = futures::future::join_all((0..8).map(|i| {
        let base = confab.base.clone();
        async move {
            let me = Client::new(&base);
            let name = format!("cookie{i}");
            assert_eq!(me.register(&name, PASSWORD).await.status, 200);
            for _ in 0..15 {
                assert_eq!(me.login(&name, PASSWORD).await.status, 200);
                let page = me.get("/").await.text().await.unwrap();
                assert!(
                    page.contains(&format!("<strong>{name}<")),
                    "{name}: {page:.300}"
                );
            }
        }
    }));
    let strangers = futures::future::join_all((0..8).map(|_| {
        let base = confab.base.clone();
        let done = done.clone();
        async move {
            let stranger = Client::new(&base);
            let mut asked = 0;
            while !done.load(std::sync::atomic::Ordering::Relaxed) || asked == 0 {
                for path in ["/favicon.svg", "/pkg/confab.css", "/no/such/file", "/"] {
                    let response = stranger.get(path).await;
                    assert!(
                        response.headers().get("set-cookie").is_none(),
                        "{path} set a cookie: {:?}",
                        response.headers().get("set-cookie")
                    );
                }
                let me = stranger.me().await;
                assert_eq!(me.status, 401);
                assert!(me.headers.get("set-cookie").is_none(), "{:?}", me.headers);
                asked += 1;
            }
        }
    }));
    let readers = async {
        readers.await;
        done.store(true, std::sync::atomic::Ordering::Relaxed);
    };
    futures::join!(readers, strangers);
}

/// A message a program posted is marked on the page as such, with the
/// token's or webhook's name, so that nobody takes a script for a person.
#[tokio::test]
async fn a_programs_message_is_marked_on_the_page() {
    let (_redis, confab) = confab().await;
    let alice = Client::new(&confab.base);
    alice.signed_up("alice").await;
    let token = alice
        .post("/api/tokens/create", &[("name", "ci bot")])
        .await
        .body["token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let bot = Client::with_token(&confab.base, &token);
    assert_eq!(bot.send("0", "build 7 passed").await.status, 200);
    assert_eq!(alice.send("0", "thanks").await.status, 200);
    let page = alice.get("/room/0").await.text().await.unwrap();
    let marked = page
        .find("via API token ci bot")
        .expect("the bot's message is marked");
    let sent = page.find("build 7 passed").expect("the bot's message");
    let thanks = page.find("thanks").expect("alice's message");
    assert!(
        marked < sent && sent < thanks,
        "the mark sits on the bot's message"
    );
    assert_eq!(
        page.matches("via API token").count(),
        1,
        "alice's own message is not marked"
    );
}
