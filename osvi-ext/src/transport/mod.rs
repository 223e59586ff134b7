//! The transport under the generated client: every operation of osvi-ext calls the method
//! progenitor generated for it (`osvi_generated::Client`) through an [`Api`], and each request
//! that method builds goes through the [`exchange`] hook (token, user agent, timeout), which
//! puts it on the wire with [`send`] and keeps the answer. [`Api::run`] sends through the one
//! retry loop, which retries under the client's [`RetryPolicy`](crate::RetryPolicy) as the
//! operation's safety class allows (from the spec's `x-osvi-places-calls`) and logs through
//! `tracing`; then it decodes the answer ([`decode()`]) into the generated type, then the
//! operation's answer type. The loop is not generic: it is compiled once, not once per
//! operation.

pub(crate) mod decode;
pub(crate) mod exchange;
pub(crate) mod send;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use backon::Retryable;
use osvi_generated::{Hooks, Operation, PlacesCalls, ResponseValue, types};
use tracing::Instrument;

use crate::error::{Error, Result, request_id, request_id_header};
use crate::meta::{self, ResponseMeta};
use crate::retry::{RetryPolicy, Safety};
use crate::wire::{Envelope, FromWire};
use decode::{RawResponse, accepted, decode};
use exchange::{Answer, Exchange, Transport};

/// What the generated methods return.
type Generated<E> =
    std::result::Result<ResponseValue<E>, progenitor_client::Error<types::ApiError>>;

/// One operation about to be sent: the generated client wired to a client's transport, the
/// operation's facts, and what may be retried.
pub(crate) struct Api {
    policy: RetryPolicy,
    operation: &'static Operation,
    safety: Safety,
    exchange: Arc<Exchange>,
    raw: osvi_generated::Client,
}

impl Api {
    /// One call of `operation` through `transport`, under `policy`, with the client's
    /// per-request `timeout`.
    pub(crate) fn new(
        transport: &Arc<Transport>,
        policy: RetryPolicy,
        timeout: Option<Duration>,
        operation: &'static Operation,
    ) -> Api {
        let exchange = Arc::new(Exchange::new(transport.clone(), timeout));
        let raw = osvi_generated::Client::new_with_client(
            &transport.base_url,
            transport.http.clone(),
            Hooks(exchange.clone()),
        );
        Api {
            policy,
            operation,
            safety: Safety::of(operation),
            exchange,
            raw,
        }
    }

    /// The generated client to build the request with, inside [`Api::run`].
    pub(crate) fn raw(&self) -> &osvi_generated::Client {
        &self.raw
    }

    /// For an operation that places calls when a body flag is set
    /// ([`PlacesCalls::WhenBodyFlag`]): the flag's value in this request.
    pub(crate) fn body_flag(mut self, set: bool) -> Self {
        if set && matches!(self.operation.places_calls, PlacesCalls::WhenBodyFlag(_)) {
            self.safety = Safety::PlacesCalls;
        }
        self
    }

    /// Sends the request `attempt` builds and sends with [`Api::raw`], retrying under the
    /// client's [`RetryPolicy`](crate::RetryPolicy) as the operation's safety allows, and
    /// returns the domain value `D` built from the data inside the answer `E`.
    ///
    /// Logs a `osvi.request` span (operation, method, path template) with one `osvi.attempt`
    /// span per attempt, a `warn` event per retry and an `info` event at the end (attempts,
    /// status, request id, elapsed time, outcome). No field holds the token, a phone number,
    /// a name, a body or a server message.
    ///
    /// Only the decoding is generic: the retry loop ([`Api::retry_loop`]) and the final log
    /// ([`Api::finish`]) are compiled once for all operations, not once per operation. The
    /// answer is decoded after the loop, which changes nothing a caller sees: no error that
    /// decoding a `2xx` answer can give is ever retried.
    pub(crate) async fn run<E, D, F, Fut>(&self, attempt: F) -> Result<D>
    where
        E: Envelope,
        D: FromWire<E::Data>,
        F: Fn() -> Fut + Sync,
        Fut: Future<Output = Generated<E>> + Send,
    {
        let (trip, answer) = self.retry_loop(&|| erase(attempt())).await;
        let decoded = answer.and_then(|raw| {
            let value = accepted(self.operation, decode::<E, D>(&raw))?;
            Ok((value, raw))
        });
        match decoded {
            Ok((value, raw)) => {
                self.finish(trip, Ok(raw));
                Ok(value)
            }
            Err(error) => {
                self.finish(trip, Err(&error));
                Err(error)
            }
        }
    }

    /// The retry loop: sends what `attempt` sends until an attempt gets a `2xx` answer, fails
    /// in a way the policy does not retry, or the attempts run out. Returns the `osvi.request`
    /// span and counts for [`Api::finish`], with the answer or the last error.
    async fn retry_loop<'a>(
        &self,
        attempt: &(dyn Fn() -> Sent<'a> + Sync),
    ) -> (Trip, Result<RawResponse>) {
        let operation = self.operation;
        let span = tracing::info_span!(
            "osvi.request",
            operation = operation.id,
            method = %operation.method,
            path = operation.path,
        );
        let started = std::time::Instant::now();
        let attempts = AtomicU32::new(0);
        let policy = self.policy;
        let answer = (|| async {
            let number = attempts.fetch_add(1, Ordering::Relaxed) + 1;
            let attempt_span = tracing::debug_span!("osvi.attempt", attempt = number);
            self.attempt(attempt()).instrument(attempt_span).await
        })
        .retry(policy.schedule())
        .sleep(tokio::time::sleep)
        .when(|error: &Error| policy.allows(self.safety, error))
        .adjust(|error: &Error, next| next.map(|d| policy.wait(d, error, fastrand::f64())))
        .notify(|error: &Error, wait| {
            tracing::warn!(
                attempt = attempts.load(Ordering::Relaxed),
                wait_ms = wait.as_millis() as u64,
                error = error.kind(),
                status = error.status(),
                "osvi request failed, retrying"
            );
        })
        .instrument(span.clone())
        .await;
        let trip = Trip {
            span,
            started,
            attempts: attempts.load(Ordering::Relaxed),
        };
        (trip, answer)
    }

    /// One attempt: await the generated method (which builds the request and hands it to the
    /// [`Exchange`]), then take what the exchange received: a `2xx` answer read whole, or the
    /// error it comes to (an error status, a body over the limit, a failed send).
    async fn attempt(&self, sent: Sent<'_>) -> Result<RawResponse> {
        let started = std::time::Instant::now();
        let result = sent.await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let Answer { raw, complete } = match self.exchange.take() {
            Some(Ok(answer)) => answer,
            Some(Err(error)) => {
                tracing::debug!(elapsed_ms, "osvi attempt failed");
                return Err(error);
            }
            None => {
                tracing::debug!(elapsed_ms, "osvi attempt failed");
                return Err(unsent(self.operation.id, result));
            }
        };
        tracing::debug!(
            status = raw.status.as_u16(),
            elapsed_ms,
            "osvi attempt answered"
        );
        if !complete {
            let limit = self.exchange.max_body_bytes();
            let error = raw.decode_error(format!("the body is larger than {limit} bytes"));
            return accepted(self.operation, Err(error));
        }
        if !raw.status.is_success() {
            return Err(raw.status_error());
        }
        Ok(raw)
    }

    /// Logs the end of a call (the `info` event of [`Api::run`]) and, on success, records the
    /// answer's [`ResponseMeta`].
    fn finish(&self, trip: Trip, outcome: std::result::Result<RawResponse, &Error>) {
        let Trip {
            span,
            started,
            attempts,
        } = trip;
        let elapsed = started.elapsed();
        let elapsed_ms = elapsed.as_millis() as u64;
        match outcome {
            Ok(raw) => {
                tracing::info!(
                    parent: &span,
                    attempts,
                    status = raw.status.as_u16(),
                    request_id = request_id_header(&raw.headers)
                        .as_ref()
                        .and_then(|v| v.to_str().ok()),
                    elapsed_ms,
                    outcome = "ok",
                    "osvi request finished"
                );
                meta::record(|| ResponseMeta {
                    operation: self.operation.id,
                    status: raw.status,
                    request_id: request_id(&raw.headers),
                    headers: raw.headers,
                    attempts,
                    elapsed,
                });
            }
            Err(error) => tracing::info!(
                parent: &span,
                attempts,
                status = error.status(),
                request_id = error.request_id(),
                elapsed_ms,
                outcome = error.kind(),
                "osvi request finished"
            ),
        }
    }
}

/// What [`Api::retry_loop`] hands [`Api::finish`]: the call's span, when it started, and how
/// many attempts it made.
struct Trip {
    span: tracing::Span,
    started: std::time::Instant,
    attempts: u32,
}

/// A generated method's future with its result reduced to what the retry loop needs (the
/// generated code only ever sees the placeholder answer; the real one is in the
/// [`Exchange`]). Boxed: the generated request future is the bulk of an operation's future,
/// and every layer above (retry, spans, the builder's `IntoFuture`) would otherwise copy it
/// whole each time it moves (measured with callgrind, BENCHMARKS.md); and a boxed future lets
/// one retry loop serve every operation.
type Sent<'a> = Pin<
    Box<
        dyn Future<Output = std::result::Result<(), progenitor_client::Error<types::ApiError>>>
            + Send
            + 'a,
    >,
>;

/// Boxes a generated method's future as a [`Sent`].
fn erase<'a, E>(sent: impl Future<Output = Generated<E>> + Send + 'a) -> Sent<'a> {
    Box::pin(async move { sent.await.map(|_| ()) })
}

/// The error of an attempt the generated code could not build (nothing reached the
/// [`Exchange`], so nothing was sent).
fn unsent(
    operation: &str,
    result: std::result::Result<(), progenitor_client::Error<types::ApiError>>,
) -> Error {
    match result {
        Err(progenitor_client::Error::InvalidRequest(message)) => {
            Error::validation("request", message)
        }
        Err(other) => Error::Transport {
            message: format!("{operation}: {other}"),
            before_sending: true,
            source: None,
        },
        Ok(_) => Error::Transport {
            message: format!("{operation}: an answer arrived that the transport did not see"),
            before_sending: false,
            source: None,
        },
    }
}
