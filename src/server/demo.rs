//! Demo data (`--demo`): a few people, rooms, direct rooms and a few hundred
//! messages, so a first run shows a living chat. Only ever on a Redis that
//! holds no users.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::AppError;
use crate::model::{MessageText, Password, RoomId, RoomName, User, Username};
use crate::server::events::Envelope;
use crate::server::password;
use crate::server::store::{Draft, Budget, SendOutcome, Store};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "confab-demo";

const PEOPLE: [&str; 5] = ["alice", "bob", "carol", "dave", "erin"];
const ROOMS: [&str; 3] = ["Random", "Rust", "Design"];
const LINES: [&str; 16] = [
    "Morning, everyone!",
    "Has anyone looked at the release notes yet?",
    "I pushed a fix for the flaky test.",
    "Lunch at noon?",
    "The new build is twice as fast here.",
    "Can someone review my change before the stand-up?",
    "Reading the docs on keyset paging now.",
    "Redis is holding up nicely under the load test.",
    "I like the new sidebar colours.",
    "Coffee first, then code.",
    "Shipping it after one more look.",
    "Who owns the on-call rota this week?",
    "That bug was a missing await, of course.",
    "Nice work on the dark mode!",
    "See https://www.rust-lang.org for the announcement.",
    "Back in ten minutes.",
];
const MESSAGES: usize = 300;

/// Fills `store` with demo data unless it already holds users. Answers
/// whether it did.
pub async fn seed(store: &Store) -> Result<bool, AppError> {
    if !store.claim_demo().await? {
        return Ok(false);
    }
    let mut people = Vec::new();
    for name in PEOPLE {
        let username = Username::parse(name)?;
        let hash = password::hash(Password::parse(DEMO_PASSWORD.to_owned())?).await?;
        if let Some(user) = store.create_user(&username, &hash).await? {
            people.push(user);
        }
    }
    let mut rooms = vec![RoomId::GENERAL];
    for (i, name) in ROOMS.iter().enumerate() {
        let Some(room) = store
            .create_room(&RoomName::parse(name)?, people[i].id)
            .await?
        else {
            continue;
        };
        for person in &people {
            store.add_member(&room.id, person.id).await?;
        }
        rooms.push(room.id);
    }
    for (a, b) in [(0, 1), (1, 2), (0, 3)] {
        if let Some(id) = RoomId::direct(people[a].id, people[b].id) {
            store.open_direct(&id).await?;
            rooms.push(id);
        }
    }
    write_history(store, &people, &rooms).await?;
    Ok(true)
}

/// `MESSAGES` messages over the last three days, spread over the rooms.
async fn write_history(store: &Store, people: &[User], rooms: &[RoomId]) -> Result<(), AppError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let span = 3 * 24 * 3600 * 1000u64;
    let unlimited = Budget {
        burst: u32::MAX,
        per_second: 1e9,
    };
    let envelope = Envelope::new(None);
    for i in 0..MESSAGES {
        let room = &rooms[i % rooms.len()];
        let sender = match room {
            RoomId::Direct(low, high) => people
                .iter()
                .find(|p| p.id == if i % 2 == 0 { *low } else { *high }),
            RoomId::Public(_) => people.get(i * 3 % people.len()),
        };
        let Some(sender) = sender else { continue };
        let text = MessageText::parse(LINES[i * 5 % LINES.len()])?;
        let date = now - span + span * i as u64 / MESSAGES as u64;
        let draft = Draft {
            room,
            sender,
            text: &text,
            date,
            nonce: None,
            retry: false,
            reply_to: None,
            named: &[],
            via: None,
        };
        if !matches!(
            store.send_message(&draft, unlimited, &envelope).await?,
            SendOutcome::Stored(_)
        ) {
            tracing::warn!(room = %room, "a demo message was not stored");
        }
    }
    Ok(())
}
