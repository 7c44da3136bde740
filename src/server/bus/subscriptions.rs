//! `Subscriptions`: the channels this instance wants to hear, and the
//! pub/sub connection (while there is one) that hears them.
//!
//! The bus decides what is wanted from its hub, holding the lock
//! ([`Subscriptions::lock`]) from the decision to Redis's confirmation,
//! so that decisions and SUBSCRIBE/UNSUBSCRIBE commands happen in one
//! order and what is subscribed always ends as the hub needs it. Without
//! a connection, changes are only noted; attaching a new connection
//! subscribes everything wanted.

use std::collections::HashSet;

use tokio::sync::{Mutex, MutexGuard};

use crate::server::store::{BusSubscriber, StoreResult};

#[derive(Default)]
pub struct Subscriptions {
    state: Mutex<State>,
}

#[derive(Default)]
pub struct State {
    wanted: HashSet<String>,
    link: Option<BusSubscriber>,
}

impl Subscriptions {
    pub async fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().await
    }
}

impl State {
    pub fn wants(&self, channel: &str) -> bool {
        self.wanted.contains(channel)
    }

    pub fn count(&self) -> usize {
        self.wanted.len()
    }

    /// Wants `channels` too, and subscribes them if connected. A failure
    /// is logged: the connection is going, and its successor subscribes
    /// everything wanted.
    pub async fn add(&mut self, channels: Vec<String>) {
        if channels.is_empty() {
            return;
        }
        self.wanted.extend(channels.iter().cloned());
        if let Some(link) = self.link.as_mut() {
            if let Err(err) = link.subscribe(&channels).await {
                tracing::warn!(error = %err, "subscribe failed; the bus will resubscribe");
            }
        }
    }

    /// No longer wants `channels`.
    pub async fn remove(&mut self, channels: Vec<String>) {
        if channels.is_empty() {
            return;
        }
        for channel in &channels {
            self.wanted.remove(channel);
        }
        if let Some(link) = self.link.as_mut() {
            if let Err(err) = link.unsubscribe(&channels).await {
                tracing::warn!(error = %err, "unsubscribe failed");
            }
        }
    }

    /// Takes a new connection and subscribes it to everything wanted.
    pub async fn attach(&mut self, mut link: BusSubscriber) -> StoreResult<()> {
        let channels: Vec<String> = self.wanted.iter().cloned().collect();
        link.subscribe(&channels).await?;
        self.link = Some(link);
        Ok(())
    }

    /// The connection is gone.
    pub fn detach(&mut self) {
        self.link = None;
    }
}
