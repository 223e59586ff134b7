//! Putting a request on the wire and reading its answer. The generated code builds each
//! request (method, URL, query, headers, body: every wire fact); this module sends it one of
//! two ways and reads the status, the headers and the body (up to a limit):
//!
//! - [`Direct`] (the default): straight on hyper's connection pool (`hyper-util`), with the
//!   TLS of `hyper-rustls` and the platform's certificate verifier, the same crates and
//!   settings reqwest uses inside. It skips reqwest's request layers (its redirect layer
//!   alone turns every request's URI back into a `Url` twice), which made the SDK cost more
//!   instructions per request than a bare reqwest client (BENCHMARKS.md section 1). It follows
//!   redirects within the API's origin itself, by the rule of [`redirect_rule`].
//! - reqwest (`Sender::Reqwest`), when [`Direct`] cannot carry the request as reqwest would: a
//!   proxy applies to the API's address (`HTTPS_PROXY`, `ALL_PROXY`, ... or the system's
//!   settings, read the way reqwest reads them), the caller passed their own
//!   `reqwest::ClientBuilder`, or the API is `https` and the `rustls` feature is off.

use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, LOCATION, TRANSFER_ENCODING};
use http::{HeaderMap, Method, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use url::{Origin, Url};

use crate::error::{Error, Result, error_chain};

/// The most redirects followed for one request.
pub(crate) const MAX_REDIRECTS: usize = 10;

/// What the server answered, as read off the wire.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// `false` when the body was larger than the limit and only its start was read.
    pub(crate) complete: bool,
}

/// How a client's requests reach the API.
// One per client, inside its shared `Transport`: the size of the direct variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Sender {
    /// On hyper directly (the default).
    Direct(Direct),
    /// Through reqwest (a proxy, the caller's own reqwest builder, or `https` without rustls).
    Reqwest(reqwest::Client),
}

impl Sender {
    /// Sends `request` and reads its answer, within `timeout` (for the reqwest path: the
    /// client's own when `None`), reading at most `limit` bytes of body.
    pub(crate) async fn send(
        &self,
        operation: &str,
        request: reqwest::Request,
        timeout: Option<Duration>,
        limit: usize,
    ) -> Result<Reply> {
        match self {
            Sender::Direct(direct) => direct.send(operation, request, timeout, limit).await,
            Sender::Reqwest(http) => via_reqwest(operation, http, request, timeout, limit).await,
        }
    }
}

/// What a redirect from the API leads to: followed only within the API's origin, since the
/// request carries the token; one to another origin is returned to the caller as the `3xx`
/// ([`Error::Redirect`]). reqwest's policy (the caller's own builder, downloads) and
/// [`Direct`] both decide by this rule.
pub(crate) enum RedirectRule {
    /// Follow it.
    Follow,
    /// Return the `3xx` answer as it is.
    Stop,
    /// Too many redirects: fail.
    TooMany,
}

/// The rule for a redirect to `next` after `hops` earlier ones, of a request that started at
/// the API (`from_api`) whose origin is `api`.
pub(crate) fn redirect_rule(api: &Origin, from_api: bool, next: &Url, hops: usize) -> RedirectRule {
    if from_api && next.origin() != *api {
        RedirectRule::Stop
    } else if hops >= MAX_REDIRECTS {
        RedirectRule::TooMany
    } else {
        RedirectRule::Follow
    }
}

#[cfg(feature = "rustls")]
type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
#[cfg(not(feature = "rustls"))]
type Connector = HttpConnector;

/// Requests sent on hyper's connection pool, without reqwest's layers.
pub(crate) struct Direct {
    pool: legacy::Client<Connector, Full<Bytes>>,
    /// The API's origin: the only one redirects are followed to.
    api: Origin,
    /// The client's timeout for a whole request, body included.
    timeout: Duration,
}

impl Direct {
    /// A direct sender for the API at `base`, or `None` when reqwest must carry its requests
    /// (a proxy applies to `base`, or `base` is `https` and the `rustls` feature is off).
    /// The connection settings are reqwest's defaults, with the client's timeouts and `tls`.
    pub(crate) fn new(
        base: &Url,
        connect_timeout: Duration,
        timeout: Duration,
        tls: Tls,
    ) -> Result<Option<Direct>> {
        let uri: Uri = base
            .as_str()
            .parse()
            .map_err(|_| Error::config("the base URL is not a valid URI"))?;
        let proxies = hyper_util::client::proxy::matcher::Matcher::from_system();
        if proxies.intercept(&uri).is_some() {
            return Ok(None);
        }
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(connect_timeout));
        http.set_keepalive(Some(Duration::from_secs(15)));
        http.set_keepalive_interval(Some(Duration::from_secs(15)));
        http.set_keepalive_retries(Some(3));
        #[cfg(any(target_os = "android", target_os = "fuchsia", target_os = "linux"))]
        http.set_tcp_user_timeout(Some(Duration::from_secs(30)));
        let Some(connector) = tls.connector(http, base) else {
            return Ok(None);
        };
        let pool = legacy::Client::builder(TokioExecutor::new())
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(usize::MAX)
            .build(connector);
        Ok(Some(Direct {
            pool,
            api: base.origin(),
            timeout,
        }))
    }

    async fn send(
        &self,
        operation: &str,
        request: reqwest::Request,
        timeout: Option<Duration>,
        limit: usize,
    ) -> Result<Reply> {
        let timeout = timeout.unwrap_or(self.timeout);
        match tokio::time::timeout(timeout, self.exchange(request, limit)).await {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(failure)) => Err(failure.into_error(operation)),
            Err(_) => Err(Error::Timeout {
                message: format!(
                    "{operation}: no complete answer within {} ms",
                    timeout.as_millis()
                ),
            }),
        }
    }

    /// Sends `request`, follows redirects within the API's origin, and reads the last answer.
    async fn exchange(
        &self,
        request: reqwest::Request,
        limit: usize,
    ) -> std::result::Result<Reply, Failure> {
        let (parts, body) = http::Request::<reqwest::Body>::try_from(request)
            .map_err(|e| Failure::unsent(Box::new(e)))?
            .into_parts();
        // The generated code's bodies are one buffer: taken out without a copy.
        let body = body_bytes(body)
            .await
            .map_err(|e| Failure::unsent(Box::new(e)))?;
        let mut next = Replay {
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            body,
        };
        let mut hops = 0;
        loop {
            // Kept for a redirect (cheap: the URI and body are shared buffers; the header
            // map is a few entries).
            let replay = next.clone();
            let response = self
                .pool
                .request(next.into_request())
                .await
                .map_err(Failure::sending)?;
            match self.redirect(replay, &response, hops)? {
                Some(redirected) => {
                    next = redirected;
                    hops += 1;
                }
                None => return read(response, limit).await.map_err(Failure::reading),
            }
        }
    }

    /// The request a redirect leads to, when [`redirect_rule`] follows it.
    fn redirect<B>(
        &self,
        replay: Replay,
        response: &http::Response<B>,
        hops: usize,
    ) -> std::result::Result<Option<Replay>, Failure> {
        let status = response.status();
        let keeps_method = matches!(
            status,
            StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
        );
        let changes_method = matches!(
            status,
            StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND | StatusCode::SEE_OTHER
        );
        if !keeps_method && !changes_method {
            return Ok(None);
        }
        let Some(location) = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
        else {
            return Ok(None);
        };
        let Some(next) = Url::parse(&replay.uri.to_string())
            .ok()
            .and_then(|here| here.join(location).ok())
        else {
            return Ok(None);
        };
        match redirect_rule(&self.api, true, &next, hops) {
            RedirectRule::Stop => return Ok(None),
            RedirectRule::TooMany => {
                return Err(Failure::after_sending(
                    format!("more than {MAX_REDIRECTS} redirects").into(),
                ));
            }
            RedirectRule::Follow => {}
        }
        let Ok(uri) = next.as_str().parse::<Uri>() else {
            return Ok(None);
        };
        let mut replay = Replay { uri, ..replay };
        // As browsers and reqwest do: 301/302 turn a POST, and 303 anything but HEAD, into
        // a GET without a body; 307/308 resend the same request.
        if changes_method
            && (replay.method == Method::POST
                || (status == StatusCode::SEE_OTHER && replay.method != Method::HEAD))
        {
            replay.method = Method::GET;
            replay.body = Bytes::new();
            for name in [
                CONTENT_TYPE,
                CONTENT_LENGTH,
                CONTENT_ENCODING,
                TRANSFER_ENCODING,
            ] {
                replay.headers.remove(name);
            }
        }
        Ok(Some(replay))
    }
}

/// A request as the direct path sends it, kept whole so a redirect can resend it.
#[derive(Clone)]
struct Replay {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

impl Replay {
    fn into_request(self) -> http::Request<Full<Bytes>> {
        let mut request = http::Request::new(Full::new(self.body));
        *request.method_mut() = self.method;
        *request.uri_mut() = self.uri;
        *request.headers_mut() = self.headers;
        request
    }
}

/// The bytes of a request body built by the generated code (one buffer, taken without a
/// copy; a streamed body, which the generated code never makes, is gathered).
async fn body_bytes(mut body: reqwest::Body) -> reqwest::Result<Bytes> {
    let mut collector = Collector::new(usize::MAX);
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            collector.push(data);
        }
    }
    Ok(collector.finish().0)
}

/// The TLS settings of a client the SDK builds itself: rustls with the platform's certificate
/// verifier, made once and shared by the direct path and the reqwest client (building the
/// verifier reads and parses every root certificate of the system, a few milliseconds).
/// Without the `rustls` feature there is nothing to share.
pub(crate) struct Tls {
    #[cfg(feature = "rustls")]
    config: rustls::ClientConfig,
}

impl Tls {
    /// Loads the platform's roots into a rustls configuration, as reqwest does by default.
    #[cfg(feature = "rustls")]
    pub(crate) fn new() -> Result<Tls> {
        use std::sync::Arc;
        let provider = rustls::crypto::CryptoProvider::get_default()
            .cloned()
            .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
        let verifier = rustls_platform_verifier::Verifier::new(provider.clone())
            .map_err(|e| Error::config(format!("cannot load the platform's TLS roots: {e}")))?;
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::config(format!("cannot set up TLS: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        Ok(Tls { config })
    }

    /// Nothing to load without rustls: reqwest sets up its own TLS.
    #[cfg(not(feature = "rustls"))]
    pub(crate) fn new() -> Result<Tls> {
        Ok(Tls {})
    }

    /// `builder` with this configuration, offering h2 and http/1.1 by ALPN as reqwest's own
    /// does.
    #[cfg(feature = "rustls")]
    pub(crate) fn apply(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        let mut config = self.config.clone();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        builder.tls_backend_preconfigured(config)
    }

    /// `builder` as it is: reqwest sets up its own TLS.
    #[cfg(not(feature = "rustls"))]
    pub(crate) fn apply(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        builder
    }

    /// The connector of the direct path: `https` through this configuration, offering h2
    /// and http/1.1 by ALPN as reqwest does.
    #[cfg(feature = "rustls")]
    fn connector(self, http: HttpConnector, _base: &Url) -> Option<Connector> {
        Some(
            hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(self.config)
                .https_or_http()
                .enable_all_versions()
                .wrap_connector(http),
        )
    }

    /// Without rustls, only plain `http` (loopback) is sent directly; `https` goes through
    /// reqwest and its native TLS.
    #[cfg(not(feature = "rustls"))]
    fn connector(self, http: HttpConnector, base: &Url) -> Option<Connector> {
        (base.scheme() == "http").then_some(http)
    }
}

/// Why a direct exchange failed, before it is named after its operation.
struct Failure {
    /// `true` when no byte of the request can have reached the server.
    before_sending: bool,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl Failure {
    fn unsent(source: Box<dyn std::error::Error + Send + Sync>) -> Failure {
        Failure {
            before_sending: true,
            source,
        }
    }

    fn after_sending(source: Box<dyn std::error::Error + Send + Sync>) -> Failure {
        Failure {
            before_sending: false,
            source,
        }
    }

    /// A failure of hyper's client: only a failed connection (DNS, refused, TLS) is known to
    /// have sent nothing.
    fn sending(error: legacy::Error) -> Failure {
        Failure {
            before_sending: error.is_connect(),
            source: Box::new(error),
        }
    }

    /// A failure while reading the body: the request was sent.
    fn reading(error: hyper::Error) -> Failure {
        Failure::after_sending(Box::new(error))
    }

    fn into_error(self, operation: &str) -> Error {
        Error::Transport {
            message: format!("{operation}: {}", error_chain(self.source.as_ref())),
            before_sending: self.before_sending,
            source: Some(self.source),
        }
    }
}

/// Reads the status, the headers and up to `limit` bytes of the body of a direct answer.
async fn read(
    response: http::Response<hyper::body::Incoming>,
    limit: usize,
) -> std::result::Result<Reply, hyper::Error> {
    let (parts, mut body) = response.into_parts();
    let mut collector = Collector::new(limit);
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data()
            && !collector.push(data)
        {
            break;
        }
    }
    let (body, complete) = collector.finish();
    Ok(Reply {
        status: parts.status,
        headers: parts.headers,
        body,
        complete,
    })
}

/// Sends `request` with reqwest (under the SDK's redirect policy, set when the client was
/// built) and reads its answer.
async fn via_reqwest(
    operation: &str,
    http: &reqwest::Client,
    mut request: reqwest::Request,
    timeout: Option<Duration>,
    limit: usize,
) -> Result<Reply> {
    if let Some(timeout) = timeout {
        *request.timeout_mut() = Some(timeout);
    }
    let failed = |e| Error::from_reqwest(operation, e);
    let mut response = http.execute(request).await.map_err(failed)?;
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let (body, complete) = read_reqwest(response, limit).await.map_err(failed)?;
    Ok(Reply {
        status,
        headers,
        body,
        complete,
    })
}

/// Reads up to `limit` bytes of a reqwest response's body; `complete` is `false` when there
/// was more.
pub(crate) async fn read_reqwest(
    mut response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<(Bytes, bool)> {
    let mut collector = Collector::new(limit);
    while let Some(chunk) = response.chunk().await? {
        if !collector.push(chunk) {
            break;
        }
    }
    Ok(collector.finish())
}

/// Gathers a body chunk by chunk up to a limit. A body that arrives in one chunk (the usual
/// case) is kept without a copy.
struct Collector {
    limit: usize,
    first: Option<Bytes>,
    rest: Vec<u8>,
    complete: bool,
}

impl Collector {
    fn new(limit: usize) -> Collector {
        Collector {
            limit,
            first: None,
            rest: Vec::new(),
            complete: true,
        }
    }

    /// Adds a chunk; `false` once the limit is passed (what was held before it is kept).
    fn push(&mut self, chunk: Bytes) -> bool {
        if chunk.is_empty() {
            return true;
        }
        if self.first.is_none() && self.rest.is_empty() {
            if chunk.len() > self.limit {
                self.first = Some(chunk.slice(..self.limit));
                self.complete = false;
                return false;
            }
            self.first = Some(chunk);
            return true;
        }
        if let Some(first) = self.first.take() {
            self.rest.reserve(first.len() + chunk.len());
            self.rest.extend_from_slice(&first);
        }
        if self.rest.len() + chunk.len() > self.limit {
            self.complete = false;
            return false;
        }
        self.rest.extend_from_slice(&chunk);
        true
    }

    fn finish(self) -> (Bytes, bool) {
        let body = match self.first {
            Some(first) => first,
            None => Bytes::from(self.rest),
        };
        (body, self.complete)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(chunks: &[&str], limit: usize) -> (String, bool) {
        let mut collector = Collector::new(limit);
        for chunk in chunks {
            if !collector.push(Bytes::from(chunk.to_string())) {
                break;
            }
        }
        let (body, complete) = collector.finish();
        (String::from_utf8(body.to_vec()).unwrap(), complete)
    }

    #[test]
    fn a_body_is_gathered_up_to_the_limit() {
        assert_eq!(collect(&[], 10), (String::new(), true));
        assert_eq!(collect(&["abc"], 10), ("abc".into(), true));
        assert_eq!(collect(&["abc", "", "def"], 10), ("abcdef".into(), true));
        assert_eq!(collect(&["abcdefghijkl"], 10), ("abcdefghij".into(), false));
        assert_eq!(collect(&["abcdef", "ghijkl"], 10), ("abcdef".into(), false));
        assert_eq!(
            collect(&["abcde", "fghij"], 10),
            ("abcdefghij".into(), true)
        );
    }

    #[test]
    fn redirects_leave_the_api_origin_never_and_stop_after_ten() {
        let api = Url::parse("https://api.osvi.ai/v1/call").unwrap().origin();
        let same = Url::parse("https://api.osvi.ai/v2/call").unwrap();
        let other = Url::parse("https://evil.example/v1/call").unwrap();
        assert!(matches!(
            redirect_rule(&api, true, &same, 0),
            RedirectRule::Follow
        ));
        assert!(matches!(
            redirect_rule(&api, true, &other, 0),
            RedirectRule::Stop
        ));
        assert!(matches!(
            redirect_rule(&api, false, &other, 0),
            RedirectRule::Follow
        ));
        assert!(matches!(
            redirect_rule(&api, true, &same, 10),
            RedirectRule::TooMany
        ));
    }
}
