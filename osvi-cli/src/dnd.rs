//! `osvi dnd`: an agent's do-not-call list.

use clap::Subcommand;
use futures::StreamExt as _;
use osvi_ext::Client;

use crate::exit::Failure;
use crate::output::{Column, Output};

/// `osvi dnd ...`
#[derive(Debug, Subcommand)]
pub enum DndCommand {
    /// Add a number to an agent's DND list.
    Add {
        /// The agent whose list it is.
        #[arg(long)]
        agent: String,
        /// The number, E.164 (e.g. +919876543210).
        phone: String,
        /// Why (kept with the entry).
        #[arg(long)]
        reason: Option<String>,
    },
    /// List an agent's DND numbers, every page up to --limit.
    List {
        /// The agent whose list it is.
        #[arg(long)]
        agent: String,
        /// Only numbers containing these digits.
        #[arg(long)]
        search: Option<String>,
        /// Print at most this many numbers.
        #[arg(long, default_value_t = 100, conflicts_with = "all")]
        limit: usize,
        /// Print every number.
        #[arg(long)]
        all: bool,
    },
    /// Remove a number from an agent's DND list.
    Remove {
        /// The agent whose list it is.
        #[arg(long)]
        agent: String,
        /// The number, E.164.
        phone: String,
    },
}

impl DndCommand {
    /// Whether the command changes something on the server.
    pub(crate) fn writes(&self) -> bool {
        matches!(self, DndCommand::Add { .. } | DndCommand::Remove { .. })
    }
}

const COLUMNS: &[Column] = &[
    ("PHONE", "/phone"),
    ("REASON", "/reason"),
    ("ADDED", "/created_at"),
];

pub(crate) async fn run(cmd: DndCommand, client: &Client, out: &Output) -> Result<(), Failure> {
    let dnd = client.dnd();
    match cmd {
        DndCommand::Add {
            agent,
            phone,
            reason,
        } => {
            let mut request = dnd.add(agent, phone);
            if let Some(reason) = reason {
                request = request.reason(reason);
            }
            let entry = request.await?;
            out.message(&format!("{} added to the DND list", entry.phone), &entry)
        }
        DndCommand::List {
            agent,
            search,
            limit,
            all,
        } => {
            let mut request = dnd.list(agent);
            if let Some(digits) = search {
                request = request.search(digits);
            }
            let limit = if all { usize::MAX } else { limit };
            let mut stream = std::pin::pin!(request.stream().take(limit));
            let mut list = out.list(COLUMNS);
            while let Some(entry) = stream.next().await {
                list.push(&entry?)?;
            }
            list.finish()
        }
        DndCommand::Remove { agent, phone } => {
            dnd.remove(agent, &phone).await?;
            let removed = serde_json::json!({ "phone": phone, "removed": true });
            out.message(&format!("{phone} removed from the DND list"), &removed)
        }
    }
}
