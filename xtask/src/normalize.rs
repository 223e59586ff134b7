//! The normalize pass: turns the hand-kept OpenAPI 3.1 description into the OpenAPI 3.0.3
//! document that progenitor 0.15.1 (through the `openapiv3` crate) accepts.
//!
//! Each rule is a small pure function over a `serde_json::Value`, applied in the order of
//! [`RULES`]. The spec itself is never bent to suit the generator; what progenitor cannot take
//! is fixed here, and every rule has a unit test (input fragment → expected fragment).

use serde_json::{Map, Value, json};

/// Name of the one error schema every 4xx/5xx body is pointed at (progenitor panics with
/// `response_types.len() <= 1` when an operation's error bodies differ).
pub const SHARED_ERROR_SCHEMA: &str = "ApiError";

/// A normalize rule: a name for messages, and the function that rewrites the document.
pub type Rule = (&'static str, fn(&mut Value));

/// The rules, in the order they run.
pub const RULES: &[Rule] = &[
    // 3.1 → 3.0 down-conversion.
    ("drop 3.1-only keys", drop_31_only_keys),
    ("type arrays to nullable", type_arrays_to_nullable),
    ("null branches to nullable", null_branches_to_nullable),
    ("const to enum", const_to_enum),
    ("examples to example", examples_to_example),
    (
        "string alternatives to one string",
        string_alternatives_to_string,
    ),
    ("rules are enforced by osvi-ext", drop_validation_keywords),
    (
        "required alternatives are checked by hand",
        drop_required_alternatives,
    ),
    // What progenitor needs, and forward compatibility.
    (
        "drop additionalProperties: false",
        drop_additional_properties_false,
    ),
    ("open objects keep their extra keys", keep_extra_properties),
    ("inline component responses", inline_component_responses),
    ("one shared error body", unify_error_bodies),
    ("response enums accept unknown values", relax_response_enums),
    (
        "received lists and maps accept null",
        received_collections_accept_null,
    ),
    (
        "received scalars are read leniently",
        lenient_received_scalars,
    ),
    ("set openapi 3.0.3", set_openapi_version),
];

/// Runs every rule of [`RULES`] over `doc`.
pub fn normalize(doc: &mut Value) {
    for (_, rule) in RULES {
        rule(doc);
    }
}

/// Keys of an object whose values are maps from a name to an object, not keywords.
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "schemas",
    "responses",
    "parameters",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "paths",
    "webhooks",
    "content",
    "encoding",
    "variables",
    "mapping",
    "$defs",
    "definitions",
];

/// Keys whose values are data (examples, defaults), never schemas: the walk does not enter them.
const DATA_KEYS: &[&str] = &["example", "examples", "default", "enum", "const"];

/// Calls `f` on every object node of the document that can be a keyword-bearing object (a
/// schema, a parameter, an operation ...), skipping data values (examples, defaults, enums)
/// and never treating the keys of a name map (`properties`, `schemas`, ...) as keywords.
fn walk_objects(value: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    match value {
        Value::Object(map) => {
            f(map);
            for (key, child) in map.iter_mut() {
                if key.starts_with("x-") || DATA_KEYS.contains(&key.as_str()) {
                    // `examples` as a name map (3.0 media-type examples) holds data too.
                    continue;
                }
                match child {
                    Value::Object(entries) if NAME_MAPS.contains(&key.as_str()) => {
                        entries
                            .values_mut()
                            .for_each(|entry| walk_objects(entry, f));
                    }
                    _ => walk_objects(child, f),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                walk_objects(item, f);
            }
        }
        _ => {}
    }
}

/// Removes what OpenAPI 3.0 has no place for: the top-level `webhooks` and
/// `jsonSchemaDialect`, `info.summary`, `info.license.identifier`, `components.pathItems`,
/// and the JSON Schema 2020-12 keywords progenitor ignores or rejects.
pub fn drop_31_only_keys(doc: &mut Value) {
    if let Value::Object(root) = doc {
        root.remove("webhooks");
        root.remove("jsonSchemaDialect");
        if let Some(Value::Object(info)) = root.get_mut("info") {
            info.remove("summary");
            if let Some(Value::Object(license)) = info.get_mut("license") {
                license.remove("identifier");
            }
        }
        if let Some(Value::Object(components)) = root.get_mut("components") {
            components.remove("pathItems");
        }
    }
    const SCHEMA_ONLY_31: &[&str] = &[
        "$schema",
        "$id",
        "$comment",
        "$anchor",
        "$dynamicRef",
        "$dynamicAnchor",
        "contentMediaType",
        "contentEncoding",
        "unevaluatedProperties",
        "unevaluatedItems",
        "prefixItems",
        "dependentRequired",
        "dependentSchemas",
        "propertyNames",
        "if",
        "then",
        "else",
    ];
    walk_objects(doc, &mut |map| {
        for key in SCHEMA_ONLY_31 {
            map.remove(*key);
        }
    });
}

/// Replaces every `$ref: '#/components/responses/X'` inside an operation's `responses` by a
/// copy of `X`, so later rules see every response body in place.
pub fn inline_component_responses(doc: &mut Value) {
    let shared = doc
        .pointer("/components/responses")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for_each_operation(doc, |operation| {
        let Some(Value::Object(responses)) = operation.get_mut("responses") else {
            return;
        };
        for response in responses.values_mut() {
            let target = response
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/responses/"))
                .and_then(|name| shared.get(name));
            if let Some(target) = target {
                *response = target.clone();
            }
        }
    });
}

/// Points the JSON body of every 4xx, 5xx and `default` response at the one shared error
/// schema ([`SHARED_ERROR_SCHEMA`]), adding a body where a response had none.
pub fn unify_error_bodies(doc: &mut Value) {
    let error_ref = json!({ "$ref": format!("#/components/schemas/{SHARED_ERROR_SCHEMA}") });
    for_each_operation(doc, |operation| {
        let Some(Value::Object(responses)) = operation.get_mut("responses") else {
            return;
        };
        for (status, response) in responses.iter_mut() {
            let is_error =
                status == "default" || status.starts_with('4') || status.starts_with('5');
            let Value::Object(response) = response else {
                continue;
            };
            if !is_error {
                continue;
            }
            let content = response.entry("content").or_insert_with(|| json!({}));
            if let Value::Object(content) = content {
                content.retain(|media, _| media == "application/json");
                let media = content
                    .entry("application/json")
                    .or_insert_with(|| json!({}));
                if let Value::Object(media) = media {
                    media.insert("schema".into(), error_ref.clone());
                }
            }
        }
    });
}

/// Makes every string enum the client *receives* accept unknown values: the `enum` list is
/// dropped (and kept, for the reader, in the description) in every schema reachable from a
/// response and in every component not reachable from a request (webhook payloads). Enums
/// the client only sends (request bodies, parameters) stay strict.
pub fn relax_response_enums(doc: &mut Value) {
    for_each_received_schema(doc, relax_enums_in);
}

/// Calls `f` on every schema tree the client *receives*: every component schema reachable from
/// a response or not reachable from a request (webhook payloads), and every operation's
/// `responses`.
fn for_each_received_schema(doc: &mut Value, mut f: impl FnMut(&mut Value)) {
    let request_refs = collect_refs(doc, Side::Request);
    let response_refs = collect_refs(doc, Side::Response);
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for (name, schema) in schemas.iter_mut() {
            let request_only = request_refs.contains(name) && !response_refs.contains(name);
            if !request_only {
                f(schema);
            }
        }
    }
    for_each_operation(doc, |operation| {
        if let Some(responses) = operation.get_mut("responses") {
            f(responses);
        }
    });
}

/// In what the client receives, an array or object property the schema does not mark
/// `required` accepts `null` too (`nullable: true`): the docs never say such a field is
/// never `null`, and a `null` list or map is read as empty, not refused.
pub fn received_collections_accept_null(doc: &mut Value) {
    for_each_optional_received_property(doc, &mut |property| {
        let collection = matches!(
            property.get("type").and_then(Value::as_str),
            Some("array" | "object")
        );
        if collection {
            property.insert("nullable".into(), Value::Bool(true));
        }
    });
}

/// Runs `f` on every property schema, not marked `required` by its object, of every schema
/// the client receives.
fn for_each_optional_received_property(
    doc: &mut Value,
    f: &mut dyn FnMut(&mut Map<String, Value>),
) {
    for_each_received_schema(doc, |schema| {
        walk_objects(schema, &mut |map| {
            let required: Vec<String> = strings_in(map.get("required"));
            let Some(Value::Object(properties)) = map.get_mut("properties") else {
                return;
            };
            for (name, property) in properties.iter_mut() {
                if let (false, Value::Object(property)) = (required.contains(name), property) {
                    f(property);
                }
            }
        });
    });
}

/// An `anyOf` beside `properties` whose branches only say which properties must be present
/// (the legacy call answer carries its id in `data.call_id` or in `call_id`) is dropped: it
/// constrains values, not the type, and progenitor would make an enum of it. The SDK checks
/// it by hand (`x-osvi-envelope: hand-written`); the simulator and Prism read it from the spec.
pub fn drop_required_alternatives(doc: &mut Value) {
    walk_objects(doc, &mut |map| {
        if !map.contains_key("properties") {
            return;
        }
        let Some(Value::Array(branches)) = map.get("anyOf") else {
            return;
        };
        let only_required = |branch: &Value| {
            branch.as_object().is_some_and(|b| {
                b.contains_key("required")
                    && b.keys()
                        .all(|k| matches!(k.as_str(), "required" | "properties"))
            })
        };
        if !branches.is_empty() && branches.iter().all(only_required) {
            map.remove("anyOf");
        }
    });
}

/// The `format` that marks an optional scalar of a received schema for the lenient reading
/// (`crate::Lenient*` in osvi-generated): `generate.rs` maps each instance type with it.
pub const LENIENT_FORMAT: &str = "osvi-lenient";
/// The same for a received `format: date-time` string (`crate::LenientTime`).
pub const LENIENT_TIME_FORMAT: &str = "osvi-lenient-date-time";

/// Every optional scalar property of a received schema (integer, number, boolean, string
/// without an enum) gets the lenient format for its type: the docs show these fields only
/// through examples, so a `42.0`, a `"42"`, a zone-less timestamp or a word where a number
/// was expected is read (or kept as sent), never an undecodable answer. Only the
/// description and example stay (the `nullable` is implied by the `Option` of an optional
/// field). Required properties, what an answer is about, keep their strict type.
pub fn lenient_received_scalars(doc: &mut Value) {
    let scalars = scalar_components(doc);
    for_each_optional_received_property(doc, &mut |fields| {
        inline_scalar_ref(fields, &scalars);
        lenient_scalar(fields);
        // The values of a map (`calls.by_status`: counts by status) are read the same way.
        if let Some(Value::Object(values)) = fields.get_mut("additionalProperties") {
            lenient_scalar(values);
        }
    });
}

/// The component schemas that are one string (a relaxed enum such as `CallStatus`), with
/// their description: a property that `$ref`s one is a scalar to read leniently too.
fn scalar_components(doc: &Value) -> std::collections::BTreeMap<String, Option<Value>> {
    let Some(Value::Object(schemas)) = doc.pointer("/components/schemas") else {
        return Default::default();
    };
    schemas
        .iter()
        .filter(|(_, s)| s.get("type").and_then(Value::as_str) == Some("string"))
        .filter(|(_, s)| s.get("properties").is_none() && s.get("format").is_none())
        .map(|(name, s)| {
            let reference = format!("#/components/schemas/{name}");
            (reference, s.get("description").cloned())
        })
        .collect()
}

/// A property that is only a `$ref` to a one-string component becomes that string (its
/// description kept), so [`lenient_scalar`] reads it leniently.
fn inline_scalar_ref(
    fields: &mut Map<String, Value>,
    scalars: &std::collections::BTreeMap<String, Option<Value>>,
) {
    let Some(description) = fields
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| scalars.get(r))
    else {
        return;
    };
    let own = fields.get("description").cloned();
    fields.clear();
    fields.insert("type".into(), Value::String("string".into()));
    if let Some(description) = own.or_else(|| description.clone()) {
        fields.insert("description".into(), description);
    }
}

/// Rewrites one property schema to its lenient form when it is a plain scalar.
fn lenient_scalar(fields: &mut Map<String, Value>) {
    let kind = fields
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let format = match kind {
        "integer" | "number" | "boolean" => LENIENT_FORMAT,
        "string" if fields.contains_key("enum") => return,
        "string" if fields.get("format").and_then(Value::as_str) == Some("date-time") => {
            LENIENT_TIME_FORMAT
        }
        "string" => LENIENT_FORMAT,
        _ => return,
    };
    let mut lenient = Map::new();
    lenient.insert("type".into(), Value::String(kind.to_string()));
    lenient.insert("format".into(), Value::String(format.to_string()));
    for kept in ["description", "example", "title"] {
        if let Some(value) = fields.get(kept) {
            lenient.insert(kept.into(), value.clone());
        }
    }
    *fields = lenient;
}

/// The strings of a JSON array (an absent or other value has none).
fn strings_in(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// Drops the string enums inside one schema tree (not following `$ref`s).
fn relax_enums_in(schema: &mut Value) {
    walk_objects(schema, &mut |map| {
        let Some(Value::Array(values)) = map.get("enum") else {
            return;
        };
        if !values.iter().all(|v| v.is_string() || v.is_null()) {
            return;
        }
        let known: Vec<String> = values
            .iter()
            .filter_map(Value::as_str)
            .map(|v| format!("`{v}`"))
            .collect();
        map.remove("enum");
        let note = format!("Known values: {}; others may appear.", known.join(", "));
        let description = match map.get("description").and_then(Value::as_str) {
            Some(text) => format!("{text} {note}"),
            None => note,
        };
        map.insert("description".into(), Value::String(description));
    });
}

/// Which side of an exchange a schema is reached from.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Request,
    Response,
}

/// Names of the component schemas reachable (through `$ref`s, transitively) from the request
/// side (parameters and request bodies) or the response side of the operations.
fn collect_refs(doc: &Value, side: Side) -> std::collections::BTreeSet<String> {
    let mut roots: Vec<Value> = Vec::new();
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for item in paths.values() {
            let Value::Object(item) = item else { continue };
            for (key, operation) in item {
                if key == "parameters" && side == Side::Request {
                    roots.push(operation.clone());
                }
                let Value::Object(operation) = operation else {
                    continue;
                };
                let keys: &[&str] = match side {
                    Side::Request => &["parameters", "requestBody"],
                    Side::Response => &["responses"],
                };
                roots.extend(keys.iter().filter_map(|k| operation.get(*k)).cloned());
            }
        }
    }
    let components = doc.get("components").cloned().unwrap_or(Value::Null);
    let mut seen = std::collections::BTreeSet::new();
    while let Some(node) = roots.pop() {
        for reference in refs_in(&node) {
            let mut parts = reference.trim_start_matches("#/components/").splitn(2, '/');
            let (Some(kind), Some(name)) = (parts.next(), parts.next()) else {
                continue;
            };
            if kind == "schemas" && !seen.insert(name.to_string()) {
                continue;
            }
            if let Some(target) = components.get(kind).and_then(|c| c.get(name)) {
                roots.push(target.clone());
            }
        }
    }
    seen
}

/// Every `$ref` string inside `value`.
pub fn refs_in(value: &Value) -> Vec<String> {
    strings_at_key(value, "$ref")
}

/// Every string value of a `key` entry inside `value`, at any depth (the entry itself is not
/// searched further).
pub fn strings_at_key(value: &Value, key: &str) -> Vec<String> {
    fn visit(value: &Value, key: &str, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (name, child) in map {
                    match (name == key, child) {
                        (true, Value::String(found)) => out.push(found.clone()),
                        _ => visit(child, key, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| visit(item, key, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    visit(value, key, &mut out);
    out
}

/// `type: [T, "null"]` → `type: T, nullable: true`; `type: [T]` → `type: T`; several
/// non-null types → `anyOf` of one schema per type.
pub fn type_arrays_to_nullable(doc: &mut Value) {
    walk_objects(doc, &mut |map| {
        let Some(Value::Array(types)) = map.get("type").cloned() else {
            return;
        };
        let nullable = types.iter().any(|t| t == "null");
        let others: Vec<Value> = types.into_iter().filter(|t| t != "null").collect();
        map.remove("type");
        match others.as_slice() {
            [] => {}
            [single] => {
                map.insert("type".into(), single.clone());
            }
            many => {
                let branches = many.iter().map(|t| json!({ "type": t })).collect();
                map.insert("anyOf".into(), Value::Array(branches));
            }
        }
        if nullable {
            map.insert("nullable".into(), Value::Bool(true));
        }
    });
}

/// `anyOf`/`oneOf` with a `{type: "null"}` branch → the other branch, `nullable: true`. A
/// remaining `$ref` becomes `allOf: [$ref]` (3.0 ignores siblings of `$ref`); several
/// remaining branches stay under their keyword.
pub fn null_branches_to_nullable(doc: &mut Value) {
    walk_objects(doc, &mut |map| {
        for keyword in ["anyOf", "oneOf"] {
            let Some(Value::Array(branches)) = map.get(keyword).cloned() else {
                continue;
            };
            let is_null = |b: &Value| b.get("type").is_some_and(|t| t == "null");
            if !branches.iter().any(is_null) {
                continue;
            }
            let rest: Vec<Value> = branches.into_iter().filter(|b| !is_null(b)).collect();
            map.remove(keyword);
            map.insert("nullable".into(), Value::Bool(true));
            match rest.as_slice() {
                [Value::Object(only)] if only.contains_key("$ref") => {
                    map.insert("allOf".into(), json!([only]));
                }
                [Value::Object(only)] => {
                    for (key, value) in only {
                        map.entry(key.clone()).or_insert_with(|| value.clone());
                    }
                }
                _ => {
                    map.insert(keyword.into(), Value::Array(rest));
                }
            }
        }
    });
}

/// `const: v` → `enum: [v]`.
pub fn const_to_enum(doc: &mut Value) {
    walk_objects(doc, &mut |map| {
        if let Some(value) = map.remove("const") {
            map.insert("enum".into(), Value::Array(vec![value]));
        }
    });
}

/// Schema `examples: [a, ...]` (3.1) → `example: a` (3.0). An `examples` map (the 3.0 form
/// on parameters and media types) is left alone.
pub fn examples_to_example(doc: &mut Value) {
    walk_objects(doc, &mut |map| {
        if !matches!(map.get("examples"), Some(Value::Array(_))) {
            return;
        }
        if let Some(Value::Array(mut examples)) = map.remove("examples")
            && !examples.is_empty()
            && !map.contains_key("example")
        {
            map.insert("example".into(), examples.swap_remove(0));
        }
    });
}

/// `anyOf`/`oneOf` whose branches are all `type: string` (e.g. a date *or* a date-time) →
/// one plain `type: string`: the generated type is a `String`, and the branches stay in the
/// spec for the validators that read it.
pub fn string_alternatives_to_string(doc: &mut Value) {
    walk_objects(doc, &mut |map| {
        for keyword in ["anyOf", "oneOf"] {
            let Some(Value::Array(branches)) = map.get(keyword) else {
                continue;
            };
            let all_strings = !branches.is_empty()
                && branches
                    .iter()
                    .all(|b| b.get("type").and_then(Value::as_str) == Some("string"));
            if all_strings {
                map.remove(keyword);
                map.insert("type".into(), Value::String("string".into()));
            }
        }
    });
}

/// Removes the validation keywords (`minLength`, `maxLength`, `pattern`, `minimum`,
/// `maximum`, exclusive bounds, `minItems`, `maxItems`) so the generated types stay plain
/// `String`s, integers and `Vec`s. The rules are not lost: xtask writes them to
/// `osvi_generated::spec::rules`, and osvi-ext checks them before sending.
pub fn drop_validation_keywords(doc: &mut Value) {
    const KEYWORDS: &[&str] = &[
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minItems",
        "maxItems",
        "minProperties",
        "maxProperties",
    ];
    walk_objects(doc, &mut |map| {
        for key in KEYWORDS {
            map.remove(*key);
        }
    });
}

/// Removes `additionalProperties: false`: a field the server adds later must not break
/// clients built today.
pub fn drop_additional_properties_false(doc: &mut Value) {
    walk_objects(doc, &mut |map| {
        if map.get("additionalProperties") == Some(&Value::Bool(false)) {
            map.remove("additionalProperties");
        }
    });
}

/// On an object schema that has `properties`, `additionalProperties: true` → `{}`. The two
/// mean the same, but typify drops the extra keys for `true` and keeps them (in a flattened
/// `extra` map) for `{}`; campaign contacts carry prompt variables that way, and webhook
/// payloads carry sections the spec does not know.
pub fn keep_extra_properties(doc: &mut Value) {
    walk_objects(doc, &mut |map| {
        if map.contains_key("properties")
            && map.get("additionalProperties") == Some(&Value::Bool(true))
        {
            map.insert("additionalProperties".into(), json!({}));
        }
    });
}

/// `openapi: 3.1.x` → `openapi: 3.0.3`, the version progenitor accepts.
pub fn set_openapi_version(doc: &mut Value) {
    if let Value::Object(root) = doc {
        root.insert("openapi".into(), Value::String("3.0.3".into()));
    }
}

/// The HTTP methods an OpenAPI path item may hold.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Calls `f` on every operation object under `paths`.
fn for_each_operation(doc: &mut Value, mut f: impl FnMut(&mut Map<String, Value>)) {
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for item in paths.values_mut() {
        let Value::Object(item) = item else { continue };
        for (method, operation) in item.iter_mut() {
            if let (true, Value::Object(operation)) =
                (METHODS.contains(&method.as_str()), operation)
            {
                f(operation);
            }
        }
    }
}

#[cfg(test)]
mod tests;
