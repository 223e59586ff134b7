//! Requests checked against the spec. Every operation's path and query parameters and JSON
//! body are validated with a JSON Schema validator built from the spec the SDK is generated
//! from (`osvi_generated::spec::OPENAPI_JSON`), so the simulator accepts exactly what the
//! spec allows: a wrong type, a `null` where none is allowed, a missing required field, an
//! unknown enum value or a broken `pattern`/`minLength`/`maxItems` is refused with the status
//! the spec documents for the operation (`400` where it lists one, else `422`), in a JSON
//! body. The handlers then apply the rules a schema cannot say (a plausible number for the
//! country, an agent of the account ...).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use osvi_generated::Operation;
use osvi_generated::spec::operations;
use serde_json::{Value, json};

/// The largest request body the simulator reads (a campaign upload of 10,000 contacts is a
/// few MiB). The checks here read the body first; the journal and the fault injector use the
/// same bound.
pub(crate) const MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;

/// The validators of every operation, built once per simulator, in the order of
/// `spec::operations::ALL`.
pub(crate) struct Conformance {
    checks: Vec<Checks>,
}

/// The index in `spec::operations::ALL` of the operation routed at `method` and path
/// `template`.
pub(crate) fn operation_at(method: &str, template: &str) -> Option<usize> {
    operations::ALL
        .iter()
        .position(|op| op.method == method && op.path == template)
}

/// The `operationId` of the operation a routed request is for (`None` outside the API).
pub(crate) fn operation_of(request: &axum::extract::Request) -> Option<String> {
    let template = request
        .extensions()
        .get::<axum::extract::MatchedPath>()?
        .as_str();
    let index = operation_at(request.method().as_str(), template)?;
    Some(operations::ALL[index].id.to_string())
}

/// What one operation checks.
struct Checks {
    operation: &'static Operation,
    params: Vec<ParamCheck>,
    body: Option<(bool, jsonschema::Validator)>,
}

/// One parameter: where it travels, whether it is required, its type and its validator.
struct ParamCheck {
    name: String,
    location: String,
    required: bool,
    kind: String,
    /// `format: int64`: a value outside `i64` breaks the schema (JSON Schema alone does not
    /// check it).
    int64: bool,
    validator: jsonschema::Validator,
}

impl Conformance {
    /// Builds the validators from the spec. A spec the validator cannot compile is a bug of
    /// the spec, reported with the operation and the field.
    pub(crate) fn from_spec() -> Result<Self, String> {
        let doc: Value = serde_json::from_str(osvi_generated::spec::OPENAPI_JSON)
            .map_err(|e| format!("the embedded spec is not JSON: {e}"))?;
        let components = doc.get("components").cloned().unwrap_or(Value::Null);
        let compile = |schema: &Value| -> Result<jsonschema::Validator, String> {
            let root = json!({"allOf": [schema], "components": components});
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .should_validate_formats(true)
                .build(&root)
                .map_err(|e| e.to_string())
        };
        let mut checks = Vec::new();
        for operation in operations::ALL {
            let node = doc
                .pointer(&format!(
                    "/paths/{}/{}",
                    operation.path.replace('~', "~0").replace('/', "~1"),
                    operation.method.to_ascii_lowercase()
                ))
                .ok_or_else(|| format!("{}: not in the embedded spec", operation.id))?;
            let mut params = Vec::new();
            for param in node
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let param = resolve(&doc, param);
                let name = param
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let schema = param.get("schema").cloned().unwrap_or(json!({}));
                let validator =
                    compile(&schema).map_err(|e| format!("{}: `{name}`: {e}", operation.id))?;
                params.push(ParamCheck {
                    name: name.to_string(),
                    location: text(param, "in"),
                    required: param.get("required") == Some(&Value::Bool(true)),
                    kind: text(&schema, "type"),
                    int64: text(&schema, "format") == "int64",
                    validator,
                });
            }
            let body = match node.get("requestBody") {
                Some(body) => {
                    let schema = body
                        .pointer("/content/application~1json/schema")
                        .cloned()
                        .unwrap_or(json!({}));
                    let validator =
                        compile(&schema).map_err(|e| format!("{}: body: {e}", operation.id))?;
                    Some((body.get("required") == Some(&Value::Bool(true)), validator))
                }
                None => None,
            };
            checks.push(Checks {
                operation,
                params,
                body,
            });
        }
        Ok(Conformance { checks })
    }
}

impl Checks {
    /// The problems of a request to the operation at `(method, template)`: those of the path
    /// parameters first, then those of the query and the body.
    fn problems(
        &self,
        path: &str,
        template: &str,
        query: &str,
        body: &[u8],
    ) -> (Vec<String>, Vec<String>) {
        let mut path_problems = Vec::new();
        let mut problems = Vec::new();
        let path_values = path_params(template, path);
        let query_values: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        for param in &self.params {
            let raw = match param.location.as_str() {
                "path" => path_values.get(param.name.as_str()).cloned(),
                "query" => query_values.get(&param.name).cloned(),
                _ => continue,
            };
            let found = match param.location.as_str() {
                "path" => &mut path_problems,
                _ => &mut problems,
            };
            match raw {
                None if param.required => {
                    found.push(format!(
                        "param is missing or the value is empty: {}",
                        param.name
                    ));
                }
                None => {}
                Some(raw) => {
                    let value = typed(&raw, &param.kind, param.int64);
                    if let Some(error) = param.validator.iter_errors(&value).next() {
                        found.push(format!("{}: {error}", param.name));
                    }
                }
            }
        }
        if let Some((required, validator)) = &self.body {
            if body.is_empty() {
                if *required {
                    problems.push("the request body is required".into());
                }
            } else {
                match serde_json::from_slice::<Value>(body) {
                    Ok(value) => problems.extend(validator.iter_errors(&value).take(5).map(|e| {
                        match e.instance_path().as_str() {
                            "" => e.to_string(),
                            at => format!("{}: {e}", at.trim_start_matches('/').replace('/', ".")),
                        }
                    })),
                    Err(e) => problems.push(format!("the body is not valid JSON: {e}")),
                }
            }
        }
        (path_problems, problems)
    }
}

/// The string field `key` of `value`, or empty.
fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Follows a `#/components/...` reference of a parameter.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    value
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|pointer| doc.pointer(pointer))
        .unwrap_or(value)
}

/// The values of the `{name}` segments of `template` in `path` (percent-decoded).
fn path_params<'t>(template: &'t str, path: &str) -> HashMap<&'t str, String> {
    template
        .split('/')
        .zip(path.split('/'))
        .filter_map(|(t, p)| {
            let name = t.strip_prefix('{')?.strip_suffix('}')?;
            let value = url::form_urlencoded::parse(format!("v={p}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            Some((name, value))
        })
        .collect()
}

/// A parameter's text as the JSON value its schema type expects; text that does not parse
/// (or an `int64` outside `i64`) stays a string, so the validator reports the wrong type.
fn typed(raw: &str, kind: &str, int64: bool) -> Value {
    match kind {
        "integer" if int64 => raw
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(raw)),
        // Any JSON number, however large: an integer too big for the server is still an
        // integer to the schema (the handler then answers as the spec says, e.g. `404`).
        "integer" | "number" => match serde_json::from_str::<Value>(raw) {
            Ok(number @ Value::Number(_)) => number,
            _ => Value::from(raw),
        },
        "boolean" => match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::from(raw),
        },
        _ => Value::from(raw),
    }
}

/// The error answer of `operation` for `problems`: `400` with `error`/`details` where the
/// spec lists `400`, else `422` with `errors`.
pub(crate) fn rejection(operation: &Operation, problems: Vec<String>) -> Response {
    if operation.statuses.contains(&400) || !operation.statuses.contains(&422) {
        let error = problems.first().cloned().unwrap_or_default();
        let body = json!({"success": false, "error": error, "details": {"errors": problems}});
        (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
    } else {
        let body = json!({"success": false, "errors": problems});
        (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response()
    }
}

/// Middleware (after routing): validates the request against its operation's schemas.
pub(crate) async fn check(
    State(conformance): State<Arc<Conformance>>,
    request: Request,
    next: Next,
) -> Response {
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let Some(checks) = operation_at(request.method().as_str(), &template)
        .and_then(|index| conformance.checks.get(index))
    else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_REQUEST_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return rejection(checks.operation, vec!["the body is too large".into()]);
        }
    };
    let (path_problems, problems) = checks.problems(
        parts.uri.path(),
        &template,
        parts.uri.query().unwrap_or_default(),
        &bytes,
    );
    // A malformed id names no resource: `404`, as the API answers for a malformed call id.
    if !path_problems.is_empty() && checks.operation.statuses.contains(&404) {
        let body = json!({"success": false, "error": path_problems.join("; ")});
        return (StatusCode::NOT_FOUND, axum::Json(body)).into_response();
    }
    let problems: Vec<String> = path_problems.into_iter().chain(problems).collect();
    if !problems.is_empty() {
        return rejection(checks.operation, problems);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
