//! Loading `openapi/osvi.yaml` and checking it before progenitor sees it, so that a broken
//! spec gives a message naming the file location or the operation, never a panic backtrace.

use std::fmt::Write as _;

use serde_json::Value;

use crate::normalize::{METHODS, refs_in};

/// Parses YAML text; a syntax error reads `line:column: message`.
pub fn parse(text: &str) -> Result<Value, String> {
    serde_norway::from_str::<Value>(text).map_err(|e| match e.location() {
        Some(at) => format!("{}:{}: YAML syntax error: {e}", at.line(), at.column()),
        None => format!(" YAML error: {e}"),
    })
}

/// Checks what progenitor would otherwise panic on or silently get wrong: every operation
/// has an `operationId`, every `$ref` resolves, every `{param}` of a path is declared as a
/// path parameter. All problems are reported at once, one per line. `text` is the YAML
/// source, used to give the line of a dangling `$ref`.
pub fn check(doc: &Value, text: &str) -> Result<(), String> {
    let mut problems = String::new();
    for (path, method, operation) in operations(doc) {
        let at = format!("{} {path}", method.to_uppercase());
        if operation
            .get("operationId")
            .and_then(Value::as_str)
            .is_none()
        {
            let _ = writeln!(problems, "{at}: missing operationId");
        }
        for name in path_template_names(path) {
            if !declares_path_param(doc, path, operation, &name) {
                let _ = writeln!(problems, "{at}: path parameter `{name}` is not declared");
            }
        }
    }
    for reference in refs_in(doc) {
        if resolve(doc, &reference).is_none() {
            let line = text
                .lines()
                .position(|l| l.contains(reference.as_str()))
                .map(|i| format!("line {}: ", i + 1))
                .unwrap_or_default();
            let _ = writeln!(problems, "{line}$ref `{reference}` does not resolve");
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.trim_end().to_string())
    }
}

/// `(path, method, operation)` for every operation under `paths`.
pub fn operations(doc: &Value) -> Vec<(&str, &str, &Value)> {
    let mut out = Vec::new();
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for (path, item) in paths {
            let Value::Object(item) = item else { continue };
            for (method, operation) in item {
                if METHODS.contains(&method.as_str()) {
                    out.push((path.as_str(), method.as_str(), operation));
                }
            }
        }
    }
    out
}

/// Follows a local `#/a/b/c` reference.
pub fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

/// The `{name}` placeholders of a path template.
fn path_template_names(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

/// Whether `name` is declared `in: path` on the operation or its path item.
fn declares_path_param(doc: &Value, path: &str, operation: &Value, name: &str) -> bool {
    let item_params = doc
        .get("paths")
        .and_then(|p| p.get(path))
        .and_then(|i| i.get("parameters"));
    [operation.get("parameters"), item_params]
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|p| match p.get("$ref").and_then(Value::as_str) {
            Some(r) => resolve(doc, r),
            None => Some(p),
        })
        .any(|p| {
            p.get("in") == Some(&Value::from("path")) && p.get("name") == Some(&Value::from(name))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_syntax_error_names_line_and_column() {
        let err = parse("openapi: 3.1.0\npaths:\n  /a: [unclosed\n").unwrap_err();
        assert!(err.starts_with("4:1: YAML syntax error"), "{err}");
    }

    #[test]
    fn missing_operation_id_names_the_operation() {
        let text = "paths:\n  /v1/calls:\n    get:\n      responses: {}\n";
        let err = check(&parse(text).unwrap(), text).unwrap_err();
        assert_eq!(err, "GET /v1/calls: missing operationId");
    }

    #[test]
    fn dangling_ref_names_its_line() {
        let text = "paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          $ref: '#/components/responses/Nope'\n";
        let err = check(&parse(text).unwrap(), text).unwrap_err();
        assert_eq!(
            err,
            "line 7: $ref `#/components/responses/Nope` does not resolve"
        );
    }

    #[test]
    fn undeclared_path_parameter_is_reported() {
        let text = "paths:\n  /v1/call/{id}:\n    get:\n      operationId: get_call\n      responses: {}\n";
        let err = check(&parse(text).unwrap(), text).unwrap_err();
        assert_eq!(
            err,
            "GET /v1/call/{id}: path parameter `id` is not declared"
        );
    }

    #[test]
    fn path_parameter_declared_through_a_ref_is_accepted() {
        let text = "paths:\n  /v1/call/{id}:\n    get:\n      operationId: get_call\n      parameters:\n        - $ref: '#/components/parameters/Id'\n      responses: {}\ncomponents:\n  parameters:\n    Id:\n      name: id\n      in: path\n      required: true\n";
        assert_eq!(check(&parse(text).unwrap(), text), Ok(()));
    }
}
