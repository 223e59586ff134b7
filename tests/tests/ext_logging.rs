//! Observability: every operation logs its id, method, path template, attempts, status and
//! elapsed time, and nothing private (token, phone numbers, names, message contents) appears
//! in any field at info level or above.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::scripted::{Reply, Scripted};
use common::{AGENT, TOKEN};
use osvi_ext::{Client, RetryPolicy};
use serde_json::json;

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures this thread's `tracing` output at info level and above until the guard drops.
fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

#[tokio::test]
async fn info_logs_name_the_operation_and_hide_private_data() {
    let (captured, _guard) = capture();

    let server = Scripted::start(vec![
        Reply::json(400, json!({"success": false, "error": "9876543210 for John Doe is not plausible"}))
            .with_header("x-request-id", "req-log-1"),
        Reply::json(503, json!({"success": false})),
        Reply::json(200, json!({"success": true, "data": [], "meta": {"total_pages": 1}})),
        Reply::json(200, json!({"success": true, "data": {"session_id": "s1", "reply": "your secret order 4242 ships today"}})),
    ])
    .await;
    let policy = RetryPolicy::default().base_delay(std::time::Duration::from_millis(1));
    let client = Client::builder()
        .token(TOKEN)
        .base_url(&server.base_url)
        .retry_policy(policy)
        .build()
        .unwrap();

    let _ = client
        .calls()
        .create(AGENT, "9876543210", "IN")
        .person_name("John Doe")
        .send()
        .await;
    client
        .calls()
        .list()
        .phone_number("9876543210")
        .page(1)
        .await
        .unwrap();
    client
        .chat()
        .send_message(AGENT, "+15551112222", "my secret order 4242")
        .send()
        .await
        .unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "operation=\"create_call\"",
        "method=POST",
        "path=\"/v1/call\"",
        "status=400",
        "request_id=\"req-log-1\"",
        "outcome=\"bad_request\"",
        "operation=\"list_calls\"",
        "osvi request failed, retrying",
        "attempts=2",
        "operation=\"send_chat_message\"",
        "outcome=\"ok\"",
        "elapsed_ms=",
    ] {
        assert!(
            logs.contains(expected),
            "missing {expected:?} in logs:\n{logs}"
        );
    }
    for private in [
        TOKEN,
        "9876543210",
        "John Doe",
        "+15551112222",
        "secret",
        "4242",
    ] {
        assert!(
            !logs.contains(private),
            "{private:?} leaked into the logs:\n{logs}"
        );
    }
}

#[tokio::test]
async fn a_reconciled_placement_logs_what_the_sdk_did_without_the_number() {
    let (captured, _guard) = capture();
    let listed = json!({"call_id": "c-1", "agent_uuid": AGENT, "phone_number": "+919876543210",
                        "call_type": "outbound", "created_at": chrono::Utc::now().to_rfc3339()});
    let server = Scripted::start(vec![
        Reply::CloseAfterRequest,
        Reply::json(
            200,
            json!({"success": true, "data": [listed], "meta": {"total_pages": 1}}),
        ),
    ])
    .await;
    let client = Client::builder()
        .token(TOKEN)
        .base_url(&server.base_url)
        .build()
        .unwrap();
    let created = client
        .calls()
        .create(AGENT, "9876543210", "IN")
        .person_name("John Doe")
        .await
        .unwrap();
    assert_eq!(created.call_id, "c-1");

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "osvi call placement uncertain, looking the call up",
        "error=\"transport\"",
        "window_ms=10000",
        "osvi call placement reconciled",
        "outcome=\"found\"",
        "lookups=1",
        "operation=\"list_calls\"",
    ] {
        assert!(
            logs.contains(expected),
            "missing {expected:?} in logs:\n{logs}"
        );
    }
    for private in [TOKEN, "9876543210", "John Doe"] {
        assert!(
            !logs.contains(private),
            "{private:?} leaked into the logs:\n{logs}"
        );
    }
}
