//! The simulator's in-memory account: calls, DND lists, campaigns, chat sessions, and the
//! rules the real API documents. Pure logic over plain data; the HTTP layer (`http.rs`) turns
//! requests into these calls and their results into the documented envelopes.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset, Utc};
use osvi_generated::spec::enums::{
    active_agent_status, call_completed_webhook_execution_mode as execution_mode, call_status,
    call_type, campaign_info_status, chat_session_mode as mode,
    chat_session_status as session_status, support_request_command as command,
};
use osvi_generated::spec::rules;
use osvi_generated::types;
use serde_json::{Map, Value};

use crate::clock::Clock;
use crate::config::Config;

/// A failure of an operation, mapped by the HTTP layer to the documented status and body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Failure {
    /// 400 `{success: false, error, details: null}`.
    BadRequest(String),
    /// 403 `{success: false, error, details: null}`.
    Forbidden(String),
    /// 404 `{success: false, error}`.
    NotFound(String),
    /// 422 `{success: false, errors: [..]}`.
    Unprocessable(Vec<String>),
    /// 409 `{success: false, error}`: the request is valid but the state forbids it (a closed
    /// session, a plain message outside support mode).
    Conflict(String),
}

pub(crate) type Outcome<T> = Result<T, Failure>;

/// The outcomes a call can have.
pub(crate) const OUTCOMES: [&str; 5] = [
    call_status::PICKED,
    call_status::NOT_PICKED,
    call_status::BUSY,
    call_status::FAILED,
    call_status::VOICEMAIL,
];

/// A webhook to deliver: where, and the body.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub(crate) url: String,
    pub(crate) body: Value,
}

/// One placed call.
#[derive(Debug, Clone)]
pub(crate) struct CallRecord {
    pub(crate) id: String,
    pub(crate) agent_uuid: String,
    pub(crate) agent_name: String,
    pub(crate) phone: String,
    pub(crate) person_name: Option<String>,
    pub(crate) greeting: Option<String>,
    pub(crate) extraction: Vec<String>,
    pub(crate) webhook_url: Option<String>,
    pub(crate) campaign_id: Option<i64>,
    pub(crate) upload_id: Option<i64>,
    pub(crate) outcome: &'static str,
    pub(crate) created_at: DateTime<Utc>,
    /// When dialing starts (later than `created_at` for queued campaign contacts).
    pub(crate) starts_at: DateTime<Utc>,
    pub(crate) ring_seconds: i64,
    pub(crate) talk_seconds: i64,
    pub(crate) finished: bool,
}

impl CallRecord {
    fn picked(&self) -> bool {
        self.outcome == call_status::PICKED
    }

    fn answered_at(&self) -> DateTime<Utc> {
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

    fn transcript(&self) -> Vec<(&'static str, String)> {
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

    fn summary(&self) -> Option<String> {
        self.picked().then(|| {
            format!(
                "{} answered and confirmed every point the agent raised.",
                self.person_name.as_deref().unwrap_or("The customer")
            )
        })
    }

    fn data_captured(&self) -> Map<String, Value> {
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

#[derive(Debug, Clone)]
struct DndRecord {
    id: i64,
    agent_uuid: String,
    phone: String,
    reason: Option<String>,
    created_at: DateTime<Utc>,
}

/// What a simulator actually did, from [`Simulator::ledger`](crate::Simulator::ledger).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Ledger {
    /// Every call placed, in order.
    pub calls: Vec<PlacedCall>,
    /// Contacts stored by campaign uploads.
    pub contacts_stored: usize,
    /// Every fault injected, in order.
    pub faults: Vec<crate::faults::InjectedFault>,
}

/// A call the simulator placed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlacedCall {
    /// Its id.
    pub call_id: String,
    /// The agent that dials.
    pub agent_uuid: String,
    /// The person dialed, E.164.
    pub phone_number: String,
    /// The campaign, for a call of an enqueued upload.
    pub campaign_id: Option<i64>,
}

#[derive(Debug, Clone)]
struct UploadRecord {
    /// Contacts stored by this upload.
    contacts: usize,
    id: i64,
    agent_uuid: String,
    file_name: String,
    created_at: DateTime<Utc>,
    call_ids: Vec<String>,
}

#[derive(Debug, Clone)]
struct CampaignRecord {
    name: String,
    created_at: DateTime<Utc>,
    uploads: Vec<UploadRecord>,
}

/// One chat session.
#[derive(Debug, Clone)]
pub(crate) struct SessionRecord {
    pub(crate) id: String,
    agent_uuid: String,
    customer_id: String,
    pub(crate) mode: &'static str,
    pub(crate) status: &'static str,
    input_fields: Map<String, Value>,
    pub(crate) context: Vec<String>,
    active_human: Option<String>,
    whispers: Vec<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl SessionRecord {
    /// Active or paused (`dormant`): not closed.
    fn is_open(&self) -> bool {
        self.status != session_status::CLOSED
    }
}

/// The most context entries a session keeps (the spec's `x-osvi-keeps-most-recent`).
const MAX_CONTEXT: usize =
    osvi_generated::limit(rules::chat_session_request::CONTEXT.keeps_most_recent);
/// The most contacts one campaign request takes (the spec's `maxItems`).
const MAX_CONTACTS: usize =
    osvi_generated::limit(rules::campaign_contacts_request::CONTACTS.max_items);

/// The whole simulated account.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: Config,
    pub(crate) clock: Clock,
    rng: fastrand::Rng,
    pub(crate) base_url: String,
    calls: Vec<CallRecord>,
    call_index: HashMap<String, usize>,
    dnd: Vec<DndRecord>,
    campaigns: BTreeMap<i64, CampaignRecord>,
    sessions: Vec<SessionRecord>,
    next_id: i64,
}

impl State {
    pub(crate) fn new(config: Config, speed: f64) -> State {
        let clock = Clock::new(speed);
        let now = clock.now();
        let campaigns = config
            .campaigns
            .iter()
            .map(|c| {
                (
                    c.id,
                    CampaignRecord {
                        name: c.name.clone(),
                        created_at: now,
                        uploads: Vec::new(),
                    },
                )
            })
            .collect();
        State {
            rng: fastrand::Rng::with_seed(config.seed),
            config,
            clock,
            base_url: String::new(),
            calls: Vec::new(),
            call_index: HashMap::new(),
            dnd: Vec::new(),
            campaigns,
            sessions: Vec::new(),
            next_id: 1,
        }
    }

    /// What was done so far (without the faults, which the injector keeps).
    pub(crate) fn ledger(&self) -> Ledger {
        Ledger {
            calls: self
                .calls
                .iter()
                .map(|c| PlacedCall {
                    call_id: c.id.clone(),
                    agent_uuid: c.agent_uuid.clone(),
                    phone_number: c.phone.clone(),
                    campaign_id: c.campaign_id,
                })
                .collect(),
            contacts_stored: self
                .campaigns
                .values()
                .flat_map(|c| &c.uploads)
                .map(|u| u.contacts)
                .sum(),
            faults: Vec::new(),
        }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn next_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    fn uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.rng.u128(..).to_le_bytes())
            .into_uuid()
            .to_string()
    }

    // ------------------------------------------------------------ agents

    pub(crate) fn active_agents(&self) -> Vec<types::ActiveAgent> {
        self.config
            .agents
            .iter()
            .filter(|a| a.active)
            .map(|a| types::ActiveAgent {
                agent_id: a.agent_id.clone(),
                name: Some(a.name.clone()),
                status: Some(active_agent_status::ACTIVE.into()),
            })
            .collect()
    }

    /// The agent `agent_uuid` of the account: 403 (calls) or 404 (elsewhere) if unknown.
    fn agent(&self, agent_uuid: &str, unknown: fn(String) -> Failure) -> Outcome<(String, bool)> {
        self.config
            .agents
            .iter()
            .find(|a| a.agent_id == agent_uuid)
            .map(|a| (a.name.clone(), a.active))
            .ok_or_else(|| unknown("Agent not found or not associated with this account".into()))
    }

    fn active_agent(&self, agent_uuid: &str, unknown: fn(String) -> Failure) -> Outcome<String> {
        match self.agent(agent_uuid, unknown)? {
            (name, true) => Ok(name),
            (_, false) => Err(Failure::BadRequest("agent is not active".into())),
        }
    }

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

    fn insert_call(&mut self, call: CallRecord) -> String {
        let id = call.id.clone();
        self.call_index.insert(id.clone(), self.calls.len());
        self.calls.push(call);
        id
    }

    fn outcome_for(&mut self, digits: &str, e164: &str) -> &'static str {
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
            caller_name: call.person_name.clone(),
            retry_count: Some(0),
            summary: if done { call.summary() } else { None },
            data_captured: done.then(|| call.data_captured()),
            post_call_analysis: (done && call.picked()).then(|| {
                let mut analysis = Map::new();
                analysis.insert("sentiment".into(), "positive".into());
                analysis.insert("callback_required".into(), false.into());
                analysis
            }),
        })
    }

    fn call_summary(&self, call: &CallRecord, now: DateTime<Utc>) -> types::CallSummary {
        let status = call.status(now);
        let done = status != call_status::IN_PROGRESS;
        let picked = done && call.picked();
        types::CallSummary {
            agent_name: Some(call.agent_name.clone()),
            agent_uuid: Some(call.agent_uuid.clone()),
            call_ended_by: done.then(|| if picked { "agent" } else { "system" }.to_string()),
            call_ended_reason: done.then(|| {
                if picked {
                    "assistant-ended-call"
                } else {
                    status
                }
                .to_string()
            }),
            call_id: call.id.clone(),
            call_picked_at: picked.then(|| call.answered_at().into()),
            call_type: Some(types::CallType(call_type::OUTBOUND.into())),
            campaign_id: call.campaign_id,
            campaign_upload_id: call.upload_id,
            created_at: Some(call.created_at.into()),
            duration_seconds: Some(if picked { call.talk_seconds } else { 0 }),
            from_number: Some("+911140001234".into()),
            phone_number: Some(call.phone.clone()),
            status: Some(types::CallStatus(status.into())),
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
        let matches = |c: &&CallRecord| {
            statuses.as_ref().is_none_or(|s| s.contains(&c.status(now)))
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
                content: Some(content),
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
                    agent_name: Some(call.agent_name.clone()),
                    agent_uuid: Some(call.agent_uuid.clone()),
                    phone_number: Some(call.phone.clone()),
                    call_log_id: Some(call.id.clone()),
                    chat: Some(chat.join("\n")),
                    call_status: Some(call.outcome.to_string()),
                    execution_mode: Some(execution_mode::TEST.to_string()),
                };
                let body = serde_json::to_value(body).unwrap_or_default();
                deliveries.push(Delivery {
                    url: url.clone(),
                    body,
                });
            }
        }
        deliveries
    }

    // ------------------------------------------------------------ DND

    fn on_dnd(&self, agent_uuid: &str, e164: &str) -> bool {
        self.dnd
            .iter()
            .any(|d| d.agent_uuid == agent_uuid && d.phone == e164)
    }

    pub(crate) fn add_dnd(
        &mut self,
        agent_uuid: &str,
        phone: &str,
        reason: Option<String>,
    ) -> Outcome<types::DndNumber> {
        self.agent(agent_uuid, Failure::NotFound)?;
        // A number the API cannot normalize is kept as sent (the docs do not say more).
        let e164 = loose_e164(phone).unwrap_or_else(|| phone.to_string());
        if let Some(existing) = self
            .dnd
            .iter()
            .find(|d| d.agent_uuid == agent_uuid && d.phone == e164)
        {
            return Ok(dnd_wire(existing));
        }
        let record = DndRecord {
            id: self.next_id(),
            agent_uuid: agent_uuid.into(),
            phone: e164,
            reason,
            created_at: self.now(),
        };
        self.dnd.push(record.clone());
        Ok(dnd_wire(&record))
    }

    pub(crate) fn list_dnd(
        &self,
        agent_uuid: &str,
        search: Option<&str>,
    ) -> Outcome<Vec<types::DndNumber>> {
        self.agent(agent_uuid, Failure::NotFound)?;
        Ok(self
            .dnd
            .iter()
            .filter(|d| d.agent_uuid == agent_uuid && search.is_none_or(|s| d.phone.contains(s)))
            .map(dnd_wire)
            .collect())
    }

    pub(crate) fn remove_dnd(&mut self, agent_uuid: &str, phone: &str) -> Outcome<()> {
        self.agent(agent_uuid, Failure::NotFound)?;
        let e164 = loose_e164(phone).unwrap_or_else(|| phone.to_string());
        let before = self.dnd.len();
        self.dnd
            .retain(|d| !(d.agent_uuid == agent_uuid && d.phone == e164));
        match self.dnd.len() < before {
            true => Ok(()),
            false => Err(Failure::NotFound("Phone not found in DND list".into())),
        }
    }

    // ------------------------------------------------------------ campaigns

    pub(crate) fn add_contacts(
        &mut self,
        campaign_id: i64,
        request: &types::CampaignContactsRequest,
    ) -> Outcome<types::CampaignContactsResponseData> {
        if !self.campaigns.contains_key(&campaign_id) {
            return Err(Failure::NotFound("Campaign not found".into()));
        }
        let agent_name = self.active_agent(&request.agent_uuid, Failure::Forbidden)?;
        if request.contacts.len() > MAX_CONTACTS {
            return Err(Failure::Unprocessable(vec![format!(
                "at most {MAX_CONTACTS} contacts per request"
            )]));
        }
        // Normalize and de-duplicate, keeping the longer person_name.
        let mut unique: Vec<(String, types::CampaignContact)> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        let mut invalid = 0;
        for contact in &request.contacts {
            // A number the API cannot normalize is not stored (the docs do not say more).
            let Some(e164) = loose_e164(&contact.phone) else {
                invalid += 1;
                continue;
            };
            match position.get(&e164) {
                Some(&at) => {
                    let kept = &mut unique[at].1;
                    let longer = contact.person_name.as_ref().map_or(0, String::len)
                        > kept.person_name.as_ref().map_or(0, String::len);
                    if longer {
                        kept.person_name = contact.person_name.clone();
                    }
                }
                None => {
                    position.insert(e164.clone(), unique.len());
                    unique.push((e164, contact.clone()));
                }
            }
        }
        let received = request.contacts.len() as i64;
        let duplicates = received - invalid - unique.len() as i64;
        let (skipped, accepted): (Vec<_>, Vec<_>) = unique
            .into_iter()
            .partition(|(e164, _)| self.on_dnd(&request.agent_uuid, e164));
        let now = self.now();
        let upload_id = self.next_id();
        let mut call_ids = Vec::new();
        if request.enqueue {
            for (i, (e164, contact)) in accepted.iter().enumerate() {
                let spacing = (i as u64).saturating_mul(self.config.campaign_spacing_seconds);
                let call = CallRecord {
                    id: self.uuid(),
                    agent_uuid: request.agent_uuid.clone(),
                    agent_name: agent_name.clone(),
                    outcome: self.outcome_for(&contact.phone, e164),
                    phone: e164.clone(),
                    person_name: contact.person_name.clone(),
                    greeting: None,
                    extraction: Vec::new(),
                    webhook_url: None,
                    campaign_id: Some(campaign_id),
                    upload_id: Some(upload_id),
                    created_at: now,
                    starts_at: later(now, seconds(spacing)),
                    ring_seconds: seconds(self.config.ring_seconds),
                    talk_seconds: seconds(self.config.talk_seconds),
                    finished: false,
                };
                call_ids.push(self.insert_call(call));
            }
        }
        let file_name = format!(
            "{}-api_contacts_{:016x}.csv",
            now.timestamp(),
            self.rng.u64(..)
        );
        if let Some(campaign) = self.campaigns.get_mut(&campaign_id) {
            campaign.uploads.push(UploadRecord {
                contacts: accepted.len(),
                id: upload_id,
                agent_uuid: request.agent_uuid.clone(),
                file_name,
                created_at: now,
                call_ids: call_ids.clone(),
            });
        }
        Ok(types::CampaignContactsResponseData {
            campaign_upload_id: Some(upload_id),
            contacts_received: Some(received),
            contacts_accepted: Some(accepted.len() as i64),
            duplicates_removed: Some(duplicates),
            enqueued: Some(request.enqueue),
            queued_calls: Some(call_ids.len() as i64),
            dnd_skipped: skipped
                .into_iter()
                .map(|(e164, c)| {
                    // The skipped contact, as sent but with its normalized number.
                    let contact = types::CampaignContact { phone: e164, ..c };
                    serde_json::to_value(contact).unwrap_or_else(|_| Value::Object(Map::new()))
                })
                .collect::<Vec<_>>()
                .into(),
        })
    }

    pub(crate) fn campaign_status(&self, campaign_id: i64) -> Outcome<types::CampaignStatus> {
        let campaign = self
            .campaigns
            .get(&campaign_id)
            .ok_or_else(|| Failure::NotFound("Campaign not found".into()))?;
        let now = self.now();
        let mut by_status: HashMap<String, i64> = HashMap::new();
        let mut total = 0;
        for call in self
            .calls
            .iter()
            .filter(|c| c.campaign_id == Some(campaign_id))
        {
            total += 1;
            *by_status.entry(call.status(now).to_string()).or_default() += 1;
        }
        let uploads = campaign
            .uploads
            .iter()
            .map(|u| {
                let completed = u
                    .call_ids
                    .iter()
                    .filter_map(|id| self.call(id).ok())
                    .all(|c| c.status(now) != call_status::IN_PROGRESS);
                types::CampaignUpload {
                    campaign_upload_id: Some(u.id),
                    file_name: Some(u.file_name.clone()),
                    agent_uuid: Some(u.agent_uuid.clone()),
                    created_at: Some(u.created_at.into()),
                    queues: Some(vec![types::CampaignQueue {
                        agent_uuid: Some(u.agent_uuid.clone()),
                        total_queued: Some(u.call_ids.len() as i64),
                        completed: Some(completed),
                    }]),
                }
            })
            .collect::<Vec<_>>()
            .into();
        Ok(types::CampaignStatus {
            campaign: Some(types::CampaignInfo {
                id: Some(campaign_id),
                name: Some(campaign.name.clone()),
                status: Some(campaign_info_status::ACTIVE.into()),
                is_retry_enabled: Some(false),
                retry_threshold: Some(1),
                retry_delay: Some(1800.into()),
                created_at: Some(campaign.created_at.into()),
            }),
            calls: Some(types::CampaignStatusCalls {
                total: Some(total),
                by_status: Some(by_status),
            }),
            uploads,
        })
    }

    // ------------------------------------------------------------ chat

    fn active_session_index(&self, customer_id: &str, agent_uuid: &str) -> Option<usize> {
        self.sessions
            .iter()
            .position(|s| s.customer_id == customer_id && s.agent_uuid == agent_uuid && s.is_open())
    }

    pub(crate) fn create_session(
        &mut self,
        agent_uuid: &str,
        customer_id: &str,
        input_fields: Map<String, Value>,
        context: Vec<String>,
    ) -> Outcome<usize> {
        self.active_agent(agent_uuid, Failure::NotFound)?;
        if let Some(i) = self.active_session_index(customer_id, agent_uuid) {
            self.sessions[i].status = session_status::CLOSED;
        }
        let now = self.now();
        let mut context: Vec<String> = context
            .into_iter()
            .filter(|c| !c.trim().is_empty())
            .collect();
        cap_context(&mut context);
        let id = self.uuid();
        self.sessions.push(SessionRecord {
            id,
            agent_uuid: agent_uuid.into(),
            customer_id: customer_id.into(),
            mode: mode::AI,
            status: session_status::ACTIVE,
            input_fields,
            context,
            active_human: None,
            whispers: Vec::new(),
            created_at: now,
            updated_at: now,
        });
        Ok(self.sessions.len() - 1)
    }

    pub(crate) fn session_wire(&self, index: usize) -> types::ChatSession {
        let s = &self.sessions[index];
        types::ChatSession {
            id: s.id.clone(),
            chat_agent_id: Some(42),
            account_id: Some(7),
            customer_id: Some(s.customer_id.clone()),
            mode: Some(s.mode.into()),
            help_requested: Some(false),
            status: Some(s.status.into()),
            current_state: None,
            metadata: Some(types::ChatSessionMetadata {
                input_fields: Some(s.input_fields.clone()),
                state_fields: Some(Map::new()),
                context: Some(s.context.clone()),
            }),
            active_human: s.active_human.clone(),
            created_at: Some(s.created_at.into()),
            updated_at: Some(s.updated_at.into()),
        }
    }

    /// `POST /v1/chat/inbound`: resolves (or creates) the session and answers.
    pub(crate) fn inbound(
        &mut self,
        agent_uuid: &str,
        customer_id: &str,
        content: &str,
        session_id: Option<&str>,
    ) -> Outcome<(usize, Option<String>)> {
        let index = match session_id {
            Some(id) => self.session_index(id)?,
            None => match self.active_session_index(customer_id, agent_uuid) {
                Some(i) => i,
                None => self.create_session(agent_uuid, customer_id, Map::new(), Vec::new())?,
            },
        };
        let now = self.now();
        let session = &mut self.sessions[index];
        if !session.is_open() {
            return Err(Failure::Conflict("session is closed".into()));
        }
        // A message resumes a paused session.
        session.status = session_status::ACTIVE;
        session.updated_at = now;
        let reply = match session.mode {
            mode::SUPPORT => None,
            _ => Some(canned_reply(content, session.whispers.pop())),
        };
        Ok((index, reply))
    }

    pub(crate) fn session_index(&self, id: &str) -> Outcome<usize> {
        self.sessions
            .iter()
            .position(|s| s.id == id)
            .ok_or_else(|| Failure::NotFound("Session not found".into()))
    }

    pub(crate) fn active_sessions(
        &self,
        customer_id: &str,
    ) -> BTreeMap<String, types::ChatSession> {
        self.sessions
            .iter()
            .enumerate()
            .filter(|(_, s)| s.customer_id == customer_id && s.is_open())
            .map(|(i, s)| (s.agent_uuid.clone(), self.session_wire(i)))
            .collect()
    }

    pub(crate) fn active_session(&self, customer_id: &str, agent_uuid: &str) -> Outcome<usize> {
        self.active_session_index(customer_id, agent_uuid)
            .ok_or_else(|| Failure::NotFound("No active session".into()))
    }

    /// `POST /v1/chat/session/{id}/support`.
    pub(crate) fn support(
        &mut self,
        id: &str,
        command: Option<&str>,
        message: Option<&str>,
    ) -> Outcome<types::SupportResponseData> {
        let index = self.session_index(id)?;
        let now = self.now();
        let session = &mut self.sessions[index];
        if session.status == session_status::CLOSED {
            return Err(Failure::Conflict("session is closed".into()));
        }
        let mut reply = None;
        match (command, message) {
            (None, None) => {
                return Err(Failure::Unprocessable(vec![
                    "command or message is required".into(),
                ]));
            }
            (None, Some(_)) if session.mode != mode::SUPPORT => {
                return Err(Failure::Conflict(
                    "a plain message needs support mode (takeover first)".into(),
                ));
            }
            (None, Some(_)) => {}
            (Some(command::TAKEOVER), _) => {
                session.mode = mode::SUPPORT;
                session.active_human = Some("operator@osvi-sim.local".into());
            }
            (Some(command::TELL), Some(guidance)) => reply = Some(canned_reply(guidance, None)),
            (Some(command::TELL), None) => {
                return Err(Failure::Unprocessable(vec![
                    "message is required for tell".into(),
                ]));
            }
            (Some(command::WHISPER), text) => {
                session.whispers.push(text.unwrap_or_default().to_string())
            }
            (Some(command::END), _) => {
                session.mode = mode::AI;
                session.active_human = None;
            }
            (Some(command::CLOSE), _) => session.status = session_status::CLOSED,
            (Some(other), _) => {
                return Err(Failure::Unprocessable(vec![format!(
                    "unknown command {other}"
                )]));
            }
        }
        session.updated_at = now;
        Ok(types::SupportResponseData {
            state: Some("ok".into()),
            session_id: session.id.clone(),
            command: command.map(str::to_string),
            reply,
            active_human: session.active_human.clone(),
        })
    }

    pub(crate) fn inject_context(
        &mut self,
        id: &str,
        context: &str,
    ) -> Outcome<types::InjectContextResponseData> {
        if context.trim().is_empty() {
            return Err(Failure::Unprocessable(vec![
                "context must be a non-empty string".into(),
            ]));
        }
        let index = self.session_index(id)?;
        let session = &mut self.sessions[index];
        session.context.push(context.to_string());
        cap_context(&mut session.context);
        Ok(types::InjectContextResponseData {
            session_id: session.id.clone(),
            context: Some(session.context.clone()),
        })
    }

    /// The session `id` of a legacy request naming `agent_uuid` (when it names one): another
    /// agent's session is `404`, as if it did not exist.
    fn legacy_session(
        &mut self,
        id: &str,
        agent_uuid: Option<&str>,
    ) -> Outcome<&mut SessionRecord> {
        let index = self.session_index(id)?;
        let session = &mut self.sessions[index];
        if agent_uuid.is_some_and(|agent| agent != session.agent_uuid) {
            return Err(Failure::NotFound("Session not found".into()));
        }
        Ok(session)
    }

    pub(crate) fn close_session(&mut self, id: &str, agent_uuid: &str) -> Outcome<String> {
        let session = self.legacy_session(id, Some(agent_uuid))?;
        session.status = session_status::CLOSED;
        Ok(session.id.clone())
    }

    /// Legacy `POST /chat_sessions/{id}/pause_session`: the session becomes `dormant` until
    /// the customer's next message. The docs show no error: a session of another agent is
    /// `404` (as for close), a closed one `409`; pausing a paused session is a success.
    pub(crate) fn pause_session(&mut self, id: &str, agent_uuid: Option<&str>) -> Outcome<String> {
        let now = self.now();
        let session = self.legacy_session(id, agent_uuid)?;
        if !session.is_open() {
            return Err(Failure::Conflict("session is closed".into()));
        }
        session.status = session_status::DORMANT;
        session.updated_at = now;
        Ok(session.id.clone())
    }
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

/// `at` plus `seconds`, saturating instead of overflowing on absurd configurations.
fn later(at: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    chrono::Duration::try_seconds(seconds)
        .and_then(|d| at.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Seconds of a configuration value, as `i64`.
fn seconds(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Keeps the most recent [`MAX_CONTEXT`] entries.
fn cap_context(context: &mut Vec<String>) {
    if context.len() > MAX_CONTEXT {
        context.drain(..context.len() - MAX_CONTEXT);
    }
}

fn canned_reply(content: &str, whisper: Option<String>) -> String {
    let lower = content.to_lowercase();
    let base = if lower.contains("hour") {
        "We're open Monday to Friday, 9 AM to 6 PM IST."
    } else if lower.contains("refund") {
        "I can help with a refund. Could you share your order number?"
    } else {
        "Sure — I can help with that. What's your order number?"
    };
    match whisper {
        Some(w) if !w.is_empty() => format!("{base} (noted: {w})"),
        _ => base.to_string(),
    }
}

fn dnd_wire(d: &DndRecord) -> types::DndNumber {
    types::DndNumber {
        id: Some(d.id),
        agent_uuid: Some(d.agent_uuid.clone()),
        phone: d.phone.clone(),
        reason: d.reason.clone().map(Value::from),
        created_at: Some(d.created_at.into()),
    }
}

/// A national number plausible for `country` as E.164, or `None`.
pub(crate) fn strict_e164(digits: &str, country: &str) -> Option<String> {
    let country: phonenumber::country::Id = country.parse().ok()?;
    let number = phonenumber::parse(Some(country), digits).ok()?;
    phonenumber::is_valid(&number)
        .then(|| number.format().mode(phonenumber::Mode::E164).to_string())
}

/// `9876543210` (taken as Indian) or `+919876543210` as E.164, or `None`.
pub(crate) fn loose_e164(phone: &str) -> Option<String> {
    let digits = phone.strip_prefix('+').unwrap_or(phone);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match phone.starts_with('+') {
        true => {
            let number = phonenumber::parse(None, phone).ok()?;
            phonenumber::is_valid(&number)
                .then(|| number.format().mode(phonenumber::Mode::E164).to_string())
        }
        false if digits.len() == 10 => Some(format!("+91{digits}")),
        false => None,
    }
}

/// A `start_date`/`end_date` value: a date (IST) or an RFC 3339 timestamp. `end` dates cover
/// the whole day.
pub(crate) fn parse_bound(value: &str, end: bool) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Some(at.with_timezone(&Utc));
    }
    let date = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
    let time = if end {
        date.and_hms_opt(23, 59, 59)?
    } else {
        date.and_hms_opt(0, 0, 0)?
    };
    let ist = FixedOffset::east_opt(5 * 3600 + 1800)?;
    Some(time.and_local_timezone(ist).single()?.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalize_like_the_docs_say() {
        assert_eq!(loose_e164("9876543210").as_deref(), Some("+919876543210"));
        assert_eq!(
            loose_e164("+919876500000").as_deref(),
            Some("+919876500000")
        );
        assert_eq!(loose_e164("98-76"), None);
        assert_eq!(
            strict_e164("9876543210", "IN").as_deref(),
            Some("+919876543210")
        );
        assert_eq!(strict_e164("12345", "IN"), None);
    }

    #[test]
    fn context_keeps_the_five_most_recent() {
        let mut context: Vec<String> = (0..7).map(|i| i.to_string()).collect();
        cap_context(&mut context);
        assert_eq!(context, ["2", "3", "4", "5", "6"]);
    }

    #[test]
    fn dates_are_ist_days() {
        let start = parse_bound("2026-06-01", false).unwrap();
        assert_eq!(start.to_rfc3339(), "2026-05-31T18:30:00+00:00");
        let end = parse_bound("2026-06-01", true).unwrap();
        assert_eq!(end.to_rfc3339(), "2026-06-01T18:29:59+00:00");
        assert!(parse_bound("June", false).is_none());
    }
}
