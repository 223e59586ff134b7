//! Calls: placing, the outcome each number gets, listing with the documented filters,
//! details, transcripts, and finishing due calls into webhook deliveries.

use chrono::{DateTime, Utc};
use osvi_generated::spec::enums::{
    call_completed_webhook_execution_mode as execution_mode, call_status, call_type,
};
use osvi_generated::types;
use serde_json::{Map, Value};

use super::account::*;
use crate::config::IntegrationSeed;

impl CallRecord {
    pub(super) fn picked(&self) -> bool {
        self.outcome == call_status::PICKED
    }

    pub(super) fn answered_at(&self) -> DateTime<Utc> {
        later(self.starts_at, self.ring_seconds)
    }

    pub(crate) fn ends_at(&self) -> DateTime<Utc> {
        let talk = if self.picked() { self.talk_seconds } else { 0 };
        later(self.answered_at(), talk)
    }

    pub(crate) fn status(&self, now: DateTime<Utc>) -> &'static str {
        if now < self.ends_at() {
            call_status::IN_PROGRESS
        } else {
            self.outcome
        }
    }

    pub(super) fn transcript(&self) -> Vec<(&'static str, String)> {
        if !self.picked() {
            return Vec::new();
        }
        let name = self.person_name.as_deref().unwrap_or("there");
        let greeting = self
            .greeting
            .clone()
            .unwrap_or_else(|| format!("Hello {name}, this is {} calling.", self.agent_name));
        let mut turns = vec![("agent", greeting), ("user", "Yes, speaking.".to_string())];
        for key in &self.extraction {
            turns.push((
                "agent",
                format!("Could you confirm {}?", key.replace('_', " ")),
            ));
            turns.push(("user", "Yes.".to_string()));
        }
        turns.push(("agent", "Thank you, goodbye!".to_string()));
        turns
    }

    pub(super) fn summary(&self) -> Option<String> {
        self.picked().then(|| {
            format!(
                "{} answered and confirmed every point the agent raised.",
                self.person_name.as_deref().unwrap_or("The customer")
            )
        })
    }

    pub(super) fn data_captured(&self) -> Map<String, Value> {
        match self.picked() {
            true => self
                .extraction
                .iter()
                .map(|k| (k.clone(), Value::from("yes")))
                .collect(),
            false => Map::new(),
        }
    }
}

impl State {
    // ------------------------------------------------------------ calls

    /// `POST /v1/call` (and legacy `POST /call`) on a checked request.
    pub(crate) fn place_call(
        &mut self,
        request: &types::CallRequest,
        e164: String,
    ) -> Outcome<String> {
        let agent_name = self.active_agent(&request.agent_uuid, Failure::Forbidden)?;
        if self.on_dnd(&request.agent_uuid, &e164) {
            return Err(Failure::BadRequest(
                "phone_number is on the agent's DND list".into(),
            ));
        }
        let now = self.now();
        let call = CallRecord {
            id: self.uuid(),
            agent_uuid: request.agent_uuid.clone(),
            agent_name,
            outcome: self.outcome_for(&request.phone_number, &e164),
            phone: e164,
            person_name: request.person_name.clone(),
            greeting: request.initial_greeting.as_ref().map(|g| g.to_string()),
            extraction: request
                .data_extraction
                .iter()
                .filter_map(|f| f.key.clone())
                .collect(),
            webhook_url: request.webhook_url.clone(),
            trigger_data: trigger_data(
                &request.phone_number,
                request.person_name.as_deref(),
                request.additional_data.clone(),
            ),
            campaign_id: None,
            upload_id: None,
            created_at: now,
            starts_at: now,
            ring_seconds: seconds(self.config.ring_seconds),
            talk_seconds: seconds(self.config.talk_seconds),
            finished: false,
        };
        Ok(self.insert_call(call))
    }

    pub(super) fn insert_call(&mut self, call: CallRecord) -> String {
        let id = call.id.clone();
        self.call_index.insert(id.clone(), self.calls.len());
        self.calls.push(call);
        id
    }

    pub(super) fn outcome_for(&mut self, digits: &str, e164: &str) -> &'static str {
        let scripted = self
            .config
            .outcomes
            .get(digits)
            .or_else(|| self.config.outcomes.get(e164));
        if let Some(outcome) = scripted.and_then(|o| OUTCOMES.iter().find(|k| *k == o)) {
            return outcome;
        }
        match self.rng.u8(0..10) {
            0..=5 => call_status::PICKED,
            6 => call_status::NOT_PICKED,
            7 => call_status::BUSY,
            8 => call_status::VOICEMAIL,
            _ => call_status::FAILED,
        }
    }

    pub(crate) fn call(&self, id: &str) -> Outcome<&CallRecord> {
        self.call_index
            .get(id)
            .map(|i| &self.calls[*i])
            .ok_or_else(|| Failure::NotFound("Call not found".into()))
    }

    pub(crate) fn call_detail(&self, id: &str) -> Outcome<types::CallDetail> {
        let call = self.call(id)?;
        let now = self.now();
        let done = call.status(now) != call_status::IN_PROGRESS;
        let summary = self.call_summary(call, now);
        Ok(types::CallDetail {
            agent_name: summary.agent_name,
            agent_uuid: summary.agent_uuid,
            call_ended_by: summary.call_ended_by,
            call_ended_reason: summary.call_ended_reason,
            call_id: summary.call_id,
            call_picked_at: summary.call_picked_at,
            call_type: summary.call_type,
            campaign_id: summary.campaign_id,
            campaign_upload_id: summary.campaign_upload_id,
            created_at: summary.created_at,
            duration_seconds: summary.duration_seconds,
            from_number: summary.from_number,
            phone_number: summary.phone_number,
            status: summary.status,
            tag: summary.tag,
            caller_name: call.person_name.clone().map(Into::into),
            retry_count: Some(0.into()),
            summary: if done {
                call.summary().map(Into::into)
            } else {
                None
            },
            data_captured: done.then(|| call.data_captured()),
            post_call_analysis: (done && call.picked()).then(|| {
                let mut analysis = Map::new();
                analysis.insert("sentiment".into(), "positive".into());
                analysis.insert("callback_required".into(), false.into());
                analysis
            }),
        })
    }

    pub(super) fn call_summary(&self, call: &CallRecord, now: DateTime<Utc>) -> types::CallSummary {
        let status = call.status(now);
        let done = status != call_status::IN_PROGRESS;
        let picked = done && call.picked();
        types::CallSummary {
            agent_name: Some(call.agent_name.clone().into()),
            agent_uuid: Some(call.agent_uuid.clone().into()),
            call_ended_by: (done.then(|| if picked { "agent" } else { "system" }.to_string()))
                .map(Into::into),
            call_ended_reason: (done.then(|| {
                if picked {
                    "assistant-ended-call"
                } else {
                    status
                }
                .to_string()
            }))
            .map(Into::into),
            call_id: call.id.clone(),
            call_picked_at: picked.then(|| call.answered_at().into()),
            call_type: Some(call_type::OUTBOUND.into()),
            campaign_id: call.campaign_id.map(Into::into),
            campaign_upload_id: call.upload_id.map(Into::into),
            created_at: Some(call.created_at.into()),
            duration_seconds: Some(if picked {
                call.talk_seconds.into()
            } else {
                0.into()
            }),
            from_number: Some("+911140001234".into()),
            phone_number: Some(call.phone.clone().into()),
            status: Some(status.into()),
            tag: None,
        }
    }

    /// `GET /v1/calls`: the calls matching `filter`, most recent first.
    pub(crate) fn list_calls(&self, filter: &CallFilter) -> Outcome<Vec<types::CallSummary>> {
        if let Some(agent) = &filter.agent_uuid {
            self.agent(agent, Failure::NotFound)?;
        }
        let now = self.now();
        let statuses: Option<Vec<&str>> = filter
            .status
            .as_deref()
            .map(|s| s.split(',').map(str::trim).collect());
        let delay = seconds(self.config.call_list_delay_seconds);
        let matches = |c: &&CallRecord| {
            later(c.created_at, delay) <= now
                && statuses.as_ref().is_none_or(|s| s.contains(&c.status(now)))
                && filter
                    .agent_uuid
                    .as_ref()
                    .is_none_or(|a| *a == c.agent_uuid)
                && filter
                    .campaign_id
                    .is_none_or(|id| c.campaign_id == Some(id))
                && filter
                    .campaign_upload_id
                    .is_none_or(|id| c.upload_id == Some(id))
                && filter
                    .phone_number
                    .as_ref()
                    .is_none_or(|p| c.phone.contains(p.as_str()))
                && filter
                    .call_type
                    .as_ref()
                    .is_none_or(|t| t == call_type::OUTBOUND)
                && filter.start.is_none_or(|start| {
                    c.picked() && c.status(now) == call_status::PICKED && c.answered_at() >= start
                })
                && filter.end.is_none_or(|end| {
                    c.picked() && c.status(now) == call_status::PICKED && c.answered_at() <= end
                })
        };
        Ok(self
            .calls
            .iter()
            .rev()
            .filter(matches)
            .map(|c| self.call_summary(c, now))
            .collect())
    }

    /// `GET /v1/call/{id}/transcript`.
    pub(crate) fn transcript(&self, id: &str) -> Outcome<Vec<types::TranscriptTurn>> {
        let call = self.call(id)?;
        if call.status(self.now()) == call_status::IN_PROGRESS {
            return Ok(Vec::new());
        }
        Ok(call
            .transcript()
            .into_iter()
            .map(|(role, content)| types::TranscriptTurn {
                role: Some(role.into()),
                content: Some(content.into()),
                timestamp: None,
                extra: Map::new(),
            })
            .collect())
    }

    /// Finishes every call whose time has come; returns the webhooks to deliver.
    pub(crate) fn process(&mut self) -> Vec<Delivery> {
        let now = self.now();
        let mut deliveries = Vec::new();
        for call in self
            .calls
            .iter_mut()
            .filter(|c| !c.finished && c.ends_at() <= now)
        {
            call.finished = true;
            if let Some(url) = &call.webhook_url {
                let chat: Vec<String> = call
                    .transcript()
                    .iter()
                    .map(|(role, text)| {
                        format!(
                            "{}: {text}",
                            if *role == "agent" { "Agent" } else { "User" }
                        )
                    })
                    .collect();
                let body = types::CallCompletedWebhook {
                    agent_name: Some(call.agent_name.clone().into()),
                    agent_uuid: Some(call.agent_uuid.clone().into()),
                    phone_number: Some(call.phone.clone().into()),
                    call_log_id: Some(call.id.clone().into()),
                    chat: Some((chat.join("\n")).into()),
                    call_status: Some(call.outcome.to_string().into()),
                    execution_mode: Some((execution_mode::TEST.to_string()).into()),
                };
                deliveries.push(Delivery {
                    url: url.clone(),
                    method: "POST".into(),
                    headers: Vec::new(),
                    body: Some(serde_json::to_value(body).unwrap_or_default()),
                });
            }
            // The current generation: per agent integration, only for answered calls.
            if call.picked() {
                let agent = self
                    .config
                    .agents
                    .iter()
                    .find(|a| a.agent_id == call.agent_uuid);
                let integrations = agent.into_iter().flat_map(|a| &a.integrations);
                for integration in integrations.filter(|i| i.active) {
                    deliveries.push(post_call_delivery(call, integration));
                }
            }
        }
        deliveries
    }
}

/// The post-call webhook of `call` for `integration`: the "Auto" body with every section
/// that has data (Call Info, AI Summary, Data Extraction, Structured Output, call trigger
/// data), the URL's placeholders filled, the integration's headers.
fn post_call_delivery(call: &CallRecord, integration: &IntegrationSeed) -> Delivery {
    let mut structured = Map::new();
    structured.insert("intent".into(), "appointment_confirmation".into());
    let data_capture = call.data_captured();
    let body = types::PostCallWebhook {
        call_log_id: Some(call.id.clone().into()),
        phone_number: Some(call.phone.clone().into()),
        agent_name: Some(call.agent_name.clone().into()),
        call_status: Some(call.outcome.into()),
        call_type: Some(call_type::OUTBOUND.into()),
        call_summary: call.summary().map(Into::into),
        data_capture: (!data_capture.is_empty()).then_some(data_capture),
        structured_output: Some(structured),
        call_trigger_data: Some(call.trigger_data.clone()),
        extra: Map::new(),
    };
    let method = integration.method.to_ascii_uppercase();
    let sends_body = !matches!(method.as_str(), "GET" | "DELETE");
    Delivery {
        url: fill_placeholders(&integration.url, &call.trigger_data),
        method,
        headers: integration
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        body: sends_body.then(|| serde_json::to_value(body).unwrap_or_default()),
    }
}

/// `url` with each `{{key}}` replaced by the text of `values[key]`; unknown keys stay.
fn fill_placeholders(url: &str, values: &Map<String, Value>) -> String {
    let mut out = url.to_string();
    for (key, value) in values {
        let text = match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        out = out.replace(&format!("{{{{{key}}}}}"), &text);
    }
    out
}

/// Filters of `GET /v1/calls`, parsed.
#[derive(Debug, Default)]
pub(crate) struct CallFilter {
    pub(crate) status: Option<String>,
    pub(crate) agent_uuid: Option<String>,
    pub(crate) campaign_id: Option<i64>,
    pub(crate) campaign_upload_id: Option<i64>,
    pub(crate) phone_number: Option<String>,
    pub(crate) call_type: Option<String>,
    pub(crate) start: Option<DateTime<Utc>>,
    pub(crate) end: Option<DateTime<Utc>>,
}
