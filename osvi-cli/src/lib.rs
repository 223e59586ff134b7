//! # osvi-cli: `osvi`, the OSVI AI API and its simulator from the command line
//!
//! A thin program over [`osvi_ext`]: every operation of the API is a subcommand, grouped as the
//! SDK groups them (`osvi agents`, `osvi calls`, `osvi campaigns`, `osvi dnd`, `osvi chat`,
//! `osvi legacy`), so it validates, retries and paginates exactly as the SDK does. Beside
//! them, `osvi sim` runs the local simulator, `osvi webhooks listen` prints webhook events as
//! they arrive and `osvi completions` writes shell completions.
//!
//! ```text
//! osvi sim --speed 20 &                      # prints OSVI_BASE_URL and OSVI_API_TOKEN lines
//! osvi calls create --agent agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og --to IN:9876543210 --name "John Doe"
//! osvi calls list --status picked,busy --since 2026-06-01 --jsonl
//! ```
//!
//! - **Configuration**: `OSVI_API_TOKEN` and `OSVI_BASE_URL`, or `--token` and `--base-url`
//!   (a flag wins). The token is never printed, not even by `--help`.
//! - **Output**: aligned tables and `key  value` lists for people, dates in local time;
//!   `--json` prints one JSON document (a list is one array), `--jsonl` one JSON object per
//!   line. JSON keeps the SDK's field names and RFC 3339 dates in UTC.
//! - **Exit codes** ([`exit`]): 0 success, 2 usage, 3 validation, 4 auth, 5 not found,
//!   6 rate limited, 7 server error, 8 network, 9 a write whose outcome is uncertain, 1 any
//!   other failure.
//!
//! The library part exists for the tests and the docs: [`Cli`] is the whole command line and
//! [`run`] executes it.

#![warn(missing_docs)]
// docs.rs (`--cfg docsrs`, nightly): badge each item with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod contacts_csv;
pub mod exit;
mod interrupt;
mod output;

pub mod agents;
pub mod calls;
pub mod campaigns;
pub mod chat;
pub mod dnd;
pub mod legacy;
pub mod mcp;
pub mod sim;
pub mod webhooks;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::exit::Failure;
pub use crate::output::Format;
use crate::output::Output;

/// The whole command line of `osvi`.
#[derive(Debug, Parser)]
#[command(name = "osvi", version, about = "OSVI AI from the command line: calls, campaigns, DND lists, chat, the simulator.", long_about = None)]
pub struct Cli {
    /// Settings every API command shares.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Settings every API command shares.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// API token. Prefer the environment variable: a flag shows in `ps`.
    #[arg(long, global = true, env = "OSVI_API_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Base URL of the API.
    #[arg(long, global = true, env = "OSVI_BASE_URL", default_value = osvi_ext::DEFAULT_BASE_URL)]
    pub base_url: String,
    /// Print one JSON document (lists as one array).
    #[arg(long, global = true, conflicts_with = "jsonl")]
    pub json: bool,
    /// Print one JSON object per line (each item of a list on its own line).
    #[arg(long, global = true)]
    pub jsonl: bool,
    /// Seconds one request may take, body included.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = osvi_ext::DEFAULT_TIMEOUT.as_secs())]
    pub timeout: u64,
    /// Attempts per request for reads, and for writes that never reached the server (1: no
    /// retries).
    #[arg(long, global = true, value_name = "N", default_value_t = osvi_ext::RetryPolicy::default().attempts())]
    pub attempts: u32,
    /// Seconds to look for a call placement or contact upload whose outcome was uncertain
    /// (in the call list, in the campaign status) before deciding it did not happen.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 10)]
    pub reconcile_window: u64,
}

impl Global {
    /// The output format the flags ask for.
    pub fn format(&self) -> Format {
        match (self.json, self.jsonl) {
            (_, true) => Format::Jsonl,
            (true, false) => Format::Json,
            _ => Format::Human,
        }
    }

    /// A client from the flags and the environment. No token is an auth failure (exit 4).
    fn client(&self) -> Result<osvi_ext::Client, Failure> {
        let Some(token) = self.token.as_deref().filter(|t| !t.trim().is_empty()) else {
            return Err(Failure::auth(
                "no API token: set OSVI_API_TOKEN (or pass --token)",
            ));
        };
        let builder = osvi_ext::Client::builder()
            .token(token)
            .base_url(&self.base_url);
        let policy = osvi_ext::RetryPolicy::default().max_attempts(self.attempts);
        let reconcile =
            osvi_ext::ReconcilePolicy::default().window(Duration::from_secs(self.reconcile_window));
        Ok(builder
            .timeout(Duration::from_secs(self.timeout))
            .retry_policy(policy)
            .reconcile_policy(reconcile)
            .build()?)
    }
}

/// The subcommands of `osvi`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Agents of the account.
    #[command(subcommand)]
    Agents(agents::AgentsCommand),
    /// Place, list, read and wait for calls.
    #[command(subcommand)]
    Calls(calls::CallsCommand),
    /// Upload contacts to a campaign and follow its progress.
    #[command(subcommand)]
    Campaigns(campaigns::CampaignsCommand),
    /// An agent's do-not-call list.
    #[command(subcommand)]
    Dnd(dnd::DndCommand),
    /// Chat sessions (v1): create, send, operate, talk.
    #[command(subcommand)]
    Chat(chat::ChatCommand),
    /// The deprecated endpoints.
    #[command(subcommand)]
    Legacy(legacy::LegacyCommand),
    /// Serve the API as Model Context Protocol tools for AI agents (stdio, or --http).
    Mcp(mcp::McpArgs),
    /// Run the local OSVI simulator (no account, no phone rings) until Ctrl-C.
    Sim(sim::SimArgs),
    /// Webhook tools.
    #[command(subcommand)]
    Webhooks(webhooks::WebhooksCommand),
    /// Write shell completions to standard output.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// The clap description of the command line (for completions, docs and tests).
pub fn command() -> clap::Command {
    Cli::command()
}

/// Runs a parsed command line; returns the exit code (see [`exit`]).
pub async fn run(cli: Cli) -> ExitCode {
    let out = Output::new(cli.global.format());
    match dispatch(cli, &out).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(out.is_json()),
    }
}

async fn dispatch(cli: Cli, out: &Output) -> Result<(), Failure> {
    if cli.command.writes() {
        return run_command(cli, out).await.map_err(Failure::of_write);
    }
    run_command(cli, out).await
}

impl Command {
    /// Whether the command changes something on the server (a call, contacts, a DND list, a
    /// chat session): its failure may leave the change made (see [`Failure::of_write`]).
    fn writes(&self) -> bool {
        match self {
            Command::Calls(cmd) => cmd.writes(),
            Command::Campaigns(cmd) => cmd.writes(),
            Command::Dnd(cmd) => cmd.writes(),
            Command::Chat(cmd) => cmd.writes(),
            Command::Legacy(_) => true,
            Command::Agents(_) | Command::Sim(_) | Command::Webhooks(_) | Command::Mcp(_) => false,
            Command::Completions { .. } => false,
        }
    }
}

async fn run_command(cli: Cli, out: &Output) -> Result<(), Failure> {
    let global = &cli.global;
    match cli.command {
        Command::Agents(cmd) => agents::run(cmd, &global.client()?, out).await,
        Command::Calls(cmd) => calls::run(cmd, &global.client()?, out).await,
        Command::Campaigns(cmd) => campaigns::run(cmd, &global.client()?, out).await,
        Command::Dnd(cmd) => dnd::run(cmd, &global.client()?, out).await,
        Command::Chat(cmd) => chat::run(cmd, &global.client()?, out).await,
        Command::Legacy(cmd) => legacy::run(cmd, &global.client()?, out).await,
        Command::Mcp(args) => mcp::run(args, global).await,
        Command::Sim(args) => sim::run(args, out).await,
        Command::Webhooks(cmd) => webhooks::run(cmd, out).await,
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command(), "osvi", &mut script);
            output::write_stdout(&String::from_utf8_lossy(&script))
        }
    }
}

/// A parser that takes one of the spec's enum `values` (`osvi_generated::spec::enums`), so
/// `--help` lists them and a typo is refused before anything is sent.
fn one_of(values: &'static [&'static str]) -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(values.iter().copied())
}

/// Parses `KEY=VALUE` (for `--extract`, `--data`, `--input`, `--metadata`).
fn key_value(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("expected KEY=VALUE, got `{arg}`")),
    }
}
