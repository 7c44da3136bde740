//! The one clock of a run: nanoseconds since a process-wide epoch. Senders
//! stamp message texts with it and readers subtract it on receipt, so every
//! latency is measured on the same monotonic clock of this machine.

use std::sync::OnceLock;
use std::time::Instant;

static EPOCH: OnceLock<Instant> = OnceLock::new();

/// Fixes the epoch; call once at start (later calls are harmless).
pub fn init() {
    EPOCH.get_or_init(Instant::now);
}

/// Nanoseconds since the epoch.
pub fn now_ns() -> u64 {
    EPOCH.get_or_init(Instant::now).elapsed().as_nanos() as u64
}
