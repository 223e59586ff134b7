//! Contract checks against `openapi/osvi.yaml`, read at test time: every exchange a journaled
//! simulator saw (what osvi-ext sent, what osvi-sim answered) is validated with the
//! `jsonschema` crate against the operation's parameters, request body and the response
//! schema of the status it got.

use std::collections::HashMap;

use osvi_sim::{Exchange, Simulator};
use serde_json::{Value, json};

/// The spec, parsed from the YAML file in the workspace.
pub fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/osvi.yaml");
    let text = std::fs::read_to_string(path).expect("openapi/osvi.yaml is readable");
    serde_norway::from_str(&text).expect("openapi/osvi.yaml is valid YAML")
}

/// The spec and what validates against it.
pub struct Contract {
    doc: Value,
}

impl Contract {
    /// Reads the spec.
    pub fn new() -> Self {
        Contract { doc: spec() }
    }

    /// `(path template, method, operation)` of `id`.
    fn operation(&self, id: &str) -> Option<(&str, &str, &Value)> {
        let paths = self.doc.get("paths")?.as_object()?;
        paths.iter().find_map(|(path, item)| {
            item.as_object()?.iter().find_map(|(method, op)| {
                (op.get("operationId") == Some(&Value::from(id))).then_some((
                    path.as_str(),
                    method.as_str(),
                    op,
                ))
            })
        })
    }

    /// Follows a local `$ref`.
    fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| self.doc.pointer(p))
            .unwrap_or(value)
    }

    /// The problems of `instance` against `schema` (whose `$ref`s point into the spec).
    fn validate(&self, schema: &Value, instance: &Value) -> Vec<String> {
        let root = json!({"allOf": [schema], "components": self.doc["components"]});
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .expect("every schema of the spec compiles");
        validator
            .iter_errors(instance)
            .map(|e| e.to_string())
            .collect()
    }

    /// The problems of a webhook `body` against the spec's component schema `name`
    /// (`CallCompletedWebhook`, `PostCallWebhook`).
    pub fn schema_problems(&self, name: &str, body: &Value) -> Vec<String> {
        let schema = json!({ "$ref": format!("#/components/schemas/{name}") });
        self.validate(&schema, body)
    }

    /// Every way `exchange` departs from the spec: its request too when `request` holds,
    /// else only the answer.
    pub fn problems(&self, exchange: &Exchange, request: bool) -> Vec<String> {
        let Some((_, _, op)) = self.operation(&exchange.operation) else {
            return vec![format!(
                "{} {}: no operation",
                exchange.method, exchange.path
            )];
        };
        let mut problems = Vec::new();
        if request {
            problems.extend(self.request_problems(exchange, op));
        }
        match op["responses"].get(exchange.status.to_string()) {
            None => problems.push(format!("status {} is not documented", exchange.status)),
            Some(response) => {
                let response = self.resolve(response);
                if let Some(schema) = response.pointer("/content/application~1json/schema") {
                    match serde_json::from_slice::<Value>(&exchange.response_body) {
                        Ok(body) => problems.extend(
                            self.validate(schema, &body)
                                .into_iter()
                                .map(|p| format!("response {}: {p}", exchange.status)),
                        ),
                        Err(e) => problems.push(format!("response is not JSON: {e}")),
                    }
                }
            }
        }
        problems
    }

    /// How the request of `exchange` departs from operation `op`.
    fn request_problems(&self, exchange: &Exchange, op: &Value) -> Vec<String> {
        let mut problems = Vec::new();
        let query: HashMap<String, String> = url_pairs(&exchange.query);
        for param in op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let param = self.resolve(param);
            if param["in"] != "query" {
                continue;
            }
            let name = param["name"].as_str().unwrap_or_default();
            match query.get(name) {
                None if param["required"] == true => problems.push(format!("`{name}` missing")),
                None => {}
                Some(raw) => {
                    let value = typed(raw, param["schema"]["type"].as_str().unwrap_or(""));
                    for p in self.validate(&param["schema"], &value) {
                        problems.push(format!("query `{name}`: {p}"));
                    }
                }
            }
        }
        for name in query.keys() {
            let declared = op["parameters"].as_array().into_iter().flatten().any(|p| {
                let p = self.resolve(p);
                p["in"] == "query" && p["name"] == name.as_str()
            });
            if !declared {
                problems.push(format!("query `{name}` is not in the spec"));
            }
        }
        let optional_body = op.pointer("/requestBody/required") != Some(&Value::Bool(true));
        if let Some(schema) = op.pointer("/requestBody/content/application~1json/schema")
            && !(optional_body && exchange.request_body.is_empty())
        {
            match serde_json::from_slice::<Value>(&exchange.request_body) {
                Ok(body) => problems.extend(
                    self.validate(schema, &body)
                        .into_iter()
                        .map(|p| format!("request body: {p}")),
                ),
                Err(e) => problems.push(format!("request body is not JSON: {e}")),
            }
        }
        problems
    }

    /// The `operationId` of every operation.
    pub fn operation_ids(&self) -> Vec<String> {
        let mut ids = Vec::new();
        for item in self.doc["paths"].as_object().into_iter().flatten() {
            for op in item.1.as_object().into_iter().flatten() {
                if let Some(id) = op.1.get("operationId").and_then(Value::as_str) {
                    ids.push(id.to_string());
                }
            }
        }
        ids
    }
}

/// Panics naming every exchange of `sim` (a journaled simulator) whose request or answer
/// departs from the spec.
pub fn assert_conforms(sim: &Simulator) {
    check(sim, true);
}

/// Panics naming every answer of `sim` (a journaled simulator) that departs from the spec,
/// whatever the requests were.
pub fn assert_answers_conform(sim: &Simulator) {
    check(sim, false);
}

fn check(sim: &Simulator, requests: bool) {
    let contract = Contract::new();
    let exchanges = sim.exchanges();
    assert!(!exchanges.is_empty(), "the simulator's journal is on");
    let failures: Vec<String> = exchanges
        .iter()
        .flat_map(|e| {
            contract
                .problems(e, requests)
                .into_iter()
                .map(move |p| format!("{} {}?{} → {}: {p}", e.method, e.path, e.query, e.status))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The pairs of a query string, percent-decoded.
fn url_pairs(query: &str) -> HashMap<String, String> {
    reqwest::Url::parse(&format!("http://x/?{query}"))
        .map(|url| url.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

/// A query value as the JSON type of its schema.
fn typed(raw: &str, kind: &str) -> Value {
    match kind {
        "integer" | "number" => serde_json::from_str(raw).unwrap_or_else(|_| Value::from(raw)),
        "boolean" => serde_json::from_str(raw).unwrap_or_else(|_| Value::from(raw)),
        _ => Value::from(raw),
    }
}
