//! Contract tests: all 20 operations, driven through osvi-ext against a journaled osvi-sim,
//! and every request and answer validated against `openapi/osvi.yaml` (read at test time,
//! with the `jsonschema` crate). Also: every operation of the spec is reached by osvi-ext
//! and routed by osvi-sim.
#![allow(deprecated)]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::contract::{Contract, assert_answers_conform, assert_conforms};
use osvi_ext::chat::SupportCommand;
use osvi_ext::{Client, RetryPolicy};
use osvi_sim::Simulator;
use osvi_sim::config::Config;

const AGENT: &str = "agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og";

async fn journaled() -> (Simulator, Client) {
    let mut config = Config::default();
    config.outcomes.insert("9876543210".into(), "picked".into());
    let sim = Simulator::builder()
        .config(config)
        .journal(true)
        .start()
        .await
        .unwrap();
    let client = Client::builder()
        .token(sim.token())
        .base_url(sim.base_url())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    (sim, client)
}

#[tokio::test]
async fn every_operation_sent_by_osvi_ext_and_served_by_osvi_sim_follows_the_spec() {
    let (sim, client) = journaled().await;

    client.agents().list_active().await.unwrap();
    let created = client
        .calls()
        .create(AGENT, "9876543210", "in")
        .person_name("John Doe")
        .initial_greeting("Hello John")
        .max_call_duration_seconds(300)
        .redial(
            osvi_ext::calls::Redial::new()
                .max_attempts(2)
                .interval_minutes(30),
        )
        .webhook_url("https://example.com/hook")
        .extract("confirmed", "Ask if they confirm.")
        .send()
        .await
        .unwrap();
    sim.advance(Duration::from_secs(600));
    client
        .calls()
        .list()
        .agent(AGENT)
        .per_page(10)
        .since(chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap())
        .page(1)
        .await
        .unwrap();
    client.calls().get(&created.call_id).await.unwrap();
    client.calls().transcript(&created.call_id).await.unwrap();
    client.calls().recording(&created.call_id).await.unwrap();
    // An unknown id is a documented 404.
    client.calls().get("no-such-call").await.unwrap_err();

    let contacts = vec![
        osvi_ext::campaigns::Contact::new("9876500002")
            .person_name("Ravi")
            .variable("plan", "Pro"),
    ];
    client
        .campaigns()
        .add_contacts(AGENT, 7, contacts)
        .send()
        .await
        .unwrap();
    client.campaigns().status(7).await.unwrap();

    client
        .dnd()
        .add(AGENT, "9876500003")
        .reason("opted out")
        .send()
        .await
        .unwrap();
    client
        .dnd()
        .list(AGENT)
        .search("98765")
        .page(1)
        .await
        .unwrap();
    client.dnd().remove(AGENT, "9876500003").await.unwrap();

    let session = client
        .chat()
        .create_session(AGENT, "+15551112222")
        .input_field("first_name", "Alex")
        .context("Initial context")
        .send()
        .await
        .unwrap();
    client
        .chat()
        .send_message(AGENT, "+15551112222", "Hi, I need help.")
        .send()
        .await
        .unwrap();
    client
        .chat()
        .active_session(AGENT, "+15551112222")
        .await
        .unwrap();
    client.chat().active_sessions("+15551112222").await.unwrap();
    client
        .chat()
        .inject_context(&session.id, "Earlier voice call: wants a refund.")
        .await
        .unwrap();
    client
        .chat()
        .support(&session.id)
        .command(SupportCommand::Takeover)
        .message("A human agent is joining.")
        .send()
        .await
        .unwrap();

    let legacy = client.legacy();
    legacy
        .create_call(AGENT, "9876543210", "IN")
        .send()
        .await
        .unwrap();
    let started = legacy
        .start_chat_session(AGENT)
        .person_name("Jane Smith")
        .await
        .unwrap();
    legacy
        .send_chat_message(AGENT, &started.session_id, "What are your hours?")
        .await
        .unwrap();
    legacy
        .pause_chat_session(AGENT, &started.session_id)
        .await
        .unwrap();
    legacy
        .close_chat_session(AGENT, &started.session_id)
        .await
        .unwrap();

    assert_conforms(&sim);
    let reached: BTreeSet<String> = sim.exchanges().into_iter().map(|e| e.operation).collect();
    let all: BTreeSet<String> = Contract::new().operation_ids().into_iter().collect();
    assert_eq!(
        reached, all,
        "every operation of the spec, reached and routed"
    );
}

#[tokio::test]
async fn refused_requests_are_answered_as_the_spec_documents() {
    let (sim, _) = journaled().await;
    let http = reqwest::Client::new();
    let base = sim.base_url();
    let token = ("API-Token", sim.token());
    // A wrong type, a null, a broken pattern, a missing parameter, an id no campaign has, no
    // token: each answered with a documented status and a JSON body.
    let requests = [
        http.post(format!("{base}/v1/dnd_numbers"))
            .header(token.0, token.1)
            .json(&serde_json::json!({"agent_uuid": AGENT, "phone": "9876543210", "reason": {}})),
        http.post(format!("{base}/call"))
            .header(token.0, token.1)
            .json(&serde_json::json!({"agent_uuid": AGENT, "phone_number": "9876543210", "country_code": "IN", "person_name": null})),
        http.get(format!("{base}/v1/calls?per_page=0")).header(token.0, token.1),
        http.get(format!("{base}/v1/chat/session/active")).header(token.0, token.1),
        http.get(format!("{base}/v1/campaigns/99999999999999999999/status"))
            .header(token.0, token.1),
        http.get(format!("{base}/v1/active_agents")),
    ];
    let mut statuses = Vec::new();
    for request in requests {
        let response = request.send().await.unwrap();
        statuses.push(response.status().as_u16());
        let body: serde_json::Value = response.json().await.expect("a JSON error body");
        assert_eq!(body["success"], false, "{body}");
    }
    assert_eq!(statuses, [400, 400, 422, 400, 404, 401]);
    assert_answers_conform(&sim);
}
