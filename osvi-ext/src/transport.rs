//! One HTTP exchange: build the request, send it, read the body (bounded), and turn the answer
//! into the operation's data or an [`Error`].
//!
//! Bodies are decoded through the wire types generated from the spec (`osvi_generated::types`),
//! so the spec decides what a valid response is. The exchange itself lives here rather than in
//! the generated client because progenitor's error type drops the status and headers of an
//! undecodable body and cannot show the messages of a `200` whose body says `success: false`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use backon::Retryable;
use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, RETRY_AFTER, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{ApiFailure, BODY_EXCERPT_BYTES, Error, Result};
use crate::retry::Safety;

/// Default largest response body read; a larger one is an [`Error::Decode`]. The biggest
/// documented body is a page of 100 calls, a few hundred KiB.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Headers that may carry the server's request id, in the order they are looked up.
const REQUEST_ID_HEADERS: &[&str] = &["x-request-id", "request-id", "x-amzn-requestid"];

/// One API request, fully described before anything is sent.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// The `operationId` of the spec.
    pub(crate) operation: &'static str,
    pub(crate) method: Method,
    /// The path template of the spec (`/v1/call/{id}`): what logs show.
    pub(crate) template: &'static str,
    /// Path segments, unencoded (`["v1", "call", id]`); each is percent-encoded.
    pub(crate) segments: Vec<String>,
    /// Query pairs, in order.
    pub(crate) query: Vec<(&'static str, String)>,
    /// The JSON body, serialized once and reused by every attempt.
    pub(crate) body: Option<Bytes>,
    /// What may be retried.
    pub(crate) safety: Safety,
}

impl Request {
    /// A request for `template` (`/v1/call/{id}`), whose `{..}` placeholders take `params` in
    /// order. GET and DELETE are reads; other methods are writes.
    pub(crate) fn new(
        operation: &'static str,
        method: Method,
        template: &'static str,
        params: &[&str],
    ) -> Self {
        let mut params = params.iter();
        let segments = template
            .trim_start_matches('/')
            .split('/')
            .map(|segment| match segment.starts_with('{') {
                true => params.next().map_or_else(String::new, |p| p.to_string()),
                false => segment.to_string(),
            })
            .collect();
        let safety = match method {
            Method::GET | Method::DELETE => Safety::Read,
            _ => Safety::Write,
        };
        Request {
            operation,
            method,
            template,
            segments,
            query: Vec::new(),
            body: None,
            safety,
        }
    }

    /// Marks a request that dials people when `places_calls` holds: it is then never
    /// repeated unless the first attempt provably never reached the server.
    pub(crate) fn places_calls(mut self, places_calls: bool) -> Self {
        if places_calls {
            self.safety = Safety::PlacesCalls;
        }
        self
    }

    /// Adds a query pair when `value` is `Some`.
    pub(crate) fn query(mut self, name: &'static str, value: Option<impl ToString>) -> Self {
        if let Some(value) = value {
            self.query.push((name, value.to_string()));
        }
        self
    }

    /// Sets the JSON body.
    pub(crate) fn json(mut self, body: &impl Serialize) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::validation("body", format!("cannot be serialized: {e}")))?;
        self.body = Some(Bytes::from(bytes));
        Ok(self)
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
    fn request_id(&self) -> Option<String> {
        REQUEST_ID_HEADERS
            .iter()
            .find_map(|name| self.headers.get(*name))
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// An [`Error::Decode`] for this response.
    fn decode_error(&self, reason: impl Into<String>) -> Error {
        let end = self.body.len().min(BODY_EXCERPT_BYTES);
        Error::Decode {
            status: self.status.as_u16(),
            request_id: self.request_id(),
            reason: reason.into(),
            body: String::from_utf8_lossy(&self.body[..end]).into_owned(),
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
            429 => Error::RateLimited {
                failure,
                retry_after: retry_after(&self.headers),
            },
            500..=599 => Error::Server(failure),
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

/// Implements [`Envelope`] for generated `{success, data}` response types.
macro_rules! envelope {
    ($($body:ty => $data:ty),* $(,)?) => {$(
        impl crate::transport::Envelope for $body {
            type Data = $data;
            fn into_parts(self) -> (Option<bool>, Option<$data>) {
                (self.success, self.data)
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

/// The value of a field the SDK cannot do without, or the reason it is missing.
pub(crate) fn required<T>(value: Option<T>, field: &str) -> std::result::Result<T, String> {
    value.ok_or_else(|| format!("the body has no `{field}`"))
}

impl Client {
    /// Sends `request`, retrying under the client's [`RetryPolicy`](crate::RetryPolicy) as
    /// the request's safety allows, and decodes the answer as `E`, returning the domain value
    /// `D` built from the data inside.
    ///
    /// Logs a `osvi.request` span (operation, method, path template) with one `osvi.attempt`
    /// span per attempt, a `warn` event per retry and an `info` event at the end (attempts,
    /// status, request id, elapsed time, outcome). No field holds the token, a phone number,
    /// a name, a body or a server message.
    pub(crate) async fn execute<E, D>(&self, request: Request) -> Result<D>
    where
        E: Envelope,
        D: FromWire<E::Data>,
    {
        let span = tracing::info_span!(
            "osvi.request",
            operation = request.operation,
            method = %request.method,
            path = request.template,
        );
        let started = std::time::Instant::now();
        let attempts = AtomicU32::new(0);
        let policy = self.policy;
        let outcome = (|| async {
            let attempt = attempts.fetch_add(1, Ordering::Relaxed) + 1;
            let attempt_span = tracing::debug_span!("osvi.attempt", attempt);
            self.attempt::<E, D>(&request)
                .instrument(attempt_span)
                .await
        })
        .retry(policy.schedule())
        .sleep(tokio::time::sleep)
        .when(|error: &Error| policy.allows(request.safety, error))
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
                request_id = request_id.as_deref(),
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

    /// One attempt: exchange and decode; returns the value, the status and the request id.
    async fn attempt<E, D>(&self, request: &Request) -> Result<(D, u16, Option<String>)>
    where
        E: Envelope,
        D: FromWire<E::Data>,
    {
        let started = std::time::Instant::now();
        let raw = self.exchange(request).await;
        let elapsed_ms = started.elapsed().as_millis() as u64;
        match &raw {
            Ok(raw) => tracing::debug!(
                status = raw.status.as_u16(),
                elapsed_ms,
                "osvi attempt answered"
            ),
            Err(error) => tracing::debug!(error = error.kind(), elapsed_ms, "osvi attempt failed"),
        }
        let raw = raw?;
        let value = decode::<E, D>(&raw)?;
        Ok((value, raw.status.as_u16(), raw.request_id()))
    }

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
        let body = match read_body("download_recording", response, BODY_EXCERPT_BYTES).await? {
            Ok(body) | Err(body) => body,
        };
        Err(RawResponse {
            status,
            headers,
            body,
        }
        .status_error())
    }

    /// Sends `request` once and reads the whole answer.
    async fn exchange(&self, request: &Request) -> Result<RawResponse> {
        let inner = &self.inner;
        let mut url = inner.base_url.clone();
        url.path_segments_mut()
            .map_err(|_| Error::config("the base URL cannot have a path"))?
            .pop_if_empty()
            .extend(&request.segments);
        let mut builder = inner
            .http
            .request(request.method.clone(), url)
            .header("API-Token", inner.token.clone())
            .header(USER_AGENT, inner.user_agent.clone())
            .header(ACCEPT, "application/json");
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        if let Some(body) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let in_operation = |e| transport_error(request.operation, e);
        let mut response = builder.send().await.map_err(in_operation)?;
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let limit = inner.max_body_bytes;
        let (body, complete) = match read_body(request.operation, response, limit).await? {
            Ok(body) => (body, true),
            Err(start) => (start, false),
        };
        let raw = RawResponse {
            status,
            headers,
            body,
        };
        match complete {
            true => Ok(raw),
            false => Err(raw.decode_error(format!("the body is larger than {limit} bytes"))),
        }
    }
}

/// Reads the body chunk by chunk. More than `limit` bytes is `Ok(Err(first bytes))`: the
/// rest is not read. A body that arrives in one chunk (the usual case) is returned without a
/// copy.
async fn read_body(
    operation: &str,
    mut response: reqwest::Response,
    limit: usize,
) -> Result<std::result::Result<Bytes, Bytes>> {
    let error = |e| transport_error(operation, e);
    let Some(first) = response.chunk().await.map_err(error)? else {
        return Ok(Ok(Bytes::new()));
    };
    if first.len() > limit {
        return Ok(Err(first.slice(..limit)));
    }
    let Some(second) = response.chunk().await.map_err(error)? else {
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
        chunk = response.chunk().await.map_err(error)?;
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
    let body: E = serde_json::from_slice(&raw.body).map_err(|e| raw.decode_error(e.to_string()))?;
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
