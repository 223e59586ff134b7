//! The per-operation glue of the spec, so that no crate keeps a hand-written list of the
//! operations:
//!
//! - `osvi-generated/src/server.rs`: the `Handlers` trait (one method per operation, typed by
//!   the operation's path parameters, query and request body, answering its 2xx body type)
//!   and `dispatch`, which decodes a request for one operation, calls its handler and writes
//!   the answer with the documented success status. The simulator implements the trait: a
//!   new operation is a missing method, a compile error.
//! - `osvi-generated/src/answers.rs`: the `Answers` trait (one associated type per operation:
//!   what the SDK returns for it), `for_each_operation!` (the operation table as macro input,
//!   for the decode table of the fuzz targets and property tests) and `impl_envelopes!` (the
//!   `Envelope` impls of every success body whose shape the generator recognises: an
//!   envelope-less array, `{success, data}`, `{success, data: [..], meta}`, `{success,
//!   message}`). A body marked `x-osvi-envelope: hand-written` is left to osvi-ext.
//!
//! Both are rendered from the *normalized* spec, the one progenitor generates the types from,
//! so each field is read as the generated type holds it (`T`, `Option<T>`, or `Vec<T>`).

use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::facts::{deref, operations, params_in, screaming, snake, success_response};

/// The two rendered files.
pub struct Glue {
    /// `osvi-generated/src/server.rs`.
    pub server: String,
    /// `osvi-generated/src/answers.rs`.
    pub answers: String,
}

/// What the glue needs to know of one operation.
struct Op {
    id: String,
    constant: String,
    pascal: String,
    line: String,
    path_params: Vec<String>,
    has_query: bool,
    /// The request body's type (with `ROOT` for the crate path) and whether it is required.
    body: Option<(String, bool)>,
    success: u16,
    /// The 2xx body's type, with `ROOT` for the crate path.
    answer: String,
    /// The 2xx body's schema (resolved), for its envelope.
    answer_schema: Value,
}

/// Stands for the crate path in a type (`crate` in a module, `$crate` in a macro).
const ROOT: &str = "ROOT";

/// Renders both glue files of the normalized spec `doc`.
pub fn render(doc: &Value) -> Result<Glue, String> {
    let ops = collect(doc)?;
    Ok(Glue {
        server: render_server(&ops),
        answers: render_answers(doc, &ops)?,
    })
}

/// `list_active_agents` → `ListActiveAgents`.
fn pascal(id: &str) -> String {
    snake(id)
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or(String::new(), |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// The Rust type of `schema` as progenitor generates it: a component's name, or a `Vec` of
/// one. Inline objects have no stable name here and are refused with `context`.
fn rust_type(schema: &Value, context: &str) -> Result<String, String> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return Ok(format!("{ROOT}::types::{name}"));
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => {
            let items = schema.get("items").unwrap_or(&Value::Null);
            Ok(format!("::std::vec::Vec<{}>", rust_type(items, context)?))
        }
        _ => Err(format!(
            "{context}: give this schema a name under components.schemas (the glue names it)"
        )),
    }
}

/// The JSON schema of the `application/json` content of `holder` (a response or a body).
fn json_schema(holder: &Value) -> Option<&Value> {
    holder.pointer("/content/application~1json/schema")
}

/// The operations of `doc` in the order of the spec.
fn collect(doc: &Value) -> Result<Vec<Op>, String> {
    let mut ops = Vec::new();
    for (path, method, item, operation) in operations(doc) {
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{} {path}: missing operationId", method.to_uppercase()))?;
        let path_params = params_in(doc, item, operation, "path")
            .into_iter()
            .map(|(name, _)| name.to_string())
            .collect();
        let has_query = !params_in(doc, item, operation, "query").is_empty();
        let body = match operation.get("requestBody").map(|b| deref(doc, b)) {
            None => None,
            Some(body) => {
                let schema = json_schema(body).ok_or(format!("{id}: a body that is not JSON"))?;
                let required = body.get("required") == Some(&Value::Bool(true));
                Some((rust_type(schema, &format!("{id} body"))?, required))
            }
        };
        let (success, response) =
            success_response(operation).ok_or_else(|| format!("{id}: no 2xx response"))?;
        let schema = json_schema(deref(doc, response))
            .ok_or_else(|| format!("{id}: its {success} answer has no JSON body"))?;
        ops.push(Op {
            id: id.to_string(),
            constant: screaming(id),
            pascal: pascal(id),
            line: format!("`{} {path}`", method.to_uppercase()),
            path_params,
            has_query,
            body,
            success,
            answer: rust_type(schema, &format!("{id} answer"))?,
            answer_schema: deref(doc, schema).clone(),
        });
    }
    Ok(ops)
}

/// The fixed part of `server.rs`: the request and answer types and the decoding helpers.
const SERVER_PRELUDE: &str = r#"//! The server side of every operation: implement [`Handlers`] (one method per operation of
//! the spec, typed by its path parameters, query and body, answering its success body) and
//! route each request to [`dispatch`]. The simulator does; an operation added to the spec
//! is a missing method until its handler is written.

/// The query of a request: each parameter's text by name.
pub type Query = ::std::collections::HashMap<::std::string::String, ::std::string::String>;

/// A handler's answer, ready to send: the operation's documented success status and the
/// JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The documented success status (`200`, or `201` for DND add).
    pub status: u16,
    /// The body, as JSON.
    pub body: ::std::vec::Vec<u8>,
}

/// Why [`dispatch`] did not answer.
#[derive(Debug)]
pub enum DispatchError<F> {
    /// No operation of the spec has this id.
    UnknownOperation(::std::string::String),
    /// The request's path lacks a parameter the operation's template names.
    MissingPathParam(&'static str),
    /// The body is missing or is not the operation's request type.
    Body(::std::string::String),
    /// The handler failed.
    Handler(F),
    /// The handler's answer could not be written as JSON.
    Answer(::serde_json::Error),
}

/// The value of path parameter `name` among `path` (name, value pairs).
fn path_param<'a, F>(
    path: &'a [(::std::string::String, ::std::string::String)],
    name: &'static str,
) -> ::std::result::Result<&'a str, DispatchError<F>> {
    path.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .ok_or(DispatchError::MissingPathParam(name))
}

/// A required JSON body as `T`.
fn required_body<T: ::serde::de::DeserializeOwned, F>(bytes: &[u8]) -> ::std::result::Result<T, DispatchError<F>> {
    ::serde_json::from_slice(bytes).map_err(|e| DispatchError::Body(e.to_string()))
}

/// An optional JSON body: `None` when the request has none.
fn optional_body<T: ::serde::de::DeserializeOwned, F>(
    bytes: &[u8],
) -> ::std::result::Result<::std::option::Option<T>, DispatchError<F>> {
    match bytes.is_empty() {
        true => Ok(None),
        false => required_body(bytes).map(Some),
    }
}

/// `answer` written with `status`.
fn answer<T: ::serde::Serialize, F>(
    status: u16,
    answer: ::std::result::Result<T, F>,
) -> ::std::result::Result<Answer, DispatchError<F>> {
    let value = answer.map_err(DispatchError::Handler)?;
    let body = ::serde_json::to_vec(&value).map_err(DispatchError::Answer)?;
    Ok(Answer { status, body })
}

"#;

/// `server.rs`: the `Handlers` trait and `dispatch`.
fn render_server(ops: &[Op]) -> String {
    let mut out = String::from(SERVER_PRELUDE);
    out.push_str(
        "/// One method per operation of the spec. Path parameters come first, in the order of\n\
         /// the spec, then the query (when the operation has query parameters), then the body\n\
         /// (an `Option` when the spec makes it optional).\n\
         pub trait Handlers {\n    /// What a handler fails with.\n    type Failure;\n",
    );
    for op in ops {
        let mut args: Vec<String> = op
            .path_params
            .iter()
            .map(|p| format!("{}: &str", snake(p)))
            .collect();
        if op.has_query {
            args.push("query: &Query".into());
        }
        if let Some((ty, required)) = &op.body {
            let ty = ty.replace(ROOT, "crate");
            args.push(match required {
                true => format!("body: {ty}"),
                false => format!("body: ::std::option::Option<{ty}>"),
            });
        }
        let _ = write!(
            out,
            "    /// {} (`{}`), answered with `{}`.\n    fn {}(&self{}) -> ::std::result::Result<{}, Self::Failure>;\n",
            op.line,
            op.id,
            op.success,
            op.id,
            args.iter().map(|a| format!(", {a}")).collect::<String>(),
            op.answer.replace(ROOT, "crate"),
        );
    }
    out.push_str("}\n\n");
    out.push_str(
        "/// Decodes a request for operation `operation` (its `operationId`), calls its handler\n\
         /// and writes the answer with the operation's documented success status. `path` holds\n\
         /// the path parameters by name; `body` is the raw request body (empty for none).\n\
         pub fn dispatch<H: Handlers + ?Sized>(\n    handlers: &H,\n    operation: &str,\n    \
         path: &[(::std::string::String, ::std::string::String)],\n    query: &Query,\n    \
         body: &[u8],\n) -> ::std::result::Result<Answer, DispatchError<H::Failure>> {\n    \
         let _ = (path, query, body);\n    match operation {\n",
    );
    for op in ops {
        let mut lets = String::new();
        let mut args = Vec::new();
        for p in &op.path_params {
            let name = snake(p);
            let _ = writeln!(lets, "            let {name} = path_param(path, {p:?})?;");
            args.push(name);
        }
        if op.has_query {
            args.push("query".into());
        }
        if let Some((_, required)) = &op.body {
            let decode = if *required {
                "required_body"
            } else {
                "optional_body"
            };
            let _ = writeln!(lets, "            let body = {decode}(body)?;");
            args.push("body".into());
        }
        let _ = write!(
            out,
            "        {:?} => {{\n{lets}            answer({}, handlers.{}({}))\n        }}\n",
            op.id,
            op.success,
            op.id,
            args.join(", ")
        );
    }
    out.push_str(
        "        other => Err(DispatchError::UnknownOperation(other.to_string())),\n    }\n}\n",
    );
    out
}

/// `answers.rs`: the `Answers` trait, `for_each_operation!` and `impl_envelopes!`.
fn render_answers(doc: &Value, ops: &[Op]) -> Result<String, String> {
    let mut out = String::from(
        "//! What the SDK returns for each operation, and the operation table as macro input. See\n\
         //! the crate docs.\n\n\
         /// One associated type per operation of the spec: what the SDK's method of that\n\
         /// operation returns. osvi-ext implements it for its decode table; an operation added\n\
         /// to the spec is a missing associated type there until its answer type is named.\n\
         pub trait Answers {\n",
    );
    for op in ops {
        let _ = write!(
            out,
            "    /// {} (`{}`), whose success body is `{}`.\n    type {};\n",
            op.line,
            op.id,
            op.answer.replace(ROOT, "crate"),
            op.pascal
        );
    }
    out.push_str("}\n\n");
    let table: Vec<String> = ops
        .iter()
        .map(|op| {
            format!(
                "            ({}, {}, {}),\n",
                op.constant,
                op.answer.replace(ROOT, "$crate"),
                op.pascal
            )
        })
        .collect();
    let _ = write!(
        out,
        "/// Calls `$callback!` with one `(OPERATION, SuccessBody, Answer)` triple per operation,\n\
         /// in the order of the spec: the constant in `spec::operations`, the type of the\n\
         /// success body, and the associated type of [`Answers`].\n\
         #[macro_export]\n\
         macro_rules! for_each_operation {{\n    ($callback:ident) => {{\n        $callback! {{\n{}        }}\n    }};\n}}\n\n",
        table.concat()
    );
    let mut impls = String::new();
    let mut hand_written = Vec::new();
    let mut seen = Vec::new();
    for op in ops {
        if seen.contains(&op.answer) {
            continue;
        }
        seen.push(op.answer.clone());
        let ty = op.answer.replace(ROOT, "$crate");
        match envelope(doc, &op.answer_schema, &op.id, &op.answer)? {
            Some((data, parts)) => {
                let _ = write!(
                    impls,
                    "        impl $envelope for {ty} {{\n            type Data = {};\n            \
                     fn into_parts(self) -> (::std::option::Option<bool>, ::std::option::Option<Self::Data>) {{\n                \
                     {parts}\n            }}\n        }}\n",
                    data.replace(ROOT, "$crate")
                );
            }
            None => hand_written.push(format!("`{}`", op.answer.replace(ROOT, "crate"))),
        }
    }
    let _ = write!(
        out,
        "/// Implements `$envelope` (a trait with `type Data` and `fn into_parts(self) ->\n\
         /// (Option<bool>, Option<Self::Data>)`: the `success` flag and the data) for the\n\
         /// success body of every operation, read from its schema. Left out, because the spec\n\
         /// marks them `x-osvi-envelope: hand-written`: {}.\n\
         #[macro_export]\n\
         macro_rules! impl_envelopes {{\n    ($envelope:path) => {{\n{impls}    }};\n}}\n",
        if hand_written.is_empty() {
            "none".to_string()
        } else {
            hand_written.join(", ")
        }
    );
    Ok(out)
}

/// How a field of a generated struct holds its value.
#[derive(PartialEq)]
enum Held {
    /// `T`: required and not nullable.
    Plain,
    /// `Vec<T>` with a serde default: an optional, non-nullable array.
    DefaultVec,
    /// `Option<T>`.
    Optional,
}

/// How progenitor holds property `name` of an object `schema`.
fn held(schema: &Map<String, Value>, name: &str, field: &Value) -> Held {
    let required = schema
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|n| n == name));
    let nullable = field.get("nullable") == Some(&Value::Bool(true));
    let array = field.get("type").and_then(Value::as_str) == Some("array");
    match (required, nullable, array) {
        (true, false, _) => Held::Plain,
        (false, false, true) => Held::DefaultVec,
        _ => Held::Optional,
    }
}

/// `self.{name}` as an `Option`.
fn as_option(held: Held, name: &str) -> String {
    match held {
        Held::Optional => format!("self.{name}"),
        _ => format!("::std::option::Option::Some(self.{name})"),
    }
}

/// Whether a property was given a lenient type by the normalize pass (an optional received
/// scalar: `Option<crate::Lenient*>`).
fn is_lenient(field: &Value) -> bool {
    field.get("format").and_then(Value::as_str) == Some(crate::normalize::LENIENT_FORMAT)
}

/// The `Envelope` of a success body `schema` of operation `id`: `(Data type, into_parts
/// body)`, or `None` for a body marked `x-osvi-envelope: hand-written`. `answer` is the
/// body's type, after which progenitor names an inline `data` object (`{answer}Data`).
fn envelope(
    doc: &Value,
    schema: &Value,
    id: &str,
    answer: &str,
) -> Result<Option<(String, String)>, String> {
    match schema.get("x-osvi-envelope").and_then(Value::as_str) {
        None => {}
        Some("hand-written") => return Ok(None),
        Some(other) => return Err(format!("{id}: unknown x-osvi-envelope `{other}`")),
    }
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        return Ok(Some((
            "Self".into(),
            "(::std::option::Option::None, ::std::option::Option::Some(self))".into(),
        )));
    }
    let Some(object) = schema.as_object() else {
        return Err(format!("{id}: its success body is not an object schema"));
    };
    let empty = Map::new();
    let props = object
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let success = match props.get("success") {
        Some(field) if is_lenient(field) => {
            "self.success.and_then($crate::Lenient::into_read)".to_string()
        }
        Some(field) => as_option(held(object, "success", field), "success"),
        None => "::std::option::Option::None".into(),
    };
    let Some(data) = props.get("data") else {
        return Ok(Some((
            "()".into(),
            format!("({success}, ::std::option::Option::Some(()))"),
        )));
    };
    let data_held = held(object, "data", data);
    let resolved = deref(doc, data);
    let is_array = resolved.get("type").and_then(Value::as_str) == Some("array");
    if let (true, Some(meta)) = (is_array, props.get("meta")) {
        let items = resolved.get("items").unwrap_or(&Value::Null);
        let item = rust_type(items, &format!("{id} data items"))?;
        let meta_type = rust_type(meta, &format!("{id} meta"))?;
        let list = match data_held {
            Held::Optional => "self.data.unwrap_or_default()".to_string(),
            _ => "self.data".to_string(),
        };
        let meta = as_option(held(object, "meta", meta), "meta");
        return Ok(Some((
            format!("(::std::vec::Vec<{item}>, ::std::option::Option<{meta_type}>)"),
            format!("({success}, ::std::option::Option::Some(({list}, {meta})))"),
        )));
    }
    let data_type = match (data.get("$ref"), is_array) {
        (Some(_), _) | (None, true) => rust_type(data, &format!("{id} data"))?,
        // progenitor names an inline property type after its parent and the property.
        (None, false) => format!("{answer}Data"),
    };
    // Older legacy answers repeat `success` inside `data`: `false` there is the same refusal.
    let nested = resolved
        .pointer("/properties/success")
        .is_some_and(is_lenient);
    let success = match (nested, &data_held) {
        (false, _) => success,
        (true, Held::Optional) => format!(
            "$crate::lenient::both({success}, self.data.as_ref().and_then(|d| d.success.clone()).and_then($crate::Lenient::into_read))"
        ),
        (true, _) => format!(
            "$crate::lenient::both({success}, self.data.success.clone().and_then($crate::Lenient::into_read))"
        ),
    };
    Ok(Some((
        data_type,
        format!("({success}, {})", as_option(data_held, "data")),
    )))
}

#[cfg(test)]
mod tests;
