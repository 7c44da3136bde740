//! The retention sweep: with `CONFAB_RETENTION_MESSAGES` or
//! `CONFAB_RETENTION_DAYS` set, one instance each period (whichever takes
//! the turn in Redis first) drops every room's messages past the limits
//! (`Store::trim_every_room`). Off by default: without a limit, no task
//! runs.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::server::config::Config;
use crate::server::store::{Retention, Store};

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// Starts the sweep if `config` sets a retention limit.
pub fn start(store: Store, config: &Config) {
    let (messages, days) = (config.retention_messages, config.retention_days);
    if messages == 0 && days == 0 {
        return;
    }
    let period = Duration::from_secs(config.retention_sweep_secs.max(1));
    tokio::spawn(async move {
        let mut every = tokio::time::interval(period);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            sweep(&store, messages, days, period).await;
        }
    });
}

async fn sweep(store: &Store, messages: u64, days: u64, period: Duration) {
    match store.take_retention_turn(period.as_secs()).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(err) => return tracing::warn!(error = %err, "cannot take the retention turn"),
    }
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let retention = Retention {
        messages,
        sent_after_ms: if days == 0 {
            0
        } else {
            now_ms.saturating_sub(days.saturating_mul(DAY_MS))
        },
    };
    match store.trim_every_room(retention).await {
        Ok((rooms, dropped)) => tracing::info!(rooms, dropped, "retention sweep done"),
        Err(err) => tracing::warn!(error = %err, "the retention sweep stopped early"),
    }
}
