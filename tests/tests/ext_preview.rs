//! Dry runs: `preview()` of the builders that place calls returns exactly the request `send()`
//! puts on the wire (method, path, JSON body), validated the same way, and sends nothing.

mod common;

use common::scripted::{Reply, Scripted};
use common::{AGENT, TOKEN};
use osvi_ext::calls::{ExtractionField, Redial};
use osvi_ext::campaigns::Contact;
use osvi_ext::{Client, Error};
use serde_json::{Value, json};

fn client(base_url: &str) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(base_url)
        .build()
        .unwrap()
}

/// The request line and JSON body of the `n`th request the server saw.
fn seen(server: &Scripted, n: usize) -> (String, Value) {
    let seen = server.seen.lock().unwrap();
    let line = seen[n].head.lines().next().unwrap_or_default().to_string();
    (
        line,
        serde_json::from_str(&seen[n].body).expect("a JSON body"),
    )
}

#[tokio::test]
async fn a_call_preview_is_the_request_send_makes() {
    let server = Scripted::start(vec![Reply::json(
        200,
        json!({"success": true, "data": {"call_id": "c-1"}}),
    )])
    .await;
    let call = client(&server.base_url)
        .calls()
        .create(AGENT, "9876543210", "in")
        .person_name("John Doe")
        .additional_data(json!({"plan": "Pro"}))
        .redial(Redial::new().max_attempts(3))
        .extract_field(ExtractionField::new("confirmed", "Ask to confirm").required(true));
    let preview = call.preview().unwrap();
    assert_eq!(server.count(), 0, "a preview sends nothing");
    call.send().await.unwrap();
    let (line, body) = seen(&server, 0);
    assert_eq!(
        format!("{} {} HTTP/1.1", preview.method, preview.path),
        line
    );
    assert_eq!(preview.body, body);
    assert_eq!(
        body["country_code"], "IN",
        "normalized as send normalizes it"
    );

    let err = client(&server.base_url)
        .calls()
        .create(AGENT, "9876543210", "IN")
        .initial_greeting("x".repeat(2001))
        .preview()
        .unwrap_err();
    assert!(
        matches!(err, Error::Validation { ref field, .. } if field == "initial_greeting"),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_upload_preview_lists_one_request_per_ten_thousand_contacts() {
    let answer =
        json!({"success": true, "data": {"campaign_upload_id": 1, "contacts_received": 1}});
    let server = Scripted::start(vec![Reply::json(200, answer)]).await;
    let contacts: Vec<Contact> = (0..10_001)
        .map(|i| Contact::new(format!("98{i:08}")).person_name(format!("P{i}")))
        .collect();
    let upload = client(&server.base_url)
        .campaigns()
        .add_contacts(AGENT, 7, contacts)
        .enqueue(true);
    let previews = upload.preview().unwrap();
    assert_eq!(server.count(), 0);
    assert_eq!(previews.len(), 2);
    upload.send().await.unwrap();
    for (n, preview) in previews.iter().enumerate() {
        let (line, body) = seen(&server, n);
        assert_eq!(
            format!("{} {} HTTP/1.1", preview.method, preview.path),
            line
        );
        assert_eq!(line, "POST /v1/campaigns/7/contacts HTTP/1.1");
        assert_eq!(preview.body, body);
    }
    assert_eq!(
        previews[1].body["contacts"].as_array().map(Vec::len),
        Some(1)
    );
}
