//! The call lifecycle: webhooks of both generations (parser and axum receiver), polling a
//! call to its end, streaming a recording, large campaign uploads, waiting for a campaign to
//! drain, and a conversation that keeps its session.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::scripted::{Reply, Scripted};
use common::{AGENT, CALL_ID, SESSION_ID, TOKEN};
use osvi_ext::calls::{CallStatus, CallType};
use osvi_ext::campaigns::{Contact, UploadProgress};
use osvi_ext::webhooks::{ExecutionMode, WebhookEvent, parse};
use osvi_ext::{Client, Error, RetryPolicy};
use serde_json::{Value, json};

fn client(base_url: &str) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(base_url)
        .http_client(reqwest::Client::builder())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

// ---------------------------------------------------------------- webhooks

#[test]
fn the_older_webhook_generation_is_parsed() {
    let body = json!({
        "agent_name": "Sales Agent", "agent_uuid": AGENT, "phone_number": "+919876543210",
        "call_log_id": "8de63236-e013-42dd-9d99-1be5521701d4",
        "chat": "Agent: Hello, am I speaking with John?\nUser: Yes, this is John.",
        "call_status": "not_picked", "executionMode": "test", "new_field": 1
    });
    let WebhookEvent::CallCompleted(event) = parse(body.to_string().as_bytes()).unwrap() else {
        panic!("expected the older generation")
    };
    assert_eq!(
        event.call_log_id.as_deref(),
        Some("8de63236-e013-42dd-9d99-1be5521701d4")
    );
    assert_eq!(event.agent_name.as_deref(), Some("Sales Agent"));
    assert_eq!(event.agent_uuid.as_deref(), Some(AGENT));
    assert_eq!(event.call_status, Some(CallStatus::NotPicked));
    assert_eq!(event.execution_mode, Some(ExecutionMode::Test));
    assert_eq!(event.chat.as_deref().map(|c| c.lines().count()), Some(2));
}

#[test]
fn the_current_webhook_generation_is_parsed_with_every_section() {
    let body = json!({
        "call_log_id": "8de63236-e013-42dd-9d99-1be5521701d4", "phone_number": "+919876543210",
        "agent_name": AGENT, "call_status": "picked", "call_type": "outbound",
        "call_summary": "The customer confirmed their appointment.",
        "data_capture": {"customer_name": "John Doe", "appointment_confirmed": true},
        "structured_output": {"intent": "appointment_confirmation", "appointment": {"date": "2026-06-12"}},
        "call_trigger_data": {"crm_id": "lead_42", "campaign": "june-renewals"},
        "sentiment_section": {"score": 0.9}
    });
    let WebhookEvent::PostCallAnalysis(event) = parse(body.to_string().as_bytes()).unwrap() else {
        panic!("expected the current generation")
    };
    assert_eq!(event.call_status, Some(CallStatus::Picked));
    assert_eq!(event.call_type, Some(CallType::Outbound));
    assert_eq!(
        event.call_summary.as_deref(),
        Some("The customer confirmed their appointment.")
    );
    assert_eq!(event.data_capture["appointment_confirmed"], json!(true));
    assert_eq!(
        event.structured_output["appointment"]["date"],
        json!("2026-06-12")
    );
    assert_eq!(event.call_trigger_data["crm_id"], json!("lead_42"));
    assert_eq!(event.extra["sentiment_section"], json!({"score": 0.9}));
}

#[test]
fn a_current_body_with_an_older_field_keeps_every_section() {
    let body = json!({
        "call_log_id": "8de63236", "call_status": "picked", "call_type": "outbound",
        "agent_uuid": AGENT,
        "call_summary": "Confirmed.",
        "data_capture": {"appointment_confirmed": true},
        "structured_output": {"intent": "confirm"},
        "call_trigger_data": {"crm_id": "lead_42"}
    });
    let WebhookEvent::PostCallAnalysis(event) = parse(body.to_string().as_bytes()).unwrap() else {
        panic!("a body with current-generation sections is the current generation")
    };
    assert_eq!(event.call_summary.as_deref(), Some("Confirmed."));
    assert_eq!(event.data_capture["appointment_confirmed"], json!(true));
    assert_eq!(event.structured_output["intent"], json!("confirm"));
    assert_eq!(event.call_trigger_data["crm_id"], json!("lead_42"));
    assert_eq!(event.agent_uuid.as_deref(), Some(AGENT));
    assert!(event.extra.is_empty(), "{:?}", event.extra);
}

#[test]
fn an_older_body_with_a_current_section_keeps_both() {
    let body = json!({
        "call_log_id": "8de63236", "call_status": "picked",
        "chat": "Agent: Hi\nUser: Hello", "executionMode": "prod",
        "call_summary": "Said hello."
    });
    let WebhookEvent::PostCallAnalysis(event) = parse(body.to_string().as_bytes()).unwrap() else {
        panic!("a mixed body is read as the current generation, which holds both")
    };
    assert_eq!(event.call_summary.as_deref(), Some("Said hello."));
    assert_eq!(event.chat.as_deref(), Some("Agent: Hi\nUser: Hello"));
    assert_eq!(event.execution_mode, Some(ExecutionMode::Prod));
    assert_eq!(event.call_log_id.as_deref(), Some("8de63236"));
    assert!(event.extra.is_empty(), "{:?}", event.extra);
}

#[test]
fn missing_sections_are_empty_not_errors() {
    let WebhookEvent::PostCallAnalysis(event) =
        parse(br#"{"call_log_id": "x", "call_status": "picked"}"#).unwrap()
    else {
        panic!("expected the current generation")
    };
    assert_eq!(event.call_summary, None);
    assert!(
        event.data_capture.is_empty()
            && event.structured_output.is_empty()
            && event.call_trigger_data.is_empty()
    );
    assert!(matches!(
        parse(b"{}").unwrap(),
        WebhookEvent::PostCallAnalysis(_)
    ));
}

#[test]
fn wrong_types_and_non_objects_are_errors() {
    for body in [
        r#"{"data_capture": "yes"}"#,
        r#"{"structured_output": [1]}"#,
        r#"[1, 2]"#,
        "not json",
    ] {
        let err = parse(body.as_bytes()).unwrap_err();
        assert!(
            matches!(err, Error::InvalidWebhook { .. }),
            "{body}: {err:?}"
        );
        assert_eq!(err.kind(), "invalid_webhook");
    }
}

#[test]
fn scalars_of_another_json_type_are_read_leniently() {
    let event = parse(br#"{"call_summary": 42, "call_log_id": 7, "data_capture": {}}"#).unwrap();
    let WebhookEvent::PostCallAnalysis(event) = event else {
        panic!("{event:?}")
    };
    assert_eq!(event.call_summary.as_deref(), Some("42"));
    assert_eq!(event.call_log_id.as_deref(), Some("7"));
    let event = parse(br#"{"chat": ["a"], "agent_uuid": "x", "call_status": "picked"}"#).unwrap();
    let WebhookEvent::CallCompleted(event) = event else {
        panic!("{event:?}")
    };
    assert_eq!(event.chat, None, "a list is no text");
    assert_eq!(event.agent_uuid.as_deref(), Some("x"));
}

#[tokio::test]
async fn the_axum_receiver_delivers_events_and_checks_the_secret() {
    use osvi_ext::webhooks::axum::{SharedSecret, router};
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = received.clone();
    let app = axum::Router::new().nest(
        "/osvi/webhook",
        router(
            Some(SharedSecret::new("x-osvi-secret", "s3cr3t")),
            move |event| {
                let sink = sink.clone();
                async move { sink.lock().unwrap().push(event) }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/osvi/webhook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = reqwest::Client::new();
    let body =
        json!({"call_log_id": "c1", "call_status": "picked", "call_summary": "Done."}).to_string();

    let ok = http
        .post(&url)
        .header("x-osvi-secret", "s3cr3t")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let wrong = http
        .post(&url)
        .header("x-osvi-secret", "guess")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let missing = http.post(&url).body(body.clone()).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    let bad = http
        .put(&url)
        .header("x-osvi-secret", "s3cr3t")
        .body("[1]")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let other_call =
        json!({"call_log_id": "c2", "call_status": "picked", "call_summary": "Done."}).to_string();
    let patched = http
        .patch(&url)
        .header("x-osvi-secret", "s3cr3t")
        .body(other_call)
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);

    let events = received.lock().unwrap();
    assert_eq!(
        events.len(),
        2,
        "only the two authorized, well-formed bodies reach the handler"
    );
    let WebhookEvent::PostCallAnalysis(first) = &events[0] else {
        panic!("{:?}", events[0])
    };
    assert_eq!(first.call_summary.as_deref(), Some("Done."));
}

#[tokio::test]
async fn the_axum_receiver_hands_a_repeated_delivery_over_once_unless_told_otherwise() {
    use osvi_ext::webhooks::axum::Receiver;
    async fn serve(receiver: axum::Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, receiver).await });
        url
    }
    let http = reqwest::Client::new();
    let body = json!({"call_log_id": "c1", "call_summary": "Done."}).to_string();
    let no_call_id = json!({"call_summary": "anonymous"}).to_string();

    // On by default: the same call and kind twice, the same bytes twice.
    let count = Arc::new(Mutex::new(0));
    let seen = count.clone();
    let url = serve(
        Receiver::new(move |_| {
            let seen = seen.clone();
            async move { *seen.lock().unwrap() += 1 }
        })
        .router(),
    )
    .await;
    for b in [&body, &body, &no_call_id, &no_call_id] {
        let answer = http.post(&url).body(b.clone()).send().await.unwrap();
        assert_eq!(answer.status(), 200);
    }
    assert_eq!(*count.lock().unwrap(), 2);

    // Switched off: every delivery is handed over.
    let count = Arc::new(Mutex::new(0));
    let seen = count.clone();
    let url = serve(
        Receiver::new(move |_| {
            let seen = seen.clone();
            async move { *seen.lock().unwrap() += 1 }
        })
        .remember(0)
        .router(),
    )
    .await;
    for _ in 0..2 {
        http.post(&url).body(body.clone()).send().await.unwrap();
    }
    assert_eq!(*count.lock().unwrap(), 2);

    // A handling that did not finish (the handler panicked) is forgotten: the retry is
    // handled.
    let count = Arc::new(Mutex::new(0));
    let seen = count.clone();
    let url = serve(
        Receiver::new(move |_| {
            let seen = seen.clone();
            async move {
                let first = {
                    let mut n = seen.lock().unwrap();
                    *n += 1;
                    *n == 1
                };
                assert!(!first, "the first handling fails");
            }
        })
        .router(),
    )
    .await;
    let first = http.post(&url).body(body.clone()).send().await;
    assert!(first.is_err() || first.is_ok_and(|r| r.status() != 200));
    let retry = http.post(&url).body(body.clone()).send().await.unwrap();
    assert_eq!(retry.status(), 200);
    assert_eq!(*count.lock().unwrap(), 2, "the retry reached the handler");
}

// ---------------------------------------------------------------- polling

fn call_with_status(status: &str) -> Reply {
    Reply::json(
        200,
        json!({"success": true, "data": {"call_id": CALL_ID, "status": status, "summary": "Confirmed."}}),
    )
}

#[tokio::test(start_paused = true)]
async fn wait_polls_through_in_progress_to_a_final_status() {
    let server = Scripted::start(vec![
        call_with_status("in_progress"),
        call_with_status("in_progress"),
        call_with_status("in_progress"),
        call_with_status("picked"),
    ])
    .await;
    let call = client(&server.base_url)
        .calls()
        .wait(CALL_ID)
        .await
        .unwrap();
    assert_eq!(call.status, Some(CallStatus::Picked));
    assert_eq!(call.summary.as_deref(), Some("Confirmed."));
    assert_eq!(server.count(), 4);
    let gaps: Vec<u128> = server.gaps().iter().map(Duration::as_millis).collect();
    for (gap, expected) in gaps.iter().zip([2000u128, 3000, 4500]) {
        assert!(
            (expected..=expected + 2).contains(gap),
            "poll gaps {gaps:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn wait_gives_up_at_the_deadline() {
    let server = Scripted::start(vec![call_with_status("in_progress")]).await;
    let err = client(&server.base_url)
        .calls()
        .wait(CALL_ID)
        .deadline(Duration::from_secs(10))
        .await
        .unwrap_err();
    match err {
        Error::Timeout { message } => assert!(
            message.starts_with(&format!("call {CALL_ID} still `in_progress` after")),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
    // Polls at 0, 2, 5 and 9.5 s, and once more at the deadline itself (10 s).
    assert_eq!(server.count(), 5);
    let gaps: Vec<u128> = server.gaps().iter().map(Duration::as_millis).collect();
    for (gap, expected) in gaps.iter().zip([2000u128, 3000, 4500, 500]) {
        assert!(
            (expected..=expected + 2).contains(gap),
            "poll gaps {gaps:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_short_deadline_still_polls_at_the_deadline() {
    let server = Scripted::start(vec![call_with_status("in_progress")]).await;
    let err = client(&server.base_url)
        .calls()
        .wait(CALL_ID)
        .deadline(Duration::from_secs(1))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    // At 0 s and at 1 s (the first interval, 2 s, is cut to the deadline).
    assert_eq!(server.count(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_garbled_poll_does_not_end_the_wait() {
    let server = Scripted::start(vec![
        call_with_status("in_progress"),
        Reply::json(200, json!({"success": true, "data": "garbled"})),
        Reply::json(503, json!({"success": false, "error": "busy"})),
        call_with_status("picked"),
    ])
    .await;
    let client = osvi_ext::Client::builder()
        .token(TOKEN)
        .base_url(&server.base_url)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let call = client.calls().wait(CALL_ID).await.unwrap();
    assert_eq!(call.status, Some(CallStatus::Picked));
    assert_eq!(server.count(), 4, "every poll was answered once");
}

#[tokio::test(start_paused = true)]
async fn a_wait_for_a_call_that_does_not_exist_ends_at_once() {
    let server = Scripted::start(vec![Reply::json(
        404,
        json!({"success": false, "error": "Call not found"}),
    )])
    .await;
    let err = client(&server.base_url)
        .calls()
        .wait(CALL_ID)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_multi_mib_recording_is_streamed_without_the_token() {
    let audio: String = (0..5 * 1024 * 1024)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    // The first answer points at the same server for the audio.
    let server = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let recording = Reply::json(
            200,
            json!({"success": true, "data": {
                "call_id": CALL_ID, "recording_url": format!("{base}/audio/recording.mp4?X-Amz-Signature=abc"), "expires_in_seconds": 900
            }}),
        );
        let file = Reply::Http {
            status: 200,
            headers: vec![("content-type".into(), "audio/mp4".into())],
            body: audio.clone(),
        };
        Scripted::serve(listener, vec![recording, file])
    };
    let mut sink = Vec::new();
    let written = client(&server.base_url)
        .calls()
        .download_recording(CALL_ID, &mut sink)
        .await
        .unwrap();
    assert_eq!(written, audio.len() as u64);
    assert!(
        sink == audio.as_bytes(),
        "the bytes arrive intact and in order"
    );
    let seen = server.seen.lock().unwrap();
    assert!(
        seen[0]
            .head
            .starts_with(&format!("GET /v1/call/{CALL_ID}/recording "))
    );
    assert!(
        seen[0]
            .head
            .to_ascii_lowercase()
            .contains("api-token: 0123456789abcdef")
    );
    assert!(
        seen[1]
            .head
            .starts_with("GET /audio/recording.mp4?X-Amz-Signature=abc ")
    );
    assert!(
        !seen[1].head.to_ascii_lowercase().contains("api-token"),
        "the token is not sent to the storage host"
    );
}

// ---------------------------------------------------------------- campaigns

fn upload_summary(upload_id: i64, count: usize) -> Reply {
    Reply::json(
        200,
        json!({"success": true, "data": {
            "campaign_upload_id": upload_id, "contacts_received": count, "contacts_accepted": count - 1,
            "duplicates_removed": 1, "enqueued": false, "queued_calls": 0, "dnd_skipped": [{"phone": "+919800000000"}]
        }}),
    )
}

fn contacts(n: usize) -> Vec<Contact> {
    (0..n)
        .map(|i| Contact::new(format!("98{i:08}")).variable("row", i as u64))
        .collect()
}

/// The contacts of each request the server saw: `(count, first row, last row)`.
fn request_rows(server: &Scripted) -> Vec<(usize, u64, u64)> {
    server
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|seen| {
            let body: Value = serde_json::from_str(&seen.body).unwrap();
            let rows = body["contacts"].as_array().unwrap();
            (
                rows.len(),
                rows[0]["row"].as_u64().unwrap(),
                rows[rows.len() - 1]["row"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn contacts_25001_go_in_3_ordered_requests_with_a_merged_summary() {
    let server = Scripted::start(vec![
        upload_summary(1, 10_000),
        upload_summary(2, 10_000),
        upload_summary(3, 5_001),
    ])
    .await;
    let progress = Arc::new(Mutex::new(Vec::new()));
    let seen = progress.clone();
    let added = client(&server.base_url)
        .campaigns()
        .add_contacts(AGENT, 7, contacts(25_001))
        .on_progress(move |p: UploadProgress| {
            seen.lock().unwrap().push((
                p.contacts_sent,
                p.requests_done,
                p.requests_total.unwrap_or(0),
            ))
        })
        .send()
        .await
        .unwrap();
    assert_eq!(
        request_rows(&server),
        vec![
            (10_000, 0, 9_999),
            (10_000, 10_000, 19_999),
            (5_001, 20_000, 25_000)
        ]
    );
    assert_eq!(added.campaign_upload_ids, vec![1, 2, 3]);
    assert_eq!(added.contacts_received, Some(25_001));
    assert_eq!(added.contacts_accepted, Some(24_998));
    assert_eq!(added.duplicates_removed, Some(3));
    assert_eq!(added.dnd_skipped.len(), 3);
    assert_eq!(
        *progress.lock().unwrap(),
        vec![(10_000, 1, 3), (20_000, 2, 3), (25_001, 3, 3)]
    );
}

/// A campaign status listing uploads `ids`, all by `AGENT` and created just now.
fn status_with_uploads(ids: &[i64]) -> Reply {
    let now = chrono::Utc::now().to_rfc3339();
    let uploads: Vec<_> = ids
        .iter()
        .map(|id| json!({"campaign_upload_id": id, "agent_uuid": AGENT, "created_at": now, "queues": []}))
        .collect();
    Reply::json(
        200,
        json!({"success": true, "data": {"campaign": {"id": 7}, "uploads": uploads}}),
    )
}

/// The request lines a scripted server saw.
fn request_lines(server: &Scripted) -> Vec<String> {
    let seen = server.seen.lock().unwrap();
    seen.iter()
        .map(|s| s.head.lines().next().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_failure_on_the_second_request_says_exactly_what_was_stored() {
    // Request 2 answers 500; the campaign status, polled for the 10 s window, never shows an
    // upload of it: its contacts were not stored, and nothing after it is sent.
    let failed = Reply::json(500, json!({"success": false, "error": "queue unavailable"}));
    let mut replies = vec![upload_summary(1, 10_000), failed];
    replies.extend((0..6).map(|_| status_with_uploads(&[1])));
    replies.push(upload_summary(3, 5_001));
    let server = Scripted::start(replies).await;
    let err = client(&server.base_url)
        .campaigns()
        .add_contacts(AGENT, 7, contacts(25_001))
        .enqueue(true)
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::PartialUpload {
            stored,
            summary,
            source,
        } => {
            assert_eq!(
                *stored, 10_000,
                "contacts[..10000] stored, contacts[10000..] not"
            );
            assert_eq!(summary.campaign_upload_ids, vec![1]);
            assert_eq!(summary.contacts_received, Some(10_000));
            let Error::NotStored { cause, looked_for } = source.as_ref() else {
                panic!("{source:?}");
            };
            assert_eq!(*looked_for, std::time::Duration::from_secs(10));
            assert!(
                matches!(cause.as_ref(), Error::Server(f) if f.messages == vec!["queue unavailable"])
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.status(), Some(500));
    let mut expected = vec!["POST /v1/campaigns/7/contacts HTTP/1.1".to_string(); 2];
    expected.extend((0..6).map(|_| "GET /v1/campaigns/7/status HTTP/1.1".to_string()));
    assert_eq!(
        request_lines(&server),
        expected,
        "nothing is sent after the failure, and the enqueueing request is not repeated"
    );
    assert_eq!(
        err.to_string(),
        "campaign upload stopped after the first 10000 contacts were stored: the contacts were not stored: the request failed (server error: HTTP 500: queue unavailable) and no upload of it appeared in the campaign status within 10 s"
    );
}

#[tokio::test(start_paused = true)]
async fn a_request_found_stored_by_its_lookup_is_not_resent_and_the_upload_goes_on() {
    let server = Scripted::start(vec![
        upload_summary(1, 10_000),
        Reply::CloseAfterRequest,
        status_with_uploads(&[1, 2]),
        upload_summary(3, 5_001),
    ])
    .await;
    let added = client(&server.base_url)
        .campaigns()
        .add_contacts(AGENT, 7, contacts(25_001))
        .enqueue(true)
        .send()
        .await
        .unwrap();
    assert_eq!(added.campaign_upload_ids, vec![1, 2, 3]);
    assert_eq!(
        added.contacts_received, None,
        "request 2's counts are unknown"
    );
    let post = "POST /v1/campaigns/7/contacts HTTP/1.1".to_string();
    assert_eq!(
        request_lines(&server),
        [
            post.clone(),
            post.clone(),
            "GET /v1/campaigns/7/status HTTP/1.1".to_string(),
            post
        ]
    );
    let seen = server.seen.lock().unwrap();
    assert!(
        seen[3].body.contains("\"9800020000\"") && !seen[3].body.contains("\"9800019999\""),
        "request 3 carries contacts 20000.., request 2's are not resent"
    );
}

#[tokio::test]
async fn an_accepted_but_unreadable_request_counts_as_stored_and_the_upload_goes_on() {
    let unreadable = Reply::json(
        200,
        json!({"success": true, "data": "10000 contacts received"}),
    );
    let server = Scripted::start(vec![
        upload_summary(1, 10_000),
        unreadable,
        upload_summary(3, 5_001),
    ])
    .await;
    let added = client(&server.base_url)
        .campaigns()
        .add_contacts(AGENT, 7, contacts(25_001))
        .send()
        .await
        .unwrap();
    assert_eq!(server.count(), 3, "the rest of the upload was sent");
    assert_eq!(added.campaign_upload_ids, vec![1, 3]);
    assert_eq!(
        added.contacts_received, None,
        "one request's counts are unknown"
    );
    assert_eq!(added.contacts_accepted, None);
    assert_eq!(added.dnd_skipped.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn wait_until_drained_polls_until_every_queue_is_complete() {
    let status = |done: [bool; 2]| {
        Reply::json(
            200,
            json!({"success": true, "data": {"campaign": {"id": 7}, "uploads": [
                {"campaign_upload_id": 1, "queues": [{"total_queued": 5, "completed": done[0]}]},
                {"campaign_upload_id": 2, "queues": [{"total_queued": 5, "completed": done[1]}]}
            ]}}),
        )
    };
    let server = Scripted::start(vec![
        status([false, false]),
        status([true, false]),
        status([true, true]),
    ])
    .await;
    let drained = client(&server.base_url)
        .campaigns()
        .wait_until_drained(7)
        .poll_interval(Duration::from_secs(5))
        .await
        .unwrap();
    assert!(drained.is_drained());
    assert_eq!(server.count(), 3);
}

// ---------------------------------------------------------------- chat

#[tokio::test]
async fn a_conversation_keeps_its_session_id_across_messages_and_commands() {
    let reply = |text: &str| {
        Reply::json(
            200,
            json!({"success": true, "data": {"session_id": SESSION_ID, "reply": text, "mode": "ai"}}),
        )
    };
    let whisper = Reply::json(
        200,
        json!({"success": true, "data": {"session_id": SESSION_ID, "state": "ok", "command": "whisper"}}),
    );
    let server = Scripted::start(vec![reply("Hello!"), reply("Found it."), whisper]).await;
    let client = client(&server.base_url);
    let mut chat = client.chat().conversation(AGENT, "+15551112222");
    assert_eq!(chat.session_id(), None);
    assert_eq!(
        chat.send("Hi").await.unwrap().reply.as_deref(),
        Some("Hello!")
    );
    assert_eq!(chat.session_id(), Some(SESSION_ID));
    assert_eq!(
        chat.send("Order 4242").await.unwrap().reply.as_deref(),
        Some("Found it.")
    );
    let outcome = chat.whisper("Offer a refund.").await.unwrap();
    assert_eq!(
        outcome.command,
        Some(osvi_ext::chat::SupportCommand::Whisper)
    );

    let seen = server.seen.lock().unwrap();
    let bodies: Vec<Value> = seen
        .iter()
        .map(|s| serde_json::from_str(&s.body).unwrap())
        .collect();
    assert_eq!(
        bodies[0],
        json!({"agent_uuid": AGENT, "customer_id": "+15551112222", "content": "Hi"})
    );
    assert_eq!(
        bodies[1],
        json!({"agent_uuid": AGENT, "customer_id": "+15551112222", "content": "Order 4242", "session_id": SESSION_ID})
    );
    assert!(
        seen[2]
            .head
            .starts_with(&format!("POST /v1/chat/session/{SESSION_ID}/support "))
    );
    assert_eq!(
        bodies[2],
        json!({"command": "whisper", "message": "Offer a refund."})
    );
}

#[tokio::test]
async fn a_stop_signal_ends_the_upload_between_requests() {
    let server = Scripted::start(vec![upload_summary(1, 10_000), upload_summary(2, 10_000)]).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let stop = std::sync::Mutex::new(Some(stop));
    let err = client(&server.base_url)
        .campaigns()
        .add_contacts(AGENT, 7, contacts(25_001))
        .stop_when(async move {
            let _ = stopped.await;
        })
        // The signal fires while the first request is answered.
        .on_progress(move |_| {
            if let Some(stop) = stop.lock().unwrap().take() {
                let _ = stop.send(());
            }
        })
        .send()
        .await
        .unwrap_err();
    match &err {
        Error::PartialUpload {
            stored,
            summary,
            source,
        } => {
            assert_eq!(*stored, 10_000);
            assert_eq!(summary.campaign_upload_ids, vec![1]);
            assert!(matches!(source.as_ref(), Error::Stopped), "{source:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.count(), 1, "nothing sent after the signal");

    // A signal that has already fired stops it before anything is sent.
    let err = client(&server.base_url)
        .campaigns()
        .add_contacts(AGENT, 7, contacts(3))
        .stop_when(std::future::ready(()))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Stopped) && !err.may_have_reached_server());
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn contacts_from_an_iterator_go_out_10000_at_a_time_in_order() {
    let server = Scripted::start(vec![
        upload_summary(1, 10_000),
        upload_summary(2, 10_000),
        upload_summary(3, 5_001),
    ])
    .await;
    let progress = Arc::new(Mutex::new(Vec::new()));
    let seen = progress.clone();
    let rows = (0..25_001).map(|i| Contact::new(format!("98{i:08}")).variable("row", i as u64));
    let added = client(&server.base_url)
        .campaigns()
        .add_contacts_iter(AGENT, 7, rows)
        .on_progress(move |p: UploadProgress| {
            seen.lock()
                .unwrap()
                .push((p.contacts_sent, p.contacts_total, p.requests_total))
        })
        .await
        .unwrap();
    assert_eq!(
        request_rows(&server),
        vec![
            (10_000, 0, 9_999),
            (10_000, 10_000, 19_999),
            (5_001, 20_000, 25_000)
        ]
    );
    assert_eq!(added.campaign_upload_ids, vec![1, 2, 3]);
    assert_eq!(added.contacts_received, Some(25_001));
    assert_eq!(
        *progress.lock().unwrap(),
        vec![
            (10_000, None, None),
            (20_000, None, None),
            (25_001, None, None)
        ],
        "the total of a stream is unknown"
    );
}

#[tokio::test]
async fn an_invalid_contact_late_in_a_stream_stops_it_before_its_own_request() {
    let server = Scripted::start(vec![upload_summary(1, 10_000)]).await;
    let rows = (0..25_001).map(|i| match i {
        15_000 => Contact::new("9800015000").variable("phone", "x"),
        i => Contact::new(format!("98{i:08}")),
    });
    let err = client(&server.base_url)
        .campaigns()
        .add_contacts_iter(AGENT, 7, rows)
        .await
        .unwrap_err();
    match &err {
        Error::PartialUpload { stored, source, .. } => {
            assert_eq!(
                *stored, 10_000,
                "the first request was sent before the bad contact was read"
            );
            assert!(
                matches!(source.as_ref(), Error::Validation { field, .. } if field == "contacts[15000].variables.phone"),
                "{source:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        server.count(),
        1,
        "its own request and the rest are not sent"
    );

    let empty = client(&server.base_url)
        .campaigns()
        .add_contacts_iter(AGENT, 7, Vec::new())
        .await
        .unwrap_err();
    assert!(
        matches!(empty, Error::Validation { ref field, .. } if field == "contacts"),
        "{empty:?}"
    );
    assert_eq!(server.count(), 1);
}
