//! Repeated deliveries. OSVI's retry policy for webhooks is not documented (the simulator
//! retries a delivery up to 4 times when it gets no 2xx in time), so a receiver can get the
//! same event twice, for example when its first answer was slow. [`Deliveries`] remembers
//! the last deliveries it saw, in bounded memory, and tells a repeat from a first delivery.
//!
//! A delivery is identified by its kind and call id (`call_log_id`): OSVI sends each kind of
//! payload once per call. A payload without a call id is identified by its exact bytes.

use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, Hash, Hasher, RandomState};
use std::sync::Mutex;

use super::WebhookEvent;

/// How many deliveries a receiver remembers by default (about 200 KiB).
pub const DEFAULT_REMEMBERED: usize = 10_000;

/// The last deliveries seen, to drop repeats. Holds at most `capacity` keys (64-bit hashes);
/// the oldest is forgotten first.
#[derive(Debug)]
pub struct Deliveries {
    capacity: usize,
    hasher: RandomState,
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    keys: HashSet<u64>,
    order: VecDeque<u64>,
}

/// A delivery recorded by [`Deliveries::first`]: forget it with [`Deliveries::forget`] when
/// it was not handled, so that OSVI's retry is handled instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryKey(u64);

impl Deliveries {
    /// Remembers up to `capacity` deliveries (at least one).
    pub fn new(capacity: usize) -> Self {
        Deliveries {
            capacity: capacity.max(1),
            hasher: RandomState::new(),
            seen: Mutex::new(Seen::default()),
        }
    }

    /// `Some(key)` the first time this delivery is seen (it is now remembered), `None` for a
    /// repeat. `body` is the raw payload, used for events without a call id.
    pub fn first(&self, event: &WebhookEvent, body: &[u8]) -> Option<DeliveryKey> {
        let key = self.key(event, body);
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if !seen.keys.insert(key) {
            return None;
        }
        seen.order.push_back(key);
        if seen.order.len() > self.capacity
            && let Some(oldest) = seen.order.pop_front()
        {
            seen.keys.remove(&oldest);
        }
        Some(DeliveryKey(key))
    }

    /// Forgets a delivery, so that the next one like it counts as a first.
    pub fn forget(&self, key: DeliveryKey) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.keys.remove(&key.0) {
            seen.order.retain(|k| *k != key.0);
        }
    }

    /// How many deliveries are remembered now.
    pub fn len(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .keys
            .len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn key(&self, event: &WebhookEvent, body: &[u8]) -> u64 {
        let mut hasher = self.hasher.build_hasher();
        match event.call_id() {
            Some(call) => (event.kind(), call).hash(&mut hasher),
            None => body.hash(&mut hasher),
        }
        hasher.finish()
    }
}

impl Default for Deliveries {
    fn default() -> Self {
        Deliveries::new(DEFAULT_REMEMBERED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::parse;

    #[test]
    fn a_repeat_is_told_apart_until_forgotten_or_pushed_out() {
        let deliveries = Deliveries::new(2);
        let body = br#"{"call_log_id": "c1", "call_summary": "ok"}"#;
        let event = parse(body).unwrap();
        let key = deliveries.first(&event, body).expect("first");
        assert_eq!(deliveries.first(&event, body), None);
        // Same call, other bytes (a field changed between retries): still a repeat.
        let again = br#"{"call_log_id": "c1", "call_summary": "ok", "retry": 1}"#;
        assert_eq!(deliveries.first(&parse(again).unwrap(), again), None);
        // The other generation for the same call is another delivery.
        let older = br#"{"call_log_id": "c1", "chat": "Agent: hi"}"#;
        assert!(deliveries.first(&parse(older).unwrap(), older).is_some());
        deliveries.forget(key);
        assert!(deliveries.first(&event, body).is_some());
        // Capacity 2: a third delivery pushes the oldest out.
        let other = br#"{"call_summary": "no call id"}"#;
        assert!(deliveries.first(&parse(other).unwrap(), other).is_some());
        assert_eq!(deliveries.len(), 2);
        assert!(deliveries.first(&parse(older).unwrap(), older).is_some());
    }
}
