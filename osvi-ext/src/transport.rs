//! The transport under the generated client: every operation of osvi-ext calls the method
//! progenitor generated for it (`osvi_generated::Client`), and each request that method builds
//! goes through [`Exchange`], the client's [`Exec`] hook. The hook adds the token, the user
//! agent and the per-request timeout, sends the request, reads the body (bounded), and keeps a
//! copy of what the server answered, so an error can carry the status, the request id and the
//! server's messages even when progenitor's own error type would drop them.
//!
//! Around that, [`Api::run`] retries under the client's [`RetryPolicy`](crate::RetryPolicy)
//! as the operation's safety class allows (from the spec's `x-osvi-places-calls`), logs through
//! `tracing`, removes the envelope and builds the domain value.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backon::Retryable;
use bytes::Bytes;
use osvi_generated::{Exec, ExecFuture, Hooks, Operation, PlacesCalls, ResponseValue, types};
use progenitor_client::OperationInfo;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, LOCATION, RETRY_AFTER, USER_AGENT};
use reqwest::{ResponseBuilderExt, StatusCode};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{ApiFailure, BODY_EXCERPT_BYTES, Error, Result};
use crate::retry::{RetryPolicy, Safety};

/// Default largest response body read; a larger one is an [`Error::Decode`]. The biggest
/// documented body is a page of 100 calls, a few hundred KiB.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Headers that may carry the server's request id, in the order they are looked up.
const REQUEST_ID_HEADERS: [HeaderName; 3] = [
    HeaderName::from_static("x-request-id"),
    HeaderName::from_static("request-id"),
    HeaderName::from_static("x-amzn-requestid"),
];

/// What the generated methods return.
type Generated<E> =
    std::result::Result<ResponseValue<E>, progenitor_client::Error<types::ApiError>>;

/// One operation about to be sent: the generated client wired to this client's transport,
/// the operation's facts, and what may be retried.
pub(crate) struct Api {
    policy: RetryPolicy,
    operation: &'static Operation,
    safety: Safety,
    exchange: Arc<Exchange>,
    raw: osvi_generated::Client,
}

impl Client {
    /// The generated client for one call of `operation`, sending through this client.
    pub(crate) fn api(&self, operation: &'static Operation) -> Api {
        let inner = &self.inner;
        let exchange = Arc::new(Exchange {
            token_header: inner.token_header.clone(),
            token: inner.token.clone(),
            user_agent: inner.user_agent.clone(),
            timeout: self.timeout,
            max_body_bytes: inner.max_body_bytes,
            answer: Mutex::new(None),
        });
        let raw = osvi_generated::Client::new_with_client(
            &inner.base_url,
            inner.http.clone(),
            Hooks(exchange.clone()),
        );
        let safety = match (operation.method, operation.places_calls) {
            (_, PlacesCalls::Always) => Safety::PlacesCalls,
            ("GET" | "DELETE", _) => Safety::Read,
            _ => Safety::Write,
        };
        Api {
            policy: self.policy,
            operation,
            safety,
            exchange,
            raw,
        }
    }
}

impl Api {
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
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let attempts = attempts.load(Ordering::Relaxed);
        match &outcome {
            Ok((_, status, request_id)) => tracing::info!(
                parent: &span,
                attempts,
                status,
                request_id = request_id.as_ref().and_then(|v| v.to_str().ok()),
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
        outcome.map(|(value, _, _)| value)
    }

    /// One attempt: await the generated method, then read its result together with what the
    /// hook saw on the wire. Returns the value, the status and the request id header (read as
    /// text only if it is logged).
    async fn attempt<E, D, Fut>(&self, sent: Fut) -> Result<(D, u16, Option<HeaderValue>)>
    where
        E: Envelope,
        D: FromWire<E::Data>,
        Fut: Future<Output = Generated<E>>,
    {
        let started = std::time::Instant::now();
        let result = sent.await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let Some(Answer { raw, complete }) = self.exchange.take() else {
            tracing::debug!(elapsed_ms, "osvi attempt failed");
            return Err(unanswered(self.operation.id, result));
        };
        tracing::debug!(
            status = raw.status.as_u16(),
            elapsed_ms,
            "osvi attempt answered"
        );
        if !complete {
            let limit = self.exchange.max_body_bytes;
            let error = raw.decode_error(format!("the body is larger than {limit} bytes"));
            return accepted(self.operation, Err(error));
        }
        let value = match result {
            Ok(value) if raw.status.is_success() => unwrap::<E, D>(value.into_inner(), &raw),
            // An error status, a body the generated types could not read, or a success status
            // the spec does not list: decide from what was on the wire.
            _ => decode::<E, D>(&raw),
        };
        let value = accepted(self.operation, value)?;
        Ok((value, raw.status.as_u16(), raw.request_id_header()))
    }
}

/// A `2xx` answer to an operation with a side effect (any method but `GET`) that could not be
/// decoded is [`Error::AcceptedButUnreadable`], not [`Error::Decode`]: the server accepted the
/// request, so the caller must not take it for a failure that is safe to repeat.
pub(crate) fn accepted<D>(operation: &Operation, result: Result<D>) -> Result<D> {
    match result {
        Err(Error::Decode {
            status,
            request_id,
            reason,
            body,
        }) if (200..300).contains(&status) && operation.method != "GET" => {
            Err(Error::AcceptedButUnreadable {
                status,
                request_id,
                reason,
                body,
            })
        }
        other => other,
    }
}

/// The error of an attempt the server did not answer (nothing reached [`Exchange`]'s answer).
fn unanswered<E>(operation: &str, result: Generated<E>) -> Error {
    match result {
        Err(progenitor_client::Error::CommunicationError(e)) => transport_error(operation, e),
        Err(progenitor_client::Error::InvalidRequest(message)) => {
            Error::validation("request", message)
        }
        Err(other) => Error::Transport {
            message: format!("{operation}: {other}"),
            before_sending: false,
            source: None,
        },
        Ok(_) => Error::Transport {
            message: format!("{operation}: an answer arrived that the transport did not see"),
            before_sending: false,
            source: None,
        },
    }
}

/// The client's hook under the generated methods: adds the token, the user agent and the
/// timeout, sends, reads the body up to the limit, and keeps the answer for [`Api`].
pub(crate) struct Exchange {
    token_header: reqwest::header::HeaderName,
    token: reqwest::header::HeaderValue,
    user_agent: reqwest::header::HeaderValue,
    timeout: Option<Duration>,
    max_body_bytes: usize,
    answer: Mutex<Option<Answer>>,
}

/// What the server answered to the last request of an [`Exchange`].
struct Answer {
    raw: RawResponse,
    /// `false` when the body was larger than the limit and only its start was read.
    complete: bool,
}

impl Exchange {
    fn take(&self) -> Option<Answer> {
        self.answer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }

    async fn send(
        &self,
        http: &reqwest::Client,
        mut request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        let headers = request.headers_mut();
        headers.insert(self.token_header.clone(), self.token.clone());
        headers.insert(USER_AGENT, self.user_agent.clone());
        if let Some(timeout) = self.timeout {
            *request.timeout_mut() = Some(timeout);
        }
        let mut response = http.execute(request).await?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let url = response.url().clone();
        let (body, complete) = match read_body(response, self.max_body_bytes).await? {
            Ok(body) => (body, true),
            Err(start) => (start, false),
        };
        // With its URL, so reqwest does not parse a placeholder URL for the rebuilt answer.
        let rebuilt = http::Response::builder()
            .status(status)
            .url(url)
            .body(body.clone())
            .unwrap_or_else(|_| http::Response::new(body.clone()));
        *self
            .answer
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Answer {
            raw: RawResponse {
                status,
                headers,
                body,
            },
            complete,
        });
        Ok(reqwest::Response::from(rebuilt))
    }
}

impl Exec for Exchange {
    fn exec<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        _: &'a OperationInfo,
    ) -> ExecFuture<'a> {
        Box::pin(self.send(http, request))
    }
}

/// A response as read off the wire.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl RawResponse {
    fn request_id_header(&self) -> Option<HeaderValue> {
        REQUEST_ID_HEADERS
            .iter()
            .find_map(|name| self.headers.get(name))
            .cloned()
    }

    fn request_id(&self) -> Option<String> {
        let header = self.request_id_header()?;
        header.to_str().ok().map(str::to_string)
    }

    /// The first KiB of the body, as lossy UTF-8.
    fn excerpt(&self) -> String {
        let end = self.body.len().min(BODY_EXCERPT_BYTES);
        String::from_utf8_lossy(&self.body[..end]).into_owned()
    }

    /// An [`Error::Decode`] for this response.
    fn decode_error(&self, reason: impl Into<String>) -> Error {
        Error::Decode {
            status: self.status.as_u16(),
            request_id: self.request_id(),
            reason: reason.into(),
            body: self.excerpt(),
        }
    }

    /// The status, request id and messages of an error answer.
    fn failure(&self) -> ApiFailure {
        let parsed: Option<osvi_generated::types::ApiError> =
            serde_json::from_slice(&self.body).ok();
        let mut messages = Vec::new();
        let mut details = None;
        if let Some(body) = parsed {
            messages.extend(body.errors.unwrap_or_default());
            messages.extend(body.error);
            messages.extend(body.message);
            details = body.details.filter(|d| !d.is_null()).map(Box::new);
        }
        ApiFailure {
            status: self.status.as_u16(),
            request_id: self.request_id(),
            messages,
            details,
            body: self.excerpt(),
        }
    }

    /// The error for a non-2xx status.
    fn status_error(&self) -> Error {
        let failure = self.failure();
        match self.status.as_u16() {
            400 | 422 => Error::BadRequest(failure),
            401 => Error::Unauthorized(failure),
            403 => Error::Forbidden(failure),
            404 => Error::NotFound(failure),
            409 => Error::Conflict(failure),
            429 => Error::RateLimited {
                failure,
                retry_after: retry_after(&self.headers),
            },
            500..=599 => Error::Server(failure),
            300..=399 => Error::Redirect {
                location: self
                    .headers
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                failure,
            },
            _ => Error::UnexpectedStatus(failure),
        }
    }
}

/// The `Retry-After` header, in seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// A response body type: where its `success` flag and its data are. Envelope-less bodies
/// report no flag and are their own data.
pub(crate) trait Envelope: DeserializeOwned {
    /// What the operation returns once the envelope is removed.
    type Data;
    /// `(success, data)`.
    fn into_parts(self) -> (Option<bool>, Option<Self::Data>);
}

/// Implements [`Envelope`] for generated `{success, data}` response types whose `data` the
/// spec marks required (what the answer is about).
macro_rules! envelope {
    ($($body:ty => $data:ty),* $(,)?) => {$(
        impl crate::transport::Envelope for $body {
            type Data = $data;
            fn into_parts(self) -> (Option<bool>, Option<$data>) {
                (self.success, Some(self.data))
            }
        }
    )*};
}
pub(crate) use envelope;

/// Conversion from a generated wire type into a domain type; `Err` names what is missing or
/// wrong, and becomes an [`Error::Decode`] that keeps the response's status and body.
pub(crate) trait FromWire<W>: Sized {
    fn from_wire(wire: W) -> std::result::Result<Self, String>;
}

impl<W, T: FromWire<W>> FromWire<Vec<W>> for Vec<T> {
    fn from_wire(wire: Vec<W>) -> std::result::Result<Self, String> {
        wire.into_iter().map(T::from_wire).collect()
    }
}

impl Client {
    /// Starts a plain GET of `url` (a presigned download URL: no API token, no retries) and
    /// returns the response once its status is a success.
    pub(crate) async fn download(&self, url: &str) -> Result<reqwest::Response> {
        let mut builder = self
            .inner
            .http
            .get(url)
            .header(USER_AGENT, self.inner.user_agent.clone());
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        let mut response = builder
            .send()
            .await
            .map_err(|e| transport_error("download_recording", e))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let body = match read_body(response, BODY_EXCERPT_BYTES)
            .await
            .map_err(|e| transport_error("download_recording", e))?
        {
            Ok(body) | Err(body) => body,
        };
        Err(RawResponse {
            status,
            headers,
            body,
        }
        .status_error())
    }
}

/// Reads the body chunk by chunk. More than `limit` bytes is `Ok(Err(first bytes))`: the
/// rest is not read. A body that arrives in one chunk (the usual case) is returned without a
/// copy.
async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<std::result::Result<Bytes, Bytes>> {
    let Some(first) = response.chunk().await? else {
        return Ok(Ok(Bytes::new()));
    };
    if first.len() > limit {
        return Ok(Err(first.slice(..limit)));
    }
    let Some(second) = response.chunk().await? else {
        return Ok(Ok(first));
    };
    let mut buffer = Vec::with_capacity(first.len() + second.len());
    buffer.extend_from_slice(&first);
    let mut chunk = Some(second);
    while let Some(bytes) = chunk {
        if buffer.len() + bytes.len() > limit {
            return Ok(Err(Bytes::from(buffer)));
        }
        buffer.extend_from_slice(&bytes);
        chunk = response.chunk().await?;
    }
    Ok(Ok(Bytes::from(buffer)))
}

/// Decodes an answer: an error status becomes its error; a 2xx body is parsed as `E`, a
/// `success: false` becomes [`Error::BadRequest`] with the body's messages, and missing data
/// becomes [`Error::Decode`].
pub(crate) fn decode<E, D>(raw: &RawResponse) -> Result<D>
where
    E: Envelope,
    D: FromWire<E::Data>,
{
    if !raw.status.is_success() {
        return Err(raw.status_error());
    }
    match serde_json::from_slice::<E>(&raw.body) {
        Ok(body) => unwrap(body, raw),
        // `{success: false, errors: [..]}` on a 2xx has no `data`: an error, not a decode failure.
        Err(_) if says_failure(&raw.body) => Err(Error::BadRequest(raw.failure())),
        Err(e) => Err(raw.decode_error(e.to_string())),
    }
}

/// Whether `body` is an envelope whose `success` is `false`.
fn says_failure(body: &[u8]) -> bool {
    serde_json::from_slice::<types::ApiError>(body).is_ok_and(|e| e.success == Some(false))
}

/// Removes the envelope of a decoded 2xx `body`: a `success: false` becomes
/// [`Error::BadRequest`] with the messages of `raw`, and missing data [`Error::Decode`].
fn unwrap<E, D>(body: E, raw: &RawResponse) -> Result<D>
where
    E: Envelope,
    D: FromWire<E::Data>,
{
    let (success, data) = body.into_parts();
    if success == Some(false) {
        return Err(Error::BadRequest(raw.failure()));
    }
    let data = data.ok_or_else(|| raw.decode_error("the body has no `data`"))?;
    D::from_wire(data).map_err(|reason| raw.decode_error(reason))
}

/// Classifies a reqwest failure of `operation`.
pub(crate) fn transport_error(operation: &str, error: reqwest::Error) -> Error {
    if error.is_timeout() {
        return Error::Timeout {
            message: format!("{operation}: {}", error_chain(&error)),
        };
    }
    Error::Transport {
        message: format!("{operation}: {}", error_chain(&error)),
        before_sending: error.is_connect(),
        source: Some(error),
    }
}

/// The error and its sources, joined, so "error sending request" says why.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use osvi_generated::types;

    fn raw(status: u16, body: &str, headers: &[(&'static str, &str)]) -> RawResponse {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        RawResponse {
            status: StatusCode::from_u16(status).unwrap(),
            headers: map,
            body: Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn success_false_on_200_is_a_bad_request_with_messages() {
        let r = raw(
            200,
            r#"{"success":false,"errors":["a","b"]}"#,
            &[("x-request-id", "r1")],
        );
        match decode::<types::CallResponse, crate::calls::CallCreated>(&r) {
            Err(Error::BadRequest(f)) => {
                assert_eq!(f.status, 200);
                assert_eq!(f.messages, vec!["a".to_string(), "b".to_string()]);
                assert_eq!(f.request_id.as_deref(), Some("r1"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn decode_error_keeps_the_first_kib() {
        let body = "x".repeat(5000);
        let r = raw(200, &body, &[]);
        match decode::<types::CallResponse, crate::calls::CallCreated>(&r) {
            Err(Error::Decode { status, body, .. }) => {
                assert_eq!(status, 200);
                assert_eq!(body.len(), BODY_EXCERPT_BYTES);
            }
            other => panic!("{other:?}"),
        }
    }
}
