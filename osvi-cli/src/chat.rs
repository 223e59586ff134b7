//! `osvi chat`: chat sessions (v1): create one, send a message, read the active ones, operate
//! a session (take over, guide, close, add context), or talk to an agent line by line.

use std::collections::BTreeMap;

use clap::Subcommand;
use osvi_ext::Client;
use osvi_ext::chat::SupportCommand;
use osvi_generated::spec::enums;
use tokio::io::AsyncBufReadExt as _;

use crate::exit::Failure;
use crate::output::{Column, Output};

/// `osvi chat ...`
#[derive(Debug, Subcommand)]
pub enum ChatCommand {
    /// Open a session for a customer, closing the pair's active one.
    Create {
        /// The chat agent.
        #[arg(long)]
        agent: String,
        /// Your identifier of the customer.
        #[arg(long)]
        customer: String,
        /// A field describing the customer, as KEY=VALUE (repeatable).
        #[arg(long, value_name = "KEY=VALUE", value_parser = crate::key_value)]
        input: Vec<(String, String)>,
        /// A line of free-text context for the agent (repeatable).
        #[arg(long)]
        context: Vec<String>,
    },
    /// Send a customer message and print the agent's reply.
    Send {
        /// The chat agent.
        #[arg(long)]
        agent: String,
        /// Your identifier of the customer.
        #[arg(long)]
        customer: String,
        /// Send into this session (default: the pair's active one, or a new one).
        #[arg(long)]
        session: Option<String>,
        /// The message.
        message: String,
    },
    /// The active session of a customer with an agent.
    Active {
        /// The chat agent.
        #[arg(long)]
        agent: String,
        /// Your identifier of the customer.
        #[arg(long)]
        customer: String,
    },
    /// Every active session of a customer, one per agent.
    Sessions {
        /// Your identifier of the customer.
        #[arg(long)]
        customer: String,
    },
    /// Operate a session: a command, a message to the customer, or both.
    Support {
        /// The session's id.
        session_id: String,
        /// What to do with the session.
        #[arg(long, value_parser = crate::one_of(enums::support_request_command::ALL))]
        command: Option<String>,
        /// The operator's message (or the guidance of tell and whisper).
        #[arg(long)]
        message: Option<String>,
    },
    /// Append one entry to a session's context.
    Context {
        /// The session's id.
        session_id: String,
        /// The entry.
        text: String,
    },
    /// Talk to an agent: each line of standard input is a message, each reply is printed.
    Talk {
        /// The chat agent.
        #[arg(long)]
        agent: String,
        /// Your identifier of the customer.
        #[arg(long)]
        customer: String,
    },
}

impl ChatCommand {
    /// Whether the command changes something on the server.
    pub(crate) fn writes(&self) -> bool {
        !matches!(
            self,
            ChatCommand::Active { .. } | ChatCommand::Sessions { .. }
        )
    }
}

const SESSION_COLUMNS: &[Column] = &[
    ("AGENT", "/agent"),
    ("SESSION ID", "/session/id"),
    ("MODE", "/session/mode"),
    ("STATUS", "/session/status"),
    ("UPDATED", "/session/updated_at"),
];

pub(crate) async fn run(cmd: ChatCommand, client: &Client, out: &Output) -> Result<(), Failure> {
    let chat = client.chat();
    match cmd {
        ChatCommand::Create {
            agent,
            customer,
            input,
            context,
        } => {
            let mut request = chat.create_session(agent, customer);
            for (key, value) in input {
                request = request.input_field(key, value);
            }
            for entry in context {
                request = request.context(entry);
            }
            out.record(&request.await?)
        }
        ChatCommand::Send {
            agent,
            customer,
            session,
            message,
        } => {
            let mut request = chat.send_message(agent, customer, message);
            if let Some(session) = session {
                request = request.session_id(session);
            }
            out.record(&request.await?)
        }
        ChatCommand::Active { agent, customer } => {
            out.record(&chat.active_session(agent, customer).await?)
        }
        ChatCommand::Sessions { customer } => {
            let sessions: BTreeMap<_, _> =
                chat.active_sessions(customer).await?.into_iter().collect();
            let mut list = out.list(SESSION_COLUMNS);
            for (agent, session) in sessions {
                list.push(&serde_json::json!({ "agent": agent, "session": session }))?;
            }
            list.finish()
        }
        ChatCommand::Support {
            session_id,
            command,
            message,
        } => {
            let mut request = chat.support(session_id);
            if let Some(command) = command {
                request = request.command(SupportCommand::from(command.as_str()));
            }
            if let Some(message) = message {
                request = request.message(message);
            }
            out.record(&request.await?)
        }
        ChatCommand::Context { session_id, text } => {
            out.record(&chat.inject_context(session_id, text).await?)
        }
        ChatCommand::Talk { agent, customer } => talk(client, agent, customer, out).await,
    }
}

/// Sends each line of standard input as a message of one conversation and prints the replies
/// (`agent: ...`, or one JSON reply per line with `--json`/`--jsonl`).
async fn talk(
    client: &Client,
    agent: String,
    customer: String,
    out: &Output,
) -> Result<(), Failure> {
    let mut conversation = client.chat().conversation(agent, customer);
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    loop {
        let line = lines
            .next_line()
            .await
            .map_err(|e| Failure::io(format!("cannot read standard input: {e}")))?;
        let Some(line) = line else { return Ok(()) };
        if line.trim().is_empty() {
            continue;
        }
        let reply = conversation.send(line).await?;
        let human = format!("agent: {}", reply.reply.as_deref().unwrap_or(""));
        out.event(&human, &reply)?;
    }
}
