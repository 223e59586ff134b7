//! The raw OSVI AI API client and the wire facts of the API, generated from
//! `openapi/osvi.yaml` by `cargo xtask regen`. **Use `osvi-ext` instead**: it wraps this crate
//! with validation, envelope handling, one error type, pagination and safe retries.
//!
//! What is here:
//! - [`Client`] (from [progenitor](https://docs.rs/progenitor)): one builder-style method per
//!   API operation (`client.get_call().id(id).send()`), and the wire types in [`types`].
//!   Every request goes through [`Hooks`], the transport its owner plugs in (osvi-ext's adds
//!   the token, timeouts, a bounded body read and keeps what failed exchanges said).
//! - [`spec`]: the wire facts as constants: each operation's method, path template,
//!   parameters, statuses and safety class ([`spec::operations`]), the token header, the
//!   values of every enum ([`spec::enums`]), and the validation rules of every constrained
//!   field ([`spec::rules`]). osvi-ext and osvi-sim read them instead of typing paths, names
//!   and limits by hand.
//! - [`server`]: the [`server::Handlers`] trait, one method per operation typed by its
//!   parameters and body and answering its success body, and [`server::dispatch`], which
//!   routes a decoded request to it (the simulator implements it).
//! - [`answers`]: the [`answers::Answers`] trait (one associated type per operation: what
//!   the SDK returns for it), [`for_each_operation!`] (the operation table as macro input)
//!   and [`impl_envelopes!`] (the unwrapping of every success body, read from its schema).
//!   A new operation in the spec is a missing method or associated type in their users: the
//!   compiler names each place a human must fill in.
//! - [`tools`]: the Model Context Protocol tool table ([`tools::TOOLS`]: one tool per
//!   operation, its input schema made from the operation's parameters and body, its
//!   annotations), the [`tools::ToolHandlers`] trait and [`tools::dispatch`]; `osvi mcp`
//!   serves it.
//! - [`Timestamp`]: the type of every `format: date-time` field, a `chrono::DateTime<Utc>`
//!   with a fast path for decoding the usual RFC 3339 shape.
//! - [`Lenient`]: the type of every optional scalar field of an answer, read from every
//!   plausible JSON form (`42`, `42.0`, `"42"`; zone-less timestamps as UTC; ...) and kept as
//!   sent when no reading fits, so one odd field never makes a whole answer unreadable.
//!
//! `generated.rs`, `mock.rs`, `spec.rs`, `server.rs`, `answers.rs`, `tools.rs` and `openapi.json` are
//! written by `cargo xtask regen` and never edited by hand; this file, `timestamp.rs` and `lenient.rs` hold
//! the few hand-written types they refer to.
//!
//! Cargo features:
//! - `rustls` (default): TLS through rustls.
//! - `native-tls`: TLS through the platform library instead.
//! - `httpmock`: typed [httpmock](https://docs.rs/httpmock) helpers in `mock`, one per
//!   operation (`server.create_call(|when, then| ...)`).

// docs.rs (`--cfg docsrs`, nightly): badge each item with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

#[allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]
#[rustfmt::skip]
mod generated;

pub use generated::*;

#[rustfmt::skip]
pub mod spec;
#[rustfmt::skip]
pub mod server;
#[rustfmt::skip]
pub mod answers;
#[rustfmt::skip]
pub mod tools;

mod timestamp;
pub use timestamp::Timestamp;

pub mod lenient;
pub use lenient::{Lenient, LenientBool, LenientFloat, LenientInt, LenientText, LenientTime};

/// Typed httpmock helpers, one per operation: see [`mock::MockServerExt`].
#[cfg(feature = "httpmock")]
#[allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]
#[rustfmt::skip]
pub mod mock;

/// The future an [`Exec`] returns.
pub type ExecFuture<'a> =
    Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// The transport every request of the generated [`Client`] goes through.
pub trait Exec: Send + Sync {
    /// Sends `request` (operation `info.operation_id`) with `http` and returns the response.
    fn exec<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        info: &'a progenitor_client::OperationInfo,
    ) -> ExecFuture<'a>;
}

/// The generated client's inner value: the [`Exec`] its requests go through.
#[derive(Clone)]
pub struct Hooks(pub Arc<dyn Exec>);

impl Hooks {
    /// Hooks that send each request as it is, with nothing added.
    pub fn plain() -> Self {
        Hooks(Arc::new(Plain))
    }
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hooks")
    }
}

/// An [`Exec`] that sends the request as it is.
struct Plain;

impl Exec for Plain {
    fn exec<'a>(
        &'a self,
        http: &'a reqwest::Client,
        request: reqwest::Request,
        _: &'a progenitor_client::OperationInfo,
    ) -> ExecFuture<'a> {
        Box::pin(http.execute(request))
    }
}

impl progenitor_client::ClientHooks<Hooks> for Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        use progenitor_client::ClientInfo;
        self.inner().0.exec(self.client(), request, info).await
    }
}

/// One operation of the spec (see [`spec::operations`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The `operationId`, also the name of the generated [`Client`] method.
    pub id: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template, with `{name}` placeholders.
    pub path: &'static str,
    /// The names of the path parameters, in the order of the spec.
    pub path_params: &'static [&'static str],
    /// The query parameters.
    pub query_params: &'static [Param],
    /// Whether the operation takes a JSON body.
    pub has_body: bool,
    /// The documented success status (`200`, or `201` for DND add).
    pub success_status: u16,
    /// Every documented status.
    pub statuses: &'static [u16],
    /// Whether the operation dials people (`x-osvi-places-calls`).
    pub places_calls: PlacesCalls,
    /// Whether the spec marks it deprecated.
    pub deprecated: bool,
}

/// A query parameter of an [`Operation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Param {
    /// Its name on the wire.
    pub name: &'static str,
    /// Whether the spec requires it.
    pub required: bool,
}

/// Whether an operation places phone calls, from the spec's `x-osvi-places-calls`: a request
/// that does is never repeated once it may have reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlacesCalls {
    /// Never.
    Never,
    /// Always (`x-osvi-places-calls: true`).
    Always,
    /// When the named boolean field of the body is `true` (`x-osvi-places-calls: enqueue`).
    WhenBodyFlag(&'static str),
}

/// A limit of the spec (`rule.max_items`, `rule.default` ...) as a `usize`, for constants:
/// a spec that loses the limit, or makes it zero or negative, stops the constant from
/// compiling instead of turning into a silent default.
pub const fn limit(value: Option<i64>) -> usize {
    match value {
        Some(n) if n > 0 => n as usize,
        _ => panic!("the spec lost a limit this constant relies on"),
    }
}

/// The rules of a string field (see [`spec::rules`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StringRule {
    /// `minLength`, in characters.
    pub min_length: Option<i64>,
    /// `maxLength`, in characters.
    pub max_length: Option<i64>,
    /// `pattern`, an ECMA-262 regular expression.
    pub pattern: Option<&'static str>,
    /// `format` (`uri`, `date-time` ...).
    pub format: Option<&'static str>,
    /// The first example of the spec, shown in error messages.
    pub example: Option<&'static str>,
}

/// The rules of an integer field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntegerRule {
    /// `minimum`, inclusive.
    pub minimum: Option<i64>,
    /// `maximum`, inclusive.
    pub maximum: Option<i64>,
    /// `default`: what the server assumes when the field is not sent.
    pub default: Option<i64>,
    /// `x-osvi-capped-at`: a larger value is not refused but answered as this one (the docs
    /// say "capped").
    pub capped_at: Option<i64>,
}

/// The rules of an array field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArrayRule {
    /// `minItems`.
    pub min_items: Option<i64>,
    /// `maxItems`.
    pub max_items: Option<i64>,
    /// `x-osvi-keeps-most-recent`: the server keeps only this many of the most recent items.
    pub keeps_most_recent: Option<i64>,
}
