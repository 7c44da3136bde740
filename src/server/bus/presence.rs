//! The instance heartbeat, and the reaper that clears what dead instances
//! held: users of an instance killed without warning go offline within
//! the heartbeat TTL plus one period.

use std::sync::atomic::Ordering;

use crate::server::events::InstanceId;
use crate::server::store::PresenceChange;

use super::Bus;

pub(super) async fn run(bus: Bus) {
    let period = bus.inner.heartbeat_ttl / 3;
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        bus.beat().await;
        bus.reap().await;
    }
}

impl Bus {
    /// Refreshes this instance's heartbeat. If it had lapsed (Redis was
    /// away too long, or restarted empty), peers may have cleared our
    /// users: count them in again, once no peer is clearing any more (a
    /// recount before a peer's clearing ends would be undone by it).
    async fn beat(&self) {
        let ttl = self.inner.heartbeat_ttl.as_secs().max(1);
        let beat = match self.store().heartbeat(self.instance(), ttl).await {
            Ok(beat) => beat,
            Err(err) => return tracing::warn!(error = %err, "heartbeat failed"),
        };
        if beat.lapsed {
            self.inner.recount_owed.store(true, Ordering::Relaxed);
        }
        if beat.reaping || !self.inner.recount_owed.load(Ordering::Relaxed) {
            return;
        }
        // Alone at the gate: no socket is between the hub and its count,
        // so the recount neither misses nor doubles one.
        let _gate = self.inner.presence_gate.write().await;
        let users = self.hub().counted_users();
        let mut restored = true;
        for (user, count) in users {
            let change = PresenceChange::Reset(count as u64);
            if let Err(err) = self.count_presence(&user, change).await {
                tracing::warn!(error = %err, "cannot restore presence");
                restored = false;
            }
        }
        self.inner.recount_owed.store(!restored, Ordering::Relaxed);
    }

    /// Takes the users of instances without a heartbeat offline.
    async fn reap(&self) {
        let dead = match self.store().dead_instances().await {
            Ok(dead) => dead,
            Err(err) => return tracing::warn!(error = %err, "cannot look for dead instances"),
        };
        for instance in dead.into_iter().filter(|i| i != self.instance()) {
            match self.store().claim_dead_instance(&instance).await {
                Ok(true) => {}
                // Alive again, or another peer clears it.
                Ok(false) => continue,
                Err(err) => {
                    tracing::warn!(error = %err, %instance, "cannot claim a dead instance");
                    continue;
                }
            }
            tracing::info!(%instance, "clearing the presence of a dead instance");
            if let Err(err) = self.clear_instance(&instance).await {
                tracing::warn!(error = %err, %instance, "cannot clear a dead instance");
            }
        }
    }

    /// Clears the users of an instance this one has claimed.
    async fn clear_instance(&self, instance: &InstanceId) -> Result<(), crate::server::store::StoreError> {
        for id in self.store().instance_users(instance).await? {
            if let Some(user) = self.store().user(id).await? {
                self.count_presence_on(instance, &user, PresenceChange::Gone)
                    .await?;
            }
        }
        self.store().forget_instance(instance).await
    }
}
