//! # osvi-ext: the Rust SDK for OSVI AI
//!
//! A typed client for the [OSVI AI](https://docs.osvi.ai) API, whose AI agents place outbound
//! phone calls and hold chat conversations.
//!
//! ```no_run
//! # async fn run() -> osvi_ext::Result<()> {
//! let client = osvi_ext::Client::from_env()?; // OSVI_API_TOKEN
//! let agents = client.agents().list_active().await?;
//! let Some(agent) = agents.first() else { return Ok(()) }; // no active agent
//! let created = client
//!     .calls()
//!     .create(&agent.agent_id, "9876543210", "IN")
//!     .person_name("John Doe")
//!     .await?;
//! println!("call {} placed", created.call_id);
//! # Ok(()) }
//! ```
//!
//! What it does for you:
//! - **One module per resource**: [`agents`], [`calls`], [`campaigns`], [`dnd`], [`chat`],
//!   and the deprecated [`legacy`] endpoints, each reached from the [`Client`].
//! - **One shape**: every operation returns a builder; set its optional fields, then `.await`
//!   it (or call `.send()`, the same). Ids come agent first, then customer, session, call or
//!   campaign, then content.
//! - **Validation before I/O**: every rule of the spec (agent id pattern, country code,
//!   greeting length, override ranges, contact count, page size...) is checked first, and a
//!   broken one fails with [`Error::Validation`] naming the field; nothing is sent. Nothing
//!   stricter than the spec is checked: plausibility of a number is the server's to judge.
//! - **No envelopes**: methods return domain types ([`calls::Call`], [`dnd::DndEntry`],
//!   [`chat::ChatSession`], ...) with dates as `chrono` values; the API's various
//!   `{success, data}` shapes are handled inside, and a `200` saying `success: false` is an
//!   error.
//! - **One error type**, [`Error`], to match on by kind, carrying the HTTP status, the
//!   request id and the start of the body. A write the server accepted but whose answer could
//!   not be read is [`Error::AcceptedButUnreadable`], never a plain failure that invites a
//!   resend.
//! - **Pagination as a `Stream`** ([`pagination`]).
//! - **Safe retries** ([`retry`]): reads retry on transient failures; a request that places
//!   phone calls is never sent twice unless it provably never reached the server.
//! - **Webhooks and polling** ([`webhooks`], [`calls::Calls::wait`]): typed payloads of both
//!   webhook generations, a constant-time secret check, and (feature `axum`) a ready receiver.
//! - **Response metadata on success** ([`with_meta`]): status, request id, headers, attempts
//!   and elapsed time of every request of an operation, kept only when asked for.
//! - **Logging** through `tracing`, with no token, phone number, name or message in any field.
//! - **Forward compatible and lenient**: unknown fields are ignored, enums keep unknown values
//!   in an `Unknown(String)` variant, and any answer field the spec does not mark required may
//!   be absent or `null` (it is `None` or empty).
//! - **Serializable answers** (feature `serde`): every answer type implements
//!   `serde::Serialize`, with dates in RFC 3339 and enums as their wire strings.
//! - **Secrets stay secret**: the token is checked when the client is built, sent as a
//!   sensitive header, never printed by `Debug`, only over https (loopback excepted), and
//!   never to another origin after a redirect ([`Error::Redirect`]).
//!
//! Everything on the wire comes from `openapi/osvi.yaml` through `osvi-generated`: each
//! operation calls the method progenitor generated for it, under a transport hook of this
//! crate (token, user agent, timeout, bounded body, and a copy of every answer, so errors keep
//! the status, request id and messages that progenitor's own error type would drop). Paths,
//! parameter names, enum values and validation rules are the generated constants of
//! `osvi_generated::spec`; none is typed by hand here.

#![warn(missing_docs)]
// docs.rs (`--cfg docsrs`, nightly): badge each item with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

// Imports run one way (rustfmt sorts this list, so it is not that order): `error` and the
// answer traits of `wire` at the bottom, the answer models, `validate`, `retry`, `pagination`,
// then `transport` and `client`, then the resources; `fuzzing` on top.
mod client;
mod error;
mod lenient;
mod macros;
pub mod meta;
mod pattern;
mod polling;
mod preview;
pub mod retry;
mod transport;
mod validate;
mod wire;

#[doc(hidden)]
pub mod fuzzing;

pub mod agents;
pub mod calls;
pub mod campaigns;
pub mod chat;
pub mod dnd;
pub mod legacy;
pub mod pagination;
pub mod webhooks;

pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, TOKEN_LENGTH,
};
pub use error::{ApiFailure, Error, Result};
pub use meta::{ResponseMeta, WithMeta, with_meta};
pub use pagination::{Page, PageMeta};
pub use preview::RequestPreview;
pub use retry::{ReconcilePolicy, RetryPolicy};
pub use validate::{MAX_CONTACTS_PER_REQUEST, MAX_GREETING_CHARS};
