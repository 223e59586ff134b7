//! The answer types of the chat resource: a [`ChatSession`] and its mode and status, an
//! agent's [`ChatReply`], a [`SupportOutcome`], a [`SessionContext`], and the operator
//! rail's [`SupportCommand`]s.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use osvi_generated::spec::enums;
use osvi_generated::types;
use serde_json::{Map, Value};

use crate::macros::string_enum;
use crate::wire::FromWire;

impl FromWire<types::ActiveChatSessionResponseData> for ChatSession {
    fn from_wire(wire: types::ActiveChatSessionResponseData) -> std::result::Result<Self, String> {
        match wire {
            types::ActiveChatSessionResponseData::ChatSession(session) => {
                ChatSession::from_wire(session)
            }
            types::ActiveChatSessionResponseData::Object(_) => {
                Err("`data` is a map of sessions, not one session".into())
            }
        }
    }
}

impl FromWire<types::ActiveChatSessionResponseData> for HashMap<String, ChatSession> {
    fn from_wire(wire: types::ActiveChatSessionResponseData) -> std::result::Result<Self, String> {
        match wire {
            types::ActiveChatSessionResponseData::Object(sessions) => sessions
                .into_iter()
                .map(|(agent, s)| Ok((agent, ChatSession::from_wire(s)?)))
                .collect(),
            types::ActiveChatSessionResponseData::ChatSession(_) => {
                Err("`data` is one session, not a map of sessions by agent".into())
            }
        }
    }
}

string_enum! {
    /// Who answers the customer.
    pub enum ChatMode {
        /// The AI agent replies.
        Ai = enums::chat_session_mode::AI,
        /// A human operator has taken over.
        Support = enums::chat_session_mode::SUPPORT,
    }
}

string_enum! {
    /// The state of a chat session.
    pub enum SessionStatus {
        /// Open.
        Active = enums::chat_session_status::ACTIVE,
        /// Idle.
        Dormant = enums::chat_session_status::DORMANT,
        /// Closed for good.
        Closed = enums::chat_session_status::CLOSED,
    }
}

string_enum! {
    /// An operator command of [`Chat::support`](super::Chat::support). Each can be enabled or disabled per agent.
    pub enum SupportCommand {
        /// A human takes over; the agent stops replying (mode becomes `support`).
        Takeover = enums::support_request_command::TAKEOVER,
        /// Inject guidance and fire an agent turn, whose reply is returned (text in `message`).
        Tell = enums::support_request_command::TELL,
        /// Private guidance for the next agent turn; the customer never sees it.
        Whisper = enums::support_request_command::WHISPER,
        /// Hand the conversation back to the agent (mode becomes `ai`).
        End = enums::support_request_command::END,
        /// Close the session for good.
        Close = enums::support_request_command::CLOSE,
    }
}

/// A chat session.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ChatSession {
    /// The session's id (a UUID).
    pub id: String,
    /// The chat agent's numeric id.
    pub chat_agent_id: Option<i64>,
    /// The account's numeric id.
    pub account_id: Option<i64>,
    /// Your identifier of the customer.
    pub customer_id: Option<String>,
    /// Who answers: the AI or a human.
    pub mode: Option<ChatMode>,
    /// Whether the agent asked for human help (`None` when the answer did not say).
    pub help_requested: Option<bool>,
    /// Active, dormant or closed.
    pub status: Option<SessionStatus>,
    /// The current state of a multi-prompt agent (its type is not documented: a number or
    /// a boolean is kept as its text).
    pub current_state: Option<String>,
    /// The customer description given at creation.
    pub input_fields: Map<String, Value>,
    /// Values the agent collected.
    pub state_fields: Map<String, Value>,
    /// The free-text context (the 5 most recent entries).
    pub context: Vec<String>,
    /// The operator who has taken over, if any.
    pub active_human: Option<String>,
    /// When the session was created.
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    pub updated_at: Option<DateTime<Utc>>,
}

impl FromWire<types::ChatSession> for ChatSession {
    fn from_wire(s: types::ChatSession) -> std::result::Result<Self, String> {
        let metadata = s.metadata.unwrap_or_default();
        Ok(ChatSession {
            id: s.id,
            chat_agent_id: s.chat_agent_id,
            account_id: s.account_id,
            customer_id: s.customer_id,
            mode: s.mode.map(ChatMode::from),
            help_requested: s.help_requested,
            status: s.status.map(SessionStatus::from),
            current_state: crate::lenient::string(s.current_state),
            input_fields: metadata.input_fields.unwrap_or_default(),
            state_fields: metadata.state_fields.unwrap_or_default(),
            context: metadata.context.unwrap_or_default(),
            active_human: s.active_human,
            created_at: s.created_at.map(Into::into),
            updated_at: s.updated_at.map(Into::into),
        })
    }
}

/// The agent's answer to a customer message.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChatReply {
    /// The session the message went to.
    pub session_id: String,
    /// The agent's reply (`None` or empty while a human has taken over).
    pub reply: Option<String>,
    /// The agent's state after the turn.
    pub state: Option<String>,
    /// Who answers now.
    pub mode: Option<ChatMode>,
    /// Whether the agent asked for human help (`None` when the answer did not say).
    pub help_requested: Option<bool>,
}

impl FromWire<types::ChatInboundResponseData> for ChatReply {
    fn from_wire(r: types::ChatInboundResponseData) -> std::result::Result<Self, String> {
        Ok(ChatReply {
            session_id: r.session_id,
            reply: r.reply,
            state: r.state,
            mode: r.mode.map(ChatMode::from),
            help_requested: r.help_requested,
        })
    }
}

/// The answer to an operator message or command.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SupportOutcome {
    /// The session.
    pub session_id: String,
    /// The server's state word (e.g. `ok`).
    pub state: Option<String>,
    /// The command that was applied.
    pub command: Option<SupportCommand>,
    /// The agent's reply (for `tell`).
    pub reply: Option<String>,
    /// The operator in charge (for `takeover`).
    pub active_human: Option<String>,
}

impl FromWire<types::SupportResponseData> for SupportOutcome {
    fn from_wire(r: types::SupportResponseData) -> std::result::Result<Self, String> {
        Ok(SupportOutcome {
            session_id: r.session_id,
            state: r.state,
            command: r.command.map(SupportCommand::from),
            reply: r.reply,
            active_human: r.active_human,
        })
    }
}

/// A session's context after [`Chat::inject_context`](super::Chat::inject_context).
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionContext {
    /// The session.
    pub session_id: String,
    /// The whole context list after the append.
    pub context: Vec<String>,
}

impl FromWire<types::InjectContextResponseData> for SessionContext {
    fn from_wire(r: types::InjectContextResponseData) -> std::result::Result<Self, String> {
        Ok(SessionContext {
            session_id: r.session_id,
            context: r.context.unwrap_or_default(),
        })
    }
}
