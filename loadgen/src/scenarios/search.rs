//! Search: M messages in R rooms, one person a member of K of them, then
//! one- and two-word queries through `POST /api/search` as that person:
//! p50 and p99 of each kind, and what the index costs in Redis per message.
//!
//! The history is written straight into the Redis of instances this load
//! generator started, through the store's own send path
//! (`Store::send_message`, the script that stores a message and indexes
//! its words in one step), far faster than a million HTTP sends; the
//! queries go through the server like any client's. Texts are words drawn
//! from a made-up vocabulary with Zipf's law (a few words very common,
//! most rare), as words are in chat.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use confab::model::{MessageText, Password, RoomId, RoomName, User, Username};
use confab::server::events::Envelope;
use confab::server::password;
use confab::server::store::{Draft, Keys, Budget, SendOutcome, SessionToken, Store};
use futures::stream::{self, StreamExt, TryStreamExt};

use crate::api::PASSWORD;
use crate::hist::Histogram;
use crate::progress::Progress;
use crate::report::{round, Report};

use super::Ctx;

/// Words in the made-up vocabulary.
const VOCABULARY: usize = 20_000;
/// Words in a message: from MIN_WORDS to MIN_WORDS + WORD_SPREAD - 1.
const MIN_WORDS: usize = 5;
const WORD_SPREAD: usize = 10;
/// Sends in flight at once while the history is written.
const SEED_CONCURRENCY: usize = 128;

pub async fn run(ctx: &Ctx<'_>) -> Report {
    let mut report = Report::new("search");
    match measure(ctx, &mut report).await {
        Ok(()) => report.delivered = true,
        Err(e) => report.error = Some(e),
    }
    report
}

async fn measure(ctx: &Ctx<'_>, report: &mut Report) -> Result<(), String> {
    let args = ctx.args;
    let (messages, rooms, member_of, queries) = if args.smoke {
        (2_000, 20, 5, 40)
    } else {
        (args.search_messages, args.search_rooms, args.search_member_of, args.search_queries)
    };
    let member_of = member_of.clamp(1, rooms.max(1));
    report
        .params
        .add("messages", messages)
        .add("rooms", rooms)
        .add("searcher_member_of", member_of)
        .add("queries_each", queries)
        .add("vocabulary_words", VOCABULARY)
        .add("words_per_message", format!("{MIN_WORDS} to {}", MIN_WORDS + WORD_SPREAD - 1))
        .add("query_concurrency", 1)
        .add("instances", ctx.instances());
    let (Some(target), Some(prefix)) = (&ctx.cluster.redis_target, &ctx.cluster.key_prefix) else {
        return Err("search needs instances this load generator started".into());
    };
    let store = Store::connect(target, prefix)
        .await
        .map_err(|e| format!("cannot reach Redis at {target}: {e}"))?;
    let words = Vocabulary::new();
    let (owner, searcher) = people(&store, &ctx.tag).await?;
    let room_ids = make_rooms(&store, &ctx.tag, &owner, rooms).await?;
    // The searcher's rooms: every (rooms / member_of)-th, spread over all.
    let step = (rooms / member_of).max(1);
    for room in room_ids.iter().step_by(step).take(member_of) {
        store.add_member(room, searcher.0.id).await.map_err(|e| format!("join: {e}"))?;
    }
    let before = used_memory(ctx).await;
    let seed_started = Instant::now();
    seed(&store, &owner, &room_ids, messages, &words).await?;
    let seed_secs = seed_started.elapsed().as_secs_f64();
    report.figures.add("history_written_per_sec", round(messages as f64 / seed_secs));
    if let (Some(before), Some(after)) = (before, used_memory(ctx).await) {
        report
            .figures
            .add("redis_bytes_per_message_in_all", round(after.saturating_sub(before) as f64 / messages as f64));
    }
    if let Some(index) = index_bytes(ctx, prefix, &room_ids).await {
        report.figures.add("index_bytes_per_message", round(index as f64 / messages as f64));
    }
    let mut rng = Rng(0x5eed_5eed);
    for (kind, words_in_query) in [("one_word", 1), ("two_words", 2)] {
        let latency = Histogram::default();
        let mut hits = 0usize;
        let asked = Arc::new(AtomicUsize::new(0));
        let _progress = Progress::counted(&format!("search {kind}"), queries, {
            let asked = asked.clone();
            move || asked.load(Ordering::Relaxed)
        });
        for i in 0..queries {
            asked.fetch_add(1, Ordering::Relaxed);
            let q: Vec<&str> = (0..words_in_query).map(|_| words.pick(&mut rng)).collect();
            let q = q.join(" ");
            let t0 = Instant::now();
            let (_, body) = ctx
                .api
                .post(i, "/api/search", Some(&searcher.1), &[("q", &q)])
                .await
                .map_err(|e| format!("search {q}: {e}"))?;
            latency.record_us(t0.elapsed().as_micros() as u64);
            let found: Vec<serde_json::Value> =
                serde_json::from_str(&body).map_err(|e| format!("search {q}: {e}: {body:.200}"))?;
            hits += found.len();
        }
        let summary = latency.summary();
        report
            .figures
            .add(&format!("{kind}_p50_ms"), round(summary.p50_ms))
            .add(&format!("{kind}_p99_ms"), round(summary.p99_ms))
            .add(&format!("{kind}_results_per_query"), round(hits as f64 / queries as f64));
    }
    Ok(())
}

/// The owner of every room (who writes the history) and the searcher
/// (with the session cookie the queries carry).
async fn people(store: &Store, tag: &str) -> Result<(User, (User, String)), String> {
    let password = Password::parse(PASSWORD.to_owned()).map_err(|e| e.to_string())?;
    let hash = password::hash(password).await.map_err(|e| format!("cannot hash the password: {e}"))?;
    let mut made = Vec::new();
    for role in ["owner", "searcher"] {
        let name = format!("se{tag}_{role}");
        let username = Username::parse(&name).map_err(|e| format!("{name}: {e}"))?;
        let user = store
            .create_user(&username, &hash)
            .await
            .map_err(|e| format!("create {name}: {e}"))?
            .ok_or_else(|| format!("{name} exists already"))?;
        made.push(user);
    }
    let searcher = made.pop().ok_or("no searcher")?;
    let owner = made.pop().ok_or("no owner")?;
    let token = SessionToken::generate().map_err(|e| e.to_string())?;
    store
        .create_session(&token, searcher.id, 3600)
        .await
        .map_err(|e| format!("a session: {e}"))?;
    Ok((owner, (searcher, format!("confab_session={}", token.as_str()))))
}

async fn make_rooms(store: &Store, tag: &str, owner: &User, rooms: usize) -> Result<Vec<RoomId>, String> {
    stream::iter(0..rooms)
        .map(|i| async move {
            let name = format!("search {tag} {i}");
            let name = RoomName::parse(&name).map_err(|e| format!("{name}: {e}"))?;
            store
                .create_room(&name, owner.id)
                .await
                .map_err(|e| format!("create {}: {e}", name.as_str()))?
                .map(|room| room.id)
                .ok_or_else(|| format!("{} exists already", name.as_str()))
        })
        .buffered(32)
        .try_collect()
        .await
}

/// Writes `messages` messages, message `i` in room `i % rooms`.
async fn seed(store: &Store, owner: &User, rooms: &[RoomId], messages: usize, words: &Vocabulary) -> Result<(), String> {
    let done = Arc::new(AtomicUsize::new(0));
    let _progress = {
        let done = done.clone();
        Progress::counted("history", messages, move || done.load(Ordering::Relaxed))
    };
    let unlimited = Budget {
        burst: u32::MAX,
        per_second: 1e9,
    };
    let envelope = Envelope::new(None);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
    stream::iter(0..messages)
        .map(|i| {
            let (done, envelope) = (done.clone(), &envelope);
            let mut rng = Rng((i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
            let count = MIN_WORDS + rng.below(WORD_SPREAD);
            let text: Vec<&str> = (0..count).map(|_| words.pick(&mut rng)).collect();
            async move {
                let text = MessageText::parse(&text.join(" ")).map_err(|e| e.to_string())?;
                let draft = Draft {
                    room: &rooms[i % rooms.len()],
                    sender: owner,
                    text: &text,
                    date: now - (messages - i) as u64,
                    nonce: None,
                    retry: false,
                    reply_to: None,
                    named: &[],
                    via: None,
                };
                match store.send_message(&draft, unlimited, envelope).await {
                    Ok(SendOutcome::Stored(_)) => {
                        done.fetch_add(1, Ordering::Relaxed);
                        Ok(())
                    }
                    Ok(_) => Err(format!("message {i} was not stored")),
                    Err(e) => Err(format!("message {i}: {e}")),
                }
            }
        })
        .buffer_unordered(SEED_CONCURRENCY)
        .try_collect()
        .await
}

/// Redis's `used_memory` (one Redis only).
async fn used_memory(ctx: &Ctx<'_>) -> Option<u64> {
    let mut conn = redis_conn(ctx).await?;
    let info: String = redis::cmd("INFO").arg("memory").query_async(&mut conn).await.ok()?;
    info.lines()
        .find_map(|line| line.strip_prefix("used_memory:"))
        .and_then(|n| n.trim().parse().ok())
}

/// The bytes the rooms' search keys hold (`MEMORY USAGE`, exact; one Redis
/// only).
async fn index_bytes(ctx: &Ctx<'_>, prefix: &str, rooms: &[RoomId]) -> Option<u64> {
    let mut conn = redis_conn(ctx).await?;
    let keys = Keys::new(prefix);
    let mut total = 0u64;
    for room in rooms {
        for key in [keys.room_search(room), keys.room_search_words(room)] {
            let bytes: Option<u64> = redis::cmd("MEMORY")
                .arg("USAGE")
                .arg(key)
                .arg("SAMPLES")
                .arg(0)
                .query_async(&mut conn)
                .await
                .ok()?;
            total += bytes.unwrap_or(0);
        }
    }
    Some(total)
}

async fn redis_conn(ctx: &Ctx<'_>) -> Option<redis::aio::MultiplexedConnection> {
    let confab::server::store::RedisTarget::Single(url) = ctx.cluster.redis_target.as_ref()? else {
        return None;
    };
    let client = redis::Client::open(url.as_str()).ok()?;
    tokio::time::timeout(Duration::from_secs(5), client.get_multiplexed_async_connection())
        .await
        .ok()?
        .ok()
}

/// Made-up words (syllables, so that they share prefixes as words do),
/// drawn by rank with Zipf's law: the word of rank r with weight 1 / r.
struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    fn new() -> Self {
        const SYLLABLES: [&str; 24] = [
            "ka", "lo", "mi", "ne", "ro", "ta", "vi", "zu", "ba", "de", "fo", "gu", "sha", "pe", "qui", "ri",
            "so", "te", "ul", "ve", "wa", "xi", "yo", "ze",
        ];
        let mut rng = Rng(42);
        let mut words = Vec::with_capacity(VOCABULARY);
        let mut seen = std::collections::HashSet::new();
        while words.len() < VOCABULARY {
            let syllables = 1 + rng.below(4);
            let word: String = (0..syllables).map(|_| SYLLABLES[rng.below(SYLLABLES.len())]).collect();
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        let mut total = 0.0;
        let cumulative = (1..=VOCABULARY)
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Vocabulary { words, cumulative }
    }

    fn pick(&self, rng: &mut Rng) -> &str {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let target = rng.unit() * total;
        let rank = self.cumulative.partition_point(|&c| c < target);
        &self.words[rank.min(self.words.len() - 1)]
    }
}

/// xorshift64*: a fixed, fast sequence (the runs are the same each time).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}
