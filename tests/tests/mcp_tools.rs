//! The MCP tool table generated from the spec (`osvi_generated::tools`): every operation of
//! the spec has a tool of its name; each input schema is a valid JSON Schema that accepts
//! the spec's own request examples (parameter examples, and the body's example or one built
//! from its properties' examples), refuses an input missing a required field or carrying an
//! unknown one; the annotations follow the method and `x-osvi-places-calls`.

mod common;

use osvi_generated::tools::TOOLS;
use serde_json::{Map, Value, json};

/// `value` with a local `$ref` resolved (once).
fn deref<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => doc
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or(value),
        None => value,
    }
}

/// The first example of a schema or parameter (`example`, or `examples[0]`).
fn example(value: &Value) -> Option<Value> {
    value
        .get("example")
        .cloned()
        .or_else(|| value.pointer("/examples/0").cloned())
}

/// The spec's example input of an operation: its parameters' examples, and its body's
/// example (or one made of its properties' examples).
fn example_input(doc: &Value, item: &Value, operation: &Value) -> Map<String, Value> {
    let mut input = Map::new();
    let parameters = [item.get("parameters"), operation.get("parameters")];
    for parameter in parameters
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
    {
        let parameter = deref(doc, parameter);
        let name = parameter["name"].as_str().expect("a parameter has a name");
        let schema = deref(doc, &parameter["schema"]);
        if let Some(value) = example(parameter).or_else(|| example(schema)) {
            input.insert(name.to_string(), value);
        }
    }
    let Some(body) = operation.pointer("/requestBody/content/application~1json") else {
        return input;
    };
    let schema = deref(doc, &body["schema"]);
    match example(body).or_else(|| example(schema)) {
        Some(Value::Object(fields)) => input.extend(fields),
        _ => {
            for (name, property) in schema["properties"].as_object().into_iter().flatten() {
                if let Some(value) = example(deref(doc, property)) {
                    input.insert(name.clone(), value);
                }
            }
        }
    }
    input
}

#[test]
fn every_operation_has_a_tool_whose_schema_accepts_the_spec_examples() {
    let doc = common::contract::spec();
    let mut checked = Vec::new();
    let mut whole = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let tool = TOOLS
                .iter()
                .find(|t| t.name == id)
                .unwrap_or_else(|| panic!("{method} {path} ({id}) has no tool"));
            assert_eq!(tool.operation.id, id);
            let schema: Value = serde_json::from_str(tool.input_schema).expect("JSON schema");
            let validator = jsonschema::validator_for(&schema)
                .unwrap_or_else(|e| panic!("{id}: not a JSON Schema: {e}"));
            let mut input = example_input(&doc, item, operation);
            if schema.pointer("/properties/confirm").is_some() {
                input.insert("confirm".into(), json!(true));
            }
            let required: Vec<&str> = schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let complete = required.iter().all(|field| input.contains_key(*field));
            // Each example value against its input's schema...
            for (key, value) in &input {
                let property = &schema["properties"][key.as_str()];
                let problems: Vec<String> = jsonschema::validator_for(property)
                    .unwrap_or_else(|e| panic!("{id}.{key}: not a JSON Schema: {e}"))
                    .iter_errors(value)
                    .map(|e| format!("{}: {e}", e.instance_path()))
                    .collect();
                assert!(
                    problems.is_empty(),
                    "{id}: the spec's example {key} = {value} is refused: {problems:?}"
                );
            }
            let input = Value::Object(input);
            // ... and the whole input, where the spec gives an example of every required one.
            if complete {
                let problems: Vec<String> = validator
                    .iter_errors(&input)
                    .map(|e| format!("{}: {e}", e.instance_path()))
                    .collect();
                assert!(
                    problems.is_empty(),
                    "{id}: the spec's example {input} is refused: {problems:?}"
                );
                whole += 1;
                let mut unknown = input.clone();
                unknown["not_an_input"] = json!(1);
                assert!(
                    !validator.is_valid(&unknown),
                    "{id}: an unknown input is accepted"
                );
                for field in &required {
                    let mut missing = input.clone();
                    missing.as_object_mut().map(|m| m.remove(*field));
                    assert!(
                        !validator.is_valid(&missing),
                        "{id}: accepted without `{field}`"
                    );
                }
            }

            let places_calls = operation.get("x-osvi-places-calls").is_some();
            assert_eq!(tool.read_only, method == "get", "{id}");
            assert_eq!(tool.destructive, method == "delete" || places_calls, "{id}");
            assert_eq!(
                tool.idempotent,
                method == "get" || method == "delete",
                "{id}"
            );
            assert_eq!(
                schema.pointer("/properties/confirm").is_some(),
                places_calls,
                "{id}"
            );
            let summary = operation["summary"].as_str().unwrap_or(id);
            assert!(tool.description.contains(summary), "{id}");
            checked.push(id.to_string());
        }
    }
    assert_eq!(
        checked.len(),
        TOOLS.len(),
        "one tool per operation, no more"
    );
    eprintln!(
        "{} tools checked against the spec's examples ({whole} with an example of every required input)",
        checked.len()
    );
    assert!(whole >= 10, "only {whole} tools had a complete example");
}

#[test]
fn a_tool_schema_keeps_the_docs_and_drops_assumed_constraints() {
    let tool = |name: &str| -> Value {
        let tool = TOOLS.iter().find(|t| t.name == name).expect("the tool");
        serde_json::from_str(tool.input_schema).expect("JSON")
    };
    let create = tool("create_call");
    // Inlined from CallRequest, with its description, example and documented limits.
    assert_eq!(
        create["required"],
        json!(["agent_uuid", "phone_number", "country_code"])
    );
    let greeting = &create["properties"]["initial_greeting"];
    assert_eq!(greeting["maxLength"], json!(2000), "{greeting}");
    let retry = &create["properties"]["call_config_overrides"]["properties"]["retry_config"];
    assert_eq!(
        retry["properties"]["max_attempts"]["maximum"],
        json!(10),
        "{retry}"
    );
    assert!(
        create["properties"]["confirm"]["description"]
            .as_str()
            .unwrap_or_default()
            .contains("dials real people")
    );
    // The DND number pattern is assumed (x-osvi-assumed: [pattern]): not in the tool.
    let remove = tool("remove_dnd_number");
    assert!(
        remove["properties"]["phone"].get("pattern").is_none(),
        "{remove}"
    );
    assert!(remove["properties"]["phone"]["description"].is_string());
    // Lists take page / per_page, or all.
    let list = tool("list_calls");
    for key in ["page", "per_page", "all", "status"] {
        assert!(
            list["properties"].get(key).is_some(),
            "list_calls lacks {key}"
        );
    }
    assert!(
        !serde_json::to_string(&list)
            .unwrap_or_default()
            .contains("x-osvi")
    );
}
