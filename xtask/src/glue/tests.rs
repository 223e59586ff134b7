//! Unit tests of the glue emitter: one spec fragment each, the exact Rust it must give.

use super::*;

/// A YAML document, parsed.
fn doc(text: &str) -> Value {
    serde_norway::from_str(text).unwrap()
}

/// The envelope of component schema `name` of `doc`.
fn envelope_of(doc: &Value, name: &str) -> Option<(String, String)> {
    let schema = doc.pointer(&format!("/components/schemas/{name}")).unwrap();
    envelope(doc, schema, "op", &format!("{ROOT}::types::{name}")).unwrap()
}

#[test]
fn operation_ids_become_type_names() {
    assert_eq!(pascal("list_active_agents"), "ListActiveAgents");
    assert_eq!(pascal("get_call"), "GetCall");
}

#[test]
fn envelopes_follow_the_schema_and_how_progenitor_holds_each_field() {
    let doc = doc(r#"
components:
  schemas:
    Bare: {type: array, items: {$ref: '#/components/schemas/Item'}}
    One:
      type: object
      required: [data]
      properties: {success: {type: boolean}, data: {$ref: '#/components/schemas/Item'}}
    Maybe:
      type: object
      properties: {success: {type: boolean}, data: {type: object, properties: {id: {type: string}}}}
    List:
      type: object
      properties:
        success: {type: boolean}
        data: {type: array, nullable: true, items: {$ref: '#/components/schemas/Item'}}
        meta: {$ref: '#/components/schemas/Meta'}
    Done:
      type: object
      properties: {success: {type: boolean}, message: {type: string}}
    Odd:
      type: object
      x-osvi-envelope: hand-written
      properties: {status: {type: string}}
"#);
    let none = "::std::option::Option::None";
    let some = "::std::option::Option::Some";
    assert_eq!(
        envelope_of(&doc, "Bare"),
        Some(("Self".into(), format!("({none}, {some}(self))")))
    );
    assert_eq!(
        envelope_of(&doc, "One"),
        Some((
            "ROOT::types::Item".into(),
            format!("(self.success, {some}(self.data))")
        ))
    );
    assert_eq!(
        envelope_of(&doc, "Maybe"),
        Some((
            "ROOT::types::MaybeData".into(),
            "(self.success, self.data)".into()
        ))
    );
    assert_eq!(
        envelope_of(&doc, "List"),
        Some((
            "(::std::vec::Vec<ROOT::types::Item>, ::std::option::Option<ROOT::types::Meta>)".into(),
            format!("(self.success, {some}((self.data.unwrap_or_default(), self.meta)))")
        ))
    );
    assert_eq!(
        envelope_of(&doc, "Done"),
        Some(("()".into(), format!("(self.success, {some}(()))")))
    );
    assert_eq!(envelope_of(&doc, "Odd"), None);
}

#[test]
fn an_unknown_envelope_marker_is_an_error() {
    let doc = doc("components:\n  schemas:\n    X: {type: object, x-osvi-envelope: guess}\n");
    let schema = doc.pointer("/components/schemas/X").unwrap();
    let err = envelope(&doc, schema, "op", "ROOT::types::X").unwrap_err();
    assert!(err.contains("unknown x-osvi-envelope `guess`"), "{err}");
}

#[test]
fn handlers_take_path_query_and_body_and_dispatch_decodes_them() {
    let doc = doc(r#"
paths:
  /v1/thing/{id}:
    post:
      operationId: poke_thing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: loud, in: query, schema: {type: boolean}}
      requestBody:
        content:
          application/json: {schema: {$ref: '#/components/schemas/Poke'}}
      responses:
        '201':
          content:
            application/json: {schema: {$ref: '#/components/schemas/Poked'}}
        '404': {description: x}
"#);
    let glue = render(&doc).unwrap();
    let compact: String = glue.server.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        compact.contains(
            "fn poke_thing(&self, id: &str, query: &Query, body: ::std::option::Option<crate::types::Poke>) -> ::std::result::Result<crate::types::Poked, Self::Failure>;"
        ),
        "{compact}"
    );
    assert!(
        compact.contains(
            "\"poke_thing\" => { let id = path_param(path, \"id\")?; let body = optional_body(body)?; answer(201, handlers.poke_thing(id, query, body)) }"
        ),
        "{compact}"
    );
    assert!(glue.answers.contains("type PokeThing;"), "{}", glue.answers);
    assert!(
        glue.answers
            .contains("(POKE_THING, $crate::types::Poked, PokeThing),"),
        "{}",
        glue.answers
    );
}

#[test]
fn an_inline_answer_that_is_not_a_list_must_be_named() {
    let doc = doc(r#"
paths:
  /x:
    get:
      operationId: get_x
      responses:
        '200':
          content:
            application/json: {schema: {type: object}}
"#);
    let err = render(&doc).err().unwrap();
    assert!(
        err.contains("get_x answer: give this schema a name"),
        "{err}"
    );
}
