//! What each tool does: the generated [`ToolHandlers`] trait implemented on osvi-ext, one
//! method per operation. The input has already been checked against the tool's JSON Schema
//! (see [`super::server`]); each method reads it into the SDK's builder, which validates the
//! documented rules and retries and paginates as the SDK does, and answers the SDK's value as
//! JSON (the `serde` feature's shape).

use osvi_ext::calls::{CallStatus, CallType, ExtractionField, Redial};
use osvi_ext::campaigns::Contact;
use osvi_ext::chat::SupportCommand;
use osvi_ext::{Client, Error, Page};
use osvi_generated::tools::{ALL_CAP, ToolHandlers, ToolInput};
use serde::Serialize;
use serde_json::{Map, Value, json};

use futures::{StreamExt, TryStreamExt};

/// Why a tool call failed.
#[derive(Debug)]
pub(crate) enum ToolFailure {
    /// The input breaks a rule; nothing was sent.
    Input {
        /// The input, as a path (`contacts[3].phone`).
        field: String,
        /// The rule, in words.
        rule: String,
    },
    /// The call would place phone calls and is not allowed as asked; nothing was sent.
    Refused(String),
    /// The SDK's answer could not be rendered as JSON (whatever the request did).
    Render(String),
    /// The SDK's error.
    Api(Error),
}

impl From<Error> for ToolFailure {
    fn from(error: Error) -> Self {
        match error {
            Error::Validation { field, rule } => ToolFailure::Input { field, rule },
            other => ToolFailure::Api(other),
        }
    }
}

/// What a tool call answers: the JSON of the SDK's value, or why it failed.
pub(crate) type Outcome = Result<Value, ToolFailure>;

/// The tools, on a client.
pub(crate) struct Handlers {
    pub(crate) client: Client,
    /// Whether call-placing tools may run (`--allow-calls`).
    pub(crate) allow_calls: bool,
}

/// The JSON of an SDK value.
fn json_of(value: &impl Serialize) -> Outcome {
    serde_json::to_value(value)
        .map_err(|e| ToolFailure::Render(format!("cannot render the answer: {e}")))
}

/// The inputs of one tool call, read by name. The schema check has run, so a wrong type is
/// rare; it is still an input error, never a panic.
struct Input(ToolInput);

impl Input {
    fn wrong(key: &str, what: &str) -> ToolFailure {
        ToolFailure::Input {
            field: key.to_string(),
            rule: format!("must be {what}"),
        }
    }

    fn text(&self, key: &str) -> Result<Option<String>, ToolFailure> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(Input::wrong(key, "a string")),
        }
    }

    fn required(&self, key: &str) -> Result<String, ToolFailure> {
        self.text(key)?.ok_or_else(|| ToolFailure::Input {
            field: key.to_string(),
            rule: "is required".into(),
        })
    }

    fn int(&self, key: &str) -> Result<Option<i64>, ToolFailure> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => value
                .as_i64()
                .map(Some)
                .ok_or_else(|| Input::wrong(key, "an integer")),
        }
    }

    fn required_int(&self, key: &str) -> Result<i64, ToolFailure> {
        self.int(key)?.ok_or_else(|| ToolFailure::Input {
            field: key.to_string(),
            rule: "is required".into(),
        })
    }

    fn u32(&self, key: &str) -> Result<Option<u32>, ToolFailure> {
        match self.int(key)? {
            None => Ok(None),
            Some(n) => u32::try_from(n)
                .map(Some)
                .map_err(|_| Input::wrong(key, "a non-negative integer")),
        }
    }

    fn bool(&self, key: &str) -> Result<Option<bool>, ToolFailure> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(Input::wrong(key, "a boolean")),
        }
    }

    /// A boolean that is `false` when left out.
    fn flag(&self, key: &str) -> Result<bool, ToolFailure> {
        Ok(self.bool(key)?.unwrap_or(false))
    }

    fn object(&self, key: &str) -> Result<Option<Map<String, Value>>, ToolFailure> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(o)) => Ok(Some(o.clone())),
            Some(_) => Err(Input::wrong(key, "an object")),
        }
    }

    fn list(&self, key: &str) -> Result<Vec<Value>, ToolFailure> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => Ok(items.clone()),
            Some(_) => Err(Input::wrong(key, "an array")),
        }
    }
}

/// How a call-placing tool call may go: refused, a dry run, or for real.
enum Placement {
    DryRun,
    Send,
}

impl Handlers {
    /// Checks the call-placing rules: allowed by the server, and `confirm: true` (or a dry
    /// run, which sends nothing and needs neither).
    fn placement(&self, input: &Input, tool: &str) -> Result<Placement, ToolFailure> {
        if input.flag("dry_run")? {
            return Ok(Placement::DryRun);
        }
        if !self.allow_calls {
            return Err(ToolFailure::Refused(format!(
                "`{tool}` places phone calls, and this server was started without --allow-calls; nothing was sent"
            )));
        }
        if !input.flag("confirm")? {
            return Err(ToolFailure::Refused(format!(
                "`{tool}` dials real people: call it again with \"confirm\": true to place the call (or \"dry_run\": true to see the request); nothing was sent"
            )));
        }
        Ok(Placement::Send)
    }
}

/// A page of a list, or every item (at most [`ALL_CAP`]) with `all: true`.
async fn page_or_all<T: Serialize + Send>(
    input: &Input,
    page: impl std::future::Future<Output = osvi_ext::Result<Page<T>>>,
    all: impl futures::Stream<Item = osvi_ext::Result<T>>,
) -> Outcome {
    if input.flag("all")? {
        let cap = usize::try_from(ALL_CAP).unwrap_or(usize::MAX);
        let items: Vec<T> = all.take(cap).try_collect().await?;
        let capped = items.len() >= cap;
        return Ok(json!({"items": json_of(&items)?, "capped_at": capped.then_some(ALL_CAP)}));
    }
    json_of(&page.await?)
}

impl ToolHandlers for Handlers {
    type Output = Outcome;

    async fn list_active_agents(&self, _input: ToolInput) -> Outcome {
        let agents = self.client.agents().list_active().await?;
        Ok(json!({"items": json_of(&agents)?}))
    }

    async fn create_call(&self, input: ToolInput) -> Outcome {
        let input = Input(input);
        let placement = self.placement(&input, "create_call")?;
        let mut call = self.client.calls().create(
            input.required("agent_uuid")?,
            input.required("phone_number")?,
            input.required("country_code")?,
        );
        if let Some(v) = input.text("system_prompt")? {
            call = call.system_prompt(v);
        }
        if let Some(v) = input.text("webhook_url")? {
            call = call.webhook_url(v);
        }
        if let Some(v) = input.text("person_name")? {
            call = call.person_name(v);
        }
        if let Some(v) = input.object("additional_data")? {
            call = call.additional_data(v);
        }
        if let Some(v) = input.text("initial_greeting")? {
            call = call.initial_greeting(v);
        }
        if let Some(overrides) = input.object("call_config_overrides")? {
            let overrides = Input(overrides);
            if let Some(seconds) = overrides.u32("max_call_duration_seconds")? {
                call = call.max_call_duration_seconds(seconds);
            }
            if let Some(enable) = overrides.bool("enable_callback")? {
                call = call.enable_callback(enable);
            }
            if let Some(retry) = overrides.object("retry_config")? {
                let retry = Input(retry);
                let mut redial = Redial::new();
                if let Some(enabled) = retry.bool("enabled")? {
                    redial = redial.enabled(enabled);
                }
                if let Some(n) = retry.u32("max_attempts")? {
                    redial = redial.max_attempts(n);
                }
                if let Some(n) = retry.u32("interval_minutes")? {
                    redial = redial.interval_minutes(n);
                }
                call = call.redial(redial);
            }
        }
        for (i, field) in input.list("data_extraction")?.into_iter().enumerate() {
            let Value::Object(field) = field else {
                return Err(Input::wrong(&format!("data_extraction[{i}]"), "an object"));
            };
            let field = Input(field);
            call = call.extract_field(ExtractionField {
                key: field.text("key")?,
                description: field.text("description")?.unwrap_or_default(),
                required: field.bool("required")?,
                output_format: field.text("output_format")?,
            });
        }
        match placement {
            Placement::DryRun => {
                Ok(json!({"dry_run": true, "request": json_of(&call.preview()?)?}))
            }
            Placement::Send => json_of(&call.send().await?),
        }
    }

    async fn list_calls(&self, input: ToolInput) -> Outcome {
        let input = Input(input);
        let mut list = self.client.calls().list();
        if let Some(statuses) = input.text("status")? {
            let statuses: Vec<CallStatus> = statuses
                .split(',')
                .map(|s| s.trim().parse())
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    Input::wrong("status", "a call status or a comma-separated list of them")
                })?;
            list = list.status(statuses);
        }
        if let Some(v) = input.text("agent_uuid")? {
            list = list.agent(v);
        }
        if let Some(v) = input.int("campaign_id")? {
            list = list.campaign(v);
        }
        if let Some(v) = input.int("campaign_upload_id")? {
            list = list.campaign_upload(v);
        }
        if let Some(v) = input.text("phone_number")? {
            list = list.phone_number(v);
        }
        if let Some(v) = input.text("call_type")? {
            let call_type: CallType = v
                .parse()
                .map_err(|_| Input::wrong("call_type", "inbound or outbound"))?;
            list = list.call_type(call_type);
        }
        for (key, since) in [("start_date", true), ("end_date", false)] {
            if let Some(text) = input.text(key)? {
                let bound = crate::calls::date_bound(&text).map_err(|rule| ToolFailure::Input {
                    field: key.into(),
                    rule,
                })?;
                list = if since {
                    list.since(bound)
                } else {
                    list.until(bound)
                };
            }
        }
        if let Some(n) = input.u32("per_page")? {
            list = list.per_page(n);
        }
        let page = input.u32("page")?.unwrap_or(1);
        page_or_all(&input, list.clone().page(page), list.stream()).await
    }

    async fn get_call(&self, input: ToolInput) -> Outcome {
        json_of(
            &self
                .client
                .calls()
                .get(Input(input).required("id")?)
                .await?,
        )
    }

    async fn get_call_transcript(&self, input: ToolInput) -> Outcome {
        json_of(
            &self
                .client
                .calls()
                .transcript(Input(input).required("id")?)
                .await?,
        )
    }

    async fn get_call_recording(&self, input: ToolInput) -> Outcome {
        json_of(
            &self
                .client
                .calls()
                .recording(Input(input).required("id")?)
                .await?,
        )
    }

    async fn add_campaign_contacts(&self, input: ToolInput) -> Outcome {
        let input = Input(input);
        let enqueue = input.flag("enqueue")?;
        let placement = match enqueue {
            true => self.placement(&input, "add_campaign_contacts with enqueue")?,
            false if input.flag("dry_run")? => Placement::DryRun,
            false => Placement::Send,
        };
        let mut contacts = Vec::new();
        for (i, contact) in input.list("contacts")?.into_iter().enumerate() {
            let Value::Object(mut fields) = contact else {
                return Err(Input::wrong(&format!("contacts[{i}]"), "an object"));
            };
            let phone = match fields.remove("phone") {
                Some(Value::String(phone)) => phone,
                _ => return Err(Input::wrong(&format!("contacts[{i}].phone"), "a string")),
            };
            let mut contact = Contact::new(phone);
            for (key, value) in fields {
                contact = match (key.as_str(), value) {
                    ("person_name", Value::String(name)) => contact.person_name(name),
                    (_, value) => contact.variable(key, value),
                };
            }
            contacts.push(contact);
        }
        let upload = self
            .client
            .campaigns()
            .add_contacts(
                input.required("agent_uuid")?,
                input.required_int("id")?,
                contacts,
            )
            .enqueue(enqueue);
        match placement {
            Placement::DryRun => {
                Ok(json!({"dry_run": true, "requests": json_of(&upload.preview()?)?}))
            }
            Placement::Send => json_of(&upload.send().await?),
        }
    }

    async fn get_campaign_status(&self, input: ToolInput) -> Outcome {
        json_of(
            &self
                .client
                .campaigns()
                .status(Input(input).required_int("id")?)
                .await?,
        )
    }

    async fn add_dnd_number(&self, input: ToolInput) -> Outcome {
        let input = Input(input);
        let mut add = self
            .client
            .dnd()
            .add(input.required("agent_uuid")?, input.required("phone")?);
        if let Some(reason) = input.text("reason")? {
            add = add.reason(reason);
        }
        json_of(&add.await?)
    }

    async fn list_dnd_numbers(&self, input: ToolInput) -> Outcome {
        let input = Input(input);
        let mut list = self.client.dnd().list(input.required("agent_uuid")?);
        if let Some(digits) = input.text("search")? {
            list = list.search(digits);
        }
        if let Some(n) = input.u32("per_page")? {
            list = list.per_page(n);
        }
        let page = input.u32("page")?.unwrap_or(1);
        page_or_all(&input, list.clone().page(page), list.stream()).await
    }

    async fn remove_dnd_number(&self, input: ToolInput) -> Outcome {
        let input = Input(input);
        let phone = input.required("phone")?;
        self.client
            .dnd()
            .remove(input.required("agent_uuid")?, &phone)
            .await?;
        Ok(json!({"removed": phone}))
    }

    async fn create_chat_session(&self, input: ToolInput) -> Outcome {
        let input = Input(input);
        let mut create = self.client.chat().create_session(
            input.required("agent_uuid")?,
            input.required("customer_id")?,
        );
        for (key, value) in input.object("input_fields")?.unwrap_or_default() {
            create = create.input_field(key, value);
        }
        for (i, entry) in input.list("context")?.into_iter().enumerate() {
            let Value::String(entry) = entry else {
                return Err(Input::wrong(&format!("context[{i}]"), "a string"));
            };
            create = create.context(entry);
        }
        json_of(&create.await?)
    }

    async fn send_chat_message(&self, input: ToolInput) -> Outcome {
        let input = Input(input);
        let mut send = self.client.chat().send_message(
            input.required("agent_uuid")?,
            input.required("customer_id")?,
            input.required("content")?,
        );
        if let Some(id) = input.text("session_id")? {
            send = send.session_id(id);
        }
        json_of(&send.await?)
    }

    async fn get_active_chat_session(&self, input: ToolInput) -> Outcome {
        let input = Input(input);
        let customer = input.required("customer_id")?;
        match input.text("agent_uuid")? {
            Some(agent) => json_of(&self.client.chat().active_session(agent, customer).await?),
            None => json_of(&self.client.chat().active_sessions(customer).await?),
        }
    }

    async fn send_support_command(&self, input: ToolInput) -> Outcome {
        let input = Input(input);
        let mut support = self.client.chat().support(input.required("id")?);
        if let Some(command) = input.text("command")? {
            let command: SupportCommand = command.parse().map_err(|_| {
                Input::wrong("command", "one of takeover, tell, whisper, end, close")
            })?;
            support = support.command(command);
        }
        if let Some(message) = input.text("message")? {
            support = support.message(message);
        }
        json_of(&support.await?)
    }

    async fn inject_chat_context(&self, input: ToolInput) -> Outcome {
        let input = Input(input);
        let inject = self
            .client
            .chat()
            .inject_context(input.required("id")?, input.required("context")?);
        json_of(&inject.await?)
    }

    #[allow(deprecated)]
    async fn legacy_create_call(&self, input: ToolInput) -> Outcome {
        let input = Input(input);
        let placement = self.placement(&input, "legacy_create_call")?;
        let mut call = self.client.legacy().create_call(
            input.required("agent_uuid")?,
            input.required("phone_number")?,
            input.required("country_code")?,
        );
        if let Some(v) = input.text("system_prompt")? {
            call = call.system_prompt(v);
        }
        if let Some(v) = input.text("webhook_url")? {
            call = call.webhook_url(v);
        }
        if let Some(v) = input.text("person_name")? {
            call = call.person_name(v);
        }
        for (key, value) in input.object("additional_data")?.unwrap_or_default() {
            call = call.data(key, value);
        }
        match placement {
            Placement::DryRun => {
                Ok(json!({"dry_run": true, "request": json_of(&call.preview()?)?}))
            }
            Placement::Send => json_of(&call.send().await?),
        }
    }

    #[allow(deprecated)]
    async fn legacy_start_chat_session(&self, input: ToolInput) -> Outcome {
        let input = Input(input);
        let mut start = self
            .client
            .legacy()
            .start_chat_session(input.required("agent_uuid")?);
        for (key, value) in input.object("metadata")?.unwrap_or_default() {
            start = start.metadata(key, value);
        }
        json_of(&start.await?)
    }

    #[allow(deprecated)]
    async fn legacy_send_chat_message(&self, input: ToolInput) -> Outcome {
        let input = Input(input);
        let send = self.client.legacy().send_chat_message(
            input.required("agent_uuid")?,
            input.required("chat_session_id")?,
            input.required("message")?,
        );
        json_of(&send.await?)
    }

    #[allow(deprecated)]
    async fn legacy_close_chat_session(&self, input: ToolInput) -> Outcome {
        let input = Input(input);
        let close = self
            .client
            .legacy()
            .close_chat_session(input.required("agent_uuid")?, input.required("id")?);
        json_of(&close.await?)
    }

    #[allow(deprecated)]
    async fn legacy_pause_chat_session(&self, input: ToolInput) -> Outcome {
        let input = Input(input);
        let agent = input.text("agent_uuid")?.unwrap_or_default();
        let pause = self
            .client
            .legacy()
            .pause_chat_session(agent, input.required("id")?);
        json_of(&pause.await?)
    }
}
