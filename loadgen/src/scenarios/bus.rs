//! The bus ratio: what each instance receives from Redis against what it
//! serves. Rooms of `room_members` people each; the members of even rooms
//! sit on one instance, those of odd rooms on two (room r's member j on
//! instance (r + j % span) % K). One member of each room sends there. Per
//! instance, from its /metrics before and after: the message events it
//! received and the ones it delivered to at least one socket here. An
//! instance that hears only the rooms it serves has a ratio of 1.0.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use confab::model::RoomId;
use futures::stream::{self, StreamExt, TryStreamExt};

use crate::report::{round, Report};
use crate::traffic::{Sender, Step};
use crate::ws::{self, Board, Target};

use super::{board_notes, connect_notes, Ctx};

pub async fn run(ctx: &Ctx<'_>) -> Report {
    match run_inner(ctx).await {
        Ok(report) => report,
        Err(e) => Report::failed("bus", e),
    }
}

/// One room: its id, its members (user indexes) and where each sits.
struct Placed {
    id: RoomId,
    members: Vec<(usize, usize)>,
}

async fn run_inner(ctx: &Ctx<'_>) -> Result<Report, String> {
    let args = ctx.args;
    let k = ctx.instances();
    let users = ctx.users.len();
    let members = args.room_members.clamp(1, users);
    let count = args.rooms.unwrap_or(users / members).max(1);
    let rooms: Vec<RoomId> = stream::iter(0..count)
        .map(|r| {
            let owner = &ctx.users[(r * members) % users];
            let name = format!("loadgen bus {r} {}", ctx.tag);
            async move { ctx.api.create_room(owner, &name).await }
        })
        .buffered(16)
        .try_collect()
        .await?;
    let placed: Vec<Placed> = rooms
        .into_iter()
        .enumerate()
        .map(|(r, id)| {
            let span = if r % 2 == 0 { 1 } else { 2 };
            let members = (0..members)
                .map(|j| ((r * members + j) % users, (r + j % span) % k))
                .collect();
            Placed { id, members }
        })
        .collect();
    let joins = placed
        .iter()
        .flat_map(|room| {
            room.members[1..]
                .iter()
                .map(move |&(u, _)| (&ctx.users[u], room.id.clone()))
        })
        .collect();
    ctx.api.join_all(joins).await?;

    let targets: Vec<Target> = placed
        .iter()
        .flat_map(|room| room.members.iter())
        .map(|&(user, instance)| {
            let at = &ctx.cluster.instances[instance];
            Target {
                ws_url: at.ws_url(),
                origin: at.base.clone(),
                cookie: ctx.users[user].cookie.clone(),
                user,
                instance,
            }
        })
        .collect();
    let board = Arc::new(Board::default());
    let connected = ws::connect_all(targets, &board, args.connect_concurrency).await;
    if connected.sockets.is_empty() {
        return Err(format!(
            "no socket opened: {}",
            connected.first_failure.clone().unwrap_or_default()
        ));
    }
    // Each room's sender: the socket of its first member; a message there
    // reaches every socket of every member (each user is in one room).
    let socket_of: HashMap<usize, usize> = connected
        .sockets
        .iter()
        .enumerate()
        .map(|(i, socket)| (socket.user, i))
        .collect();
    let senders: Vec<Sender> = placed
        .iter()
        .filter_map(|room| {
            let socket = &connected.sockets[*socket_of.get(&room.members[0].0)?];
            Some(Sender {
                sink: socket.sink.clone(),
                rooms: vec![(room.id.clone(), room.members.len() as u64)],
                rate: args.rate / count as f64,
            })
        })
        .collect();

    let before = read_all(ctx).await?;
    let step = Step {
        label: "bus".into(),
        index: 0,
        duration: Duration::from_secs(args.duration),
        drain: Duration::from_secs(args.drain),
        pad: args.pad,
    };
    let figures = ctx.run_step(&board, &senders, &step).await;
    let after = read_all(ctx).await?;

    let mut report = Report::new("bus");
    report
        .params
        .add("instances", k)
        .add("rooms", count)
        .add("members_per_room", members)
        .add("rooms_on_one_instance", count.div_ceil(2))
        .add("rooms_on_two_instances", count / 2)
        .add("sockets", connected.sockets.len())
        .add("rate", args.rate)
        .add("seconds", args.duration);
    report.figures.traffic(&figures);
    let mut worst: f64 = 0.0;
    for (i, (was, now)) in before.iter().zip(&after).enumerate() {
        let received = now.received - was.received;
        let delivered = now.delivered - was.delivered;
        let ratio = if delivered == 0 {
            0.0
        } else {
            received as f64 / delivered as f64
        };
        worst = worst.max(ratio);
        report.steps.push({
            let mut row = crate::report::Pairs::default();
            row.add("instance", i)
                .add("messages_received", received)
                .add("messages_delivered", delivered)
                .add("received_per_delivered", round(ratio))
                .add("channels_followed", now.channels);
            row
        });
    }
    report.figures.add("worst_received_per_delivered", round(worst));
    report.delivered = figures.delivered > 0;
    connect_notes(&mut report, &connected);
    board_notes(&mut report, &board);
    ctx.close(connected).await;
    Ok(report)
}

/// An instance's message counters, from its /metrics.
#[derive(Default)]
struct BusReading {
    received: u64,
    delivered: u64,
    channels: u64,
}

async fn read_all(ctx: &Ctx<'_>) -> Result<Vec<BusReading>, String> {
    let mut readings = Vec::new();
    for instance in &ctx.cluster.instances {
        let url = format!("{}/metrics", instance.base);
        let text = ctx
            .api
            .http
            .get(&url)
            .send()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?
            .text()
            .await
            .map_err(|e| format!("GET {url}: {e}"))?;
        readings.push(parse(&text));
    }
    Ok(readings)
}

fn parse(text: &str) -> BusReading {
    let value = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().parse().ok())
            .unwrap_or(0)
    };
    BusReading {
        received: value("confab_bus_events_received_total{kind=\"message\"}"),
        delivered: value("confab_bus_events_delivered_total{kind=\"message\"}"),
        channels: value("confab_bus_channels "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_counters_are_read_from_metrics() {
        let text = "# HELP x\nconfab_bus_channels 12\n\
            confab_bus_events_received_total{kind=\"message\"} 40\n\
            confab_bus_events_received_total{kind=\"presence\"} 3\n\
            confab_bus_events_delivered_total{kind=\"message\"} 38\n";
        let reading = parse(text);
        assert_eq!(reading.received, 40);
        assert_eq!(reading.delivered, 38);
        assert_eq!(reading.channels, 12);
    }
}
