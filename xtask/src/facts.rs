//! The per-operation facts of the spec, written to `osvi-generated/src/spec.rs` as Rust
//! constants: each operation's id, method, path template, parameters, statuses and safety
//! class (`x-osvi-places-calls`); the API token header; the wire values of every enum; and
//! the validation rules (`minLength`, `maxLength`, `pattern`, `format`, `minimum`,
//! `maximum`, `minItems`, `maxItems`) of every property and parameter that has one.
//!
//! osvi-ext and osvi-sim read these constants instead of typing wire facts by hand, so a
//! renamed path flows to both after regen, and a renamed rule or enum value stops them from
//! compiling until a human looks.
//!
//! Facts are read from the spec as written (OpenAPI 3.1), before the normalize pass drops
//! what progenitor cannot take.

use std::fmt::Write as _;

use serde_json::Value;

use crate::load::resolve;
use crate::normalize::{METHODS, strings_at_key};

/// Renders the facts module of `doc`.
pub fn render(doc: &Value) -> Result<String, String> {
    let mut out = String::new();
    out.push_str(
        "//! Wire facts of `openapi/osvi.yaml`: operations, the token header, enum values and\n\
         //! validation rules. See the crate docs.\n\n\
         use crate::{ArrayRule, IntegerRule, Operation, Param, PlacesCalls, StringRule};\n\n",
    );
    let header = token_header(doc)?;
    let _ = writeln!(
        out,
        "/// The header that carries the API token (`components.securitySchemes`).\n\
         pub const API_TOKEN_HEADER: &str = {header:?};\n"
    );
    out.push_str(
        "/// The spec as JSON (OpenAPI 3.1, as written), for tools that validate against it.\n\
         pub const OPENAPI_JSON: &str = include_str!(\"../openapi.json\");\n\n",
    );
    render_operations(doc, &mut out)?;
    render_params(doc, &mut out);
    render_enums(doc, &mut out);
    render_rules(doc, &mut out);
    render_webhooks(doc, &mut out);
    Ok(out)
}

/// The `name` of the one `apiKey` security scheme in a header.
fn token_header(doc: &Value) -> Result<String, String> {
    let schemes = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .ok_or("components.securitySchemes is missing")?;
    schemes
        .values()
        .find(|s| s.get("type") == Some(&"apiKey".into()) && s.get("in") == Some(&"header".into()))
        .and_then(|s| s.get("name"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| "no apiKey security scheme in a header".to_string())
}

/// `create_call` → `CREATE_CALL`; `in_progress` → `IN_PROGRESS`; `executionMode` →
/// `EXECUTION_MODE`.
pub fn screaming(name: &str) -> String {
    snake(name).to_uppercase()
}

/// `CallRequest` → `call_request`; `executionMode` → `execution_mode`; other characters
/// than letters and digits become `_`.
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            previous_lower = true;
        } else {
            if !out.ends_with('_') {
                out.push('_');
            }
            previous_lower = false;
        }
    }
    let trimmed = out.trim_matches('_').to_string();
    match trimmed.chars().next() {
        Some(c) if c.is_ascii_digit() => format!("_{trimmed}"),
        None => "_".into(),
        _ => trimmed,
    }
}

/// A `$ref` resolved (once), or the value itself.
pub(crate) fn deref<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => resolve(doc, reference).unwrap_or(value),
        None => value,
    }
}

/// The parameters of an operation (path-item level first), `$ref`s resolved.
pub(crate) fn parameters<'a>(
    doc: &'a Value,
    item: &'a Value,
    operation: &'a Value,
) -> Vec<&'a Value> {
    [item.get("parameters"), operation.get("parameters")]
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .map(|p| deref(doc, p))
        .collect()
}

/// The parameters of an operation `in` one place (`path` or `query`), in the order of the
/// spec: `(name, required)`.
pub(crate) fn params_in<'a>(
    doc: &'a Value,
    item: &'a Value,
    operation: &'a Value,
    place: &str,
) -> Vec<(&'a str, bool)> {
    parameters(doc, item, operation)
        .into_iter()
        .filter(|p| p.get("in").and_then(Value::as_str) == Some(place))
        .filter_map(|p| {
            let name = p.get("name").and_then(Value::as_str)?;
            Some((name, p.get("required") == Some(&Value::Bool(true))))
        })
        .collect()
}

/// The documented success of an operation: its lowest `2xx` status and that response.
pub(crate) fn success_response(operation: &Value) -> Option<(u16, &Value)> {
    operation
        .get("responses")
        .and_then(Value::as_object)?
        .iter()
        .filter_map(|(code, response)| Some((code.parse::<u16>().ok()?, response)))
        .filter(|(code, _)| (200..300).contains(code))
        .min_by_key(|(code, _)| *code)
}

/// Every operation as `(path, method, path item, operation)`, in the order of the spec.
pub(crate) fn operations(doc: &Value) -> Vec<(&str, &str, &Value, &Value)> {
    let mut out = Vec::new();
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for (path, item) in paths {
            let Value::Object(methods) = item else {
                continue;
            };
            for (method, operation) in methods {
                if METHODS.contains(&method.as_str()) {
                    out.push((path.as_str(), method.as_str(), item, operation));
                }
            }
        }
    }
    out
}

fn render_operations(doc: &Value, out: &mut String) -> Result<(), String> {
    out.push_str(
        "/// Every operation of the spec, one constant each, named after its `operationId`.\n\
         pub mod operations {\n    use super::*;\n\n",
    );
    let mut names = Vec::new();
    for (path, method, item, operation) in operations(doc) {
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{} {path}: missing operationId", method.to_uppercase()))?;
        let name = screaming(id);
        let summary = operation
            .get("summary")
            .and_then(Value::as_str)
            .unwrap_or(id);
        let places_calls = match operation.get("x-osvi-places-calls") {
            None | Some(Value::Bool(false)) => "PlacesCalls::Never".to_string(),
            Some(Value::Bool(true)) => "PlacesCalls::Always".to_string(),
            Some(Value::String(flag)) => format!("PlacesCalls::WhenBodyFlag({flag:?})"),
            Some(other) => {
                return Err(format!(
                    "{id}: x-osvi-places-calls must be true, false or a body flag name, not {other}"
                ));
            }
        };
        let path_params: Vec<String> = params_in(doc, item, operation, "path")
            .into_iter()
            .map(|(name, _)| format!("{name:?}"))
            .collect();
        let query_params: Vec<String> = params_in(doc, item, operation, "query")
            .into_iter()
            .map(|(name, required)| format!("Param {{ name: {name:?}, required: {required} }}"))
            .collect();
        let mut statuses: Vec<u16> = operation
            .get("responses")
            .and_then(Value::as_object)
            .map(|r| r.keys().filter_map(|k| k.parse().ok()).collect())
            .unwrap_or_default();
        statuses.sort_unstable();
        let (success, _) =
            success_response(operation).ok_or_else(|| format!("{id}: no 2xx response"))?;
        let deprecated = operation.get("deprecated") == Some(&Value::Bool(true));
        let body = operation.get("requestBody").is_some();
        let upper = method.to_uppercase();
        let _ = write!(
            out,
            "    /// `{upper} {path}`: {summary}.\n    pub const {name}: Operation = Operation {{\n        \
             id: {id:?},\n        method: {upper:?},\n        path: {path:?},\n        \
             path_params: &[{}],\n        query_params: &[{}],\n        has_body: {body},\n        \
             success_status: {success},\n        statuses: &{statuses:?},\n        \
             places_calls: {places_calls},\n        deprecated: {deprecated},\n    }};\n\n",
            path_params.join(", "),
            query_params.join(", "),
        );
        names.push(name);
    }
    let _ = write!(
        out,
        "    /// Every operation, in the order of the spec.\n    pub const ALL: [&Operation; {}] = [{}];\n}}\n\n",
        names.len(),
        names
            .iter()
            .map(|n| format!("&{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

fn render_params(doc: &Value, out: &mut String) {
    out.push_str(
        "/// The wire names of every operation's path and query parameters: one module per\n\
         /// operation, one constant per parameter (`params::list_calls::PER_PAGE` is `per_page`).\n\
         pub mod params {\n",
    );
    for (_, _, item, operation) in operations(doc) {
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let names: Vec<&str> = parameters(doc, item, operation)
            .into_iter()
            .filter_map(|p| p.get("name").and_then(Value::as_str))
            .collect();
        if names.is_empty() {
            continue;
        }
        let _ = write!(out, "    /// Parameters of `{id}`.\n    pub mod {id} {{\n");
        for name in names {
            let _ = writeln!(
                out,
                "        /// `{name}`\n        pub const {}: &str = {name:?};",
                screaming(name)
            );
        }
        out.push_str("    }\n\n");
    }
    out.push_str("}\n\n");
}

/// One enum: the module name, where it comes from, and its string values.
struct EnumFacts {
    module: String,
    origin: String,
    values: Vec<String>,
}

/// The string values of `schema`'s `enum`, `const`, or `x-osvi-items-enum`.
fn enum_values(schema: &Value) -> Option<Vec<String>> {
    let values: Vec<String> = match (
        schema.get("enum"),
        schema.get("const"),
        schema.get("x-osvi-items-enum"),
    ) {
        (Some(Value::Array(values)), _, _) | (_, _, Some(Value::Array(values))) => values
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        (_, Some(Value::String(value)), _) => vec![value.clone()],
        _ => return None,
    };
    (!values.is_empty()).then_some(values)
}

/// Every property of an object schema, `allOf` members included (not following `$ref`s to
/// other components: those have their own entry).
fn properties(schema: &Value) -> Vec<(&str, &Value)> {
    let mut out = Vec::new();
    if let Some(Value::Object(props)) = schema.get("properties") {
        out.extend(props.iter().map(|(k, v)| (k.as_str(), v)));
    }
    if let Some(Value::Array(members)) = schema.get("allOf") {
        for member in members {
            out.extend(properties(member));
        }
    }
    out
}

/// `webhooks::<OPERATION_ID>`: the top-level fields of each webhook's body, in the order
/// of the spec, so a parser can tell the generations apart by the fields unique to each.
fn render_webhooks(doc: &Value, out: &mut String) {
    out.push_str(
        "/// The top-level fields of each webhook body of the spec, by the webhook's `operationId`.\n\
         pub mod webhooks {\n",
    );
    let webhooks = doc.get("webhooks").and_then(Value::as_object);
    for item in webhooks.into_iter().flat_map(|w| w.values()) {
        for operation in item.as_object().into_iter().flat_map(|i| i.values()) {
            let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let schema = operation
                .pointer("/requestBody/content/application~1json/schema")
                .map(|schema| deref(doc, schema));
            let fields: Vec<&str> = schema
                .map(properties)
                .unwrap_or_default()
                .into_iter()
                .map(|(name, _)| name)
                .collect();
            let _ = writeln!(
                out,
                "    /// The fields of the body of `{id}`.\n    pub const {}: &[&str] = &{fields:?};",
                screaming(id)
            );
        }
    }
    out.push_str("}\n");
}

fn collect_enums(doc: &Value) -> Vec<EnumFacts> {
    let mut found = Vec::new();
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (name, schema) in &schemas {
        if let Some(values) = enum_values(schema) {
            found.push(EnumFacts {
                module: snake(name),
                origin: format!("`{name}`"),
                values,
            });
        }
        for (property, sub) in properties(schema) {
            if let Some(values) = enum_values(sub) {
                found.push(EnumFacts {
                    module: format!("{}_{}", snake(name), snake(property)),
                    origin: format!("`{name}.{property}`"),
                    values,
                });
            }
        }
    }
    for (_, _, item, operation) in operations(doc) {
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        for p in parameters(doc, item, operation) {
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            if let Some(values) = p.get("schema").and_then(enum_values) {
                found.push(EnumFacts {
                    module: format!("{id}_{}", snake(name)),
                    origin: format!("the `{name}` parameter of `{id}`"),
                    values,
                });
            }
        }
    }
    found
}

fn render_enums(doc: &Value, out: &mut String) {
    out.push_str(
        "/// The wire values of every enum of the spec: one module per enum (a component schema,\n\
         /// a property `schema_property`, or a parameter `operation_parameter`), one constant per\n\
         /// value, and `ALL`.\n\
         pub mod enums {\n",
    );
    for facts in collect_enums(doc) {
        let _ = write!(
            out,
            "    /// Values of {}.\n    pub mod {} {{\n",
            facts.origin, facts.module
        );
        for value in &facts.values {
            let _ = writeln!(
                out,
                "        /// `{value}`\n        pub const {}: &str = {value:?};",
                screaming(value)
            );
        }
        let _ = write!(
            out,
            "        /// Every value, in the order of the spec.\n        pub const ALL: &[&str] = &[{}];\n    }}\n\n",
            facts
                .values
                .iter()
                .map(|v| screaming(v))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out.push_str("}\n\n");
}

/// The first type of a schema that is not `null`.
fn schema_type(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ => None,
    }
}

/// The Rust constant of one schema's rule, or `None` when it has no constraint.
///
/// A constraint the spec marks assumed (`x-osvi-assumed: true` on the schema, or a list that
/// names the keyword) is left out: osvi-ext refuses before sending only what the docs state.
/// The simulator still enforces it, through the JSON Schema of the whole spec.
fn rule(schema: &Value) -> Option<(&'static str, String)> {
    let get = |k: &str| {
        schema
            .get(k)
            .filter(|v| !v.is_null() && !assumed(schema, k))
    };
    let number = |k: &str| {
        get(k)
            .and_then(Value::as_i64)
            .map_or("None".to_string(), |n| format!("Some({n})"))
    };
    let text = |k: &str| {
        get(k)
            .and_then(Value::as_str)
            .map_or("None".to_string(), |s| format!("Some({s:?})"))
    };
    match schema_type(schema)? {
        "string" => {
            let any = ["minLength", "maxLength", "pattern", "format"]
                .iter()
                .any(|k| get(k).is_some());
            any.then(|| {
                (
                    "StringRule",
                    format!(
                        "StringRule {{ min_length: {}, max_length: {}, pattern: {}, format: {}, example: {} }}",
                        number("minLength"),
                        number("maxLength"),
                        text("pattern"),
                        text("format"),
                        example(schema),
                    ),
                )
            })
        }
        "integer" | "number" => {
            let any = ["minimum", "maximum", "default", "x-osvi-capped-at"]
                .iter()
                .any(|k| get(k).is_some());
            any.then(|| {
                (
                    "IntegerRule",
                    format!(
                        "IntegerRule {{ minimum: {}, maximum: {}, default: {}, capped_at: {} }}",
                        number("minimum"),
                        number("maximum"),
                        number("default"),
                        number("x-osvi-capped-at"),
                    ),
                )
            })
        }
        "array" => {
            let any = ["minItems", "maxItems", "x-osvi-keeps-most-recent"]
                .iter()
                .any(|k| get(k).is_some());
            any.then(|| {
                (
                    "ArrayRule",
                    format!(
                        "ArrayRule {{ min_items: {}, max_items: {}, keeps_most_recent: {} }}",
                        number("minItems"),
                        number("maxItems"),
                        number("x-osvi-keeps-most-recent"),
                    ),
                )
            })
        }
        _ => None,
    }
}

/// Whether the spec marks constraint `keyword` of `schema` as assumed: `x-osvi-assumed: true`
/// (everything about the schema is), or a list of keywords that names it.
pub fn assumed(schema: &Value, keyword: &str) -> bool {
    match schema.get("x-osvi-assumed") {
        Some(Value::Bool(all)) => *all,
        Some(Value::Array(keywords)) => keywords.iter().any(|k| k == keyword),
        _ => false,
    }
}

/// The first string example of a schema (`examples: [..]` or `example`), as Rust.
fn example(schema: &Value) -> String {
    let first = match (schema.get("examples"), schema.get("example")) {
        (Some(Value::Array(values)), _) => values.first(),
        (_, Some(value)) => Some(value),
        _ => None,
    };
    first
        .and_then(Value::as_str)
        .map_or("None".to_string(), |s| format!("Some({s:?})"))
}

fn render_rules(doc: &Value, out: &mut String) {
    out.push_str(
        "/// The validation rules of the spec: one module per component schema (its properties)\n\
         /// and per operation (its parameters), one constant per constrained field.\n\
         pub mod rules {\n    #[allow(unused_imports)]\n    use super::*;\n\n",
    );
    let mut modules: Vec<(String, String, Vec<String>)> = Vec::new();
    if let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") {
        for (name, schema) in schemas {
            let entries = field_rules(name, properties(schema));
            if !entries.is_empty() {
                modules.push((snake(name), format!("`{name}`"), entries));
            }
        }
    }
    for (_, _, item, operation) in operations(doc) {
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let params: Vec<(&str, &Value)> = parameters(doc, item, operation)
            .into_iter()
            .filter_map(|p| Some((p.get("name")?.as_str()?, p.get("schema")?)))
            .collect();
        let entries = field_rules(id, params);
        if !entries.is_empty() {
            modules.push((id.to_string(), format!("the parameters of `{id}`"), entries));
        }
    }
    let mut patterns = strings_at_key(doc, "pattern");
    patterns.sort();
    patterns.dedup();
    let _ = write!(
        out,
        "    /// Every distinct `pattern` of the spec, for tests that check each one compiles.\n    pub const PATTERNS: &[&str] = &[{}];\n\n",
        patterns
            .iter()
            .map(|p| format!("{p:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (module, origin, entries) in modules {
        let _ = write!(
            out,
            "    /// Rules of {origin}.\n    pub mod {module} {{\n        use super::*;\n{}    }}\n\n",
            entries.concat()
        );
    }
    out.push_str("}\n");
}

/// The constants of the constrained fields among `fields` of `owner`.
fn field_rules<'a>(owner: &str, fields: Vec<(&'a str, &'a Value)>) -> Vec<String> {
    fields
        .into_iter()
        .filter_map(|(field, schema)| {
            let (kind, value) = rule(schema)?;
            Some(format!(
                "        /// `{owner}.{field}`\n        pub const {}: {kind} = {value};\n",
                screaming(field)
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests;
