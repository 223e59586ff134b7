//! The MCP server: lists the generated tools (the call-placing ones only with
//! `--allow-calls`), checks each call's input against the tool's JSON Schema, runs it through
//! [`super::handlers`] and renders the outcome as a tool result: the SDK's JSON as structured
//! content plus its text, or `isError: true` with the error's kind, status, request id and the
//! server's messages. A failure of the API is never a protocol error, and never shows the
//! token (the SDK's errors do not carry it).

use std::collections::HashMap;
use std::sync::Arc;

use osvi_generated::PlacesCalls;
use osvi_generated::tools::{TOOLS, Tool, dispatch};
use rmcp::ErrorData as McpError;
use rmcp::handler::server::ServerHandler;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::{RequestContext, RoleServer};
use serde_json::{Map, Value, json};

use super::handlers::{Handlers, ToolFailure};

/// One listed tool: its MCP description and the validator of its input.
struct Listed {
    tool: rmcp::model::Tool,
    validator: jsonschema::Validator,
}

/// The server state shared by every session.
pub(crate) struct OsviMcp {
    handlers: Handlers,
    tools: HashMap<&'static str, Listed>,
    order: Vec<&'static str>,
}

/// Whether a tool places phone calls whatever its input (`create_call`, `legacy_create_call`):
/// not listed without `--allow-calls`. A tool that places calls only when a body flag is set
/// (contact uploads with `enqueue`) is listed, and refuses that flag without `--allow-calls`.
fn always_places_calls(tool: &Tool) -> bool {
    tool.operation.places_calls == PlacesCalls::Always
}

impl OsviMcp {
    /// The server for `handlers`; the tool table is the generated one.
    pub(crate) fn new(handlers: Handlers) -> Result<Arc<OsviMcp>, String> {
        let mut tools = HashMap::new();
        let mut order = Vec::new();
        for tool in TOOLS {
            if always_places_calls(tool) && !handlers.allow_calls {
                continue;
            }
            let schema: Value = serde_json::from_str(tool.input_schema)
                .map_err(|e| format!("{}: its input schema is not JSON: {e}", tool.name))?;
            let validator = jsonschema::validator_for(&schema).map_err(|e| {
                format!("{}: its input schema is not a JSON Schema: {e}", tool.name)
            })?;
            let described = json!({
                "name": tool.name,
                "title": tool.title,
                "description": tool.description,
                "inputSchema": schema,
                "annotations": {
                    "title": tool.title,
                    "readOnlyHint": tool.read_only,
                    "destructiveHint": tool.destructive,
                    "idempotentHint": tool.idempotent,
                    "openWorldHint": true,
                },
            });
            let described = serde_json::from_value(described)
                .map_err(|e| format!("{}: not an MCP tool: {e}", tool.name))?;
            order.push(tool.name);
            tools.insert(
                tool.name,
                Listed {
                    tool: described,
                    validator,
                },
            );
        }
        Ok(Arc::new(OsviMcp {
            handlers,
            tools,
            order,
        }))
    }

    /// Runs tool `name` on `arguments` and renders the outcome.
    pub(crate) async fn call(
        &self,
        name: &str,
        arguments: Map<String, Value>,
    ) -> Result<Value, McpError> {
        let Some(listed) = self.tools.get(name) else {
            let hidden = TOOLS.iter().any(|t| t.name == name);
            let message = match hidden {
                true => format!(
                    "`{name}` places phone calls and this server was started without --allow-calls"
                ),
                false => format!("no tool named `{name}`"),
            };
            return Err(McpError::invalid_params(message, None));
        };
        let input = Value::Object(arguments);
        let problems: Vec<(String, String)> = listed
            .validator
            .iter_errors(&input)
            .map(|error| (field_of(&error), rule_of(&error)))
            .collect();
        if !problems.is_empty() {
            return Ok(invalid_input(problems));
        }
        let Value::Object(arguments) = input else {
            return Err(McpError::invalid_params(
                "the arguments must be an object",
                None,
            ));
        };
        let outcome = dispatch(&self.handlers, name, arguments).await;
        Ok(match outcome {
            Some(Ok(value)) => success(value),
            Some(Err(failure_)) => failure(failure_),
            None => {
                return Err(McpError::invalid_params(
                    format!("no tool named `{name}`"),
                    None,
                ));
            }
        })
    }

    /// The listed tools, in the order of the spec.
    pub(crate) fn listed(&self) -> Vec<rmcp::model::Tool> {
        self.order
            .iter()
            .filter_map(|name| self.tools.get(name))
            .map(|listed| listed.tool.clone())
            .collect()
    }
}

/// The input a schema error is about, as a dotted path (`contacts.3.phone`); for a missing
/// one, its name.
fn field_of(error: &jsonschema::ValidationError<'_>) -> String {
    let path = error.instance_path().to_string();
    let path = path.trim_start_matches('/').replace('/', ".");
    let missing = match error.kind() {
        jsonschema::error::ValidationErrorKind::Required { property } => property.as_str(),
        _ => None,
    };
    match (path.is_empty(), missing) {
        (true, Some(name)) => name.to_string(),
        (false, Some(name)) => format!("{path}.{name}"),
        (true, None) => "(input)".to_string(),
        (false, None) => path,
    }
}

/// How much of the offending value a rule quotes.
const QUOTED_CHARS: usize = 60;

/// The rule a schema error names, in words; a long offending value is not quoted whole
/// (`"xxxx…" is longer than 2000 characters` becomes `the value is longer than ...`).
fn rule_of(error: &jsonschema::ValidationError<'_>) -> String {
    let message = error.to_string();
    let quoted = error.instance().to_string();
    match message.strip_prefix(&quoted) {
        Some(rest) if quoted.chars().count() > QUOTED_CHARS => format!("the value{rest}"),
        _ => message,
    }
}

/// A successful tool result: the value as structured content (an object; other values under
/// `result`) and as compact JSON text.
fn success(value: Value) -> Value {
    let text = value.to_string();
    let structured = match value {
        Value::Object(_) => value,
        other => json!({"result": other}),
    };
    json!({
        "content": [{"type": "text", "text": text}],
        "structuredContent": structured,
        "isError": false,
    })
}

/// The failed result of an input its schema refuses: every broken rule, the first one as
/// `field` and `rule`, all of them in `problems`; nothing was sent.
fn invalid_input(problems: Vec<(String, String)>) -> Value {
    let text: Vec<String> = problems
        .iter()
        .map(|(field, rule)| format!("`{field}`: {rule}"))
        .collect();
    let (field, rule) = problems.first().cloned().unwrap_or_default();
    let listed: Vec<Value> = problems
        .into_iter()
        .map(|(field, rule)| json!({"field": field, "rule": rule}))
        .collect();
    json!({
        "content": [{"type": "text", "text": format!("invalid input {}; nothing was sent", text.join("; "))}],
        "structuredContent": {
            "error": "invalid_input", "field": field, "rule": rule, "problems": listed, "sent": false,
        },
        "isError": true,
    })
}

/// A failed tool result (`isError: true`): what went wrong, for the agent to act on.
fn failure(failure: ToolFailure) -> Value {
    let (text, structured) = match failure {
        ToolFailure::Input { field, rule } => (
            format!("invalid input `{field}`: {rule}; nothing was sent"),
            json!({"error": "invalid_input", "field": field, "rule": rule, "sent": false}),
        ),
        ToolFailure::Render(message) => (
            message.clone(),
            json!({"error": "render", "message": message}),
        ),
        ToolFailure::Refused(message) => (
            message.clone(),
            json!({"error": "refused", "message": message, "sent": false}),
        ),
        ToolFailure::Api(error) => (
            error.to_string(),
            json!({
                "error": error.kind(),
                "status": error.status(),
                "request_id": error.request_id(),
                "messages": error.messages(),
                "may_have_reached_server": error.may_have_reached_server(),
                "uncertain": error.is_uncertain(),
                "message": error.to_string(),
            }),
        ),
    };
    json!({
        "content": [{"type": "text", "text": text}],
        "structuredContent": structured,
        "isError": true,
    })
}

/// The MCP face of the server, one per session, sharing the state.
#[derive(Clone)]
pub(crate) struct Session(pub(crate) Arc<OsviMcp>);

impl ServerHandler for Session {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder().enable_tools().build();
        ServerConfig::new(capabilities)
            .with_server_info(rmcp::model::Implementation::new(
                "osvi",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(
                "OSVI AI: phone-call and chat agents. One tool per API operation. Tools that place \
                 phone calls need confirm: true (dry_run: true shows the request) and are only \
                 listed when the server allows calls.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        let listed = json!({"tools": self.0.listed()});
        serde_json::from_value(listed)
            .map_err(|e| McpError::internal_error(format!("cannot list the tools: {e}"), None))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let arguments = request.arguments.unwrap_or_default();
        let result = self.0.call(&request.name, arguments).await?;
        let result: CallToolResult = serde_json::from_value(result).map_err(|e| {
            McpError::internal_error(format!("cannot render the result: {e}"), None)
        })?;
        Ok(result.into())
    }
}
