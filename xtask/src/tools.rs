//! The MCP tool table of the spec (`osvi-generated/src/tools.rs`): one tool per operation,
//! named by its `operationId`, described by its summary and description, with one JSON
//! object schema of its inputs made from the path, query and body parameters (every `$ref`
//! resolved; descriptions, enums, limits and examples kept; constraints the spec marks
//! `x-osvi-assumed` left out, so a tool is never stricter than the docs), and the MCP
//! annotations its method and `x-osvi-places-calls` imply. Call-placing tools take `confirm`
//! and `dry_run`; paginated ones `all`. Beside the table, the `ToolHandlers` trait (one
//! method per operation: a new operation is a missing method, a compile error in whatever
//! serves the tools) and `dispatch`.
//!
//! Rendered from the spec *as written* (not the normalized one), whose descriptions and
//! examples are the documentation's.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use crate::facts::{operations, parameters, screaming, snake};
use crate::load::resolve;

/// Constraint keywords of a schema, left out when the spec marks them assumed.
const CONSTRAINTS: [&str; 10] = [
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
];

/// How many items `all: true` collects at most; the text of the `all` property says so.
pub const ALL_CAP: u64 = 1000;

/// One tool, as rendered.
struct Tool {
    name: String,
    title: String,
    description: String,
    schema: Value,
    read_only: bool,
    destructive: bool,
    idempotent: bool,
}

/// Renders `tools.rs` of the spec `doc`.
pub fn render(doc: &Value) -> Result<String, String> {
    let tools = operations(doc)
        .into_iter()
        .map(|(path, method, item, operation)| tool(doc, path, method, item, operation))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = String::from(
        "//! The MCP tool table: one tool per operation of the spec, with its input schema \
         and annotations, and the [`ToolHandlers`] trait that serves them. See the crate \
         docs.\n\n\
         /// One tool: an operation of the spec as a Model Context Protocol tool.\n\
         #[derive(Debug, Clone, Copy)]\n\
         pub struct Tool {\n\
         \x20   /// The tool's name: the operation id.\n\
         \x20   pub name: &'static str,\n\
         \x20   /// A title for people: the operation's summary.\n\
         \x20   pub title: &'static str,\n\
         \x20   /// What the tool does: the operation's summary and description.\n\
         \x20   pub description: &'static str,\n\
         \x20   /// The JSON Schema of its input object, as JSON text.\n\
         \x20   pub input_schema: &'static str,\n\
         \x20   /// MCP `readOnlyHint`: the operation changes nothing (a GET).\n\
         \x20   pub read_only: bool,\n\
         \x20   /// MCP `destructiveHint`: it deletes, or it places phone calls.\n\
         \x20   pub destructive: bool,\n\
         \x20   /// MCP `idempotentHint`: repeating it changes nothing more (GET, DELETE).\n\
         \x20   pub idempotent: bool,\n\
         \x20   /// The operation.\n\
         \x20   pub operation: &'static crate::Operation,\n\
         }\n\n",
    );
    let _ = writeln!(
        out,
        "/// How many items a list tool collects with `all: true`.\npub const ALL_CAP: u64 = {ALL_CAP};\n"
    );
    out.push_str("/// Every tool, in the order of the spec.\npub const TOOLS: &[Tool] = &[\n");
    for t in &tools {
        let schema = serde_json::to_string(&t.schema)
            .map_err(|e| format!("{}: cannot write its schema: {e}", t.name))?;
        let _ = writeln!(
            out,
            "    Tool {{ name: {:?}, title: {:?}, description: {:?}, input_schema: {:?}, \
             read_only: {}, destructive: {}, idempotent: {}, operation: &crate::spec::operations::{} }},",
            t.name,
            t.title,
            t.description,
            schema,
            t.read_only,
            t.destructive,
            t.idempotent,
            screaming(&t.name)
        );
    }
    out.push_str("];\n\n");
    render_handlers(&tools, &mut out);
    Ok(out)
}

/// The `ToolHandlers` trait and `dispatch`.
fn render_handlers(tools: &[Tool], out: &mut String) {
    out.push_str(
        "/// The input of a tool call: the arguments object.\n\
         pub type ToolInput = ::serde_json::Map<::std::string::String, ::serde_json::Value>;\n\n\
         /// Serves the tools: one method per operation, taking the tool's input. An operation \
         added to the spec is a missing method here, a compile error in the server.\n\
         pub trait ToolHandlers: Sync {\n\
         \x20   /// What a tool call answers.\n\
         \x20   type Output: Send;\n",
    );
    for t in tools {
        let _ = writeln!(
            out,
            "    /// `{}`: {}\n    fn {}(&self, input: ToolInput) -> impl ::std::future::Future<Output = Self::Output> + Send;",
            t.name,
            t.title,
            snake(&t.name)
        );
    }
    out.push_str(
        "}\n\n/// Calls the handler of tool `name` with `input`; `None` for a name that is no tool.\n\
         pub async fn dispatch<H: ToolHandlers>(handlers: &H, name: &str, input: ToolInput) -> ::std::option::Option<H::Output> {\n\
         \x20   ::std::option::Option::Some(match name {\n",
    );
    for t in tools {
        let _ = writeln!(
            out,
            "        {:?} => handlers.{}(input).await,",
            t.name,
            snake(&t.name)
        );
    }
    out.push_str("        _ => return ::std::option::Option::None,\n    })\n}\n");
}

/// The tool of one operation.
fn tool(
    doc: &Value,
    path: &str,
    method: &str,
    item: &Value,
    operation: &Value,
) -> Result<Tool, String> {
    let name = text(operation, "operationId")
        .ok_or_else(|| format!("{method} {path}: no operationId"))?
        .to_string();
    let summary = text(operation, "summary").unwrap_or(&name).to_string();
    let places = operation.get("x-osvi-places-calls");
    let places_calls = match places {
        Some(Value::Bool(places)) => *places,
        Some(Value::String(_)) => true,
        _ => false,
    };
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut add = |key: &str, schema: Value, is_required: bool| -> Result<(), String> {
        if properties.insert(key.to_string(), schema).is_some() {
            return Err(format!("{name}: two inputs named `{key}`"));
        }
        if is_required {
            required.push(Value::from(key));
        }
        Ok(())
    };
    for parameter in parameters(doc, item, operation) {
        let Some(key) = text(parameter, "name") else {
            continue;
        };
        let mut schema = inline(doc, parameter.get("schema").unwrap_or(&json!({})), 0)?;
        if let Value::Object(object) = &mut schema {
            if let Some(description) = text(parameter, "description") {
                object.insert("description".into(), description.trim().into());
            }
            if let Some(example) = parameter.get("example") {
                object.insert("examples".into(), json!([example]));
            }
        }
        if parameter.get("x-osvi-assumed") == Some(&Value::Bool(true)) {
            drop_constraints(&mut schema, &CONSTRAINTS);
        }
        add(
            key,
            schema,
            parameter.get("required") == Some(&Value::Bool(true)),
        )?;
    }
    if let Some(body) = operation.pointer("/requestBody/content/application~1json/schema") {
        let body = inline(doc, body, 0)?;
        let body_required = operation.pointer("/requestBody/required") == Some(&Value::Bool(true));
        let needed: Vec<&str> = body
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let fields = body.get("properties").and_then(Value::as_object);
        for (key, schema) in fields.into_iter().flatten() {
            add(
                key,
                schema.clone(),
                body_required && needed.contains(&key.as_str()),
            )?;
        }
    }
    if places_calls {
        let when = match places {
            Some(Value::String(flag)) => format!(" (needed only when `{flag}` is true)"),
            _ => String::new(),
        };
        add(
            "confirm",
            json!({"type": "boolean", "description": format!(
                "Must be true to place phone calls{when}: this dials real people. Without it nothing is sent."
            )}),
            false,
        )?;
        add(
            "dry_run",
            json!({"type": "boolean", "description":
                "Validate and return the exact request (method, path, body) without sending it."}),
            false,
        )?;
    }
    let paginated = parameters(doc, item, operation)
        .iter()
        .any(|p| text(p, "name") == Some("page"));
    if paginated {
        add(
            "all",
            json!({"type": "boolean", "description": format!(
                "Read every page and return all items (at most {ALL_CAP}); `page` and `per_page` are then ignored."
            )}),
            false,
        )?;
    }
    let mut description = summary.clone();
    if let Some(more) = text(operation, "description") {
        description.push_str("\n\n");
        description.push_str(more.trim());
    }
    if operation.get("deprecated") == Some(&Value::Bool(true)) {
        description.insert_str(0, "Deprecated (legacy endpoint). ");
    }
    if places_calls {
        description.push_str(
            "\n\nPlaces phone calls: requires `confirm: true`; `dry_run: true` shows the request instead. \
             Never resent once it may have reached OSVI; an uncertain outcome is looked up in the call list.",
        );
    }
    let schema = json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    });
    Ok(Tool {
        name,
        title: summary,
        description,
        schema,
        read_only: method == "get",
        destructive: method == "delete" || places_calls,
        idempotent: method == "get" || method == "delete",
    })
}

/// `schema` with every `$ref` replaced by its target, the spec's `x-osvi-*` keys dropped and
/// the constraints they mark as assumed left out.
fn inline(doc: &Value, schema: &Value, depth: usize) -> Result<Value, String> {
    if depth > 32 {
        return Err("a schema nests deeper than 32 levels (a `$ref` cycle?)".into());
    }
    match schema {
        Value::Object(object) => {
            if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
                let target = resolve(doc, reference)
                    .ok_or_else(|| format!("unresolved `$ref` {reference}"))?;
                return inline(doc, target, depth + 1);
            }
            let mut out = Map::new();
            for (key, value) in object {
                if key.starts_with("x-") {
                    continue;
                }
                out.insert(key.clone(), inline(doc, value, depth + 1)?);
            }
            let mut out = Value::Object(out);
            match object.get("x-osvi-assumed") {
                Some(Value::Bool(true)) => drop_constraints(&mut out, &CONSTRAINTS),
                Some(Value::Array(keywords)) => {
                    let named: Vec<&str> = keywords.iter().filter_map(Value::as_str).collect();
                    drop_constraints(&mut out, &named);
                }
                _ => {}
            }
            Ok(out)
        }
        Value::Array(items) => items
            .iter()
            .map(|item| inline(doc, item, depth + 1))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        other => Ok(other.clone()),
    }
}

/// Removes the `keywords` of `schema` itself (not of nested schemas).
fn drop_constraints(schema: &mut Value, keywords: &[&str]) {
    if let Value::Object(object) = schema {
        for keyword in keywords {
            object.remove(*keyword);
        }
    }
}

/// A string field of `value`.
fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}
