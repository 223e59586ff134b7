//! Chat (v1): sessions, customer messages with synchronous agent replies, operator controls
//! and context injection.
//!
//! A customer has at most one active session per agent. [`Chat::send_message`] finds (or
//! creates) it by itself; the session id is needed only for the operator rail
//! ([`Chat::support`]) and [`Chat::inject_context`].
//!
//! ```no_run
//! use osvi_ext::chat::SupportCommand;
//! # async fn run(client: osvi_ext::Client) -> osvi_ext::Result<()> {
//! let agent = "agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og";
//! let session = client.chat().create_session(agent, "+15551112222").input_field("first_name", "Alex").send().await?;
//! let reply = client.chat().send_message(agent, "+15551112222", "Hi, I need help.").send().await?;
//! println!("agent: {}", reply.reply.unwrap_or_default());
//! client.chat().inject_context(&session.id, "Earlier call: wants a refund.").await?;
//! client.chat().support(&session.id).command(SupportCommand::Takeover).send().await?;
//! # Ok(()) }
//! ```
//!
//! Runnable example (a conversation of a few messages), against the simulator without `OSVI_API_TOKEN`:
//! [`examples/chat.rs`](https://github.com/osvi-ai/osvi-rust/blob/main/osvi-ext/examples/chat.rs),
//! `cargo run -p osvi-ext --example chat`.

pub(crate) mod model;

pub use model::{
    ChatMode, ChatReply, ChatSession, SessionContext, SessionStatus, SupportCommand, SupportOutcome,
};

use std::collections::HashMap;

use osvi_generated::spec::{operations, rules};
use osvi_generated::types;
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::macros::awaitable;
use crate::validate;
use crate::wire::Echo;
use model::ActiveSession;

/// The chat resource: `client.chat()`.
#[derive(Debug, Clone, Copy)]
pub struct Chat<'a> {
    client: &'a Client,
}

impl Client {
    /// Chat (v1). See [`crate::chat`].
    pub fn chat(&self) -> Chat<'_> {
        Chat { client: self }
    }
}

impl Chat<'_> {
    /// Opens a session for `customer_id` with `agent_uuid`, closing any active one of the
    /// same pair first.
    pub fn create_session(
        &self,
        agent_uuid: impl Into<String>,
        customer_id: impl Into<String>,
    ) -> CreateSession {
        CreateSession {
            client: self.client.clone(),
            agent_uuid: agent_uuid.into(),
            customer_id: customer_id.into(),
            input_fields: Map::new(),
            context: Vec::new(),
        }
    }

    /// Sends a customer message; the agent's reply comes back in the answer.
    pub fn send_message(
        &self,
        agent_uuid: impl Into<String>,
        customer_id: impl Into<String>,
        content: impl Into<String>,
    ) -> SendMessage {
        SendMessage {
            client: self.client.clone(),
            body: types::ChatInboundRequest {
                agent_uuid: agent_uuid.into(),
                customer_id: customer_id.into(),
                content: content.into(),
                session_id: None,
            },
        }
    }

    /// The active session of `customer_id` with `agent_uuid`
    /// ([`NotFound`](crate::Error::NotFound) when there is none).
    pub fn active_session(
        &self,
        agent_uuid: impl Into<String>,
        customer_id: impl Into<String>,
    ) -> GetActiveSession {
        GetActiveSession {
            client: self.client.clone(),
            agent_uuid: agent_uuid.into(),
            customer_id: customer_id.into(),
        }
    }

    /// Every active session of the customer, by agent UUID.
    pub fn active_sessions(&self, customer_id: impl Into<String>) -> ListActiveSessions {
        ListActiveSessions {
            client: self.client.clone(),
            customer_id: customer_id.into(),
        }
    }

    /// A [`Conversation`] between `agent_uuid` and `customer_id` that remembers its session.
    pub fn conversation(
        &self,
        agent_uuid: impl Into<String>,
        customer_id: impl Into<String>,
    ) -> Conversation {
        Conversation {
            client: self.client.clone(),
            agent_uuid: agent_uuid.into(),
            customer_id: customer_id.into(),
            session_id: None,
        }
    }

    /// The operator rail of session `session_id`: a command, a message, or both.
    pub fn support(&self, session_id: impl Into<String>) -> Support {
        Support {
            client: self.client.clone(),
            session_id: session_id.into(),
            command: None,
            message: None,
        }
    }

    /// Appends one non-empty entry to the session's context; returns the whole list.
    pub fn inject_context(
        &self,
        session_id: impl Into<String>,
        context: impl Into<String>,
    ) -> InjectContext {
        InjectContext {
            client: self.client.clone(),
            session_id: session_id.into(),
            context: context.into(),
        }
    }
}

/// Request of `GET /v1/chat/session/active` for one agent, from [`Chat::active_session`]:
/// await it, or call [`send`](GetActiveSession::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct GetActiveSession {
    client: Client,
    agent_uuid: String,
    customer_id: String,
}

impl GetActiveSession {
    /// Validates and sends the request. An answer in the other shape the API has (a map of
    /// sessions by agent) gives the entry of this agent, or the map's only entry; a map of
    /// sessions with other agents only is [`Error::NotFound`] (status 200), as the `404` the
    /// docs give when the customer has no session with this agent.
    pub async fn send(self) -> Result<ChatSession> {
        use rules::get_active_chat_session as rule;
        validate::string("agent_uuid", &self.agent_uuid, &rule::AGENT_UUID)?;
        let api = self.client.api(&operations::GET_ACTIVE_CHAT_SESSION);
        let answer: ActiveSession = api
            .run(|| {
                api.raw()
                    .get_active_chat_session()
                    .customer_id(self.customer_id.as_str())
                    .agent_uuid(self.agent_uuid.as_str())
                    .send()
            })
            .await?;
        answer.for_agent(&self.agent_uuid).map_err(|message| {
            Error::NotFound(crate::error::ApiFailure {
                status: 200,
                request_id: None,
                messages: vec![message],
                details: None,
                body: String::new(),
            })
        })
    }
}

/// Request of `GET /v1/chat/session/active` for every agent, from
/// [`Chat::active_sessions`]: await it, or call [`send`](ListActiveSessions::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct ListActiveSessions {
    client: Client,
    customer_id: String,
}

impl ListActiveSessions {
    /// Validates and sends the request: the customer's active sessions by agent UUID. An
    /// answer in the other shape the API has (one session) gives a map of that session, keyed
    /// by its `chat_agent_id` (the only agent key a session carries; empty when absent).
    pub async fn send(self) -> Result<HashMap<String, ChatSession>> {
        let api = self.client.api(&operations::GET_ACTIVE_CHAT_SESSION);
        let answer: ActiveSession = api
            .run(|| {
                api.raw()
                    .get_active_chat_session()
                    .customer_id(self.customer_id.as_str())
                    .send()
            })
            .await?;
        Ok(answer.by_agent())
    }
}

/// Request of `POST /v1/chat/session/{id}/inject_context`, from [`Chat::inject_context`]:
/// await it, or call [`send`](InjectContext::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct InjectContext {
    client: Client,
    session_id: String,
    context: String,
}

impl InjectContext {
    /// Validates and appends the entry.
    pub async fn send(self) -> Result<SessionContext> {
        validate::string("id", &self.session_id, &rules::inject_chat_context::ID)?;
        let rule = &rules::inject_context_request::CONTEXT;
        validate::string("context", &self.context, rule)?;
        let body = types::InjectContextRequest {
            context: self.context,
        };
        let api = self.client.api(&operations::INJECT_CHAT_CONTEXT);
        api.run(|| {
            api.raw()
                .inject_chat_context()
                .id(self.session_id.as_str())
                .body(body.clone())
                .send()
        })
        .await
        .map(|answer: SessionContext| answer.echo(&self.session_id))
    }
}

awaitable!(
    GetActiveSession: send => ChatSession,
    ListActiveSessions: send => HashMap<String, ChatSession>,
    InjectContext: send => SessionContext,
    CreateSession: send => ChatSession,
    SendMessage: send => ChatReply,
    Support: send => SupportOutcome,
);

/// Builder of `POST /v1/chat/session`, from [`Chat::create_session`].
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct CreateSession {
    client: Client,
    agent_uuid: String,
    customer_id: String,
    input_fields: Map<String, Value>,
    context: Vec<String>,
}

impl CreateSession {
    /// Adds a key/value describing the customer, available to the agent.
    pub fn input_field(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.input_fields.insert(key.into(), value.into());
        self
    }

    /// Adds an initial free-text context entry (only the 5 most recent non-empty ones are
    /// kept by OSVI).
    pub fn context(mut self, entry: impl Into<String>) -> Self {
        self.context.push(entry.into());
        self
    }

    /// Validates and creates the session.
    pub async fn send(self) -> Result<ChatSession> {
        use rules::chat_session_request as rule;
        validate::string("agent_uuid", &self.agent_uuid, &rule::AGENT_UUID)?;
        let body = types::ChatSessionRequest {
            agent_uuid: self.agent_uuid,
            customer_id: self.customer_id,
            input_fields: self.input_fields,
            context: self.context,
        };
        let api = self.client.api(&operations::CREATE_CHAT_SESSION);
        api.run(|| api.raw().create_chat_session().body(body.clone()).send())
            .await
    }
}

/// Builder of `POST /v1/chat/inbound`, from [`Chat::send_message`].
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct SendMessage {
    client: Client,
    body: types::ChatInboundRequest,
}

impl SendMessage {
    /// Targets this session instead of letting OSVI resolve the customer's active one.
    pub fn session_id(mut self, session_id: impl Into<String>) -> Self {
        self.body.session_id = Some(session_id.into());
        self
    }

    /// Validates, sends the message and waits for the agent's reply.
    pub async fn send(self) -> Result<ChatReply> {
        use rules::chat_inbound_request as rule;
        let body = &self.body;
        validate::string("agent_uuid", &body.agent_uuid, &rule::AGENT_UUID)?;
        let api = self.client.api(&operations::SEND_CHAT_MESSAGE);
        api.run(|| api.raw().send_chat_message().body(body.clone()).send())
            .await
    }
}

/// Builder of `POST /v1/chat/session/{id}/support`, from [`Chat::support`].
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct Support {
    client: Client,
    session_id: String,
    command: Option<SupportCommand>,
    message: Option<String>,
}

impl Support {
    /// The command to apply.
    pub fn command(mut self, command: SupportCommand) -> Self {
        self.command = Some(command);
        self
    }

    /// The operator's text: delivered to the customer without a command (support mode
    /// only), the guidance of `tell`/`whisper`, optional context for `takeover`.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = Some(message.into());
        self
    }

    /// Validates and sends.
    pub async fn send(self) -> Result<SupportOutcome> {
        validate::string("id", &self.session_id, &rules::send_support_command::ID)?;
        if let Some(message) = &self.message {
            validate::non_empty("message", message)?;
        }
        // `tell` injects its message: the docs require one. (A request with neither a command
        // nor a message is the API's to judge: the docs do not say.)
        if self.command == Some(SupportCommand::Tell) && self.message.is_none() {
            return Err(Error::validation("message", "is required for `tell`"));
        }
        let command = match &self.command {
            Some(command) => Some(
                types::SupportRequestCommand::try_from(command.as_str()).map_err(|_| {
                    Error::validation(
                        "command",
                        format!("`{command}` is not a command of the API"),
                    )
                })?,
            ),
            None => None,
        };
        let body = types::SupportRequest {
            command,
            message: self.message,
        };
        let api = self.client.api(&operations::SEND_SUPPORT_COMMAND);
        api.run(|| {
            api.raw()
                .send_support_command()
                .id(self.session_id.as_str())
                .body(body.clone())
                .send()
        })
        .await
        .map(|answer: SupportOutcome| answer.echo(&self.session_id))
    }
}

/// A chat conversation that keeps its session id, from [`Chat::conversation`].
///
/// The first [`send`](Conversation::send) lets OSVI resolve (or create) the customer's active
/// session and remembers its id; later messages and the operator commands go to that session.
/// The commands before any message look the active session up first.
///
/// ```no_run
/// # async fn run(client: osvi_ext::Client) -> osvi_ext::Result<()> {
/// let mut chat = client.chat().conversation("agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og", "+15551112222");
/// let reply = chat.send("Hi, I need help.").await?;
/// let reply = chat.send("Order 4242.").await?; // same session
/// chat.whisper("Offer a refund.").await?;
/// chat.takeover(Some("A human agent is joining.")).await?;
/// chat.end().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Conversation {
    client: Client,
    agent_uuid: String,
    customer_id: String,
    session_id: Option<String>,
}

impl Conversation {
    /// Continues the session `session_id` instead of letting OSVI resolve one.
    pub fn resume(mut self, session_id: impl Into<String>) -> Self {
        self.session_id = Some(session_id.into());
        self
    }

    /// The session id, once known.
    pub fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// Sends a customer message and returns the agent's reply; remembers the session.
    pub async fn send(&mut self, content: impl Into<String>) -> Result<ChatReply> {
        let mut message = self.client.chat().send_message(
            self.agent_uuid.clone(),
            self.customer_id.clone(),
            content,
        );
        if let Some(session_id) = &self.session_id {
            message = message.session_id(session_id.clone());
        }
        let reply = message.send().await?;
        self.session_id = Some(reply.session_id.clone());
        Ok(reply)
    }

    /// A human takes over; `message` is optional context.
    pub async fn takeover(&mut self, message: Option<&str>) -> Result<SupportOutcome> {
        self.command(SupportCommand::Takeover, message).await
    }

    /// Operator guidance plus an agent turn; the reply is in the outcome.
    pub async fn tell(&mut self, guidance: &str) -> Result<SupportOutcome> {
        self.command(SupportCommand::Tell, Some(guidance)).await
    }

    /// Private guidance for the agent's next turn.
    pub async fn whisper(&mut self, guidance: &str) -> Result<SupportOutcome> {
        self.command(SupportCommand::Whisper, Some(guidance)).await
    }

    /// Hands the conversation back to the agent.
    pub async fn end(&mut self) -> Result<SupportOutcome> {
        self.command(SupportCommand::End, None).await
    }

    /// Closes the session for good; the next `send` starts a new one.
    pub async fn close(&mut self) -> Result<SupportOutcome> {
        let outcome = self.command(SupportCommand::Close, None).await?;
        self.session_id = None;
        Ok(outcome)
    }

    /// Appends one entry to the session's context.
    pub async fn inject_context(&mut self, context: &str) -> Result<SessionContext> {
        let session_id = self.resolve().await?;
        self.client
            .chat()
            .inject_context(session_id, context)
            .send()
            .await
    }

    async fn command(
        &mut self,
        command: SupportCommand,
        message: Option<&str>,
    ) -> Result<SupportOutcome> {
        let session_id = self.resolve().await?;
        let mut support = self.client.chat().support(session_id).command(command);
        if let Some(message) = message {
            support = support.message(message);
        }
        support.send().await
    }

    /// The session id, looked up when no message was sent yet.
    async fn resolve(&mut self) -> Result<String> {
        if let Some(session_id) = &self.session_id {
            return Ok(session_id.clone());
        }
        let session = self
            .client
            .chat()
            .active_session(self.agent_uuid.as_str(), self.customer_id.as_str())
            .send()
            .await?;
        self.session_id = Some(session.id.clone());
        Ok(session.id)
    }
}
