//! The legacy endpoints, which OSVI labels "will be deprecated soon". Every method is
//! `#[deprecated]` and names its v1 replacement; use them only for accounts that cannot move
//! yet.
//!
//! Both documented success envelopes of legacy `POST /call` (`{success, data: {call_id}}`
//! and the older `{status, message, call_id}`) are understood, and so is the nested
//! `data.success` of older chat responses: `false` there is the same refusal
//! ([`Error::BadRequest`](crate::Error::BadRequest)) as a top-level `success: false`.
//!
//! ```no_run
//! # #[allow(deprecated)]
//! # async fn run(client: osvi_ext::Client) -> osvi_ext::Result<()> {
//! let created = client.legacy().create_call("agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og", "9876543210", "IN").send().await?;
//! # Ok(()) }
//! ```

use osvi_generated::spec::{operations, rules};
use osvi_generated::types;
use serde_json::{Map, Value};

use crate::calls::CallCreated;
use crate::calls::reconcile::{self, Target};
use crate::client::Client;
use crate::error::Result;
use crate::lenient::read;
use crate::macros::awaitable;
use crate::preview::RequestPreview;
use crate::retry::ReconcilePolicy;
use crate::validate;
use crate::wire::Echo;
use crate::wire::{Envelope, FromWire, echoes};

echoes!(
    LegacyChatReply: session_id,
    LegacyClosedSession: session_id,
    LegacyPausedSession: session_id,
);

/// Newer envelope `{success, data: {call_id}}`, older `{status: "success", message, call_id}`.
///
/// Only an explicit `success: false` is a refusal. A `status` word other than `"success"` is
/// not: the docs show no other word, and taking an answer that carries a call id for a
/// refusal would invite a resend of a call that was placed (a second dial). An answer with no
/// call id anywhere and no `success: false` is unreadable, never a refusal.
impl Envelope for types::LegacyCallResponse {
    type Data = LegacyCallId;
    fn into_parts(self) -> (Option<bool>, Option<Self::Data>) {
        let nested = self
            .data
            .and_then(|d| d.call_id)
            .and_then(|id| id.into_read());
        let call_id = nested.or_else(|| read(self.call_id));
        match read(self.success) {
            Some(false) => (Some(false), None),
            _ => (None, Some(LegacyCallId(call_id))),
        }
    }
}

/// The call id of a legacy `POST /call` answer, from either envelope (`None`: neither had one).
pub(crate) struct LegacyCallId(Option<String>);

impl FromWire<LegacyCallId> for CallCreated {
    fn from_wire(id: LegacyCallId) -> std::result::Result<Self, String> {
        match id.0 {
            Some(call_id) => Ok(CallCreated::new(call_id)),
            None => Err("the answer has no call id (neither `data.call_id` nor `call_id`)".into()),
        }
    }
}

/// A chat session started with the legacy endpoint.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LegacyChatSession {
    /// The session's id.
    pub session_id: String,
    /// The agent's name.
    pub agent_name: Option<String>,
    /// When it started, as sent (a timestamp without time zone).
    pub started_at: Option<String>,
    /// The agent's first message.
    pub welcome_message: Option<String>,
}

impl FromWire<types::LegacyChatSessionResponseData> for LegacyChatSession {
    fn from_wire(d: types::LegacyChatSessionResponseData) -> std::result::Result<Self, String> {
        Ok(LegacyChatSession {
            session_id: d.session_id,
            agent_name: read(d.agent_name),
            started_at: read(d.started_at),
            welcome_message: read(d.welcome_message),
        })
    }
}

/// The agent's answer through the legacy endpoint.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LegacyChatReply {
    /// The session.
    pub session_id: String,
    /// The agent's response text.
    pub response: Option<String>,
    /// Tool calls the agent made (shape not documented).
    pub tool_calls: Vec<Value>,
    /// Their results (shape not documented).
    pub tool_results: Vec<Value>,
    /// The agent's state.
    pub current_state: Option<String>,
}

impl FromWire<types::LegacyChatMessageResponseData> for LegacyChatReply {
    fn from_wire(d: types::LegacyChatMessageResponseData) -> std::result::Result<Self, String> {
        Ok(LegacyChatReply {
            session_id: read(d.session_id).unwrap_or_default(),
            response: read(d.response),
            tool_calls: d.tool_calls.unwrap_or_default(),
            tool_results: d.tool_results.unwrap_or_default(),
            current_state: read(d.current_state),
        })
    }
}

/// A session closed through the legacy endpoint.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LegacyClosedSession {
    /// The session.
    pub session_id: String,
    /// The AI-generated summary of the conversation.
    pub summary: Option<String>,
}

impl FromWire<types::LegacyCloseSessionResponseData> for LegacyClosedSession {
    fn from_wire(d: types::LegacyCloseSessionResponseData) -> std::result::Result<Self, String> {
        Ok(LegacyClosedSession {
            session_id: read(d.session_id).unwrap_or_default(),
            summary: read(d.summary),
        })
    }
}

/// A session paused through the legacy endpoint.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LegacyPausedSession {
    /// The session.
    pub session_id: String,
    /// The server's message (`Session paused` in the docs).
    pub message: Option<String>,
}

impl FromWire<types::LegacyPauseSessionResponseData> for LegacyPausedSession {
    fn from_wire(d: types::LegacyPauseSessionResponseData) -> std::result::Result<Self, String> {
        Ok(LegacyPausedSession {
            session_id: read(d.session_id).unwrap_or_default(),
            message: read(d.message),
        })
    }
}

/// The legacy resource: `client.legacy()`.
#[derive(Debug, Clone, Copy)]
pub struct Legacy<'a> {
    client: &'a Client,
}

impl Client {
    /// The legacy endpoints. See [`crate::legacy`].
    pub fn legacy(&self) -> Legacy<'_> {
        Legacy { client: self }
    }
}

impl Legacy<'_> {
    /// `POST /call`. **Never dials twice**: like [`crate::calls::CreateCall`], it is retried
    /// only when the first attempt provably never reached the server (connection refused or
    /// DNS failure), whatever the retry policy.
    #[deprecated(note = "legacy endpoint; use `client.calls().create(..)` (POST /v1/call)")]
    pub fn create_call(
        &self,
        agent_uuid: impl Into<String>,
        phone_number: impl Into<String>,
        country_code: impl Into<String>,
    ) -> LegacyCreateCall {
        LegacyCreateCall {
            client: self.client.clone(),
            body: types::LegacyCallRequest {
                agent_uuid: agent_uuid.into(),
                phone_number: phone_number.into(),
                country_code: country_code.into(),
                system_prompt: None,
                webhook_url: None,
                person_name: None,
                additional_data: Map::new(),
            },
            reconcile: None,
        }
    }

    /// `POST /chat_sessions`: starts a chat session; its `metadata` (an open object, set on
    /// the returned builder) is shown to the agent.
    #[deprecated(
        note = "legacy endpoint; use `client.chat().create_session(..)` (POST /v1/chat/session)"
    )]
    pub fn start_chat_session(&self, agent_uuid: impl Into<String>) -> LegacyStartChatSession {
        LegacyStartChatSession {
            client: self.client.clone(),
            agent_uuid: agent_uuid.into(),
            metadata: Map::new(),
        }
    }

    /// `POST /chat_messages/send_message`: sends a message into a legacy session.
    #[deprecated(
        note = "legacy endpoint; use `client.chat().send_message(..)` (POST /v1/chat/inbound)"
    )]
    pub fn send_chat_message(
        &self,
        agent_uuid: impl Into<String>,
        chat_session_id: impl Into<String>,
        message: impl Into<String>,
    ) -> LegacySendChatMessage {
        LegacySendChatMessage {
            client: self.client.clone(),
            body: types::LegacyChatMessageRequest {
                agent_uuid: agent_uuid.into(),
                chat_session_id: chat_session_id.into(),
                message: message.into(),
            },
        }
    }

    /// `POST /chat_sessions/{id}/close_session`: closes a session; returns its summary.
    #[deprecated(
        note = "legacy endpoint; use `client.chat().support(id).command(SupportCommand::Close)` (POST /v1/chat/session/{id}/support)"
    )]
    pub fn close_chat_session(
        &self,
        agent_uuid: impl Into<String>,
        session_id: impl Into<String>,
    ) -> LegacyCloseChatSession {
        LegacyCloseChatSession {
            client: self.client.clone(),
            agent_uuid: agent_uuid.into(),
            session_id: session_id.into(),
        }
    }

    /// `POST /chat_sessions/{id}/pause_session`: pauses an active session of `agent_uuid`;
    /// the customer's next message resumes it. Sends the `{agent_uuid}` body of the current
    /// docs (an older version of the page took none).
    #[deprecated(
        note = "legacy endpoint; the v1 chat API has no pause: use `client.chat().support(id)` (POST /v1/chat/session/{id}/support) for session control"
    )]
    pub fn pause_chat_session(
        &self,
        agent_uuid: impl Into<String>,
        session_id: impl Into<String>,
    ) -> LegacyPauseChatSession {
        LegacyPauseChatSession {
            client: self.client.clone(),
            agent_uuid: agent_uuid.into(),
            session_id: session_id.into(),
        }
    }
}

/// Builder of legacy `POST /chat_sessions`, from [`Legacy::start_chat_session`]: await it,
/// or call [`send`](LegacyStartChatSession::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct LegacyStartChatSession {
    client: Client,
    agent_uuid: String,
    metadata: Map<String, Value>,
}

impl LegacyStartChatSession {
    /// The customer's name (`metadata.person_name`).
    pub fn person_name(self, name: impl Into<String>) -> Self {
        self.metadata("person_name", name.into())
    }

    /// Any other key of the open `metadata` object, shown to the agent.
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Validates and starts the session.
    pub async fn send(self) -> Result<LegacyChatSession> {
        let rule = &rules::legacy_chat_session_request::AGENT_UUID;
        validate::string("agent_uuid", &self.agent_uuid, rule)?;
        let metadata = (!self.metadata.is_empty())
            .then(|| serde_json::from_value(Value::Object(self.metadata)))
            .transpose()
            .map_err(|e| {
                crate::Error::validation("metadata.person_name", format!("must be a string: {e}"))
            })?;
        let body = types::LegacyChatSessionRequest {
            agent_uuid: self.agent_uuid,
            metadata,
        };
        let api = self.client.api(&operations::LEGACY_START_CHAT_SESSION);
        api.run(|| {
            api.raw()
                .legacy_start_chat_session()
                .body(body.clone())
                .send()
        })
        .await
    }
}

/// Builder of legacy `POST /chat_messages/send_message`, from [`Legacy::send_chat_message`]:
/// await it, or call [`send`](LegacySendChatMessage::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct LegacySendChatMessage {
    client: Client,
    body: types::LegacyChatMessageRequest,
}

impl LegacySendChatMessage {
    /// Validates and sends the message.
    pub async fn send(self) -> Result<LegacyChatReply> {
        use rules::legacy_chat_message_request as rule;
        let body = &self.body;
        validate::string("agent_uuid", &body.agent_uuid, &rule::AGENT_UUID)?;
        let api = self.client.api(&operations::LEGACY_SEND_CHAT_MESSAGE);
        api.run(|| {
            api.raw()
                .legacy_send_chat_message()
                .body(body.clone())
                .send()
        })
        .await
        .map(|answer: LegacyChatReply| answer.echo(&body.chat_session_id))
    }
}

/// Builder of legacy `POST /chat_sessions/{id}/close_session`, from
/// [`Legacy::close_chat_session`]: await it, or call [`send`](LegacyCloseChatSession::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct LegacyCloseChatSession {
    client: Client,
    agent_uuid: String,
    session_id: String,
}

impl LegacyCloseChatSession {
    /// Validates and closes the session.
    pub async fn send(self) -> Result<LegacyClosedSession> {
        validate::string(
            "id",
            &self.session_id,
            &rules::legacy_close_chat_session::ID,
        )?;
        let rule = &rules::legacy_close_session_request::AGENT_UUID;
        validate::string("agent_uuid", &self.agent_uuid, rule)?;
        let body = types::LegacyCloseSessionRequest {
            agent_uuid: self.agent_uuid,
        };
        let api = self.client.api(&operations::LEGACY_CLOSE_CHAT_SESSION);
        api.run(|| {
            api.raw()
                .legacy_close_chat_session()
                .id(self.session_id.as_str())
                .body(body.clone())
                .send()
        })
        .await
        .map(|answer: LegacyClosedSession| answer.echo(&self.session_id))
    }
}

/// Builder of legacy `POST /chat_sessions/{id}/pause_session`, from
/// [`Legacy::pause_chat_session`]: await it, or call [`send`](LegacyPauseChatSession::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct LegacyPauseChatSession {
    client: Client,
    agent_uuid: String,
    session_id: String,
}

impl LegacyPauseChatSession {
    /// Validates and pauses the session.
    pub async fn send(self) -> Result<LegacyPausedSession> {
        validate::string(
            "id",
            &self.session_id,
            &rules::legacy_pause_chat_session::ID,
        )?;
        let rule = &rules::legacy_pause_session_request::AGENT_UUID;
        validate::string("agent_uuid", &self.agent_uuid, rule)?;
        let body = types::LegacyPauseSessionRequest {
            agent_uuid: Some(self.agent_uuid),
        };
        let api = self.client.api(&operations::LEGACY_PAUSE_CHAT_SESSION);
        api.run(|| {
            api.raw()
                .legacy_pause_chat_session()
                .id(self.session_id.as_str())
                .body(body.clone())
                .send()
        })
        .await
        .map(|answer: LegacyPausedSession| answer.echo(&self.session_id))
    }
}

awaitable!(
    LegacyPauseChatSession: send => LegacyPausedSession,
    LegacyCreateCall: send => CallCreated,
    LegacyStartChatSession: send => LegacyChatSession,
    LegacySendChatMessage: send => LegacyChatReply,
    LegacyCloseChatSession: send => LegacyClosedSession,
);

/// Builder of legacy `POST /call`, from [`Legacy::create_call`].
#[derive(Debug, Clone)]
#[must_use = "a call is placed only when you .await it (or call .send())"]
pub struct LegacyCreateCall {
    client: Client,
    body: types::LegacyCallRequest,
    reconcile: Option<ReconcilePolicy>,
}

impl LegacyCreateCall {
    /// Overrides the agent's system prompt for this call.
    pub fn system_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.body.system_prompt = Some(prompt.into());
        self
    }

    /// The URL OSVI POSTs to when the call completes.
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.body.webhook_url = Some(url.into());
        self
    }

    /// The callee's name.
    pub fn person_name(mut self, name: impl Into<String>) -> Self {
        self.body.person_name = Some(name.into());
        self
    }

    /// Adds a key/value of context for the agent.
    pub fn data(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.body.additional_data.insert(key.into(), value.into());
        self
    }

    /// How an uncertain outcome of this placement is settled, instead of the client's
    /// [`ReconcilePolicy`].
    pub fn reconcile_policy(mut self, policy: ReconcilePolicy) -> Self {
        self.reconcile = Some(policy);
        self
    }

    /// Validates as [`send`](LegacyCreateCall::send) does and returns the exact request it
    /// would send, without sending anything (a dry run).
    pub fn preview(&self) -> Result<RequestPreview> {
        let body = self.checked_body()?;
        RequestPreview::of(&operations::LEGACY_CREATE_CALL, &[], &body)
    }

    /// The validated request body (the country code normalized).
    fn checked_body(&self) -> Result<types::LegacyCallRequest> {
        use rules::legacy_call_request as rule;
        let mut body = self.body.clone();
        validate::string("agent_uuid", &body.agent_uuid, &rule::AGENT_UUID)?;
        let code = validate::country_code("country_code", &body.country_code, &rule::COUNTRY_CODE)?;
        validate::string("phone_number", &body.phone_number, &rule::PHONE_NUMBER)?;
        body.country_code = code;
        Ok(body)
    }

    /// Validates and places the call (sent once; retried only if it never reached the
    /// server; an uncertain outcome is looked up in `GET /v1/calls` as for
    /// [`CreateCall`](crate::calls::CreateCall)).
    pub async fn send(self) -> Result<CallCreated> {
        let body = self.checked_body()?;
        let target = Target {
            agent_uuid: &body.agent_uuid,
            phone_number: &body.phone_number,
        };
        let policy = self.reconcile.unwrap_or(self.client.reconcile);
        let operation = &operations::LEGACY_CREATE_CALL;
        reconcile::place(&self.client, policy, target, operation.id, || {
            let api = self.client.api(operation);
            let body = body.clone();
            async move {
                api.run(|| api.raw().legacy_create_call().body(body.clone()).send())
                    .await
            }
        })
        .await
    }
}
