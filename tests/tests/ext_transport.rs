//! The two ways a request travels (see `osvi-ext/src/transport/send.rs`): on hyper's pool
//! directly (the default client) and through reqwest (a client built with your own
//! `reqwest::ClientBuilder`). Each wire fault here is met by both, and both must put the same
//! request on the wire and classify the fault the same way: whether anything may have reached
//! the server decides whether a call placement may be repeated. (The retry and reconcile
//! suites run on the reqwest path, for their paused clocks; the chaos suite on the direct one.)

mod common;

use std::time::Duration;

use common::scripted::{Reply, Scripted};
use common::{AGENT, CALL_ID, TOKEN};
use osvi_ext::{Client, Error, ReconcilePolicy, RetryPolicy};
use serde_json::json;

/// The two paths: the default client, and one built with your own reqwest builder.
const PATHS: [&str; 2] = ["direct", "reqwest"];

/// A client on `path` for `base_url`.
fn build(path: &str, base_url: &str, policy: RetryPolicy) -> Client {
    let builder = Client::builder()
        .token(TOKEN)
        .base_url(base_url)
        .retry_policy(policy);
    match path {
        "direct" => builder.build().unwrap(),
        _ => builder
            .http_client(reqwest::Client::builder())
            .build()
            .unwrap(),
    }
}

fn call_created() -> Reply {
    Reply::json(
        200,
        json!({"success": true, "data": {"call_id": "call_abc123xyz"}}),
    )
}

fn call(id: &str) -> Reply {
    Reply::json(200, json!({"success": true, "data": {"call_id": id}}))
}

fn quick() -> RetryPolicy {
    RetryPolicy::default()
        .base_delay(Duration::from_millis(10))
        .without_jitter()
}

/// The request head without the `host` line (its port differs between servers).
fn head(seen: &common::scripted::Seen) -> Vec<String> {
    let mut lines: Vec<String> = seen
        .head
        .lines()
        .map(|l| l.to_ascii_lowercase())
        .filter(|l| !l.is_empty() && !l.starts_with("host:"))
        .collect();
    lines.sort();
    lines
}

#[tokio::test]
async fn both_paths_put_the_same_request_on_the_wire() {
    for path in PATHS {
        let server = Scripted::start(vec![call_created()]).await;
        let created = build(path, &server.base_url, RetryPolicy::none())
            .calls()
            .create(AGENT, "9876543210", "IN")
            .person_name("John Doe")
            .send()
            .await
            .unwrap();
        assert_eq!(created.call_id, "call_abc123xyz", "{path}");
        let seen = server.seen.lock().unwrap()[0].clone();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&seen.body).unwrap(),
            json!({"agent_uuid": AGENT, "phone_number": "9876543210", "country_code": "IN",
                   "person_name": "John Doe"}),
            "{path}"
        );
        let mut expected = vec![
            "post /v1/call http/1.1".to_string(),
            "accept: application/json".into(),
            format!("api-token: {TOKEN}"),
            "api-version: 1.0.0".into(),
            "content-type: application/json".into(),
            format!("content-length: {}", seen.body.len()),
            format!("user-agent: osvi-rust/{}", env!("CARGO_PKG_VERSION")),
        ];
        expected.sort();
        assert_eq!(head(&seen), expected, "{path}");
    }
}

#[tokio::test]
async fn a_refused_connection_sent_nothing() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    for path in PATHS {
        let base_url = format!("http://127.0.0.1:{port}");
        let err = build(path, &base_url, RetryPolicy::none())
            .calls()
            .get(CALL_ID)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Transport {
                    before_sending: true,
                    ..
                }
            ),
            "{path}: {err:?}"
        );
        assert!(!err.may_have_reached_server(), "{path}");
    }
}

#[tokio::test]
async fn a_reset_after_the_request_was_written_may_have_reached_the_server() {
    for path in PATHS {
        let server = Scripted::start(vec![Reply::CloseAfterRequest, call_created()]).await;
        let err = build(path, &server.base_url, quick())
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
            "{path}: {err:?}"
        );
        assert_eq!(server.count(), 1, "{path}: a placement is never repeated");

        // The same fault on a read is retried.
        let server = Scripted::start(vec![Reply::CloseAfterRequest, call(CALL_ID)]).await;
        let client = build(path, &server.base_url, quick());
        assert_eq!(client.calls().get(CALL_ID).await.unwrap().call_id, CALL_ID);
        assert_eq!(server.count(), 2, "{path}");
    }
}

#[tokio::test]
async fn a_cut_body_a_stalled_body_and_a_body_over_the_limit() {
    for path in PATHS {
        let cut = Scripted::start(vec![Reply::CutBody {
            declared: 500,
            body: r#"{"success": true, "da"#.into(),
        }])
        .await;
        let err = build(path, &cut.base_url, RetryPolicy::none())
            .calls()
            .get(CALL_ID)
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
            "{path}: {err:?}"
        );

        let stalled = Scripted::start(vec![Reply::StallBody]).await;
        let started = std::time::Instant::now();
        let err = build(path, &stalled.base_url, RetryPolicy::none())
            .with_timeout(Duration::from_millis(300))
            .calls()
            .get(CALL_ID)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }), "{path}: {err:?}");
        assert_eq!(err.kind(), "timeout", "{path}");
        assert!(started.elapsed() < Duration::from_secs(5), "{path}");

        let big = Scripted::start(vec![Reply::Http {
            status: 200,
            headers: vec![("x-request-id".into(), "big-1".into())],
            body: format!(
                r#"{{"success": true, "data": {{"call_id": "{}"}}}}"#,
                "x".repeat(10_000)
            ),
        }])
        .await;
        let client = Client::builder()
            .token(TOKEN)
            .base_url(&big.base_url)
            .retry_policy(RetryPolicy::none())
            .max_response_bytes(1024);
        let client = match path {
            "direct" => client.build().unwrap(),
            _ => client
                .http_client(reqwest::Client::builder())
                .build()
                .unwrap(),
        };
        match client.calls().get(CALL_ID).await.unwrap_err() {
            Error::Decode {
                status,
                request_id,
                reason,
                body,
            } => {
                assert_eq!(status, 200, "{path}");
                assert_eq!(request_id.as_deref(), Some("big-1"), "{path}");
                assert_eq!(reason, "the body is larger than 1024 bytes", "{path}");
                assert!(body.len() <= 1024, "{path}");
            }
            other => panic!("{path}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn redirects_within_the_origin_keep_or_change_the_method_as_browsers_do() {
    for path in PATHS {
        // 307: the same POST, body and token, at the new place.
        let server = Scripted::start(vec![
            Reply::Http {
                status: 307,
                headers: vec![("location".into(), "/v1/call-moved".into())],
                body: String::new(),
            },
            call_created(),
        ])
        .await;
        let created = build(path, &server.base_url, RetryPolicy::none())
            .calls()
            .create(AGENT, "9876543210", "IN")
            .reconcile_policy(ReconcilePolicy::off())
            .send()
            .await
            .unwrap();
        assert_eq!(created.call_id, "call_abc123xyz", "{path}");
        let seen = server.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2, "{path}");
        assert!(
            seen[1].head.starts_with("POST /v1/call-moved "),
            "{path}: {}",
            seen[1].head
        );
        assert_eq!(seen[1].body, seen[0].body, "{path}");
        assert!(
            seen[1]
                .head
                .to_ascii_lowercase()
                .contains(&format!("api-token: {TOKEN}")),
            "{path}"
        );

        // 303: a GET without the body.
        let server = Scripted::start(vec![
            Reply::Http {
                status: 303,
                headers: vec![("location".into(), format!("/v1/call/{CALL_ID}"))],
                body: String::new(),
            },
            call_created(),
        ])
        .await;
        build(path, &server.base_url, RetryPolicy::none())
            .calls()
            .create(AGENT, "9876543210", "IN")
            .reconcile_policy(ReconcilePolicy::off())
            .send()
            .await
            .unwrap();
        let seen = server.seen.lock().unwrap().clone();
        assert!(
            seen[1]
                .head
                .starts_with(&format!("GET /v1/call/{CALL_ID} ")),
            "{path}: {}",
            seen[1].head
        );
        assert_eq!(seen[1].body, "", "{path}");
        assert!(
            !seen[1].head.to_ascii_lowercase().contains("content-type"),
            "{path}"
        );

        // Endless redirects end after ten.
        let server = Scripted::start(vec![Reply::Http {
            status: 302,
            headers: vec![("location".into(), "/again".into())],
            body: String::new(),
        }])
        .await;
        let err = build(path, &server.base_url, RetryPolicy::none())
            .calls()
            .get(CALL_ID)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("more than 10 redirects"),
            "{path}: {err}"
        );
        assert_eq!(server.count(), 11, "{path}");
    }
}
