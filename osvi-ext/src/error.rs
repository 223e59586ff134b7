//! The one error type of the SDK.
//!
//! Every fallible method returns [`Result<T, Error>`](crate::Result). [`Error`] tells apart what
//! a caller reacts to differently: input the SDK refused before sending anything
//! ([`Error::Validation`]), each kind of answer the server gave (401, 403, 404, 400/422, 429,
//! 5xx), a timeout, another transport failure, and a body the SDK could not decode. Every
//! error that came with a response carries its HTTP status and request id
//! ([`Error::status`], [`Error::request_id`]).
//!
//! ```
//! # async fn run(client: osvi_ext::Client) {
//! match client.calls().get("a1b2c3d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d").await {
//!     Ok(call) => println!("{}", call.status.map_or("unknown".into(), |s| s.to_string())),
//!     Err(osvi_ext::Error::NotFound(failure)) => println!("no such call ({failure})"),
//!     Err(other) => eprintln!("{other}"),
//! }
//! # }
//! ```

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, LOCATION, RETRY_AFTER};

use crate::campaigns::model::ContactsAdded;

/// Shorthand for `Result<T, osvi_ext::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How much of an undecodable body an [`Error::Decode`] keeps.
pub(crate) const BODY_EXCERPT_BYTES: usize = 1024;

/// Everything that can go wrong when calling OSVI.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The SDK refused the input before sending anything: `field` broke `rule`.
    Validation {
        /// The offending field, as named in the API (e.g. `phone_number`,
        /// `call_config_overrides.retry_config.max_attempts`, `contacts[3].phone`).
        field: String,
        /// The rule it broke, in words.
        rule: String,
    },
    /// 401: the API token is missing or invalid.
    Unauthorized(ApiFailure),
    /// 403: e.g. the agent does not belong to the token's account.
    Forbidden(ApiFailure),
    /// 404: no such resource on the account (also a malformed call id).
    NotFound(ApiFailure),
    /// 400 or 422, or a `200` whose body says `success: false`: the server rejected the
    /// request; [`ApiFailure::messages`] holds every message it gave.
    BadRequest(ApiFailure),
    /// 409: the request is valid but the resource's state forbids it (e.g. a closed chat
    /// session). The docs show no error for these cases; the spec assumes `409`.
    Conflict(ApiFailure),
    /// 429: too many requests.
    RateLimited {
        /// The response.
        failure: ApiFailure,
        /// The server's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// 5xx: the server failed.
    Server(ApiFailure),
    /// Any other status the API does not document (e.g. 410).
    UnexpectedStatus(ApiFailure),
    /// A redirect the SDK did not follow: one that leaves the configured API origin
    /// (scheme, host and port), so the API token would have gone with it. Redirects within
    /// the API origin are followed.
    Redirect {
        /// The `3xx` answer.
        failure: ApiFailure,
        /// Its `Location` header, when it had a readable one.
        location: Option<String>,
    },
    /// The request or the response did not finish within the configured timeout.
    Timeout {
        /// What timed out, in words.
        message: String,
    },
    /// The request could not be sent or the response could not be read (DNS, connection
    /// refused or reset, TLS ...).
    Transport {
        /// What failed, in words.
        message: String,
        /// `true` when the failure happened before any byte of the request could have
        /// reached the server (connection refused, DNS failure): resending is safe.
        before_sending: bool,
        /// The underlying error (hyper's or reqwest's), when there is one.
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The server answered, but the body is not what the API documents.
    Decode {
        /// The HTTP status of the response.
        status: u16,
        /// The request id header of the response, if any.
        request_id: Option<String>,
        /// Why decoding failed.
        reason: String,
        /// The first KiB of the raw body (lossy UTF-8).
        body: String,
    },
    /// The server **accepted** a request that changes something (a call placed, contacts
    /// stored, a number added to DND ...: every operation but a `GET`) and answered `2xx`, but
    /// its body could not be read. The change most likely happened: do not resend blindly
    /// (check with a read first, e.g. [`Calls::list`](crate::calls::Calls::list)). Never
    /// retried by the SDK.
    AcceptedButUnreadable {
        /// The HTTP status of the response (`2xx`).
        status: u16,
        /// The request id header of the response, if any.
        request_id: Option<String>,
        /// Why the body could not be read.
        reason: String,
        /// The first KiB of the raw body (lossy UTF-8).
        body: String,
    },
    /// Writing downloaded data to your writer failed.
    Io {
        /// What failed.
        message: String,
        /// The writer's error.
        source: std::io::Error,
    },
    /// A webhook body that is not a payload of either documented generation (not a JSON
    /// object, or a known field of the wrong type).
    InvalidWebhook {
        /// What is wrong.
        reason: String,
    },
    /// A campaign upload split into several requests failed part-way. The first `stored`
    /// contacts (in the order given) were stored, as `summary` reports; the others were not
    /// sent or not accepted, and can be sent again.
    PartialUpload {
        /// How many contacts, from the start, were stored.
        stored: usize,
        /// The merged summary of the requests that succeeded.
        summary: Box<ContactsAdded>,
        /// Why the next request failed.
        source: Box<Error>,
    },
    /// The call has no recording: its recording answer had no URL
    /// ([`Recording::recording_url`](crate::calls::Recording::recording_url) is `None`), so
    /// [`Calls::download_recording`](crate::calls::Calls::download_recording) has nothing
    /// to fetch. Calls that were not answered have none.
    NoRecording {
        /// The call.
        call_id: String,
    },
    /// A call placement failed uncertainly (`cause`), and the SDK's lookups of the call list
    /// ([`ReconcilePolicy`](crate::retry::ReconcilePolicy)) found no such call for `looked_for`,
    /// up to the end of the window: **the call was not placed**, the person was not dialed
    /// ([`Error::may_have_reached_server`] is `false`). Placing it again is safe as far as
    /// the call list can tell (see the policy's limits).
    NotPlaced {
        /// The placement's own failure.
        cause: Box<Error>,
        /// How long the SDK looked.
        looked_for: Duration,
    },
    /// A request of a contact upload failed uncertainly (`cause`), and the campaign status
    /// shows no upload it made, up to the end of the
    /// [`ReconcilePolicy`](crate::retry::ReconcilePolicy)'s window: **its contacts were not
    /// stored** ([`Error::may_have_reached_server`] is `false`); they can be sent again.
    /// Inside [`Error::PartialUpload`] when earlier requests stored theirs.
    NotStored {
        /// The request's own failure.
        cause: Box<Error>,
        /// How long the SDK looked.
        looked_for: Duration,
    },
    /// A call placement (or a request of a contact upload) failed uncertainly (`cause`), and
    /// the call list (the campaign status) shows more than one call (upload) that could be
    /// it: the same agent calling the same number, or uploading to the campaign, since just
    /// before it was sent. The SDK does not guess: check these before sending it again.
    AmbiguousPlacement {
        /// The placement's own failure.
        cause: Box<Error>,
        /// The ids of the candidate calls (or uploads), most recent first.
        candidates: Vec<String>,
    },
    /// A call placement (or a request of a contact upload) failed uncertainly (`cause`), and
    /// looking it up in the call list (the campaign status) failed too (`lookup`; for the
    /// last lookup, at the window's end): it may or may not have been carried out.
    Unreconciled {
        /// The placement's own failure.
        cause: Box<Error>,
        /// Why the lookup failed.
        lookup: Box<Error>,
    },
    /// A contact upload was stopped by its
    /// [`stop_when`](crate::campaigns::AddContacts::stop_when) signal before this request:
    /// nothing of it was sent.
    Stopped,
    /// The client could not be built (bad token, base URL, TLS setup ...).
    Config {
        /// What is wrong.
        message: String,
    },
}

/// An error answer of the server: status, request id and the messages it gave.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiFailure {
    /// The HTTP status.
    pub status: u16,
    /// The request id header of the response (`x-request-id` or `request-id`), if any.
    pub request_id: Option<String>,
    /// Every message of the body, whether it came as `errors: [..]`, `error` (+ `details`)
    /// or `message`. Empty when the body had none (or was not JSON).
    pub messages: Vec<String>,
    /// The body's `details`, when present and not `null`.
    pub details: Option<Box<serde_json::Value>>,
    /// The first KiB of the raw body (lossy UTF-8), whatever it was: the only trace of an
    /// answer that is not JSON, such as a proxy's HTML `502` page.
    pub body: String,
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status)?;
        if !self.messages.is_empty() {
            write!(f, ": {}", self.messages.join("; "))?;
        } else if let Some(excerpt) = excerpt(&self.body) {
            write!(f, ": {excerpt}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// How many characters of a body without messages [`ApiFailure`]'s `Display` shows.
const DISPLAYED_BODY_CHARS: usize = 200;

/// The start of a body for a one-line message: whitespace runs collapsed, at most
/// [`DISPLAYED_BODY_CHARS`] characters, `None` when blank.
fn excerpt(body: &str) -> Option<String> {
    let mut words = body.split_whitespace();
    let first = words.next()?;
    let mut line = String::from(first);
    for word in words {
        if line.chars().count() >= DISPLAYED_BODY_CHARS {
            break;
        }
        line.push(' ');
        line.push_str(word);
    }
    if line.chars().count() > DISPLAYED_BODY_CHARS {
        line = line.chars().take(DISPLAYED_BODY_CHARS).collect();
        line.push('…');
    }
    Some(line)
}

/// Headers that may carry the server's request id, in the order they are looked up.
const REQUEST_ID_HEADERS: [HeaderName; 3] = [
    HeaderName::from_static("x-request-id"),
    HeaderName::from_static("request-id"),
    HeaderName::from_static("x-amzn-requestid"),
];

/// The request id header of an answer, if it has one.
pub(crate) fn request_id_header(headers: &HeaderMap) -> Option<HeaderValue> {
    REQUEST_ID_HEADERS
        .iter()
        .find_map(|name| headers.get(name))
        .cloned()
}

/// The request id of an answer, as text.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    let header = request_id_header(headers)?;
    header.to_str().ok().map(str::to_string)
}

/// The first KiB of a body, as lossy UTF-8.
pub(crate) fn body_excerpt(body: &[u8]) -> String {
    let end = body.len().min(BODY_EXCERPT_BYTES);
    String::from_utf8_lossy(&body[..end]).into_owned()
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

impl ApiFailure {
    /// The status, request id and messages of an error answer.
    pub(crate) fn from_answer(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Self {
        let parsed: Option<osvi_generated::types::ApiError> = serde_json::from_slice(body).ok();
        let mut messages = Vec::new();
        let mut details = None;
        if let Some(body) = parsed {
            messages.extend(body.errors.unwrap_or_default());
            messages.extend(crate::lenient::read(body.error));
            messages.extend(crate::lenient::read(body.message));
            details = body.details.filter(|d| !d.is_null()).map(Box::new);
        }
        ApiFailure {
            status: status.as_u16(),
            request_id: request_id(headers),
            messages,
            details,
            body: body_excerpt(body),
        }
    }
}

impl Error {
    /// The error for an answer with a non-2xx status: each status the API documents has its
    /// variant; a `3xx` is a redirect the SDK did not follow.
    pub(crate) fn from_status(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Self {
        let failure = ApiFailure::from_answer(status, headers, body);
        match status.as_u16() {
            400 | 422 => Error::BadRequest(failure),
            401 => Error::Unauthorized(failure),
            403 => Error::Forbidden(failure),
            404 => Error::NotFound(failure),
            409 => Error::Conflict(failure),
            429 => Error::RateLimited {
                failure,
                retry_after: retry_after(headers),
            },
            500..=599 => Error::Server(failure),
            300..=399 => Error::Redirect {
                location: headers
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                failure,
            },
            _ => Error::UnexpectedStatus(failure),
        }
    }

    /// Classifies a reqwest failure of `operation`.
    pub(crate) fn from_reqwest(operation: &str, error: reqwest::Error) -> Self {
        if error.is_timeout() {
            return Error::Timeout {
                message: format!("{operation}: {}", error_chain(&error)),
            };
        }
        Error::Transport {
            message: format!("{operation}: {}", error_chain(&error)),
            before_sending: error.is_connect(),
            source: Some(Box::new(error)),
        }
    }

    /// A validation error for `field` breaking `rule`.
    pub(crate) fn validation(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Error::Validation {
            field: field.into(),
            rule: rule.into(),
        }
    }

    /// A configuration error.
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config {
            message: message.into(),
        }
    }

    /// The server's answer, for the variants that have one.
    pub fn failure(&self) -> Option<&ApiFailure> {
        match self {
            Error::Unauthorized(f)
            | Error::Forbidden(f)
            | Error::NotFound(f)
            | Error::BadRequest(f)
            | Error::Conflict(f)
            | Error::Server(f)
            | Error::UnexpectedStatus(f)
            | Error::RateLimited { failure: f, .. }
            | Error::Redirect { failure: f, .. } => Some(f),
            _ => None,
        }
    }

    /// The HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Decode { status, .. } | Error::AcceptedButUnreadable { status, .. } => {
                Some(*status)
            }
            Error::PartialUpload { source, .. } => source.status(),
            Error::NotPlaced { cause, .. }
            | Error::NotStored { cause, .. }
            | Error::AmbiguousPlacement { cause, .. }
            | Error::Unreconciled { cause, .. } => cause.status(),
            other => other.failure().map(|f| f.status),
        }
    }

    /// The request id header of the response, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Decode { request_id, .. } | Error::AcceptedButUnreadable { request_id, .. } => {
                request_id.as_deref()
            }
            Error::PartialUpload { source, .. } => source.request_id(),
            Error::NotPlaced { cause, .. }
            | Error::NotStored { cause, .. }
            | Error::AmbiguousPlacement { cause, .. }
            | Error::Unreconciled { cause, .. } => cause.request_id(),
            other => other.failure().and_then(|f| f.request_id.as_deref()),
        }
    }

    /// A short, stable name of the variant (`"not_found"`, `"timeout"` ...), as logged.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Validation { .. } => "validation",
            Error::Unauthorized(_) => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::NotFound(_) => "not_found",
            Error::BadRequest(_) => "bad_request",
            Error::Conflict(_) => "conflict",
            Error::RateLimited { .. } => "rate_limited",
            Error::Server(_) => "server",
            Error::UnexpectedStatus(_) => "unexpected_status",
            Error::Redirect { .. } => "redirect",
            Error::Timeout { .. } => "timeout",
            Error::Transport { .. } => "transport",
            Error::Decode { .. } => "decode",
            Error::AcceptedButUnreadable { .. } => "accepted_but_unreadable",
            Error::Io { .. } => "io",
            Error::InvalidWebhook { .. } => "invalid_webhook",
            Error::PartialUpload { .. } => "partial_upload",
            Error::NoRecording { .. } => "no_recording",
            Error::NotPlaced { .. } => "not_placed",
            Error::NotStored { .. } => "not_stored",
            Error::Stopped => "stopped",
            Error::AmbiguousPlacement { .. } => "ambiguous_placement",
            Error::Unreconciled { .. } => "unreconciled",
            Error::Config { .. } => "config",
        }
    }

    /// Whether the request may have reached the server, so that what it asks for (a call
    /// placed, data stored) may have happened. `false` only when it provably did not: the
    /// SDK refused the input or could not be built, or the connection could not be opened
    /// (refused, DNS). `true` for every answer of the server and for failures once the
    /// request may have been written (a reset connection, a timeout).
    ///
    /// For a call placement, the SDK has already looked the call up when this error comes
    /// back (see [`ReconcilePolicy`](crate::retry::ReconcilePolicy)), and this answers what
    /// you care about, whether the person may have been dialed: [`Error::NotPlaced`] is
    /// `false`; [`Error::AmbiguousPlacement`] and [`Error::Unreconciled`] are `true`.
    pub fn may_have_reached_server(&self) -> bool {
        match self {
            Error::Validation { .. }
            | Error::Config { .. }
            | Error::InvalidWebhook { .. }
            | Error::NotPlaced { .. }
            | Error::NotStored { .. }
            | Error::Stopped => false,
            Error::Transport { before_sending, .. } => !before_sending,
            _ => true,
        }
    }

    /// Whether the request may have been carried out although no answer said so: it may have
    /// reached the server, and what came back was no definite refusal (a reset or timeout
    /// after sending, a 5xx or 429, an undocumented status or redirect, an unreadable
    /// answer, or a placement the SDK's lookups could not settle). A definite answer (400,
    /// 401, 403, 404, 409, [`Error::NotPlaced`], [`Error::NotStored`]) is `false`. This is what triggers the
    /// lookup of an uncertain call placement, and the command line's exit code 9.
    pub fn is_uncertain(&self) -> bool {
        let undecided = matches!(
            self,
            Error::Timeout { .. }
                | Error::Transport { .. }
                | Error::Server(_)
                | Error::RateLimited { .. }
                | Error::UnexpectedStatus(_)
                | Error::Redirect { .. }
                | Error::Decode { .. }
                | Error::AcceptedButUnreadable { .. }
                | Error::AmbiguousPlacement { .. }
                | Error::Unreconciled { .. }
        );
        undecided && self.may_have_reached_server()
    }

    /// The server's messages (empty for errors without a server answer).
    pub fn messages(&self) -> &[String] {
        self.failure().map(|f| f.messages.as_slice()).unwrap_or(&[])
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Validation { field, rule } => write!(f, "invalid `{field}`: {rule}"),
            Error::Unauthorized(x) => write!(f, "unauthorized, check the API token: {x}"),
            Error::Forbidden(x) => write!(f, "forbidden: {x}"),
            Error::NotFound(x) => write!(f, "not found: {x}"),
            Error::BadRequest(x) => write!(f, "request rejected: {x}"),
            Error::Conflict(x) => write!(f, "conflict with the resource's state: {x}"),
            Error::RateLimited {
                failure,
                retry_after,
            } => {
                write!(f, "rate limited: {failure}")?;
                match retry_after {
                    Some(after) => write!(f, ", retry after {}s", after.as_secs()),
                    None => Ok(()),
                }
            }
            Error::Server(x) => write!(f, "server error: {x}"),
            Error::UnexpectedStatus(x) => write!(f, "unexpected status: {x}"),
            Error::Redirect { failure, location } => write!(
                f,
                "redirect to `{}` not followed: it leaves the API origin, and the API token with it: {failure}",
                location.as_deref().unwrap_or("(no location)")
            ),
            Error::Timeout { message } => write!(f, "timed out: {message}"),
            Error::Transport { message, .. } => write!(f, "transport error: {message}"),
            Error::Decode {
                status,
                reason,
                request_id,
                ..
            } => {
                write!(f, "undecodable response (HTTP {status}): {reason}")?;
                match request_id {
                    Some(id) => write!(f, " (request id {id})"),
                    None => Ok(()),
                }
            }
            Error::AcceptedButUnreadable {
                status,
                reason,
                request_id,
                ..
            } => {
                write!(
                    f,
                    "the server accepted the request (HTTP {status}) but its answer could not be read, so the change most likely happened: {reason}"
                )?;
                match request_id {
                    Some(id) => write!(f, " (request id {id})"),
                    None => Ok(()),
                }
            }
            Error::Io { message, .. } => write!(f, "I/O error: {message}"),
            Error::InvalidWebhook { reason } => write!(f, "invalid webhook body: {reason}"),
            Error::PartialUpload { stored, source, .. } => write!(
                f,
                "campaign upload stopped after the first {stored} contacts were stored: {source}"
            ),
            Error::NoRecording { call_id } => write!(f, "call {call_id} has no recording"),
            Error::NotPlaced { cause, looked_for } => write!(
                f,
                "the call was not placed: placing it failed ({cause}) and no such call appeared in the call list within {} s",
                looked_for.as_secs()
            ),
            Error::NotStored { cause, looked_for } => write!(
                f,
                "the contacts were not stored: the request failed ({cause}) and no upload of it appeared in the campaign status within {} s",
                looked_for.as_secs()
            ),
            Error::AmbiguousPlacement { cause, candidates } => write!(
                f,
                "the request may have been carried out: it failed ({cause}) and {} calls or uploads could be its ({}); check them before sending it again",
                candidates.len(),
                candidates.join(", ")
            ),
            Error::Unreconciled { cause, lookup } => write!(
                f,
                "the request may have been carried out: it failed ({cause}) and looking it up failed too ({lookup})"
            ),
            Error::Stopped => f.write_str("stopped before this request was sent"),
            Error::Config { message } => write!(f, "invalid client configuration: {message}"),
        }
    }
}

/// The error and its sources, joined, so "error sending request" says why.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport {
                source: Some(source),
                ..
            } => Some(source.as_ref()),
            Error::PartialUpload { source, .. } => Some(source.as_ref()),
            Error::NotPlaced { cause, .. }
            | Error::NotStored { cause, .. }
            | Error::AmbiguousPlacement { cause, .. }
            | Error::Unreconciled { cause, .. } => Some(cause.as_ref()),
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
