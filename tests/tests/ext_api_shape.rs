//! One API shape: every operation is a builder that can be awaited directly and also has
//! `.send()`, with the same result; ids come agent first; every documented optional field is
//! settable (a redial turned off or partly overridden, the legacy session's open `metadata`).
#![allow(deprecated)]

mod common;

use std::future::IntoFuture;

use common::{AGENT, CALL_ID, SESSION_ID, client};
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use osvi_ext::Client;
use osvi_ext::calls::Redial;
use serde_json::json;

/// Both ways of running a builder: the type must be awaitable and have `send`.
fn both_ways<B, T>(builder: B) -> (B::IntoFuture, B)
where
    B: IntoFuture<Output = osvi_ext::Result<T>> + Clone,
{
    (builder.clone().into_future(), builder)
}

#[tokio::test]
async fn awaiting_a_builder_is_sending_it() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/call/{CALL_ID}"));
            then.status(200).json_body(
                json!({"success": true, "data": {"call_id": CALL_ID, "status": "busy"}}),
            );
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/chat/session/active")
                .query_param("agent_uuid", AGENT)
                .query_param("customer_id", "+15551112222");
            then.status(200).json_body(
                json!({"success": true, "data": {"id": SESSION_ID, "status": "active"}}),
            );
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/calls");
            then.status(200).json_body(json!({"success": true,
                "data": [{"call_id": CALL_ID}], "meta": {"current_page": 1, "total_pages": 1}}));
        })
        .await;
    let client = client(&server);

    let (awaited, builder) = both_ways(client.calls().get(CALL_ID));
    assert_eq!(awaited.await.unwrap(), builder.send().await.unwrap());
    let (awaited, builder) = both_ways(client.chat().active_session(AGENT, "+15551112222"));
    let session = awaited.await.unwrap();
    assert_eq!(session.id, SESSION_ID);
    assert_eq!(session, builder.send().await.unwrap());
    let (awaited, builder) = both_ways(client.calls().list());
    let first = awaited.await.unwrap();
    assert_eq!(first.items[0].call_id, CALL_ID);
    assert_eq!(first.items, builder.send().await.unwrap().items);
}

/// Every operation's builder, by type: awaitable with the documented output, and with `send`.
/// A builder that loses either stops this file from compiling.
#[allow(dead_code, clippy::let_underscore_future)]
fn every_operation_is_a_builder(c: &Client) {
    use osvi_ext::campaigns::Contact;
    let contacts = || vec![Contact::new("9876543210")];
    let _ = both_ways(c.agents().list_active()).1.send();
    let _ = both_ways(c.calls().create(AGENT, "1", "IN")).1.send();
    let _ = both_ways(c.calls().list()).1.send();
    let _ = both_ways(c.calls().get(CALL_ID)).1.send();
    let _ = both_ways(c.calls().transcript(CALL_ID)).1.send();
    let _ = both_ways(c.calls().recording(CALL_ID)).1.send();
    let _ = both_ways(c.campaigns().add_contacts(AGENT, 7, contacts()))
        .1
        .send();
    let _ = both_ways(c.campaigns().status(7)).1.send();
    let _ = both_ways(c.dnd().add(AGENT, "1")).1.send();
    let _ = both_ways(c.dnd().list(AGENT)).1.send();
    let _ = both_ways(c.dnd().remove(AGENT, "1")).1.send();
    let _ = both_ways(c.chat().create_session(AGENT, "c")).1.send();
    let _ = both_ways(c.chat().send_message(AGENT, "c", "hi")).1.send();
    let _ = both_ways(c.chat().active_session(AGENT, "c")).1.send();
    let _ = both_ways(c.chat().active_sessions("c")).1.send();
    let _ = both_ways(c.chat().support(SESSION_ID)).1.send();
    let _ = both_ways(c.chat().inject_context(SESSION_ID, "x")).1.send();
    let _ = both_ways(c.legacy().create_call(AGENT, "1", "IN")).1.send();
    let _ = both_ways(c.legacy().start_chat_session(AGENT)).1.send();
    let _ = both_ways(c.legacy().send_chat_message(AGENT, SESSION_ID, "hi"))
        .1
        .send();
    let _ = both_ways(c.legacy().close_chat_session(AGENT, SESSION_ID))
        .1
        .send();
    let _ = both_ways(c.legacy().pause_chat_session(AGENT, SESSION_ID))
        .1
        .send();
}

#[tokio::test]
async fn redial_can_be_turned_off_or_partly_overridden() {
    let server = MockServer::start_async().await;
    let off = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/call").json_body(json!({
                "agent_uuid": AGENT, "phone_number": "9876543210", "country_code": "IN",
                "call_config_overrides": {"retry_config": {"enabled": false}}}));
            then.status(200)
                .json_body(json!({"success": true, "data": {"call_id": "off"}}));
        })
        .await;
    let partial = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/call").json_body(json!({
                "agent_uuid": AGENT, "phone_number": "9876543210", "country_code": "IN",
                "call_config_overrides": {"retry_config": {"interval_minutes": 15}}}));
            then.status(200)
                .json_body(json!({"success": true, "data": {"call_id": "partial"}}));
        })
        .await;
    let client = client(&server);
    let create = || client.calls().create(AGENT, "9876543210", "IN");
    assert_eq!(create().redial(Redial::off()).await.unwrap().call_id, "off");
    let only_interval = Redial::new().interval_minutes(15);
    assert_eq!(
        create().redial(only_interval).await.unwrap().call_id,
        "partial"
    );
    off.assert_async().await;
    partial.assert_async().await;
}

#[tokio::test]
async fn the_legacy_session_metadata_is_an_open_object() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/chat_sessions").json_body(json!({
                "agent_uuid": AGENT,
                "metadata": {"person_name": "Jane Smith", "plan": "Pro", "visits": 3}}));
            then.status(200)
                .json_body(json!({"success": true, "data": {"session_id": SESSION_ID}}));
        })
        .await;
    let session = client(&server)
        .legacy()
        .start_chat_session(AGENT)
        .person_name("Jane Smith")
        .metadata("plan", "Pro")
        .metadata("visits", 3)
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(session.session_id, SESSION_ID);
}
