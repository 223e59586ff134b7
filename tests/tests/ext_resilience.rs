//! Retries that never dial a person twice, timeouts, and hostile responses. Faults httpmock
//! cannot make come from a scripted server on a tokio `TcpListener` (common/scripted.rs);
//! waits are measured on tokio's paused clock, never with real sleeps.

mod common;

use std::time::Duration;

use common::scripted::{Reply, Scripted};
use common::{AGENT, CALL_ID, TOKEN};
use osvi_ext::{Client, Error, ReconcilePolicy, RetryPolicy};
use serde_json::json;

/// A client for `base_url` with `policy`. Its HTTP client has no timers of its own, so on a
/// paused clock the only timers are the retry waits.
fn client(base_url: &str, policy: RetryPolicy) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(base_url)
        .http_client(reqwest::Client::builder())
        .retry_policy(policy)
        .build()
        .unwrap()
}

fn steady() -> RetryPolicy {
    RetryPolicy::default()
        .base_delay(Duration::from_millis(100))
        .max_delay(Duration::from_secs(10))
        .without_jitter()
}

/// Asserts the waits between attempts, in milliseconds. tokio's timer has a resolution of
/// 1 ms and rounds deadlines up, so a wait may read up to 2 ms long.
fn assert_waits(gaps: Vec<Duration>, expected_ms: &[u64]) {
    let got: Vec<u128> = gaps.iter().map(Duration::as_millis).collect();
    assert_eq!(
        got.len(),
        expected_ms.len(),
        "waits {got:?}, expected {expected_ms:?}"
    );
    for (gap, expected) in got.iter().zip(expected_ms) {
        let expected = u128::from(*expected);
        assert!(
            (expected..=expected + 2).contains(gap),
            "waits {got:?}, expected {expected_ms:?}"
        );
    }
}

fn overloaded() -> Reply {
    Reply::json(503, json!({"success": false, "error": "overloaded"}))
}

fn calls_page() -> Reply {
    Reply::json(
        200,
        json!({"success": true, "data": [{"call_id": CALL_ID}],
                            "meta": {"current_page": 1, "total_pages": 1, "total_count": 1, "per_page": 25}}),
    )
}

fn call_created() -> Reply {
    Reply::json(
        200,
        json!({"success": true, "data": {"call_id": "call_abc123xyz"}}),
    )
}

#[tokio::test(start_paused = true)]
async fn create_call_answering_503_is_sent_exactly_once() {
    let server = Scripted::start(vec![overloaded(), call_created()]).await;
    // Without the lookup that settles an uncertain placement (ext_reconcile.rs tests it).
    let err = client(&server.base_url, steady().max_attempts(5))
        .calls()
        .create(AGENT, "9876543210", "IN")
        .reconcile_policy(ReconcilePolicy::off())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Server(f) if f.status == 503),
        "{err:?}"
    );
    assert_eq!(server.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn list_calls_answering_503_503_200_succeeds_on_the_third_attempt_with_the_policy_waits() {
    let server = Scripted::start(vec![overloaded(), overloaded(), calls_page()]).await;
    let page = client(&server.base_url, steady())
        .calls()
        .list()
        .page(1)
        .await
        .unwrap();
    assert_eq!(page.items[0].call_id, CALL_ID);
    assert_eq!(server.count(), 3);
    assert_waits(server.gaps(), &[100, 200]);
}

#[tokio::test(start_paused = true)]
async fn attempts_stop_at_the_policy_maximum() {
    let server = Scripted::start(vec![overloaded()]).await;
    let err = client(&server.base_url, steady().max_attempts(4))
        .calls()
        .get(CALL_ID)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Server(_)));
    assert_eq!(server.count(), 4);
    assert_waits(server.gaps(), &[100, 200, 400]);
}

#[tokio::test(start_paused = true)]
async fn full_jitter_waits_stay_within_the_schedule() {
    let server =
        Scripted::start(vec![overloaded(), overloaded(), overloaded(), calls_page()]).await;
    let policy = RetryPolicy::default()
        .max_attempts(4)
        .base_delay(Duration::from_millis(100));
    client(&server.base_url, policy)
        .calls()
        .list()
        .page(1)
        .await
        .unwrap();
    let gaps = server.gaps();
    assert_eq!(gaps.len(), 3);
    for (gap, ceiling) in gaps.iter().zip([100, 200, 400]) {
        assert!(
            *gap <= Duration::from_millis(ceiling + 2),
            "{gap:?} > {ceiling} ms"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_400_is_never_retried() {
    let server = Scripted::start(vec![
        Reply::json(400, json!({"success": false, "error": "bad"})),
        calls_page(),
    ])
    .await;
    let err = client(&server.base_url, steady())
        .calls()
        .list()
        .page(1)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::BadRequest(_)));
    assert_eq!(server.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn retry_after_is_honoured_and_capped() {
    let limited = Reply::json(429, json!({"success": false})).with_header("retry-after", "7");
    let server = Scripted::start(vec![limited.clone(), calls_page()]).await;
    client(&server.base_url, steady())
        .calls()
        .list()
        .page(1)
        .await
        .unwrap();
    assert_waits(server.gaps(), &[7000]);

    let server = Scripted::start(vec![limited, calls_page()]).await;
    client(&server.base_url, steady().max_delay(Duration::from_secs(2)))
        .calls()
        .list()
        .page(1)
        .await
        .unwrap();
    assert_waits(server.gaps(), &[2000]);
}

#[tokio::test(start_paused = true)]
async fn chat_posts_are_not_retried_unless_opted_in() {
    let reply = Reply::json(
        200,
        json!({"success": true, "data": {"session_id": "s", "reply": "hi"}}),
    );
    let server = Scripted::start(vec![overloaded(), reply.clone()]).await;
    let chat = |c: Client| async move {
        c.chat()
            .send_message(AGENT, "+15551112222", "Hi")
            .send()
            .await
    };
    let err = chat(client(&server.base_url, steady())).await.unwrap_err();
    assert!(matches!(err, Error::Server(_)));
    assert_eq!(server.count(), 1);

    let server = Scripted::start(vec![overloaded(), reply]).await;
    let base = client(&server.base_url, steady());
    let reply = chat(base.with_retry_policy(steady().retry_writes(true)))
        .await
        .unwrap();
    assert_eq!(reply.reply.as_deref(), Some("hi"));
    assert_eq!(server.count(), 2);
}

#[tokio::test(start_paused = true)]
async fn enqueued_contact_uploads_are_sent_once_and_plain_uploads_follow_the_write_rule() {
    use osvi_ext::campaigns::Contact;
    let server = Scripted::start(vec![overloaded()]).await;
    let c = client(&server.base_url, steady().retry_writes(true));
    // Without the status lookup that settles an uncertain request (ext_lifecycle.rs tests it).
    let upload = |enqueue| {
        c.campaigns()
            .add_contacts(AGENT, 7, vec![Contact::new("9876543210")])
            .enqueue(enqueue)
            .reconcile_policy(ReconcilePolicy::off())
            .send()
    };
    assert!(upload(true).await.is_err());
    assert_eq!(
        server.count(),
        1,
        "an upload that places calls is never repeated, even with retry_writes"
    );
    assert!(upload(false).await.is_err());
    assert_eq!(
        server.count(),
        1 + 3,
        "an upload without enqueue is a plain write"
    );
}

#[tokio::test(start_paused = true)]
async fn connection_refused_on_create_call_is_retried() {
    // Nothing listens on the port for the first attempt; the server starts during the wait.
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let base_url = format!("http://127.0.0.1:{port}");
    let starter = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        Scripted::serve(listener, vec![call_created()])
    });
    let created = client(&base_url, steady())
        .calls()
        .create(AGENT, "9876543210", "IN")
        .send()
        .await
        .unwrap();
    assert_eq!(created.call_id, "call_abc123xyz");
    let server = starter.await.unwrap();
    assert_eq!(server.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_reset_after_the_request_was_written_is_not_retried_for_create_call() {
    let server = Scripted::start(vec![Reply::CloseAfterRequest, call_created()]).await;
    let err = client(&server.base_url, steady())
        .calls()
        .create(AGENT, "9876543210", "IN")
        .reconcile_policy(ReconcilePolicy::off())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                before_sending: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.count(), 1);
    assert!(
        server.seen.lock().unwrap()[0].body.contains("9876543210"),
        "the request was written"
    );

    // The same fault on a read is retried.
    let server = Scripted::start(vec![Reply::CloseAfterRequest, calls_page()]).await;
    client(&server.base_url, steady())
        .calls()
        .list()
        .page(1)
        .await
        .unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn truncated_json_and_wrong_types_are_decode_errors() {
    for body in [
        r#"{"success": true, "data": {"call_id": "a"#,
        r#"{"success": "yes", "data": []}"#,
        "[]",
        "",
    ] {
        let server = Scripted::start(vec![Reply::Http {
            status: 200,
            headers: vec![],
            body: body.into(),
        }])
        .await;
        let err = client(&server.base_url, RetryPolicy::none())
            .calls()
            .get(CALL_ID)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Decode { status: 200, .. }),
            "{body}: {err:?}"
        );
    }
}

#[tokio::test]
async fn a_wrong_content_type_with_valid_json_is_decoded() {
    let body = json!({"success": true, "data": {"call_id": CALL_ID}}).to_string();
    let reply = Reply::Http {
        status: 200,
        headers: vec![("content-type".into(), "text/plain".into())],
        body,
    };
    let server = Scripted::start(vec![reply]).await;
    let call = client(&server.base_url, RetryPolicy::none())
        .calls()
        .get(CALL_ID)
        .await
        .unwrap();
    assert_eq!(call.call_id, CALL_ID);
}
