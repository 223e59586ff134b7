//! What the router, the handlers and the [`Simulator`](crate::Simulator) share: the account
//! state and the wake-up of the delivery task, and each middleware's own part.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::journal::Journal;
use crate::state::State;

/// What the router and the [`Simulator`](crate::Simulator) share. Handlers use `state` and
/// `wake`; each middleware is handed only its own part (`conformance`, `journal`, `faults`).
#[derive(Clone)]
pub(crate) struct Shared {
    pub(crate) state: Arc<Mutex<State>>,
    pub(crate) wake: Arc<tokio::sync::Notify>,
    /// The spec's validators of every operation.
    pub(crate) conformance: Arc<crate::conform::Conformance>,
    /// Every exchange, when the journal is on.
    pub(crate) journal: Option<Journal>,
    /// The fault injector (injects nothing unless configured).
    pub(crate) faults: Arc<crate::faults::Injector>,
}

impl Shared {
    /// The account state; a handler that panicked does not lock everyone else out.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
