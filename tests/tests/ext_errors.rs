//! Every error status and every response envelope of REFERENCE.md §5, mapped to the exact
//! `osvi_ext::Error` a caller matches on.

mod common;

use std::time::Duration;

use common::{AGENT, CALL_ID, TOKEN, client};
use httpmock::Method::GET;
use httpmock::MockServer;
use osvi_ext::calls::CallStatus;
use osvi_ext::{ApiFailure, Error};
use serde_json::{Value, json};

/// Serves `status` with `body` (and headers) on `GET /v1/call/{CALL_ID}` and returns what
/// `client.calls().get(..)` gives.
async fn get_call_answering(
    status: u16,
    body: &str,
    headers: &[(&str, &str)],
) -> osvi_ext::Result<osvi_ext::calls::Call> {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/call/{CALL_ID}"));
            let mut then = then.status(status).body(body);
            for (name, value) in headers {
                then = then.header(*name, *value);
            }
        })
        .await;
    let result = client(&server).calls().get(CALL_ID).await;
    mock.assert_async().await;
    result
}

/// `(status, request id, messages)` of a failure, to compare in one assertion.
fn failure(f: &ApiFailure) -> (u16, Option<&str>, Vec<&str>) {
    (
        f.status,
        f.request_id.as_deref(),
        f.messages.iter().map(String::as_str).collect(),
    )
}

#[tokio::test]
async fn unauthorized_401_keeps_message_and_request_id() {
    let body = json!({"success": false, "error": "Invalid API token"}).to_string();
    let err = get_call_answering(401, &body, &[("x-request-id", "req-401")])
        .await
        .unwrap_err();
    match &err {
        Error::Unauthorized(f) => assert_eq!(
            failure(f),
            (401, Some("req-401"), vec!["Invalid API token"])
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.request_id(), Some("req-401"));
    assert_eq!(
        err.to_string(),
        "unauthorized, check the API token: HTTP 401: Invalid API token (request id req-401)"
    );
}

#[tokio::test]
async fn forbidden_403_with_null_details() {
    let body = json!({"success": false, "error": "Agent not found or not associated with this account", "details": null}).to_string();
    let err = get_call_answering(403, &body, &[]).await.unwrap_err();
    match err {
        Error::Forbidden(f) => {
            assert_eq!(
                f.messages,
                vec!["Agent not found or not associated with this account"]
            );
            assert_eq!(f.details, None);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn not_found_404() {
    let body = json!({"success": false, "error": "Call not found"}).to_string();
    let err = get_call_answering(404, &body, &[("request-id", "r-404")])
        .await
        .unwrap_err();
    match err {
        Error::NotFound(f) => assert_eq!(failure(&f), (404, Some("r-404"), vec!["Call not found"])),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn bad_request_400_error_and_details_envelope() {
    let body = json!({"success": false, "error": "param is missing or the value is empty: phone", "details": {"param": "phone"}}).to_string();
    let err = get_call_answering(400, &body, &[]).await.unwrap_err();
    match err {
        Error::BadRequest(f) => {
            assert_eq!(f.status, 400);
            assert_eq!(
                f.messages,
                vec!["param is missing or the value is empty: phone"]
            );
            assert_eq!(f.details.as_deref(), Some(&json!({"param": "phone"})));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn validation_422_errors_array_envelope() {
    let body =
        json!({"success": false, "errors": ["agent_uuid is required", "phone_number is invalid"]})
            .to_string();
    let err = get_call_answering(422, &body, &[]).await.unwrap_err();
    match err {
        Error::BadRequest(f) => assert_eq!(
            failure(&f),
            (
                422,
                None,
                vec!["agent_uuid is required", "phone_number is invalid"]
            )
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn rate_limited_429_reads_retry_after() {
    let err = get_call_answering(429, "{}", &[("retry-after", "12")])
        .await
        .unwrap_err();
    match err {
        Error::RateLimited {
            failure: f,
            retry_after,
        } => {
            assert_eq!(f.status, 429);
            assert_eq!(retry_after, Some(Duration::from_secs(12)));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn server_5xx_with_an_html_body_keeps_status_request_id_and_text() {
    let page = format!(
        "<html>\n  <head><title>502 Bad Gateway</title></head>\n  <body>{}</body>\n</html>",
        "x".repeat(2000)
    );
    let err = get_call_answering(502, &page, &[("x-request-id", "r-502")])
        .await
        .unwrap_err();
    let Error::Server(f) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(failure(f), (502, Some("r-502"), Vec::<&str>::new()));
    assert_eq!(f.body, page[..1024]);
    let shown = err.to_string();
    assert!(
        shown.starts_with(
            "server error: HTTP 502: <html> <head><title>502 Bad Gateway</title></head> <body>xxx"
        ),
        "{shown}"
    );
    assert!(shown.ends_with("… (request id r-502)"), "{shown}");
    let err = get_call_answering(500, r#"{"success":false,"message":"boom"}"#, &[])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Server(f) if f.messages == vec!["boom"]),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "server error: HTTP 500: boom");
}

#[tokio::test]
async fn undocumented_status_is_unexpected() {
    let err = get_call_answering(410, "{}", &[]).await.unwrap_err();
    assert!(
        matches!(&err, Error::UnexpectedStatus(f) if f.status == 410),
        "{err:?}"
    );
}

#[tokio::test]
async fn conflict_is_its_own_kind() {
    let body = json!({"success": false, "error": "session is closed"}).to_string();
    let err = get_call_answering(409, &body, &[]).await.unwrap_err();
    assert!(
        matches!(&err, Error::Conflict(f) if f.status == 409 && f.messages == vec!["session is closed"]),
        "{err:?}"
    );
}

#[tokio::test]
async fn success_false_on_200_is_an_error_with_the_messages() {
    let body = json!({"success": false, "errors": ["call failed validation"]}).to_string();
    let err = get_call_answering(200, &body, &[("x-request-id", "r-200")])
        .await
        .unwrap_err();
    match err {
        Error::BadRequest(f) => assert_eq!(
            failure(&f),
            (200, Some("r-200"), vec!["call failed validation"])
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn non_json_200_is_a_decode_error_keeping_status_and_body() {
    let err = get_call_answering(
        200,
        "<html>maintenance</html>",
        &[("x-request-id", "r-html")],
    )
    .await
    .unwrap_err();
    match err {
        Error::Decode {
            status,
            request_id,
            body,
            reason,
        } => {
            assert_eq!(status, 200);
            assert_eq!(request_id.as_deref(), Some("r-html"));
            assert_eq!(body, "<html>maintenance</html>");
            assert!(reason.starts_with("expected value"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn missing_data_and_missing_ids_are_decode_errors() {
    let err = get_call_answering(200, r#"{"success":true}"#, &[])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { reason, .. } if reason.starts_with("missing field `data`")),
        "{err:?}"
    );
    let err = get_call_answering(200, r#"{"success":true,"data":{"status":"picked"}}"#, &[])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { reason, .. } if reason.starts_with("missing field `call_id`")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_word_where_a_number_belongs_is_kept_not_fatal() {
    let body = json!({"success": true, "data": {
        "call_id": CALL_ID, "duration_seconds": "long", "campaign_id": "7", "retry_count": 2.0,
        "created_at": "2026-06-12 09:30:00", "call_picked_at": "soon"
    }})
    .to_string();
    let call = get_call_answering(200, &body, &[]).await.unwrap();
    assert_eq!(call.duration_seconds, None);
    assert_eq!(call.campaign_id, Some(7));
    assert_eq!(call.retry_count, Some(2));
    assert_eq!(
        call.created_at.map(|t| t.to_rfc3339()),
        Some("2026-06-12T09:30:00+00:00".into()),
        "a zone-less timestamp is read as UTC"
    );
    assert_eq!(call.call_picked_at, None);
    assert_eq!(
        Value::Object(call.unreadable),
        json!({"duration_seconds": "long", "call_picked_at": "soon"})
    );
}

#[tokio::test]
async fn unknown_fields_are_ignored_and_unknown_enum_values_kept() {
    let body = json!({"success": true, "brand_new": 1, "data": {
        "call_id": CALL_ID, "status": "ringing", "call_type": "transfer", "new_field": {"x": 1}
    }})
    .to_string();
    let call = get_call_answering(200, &body, &[]).await.unwrap();
    assert_eq!(call.status, Some(CallStatus::Unknown("ringing".into())));
    assert_eq!(call.status.as_ref().map(|s| s.is_final()), Some(true));
    assert_eq!(
        call.call_type.map(|t| t.to_string()),
        Some("transfer".into())
    );
}

/// Legacy `POST /call` answering `body` (status 200).
#[allow(deprecated)]
async fn legacy_call_answering(body: Value) -> osvi_ext::Result<osvi_ext::calls::CallCreated> {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/call");
            then.status(200).json_body(body);
        })
        .await;
    // Without the lookup that settles an uncertain placement (ext_reconcile.rs tests it).
    client(&server)
        .legacy()
        .create_call(AGENT, "9876543210", "IN")
        .reconcile_policy(osvi_ext::ReconcilePolicy::off())
        .send()
        .await
}

#[tokio::test]
async fn legacy_call_without_an_id_is_unreadable_never_a_refusal() {
    // A status word the docs do not show is no refusal: the call may have been placed.
    let err = legacy_call_answering(json!({"status": "error", "message": "Agent inactive"}))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::AcceptedButUnreadable { status: 200, reason, body, .. }
            if reason.contains("no call id") && body.contains("Agent inactive")),
        "{err:?}"
    );
    assert!(err.may_have_reached_server());
}

#[tokio::test]
async fn legacy_call_with_an_id_is_placed_whatever_its_status_word() {
    for body in [
        json!({"status": "queued", "message": "Call queued", "call_id": "call_abc"}),
        json!({"status": "error", "call_id": "call_abc"}),
        json!({"data": {"call_id": "call_abc"}}),
        json!({"success": "true", "data": {"call_id": "call_abc"}}),
    ] {
        let created = legacy_call_answering(body.clone()).await;
        assert_eq!(
            created.map(|c| c.call_id).ok().as_deref(),
            Some("call_abc"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn legacy_call_saying_success_false_is_a_refusal() {
    let err = legacy_call_answering(json!({"success": false, "message": "Agent inactive"}))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::BadRequest(f) if f.messages == vec!["Agent inactive"]),
        "{err:?}"
    );
}

#[tokio::test]
async fn connection_refused_is_a_transport_error_before_sending() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = osvi_ext::Client::builder()
        .token(TOKEN)
        .base_url(format!("http://127.0.0.1:{port}"))
        .build()
        .unwrap();
    let err = client.calls().get(CALL_ID).await.unwrap_err();
    match err {
        Error::Transport { before_sending, .. } => assert!(before_sending),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        client.calls().get(CALL_ID).await.unwrap_err().status(),
        None
    );
}

#[tokio::test]
async fn a_slow_server_is_a_timeout() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).delay(Duration::from_secs(5)).body("{}");
        })
        .await;
    let client = osvi_ext::Client::builder()
        .token(TOKEN)
        .base_url(server.base_url())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = client.calls().get(CALL_ID).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

#[tokio::test]
async fn an_absurd_recording_expiry_is_no_expiry_not_a_panic() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path(format!("/v1/call/{CALL_ID}/recording"));
            then.status(200).json_body(json!({"success": true, "data": {
                "call_id": CALL_ID, "recording_url": "https://s3.example/x.mp4", "expires_in_seconds": i64::MAX
            }}));
        })
        .await;
    let recording = client(&server).calls().recording(CALL_ID).await.unwrap();
    assert_eq!(
        recording.recording_url.as_deref(),
        Some("https://s3.example/x.mp4")
    );
    assert_eq!((recording.expires_in, recording.expires_at), (None, None));
}

/// One client, sixteen requests in flight on one task (`join_all`), half answered 200 and half
/// 404: each result carries its own answer's status, request id and message, never a
/// neighbour's (the transport keeps each request's answer apart from the others').
#[tokio::test]
async fn concurrent_requests_on_one_task_each_keep_their_own_answer() {
    let server = MockServer::start_async().await;
    for n in 0..8 {
        server
            .mock_async(|when, then| {
                when.method(GET).path(format!("/v1/call/found-{n}"));
                then.status(200)
                    .header("x-request-id", format!("ok-{n}"))
                    .json_body(json!({"success": true, "data": {"call_id": format!("found-{n}")}}));
            })
            .await;
        server
            .mock_async(|when, then| {
                when.method(GET).path(format!("/v1/call/gone-{n}"));
                then.status(404)
                    .header("x-request-id", format!("req-{n}"))
                    .json_body(json!({"success": false, "error": format!("no call gone-{n}")}));
            })
            .await;
    }
    let client = client(&server);
    let requests = (0..8)
        .flat_map(|n| [format!("found-{n}"), format!("gone-{n}")])
        .map(|id| {
            let client = client.clone();
            async move { (id.clone(), client.calls().get(id).await) }
        });
    let results = futures::future::join_all(requests).await;
    assert_eq!(results.len(), 16);
    for (id, result) in results {
        match (id.strip_prefix("gone-"), result) {
            (None, Ok(call)) => assert_eq!(call.call_id, id),
            (Some(n), Err(Error::NotFound(f))) => assert_eq!(
                failure(&f),
                (
                    404,
                    Some(format!("req-{n}").as_str()),
                    vec![format!("no call {id}").as_str()]
                )
            ),
            (_, other) => panic!("{id}: {other:?}"),
        }
    }
}

#[tokio::test]
#[allow(deprecated)]
async fn a_nested_success_false_is_the_same_refusal_as_a_top_level_one() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/chat_sessions/sess_1/close_session");
            then.status(200)
                .json_body(json!({"success": true, "message": "Session not active",
                "data": {"success": false, "session_id": "sess_1"}}));
        })
        .await;
    let err = client(&server)
        .legacy()
        .close_chat_session(AGENT, "sess_1")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::BadRequest(f) if f.status == 200 && f.messages == vec!["Session not active"]),
        "{err:?}"
    );
}
