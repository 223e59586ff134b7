//! A ready webhook receiver for [axum](https://docs.rs/axum) (cargo feature `axum`).
//!
//! [`router`] answers `POST`, `PUT` and `PATCH` (the methods an integration can use with a
//! body) on its root, checks the optional shared-secret header, parses the body with
//! [`parse`], hands the event to your function and answers `200`. A wrong or
//! missing secret is `401`, a body that is not a webhook payload `400`; your function is not
//! called then. Use the [`Webhook`] extractor to write the handler yourself.
//!
//! ```no_run
//! use osvi_ext::webhooks::axum::{SharedSecret, router};
//! # async fn run() -> std::io::Result<()> {
//! let secret = SharedSecret::new("x-osvi-secret", std::env::var("OSVI_WEBHOOK_SECRET").unwrap_or_default());
//! let app = axum::Router::new().nest(
//!     "/osvi/webhook",
//!     router(Some(secret), |event| async move { println!("{event:?}") }),
//! );
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app).await
//! # }
//! ```

use std::fmt;
use std::future::Future;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use super::{WebhookEvent, parse, verify_shared_secret};

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
/// where OSVI posts (`Router::new().nest("/osvi/webhook", router(..))`).
pub fn router<F, Fut>(secret: Option<SharedSecret>, on_event: F) -> Router
where
    F: Fn(WebhookEvent) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let handler = move |Webhook(event): Webhook| {
        let on_event = on_event.clone();
        async move {
            on_event(event).await;
            StatusCode::OK
        }
    };
    let router = Router::new().route(
        "/",
        post(handler.clone()).put(handler.clone()).patch(handler),
    );
    match secret {
        Some(secret) => router.layer(axum::Extension(secret)),
        None => router,
    }
}
