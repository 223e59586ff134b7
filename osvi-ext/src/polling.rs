//! Polling until a condition holds, with growing intervals and a deadline; shared by
//! [`WaitForCall`](crate::calls::WaitForCall) and
//! [`WaitForDrain`](crate::campaigns::WaitForDrain); and the lookups that settle an
//! uncertain write under a [`ReconcilePolicy`] ([`look_up`]). Sleeps on tokio's clock.

use std::future::Future;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::retry::ReconcilePolicy;

/// When to poll: the first interval, growth factor, longest interval and deadline.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schedule {
    pub(crate) first: Duration,
    pub(crate) factor: f64,
    pub(crate) max: Duration,
    pub(crate) deadline: Duration,
}

/// Calls `fetch` until `done` holds for its value, sleeping between calls, and polls once
/// more at the deadline itself (the last sleep is shortened to end there). A poll that fails
/// transiently (a garbled or unreadable answer, a timeout, a broken connection, a 5xx or 429
/// after the SDK's own retries) does not end the wait: the next poll is tried, within the
/// deadline. Any other error (not found, unauthorized ...) ends it. Past the deadline the wait
/// fails with [`Error::Timeout`], whose message is `describe` of the last value, or the last
/// poll's error.
pub(crate) async fn until<T, F, Fut>(
    schedule: Schedule,
    mut fetch: F,
    done: impl Fn(&T) -> bool,
    describe: impl Fn(&T) -> String,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let started = tokio::time::Instant::now();
    let mut interval = schedule.first;
    loop {
        let last = match fetch().await {
            Ok(value) if done(&value) => return Ok(value),
            Ok(value) => describe(&value),
            Err(error) if transient(&error) => format!("the last poll failed ({error})"),
            Err(error) => return Err(error),
        };
        let remaining = schedule.deadline.saturating_sub(started.elapsed());
        if remaining.is_zero() {
            return Err(Error::Timeout {
                message: format!("{last} after {} s", started.elapsed().as_secs()),
            });
        }
        tokio::time::sleep(interval.min(remaining)).await;
        interval = schedule.after(interval);
    }
}

impl Schedule {
    /// The interval after `interval`: grown by the factor, at most `max`.
    fn after(&self, interval: Duration) -> Duration {
        Duration::try_from_secs_f64(interval.as_secs_f64() * self.factor)
            .unwrap_or(self.max)
            .min(self.max)
    }

    /// The lookup schedule of a [`ReconcilePolicy`]: doubling from its first interval to its
    /// longest, for its window.
    fn of(policy: ReconcilePolicy) -> Schedule {
        Schedule {
            first: policy.first_interval,
            factor: 2.0,
            max: policy.max_interval,
            deadline: policy.window,
        }
    }
}

/// Whether a failed poll may well succeed when tried again: its answer could not be read, or
/// the network or server failed. A read changes nothing, so trying again is safe.
pub(crate) fn transient(error: &Error) -> bool {
    matches!(
        error,
        Error::Decode { .. }
            | Error::Timeout { .. }
            | Error::Transport { .. }
            | Error::Server(_)
            | Error::RateLimited { .. }
    )
}

/// Lookups tried at the window's end before a failing one ends the search.
const FINAL_LOOKUPS: u32 = 3;

/// What the lookups of an uncertain write found.
pub(crate) enum Found<T> {
    /// Exactly this one.
    One(T),
    /// Nothing, up to the window's end.
    Nothing,
    /// More than one candidate.
    Several(Vec<T>),
    /// A lookup failed for good.
    Failed(Error),
}

impl<T> Found<T> {
    /// The outcome's name in the logs.
    pub(crate) fn outcome(&self) -> &'static str {
        match self {
            Found::One(_) => "found",
            Found::Nothing => "absent",
            Found::Several(_) => "ambiguous",
            Found::Failed(_) => "lookup_failed",
        }
    }
}

/// Calls `candidates` until it finds something or the policy's window ends: at once, then
/// after intervals growing from `first_interval` (×2, up to `max_interval`), the last at the
/// window's end; counts each call in `lookups`. A transiently failing lookup does not end the
/// search; at the window's end one is tried up to [`FINAL_LOOKUPS`] times, `first_interval`
/// apart, since "nothing" needs a lookup that succeeded at the end.
pub(crate) async fn look_up<T, F, Fut>(
    policy: ReconcilePolicy,
    lookups: &mut u32,
    mut candidates: F,
) -> Found<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Vec<T>>>,
{
    let schedule = Schedule::of(policy);
    let started = tokio::time::Instant::now();
    let mut interval = schedule.first;
    let mut failed_at_end = 0;
    loop {
        let at_end = started.elapsed() >= schedule.deadline;
        *lookups += 1;
        match candidates().await {
            Ok(mut found) if found.len() == 1 => return Found::One(found.remove(0)),
            Ok(found) if found.len() > 1 => return Found::Several(found),
            Ok(_) if at_end => return Found::Nothing,
            Ok(_) => tracing::debug!(lookup = *lookups, "osvi lookup: nothing yet"),
            Err(error) if !transient(&error) => return Found::Failed(error),
            Err(error) => {
                tracing::debug!(
                    lookup = *lookups,
                    error = error.kind(),
                    "osvi lookup failed"
                );
                if at_end {
                    failed_at_end += 1;
                    if failed_at_end >= FINAL_LOOKUPS {
                        return Found::Failed(error);
                    }
                }
            }
        }
        let remaining = schedule.deadline.saturating_sub(started.elapsed());
        // Past the window's end only a failed lookup is tried again, soon.
        let wait = match remaining.is_zero() {
            true => schedule.first,
            false => interval.min(remaining),
        };
        tokio::time::sleep(wait).await;
        interval = schedule.after(interval);
    }
}
