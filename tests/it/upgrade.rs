//! A deployment of an earlier release (key layout 1: no hash tags, public
//! rooms in a set, read marks kept per user) keeps everything when this
//! release first starts on its Redis: sign-in, rooms, history, unread
//! counts and the public list; and its messages take their place in the
//! room's revisions (layout 3), so catch-up by rev sees them, and its
//! search index (layout 4), and its room names claimed by their look
//! (layout 5).

use confab::model::Password;
use confab::server::password;

use crate::helpers::{on_cluster, unique_prefix, TestApp, TestRedis};

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn an_earlier_releases_data_survives_the_upgrade() {
    if on_cluster() {
        // Layout 1 never ran on a cluster (its scripts could not): there is
        // nothing to upgrade there.
        return;
    }
    let redis = TestRedis::start().await;
    let p = unique_prefix();
    let mut conn = redis.connection().await;
    let hash = password::hash(Password::parse(PASSWORD.to_owned()).expect("a valid password"))
        .await
        .expect("a hash");
    let old = |message: &str, seq: u64| {
        format!(
            r#"{{"seq":{seq},"room_id":"9","from":"5","username":"carol","text":"{message}","date":1732350000123}}"#
        )
    };
    let _: () = redis::pipe()
        .set(format!("{p}total_users"), 5)
        .set(format!("{p}total_rooms"), 9)
        .hset_multiple(format!("{p}user:5"), &[("username", "carol"), ("password", hash.0.as_str())])
        .set(format!("{p}username:carol"), 5)
        .sadd(format!("{p}user:5:rooms"), &["0", "9"])
        .hset(format!("{p}user:5:read"), "9", 1)
        .sadd(format!("{p}public_rooms"), &["0", "9"])
        .set(format!("{p}room:0:name"), "General")
        .set(format!("{p}room_name:general"), "0")
        .sadd(format!("{p}room:0:members"), 5)
        .set(format!("{p}room:9:name"), "Old Times")
        .set(format!("{p}room_name:old times"), "9")
        .sadd(format!("{p}room:9:members"), 5)
        .zadd(format!("{p}room:9"), old("first", 1), 1)
        .zadd(format!("{p}room:9"), old("second", 2), 2)
        .set(format!("{p}room:9:seq"), 2)
        .sadd(format!("{p}online_users"), 5)
        .query_async(&mut conn)
        .await
        .expect("the old layout is written");

    let app = TestApp::spawn_with(&redis, &p, |_| {}).await;
    let carol = app.client();
    assert_eq!(carol.login("carol", PASSWORD).await.status, 200);
    let rooms = carol.post("/api/rooms", &[]).await;
    let old_times = rooms
        .body
        .as_array()
        .expect("a list")
        .iter()
        .find(|r| r["id"] == "9")
        .unwrap_or_else(|| panic!("Old Times is listed: {:?}", rooms.body))
        .clone();
    assert_eq!(old_times["name"], "Old Times");
    assert_eq!(old_times["unread"], 1, "the read mark moved with the room");
    assert_eq!(old_times["last_read"], 1);
    assert_eq!(old_times["last_message"]["text"], "second");
    let history = carol.history("9", None, None).await;
    let texts: Vec<&str> = history.body.as_array().expect("a page").iter().filter_map(|m| m["text"].as_str()).collect();
    assert_eq!(texts, vec!["first", "second"]);
    let public = carol.post("/api/rooms/public", &[]).await;
    let ids: Vec<&str> = public.body.as_array().expect("a list").iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids, vec!["0", "9"]);
    // The old messages read at the rev of their seq, and are the room's
    // changes from rev 0.
    assert_eq!(history.body[0]["rev"], 1);
    let changes = carol
        .post("/api/messages/changes", &[("room_id", "9"), ("after_rev", "0")])
        .await;
    let revs: Vec<u64> = changes.body.as_array().expect("a list").iter().filter_map(|m| m["rev"].as_u64()).collect();
    assert_eq!(revs, vec![1, 2]);
    // The old history is indexed for search (layout 4).
    let found = carol.post("/api/search", &[("q", "seco")]).await;
    assert_eq!(found.body.as_array().map(Vec::len), Some(1), "{:?}", found.body);
    assert_eq!(found.body[0]["text"], "second");
    // Sending goes on where the room was, and so do revisions.
    let sent = carol.send("9", "third").await;
    assert_eq!(sent.body["seq"], 3, "{:?}", sent.body);
    assert_eq!(sent.body["rev"], 3);
    let edited = carol
        .post("/api/messages/edit", &[("room_id", "9"), ("seq", "1"), ("text", "first!")])
        .await;
    assert_eq!(edited.body["rev"], 4, "{:?}", edited.body);
    // A new name cannot take an old one.
    let taken = carol.post("/api/register", &[("username", "Carol"), ("password", PASSWORD)]).await;
    assert_eq!(taken.status, 409);
    // Old room names are claimed by their look (layout 5): neither the
    // name in another case nor a look-alike makes a second room.
    for alike in ["old times", "0ld Times"] {
        let taken = carol.post("/api/rooms/create", &[("name", alike)]).await;
        assert_eq!(taken.status, 409, "{alike}: {:?}", taken.body);
    }

    // Nothing of layout 1 is left, and the layout says so.
    let left: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{p}user:*"))
        .query_async(&mut conn)
        .await
        .expect("redis answers");
    assert!(left.is_empty(), "{left:?}");
    for gone in ["public_rooms", "online_users", "room:9", "room:9:seq", "room_name:old times", "room_name:general"] {
        let exists: bool = redis::cmd("EXISTS")
            .arg(format!("{p}{gone}"))
            .query_async(&mut conn)
            .await
            .expect("redis answers");
        assert!(!exists, "{gone} is still there");
    }
    let layout: u32 = redis::cmd("GET")
        .arg(format!("{p}layout"))
        .query_async(&mut conn)
        .await
        .expect("redis answers");
    assert_eq!(layout, confab::server::store::keys::LAYOUT_VERSION);
}

/// How many messages `client` finds searching for `q`.
async fn found(client: &crate::helpers::Client, q: &str) -> usize {
    let reply = client.post("/api/search", &[("q", q)]).await;
    reply.body.as_array().map(Vec::len).unwrap_or_default()
}

/// A deployment of layout 5 indexed search words lowercased only: the
/// upgrade to layout 6 indexes its history again, folded in full, so that
/// "strasse" (and "Straße", which a query now folds so) finds a message
/// of then.
#[tokio::test]
async fn a_layout_5_search_index_is_folded_again() {
    use confab::model::RoomId;

    let redis = TestRedis::start().await;
    let p = unique_prefix();
    let app = TestApp::spawn_with(&redis, &p, |_| {}).await;
    let alice = app.client();
    alice.signed_up("alice").await;
    assert_eq!(alice.send("0", "Große Straße").await.status, 200);
    // What layout 5 wrote for it, and its version.
    let keys = app.state.store.keys();
    let general = RoomId::GENERAL;
    let entry = |word: &str| format!("{word}\0{:010x}", 1);
    let mut conn = redis.connection().await;
    let _: () = redis::pipe()
        .del(keys.room_search(&general))
        .zadd(keys.room_search(&general), entry("große"), 0)
        .zadd(keys.room_search(&general), entry("straße"), 0)
        .hset(keys.room_search_words(&general), 1, " große straße ")
        .query_async(&mut conn)
        .await
        .expect("the old index is written");
    let _: () = redis::cmd("SET")
        .arg(keys.layout())
        .arg(5)
        .query_async(&mut conn)
        .await
        .expect("redis answers");
    assert_eq!(found(&alice, "strasse").await, 0, "the old index, as it was");

    let upgraded = TestApp::spawn_with(&redis, &p, |_| {}).await;
    let alice = upgraded.client();
    assert_eq!(alice.login("alice", crate::helpers::PASSWORD).await.status, 200);
    assert_eq!(found(&alice, "strasse").await, 1);
    assert_eq!(found(&alice, "Straße grosse").await, 1);
    let layout: u32 = redis::cmd("GET")
        .arg(keys.layout())
        .query_async(&mut conn)
        .await
        .expect("redis answers");
    assert_eq!(layout, confab::server::store::keys::LAYOUT_VERSION);
}
