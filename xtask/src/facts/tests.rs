//! Unit tests of the facts emitter.

use super::*;
use serde_json::Map;

/// A YAML object, parsed.
fn object(text: &str) -> Map<String, Value> {
    match serde_norway::from_str::<Value>(text) {
        Ok(Value::Object(map)) => map,
        other => panic!("{other:?}"),
    }
}

#[test]
fn names_become_rust_identifiers() {
    assert_eq!(snake("CallRequest"), "call_request");
    assert_eq!(snake("executionMode"), "execution_mode");
    assert_eq!(screaming("in_progress"), "IN_PROGRESS");
    assert_eq!(screaming("get_call"), "GET_CALL");
    assert_eq!(snake("1x"), "_1x");
}

#[test]
fn webhook_body_fields_are_listed_by_operation_id() {
    let doc = Value::Object(object(
        "webhooks:\n  done:\n    post:\n      operationId: done_hook\n      requestBody:\n        content:\n          application/json:\n            schema: {$ref: '#/components/schemas/Done'}\ncomponents:\n  schemas:\n    Done:\n      properties:\n        chat: {type: string}\n        executionMode: {type: string}\n",
    ));
    let mut out = String::new();
    render_webhooks(&doc, &mut out);
    assert!(
        out.contains("pub const DONE_HOOK: &[&str] = &[\"chat\", \"executionMode\"];"),
        "{out}"
    );
}

#[test]
fn string_integer_and_array_rules_are_rendered() {
    let schema = Value::Object(object("type: string\nminLength: 1\npattern: '^a$'\n"));
    assert_eq!(
        rule(&schema).unwrap().1,
        "StringRule { min_length: Some(1), max_length: None, pattern: Some(\"^a$\"), format: None, example: None }"
    );
    let schema = Value::Object(object(
        "type: [integer, 'null']\nminimum: 30\nmaximum: 1800\n",
    ));
    assert_eq!(
        rule(&schema).unwrap().1,
        "IntegerRule { minimum: Some(30), maximum: Some(1800), default: None, capped_at: None }"
    );
    let schema = Value::Object(object(
        "type: integer\nminimum: 1\ndefault: 25\nx-osvi-capped-at: 100\n",
    ));
    assert_eq!(
        rule(&schema).unwrap().1,
        "IntegerRule { minimum: Some(1), maximum: None, default: Some(25), capped_at: Some(100) }"
    );
    let schema = Value::Object(object(
        "type: array\nmaxItems: 10\nx-osvi-keeps-most-recent: 5\n",
    ));
    assert_eq!(
        rule(&schema).unwrap().1,
        "ArrayRule { min_items: None, max_items: Some(10), keeps_most_recent: Some(5) }"
    );
    assert!(rule(&Value::Object(object("type: string\n"))).is_none());
}

#[test]
fn operations_carry_method_path_params_statuses_and_safety() {
    let doc = Value::Object(object(
        "paths:\n  /v1/call/{id}:\n    post:\n      operationId: redo\n      x-osvi-places-calls: true\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n        - {name: q, in: query, schema: {type: string}}\n      responses:\n        '404': {description: x}\n        '201': {description: x}\n",
    ));
    let mut out = String::new();
    render_operations(&doc, &mut out).unwrap();
    assert!(out.contains("pub const REDO: Operation"), "{out}");
    assert!(out.contains("method: \"POST\""), "{out}");
    assert!(out.contains("path: \"/v1/call/{id}\""), "{out}");
    assert!(out.contains("path_params: &[\"id\"]"), "{out}");
    assert!(
        out.contains("Param { name: \"q\", required: false }"),
        "{out}"
    );
    assert!(out.contains("success_status: 201"), "{out}");
    assert!(out.contains("statuses: &[201, 404]"), "{out}");
    assert!(out.contains("places_calls: PlacesCalls::Always"), "{out}");
}

#[test]
fn enums_of_schemas_properties_and_parameters_are_collected() {
    let doc = Value::Object(object(
        "components:\n  schemas:\n    Mode:\n      type: string\n      enum: [ai, support]\n    Session:\n      properties:\n        status: {type: string, enum: [active, closed, null]}\n",
    ));
    let found: Vec<(String, Vec<String>)> = collect_enums(&doc)
        .into_iter()
        .map(|e| (e.module, e.values))
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "mode".to_string(),
                vec!["ai".to_string(), "support".to_string()]
            ),
            (
                "session_status".to_string(),
                vec!["active".to_string(), "closed".to_string()]
            ),
        ]
    );
}

#[test]
fn the_token_header_comes_from_the_security_scheme() {
    let doc = Value::Object(object(
        "components:\n  securitySchemes:\n    T: {type: apiKey, in: header, name: X-Key}\n",
    ));
    assert_eq!(token_header(&doc).unwrap(), "X-Key");
}
