//! Reading an answer: a response as it came off the wire ([`RawResponse`]), its status turned
//! into an [`Error`] when it is not a success, its envelope removed ([`Envelope`]) and its data
//! made into the operation's answer type ([`FromWire`]).

use bytes::Bytes;
use osvi_generated::{Operation, types};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::error::{self, ApiFailure, Error, Result};
use crate::wire::{Envelope, FromWire};

/// A response as read off the wire.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl RawResponse {
    /// An [`Error::Decode`] for this response.
    pub(crate) fn decode_error(&self, reason: impl Into<String>) -> Error {
        Error::Decode {
            status: self.status.as_u16(),
            request_id: error::request_id(&self.headers),
            reason: reason.into(),
            body: error::body_excerpt(&self.body),
        }
    }

    /// The status, request id and messages of an error answer.
    fn failure(&self) -> ApiFailure {
        ApiFailure::from_answer(self.status, &self.headers, &self.body)
    }

    /// The error for a non-2xx status.
    pub(crate) fn status_error(&self) -> Error {
        Error::from_status(self.status, &self.headers, &self.body)
    }
}

/// Decodes an answer: an error status becomes its error; a 2xx body is parsed as `E`, a
/// `success: false` becomes [`Error::BadRequest`] with the body's messages, and missing data
/// becomes [`Error::Decode`].
pub(crate) fn decode<E, D>(raw: &RawResponse) -> Result<D>
where
    E: Envelope,
    D: FromWire<E::Data>,
{
    if !raw.status.is_success() {
        return Err(raw.status_error());
    }
    match serde_json::from_slice::<E>(&raw.body) {
        Ok(body) => unwrap(body, raw),
        // `{success: false, errors: [..]}` on a 2xx has no `data`: an error, not a decode failure.
        Err(_) if says_failure(&raw.body) => Err(Error::BadRequest(raw.failure())),
        Err(e) => Err(raw.decode_error(e.to_string())),
    }
}

/// The `Debug` text of the answer `D` decoded from `raw` (for the fuzz targets and property
/// tests, which compare decodings without naming the types).
pub(crate) fn show<E, D>(raw: &RawResponse) -> Result<String>
where
    E: Envelope,
    D: FromWire<E::Data> + std::fmt::Debug,
{
    decode::<E, D>(raw).map(|value| format!("{value:?}"))
}

/// Whether `body` is an envelope whose `success` is `false`.
fn says_failure(body: &[u8]) -> bool {
    serde_json::from_slice::<types::ApiError>(body)
        .is_ok_and(|e| crate::lenient::read(e.success) == Some(false))
}

/// Removes the envelope of a decoded 2xx `body`: a `success: false` becomes
/// [`Error::BadRequest`] with the messages of `raw`, and missing data [`Error::Decode`].
pub(crate) fn unwrap<E, D>(body: E, raw: &RawResponse) -> Result<D>
where
    E: Envelope,
    D: FromWire<E::Data>,
{
    let (success, data) = body.into_parts();
    if success == Some(false) {
        return Err(Error::BadRequest(raw.failure()));
    }
    let data = data.ok_or_else(|| raw.decode_error("the body has no `data`"))?;
    D::from_wire(data).map_err(|reason| raw.decode_error(reason))
}

/// A `2xx` answer to an operation with a side effect (any method but `GET`) that could not be
/// decoded is [`Error::AcceptedButUnreadable`], not [`Error::Decode`]: the server accepted the
/// request, so the caller must not take it for a failure that is safe to repeat.
pub(crate) fn accepted<D>(operation: &Operation, result: Result<D>) -> Result<D> {
    match result {
        Err(Error::Decode {
            status,
            request_id,
            reason,
            body,
        }) if (200..300).contains(&status) && operation.method != "GET" => {
            Err(Error::AcceptedButUnreadable {
                status,
                request_id,
                reason,
                body,
            })
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::BODY_EXCERPT_BYTES;

    /// The data of a `POST /v1/call` answer, as a test answer type.
    #[derive(Debug)]
    struct CallId(#[allow(dead_code)] String);

    impl FromWire<types::CallResponseData> for CallId {
        fn from_wire(data: types::CallResponseData) -> std::result::Result<Self, String> {
            Ok(CallId(data.call_id))
        }
    }

    fn raw(status: u16, body: &str, headers: &[(&'static str, &str)]) -> RawResponse {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        RawResponse {
            status: StatusCode::from_u16(status).unwrap(),
            headers: map,
            body: Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn success_false_on_200_is_a_bad_request_with_messages() {
        let r = raw(
            200,
            r#"{"success":false,"errors":["a","b"]}"#,
            &[("x-request-id", "r1")],
        );
        match decode::<types::CallResponse, CallId>(&r) {
            Err(Error::BadRequest(f)) => {
                assert_eq!(f.status, 200);
                assert_eq!(f.messages, vec!["a".to_string(), "b".to_string()]);
                assert_eq!(f.request_id.as_deref(), Some("r1"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn decode_error_keeps_the_first_kib() {
        let body = "x".repeat(5000);
        let r = raw(200, &body, &[]);
        match decode::<types::CallResponse, CallId>(&r) {
            Err(Error::Decode { status, body, .. }) => {
                assert_eq!(status, 200);
                assert_eq!(body.len(), BODY_EXCERPT_BYTES);
            }
            other => panic!("{other:?}"),
        }
    }
}
