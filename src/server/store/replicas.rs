//! Whether a cluster has replicas to wait for. A stored message is
//! acknowledged on a cluster only once `WAIT` says a replica has it
//! ([`super::Conn::replicated`]); on a cluster with no replicas that wait
//! can only time out, on every send. So the connection reads the
//! cluster's nodes (`CLUSTER NODES`) now and then and skips the wait while
//! no master has a healthy replica (after a wait no replica answered, a
//! second later). The knowledge is cluster-wide: a
//! cluster where some masters have replicas waits on every master, and a
//! master without one costs its sends the wait's timeout (logged).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a reading of the cluster's replicas stands.
const FRESH_FOR: Duration = Duration::from_secs(10);
/// How soon a reading is taken again after a wait no replica answered (a
/// master without a replica in a cluster with some would otherwise have
/// every one of its sends read the nodes).
const AGAIN_AFTER: Duration = Duration::from_secs(1);

/// What the connection last read of the cluster's replicas.
#[derive(Clone, Default)]
pub struct ReplicaWatch(Arc<Mutex<Reading>>);

#[derive(Default)]
struct Reading {
    /// Until when the last reading stands; `None` until the first.
    until: Option<Instant>,
    /// Whether any master had a healthy replica then.
    any: bool,
}

impl ReplicaWatch {
    /// Whether the cluster's replicas are to be read again.
    pub fn stale(&self) -> bool {
        self.with(|reading| reading.until.is_none_or(|until| Instant::now() >= until))
    }

    /// Takes in `CLUSTER NODES` as a node answered it.
    pub fn read(&self, nodes: &str) {
        let any = any_healthy_replica(nodes);
        self.with(|reading| {
            *reading = Reading {
                until: Some(Instant::now() + FRESH_FOR),
                any,
            }
        });
    }

    /// Whether a write has a replica to wait for: false only when the
    /// last reading found none (unknown counts as having one).
    pub fn worth_waiting(&self) -> bool {
        self.with(|reading| reading.until.is_none() || reading.any)
    }

    /// A wait that no replica answered: the nodes are read again soon (a
    /// replica may be gone, or a master without one took over), but not
    /// before [`AGAIN_AFTER`].
    pub fn forget(&self) {
        let soon = Instant::now() + AGAIN_AFTER;
        self.with(|reading| {
            reading.until = Some(reading.until.map_or(soon, |until| until.min(soon)));
        });
    }

    fn with<T>(&self, f: impl FnOnce(&mut Reading) -> T) -> T {
        f(&mut self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()))
    }
}

/// Whether `CLUSTER NODES` lists a replica that is not failing: a line
/// `<id> <addr> <flags> <master id> ...` whose flags say `slave` and not
/// `fail`, `fail?` or `noaddr`, and whose master is named.
fn any_healthy_replica(nodes: &str) -> bool {
    nodes.lines().any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (Some(flags), Some(master)) = (fields.get(2), fields.get(3)) else {
            return false;
        };
        let flags: Vec<&str> = flags.split(',').collect();
        flags.contains(&"slave")
            && *master != "-"
            && !flags
                .iter()
                .any(|f| matches!(*f, "fail" | "fail?" | "noaddr"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MASTERS_ONLY: &str = "\
a1 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460
b2 127.0.0.1:7001@17001 master - 0 1700000000000 2 connected 5461-10922
c3 127.0.0.1:7002@17002 master - 0 1700000000000 3 connected 10923-16383
";

    fn with_replica(flags: &str) -> String {
        format!("{MASTERS_ONLY}d4 127.0.0.1:7003@17003 {flags} a1 0 1700000000000 1 connected\n")
    }

    #[test]
    fn a_replica_counts_only_while_it_is_healthy() {
        assert!(!any_healthy_replica(MASTERS_ONLY));
        assert!(any_healthy_replica(&with_replica("slave")));
        assert!(any_healthy_replica(&with_replica("myself,slave")));
        for failing in ["slave,fail", "slave,fail?", "slave,noaddr"] {
            assert!(!any_healthy_replica(&with_replica(failing)), "{failing}");
        }
        assert!(!any_healthy_replica(""));
    }

    #[test]
    fn a_cluster_without_replicas_is_not_waited_for_until_read_again() {
        let watch = ReplicaWatch::default();
        assert!(watch.stale() && watch.worth_waiting(), "unknown: wait");
        watch.read(MASTERS_ONLY);
        assert!(!watch.stale() && !watch.worth_waiting());
        watch.read(&with_replica("slave"));
        assert!(watch.worth_waiting());
        watch.forget();
        assert!(!watch.stale() && watch.worth_waiting(), "read again, not at once");
    }
}
