//! Settling an uncertain request of a contact upload: before anything is resent, look for
//! the upload it would have made in the campaign status (`uploads[]`: a new upload by the
//! same agent, created at or after the request was sent, less the clock-skew margin), for
//! the [`ReconcilePolicy`]'s window. Found, the request's contacts were stored; absent, they
//! were not ([`Error::NotStored`]); where the status cannot tell (several new uploads, or
//! failing lookups), the error says so ([`Error::AmbiguousPlacement`],
//! [`Error::Unreconciled`]). The counts of a found upload are unknown: the status lists
//! queues, not what the request's answer would have said.

use chrono::{DateTime, Utc};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::polling::{Found, look_up};
use crate::retry::ReconcilePolicy;

/// One request of an upload whose outcome is being settled.
#[derive(Debug, Clone, Copy)]
pub(super) struct Chunk<'a> {
    /// The campaign.
    pub(super) campaign_id: i64,
    /// The agent the contacts were given to.
    pub(super) agent_uuid: &'a str,
    /// When the request was first sent.
    pub(super) sent: DateTime<Utc>,
    /// The uploads this upload already made (not candidates).
    pub(super) known: &'a [i64],
}

/// Settles `error`, the failure of the request of `chunk`: the id of the upload it made, or
/// the error to return (`error` itself when it is not uncertain or `policy` is off).
pub(super) async fn settle(
    client: &Client,
    policy: ReconcilePolicy,
    chunk: Chunk<'_>,
    error: Error,
) -> Result<i64> {
    if !policy.is_enabled() || !error.is_uncertain() {
        return Err(error);
    }
    tracing::info!(
        operation = "add_campaign_contacts",
        error = error.kind(),
        status = error.status(),
        window_ms = policy.window.as_millis() as u64,
        "osvi contact upload uncertain, looking for its upload"
    );
    let since = policy.earliest(chunk.sent);
    let mut lookups = 0;
    let found = look_up(policy, &mut lookups, || new_uploads(client, chunk, since)).await;
    let outcome = found.outcome();
    tracing::info!(
        operation = "add_campaign_contacts",
        lookups,
        outcome,
        "osvi contact upload reconciled"
    );
    let cause = Box::new(error);
    match found {
        Found::One(upload) => Ok(upload),
        Found::Nothing => Err(Error::NotStored {
            cause,
            looked_for: policy.window,
        }),
        Found::Several(ids) => Err(Error::AmbiguousPlacement {
            cause,
            candidates: ids.iter().map(i64::to_string).collect(),
        }),
        Found::Failed(lookup) => Err(Error::Unreconciled {
            cause,
            lookup: Box::new(lookup),
        }),
    }
}

/// The ids of the campaign's uploads that may be the chunk's: by its agent (or of unknown
/// agent), created at or after `since` (or at an unknown time), not already known.
async fn new_uploads(client: &Client, chunk: Chunk<'_>, since: DateTime<Utc>) -> Result<Vec<i64>> {
    let status = client.campaigns().status(chunk.campaign_id).send().await?;
    let ids = status
        .uploads
        .iter()
        .filter(|u| {
            u.agent_uuid
                .as_deref()
                .is_none_or(|a| a == chunk.agent_uuid)
        })
        .filter(|u| u.created_at.is_none_or(|at| at >= since))
        .filter_map(|u| u.campaign_upload_id)
        .filter(|id| !chunk.known.contains(id))
        .collect();
    Ok(ids)
}
