//! The journal: every exchange (request and answer) the simulator handled, kept in order for
//! [`Simulator::exchanges`](crate::Simulator::exchanges) when the builder turns it on. Its
//! middleware has its own state, the shared list, and reads bodies up to the bound of the
//! conformance checks.

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::conform::{MAX_REQUEST_BYTES, operation_at};

/// The exchanges kept so far, shared by the middleware and the [`Simulator`](crate::Simulator).
pub(crate) type Journal = Arc<Mutex<Vec<Exchange>>>;

/// One request the simulator answered, as kept by its journal.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Exchange {
    /// The `operationId` of the spec, or empty for a path the API does not have.
    pub operation: String,
    /// The HTTP method.
    pub method: String,
    /// The path, as sent.
    pub path: String,
    /// The query string, as sent (without `?`).
    pub query: String,
    /// The request body.
    pub request_body: Vec<u8>,
    /// The status of the answer.
    pub status: u16,
    /// The body of the answer.
    pub response_body: Vec<u8>,
}

/// Middleware: keeps the exchange in the journal, when it is on.
pub(crate) async fn record(
    State(journal): State<Option<Journal>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(journal) = journal else {
        return next.run(request).await;
    };
    let method = request.method().as_str().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or_default().to_string();
    let template = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let operation = operation_at(&method, &template).map_or(String::new(), |i| {
        osvi_generated::spec::operations::ALL[i].id.to_string()
    });
    let (parts, body) = request.into_parts();
    let request_body = axum::body::to_bytes(body, MAX_REQUEST_BYTES)
        .await
        .unwrap_or_default();
    let response = next
        .run(Request::from_parts(parts, request_body.clone().into()))
        .await;
    let (parts, body) = response.into_parts();
    let response_body = axum::body::to_bytes(body, MAX_REQUEST_BYTES)
        .await
        .unwrap_or_default();
    journal
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(Exchange {
            operation,
            method,
            path,
            query,
            request_body: request_body.to_vec(),
            status: parts.status.as_u16(),
            response_body: response_body.to_vec(),
        });
    Response::from_parts(parts, response_body.into())
}
