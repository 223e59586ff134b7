//! Every one of the 21 operations through osvi-ext: the exact request on the wire (method,
//! path, query, `API-Token` header, JSON body) and the decoded result. Bodies are the docs'
//! examples.
//!
//! Over 600 lines on purpose: one flat table of wire tests, one per operation in the order of
//! the spec, so a reader finds an operation's exact request in one place.

mod common;

use chrono::{TimeZone, Utc};
use common::{AGENT, CALL_ID, SESSION_ID, TOKEN, client};
use httpmock::Method::{DELETE, GET, POST};
use httpmock::MockServer;
use osvi_ext::calls::{CallStatus, CallType, ExtractionField, Redial};
use osvi_ext::campaigns::{CampaignState, Contact};
use osvi_ext::chat::{ChatMode, SessionStatus, SupportCommand};
use serde_json::json;

const USER_AGENT: &str = concat!("osvi-rust/", env!("CARGO_PKG_VERSION"));

#[tokio::test]
async fn list_active_agents_reads_the_bare_array() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/active_agents")
                .header("API-Token", TOKEN)
                .header("user-agent", USER_AGENT)
                .header("accept", "application/json");
            then.status(200).json_body(json!([
                {"agent_id": AGENT, "name": "Appointment Reminder", "status": "active"},
                {"agent_id": "agent_x9KpL2Mn_41Tg83YWQNca-B_pe", "name": "Support Line", "status": "active"}
            ]));
        })
        .await;
    let agents = client(&server).agents().list_active().await.unwrap();
    mock.assert_async().await;
    assert_eq!(agents.len(), 2);
    assert_eq!(agents[0].agent_id, AGENT);
    assert_eq!(agents[0].name.as_deref(), Some("Appointment Reminder"));
    assert_eq!(agents[0].status, osvi_ext::agents::AgentStatus::Active);
    assert_eq!(agents[1].agent_id, "agent_x9KpL2Mn_41Tg83YWQNca-B_pe");
}

#[tokio::test]
async fn create_call_sends_every_field() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/call")
                .header("API-Token", TOKEN)
                .header("content-type", "application/json")
                .json_body(json!({
                    "agent_uuid": AGENT,
                    "phone_number": "9876543210",
                    "country_code": "IN",
                    "system_prompt": "You are calling to confirm the appointment.",
                    "webhook_url": "https://yourdomain.com/osvi-webhook",
                    "person_name": "John Doe",
                    "additional_data": {"appointment_date": "2025-01-15", "product_name": "Premium Plan"},
                    "initial_greeting": "Hello John.",
                    "call_config_overrides": {
                        "max_call_duration_seconds": 300,
                        "enable_callback": false,
                        "retry_config": {"enabled": true, "max_attempts": 2, "interval_minutes": 30}
                    },
                    "data_extraction": [
                        {"key": "appointment_confirmed", "description": "Ask if they can confirm."},
                        {"key": "reschedule_preference", "description": "Ask for a better time.",
                         "required": false, "output_format": "date and time"}
                    ]
                }));
            then.status(200)
                .json_body(json!({"success": true, "data": {"call_id": "call_abc123xyz"}}));
        })
        .await;
    let created = client(&server)
        .calls()
        .create(AGENT, "9876543210", "IN")
        .system_prompt("You are calling to confirm the appointment.")
        .webhook_url("https://yourdomain.com/osvi-webhook")
        .person_name("John Doe")
        .additional_data(json!({"appointment_date": "2025-01-15", "product_name": "Premium Plan"}))
        .initial_greeting("Hello John.")
        .max_call_duration_seconds(300)
        .enable_callback(false)
        .redial(
            Redial::new()
                .enabled(true)
                .max_attempts(2)
                .interval_minutes(30),
        )
        .extract("appointment_confirmed", "Ask if they can confirm.")
        .extract_field(
            ExtractionField::new("reschedule_preference", "Ask for a better time.")
                .required(false)
                .output_format("date and time"),
        )
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(created.call_id, "call_abc123xyz");
}

#[tokio::test]
async fn create_call_with_only_required_fields_sends_only_them() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/call").json_body(json!({
                "agent_uuid": AGENT, "phone_number": "9876543210", "country_code": "IN"
            }));
            then.status(200)
                .json_body(json!({"success": true, "data": {"call_id": "call_abc123xyz"}}));
        })
        .await;
    let created = client(&server)
        .calls()
        .create(AGENT, "9876543210", "IN")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(created.call_id, "call_abc123xyz");
}

#[tokio::test]
async fn a_placed_call_comes_with_its_response_metadata_when_asked() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/call")
                .header("api-token", TOKEN)
                .header("content-type", "application/json")
                .json_body(json!({
                    "agent_uuid": AGENT, "phone_number": "9876543210", "country_code": "IN"
                }));
            then.status(200)
                .header("x-request-id", "req_7f3a9c")
                .header("x-ratelimit-remaining", "59")
                .json_body(json!({"success": true, "data": {"call_id": "call_abc123xyz"}}));
        })
        .await;
    let placing = client(&server).calls().create(AGENT, "9876543210", "IN");
    let placed = osvi_ext::with_meta(placing).await.unwrap();
    mock.assert_async().await;
    assert_eq!(placed.value.call_id, "call_abc123xyz");
    assert_eq!(placed.responses.len(), 1);
    let meta = placed.meta().unwrap();
    assert_eq!(meta.operation, "create_call");
    assert_eq!(meta.status, 200);
    assert_eq!(meta.request_id.as_deref(), Some("req_7f3a9c"));
    assert_eq!(meta.attempts, 1);
    assert_eq!(meta.headers["x-ratelimit-remaining"], "59");
    assert!(meta.elapsed > std::time::Duration::ZERO);
}

#[tokio::test]
async fn response_metadata_counts_the_attempts_of_a_retried_read() {
    use common::scripted::{Reply, Scripted};
    let call = json!({"success": true, "data": {"call_id": CALL_ID, "status": "picked"}});
    let server = Scripted::start(vec![
        Reply::json(503, json!({"success": false, "message": "busy"})),
        Reply::json(200, call).with_header("x-request-id", "req_second"),
    ])
    .await;
    let client = osvi_ext::Client::builder()
        .token(TOKEN)
        .base_url(&server.base_url)
        .retry_policy(
            osvi_ext::RetryPolicy::default()
                .base_delay(std::time::Duration::from_millis(1))
                .max_delay(std::time::Duration::from_millis(1)),
        )
        .build()
        .unwrap();
    let read = osvi_ext::with_meta(client.calls().get(CALL_ID))
        .await
        .unwrap();
    assert_eq!(read.value.status, Some(CallStatus::Picked));
    let heads: Vec<String> = server
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.head.clone())
        .collect();
    assert_eq!(heads.len(), 2);
    for head in &heads {
        assert!(
            head.starts_with(&format!("GET /v1/call/{CALL_ID} HTTP/1.1\r\n")),
            "{head}"
        );
    }
    let meta = read.meta().unwrap();
    assert_eq!(
        (meta.operation, meta.status.as_u16(), meta.attempts),
        ("get_call", 200, 2)
    );
    assert_eq!(meta.request_id.as_deref(), Some("req_second"));
    // Without `with_meta`, nothing is kept and the value is the same.
    let plain = client.calls().get(CALL_ID).await.unwrap();
    assert_eq!(plain.status, Some(CallStatus::Picked));
}

#[tokio::test]
async fn list_calls_sends_every_filter_and_decodes_a_page() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/calls")
                .header("API-Token", TOKEN)
                .query_param("status", "picked,busy")
                .query_param("agent_uuid", AGENT)
                .query_param("campaign_id", "7")
                .query_param("campaign_upload_id", "19")
                .query_param("phone_number", "98765")
                .query_param("call_type", "outbound")
                .query_param("start_date", "2026-06-01")
                .query_param("end_date", "2026-06-12T23:59:59+05:30")
                .query_param("page", "2")
                .query_param("per_page", "50");
            then.status(200).json_body(json!({
                "success": true,
                "data": [{
                    "call_id": CALL_ID, "agent_uuid": AGENT, "agent_name": "Appointment Reminder",
                    "phone_number": "+919876543210", "from_number": "+911140001234",
                    "status": "picked", "call_type": "outbound", "duration_seconds": 42,
                    "call_ended_by": "agent", "call_ended_reason": "assistant-ended-call",
                    "campaign_id": 7, "campaign_upload_id": 19,
                    "tag": {"id": 12, "name": "interested", "color_code": "#22c55e"},
                    "created_at": "2026-06-12T09:30:00+05:30", "call_picked_at": "2026-06-12T09:30:04+05:30"
                }],
                "meta": {"current_page": 2, "total_pages": 4, "total_count": 87, "per_page": 50}
            }));
        })
        .await;
    let ist = chrono::FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
    let page = client(&server)
        .calls()
        .list()
        .status([CallStatus::Picked, CallStatus::Busy])
        .agent(AGENT)
        .campaign(7)
        .campaign_upload(19)
        .phone_number("98765")
        .call_type(CallType::Outbound)
        .since(chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap())
        .until(ist.with_ymd_and_hms(2026, 6, 12, 23, 59, 59).unwrap())
        .per_page(50)
        .page(2)
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(page.meta.current_page, Some(2));
    assert_eq!(page.meta.total_pages, Some(4));
    assert_eq!(page.meta.total_count, Some(87));
    assert_eq!(page.meta.per_page, Some(50));
    let call = &page.items[0];
    assert_eq!(call.call_id, CALL_ID);
    assert_eq!(call.status, Some(CallStatus::Picked));
    assert_eq!(call.call_type, Some(CallType::Outbound));
    assert_eq!(call.duration_seconds, Some(42));
    assert_eq!(call.from_number.as_deref(), Some("+911140001234"));
    assert_eq!(
        call.tag.as_ref().and_then(|t| t.name.as_deref()),
        Some("interested")
    );
    assert_eq!(
        call.created_at,
        Some(Utc.with_ymd_and_hms(2026, 6, 12, 4, 0, 0).unwrap())
    );
    assert_eq!(
        call.call_picked_at,
        Some(Utc.with_ymd_and_hms(2026, 6, 12, 4, 0, 4).unwrap())
    );
}

#[tokio::test]
async fn get_call_decodes_the_analysis() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/call/{CALL_ID}")).header("API-Token", TOKEN);
            then.status(200).json_body(json!({"success": true, "data": {
                "call_id": CALL_ID, "status": "picked", "caller_name": "Ravi Kumar", "retry_count": 0,
                "summary": "The customer confirmed their appointment for Friday at 4 PM.",
                "data_captured": {"email": "ravi@example.com", "confirmed": true},
                "post_call_analysis": {"sentiment": "positive", "callback_required": false},
                "campaign_id": null, "tag": null, "call_picked_at": null
            }}));
        })
        .await;
    let call = client(&server).calls().get(CALL_ID).await.unwrap();
    mock.assert_async().await;
    assert_eq!(call.call_id, CALL_ID);
    assert_eq!(call.caller_name.as_deref(), Some("Ravi Kumar"));
    assert_eq!(call.retry_count, Some(0));
    assert_eq!(
        call.summary.as_deref(),
        Some("The customer confirmed their appointment for Friday at 4 PM.")
    );
    assert_eq!(call.data_captured["email"], json!("ravi@example.com"));
    assert_eq!(call.data_captured["confirmed"], json!(true));
    assert_eq!(call.post_call_analysis["sentiment"], json!("positive"));
    assert_eq!(call.campaign_id, None);
    assert_eq!(call.tag, None);
}

#[tokio::test]
async fn call_ids_are_percent_encoded_in_the_path() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/call/a%2Fb%20c");
            then.status(200)
                .json_body(json!({"success": true, "data": {"call_id": "a/b c"}}));
        })
        .await;
    let call = client(&server).calls().get("a/b c").await.unwrap();
    mock.assert_async().await;
    assert_eq!(call.call_id, "a/b c");
}

#[tokio::test]
async fn get_call_transcript_keeps_unknown_turn_fields() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/call/{CALL_ID}/transcript")).header("API-Token", TOKEN);
            then.status(200).json_body(json!({"success": true, "data": {"call_id": CALL_ID, "transcript": [
                {"role": "agent", "content": "Hello, am I speaking with John?", "timestamp": "00:01"},
                {"role": "user", "content": "Yes.", "confidence": 0.93}
            ]}}));
        })
        .await;
    let transcript = client(&server).calls().transcript(CALL_ID).await.unwrap();
    mock.assert_async().await;
    assert_eq!(transcript.call_id, CALL_ID);
    assert_eq!(transcript.turns.len(), 2);
    assert_eq!(transcript.turns[0].role.as_deref(), Some("agent"));
    assert_eq!(
        transcript.turns[0].content.as_deref(),
        Some("Hello, am I speaking with John?")
    );
    assert_eq!(transcript.turns[0].timestamp.as_deref(), Some("00:01"));
    assert_eq!(transcript.turns[1].extra["confidence"], json!(0.93));
}

#[tokio::test]
async fn get_call_recording_computes_the_expiry() {
    let server = MockServer::start_async().await;
    let url = "https://s3.amazonaws.com/bucket/recording.mp4?X-Amz-Signature=abc";
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/call/{CALL_ID}/recording"))
                .header("API-Token", TOKEN);
            then.status(200).json_body(json!({"success": true, "data": {
                "call_id": CALL_ID, "recording_url": url, "expires_in_seconds": 900
            }}));
        })
        .await;
    let before = Utc::now();
    let recording = client(&server).calls().recording(CALL_ID).await.unwrap();
    let after = Utc::now();
    mock.assert_async().await;
    assert_eq!(recording.recording_url.as_deref(), Some(url));
    assert_eq!(
        recording.expires_in,
        Some(std::time::Duration::from_secs(900))
    );
    let window = chrono::Duration::seconds(900);
    let expires_at = recording.expires_at.unwrap();
    assert!(expires_at >= before + window && expires_at <= after + window);
}

#[tokio::test]
async fn add_campaign_contacts_sends_variables_as_extra_keys() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/campaigns/7/contacts")
                .header("API-Token", TOKEN)
                .json_body(json!({
                    "agent_uuid": AGENT,
                    "contacts": [
                        {"person_name": "Ravi Kumar", "phone": "9876543210", "plan": "Pro"},
                        {"person_name": "Anita Desai", "phone": "+919876500000"}
                    ],
                    "enqueue": true
                }));
            then.status(200).json_body(json!({"success": true, "data": {
                "campaign_upload_id": 19, "contacts_received": 2, "contacts_accepted": 2,
                "duplicates_removed": 0, "enqueued": true, "queued_calls": 2, "dnd_skipped": [{}]
            }}));
        })
        .await;
    let contacts = vec![
        Contact::new("9876543210")
            .person_name("Ravi Kumar")
            .variable("plan", "Pro"),
        Contact::new("+919876500000").person_name("Anita Desai"),
    ];
    let added = client(&server)
        .campaigns()
        .add_contacts(AGENT, 7, contacts)
        .enqueue(true)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(added.campaign_upload_ids, vec![19]);
    assert_eq!(added.contacts_received, Some(2));
    assert_eq!(added.contacts_accepted, Some(2));
    assert_eq!(added.duplicates_removed, Some(0));
    assert_eq!(added.enqueued, Some(true));
    assert_eq!(added.queued_calls, Some(2));
    assert_eq!(added.dnd_skipped, vec![json!({})]);
}

#[tokio::test]
async fn get_campaign_status_decodes_queues() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/campaigns/7/status").header("API-Token", TOKEN);
            then.status(200).json_body(json!({"success": true, "data": {
                "campaign": {"id": 7, "name": "June Renewals", "status": "active", "is_retry_enabled": true,
                             "retry_threshold": 2, "retry_delay": 1800, "created_at": "2026-06-01T10:00:00+05:30"},
                "calls": {"total": 120, "by_status": {"picked": 88, "not_picked": 25, "failed": 7}},
                "uploads": [{"campaign_upload_id": 19, "file_name": "1718000000-api_contacts_ab12cd34ef567890.csv",
                             "agent_uuid": AGENT, "created_at": "2026-06-02T11:00:00+05:30",
                             "queues": [{"agent_uuid": AGENT, "total_queued": 50, "completed": false}]}]
            }}));
        })
        .await;
    let status = client(&server).campaigns().status(7).await.unwrap();
    mock.assert_async().await;
    assert_eq!(status.id, Some(7));
    assert_eq!(status.name.as_deref(), Some("June Renewals"));
    assert_eq!(status.state, Some(CampaignState::Active));
    assert_eq!(status.retry_delay, Some(1800));
    assert_eq!(status.calls_total, Some(120));
    assert_eq!(status.calls_by_status[&CallStatus::Picked], 88);
    assert_eq!(status.calls_by_status[&CallStatus::NotPicked], 25);
    assert_eq!(status.uploads[0].campaign_upload_id, Some(19));
    assert_eq!(status.uploads[0].queues[0].total_queued, Some(50));
    assert!(!status.is_drained());
}

#[tokio::test]
async fn add_dnd_number_reads_the_201() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/dnd_numbers")
                .header("API-Token", TOKEN)
                .json_body(json!({"agent_uuid": AGENT, "phone": "9876543210", "reason": "customer opted out"}));
            then.status(201).json_body(json!({"success": true, "data": {
                "id": 31, "agent_uuid": AGENT, "phone": "+919876543210",
                "reason": "customer opted out", "created_at": "2026-06-12T09:30:00+05:30"
            }}));
        })
        .await;
    let entry = client(&server)
        .dnd()
        .add(AGENT, "9876543210")
        .reason("customer opted out")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(entry.id, Some(31));
    assert_eq!(entry.phone, "+919876543210");
    assert_eq!(entry.reason.as_deref(), Some("customer opted out"));
    assert_eq!(
        entry.created_at,
        Some(Utc.with_ymd_and_hms(2026, 6, 12, 4, 0, 0).unwrap())
    );
}

#[tokio::test]
async fn list_dnd_numbers_sends_agent_search_and_page() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/dnd_numbers")
                .header("API-Token", TOKEN)
                .query_param("agent_uuid", AGENT)
                .query_param("search", "98")
                .query_param("page", "1")
                .query_param_missing("per_page");
            then.status(200).json_body(json!({
                "success": true,
                "data": [{"id": 31, "agent_uuid": AGENT, "phone": "+919876543210", "reason": null,
                          "created_at": "2026-06-12T09:30:00+05:30"}],
                "meta": {"current_page": 1, "total_pages": 1, "total_count": 1, "per_page": 25}
            }));
        })
        .await;
    let page = client(&server)
        .dnd()
        .list(AGENT)
        .search("98")
        .page(1)
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].id, Some(31));
    assert_eq!(page.items[0].reason, None);
    assert_eq!(page.meta.total_count, Some(1));
}

#[tokio::test]
async fn remove_dnd_number_uses_the_query_and_reads_message() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/v1/dnd_numbers")
                .header("API-Token", TOKEN)
                .query_param("agent_uuid", AGENT)
                .query_param("phone", "9876543210")
                .body("");
            then.status(200)
                .json_body(json!({"success": true, "message": "Phone removed from DND list"}));
        })
        .await;
    client(&server)
        .dnd()
        .remove(AGENT, "9876543210")
        .await
        .unwrap();
    mock.assert_async().await;
}

fn session_json() -> serde_json::Value {
    json!({
        "id": SESSION_ID, "chat_agent_id": 42, "account_id": 7, "customer_id": "+15551112222",
        "mode": "ai", "help_requested": false, "status": "active", "current_state": null,
        "metadata": {"input_fields": {"first_name": "Alex"}, "state_fields": {}, "context": ["Initial context for this chat"]},
        "active_human": null,
        "created_at": "2026-06-04T11:40:25.690486Z", "updated_at": "2026-06-04T11:40:25.690486Z"
    })
}

#[tokio::test]
async fn create_chat_session_sends_fields_and_context() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/chat/session")
                .header("API-Token", TOKEN)
                .json_body(json!({
                    "agent_uuid": AGENT, "customer_id": "+15551112222",
                    "input_fields": {"first_name": "Alex"}, "context": ["Initial context for this chat"]
                }));
            then.status(200).json_body(json!({"success": true, "data": session_json()}));
        })
        .await;
    let session = client(&server)
        .chat()
        .create_session(AGENT, "+15551112222")
        .input_field("first_name", "Alex")
        .context("Initial context for this chat")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(session.id, SESSION_ID);
    assert_eq!(session.chat_agent_id, Some(42));
    assert_eq!(session.mode, Some(ChatMode::Ai));
    assert_eq!(session.status, Some(SessionStatus::Active));
    assert_eq!(session.input_fields["first_name"], json!("Alex"));
    assert_eq!(
        session.context,
        vec!["Initial context for this chat".to_string()]
    );
    let created = Utc.with_ymd_and_hms(2026, 6, 4, 11, 40, 25).unwrap()
        + chrono::Duration::microseconds(690486);
    assert_eq!(session.created_at, Some(created));
}

#[tokio::test]
async fn send_chat_message_returns_the_reply() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/chat/inbound")
                .header("API-Token", TOKEN)
                .json_body(json!({
                    "agent_uuid": AGENT, "customer_id": "+15551112222",
                    "content": "Hi, I need help.", "session_id": SESSION_ID
                }));
            then.status(200).json_body(json!({"success": true, "data": {
                "session_id": SESSION_ID, "reply": "Sure — I can help with that. What's your order number?",
                "state": "default", "mode": "ai", "help_requested": false
            }}));
        })
        .await;
    let reply = client(&server)
        .chat()
        .send_message(AGENT, "+15551112222", "Hi, I need help.")
        .session_id(SESSION_ID)
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(reply.session_id, SESSION_ID);
    assert_eq!(
        reply.reply.as_deref(),
        Some("Sure — I can help with that. What's your order number?")
    );
    assert_eq!(reply.state.as_deref(), Some("default"));
    assert_eq!(reply.mode, Some(ChatMode::Ai));
    assert_eq!(reply.help_requested, Some(false));
}

#[tokio::test]
async fn get_active_chat_session_with_agent_is_one_session() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/chat/session/active")
                .header("API-Token", TOKEN)
                .query_param("customer_id", "+15551112222")
                .query_param("agent_uuid", AGENT);
            then.status(200)
                .json_body(json!({"success": true, "data": session_json()}));
        })
        .await;
    let session = client(&server)
        .chat()
        .active_session(AGENT, "+15551112222")
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(session.id, SESSION_ID);
}

#[tokio::test]
async fn get_active_chat_session_without_agent_is_a_map() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/chat/session/active")
                .query_param("customer_id", "+15551112222")
                .query_param_missing("agent_uuid");
            then.status(200)
                .json_body(json!({"success": true, "data": {AGENT: session_json()}}));
        })
        .await;
    let sessions = client(&server)
        .chat()
        .active_sessions("+15551112222")
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[AGENT].id, SESSION_ID);
}

#[tokio::test]
async fn send_support_command_sends_command_and_message() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/v1/chat/session/{SESSION_ID}/support"))
                .header("API-Token", TOKEN)
                .json_body(json!({"command": "takeover", "message": "A human agent is joining the conversation."}));
            then.status(200).json_body(json!({"success": true, "data": {
                "state": "ok", "session_id": SESSION_ID, "command": "takeover",
                "active_human": "agent@yourco.com"
            }}));
        })
        .await;
    let outcome = client(&server)
        .chat()
        .support(SESSION_ID)
        .command(SupportCommand::Takeover)
        .message("A human agent is joining the conversation.")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(outcome.session_id, SESSION_ID);
    assert_eq!(outcome.state.as_deref(), Some("ok"));
    assert_eq!(outcome.command, Some(SupportCommand::Takeover));
    assert_eq!(outcome.active_human.as_deref(), Some("agent@yourco.com"));
    assert_eq!(outcome.reply, None);
}

#[tokio::test]
async fn inject_chat_context_returns_the_whole_list() {
    let server = MockServer::start_async().await;
    let entry = "Earlier voice call: customer wants a refund and prefers WhatsApp follow-up.";
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/v1/chat/session/{SESSION_ID}/inject_context"))
                .header("API-Token", TOKEN)
                .json_body(json!({"context": entry}));
            then.status(200).json_body(json!({"success": true, "data": {
                "session_id": SESSION_ID, "context": ["Initial context for this chat", entry]
            }}));
        })
        .await;
    let context = client(&server)
        .chat()
        .inject_context(SESSION_ID, entry)
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(context.session_id, SESSION_ID);
    assert_eq!(
        context.context,
        vec![
            "Initial context for this chat".to_string(),
            entry.to_string()
        ]
    );
}

#[tokio::test]
#[allow(deprecated)]
async fn legacy_create_call_understands_both_envelopes() {
    let server = MockServer::start_async().await;
    let body = json!({"agent_uuid": AGENT, "phone_number": "9876543210", "country_code": "IN", "person_name": "John Doe",
                      "additional_data": {"questions": "ask about the plan"}});
    let newer = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/call")
                .header("API-Token", TOKEN)
                .json_body(body.clone())
                .header("x-variant", "new");
            then.status(200)
                .json_body(json!({"success": true, "data": {"call_id": "call_abc123xyz"}}));
        })
        .await;
    let older = server
        .mock_async(|when, then| {
            when.method(POST).path("/call").json_body(body.clone()).header_missing("x-variant");
            then.status(200).json_body(json!({
                "status": "success", "message": "Call initiated successfully", "call_id": "call_old456"
            }));
        })
        .await;
    // The newer envelope, through a client that adds a marker header.
    let http = reqwest::Client::builder().default_headers(
        [(
            reqwest::header::HeaderName::from_static("x-variant"),
            "new".parse().unwrap(),
        )]
        .into_iter()
        .collect(),
    );
    let marked = osvi_ext::Client::builder()
        .token(TOKEN)
        .base_url(server.base_url())
        .http_client(http)
        .build()
        .unwrap();
    let send = |c: &osvi_ext::Client| {
        c.legacy()
            .create_call(AGENT, "9876543210", "IN")
            .person_name("John Doe")
            .data("questions", "ask about the plan")
            .send()
    };
    assert_eq!(send(&marked).await.unwrap().call_id, "call_abc123xyz");
    assert_eq!(send(&client(&server)).await.unwrap().call_id, "call_old456");
    newer.assert_async().await;
    older.assert_async().await;
}

#[tokio::test]
#[allow(deprecated)]
async fn legacy_start_chat_session_sends_metadata() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/chat_sessions")
                .header("API-Token", TOKEN)
                .json_body(json!({"agent_uuid": AGENT, "metadata": {"person_name": "Jane Smith"}}));
            then.status(200).json_body(json!({"success": true, "data": {
                "session_id": SESSION_ID, "agent_name": "Support Agent",
                "started_at": "2025-12-31T11:40:25.690486", "welcome_message": "Hi! How can I help you today?"
            }}));
        })
        .await;
    let session = client(&server)
        .legacy()
        .start_chat_session(AGENT)
        .person_name("Jane Smith")
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(session.session_id, SESSION_ID);
    assert_eq!(session.agent_name.as_deref(), Some("Support Agent"));
    assert_eq!(
        session.started_at.as_deref(),
        Some("2025-12-31T11:40:25.690486")
    );
    assert_eq!(
        session.welcome_message.as_deref(),
        Some("Hi! How can I help you today?")
    );
}

#[tokio::test]
#[allow(deprecated)]
async fn legacy_send_chat_message_reads_nested_success() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/chat_messages/send_message")
                .header("API-Token", TOKEN)
                .json_body(json!({"agent_uuid": AGENT, "chat_session_id": SESSION_ID, "message": "What are your business hours?"}));
            then.status(200).json_body(json!({"success": true, "data": {
                "success": true, "session_id": SESSION_ID,
                "response": "We're open Monday to Friday, 9 AM to 6 PM IST.",
                "tool_calls": [{"name": "hours"}], "tool_results": [], "current_state": null
            }}));
        })
        .await;
    let reply = client(&server)
        .legacy()
        .send_chat_message(AGENT, SESSION_ID, "What are your business hours?")
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(
        reply.response.as_deref(),
        Some("We're open Monday to Friday, 9 AM to 6 PM IST.")
    );
    assert_eq!(reply.tool_calls, vec![json!({"name": "hours"})]);
    assert!(reply.tool_results.is_empty());
}

#[tokio::test]
#[allow(deprecated)]
async fn legacy_close_chat_session_returns_the_summary() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/chat_sessions/{SESSION_ID}/close_session"))
                .header("API-Token", TOKEN)
                .json_body(json!({"agent_uuid": AGENT}));
            then.status(200).json_body(json!({"success": true, "data": {
                "session_id": SESSION_ID,
                "summary": "The user asked about business hours."
            }}));
        })
        .await;
    let closed = client(&server)
        .legacy()
        .close_chat_session(AGENT, SESSION_ID)
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(closed.session_id, SESSION_ID);
    assert_eq!(
        closed.summary.as_deref(),
        Some("The user asked about business hours.")
    );
}

#[tokio::test]
#[allow(deprecated)]
async fn legacy_pause_chat_session_sends_the_agent_and_reads_the_message() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/chat_sessions/{SESSION_ID}/pause_session"))
                .header("API-Token", TOKEN)
                .json_body(json!({"agent_uuid": AGENT}));
            then.status(200).json_body(json!({"success": true, "data": {
                "success": true,
                "session_id": SESSION_ID,
                "message": "Session paused"
            }}));
        })
        .await;
    let paused = client(&server)
        .legacy()
        .pause_chat_session(AGENT, SESSION_ID)
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(paused.session_id, SESSION_ID);
    assert_eq!(paused.message.as_deref(), Some("Session paused"));
}

#[tokio::test]
async fn generated_typed_mocks_serve_osvi_ext() {
    // The typed httpmock helpers generated from the spec (feature `httpmock`) mock an
    // operation by name with the spec's own types.
    use osvi_generated::mock::MockServerExt;
    use osvi_generated::types;
    let server = MockServer::start_async().await;
    let mock = server.create_call(|when, then| {
        when.body(&types::CallRequest {
            agent_uuid: AGENT.into(),
            phone_number: "9876543210".into(),
            country_code: "IN".into(),
            additional_data: Default::default(),
            call_config_overrides: None,
            data_extraction: Vec::new(),
            initial_greeting: None,
            person_name: None,
            system_prompt: None,
            webhook_url: None,
        });
        then.ok(&types::CallResponse {
            success: Some(true.into()),
            data: types::CallResponseData {
                call_id: "call_typed".into(),
            },
        });
    });
    let created = client(&server)
        .calls()
        .create(AGENT, "9876543210", "IN")
        .send()
        .await
        .unwrap();
    mock.assert();
    assert_eq!(created.call_id, "call_typed");
}
