//! Webhooks: typed payloads of both documented generations, a parser that tells them apart,
//! and a constant-time shared-secret check.
//!
//! OSVI documents two webhook payloads (see [`WebhookEvent`]):
//! - [`CallCompleted`], the older one, POSTed to the `webhook_url` given when a call was
//!   placed, when the call finishes (any outcome). It carries `chat` (the transcript),
//!   `agent_uuid` and `executionMode`.
//! - [`PostCallAnalysis`], the current one, sent by per-agent integrations (Agent → Post-Call
//!   Analysis → Integrations) after each answered and analysed call. Its "Auto" body is flat
//!   JSON whose sections (Call Info, AI Summary, Data Extraction, Structured Output, call
//!   trigger data) are each present only when enabled and non-empty.
//!
//! Which one a per-call `webhook_url` receives today is not documented; [`parse`] accepts
//! both and tells them apart by the fields unique to each (from the spec's two webhook
//! schemas): a body with a field only the older one has (`chat`, `agent_uuid`,
//! `executionMode`) and none only the current one has (`call_type`, `call_summary`,
//! `data_capture`, `structured_output`, `call_trigger_data`) is a [`CallCompleted`]; any
//! other body is a [`PostCallAnalysis`]. A body that mixes both keeps every field: the
//! [`PostCallAnalysis`] then also carries the older generation's `chat`, `agent_uuid` and
//! `execution_mode`.
//!
//! ## Protecting a receiver
//! OSVI signs nothing. Protect your endpoint with either or both of:
//! - a secret path segment (`https://example.com/osvi/3f9c…/hook`), long and random;
//! - a custom header configured on the integration in the OSVI dashboard (e.g.
//!   `X-Osvi-Secret: <random>`), checked with [`verify_shared_secret`], which compares in
//!   constant time.
//!
//! Serve the receiver over https only, answer 2xx quickly, and do slow work afterwards.
//!
//! ```
//! let body = br#"{"call_log_id": "8de63236", "call_status": "picked", "call_summary": "Confirmed."}"#;
//! match osvi_ext::webhooks::parse(body)? {
//!     osvi_ext::webhooks::WebhookEvent::PostCallAnalysis(event) => {
//!         assert_eq!(event.call_summary.as_deref(), Some("Confirmed."));
//!     }
//!     other => panic!("{other:?}"),
//! }
//! # Ok::<(), osvi_ext::Error>(())
//! ```
//!
//! With the `axum` cargo feature, `osvi_ext::webhooks::axum` mounts a receiver in a few lines
//! (see `examples/webhook_receiver.rs`).
//!
//! Runnable example (a receiver printing each event (feature `axum`)), against the simulator without `OSVI_API_TOKEN`:
//! [`examples/webhook_receiver.rs`](https://github.com/osvi-ai/osvi-rust/blob/main/osvi-ext/examples/webhook_receiver.rs),
//! `cargo run -p osvi-ext --example webhook_receiver --features axum`.

use osvi_generated::types;
use serde::Deserialize;
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use crate::calls::{CallStatus, CallType};
use crate::error::{Error, Result};
use crate::lenient::read;
use crate::macros::string_enum;
use osvi_generated::spec::enums;

#[cfg(feature = "axum")]
pub mod axum;
mod dedup;
pub use dedup::{DEFAULT_REMEMBERED, Deliveries, DeliveryKey};

string_enum! {
    /// Whether the call ran in production or as a dashboard test (older webhook generation).
    pub enum ExecutionMode {
        /// A real call.
        Prod = enums::call_completed_webhook_execution_mode::PROD,
        /// A test call from the dashboard.
        Test = enums::call_completed_webhook_execution_mode::TEST,
    }
}

/// A webhook payload of either generation. Serialized (feature `serde`) as the payload's
/// fields plus `"kind": "call_completed"` or `"kind": "post_call_analysis"`.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WebhookEvent {
    /// The older call-completion payload, sent to a call's `webhook_url`.
    CallCompleted(Box<CallCompleted>),
    /// The current post-call integration payload ("Auto" body).
    PostCallAnalysis(Box<PostCallAnalysis>),
}

impl WebhookEvent {
    /// The payload's kind as its serialized `kind` tag: `call_completed` or
    /// `post_call_analysis`.
    pub fn kind(&self) -> &'static str {
        match self {
            WebhookEvent::CallCompleted(_) => "call_completed",
            WebhookEvent::PostCallAnalysis(_) => "post_call_analysis",
        }
    }

    /// The call the payload is about (`call_log_id`), if it says.
    pub fn call_id(&self) -> Option<&str> {
        match self {
            WebhookEvent::CallCompleted(event) => event.call_log_id.as_deref(),
            WebhookEvent::PostCallAnalysis(event) => event.call_log_id.as_deref(),
        }
    }
}

/// The older call-completion payload. Every field is optional in the docs.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CallCompleted {
    /// The call's id.
    pub call_log_id: Option<String>,
    /// The agent's display name.
    pub agent_name: Option<String>,
    /// The agent's id.
    pub agent_uuid: Option<String>,
    /// The other party's number, E.164.
    pub phone_number: Option<String>,
    /// The whole transcript as one string, one `Speaker: text` line per turn.
    pub chat: Option<String>,
    /// The outcome (`picked`, `not_picked`, `busy`, `failed` in the docs).
    pub call_status: Option<CallStatus>,
    /// Production or test call.
    pub execution_mode: Option<ExecutionMode>,
}

/// The current post-call integration payload. A section that was disabled or had no data is
/// absent: its fields are `None` or empty.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct PostCallAnalysis {
    /// Call Info: the call's id.
    pub call_log_id: Option<String>,
    /// Call Info: the other party's number.
    pub phone_number: Option<String>,
    /// Call Info: the agent (the docs' example holds the agent's UUID here).
    pub agent_name: Option<String>,
    /// Call Info: the outcome (always `picked` today: the webhook fires for answered calls).
    pub call_status: Option<CallStatus>,
    /// Call Info: inbound or outbound.
    pub call_type: Option<CallType>,
    /// AI Summary.
    pub call_summary: Option<String>,
    /// Data Extraction: the values of the agent's extraction fields, by key.
    pub data_capture: Map<String, Value>,
    /// Structured Output: JSON from the agent's output schema.
    pub structured_output: Map<String, Value>,
    /// The data the call was triggered with (e.g. `person_name`, campaign columns).
    pub call_trigger_data: Map<String, Value>,
    /// Older generation's transcript, when a body mixes both generations.
    pub chat: Option<String>,
    /// Older generation's agent id, when a body mixes both generations.
    pub agent_uuid: Option<String>,
    /// Older generation's production/test flag, when a body mixes both generations.
    pub execution_mode: Option<ExecutionMode>,
    /// Every other top-level field (sections this SDK does not know yet).
    pub extra: Map<String, Value>,
}

use osvi_generated::spec::webhooks::{
    CALL_COMPLETED_WEBHOOK as OLDER_FIELDS, POST_CALL_INTEGRATION_WEBHOOK as CURRENT_FIELDS,
};

/// Whether `key` is a field of the generation `fields` and not of `other`.
fn unique(key: &str, fields: &[&str], other: &[&str]) -> bool {
    fields.contains(&key) && !other.contains(&key)
}

/// Parses a webhook body of either generation. A body that is not a JSON object, or whose
/// known fields have the wrong types, is [`Error::InvalidWebhook`]; unknown fields are kept
/// or ignored, never an error.
pub fn parse(body: &[u8]) -> Result<WebhookEvent> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| invalid(format!("not JSON: {e}")))?;
    let Value::Object(object) = &value else {
        return Err(invalid("the body is not a JSON object"));
    };
    let older = object
        .keys()
        .any(|k| unique(k, OLDER_FIELDS, CURRENT_FIELDS));
    let current = object
        .keys()
        .any(|k| unique(k, CURRENT_FIELDS, OLDER_FIELDS));
    // Every field of the older generation is read, whichever generation the body is.
    let old =
        types::CallCompletedWebhook::deserialize(&value).map_err(|e| invalid(e.to_string()))?;
    if older && !current {
        return Ok(WebhookEvent::CallCompleted(Box::new(CallCompleted {
            call_log_id: read(old.call_log_id),
            agent_name: read(old.agent_name),
            agent_uuid: read(old.agent_uuid),
            phone_number: read(old.phone_number),
            chat: read(old.chat),
            call_status: read(old.call_status).map(CallStatus::from),
            execution_mode: read(old.execution_mode).map(ExecutionMode::from),
        })));
    }
    let mut wire: types::PostCallWebhook =
        serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
    // The older generation's own fields are typed below, not left in `extra`.
    wire.extra
        .retain(|key, _| !unique(key, OLDER_FIELDS, CURRENT_FIELDS));
    Ok(WebhookEvent::PostCallAnalysis(Box::new(PostCallAnalysis {
        call_log_id: read(wire.call_log_id),
        phone_number: read(wire.phone_number),
        agent_name: read(wire.agent_name),
        call_status: read(wire.call_status).map(CallStatus::from),
        call_type: read(wire.call_type).map(CallType::from),
        call_summary: read(wire.call_summary),
        data_capture: wire.data_capture.unwrap_or_default(),
        structured_output: wire.structured_output.unwrap_or_default(),
        call_trigger_data: wire.call_trigger_data.unwrap_or_default(),
        chat: read(old.chat),
        agent_uuid: read(old.agent_uuid),
        execution_mode: read(old.execution_mode).map(ExecutionMode::from),
        extra: wire.extra,
    })))
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidWebhook {
        reason: reason.into(),
    }
}

/// Whether the header value a request carried equals the shared secret, compared in constant
/// time (the time taken does not reveal how much of the secret matched). A missing header
/// is `false`.
///
/// ```
/// use osvi_ext::webhooks::verify_shared_secret;
/// assert!(verify_shared_secret(Some(b"s3cr3t".as_slice()), "s3cr3t"));
/// assert!(!verify_shared_secret(Some(b"guess".as_slice()), "s3cr3t"));
/// assert!(!verify_shared_secret(None, "s3cr3t"));
/// ```
pub fn verify_shared_secret(header: Option<&[u8]>, secret: &str) -> bool {
    match header {
        Some(value) => value.ct_eq(secret.as_bytes()).into(),
        None => false,
    }
}
