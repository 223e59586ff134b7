//! Property tests of response decoding: arbitrary bytes and arbitrary JSON fed to the decoding
//! of every operation give a typed result, never a panic, and the status decides the error.

use osvi_ext::Error;
use osvi_ext::fuzzing::{decode_response, operations};
use proptest::prelude::*;
use serde_json::{Value, json};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-z_]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,10}", inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// Whether `op` only reads (`GET`): its undecodable 2xx is a plain decode error, and any
/// other operation's is `AcceptedButUnreadable`.
fn is_read(op: &str) -> bool {
    osvi_generated::spec::operations::ALL
        .iter()
        .any(|o| o.id == op && o.method == "GET")
}

fn operation() -> impl Strategy<Value = &'static str> {
    prop::sample::select(operations())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_give_a_typed_result(op in operation(), body in prop::collection::vec(any::<u8>(), 0..256)) {
        match decode_response(op, 200, &body) {
            Ok(_) | Err(Error::BadRequest(_)) => {}
            Err(Error::Decode { .. }) => prop_assert!(is_read(op), "{op}: a write's 2xx is a plain decode error"),
            Err(Error::AcceptedButUnreadable { .. }) => prop_assert!(!is_read(op), "{op}"),
            Err(other) => prop_assert!(false, "{op}: unexpected {other:?}"),
        }
    }

    #[test]
    fn arbitrary_json_envelopes_give_a_typed_result(
        op in operation(),
        data in any_json(),
        meta in any_json(),
        success in any::<Option<bool>>(),
    ) {
        let body = json!({"success": success, "data": data, "meta": meta, "message": "m"}).to_string();
        let result = decode_response(op, 200, body.as_bytes());
        match &result {
            Ok(_) => prop_assert!(success != Some(false), "{op}: success false decoded as Ok"),
            Err(Error::Decode { status: 200, .. }) => prop_assert!(is_read(op), "{op}"),
            Err(Error::AcceptedButUnreadable { status: 200, .. }) => prop_assert!(!is_read(op), "{op}"),
            Err(Error::BadRequest(_)) => {}
            Err(other) => prop_assert!(false, "{op}: unexpected {other:?}"),
        }
        // Bare values at the top level too.
        let _ = decode_response(op, 200, data.to_string().as_bytes());
    }

    #[test]
    fn the_status_decides_the_error_whatever_the_body(
        op in operation(),
        status in prop::sample::select(vec![400u16, 401, 403, 404, 409, 410, 422, 429, 500, 503]),
        body in prop::collection::vec(any::<u8>(), 0..128),
    ) {
        let err = decode_response(op, status, &body).unwrap_err();
        let expected = match status {
            400 | 422 => "bad_request",
            401 => "unauthorized",
            403 => "forbidden",
            404 => "not_found",
            409 => "conflict",
            429 => "rate_limited",
            500 | 503 => "server",
            _ => "unexpected_status",
        };
        prop_assert_eq!(err.kind(), expected);
        prop_assert_eq!(err.status(), Some(status));
    }

    /// Every `format: date-time` field is an `osvi_generated::Timestamp`, whose fast path must
    /// read exactly what chrono reads, to the same instant, and refuse what chrono refuses.
    #[test]
    fn a_timestamp_reads_what_chrono_reads(
        text in prop_oneof![
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,11})?(Z|z|[+-][0-9]{2}:?[0-9]{2})?",
            "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-4]):[0-6][0-9]:[0-6][0-9](\\.[0-9]{1,10})?(Z|[+-]([01][0-9]|2[0-4]):[0-6][0-9])",
            "[0-9+:.TZ -]{0,32}",
        ],
    ) {
        let ours = text.parse::<osvi_generated::Timestamp>().ok().map(|t| t.0);
        let chrono = text
            .parse::<chrono::DateTime<chrono::FixedOffset>>()
            .ok()
            .map(|t| t.with_timezone(&chrono::Utc));
        prop_assert_eq!(ours, chrono, "{}", text);
    }
}
