//! The hook under the generated client. Every request a generated method builds goes through
//! [`Exchange`], the client's [`Exec`] hook: it adds the token, the user agent and the
//! per-request timeout, sends the request, reads the body (bounded), and keeps a copy of what
//! the server answered, so an error can carry the status, the request id and the server's
//! messages even when progenitor's own error type would drop them. [`Transport`] holds what
//! every request of a client needs; it also makes the plain, token-less download of a
//! recording.

use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use osvi_generated::{Exec, ExecFuture};
use progenitor_client::OperationInfo;
use reqwest::ResponseBuilderExt;
use reqwest::header::{HeaderName, HeaderValue, USER_AGENT};

use crate::error::{BODY_EXCERPT_BYTES, Error, Result};
use crate::transport::decode::RawResponse;

/// Default largest response body read; a larger one is an [`Error::Decode`]. The biggest
/// documented body is a page of 100 calls, a few hundred KiB.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// What every request of a client needs; shared by all clones of a
/// [`Client`](crate::Client).
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    /// The base URL without a trailing `/`, as the generated client joins paths to it.
    pub(crate) base_url: String,
    /// The token header of the spec (`API-Token`).
    pub(crate) token_header: HeaderName,
    pub(crate) token: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) max_body_bytes: usize,
}

impl Transport {
    /// The hook for one request, with the client's per-request `timeout`.
    pub(crate) fn exchange(&self, timeout: Option<Duration>) -> Exchange {
        Exchange {
            token_header: self.token_header.clone(),
            token: self.token.clone(),
            user_agent: self.user_agent.clone(),
            timeout,
            max_body_bytes: self.max_body_bytes,
            answer: Mutex::new(None),
        }
    }

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
        let body = match read_body(response, BODY_EXCERPT_BYTES)
            .await
            .map_err(|e| Error::from_reqwest("download_recording", e))?
        {
            Ok(body) | Err(body) => body,
        };
        Err(Error::from_status(status, &headers, &body))
    }
}

/// The client's hook under the generated methods: adds the token, the user agent and the
/// timeout, sends, reads the body up to the limit, and keeps the answer for the retry loop.
pub(crate) struct Exchange {
    token_header: HeaderName,
    token: HeaderValue,
    user_agent: HeaderValue,
    timeout: Option<Duration>,
    pub(crate) max_body_bytes: usize,
    answer: Mutex<Option<Answer>>,
}

/// What the server answered to the last request of an [`Exchange`].
pub(crate) struct Answer {
    pub(crate) raw: RawResponse,
    /// `false` when the body was larger than the limit and only its start was read.
    pub(crate) complete: bool,
}

impl Exchange {
    /// The answer to the last request, once (`None` when none arrived).
    pub(crate) fn take(&self) -> Option<Answer> {
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
