//! The instance heartbeat, and the reaper that clears what dead instances
//! held: users of an instance killed without warning go offline within
//! the heartbeat TTL plus one period.

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
    /// users: count them in again.
    async fn beat(&self) {
        let ttl = self.inner.heartbeat_ttl.as_secs().max(1);
        match self.store().heartbeat(self.instance(), ttl).await {
            Ok(true) => {
                // Alone at the gate: no socket is between the hub and its
                // count, so the recount neither misses nor doubles one.
                let _gate = self.inner.presence_gate.write().await;
                let users = self.hub().counted_users();
                for (user, count) in users {
                    let change = PresenceChange::Reset(count as u64);
                    if let Err(err) = self.count_presence(&user, change).await {
                        tracing::warn!(error = %err, "cannot restore presence");
                    }
                }
            }
            Ok(false) => {}
            Err(err) => tracing::warn!(error = %err, "heartbeat failed"),
        }
    }

    /// Takes the users of instances without a heartbeat offline.
    async fn reap(&self) {
        let dead = match self.store().dead_instances().await {
            Ok(dead) => dead,
            Err(err) => return tracing::warn!(error = %err, "cannot look for dead instances"),
        };
        for instance in dead.into_iter().filter(|i| i != self.instance()) {
            tracing::info!(%instance, "clearing the presence of a dead instance");
            if let Err(err) = self.clear_instance(&instance).await {
                tracing::warn!(error = %err, %instance, "cannot clear a dead instance");
            }
        }
    }

    async fn clear_instance(&self, instance: &InstanceId) -> Result<(), crate::server::store::StoreError> {
        for id in self.store().instance_users(instance).await? {
            if let Some(user) = self.store().user(id).await? {
                // Atomically re-checks that the instance is still dead: a
                // slow instance that beat again keeps its users online.
                self.count_presence_on(instance, &user, PresenceChange::Reaped)
                    .await?;
            }
        }
        self.store().forget_instance(instance, true).await?;
        Ok(())
    }
}
