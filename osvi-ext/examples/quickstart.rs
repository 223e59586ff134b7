//! Quickstart: list agents, place a call, read calls back, manage a DND number, chat.
//!
//! ```text
//! cargo run -p osvi-ext --example quickstart
//! ```
//!
//! Without `OSVI_API_TOKEN` it starts a local mock server (httpmock, on 127.0.0.1) that
//! answers with the examples of the OSVI docs, and says so: no account, no network.
//!
//! With `OSVI_API_TOKEN` (and optionally `OSVI_BASE_URL`) it talks to OSVI but only reads
//! (agents, recent calls, the DND list of the first agent), unless you also set
//! `OSVI_QUICKSTART_CALL_TO=IN:9876543210`: only then does it place a real call.

use futures::TryStreamExt;
use httpmock::MockServer;
use osvi_ext::Client;
use osvi_ext::calls::CallStatus;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock;
    let (client, call_to) = match std::env::var("OSVI_API_TOKEN") {
        Ok(_) => {
            println!("OSVI_API_TOKEN is set: talking to OSVI.");
            let call_to = std::env::var("OSVI_QUICKSTART_CALL_TO").ok();
            (Client::from_env()?, call_to)
        }
        Err(_) => {
            mock = MockServer::start_async().await;
            serve_doc_examples(&mock).await;
            println!(
                "OSVI_API_TOKEN is not set: using a local mock server at {}",
                mock.base_url()
            );
            println!(
                "(it answers with the examples of the OSVI docs; nothing leaves this machine)\n"
            );
            let client = Client::builder()
                .token("0123456789abcdef")
                .base_url(mock.base_url())
                .build()?;
            (client, Some("IN:9876543210".to_string()))
        }
    };

    let agents = client.agents().list_active().await?;
    println!("{} active agent(s):", agents.len());
    for agent in &agents {
        println!(
            "  {}  {}",
            agent.agent_id,
            agent.name.as_deref().unwrap_or("-")
        );
    }
    let Some(agent) = agents.first() else {
        println!("no active agent: activate one in the dashboard first");
        return Ok(());
    };

    if let Some((country, number)) = call_to.as_deref().and_then(|t| t.split_once(':')) {
        let created = client
            .calls()
            .create(&agent.agent_id, number, country)
            .person_name("John Doe")
            .initial_greeting(
                "Hello John, this is a reminder about your appointment tomorrow at 10 AM.",
            )
            .extract(
                "appointment_confirmed",
                "Ask if they can confirm their appointment.",
            )
            .send()
            .await?;
        println!("\nplaced call {}", created.call_id);
    }

    let recent: Vec<_> = client
        .calls()
        .list()
        .status([CallStatus::Picked])
        .per_page(10)
        .stream()
        .try_collect()
        .await?;
    println!("\n{} answered call(s):", recent.len());
    for call in &recent {
        println!(
            "  {}  {}  {:?}",
            call.call_id,
            call.phone_number.as_deref().unwrap_or("-"),
            call.status
        );
    }
    if let Some(call) = recent.first() {
        let full = client.calls().get(&call.call_id).await?;
        println!(
            "\nsummary: {}",
            full.summary.as_deref().unwrap_or("(none yet)")
        );
        println!(
            "extracted: {}",
            serde_json::Value::Object(full.data_captured)
        );
        let transcript = client.calls().transcript(&call.call_id).await?;
        for turn in transcript.turns {
            println!(
                "  {}: {}",
                turn.role.unwrap_or_default(),
                turn.content.unwrap_or_default()
            );
        }
    }

    let blocked = client.dnd().list(&agent.agent_id).collect_all().await?;
    println!(
        "\n{} number(s) on the DND list of {}",
        blocked.len(),
        agent.agent_id
    );
    if call_to.is_some() {
        let entry = client
            .dnd()
            .add(&agent.agent_id, "9876543210")
            .reason("customer opted out")
            .send()
            .await?;
        println!("added {} to the DND list", entry.phone);
        client.dnd().remove(&agent.agent_id, "9876543210").await?;
        println!("removed it again");

        let reply = client
            .chat()
            .send_message(&agent.agent_id, "+15551112222", "Hi, I need help.")
            .send()
            .await?;
        println!(
            "\nchat: customer: Hi, I need help.\nchat: agent:    {}",
            reply.reply.unwrap_or_default()
        );
    }
    Ok(())
}

/// Serves the docs' example answers for every endpoint the quickstart uses.
async fn serve_doc_examples(server: &MockServer) {
    use httpmock::Method::{DELETE, GET, POST};
    use serde_json::json;
    let agent = "agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og";
    let call = "a1b2c3d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d";
    let examples = [
        (
            GET,
            "/v1/active_agents".to_string(),
            200,
            json!([{"agent_id": agent, "name": "Appointment Reminder", "status": "active"}]),
        ),
        (
            POST,
            "/v1/call".to_string(),
            200,
            json!({"success": true, "data": {"call_id": "call_abc123xyz"}}),
        ),
        (
            GET,
            "/v1/calls".to_string(),
            200,
            json!({"success": true,
            "data": [{"call_id": call, "agent_uuid": agent, "phone_number": "+919876543210", "status": "picked",
                      "call_type": "outbound", "duration_seconds": 42, "created_at": "2026-06-12T09:30:00+05:30"}],
            "meta": {"current_page": 1, "total_pages": 1, "total_count": 1, "per_page": 10}}),
        ),
        (
            GET,
            format!("/v1/call/{call}"),
            200,
            json!({"success": true, "data": {"call_id": call, "status": "picked",
            "summary": "The customer confirmed their appointment for Friday at 4 PM.",
            "data_captured": {"appointment_confirmed": true}}}),
        ),
        (
            GET,
            format!("/v1/call/{call}/transcript"),
            200,
            json!({"success": true, "data": {"call_id": call, "transcript": [
            {"role": "agent", "content": "Hello, am I speaking with John?"},
            {"role": "user", "content": "Yes, this is John."}]}}),
        ),
        (
            GET,
            "/v1/dnd_numbers".to_string(),
            200,
            json!({"success": true, "data": [],
            "meta": {"current_page": 1, "total_pages": 0, "total_count": 0, "per_page": 25}}),
        ),
        (
            POST,
            "/v1/dnd_numbers".to_string(),
            201,
            json!({"success": true, "data": {"id": 31, "agent_uuid": agent,
            "phone": "+919876543210", "reason": "customer opted out", "created_at": "2026-06-12T09:30:00+05:30"}}),
        ),
        (
            DELETE,
            "/v1/dnd_numbers".to_string(),
            200,
            json!({"success": true, "message": "Phone removed from DND list"}),
        ),
        (
            POST,
            "/v1/chat/inbound".to_string(),
            200,
            json!({"success": true, "data": {"session_id": "4718a326-417b-4dda-90d0-21fd65a11cb8",
            "reply": "Sure — I can help with that. What's your order number?", "state": "default", "mode": "ai", "help_requested": false}}),
        ),
    ];
    for (method, path, status, body) in examples {
        server
            .mock_async(|when, then| {
                when.method(method)
                    .path(path)
                    .header("API-Token", "0123456789abcdef");
                then.status(status).json_body(body);
            })
            .await;
    }
}
