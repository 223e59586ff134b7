//! Phone calls: place one, list and filter them, read one call's result, transcript and
//! recording.
//!
//! Placing a call (`POST /v1/call`) is asynchronous: [`CreateCall::send`] returns as soon as
//! OSVI accepted the call, with its id; the result arrives later, by webhook or by reading
//! [`Calls::get`].
//!
//! ```no_run
//! # async fn run(client: osvi_ext::Client) -> osvi_ext::Result<()> {
//! let created = client
//!     .calls()
//!     .create("agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og", "9876543210", "IN")
//!     .person_name("John Doe")
//!     .initial_greeting("Hello John, this is a reminder about your appointment.")
//!     .extract("appointment_confirmed", "Ask if they can confirm the appointment.")
//!     .send()
//!     .await?;
//! println!("placed {}", created.call_id);
//!
//! use osvi_ext::calls::CallStatus;
//! let answered = client
//!     .calls()
//!     .list()
//!     .status([CallStatus::Picked, CallStatus::Voicemail])
//!     .collect_all()
//!     .await?;
//! println!("{} answered calls", answered.len());
//! # Ok(()) }
//! ```

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use futures::Stream;
use osvi_generated::types;
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::Result;
use crate::macros::{awaitable, string_enum};
use crate::pagination::{Page, Pager, list_envelope};
use crate::transport::{FromWire, envelope};
use crate::validate;
use osvi_generated::spec::{enums, operations, rules};

envelope!(
    types::CallResponse => types::CallResponseData,
    types::CallDetailResponse => types::CallDetail,
    types::TranscriptResponse => types::TranscriptResponseData,
    types::RecordingResponse => types::RecordingResponseData,
);
list_envelope!(types::CallListResponse => types::CallSummary);

string_enum! {
    /// The outcome of a call.
    pub enum CallStatus {
        /// Answered.
        Picked = enums::call_status::PICKED,
        /// Not answered.
        NotPicked = enums::call_status::NOT_PICKED,
        /// Could not be placed or dropped.
        Failed = enums::call_status::FAILED,
        /// The line was busy.
        Busy = enums::call_status::BUSY,
        /// Reached voicemail.
        Voicemail = enums::call_status::VOICEMAIL,
        /// Still going on.
        InProgress = enums::call_status::IN_PROGRESS,
    }
}

impl CallStatus {
    /// Whether the call is over (every status but [`CallStatus::InProgress`]; an unknown
    /// status counts as final).
    pub fn is_final(&self) -> bool {
        !matches!(self, CallStatus::InProgress)
    }
}

string_enum! {
    /// The direction of a call.
    pub enum CallType {
        /// The customer called the agent.
        Inbound = enums::call_type::INBOUND,
        /// The agent called the customer.
        Outbound = enums::call_type::OUTBOUND,
    }
}

/// The calls resource: `client.calls()`.
#[derive(Debug, Clone, Copy)]
pub struct Calls<'a> {
    client: &'a Client,
}

impl Client {
    /// Phone calls: place, list, read. See [`crate::calls`].
    pub fn calls(&self) -> Calls<'_> {
        Calls { client: self }
    }
}

impl Calls<'_> {
    /// Starts a call from `agent_uuid` to `phone_number` (digits only, without country code)
    /// in `country_code` (ISO 3166-1 alpha-2, e.g. `IN`). Optional settings go on the
    /// returned builder; [`CreateCall::send`] validates and places the call.
    pub fn create(
        &self,
        agent_uuid: impl Into<String>,
        phone_number: impl Into<String>,
        country_code: impl Into<String>,
    ) -> CreateCall {
        CreateCall {
            client: self.client.clone(),
            agent_uuid: agent_uuid.into(),
            phone_number: phone_number.into(),
            country_code: country_code.into(),
            system_prompt: None,
            webhook_url: None,
            person_name: None,
            additional_data: None,
            initial_greeting: None,
            overrides: Overrides::default(),
            extraction: Vec::new(),
        }
    }

    /// Lists the account's calls, most recent first. Filters and the way to read the pages
    /// go on the returned builder.
    pub fn list(&self) -> ListCalls {
        ListCalls {
            client: self.client.clone(),
            statuses: Vec::new(),
            agent_uuid: None,
            campaign_id: None,
            campaign_upload_id: None,
            phone_number: None,
            call_type: None,
            since: None,
            until: None,
            per_page: None,
            prefetch: false,
        }
    }

    /// The full record of one call: status, summary, extracted data, analysis.
    /// An unknown or malformed id is [`NotFound`](crate::Error::NotFound).
    pub fn get(&self, call_id: impl Into<String>) -> GetCall {
        GetCall {
            client: self.client.clone(),
            call_id: call_id.into(),
        }
    }

    /// The turn-by-turn transcript of a call (no turns when none was captured).
    pub fn transcript(&self, call_id: impl Into<String>) -> GetTranscript {
        GetTranscript {
            client: self.client.clone(),
            call_id: call_id.into(),
        }
    }

    /// Waits until the call has a final status and returns it; see [`WaitForCall`].
    ///
    /// ```no_run
    /// # async fn run(client: osvi_ext::Client) -> osvi_ext::Result<()> {
    /// let call = client.calls().wait("a1b2c3d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d").await?;
    /// println!("{:?}: {}", call.status, call.summary.unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub fn wait(&self, call_id: impl Into<String>) -> WaitForCall {
        WaitForCall {
            client: self.client.clone(),
            call_id: call_id.into(),
            deadline: std::time::Duration::from_secs(30 * 60),
            first_interval: std::time::Duration::from_secs(2),
            max_interval: std::time::Duration::from_secs(30),
        }
    }

    /// Streams the call's audio into `writer`, chunk by chunk (never the whole file in
    /// memory), and returns the number of bytes written. It fetches a fresh presigned URL
    /// first; the API token is not sent to the storage host. The client's timeout covers the
    /// whole download: raise it with [`Client::with_timeout`] for long recordings.
    pub async fn download_recording<W>(&self, call_id: &str, writer: &mut W) -> Result<u64>
    where
        W: tokio::io::AsyncWrite + Unpin,
    {
        use tokio::io::AsyncWriteExt;
        let recording = self.recording(call_id).send().await?;
        let mut response = self.client.download(&recording.recording_url).await?;
        let mut written = 0u64;
        let io = |e: std::io::Error| crate::Error::Io {
            message: format!("writing the recording of {call_id}: {e}"),
            source: e,
        };
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| crate::transport::transport_error("download_recording", e))?
        {
            writer.write_all(&chunk).await.map_err(io)?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(io)?;
        Ok(written)
    }

    /// A presigned URL of the call's audio. It expires (after 15 minutes): fetch it when you
    /// need it, do not store it.
    pub fn recording(&self, call_id: impl Into<String>) -> GetRecording {
        GetRecording {
            client: self.client.clone(),
            call_id: call_id.into(),
        }
    }
}

/// Request of `GET /v1/call/{id}`, from [`Calls::get`]: await it, or call
/// [`send`](GetCall::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct GetCall {
    client: Client,
    call_id: String,
}

impl GetCall {
    /// Sends the request.
    pub async fn send(self) -> Result<Call> {
        validate::non_empty("id", &self.call_id)?;
        let api = self.client.api(&operations::GET_CALL);
        api.run(|| api.raw().get_call().id(self.call_id.as_str()).send())
            .await
    }
}

/// Request of `GET /v1/call/{id}/transcript`, from [`Calls::transcript`]: await it, or call
/// [`send`](GetTranscript::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct GetTranscript {
    client: Client,
    call_id: String,
}

impl GetTranscript {
    /// Sends the request.
    pub async fn send(self) -> Result<Transcript> {
        validate::non_empty("id", &self.call_id)?;
        let api = self.client.api(&operations::GET_CALL_TRANSCRIPT);
        api.run(|| {
            api.raw()
                .get_call_transcript()
                .id(self.call_id.as_str())
                .send()
        })
        .await
    }
}

/// Request of `GET /v1/call/{id}/recording`, from [`Calls::recording`]: await it, or call
/// [`send`](GetRecording::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct GetRecording {
    client: Client,
    call_id: String,
}

impl GetRecording {
    /// Sends the request.
    pub async fn send(self) -> Result<Recording> {
        validate::non_empty("id", &self.call_id)?;
        let api = self.client.api(&operations::GET_CALL_RECORDING);
        api.run(|| {
            api.raw()
                .get_call_recording()
                .id(self.call_id.as_str())
                .send()
        })
        .await
    }
}

awaitable!(
    GetCall: send => Call,
    GetTranscript: send => Transcript,
    GetRecording: send => Recording,
    CreateCall: send => CallCreated,
    ListCalls: send => Page<Call>,
    WaitForCall: run => Call,
);

/// Waiting for a call to finish, from [`Calls::wait`]: polls `GET /v1/call/{id}` until the
/// call has a final status, then resolves to the full [`Call`]. Await it directly, or set
/// the deadline and intervals first.
///
/// Polls start `2 s` apart and grow by half each time up to `30 s`; the default deadline is
/// 30 minutes, after which the wait fails with [`Error::Timeout`](crate::Error::Timeout). A
/// status the SDK does not know counts as final. Any error of a poll (404 included: the docs
/// do not say whether the `call_id` of `POST /v1/call` is readable at once) ends the wait.
#[derive(Debug, Clone)]
#[must_use = "nothing happens until the wait is awaited"]
pub struct WaitForCall {
    client: Client,
    call_id: String,
    deadline: std::time::Duration,
    first_interval: std::time::Duration,
    max_interval: std::time::Duration,
}

impl WaitForCall {
    /// Gives up after `deadline` (default 30 minutes).
    pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The first wait between polls (default 2 s) and the longest (default 30 s).
    pub fn poll_interval(mut self, first: std::time::Duration, max: std::time::Duration) -> Self {
        self.first_interval = first;
        self.max_interval = max.max(first);
        self
    }

    async fn run(self) -> Result<Call> {
        let schedule = crate::polling::Schedule {
            first: self.first_interval,
            factor: 1.5,
            max: self.max_interval,
            deadline: self.deadline,
        };
        let calls = self.client.calls();
        crate::polling::until(
            schedule,
            || calls.get(self.call_id.as_str()).send(),
            |call| call.status.as_ref().is_some_and(CallStatus::is_final),
            |call| {
                let status = call.status.as_ref().map_or("unknown", CallStatus::as_str);
                format!("call {} still `{status}`", self.call_id)
            },
        )
        .await
    }
}

/// The answer to [`CreateCall::send`].
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallCreated {
    /// The new call's id.
    pub call_id: String,
}

impl FromWire<types::CallResponseData> for CallCreated {
    fn from_wire(data: types::CallResponseData) -> std::result::Result<Self, String> {
        Ok(CallCreated {
            call_id: data.call_id,
        })
    }
}

/// A tag attached to a call in the dashboard.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallTag {
    /// The tag's id.
    pub id: Option<i64>,
    /// The tag's name, e.g. `interested`.
    pub name: Option<String>,
    /// Its colour, e.g. `#22c55e`.
    pub color_code: Option<String>,
}

/// One call. The list endpoint fills the fields up to `call_picked_at`; [`Calls::get`] fills
/// the analysis fields too. Fields the server left out are `None` (or empty).
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Call {
    /// The call's id.
    pub call_id: String,
    /// The agent that handled the call.
    pub agent_uuid: Option<String>,
    /// The agent's display name.
    pub agent_name: Option<String>,
    /// The other party's number, E.164.
    pub phone_number: Option<String>,
    /// The number the call was placed from, E.164.
    pub from_number: Option<String>,
    /// The outcome.
    pub status: Option<CallStatus>,
    /// Inbound or outbound.
    pub call_type: Option<CallType>,
    /// How long the call lasted, in seconds.
    pub duration_seconds: Option<i64>,
    /// Who ended the call (e.g. `agent`).
    pub call_ended_by: Option<String>,
    /// Why it ended (e.g. `assistant-ended-call`).
    pub call_ended_reason: Option<String>,
    /// The campaign the call belongs to.
    pub campaign_id: Option<i64>,
    /// The contact upload the call came from.
    pub campaign_upload_id: Option<i64>,
    /// The dashboard tag.
    pub tag: Option<CallTag>,
    /// When the call was created.
    pub created_at: Option<DateTime<Utc>>,
    /// When the call was answered.
    pub call_picked_at: Option<DateTime<Utc>>,
    /// The callee's name (detail only).
    pub caller_name: Option<String>,
    /// How many times the call was retried (detail only).
    pub retry_count: Option<i64>,
    /// The AI summary of the conversation (detail only).
    pub summary: Option<String>,
    /// The values of the agent's data-extraction fields, by key (detail only).
    pub data_captured: Map<String, Value>,
    /// The structured post-call analysis (detail only).
    pub post_call_analysis: Map<String, Value>,
}

impl FromWire<types::CallSummary> for Call {
    fn from_wire(c: types::CallSummary) -> std::result::Result<Self, String> {
        Ok(Call {
            call_id: c.call_id,
            agent_uuid: c.agent_uuid,
            agent_name: c.agent_name,
            phone_number: c.phone_number,
            from_number: c.from_number,
            status: c.status.map(|s| CallStatus::from(s.0)),
            call_type: c.call_type.map(|t| CallType::from(t.0)),
            duration_seconds: c.duration_seconds,
            call_ended_by: c.call_ended_by,
            call_ended_reason: c.call_ended_reason,
            campaign_id: c.campaign_id,
            campaign_upload_id: c.campaign_upload_id,
            tag: c.tag.map(tag),
            created_at: c.created_at.map(Into::into),
            call_picked_at: c.call_picked_at.map(Into::into),
            caller_name: None,
            retry_count: None,
            summary: None,
            data_captured: Map::new(),
            post_call_analysis: Map::new(),
        })
    }
}

impl FromWire<types::CallDetail> for Call {
    fn from_wire(c: types::CallDetail) -> std::result::Result<Self, String> {
        Ok(Call {
            call_id: c.call_id,
            agent_uuid: c.agent_uuid,
            agent_name: c.agent_name,
            phone_number: c.phone_number,
            from_number: c.from_number,
            status: c.status.map(|s| CallStatus::from(s.0)),
            call_type: c.call_type.map(|t| CallType::from(t.0)),
            duration_seconds: c.duration_seconds,
            call_ended_by: c.call_ended_by,
            call_ended_reason: c.call_ended_reason,
            campaign_id: c.campaign_id,
            campaign_upload_id: c.campaign_upload_id,
            tag: c.tag.map(tag),
            created_at: c.created_at.map(Into::into),
            call_picked_at: c.call_picked_at.map(Into::into),
            caller_name: c.caller_name,
            retry_count: c.retry_count,
            summary: c.summary,
            data_captured: c.data_captured.unwrap_or_default(),
            post_call_analysis: c.post_call_analysis.unwrap_or_default(),
        })
    }
}

fn tag(t: types::CallTag) -> CallTag {
    CallTag {
        id: t.id,
        name: t.name,
        color_code: t.color_code,
    }
}

/// A call's transcript.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Transcript {
    /// The call's id.
    pub call_id: String,
    /// The turns, in order; empty when no transcript was captured.
    pub turns: Vec<TranscriptTurn>,
}

/// One turn of a transcript. The docs do not show its fields: `role`, `content` and
/// `timestamp` are assumed, and every other field is kept in `extra`.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TranscriptTurn {
    /// Who spoke (e.g. `agent` or `user`).
    pub role: Option<String>,
    /// What was said.
    pub content: Option<String>,
    /// When, as sent by the server.
    pub timestamp: Option<String>,
    /// Every other field of the turn.
    pub extra: Map<String, Value>,
}

impl FromWire<types::TranscriptResponseData> for Transcript {
    fn from_wire(t: types::TranscriptResponseData) -> std::result::Result<Self, String> {
        Ok(Transcript {
            call_id: t.call_id,
            turns: t
                .transcript
                .unwrap_or_default()
                .into_iter()
                .map(|turn| TranscriptTurn {
                    role: turn.role,
                    content: turn.content,
                    timestamp: turn.timestamp,
                    extra: turn.extra,
                })
                .collect(),
        })
    }
}

/// A presigned recording URL.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recording {
    /// The call's id.
    pub call_id: String,
    /// The presigned URL of the audio.
    pub recording_url: String,
    /// How long the URL stays valid, as the server said (900 s in the docs); `None` when
    /// the answer did not say (or said something negative or absurd). Serialized (feature
    /// `serde`) as whole seconds, under the wire's name `expires_in_seconds`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "expires_in_seconds", serialize_with = "whole_seconds")
    )]
    pub expires_in: Option<std::time::Duration>,
    /// When the URL expires, by this machine's clock at the time the answer arrived.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Serializes a duration as whole seconds.
#[cfg(feature = "serde")]
fn whole_seconds<S: serde::Serializer>(
    duration: &Option<std::time::Duration>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&duration.map(|d| d.as_secs()), serializer)
}

impl FromWire<types::RecordingResponseData> for Recording {
    fn from_wire(r: types::RecordingResponseData) -> std::result::Result<Self, String> {
        let expires_in = r
            .expires_in_seconds
            .and_then(|seconds| u64::try_from(seconds).ok())
            .map(std::time::Duration::from_secs);
        let expires_at = expires_in
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .and_then(|d| Utc::now().checked_add_signed(d));
        Ok(Recording {
            call_id: r.call_id,
            recording_url: r.recording_url,
            expires_in: expires_in.filter(|_| expires_at.is_some()),
            expires_at,
        })
    }
}

/// One data point the agent should extract during the call (`data_extraction[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractionField {
    /// The key the value is returned under in [`Call::data_captured`].
    pub key: Option<String>,
    /// What the agent should ask or extract. Required, non-empty.
    pub description: String,
    /// Whether the call only succeeds if this is collected.
    pub required: Option<bool>,
    /// The expected format, e.g. `yes or no`, `date and time`.
    pub output_format: Option<String>,
}

impl ExtractionField {
    /// A field with a key and a description.
    pub fn new(key: impl Into<String>, description: impl Into<String>) -> Self {
        ExtractionField {
            key: Some(key.into()),
            description: description.into(),
            required: None,
            output_format: None,
        }
    }

    /// Marks the field required (or not).
    pub fn required(mut self, required: bool) -> Self {
        self.required = Some(required);
        self
    }

    /// Sets the expected format of the value.
    pub fn output_format(mut self, format: impl Into<String>) -> Self {
        self.output_format = Some(format.into());
        self
    }
}

#[derive(Debug, Clone, Default)]
struct Overrides {
    max_call_duration_seconds: Option<u32>,
    enable_callback: Option<bool>,
    redial: Option<Redial>,
}

/// OSVI's automatic redial of an unanswered call (`call_config_overrides.retry_config`), for
/// [`CreateCall::redial`]. These are OSVI's new attempts at reaching the person, not the
/// SDK's HTTP retries. Every field is optional: what you leave unset keeps the agent's
/// setting.
///
/// ```
/// use osvi_ext::calls::Redial;
/// let off = Redial::off(); // {"enabled": false}
/// let three = Redial::new().max_attempts(3).interval_minutes(60);
/// let only_interval = Redial::new().interval_minutes(15); // {"interval_minutes": 15}
/// # let _ = (off, three, only_interval);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Redial {
    enabled: Option<bool>,
    max_attempts: Option<u32>,
    interval_minutes: Option<u32>,
}

impl Redial {
    /// Nothing set: add the fields you want to override.
    pub fn new() -> Self {
        Redial::default()
    }

    /// Redial turned off for this call (`enabled: false`).
    pub fn off() -> Self {
        Redial::new().enabled(false)
    }

    /// Turns redialing on or off.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = Some(enabled);
        self
    }

    /// At most this many attempts (1..=10 in the spec).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// Minutes between attempts (1..=1440 in the spec).
    pub fn interval_minutes(mut self, minutes: u32) -> Self {
        self.interval_minutes = Some(minutes);
        self
    }

    /// The checked `retry_config` of `call_config_overrides`.
    fn to_wire(self, field: &str) -> Result<types::RetryConfig> {
        if let Some(attempts) = self.max_attempts {
            validate::integer(
                &format!("{field}.max_attempts"),
                attempts.into(),
                &rules::retry_config::MAX_ATTEMPTS,
            )?;
        }
        if let Some(minutes) = self.interval_minutes {
            validate::integer(
                &format!("{field}.interval_minutes"),
                minutes.into(),
                &rules::retry_config::INTERVAL_MINUTES,
            )?;
        }
        Ok(types::RetryConfig {
            enabled: self.enabled,
            max_attempts: self.max_attempts.map(i64::from),
            interval_minutes: self.interval_minutes.map(i64::from),
        })
    }
}

/// Builder of `POST /v1/call`, from [`Calls::create`]. Every setting is optional; unset ones
/// fall back to the agent's defaults.
///
/// **Never dials twice.** Placing a call dials a person, so the SDK sends this request once:
/// it is retried only when the first attempt provably never reached the server (connection
/// refused or DNS failure, before any byte was written), whatever the
/// [`RetryPolicy`](crate::RetryPolicy). A timeout or a 5xx is returned to you as is; check
/// [`Calls::list`] before placing the call again.
#[derive(Debug, Clone)]
#[must_use = "a call is placed only when you .await it (or call .send())"]
pub struct CreateCall {
    client: Client,
    agent_uuid: String,
    phone_number: String,
    country_code: String,
    system_prompt: Option<String>,
    webhook_url: Option<String>,
    person_name: Option<String>,
    additional_data: Option<std::result::Result<Value, String>>,
    initial_greeting: Option<String>,
    overrides: Overrides,
    extraction: Vec<ExtractionField>,
}

impl CreateCall {
    /// Overrides the agent's system prompt for this call only.
    pub fn system_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.system_prompt = Some(prompt.into());
        self
    }

    /// The URL OSVI POSTs the result to when the call completes (http or https, with a host).
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = Some(url.into());
        self
    }

    /// The callee's name, available to the agent.
    pub fn person_name(mut self, name: impl Into<String>) -> Self {
        self.person_name = Some(name.into());
        self
    }

    /// Context for the agent, as a JSON object (e.g. `json!({"appointment_date": "2025-01-15"})`).
    /// Anything serializable works; it must serialize to an object.
    pub fn additional_data(mut self, data: impl serde::Serialize) -> Self {
        self.additional_data = Some(serde_json::to_value(data).map_err(|e| e.to_string()));
        self
    }

    /// The opening line the agent speaks when the call connects (at most 2000 characters).
    pub fn initial_greeting(mut self, greeting: impl Into<String>) -> Self {
        self.initial_greeting = Some(greeting.into());
        self
    }

    /// Hard limit on the call's length, 30..=1800 seconds.
    pub fn max_call_duration_seconds(mut self, seconds: u32) -> Self {
        self.overrides.max_call_duration_seconds = Some(seconds);
        self
    }

    /// Whether the contact may trigger a callback for this call.
    pub fn enable_callback(mut self, enable: bool) -> Self {
        self.overrides.enable_callback = Some(enable);
        self
    }

    /// OSVI's automatic redial when the call is not answered: turn it off
    /// ([`Redial::off`]) or override any of its settings ([`Redial`]). These are OSVI's new
    /// attempts at reaching the person, not the SDK's HTTP retries.
    pub fn redial(mut self, redial: Redial) -> Self {
        self.overrides.redial = Some(redial);
        self
    }

    /// Asks the agent to extract a data point, returned under `key` in
    /// [`Call::data_captured`].
    pub fn extract(self, key: impl Into<String>, description: impl Into<String>) -> Self {
        self.extract_field(ExtractionField::new(key, description))
    }

    /// Asks the agent to extract a data point, with every setting of [`ExtractionField`].
    pub fn extract_field(mut self, field: ExtractionField) -> Self {
        self.extraction.push(field);
        self
    }

    /// Validates every field (nothing is sent if one is wrong) and places the call.
    pub async fn send(self) -> Result<CallCreated> {
        let body = self.body()?;
        let api = self.client.api(&operations::CREATE_CALL);
        api.run(|| api.raw().create_call().body(body.clone()).send())
            .await
    }

    /// The checked request body.
    fn body(&self) -> Result<types::CallRequest> {
        use rules::call_request as rule;
        validate::string("agent_uuid", &self.agent_uuid, &rule::AGENT_UUID)?;
        let country_code =
            validate::country_code("country_code", &self.country_code, &rule::COUNTRY_CODE)?;
        validate::string("phone_number", &self.phone_number, &rule::PHONE_NUMBER)?;
        if let Some(url) = &self.webhook_url {
            validate::string("webhook_url", url, &rule::WEBHOOK_URL)?;
        }
        let additional_data = match self.additional_data.clone() {
            Some(Ok(data)) => validate::json_object("additional_data", data)?,
            Some(Err(e)) => {
                let rule = format!("cannot be serialized to JSON: {e}");
                return Err(crate::Error::validation("additional_data", rule));
            }
            None => Map::new(),
        };
        if let Some(text) = &self.initial_greeting {
            validate::string("initial_greeting", text, &rule::INITIAL_GREETING)?;
        }
        let data_extraction = self
            .extraction
            .iter()
            .enumerate()
            .map(|(i, f)| {
                validate::string(
                    &format!("data_extraction[{i}].description"),
                    &f.description,
                    &rules::data_extraction_field::DESCRIPTION,
                )?;
                Ok(types::DataExtractionField {
                    key: f.key.clone(),
                    description: f.description.clone(),
                    required: f.required,
                    output_format: f.output_format.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(types::CallRequest {
            agent_uuid: self.agent_uuid.clone(),
            phone_number: self.phone_number.clone(),
            country_code,
            system_prompt: self.system_prompt.clone(),
            webhook_url: self.webhook_url.clone(),
            person_name: self.person_name.clone(),
            additional_data,
            initial_greeting: self.initial_greeting.clone(),
            call_config_overrides: self.overrides.to_wire()?,
            data_extraction,
        })
    }
}

impl Overrides {
    /// The checked `call_config_overrides`, or `None` when nothing is overridden.
    fn to_wire(&self) -> Result<Option<types::CallConfigOverrides>> {
        const FIELD: &str = "call_config_overrides";
        if let Some(seconds) = self.max_call_duration_seconds {
            validate::integer(
                &format!("{FIELD}.max_call_duration_seconds"),
                seconds.into(),
                &rules::call_config_overrides::MAX_CALL_DURATION_SECONDS,
            )?;
        }
        let retry_config = self
            .redial
            .map(|redial| redial.to_wire(&format!("{FIELD}.retry_config")))
            .transpose()?;
        if self.max_call_duration_seconds.is_none()
            && self.enable_callback.is_none()
            && retry_config.is_none()
        {
            return Ok(None);
        }
        Ok(Some(types::CallConfigOverrides {
            max_call_duration_seconds: self.max_call_duration_seconds.map(i64::from),
            enable_callback: self.enable_callback,
            retry_config,
        }))
    }
}

/// A bound of the date filter of [`ListCalls`]: a calendar date (which the API reads in IST)
/// or an instant. Built from a `chrono::NaiveDate` or any `chrono::DateTime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBound {
    /// A calendar date, sent as `2026-06-01`; the API interprets it in IST.
    Date(NaiveDate),
    /// An instant, sent as RFC 3339.
    Instant(DateTime<FixedOffset>),
}

impl From<NaiveDate> for DateBound {
    fn from(date: NaiveDate) -> Self {
        DateBound::Date(date)
    }
}

impl<Tz: TimeZone> From<DateTime<Tz>> for DateBound {
    fn from(at: DateTime<Tz>) -> Self {
        DateBound::Instant(at.fixed_offset())
    }
}

impl std::fmt::Display for DateBound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DateBound::Date(date) => write!(f, "{}", date.format("%Y-%m-%d")),
            DateBound::Instant(at) => f.write_str(&at.to_rfc3339()),
        }
    }
}

/// Builder of `GET /v1/calls`, from [`Calls::list`]. Await it (or [`send`](ListCalls::send))
/// for the first page, read one page with [`page`](ListCalls::page), every call lazily with
/// [`stream`](ListCalls::stream), or all at once with [`collect_all`](ListCalls::collect_all).
#[derive(Debug, Clone)]
#[must_use = "nothing is fetched until you .await it (the first page), or call .page(), .stream() or .collect_all()"]
pub struct ListCalls {
    client: Client,
    statuses: Vec<CallStatus>,
    agent_uuid: Option<String>,
    campaign_id: Option<i64>,
    campaign_upload_id: Option<i64>,
    phone_number: Option<String>,
    call_type: Option<CallType>,
    since: Option<DateBound>,
    until: Option<DateBound>,
    per_page: Option<u32>,
    prefetch: bool,
}

impl ListCalls {
    /// Only calls with one of these outcomes (sent as a comma-separated list).
    pub fn status(mut self, statuses: impl IntoIterator<Item = CallStatus>) -> Self {
        self.statuses.extend(statuses);
        self
    }

    /// Only calls of this agent ([`NotFound`](crate::Error::NotFound) if it is not on
    /// your account).
    pub fn agent(mut self, agent_uuid: impl Into<String>) -> Self {
        self.agent_uuid = Some(agent_uuid.into());
        self
    }

    /// Only calls of this campaign.
    pub fn campaign(mut self, campaign_id: i64) -> Self {
        self.campaign_id = Some(campaign_id);
        self
    }

    /// Only calls from this contact upload of a campaign.
    pub fn campaign_upload(mut self, campaign_upload_id: i64) -> Self {
        self.campaign_upload_id = Some(campaign_upload_id);
        self
    }

    /// Only calls whose number contains these digits.
    pub fn phone_number(mut self, digits: impl Into<String>) -> Self {
        self.phone_number = Some(digits.into());
        self
    }

    /// Only inbound or only outbound calls.
    pub fn call_type(mut self, call_type: CallType) -> Self {
        self.call_type = Some(call_type);
        self
    }

    /// Only calls answered at or after this date or instant (`start_date`).
    pub fn since(mut self, bound: impl Into<DateBound>) -> Self {
        self.since = Some(bound.into());
        self
    }

    /// Only calls answered at or before this date or instant (`end_date`).
    pub fn until(mut self, bound: impl Into<DateBound>) -> Self {
        self.until = Some(bound.into());
        self
    }

    /// Calls per page, at least 1 (server default 25; the server caps it at 100).
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = Some(per_page);
        self
    }

    /// Requests the next page while the stream yields the current one (default `false`).
    /// Faster when you do work per item; holds two pages instead of one.
    pub fn prefetch(mut self, prefetch: bool) -> Self {
        self.prefetch = prefetch;
        self
    }

    /// The first page with its metadata (what awaiting the builder gives).
    pub async fn send(self) -> Result<Page<Call>> {
        self.page(1).await
    }

    /// One page (1-based) with its metadata.
    pub async fn page(self, page: u32) -> Result<Page<Call>> {
        self.pager()?.page(page).await
    }

    /// Every call, fetched page by page as the stream is polled.
    pub fn stream(self) -> impl Stream<Item = Result<Call>> + Send + 'static {
        Pager::stream_or_error(self.pager())
    }

    /// Every call, in one `Vec`.
    pub async fn collect_all(self) -> Result<Vec<Call>> {
        self.pager()?.collect_all().await
    }

    /// The checked request, without the page number.
    fn pager(self) -> Result<Pager<Call>> {
        if let Some(agent) = &self.agent_uuid {
            validate::string("agent_uuid", agent, &rules::list_calls::AGENT_UUID)?;
        }
        if let Some(per_page) = self.per_page {
            validate::per_page(per_page)?;
        }
        let (per_page, prefetch) = (self.per_page, self.prefetch);
        let list = std::sync::Arc::new(self);
        Ok(Pager::new(per_page, prefetch, move |page| {
            let list = list.clone();
            async move { list.fetch(page).await }
        }))
    }

    /// Page `page` of the checked request.
    async fn fetch(&self, page: u32) -> Result<Page<Call>> {
        let statuses = (!self.statuses.is_empty()).then(|| {
            let names: Vec<&str> = self.statuses.iter().map(CallStatus::as_str).collect();
            names.join(",")
        });
        let api = self.client.api(&operations::LIST_CALLS);
        api.run(|| {
            let mut request = api.raw().list_calls().page(i64::from(page));
            if let Some(per_page) = self.per_page {
                request = request.per_page(i64::from(per_page));
            }
            if let Some(status) = &statuses {
                request = request.status(status.clone());
            }
            if let Some(agent) = &self.agent_uuid {
                request = request.agent_uuid(agent.clone());
            }
            if let Some(id) = self.campaign_id {
                request = request.campaign_id(id);
            }
            if let Some(id) = self.campaign_upload_id {
                request = request.campaign_upload_id(id);
            }
            if let Some(digits) = &self.phone_number {
                request = request.phone_number(digits.clone());
            }
            if let Some(call_type) = &self.call_type {
                request = request.call_type(call_type.as_str());
            }
            if let Some(since) = self.since {
                request = request.start_date(since.to_string());
            }
            if let Some(until) = self.until {
                request = request.end_date(until.to_string());
            }
            request.send()
        })
        .await
    }
}
