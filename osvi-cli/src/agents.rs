//! `osvi agents`: the account's agents.

use clap::Subcommand;
use osvi_ext::Client;

use crate::exit::Failure;
use crate::output::{Column, Output};

/// `osvi agents ...`
#[derive(Debug, Subcommand)]
pub enum AgentsCommand {
    /// The active agents.
    List,
}

const COLUMNS: &[Column] = &[
    ("AGENT ID", "/agent_id"),
    ("NAME", "/name"),
    ("STATUS", "/status"),
];

pub(crate) async fn run(cmd: AgentsCommand, client: &Client, out: &Output) -> Result<(), Failure> {
    match cmd {
        AgentsCommand::List => {
            let mut list = out.list(COLUMNS);
            for agent in client.agents().list_active().await? {
                list.push(&agent)?;
            }
            list.finish()
        }
    }
}
