//! Rooms as the contract gives them: General, public rooms, direct rooms,
//! membership rules, unread counts, look-alike names, deleting a room.

use serde_json::Value;

use crate::helpers::{spawn_app, unique_prefix, Client, Reply, TestApp, TestRedis};

fn ids(body: &Value) -> Vec<&str> {
    body.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn every_new_user_is_in_general() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let rooms = alice.post("/api/rooms", &[]).await;
    assert_eq!(rooms.status, 200);
    assert_eq!(rooms.body[0]["id"], "0");
    assert_eq!(rooms.body[0]["name"], "General");
    assert_eq!(rooms.body[0]["kind"], "public");
    assert_eq!(rooms.body[0]["unread"], 0);
    assert_eq!(rooms.body.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn signed_out_callers_get_401_everywhere() {
    let (_redis, app) = spawn_app().await;
    let client = app.client();
    for (path, form) in [
        ("/api/rooms", vec![]),
        ("/api/rooms/public", vec![]),
        ("/api/rooms/create", vec![("name", "x")]),
        ("/api/rooms/join", vec![("room_id", "0")]),
        ("/api/rooms/leave", vec![("room_id", "1")]),
        ("/api/rooms/direct", vec![("user_id", "1")]),
        ("/api/rooms/read", vec![("room_id", "0"), ("seq", "1")]),
        ("/api/rooms/members", vec![("room_id", "0")]),
        ("/api/messages", vec![("room_id", "0")]),
        ("/api/messages/send", vec![("room_id", "0"), ("text", "hi")]),
    ] {
        assert_eq!(client.post(path, &form).await.status, 401, "{path}");
    }
}

/// The usernames in a reply that lists users.
fn usernames(body: &Value) -> Vec<&str> {
    body.as_array()
        .expect("a list")
        .iter()
        .map(|u| u["username"].as_str().expect("a username"))
        .collect()
}

async fn members(client: &Client, room: &str, extra: &[(&str, &str)]) -> Reply {
    let mut form = vec![("room_id", room)];
    form.extend_from_slice(extra);
    client.post("/api/rooms/members", &form).await
}

/// `/api/rooms/members` (an addition; the composer's `@` completion):
/// a room's members by name, any case, paged, to members only.
#[tokio::test]
async fn a_rooms_members_are_listed_by_name_to_its_members() {
    let (_redis, app) = spawn_app().await;
    let [alice, alina, bob, mallory] = [0; 4].map(|_| app.client());
    alice.signed_up("Alice").await;
    alina.signed_up("alina").await;
    bob.signed_up("bob").await;
    mallory.signed_up("mallory").await;
    let room = alice.created_room("Crew").await;
    for member in [&alina, &bob] {
        let joined = member.post("/api/rooms/join", &[("room_id", &room)]).await;
        assert_eq!(joined.status, 200, "{:?}", joined.body);
    }
    let all = members(&bob, &room, &[]).await;
    assert_eq!(all.status, 200, "{:?}", all.body);
    assert_eq!(usernames(&all.body), ["Alice", "alina", "bob"]);
    assert_eq!(all.body[0]["id"].as_str().map(str::is_empty), Some(false));
    let al = members(&bob, &room, &[("q", "AL")]).await;
    assert_eq!(usernames(&al.body), ["Alice", "alina"]);
    let first = members(&bob, &room, &[("q", "al"), ("limit", "1")]).await;
    assert_eq!(usernames(&first.body), ["Alice"]);
    let next = members(
        &bob,
        &room,
        &[("q", "al"), ("limit", "1"), ("after", "alice")],
    )
    .await;
    assert_eq!(usernames(&next.body), ["alina"]);

    // A leaver is no longer listed; someone outside is refused.
    assert_eq!(
        bob.post("/api/rooms/leave", &[("room_id", &room)])
            .await
            .status,
        200
    );
    assert_eq!(
        usernames(&members(&alice, &room, &[]).await.body),
        ["Alice", "alina"]
    );
    assert_eq!(members(&mallory, &room, &[]).await.status, 403);
    let unknown = mallory
        .post("/api/rooms/members", &[("room_id", "987654")])
        .await;
    assert_eq!(unknown.status, 404);
    let long_q = "x".repeat(33);
    for bad in [
        ("limit", "0"),
        ("limit", "101"),
        ("after", "<x>"),
        ("q", &long_q),
    ] {
        assert_eq!(members(&alice, &room, &[bad]).await.status, 400, "{bad:?}");
    }
}

/// Where a refused plain form post sent the browser back to, and the page
/// there.
async fn sent_back(app: &TestApp, client: &Client, refused: &Reply) -> (String, String) {
    let back = refused.headers["location"].to_str().unwrap().to_owned();
    let page = client.get(back.trim_start_matches(&app.base)).await;
    (back, page.text().await.unwrap())
}

/// The room browser is written by the server (`/rooms`, and its list
/// again from `/api/rooms/public/panel` while a name is typed); a room
/// made or joined from it that is refused comes back to it with the
/// reason in the page's own words and the name typed still in the field.
#[tokio::test]
async fn the_room_browser_lists_rooms_and_says_why_a_room_was_refused() {
    let (_redis, app) = spawn_app().await;
    let (alice, bob) = (app.client(), app.client());
    alice.signed_up("alice").await;
    bob.signed_up("bob").await;
    let tea = alice.created_room("Tea <time>").await;
    alice.created_room("Coffee").await;

    let list = bob.post("/api/rooms/public/panel", &[("q", "tea")]).await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    let list = list.body.as_str().expect("HTML").to_owned();
    assert!(
        list.contains("aria-label=\"Join Tea &lt;time&gt;\""),
        "{list}"
    );
    assert!(
        !list.contains("Coffee") && !list.contains("<time>"),
        "{list}"
    );
    let mine = alice.post("/api/rooms/public/panel", &[("q", "tea")]).await;
    let mine = mine.body.as_str().expect("HTML").to_owned();
    assert!(
        mine.contains(&format!(
            "href=\"/room/{tea}\" aria-label=\"Open Tea &lt;time&gt;\""
        )),
        "{mine}"
    );
    let none = bob
        .post("/api/rooms/public/panel", &[("q", "nothing like it")])
        .await;
    assert!(none
        .body
        .as_str()
        .unwrap()
        .contains("No room by that name."));
    assert_eq!(
        app.client()
            .post("/api/rooms/public/panel", &[("q", "")])
            .await
            .status,
        401
    );

    // A plain form post from the browser page: refused, it comes back.
    let from_browser = format!("{}/rooms?q=tea", app.base);
    let html = [("accept", "text/html"), ("referer", from_browser.as_str())];
    let taken = bob
        .post_with("/api/rooms/create", &[("name", "coffee")], &html)
        .await;
    assert!(taken.status.is_redirection(), "{}", taken.message());
    let (back, page) = sent_back(&app, &bob, &taken).await;
    assert!(
        back.contains("__err=conflict") && back.contains("name=coffee"),
        "{back}"
    );
    assert!(back.contains("q=tea"), "{back}");
    assert!(
        page.contains("A room of that name, or a name that looks like it, exists already."),
        "{page}"
    );
    assert!(page.contains("value=\"coffee\""), "{page}");
    assert!(page.contains("Join Tea &lt;time&gt;"), "{page}");

    let gone = bob
        .post_with("/api/rooms/join", &[("room_id", "987654")], &html)
        .await;
    let (back, page) = sent_back(&app, &bob, &gone).await;
    assert!(back.contains("__err=not_found"), "{back}");
    assert!(page.contains("That room no longer exists."), "{page}");

    // Made or joined, the post lands in the room.
    let joined = bob
        .post_with("/api/rooms/join", &[("room_id", &tea)], &html)
        .await;
    assert_eq!(
        joined.headers["location"].to_str().unwrap(),
        format!("/room/{tea}")
    );
}

#[tokio::test]
async fn create_browse_join_and_leave_a_public_room() {
    let (_redis, app) = spawn_app().await;
    let (alice, bob) = (app.client(), app.client());
    alice.signed_up("alice").await;
    bob.signed_up("bob").await;

    let created = alice
        .post("/api/rooms/create", &[("name", "  Rust  ")])
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    assert_eq!(created.body["name"], "Rust");
    assert_eq!(created.body["kind"], "public");
    let rust = created.body["id"].as_str().unwrap().to_owned();
    assert_ne!(rust, "0");
    assert_eq!(
        ids(&alice.post("/api/rooms", &[]).await.body),
        vec!["0", rust.as_str()]
    );

    let public = bob.post("/api/rooms/public", &[]).await;
    assert_eq!(ids(&public.body), vec!["0", rust.as_str()]);
    // Not a member yet: no reading, no writing.
    assert_eq!(bob.history(&rust, None, None).await.status, 403);
    assert_eq!(bob.send(&rust, "hi").await.status, 403);

    let joined = bob.post("/api/rooms/join", &[("room_id", &rust)]).await;
    assert_eq!(joined.status, 200);
    assert_eq!(joined.body, created.body);
    assert_eq!(bob.send(&rust, "hi").await.status, 200);
    assert_eq!(alice.history(&rust, None, None).await.body[0]["text"], "hi");

    let left = bob.post("/api/rooms/leave", &[("room_id", &rust)]).await;
    assert_eq!(left.status, 200);
    assert_eq!(left.body, Value::Null);
    assert_eq!(ids(&bob.post("/api/rooms", &[]).await.body), vec!["0"]);
    assert_eq!(bob.history(&rust, None, None).await.status, 403);
}

#[tokio::test]
async fn room_names_are_unique_and_validated() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    assert_eq!(
        alice
            .post("/api/rooms/create", &[("name", "Design")])
            .await
            .status,
        200
    );
    let again = alice.post("/api/rooms/create", &[("name", "design")]).await;
    assert_eq!(again.status, 409);
    assert!(again.message().contains("exists"));
    assert_eq!(
        alice
            .post("/api/rooms/create", &[("name", "general")])
            .await
            .status,
        409
    );
    assert_eq!(
        alice
            .post("/api/rooms/create", &[("name", "   ")])
            .await
            .status,
        400
    );
    assert_eq!(
        alice
            .post("/api/rooms/create", &[("name", &"x".repeat(65))])
            .await
            .status,
        413
    );
    assert_eq!(
        alice
            .post("/api/rooms/create", &[("name", &"x".repeat(64))])
            .await
            .status,
        200
    );
    // Names that hide characters: reversed text, zero-width look-alikes.
    for hidden in ["\u{202E}evil", "\u{200B}", "Des\u{200B}ign"] {
        let refused = alice.post("/api/rooms/create", &[("name", hidden)]).await;
        assert_eq!(refused.status, 400, "{hidden:?}");
        assert!(refused.message().contains("invisible"), "{hidden:?}");
    }
}

#[tokio::test]
async fn a_name_that_looks_like_a_taken_one_is_taken() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let made = alice.post("/api/rooms/create", &[("name", "Announcements")]).await;
    assert_eq!(made.status, 200);
    // Cyrillic о and е, fullwidth letters, "rn" for "m", a zero for an o.
    for alike in ["Ann\u{43E}unc\u{435}ments", "ＡＮＮＯＵＮＣＥＭＥＮＴＳ", "Announcernents", "Ann0uncements"] {
        let refused = alice.post("/api/rooms/create", &[("name", alike)]).await;
        assert_eq!(refused.status, 409, "{alike:?}");
        assert!(refused.message().contains("looks like"), "{alike:?}");
    }
    assert_eq!(
        alice.post("/api/rooms/create", &[("name", "Announcement")]).await.status,
        200,
        "a different name is not a look-alike"
    );
    assert_eq!(
        alice.post("/api/rooms/create", &[("name", "Gеneral")]).await.status,
        409,
        "General is claimed too (Cyrillic е)"
    );
}

#[tokio::test]
async fn joining_and_leaving_follow_the_rules() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    assert_eq!(
        alice
            .post("/api/rooms/join", &[("room_id", "999")])
            .await
            .status,
        404
    );
    assert_eq!(
        alice
            .post("/api/rooms/join", &[("room_id", "nope")])
            .await
            .status,
        400
    );
    assert_eq!(
        alice
            .post("/api/rooms/join", &[("room_id", "1:2")])
            .await
            .status,
        403
    );
    assert_eq!(
        alice
            .post("/api/rooms/leave", &[("room_id", "0")])
            .await
            .status,
        403
    );
    assert_eq!(
        alice
            .post("/api/rooms/leave", &[("room_id", "999")])
            .await
            .status,
        404
    );
    assert_eq!(alice.history("999", None, None).await.status, 404);
    assert_eq!(alice.send("999", "hi").await.status, 404);
    // Joining twice is harmless.
    assert_eq!(
        alice
            .post("/api/rooms/join", &[("room_id", "0")])
            .await
            .status,
        200
    );
    assert_eq!(ids(&alice.post("/api/rooms", &[]).await.body), vec!["0"]);
}

#[tokio::test]
async fn a_direct_room_is_made_once_and_shows_for_both() {
    let (_redis, app) = spawn_app().await;
    let (alice, bob, eve) = (app.client(), app.client(), app.client());
    let alice_id = alice.signed_up("alice").await;
    let bob_id = bob.signed_up("bob").await;
    eve.signed_up("eve").await;

    let opened = alice
        .post("/api/rooms/direct", &[("user_id", &bob_id)])
        .await;
    assert_eq!(opened.status, 200, "{:?}", opened.body);
    let (low, high) = if alice_id.parse::<u64>().unwrap() < bob_id.parse::<u64>().unwrap() {
        (&alice_id, &bob_id)
    } else {
        (&bob_id, &alice_id)
    };
    let id = format!("{low}:{high}");
    assert_eq!(opened.body["id"], id.as_str());
    assert_eq!(opened.body["kind"], "direct");
    assert_eq!(opened.body["name"], "bob");

    let again = bob
        .post("/api/rooms/direct", &[("user_id", &alice_id)])
        .await;
    assert_eq!(again.body["id"], id.as_str());
    assert_eq!(again.body["name"], "alice");

    let bobs_rooms = bob.post("/api/rooms", &[]).await.body;
    let direct = bobs_rooms
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.as_str())
        .expect("listed for bob");
    assert_eq!(direct["name"], "alice");
    assert_eq!(direct["kind"], "direct");

    assert_eq!(bob.send(&id, "psst").await.status, 200);
    assert_eq!(alice.history(&id, None, None).await.body[0]["text"], "psst");
    // Nobody else reads, writes or joins it.
    assert_eq!(eve.history(&id, None, None).await.status, 403);
    assert_eq!(eve.send(&id, "hello?").await.status, 403);
    assert_eq!(
        eve.post("/api/rooms/join", &[("room_id", &id)])
            .await
            .status,
        403
    );
    assert!(!ids(&eve.post("/api/rooms/public", &[]).await.body).contains(&id.as_str()));
    // And her probes cannot tell a direct room of two others that exists
    // from one that does not: both are 403, in the same words.
    let dave_id: u64 = app.client().signed_up("dave").await.parse().unwrap();
    let alice_n: u64 = alice_id.parse().unwrap();
    let never_opened = format!("{}:{}", alice_n.min(dave_id), alice_n.max(dave_id));
    let opened_probe = eve.history(&id, None, None).await;
    let unopened_probe = eve.history(&never_opened, None, None).await;
    assert_eq!(unopened_probe.status, 403);
    assert_eq!(unopened_probe.message(), opened_probe.message());
    assert_eq!(eve.send(&never_opened, "hello?").await.status, 403);
}

#[tokio::test]
async fn direct_rooms_need_another_existing_user() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    let me = alice.signed_up("alice").await;
    assert_eq!(
        alice
            .post("/api/rooms/direct", &[("user_id", &me)])
            .await
            .status,
        400
    );
    assert_eq!(
        alice
            .post("/api/rooms/direct", &[("user_id", "9999")])
            .await
            .status,
        404
    );
    assert_eq!(
        alice
            .post("/api/rooms/direct", &[("user_id", "x")])
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn unread_counts_rise_and_clear() {
    let (_redis, app) = spawn_app().await;
    let (alice, bob) = (app.client(), app.client());
    alice.signed_up("alice").await;
    bob.signed_up("bob").await;
    for text in ["one", "two", "three"] {
        assert_eq!(alice.send("0", text).await.status, 200);
    }
    let general = |body: Value| {
        body.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "0")
            .unwrap()
            .clone()
    };

    let for_bob = general(bob.post("/api/rooms", &[]).await.body);
    assert_eq!(for_bob["unread"], 3);
    assert_eq!(for_bob["last_message"]["text"], "three");
    assert_eq!(for_bob["last_message"]["seq"], 3);
    assert!(for_bob["last_message"]["date"].as_u64().unwrap() > 1_700_000_000_000);
    // The sender has read what they sent.
    assert_eq!(
        general(alice.post("/api/rooms", &[]).await.body)["unread"],
        0
    );

    let marked = bob
        .post("/api/rooms/read", &[("room_id", "0"), ("seq", "2")])
        .await;
    assert_eq!(marked.status, 200);
    assert_eq!(marked.body, 2);
    assert_eq!(general(bob.post("/api/rooms", &[]).await.body)["unread"], 1);
    // Never backwards, never past the end.
    assert_eq!(
        bob.post("/api/rooms/read", &[("room_id", "0"), ("seq", "1")])
            .await
            .body,
        2
    );
    assert_eq!(
        bob.post("/api/rooms/read", &[("room_id", "0"), ("seq", "99")])
            .await
            .body,
        3
    );
    assert_eq!(general(bob.post("/api/rooms", &[]).await.body)["unread"], 0);
    assert_eq!(
        bob.post("/api/rooms/read", &[("room_id", "77"), ("seq", "1")])
            .await
            .status,
        404
    );
}

/// Opening a room's page marks it read when the reader opened it (a link
/// of the site's own, or typed in), not when another site's page set the
/// load off: a GET is outside the Origin check.
#[tokio::test]
async fn only_a_page_the_reader_opened_marks_the_room_read() {
    let (_redis, app) = spawn_app().await;
    let (alice, bob) = (app.client(), app.client());
    alice.signed_up("alice").await;
    bob.signed_up("bob").await;
    assert_eq!(alice.send("0", "news").await.status, 200);
    let unread = || async {
        let rooms = bob.post("/api/rooms", &[]).await.body;
        rooms.as_array().unwrap().iter().find(|r| r["id"] == "0").unwrap()["unread"].clone()
    };
    for foreign in [Some("cross-site"), Some("same-site"), None] {
        let page = bob.get_with("/room/0", foreign.map(|site| ("sec-fetch-site", site))).await;
        assert_eq!(page.status(), 200);
        assert_eq!(unread().await, 1, "{foreign:?}");
    }
    for asked in ["same-origin", "none"] {
        assert_eq!(alice.send("0", asked).await.status, 200);
        let page = bob.get_with("/room/0", Some(("sec-fetch-site", asked))).await;
        assert_eq!(page.status(), 200);
        assert_eq!(unread().await, 0, "{asked}");
    }
}

/// Plain HTML form posts (JavaScript off) land on the room they made,
/// joined or opened, and on General after a leave; calls from code get
/// their JSON and no redirect.
#[tokio::test]
async fn plain_form_posts_land_on_the_room() {
    let (_redis, app) = spawn_app().await;
    let (alice, bob) = (app.client(), app.client());
    alice.signed_up("alice").await;
    let bob_id = bob.signed_up("bob").await;
    let form = [("accept", "text/html,application/xhtml+xml")];

    let created = alice
        .post_with("/api/rooms/create", &[("name", "Forms")], &form)
        .await;
    assert_eq!(created.status, 302);
    let location =
        |reply: &crate::helpers::Reply| reply.headers["location"].to_str().unwrap().to_owned();
    let room = location(&created);
    assert!(room.starts_with("/room/") && room != "/room/0", "{room}");
    let room_id = room.trim_start_matches("/room/").to_owned();

    let joined = bob
        .post_with("/api/rooms/join", &[("room_id", &room_id)], &form)
        .await;
    assert_eq!(
        (joined.status.as_u16(), location(&joined)),
        (302, room.clone())
    );
    let left = bob
        .post_with("/api/rooms/leave", &[("room_id", &room_id)], &form)
        .await;
    assert_eq!(
        (left.status.as_u16(), location(&left)),
        (302, "/".to_owned())
    );
    let direct = alice
        .post_with("/api/rooms/direct", &[("user_id", &bob_id)], &form)
        .await;
    assert_eq!(direct.status, 302);
    assert!(location(&direct).starts_with("/room/"));

    // The same call from code: JSON, and no redirect.
    let joined = bob.post("/api/rooms/join", &[("room_id", &room_id)]).await;
    assert_eq!(joined.status, 200);
    assert_eq!(joined.body["id"], room_id.as_str());
    assert!(joined.headers.get("location").is_none());
}

/// `/api/rooms/public` pages (v1.1): General first, then by name in any
/// case; `after` continues where a page ended, `q` filters without regard
/// to case, and every page holds at most `limit` rooms.
#[tokio::test]
async fn the_public_list_pages_and_filters() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let mut by_name = Vec::new();
    for name in ["delta", "Alpha", "charlie RUST", "bravo", "rustaceans", "Echo"] {
        let id = alice.created_room(name).await;
        by_name.push((name.to_lowercase(), id));
    }
    by_name.sort();
    let mut expected: Vec<String> = vec!["0".to_owned()];
    expected.extend(by_name.iter().map(|(_, id)| id.clone()));

    // Pages of two, each after the last id of the one before.
    let mut walked: Vec<String> = Vec::new();
    loop {
        let last = walked.last().cloned().unwrap_or_default();
        let page = alice
            .post("/api/rooms/public", &[("limit", "2"), ("after", &last)])
            .await;
        assert_eq!(page.status, 200, "{:?}", page.body);
        let page: Vec<String> = ids(&page.body).into_iter().map(str::to_owned).collect();
        assert!(page.len() <= 2, "{page:?}");
        if page.is_empty() {
            break;
        }
        walked.extend(page);
    }
    assert_eq!(walked, expected);

    // The default page is the whole list here (at most 100).
    let all = alice.post("/api/rooms/public", &[]).await;
    assert_eq!(ids(&all.body), expected.iter().map(String::as_str).collect::<Vec<_>>());

    // `q` in any case, with paging on top.
    let rust: Vec<&str> = by_name
        .iter()
        .filter(|(name, _)| name.contains("rust"))
        .map(|(_, id)| id.as_str())
        .collect();
    let found = alice.post("/api/rooms/public", &[("q", "RuSt")]).await;
    assert_eq!(ids(&found.body), rust);
    let first = alice.post("/api/rooms/public", &[("q", "rust"), ("limit", "1")]).await;
    assert_eq!(ids(&first.body), rust[..1]);
    let second = alice
        .post("/api/rooms/public", &[("q", "rust"), ("limit", "1"), ("after", rust[0])])
        .await;
    assert_eq!(ids(&second.body), rust[1..]);
    let none = alice.post("/api/rooms/public", &[("q", "zebra")]).await;
    assert_eq!(none.status, 200);
    assert!(ids(&none.body).is_empty());
}

#[tokio::test]
async fn a_bad_public_list_request_is_400() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    for form in [
        vec![("limit", "0")],
        vec![("limit", "101")],
        vec![("limit", "ten")],
        vec![("after", "x")],
        vec![("after", "1:2")],
        vec![("after", "999")],
    ] {
        let reply = alice.post("/api/rooms/public", &form).await;
        assert_eq!(reply.status, 400, "{form:?}: {:?}", reply.body);
        assert!(!reply.message().is_empty(), "{form:?}: a reason");
    }
}

async fn delete(client: &Client, room: &str) -> Reply {
    client.post("/api/rooms/delete", &[("room_id", room)]).await
}

#[tokio::test]
async fn the_maker_or_an_admin_deletes_a_room_and_everything_in_it() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |config| {
        config.admins = vec!["boss".into()];
    })
    .await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let bob = app.client();
    bob.signed_up("bob").await;
    let boss = app.client();
    boss.signed_up("boss").await;
    let room = alice.created_room("Doomed").await;
    assert_eq!(bob.post("/api/rooms/join", &[("room_id", &room)]).await.status, 200);
    assert_eq!(alice.send(&room, "quokka sighting").await.status, 200);
    let hook = bob.post("/api/rooms/webhook", &[("room_id", &room)]).await;
    let hook_url = hook.body["url"].as_str().expect("a webhook url").to_owned();

    // Only the maker or an admin; never General or a direct room.
    let refused = delete(&bob, &room).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert!(refused.message().contains("made"), "{:?}", refused.body);
    assert_eq!(delete(&alice, "0").await.status, 403);
    let direct = bob.post("/api/rooms/direct", &[("user_id", alice.me().await.body["id"].as_str().unwrap())]).await;
    assert_eq!(delete(&alice, direct.body["id"].as_str().unwrap()).await.status, 403);
    assert_eq!(delete(&alice, "not a room").await.status, 400);
    assert_eq!(delete(&alice, "9999").await.status, 404);

    let deleted = delete(&alice, &room).await;
    assert_eq!((deleted.status.as_u16(), deleted.body.clone()), (200, Value::Null));
    // Gone for everyone, everywhere.
    for client in [&alice, &bob] {
        let rooms = client.post("/api/rooms", &[]).await.body;
        assert!(!rooms.as_array().unwrap().iter().any(|r| r["id"] == room.as_str()), "{rooms:?}");
        assert_eq!(client.history(&room, None, None).await.status, 404);
    }
    let public = bob.post("/api/rooms/public", &[]).await.body;
    assert!(!public.as_array().unwrap().iter().any(|r| r["id"] == room.as_str()));
    assert_eq!(bob.send(&room, "hello?").await.status, 404);
    let found = bob.post("/api/search", &[("q", "quokka")]).await.body;
    assert_eq!(found, Value::Array(Vec::new()));
    let posted = reqwest::Client::new()
        .post(format!("{}{hook_url}", app.base))
        .json(&serde_json::json!({"text": "from a script"}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(posted.status(), 404, "the room's webhooks are revoked");
    assert_eq!(delete(&alice, &room).await.status, 404, "deleted once");
    // The name is free again, for a new room.
    let again = alice.post("/api/rooms/create", &[("name", "Doomed")]).await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_ne!(again.body["id"], room.as_str());

    // An admin deletes another's room.
    let bobs = bob.created_room("Bobs corner").await;
    assert_eq!(delete(&boss, &bobs).await.status, 200);
    assert_eq!(bob.history(&bobs, None, None).await.status, 404);
}

/// The settings page lists the rooms the reader made, each with a Delete
/// form that a browser without JavaScript posts, landing back there.
#[tokio::test]
async fn the_settings_page_deletes_a_room_without_javascript() {
    let (_redis, app) = spawn_app().await;
    let alice = app.client();
    alice.signed_up("alice").await;
    let room = alice.created_room("Short lived").await;
    let page = alice.get("/settings").await.text().await.unwrap();
    assert!(page.contains("aria-label=\"Delete Short lived\""), "{page}");
    let html = [
        ("accept", "text/html"),
        ("referer", &*format!("{}/settings", app.base)),
    ];
    let deleted = alice.post_with("/api/rooms/delete", &[("room_id", &room)], &html).await;
    assert_eq!(deleted.status, 302, "{:?}", deleted.body);
    assert_eq!(deleted.headers["location"], "/settings");
    let page = alice.get("/settings").await.text().await.unwrap();
    assert!(page.contains("You have made no rooms."), "{page}");
}

/// The room browser's page (`/rooms`, the page without JavaScript and the
/// dialog's first paint) lists 100 public rooms, then links to the next
/// page, keeping what was asked for.
#[tokio::test]
async fn the_room_browser_pages_past_its_first_hundred() {
    let redis = TestRedis::start().await;
    let app = TestApp::spawn_with(&redis, &unique_prefix(), |c| c.rooms_per_day = 1_000).await;
    let alice = app.client();
    alice.signed_up("alice").await;
    for n in 0..=100 {
        alice.created_room(&format!("r{n:03}")).await;
    }
    let first = alice.get("/rooms").await.text().await.unwrap();
    assert!(first.contains("#r098<"), "{first}");
    assert!(!first.contains("#r099<"), "General and 99 others: {first}");
    let next = first
        .split("class=\"more\" target=\"_top\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a link to the next page")
        .replace("&amp;", "&");
    assert!(next.starts_with("/rooms?q=&after="), "{next}");
    let second = alice.get(&next).await.text().await.unwrap();
    assert!(second.contains("#r099<") && second.contains("#r100<"), "{second}");
    assert!(!second.contains("#r098<") && !second.contains("More rooms"), "{second}");
    // A search's next page keeps the search.
    let found = alice.get("/rooms?q=r0").await.text().await.unwrap();
    assert!(found.contains("href=\"/rooms?q=r0&amp;after="), "{found}");
}
