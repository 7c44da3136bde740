//! Fan-out: N sockets in one room, P of them sending at a total rate R for
//! D seconds. Every message should reach all N sockets; reports deliveries
//! per second and send-to-receipt latency.

use std::sync::Arc;
use std::time::Duration;

use confab::model::RoomId;

use crate::report::{Pairs, Report};
use crate::traffic::{Sender, Step};
use crate::ws::Board;

use super::{board_notes, connect_notes, Ctx};

/// A room of `users` members, `n` sockets open in it, and `senders` of
/// them ready to send: shared with the ramp.
pub struct Setup {
    pub room: RoomId,
    pub users: usize,
    pub board: Arc<Board>,
    pub connected: crate::ws::Connected,
    pub senders: usize,
}

pub async fn setup(ctx: &Ctx<'_>, label: &str, n: usize) -> Result<Setup, String> {
    let users = ctx.users.len().min(n).max(1);
    let owner = &ctx.users[0];
    let room = ctx
        .api
        .create_room(owner, &format!("loadgen {label} {n} {}", ctx.tag))
        .await?;
    let joins = ctx.users[1..users]
        .iter()
        .map(|u| (u, room.clone()))
        .collect();
    ctx.api.join_all(joins).await?;
    let board = Arc::new(Board::default());
    let connected = ctx
        .open(&format!("{label} n={n} connect"), n, users, &board)
        .await?;
    let senders = ctx.args.senders.clamp(1, connected.sockets.len());
    Ok(Setup {
        room,
        users,
        board,
        connected,
        senders,
    })
}

impl Setup {
    /// Adds the parameters every run on this setup reports.
    pub fn describe<'p>(&self, ctx: &Ctx<'_>, params: &'p mut Pairs) -> &'p mut Pairs {
        params
            .add("sockets", self.connected.sockets.len())
            .add("users", self.users)
            .add("instances", ctx.instances())
            .add("senders", self.senders)
    }

    /// The senders at a total `rate`; each message should reach every
    /// open socket.
    pub fn senders(&self, rate: f64) -> Vec<Sender> {
        let reach = self.connected.sockets.len() as u64;
        self.connected.sockets[..self.senders]
            .iter()
            .map(|socket| Sender {
                sink: socket.sink.clone(),
                rooms: vec![(self.room.clone(), reach)],
                rate: rate / self.senders as f64,
            })
            .collect()
    }
}

pub async fn run(ctx: &Ctx<'_>, n: usize) -> Report {
    let mut report = Report::new("fanout");
    let setup = match setup(ctx, "fanout", n).await {
        Ok(setup) => setup,
        Err(e) => return Report::failed("fanout", e),
    };
    let args = ctx.args;
    setup
        .describe(ctx, &mut report.params)
        .add("rate", args.rate)
        .add("seconds", args.duration)
        .add("pad_bytes", args.pad);
    let step = Step {
        label: format!("fanout n={n}"),
        index: 0,
        duration: Duration::from_secs(args.duration),
        drain: Duration::from_secs(args.drain),
        pad: args.pad,
    };
    let figures = ctx.run_step(&setup.board, &setup.senders(args.rate), &step).await;
    report.figures.traffic(&figures);
    report.delivered = figures.delivered > 0;
    connect_notes(&mut report, &setup.connected);
    board_notes(&mut report, &setup.board);
    ctx.close(setup.connected).await;
    report
}
