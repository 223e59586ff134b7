//! Campaigns: contact uploads (normalized, de-duplicated, DND skipped, optionally enqueued
//! as calls) and the status counts.

use std::collections::HashMap;

use osvi_generated::spec::enums::{call_status, campaign_info_status};
use osvi_generated::spec::rules;
use osvi_generated::types;
use serde_json::{Map, Value};

use super::account::*;

/// The most contacts one campaign request takes (the spec's `maxItems`).
const MAX_CONTACTS: usize =
    osvi_generated::limit(rules::campaign_contacts_request::CONTACTS.max_items);

impl State {
    // ------------------------------------------------------------ campaigns

    pub(crate) fn add_contacts(
        &mut self,
        campaign_id: i64,
        request: &types::CampaignContactsRequest,
    ) -> Outcome<types::CampaignContactsResponseData> {
        if !self.campaigns.contains_key(&campaign_id) {
            return Err(Failure::NotFound("Campaign not found".into()));
        }
        let agent_name = self.active_agent(&request.agent_uuid, Failure::Forbidden)?;
        if request.contacts.len() > MAX_CONTACTS {
            return Err(Failure::Unprocessable(vec![format!(
                "at most {MAX_CONTACTS} contacts per request"
            )]));
        }
        // Normalize and de-duplicate, keeping the longer person_name.
        let mut unique: Vec<(String, types::CampaignContact)> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        let mut invalid = 0;
        for contact in &request.contacts {
            // A number the API cannot normalize is not stored (the docs do not say more).
            let Some(e164) = loose_e164(&contact.phone) else {
                invalid += 1;
                self.skipped.push(SkippedContact {
                    campaign_id,
                    phone: contact.phone.clone(),
                    reason: SkippedContact::NOT_A_NUMBER,
                });
                continue;
            };
            match position.get(&e164) {
                Some(&at) => {
                    let kept = &mut unique[at].1;
                    let longer = contact.person_name.as_ref().map_or(0, String::len)
                        > kept.person_name.as_ref().map_or(0, String::len);
                    if longer {
                        kept.person_name = contact.person_name.clone();
                    }
                }
                None => {
                    position.insert(e164.clone(), unique.len());
                    unique.push((e164, contact.clone()));
                }
            }
        }
        let received = request.contacts.len() as i64;
        let duplicates = received - invalid - unique.len() as i64;
        let (skipped, accepted): (Vec<_>, Vec<_>) = unique
            .into_iter()
            .partition(|(e164, _)| self.on_dnd(&request.agent_uuid, e164));
        self.skipped
            .extend(skipped.iter().map(|(_, contact)| SkippedContact {
                campaign_id,
                phone: contact.phone.clone(),
                reason: SkippedContact::ON_DND,
            }));
        let now = self.now();
        let upload_id = self.next_id();
        let mut call_ids = Vec::new();
        if request.enqueue {
            for (i, (e164, contact)) in accepted.iter().enumerate() {
                let spacing = (i as u64).saturating_mul(self.config.campaign_spacing_seconds);
                let call = CallRecord {
                    id: self.uuid(),
                    agent_uuid: request.agent_uuid.clone(),
                    agent_name: agent_name.clone(),
                    outcome: self.outcome_for(&contact.phone, e164),
                    phone: e164.clone(),
                    person_name: contact.person_name.clone(),
                    greeting: None,
                    extraction: Vec::new(),
                    webhook_url: None,
                    trigger_data: trigger_data(
                        &contact.phone,
                        contact.person_name.as_deref(),
                        contact.extra.clone(),
                    ),
                    campaign_id: Some(campaign_id),
                    upload_id: Some(upload_id),
                    created_at: now,
                    starts_at: later(now, seconds(spacing)),
                    ring_seconds: seconds(self.config.ring_seconds),
                    talk_seconds: seconds(self.config.talk_seconds),
                    finished: false,
                };
                call_ids.push(self.insert_call(call));
            }
        }
        let file_name = format!(
            "{}-api_contacts_{:016x}.csv",
            now.timestamp(),
            self.rng.u64(..)
        );
        if let Some(campaign) = self.campaigns.get_mut(&campaign_id) {
            campaign.uploads.push(UploadRecord {
                contacts: accepted.len(),
                id: upload_id,
                agent_uuid: request.agent_uuid.clone(),
                file_name,
                created_at: now,
                call_ids: call_ids.clone(),
            });
        }
        Ok(types::CampaignContactsResponseData {
            campaign_upload_id: Some(upload_id.into()),
            contacts_received: Some(received.into()),
            contacts_accepted: Some((accepted.len() as i64).into()),
            duplicates_removed: Some(duplicates.into()),
            enqueued: Some(request.enqueue.into()),
            queued_calls: Some((call_ids.len() as i64).into()),
            dnd_skipped: skipped
                .into_iter()
                .map(|(e164, c)| {
                    // The skipped contact, as sent but with its normalized number.
                    let contact = types::CampaignContact { phone: e164, ..c };
                    serde_json::to_value(contact).unwrap_or_else(|_| Value::Object(Map::new()))
                })
                .collect::<Vec<_>>()
                .into(),
        })
    }

    pub(crate) fn campaign_status(&self, campaign_id: i64) -> Outcome<types::CampaignStatus> {
        let campaign = self
            .campaigns
            .get(&campaign_id)
            .ok_or_else(|| Failure::NotFound("Campaign not found".into()))?;
        let now = self.now();
        let mut by_status: HashMap<String, i64> = HashMap::new();
        let mut total = 0;
        for call in self
            .calls
            .iter()
            .filter(|c| c.campaign_id == Some(campaign_id))
        {
            total += 1;
            *by_status.entry(call.status(now).to_string()).or_default() += 1;
        }
        let uploads = campaign
            .uploads
            .iter()
            .map(|u| {
                let completed = u
                    .call_ids
                    .iter()
                    .filter_map(|id| self.call(id).ok())
                    .all(|c| c.status(now) != call_status::IN_PROGRESS);
                types::CampaignUpload {
                    campaign_upload_id: Some(u.id.into()),
                    file_name: Some(u.file_name.clone().into()),
                    agent_uuid: Some(u.agent_uuid.clone().into()),
                    created_at: Some(u.created_at.into()),
                    queues: Some(vec![types::CampaignQueue {
                        agent_uuid: Some(u.agent_uuid.clone().into()),
                        total_queued: Some((u.call_ids.len() as i64).into()),
                        completed: Some(completed.into()),
                    }]),
                }
            })
            .collect::<Vec<_>>()
            .into();
        Ok(types::CampaignStatus {
            campaign: Some(types::CampaignInfo {
                id: Some(campaign_id.into()),
                name: Some(campaign.name.clone().into()),
                status: Some(campaign_info_status::ACTIVE.into()),
                is_retry_enabled: Some(false.into()),
                retry_threshold: Some(1.into()),
                retry_delay: Some(1800.into()),
                created_at: Some(campaign.created_at.into()),
            }),
            calls: Some(types::CampaignStatusCalls {
                total: Some(total.into()),
                by_status: Some(by_status.into_iter().map(|(k, v)| (k, v.into())).collect()),
            }),
            uploads,
        })
    }
}
