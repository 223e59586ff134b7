//! The simulator's in-memory account: calls, DND lists, campaigns, chat sessions, and the
//! rules the real API documents. Pure logic over plain data; the handlers (`handlers.rs`)
//! turn requests into these calls and their results into the documented envelopes.
//!
//! [`account`] holds the state and its records at the bottom; each topic (`calls`, `dnd`,
//! `campaigns`, `chat`) adds its `impl State` block on top of it.

mod account;
mod calls;
mod campaigns;
mod chat;
mod dnd;

pub(crate) use account::{Delivery, Failure, State, parse_bound, strict_e164};
pub use account::{Ledger, PlacedCall, SkippedContact};
pub(crate) use calls::CallFilter;
