//! Leniency as a property derived from the spec: for every success response and every webhook
//! body of `openapi/osvi.yaml` (read at test time), an example is taken (the spec's own, and
//! one built from the examples of its properties), and every field the spec does not mark
//! `required` is removed, and set to `null`, one at a time. osvi-ext must still decode each
//! variant, and the removed value must be gone from the decoded result (the domain field is
//! `None` or empty, not an error and not a stale value). Every optional scalar is also given
//! the other JSON forms the SDK reads (`42` as `42.0` and `"42"`, `true` as `"true"`, a
//! timestamp with a space, without a zone, as epoch seconds): the decoded result must be the
//! same. And a form no reading fits (a word, a list): the answer must still decode.
//!
//! The cases come from walking the spec: a new response, field or example is covered without
//! touching this file.

mod common;

use osvi_ext::fuzzing::decode_response;
use serde_json::{Map, Value, json};

/// One step into a JSON document.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// What a case does to the field at its path.
#[derive(Debug, Clone)]
enum Change {
    Remove,
    Null,
    Replace(Value),
}

/// One variant of an example: `change` applied at `path`.
#[derive(Debug, Clone)]
struct Case {
    path: Vec<Step>,
    change: Change,
    /// Whether the field's own value must be gone from the decoded result.
    must_vanish: bool,
    /// Whether the decoded result must be exactly the example's (the same value in another
    /// JSON form).
    must_equal: bool,
}

/// The spec, with `$ref` resolution.
struct Spec(Value);

impl Spec {
    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let mut schema = schema;
        while let Some(pointer) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            schema = self
                .0
                .pointer(pointer)
                .expect("every $ref of the spec resolves");
        }
        schema
    }

    /// The schemas a value of `schema` may be checked against for its properties:
    /// the schema itself, its `allOf` members and its `oneOf`/`anyOf` alternatives.
    fn parts<'a>(&'a self, schema: &'a Value) -> Vec<&'a Value> {
        let schema = self.resolve(schema);
        let mut out = vec![schema];
        for key in ["allOf", "oneOf", "anyOf"] {
            for member in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.extend(self.parts(member));
            }
        }
        out
    }

    /// The property schemas and required names of an object schema, over all its parts.
    fn object(&self, schema: &Value) -> (Map<String, Value>, Vec<String>, Option<Value>) {
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut additional = None;
        for part in self.parts(schema) {
            if let Some(Value::Object(props)) = part.get("properties") {
                for (name, prop) in props {
                    properties.insert(name.clone(), prop.clone());
                }
            }
            if let Some(Value::Array(names)) = part.get("required") {
                required.extend(names.iter().filter_map(Value::as_str).map(String::from));
            }
            if let Some(schema @ Value::Object(_)) = part.get("additionalProperties") {
                additional = Some(schema.clone());
            }
        }
        (properties, required, additional)
    }

    /// A value of `schema` built from its examples, with every property it can fill.
    fn synthesize(&self, schema: &Value, depth: usize) -> Value {
        let schema = self.resolve(schema);
        if let Some(example) = first_example(schema) {
            return example;
        }
        if let Some(Value::Array(values)) = schema.get("enum")
            && let Some(value) = values.iter().find(|v| !v.is_null())
        {
            return value.clone();
        }
        if depth > 8 {
            return Value::Null;
        }
        if let Some(Value::Array(members)) = schema.get("allOf") {
            let mut merged = Map::new();
            for member in members {
                if let Value::Object(part) = self.synthesize(member, depth + 1) {
                    merged.extend(part);
                }
            }
            return Value::Object(merged);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(alternatives)) = schema.get(key) {
                let first = alternatives
                    .iter()
                    .find(|a| self.resolve(a).get("type") != Some(&json!("null")));
                if let Some(first) = first {
                    return self.synthesize(first, depth + 1);
                }
            }
        }
        match main_type(schema) {
            Some("object") | None if schema.get("properties").is_some() => {
                let (properties, _, _) = self.object(schema);
                let filled = properties
                    .iter()
                    .map(|(name, prop)| (name.clone(), self.synthesize(prop, depth + 1)))
                    .filter(|(_, value)| !value.is_null())
                    .collect();
                Value::Object(filled)
            }
            Some("object") => json!({}),
            Some("array") => match schema.get("items") {
                Some(items) => {
                    let item = self.synthesize(items, depth + 1);
                    Value::Array(if item.is_null() { vec![] } else { vec![item] })
                }
                None => json!([]),
            },
            Some("string") => match schema.get("format").and_then(Value::as_str) {
                Some("date-time") => json!("2026-06-12T09:30:00+05:30"),
                Some("date") => json!("2026-06-12"),
                Some("uri") => json!("https://example.com/x"),
                _ => json!("text"),
            },
            Some("integer") => json!(3),
            Some("number") => json!(1.5),
            Some("boolean") => json!(true),
            _ => json!("any"),
        }
    }

    /// Every case of `value` (of `schema`, at `path`): non-required fields removed and
    /// nulled, assumed scalars given other plausible types; recursively.
    fn cases(&self, value: &Value, schema: &Value, path: &[Step], out: &mut Vec<Case>) {
        match value {
            Value::Object(fields) => {
                let (properties, required, additional) = self.object(schema);
                for (name, field) in fields {
                    let mut at = path.to_vec();
                    at.push(Step::Key(name.clone()));
                    let Some(prop) = properties.get(name).or(additional.as_ref()) else {
                        continue;
                    };
                    if properties.contains_key(name) && !required.contains(name) {
                        let must_vanish = is_distinct_text(field);
                        for change in [Change::Remove, Change::Null] {
                            out.push(Case {
                                path: at.clone(),
                                change,
                                must_vanish,
                                must_equal: false,
                            });
                        }
                        for (other, same) in self.other_forms(prop, field) {
                            out.push(Case {
                                path: at.clone(),
                                change: Change::Replace(other),
                                must_vanish: false,
                                must_equal: same,
                            });
                        }
                    }
                    self.cases(field, prop, &at, out);
                }
            }
            Value::Array(items) => {
                let schema = self.resolve(schema);
                if let Some(item_schema) = schema.get("items") {
                    for (index, item) in items.iter().enumerate() {
                        let mut at = path.to_vec();
                        at.push(Step::Index(index));
                        self.cases(item, item_schema, &at, out);
                    }
                }
            }
            _ => {}
        }
    }

    /// For an optional scalar of an answer (answers are shown by example only, so no
    /// answer scalar's JSON type is documented): the same value in the other JSON forms the
    /// SDK reads, each `true` (the decoded result must not change), and a form no reading
    /// fits, `false` (the answer must still decode, that field `None`).
    fn other_forms(&self, schema: &Value, value: &Value) -> Vec<(Value, bool)> {
        let schema = self.resolve(schema);
        let unreadable = (json!({"unexpected": ["shape"]}), false);
        match (main_type(schema), value) {
            (Some("integer"), Value::Number(n)) => vec![
                (json!(n.to_string()), true),
                (json!(n.as_f64().unwrap_or(0.0)), true),
                (json!(format!(" {n}.0 ")), true),
                (json!("not a number"), false),
                unreadable,
            ],
            (Some("number"), Value::Number(n)) => vec![(json!(n.to_string()), true), unreadable],
            (Some("boolean"), Value::Bool(b)) => vec![
                (json!(b.to_string()), true),
                (json!(b.to_string().to_uppercase()), true),
                (json!("maybe"), false),
                unreadable,
            ],
            (Some("string"), Value::String(text))
                if schema.get("format") == Some(&json!("date-time")) =>
            {
                let mut forms = timestamp_forms(text);
                forms.push((json!("next Tuesday"), false));
                forms.push(unreadable);
                forms
            }
            (Some("string"), Value::String(_)) => vec![unreadable],
            _ => Vec::new(),
        }
    }
}

/// The instant of RFC 3339 `text` in the other forms the SDK reads: a space for `T`, without
/// a zone (as UTC), and as epoch seconds (when it has no fraction).
fn timestamp_forms(text: &str) -> Vec<(Value, bool)> {
    let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) else {
        return Vec::new();
    };
    let utc = at.with_timezone(&chrono::Utc);
    let mut forms = vec![
        (json!(text.replacen('T', " ", 1)), true),
        (
            json!(utc.naive_utc().format("%Y-%m-%d %H:%M:%S%.f").to_string()),
            true,
        ),
        (
            json!(utc.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f").to_string()),
            true,
        ),
    ];
    if utc.timestamp_subsec_nanos() == 0 {
        forms.push((json!(utc.timestamp()), true));
        forms.push((json!(utc.timestamp().to_string()), true));
    }
    forms
}

/// A decoded result's `Debug` text without what differs between two decodings of the same
/// body: the entries of a `HashMap` (`: {k: v, ..}`, in random order) are sorted, and a
/// recording's `expires_at` (read from this machine's clock) is left out.
fn stable(shown: &str) -> String {
    let mut out = String::new();
    let mut rest = shown;
    while let Some(at) = rest.find(": {") {
        let (head, tail) = rest.split_at(at + 3);
        out.push_str(head);
        match tail.find('}') {
            Some(end) if !tail[..end].contains('{') => {
                let mut entries: Vec<&str> = tail[..end].split(", ").collect();
                entries.sort_unstable();
                out.push_str(&entries.join(", "));
                rest = &tail[end..];
            }
            _ => rest = tail,
        }
    }
    out.push_str(rest);
    match out.find("expires_at: ") {
        Some(start) => {
            let end = out[start..].find(')').map_or(out.len(), |e| start + e + 1);
            format!("{}{}", &out[..start], &out[end..])
        }
        None => out,
    }
}

/// The first `examples` entry, or `example`, of a schema.
fn first_example(schema: &Value) -> Option<Value> {
    match (schema.get("examples"), schema.get("example")) {
        (Some(Value::Array(values)), _) => values.first().cloned(),
        (_, Some(value)) => Some(value.clone()),
        _ => None,
    }
}

/// The schema's type, leaving out `null`.
fn main_type(schema: &Value) -> Option<&str> {
    match schema.get("type")? {
        Value::String(t) => Some(t.as_str()),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ => None,
    }
}

/// A string long and specific enough that finding it in a decoded value means it came from
/// this field.
fn is_distinct_text(value: &Value) -> bool {
    value.as_str().is_some_and(|s| s.len() >= 6)
}

/// `example` with `case` applied.
fn apply(example: &Value, case: &Case) -> Value {
    let mut out = example.clone();
    let Some((last, parents)) = case.path.split_last() else {
        return out;
    };
    let mut node = &mut out;
    for step in parents {
        node = match step {
            Step::Key(key) => &mut node[key.as_str()],
            Step::Index(index) => &mut node[*index],
        };
    }
    match (last, &case.change) {
        (Step::Key(key), Change::Remove) => {
            if let Value::Object(fields) = node {
                fields.remove(key);
            }
        }
        (Step::Key(key), Change::Null) => node[key.as_str()] = Value::Null,
        (Step::Key(key), Change::Replace(value)) => node[key.as_str()] = value.clone(),
        (Step::Index(index), _) => node[*index] = Value::Null,
    }
    out
}

/// The value at `path` of `example`.
fn at<'a>(example: &'a Value, path: &[Step]) -> &'a Value {
    path.iter().fold(example, |node, step| match step {
        Step::Key(key) => &node[key.as_str()],
        Step::Index(index) => &node[*index],
    })
}

/// Decodes a body into the `Debug` text of what osvi-ext made of it.
type Decoder = Box<dyn Fn(&[u8]) -> Result<String, osvi_ext::Error>>;

/// One body to decode: where it comes from, how to decode it, its example and schema.
struct Subject {
    name: String,
    /// `(operation id, status)` of a response; `None` for a webhook body.
    response: Option<(String, u16)>,
    decode: Decoder,
    example: Value,
    schema: Value,
}

/// Every success response and every webhook body of the spec, with each of its examples.
fn subjects(spec: &Spec) -> Vec<Subject> {
    let mut out = Vec::new();
    let mut add = |name: String,
                   response: Option<(String, u16)>,
                   decode: &dyn Fn() -> Decoder,
                   media: &Value| {
        let Some(schema) = media.get("schema") else {
            return;
        };
        let mut examples = vec![("built from the schema", spec.synthesize(schema, 0))];
        if let Some(example) = media.get("example") {
            examples.push(("example", example.clone()));
        }
        for (_, named) in media
            .get("examples")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(value) = named.get("value") {
                examples.push(("named example", value.clone()));
            }
        }
        for (kind, example) in examples {
            out.push(Subject {
                name: format!("{name} ({kind})"),
                response: response.clone(),
                decode: decode(),
                example,
                schema: schema.clone(),
            });
        }
    };
    for item in spec.0["paths"].as_object().expect("paths").values() {
        for operation in item.as_object().into_iter().flat_map(|i| i.values()) {
            let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let responses = operation["responses"].as_object().expect("responses");
            for (status, response) in responses {
                let Ok(code) = status.parse::<u16>() else {
                    continue;
                };
                if !(200..300).contains(&code) {
                    continue;
                }
                let response = spec.resolve(response);
                let Some(media) = response.pointer("/content/application~1json") else {
                    continue;
                };
                let id = id.to_string();
                add(
                    format!("{id} {code}"),
                    Some((id.clone(), code)),
                    &|| {
                        let id = id.clone();
                        Box::new(move |body: &[u8]| decode_response(&id, code, body))
                    },
                    media,
                );
            }
        }
    }
    for (name, item) in spec.0["webhooks"].as_object().expect("webhooks") {
        for operation in item.as_object().into_iter().flat_map(|i| i.values()) {
            let Some(media) = operation.pointer("/requestBody/content/application~1json") else {
                continue;
            };
            add(
                format!("webhook {name}"),
                None,
                &|| {
                    Box::new(|body: &[u8]| {
                        osvi_ext::webhooks::parse(body).map(|event| format!("{event:?}"))
                    })
                },
                media,
            );
        }
    }
    out
}

#[test]
fn every_example_decodes_without_each_optional_field_and_in_every_other_form() {
    let spec = Spec(common::contract::spec());
    let subjects = subjects(&spec);
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut vanish_checked = 0;
    let mut equal_checked = 0;
    let mut corpus = Corpus::from_env();
    for subject in &subjects {
        let body = subject.example.to_string();
        let baseline = match (subject.decode)(body.as_bytes()) {
            Ok(shown) => shown,
            Err(error) => {
                failures.push(format!(
                    "{}: the example itself fails: {error}\n  {body}",
                    subject.name
                ));
                continue;
            }
        };
        let mut cases = Vec::new();
        spec.cases(&subject.example, &subject.schema, &[], &mut cases);
        corpus.add(subject, body.as_bytes());
        for case in cases {
            checked += 1;
            let varied = apply(&subject.example, &case);
            let text = varied.to_string();
            corpus.add(subject, text.as_bytes());
            match (subject.decode)(text.as_bytes()) {
                Ok(shown) => {
                    if case.must_equal {
                        equal_checked += 1;
                        if stable(&shown) != stable(&baseline) {
                            failures.push(format!(
                                "{}: {:?} at {:?} changed the result:\n  {baseline}\n  {shown}",
                                subject.name, case.change, case.path
                            ));
                        }
                    }
                    let old = at(&subject.example, &case.path);
                    let needle = format!("{:?}", old.as_str().unwrap_or_default());
                    // Checked only where the value has one source: once in the example (the
                    // legacy call answer carries its id twice, in two envelopes) and once in
                    // the decoded value.
                    let traceable = case.must_vanish
                        && body.matches(&old.to_string()).count() == 1
                        && baseline.matches(&needle).count() == 1;
                    if traceable {
                        vanish_checked += 1;
                        if shown.contains(&needle) {
                            failures.push(format!(
                                "{}: {:?} {:?}: the old value {needle} is still in the result",
                                subject.name, case.change, case.path
                            ));
                        }
                    }
                }
                Err(error) => failures.push(format!(
                    "{}: {:?} at {:?}: {error}",
                    subject.name, case.change, case.path
                )),
            }
        }
    }
    assert!(
        subjects.len() >= 21,
        "every success response and webhook has a subject: {}",
        subjects.len()
    );
    assert!(checked > 100, "only {checked} cases");
    assert!(
        vanish_checked > 50,
        "the removed value was looked for in only {vanish_checked} results"
    );
    assert!(
        equal_checked > 100,
        "only {equal_checked} variants were checked to decode to the same value"
    );
    // The count RELIABILITY.md reports.
    println!(
        "{checked} variants of {} examples, {equal_checked} of them the same value in another form, the removed value looked for in {vanish_checked}",
        subjects.len()
    );
    corpus.finish();
    let webhooks = subjects
        .iter()
        .filter(|s| s.name.starts_with("webhook"))
        .count();
    assert!(webhooks >= 2, "both webhook bodies are covered: {webhooks}");
    assert!(
        failures.is_empty(),
        "{} of {checked} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// With `OSVI_FUZZ_CORPUS=<dir>` set, every body this test decodes (each example and each
/// variant) is also written as a seed of the fuzz targets: `<dir>/decode_response/` (with the
/// operation and status selector bytes of `osvi_ext::fuzzing::fuzz_case`, and every error
/// status with the spec's error bodies) and `<dir>/webhooks_parse/`.
struct Corpus {
    dir: Option<std::path::PathBuf>,
    written: std::collections::BTreeMap<String, usize>,
}

impl Corpus {
    fn from_env() -> Corpus {
        Corpus {
            dir: std::env::var_os("OSVI_FUZZ_CORPUS").map(Into::into),
            written: Default::default(),
        }
    }

    fn add(&mut self, subject: &Subject, body: &[u8]) {
        let Some(dir) = &self.dir else { return };
        match &subject.response {
            Some((operation, status)) => {
                let seeds = std::iter::once((*status, body.to_vec())).chain(
                    ERROR_BODIES.iter().flat_map(|error| {
                        osvi_ext::fuzzing::FUZZ_STATUSES
                            .iter()
                            .filter(|s| **s >= 300)
                            .map(|s| (*s, error.as_bytes().to_vec()))
                    }),
                );
                for (status, body) in seeds {
                    let case = osvi_ext::fuzzing::fuzz_case(operation, status, &body)
                        .expect("the spec's operations and statuses are fuzz selectors");
                    write_seed(&dir.join("decode_response"), &case);
                }
                *self.written.entry(operation.clone()).or_default() += 1;
            }
            None => {
                write_seed(&dir.join("webhooks_parse"), body);
                *self.written.entry("webhooks_parse".into()).or_default() += 1;
            }
        }
    }

    fn finish(&self) {
        if self.dir.is_some() {
            eprintln!("fuzz seeds by decoder: {:?}", self.written);
        }
    }
}

/// Error bodies of every documented shape.
const ERROR_BODIES: [&str; 3] = [
    r#"{"success": false, "errors": ["field is required"]}"#,
    r#"{"success": false, "error": "Agent not found", "details": null}"#,
    "<html><body>502 Bad Gateway</body></html>",
];

/// Writes `data` into `dir` under a name derived from its content.
fn write_seed(dir: &std::path::Path, data: &[u8]) {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    data.hash(&mut hasher);
    std::fs::create_dir_all(dir).expect("the corpus directory can be created");
    std::fs::write(dir.join(format!("{:016x}", hasher.finish())), data)
        .expect("a seed can be written");
}
