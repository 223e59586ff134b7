//! Campaigns: push contacts into a campaign and follow its progress.
//!
//! Contacts are normalized by OSVI (Indian formats accepted) and de-duplicated, keeping the
//! longer `person_name`; extra keys of a contact become prompt variables (`{{plan}}`).
//!
//! ```no_run
//! use osvi_ext::campaigns::Contact;
//! # async fn run(client: osvi_ext::Client) -> osvi_ext::Result<()> {
//! let contacts = vec![
//!     Contact::new("9876543210").person_name("Ravi Kumar").variable("plan", "Pro"),
//!     Contact::new("+919876500000").person_name("Anita Desai"),
//! ];
//! let added = client
//!     .campaigns()
//!     .add_contacts("agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og", 7, contacts)
//!     .send()
//!     .await?;
//! // Counts are `None` when the answer left them out.
//! if let Some(accepted) = added.contacts_accepted {
//!     println!("{accepted} accepted");
//! }
//! let status = client.campaigns().status(7).await?;
//! println!("{} calls so far", status.calls_total.unwrap_or(0));
//! # Ok(()) }
//! ```
//!
//! Runnable example (an upload from an iterator with progress, then the campaign status), against the simulator without `OSVI_API_TOKEN`:
//! [`examples/campaign_upload.rs`](https://github.com/osvi-ai/osvi-rust/blob/main/osvi-ext/examples/campaign_upload.rs),
//! `cargo run -p osvi-ext --example campaign_upload`.

mod contact;
pub(crate) mod model;
mod reconcile;
mod upload;

use upload::{Upload, upload_settings};

pub use contact::Contact;
pub use model::{
    CampaignQueue, CampaignState, CampaignStatus, CampaignUpload, ContactsAdded, UploadProgress,
};

use futures::stream::BoxStream;
use futures::{Stream, StreamExt};

use osvi_generated::spec::{operations, rules};

use crate::client::Client;
use crate::error::Result;
use crate::macros::awaitable;
use crate::preview::RequestPreview;
use crate::validate;

/// The campaigns resource: `client.campaigns()`.
#[derive(Debug, Clone, Copy)]
pub struct Campaigns<'a> {
    client: &'a Client,
}

impl Client {
    /// Campaigns. See [`crate::campaigns`].
    pub fn campaigns(&self) -> Campaigns<'_> {
        Campaigns { client: self }
    }
}

impl Campaigns<'_> {
    /// Adds `contacts` (at least one, any number) to campaign `campaign_id`, to be called by
    /// `agent_uuid`. More than 10,000 contacts are sent as several requests, in order; see
    /// [`AddContacts::send`].
    pub fn add_contacts(
        &self,
        agent_uuid: impl Into<String>,
        campaign_id: i64,
        contacts: impl IntoIterator<Item = Contact>,
    ) -> AddContacts {
        AddContacts {
            upload: Upload::new(self.client.clone(), agent_uuid.into(), campaign_id),
            contacts: contacts.into_iter().collect(),
        }
    }

    /// Adds the contacts of `contacts` as they come (an iterator over a file, a database
    /// cursor ...), holding one request's worth (10,000) at a time, never the whole list; see
    /// [`StreamContacts::send`]. For an async source, see
    /// [`add_contacts_stream`](Campaigns::add_contacts_stream).
    pub fn add_contacts_iter<I>(
        &self,
        agent_uuid: impl Into<String>,
        campaign_id: i64,
        contacts: I,
    ) -> StreamContacts
    where
        I: IntoIterator<Item = Contact>,
        I::IntoIter: Send + 'static,
    {
        self.add_contacts_stream(agent_uuid, campaign_id, futures::stream::iter(contacts))
    }

    /// Adds the contacts of `contacts` as they come, holding one request's worth (10,000) at a
    /// time; see [`StreamContacts::send`].
    pub fn add_contacts_stream(
        &self,
        agent_uuid: impl Into<String>,
        campaign_id: i64,
        contacts: impl Stream<Item = Contact> + Send + 'static,
    ) -> StreamContacts {
        StreamContacts {
            upload: Upload::new(self.client.clone(), agent_uuid.into(), campaign_id),
            contacts: contacts.boxed(),
        }
    }

    /// Waits until every calling queue of the campaign is complete; see [`WaitForDrain`].
    pub fn wait_until_drained(&self, campaign_id: i64) -> WaitForDrain {
        WaitForDrain {
            client: self.client.clone(),
            campaign_id,
            interval: std::time::Duration::from_secs(15),
            deadline: std::time::Duration::from_secs(6 * 3600),
        }
    }

    /// The campaign's settings, call outcomes and queue progress. Cheap to poll.
    pub fn status(&self, campaign_id: i64) -> GetCampaignStatus {
        GetCampaignStatus {
            client: self.client.clone(),
            campaign_id,
        }
    }
}

/// Request of `GET /v1/campaigns/{id}/status`, from [`Campaigns::status`]: await it, or call
/// [`send`](GetCampaignStatus::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct GetCampaignStatus {
    client: Client,
    campaign_id: i64,
}

impl GetCampaignStatus {
    /// Sends the request.
    pub async fn send(self) -> Result<CampaignStatus> {
        let api = self.client.api(&operations::GET_CAMPAIGN_STATUS);
        api.run(|| api.raw().get_campaign_status().id(self.campaign_id).send())
            .await
    }
}

awaitable!(
    GetCampaignStatus: send => CampaignStatus,
    AddContacts: send => ContactsAdded,
    StreamContacts: send => ContactsAdded,
    WaitForDrain: run => CampaignStatus,
);

/// Builder of `POST /v1/campaigns/{id}/contacts`, from [`Campaigns::add_contacts`].
///
/// **Never dials twice.** With [`enqueue(true)`](AddContacts::enqueue) this places real phone
/// calls, so the SDK sends each request once: it is retried only when it provably never
/// reached the server (connection refused or DNS failure), whatever the
/// [`RetryPolicy`](crate::RetryPolicy). Without `enqueue` it is a plain write, retried only
/// when the policy opts in with [`RetryPolicy::retry_writes`](crate::RetryPolicy::retry_writes).
#[derive(Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct AddContacts {
    upload: Upload,
    contacts: Vec<Contact>,
}

impl std::fmt::Debug for AddContacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddContacts")
            .field("upload", &self.upload)
            .field("contacts", &self.contacts.len())
            .finish()
    }
}

upload_settings!(AddContacts);

impl AddContacts {
    /// Validates every contact (nothing is sent if one is wrong), then sends them in requests
    /// of at most 10,000, in order, and returns the merged summary.
    ///
    /// If a request fails after earlier ones succeeded, the error is
    /// [`Error::PartialUpload`](crate::Error::PartialUpload): the first `stored` contacts were stored (its `summary` says
    /// how), the rest were not, and can be sent again. If the first request fails, its own
    /// error is returned and nothing was stored.
    ///
    /// A request the server accepted (`2xx`) but whose answer could not be read stored its
    /// contacts: with one request that is [`Error::AcceptedButUnreadable`](crate::Error::AcceptedButUnreadable); with several, the
    /// upload carries on and the summary's counts are `None` (unknown).
    ///
    /// A request whose outcome is uncertain (a reset or timeout after sending, a 5xx or 429)
    /// is never resent blindly: the SDK first looks for the upload it would have made in the
    /// campaign status, as the [`ReconcilePolicy`](crate::ReconcilePolicy) says. Found, its contacts count as stored
    /// (their counts unknown) and the upload carries on; absent, the error is
    /// [`Error::NotStored`](crate::Error::NotStored) (inside [`Error::PartialUpload`](crate::Error::PartialUpload) after earlier requests), so the
    /// rest can be sent again; where the status cannot tell, [`Error::AmbiguousPlacement`](crate::Error::AmbiguousPlacement)
    /// or [`Error::Unreconciled`](crate::Error::Unreconciled).
    pub async fn send(self) -> Result<ContactsAdded> {
        self.check()?;
        let chunks = self
            .contacts
            .chunks(validate::MAX_CONTACTS_PER_REQUEST)
            .map(Ok);
        let total = Some(self.contacts.len());
        self.upload.run(futures::stream::iter(chunks), total).await
    }

    /// Validates as [`send`](AddContacts::send) does and returns the exact requests it would
    /// send (one per 10,000 contacts), without sending anything (a dry run).
    pub fn preview(&self) -> Result<Vec<RequestPreview>> {
        self.check()?;
        let id = [("id", self.upload.campaign_id.to_string())];
        self.contacts
            .chunks(validate::MAX_CONTACTS_PER_REQUEST)
            .map(|chunk| {
                let body = self.upload.body(chunk);
                RequestPreview::of(&operations::ADD_CAMPAIGN_CONTACTS, &id, &body)
            })
            .collect()
    }

    /// Checks the agent and every contact; nothing is sent when one is wrong.
    fn check(&self) -> Result<()> {
        use rules::campaign_contacts_request as rule;
        validate::string("agent_uuid", &self.upload.agent_uuid, &rule::AGENT_UUID)?;
        // `minItems` applies to the whole list (0 or not); `maxItems` is met by chunking.
        let some = self.contacts.len().min(1);
        validate::array("contacts", some, &rule::CONTACTS)?;
        for (i, contact) in self.contacts.iter().enumerate() {
            contact.check(i)?;
        }
        Ok(())
    }
}

/// A contact upload from an iterator or a stream, from
/// [`Campaigns::add_contacts_iter`] or [`Campaigns::add_contacts_stream`]: the contacts are
/// read 10,000 at a time, each batch checked and sent before the next is read, so memory
/// stays at one request's worth however long the source. Await it (or call
/// [`send`](StreamContacts::send)). The same rules as [`AddContacts`] apply to what is
/// retried and to uncertain requests.
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct StreamContacts {
    upload: Upload,
    contacts: BoxStream<'static, Contact>,
}

impl std::fmt::Debug for StreamContacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamContacts")
            .field("upload", &self.upload)
            .finish()
    }
}

upload_settings!(StreamContacts);

impl StreamContacts {
    /// Reads the contacts 10,000 at a time; checks each batch (an invalid contact is named by
    /// its index in the whole source, `contacts[123456].variables.phone`) and sends it, in
    /// order; returns the merged summary.
    ///
    /// **Unlike [`AddContacts::send`], the source is not checked in full first**: when a
    /// contact is invalid, the batches before its own were already sent and stored, and the
    /// error is [`Error::PartialUpload`](crate::Error::PartialUpload) whose `stored` says how many (its source is the
    /// [`Error::Validation`](crate::Error::Validation)); its own batch and the rest are not sent. A source that yields
    /// nothing is a validation error, and nothing is sent. The total is unknown, so
    /// [`UploadProgress::contacts_total`] is `None`, and a request accepted with an unreadable
    /// answer counts as stored with unknown counts (as in a multi-request [`AddContacts`]).
    pub async fn send(self) -> Result<ContactsAdded> {
        use rules::campaign_contacts_request as rule;
        validate::string("agent_uuid", &self.upload.agent_uuid, &rule::AGENT_UUID)?;
        let size = validate::MAX_CONTACTS_PER_REQUEST;
        let mut read = 0;
        let chunks = self.contacts.chunks(size).enumerate().map(|(k, chunk)| {
            for (i, contact) in chunk.iter().enumerate() {
                contact.check(k * size + i)?;
            }
            Ok(chunk)
        });
        let chunks = chunks.inspect(|chunk| {
            if let Ok(chunk) = chunk {
                read += chunk.len();
            }
        });
        let summary = self.upload.run(chunks, None).await?;
        if read == 0 {
            validate::array("contacts", 0, &rule::CONTACTS)?;
        }
        Ok(summary)
    }
}

/// Waiting for a campaign's queues to drain, from [`Campaigns::wait_until_drained`]: polls
/// the campaign status (every 15 s by default) until every queue of every upload is
/// complete, then resolves to that status. Gives up after 6 hours by default with
/// [`Error::Timeout`](crate::Error::Timeout), after a last poll at the deadline itself; a poll that fails
/// transiently (an unreadable answer, a timeout, a 5xx) is tried again within the deadline.
/// A campaign without uploads counts as drained.
#[derive(Debug, Clone)]
#[must_use = "nothing happens until the wait is awaited"]
pub struct WaitForDrain {
    client: Client,
    campaign_id: i64,
    interval: std::time::Duration,
    deadline: std::time::Duration,
}

impl WaitForDrain {
    /// The wait between polls (default 15 s).
    pub fn poll_interval(mut self, interval: std::time::Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Gives up after `deadline` (default 6 hours).
    pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
        self.deadline = deadline;
        self
    }

    async fn run(self) -> Result<CampaignStatus> {
        let schedule = crate::polling::Schedule {
            first: self.interval,
            factor: 1.0,
            max: self.interval,
            deadline: self.deadline,
        };
        let campaigns = self.client.campaigns();
        crate::polling::until(
            schedule,
            || campaigns.status(self.campaign_id).send(),
            CampaignStatus::is_drained,
            |status| {
                let pending = status
                    .uploads
                    .iter()
                    .flat_map(|u| &u.queues)
                    .filter(|q| q.completed != Some(true))
                    .count();
                format!(
                    "campaign {} still has {pending} queue(s) running",
                    self.campaign_id
                )
            },
        )
        .await
    }
}
