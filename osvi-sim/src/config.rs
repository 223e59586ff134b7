//! What a simulator starts with: tokens, agents, campaigns, scripted call outcomes, timing.
//!
//! [`Config::default`] is the built-in seed (one token, three active agents, an inactive one,
//! campaign 7). A JSON file with the same fields replaces it (`osvi sim --config sim.json`);
//! every field is optional there:
//!
//! ```json
//! {
//!   "tokens": ["0123456789abcdef"],
//!   "agents": [{"agent_id": "agent_demo_1", "name": "Demo", "active": true,
//!               "integrations": [{"name": "CRM", "url": "https://crm.example/calls/{{crm_id}}",
//!                                 "headers": {"Authorization": "Bearer x"}}]}],
//!   "campaigns": [{"id": 7, "name": "June Renewals"}],
//!   "outcomes": {"9876543210": "busy"},
//!   "seed": 42,
//!   "ring_seconds": 2,
//!   "talk_seconds": 20,
//!   "call_list_delay_seconds": 2,
//!   "faults": {"seed": 1, "all": {"server_error": 0.05}}
//! }
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

/// An agent of the seed.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct AgentSeed {
    /// Its id (`agent_...`).
    pub agent_id: String,
    /// Its display name.
    pub name: String,
    /// Only active agents take calls and appear in `GET /v1/active_agents`.
    #[serde(default = "yes")]
    pub active: bool,
    /// The agent's post-call integrations (Agent → Post-Call Analysis → Integrations in the
    /// dashboard): each gets the current webhook generation, the "Auto" body with every
    /// section, after every answered call of the agent.
    #[serde(default)]
    pub integrations: Vec<IntegrationSeed>,
}

/// A post-call integration of an agent, as the dashboard sets it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct IntegrationSeed {
    /// Its name (shown in the dashboard's Integration Logs).
    #[serde(default)]
    pub name: String,
    /// Where to send it; `{{key}}` placeholders take the call trigger data's values
    /// (`{{phone_number}}`, `{{person_name}}`, a campaign contact's variables), unresolved ones
    /// are left as they are.
    pub url: String,
    /// `POST` (the default), `PUT` or `PATCH` send the body; `GET` and `DELETE` send none.
    #[serde(default = "post")]
    pub method: String,
    /// Custom headers (an `Authorization` for your endpoint ...); `Content-Type:
    /// application/json` is always set.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Only active integrations fire.
    #[serde(default = "yes")]
    pub active: bool,
}

fn post() -> String {
    "POST".into()
}

/// A campaign of the seed.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct CampaignSeed {
    /// Its numeric id.
    pub id: i64,
    /// Its name.
    pub name: String,
}

/// The simulator's configuration. See the [module docs](self).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default)]
pub struct Config {
    /// Accepted API tokens (16 characters each).
    pub tokens: Vec<String>,
    /// The agents of the account.
    pub agents: Vec<AgentSeed>,
    /// The campaigns of the account.
    pub campaigns: Vec<CampaignSeed>,
    /// Scripted outcomes by phone number (digits as sent, or E.164): `picked`, `not_picked`,
    /// `busy`, `failed` or `voicemail`. Other numbers get a random outcome from `seed`.
    pub outcomes: BTreeMap<String, String>,
    /// Seed of the random outcomes and ids; the same seed replays the same run.
    pub seed: u64,
    /// Simulated seconds a call rings before its outcome.
    pub ring_seconds: u64,
    /// Simulated seconds an answered call lasts.
    pub talk_seconds: u64,
    /// Simulated seconds between two calls of a campaign queue.
    pub campaign_spacing_seconds: u64,
    /// Simulated seconds before a placed call appears in `GET /v1/calls` (default 0; the docs
    /// do not say how soon a call is listed). `GET /v1/call/{id}` finds it at once.
    pub call_list_delay_seconds: u64,
    /// Faults to inject (none by default); see [`crate::faults`].
    pub faults: crate::faults::Faults,
}

fn yes() -> bool {
    true
}

/// The token of the built-in seed.
pub const DEFAULT_TOKEN: &str = "sim0123456789abc";

impl Default for Config {
    fn default() -> Self {
        let agent = |id: &str, name: &str, active| AgentSeed {
            agent_id: id.into(),
            name: name.into(),
            active,
            integrations: Vec::new(),
        };
        Config {
            tokens: vec![DEFAULT_TOKEN.into()],
            agents: vec![
                agent(
                    "agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og",
                    "Appointment Reminder",
                    true,
                ),
                agent("agent_x9KpL2Mn_41Tg83YWQNca-B_pe", "Support Line", true),
                agent("agent_Qw7Er5Ty_12Ui34OPasd-F_gh", "Lead Qualifier", true),
                agent("agent_Zx8Cv6Bn_90Mm12LKjhg-D_sa", "Retired Agent", false),
            ],
            campaigns: vec![CampaignSeed {
                id: 7,
                name: "June Renewals".into(),
            }],
            outcomes: BTreeMap::new(),
            seed: 7,
            ring_seconds: 2,
            talk_seconds: 20,
            campaign_spacing_seconds: 1,
            call_list_delay_seconds: 0,
            faults: crate::faults::Faults::default(),
        }
    }
}

impl Config {
    /// Reads a JSON config file; missing fields keep their defaults.
    pub fn from_file(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The first token, for printing and for in-process clients.
    pub fn token(&self) -> &str {
        self.tokens.first().map_or(DEFAULT_TOKEN, String::as_str)
    }
}
