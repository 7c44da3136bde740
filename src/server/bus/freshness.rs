//! `PresenceOrder`: the latest presence version this instance has passed
//! on for each user, so that the announcement of an older flip that
//! arrives after a newer one's (they are published by different
//! instances, on different channels) is dropped instead of undoing it.

use std::collections::HashMap;

use crate::model::UserId;

/// Users remembered at most; past it the memory starts over (a stale
/// announcement can only cross a newer one within moments).
const KEPT: usize = 100_000;

#[derive(Default)]
pub struct PresenceOrder {
    latest: HashMap<UserId, u64>,
}

impl PresenceOrder {
    /// Whether an announcement of `user`'s flip `version` is to be passed
    /// on: it is, unless a later flip of theirs was. The same flip comes
    /// once per room that carries it, and each is passed on.
    pub fn admit(&mut self, user: UserId, version: u64) -> bool {
        if self.latest.get(&user).is_some_and(|latest| version < *latest) {
            return false;
        }
        if self.latest.len() >= KEPT && !self.latest.contains_key(&user) {
            self.latest.clear();
        }
        self.latest.insert(user, version);
        true
    }

    /// Forgets everything: after a reconnect, Redis may have come back with
    /// its counters started over.
    pub fn clear(&mut self) {
        self.latest.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overtaken_flip_is_dropped_and_a_repeated_one_passes() {
        let mut order = PresenceOrder::default();
        let alice = UserId(1);
        assert!(order.admit(alice, 3));
        assert!(order.admit(alice, 3), "the same flip from another room");
        assert!(!order.admit(alice, 2), "an older flip, late");
        assert!(order.admit(alice, 4));
        assert!(order.admit(UserId(2), 1), "each user has their own order");
        order.clear();
        assert!(order.admit(alice, 1));
    }
}
