//! A side effect is never reported as a plain failure: a `2xx` answer to an operation that
//! changes something (every method but `GET`) whose body cannot be read is
//! `Error::AcceptedButUnreadable`, with status, request id and raw body, and is never retried;
//! the same body on a read is a plain `Error::Decode`.

mod common;

use std::time::Duration;

use common::{AGENT, CALL_ID, SESSION_ID, TOKEN};
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use osvi_ext::{Client, Error, RetryPolicy};

/// A client that would retry writes three times if the SDK let it.
fn eager_client(server: &MockServer) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(server.base_url())
        .retry_policy(
            RetryPolicy::default()
                .retry_writes(true)
                .max_attempts(3)
                .base_delay(Duration::from_millis(1)),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_placed_call_whose_answer_has_no_id_is_accepted_not_failed() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/call");
            then.status(200)
                .header("x-request-id", "r-call")
                .body(r#"{"success":true,"data":{}}"#);
        })
        .await;
    // Without the lookup that settles an uncertain placement (ext_reconcile.rs tests it).
    let err = eager_client(&server)
        .calls()
        .create(AGENT, "9876543210", "IN")
        .reconcile_policy(osvi_ext::ReconcilePolicy::off())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        mock.calls_async().await,
        1,
        "an accepted call is never resent"
    );
    match &err {
        Error::AcceptedButUnreadable {
            status,
            request_id,
            reason,
            body,
        } => {
            assert_eq!(*status, 200);
            assert_eq!(request_id.as_deref(), Some("r-call"));
            assert!(reason.starts_with("missing field `call_id`"), "{reason}");
            assert_eq!(body, r#"{"success":true,"data":{}}"#);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.kind(), "accepted_but_unreadable");
    let shown = err.to_string();
    assert!(
        shown.starts_with("the server accepted the request (HTTP 200) but its answer could not be read, so the change most likely happened: missing field `call_id`"),
        "{shown}"
    );
    assert!(shown.ends_with("(request id r-call)"), "{shown}");
}

#[tokio::test]
async fn every_write_reports_an_unreadable_2xx_as_accepted_and_reads_as_decode_errors() {
    let server = MockServer::start_async().await;
    let html = "<html>OK</html>";
    let writes = server
        .mock_async(|when, then| {
            when.method(POST);
            then.status(201).body(html);
        })
        .await;
    let reads = server
        .mock_async(|when, then| {
            when.method(GET);
            then.status(200).body(html);
        })
        .await;
    let client = eager_client(&server);
    let results = [
        client.dnd().add(AGENT, "9876543210").send().await.map(drop),
        client
            .chat()
            .send_message(AGENT, "+15551112222", "Hi")
            .send()
            .await
            .map(drop),
        client
            .chat()
            .inject_context(SESSION_ID, "VIP")
            .await
            .map(drop),
        client
            .chat()
            .create_session(AGENT, "+15551112222")
            .send()
            .await
            .map(drop),
    ];
    for result in results {
        assert!(
            matches!(&result, Err(Error::AcceptedButUnreadable { status: 201, body, .. }) if body == html),
            "{result:?}"
        );
    }
    assert_eq!(writes.calls_async().await, 4, "no write was repeated");
    let read = client.calls().get(CALL_ID).await.unwrap_err();
    assert!(
        matches!(&read, Error::Decode { status: 200, body, .. } if body == html),
        "{read:?}"
    );
    assert_eq!(reads.calls_async().await, 1);
}
