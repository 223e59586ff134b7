//! Voice agents: which ones are active and able to take calls.
//!
//! ```no_run
//! # async fn run(client: osvi_ext::Client) -> osvi_ext::Result<()> {
//! for agent in client.agents().list_active().await? {
//!     println!("{} {}", agent.agent_id, agent.name.unwrap_or_default());
//! }
//! # Ok(()) }
//! ```

use osvi_generated::types;

use crate::client::Client;
use crate::error::Result;
use crate::macros::{awaitable, string_enum};
use crate::wire::FromWire;
use osvi_generated::spec::{enums, operations};

string_enum! {
    /// The state of an agent. `GET /v1/active_agents` only returns active ones.
    pub enum AgentStatus {
        /// Able to take calls.
        Active = enums::active_agent_status::ACTIVE,
    }
}

/// An agent able to take calls.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Agent {
    /// The agent's id: the value to pass as `agent_uuid` everywhere else.
    pub agent_id: String,
    /// The display name from the dashboard.
    pub name: Option<String>,
    /// Always [`AgentStatus::Active`] here.
    pub status: AgentStatus,
}

impl FromWire<types::ActiveAgent> for Agent {
    fn from_wire(a: types::ActiveAgent) -> std::result::Result<Self, String> {
        Ok(Agent {
            agent_id: a.agent_id,
            name: crate::lenient::read(a.name),
            status: crate::lenient::read(a.status).map_or(AgentStatus::Active, AgentStatus::from),
        })
    }
}

/// The agents resource: `client.agents()`.
#[derive(Debug, Clone, Copy)]
pub struct Agents<'a> {
    client: &'a Client,
}

impl Client {
    /// Voice agents. See [`crate::agents`].
    pub fn agents(&self) -> Agents<'_> {
        Agents { client: self }
    }
}

impl Agents<'_> {
    /// The voice agents that are active and not archived, most recently updated first.
    /// Empty when none is active.
    pub fn list_active(&self) -> ListActiveAgents {
        ListActiveAgents {
            client: self.client.clone(),
        }
    }
}

/// Request of `GET /v1/active_agents`, from [`Agents::list_active`]: await it, or call
/// [`send`](ListActiveAgents::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct ListActiveAgents {
    client: Client,
}

impl ListActiveAgents {
    /// Sends the request.
    pub async fn send(self) -> Result<Vec<Agent>> {
        let api = self.client.api(&operations::LIST_ACTIVE_AGENTS);
        api.run(|| api.raw().list_active_agents().send()).await
    }
}

awaitable!(ListActiveAgents: send => Vec<Agent>);
