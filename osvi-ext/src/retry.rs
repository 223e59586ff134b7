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
use chrono::{DateTime, Utc};

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

/// What the SDK does when placing a call ends in an uncertain failure (a reset or timeout
/// after sending, a 5xx or 429, an unreadable answer): instead of resending, which could dial
/// the person twice, it **looks the call up** in `GET /v1/calls` (the agent, the phone
/// number, outbound, created at or after the moment the first attempt was sent, less
/// [`clock_skew`](ReconcilePolicy::clock_skew)) for up to
/// [`window`](ReconcilePolicy::window), polling from
/// [`first_interval`](ReconcilePolicy::first_interval) doubling up to
/// [`max_interval`](ReconcilePolicy::max_interval), and once more at the window's end:
///
/// - **one match**: the call was placed; you get it, with
///   [`CallCreated::reconciled`](crate::calls::CallCreated::reconciled) saying so;
/// - **no match** by the end of the window: the call was not placed,
///   [`Error::NotPlaced`], whose
///   [`may_have_reached_server`](Error::may_have_reached_server) is `false`; with
///   [`resend_if_absent`](ReconcilePolicy::resend_if_absent) the SDK places it again
///   instead (at most [`MAX_PLACEMENTS`](ReconcilePolicy::MAX_PLACEMENTS) placements in all,
///   each reconciled the same way);
/// - **several candidates** (the same person called by the same agent just now):
///   no guess, [`Error::AmbiguousPlacement`] with their ids;
/// - **the lookups fail** (or the last one, at the window's end, does):
///   [`Error::Unreconciled`], with the placement's and the lookup's errors.
///
/// The lookups are reads: each is retried as reads are under the [`RetryPolicy`], and a
/// lookup that fails transiently does not end the window. Everything is logged in `tracing`
/// (`osvi.reconcile` events: outcome, lookups, candidates; never the phone number).
///
/// **Limits.** "Not placed" rests on the assumption that a placed call is listed within the
/// window: the docs do not say how soon a call appears in the list. A call placed to the
/// same person by the same agent within `clock_skew` before this one, or concurrently with
/// it, is a candidate too (so the answer is [`Error::AmbiguousPlacement`] where the SDK
/// cannot tell them apart, or, if this placement did not go through, the other call).
///
/// Set per client ([`ClientBuilder::reconcile_policy`](crate::ClientBuilder::reconcile_policy),
/// [`Client::with_reconcile_policy`](crate::Client::with_reconcile_policy)) or per call
/// ([`CreateCall::reconcile_policy`](crate::calls::CreateCall::reconcile_policy)).
///
/// ```
/// use std::time::Duration;
/// use osvi_ext::retry::ReconcilePolicy;
/// let patient = ReconcilePolicy::default().window(Duration::from_secs(60));
/// let exactly_once = ReconcilePolicy::default().resend_if_absent(true);
/// let old_behaviour = ReconcilePolicy::off(); // return the uncertain error as is
/// # let _ = (patient, exactly_once, old_behaviour);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconcilePolicy {
    pub(crate) enabled: bool,
    pub(crate) window: Duration,
    pub(crate) first_interval: Duration,
    pub(crate) max_interval: Duration,
    pub(crate) clock_skew: Duration,
    pub(crate) resend_if_absent: bool,
}

impl Default for ReconcilePolicy {
    /// Look for 10 s (polls at 0, 0.5, 1.5, 3.5, 7.5 and 10 s), a 2 s clock-skew margin (for
    /// a server clock slightly behind yours and `created_at` given in whole seconds), no
    /// resend.
    ///
    /// Resending is off by default because the docs do not say how soon a placed call is
    /// listed: if OSVI ever lists a call later than the window, a resend would dial that
    /// person a second time, the one thing the SDK must never do. So by default the SDK tells
    /// you "not placed" ([`Error::NotPlaced`]) and leaves the decision to you; switch
    /// [`resend_if_absent`](ReconcilePolicy::resend_if_absent) on when you would rather
    /// risk that than a dropped call.
    fn default() -> Self {
        ReconcilePolicy {
            enabled: true,
            window: Duration::from_secs(10),
            first_interval: Duration::from_millis(500),
            max_interval: Duration::from_secs(4),
            clock_skew: Duration::from_secs(2),
            resend_if_absent: false,
        }
    }
}

impl ReconcilePolicy {
    /// The most placements of one call when resending is on: the first and two resends.
    pub const MAX_PLACEMENTS: u32 = 3;

    /// No lookups: an uncertain placement is returned as its error, as it came.
    pub fn off() -> Self {
        ReconcilePolicy {
            enabled: false,
            ..ReconcilePolicy::default()
        }
    }

    /// How long the SDK keeps looking, counted from the failure.
    pub fn window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// The wait before the second lookup; each further wait doubles, up to
    /// [`max_interval`](ReconcilePolicy::max_interval).
    pub fn first_interval(mut self, interval: Duration) -> Self {
        self.first_interval = interval;
        self
    }

    /// The longest wait between two lookups.
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// How far before the first attempt was sent a call's `created_at` may be and still be
    /// this call: the margin for a server clock behind yours.
    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.clock_skew = skew;
        self
    }

    /// Places the call again when the lookups show it was not placed (see the type's docs
    /// for why this is off by default).
    pub fn resend_if_absent(mut self, resend: bool) -> Self {
        self.resend_if_absent = resend;
        self
    }

    /// Whether uncertain placements are looked up at all.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The earliest `created_at` a write sent at `sent` may show: `sent` less the skew.
    pub(crate) fn earliest(&self, sent: DateTime<Utc>) -> DateTime<Utc> {
        chrono::Duration::from_std(self.clock_skew)
            .ok()
            .and_then(|skew| sent.checked_sub_signed(skew))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
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
    fn the_skew_margin_moves_the_earliest_creation_back() {
        let sent = DateTime::parse_from_rfc3339("2026-06-12T09:30:00Z")
            .map(|t| t.with_timezone(&Utc))
            .ok();
        let policy = ReconcilePolicy::default().clock_skew(Duration::from_secs(5));
        let bound = sent.map(|s| policy.earliest(s).to_rfc3339());
        assert_eq!(bound.as_deref(), Some("2026-06-12T09:29:55+00:00"));
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
