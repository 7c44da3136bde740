//! `BusStats`: what this instance's bus heard and delivered, by kind of
//! event, for `/metrics` and the load generator's bus ratio.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::server::events::EventKind;

#[derive(Default)]
pub struct BusStats {
    received: [AtomicU64; EventKind::ALL.len()],
    delivered: [AtomicU64; EventKind::ALL.len()],
    frames: AtomicU64,
    slow_cut_off: AtomicU64,
    queue_overflows: AtomicU64,
    reconnects: AtomicU64,
    sync_waits: AtomicU64,
}

/// A reading of the counters.
#[derive(Debug, Clone, Default)]
pub struct BusCounts {
    /// Events received from Redis, by kind (in `EventKind::ALL` order).
    pub received: Vec<(EventKind, u64)>,
    /// Of those, the ones that reached at least one socket here.
    pub delivered: Vec<(EventKind, u64)>,
    /// Frames queued to sockets.
    pub frames: u64,
    /// Sockets closed as too slow, whatever the cause.
    pub slow_cut_off: u64,
    /// Of those, the ones whose queue overflowed.
    pub queue_overflows: u64,
    pub reconnects: u64,
    /// Syncs that waited for their reader's sync budget.
    pub sync_waits: u64,
}

impl BusStats {
    pub fn received(&self, kind: EventKind) {
        self.received[kind.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// An event reached `sockets` sockets here.
    pub fn delivered(&self, kind: EventKind, sockets: usize) {
        if sockets > 0 {
            self.delivered[kind.index()].fetch_add(1, Ordering::Relaxed);
            self.frames.fetch_add(sockets as u64, Ordering::Relaxed);
        }
    }

    /// A socket closed because a write to it waited past its deadline.
    pub fn cut_off(&self) {
        self.slow_cut_off.fetch_add(1, Ordering::Relaxed);
    }

    /// `sockets` closed because their queues overflowed.
    pub fn overflowed(&self, sockets: usize) {
        self.queue_overflows
            .fetch_add(sockets as u64, Ordering::Relaxed);
        self.slow_cut_off
            .fetch_add(sockets as u64, Ordering::Relaxed);
    }

    pub fn reconnected(&self) {
        self.reconnects.fetch_add(1, Ordering::Relaxed);
    }

    pub fn sync_waited(&self) {
        self.sync_waits.fetch_add(1, Ordering::Relaxed);
    }

    pub fn read(&self) -> BusCounts {
        let by_kind = |counters: &[AtomicU64]| {
            EventKind::ALL
                .iter()
                .map(|kind| (*kind, counters[kind.index()].load(Ordering::Relaxed)))
                .collect()
        };
        BusCounts {
            received: by_kind(&self.received),
            delivered: by_kind(&self.delivered),
            frames: self.frames.load(Ordering::Relaxed),
            slow_cut_off: self.slow_cut_off.load(Ordering::Relaxed),
            queue_overflows: self.queue_overflows.load(Ordering::Relaxed),
            reconnects: self.reconnects.load(Ordering::Relaxed),
            sync_waits: self.sync_waits.load(Ordering::Relaxed),
        }
    }
}
