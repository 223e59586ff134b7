//! The simulated clock: real time scaled by a speed factor, plus jumps tests make with
//! [`Simulator::advance`](crate::Simulator::advance).

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// Simulated time.
#[derive(Debug)]
pub(crate) struct Clock {
    origin: DateTime<Utc>,
    started: Instant,
    speed: f64,
    jumped: Duration,
}

impl Clock {
    /// A clock starting now, running `speed` times faster than real time.
    pub(crate) fn new(speed: f64) -> Clock {
        Clock {
            origin: Utc::now(),
            started: Instant::now(),
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                1.0
            },
            jumped: Duration::ZERO,
        }
    }

    /// The simulated now.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        let run = self
            .started
            .elapsed()
            .mul_f64(self.speed)
            .saturating_add(self.jumped);
        chrono::Duration::from_std(run)
            .ok()
            .and_then(|run| self.origin.checked_add_signed(run))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Moves simulated time forward by `by`.
    pub(crate) fn advance(&mut self, by: Duration) {
        self.jumped = self.jumped.saturating_add(by);
    }
}
