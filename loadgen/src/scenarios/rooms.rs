//! Many rooms: N sockets over R rooms of about ten members each (team
//! chat). Room r holds users r*m .. r*m+m-1 (mod the users); one socket of
//! each room's first member sends there, the total rate spread evenly over
//! the rooms. A message reaches every socket of every member.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use confab::model::RoomId;
use futures::stream::{self, StreamExt, TryStreamExt};

use crate::report::{round, Report};
use crate::traffic::{Sender, Step};
use crate::ws::Board;

use super::{board_notes, connect_notes, Ctx};

pub async fn run(ctx: &Ctx<'_>, n: usize) -> Report {
    match run_inner(ctx, n).await {
        Ok(report) => report,
        Err(e) => Report::failed("rooms", e),
    }
}

async fn run_inner(ctx: &Ctx<'_>, n: usize) -> Result<Report, String> {
    let args = ctx.args;
    let users = ctx.users.len().min(n).max(1);
    let members = args.room_members.clamp(1, users);
    let count = args.rooms.unwrap_or(n / 10).max(1);
    let member_lists: Vec<Vec<usize>> = (0..count)
        .map(|r| (0..members).map(|j| (r * members + j) % users).collect())
        .collect();
    let rooms: Vec<RoomId> = stream::iter(member_lists.iter().enumerate())
        .map(|(r, list)| {
            let owner = &ctx.users[list[0]];
            let name = format!("loadgen rooms {r} {}", ctx.tag);
            async move { ctx.api.create_room(owner, &name).await }
        })
        .buffered(16)
        .try_collect()
        .await?;
    let joins = member_lists
        .iter()
        .zip(&rooms)
        .flat_map(|(list, room)| {
            list[1..]
                .iter()
                .map(move |&u| (&ctx.users[u], room.clone()))
        })
        .collect();
    ctx.api.join_all(joins).await?;

    let board = Arc::new(Board::default());
    let connected = ctx
        .open(&format!("rooms n={n} connect"), n, users, &board)
        .await?;
    let mut sockets_of = vec![0u64; users];
    let mut first_socket = vec![None; users];
    for (i, socket) in connected.sockets.iter().enumerate() {
        sockets_of[socket.user] += 1;
        first_socket[socket.user].get_or_insert(i);
    }
    // Each room's sender: the first socket of its first member.
    let per_room = args.rate / count as f64;
    let mut by_socket: BTreeMap<usize, Vec<(RoomId, u64)>> = BTreeMap::new();
    let mut reach_total = 0;
    let mut silent = 0;
    for (list, room) in member_lists.iter().zip(&rooms) {
        let reach: u64 = list.iter().map(|&u| sockets_of[u]).sum();
        reach_total += reach;
        match first_socket[list[0]] {
            Some(i) => by_socket.entry(i).or_default().push((room.clone(), reach)),
            None => silent += 1,
        }
    }
    let senders: Vec<Sender> = by_socket
        .into_iter()
        .map(|(i, rooms)| Sender {
            sink: connected.sockets[i].sink.clone(),
            rate: per_room * rooms.len() as f64,
            rooms,
        })
        .collect();

    let mut report = Report::new("rooms");
    report
        .params
        .add("sockets", connected.sockets.len())
        .add("users", users)
        .add("instances", ctx.instances())
        .add("rooms", count)
        .add("members_per_room", members)
        .add("sockets_per_room", round(reach_total as f64 / count as f64))
        .add(
            "rooms_per_user",
            round((count * members) as f64 / users as f64),
        )
        .add("senders", senders.len())
        .add("rate", args.rate)
        .add("seconds", args.duration);
    if silent > 0 {
        report
            .notes
            .push(format!("{silent} rooms had no open socket to send from"));
    }
    let step = Step {
        label: format!("rooms n={n}"),
        index: 0,
        duration: Duration::from_secs(args.duration),
        drain: Duration::from_secs(args.drain),
        pad: args.pad,
    };
    let figures = ctx.run_step(&board, &senders, &step).await;
    report.figures.traffic(&figures);
    report.delivered = figures.delivered > 0;
    connect_notes(&mut report, &connected);
    board_notes(&mut report, &board);
    ctx.close(connected).await;
    Ok(report)
}
