//! Every documented server rule is checked before any I/O: the error names the field and the
//! rule, and no request reaches the server.

mod common;

use common::{AGENT, SESSION_ID, client};
use httpmock::MockServer;
use osvi_ext::campaigns::Contact;
use osvi_ext::{Client, Error};
use serde_json::json;

/// Runs `op` against a server that counts every request, and returns the validation error's
/// `(field, rule)` after checking that nothing was sent.
async fn refused<F, Fut, T>(op: F) -> (String, String)
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = osvi_ext::Result<T>>,
    T: std::fmt::Debug,
{
    let server = MockServer::start_async().await;
    let catch_all = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let result = op(client(&server)).await;
    assert_eq!(
        catch_all.calls_async().await,
        0,
        "a request reached the server"
    );
    match result {
        Err(Error::Validation { field, rule }) => (field, rule),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

fn pair(field: &str, rule: &str) -> (String, String) {
    (field.to_string(), rule.to_string())
}

#[tokio::test]
async fn agent_uuid_form() {
    let got = refused(|c| async move {
        c.calls()
            .create("IsZ3Q6Sf", "9876543210", "IN")
            .send()
            .await
    })
    .await;
    assert_eq!(
        got,
        pair(
            "agent_uuid",
            "must match `^agent_[A-Za-z0-9_-]+$` (e.g. agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og)"
        )
    );
    let got =
        refused(|c| async move { c.dnd().add("agent_bad id", "9876543210").send().await }).await;
    assert_eq!(
        got,
        pair(
            "agent_uuid",
            "must match `^agent_[A-Za-z0-9_-]+$` (e.g. agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og)"
        )
    );
    let got = refused(|c| async move { c.calls().list().agent("nope").page(1).await }).await;
    assert_eq!(got.0, "agent_uuid");
    let got =
        refused(|c| async move { c.chat().create_session("x", "+15551112222").send().await }).await;
    assert_eq!(got.0, "agent_uuid");
}

#[tokio::test]
async fn country_code_is_iso_alpha_2() {
    let got =
        refused(|c| async move { c.calls().create(AGENT, "9876543210", "India").send().await })
            .await;
    assert_eq!(
        got,
        pair("country_code", "must match `^[A-Za-z]{2}$` (e.g. IN)")
    );
}

#[tokio::test]
async fn phone_number_is_digits_only() {
    let got =
        refused(|c| async move { c.calls().create(AGENT, "+919876543210", "IN").send().await })
            .await;
    assert_eq!(
        got,
        pair("phone_number", "must match `^[0-9]+$` (e.g. 9876543210)")
    );
    let got =
        refused(|c| async move { c.calls().create(AGENT, "98765 43210", "IN").send().await }).await;
    assert_eq!(got.0, "phone_number");
}

#[tokio::test]
async fn initial_greeting_at_most_2000_characters() {
    let long = "é".repeat(2001);
    let got = refused(|c| async move {
        c.calls()
            .create(AGENT, "9876543210", "IN")
            .initial_greeting(long)
            .send()
            .await
    })
    .await;
    assert_eq!(
        got,
        pair(
            "initial_greeting",
            "must be at most 2000 characters, got 2001"
        )
    );
}

#[tokio::test]
async fn call_config_override_ranges() {
    let got = refused(|c| async move {
        c.calls()
            .create(AGENT, "9876543210", "IN")
            .max_call_duration_seconds(29)
            .send()
            .await
    })
    .await;
    assert_eq!(
        got,
        pair(
            "call_config_overrides.max_call_duration_seconds",
            "must be between 30 and 1800, got 29"
        )
    );
    let got = refused(|c| async move {
        c.calls()
            .create(AGENT, "9876543210", "IN")
            .max_call_duration_seconds(1801)
            .send()
            .await
    })
    .await;
    assert_eq!(got.0, "call_config_overrides.max_call_duration_seconds");
    let got = refused(|c| async move {
        c.calls()
            .create(AGENT, "9876543210", "IN")
            .redial(
                osvi_ext::calls::Redial::new()
                    .max_attempts(11)
                    .interval_minutes(30),
            )
            .send()
            .await
    })
    .await;
    assert_eq!(
        got,
        pair(
            "call_config_overrides.retry_config.max_attempts",
            "must be between 1 and 10, got 11"
        )
    );
    let got = refused(|c| async move {
        c.calls()
            .create(AGENT, "9876543210", "IN")
            .redial(
                osvi_ext::calls::Redial::new()
                    .max_attempts(0)
                    .interval_minutes(30),
            )
            .send()
            .await
    })
    .await;
    assert_eq!(got.0, "call_config_overrides.retry_config.max_attempts");
    let got = refused(|c| async move {
        c.calls()
            .create(AGENT, "9876543210", "IN")
            .redial(
                osvi_ext::calls::Redial::new()
                    .max_attempts(2)
                    .interval_minutes(1441),
            )
            .send()
            .await
    })
    .await;
    assert_eq!(
        got,
        pair(
            "call_config_overrides.retry_config.interval_minutes",
            "must be between 1 and 1440, got 1441"
        )
    );
    let got = refused(|c| async move {
        c.calls()
            .create(AGENT, "9876543210", "IN")
            .redial(
                osvi_ext::calls::Redial::new()
                    .max_attempts(2)
                    .interval_minutes(0),
            )
            .send()
            .await
    })
    .await;
    assert_eq!(got.0, "call_config_overrides.retry_config.interval_minutes");
}

#[tokio::test]
async fn webhook_url_is_http_with_a_host() {
    let got = refused(|c| async move {
        c.calls()
            .create(AGENT, "9876543210", "IN")
            .webhook_url("ftp://example.com/x")
            .send()
            .await
    })
    .await;
    assert_eq!(
        got,
        pair(
            "webhook_url",
            "must match `^[Hh][Tt][Tt][Pp][Ss]?://[^/?#@]+` (e.g. https://yourdomain.com/osvi-webhook)"
        )
    );
    let got = refused(|c| async move {
        c.calls()
            .create(AGENT, "9876543210", "IN")
            .webhook_url("example.com/hook")
            .send()
            .await
    })
    .await;
    assert_eq!(got.0, "webhook_url");
}

#[tokio::test]
async fn additional_data_is_an_object() {
    let got = refused(|c| async move {
        c.calls()
            .create(AGENT, "9876543210", "IN")
            .additional_data(json!(["a"]))
            .send()
            .await
    })
    .await;
    assert_eq!(
        got,
        pair("additional_data", "must be a JSON object, got an array")
    );
    let got = refused(|c| async move {
        c.calls()
            .create(AGENT, "9876543210", "IN")
            .additional_data(42)
            .send()
            .await
    })
    .await;
    assert_eq!(
        got,
        pair("additional_data", "must be a JSON object, got a number")
    );
}

#[tokio::test]
async fn data_extraction_descriptions_are_not_empty() {
    let got = refused(|c| async move {
        c.calls()
            .create(AGENT, "9876543210", "IN")
            .extract("ok", "Ask.")
            .extract("confirmed", "")
            .send()
            .await
    })
    .await;
    assert_eq!(
        got,
        pair("data_extraction[1].description", "must not be empty")
    );
}

#[tokio::test]
async fn a_campaign_upload_needs_a_contact_and_valid_contacts_throughout() {
    let got = refused(|c| async move {
        c.campaigns()
            .add_contacts(AGENT, 7, Vec::new())
            .send()
            .await
    })
    .await;
    assert_eq!(got, pair("contacts", "must hold at least 1 item(s), got 0"));
    // One bad contact past the first request's 10,000 still stops everything before I/O.
    let mut contacts: Vec<Contact> = (0..12_000)
        .map(|i| Contact::new(format!("98765{i:05}")))
        .collect();
    contacts[11_500] = Contact::new("9876543210").variable("person_name", "x");
    let got =
        refused(|c| async move { c.campaigns().add_contacts(AGENT, 7, contacts).send().await })
            .await;
    assert_eq!(got.0, "contacts[11500].variables.person_name");
}

#[tokio::test]
async fn contact_variables_may_not_shadow_the_contact_fields() {
    let contacts = vec![Contact::new("9876543210").variable("phone", "x")];
    let got =
        refused(|c| async move { c.campaigns().add_contacts(AGENT, 7, contacts).send().await })
            .await;
    assert_eq!(
        got,
        pair(
            "contacts[0].variables.phone",
            "is reserved: set it with the field of the same name"
        )
    );
}

#[tokio::test]
async fn inject_context_is_not_empty() {
    let got = refused(|c| async move { c.chat().inject_context(SESSION_ID, "").await }).await;
    assert_eq!(got, pair("context", "must not be empty"));
}

#[tokio::test]
async fn support_tell_needs_a_message() {
    let got = refused(|c| async move {
        c.chat()
            .support(SESSION_ID)
            .command(osvi_ext::chat::SupportCommand::Tell)
            .send()
            .await
    })
    .await;
    assert_eq!(got, pair("message", "is required for `tell`"));
}

/// The docs show the API's own `400` for an empty number ("param is missing or the value is
/// empty: phone"); its format is the API's to judge (see ext_never_stricter.rs).
#[tokio::test]
async fn a_dnd_number_is_not_empty() {
    let got = refused(|c| async move { c.dnd().remove(AGENT, " ").await }).await;
    assert_eq!(got, pair("phone", "must not be empty"));
    let got = refused(|c| async move { c.dnd().add(AGENT, "").send().await }).await;
    assert_eq!(got, pair("phone", "must not be empty"));
}

#[test]
fn the_client_refuses_bad_tokens_and_plain_http() {
    let err = Client::builder().token("too-short").build().unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid client configuration: the API token must be 16 characters long, this one has 9"
    );
    let err = Client::builder()
        .token(common::TOKEN)
        .base_url("http://api.osvi.ai")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config { .. }), "{err:?}");
    let err = Client::builder().build().unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid client configuration: no API token: call .token() or set OSVI_API_TOKEN"
    );
}
