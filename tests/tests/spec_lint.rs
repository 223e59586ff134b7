//! Lint of `openapi/osvi.yaml`, the source of truth of the SDK: the operation count, and the
//! properties every operation must have for the generated client to be complete and correct.

use std::collections::BTreeSet;

use serde_json::Value;

const SPEC: &str = include_str!("../../openapi/osvi.yaml");
const GENERATED: &str = include_str!("../../osvi-generated/src/generated.rs");
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];
const TAGS: &[&str] = &["agents", "calls", "campaigns", "dnd", "chat", "legacy"];

fn spec() -> Value {
    serde_norway::from_str(SPEC).expect("openapi/osvi.yaml is valid YAML")
}

/// `(method, path, operation)` of every operation.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths is a map") {
        for (method, operation) in item.as_object().expect("path item is a map") {
            if METHODS.contains(&method.as_str()) {
                out.push((method.to_uppercase(), path.clone(), operation.clone()));
            }
        }
    }
    out
}

fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                match (key.as_str(), child) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => refs(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| refs(item, out)),
        _ => {}
    }
}

#[test]
fn spec_is_openapi_3_1_with_the_api_token_scheme() {
    let doc = spec();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], "https://api.osvi.ai");
    let scheme = &doc["components"]["securitySchemes"]["ApiToken"];
    assert_eq!(scheme["type"], "apiKey");
    assert_eq!(scheme["in"], "header");
    assert_eq!(scheme["name"], "API-Token");
    assert_eq!(doc["security"][0]["ApiToken"], serde_json::json!([]));
}

#[test]
fn spec_has_the_21_documented_operations() {
    let doc = spec();
    let found: BTreeSet<String> = operations(&doc)
        .iter()
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    let expected: BTreeSet<String> = [
        "GET /v1/active_agents",
        "POST /v1/call",
        "GET /v1/calls",
        "GET /v1/call/{id}",
        "GET /v1/call/{id}/transcript",
        "GET /v1/call/{id}/recording",
        "POST /v1/campaigns/{id}/contacts",
        "GET /v1/campaigns/{id}/status",
        "POST /v1/dnd_numbers",
        "GET /v1/dnd_numbers",
        "DELETE /v1/dnd_numbers",
        "POST /v1/chat/session",
        "POST /v1/chat/inbound",
        "GET /v1/chat/session/active",
        "POST /v1/chat/session/{id}/support",
        "POST /v1/chat/session/{id}/inject_context",
        "POST /call",
        "POST /chat_sessions",
        "POST /chat_messages/send_message",
        "POST /chat_sessions/{id}/close_session",
        "POST /chat_sessions/{id}/pause_session",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(found, expected);
    assert_eq!(found.len(), 21);
}

#[test]
fn every_operation_has_a_unique_id_a_known_tag_a_2xx_and_a_401() {
    let doc = spec();
    let mut ids = BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        let at = format!("{method} {path}");
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{at}: no operationId"));
        assert!(
            ids.insert(id.to_string()),
            "{at}: duplicate operationId {id}"
        );
        let tags = op["tags"]
            .as_array()
            .unwrap_or_else(|| panic!("{at}: no tags"));
        assert!(!tags.is_empty(), "{at}: empty tags");
        for tag in tags {
            assert!(
                TAGS.contains(&tag.as_str().unwrap_or_default()),
                "{at}: unknown tag {tag}"
            );
        }
        let responses = op["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{at}: no responses"));
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{at}: no 2xx response"
        );
        assert!(responses.contains_key("401"), "{at}: no 401 response");
    }
}

#[test]
fn legacy_operations_are_deprecated_and_name_their_replacement() {
    let doc = spec();
    for (method, path, op) in operations(&doc) {
        let legacy = op["tags"][0] == "legacy";
        assert_eq!(
            legacy,
            !path.starts_with("/v1/"),
            "{method} {path}: legacy tag iff unversioned path"
        );
        if legacy {
            assert_eq!(op["deprecated"], true, "{method} {path}");
            let text = op["description"].as_str().unwrap_or_default();
            assert!(
                text.contains("Replaced by `"),
                "{method} {path}: no replacement named"
            );
        }
    }
}

#[test]
fn documented_status_quirks_are_recorded() {
    let doc = spec();
    let statuses = |path: &str, method: &str| -> BTreeSet<String> {
        doc["paths"][path][method]["responses"]
            .as_object()
            .map(|r| r.keys().cloned().collect())
            .unwrap_or_default()
    };
    assert!(
        statuses("/v1/dnd_numbers", "post").contains("201"),
        "DND add answers 201"
    );
    assert!(!statuses("/v1/dnd_numbers", "post").contains("200"));
    for status in ["200", "400", "401", "403"] {
        assert!(
            statuses("/v1/call", "post").contains(status),
            "POST /v1/call documents {status}"
        );
    }
    assert!(statuses("/v1/call/{id}", "get").contains("404"));
    let agents = &doc["paths"]["/v1/active_agents"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"];
    assert_eq!(agents["type"], "array", "active agents is a bare array");
    let delete_ok = &doc["paths"]["/v1/dnd_numbers"]["delete"]["responses"]["200"]["content"]["application/json"]
        ["schema"]["$ref"];
    assert_eq!(delete_ok, "#/components/schemas/MessageResponse");
}

#[test]
fn every_ref_resolves() {
    let doc = spec();
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 50, "the spec uses $refs ({} found)", all.len());
    for reference in all {
        assert!(
            resolve(&doc, &reference).is_some(),
            "dangling $ref {reference}"
        );
    }
}

#[test]
fn every_path_parameter_is_declared_and_required() {
    let doc = spec();
    for (method, path, op) in operations(&doc) {
        let names: Vec<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|r| r.split_once('}'))
            .map(|(n, _)| n)
            .collect();
        let declared: Vec<Value> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| match p["$ref"].as_str() {
                Some(r) => resolve(&doc, r).cloned().unwrap_or(Value::Null),
                None => p.clone(),
            })
            .filter(|p| p["in"] == "path")
            .collect();
        assert_eq!(
            declared.len(),
            names.len(),
            "{method} {path}: path parameters"
        );
        for name in names {
            let param = declared.iter().find(|p| p["name"] == name);
            let param = param.unwrap_or_else(|| panic!("{method} {path}: `{name}` not declared"));
            assert_eq!(
                param["required"], true,
                "{method} {path}: `{name}` must be required"
            );
        }
    }
}

#[test]
fn both_webhook_generations_are_described() {
    let doc = spec();
    for (hook, schema) in [
        ("callCompleted", "CallCompletedWebhook"),
        ("postCallIntegration", "PostCallWebhook"),
    ] {
        let body = &doc["webhooks"][hook]["post"]["requestBody"]["content"]["application/json"]["schema"]
            ["$ref"];
        assert_eq!(body, &Value::from(format!("#/components/schemas/{schema}")));
    }
    let old = &doc["components"]["schemas"]["CallCompletedWebhook"]["properties"];
    assert_eq!(
        old["executionMode"]["enum"],
        serde_json::json!(["prod", "test"])
    );
}

#[test]
fn generated_client_has_one_method_per_operation() {
    let doc = spec();
    let ids: BTreeSet<String> = operations(&doc)
        .iter()
        .filter_map(|(_, _, op)| op["operationId"].as_str().map(String::from))
        .collect();
    let methods: BTreeSet<String> = GENERATED
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub fn "))
        .filter(|rest| rest.contains("(&self) -> builder::"))
        .filter_map(|rest| rest.split('(').next())
        .map(String::from)
        .collect();
    assert_eq!(methods, ids);
    let facts: BTreeSet<String> = osvi_generated::spec::operations::ALL
        .iter()
        .map(|op| op.id.to_string())
        .collect();
    assert_eq!(facts, ids, "spec::operations lists every operation");
    assert!(
        GENERATED.starts_with("// @generated"),
        "generated.rs carries the @generated header"
    );
}

#[test]
fn operations_that_place_calls_are_marked_and_their_body_flag_exists() {
    use osvi_generated::PlacesCalls;
    use osvi_generated::spec::operations as op;
    assert_eq!(op::CREATE_CALL.places_calls, PlacesCalls::Always);
    assert_eq!(op::LEGACY_CREATE_CALL.places_calls, PlacesCalls::Always);
    assert_eq!(
        op::ADD_CAMPAIGN_CONTACTS.places_calls,
        PlacesCalls::WhenBodyFlag("enqueue")
    );
    let doc = spec();
    for operation in op::ALL {
        if let PlacesCalls::WhenBodyFlag(flag) = operation.places_calls {
            let (_, _, node) = operations(&doc)
                .into_iter()
                .find(|(_, _, o)| o["operationId"] == operation.id)
                .unwrap();
            let schema = node["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|p| doc.pointer(p))
                .unwrap();
            assert_eq!(
                schema["properties"][flag]["type"], "boolean",
                "{}: `{flag}` must be a boolean field of the body",
                operation.id
            );
        }
    }
    let dialing: Vec<&str> = op::ALL
        .iter()
        .filter(|o| o.places_calls != PlacesCalls::Never)
        .map(|o| o.id)
        .collect();
    assert_eq!(
        dialing,
        ["create_call", "add_campaign_contacts", "legacy_create_call"]
    );
}
