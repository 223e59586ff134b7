//! Dry runs: the exact request a builder that places calls would send, without sending it
//! ([`CreateCall::preview`](crate::calls::CreateCall::preview),
//! [`LegacyCreateCall::preview`](crate::legacy::LegacyCreateCall::preview),
//! [`AddContacts::preview`](crate::campaigns::AddContacts::preview)): validated as `send`
//! validates, built from the same generated request types, so what you see is what would go.

use osvi_generated::Operation;
use serde::Serialize;

use crate::error::{Error, Result};

/// One request as it would be sent: method, path (relative to the base URL) and JSON body.
/// The `API-Token` header is not part of it.
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RequestPreview {
    /// The HTTP method, e.g. `POST`.
    pub method: &'static str,
    /// The path with its parameters filled in, e.g. `/v1/campaigns/7/contacts`.
    pub path: String,
    /// The JSON body.
    pub body: serde_json::Value,
}

impl RequestPreview {
    /// The request of `operation` with path parameters `params` (`(name, value)`) and `body`.
    pub(crate) fn of(
        operation: &Operation,
        params: &[(&str, String)],
        body: &impl Serialize,
    ) -> Result<RequestPreview> {
        let mut path = operation.path.to_string();
        for (name, value) in params {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        let body = serde_json::to_value(body)
            .map_err(|e| Error::validation("body", format!("cannot be serialized to JSON: {e}")))?;
        Ok(RequestPreview {
            method: operation.method,
            path,
            body,
        })
    }
}
