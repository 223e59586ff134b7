//! Polling until a condition holds, with growing intervals and a deadline; shared by
//! [`WaitForCall`](crate::calls::WaitForCall) and
//! [`WaitForDrain`](crate::campaigns::WaitForDrain). Sleeps on tokio's clock.

use std::future::Future;
use std::time::Duration;

use crate::error::{Error, Result};

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
        interval = Duration::try_from_secs_f64(interval.as_secs_f64() * schedule.factor)
            .unwrap_or(schedule.max)
            .min(schedule.max);
    }
}

/// Whether a failed poll may well succeed when tried again: its answer could not be read, or
/// the network or server failed. A read changes nothing, so trying again is safe.
fn transient(error: &Error) -> bool {
    matches!(
        error,
        Error::Decode { .. }
            | Error::Timeout { .. }
            | Error::Transport { .. }
            | Error::Server(_)
            | Error::RateLimited { .. }
    )
}
