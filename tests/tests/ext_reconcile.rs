//! Settling an uncertain call placement by looking the call up (`ReconcilePolicy`), one test
//! per outcome: found, absent and resent, absent with resend off, several candidates, the
//! lookup failing. Each asserts the exact requests on the wire (a scripted loopback server)
//! and the waits between them on tokio's paused clock.

mod common;

use std::time::Duration;

use common::scripted::{Reply, Scripted};
use common::{AGENT, TOKEN};
use osvi_ext::{Client, Error, ReconcilePolicy, RetryPolicy};
use serde_json::{Value, json};

const PLACED: &str = "0b9b7e0c-1f6a-4c38-9c5e-5d1f3c2a7b10";
const OTHER: &str = "7d3e2f10-8a4b-4c6d-9e0f-1a2b3c4d5e6f";

/// A client with no HTTP timers and no retries of its own, so each lookup is one request.
fn client(base_url: &str) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(base_url)
        .http_client(reqwest::Client::builder())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// A call from `AGENT` to 9876543210 in India, through `server`.
fn placing(server: &Scripted) -> osvi_ext::calls::CreateCall {
    client(&server.base_url)
        .calls()
        .create(AGENT, "9876543210", "IN")
}

/// The request line of every lookup of a call from `AGENT` to 9876543210.
fn lookup_line() -> String {
    format!(
        "GET /v1/calls?agent_uuid={AGENT}&call_type=outbound&page=1&per_page=100&phone_number=9876543210 HTTP/1.1"
    )
}

/// A listed outbound call of `AGENT` to +919876543210, created `seconds_ago`.
fn listed(call_id: &str, seconds_ago: i64) -> Value {
    let created = chrono::Utc::now() - chrono::Duration::seconds(seconds_ago);
    json!({"call_id": call_id, "agent_uuid": AGENT, "phone_number": "+919876543210",
           "call_type": "outbound", "status": "in_progress",
           "created_at": created.to_rfc3339()})
}

/// A one-page call list of `calls`.
fn page(calls: Vec<Value>) -> Reply {
    let count = calls.len();
    Reply::json(
        200,
        json!({"success": true, "data": calls,
               "meta": {"current_page": 1, "total_pages": 1, "total_count": count, "per_page": 100}}),
    )
}

fn overloaded() -> Reply {
    Reply::json(503, json!({"success": false, "error": "overloaded"}))
}

fn created(call_id: &str) -> Reply {
    Reply::json(200, json!({"success": true, "data": {"call_id": call_id}}))
}

/// The request lines the server saw, in order.
fn lines(server: &Scripted) -> Vec<String> {
    let seen = server.seen.lock().unwrap();
    seen.iter()
        .map(|s| s.head.lines().next().unwrap_or_default().to_string())
        .collect()
}

/// Asserts the waits between requests, in milliseconds (tokio's timer may round up by 2 ms).
fn assert_waits(server: &Scripted, expected_ms: &[u64]) {
    let got: Vec<u128> = server.gaps().iter().map(Duration::as_millis).collect();
    let close = got.len() == expected_ms.len()
        && got
            .iter()
            .zip(expected_ms)
            .all(|(gap, want)| (u128::from(*want)..=u128::from(*want) + 2).contains(gap));
    assert!(close, "waits {got:?}, expected {expected_ms:?}");
}

/// The waits of a default window with nothing found: polls at 0, 0.5, 1.5, 3.5, 7.5 and 10 s.
const WINDOW_WAITS: [u64; 5] = [500, 1000, 2000, 4000, 2500];

#[tokio::test(start_paused = true)]
async fn a_call_placed_before_the_connection_broke_is_found_and_returned() {
    let server = Scripted::start(vec![
        Reply::CloseAfterRequest,
        // An older call to the same person and a call to another number do not count.
        page(vec![
            listed(PLACED, 0),
            json!({"call_id": OTHER, "agent_uuid": AGENT, "phone_number": "+9198765432109",
                   "call_type": "outbound", "created_at": chrono::Utc::now().to_rfc3339()}),
            listed("old-call", 3600),
        ]),
    ])
    .await;
    let call = placing(&server).await.unwrap();
    assert_eq!(call.call_id, PLACED);
    let how = call.reconciled.as_ref().expect("found by the lookup");
    assert!(call.was_reconciled());
    assert_eq!((how.placements, how.lookups), (1, 1));
    assert!(
        how.after.starts_with("transport error: create_call"),
        "{}",
        how.after
    );
    assert_eq!(
        lines(&server),
        ["POST /v1/call HTTP/1.1".to_string(), lookup_line()]
    );
    let seen = server.seen.lock().unwrap();
    assert!(seen[1].head.contains(&format!("api-token: {TOKEN}")));
    assert_eq!(seen[1].body, "");
}

#[tokio::test(start_paused = true)]
async fn an_absent_call_is_placed_again_when_resending_is_on() {
    let mut replies = vec![overloaded()];
    replies.extend((0..6).map(|_| page(vec![listed("old-call", 3600)])));
    replies.push(created(PLACED));
    let server = Scripted::start(replies).await;
    let call = placing(&server)
        .reconcile_policy(ReconcilePolicy::default().resend_if_absent(true))
        .await
        .unwrap();
    assert_eq!(call.call_id, PLACED);
    let how = call.reconciled.expect("settled by a resend");
    assert_eq!((how.placements, how.lookups), (2, 6));
    assert!(
        how.after.starts_with("server error: HTTP 503"),
        "{}",
        how.after
    );
    let mut expected = vec!["POST /v1/call HTTP/1.1".to_string()];
    expected.extend((0..6).map(|_| lookup_line()));
    expected.push("POST /v1/call HTTP/1.1".to_string());
    assert_eq!(lines(&server), expected);
    let seen = server.seen.lock().unwrap();
    assert_eq!(seen[0].body, seen[7].body, "the same call placed again");
    drop(seen);
    assert_waits(&server, &[0, 500, 1000, 2000, 4000, 2500, 0]);
}

#[tokio::test(start_paused = true)]
async fn an_absent_call_is_not_placed_and_not_resent_by_default() {
    let mut replies = vec![overloaded()];
    replies.extend((0..6).map(|_| page(Vec::new())));
    replies.push(created("never-sent"));
    let server = Scripted::start(replies).await;
    let err = placing(&server).await.unwrap_err();
    let Error::NotPlaced { cause, looked_for } = &err else {
        panic!("{err:?}");
    };
    assert!(
        matches!(**cause, Error::Server(ref f) if f.status == 503),
        "{cause:?}"
    );
    assert_eq!(*looked_for, Duration::from_secs(10));
    assert!(!err.may_have_reached_server(), "the person was not dialed");
    assert!(!err.is_uncertain());
    assert_eq!((err.kind(), err.status()), ("not_placed", Some(503)));
    let mut expected = vec!["POST /v1/call HTTP/1.1".to_string()];
    expected.extend((0..6).map(|_| lookup_line()));
    assert_eq!(lines(&server), expected);
    let mut waits = vec![0];
    waits.extend(WINDOW_WAITS);
    assert_waits(&server, &waits);
}

#[tokio::test(start_paused = true)]
async fn several_candidates_are_reported_without_a_guess() {
    let server = Scripted::start(vec![
        Reply::CloseAfterRequest,
        page(vec![listed(PLACED, 0), listed(OTHER, 1)]),
    ])
    .await;
    let err = placing(&server).await.unwrap_err();
    let Error::AmbiguousPlacement { candidates, cause } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(candidates, &[PLACED.to_string(), OTHER.to_string()]);
    assert!(matches!(
        **cause,
        Error::Transport {
            before_sending: false,
            ..
        }
    ));
    assert!(err.may_have_reached_server() && err.is_uncertain());
    assert!(err.to_string().contains(PLACED) && err.to_string().contains(OTHER));
    assert_eq!(
        lines(&server),
        ["POST /v1/call HTTP/1.1".to_string(), lookup_line()]
    );
}

#[tokio::test(start_paused = true)]
async fn lookups_failing_to_the_end_leave_the_placement_uncertain() {
    // The placement answers 503, then every lookup does: the window's polls, and two more
    // tries after its end, half a second apart.
    let server = Scripted::start(vec![overloaded()]).await;
    let err = placing(&server).await.unwrap_err();
    let Error::Unreconciled { cause, lookup } = &err else {
        panic!("{err:?}");
    };
    assert!(matches!(**cause, Error::Server(_)));
    assert!(matches!(**lookup, Error::Server(_)));
    assert!(err.may_have_reached_server() && err.is_uncertain());
    let mut expected = vec!["POST /v1/call HTTP/1.1".to_string()];
    expected.extend((0..8).map(|_| lookup_line()));
    assert_eq!(lines(&server), expected);
    let mut waits = vec![0];
    waits.extend(WINDOW_WAITS);
    waits.extend([500, 500]);
    assert_waits(&server, &waits);
}

#[tokio::test(start_paused = true)]
async fn a_lookup_refused_for_good_ends_the_search_at_once() {
    let server = Scripted::start(vec![
        Reply::CloseAfterRequest,
        Reply::json(401, json!({"success": false, "error": "invalid token"})),
    ])
    .await;
    let err = placing(&server).await.unwrap_err();
    let Error::Unreconciled { lookup, .. } = &err else {
        panic!("{err:?}");
    };
    assert!(matches!(**lookup, Error::Unauthorized(_)), "{lookup:?}");
    assert_eq!(server.count(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_garbled_lookup_is_tried_again_within_the_window() {
    let server = Scripted::start(vec![
        Reply::CloseAfterRequest,
        Reply::json(200, json!({"success": true, "data": "garbled"})),
        page(vec![listed(PLACED, 0)]),
    ])
    .await;
    let call = placing(&server).await.unwrap();
    assert_eq!(call.call_id, PLACED);
    assert_eq!(call.reconciled.map(|r| r.lookups), Some(2));
    assert_waits(&server, &[0, 500]);
}

#[tokio::test(start_paused = true)]
async fn a_definite_refusal_is_returned_without_a_lookup() {
    let server = Scripted::start(vec![Reply::json(
        400,
        json!({"success": false, "errors": ["phone_number is not plausible"]}),
    )])
    .await;
    let err = placing(&server).await.unwrap_err();
    assert!(matches!(err, Error::BadRequest(_)), "{err:?}");
    assert_eq!(server.count(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_legacy_placement_is_looked_up_the_same_way() {
    let server = Scripted::start(vec![
        Reply::CloseAfterRequest,
        page(vec![listed(PLACED, 0)]),
    ])
    .await;
    #[allow(deprecated)]
    let call = client(&server.base_url)
        .legacy()
        .create_call(AGENT, "9876543210", "IN")
        .await
        .unwrap();
    assert_eq!(call.call_id, PLACED);
    assert!(call.was_reconciled());
    assert_eq!(
        lines(&server),
        ["POST /call HTTP/1.1".to_string(), lookup_line()]
    );
}

#[tokio::test(start_paused = true)]
async fn lookups_can_be_switched_off_per_client() {
    let server = Scripted::start(vec![Reply::CloseAfterRequest]).await;
    let err = client(&server.base_url)
        .with_reconcile_policy(ReconcilePolicy::off())
        .calls()
        .create(AGENT, "9876543210", "IN")
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
}
