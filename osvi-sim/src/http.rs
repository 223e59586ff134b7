//! The HTTP face of the simulator: one route per operation of the spec (method and path from
//! `osvi_generated::spec::operations`), each handed to the generated
//! [`dispatch`](osvi_generated::server::dispatch) and so to its handler in
//! [`handlers`](crate::handlers); the documented error bodies; `API-Token` checks; and the
//! middlewares (conformance, journal, faults) around them.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, RawPathParams, Request, State as AxumState};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, get};
use axum::{Json, Router};
use osvi_generated::server::{DispatchError, dispatch};
use osvi_generated::{Operation, types};

use crate::shared::Shared;
use crate::state::Failure;

/// The router of the whole API: each operation's method and path come from the spec, and
/// its request goes to the generated `dispatch`, which calls the operation's handler.
pub(crate) fn router(shared: Shared) -> Router {
    let mut api = Router::new();
    for operation in osvi_generated::spec::operations::ALL {
        api = api.route(operation.path, on(operation));
    }
    let api = api
        .route_layer(middleware::from_fn_with_state(
            shared.conformance.clone(),
            crate::conform::check,
        ))
        .layer(middleware::from_fn_with_state(shared.clone(), authenticate))
        .route_layer(middleware::from_fn_with_state(
            shared.journal.clone(),
            crate::journal::record,
        ))
        .route_layer(middleware::from_fn_with_state(
            shared.faults.clone(),
            crate::faults::inject,
        ));
    Router::new()
        .route("/recordings/{file}", get(recording_file))
        .merge(api)
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(shared)
}

/// A method router that sends `operation`'s method to its handler.
fn on(operation: &'static Operation) -> MethodRouter<Shared> {
    let method = axum::http::Method::from_bytes(operation.method.as_bytes())
        .ok()
        .and_then(|m| MethodFilter::try_from(m).ok())
        .unwrap_or(MethodFilter::GET);
    let handler = move |AxumState(shared): AxumState<Shared>,
                        path: RawPathParams,
                        Query(query): Query<HashMap<String, String>>,
                        body: Bytes| async move {
        let path: Vec<(String, String)> = path
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        match dispatch(&shared, operation.id, &path, &query, &body) {
            Ok(answer) => {
                let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
                let json = [(header::CONTENT_TYPE, "application/json")];
                (status, json, answer.body).into_response()
            }
            Err(DispatchError::Handler(failure)) => {
                failure.documented_for(operation).into_response()
            }
            Err(DispatchError::Body(e)) => {
                Failure::BadRequest(format!("the body cannot be read: {e}")).into_response()
            }
            Err(DispatchError::MissingPathParam(_) | DispatchError::UnknownOperation(_)) => {
                no_route().await
            }
            Err(DispatchError::Answer(e)) => {
                let body = error_body(format!("the answer cannot be written: {e}"), false);
                (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
            }
        }
    };
    axum::routing::on(method, handler)
}

/// A path the API does not have: `404` with a JSON body.
async fn no_route() -> Response {
    Failure::NotFound("No route matches this path".into()).into_response()
}

/// A method the path does not take: `405` with a JSON body (axum adds `Allow`).
async fn method_not_allowed() -> Response {
    let body = error_body("Method not allowed".into(), false);
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}

// ---------------------------------------------------------------- envelopes

/// The shared error body of the spec (`ApiError`) with `error`; `details: null` where the
/// API documents it (400 and 403).
fn error_body(error: String, details_null: bool) -> types::ApiError {
    types::ApiError {
        success: Some(false.into()),
        error: Some(error.into()),
        details: details_null.then_some(serde_json::Value::Null),
        errors: None,
        message: None,
    }
}

impl Failure {
    /// The status this failure is answered with.
    fn status(&self) -> StatusCode {
        match self {
            Failure::BadRequest(_) => StatusCode::BAD_REQUEST,
            Failure::Forbidden(_) => StatusCode::FORBIDDEN,
            Failure::NotFound(_) => StatusCode::NOT_FOUND,
            Failure::Conflict(_) => StatusCode::CONFLICT,
            Failure::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }

    /// This failure, or, when `operation` does not document its status (legacy `POST /call`
    /// documents no `403` for an agent of another account), the same message as the
    /// operation's documented `400` (or `422`): the simulator answers only as documented.
    fn documented_for(self, operation: &Operation) -> Failure {
        let documented = |status: StatusCode| operation.statuses.contains(&status.as_u16());
        if documented(self.status()) {
            return self;
        }
        let message = match self {
            Failure::BadRequest(m)
            | Failure::Forbidden(m)
            | Failure::NotFound(m)
            | Failure::Conflict(m) => m,
            Failure::Unprocessable(errors) => errors.join("; "),
        };
        match documented(StatusCode::BAD_REQUEST) {
            true => Failure::BadRequest(message),
            false => Failure::Unprocessable(vec![message]),
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Failure::BadRequest(e) => (StatusCode::BAD_REQUEST, error_body(e, true)),
            Failure::Forbidden(e) => (StatusCode::FORBIDDEN, error_body(e, true)),
            Failure::NotFound(e) => (StatusCode::NOT_FOUND, error_body(e, false)),
            Failure::Conflict(e) => (StatusCode::CONFLICT, error_body(e, false)),
            Failure::Unprocessable(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                types::ApiError {
                    errors: Some(errors),
                    error: None,
                    ..error_body(String::new(), false)
                },
            ),
        };
        (status, Json(body)).into_response()
    }
}

async fn authenticate(
    AxumState(shared): AxumState<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let token = request
        .headers()
        .get(osvi_generated::spec::API_TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let known = token.is_some_and(|t| shared.lock().config.tokens.contains(&t));
    if !known {
        return (
            StatusCode::UNAUTHORIZED,
            Json(error_body("Invalid API token".into(), false)),
        )
            .into_response();
    }
    next.run(request).await
}

// ---------------------------------------------------------------- recordings

/// The size of a simulated recording.
const RECORDING_BYTES: usize = 256 * 1024;

async fn recording_file(Path(file): Path<String>) -> Response {
    // Deterministic bytes standing in for audio; the real URL is a presigned S3 link.
    let seed = file.bytes().fold(0u8, |a, b| a.wrapping_add(b));
    let audio: Vec<u8> = (0..RECORDING_BYTES)
        .map(|i| seed.wrapping_add((i % 251) as u8))
        .collect();
    ([(header::CONTENT_TYPE, "audio/mp4")], audio).into_response()
}
