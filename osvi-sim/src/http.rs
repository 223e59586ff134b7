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

use crate::journal::Journal;
use crate::state::{CallFilter, Failure, State, parse_bound, strict_e164};

/// What the router and the [`Simulator`](crate::Simulator) share. Handlers use `state` and
/// `wake`; each middleware is handed only its own part (`conformance`, `journal`, `faults`).
#[derive(Clone)]
pub(crate) struct Shared {
    pub(crate) state: Arc<Mutex<State>>,
    pub(crate) wake: Arc<tokio::sync::Notify>,
    /// The spec's validators of every operation.
    pub(crate) conformance: Arc<crate::conform::Conformance>,
    /// Every exchange, when the journal is on.
    pub(crate) journal: Option<Journal>,
    /// The fault injector (injects nothing unless configured).
    pub(crate) faults: Arc<crate::faults::Injector>,
}

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
        .route(
            op::LEGACY_PAUSE_CHAT_SESSION.path,
            on(&op::LEGACY_PAUSE_CHAT_SESSION, legacy_pause_session),
        )
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
        .get(osvi_generated::spec::API_TOKEN_HEADER)
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

/// A request body as its generated type. The body was already checked against the spec's
/// schema, so this fails only on a body the schema allows and the type cannot hold.
fn typed<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, Failure> {
    serde_json::from_slice(body).map_err(|e| bad(format!("the body cannot be read: {e}")))
}

/// The `page`/`per_page` parameters (named by the spec) of a query, with the spec's defaults,
/// minimum and cap (`x-osvi-capped-at`: a larger `per_page` is answered as the cap). Both
/// list operations `$ref` the spec's one `Page` and `PerPage` parameters, so the rules are
/// read from `list_calls`.
fn pagination(
    query: &HashMap<String, String>,
    (page, per_page): (&str, &str),
) -> Result<(usize, usize), Failure> {
    use osvi_generated::IntegerRule;
    use osvi_generated::spec::rules::list_calls as rules;
    let number = |name: &str, rule: &IntegerRule| -> Result<usize, Failure> {
        let Some(text) = query.get(name) else {
            return Ok(osvi_generated::limit(rule.default));
        };
        let minimum = rule.minimum.unwrap_or(i64::MIN);
        let value = text.parse::<i64>().ok().filter(|n| *n >= minimum);
        let value = value.and_then(|n| usize::try_from(n).ok()).ok_or_else(|| {
            Failure::Unprocessable(vec![format!(
                "{name} must be an integer of at least {minimum}"
            )])
        })?;
        Ok(rule
            .capped_at
            .map_or(value, |cap| value.min(osvi_generated::limit(Some(cap)))))
    };
    Ok((
        number(page, &rules::PAGE)?,
        number(per_page, &rules::PER_PAGE)?,
    ))
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

/// The number of a call as E.164, or the `400` the API answers when `country_code` is no
/// country or `phone_number` is not plausible for it: the rules the schema cannot say.
fn plausible(phone_number: &str, country_code: &str) -> Result<String, Failure> {
    let country = country_code.to_ascii_uppercase();
    if country.parse::<phonenumber::country::Id>().is_err() {
        return Err(bad(format!(
            "country_code {country_code} is not a recognized ISO 3166-1 alpha-2 code"
        )));
    }
    strict_e164(phone_number, &country).ok_or_else(|| {
        bad(format!(
            "phone_number is not a plausible number for {country}"
        ))
    })
}

async fn create_call(AxumState(shared): AxumState<Shared>, body: Bytes) -> Answer {
    place(&shared, &typed(&body)?)
}

/// Places the call of `request` (both call endpoints): `400` for an implausible number.
fn place(shared: &Shared, request: &types::CallRequest) -> Answer {
    let e164 = plausible(&request.phone_number, &request.country_code)?;
    let call_id = shared.lock().place_call(request, e164)?;
    shared.wake.notify_one();
    Ok(ok(types::CallResponseData { call_id }))
}

async fn list_calls(
    AxumState(shared): AxumState<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    use osvi_generated::spec::params::list_calls as param;
    let (page, per_page) = pagination(&query, (param::PAGE, param::PER_PAGE))?;
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
        status: query.get(param::STATUS).cloned(),
        agent_uuid: query.get(param::AGENT_UUID).cloned(),
        campaign_id: id(param::CAMPAIGN_ID)?,
        campaign_upload_id: id(param::CAMPAIGN_UPLOAD_ID)?,
        phone_number: query.get(param::PHONE_NUMBER).cloned(),
        call_type: query.get(param::CALL_TYPE).cloned(),
        start: bound(param::START_DATE, false)?,
        end: bound(param::END_DATE, true)?,
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
        call_id: id,
        transcript: Some(turns),
    }))
}

async fn get_recording(AxumState(shared): AxumState<Shared>, Path(id): Path<String>) -> Answer {
    let state = shared.lock();
    let call = state.call(&id)?;
    if call.status(state.now()) != osvi_generated::spec::enums::call_status::PICKED {
        return Err(Failure::NotFound("No recording for this call".into()));
    }
    let url = format!(
        "{}/recordings/{id}.mp4?X-Amz-Expires=900&X-Amz-Signature=sim",
        state.base_url
    );
    Ok(ok(types::RecordingResponseData {
        call_id: id,
        recording_url: url,
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
    let request: types::CampaignContactsRequest = typed(&body)?;
    let summary = shared.lock().add_contacts(campaign_id(&id)?, &request)?;
    shared.wake.notify_one();
    Ok(ok(summary))
}

async fn campaign_status(AxumState(shared): AxumState<Shared>, Path(id): Path<String>) -> Answer {
    Ok(ok(shared.lock().campaign_status(campaign_id(&id)?)?))
}

// ---------------------------------------------------------------- DND

async fn add_dnd(AxumState(shared): AxumState<Shared>, body: Bytes) -> Answer {
    let request: types::DndNumberRequest = typed(&body)?;
    let entry = shared
        .lock()
        .add_dnd(&request.agent_uuid, &request.phone, request.reason)?;
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
    use osvi_generated::spec::params::list_dnd_numbers as param;
    let agent = query_param(&query, param::AGENT_UUID)?;
    let (page, per_page) = pagination(&query, (param::PAGE, param::PER_PAGE))?;
    let entries = shared
        .lock()
        .list_dnd(agent, query.get(param::SEARCH).map(String::as_str))?;
    Ok(page_of(entries, page, per_page))
}

async fn remove_dnd(
    AxumState(shared): AxumState<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    use osvi_generated::spec::params::remove_dnd_number as param;
    let agent = query_param(&query, param::AGENT_UUID)?;
    let phone = query_param(&query, param::PHONE)?;
    shared.lock().remove_dnd(agent, phone)?;
    Ok(Json(json!({"success": true, "message": "Phone removed from DND list"})).into_response())
}

// ---------------------------------------------------------------- chat

async fn create_session(AxumState(shared): AxumState<Shared>, body: Bytes) -> Answer {
    let request: types::ChatSessionRequest = typed(&body)?;
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
    let request: types::ChatInboundRequest = typed(&body)?;
    let mut state = shared.lock();
    let (index, reply) = state.inbound(
        &request.agent_uuid,
        &request.customer_id,
        &request.content,
        request.session_id.as_deref(),
    )?;
    let session = &state.session_wire(index);
    Ok(ok(types::ChatInboundResponseData {
        session_id: session.id.clone(),
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
    use osvi_generated::spec::params::get_active_chat_session as param;
    let customer = query_param(&query, param::CUSTOMER_ID)?;
    let state = shared.lock();
    match query.get(param::AGENT_UUID) {
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
    let request: types::SupportRequest = typed(&body)?;
    let command = request.command.as_ref().map(|c| c.to_string());
    let message = request.message.as_deref();
    Ok(ok(shared.lock().support(
        &id,
        command.as_deref(),
        message,
    )?))
}

async fn inject_context(
    AxumState(shared): AxumState<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let request: types::InjectContextRequest = typed(&body)?;
    Ok(ok(shared.lock().inject_context(&id, &request.context)?))
}

// ---------------------------------------------------------------- legacy

async fn legacy_call(AxumState(shared): AxumState<Shared>, body: Bytes) -> Answer {
    let legacy: types::LegacyCallRequest = typed(&body)?;
    let request = types::CallRequest {
        agent_uuid: legacy.agent_uuid,
        phone_number: legacy.phone_number,
        country_code: legacy.country_code,
        system_prompt: legacy.system_prompt,
        webhook_url: legacy.webhook_url,
        person_name: legacy.person_name,
        additional_data: legacy.additional_data,
        initial_greeting: None,
        call_config_overrides: None,
        data_extraction: Vec::new(),
    };
    place(&shared, &request)
}

async fn legacy_start_session(AxumState(shared): AxumState<Shared>, body: Bytes) -> Answer {
    let request: types::LegacyChatSessionRequest = typed(&body)?;
    let agent = request.agent_uuid.as_str();
    let fields = match serde_json::to_value(&request.metadata) {
        Ok(Value::Object(fields)) => fields,
        _ => Map::new(),
    };
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
        session_id: session.id,
        agent_name,
        // The legacy endpoint sends naive timestamps, without a time zone.
        started_at: session
            .created_at
            .map(|t| t.naive_utc().format("%Y-%m-%dT%H:%M:%S%.6f").to_string()),
        welcome_message: Some("Hi! How can I help you today?".into()),
    }))
}

async fn legacy_send_message(AxumState(shared): AxumState<Shared>, body: Bytes) -> Answer {
    let request: types::LegacyChatMessageRequest = typed(&body)?;
    let mut state = shared.lock();
    let (index, reply) = state.inbound(
        &request.agent_uuid,
        "",
        &request.message,
        Some(&request.chat_session_id),
    )?;
    Ok(ok(types::LegacyChatMessageResponseData {
        success: None,
        session_id: state.session_wire(index).id,
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
    let request: types::LegacyCloseSessionRequest = typed(&body)?;
    let session_id = shared.lock().close_session(&id, &request.agent_uuid)?;
    Ok(ok(types::LegacyCloseSessionResponseData {
        success: None,
        session_id,
        summary: Some("The customer chatted with the agent; the session is closed.".into()),
    }))
}

async fn legacy_pause_session(
    AxumState(shared): AxumState<Shared>,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    // The older version of the endpoint takes no body.
    let request: types::LegacyPauseSessionRequest = match body.is_empty() {
        true => types::LegacyPauseSessionRequest::default(),
        false => typed(&body)?,
    };
    let session_id = shared
        .lock()
        .pause_session(&id, request.agent_uuid.as_deref())?;
    Ok(ok(types::LegacyPauseSessionResponseData {
        success: Some(true),
        session_id,
        message: Some("Session paused".into()),
    }))
}
