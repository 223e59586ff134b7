//! The account itself: the [`State`] the topics of [`state`](super) extend, the records it
//! holds (each topic's `impl` blocks add their behaviour), the agents, and what the topics
//! share (failures, ids, phone numbers, dates).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset, Utc};
use osvi_generated::spec::enums::{active_agent_status, call_status};
use osvi_generated::types;
use serde_json::{Map, Value};

use crate::clock::Clock;
use crate::config::Config;

/// A failure of an operation, mapped by the HTTP layer to the documented status and body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Failure {
    /// 400 `{success: false, error, details: null}`.
    BadRequest(String),
    /// 403 `{success: false, error, details: null}`.
    Forbidden(String),
    /// 404 `{success: false, error}`.
    NotFound(String),
    /// 422 `{success: false, errors: [..]}`.
    Unprocessable(Vec<String>),
    /// 409 `{success: false, error}`: the request is valid but the state forbids it (a closed
    /// session, a plain message outside support mode).
    Conflict(String),
}

pub(crate) type Outcome<T> = Result<T, Failure>;

/// The outcomes a call can have.
pub(crate) const OUTCOMES: [&str; 5] = [
    call_status::PICKED,
    call_status::NOT_PICKED,
    call_status::BUSY,
    call_status::FAILED,
    call_status::VOICEMAIL,
];

/// A webhook to deliver: where, how, and the body (`None`: a `GET` or `DELETE`
/// integration, which sends none).
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub(crate) url: String,
    pub(crate) method: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<Value>,
}

/// What a simulator actually did, from [`Simulator::ledger`](crate::Simulator::ledger).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Ledger {
    /// Every call placed, in order.
    pub calls: Vec<PlacedCall>,
    /// Contacts stored by campaign uploads.
    pub contacts_stored: usize,
    /// Contacts of campaign uploads that were not stored or not queued, and why, in order.
    pub contacts_skipped: Vec<SkippedContact>,
    /// Every fault injected, in order.
    pub faults: Vec<crate::faults::InjectedFault>,
}

/// A contact of a campaign upload that the simulator did not take, from [`Ledger`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SkippedContact {
    /// The campaign.
    pub campaign_id: i64,
    /// The number as sent.
    pub phone: String,
    /// Why: [`SkippedContact::NOT_A_NUMBER`] or [`SkippedContact::ON_DND`].
    pub reason: &'static str,
}

impl SkippedContact {
    /// The number cannot be normalized to E.164 (not stored).
    pub const NOT_A_NUMBER: &'static str = "not a phone number OSVI can normalize";
    /// The number is on the agent's DND list (stored in the answer's `dnd_skipped`, never
    /// called).
    pub const ON_DND: &'static str = "on the agent's DND list";
}

/// A call the simulator placed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlacedCall {
    /// Its id.
    pub call_id: String,
    /// The agent that dials.
    pub agent_uuid: String,
    /// The person dialed, E.164.
    pub phone_number: String,
    /// The campaign, for a call of an enqueued upload.
    pub campaign_id: Option<i64>,
}

/// One placed call.
#[derive(Debug, Clone)]
pub(crate) struct CallRecord {
    pub(crate) id: String,
    pub(crate) agent_uuid: String,
    pub(crate) agent_name: String,
    pub(crate) phone: String,
    pub(crate) person_name: Option<String>,
    pub(crate) greeting: Option<String>,
    pub(crate) extraction: Vec<String>,
    pub(crate) webhook_url: Option<String>,
    /// What triggered the call (its number, the person's name, the request's
    /// `additional_data` or a campaign contact's variables): the `call_trigger_data` of the
    /// post-call webhook, and the values of its URL's `{{placeholders}}`.
    pub(crate) trigger_data: Map<String, Value>,
    pub(crate) campaign_id: Option<i64>,
    pub(crate) upload_id: Option<i64>,
    pub(crate) outcome: &'static str,
    pub(crate) created_at: DateTime<Utc>,
    /// When dialing starts (later than `created_at` for queued campaign contacts).
    pub(crate) starts_at: DateTime<Utc>,
    pub(crate) ring_seconds: i64,
    pub(crate) talk_seconds: i64,
    pub(crate) finished: bool,
}

#[derive(Debug, Clone)]
pub(super) struct DndRecord {
    pub(super) id: i64,
    pub(super) agent_uuid: String,
    pub(super) phone: String,
    pub(super) reason: Option<String>,
    pub(super) created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(super) struct UploadRecord {
    /// Contacts stored by this upload.
    pub(super) contacts: usize,
    pub(super) id: i64,
    pub(super) agent_uuid: String,
    pub(super) file_name: String,
    pub(super) created_at: DateTime<Utc>,
    pub(super) call_ids: Vec<String>,
}

#[derive(Debug, Clone)]
pub(super) struct CampaignRecord {
    pub(super) name: String,
    pub(super) created_at: DateTime<Utc>,
    pub(super) uploads: Vec<UploadRecord>,
}

/// One chat session.
#[derive(Debug, Clone)]
pub(crate) struct SessionRecord {
    pub(crate) id: String,
    pub(super) agent_uuid: String,
    pub(super) customer_id: String,
    pub(crate) mode: &'static str,
    pub(crate) status: &'static str,
    pub(super) input_fields: Map<String, Value>,
    pub(crate) context: Vec<String>,
    pub(super) active_human: Option<String>,
    pub(super) whispers: Vec<String>,
    pub(super) created_at: DateTime<Utc>,
    pub(super) updated_at: DateTime<Utc>,
}

/// The whole simulated account.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) config: Config,
    pub(crate) clock: Clock,
    pub(super) rng: fastrand::Rng,
    pub(crate) base_url: String,
    pub(super) calls: Vec<CallRecord>,
    pub(super) call_index: HashMap<String, usize>,
    pub(super) dnd: Vec<DndRecord>,
    pub(super) campaigns: BTreeMap<i64, CampaignRecord>,
    pub(super) sessions: Vec<SessionRecord>,
    pub(super) skipped: Vec<SkippedContact>,
    pub(super) next_id: i64,
}

impl State {
    pub(crate) fn new(config: Config, speed: f64) -> State {
        let clock = Clock::new(speed);
        let now = clock.now();
        let campaigns = config
            .campaigns
            .iter()
            .map(|c| {
                (
                    c.id,
                    CampaignRecord {
                        name: c.name.clone(),
                        created_at: now,
                        uploads: Vec::new(),
                    },
                )
            })
            .collect();
        State {
            rng: fastrand::Rng::with_seed(config.seed),
            config,
            clock,
            base_url: String::new(),
            calls: Vec::new(),
            call_index: HashMap::new(),
            dnd: Vec::new(),
            campaigns,
            sessions: Vec::new(),
            skipped: Vec::new(),
            next_id: 1,
        }
    }

    /// What was done so far (without the faults, which the injector keeps).
    pub(crate) fn ledger(&self) -> Ledger {
        Ledger {
            calls: self
                .calls
                .iter()
                .map(|c| PlacedCall {
                    call_id: c.id.clone(),
                    agent_uuid: c.agent_uuid.clone(),
                    phone_number: c.phone.clone(),
                    campaign_id: c.campaign_id,
                })
                .collect(),
            contacts_stored: self
                .campaigns
                .values()
                .flat_map(|c| &c.uploads)
                .map(|u| u.contacts)
                .sum(),
            contacts_skipped: self.skipped.clone(),
            faults: Vec::new(),
        }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub(super) fn next_id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    pub(super) fn uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.rng.u128(..).to_le_bytes())
            .into_uuid()
            .to_string()
    }

    // ------------------------------------------------------------ agents

    pub(crate) fn active_agents(&self) -> Vec<types::ActiveAgent> {
        self.config
            .agents
            .iter()
            .filter(|a| a.active)
            .map(|a| types::ActiveAgent {
                agent_id: a.agent_id.clone(),
                name: Some(a.name.clone().into()),
                status: Some(active_agent_status::ACTIVE.into()),
            })
            .collect()
    }

    /// The agent `agent_uuid` of the account: 403 (calls) or 404 (elsewhere) if unknown.
    pub(super) fn agent(
        &self,
        agent_uuid: &str,
        unknown: fn(String) -> Failure,
    ) -> Outcome<(String, bool)> {
        self.config
            .agents
            .iter()
            .find(|a| a.agent_id == agent_uuid)
            .map(|a| (a.name.clone(), a.active))
            .ok_or_else(|| unknown("Agent not found or not associated with this account".into()))
    }

    pub(super) fn active_agent(
        &self,
        agent_uuid: &str,
        unknown: fn(String) -> Failure,
    ) -> Outcome<String> {
        match self.agent(agent_uuid, unknown)? {
            (name, true) => Ok(name),
            (_, false) => Err(Failure::BadRequest("agent is not active".into())),
        }
    }
}

/// `at` plus `seconds`, saturating instead of overflowing on absurd configurations.
pub(super) fn later(at: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    chrono::Duration::try_seconds(seconds)
        .and_then(|d| at.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Seconds of a configuration value, as `i64`.
pub(super) fn seconds(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The call trigger data of a call to `phone` (as sent) for `person_name`, with the request's
/// extra values.
pub(crate) fn trigger_data(
    phone: &str,
    person_name: Option<&str>,
    extra: Map<String, Value>,
) -> Map<String, Value> {
    let mut data = Map::new();
    data.insert("phone_number".into(), phone.into());
    if let Some(name) = person_name {
        data.insert("person_name".into(), name.into());
    }
    data.extend(extra);
    data
}

/// A national number plausible for `country` as E.164, or `None`.
pub(crate) fn strict_e164(digits: &str, country: &str) -> Option<String> {
    let country: phonenumber::country::Id = country.parse().ok()?;
    let number = phonenumber::parse(Some(country), digits).ok()?;
    phonenumber::is_valid(&number)
        .then(|| number.format().mode(phonenumber::Mode::E164).to_string())
}

/// A DND or contact number as E.164, normalized as the docs say OSVI does, or `None`:
/// spaces, dots, dashes and parentheses between the digits are dropped; with a leading `+` it
/// is international (8 to 15 digits: `+1 202 555 0198` is `+12025550198`); without one, 10
/// digits are Indian (`98765 43210` is `+919876543210`), as are 11 starting with the trunk
/// `0` and 12 starting with `91`. Whether the number exists is not judged here: a DND entry
/// must block every form of the number it names.
pub(crate) fn loose_e164(phone: &str) -> Option<String> {
    let phone = phone.trim();
    let (plus, body) = match phone.strip_prefix('+') {
        Some(body) => (true, body),
        None => (false, phone),
    };
    let separator = |c: char| matches!(c, ' ' | '.' | '-' | '(' | ')');
    if !body.chars().all(|c| c.is_ascii_digit() || separator(c)) {
        return None;
    }
    let digits: String = body.chars().filter(char::is_ascii_digit).collect();
    match (plus, digits.len()) {
        (true, 8..=15) => Some(format!("+{digits}")),
        (false, 10) => Some(format!("+91{digits}")),
        (false, 11) if digits.starts_with('0') => Some(format!("+91{}", &digits[1..])),
        (false, 12) if digits.starts_with("91") => Some(format!("+{digits}")),
        _ => None,
    }
}

/// A `start_date`/`end_date` value: a date (IST) or an RFC 3339 timestamp. `end` dates cover
/// the whole day.
pub(crate) fn parse_bound(value: &str, end: bool) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(value) {
        return Some(at.with_timezone(&Utc));
    }
    let date = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
    let time = if end {
        date.and_hms_opt(23, 59, 59)?
    } else {
        date.and_hms_opt(0, 0, 0)?
    };
    let ist = FixedOffset::east_opt(5 * 3600 + 1800)?;
    Some(time.and_local_timezone(ist).single()?.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalize_like_the_docs_say() {
        assert_eq!(loose_e164("9876543210").as_deref(), Some("+919876543210"));
        assert_eq!(
            loose_e164("+919876500000").as_deref(),
            Some("+919876500000")
        );
        assert_eq!(loose_e164("98-76"), None);
        for (typed, e164) in [
            ("+91 98765 43210", "+919876543210"),
            ("98765 43210", "+919876543210"),
            ("098765.43210", "+919876543210"),
            ("91 98765-43210", "+919876543210"),
            ("+1 202 555 0198", "+12025550198"),
            ("+1 (202) 555-0198", "+12025550198"),
            (" +1.202.555.0198 ", "+12025550198"),
        ] {
            assert_eq!(loose_e164(typed).as_deref(), Some(e164), "{typed}");
        }
        for bad in [
            "call me",
            "+1 202 555 0198 x12",
            "+12",
            "12345",
            "+1234567890123456",
        ] {
            assert_eq!(loose_e164(bad), None, "{bad}");
        }
        assert_eq!(
            strict_e164("9876543210", "IN").as_deref(),
            Some("+919876543210")
        );
        assert_eq!(strict_e164("12345", "IN"), None);
    }

    #[test]
    fn dates_are_ist_days() {
        let start = parse_bound("2026-06-01", false).unwrap();
        assert_eq!(start.to_rfc3339(), "2026-05-31T18:30:00+00:00");
        let end = parse_bound("2026-06-01", true).unwrap();
        assert_eq!(end.to_rfc3339(), "2026-06-01T18:29:59+00:00");
        assert!(parse_bound("June", false).is_none());
    }
}
