//! The transport under the generated client: every operation of osvi-ext calls the method
//! progenitor generated for it (`osvi_generated::Client`) through an [`Api`], and each request
//! that method builds goes through the [`exchange`] hook (token, user agent, timeout), which
//! puts it on the wire with [`send`] and keeps the answer. [`Api::run`] is the one retry loop:
//! it retries under the client's [`RetryPolicy`](crate::RetryPolicy) as the operation's safety
//! class allows (from the spec's `x-osvi-places-calls`), logs through `tracing`, and
//! [`decode`]s the answer into the generated type, then the operation's answer type.

pub(crate) mod decode;
pub(crate) mod exchange;
pub(crate) mod send;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use backon::Retryable;
use osvi_generated::{Hooks, Operation, PlacesCalls, ResponseValue, types};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use tracing::Instrument;

use crate::error::{Error, Result, request_id, request_id_header};
use crate::meta::{self, ResponseMeta};
use crate::retry::{RetryPolicy, Safety};
use crate::wire::{Envelope, FromWire};
use decode::{accepted, decode};
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
    pub(crate) async fn run<E, D, F, Fut>(&self, attempt: F) -> Result<D>
    where
        E: Envelope,
        D: FromWire<E::Data>,
        F: Fn() -> Fut,
        Fut: Future<Output = Generated<E>>,
    {
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
        let outcome = (|| async {
            let number = attempts.fetch_add(1, Ordering::Relaxed) + 1;
            let attempt_span = tracing::debug_span!("osvi.attempt", attempt = number);
            // Boxed: the generated request future is the bulk of an operation's future, and
            // every layer above (retry, spans, the builder's `IntoFuture`) would otherwise
            // copy it whole each time it moves (measured with callgrind, BENCHMARKS.md).
            self.attempt::<E, D, _>(Box::pin(attempt()))
                .instrument(attempt_span)
                .await
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
        let elapsed = started.elapsed();
        let elapsed_ms = elapsed.as_millis() as u64;
        let attempts = attempts.load(Ordering::Relaxed);
        match &outcome {
            Ok((_, status, headers)) => tracing::info!(
                parent: &span,
                attempts,
                status = status.as_u16(),
                request_id = request_id_header(headers).as_ref().and_then(|v| v.to_str().ok()),
                elapsed_ms,
                outcome = "ok",
                "osvi request finished"
            ),
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
        let (value, status, headers) = outcome?;
        meta::record(|| ResponseMeta {
            operation: operation.id,
            status,
            request_id: request_id(&headers),
            headers,
            attempts,
            elapsed,
        });
        Ok(value)
    }

    /// One attempt: await the generated method (which builds the request and hands it to the
    /// [`Exchange`]), then decode what the exchange received. Returns the value, the status
    /// and the answer's headers (for the log's request id and [`meta`]).
    async fn attempt<E, D, Fut>(&self, sent: Fut) -> Result<(D, StatusCode, HeaderMap)>
    where
        E: Envelope,
        D: FromWire<E::Data>,
        Fut: Future<Output = Generated<E>>,
    {
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
        let value = accepted(self.operation, decode::<E, D>(&raw))?;
        Ok((value, raw.status, raw.headers))
    }
}

/// The error of an attempt the generated code could not build (nothing reached the
/// [`Exchange`], so nothing was sent).
fn unsent<E>(operation: &str, result: Generated<E>) -> Error {
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
