//! The answer types of the calls resource: a [`Call`] and its status and type, a
//! [`Transcript`], a [`Recording`], and what placing a call returns ([`CallCreated`]).

use chrono::{DateTime, Utc};
use osvi_generated::spec::enums;
use osvi_generated::types;
use serde_json::{Map, Value};

use crate::lenient::{self, Unreadable};
use crate::macros::string_enum;
use crate::wire::{FromWire, echoes};

echoes!(Transcript: call_id, Recording: call_id);

string_enum! {
    /// The outcome of a call.
    pub enum CallStatus {
        /// Answered.
        Picked = enums::call_status::PICKED,
        /// Not answered.
        NotPicked = enums::call_status::NOT_PICKED,
        /// Could not be placed or dropped.
        Failed = enums::call_status::FAILED,
        /// The line was busy.
        Busy = enums::call_status::BUSY,
        /// Reached voicemail.
        Voicemail = enums::call_status::VOICEMAIL,
        /// Still going on.
        InProgress = enums::call_status::IN_PROGRESS,
    }
}

impl CallStatus {
    /// Whether the call is over (every status but [`CallStatus::InProgress`](super::CallStatus::InProgress); an unknown
    /// status counts as final).
    pub fn is_final(&self) -> bool {
        !matches!(self, CallStatus::InProgress)
    }
}

string_enum! {
    /// The direction of a call.
    pub enum CallType {
        /// The customer called the agent.
        Inbound = enums::call_type::INBOUND,
        /// The agent called the customer.
        Outbound = enums::call_type::OUTBOUND,
    }
}

/// The answer to [`CreateCall::send`](super::CreateCall::send).
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallCreated {
    /// The new call's id.
    pub call_id: String,
    /// `Some` when the placement's answer did not say it succeeded and the SDK settled it by
    /// looking the call up (see [`ReconcilePolicy`](crate::retry::ReconcilePolicy)); `None`
    /// for a plain success.
    pub reconciled: Option<Reconciled>,
}

impl CallCreated {
    /// A plainly successful placement of `call_id`.
    pub(crate) fn new(call_id: String) -> Self {
        CallCreated {
            call_id,
            reconciled: None,
        }
    }

    /// Whether the SDK found this call by looking it up after an uncertain failure.
    pub fn was_reconciled(&self) -> bool {
        self.reconciled.is_some()
    }
}

/// How an uncertain placement was settled, in [`CallCreated::reconciled`].
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reconciled {
    /// The failure that made the first placement uncertain, in words.
    pub after: String,
    /// The lookups of the call list it took, over every placement.
    pub lookups: u32,
    /// Placements sent: 1, or more when [`resend_if_absent`](crate::retry::ReconcilePolicy::resend_if_absent)
    /// placed the call again after finding it absent (the call returned is the last one's).
    pub placements: u32,
}

impl FromWire<types::CallResponseData> for CallCreated {
    fn from_wire(data: types::CallResponseData) -> std::result::Result<Self, String> {
        Ok(CallCreated::new(data.call_id))
    }
}

/// A tag attached to a call in the dashboard.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallTag {
    /// The tag's id.
    pub id: Option<i64>,
    /// The tag's name, e.g. `interested`.
    pub name: Option<String>,
    /// Its colour, e.g. `#22c55e`.
    pub color_code: Option<String>,
}

/// One call. The list endpoint fills the fields up to `call_picked_at`; [`Calls::get`](super::Calls::get) fills
/// the analysis fields too. Fields the server left out are `None` (or empty).
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Call {
    /// The call's id.
    pub call_id: String,
    /// The agent that handled the call.
    pub agent_uuid: Option<String>,
    /// The agent's display name.
    pub agent_name: Option<String>,
    /// The other party's number, E.164.
    pub phone_number: Option<String>,
    /// The number the call was placed from, E.164.
    pub from_number: Option<String>,
    /// The outcome.
    pub status: Option<CallStatus>,
    /// Inbound or outbound.
    pub call_type: Option<CallType>,
    /// How long the call lasted, in seconds.
    pub duration_seconds: Option<i64>,
    /// Who ended the call (e.g. `agent`).
    pub call_ended_by: Option<String>,
    /// Why it ended (e.g. `assistant-ended-call`).
    pub call_ended_reason: Option<String>,
    /// The campaign the call belongs to.
    pub campaign_id: Option<i64>,
    /// The contact upload the call came from.
    pub campaign_upload_id: Option<i64>,
    /// The dashboard tag.
    pub tag: Option<CallTag>,
    /// When the call was created.
    pub created_at: Option<DateTime<Utc>>,
    /// When the call was answered.
    pub call_picked_at: Option<DateTime<Utc>>,
    /// The callee's name (detail only).
    pub caller_name: Option<String>,
    /// How many times the call was retried (detail only).
    pub retry_count: Option<i64>,
    /// The AI summary of the conversation (detail only).
    pub summary: Option<String>,
    /// The values of the agent's data-extraction fields, by key (detail only).
    pub data_captured: Map<String, Value>,
    /// The structured post-call analysis (detail only).
    pub post_call_analysis: Map<String, Value>,
    /// Fields that arrived in a form the SDK could not read as their type (a timestamp in an
    /// unknown format, a word where a number belongs), by wire name, exactly as sent; their
    /// field above is `None`. Empty for every answer in the documented forms.
    pub unreadable: Map<String, Value>,
}

/// A [`Call`] from a generated call summary or call detail (two wire types with the same
/// summary fields), with the detail-only fields given after the summary ones.
macro_rules! call_from {
    ($c:ident, $u:ident, $($detail:tt)*) => {
        Call {
            call_id: $c.call_id,
            agent_uuid: $u.read("agent_uuid", $c.agent_uuid),
            agent_name: $u.read("agent_name", $c.agent_name),
            phone_number: $u.read("phone_number", $c.phone_number),
            from_number: $u.read("from_number", $c.from_number),
            status: $u.read::<String, String>("status", $c.status).map(CallStatus::from),
            call_type: $u.read::<String, String>("call_type", $c.call_type).map(CallType::from),
            duration_seconds: $u.read("duration_seconds", $c.duration_seconds),
            call_ended_by: $u.read("call_ended_by", $c.call_ended_by),
            call_ended_reason: $u.read("call_ended_reason", $c.call_ended_reason),
            campaign_id: $u.read("campaign_id", $c.campaign_id),
            campaign_upload_id: $u.read("campaign_upload_id", $c.campaign_upload_id),
            tag: $c.tag.map(tag),
            created_at: $u.read("created_at", $c.created_at),
            call_picked_at: $u.read("call_picked_at", $c.call_picked_at),
            $($detail)*
            unreadable: $u.into_map(),
        }
    };
}

impl FromWire<types::CallSummary> for Call {
    fn from_wire(c: types::CallSummary) -> std::result::Result<Self, String> {
        let mut u = Unreadable::default();
        Ok(call_from!(c, u,
            caller_name: None,
            retry_count: None,
            summary: None,
            data_captured: Map::new(),
            post_call_analysis: Map::new(),
        ))
    }
}

impl FromWire<types::CallDetail> for Call {
    fn from_wire(c: types::CallDetail) -> std::result::Result<Self, String> {
        let mut u = Unreadable::default();
        Ok(call_from!(c, u,
            caller_name: u.read("caller_name", c.caller_name),
            retry_count: u.read("retry_count", c.retry_count),
            summary: u.read("summary", c.summary),
            data_captured: c.data_captured.unwrap_or_default(),
            post_call_analysis: c.post_call_analysis.unwrap_or_default(),
        ))
    }
}

fn tag(t: types::CallTag) -> CallTag {
    CallTag {
        id: lenient::read(t.id),
        name: lenient::read(t.name),
        color_code: lenient::read(t.color_code),
    }
}

/// A call's transcript.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Transcript {
    /// The call's id.
    pub call_id: String,
    /// The turns, in order; empty when no transcript was captured.
    pub turns: Vec<TranscriptTurn>,
}

/// One turn of a transcript. The docs do not show its fields: `role`, `content` and
/// `timestamp` are assumed, and every other field is kept in `extra`.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TranscriptTurn {
    /// Who spoke (e.g. `agent` or `user`).
    pub role: Option<String>,
    /// What was said.
    pub content: Option<String>,
    /// When, as sent by the server.
    pub timestamp: Option<String>,
    /// Every other field of the turn, and any of the three above that arrived as a list or
    /// an object (kept here as sent; its field is `None`).
    pub extra: Map<String, Value>,
}

impl FromWire<types::TranscriptResponseData> for Transcript {
    fn from_wire(t: types::TranscriptResponseData) -> std::result::Result<Self, String> {
        Ok(Transcript {
            call_id: lenient::read(t.call_id).unwrap_or_default(),
            turns: t
                .transcript
                .unwrap_or_default()
                .into_iter()
                .map(|turn| {
                    let mut u = Unreadable::default();
                    let (role, content) =
                        (u.read("role", turn.role), u.read("content", turn.content));
                    let timestamp = u.read("timestamp", turn.timestamp);
                    let mut extra = turn.extra;
                    extra.extend(u.into_map());
                    TranscriptTurn {
                        role,
                        content,
                        timestamp,
                        extra,
                    }
                })
                .collect(),
        })
    }
}

/// A presigned recording URL.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Recording {
    /// The call's id.
    pub call_id: String,
    /// The presigned URL of the audio; `None` when the call has no recording (the answer's
    /// `recording_url` was `null` or absent: a call nobody picked up has none).
    pub recording_url: Option<String>,
    /// How long the URL stays valid, as the server said (900 s in the docs); `None` when
    /// the answer did not say (or said something negative or absurd). Serialized (feature
    /// `serde`) as whole seconds, under the wire's name `expires_in_seconds`.
    #[cfg_attr(
        feature = "serde",
        serde(rename = "expires_in_seconds", serialize_with = "whole_seconds")
    )]
    pub expires_in: Option<std::time::Duration>,
    /// When the URL expires, by this machine's clock at the time the answer arrived.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Serializes a duration as whole seconds.
#[cfg(feature = "serde")]
fn whole_seconds<S: serde::Serializer>(
    duration: &Option<std::time::Duration>,
    serializer: S,
) -> std::result::Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&duration.map(|d| d.as_secs()), serializer)
}

impl FromWire<types::RecordingResponseData> for Recording {
    fn from_wire(r: types::RecordingResponseData) -> std::result::Result<Self, String> {
        let expires_in = lenient::read(r.expires_in_seconds)
            .and_then(|seconds| u64::try_from(seconds).ok())
            .map(std::time::Duration::from_secs);
        let expires_at = expires_in
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .and_then(|d| Utc::now().checked_add_signed(d));
        Ok(Recording {
            call_id: lenient::read(r.call_id).unwrap_or_default(),
            recording_url: lenient::read(r.recording_url),
            expires_in: expires_in.filter(|_| expires_at.is_some()),
            expires_at,
        })
    }
}
