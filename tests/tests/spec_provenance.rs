//! Where every constraint of `openapi/osvi.yaml` comes from. Each type, format, `required`,
//! `pattern`, length, limit, item count and enum is either documented (the nearest
//! `x-osvi-source` above it names the docs page that states it) or assumed (the nearest
//! `x-osvi-assumed: true` above it, or an `x-osvi-assumed: [..]` list on its own schema that
//! names the keyword). A constraint with neither fails the test; the counts are in the README.
//!
//! The nearest marker wins, walking up from the constraint; a response (`responses`) and
//! every component start without one, so an answer's types never borrow the provenance of
//! its request.

use serde_json::Value;

const SPEC: &str = include_str!("../../openapi/osvi.yaml");
const README: &str = include_str!("../../README.md");

/// The keywords that constrain a value.
const CONSTRAINTS: &[&str] = &[
    "type",
    "format",
    "required",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "enum",
    "const",
];

/// Keys whose values are data or prose, never schemas.
const DATA: &[&str] = &[
    "example",
    "examples",
    "default",
    "enum",
    "const",
    "description",
];

#[derive(Clone, Copy, PartialEq, Debug)]
enum Marker {
    Documented,
    Assumed,
}

#[derive(Default)]
struct Tally {
    documented: usize,
    assumed: usize,
    unmarked: Vec<String>,
}

/// The marker an object sets for itself and what lies below it.
fn own_marker(map: &serde_json::Map<String, Value>) -> Option<Marker> {
    if map.get("x-osvi-assumed") == Some(&Value::Bool(true)) {
        return Some(Marker::Assumed);
    }
    map.get("x-osvi-source")
        .and_then(Value::as_str)
        .filter(|page| !page.trim().is_empty())
        .map(|_| Marker::Documented)
}

/// Whether an object's own `x-osvi-assumed` list names `keyword`.
fn listed(map: &serde_json::Map<String, Value>, keyword: &str) -> bool {
    map.get("x-osvi-assumed")
        .and_then(Value::as_array)
        .is_some_and(|keywords| keywords.iter().any(|k| k == keyword))
}

fn walk(value: &Value, path: &str, inherited: Option<Marker>, tally: &mut Tally) {
    match value {
        Value::Object(map) => {
            let marker = own_marker(map).or(inherited);
            for keyword in CONSTRAINTS {
                let Some(found) = map.get(*keyword) else {
                    continue;
                };
                // `required` of a schema is a list of names; of a parameter, a flag. Only a
                // `true` flag constrains; a `type` that names a keyword object is a property.
                let constrains = match (*keyword, found) {
                    ("required", Value::Bool(flag)) => *flag,
                    ("type", Value::Object(_)) | ("format", Value::Object(_)) => false,
                    _ => true,
                };
                if !constrains {
                    continue;
                }
                match (listed(map, keyword), marker) {
                    (true, _) | (false, Some(Marker::Assumed)) => tally.assumed += 1,
                    (false, Some(Marker::Documented)) => tally.documented += 1,
                    (false, None) => tally.unmarked.push(format!("{path}: {keyword}")),
                }
            }
            for (key, child) in map {
                if key.starts_with("x-") || DATA.contains(&key.as_str()) {
                    continue;
                }
                let below = if key == "responses" { None } else { marker };
                walk(child, &format!("{path}/{key}"), below, tally);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{path}/{i}"), inherited, tally);
            }
        }
        _ => {}
    }
}

fn tally() -> Tally {
    let doc: Value = serde_norway::from_str(SPEC).expect("openapi/osvi.yaml is valid YAML");
    let mut tally = Tally::default();
    walk(&doc["paths"], "paths", None, &mut tally);
    walk(&doc["webhooks"], "webhooks", None, &mut tally);
    for kind in ["schemas", "parameters", "responses"] {
        if let Some(Value::Object(items)) = doc["components"].get(kind) {
            for (name, item) in items {
                walk(item, &format!("components/{kind}/{name}"), None, &mut tally);
            }
        }
    }
    tally
}

#[test]
fn every_constraint_of_the_spec_is_documented_or_assumed() {
    let tally = tally();
    assert!(
        tally.unmarked.is_empty(),
        "{} constraints have no provenance (add `x-osvi-source: <docs page>` or \
         `x-osvi-assumed`):\n{}",
        tally.unmarked.len(),
        tally.unmarked.join("\n")
    );
    let line = format!(
        "{} documented and {} assumed constraints",
        tally.documented, tally.assumed
    );
    assert!(
        README.contains(&line),
        "README.md must state the spec's provenance counts as `{line}`"
    );
}
