//! Unit tests of the normalize rules.

use super::*;

fn applied(rule: fn(&mut Value), mut input: Value) -> Value {
    rule(&mut input);
    input
}

#[test]
fn received_optional_collections_become_nullable() {
    let doc = json!({
        "paths": {"/x": {"get": {"responses": {"200": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Out"}}}}}}}},
        "components": {"schemas": {"Out": {
            "required": ["ids"],
            "properties": {
                "ids": {"type": "array", "items": {"type": "string"}},
                "tags": {"type": "array", "items": {"type": "string"}},
                "extra": {"type": "object", "additionalProperties": true},
                "name": {"type": "string"}
            }
        }}}
    });
    let out = applied(received_collections_accept_null, doc);
    let props = &out["components"]["schemas"]["Out"]["properties"];
    assert_eq!(props["ids"].get("nullable"), None, "required stays as is");
    assert_eq!(props["tags"]["nullable"], json!(true));
    assert_eq!(props["extra"]["nullable"], json!(true));
    assert_eq!(
        props["name"].get("nullable"),
        None,
        "scalars are Option already"
    );
}

#[test]
fn optional_received_scalars_become_lenient() {
    let mut doc = json!({
        "paths": {"/x": {"post": {
            "requestBody": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Ask"}}}},
            "responses": {"200": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Answer"}}}}}}}},
        "components": {"schemas": {
            "Answer": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"},
                "count": {"type": "integer", "format": "int64", "nullable": true,
                          "x-osvi-assumed": true, "description": "n", "example": 4},
                "ok": {"type": "boolean"},
                "at": {"type": "string", "format": "date-time"},
                "name": {"type": "string", "minLength": 1},
                "tags": {"type": "array", "items": {"type": "string"}}
            }},
            "Ask": {"type": "object", "properties": {"count": {"type": "integer"}}}
        }}
    });
    lenient_received_scalars(&mut doc);
    let props = &doc["components"]["schemas"]["Answer"]["properties"];
    assert_eq!(
        props["id"],
        json!({"type": "string"}),
        "required stays strict"
    );
    assert_eq!(
        props["count"],
        json!({"type": "integer", "format": LENIENT_FORMAT, "description": "n", "example": 4})
    );
    assert_eq!(
        props["ok"],
        json!({"type": "boolean", "format": LENIENT_FORMAT})
    );
    assert_eq!(
        props["at"],
        json!({"type": "string", "format": LENIENT_TIME_FORMAT})
    );
    assert_eq!(
        props["name"],
        json!({"type": "string", "format": LENIENT_FORMAT})
    );
    assert_eq!(
        props["tags"]["type"],
        json!("array"),
        "collections are not scalars"
    );
    assert_eq!(
        doc["components"]["schemas"]["Ask"]["properties"]["count"],
        json!({"type": "integer"}),
        "request-only schemas stay strict"
    );
}

#[test]
fn type_array_with_null_becomes_nullable() {
    let out = applied(
        type_arrays_to_nullable,
        json!({"type": ["string", "null"], "format": "date-time"}),
    );
    assert_eq!(
        out,
        json!({"type": "string", "nullable": true, "format": "date-time"})
    );
}

#[test]
fn type_array_of_one_becomes_plain_type() {
    assert_eq!(
        applied(type_arrays_to_nullable, json!({"type": ["integer"]})),
        json!({"type": "integer"})
    );
}

#[test]
fn type_array_of_several_becomes_any_of() {
    let out = applied(
        type_arrays_to_nullable,
        json!({"type": ["string", "integer", "null"]}),
    );
    assert_eq!(
        out,
        json!({"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
    );
}

#[test]
fn type_arrays_inside_properties_are_converted_but_property_names_are_not_keywords() {
    let input =
        json!({"properties": {"type": {"type": ["string", "null"]}, "const": {"type": "string"}}});
    let out = applied(type_arrays_to_nullable, input);
    assert_eq!(
        out,
        json!({"properties": {"type": {"type": "string", "nullable": true}, "const": {"type": "string"}}})
    );
    // A property named `const` is a name, not the keyword.
    let out = applied(const_to_enum, out);
    assert_eq!(out["properties"]["const"], json!({"type": "string"}));
}

#[test]
fn any_of_with_null_ref_branch_becomes_nullable_all_of() {
    let input = json!({"anyOf": [{"$ref": "#/components/schemas/Tag"}, {"type": "null"}]});
    let out = applied(null_branches_to_nullable, input);
    assert_eq!(
        out,
        json!({"allOf": [{"$ref": "#/components/schemas/Tag"}], "nullable": true})
    );
}

#[test]
fn one_of_with_null_inline_branch_merges_the_branch() {
    let input =
        json!({"description": "d", "oneOf": [{"type": "null"}, {"type": "integer", "minimum": 1}]});
    let out = applied(null_branches_to_nullable, input);
    assert_eq!(
        out,
        json!({"description": "d", "type": "integer", "minimum": 1, "nullable": true})
    );
}

#[test]
fn one_of_with_null_and_several_branches_keeps_them() {
    let input = json!({"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]});
    let out = applied(null_branches_to_nullable, input);
    assert_eq!(
        out,
        json!({"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true})
    );
}

#[test]
fn any_of_without_null_is_untouched() {
    let input = json!({"anyOf": [{"type": "string"}, {"type": "integer"}]});
    assert_eq!(applied(null_branches_to_nullable, input.clone()), input);
}

#[test]
fn const_becomes_single_value_enum() {
    assert_eq!(
        applied(const_to_enum, json!({"type": "string", "const": "active"})),
        json!({"type": "string", "enum": ["active"]})
    );
}

#[test]
fn schema_examples_array_becomes_first_example() {
    assert_eq!(
        applied(
            examples_to_example,
            json!({"type": "integer", "examples": [7, 8]})
        ),
        json!({"type": "integer", "example": 7})
    );
}

#[test]
fn examples_map_on_a_media_type_is_left_alone() {
    let input = json!({"content": {"application/json": {"examples": {"one": {"value": 1}}}}});
    assert_eq!(applied(examples_to_example, input.clone()), input);
}

#[test]
fn example_data_is_never_rewritten() {
    let input = json!({"type": "object", "example": {"type": ["a", "null"], "const": 1}});
    assert_eq!(applied(type_arrays_to_nullable, input.clone()), input);
    assert_eq!(applied(const_to_enum, input.clone()), input);
}

#[test]
fn additional_properties_false_is_dropped_and_true_kept() {
    let input = json!({"properties": {"a": {"type": "object", "additionalProperties": false}, "b": {"type": "object", "additionalProperties": true}}});
    let out = applied(drop_additional_properties_false, input);
    assert_eq!(
        out,
        json!({"properties": {"a": {"type": "object"}, "b": {"type": "object", "additionalProperties": true}}})
    );
}

#[test]
fn open_objects_with_properties_keep_their_extra_keys() {
    let input = json!({"properties": {
        "contact": {"type": "object", "additionalProperties": true, "properties": {"phone": {"type": "string"}}},
        "map": {"type": "object", "additionalProperties": true}
    }});
    let out = applied(keep_extra_properties, input);
    assert_eq!(
        out["properties"]["contact"]["additionalProperties"],
        json!({})
    );
    assert_eq!(
        out["properties"]["map"]["additionalProperties"],
        json!(true)
    );
}

#[test]
fn openapi_version_is_set_to_3_0_3() {
    assert_eq!(
        applied(set_openapi_version, json!({"openapi": "3.1.0"})),
        json!({"openapi": "3.0.3"})
    );
}

#[test]
fn only_31_keys_are_dropped() {
    let input = json!({
        "openapi": "3.1.0", "webhooks": {"a": {}}, "jsonSchemaDialect": "x",
        "info": {"title": "t", "summary": "s", "license": {"name": "MIT", "identifier": "MIT"}},
        "components": {"schemas": {"A": {"type": "object", "$schema": "x", "prefixItems": [], "properties": {"if": {"type": "string"}}}}}
    });
    let out = applied(drop_31_only_keys, input);
    assert_eq!(
        out,
        json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "license": {"name": "MIT"}},
            "components": {"schemas": {"A": {"type": "object", "properties": {"if": {"type": "string"}}}}}
        })
    );
}

#[test]
fn component_responses_are_inlined() {
    let input = json!({
        "paths": {"/a": {"get": {"responses": {"401": {"$ref": "#/components/responses/Unauthorized"}}}}},
        "components": {"responses": {"Unauthorized": {"description": "no"}}}
    });
    let out = applied(inline_component_responses, input);
    assert_eq!(
        out["paths"]["/a"]["get"]["responses"]["401"],
        json!({"description": "no"})
    );
}

#[test]
fn every_error_body_points_at_the_shared_schema() {
    let input = json!({"paths": {"/a": {"post": {"responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ok"}}}},
        "400": {"description": "bad", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Bad"}, "example": {"e": 1}}, "text/html": {}}},
        "500": {"description": "no body"},
        "default": {"description": "other"}
    }}}}});
    let out = applied(unify_error_bodies, input);
    let responses = &out["paths"]["/a"]["post"]["responses"];
    let shared = json!({"$ref": "#/components/schemas/ApiError"});
    assert_eq!(
        responses["200"]["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/Ok"})
    );
    assert_eq!(
        responses["400"]["content"],
        json!({"application/json": {"schema": shared, "example": {"e": 1}}})
    );
    assert_eq!(
        responses["500"]["content"],
        json!({"application/json": {"schema": shared}})
    );
    assert_eq!(
        responses["default"]["content"],
        json!({"application/json": {"schema": shared}})
    );
}

#[test]
fn response_enums_are_relaxed_and_request_enums_kept() {
    let input = json!({
        "paths": {"/a": {"post": {
            "parameters": [{"name": "t", "in": "query", "schema": {"type": "string", "enum": ["x", "y"]}}],
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}},
            "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Resp"}}}}}
        }}},
        "components": {"schemas": {
            "Req": {"type": "object", "properties": {"cmd": {"type": "string", "enum": ["a", "b"]}, "s": {"$ref": "#/components/schemas/Shared"}}},
            "Resp": {"type": "object", "properties": {"s": {"$ref": "#/components/schemas/Shared"}, "m": {"type": "string", "enum": ["ai", null], "description": "Mode."}}},
            "Shared": {"type": "string", "enum": ["p", "q"]},
            "Hook": {"type": "object", "properties": {"k": {"type": "string", "enum": ["z"]}}}
        }}
    });
    let out = applied(relax_response_enums, input);
    let schemas = &out["components"]["schemas"];
    assert_eq!(
        schemas["Req"]["properties"]["cmd"]["enum"],
        json!(["a", "b"])
    );
    assert_eq!(
        out["paths"]["/a"]["post"]["parameters"][0]["schema"]["enum"],
        json!(["x", "y"])
    );
    assert_eq!(
        schemas["Shared"],
        json!({"type": "string", "description": "Known values: `p`, `q`; others may appear."})
    );
    assert_eq!(
        schemas["Resp"]["properties"]["m"],
        json!({"type": "string", "description": "Mode. Known values: `ai`; others may appear."})
    );
    assert_eq!(schemas["Hook"]["properties"]["k"].get("enum"), None);
}

#[test]
fn rules_compose_on_a_31_fragment() {
    let mut doc = json!({
        "openapi": "3.1.0",
        "paths": {},
        "components": {"schemas": {"A": {"type": "object", "additionalProperties": false, "properties": {
            "n": {"type": ["integer", "null"], "exclusiveMinimum": 0, "examples": [1]},
            "c": {"const": "on"}
        }}}}
    });
    normalize(&mut doc);
    assert_eq!(
        doc,
        json!({
            "openapi": "3.0.3",
            "paths": {},
            "components": {"schemas": {"A": {"type": "object", "properties": {
                // An unreferenced schema counts as received: read leniently.
                "n": {"type": "integer", "format": LENIENT_FORMAT, "example": 1},
                "c": {"description": "Known values: `on`; others may appear."}
            }}}}
        })
    );
}

#[test]
fn validation_keywords_are_dropped_but_property_names_are_kept() {
    let input = json!({"type": "object", "properties": {
        "pattern": {"type": "string", "minLength": 1, "maxLength": 9, "pattern": "^a"},
        "n": {"type": "integer", "minimum": 1, "maximum": 100, "exclusiveMaximum": 101},
        "l": {"type": "array", "minItems": 1, "maxItems": 10, "items": {"type": "string"}}
    }});
    assert_eq!(
        applied(drop_validation_keywords, input),
        json!({"type": "object", "properties": {
            "pattern": {"type": "string"},
            "n": {"type": "integer"},
            "l": {"type": "array", "items": {"type": "string"}}
        }})
    );
}

#[test]
fn string_alternatives_become_one_string() {
    let input = json!({"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]});
    assert_eq!(
        applied(string_alternatives_to_string, input),
        json!({"type": "string"})
    );
    let mixed = json!({"oneOf": [{"type": "string"}, {"type": "integer"}]});
    assert_eq!(applied(string_alternatives_to_string, mixed.clone()), mixed);
}

#[test]
fn required_alternatives_beside_properties_are_dropped() {
    let out = applied(
        drop_required_alternatives,
        json!({"type": "object", "properties": {"id": {"type": "string"}},
               "anyOf": [{"required": ["id"]}, {"required": ["data"], "properties": {"data": {"required": ["id"]}}}]}),
    );
    assert_eq!(
        out,
        json!({"type": "object", "properties": {"id": {"type": "string"}}})
    );
    let kept = json!({"properties": {}, "anyOf": [{"type": "string"}]});
    assert_eq!(applied(drop_required_alternatives, kept.clone()), kept);
}
