//! `osvi legacy`: the deprecated endpoints, for accounts that still use them. Each prints the
//! endpoint that replaces it in its help.

#![allow(deprecated)]

use clap::Subcommand;
use osvi_ext::Client;

use crate::exit::Failure;
use crate::output::Output;

/// `osvi legacy ...`
#[derive(Debug, Subcommand)]
pub enum LegacyCommand {
    /// Place a call through the legacy endpoint (use `osvi calls create`). Never sent twice.
    CreateCall(crate::calls::CallBasics),
    /// Start a legacy chat session (use `osvi chat create`).
    ChatStart {
        /// The chat agent.
        #[arg(long)]
        agent: String,
        /// The person's name.
        #[arg(long)]
        name: Option<String>,
        /// Metadata shown to the agent, as KEY=VALUE (repeatable).
        #[arg(long, value_name = "KEY=VALUE", value_parser = crate::key_value)]
        metadata: Vec<(String, String)>,
    },
    /// Send a message into a legacy session (use `osvi chat send`).
    ChatSend {
        /// The chat agent.
        #[arg(long)]
        agent: String,
        /// The session's id.
        session_id: String,
        /// The message.
        message: String,
    },
    /// Pause a legacy session; the customer's next message resumes it (the v1 API has no
    /// pause; `osvi chat support` controls v1 sessions).
    ChatPause {
        /// The chat agent.
        #[arg(long)]
        agent: String,
        /// The session's id.
        session_id: String,
    },
    /// Close a legacy session and print its summary (use `osvi chat support --command close`).
    ChatClose {
        /// The chat agent.
        #[arg(long)]
        agent: String,
        /// The session's id.
        session_id: String,
    },
}

pub(crate) async fn run(cmd: LegacyCommand, client: &Client, out: &Output) -> Result<(), Failure> {
    let legacy = client.legacy();
    match cmd {
        LegacyCommand::CreateCall(basics) => {
            let (country, digits) = basics.callee()?;
            let policy = basics.reconcile_policy(client);
            let mut call = legacy
                .create_call(&basics.agent, digits, country)
                .reconcile_policy(policy);
            if let Some(name) = basics.name {
                call = call.person_name(name);
            }
            if let Some(prompt) = basics.system_prompt {
                call = call.system_prompt(prompt);
            }
            if let Some(url) = basics.webhook_url {
                call = call.webhook_url(url);
            }
            for (key, value) in basics.data {
                call = call.data(key, value);
            }
            let created = call.await?;
            out.message(&crate::calls::placed(&created), &created)
        }
        LegacyCommand::ChatStart {
            agent,
            name,
            metadata,
        } => {
            let mut request = legacy.start_chat_session(agent);
            if let Some(name) = name {
                request = request.person_name(name);
            }
            for (key, value) in metadata {
                request = request.metadata(key, value);
            }
            out.record(&request.await?)
        }
        LegacyCommand::ChatSend {
            agent,
            session_id,
            message,
        } => out.record(&legacy.send_chat_message(agent, session_id, message).await?),
        LegacyCommand::ChatPause { agent, session_id } => {
            out.record(&legacy.pause_chat_session(agent, session_id).await?)
        }
        LegacyCommand::ChatClose { agent, session_id } => {
            out.record(&legacy.close_chat_session(agent, session_id).await?)
        }
    }
}
