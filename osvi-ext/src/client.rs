//! The [`Client`] and its [`ClientBuilder`]: token, base URL, timeouts, user agent.
//!
//! A `Client` is cheap to clone (it is an `Arc`) and meant to be shared: build one at start-up
//! and hand clones to your tasks. Each resource of the API hangs off it:
//! [`agents`](Client::agents), [`calls`](Client::calls), [`campaigns`](Client::campaigns),
//! [`dnd`](Client::dnd), [`chat`](Client::chat) and the deprecated [`legacy`](Client::legacy).
//!
//! ```no_run
//! # fn run() -> osvi_ext::Result<()> {
//! // From OSVI_API_TOKEN (and OSVI_BASE_URL, if set):
//! let client = osvi_ext::Client::from_env()?;
//! // Or explicitly:
//! let client = osvi_ext::Client::builder()
//!     .token("0123456789abcdef")
//!     .timeout(std::time::Duration::from_secs(20))
//!     .build()?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};

use osvi_generated::spec::API_TOKEN_HEADER;

use crate::error::{Error, Result};
use crate::retry::{ReconcilePolicy, RetryPolicy};
use crate::transport::Api;
use crate::transport::exchange::{MAX_BODY_BYTES, Transport};
use crate::transport::send::{Direct, MAX_REDIRECTS, RedirectRule, Sender, Tls, redirect_rule};

/// The production API.
pub const DEFAULT_BASE_URL: &str = "https://api.osvi.ai";
/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for a whole request, response body included. Generous because
/// `POST /v1/chat/inbound` waits for the agent's reply.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The documented length of an API token.
pub const TOKEN_LENGTH: usize = 16;

/// A client for the OSVI API: build it with [`Client::builder`] or [`Client::from_env`], then
/// reach each resource through it (`client.calls()`, `client.dnd()` ...).
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Transport>,
    pub(crate) policy: RetryPolicy,
    /// What an uncertain call placement does: look the call up (see [`ReconcilePolicy`]).
    pub(crate) reconcile: ReconcilePolicy,
    /// A per-request timeout replacing the HTTP client's, set by [`Client::with_timeout`].
    pub(crate) timeout: Option<Duration>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("token", &"<redacted>")
            .field("retry_policy", &self.policy)
            .field("reconcile_policy", &self.reconcile)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Client {
    /// Starts a [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Builds a client from the environment: `OSVI_API_TOKEN` (required) and `OSVI_BASE_URL`
    /// (optional, default [`DEFAULT_BASE_URL`]).
    pub fn from_env() -> Result<Client> {
        let token = std::env::var("OSVI_API_TOKEN")
            .map_err(|_| Error::config("OSVI_API_TOKEN is not set"))?;
        let mut builder = Client::builder().token(token);
        if let Ok(base_url) = std::env::var("OSVI_BASE_URL") {
            builder = builder.base_url(base_url);
        }
        builder.build()
    }

    /// The base URL requests go to (without a trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// A client whose requests time out after `timeout` (the whole request, body included),
    /// sharing everything else with `self`. Use it for one request
    /// (`client.with_timeout(d).chat().send_message(..)`) or keep it.
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        let mut client = self.clone();
        client.timeout = Some(timeout);
        client
    }

    /// A client that uses `policy` for its requests; the connection pool and every other
    /// setting are shared with `self`. Use it for one request
    /// (`client.with_retry_policy(p).calls().get(id)`) or keep it.
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Client {
        let mut client = self.clone();
        client.policy = policy;
        client
    }

    /// The retry policy of this client.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.policy
    }

    /// A client that settles uncertain call placements by `policy`, sharing everything else
    /// with `self`. Use it for one call or keep it; see [`ReconcilePolicy`].
    pub fn with_reconcile_policy(&self, policy: ReconcilePolicy) -> Client {
        let mut client = self.clone();
        client.reconcile = policy;
        client
    }

    /// How this client settles uncertain call placements.
    pub fn reconcile_policy(&self) -> ReconcilePolicy {
        self.reconcile
    }

    /// The generated client for one call of `operation`, sending through this client.
    pub(crate) fn api(&self, operation: &'static osvi_generated::Operation) -> Api {
        Api::new(&self.inner, self.policy, self.timeout, operation)
    }

    /// Starts a plain GET of `url` (a presigned download URL: no API token, no retries) and
    /// returns the response once its status is a success.
    pub(crate) async fn download(&self, url: &str) -> Result<reqwest::Response> {
        self.inner.download(url, self.timeout).await
    }
}

/// Configures a [`Client`]. Every setting but the token has a default.
#[derive(Default)]
pub struct ClientBuilder {
    token: Option<String>,
    base_url: Option<String>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    user_agent: Option<String>,
    http: Option<reqwest::ClientBuilder>,
    retry_policy: Option<RetryPolicy>,
    reconcile_policy: Option<ReconcilePolicy>,
    max_response_bytes: Option<usize>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("retry_policy", &self.retry_policy)
            .field("reconcile_policy", &self.reconcile_policy)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl ClientBuilder {
    /// The 16-character API token from the dashboard (Settings → API). Required. Leading
    /// and trailing whitespace (a newline from a file or `echo`) is removed.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The API's base URL (default [`DEFAULT_BASE_URL`]). Must be `https`, except for
    /// loopback hosts (`localhost`, `127.0.0.0/8`, `[::1]`), which tests and simulators use.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Time allowed to open a connection (default [`DEFAULT_CONNECT_TIMEOUT`]). Ignored when
    /// you pass your own [`reqwest::Client`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time allowed for a whole request, body included (default [`DEFAULT_TIMEOUT`]). Ignored
    /// when you pass your own [`reqwest::Client`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Replaces the `User-Agent` (default `osvi-rust/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Builds the HTTP client from your `reqwest::ClientBuilder` (proxies, custom TLS roots
    /// ...). The token and user agent are still added to every request, and the SDK sets the
    /// builder's redirect policy (see [`Error::Redirect`]): the token never follows a redirect
    /// to another origin. The timeouts of this builder are not applied: set them on yours.
    pub fn http_client(mut self, http: reqwest::ClientBuilder) -> Self {
        self.http = Some(http);
        self
    }

    /// How failed requests are retried (default [`RetryPolicy::default`]). Requests that
    /// place calls are never repeated once they may have reached the server, whatever the
    /// policy; see [`crate::retry`].
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }

    /// How uncertain call placements are settled (default [`ReconcilePolicy::default`]:
    /// look the call up for 10 s, no resend).
    pub fn reconcile_policy(mut self, policy: ReconcilePolicy) -> Self {
        self.reconcile_policy = Some(policy);
        self
    }

    /// The largest response body read (default 16 MiB); a larger one is an
    /// [`Error::Decode`] and the rest is not read.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client> {
        let token = self
            .token
            .ok_or_else(|| Error::config("no API token: call .token() or set OSVI_API_TOKEN"))?;
        let token = token_header(&token)?;
        let token_header = HeaderName::from_bytes(API_TOKEN_HEADER.as_bytes())
            .map_err(|_| Error::config("the spec's token header is not a valid header name"))?;
        let base_url = parse_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL).trim())?;
        let agent = self
            .user_agent
            .unwrap_or_else(|| format!("osvi-rust/{}", env!("CARGO_PKG_VERSION")));
        let user_agent = HeaderValue::from_str(&agent)
            .map_err(|_| Error::config("the user agent is not a valid header value"))?;
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let connect_timeout = self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        // Your own reqwest builder carries the requests; otherwise they go on hyper directly,
        // unless a proxy or the TLS features call for reqwest (see `transport::send`), and
        // the reqwest client the SDK builds (downloads, and requests when reqwest carries
        // them) shares the direct path's TLS settings.
        let (http, tls) = match self.http {
            Some(http) => (http, None),
            None => {
                let tls = Tls::new()?;
                let http = reqwest::Client::builder()
                    .connect_timeout(connect_timeout)
                    .timeout(timeout);
                (tls.apply(http), Some(tls))
            }
        };
        let http = http
            .redirect(redirect_policy(&base_url))
            .build()
            .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?;
        let direct = match tls {
            None => None,
            Some(tls) => Direct::new(&base_url, connect_timeout, timeout, tls)?,
        };
        let sender = match direct {
            Some(direct) => Sender::Direct(direct),
            None => Sender::Reqwest(http.clone()),
        };
        Ok(Client {
            inner: Arc::new(Transport {
                http,
                sender,
                base_url: base_url.as_str().trim_end_matches('/').to_string(),
                base: base_url,
                token_header,
                token,
                user_agent,
                max_body_bytes: self.max_response_bytes.unwrap_or(MAX_BODY_BYTES),
            }),
            policy: self.retry_policy.unwrap_or_default(),
            reconcile: self.reconcile_policy.unwrap_or_default(),
            timeout: None,
        })
    }
}

/// Follows redirects, except one that takes a request which started at the API's origin to
/// another origin: that one is not followed (the caller gets the `3xx` as
/// [`Error::Redirect`]), because the request carries the API token. Downloads from the
/// storage host carry no token and follow redirects anywhere. (The rule is
/// [`redirect_rule`], which the direct transport follows too.)
fn redirect_policy(api: &Url) -> reqwest::redirect::Policy {
    let api = api.origin();
    reqwest::redirect::Policy::custom(move |attempt| {
        let from_api = attempt
            .previous()
            .first()
            .is_some_and(|first| first.origin() == api);
        let hops = attempt.previous().len().saturating_sub(1);
        match redirect_rule(&api, from_api, attempt.url(), hops) {
            RedirectRule::Follow => attempt.follow(),
            RedirectRule::Stop => attempt.stop(),
            RedirectRule::TooMany => attempt.error(format!("more than {MAX_REDIRECTS} redirects")),
        }
    })
}

/// Checks the token's documented form and makes it a header value marked sensitive (so
/// reqwest and its logs never print it).
fn token_header(token: &str) -> Result<HeaderValue> {
    // A token read from a file or the environment often ends in a newline.
    let token = token.trim();
    let length = token.chars().count();
    if length != TOKEN_LENGTH {
        return Err(Error::config(format!(
            "the API token must be {TOKEN_LENGTH} characters long, this one has {length}"
        )));
    }
    if !token.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Error::config(
            "the API token must be printable ASCII without spaces",
        ));
    }
    let mut value = HeaderValue::from_str(token)
        .map_err(|_| Error::config("the API token is not a valid header value"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// Parses the base URL and refuses plain `http` to anything but loopback.
fn parse_base_url(raw: &str) -> Result<Url> {
    let url = Url::parse(raw).map_err(|e| Error::config(format!("bad base URL `{raw}`: {e}")))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(Error::config(format!(
            "refusing plain http to `{raw}`: the API token would travel unencrypted (only loopback hosts may use http)"
        ))),
        other => Err(Error::config(format!(
            "bad base URL `{raw}`: scheme `{other}` is not https"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_must_have_16_characters() {
        let err = token_header("short").unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid client configuration: the API token must be 16 characters long, this one has 5"
        );
        assert!(token_header("0123456789abcdef").unwrap().is_sensitive());
        assert!(token_header("0123456789abcde ").is_err());
        assert!(token_header("0123456789a cdef").is_err());
        // Whitespace around the token (a newline from the environment) is not part of it.
        let trimmed = token_header(" 0123456789abcdef\n").unwrap();
        assert_eq!(trimmed.as_bytes(), b"0123456789abcdef");
    }

    #[test]
    fn base_url_must_be_https_unless_loopback() {
        assert!(parse_base_url("https://api.osvi.ai").is_ok());
        assert!(parse_base_url("http://127.0.0.1:8080").is_ok());
        assert!(parse_base_url("http://localhost:8080").is_ok());
        assert!(parse_base_url("http://[::1]:8080").is_ok());
        assert!(parse_base_url("http://api.osvi.ai").is_err());
        assert!(parse_base_url("ftp://api.osvi.ai").is_err());
        assert!(parse_base_url("not a url").is_err());
    }

    #[test]
    fn debug_never_shows_the_token() {
        let client = Client::builder().token("0123456789abcdef").build().unwrap();
        let printed = format!("{client:?}");
        assert!(!printed.contains("0123456789abcdef"), "{printed}");
        assert!(printed.contains("<redacted>"));
        let builder = Client::builder().token("0123456789abcdef");
        assert!(!format!("{builder:?}").contains("0123456789abcdef"));
    }
}
