//! Answers in forms the docs do not show but the live API may send (issue "Read every answer
//! the API may send"): zone-less timestamps, integers as floats or strings, transcript turns
//! of another type, a recording without a URL, echoes left out, and both shapes of the
//! active-session answer for either query. Each decodes, with the field's value or `None`.

mod common;

use common::{AGENT, CALL_ID, SESSION_ID, client};
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use osvi_ext::Error;
use serde_json::{Value, json};

/// A server answering `method path` with 2xx `body`.
async fn answering(method: httpmock::Method, path: &str, status: u16, body: Value) -> MockServer {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(method).path(path);
            then.status(status).json_body(body);
        })
        .await;
    server
}

fn utc(text: &str) -> chrono::DateTime<chrono::Utc> {
    text.parse().unwrap()
}

#[tokio::test]
async fn a_dnd_entry_with_a_zone_less_timestamp_is_read_as_utc() {
    let server = answering(
        POST,
        "/v1/dnd_numbers",
        201,
        json!({"success": true, "data": {
            "id": "31", "agent_uuid": AGENT, "phone": "+919876543210",
            "created_at": "2026-06-12 09:30:00"
        }}),
    )
    .await;
    let entry = client(&server)
        .dnd()
        .add(AGENT, "9876543210")
        .await
        .unwrap();
    assert_eq!(entry.created_at, Some(utc("2026-06-12T09:30:00Z")));
    assert_eq!(entry.id, Some(31), "an integer sent as a string");
    assert!(entry.unreadable.is_empty());
}

#[tokio::test]
async fn a_created_chat_session_with_odd_scalars_is_read() {
    let server = answering(
        POST,
        "/v1/chat/session",
        200,
        json!({"success": true, "data": {
            "id": SESSION_ID, "chat_agent_id": 42.0, "account_id": "7",
            "help_requested": "false", "created_at": "2026-06-04T11:40:25.690486",
            "updated_at": 1780573225
        }}),
    )
    .await;
    let session = client(&server)
        .chat()
        .create_session(AGENT, "+15551112222")
        .await
        .unwrap();
    assert_eq!(session.chat_agent_id, Some(42));
    assert_eq!(session.account_id, Some(7));
    assert_eq!(session.help_requested, Some(false));
    assert_eq!(session.created_at, Some(utc("2026-06-04T11:40:25.690486Z")));
    assert_eq!(
        session.updated_at,
        Some(utc("2026-06-04T11:40:25Z")),
        "epoch seconds"
    );
}

#[tokio::test]
async fn transcript_turns_of_other_types_are_read_or_kept() {
    let server = answering(
        GET,
        format!("/v1/call/{CALL_ID}/transcript").as_str(),
        200,
        json!({
            "success": true,
            "data": {"transcript": [
                {"role": "agent", "content": "Hello", "timestamp": 12.5},
                {"role": 1, "content": {"text": "Hi"}, "timestamp": "00:00:03"}
            ]}
        }),
    )
    .await;
    let transcript = client(&server).calls().transcript(CALL_ID).await.unwrap();
    assert_eq!(
        transcript.call_id, CALL_ID,
        "the echo left out is the id asked for"
    );
    let [first, second] = transcript.turns.as_slice() else {
        panic!("{transcript:?}")
    };
    assert_eq!(first.timestamp.as_deref(), Some("12.5"));
    assert_eq!(second.role.as_deref(), Some("1"));
    assert_eq!(second.content, None);
    assert_eq!(second.extra.get("content"), Some(&json!({"text": "Hi"})));
    assert_eq!(second.timestamp.as_deref(), Some("00:00:03"));
}

#[tokio::test]
async fn a_call_without_a_recording_is_a_typed_outcome() {
    let path = format!("/v1/call/{CALL_ID}/recording");
    let server = answering(
        GET,
        &path,
        200,
        json!({"success": true, "data": {
            "call_id": CALL_ID, "recording_url": null, "expires_in_seconds": null
        }}),
    )
    .await;
    let calls = client(&server);
    let recording = calls.calls().recording(CALL_ID).await.unwrap();
    assert_eq!(recording.recording_url, None);
    assert_eq!(recording.expires_in, None);
    let mut sink = Vec::new();
    let err = calls
        .calls()
        .download_recording(CALL_ID, &mut sink)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NoRecording { call_id } if call_id == CALL_ID),
        "{err:?}"
    );
    assert_eq!(err.to_string(), format!("call {CALL_ID} has no recording"));
}

/// A session as the docs show it, for agent key tests.
fn session(chat_agent_id: i64) -> Value {
    json!({"id": SESSION_ID, "chat_agent_id": chat_agent_id, "customer_id": "c1", "status": "active"})
}

/// What `active_session(AGENT, ..)` makes of an answer whose `data` is `data`.
async fn active_session_from(data: Value) -> osvi_ext::Result<osvi_ext::chat::ChatSession> {
    let body = json!({"success": true, "data": data});
    let server = answering(GET, "/v1/chat/session/active", 200, body).await;
    client(&server).chat().active_session(AGENT, "c1").await
}

#[tokio::test]
async fn one_agent_query_answered_with_a_map_gives_that_agents_session() {
    let other = "agent_x9KpL2Mn_41Tg83YWQNca-B_pe";
    let found = active_session_from(json!({ AGENT: session(42), other: session(43) })).await;
    assert_eq!(found.unwrap().chat_agent_id, Some(42));
}

#[tokio::test]
async fn one_agent_query_answered_with_a_map_of_one_other_key_gives_that_session() {
    let found = active_session_from(json!({ "some-other-key": session(42) })).await;
    assert_eq!(found.unwrap().chat_agent_id, Some(42));
}

#[tokio::test]
async fn all_agents_query_answered_with_one_session_gives_a_map_of_one() {
    let server = answering(
        GET,
        "/v1/chat/session/active",
        200,
        json!({"success": true, "data": session(42)}),
    )
    .await;
    let all = client(&server).chat().active_sessions("c1").await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all.get("42").map(|s| s.id.as_str()), Some(SESSION_ID));
}

#[tokio::test]
async fn support_and_context_answers_without_their_echo_name_the_session_asked_for() {
    let path = format!("/v1/chat/session/{SESSION_ID}/inject_context");
    let server = answering(
        POST,
        &path,
        200,
        json!({"success": true, "data": {"context": ["vip"]}}),
    )
    .await;
    let context = client(&server)
        .chat()
        .inject_context(SESSION_ID, "vip")
        .await
        .unwrap();
    assert_eq!(context.session_id, SESSION_ID);
    assert_eq!(context.context, vec!["vip".to_string()]);
}

#[tokio::test]
async fn one_agent_query_answered_with_other_agents_sessions_only_is_not_found() {
    let data = json!({ "agent_a": session(42), "agent_b": session(43) });
    let err = active_session_from(data).await.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound(f) if f.status == 200
            && f.messages == [format!("no active session with `{AGENT}`: the answer lists sessions with 2 other agent(s)")]),
        "{err:?}"
    );
}

#[tokio::test]
async fn counts_by_status_are_read_leniently_too() {
    let server = answering(
        GET,
        "/v1/campaigns/7/status",
        200,
        json!({"success": true, "data": {
            "calls": {"total": "95", "by_status": {"picked": "88", "failed": 7.0, "busy": "many"}}
        }}),
    )
    .await;
    let status = client(&server).campaigns().status(7).await.unwrap();
    assert_eq!(status.calls_total, Some(95));
    use osvi_ext::calls::CallStatus;
    assert_eq!(status.calls_by_status.get(&CallStatus::Picked), Some(&88));
    assert_eq!(status.calls_by_status.get(&CallStatus::Failed), Some(&7));
    assert_eq!(status.calls_by_status.get(&CallStatus::Busy), None);
    assert_eq!(
        Value::Object(status.unreadable),
        json!({"calls.by_status.busy": "many"})
    );
}
