//! Placing a call: the [`CreateCall`] builder of `POST /v1/call`, with the call's overrides
//! ([`Redial`]) and data-extraction fields ([`ExtractionField`]).

use osvi_generated::spec::{operations, rules};
use osvi_generated::types;
use serde_json::{Map, Value};

use crate::client::Client;
use crate::error::Result;
use crate::preview::RequestPreview;
use crate::retry::ReconcilePolicy;
use crate::validate;

use super::model::CallCreated;
use super::reconcile::{self, Target};

/// One data point the agent should extract during the call (`data_extraction[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractionField {
    /// The key the value is returned under in [`Call::data_captured`](super::Call::data_captured).
    pub key: Option<String>,
    /// What the agent should ask or extract. Required, non-empty.
    pub description: String,
    /// Whether the call only succeeds if this is collected.
    pub required: Option<bool>,
    /// The expected format, e.g. `yes or no`, `date and time`.
    pub output_format: Option<String>,
}

impl ExtractionField {
    /// A field with a key and a description.
    pub fn new(key: impl Into<String>, description: impl Into<String>) -> Self {
        ExtractionField {
            key: Some(key.into()),
            description: description.into(),
            required: None,
            output_format: None,
        }
    }

    /// Marks the field required (or not).
    pub fn required(mut self, required: bool) -> Self {
        self.required = Some(required);
        self
    }

    /// Sets the expected format of the value.
    pub fn output_format(mut self, format: impl Into<String>) -> Self {
        self.output_format = Some(format.into());
        self
    }
}

#[derive(Debug, Clone, Default)]
struct Overrides {
    max_call_duration_seconds: Option<u32>,
    enable_callback: Option<bool>,
    redial: Option<Redial>,
}

/// OSVI's automatic redial of an unanswered call (`call_config_overrides.retry_config`), for
/// [`CreateCall::redial`]. These are OSVI's new attempts at reaching the person, not the
/// SDK's HTTP retries. Every field is optional: what you leave unset keeps the agent's
/// setting.
///
/// ```
/// use osvi_ext::calls::Redial;
/// let off = Redial::off(); // {"enabled": false}
/// let three = Redial::new().max_attempts(3).interval_minutes(60);
/// let only_interval = Redial::new().interval_minutes(15); // {"interval_minutes": 15}
/// # let _ = (off, three, only_interval);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Redial {
    enabled: Option<bool>,
    max_attempts: Option<u32>,
    interval_minutes: Option<u32>,
}

impl Redial {
    /// Nothing set: add the fields you want to override.
    pub fn new() -> Self {
        Redial::default()
    }

    /// Redial turned off for this call (`enabled: false`).
    pub fn off() -> Self {
        Redial::new().enabled(false)
    }

    /// Turns redialing on or off.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = Some(enabled);
        self
    }

    /// At most this many attempts (1..=10 in the spec).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// Minutes between attempts (1..=1440 in the spec).
    pub fn interval_minutes(mut self, minutes: u32) -> Self {
        self.interval_minutes = Some(minutes);
        self
    }

    /// The checked `retry_config` of `call_config_overrides`.
    fn to_wire(self, field: &str) -> Result<types::RetryConfig> {
        if let Some(attempts) = self.max_attempts {
            validate::integer(
                &format!("{field}.max_attempts"),
                attempts.into(),
                &rules::retry_config::MAX_ATTEMPTS,
            )?;
        }
        if let Some(minutes) = self.interval_minutes {
            validate::integer(
                &format!("{field}.interval_minutes"),
                minutes.into(),
                &rules::retry_config::INTERVAL_MINUTES,
            )?;
        }
        Ok(types::RetryConfig {
            enabled: self.enabled,
            max_attempts: self.max_attempts.map(i64::from),
            interval_minutes: self.interval_minutes.map(i64::from),
        })
    }
}

/// Builder of `POST /v1/call`, from [`Calls::create`](super::Calls::create). Every setting is optional; unset ones
/// fall back to the agent's defaults.
///
/// **Never dials twice.** Placing a call dials a person, so the SDK sends this request once:
/// it is retried only when the first attempt provably never reached the server (connection
/// refused or DNS failure, before any byte was written), whatever the
/// [`RetryPolicy`](crate::RetryPolicy). A timeout or a 5xx is returned to you as is; check
/// [`Calls::list`](super::Calls::list) before placing the call again.
#[derive(Debug, Clone)]
#[must_use = "a call is placed only when you .await it (or call .send())"]
pub struct CreateCall {
    client: Client,
    agent_uuid: String,
    phone_number: String,
    country_code: String,
    system_prompt: Option<String>,
    webhook_url: Option<String>,
    person_name: Option<String>,
    additional_data: Option<std::result::Result<Value, String>>,
    initial_greeting: Option<String>,
    overrides: Overrides,
    extraction: Vec<ExtractionField>,
    reconcile: Option<ReconcilePolicy>,
}

impl CreateCall {
    /// A call from `agent_uuid` to `phone_number` in `country_code`, nothing else set.
    pub(super) fn new(
        client: Client,
        agent_uuid: String,
        phone_number: String,
        country_code: String,
    ) -> Self {
        CreateCall {
            client,
            agent_uuid,
            phone_number,
            country_code,
            system_prompt: None,
            webhook_url: None,
            person_name: None,
            additional_data: None,
            initial_greeting: None,
            overrides: Overrides::default(),
            extraction: Vec::new(),
            reconcile: None,
        }
    }

    /// Overrides the agent's system prompt for this call only.
    pub fn system_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.system_prompt = Some(prompt.into());
        self
    }

    /// The URL OSVI POSTs the result to when the call completes (http or https, with a host).
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = Some(url.into());
        self
    }

    /// The callee's name, available to the agent.
    pub fn person_name(mut self, name: impl Into<String>) -> Self {
        self.person_name = Some(name.into());
        self
    }

    /// Context for the agent, as a JSON object (e.g. `json!({"appointment_date": "2025-01-15"})`).
    /// Anything serializable works; it must serialize to an object.
    pub fn additional_data(mut self, data: impl serde::Serialize) -> Self {
        self.additional_data = Some(serde_json::to_value(data).map_err(|e| e.to_string()));
        self
    }

    /// The opening line the agent speaks when the call connects (at most 2000 characters).
    pub fn initial_greeting(mut self, greeting: impl Into<String>) -> Self {
        self.initial_greeting = Some(greeting.into());
        self
    }

    /// Hard limit on the call's length, 30..=1800 seconds.
    pub fn max_call_duration_seconds(mut self, seconds: u32) -> Self {
        self.overrides.max_call_duration_seconds = Some(seconds);
        self
    }

    /// Whether the contact may trigger a callback for this call.
    pub fn enable_callback(mut self, enable: bool) -> Self {
        self.overrides.enable_callback = Some(enable);
        self
    }

    /// OSVI's automatic redial when the call is not answered: turn it off
    /// ([`Redial::off`]) or override any of its settings ([`Redial`]). These are OSVI's new
    /// attempts at reaching the person, not the SDK's HTTP retries.
    pub fn redial(mut self, redial: Redial) -> Self {
        self.overrides.redial = Some(redial);
        self
    }

    /// Asks the agent to extract a data point, returned under `key` in
    /// [`Call::data_captured`](super::Call::data_captured).
    pub fn extract(self, key: impl Into<String>, description: impl Into<String>) -> Self {
        self.extract_field(ExtractionField::new(key, description))
    }

    /// Asks the agent to extract a data point, with every setting of [`ExtractionField`].
    pub fn extract_field(mut self, field: ExtractionField) -> Self {
        self.extraction.push(field);
        self
    }

    /// How an uncertain outcome of this placement is settled, instead of the client's
    /// [`ReconcilePolicy`] (e.g. `ReconcilePolicy::default().resend_if_absent(true)`).
    pub fn reconcile_policy(mut self, policy: ReconcilePolicy) -> Self {
        self.reconcile = Some(policy);
        self
    }

    /// Validates every field as [`send`](CreateCall::send) does and returns the exact
    /// request it would send, without sending anything (a dry run).
    pub fn preview(&self) -> Result<RequestPreview> {
        RequestPreview::of(&operations::CREATE_CALL, &[], &self.body()?)
    }

    /// Validates every field (nothing is sent if one is wrong) and places the call; an
    /// uncertain outcome is settled as the type's docs say.
    pub async fn send(self) -> Result<CallCreated> {
        let body = self.body()?;
        let target = Target {
            agent_uuid: &self.agent_uuid,
            phone_number: &self.phone_number,
        };
        let policy = self.reconcile.unwrap_or(self.client.reconcile);
        let operation = &operations::CREATE_CALL;
        reconcile::place(&self.client, policy, target, operation.id, || {
            let api = self.client.api(operation);
            let body = body.clone();
            async move {
                api.run(|| api.raw().create_call().body(body.clone()).send())
                    .await
            }
        })
        .await
    }

    /// The checked request body.
    fn body(&self) -> Result<types::CallRequest> {
        use rules::call_request as rule;
        validate::string("agent_uuid", &self.agent_uuid, &rule::AGENT_UUID)?;
        let country_code =
            validate::country_code("country_code", &self.country_code, &rule::COUNTRY_CODE)?;
        validate::string("phone_number", &self.phone_number, &rule::PHONE_NUMBER)?;
        if let Some(url) = &self.webhook_url {
            validate::string("webhook_url", url, &rule::WEBHOOK_URL)?;
        }
        let additional_data = match self.additional_data.clone() {
            Some(Ok(data)) => validate::json_object("additional_data", data)?,
            Some(Err(e)) => {
                let rule = format!("cannot be serialized to JSON: {e}");
                return Err(crate::Error::validation("additional_data", rule));
            }
            None => Map::new(),
        };
        if let Some(text) = &self.initial_greeting {
            validate::string("initial_greeting", text, &rule::INITIAL_GREETING)?;
        }
        let data_extraction = self
            .extraction
            .iter()
            .enumerate()
            .map(|(i, f)| {
                validate::string(
                    &format!("data_extraction[{i}].description"),
                    &f.description,
                    &rules::data_extraction_field::DESCRIPTION,
                )?;
                Ok(types::DataExtractionField {
                    key: f.key.clone(),
                    description: f.description.clone(),
                    required: f.required,
                    output_format: f.output_format.clone(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(types::CallRequest {
            agent_uuid: self.agent_uuid.clone(),
            phone_number: self.phone_number.clone(),
            country_code,
            system_prompt: self.system_prompt.clone(),
            webhook_url: self.webhook_url.clone(),
            person_name: self.person_name.clone(),
            additional_data,
            initial_greeting: self.initial_greeting.clone(),
            call_config_overrides: self.overrides.to_wire()?,
            data_extraction,
        })
    }
}

impl Overrides {
    /// The checked `call_config_overrides`, or `None` when nothing is overridden.
    fn to_wire(&self) -> Result<Option<types::CallConfigOverrides>> {
        const FIELD: &str = "call_config_overrides";
        if let Some(seconds) = self.max_call_duration_seconds {
            validate::integer(
                &format!("{FIELD}.max_call_duration_seconds"),
                seconds.into(),
                &rules::call_config_overrides::MAX_CALL_DURATION_SECONDS,
            )?;
        }
        let retry_config = self
            .redial
            .map(|redial| redial.to_wire(&format!("{FIELD}.retry_config")))
            .transpose()?;
        if self.max_call_duration_seconds.is_none()
            && self.enable_callback.is_none()
            && retry_config.is_none()
        {
            return Ok(None);
        }
        Ok(Some(types::CallConfigOverrides {
            max_call_duration_seconds: self.max_call_duration_seconds.map(i64::from),
            enable_callback: self.enable_callback,
            retry_config,
        }))
    }
}
