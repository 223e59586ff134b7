//! The hook under the generated client. Every request a generated method builds goes through
//! [`Exchange`], the client's [`Exec`] hook: it adds the token and the user agent, sends the
//! request through the client's [`Sender`] within the per-request timeout, reads the body
//! (bounded), and keeps what happened for the retry loop; [`Api::run`](super::Api::run)
//! decodes the body into the generated types itself (the generated method only sees a
//! placeholder answer, so the body is read and parsed once). [`Transport`] holds what every request of a client needs; it also
//! makes the plain, token-less download of a recording.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use osvi_generated::{Exec, ExecFuture};
use progenitor_client::OperationInfo;
use reqwest::ResponseBuilderExt;
use reqwest::header::{HeaderName, HeaderValue, USER_AGENT};
use url::Url;

use crate::error::{BODY_EXCERPT_BYTES, Error, Result};
use crate::transport::decode::RawResponse;
use crate::transport::send::{Reply, Sender, read_reqwest};

/// Default largest response body read; a larger one is an [`Error::Decode`]. The biggest
/// documented body is a page of 100 calls, a few hundred KiB.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// What every request of a client needs; shared by all clones of a
/// [`Client`](crate::Client).
pub(crate) struct Transport {
    /// Builds the generated requests, and sends downloads (and API requests when
    /// [`Transport::sender`] is [`Sender::Reqwest`]).
    pub(crate) http: reqwest::Client,
    /// How API requests are sent.
    pub(crate) sender: Sender,
    /// The base URL without a trailing `/`, as the generated client joins paths to it.
    pub(crate) base_url: String,
    /// The base URL, for the placeholder answer handed to the generated code.
    pub(crate) base: Url,
    /// The token header of the spec (`API-Token`).
    pub(crate) token_header: HeaderName,
    pub(crate) token: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) max_body_bytes: usize,
}

impl Transport {
    /// Starts a plain GET of `url` (a presigned download URL: no API token, no retries) and
    /// returns the response once its status is a success.
    pub(crate) async fn download(
        &self,
        url: &str,
        timeout: Option<Duration>,
    ) -> Result<reqwest::Response> {
        let mut builder = self
            .http
            .get(url)
            .header(USER_AGENT, self.user_agent.clone());
        if let Some(timeout) = timeout {
            builder = builder.timeout(timeout);
        }
        let mut response = builder
            .send()
            .await
            .map_err(|e| Error::from_reqwest("download_recording", e))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let headers = std::mem::take(response.headers_mut());
        let (body, _) = read_reqwest(response, BODY_EXCERPT_BYTES)
            .await
            .map_err(|e| Error::from_reqwest("download_recording", e))?;
        Err(Error::from_status(status, &headers, &body))
    }
}

/// The client's hook under the generated methods for one operation call: adds the token and
/// the user agent, sends within the timeout, reads the body up to the limit, and keeps the
/// outcome for the retry loop.
pub(crate) struct Exchange {
    transport: Arc<Transport>,
    /// The per-request timeout replacing the client's, if any.
    timeout: Option<Duration>,
    outcome: Mutex<Option<Result<Answer>>>,
}

/// What the server answered to the last request of an [`Exchange`].
pub(crate) struct Answer {
    pub(crate) raw: RawResponse,
    /// `false` when the body was larger than the limit and only its start was read.
    pub(crate) complete: bool,
}

impl Exchange {
    /// The hook for one operation call through `transport`, with a per-request `timeout`.
    pub(crate) fn new(transport: Arc<Transport>, timeout: Option<Duration>) -> Exchange {
        Exchange {
            transport,
            timeout,
            outcome: Mutex::new(None),
        }
    }

    /// The largest body read.
    pub(crate) fn max_body_bytes(&self) -> usize {
        self.transport.max_body_bytes
    }

    /// What the last request came to, once: the answer, or why none arrived (`None` when
    /// the generated code failed before sending anything).
    pub(crate) fn take(&self) -> Option<Result<Answer>> {
        self.outcome
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
    }

    async fn send(
        &self,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let transport = &self.transport;
        let headers = request.headers_mut();
        headers.insert(transport.token_header.clone(), transport.token.clone());
        headers.insert(USER_AGENT, transport.user_agent.clone());
        let outcome = transport
            .sender
            .send(
                info.operation_id,
                request,
                self.timeout,
                transport.max_body_bytes,
            )
            .await
            .map(
                |Reply {
                     status,
                     headers,
                     body,
                     complete,
                 }| Answer {
                    raw: RawResponse {
                        status,
                        headers,
                        body,
                    },
                    complete,
                },
            );
        *self
            .outcome
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(outcome);
        Ok(placeholder(&transport.base))
    }
}

/// What the generated method is handed back: an empty answer with a status no operation
/// declares, which it returns as "unexpected" without reading anything. Whatever it makes of
/// it is dropped: the retry loop reads the real outcome from the [`Exchange`]. (With its URL,
/// so reqwest does not parse one.)
fn placeholder(base: &Url) -> reqwest::Response {
    let answer = http::Response::builder()
        .status(PLACEHOLDER_STATUS)
        .url(base.clone())
        .body(bytes::Bytes::new())
        .unwrap_or_else(|_| http::Response::new(bytes::Bytes::new()));
    reqwest::Response::from(answer)
}

/// The status of the [`placeholder`], which no operation of the spec declares.
const PLACEHOLDER_STATUS: u16 = 599;

impl Exec for Exchange {
    fn exec<'a>(
        &'a self,
        _: &'a reqwest::Client,
        request: reqwest::Request,
        info: &'a OperationInfo,
    ) -> ExecFuture<'a> {
        Box::pin(self.send(request, info))
    }
}
