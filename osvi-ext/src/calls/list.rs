//! Listing calls: the [`ListCalls`] builder of `GET /v1/calls`, its filters and its
//! [`DateBound`]s, read one page at a time or as a stream.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use osvi_generated::spec::{operations, rules};

use crate::client::Client;
use crate::error::Result;
use crate::pagination::{ListRequest, Page, Paging, list_methods};
use crate::validate;

use super::model::{Call, CallStatus, CallType};

/// A bound of the date filter of [`ListCalls`]: a calendar date (which the API reads in IST)
/// or an instant. Built from a `chrono::NaiveDate` or any `chrono::DateTime`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBound {
    /// A calendar date, sent as `2026-06-01`; the API interprets it in IST.
    Date(NaiveDate),
    /// An instant, sent as RFC 3339.
    Instant(DateTime<FixedOffset>),
}

impl From<NaiveDate> for DateBound {
    fn from(date: NaiveDate) -> Self {
        DateBound::Date(date)
    }
}

impl<Tz: TimeZone> From<DateTime<Tz>> for DateBound {
    fn from(at: DateTime<Tz>) -> Self {
        DateBound::Instant(at.fixed_offset())
    }
}

impl std::fmt::Display for DateBound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DateBound::Date(date) => write!(f, "{}", date.format("%Y-%m-%d")),
            DateBound::Instant(at) => f.write_str(&at.to_rfc3339()),
        }
    }
}

/// Builder of `GET /v1/calls`, from [`Calls::list`](super::Calls::list). Await it (or [`send`](ListCalls::send))
/// for the first page, read one page with [`page`](ListCalls::page), every call lazily with
/// [`stream`](ListCalls::stream), or all at once with [`collect_all`](ListCalls::collect_all).
#[derive(Debug, Clone)]
#[must_use = "nothing is fetched until you .await it (the first page), or call .page(), .stream() or .collect_all()"]
pub struct ListCalls {
    client: Client,
    statuses: Vec<CallStatus>,
    agent_uuid: Option<String>,
    campaign_id: Option<i64>,
    campaign_upload_id: Option<i64>,
    phone_number: Option<String>,
    call_type: Option<CallType>,
    since: Option<DateBound>,
    until: Option<DateBound>,
    paging: Paging,
}

impl ListCalls {
    /// Every call of the account, no filter set.
    pub(super) fn new(client: Client) -> Self {
        ListCalls {
            client,
            statuses: Vec::new(),
            agent_uuid: None,
            campaign_id: None,
            campaign_upload_id: None,
            phone_number: None,
            call_type: None,
            since: None,
            until: None,
            paging: Paging::default(),
        }
    }

    /// Only calls with one of these outcomes (sent as a comma-separated list).
    pub fn status(mut self, statuses: impl IntoIterator<Item = CallStatus>) -> Self {
        self.statuses.extend(statuses);
        self
    }

    /// Only calls of this agent ([`NotFound`](crate::Error::NotFound) if it is not on
    /// your account).
    pub fn agent(mut self, agent_uuid: impl Into<String>) -> Self {
        self.agent_uuid = Some(agent_uuid.into());
        self
    }

    /// Only calls of this campaign.
    pub fn campaign(mut self, campaign_id: i64) -> Self {
        self.campaign_id = Some(campaign_id);
        self
    }

    /// Only calls from this contact upload of a campaign.
    pub fn campaign_upload(mut self, campaign_upload_id: i64) -> Self {
        self.campaign_upload_id = Some(campaign_upload_id);
        self
    }

    /// Only calls whose number contains these digits.
    pub fn phone_number(mut self, digits: impl Into<String>) -> Self {
        self.phone_number = Some(digits.into());
        self
    }

    /// Only inbound or only outbound calls.
    pub fn call_type(mut self, call_type: CallType) -> Self {
        self.call_type = Some(call_type);
        self
    }

    /// Only calls answered at or after this date or instant (`start_date`).
    pub fn since(mut self, bound: impl Into<DateBound>) -> Self {
        self.since = Some(bound.into());
        self
    }

    /// Only calls answered at or before this date or instant (`end_date`).
    pub fn until(mut self, bound: impl Into<DateBound>) -> Self {
        self.until = Some(bound.into());
        self
    }
}

list_methods!(ListCalls => Call);

impl ListRequest for ListCalls {
    type Item = Call;

    fn paging(&self) -> Paging {
        self.paging
    }

    fn check(&self) -> Result<()> {
        if let Some(agent) = &self.agent_uuid {
            validate::string("agent_uuid", agent, &rules::list_calls::AGENT_UUID)?;
        }
        Ok(())
    }

    async fn fetch(&self, page: u32) -> Result<Page<Call>> {
        let statuses = (!self.statuses.is_empty()).then(|| {
            let names: Vec<&str> = self.statuses.iter().map(CallStatus::as_str).collect();
            names.join(",")
        });
        let api = self.client.api(&operations::LIST_CALLS);
        api.run(|| {
            let mut request = api.raw().list_calls().page(i64::from(page));
            if let Some(per_page) = self.paging.per_page {
                request = request.per_page(i64::from(per_page));
            }
            if let Some(status) = &statuses {
                request = request.status(status.clone());
            }
            if let Some(agent) = &self.agent_uuid {
                request = request.agent_uuid(agent.clone());
            }
            if let Some(id) = self.campaign_id {
                request = request.campaign_id(id);
            }
            if let Some(id) = self.campaign_upload_id {
                request = request.campaign_upload_id(id);
            }
            if let Some(digits) = &self.phone_number {
                request = request.phone_number(digits.clone());
            }
            if let Some(call_type) = &self.call_type {
                request = request.call_type(call_type.as_str());
            }
            if let Some(since) = self.since {
                request = request.start_date(since.to_string());
            }
            if let Some(until) = self.until {
                request = request.end_date(until.to_string());
            }
            request.send()
        })
        .await
    }
}
