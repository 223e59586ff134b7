//! osvi-ext is never stricter than the API: values the API documents as accepted are sent,
//! exactly as the API expects them, not refused by the SDK. Each test checks the request on
//! the wire.

mod common;

use common::{AGENT, TOKEN, client};
use httpmock::Method::{DELETE, POST};
use httpmock::MockServer;
use osvi_ext::Client;
use osvi_ext::campaigns::Contact;
use serde_json::json;

#[tokio::test]
async fn the_docs_us_example_numbers_go_to_dnd_and_campaigns() {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for phone in ["+15551112222", "+1 555 111 2222", "+1 (555) 111-2222"] {
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(POST)
                        .path("/v1/dnd_numbers")
                        .json_body(json!({"agent_uuid": AGENT, "phone": phone}));
                    then.status(201).json_body(json!({"success": true, "data": {
                        "id": 1, "agent_uuid": AGENT, "phone": "+15551112222"}}));
                })
                .await,
        );
    }
    let removed = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/v1/dnd_numbers")
                .query_param("agent_uuid", AGENT)
                .query_param("phone", "+1 555 111 2222");
            then.status(200)
                .json_body(json!({"success": true, "message": "removed"}));
        })
        .await;
    let contacts = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/campaigns/7/contacts")
                .json_body(json!({
                    "agent_uuid": AGENT,
                    "contacts": [{"phone": "+1 555 111 2222"}, {"phone": "+91-98765-43210"}],
                    "enqueue": false
                }));
            then.status(200).json_body(json!({"success": true, "data": {
                "campaign_upload_id": 3, "contacts_added": 2}}));
        })
        .await;
    let client = client(&server);
    for phone in ["+15551112222", "+1 555 111 2222", "+1 (555) 111-2222"] {
        let entry = client.dnd().add(AGENT, phone).send().await.unwrap();
        assert_eq!(entry.phone, "+15551112222");
    }
    client.dnd().remove(AGENT, "+1 555 111 2222").await.unwrap();
    let added = client
        .campaigns()
        .add_contacts(
            AGENT,
            7,
            [
                Contact::new("+1 555 111 2222"),
                Contact::new("+91-98765-43210"),
            ],
        )
        .send()
        .await
        .unwrap();
    assert_eq!(added.campaign_upload_ids, [3]);
    for mock in &mocks {
        mock.assert_async().await;
    }
    removed.assert_async().await;
    contacts.assert_async().await;
}

/// A call to a number the phone metadata calls invalid (the docs' `555` example), or to a
/// country code the SDK does not know, is the server's to judge: it is sent, and the
/// server's `400` comes back as `Error::BadRequest`.
#[tokio::test]
async fn plausibility_is_left_to_the_server() {
    let server = MockServer::start_async().await;
    let us = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/call").json_body(json!({
                "agent_uuid": AGENT, "phone_number": "5551112222", "country_code": "US"}));
            then.status(200)
                .json_body(json!({"success": true, "data": {"call_id": "call_us"}}));
        })
        .await;
    let unknown = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/call").json_body(json!({
                "agent_uuid": AGENT, "phone_number": "9876543210", "country_code": "ZZ"}));
            then.status(400)
                .json_body(json!({"success": false, "error": "invalid country_code"}));
        })
        .await;
    let client = client(&server);
    let created = client
        .calls()
        .create(AGENT, "5551112222", "us")
        .send()
        .await
        .unwrap();
    assert_eq!(created.call_id, "call_us");
    let err = client
        .calls()
        .create(AGENT, "9876543210", "ZZ")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, osvi_ext::Error::BadRequest(f) if f.messages == ["invalid country_code"]),
        "{err:?}"
    );
    us.assert_async().await;
    unknown.assert_async().await;
}

#[tokio::test]
async fn a_token_with_a_trailing_newline_is_sent_without_it() {
    let server = MockServer::start_async().await;
    let agents = server
        .mock_async(|when, then| {
            when.path("/v1/active_agents").header("api-token", TOKEN);
            then.status(200).json_body(json!([]));
        })
        .await;
    let client = Client::builder()
        .token(format!("{TOKEN}\n"))
        .base_url(format!("{}\n", server.base_url()))
        .build()
        .unwrap();
    assert!(client.agents().list_active().await.unwrap().is_empty());
    agents.assert_async().await;
}
