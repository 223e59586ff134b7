//! One handler per operation: the simulator's implementation of the generated
//! [`Handlers`] trait. Each reads its request's parts (already checked against the spec by
//! the conformance middleware), asks the account state, and answers the operation's
//! generated success type with the documented envelope (bare-array agents, `message` on
//! DND delete, the legacy shapes). An operation added to the spec is a missing method here
//! until its handler is written.

use chrono::{DateTime, Utc};
use osvi_generated::server::{Handlers, Query};
use osvi_generated::types;
use serde_json::{Map, Value};

use crate::shared::Shared;
use crate::state::{CallFilter, Failure, parse_bound, strict_e164};

type Answer<T> = Result<T, Failure>;

fn bad(message: impl Into<String>) -> Failure {
    Failure::BadRequest(message.into())
}

fn missing(param: &str) -> Failure {
    bad(format!("param is missing or the value is empty: {param}"))
}

/// A required query parameter: missing or empty is the API's `400`.
fn query_param<'a>(query: &'a Query, name: &str) -> Result<&'a str, Failure> {
    query
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| missing(name))
}

/// The `page`/`per_page` parameters (named by the spec) of a query, with the spec's defaults,
/// minimum and cap (`x-osvi-capped-at`: a larger `per_page` is answered as the cap). Both
/// list operations `$ref` the spec's one `Page` and `PerPage` parameters, so the rules are
/// read from `list_calls`.
fn pagination(query: &Query, (page, per_page): (&str, &str)) -> Result<(usize, usize), Failure> {
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

/// One page of `items` and the documented `meta`.
fn page_of<T>(items: Vec<T>, page: usize, per_page: usize) -> (Vec<T>, types::PaginationMeta) {
    let total = items.len();
    let total_pages = total.div_ceil(per_page);
    let slice: Vec<T> = items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    let meta = types::PaginationMeta {
        current_page: Some((page as i64).into()),
        total_pages: Some((total_pages as i64).into()),
        total_count: Some((total as i64).into()),
        per_page: Some((per_page as i64).into()),
    };
    (slice, meta)
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

/// A campaign id of the path; one no campaign can have (too large) is not found.
fn campaign_id(raw: &str) -> Result<i64, Failure> {
    raw.parse()
        .map_err(|_| Failure::NotFound("Campaign not found".into()))
}

/// The call filter of a `list_calls` query.
fn call_filter(query: &Query) -> Answer<CallFilter> {
    use osvi_generated::spec::params::list_calls as param;
    let id = |name: &str| -> Result<Option<i64>, Failure> {
        query
            .get(name)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| Failure::Unprocessable(vec![format!("{name} must be an integer")]))
            })
            .transpose()
    };
    let bound = |name: &str, end: bool| -> Result<Option<DateTime<Utc>>, Failure> {
        query
            .get(name)
            .map(|v| {
                parse_bound(v, end)
                    .ok_or_else(|| Failure::Unprocessable(vec![format!("{name} is not a date")]))
            })
            .transpose()
    };
    Ok(CallFilter {
        status: query.get(param::STATUS).cloned(),
        agent_uuid: query.get(param::AGENT_UUID).cloned(),
        campaign_id: id(param::CAMPAIGN_ID)?,
        campaign_upload_id: id(param::CAMPAIGN_UPLOAD_ID)?,
        phone_number: query.get(param::PHONE_NUMBER).cloned(),
        call_type: query.get(param::CALL_TYPE).cloned(),
        start: bound(param::START_DATE, false)?,
        end: bound(param::END_DATE, true)?,
    })
}

impl Shared {
    /// Places the call of `request` (both call endpoints): `400` for an implausible number.
    fn place(&self, request: &types::CallRequest) -> Answer<types::CallResponseData> {
        let e164 = plausible(&request.phone_number, &request.country_code)?;
        let call_id = self.lock().place_call(request, e164)?;
        self.wake.notify_one();
        Ok(types::CallResponseData { call_id })
    }
}

impl Handlers for Shared {
    type Failure = Failure;

    // ------------------------------------------------------------ agents and calls

    fn list_active_agents(&self) -> Answer<Vec<types::ActiveAgent>> {
        Ok(self.lock().active_agents())
    }

    fn create_call(&self, body: types::CallRequest) -> Answer<types::CallResponse> {
        Ok(types::CallResponse {
            success: Some(true.into()),
            data: self.place(&body)?,
        })
    }

    fn list_calls(&self, query: &Query) -> Answer<types::CallListResponse> {
        use osvi_generated::spec::params::list_calls as param;
        let (page, per_page) = pagination(query, (param::PAGE, param::PER_PAGE))?;
        let calls = self.lock().list_calls(&call_filter(query)?)?;
        let (data, meta) = page_of(calls, page, per_page);
        Ok(types::CallListResponse {
            success: Some(true.into()),
            data: Some(data),
            meta: Some(meta),
        })
    }

    fn get_call(&self, id: &str) -> Answer<types::CallDetailResponse> {
        Ok(types::CallDetailResponse {
            success: Some(true.into()),
            data: self.lock().call_detail(id)?,
        })
    }

    fn get_call_transcript(&self, id: &str) -> Answer<types::TranscriptResponse> {
        let turns = self.lock().transcript(id)?;
        Ok(types::TranscriptResponse {
            success: Some(true.into()),
            data: types::TranscriptResponseData {
                call_id: Some(id.into()),
                transcript: Some(turns),
            },
        })
    }

    fn get_call_recording(&self, id: &str) -> Answer<types::RecordingResponse> {
        let state = self.lock();
        let call = state.call(id)?;
        if call.status(state.now()) != osvi_generated::spec::enums::call_status::PICKED {
            return Err(Failure::NotFound("No recording for this call".into()));
        }
        let url = format!(
            "{}/recordings/{id}.mp4?X-Amz-Expires=900&X-Amz-Signature=sim",
            state.base_url
        );
        Ok(types::RecordingResponse {
            success: Some(true.into()),
            data: types::RecordingResponseData {
                call_id: Some(id.into()),
                recording_url: Some(url.into()),
                expires_in_seconds: Some(900.into()),
            },
        })
    }

    // ------------------------------------------------------------ campaigns

    fn add_campaign_contacts(
        &self,
        id: &str,
        body: types::CampaignContactsRequest,
    ) -> Answer<types::CampaignContactsResponse> {
        let summary = self.lock().add_contacts(campaign_id(id)?, &body)?;
        self.wake.notify_one();
        Ok(types::CampaignContactsResponse {
            success: Some(true.into()),
            data: summary,
        })
    }

    fn get_campaign_status(&self, id: &str) -> Answer<types::CampaignStatusResponse> {
        Ok(types::CampaignStatusResponse {
            success: Some(true.into()),
            data: self.lock().campaign_status(campaign_id(id)?)?,
        })
    }

    // ------------------------------------------------------------ DND

    fn add_dnd_number(&self, body: types::DndNumberRequest) -> Answer<types::DndNumberResponse> {
        let entry = self
            .lock()
            .add_dnd(&body.agent_uuid, &body.phone, body.reason)?;
        Ok(types::DndNumberResponse {
            success: Some(true.into()),
            data: entry,
        })
    }

    fn list_dnd_numbers(&self, query: &Query) -> Answer<types::DndListResponse> {
        use osvi_generated::spec::params::list_dnd_numbers as param;
        let agent = query_param(query, param::AGENT_UUID)?;
        let (page, per_page) = pagination(query, (param::PAGE, param::PER_PAGE))?;
        let entries = self
            .lock()
            .list_dnd(agent, query.get(param::SEARCH).map(String::as_str))?;
        let (data, meta) = page_of(entries, page, per_page);
        Ok(types::DndListResponse {
            success: Some(true.into()),
            data: Some(data),
            meta: Some(meta),
        })
    }

    fn remove_dnd_number(&self, query: &Query) -> Answer<types::MessageResponse> {
        use osvi_generated::spec::params::remove_dnd_number as param;
        let agent = query_param(query, param::AGENT_UUID)?;
        let phone = query_param(query, param::PHONE)?;
        self.lock().remove_dnd(agent, phone)?;
        Ok(types::MessageResponse {
            success: Some(true.into()),
            message: Some("Phone removed from DND list".into()),
        })
    }

    // ------------------------------------------------------------ chat

    fn create_chat_session(
        &self,
        body: types::ChatSessionRequest,
    ) -> Answer<types::ChatSessionResponse> {
        let mut state = self.lock();
        let index = state.create_session(
            &body.agent_uuid,
            &body.customer_id,
            body.input_fields,
            body.context,
        )?;
        Ok(types::ChatSessionResponse {
            success: Some(true.into()),
            data: state.session_wire(index),
        })
    }

    fn send_chat_message(
        &self,
        body: types::ChatInboundRequest,
    ) -> Answer<types::ChatInboundResponse> {
        let mut state = self.lock();
        let (index, reply) = state.inbound(
            &body.agent_uuid,
            &body.customer_id,
            &body.content,
            body.session_id.as_deref(),
        )?;
        let session = state.session_wire(index);
        Ok(types::ChatInboundResponse {
            success: Some(true.into()),
            data: types::ChatInboundResponseData {
                session_id: session.id,
                reply: reply.map(Into::into),
                state: Some("default".into()),
                mode: session.mode,
                help_requested: Some(false.into()),
            },
        })
    }

    fn get_active_chat_session(&self, query: &Query) -> Answer<types::ActiveChatSessionResponse> {
        use osvi_generated::spec::params::get_active_chat_session as param;
        let customer = query_param(query, param::CUSTOMER_ID)?;
        let state = self.lock();
        let data = match query.get(param::AGENT_UUID) {
            Some(agent) => {
                let index = state.active_session(customer, agent)?;
                types::ActiveChatSessionResponseData::ChatSession(state.session_wire(index))
            }
            None => types::ActiveChatSessionResponseData::Object(
                state.active_sessions(customer).into_iter().collect(),
            ),
        };
        Ok(types::ActiveChatSessionResponse {
            success: Some(true.into()),
            data,
        })
    }

    fn send_support_command(
        &self,
        id: &str,
        body: types::SupportRequest,
    ) -> Answer<types::SupportResponse> {
        let command = body.command.as_ref().map(|c| c.to_string());
        let data = self
            .lock()
            .support(id, command.as_deref(), body.message.as_deref())?;
        Ok(types::SupportResponse {
            success: Some(true.into()),
            data,
        })
    }

    fn inject_chat_context(
        &self,
        id: &str,
        body: types::InjectContextRequest,
    ) -> Answer<types::InjectContextResponse> {
        Ok(types::InjectContextResponse {
            success: Some(true.into()),
            data: self.lock().inject_context(id, &body.context)?,
        })
    }

    // ------------------------------------------------------------ legacy

    fn legacy_create_call(
        &self,
        body: types::LegacyCallRequest,
    ) -> Answer<types::LegacyCallResponse> {
        let request = types::CallRequest {
            agent_uuid: body.agent_uuid,
            phone_number: body.phone_number,
            country_code: body.country_code,
            system_prompt: body.system_prompt,
            webhook_url: body.webhook_url,
            person_name: body.person_name,
            additional_data: body.additional_data,
            initial_greeting: None,
            call_config_overrides: None,
            data_extraction: Vec::new(),
        };
        let placed = self.place(&request)?;
        Ok(types::LegacyCallResponse {
            success: Some(true.into()),
            data: Some(types::LegacyCallResponseData {
                call_id: Some(placed.call_id.into()),
            }),
            status: None,
            message: None,
            call_id: None,
        })
    }

    fn legacy_start_chat_session(
        &self,
        body: types::LegacyChatSessionRequest,
    ) -> Answer<types::LegacyChatSessionResponse> {
        let agent = body.agent_uuid.as_str();
        let fields = match serde_json::to_value(&body.metadata) {
            Ok(Value::Object(fields)) => fields,
            _ => Map::new(),
        };
        let mut state = self.lock();
        let customer = format!("legacy-{}", state.now().timestamp_micros());
        let index = state.create_session(agent, &customer, fields, Vec::new())?;
        let session = state.session_wire(index);
        let agent_name = state
            .config
            .agents
            .iter()
            .find(|a| a.agent_id == agent)
            .map(|a| a.name.clone());
        Ok(types::LegacyChatSessionResponse {
            success: Some(true.into()),
            data: types::LegacyChatSessionResponseData {
                success: None,
                session_id: session.id,
                agent_name: agent_name.map(Into::into),
                // The legacy endpoint sends naive timestamps, without a time zone.
                started_at: session
                    .created_at
                    .and_then(osvi_generated::Lenient::into_read)
                    .map(|t| {
                        t.naive_utc()
                            .format("%Y-%m-%dT%H:%M:%S%.6f")
                            .to_string()
                            .into()
                    }),
                welcome_message: Some("Hi! How can I help you today?".into()),
            },
        })
    }

    fn legacy_send_chat_message(
        &self,
        body: types::LegacyChatMessageRequest,
    ) -> Answer<types::LegacyChatMessageResponse> {
        let mut state = self.lock();
        let (index, reply) = state.inbound(
            &body.agent_uuid,
            "",
            &body.message,
            Some(&body.chat_session_id),
        )?;
        Ok(types::LegacyChatMessageResponse {
            success: Some(true.into()),
            data: types::LegacyChatMessageResponseData {
                success: None,
                session_id: Some(state.session_wire(index).id.into()),
                response: reply.map(Into::into),
                tool_calls: Some(Vec::new()),
                tool_results: Some(Vec::new()),
                current_state: None,
            },
        })
    }

    fn legacy_close_chat_session(
        &self,
        id: &str,
        body: types::LegacyCloseSessionRequest,
    ) -> Answer<types::LegacyCloseSessionResponse> {
        let session_id = self.lock().close_session(id, &body.agent_uuid)?;
        Ok(types::LegacyCloseSessionResponse {
            success: Some(true.into()),
            data: types::LegacyCloseSessionResponseData {
                success: None,
                session_id: Some(session_id.into()),
                summary: Some("The customer chatted with the agent; the session is closed.".into()),
            },
        })
    }

    /// The older version of the endpoint takes no body.
    fn legacy_pause_chat_session(
        &self,
        id: &str,
        body: Option<types::LegacyPauseSessionRequest>,
    ) -> Answer<types::LegacyPauseSessionResponse> {
        let agent = body.and_then(|b| b.agent_uuid);
        let session_id = self.lock().pause_session(id, agent.as_deref())?;
        Ok(types::LegacyPauseSessionResponse {
            success: Some(true.into()),
            data: types::LegacyPauseSessionResponseData {
                success: Some(true.into()),
                session_id: Some(session_id.into()),
                message: Some("Session paused".into()),
            },
        })
    }
}
