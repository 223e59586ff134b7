//! osvi-ext is never stricter than the API: every example value of the spec's request side
//! (body properties, parameters, request-body examples), read from `openapi/osvi.yaml` at test
//! time, passes osvi-ext's validation and is sent. Each operation is driven once with the
//! examples of its fields; the server accepts anything, so a refusal can only come from the
//! SDK's own checks.
#![allow(deprecated)]

mod common;

use std::future::Future;

use httpmock::MockServer;
use osvi_ext::calls::{CallStatus, CallType, ExtractionField, Redial};
use osvi_ext::campaigns::Contact;
use osvi_ext::chat::SupportCommand;
use osvi_ext::{Client, Error};
use serde_json::Value;

/// The spec, and the example of a field.
struct Examples(Value);

impl Examples {
    /// The first example of property `field` of component schema `schema`.
    fn prop(&self, schema: &str, field: &str) -> Value {
        let node = &self.0["components"]["schemas"][schema]["properties"][field];
        first_example(node).unwrap_or_else(|| panic!("{schema}.{field} has no example"))
    }

    fn text(&self, schema: &str, field: &str) -> String {
        self.prop(schema, field).as_str().unwrap().to_string()
    }

    /// The example of query or path parameter `name` of the operation at `path`/`method`.
    fn param(&self, path: &str, method: &str, name: &str) -> String {
        let op = &self.0["paths"][path][method];
        let params = op["parameters"].as_array().unwrap();
        let param = params
            .iter()
            .map(|p| self.resolve(p))
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"));
        match &param["example"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }

    /// The example of the request body of the operation at `path`/`method`.
    fn body(&self, path: &str, method: &str) -> Value {
        self.0["paths"][path][method]["requestBody"]["content"]["application/json"]["example"]
            .clone()
    }

    fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => self.0.pointer(pointer).unwrap(),
            None => value,
        }
    }
}

fn first_example(node: &Value) -> Option<Value> {
    match (&node["examples"], &node["example"]) {
        (Value::Array(values), _) => values.first().cloned(),
        (_, Value::Null) => None,
        (_, value) => Some(value.clone()),
    }
}

/// Runs `op` against a server that accepts every request, and fails if the SDK refused it.
async fn accepted<F, Fut, T>(what: &str, op: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = osvi_ext::Result<T>>,
{
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).body("{}");
        })
        .await;
    let result = op(common::client(&server)).await;
    if let Err(Error::Validation { field, rule }) = &result {
        panic!("{what}: the spec's example of `{field}` was refused: {rule}");
    }
    assert!(any.calls_async().await >= 1, "{what}: nothing was sent");
}

#[tokio::test]
async fn every_example_of_the_spec_passes_validation() {
    let spec = Examples(common::contract::spec());
    let ex = &spec;
    let call = |f: &str| ex.text("CallRequest", f);
    let agent = call("agent_uuid");

    let extraction = ExtractionField::new(
        ex.text("DataExtractionField", "key"),
        ex.text("DataExtractionField", "description"),
    )
    .required(ex.prop("DataExtractionField", "required") == true)
    .output_format(ex.text("DataExtractionField", "output_format"));
    accepted("create_call", |c| async move {
        c.calls()
            .create(
                call("agent_uuid"),
                call("phone_number"),
                call("country_code"),
            )
            .system_prompt(call("system_prompt"))
            .webhook_url(call("webhook_url"))
            .person_name(call("person_name"))
            .additional_data(ex.prop("CallRequest", "additional_data"))
            .initial_greeting(call("initial_greeting"))
            .max_call_duration_seconds(
                ex.prop("CallConfigOverrides", "max_call_duration_seconds")
                    .as_u64()
                    .unwrap() as u32,
            )
            .enable_callback(ex.prop("CallConfigOverrides", "enable_callback") == true)
            .redial(
                Redial::new()
                    .enabled(ex.prop("RetryConfig", "enabled") == true)
                    .max_attempts(ex.prop("RetryConfig", "max_attempts").as_u64().unwrap() as u32)
                    .interval_minutes(
                        ex.prop("RetryConfig", "interval_minutes").as_u64().unwrap() as u32
                    ),
            )
            .extract_field(extraction)
            .send()
            .await
    })
    .await;

    let q = |name: &str| ex.param("/v1/calls", "get", name);
    accepted("list_calls", |c| async move {
        c.calls()
            .list()
            .status([CallStatus::from(q("status"))])
            .agent(q("agent_uuid"))
            .campaign(q("campaign_id").parse().unwrap())
            .campaign_upload(q("campaign_upload_id").parse().unwrap())
            .phone_number(q("phone_number"))
            .call_type(CallType::from(q("call_type")))
            .since(q("start_date").parse::<chrono::NaiveDate>().unwrap())
            .until(q("end_date").parse::<chrono::NaiveDate>().unwrap())
            .per_page(q("per_page").parse().unwrap())
            .page(q("page").parse().unwrap())
            .await
    })
    .await;

    let call_id = ex.param("/v1/call/{id}", "get", "id");
    accepted("get_call", |c| async move { c.calls().get(&call_id).await }).await;
    let call_id = ex.param("/v1/call/{id}/transcript", "get", "id");
    accepted("get_call_transcript", |c| async move {
        c.calls().transcript(&call_id).await
    })
    .await;
    let call_id = ex.param("/v1/call/{id}/recording", "get", "id");
    accepted("get_call_recording", |c| async move {
        c.calls().recording(&call_id).await
    })
    .await;

    let campaign: i64 = ex
        .param("/v1/campaigns/{id}/contacts", "post", "id")
        .parse()
        .unwrap();
    let upload = ex.body("/v1/campaigns/{id}/contacts", "post");
    let contacts: Vec<Contact> = upload["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut contact = Contact::new(c["phone"].as_str().unwrap());
            for (key, value) in c.as_object().unwrap() {
                contact = match key.as_str() {
                    "phone" => contact,
                    "person_name" => contact.person_name(value.as_str().unwrap()),
                    _ => contact.variable(key, value.clone()),
                };
            }
            contact
        })
        .collect();
    let upload_agent = upload["agent_uuid"].as_str().unwrap().to_string();
    accepted("add_campaign_contacts", |c| async move {
        c.campaigns()
            .add_contacts(upload_agent, campaign, contacts)
            .enqueue(upload["enqueue"] == true)
            .send()
            .await
    })
    .await;
    accepted("get_campaign_status", |c| async move {
        c.campaigns().status(campaign).await
    })
    .await;

    let dnd = |f: &str| ex.text("DndNumberRequest", f);
    accepted("add_dnd_number", |c| async move {
        c.dnd()
            .add(dnd("agent_uuid"), dnd("phone"))
            .reason(dnd("reason"))
            .send()
            .await
    })
    .await;
    let q = |name: &str| ex.param("/v1/dnd_numbers", "get", name);
    accepted("list_dnd_numbers", |c| async move {
        c.dnd()
            .list(q("agent_uuid"))
            .search(q("search"))
            .per_page(q("per_page").parse().unwrap())
            .page(q("page").parse().unwrap())
            .await
    })
    .await;
    let q = |name: &str| ex.param("/v1/dnd_numbers", "delete", name);
    accepted("remove_dnd_number", |c| async move {
        c.dnd().remove(q("agent_uuid"), q("phone")).await
    })
    .await;

    let session = |f: &str| ex.text("ChatSessionRequest", f);
    let input = ex.prop("ChatSessionRequest", "input_fields");
    let context = ex.prop("ChatSessionRequest", "context");
    accepted("create_chat_session", |c| async move {
        let mut create = c
            .chat()
            .create_session(session("agent_uuid"), session("customer_id"));
        for (key, value) in input.as_object().unwrap() {
            create = create.input_field(key, value.clone());
        }
        for entry in context.as_array().unwrap() {
            create = create.context(entry.as_str().unwrap());
        }
        create.send().await
    })
    .await;
    let inbound = |f: &str| ex.text("ChatInboundRequest", f);
    accepted("send_chat_message", |c| async move {
        c.chat()
            .send_message(
                inbound("agent_uuid"),
                inbound("customer_id"),
                inbound("content"),
            )
            .session_id(inbound("session_id"))
            .send()
            .await
    })
    .await;
    let q = |name: &str| ex.param("/v1/chat/session/active", "get", name);
    accepted("get_active_chat_session", |c| async move {
        c.chat()
            .active_session(q("agent_uuid"), q("customer_id"))
            .await
    })
    .await;
    let session_id = ex.param("/v1/chat/session/{id}/support", "post", "id");
    let support = ex.body("/v1/chat/session/{id}/support", "post");
    let operator_message = ex.text("SupportRequest", "message");
    accepted("send_support_command", |c| async move {
        c.chat()
            .support(&session_id)
            .message(support["message"].as_str().unwrap())
            .send()
            .await
    })
    .await;
    let session_id = ex.param("/v1/chat/session/{id}/support", "post", "id");
    accepted("send_support_command with a command", |c| async move {
        c.chat()
            .support(&session_id)
            .command(SupportCommand::Tell)
            .message(operator_message)
            .send()
            .await
    })
    .await;
    let session_id = ex.param("/v1/chat/session/{id}/inject_context", "post", "id");
    let injected = ex.text("InjectContextRequest", "context");
    accepted("inject_chat_context", |c| async move {
        c.chat().inject_context(&session_id, &injected).await
    })
    .await;

    let legacy = |f: &str| ex.text("LegacyCallRequest", f);
    accepted("legacy_create_call", |c| async move {
        c.legacy()
            .create_call(
                legacy("agent_uuid"),
                legacy("phone_number"),
                legacy("country_code"),
            )
            .webhook_url(legacy("webhook_url"))
            .person_name(legacy("person_name"))
            .send()
            .await
    })
    .await;
    let metadata = &ex.0["components"]["schemas"]["LegacyChatSessionRequest"]["properties"]["metadata"]
        ["properties"]["person_name"];
    let person = first_example(metadata).unwrap();
    let start_agent = agent.clone();
    accepted("legacy_start_chat_session", |c| async move {
        c.legacy()
            .start_chat_session(start_agent)
            .person_name(person.as_str().unwrap())
            .await
    })
    .await;
    let message = |f: &str| ex.text("LegacyChatMessageRequest", f);
    let send_agent = agent.clone();
    accepted("legacy_send_chat_message", |c| async move {
        c.legacy()
            .send_chat_message(&send_agent, message("chat_session_id"), message("message"))
            .await
    })
    .await;
    let pause_id = ex.param("/chat_sessions/{id}/pause_session", "post", "id");
    let pause_agent = agent.clone();
    accepted("legacy_pause_chat_session", |c| async move {
        c.legacy().pause_chat_session(pause_agent, pause_id).await
    })
    .await;
    let close_id = ex.param("/chat_sessions/{id}/close_session", "post", "id");
    accepted("legacy_close_chat_session", |c| async move {
        c.legacy().close_chat_session(agent, close_id).await
    })
    .await;
}
