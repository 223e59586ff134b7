//! The answer types of the campaigns resource: what an upload stored ([`ContactsAdded`]),
//! its progress ([`UploadProgress`]), and a campaign's status ([`CampaignStatus`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use osvi_generated::spec::enums;
use osvi_generated::types;
use serde_json::{Map, Value};

use crate::calls::model::CallStatus;
use crate::lenient::Unreadable;
use crate::macros::string_enum;
use crate::wire::FromWire;

string_enum! {
    /// Whether a campaign is calling.
    pub enum CampaignState {
        /// Calling its contacts.
        Active = enums::campaign_info_status::ACTIVE,
        /// Paused (value assumed: the docs show only `active`).
        Inactive = enums::campaign_info_status::INACTIVE,
    }
}

/// The answer to [`AddContacts::send`](super::AddContacts::send): the counts of every request of the upload, added up.
///
/// A count is `None` when it is unknown: a server answer left it out, or an answer to one of
/// the requests was accepted (`2xx`) but could not be read. Such contacts were stored; only
/// their counts are missing.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct ContactsAdded {
    /// The uploads the contacts were stored under, one per request (10,000 contacts each)
    /// whose answer named one.
    pub campaign_upload_ids: Vec<i64>,
    /// Contacts in the requests.
    pub contacts_received: Option<i64>,
    /// Contacts stored.
    pub contacts_accepted: Option<i64>,
    /// Duplicates dropped.
    pub duplicates_removed: Option<i64>,
    /// Whether the contacts were released to the calling queue (by every request).
    pub enqueued: Option<bool>,
    /// Calls queued.
    pub queued_calls: Option<i64>,
    /// Contacts skipped because their number is on the agent's DND list. Their shape is not
    /// documented, so each is kept as the JSON the server sent.
    pub dnd_skipped: Vec<Value>,
    /// Fields that arrived in a form the SDK could not read as their type, by wire name
    /// (of the last request that had one), exactly as sent; their field
    /// is `None`. Empty for every answer in the documented forms.
    pub unreadable: Map<String, Value>,
}

impl FromWire<types::CampaignContactsResponseData> for ContactsAdded {
    fn from_wire(d: types::CampaignContactsResponseData) -> std::result::Result<Self, String> {
        let mut u = Unreadable::default();
        Ok(ContactsAdded {
            campaign_upload_ids: u
                .read("campaign_upload_id", d.campaign_upload_id)
                .into_iter()
                .collect(),
            contacts_received: u.read("contacts_received", d.contacts_received),
            contacts_accepted: u.read("contacts_accepted", d.contacts_accepted),
            duplicates_removed: u.read("duplicates_removed", d.duplicates_removed),
            enqueued: u.read("enqueued", d.enqueued),
            queued_calls: u.read("queued_calls", d.queued_calls),
            dnd_skipped: d.dnd_skipped.unwrap_or_default(),
            unreadable: u.into_map(),
        })
    }
}

impl ContactsAdded {
    /// The summary of a request that was accepted but whose answer could not be read.
    pub(crate) fn unknown() -> Self {
        ContactsAdded::default()
    }

    /// A request found stored as upload `id` by a lookup: its counts unknown.
    pub(crate) fn stored_as(id: i64) -> Self {
        ContactsAdded {
            campaign_upload_ids: vec![id],
            ..ContactsAdded::default()
        }
    }

    /// Adds the counts of a later request of the same upload; unknown stays unknown.
    pub(crate) fn merge(&mut self, part: ContactsAdded, first: bool) {
        fn sum(a: Option<i64>, b: Option<i64>) -> Option<i64> {
            a.zip(b).map(|(a, b)| a + b)
        }
        if first {
            *self = part;
            return;
        }
        self.campaign_upload_ids.extend(part.campaign_upload_ids);
        self.contacts_received = sum(self.contacts_received, part.contacts_received);
        self.contacts_accepted = sum(self.contacts_accepted, part.contacts_accepted);
        self.duplicates_removed = sum(self.duplicates_removed, part.duplicates_removed);
        self.enqueued = match (self.enqueued, part.enqueued) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        };
        self.queued_calls = sum(self.queued_calls, part.queued_calls);
        self.dnd_skipped.extend(part.dnd_skipped);
        self.unreadable.extend(part.unreadable);
    }
}

/// Progress of a campaign upload, reported after each request by
/// [`AddContacts::on_progress`](super::AddContacts::on_progress).
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadProgress {
    /// Contacts stored so far.
    pub contacts_sent: usize,
    /// Contacts in the whole upload; `None` for an upload from an iterator or stream.
    pub contacts_total: Option<usize>,
    /// Requests done so far.
    pub requests_done: usize,
    /// Requests the upload takes; `None` for an upload from an iterator or stream.
    pub requests_total: Option<usize>,
}

/// A campaign's progress snapshot.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CampaignStatus {
    /// The campaign's id.
    pub id: Option<i64>,
    /// Its name.
    pub name: Option<String>,
    /// Active or not.
    pub state: Option<CampaignState>,
    /// Whether unanswered calls are retried.
    pub is_retry_enabled: Option<bool>,
    /// Maximum attempts per contact.
    pub retry_threshold: Option<i64>,
    /// Delay between attempts (seconds, assumed unit).
    pub retry_delay: Option<i64>,
    /// When the campaign was created.
    pub created_at: Option<DateTime<Utc>>,
    /// Calls placed so far.
    pub calls_total: Option<i64>,
    /// Calls per outcome.
    pub calls_by_status: HashMap<CallStatus, i64>,
    /// Every contact upload, with its calling queues.
    pub uploads: Vec<CampaignUpload>,
    /// Fields that arrived in a form the SDK could not read as their type, by wire name
    /// (nested ones by their path, e.g. `uploads.0.created_at`), exactly as sent; their field
    /// is `None`. Empty for every answer in the documented forms.
    pub unreadable: Map<String, Value>,
}

impl CampaignStatus {
    /// Whether every queue of every upload is complete (a queue whose state the answer left
    /// out is not).
    pub fn is_drained(&self) -> bool {
        self.uploads
            .iter()
            .flat_map(|u| &u.queues)
            .all(|q| q.completed == Some(true))
    }
}

/// One contact upload of a campaign.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CampaignUpload {
    /// The upload's id.
    pub campaign_upload_id: Option<i64>,
    /// The stored file name (API uploads look like `1718000000-api_contacts_....csv`).
    pub file_name: Option<String>,
    /// The agent calling these contacts.
    pub agent_uuid: Option<String>,
    /// When the upload was made.
    pub created_at: Option<DateTime<Utc>>,
    /// Its calling queues.
    pub queues: Vec<CampaignQueue>,
}

/// A calling queue of an upload.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CampaignQueue {
    /// The agent of the queue.
    pub agent_uuid: Option<String>,
    /// Contacts queued.
    pub total_queued: Option<i64>,
    /// Whether the queue is done (`None` when the answer did not say).
    pub completed: Option<bool>,
}

impl FromWire<types::CampaignStatus> for CampaignStatus {
    fn from_wire(s: types::CampaignStatus) -> std::result::Result<Self, String> {
        let campaign = s.campaign.unwrap_or_default();
        let calls = s.calls.unwrap_or_default();
        let mut u = Unreadable::default();
        let uploads = s.uploads.unwrap_or_default().into_iter().enumerate();
        let uploads = uploads
            .map(|(i, upload)| self::upload(&mut u, i, upload))
            .collect();
        Ok(CampaignStatus {
            id: u.read("campaign.id", campaign.id),
            name: u.read("campaign.name", campaign.name),
            state: u
                .read::<String, String>("campaign.status", campaign.status)
                .map(CampaignState::from),
            is_retry_enabled: u.read("campaign.is_retry_enabled", campaign.is_retry_enabled),
            retry_threshold: u.read("campaign.retry_threshold", campaign.retry_threshold),
            retry_delay: u.read("campaign.retry_delay", campaign.retry_delay),
            created_at: u.read("campaign.created_at", campaign.created_at),
            calls_total: u.read("calls.total", calls.total),
            calls_by_status: calls
                .by_status
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(status, count)| {
                    let count = u.read(&format!("calls.by_status.{status}"), Some(count))?;
                    Some((CallStatus::from(status), count))
                })
                .collect(),
            uploads,
            unreadable: u.into_map(),
        })
    }
}

/// Upload `i` of a campaign status, its unreadable fields kept under `uploads.{i}.`.
fn upload(u: &mut Unreadable, i: usize, upload: types::CampaignUpload) -> CampaignUpload {
    let at = |field: &str| format!("uploads.{i}.{field}");
    let queues = upload.queues.unwrap_or_default().into_iter().enumerate();
    let queues = queues.map(|(j, q)| {
        let at = |field: &str| format!("uploads.{i}.queues.{j}.{field}");
        CampaignQueue {
            agent_uuid: u.read(&at("agent_uuid"), q.agent_uuid),
            total_queued: u.read(&at("total_queued"), q.total_queued),
            completed: u.read(&at("completed"), q.completed),
        }
    });
    let queues = queues.collect();
    CampaignUpload {
        campaign_upload_id: u.read(&at("campaign_upload_id"), upload.campaign_upload_id),
        file_name: u.read(&at("file_name"), upload.file_name),
        agent_uuid: u.read(&at("agent_uuid"), upload.agent_uuid),
        created_at: u.read(&at("created_at"), upload.created_at),
        queues,
    }
}
