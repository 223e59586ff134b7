//! Do-not-disturb lists: the numbers an agent must never call.
//!
//! Each agent has its own list. Changes reach the calling engine at once, in-flight campaigns
//! included. Numbers may be given as `9876543210` or `+919876543210`; OSVI stores them as
//! E.164 (bare 10-digit numbers are taken as Indian).
//!
//! ```no_run
//! # async fn run(client: osvi_ext::Client) -> osvi_ext::Result<()> {
//! let agent = "agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og";
//! let entry = client.dnd().add(agent, "9876543210").reason("customer opted out").send().await?;
//! println!("blocked {}", entry.phone);
//! let blocked = client.dnd().list(agent).search("98765").collect_all().await?;
//! client.dnd().remove(agent, "9876543210").await?;
//! # Ok(()) }
//! ```
//!
//! Runnable example (add, list, remove), against the simulator without `OSVI_API_TOKEN`:
//! [`examples/dnd.rs`](https://github.com/osvi-ai/osvi-rust/blob/main/osvi-ext/examples/dnd.rs),
//! `cargo run -p osvi-ext --example dnd`.

use chrono::{DateTime, Utc};
use osvi_generated::spec::{operations, rules};
use osvi_generated::types;
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::Result;
use crate::lenient::Unreadable;
use crate::macros::awaitable;
use crate::pagination::{ListRequest, Page, Paging, list_methods};
use crate::validate;
use crate::wire::FromWire;

/// One number on an agent's DND list.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DndEntry {
    /// The entry's id.
    pub id: Option<i64>,
    /// The agent whose list holds the number.
    pub agent_uuid: Option<String>,
    /// The number, E.164.
    pub phone: String,
    /// Your note, if you gave one.
    pub reason: Option<String>,
    /// When the number was added.
    pub created_at: Option<DateTime<Utc>>,
    /// Fields that arrived in a form the SDK could not read as their type (a timestamp in an
    /// unknown format, a word where a number belongs), by wire name, exactly as sent; their
    /// field above is `None`. Empty for every answer in the documented forms.
    pub unreadable: Map<String, Value>,
}

impl FromWire<types::DndNumber> for DndEntry {
    fn from_wire(d: types::DndNumber) -> std::result::Result<Self, String> {
        let mut u = Unreadable::default();
        Ok(DndEntry {
            id: u.read("id", d.id),
            agent_uuid: u.read("agent_uuid", d.agent_uuid),
            phone: d.phone,
            reason: u.read("reason", d.reason),
            created_at: u.read("created_at", d.created_at),
            unreadable: u.into_map(),
        })
    }
}

/// The DND resource: `client.dnd()`.
#[derive(Debug, Clone, Copy)]
pub struct Dnd<'a> {
    client: &'a Client,
}

impl Client {
    /// Do-not-disturb lists. See [`crate::dnd`].
    pub fn dnd(&self) -> Dnd<'_> {
        Dnd { client: self }
    }
}

impl Dnd<'_> {
    /// Adds `phone` to the DND list of `agent_uuid`; [`AddDnd::send`] sends it.
    pub fn add(&self, agent_uuid: impl Into<String>, phone: impl Into<String>) -> AddDnd {
        AddDnd {
            client: self.client.clone(),
            agent_uuid: agent_uuid.into(),
            phone: phone.into(),
            reason: None,
        }
    }

    /// Lists the DND entries of `agent_uuid`.
    pub fn list(&self, agent_uuid: impl Into<String>) -> ListDnd {
        ListDnd {
            client: self.client.clone(),
            agent_uuid: agent_uuid.into(),
            search: None,
            paging: Paging::default(),
        }
    }

    /// Removes `phone` from the DND list of `agent_uuid`: the agent may call it again.
    pub fn remove(&self, agent_uuid: impl Into<String>, phone: impl Into<String>) -> RemoveDnd {
        RemoveDnd {
            client: self.client.clone(),
            agent_uuid: agent_uuid.into(),
            phone: phone.into(),
        }
    }
}

/// Request of `DELETE /v1/dnd_numbers`, from [`Dnd::remove`]: await it, or call
/// [`send`](RemoveDnd::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct RemoveDnd {
    client: Client,
    agent_uuid: String,
    phone: String,
}

impl RemoveDnd {
    /// Validates and removes the number.
    pub async fn send(self) -> Result<()> {
        use rules::remove_dnd_number as rule;
        validate::string("agent_uuid", &self.agent_uuid, &rule::AGENT_UUID)?;
        // The docs show the API's own 400 for an empty number ("param is missing or the
        // value is empty: phone"); its format is the API's to judge (it normalizes many).
        validate::non_empty("phone", &self.phone)?;
        let api = self.client.api(&operations::REMOVE_DND_NUMBER);
        api.run(|| {
            api.raw()
                .remove_dnd_number()
                .agent_uuid(self.agent_uuid.as_str())
                .phone(self.phone.as_str())
                .send()
        })
        .await
    }
}

awaitable!(
    RemoveDnd: send => (),
    AddDnd: send => DndEntry,
);

/// Builder of `POST /v1/dnd_numbers`, from [`Dnd::add`].
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct AddDnd {
    client: Client,
    agent_uuid: String,
    phone: String,
    reason: Option<String>,
}

impl AddDnd {
    /// A note for your own records (e.g. `customer opted out`).
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Validates and adds the number; returns the stored entry.
    pub async fn send(self) -> Result<DndEntry> {
        use rules::dnd_number_request as rule;
        validate::string("agent_uuid", &self.agent_uuid, &rule::AGENT_UUID)?;
        // The docs show the API's own 400 for an empty number ("param is missing or the
        // value is empty: phone"); its format is the API's to judge (it normalizes many).
        validate::non_empty("phone", &self.phone)?;
        let body = types::DndNumberRequest {
            agent_uuid: self.agent_uuid,
            phone: self.phone,
            reason: self.reason,
        };
        let api = self.client.api(&operations::ADD_DND_NUMBER);
        api.run(|| api.raw().add_dnd_number().body(body.clone()).send())
            .await
    }
}

/// Builder of `GET /v1/dnd_numbers`, from [`Dnd::list`]. Await it (or
/// [`send`](ListDnd::send)) for the first page, read one page with [`page`](ListDnd::page),
/// every entry lazily with [`stream`](ListDnd::stream), or all at once with
/// [`collect_all`](ListDnd::collect_all).
#[derive(Debug, Clone)]
#[must_use = "nothing is fetched until you .await it (the first page), or call .page(), .stream() or .collect_all()"]
pub struct ListDnd {
    client: Client,
    agent_uuid: String,
    search: Option<String>,
    paging: Paging,
}

impl ListDnd {
    /// Only numbers containing these digits.
    pub fn search(mut self, digits: impl Into<String>) -> Self {
        self.search = Some(digits.into());
        self
    }
}

list_methods!(ListDnd => DndEntry);

impl ListRequest for ListDnd {
    type Item = DndEntry;

    fn paging(&self) -> Paging {
        self.paging
    }

    fn check(&self) -> Result<()> {
        let rule = &rules::list_dnd_numbers::AGENT_UUID;
        validate::string("agent_uuid", &self.agent_uuid, rule)
    }

    async fn fetch(&self, page: u32) -> Result<Page<DndEntry>> {
        let api = self.client.api(&operations::LIST_DND_NUMBERS);
        api.run(|| {
            let mut request = api
                .raw()
                .list_dnd_numbers()
                .agent_uuid(self.agent_uuid.as_str())
                .page(i64::from(page));
            if let Some(per_page) = self.paging.per_page {
                request = request.per_page(i64::from(per_page));
            }
            if let Some(search) = &self.search {
                request = request.search(search.as_str());
            }
            request.send()
        })
        .await
    }
}
