//! Safe retries: which failures are retried, how often, and how long the SDK waits.
//!
//! The rule that matters most: **a request that places phone calls is never sent a second
//! time unless the first attempt provably never reached the server** (the connection was
//! refused or the name did not resolve, before any byte was written). That covers
//! `POST /v1/call`, legacy `POST /call`, and campaign contact uploads with `enqueue(true)`.
//!
//! | request | retried on |
//! | --- | --- |
//! | reads (GET) and DELETE | transport errors, timeouts, 408, 429, 500, 502, 503, 504 |
//! | requests that place calls | only a failure before sending (connection refused, DNS) |
//! | other POSTs (chat, DND add, inject context, support, uploads without `enqueue`) | nothing, unless the policy opts in with [`RetryPolicy::retry_writes`]; then like reads |
//!
//! Waits grow exponentially from [`RetryPolicy::base_delay`] (×2 per retry) up to
//! [`RetryPolicy::max_delay`], with full jitter (a random wait between zero and that value)
//! unless turned off. A `Retry-After` header (seconds or an HTTP date) replaces the computed
//! wait, capped by `max_delay`. The schedule comes from the [`backon`] crate.
//!
//! The policy is set on the client and can be changed for one request with
//! [`Client::with_retry_policy`](crate::Client::with_retry_policy):
//!
//! ```no_run
//! use osvi_ext::RetryPolicy;
//! # async fn run(client: osvi_ext::Client) -> osvi_ext::Result<()> {
//! // This one read: no retries.
//! let call = client.with_retry_policy(RetryPolicy::none()).calls().get("a1b2c3d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d").await?;
//! // This chat message may be retried (opt in: the agent may see it twice).
//! let reply = client
//!     .with_retry_policy(RetryPolicy::default().retry_writes(true))
//!     .chat()
//!     .send_message("agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og", "+15551112222", "Hi")
//!     .send()
//!     .await?;
//! # Ok(()) }
//! ```

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

use osvi_generated::{Operation, PlacesCalls};

use crate::error::Error;

/// What a request does, which decides what may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Safety {
    /// GET and DELETE: idempotent, safe to repeat.
    Idempotent,
    /// A POST that does not place calls: repeated only when the policy opts in.
    Write,
    /// A POST that dials people: repeated only if the first attempt never left.
    PlacesCalls,
}

impl Safety {
    /// The class of `operation` as the spec describes it: its method, and its
    /// `x-osvi-places-calls` (an operation that places calls only when a body flag is set
    /// starts as a write; the transport raises it when the flag is set).
    pub(crate) fn of(operation: &Operation) -> Safety {
        match (operation.method, operation.places_calls) {
            (_, PlacesCalls::Always) => Safety::PlacesCalls,
            ("GET" | "DELETE", _) => Safety::Idempotent,
            _ => Safety::Write,
        }
    }
}

/// How the SDK retries failed requests. See the [module docs](crate::retry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    jitter: bool,
    retry_writes: bool,
}

impl Default for RetryPolicy {
    /// 3 attempts, 250 ms base delay, 20 s max delay, full jitter, writes not retried.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(20),
            jitter: true,
            retry_writes: false,
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Total attempts, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry; each further retry doubles it.
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The longest wait, also the cap on a server's `Retry-After`.
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Waits exactly the exponential schedule, without randomness.
    pub fn without_jitter(mut self) -> Self {
        self.jitter = false;
        self
    }

    /// Also retries POSTs that do not place calls (chat messages, DND add, support commands,
    /// context injection, uploads without `enqueue`). Their effect may then happen twice.
    /// Requests that place calls are never affected by this switch.
    pub fn retry_writes(mut self, retry: bool) -> Self {
        self.retry_writes = retry;
        self
    }

    /// The configured number of attempts.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether `error`, from a request of kind `safety`, may be retried under this policy.
    pub(crate) fn allows(&self, safety: Safety, error: &Error) -> bool {
        let before_sending = matches!(
            error,
            Error::Transport {
                before_sending: true,
                ..
            }
        );
        match safety {
            Safety::PlacesCalls => before_sending,
            Safety::Write if !self.retry_writes => false,
            Safety::Idempotent | Safety::Write => before_sending || is_transient(error),
        }
    }

    /// The exponential schedule of waits between attempts (without jitter).
    pub(crate) fn schedule(&self) -> impl Iterator<Item = Duration> + Send + Sync + Unpin + use<> {
        ExponentialBuilder::default()
            .with_min_delay(self.base_delay)
            .with_max_delay(self.max_delay)
            .with_factor(2.0)
            .with_max_times(self.max_attempts.saturating_sub(1) as usize)
            .build()
    }

    /// The wait before the next attempt: the server's `Retry-After` when it sent one, else
    /// the scheduled wait with full jitter (`random` in `0.0..1.0`); capped by `max_delay`.
    pub(crate) fn wait(&self, scheduled: Duration, error: &Error, random: f64) -> Duration {
        let wait = match error {
            Error::RateLimited {
                retry_after: Some(after),
                ..
            } => *after,
            _ if self.jitter => scheduled.mul_f64(random),
            _ => scheduled,
        };
        wait.min(self.max_delay)
    }
}

/// Failures worth another try for a request that is safe to repeat.
fn is_transient(error: &Error) -> bool {
    match error {
        Error::Timeout { .. } | Error::Transport { .. } => true,
        Error::RateLimited { .. } => true,
        Error::Server(f) => matches!(f.status, 500 | 502 | 503 | 504),
        Error::UnexpectedStatus(f) => f.status == 408,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiFailure;

    fn failure(status: u16) -> ApiFailure {
        ApiFailure {
            status,
            request_id: None,
            messages: Vec::new(),
            details: None,
            body: String::new(),
        }
    }

    fn transport(before_sending: bool) -> Error {
        Error::Transport {
            message: String::new(),
            before_sending,
            source: None,
        }
    }

    #[test]
    fn what_each_kind_of_request_retries() {
        let policy = RetryPolicy::default();
        let timeout = Error::Timeout {
            message: String::new(),
        };
        let s503 = Error::Server(failure(503));
        let s501 = Error::Server(failure(501));
        let s408 = Error::UnexpectedStatus(failure(408));
        let s400 = Error::BadRequest(failure(400));
        let s429 = Error::RateLimited {
            failure: failure(429),
            retry_after: None,
        };
        for e in [
            &timeout,
            &s503,
            &s408,
            &s429,
            &transport(false),
            &transport(true),
        ] {
            assert!(policy.allows(Safety::Idempotent, e), "{e:?}");
        }
        for e in [&s501, &s400] {
            assert!(!policy.allows(Safety::Idempotent, e), "{e:?}");
        }
        assert!(policy.allows(Safety::PlacesCalls, &transport(true)));
        for e in [&timeout, &s503, &s429, &transport(false)] {
            assert!(!policy.allows(Safety::PlacesCalls, e), "{e:?}");
            assert!(!policy.allows(Safety::Write, e), "{e:?}");
            assert!(policy.retry_writes(true).allows(Safety::Write, e), "{e:?}");
            assert!(
                !policy.retry_writes(true).allows(Safety::PlacesCalls, e),
                "{e:?}"
            );
        }
    }

    #[test]
    fn the_schedule_doubles_up_to_the_cap_and_stops() {
        let policy = RetryPolicy::default()
            .max_attempts(6)
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(500));
        let waits: Vec<u128> = policy.schedule().map(|d| d.as_millis()).collect();
        assert_eq!(waits, vec![100, 200, 400, 500, 500]);
        assert_eq!(RetryPolicy::none().schedule().count(), 0);
    }

    #[test]
    fn full_jitter_retry_after_and_the_cap() {
        let policy = RetryPolicy::default().max_delay(Duration::from_secs(10));
        let error = Error::Server(failure(503));
        let scheduled = Duration::from_secs(4);
        assert_eq!(policy.wait(scheduled, &error, 0.0), Duration::ZERO);
        assert_eq!(policy.wait(scheduled, &error, 0.5), Duration::from_secs(2));
        assert_eq!(
            policy.without_jitter().wait(scheduled, &error, 0.5),
            scheduled
        );
        let limited = |after| Error::RateLimited {
            failure: failure(429),
            retry_after: Some(after),
        };
        assert_eq!(
            policy.wait(scheduled, &limited(Duration::from_secs(7)), 0.1),
            Duration::from_secs(7)
        );
        assert_eq!(
            policy.wait(scheduled, &limited(Duration::from_secs(70)), 0.1),
            Duration::from_secs(10)
        );
    }
}
