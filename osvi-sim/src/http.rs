//! The HTTP face of the simulator: every documented endpoint, with the documented statuses and
//! envelopes (bare-array agents, `201` on DND add, `message` on DND delete, the legacy
//! shapes), `API-Token` checks, and the validation of the real API. Bodies are built from the
//! generated wire types of `osvi-generated`, so the simulator and the SDK share one format.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State as AxumState};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, get};
use axum::{Json, Router};
use osvi_generated::{Operation, types};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::state::{CallFilter, Failure, State, parse_bound, strict_e164};

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct Shared {
    pub(crate) state: Arc<Mutex<State>>,
    pub(crate) wake: Arc<tokio::sync::Notify>,
    /// The spec's validators of every operation.
    pub(crate) conformance: Arc<crate::conform::Conformance>,
    /// Every exchange, when the journal is on.
    pub(crate) journal: Option<Arc<Mutex<Vec<Exchange>>>>,
}

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
async fn record(AxumState(shared): AxumState<Shared>, request: Request, next: Next) -> Response {
    let Some(journal) = shared.journal.clone() else {
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
    let operation = osvi_generated::spec::operations::ALL
        .iter()
        .find(|op| op.method == method && op.path == template)
        .map_or(String::new(), |op| op.id.to_string());
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

/// The largest request body the simulator reads (a campaign upload of 10,000 contacts is a
/// few MiB).
pub(crate) const MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

type Answer = Result<Response, Failure>;

/// The router of the whole API: each operation's method and path come from the spec
/// (`osvi_generated::spec::operations`); only the handler is chosen here.
pub(crate) fn router(shared: Shared) -> Router {
    use osvi_generated::spec::operations as op;
    let api = Router::new()
        .route(
            op::LIST_ACTIVE_AGENTS.path,
            on(&op::LIST_ACTIVE_AGENTS, active_agents),
        )
        .route(op::CREATE_CALL.path, on(&op::CREATE_CALL, create_call))
        .route(op::LIST_CALLS.path, on(&op::LIST_CALLS, list_calls))
        .route(op::GET_CALL.path, on(&op::GET_CALL, get_call))
        .route(
            op::GET_CALL_TRANSCRIPT.path,
            on(&op::GET_CALL_TRANSCRIPT, get_transcript),
        )
        .route(
            op::GET_CALL_RECORDING.path,
            on(&op::GET_CALL_RECORDING, get_recording),
        )
        .route(
            op::ADD_CAMPAIGN_CONTACTS.path,
            on(&op::ADD_CAMPAIGN_CONTACTS, add_contacts),
        )
        .route(
            op::GET_CAMPAIGN_STATUS.path,
            on(&op::GET_CAMPAIGN_STATUS, campaign_status),
        )
        .route(op::ADD_DND_NUMBER.path, on(&op::ADD_DND_NUMBER, add_dnd))
        .route(
            op::LIST_DND_NUMBERS.path,
            on(&op::LIST_DND_NUMBERS, list_dnd),
        )
        .route(
            op::REMOVE_DND_NUMBER.path,
            on(&op::REMOVE_DND_NUMBER, remove_dnd),
        )
        .route(
            op::CREATE_CHAT_SESSION.path,
            on(&op::CREATE_CHAT_SESSION, create_session),
        )
        .route(
            op::SEND_CHAT_MESSAGE.path,
            on(&op::SEND_CHAT_MESSAGE, chat_inbound),
        )
        .route(
            op::GET_ACTIVE_CHAT_SESSION.path,
            on(&op::GET_ACTIVE_CHAT_SESSION, active_session),
        )
        .route(
            op::SEND_SUPPORT_COMMAND.path,
            on(&op::SEND_SUPPORT_COMMAND, support),
        )
        .route(
            op::INJECT_CHAT_CONTEXT.path,
            on(&op::INJECT_CHAT_CONTEXT, inject_context),
        )
        .route(
            op::LEGACY_CREATE_CALL.path,
            on(&op::LEGACY_CREATE_CALL, legacy_call),
        )
        .route(
            op::LEGACY_START_CHAT_SESSION.path,
            on(&op::LEGACY_START_CHAT_SESSION, legacy_start_session),
        )
        .route(
            op::LEGACY_SEND_CHAT_MESSAGE.path,
            on(&op::LEGACY_SEND_CHAT_MESSAGE, legacy_send_message),
        )
        .route(
            op::LEGACY_CLOSE_CHAT_SESSION.path,
            on(&op::LEGACY_CLOSE_CHAT_SESSION, legacy_close_session),
        )
        .route_layer(middleware::from_fn_with_state(
            shared.clone(),
            crate::conform::check,
        ))
        .layer(middleware::from_fn_with_state(shared.clone(), authenticate))
        .route_layer(middleware::from_fn_with_state(shared.clone(), record));
    Router::new()
        .route("/recordings/{file}", get(recording_file))
        .merge(api)
        .fallback(no_route)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(shared)
}

/// A path the API does not have: `404` with a JSON body.
async fn no_route() -> Response {
    let body = json!({"success": false, "error": "No route matches this path"});
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

/// A method the path does not take: `405` with a JSON body (axum adds `Allow`).
async fn method_not_allowed() -> Response {
    let body = json!({"success": false, "error": "Method not allowed"});
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}

/// A method router that sends `operation`'s method to `handler`.
fn on<H, T>(operation: &Operation, handler: H) -> MethodRouter<Shared>
where
    H: axum::handler::Handler<T, Shared>,
    T: 'static,
{
    let method = axum::http::Method::from_bytes(operation.method.as_bytes())
        .ok()
        .and_then(|m| MethodFilter::try_from(m).ok())
        .unwrap_or(MethodFilter::GET);
    axum::routing::on(method, handler)
}

// ---------------------------------------------------------------- envelopes

fn ok(data: impl Serialize) -> Response {
    Json(json!({"success": true, "data": data})).into_response()
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Failure::BadRequest(e) => (
                StatusCode::BAD_REQUEST,
                json!({"success": false, "error": e, "details": null}),
            ),
            Failure::Forbidden(e) => (
                StatusCode::FORBIDDEN,
                json!({"success": false, "error": e, "details": null}),
            ),
            Failure::NotFound(e) => (StatusCode::NOT_FOUND, json!({"success": false, "error": e})),
            Failure::Conflict(e) => (StatusCode::CONFLICT, json!({"success": false, "error": e})),
            Failure::Unprocessable(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"success": false, "errors": errors}),
            ),
        };
        (status, Json(body)).into_response()
    }
}

fn bad(message: impl Into<String>) -> Failure {
    Failure::BadRequest(message.into())
}

fn missing(param: &str) -> Failure {
    bad(format!("param is missing or the value is empty: {param}"))
}

async fn authenticate(
    AxumState(shared): AxumState<Shared>,
    request: Request,
    next: Next,
) -> Response {
    let token = request
        .headers()
        .get("API-Token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let known = token.is_some_and(|t| shared.lock().config.tokens.contains(&t));
    if !known {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"success": false, "error": "Invalid API token"})),
        )
            .into_response();
    }
    next.run(request).await
}

/// The JSON object of a request body.
fn object(body: &Bytes) -> Result<Map<String, Value>, Failure> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(bad("the body must be a JSON object")),
        Err(e) => Err(bad(format!("the body is not valid JSON: {e}"))),
    }
}

/// A required, non-empty string field.
fn text<'a>(body: &'a Map<String, Value>, field: &str) -> Result<&'a str, Failure> {
    match body.get(field).and_then(Value::as_str) {
        Some(value) if !value.trim().is_empty() => Ok(value),
        _ => Err(missing(field)),
    }
}

/// `page`/`per_page` of a query; `per_page` is capped at 100.
fn pagination(query: &HashMap<String, String>) -> Result<(usize, usize), Failure> {
    let number = |name: &str, default: usize| -> Result<usize, Failure> {
        match query.get(name) {
            None => Ok(default),
            Some(v) => v.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                Failure::Unprocessable(vec![format!("{name} must be a positive integer")])
            }),
        }
    };
    Ok((number("page", 1)?, number("per_page", 25)?.min(100)))
}

/// One page of `items` with the documented `meta`.
fn page_of<T: Serialize>(items: Vec<T>, page: usize, per_page: usize) -> Response {
    let total = items.len();
    let total_pages = total.div_ceil(per_page);
    let slice: Vec<T> = items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    let meta = types::PaginationMeta {
        current_page: Some(page as i64),
        total_pages: Some(total_pages as i64),
        total_count: Some(total as i64),
        per_page: Some(per_page as i64),
    };
    Json(json!({"success": true, "data": slice, "meta": meta})).into_response()
}

// ---------------------------------------------------------------- agents and calls

async fn active_agents(AxumState(shared): AxumState<Shared>) -> Response {
    Json(shared.lock().active_agents()).into_response()
}

/// Checks a call request as the real API does (400 with the first broken rule).
fn checked_call(body: &Map<String, Value>) -> Result<(types::CallRequest, String), Failure> {
    text(body, "agent_uuid")?;
    let digits = text(body, "phone_number")?;
    let country = text(body, "country_code")?;
    let known_country = country.len() == 2
        && country.chars().all(|c| c.is_ascii_uppercase())
        && country.parse::<phonenumber::country::Id>().is_ok();
    if !known_country {
        return Err(bad(format!(
            "country_code {country} is not a recognized ISO 3166-1 alpha-2 code"
        )));
    }
    let e164 = digits
        .chars()
        .all(|c| c.is_ascii_digit())
        .then(|| strict_e164(digits, country))
        .flatten()
        .ok_or_else(|| {
            bad(format!(
                "phone_number is not a plausible number for {country}"
            ))
        })?;
    if body
        .get("initial_greeting")
        .and_then(Value::as_str)
        .is_some_and(|g| g.chars().count() > 2000)
    {
        return Err(bad("initial_greeting must be at most 2000 characters"));
    }
    if body.get("additional_data").is_some_and(|d| !d.is_object()) {
        return Err(bad("additional_data must be a JSON object"));
    }
    if let Some(url) = body.get("webhook_url") {
        let valid = url
            .as_str()
            .and_then(|u| reqwest::Url::parse(u).ok())
            .is_some_and(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.host_str().is_some_and(|h| !h.is_empty())
            });
        if !valid {
            return Err(bad(
                "webhook_url must be a valid HTTP or HTTPS URL with a host",
            ));
        }
    }
    check_overrides(body.get("call_config_overrides"))?;
    if let Some(items) = body.get("data_extraction") {
        let items = items
            .as_array()
            .ok_or_else(|| bad("data_extraction must be an array"))?;
        for (i, item) in items.iter().enumerate() {
            if item
                .get("description")
                .and_then(Value::as_str)
                .is_none_or(|d| d.trim().is_empty())
            {
                return Err(bad(format!("data_extraction[{i}] is missing description")));
            }
        }
    }
    let request =
        serde_json::from_value(Value::Object(body.clone())).map_err(|e| bad(e.to_string()))?;
    Ok((request, e164))
}

fn check_overrides(overrides: Option<&Value>) -> Result<(), Failure> {
    let Some(overrides) = overrides else {
        return Ok(());
    };
    let in_range =
        |value: Option<&Value>, name: &str, low: i64, high: i64| -> Result<(), Failure> {
            match value {
                None => Ok(()),
                Some(v) if v.as_i64().is_some_and(|n| (low..=high).contains(&n)) => Ok(()),
                Some(_) => Err(bad(format!("{name} must be between {low} and {high}"))),
            }
        };
    in_range(
        overrides.get("max_call_duration_seconds"),
        "max_call_duration_seconds",
        30,
        1800,
    )?;
    let retry = overrides.get("retry_config");
    in_range(
        retry.and_then(|r| r.get("max_attempts")),
        "max_attempts",
        1,
        10,
    )?;
    in_range(
        retry.and_then(|r| r.get("interval_minutes")),
        "interval_minutes",
        1,
        1440,
    )
}

async fn create_call(AxumState(shared): AxumState<Shared>, body: Bytes) -> Answer {
    let body = object(&body)?;
    let (request, e164) = checked_call(&body)?;
    let call_id = shared.lock().place_call(&request, e164)?;
    shared.wake.notify_one();
    Ok(ok(types::CallResponseData {
        call_id: Some(call_id),
    }))
}

async fn list_calls(
    AxumState(shared): AxumState<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    let (page, per_page) = pagination(&query)?;
    let id = |name: &str| -> Result<Option<i64>, Failure> {
        query
            .get(name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| Failure::Unprocessable(vec![format!("{name} must be an integer")]))
            })
            .transpose()
    };
    let bound = |name: &str, end: bool| -> Result<Option<chrono::DateTime<chrono::Utc>>, Failure> {
        query
            .get(name)
            .map(|v| {
                parse_bound(v, end)
                    .ok_or_else(|| Failure::Unprocessable(vec![format!("{name} is not a date")]))
            })
            .transpose()
    };
    let filter = CallFilter {
        status: query.get("status").cloned(),
        agent_uuid: query.get("agent_uuid").cloned(),
        campaign_id: id("campaign_id")?,
        campaign_upload_id: id("campaign_upload_id")?,
        phone_number: query.get("phone_number").cloned(),
        call_type: query.get("call_type").cloned(),
        start: bound("start_date", false)?,
        end: bound("end_date", true)?,
    };
    let calls = shared.lock().list_calls(&filter)?;
    Ok(page_of(calls, page, per_page))
}

async fn get_call(AxumState(shared): AxumState<Shared>, Path(id): Path<String>) -> Answer {
    Ok(ok(shared.lock().call_detail(&id)?))
}

async fn get_transcript(AxumState(shared): AxumState<Shared>, Path(id): Path<String>) -> Answer {
    let turns = shared.lock().transcript(&id)?;
    Ok(ok(types::TranscriptResponseData {
        call_id: Some(id),
        transcript: turns,
    }))
}

async fn get_recording(AxumState(shared): AxumState<Shared>, Path(id): Path<String>) -> Answer {
    let state = shared.lock();
    let call = state.call(&id)?;
    if call.status(state.now()) != "picked" {
        return Err(Failure::NotFound("No recording for this call".into()));
    }
    let url = format!(
        "{}/recordings/{id}.mp4?X-Amz-Expires=900&X-Amz-Signature=sim",
        state.base_url
    );
    Ok(ok(types::RecordingResponseData {
        call_id: Some(id),
        recording_url: Some(url),
        expires_in_seconds: Some(900),
    }))
}

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

// ---------------------------------------------------------------- campaigns

/// A campaign id of the path; one no campaign can have (too large) is not found.
fn campaign_id(raw: &str) -> Result<i64, Failure> {
    raw.parse()
        .map_err(|_| Failure::NotFound("Campaign not found".into()))
}

async fn add_contacts(
    AxumState(shared): AxumState<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let body = object(&body)?;
    text(&body, "agent_uuid")?;
    if !body.get("contacts").is_some_and(Value::is_array) {
        return Err(missing("contacts"));
    }
    let request: types::CampaignContactsRequest = serde_json::from_value(Value::Object(body))
        .map_err(|e| Failure::Unprocessable(vec![e.to_string()]))?;
    let summary = shared.lock().add_contacts(campaign_id(&id)?, &request)?;
    shared.wake.notify_one();
    Ok(ok(summary))
}

async fn campaign_status(AxumState(shared): AxumState<Shared>, Path(id): Path<String>) -> Answer {
    Ok(ok(shared.lock().campaign_status(campaign_id(&id)?)?))
}

// ---------------------------------------------------------------- DND

async fn add_dnd(AxumState(shared): AxumState<Shared>, body: Bytes) -> Answer {
    let body = object(&body)?;
    let agent = text(&body, "agent_uuid")?;
    let phone = text(&body, "phone")?;
    let reason = body
        .get("reason")
        .and_then(Value::as_str)
        .map(str::to_string);
    let entry = shared.lock().add_dnd(agent, phone, reason)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"success": true, "data": entry})),
    )
        .into_response())
}

fn query_param<'a>(query: &'a HashMap<String, String>, name: &str) -> Result<&'a str, Failure> {
    query
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| missing(name))
}

async fn list_dnd(
    AxumState(shared): AxumState<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    let agent = query_param(&query, "agent_uuid")?;
    let (page, per_page) = pagination(&query)?;
    let entries = shared
        .lock()
        .list_dnd(agent, query.get("search").map(String::as_str))?;
    Ok(page_of(entries, page, per_page))
}

async fn remove_dnd(
    AxumState(shared): AxumState<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    let agent = query_param(&query, "agent_uuid")?;
    let phone = query_param(&query, "phone")?;
    shared.lock().remove_dnd(agent, phone)?;
    Ok(Json(json!({"success": true, "message": "Phone removed from DND list"})).into_response())
}

// ---------------------------------------------------------------- chat

fn required_fields(body: &Map<String, Value>, fields: &[&str]) -> Result<(), Failure> {
    let errors: Vec<String> = fields
        .iter()
        .filter(|f| {
            body.get(**f)
                .and_then(Value::as_str)
                .is_none_or(|v| v.trim().is_empty())
        })
        .map(|f| format!("{f} is required"))
        .collect();
    match errors.is_empty() {
        true => Ok(()),
        false => Err(Failure::Unprocessable(errors)),
    }
}

async fn create_session(AxumState(shared): AxumState<Shared>, body: Bytes) -> Answer {
    let body = object(&body)?;
    required_fields(&body, &["agent_uuid", "customer_id"])?;
    let request: types::ChatSessionRequest = serde_json::from_value(Value::Object(body))
        .map_err(|e| Failure::Unprocessable(vec![e.to_string()]))?;
    let mut state = shared.lock();
    let index = state.create_session(
        &request.agent_uuid,
        &request.customer_id,
        request.input_fields,
        request.context,
    )?;
    Ok(ok(state.session_wire(index)))
}

async fn chat_inbound(AxumState(shared): AxumState<Shared>, body: Bytes) -> Answer {
    let body = object(&body)?;
    required_fields(&body, &["agent_uuid", "customer_id", "content"])?;
    let request: types::ChatInboundRequest = serde_json::from_value(Value::Object(body))
        .map_err(|e| Failure::Unprocessable(vec![e.to_string()]))?;
    let mut state = shared.lock();
    let (index, reply) = state.inbound(
        &request.agent_uuid,
        &request.customer_id,
        &request.content,
        request.session_id.as_deref(),
    )?;
    let session = &state.session_wire(index);
    Ok(ok(types::ChatInboundResponseData {
        session_id: Some(session.id.clone()),
        reply,
        state: Some("default".into()),
        mode: session.mode.clone(),
        help_requested: Some(false),
    }))
}

async fn active_session(
    AxumState(shared): AxumState<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    let customer = query_param(&query, "customer_id")?;
    let state = shared.lock();
    match query.get("agent_uuid") {
        Some(agent) => {
            let index = state.active_session(customer, agent)?;
            Ok(ok(state.session_wire(index)))
        }
        None => Ok(ok(state.active_sessions(customer))),
    }
}

async fn support(
    AxumState(shared): AxumState<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let body = object(&body)?;
    let command = body.get("command").and_then(Value::as_str);
    let message = body.get("message").and_then(Value::as_str);
    Ok(ok(shared.lock().support(&id, command, message)?))
}

async fn inject_context(
    AxumState(shared): AxumState<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let body = object(&body)?;
    let context = body
        .get("context")
        .and_then(Value::as_str)
        .unwrap_or_default();
    Ok(ok(shared.lock().inject_context(&id, context)?))
}

// ---------------------------------------------------------------- legacy

async fn legacy_call(shared: AxumState<Shared>, body: Bytes) -> Answer {
    create_call(shared, body).await
}

async fn legacy_start_session(AxumState(shared): AxumState<Shared>, body: Bytes) -> Answer {
    let body = object(&body)?;
    let agent = text(&body, "agent_uuid")?;
    let mut fields = body
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    fields.retain(|_, v| !v.is_null());
    let mut state = shared.lock();
    let customer = format!("legacy-{}", state.now().timestamp_micros());
    let index = state.create_session(agent, &customer, fields, Vec::new())?;
    let session = state.session_wire(index);
    let agent_name = state
        .config
        .agents
        .iter()
        .find(|a| a.agent_id == agent)
        .map(|a| a.name.clone());
    Ok(ok(types::LegacyChatSessionResponseData {
        success: None,
        session_id: Some(session.id),
        agent_name,
        // The legacy endpoint sends naive timestamps, without a time zone.
        started_at: session
            .created_at
            .map(|t| t.naive_utc().format("%Y-%m-%dT%H:%M:%S%.6f").to_string()),
        welcome_message: Some("Hi! How can I help you today?".into()),
    }))
}

async fn legacy_send_message(AxumState(shared): AxumState<Shared>, body: Bytes) -> Answer {
    let body = object(&body)?;
    required_fields(&body, &["agent_uuid", "chat_session_id", "message"])?;
    let agent = text(&body, "agent_uuid")?;
    let session_id = text(&body, "chat_session_id")?;
    let message = text(&body, "message")?;
    let mut state = shared.lock();
    let (index, reply) = state.inbound(agent, "", message, Some(session_id))?;
    Ok(ok(types::LegacyChatMessageResponseData {
        success: None,
        session_id: Some(state.session_wire(index).id),
        response: reply,
        tool_calls: Some(Vec::new()),
        tool_results: Some(Vec::new()),
        current_state: None,
    }))
}

async fn legacy_close_session(
    AxumState(shared): AxumState<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let body = object(&body)?;
    let agent = text(&body, "agent_uuid")?;
    let session_id = shared.lock().close_session(&id, agent)?;
    Ok(ok(types::LegacyCloseSessionResponseData {
        success: None,
        session_id: Some(session_id),
        summary: Some("The customer chatted with the agent; the session is closed.".into()),
    }))
}
