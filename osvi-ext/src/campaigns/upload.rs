//! Sending contacts to a campaign: the settings every upload builder carries ([`Upload`]) and
//! the loop that sends requests of at most 10,000 contacts in order, merges their summaries,
//! settles an uncertain request before going on, reports progress and stops on its signal.
//! `AddContacts` feeds it a list checked in full beforehand;
//! `StreamContacts` feeds it chunks as they are read.

use std::sync::Arc;

use futures::future::{BoxFuture, Shared};
use futures::{FutureExt, Stream, StreamExt};
use osvi_generated::spec::operations;
use osvi_generated::types;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::retry::ReconcilePolicy;
use crate::validate;

use super::contact::Contact;
use super::model::{ContactsAdded, UploadProgress};
use super::reconcile;

/// What an upload sends to and how: the settings of its builder.
#[derive(Clone)]
pub(super) struct Upload {
    pub(super) client: Client,
    pub(super) campaign_id: i64,
    pub(super) agent_uuid: String,
    pub(super) enqueue: bool,
    pub(super) on_progress: Option<Arc<dyn Fn(UploadProgress) + Send + Sync>>,
    pub(super) reconcile: Option<ReconcilePolicy>,
    pub(super) stop: Option<Shared<BoxFuture<'static, ()>>>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("campaign_id", &self.campaign_id)
            .field("agent_uuid", &self.agent_uuid)
            .field("enqueue", &self.enqueue)
            .finish()
    }
}

impl Upload {
    /// An upload of `agent_uuid`'s contacts to `campaign_id`, every setting at its default.
    pub(super) fn new(client: Client, agent_uuid: String, campaign_id: i64) -> Upload {
        Upload {
            client,
            campaign_id,
            agent_uuid,
            enqueue: false,
            on_progress: None,
            reconcile: None,
            stop: None,
        }
    }

    /// The request body of one chunk of contacts.
    pub(super) fn body(&self, chunk: &[Contact]) -> types::CampaignContactsRequest {
        types::CampaignContactsRequest {
            agent_uuid: self.agent_uuid.clone(),
            contacts: chunk.iter().map(Contact::to_wire).collect(),
            enqueue: self.enqueue,
        }
    }

    /// Sends `chunks` (each at most 10,000 contacts, or the error that ends the upload before
    /// that chunk is sent) in order; `total` is the number of contacts when known.
    pub(super) async fn run<C: AsRef<[Contact]>>(
        &self,
        chunks: impl Stream<Item = Result<C>>,
        total: Option<usize>,
    ) -> Result<ContactsAdded> {
        let requests_total = total.map(|t| t.div_ceil(validate::MAX_CONTACTS_PER_REQUEST));
        let several = requests_total.is_none_or(|n| n > 1);
        let mut summary = ContactsAdded::default();
        let mut stored = 0;
        let mut chunks = std::pin::pin!(chunks.enumerate());
        while let Some((index, chunk)) = chunks.next().await {
            let ended = |error: Error, summary: ContactsAdded| match stored {
                0 => error,
                _ => Error::PartialUpload {
                    stored,
                    summary: Box::new(summary),
                    source: Box::new(error),
                },
            };
            if self.stopped() {
                return Err(ended(Error::Stopped, summary));
            }
            let chunk = match chunk {
                Ok(chunk) => chunk,
                Err(error) => return Err(ended(error, summary)),
            };
            let chunk = chunk.as_ref();
            let part = match self.send(chunk, &summary).await {
                Ok(part) => part,
                // Stored, but the answer could not be read: carry on, with unknown counts.
                Err(Error::AcceptedButUnreadable { .. }) if several => ContactsAdded::unknown(),
                Err(error) => return Err(ended(error, summary)),
            };
            summary.merge(part, index == 0);
            stored += chunk.len();
            if let Some(report) = &self.on_progress {
                report(UploadProgress {
                    contacts_sent: stored,
                    contacts_total: total,
                    requests_done: index + 1,
                    requests_total,
                });
            }
        }
        Ok(summary)
    }

    /// Sends one chunk; an uncertain failure is settled by a lookup in the campaign status
    /// (found: stored, counts unknown).
    async fn send(&self, chunk: &[Contact], summary: &ContactsAdded) -> Result<ContactsAdded> {
        // One request's wire contacts exist at a time: built for each attempt (the
        // generated method takes the body by value), never kept for a retry.
        let api = self
            .client
            .api(&operations::ADD_CAMPAIGN_CONTACTS)
            .body_flag(self.enqueue);
        let sent_at = chrono::Utc::now();
        let sent = api
            .run(|| {
                api.raw()
                    .add_campaign_contacts()
                    .id(self.campaign_id)
                    .body(self.body(chunk))
                    .send()
            })
            .await;
        match sent {
            Err(error) if !matches!(error, Error::AcceptedButUnreadable { .. }) => {
                let policy = self.reconcile.unwrap_or(self.client.reconcile);
                let lookup = reconcile::Chunk {
                    campaign_id: self.campaign_id,
                    agent_uuid: &self.agent_uuid,
                    sent: sent_at,
                    known: &summary.campaign_upload_ids,
                };
                let upload = reconcile::settle(&self.client, policy, lookup, error).await?;
                Ok(ContactsAdded::stored_as(upload))
            }
            other => other,
        }
    }

    /// Whether the stop signal has resolved.
    fn stopped(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|signal| signal.clone().now_or_never().is_some())
    }
}

/// The builder methods every upload has, on `$builder` (which holds an `upload: Upload`).
macro_rules! upload_settings {
    ($builder:ident) => {
        impl $builder {
            /// Releases the contacts to the agent's calling queue at once (default `false`).
            /// The agent needs an active outbound trunk.
            pub fn enqueue(mut self, enqueue: bool) -> Self {
                self.upload.enqueue = enqueue;
                self
            }

            /// How an uncertain request of this upload is settled, instead of the client's
            /// [`ReconcilePolicy`](crate::ReconcilePolicy) (its `resend_if_absent` does not
            /// apply to uploads: a request found not stored is returned as
            /// [`Error::NotStored`](crate::Error::NotStored), for you to send again).
            pub fn reconcile_policy(mut self, policy: crate::ReconcilePolicy) -> Self {
                self.upload.reconcile = Some(policy);
                self
            }

            /// Stops the upload between two requests once `signal` has resolved (e.g. on
            /// Ctrl-C): the request in flight finishes as usual, no later one is sent, and the
            /// result is [`Error::PartialUpload`](crate::Error::PartialUpload) with
            /// [`Error::Stopped`](crate::Error::Stopped) as its source (or `Error::Stopped`
            /// itself when nothing was sent yet), so you know exactly which contacts were
            /// stored. To abandon the request in flight too, drop the future instead; its
            /// contacts may then have been stored or not.
            pub fn stop_when(
                mut self,
                signal: impl std::future::Future<Output = ()> + Send + 'static,
            ) -> Self {
                use futures::FutureExt;
                self.upload.stop = Some(signal.boxed().shared());
                self
            }

            /// Calls `report` after each request with the progress so far.
            pub fn on_progress(
                mut self,
                report: impl Fn(crate::campaigns::model::UploadProgress) + Send + Sync + 'static,
            ) -> Self {
                self.upload.on_progress = Some(std::sync::Arc::new(report));
                self
            }
        }
    };
}
pub(super) use upload_settings;
