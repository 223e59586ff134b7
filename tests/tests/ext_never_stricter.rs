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

/// Rules the spec only assumes (`x-osvi-assumed: [..]`) are not enforced before sending: the
/// phone form of DND and contact numbers, empty `customer_id`/`content`, a support request
/// with neither command nor message, the legacy chat fields and the legacy `webhook_url`.
/// Each request goes out exactly as asked (the simulator, which enforces them, would refuse).
#[tokio::test]
#[allow(deprecated)]
async fn assumed_rules_are_not_enforced_before_sending() {
    let server = MockServer::start_async().await;
    let ok = json!({"success": true, "data": {}});
    let mut mocks = Vec::new();
    let wire: [(httpmock::Method, &str, serde_json::Value); 6] = [
        (
            POST,
            "/v1/dnd_numbers",
            json!({"agent_uuid": AGENT, "phone": "call me"}),
        ),
        (
            POST,
            "/v1/campaigns/7/contacts",
            json!({
            "agent_uuid": AGENT, "contacts": [{"phone": "ext. 12"}], "enqueue": false}),
        ),
        (
            POST,
            "/v1/chat/inbound",
            json!({"agent_uuid": AGENT, "customer_id": "", "content": ""}),
        ),
        (POST, "/v1/chat/session/s1/support", json!({})),
        (
            POST,
            "/chat_messages/send_message",
            json!({
            "agent_uuid": AGENT, "chat_session_id": "", "message": ""}),
        ),
        (
            POST,
            "/call",
            json!({"agent_uuid": AGENT, "phone_number": "9876543210",
            "country_code": "IN", "webhook_url": "hooks.example.com/osvi"}),
        ),
    ];
    for (method, path, body) in wire {
        let answer = match path {
            "/v1/dnd_numbers" => json!({"success": true, "data": {"phone": "call me"}}),
            "/v1/chat/inbound" => json!({"success": true, "data": {"session_id": "s1"}}),
            "/call" => json!({"success": true, "data": {"call_id": "call_1"}}),
            _ => ok.clone(),
        };
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(method).path(path).json_body(body);
                    then.status(200).json_body(answer);
                })
                .await,
        );
    }
    let c = client(&server);
    c.dnd().add(AGENT, "call me").send().await.unwrap();
    c.campaigns()
        .add_contacts(AGENT, 7, [Contact::new("ext. 12")])
        .send()
        .await
        .unwrap();
    c.chat().send_message(AGENT, "", "").await.unwrap();
    c.chat().support("s1").send().await.unwrap();
    c.legacy().send_chat_message(AGENT, "", "").await.unwrap();
    c.legacy()
        .create_call(AGENT, "9876543210", "IN")
        .webhook_url("hooks.example.com/osvi")
        .send()
        .await
        .unwrap();
    for mock in &mocks {
        mock.assert_async().await;
    }
}

/// Above the documented maximum (100) `per_page` is sent as 100, never refused; `0` (the
/// docs state no minimum) is sent as asked.
#[tokio::test]
async fn per_page_is_capped_at_the_documented_maximum() {
    let server = MockServer::start_async().await;
    let page = json!({"success": true, "data": [], "meta": {"total_pages": 1}});
    let hundred = server
        .mock_async(|when, then| {
            when.path("/v1/calls")
                .query_param("per_page", "100")
                .query_param("page", "1");
            then.status(200).json_body(page.clone());
        })
        .await;
    let zero = server
        .mock_async(|when, then| {
            when.path("/v1/dnd_numbers").query_param("per_page", "0");
            then.status(200).json_body(page.clone());
        })
        .await;
    let c = client(&server);
    c.calls().list().per_page(101).page(1).await.unwrap();
    c.calls().list().per_page(5_000).page(1).await.unwrap();
    c.dnd().list(AGENT).per_page(0).collect_all().await.unwrap();
    hundred.assert_calls_async(2).await;
    zero.assert_async().await;
}
