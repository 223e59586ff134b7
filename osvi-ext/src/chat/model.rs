//! The answer types of the chat resource: a [`ChatSession`] and its mode and status, an
//! agent's [`ChatReply`], a [`SupportOutcome`], a [`SessionContext`], and the operator
//! rail's [`SupportCommand`]s.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use osvi_generated::spec::enums;
use osvi_generated::types;
use serde_json::{Map, Value};

use crate::lenient::{Unreadable, read};
use crate::macros::string_enum;
use crate::wire::{FromWire, echoes};

echoes!(SupportOutcome: session_id, SessionContext: session_id);

/// A `get_active_chat_session` answer in either of its shapes. The docs tie the shape to the
/// query (one session with `agent_uuid`, a map by agent without), but both shapes are valid
/// answers to either query, so both methods read both.
#[derive(Debug)]
pub(crate) enum ActiveSession {
    /// One session.
    One(Box<ChatSession>),
    /// Sessions by agent UUID.
    ByAgent(HashMap<String, ChatSession>),
}

impl FromWire<types::ActiveChatSessionResponseData> for ActiveSession {
    fn from_wire(wire: types::ActiveChatSessionResponseData) -> std::result::Result<Self, String> {
        match wire {
            types::ActiveChatSessionResponseData::ChatSession(session) => Ok(ActiveSession::One(
                Box::new(ChatSession::from_wire(session)?),
            )),
            types::ActiveChatSessionResponseData::Object(sessions) => sessions
                .into_iter()
                .map(|(agent, s)| Ok((agent, ChatSession::from_wire(s)?)))
                .collect::<std::result::Result<_, String>>()
                .map(ActiveSession::ByAgent),
        }
    }
}

impl ActiveSession {
    /// The session with `agent`: the one session, or the map's entry for `agent` (or its only
    /// entry, whatever its key). `Err` says what the map held instead: sessions with other
    /// agents only, so none with this one.
    pub(crate) fn for_agent(self, agent: &str) -> std::result::Result<ChatSession, String> {
        match self {
            ActiveSession::One(session) => Ok(*session),
            ActiveSession::ByAgent(mut sessions) => {
                if let Some(session) = sessions.remove(agent) {
                    return Ok(session);
                }
                let others = sessions.len();
                match (others, sessions.into_values().next()) {
                    (1, Some(only)) => Ok(only),
                    _ => Err(format!(
                        "no active session with `{agent}`: the answer lists sessions with {others} other agent(s)"
                    )),
                }
            }
        }
    }

    /// The sessions by agent: the map, or a map of the one session keyed by its
    /// `chat_agent_id` (the only agent key a session carries; empty when it has none).
    pub(crate) fn by_agent(self) -> HashMap<String, ChatSession> {
        match self {
            ActiveSession::ByAgent(sessions) => sessions,
            ActiveSession::One(session) => {
                let key = session.chat_agent_id.map(|id| id.to_string());
                HashMap::from([(key.unwrap_or_default(), *session)])
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
    /// Fields that arrived in a form the SDK could not read as their type (a timestamp in an
    /// unknown format, a word where a number belongs), by wire name, exactly as sent; their
    /// field above is `None`. Empty for every answer in the documented forms.
    pub unreadable: Map<String, Value>,
}

impl FromWire<types::ChatSession> for ChatSession {
    fn from_wire(s: types::ChatSession) -> std::result::Result<Self, String> {
        let metadata = s.metadata.unwrap_or_default();
        let mut u = Unreadable::default();
        Ok(ChatSession {
            id: s.id,
            chat_agent_id: u.read("chat_agent_id", s.chat_agent_id),
            account_id: u.read("account_id", s.account_id),
            customer_id: u.read("customer_id", s.customer_id),
            mode: u.read::<String, String>("mode", s.mode).map(ChatMode::from),
            help_requested: u.read("help_requested", s.help_requested),
            status: u
                .read::<String, String>("status", s.status)
                .map(SessionStatus::from),
            current_state: u.read("current_state", s.current_state),
            input_fields: metadata.input_fields.unwrap_or_default(),
            state_fields: metadata.state_fields.unwrap_or_default(),
            context: metadata.context.unwrap_or_default(),
            active_human: u.read("active_human", s.active_human),
            created_at: u.read("created_at", s.created_at),
            updated_at: u.read("updated_at", s.updated_at),
            unreadable: u.into_map(),
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
            reply: read(r.reply),
            state: read(r.state),
            mode: read(r.mode).map(ChatMode::from),
            help_requested: read(r.help_requested),
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
            session_id: read(r.session_id).unwrap_or_default(),
            state: read(r.state),
            command: read(r.command).map(SupportCommand::from),
            reply: read(r.reply),
            active_human: read(r.active_human),
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
            session_id: read(r.session_id).unwrap_or_default(),
            context: r.context.unwrap_or_default(),
        })
    }
}
