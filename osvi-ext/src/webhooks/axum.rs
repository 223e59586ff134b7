//! A ready webhook receiver for [axum](https://docs.rs/axum) (cargo feature `axum`).
//!
//! [`router`] answers `POST`, `PUT` and `PATCH` (the methods an integration can use with a
//! body) on its root, checks the optional shared-secret header, parses the body with
//! [`parse`], hands the event to your function and answers `200`. A wrong or
//! missing secret is `401`, a body that is not a webhook payload `400`; your function is not
//! called then. A repeated delivery of an event already handed over is answered `200` and
//! dropped (on by default, in bounded memory: [`Receiver::remember`]). [`Receiver`] sets
//! these options and reports what it drops. Use the [`Webhook`] extractor to write the
//! handler yourself (it does not drop repeats; [`Deliveries`] does).
//!
//! ```no_run
//! use osvi_ext::webhooks::axum::{SharedSecret, router};
//! # async fn run() -> std::io::Result<()> {
//! let secret = SharedSecret::new("x-osvi-secret", std::env::var("OSVI_WEBHOOK_SECRET").unwrap_or_default());
//! let app = axum::Router::new().nest(
//!     "/osvi/webhook",
//!     router(Some(secret), |event| async move {
//!         println!("{} for call {}", event.kind(), event.call_id().unwrap_or("?"))
//!     }),
//! );
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app).await
//! # }
//! ```

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use super::{
    DEFAULT_REMEMBERED, Deliveries, DeliveryKey, WebhookEvent, parse, verify_shared_secret,
};

/// The header and value every webhook request must carry, configured on the integration in
/// the OSVI dashboard. Its `Debug` never shows the value.
#[derive(Clone)]
pub struct SharedSecret {
    header: HeaderName,
    value: String,
}

impl SharedSecret {
    /// Requires header `header` (e.g. `x-osvi-secret`) to equal `value`. An invalid header
    /// name falls back to `x-osvi-secret`.
    pub fn new(header: &str, value: impl Into<String>) -> Self {
        SharedSecret {
            header: HeaderName::try_from(header)
                .unwrap_or(HeaderName::from_static("x-osvi-secret")),
            value: value.into(),
        }
    }
}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedSecret")
            .field("header", &self.header)
            .field("value", &"<redacted>")
            .finish()
    }
}

/// Extracts a parsed [`WebhookEvent`] from the request body. When a [`SharedSecret`] is in
/// the request's extensions (as [`router`] puts it), the header is checked first.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook(pub WebhookEvent);

/// Why [`Webhook`] refused a request.
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookRejection {
    /// The shared-secret header is missing or wrong (401).
    Unauthorized,
    /// The body could not be read or is not a webhook payload (400).
    BadBody(String),
}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        match self {
            WebhookRejection::Unauthorized => {
                (StatusCode::UNAUTHORIZED, "missing or wrong secret").into_response()
            }
            WebhookRejection::BadBody(reason) => (StatusCode::BAD_REQUEST, reason).into_response(),
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for Webhook {
    type Rejection = WebhookRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(secret) = request.extensions().get::<SharedSecret>() {
            let header = request.headers().get(&secret.header).map(|v| v.as_bytes());
            if !verify_shared_secret(header, &secret.value) {
                return Err(WebhookRejection::Unauthorized);
            }
        }
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|e| WebhookRejection::BadBody(e.body_text()))?;
        parse(&body)
            .map(Webhook)
            .map_err(|e| WebhookRejection::BadBody(e.to_string()))
    }
}

/// A router that receives webhooks on its root and calls `on_event` with each one; nest it
/// where OSVI posts (`Router::new().nest("/osvi/webhook", router(..))`). The same as
/// [`Receiver::new(on_event)`](Receiver::new) with the secret: a repeated delivery is answered
/// `200` and not handed to `on_event` again (see [`Receiver::remember`]).
pub fn router<F, Fut>(secret: Option<SharedSecret>, on_event: F) -> Router
where
    F: Fn(WebhookEvent) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let receiver = Receiver::new(on_event);
    match secret {
        Some(secret) => receiver.secret(secret),
        None => receiver,
    }
    .router()
}

/// A delivery the receiver did not hand to your function, for [`Receiver::on_dropped`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Dropped {
    /// The shared-secret header was missing or wrong (answered `401`). Neither the expected
    /// nor the received value is kept.
    Unauthorized,
    /// The body was not a webhook payload (answered `400`), and why.
    BadBody(String),
    /// A repeat of a delivery already handed over (answered `200`).
    Repeated {
        /// The payload's kind (`call_completed`, `post_call_analysis`).
        kind: &'static str,
        /// The call it is about, if it says.
        call_id: Option<String>,
    },
}

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dropped::Unauthorized => f.write_str("refused (401): missing or wrong secret"),
            Dropped::BadBody(why) => write!(f, "refused (400): {why}"),
            Dropped::Repeated { kind, call_id } => write!(
                f,
                "dropped a repeated {kind} delivery for call {}",
                call_id.as_deref().unwrap_or("(no call id)")
            ),
        }
    }
}

type DroppedHook = Arc<dyn Fn(&Dropped) + Send + Sync>;

/// A webhook receiver with its options; [`Receiver::router`] makes the axum router.
///
/// By default it checks no secret, remembers the last [`DEFAULT_REMEMBERED`] deliveries to
/// drop repeats, and says nothing about what it drops.
pub struct Receiver<F> {
    on_event: F,
    secret: Option<SharedSecret>,
    remembered: usize,
    on_dropped: Option<DroppedHook>,
}

impl<F> fmt::Debug for Receiver<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("secret", &self.secret)
            .field("remembered", &self.remembered)
            .finish_non_exhaustive()
    }
}

impl<F, Fut> Receiver<F>
where
    F: Fn(WebhookEvent) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    /// A receiver that calls `on_event` with each delivery (on a task of its own) and answers
    /// `200` once it returns.
    pub fn new(on_event: F) -> Self {
        Receiver {
            on_event,
            secret: None,
            remembered: DEFAULT_REMEMBERED,
            on_dropped: None,
        }
    }

    /// Requires the shared secret (`401` without it).
    pub fn secret(mut self, secret: SharedSecret) -> Self {
        self.secret = Some(secret);
        self
    }

    /// Remembers the last `deliveries` deliveries, so that a repeat (same kind and call id,
    /// or the same bytes for a payload without a call id) is answered `200` without calling
    /// your function again; `0` turns this off (every delivery is handed over). Your function
    /// runs on its own tokio task, so a sender that hangs up (a timeout) does not cancel it
    /// half-way; a delivery whose handling panicked is answered `500` and forgotten, so its
    /// retry is handled.
    pub fn remember(mut self, deliveries: usize) -> Self {
        self.remembered = deliveries;
        self
    }

    /// Called with each delivery that is not handed to your function: refused ones (wrong
    /// secret, not a payload) and repeats. `osvi webhooks listen` logs them to standard error.
    pub fn on_dropped(mut self, hook: impl Fn(&Dropped) + Send + Sync + 'static) -> Self {
        self.on_dropped = Some(Arc::new(hook));
        self
    }

    /// The router: `POST`, `PUT` and `PATCH` on its root.
    pub fn router(self) -> Router {
        let Receiver {
            on_event,
            secret,
            remembered,
            on_dropped,
        } = self;
        let deliveries = (remembered > 0).then(|| Arc::new(Deliveries::new(remembered)));
        let handler = move |headers: HeaderMap, body: Bytes| {
            let (on_event, secret, deliveries, on_dropped) = (
                on_event.clone(),
                secret.clone(),
                deliveries.clone(),
                on_dropped.clone(),
            );
            async move {
                let dropped = |what: Dropped| {
                    if let Some(hook) = &on_dropped {
                        hook(&what);
                    }
                };
                if let Some(secret) = &secret {
                    let header = headers.get(&secret.header).map(|v| v.as_bytes());
                    if !verify_shared_secret(header, &secret.value) {
                        dropped(Dropped::Unauthorized);
                        return WebhookRejection::Unauthorized.into_response();
                    }
                }
                let event = match parse(&body) {
                    Ok(event) => event,
                    Err(e) => {
                        dropped(Dropped::BadBody(e.to_string()));
                        return WebhookRejection::BadBody(e.to_string()).into_response();
                    }
                };
                let guard = match &deliveries {
                    Some(deliveries) => match deliveries.first(&event, &body) {
                        Some(key) => Some(Forget(deliveries.clone(), Some(key))),
                        None => {
                            dropped(Dropped::Repeated {
                                kind: event.kind(),
                                call_id: event.call_id().map(str::to_string),
                            });
                            return StatusCode::OK.into_response();
                        }
                    },
                    None => None,
                };
                // On its own task, so that a sender that gives up (a timeout) does not cancel
                // the handling half-way: it finishes, and the sender's retry is a repeat.
                let handled = tokio::spawn(async move {
                    on_event(event).await;
                    if let Some(mut guard) = guard {
                        guard.1 = None; // handled: keep it remembered
                    }
                });
                match handled.await {
                    Ok(()) => StatusCode::OK.into_response(),
                    // Your function panicked: the delivery is forgotten (the guard dropped
                    // while unwinding), so the sender's retry is handled.
                    Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
                }
            }
        };
        Router::new().route(
            "/",
            post(handler.clone()).put(handler.clone()).patch(handler),
        )
    }
}

/// Forgets a delivery on drop unless it was handled (the key taken out).
struct Forget(Arc<Deliveries>, Option<DeliveryKey>);

impl Drop for Forget {
    fn drop(&mut self) {
        if let Some(key) = self.1.take() {
            self.0.forget(key);
        }
    }
}
