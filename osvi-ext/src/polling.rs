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

/// Calls `fetch` until `done` holds for its value, sleeping between calls; an error of
/// `fetch` ends the wait. Past the deadline the wait fails with [`Error::Timeout`], whose
/// message is `describe` of the last value.
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
        let value = fetch().await?;
        if done(&value) {
            return Ok(value);
        }
        if started.elapsed().saturating_add(interval) > schedule.deadline {
            return Err(Error::Timeout {
                message: format!(
                    "{} after {} s",
                    describe(&value),
                    started.elapsed().as_secs()
                ),
            });
        }
        tokio::time::sleep(interval).await;
        interval = Duration::try_from_secs_f64(interval.as_secs_f64() * schedule.factor)
            .unwrap_or(schedule.max)
            .min(schedule.max);
    }
}
