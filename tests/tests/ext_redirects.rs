//! The API token never leaves the configured API origin: a redirect to another origin is not
//! followed (the caller gets [`Error::Redirect`] naming the location), a redirect within the
//! origin is, token included. Two loopback servers on different ports are two origins.

mod common;

use common::{CALL_ID, TOKEN, client};
use httpmock::Method::GET;
use httpmock::MockServer;
use osvi_ext::{Client, Error};
use serde_json::json;

fn call_body(id: &str) -> serde_json::Value {
    json!({"success": true, "data": {"call_id": id, "status": "picked"}})
}

/// `api` answers `GET /v1/call/{CALL_ID}` with a 302 to `elsewhere`, which would answer
/// anything with a call. Returns what the client got, and how many requests reached
/// `elsewhere`.
async fn redirected_across_origins(make: impl Fn(&MockServer) -> Client) -> (Error, usize) {
    let api = MockServer::start_async().await;
    let elsewhere = MockServer::start_async().await;
    let target = elsewhere.url(format!("/v1/call/{CALL_ID}"));
    let redirect = api
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/call/{CALL_ID}"));
            then.status(302)
                .header("location", target.as_str())
                .header("x-request-id", "r-302");
        })
        .await;
    let catcher = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(call_body(CALL_ID));
        })
        .await;
    let err = make(&api).calls().get(CALL_ID).await.unwrap_err();
    redirect.assert_async().await;
    (err, catcher.calls_async().await)
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed_and_names_the_location() {
    let (err, reached) = redirected_across_origins(client).await;
    assert_eq!(
        reached, 0,
        "the request (and its token) left the API origin"
    );
    match &err {
        Error::Redirect { failure, location } => {
            assert_eq!(failure.status, 302);
            assert_eq!(failure.request_id.as_deref(), Some("r-302"));
            let location = location.as_deref().unwrap();
            assert!(
                location.ends_with(&format!("/v1/call/{CALL_ID}")),
                "{location}"
            );
            assert!(err.to_string().contains(location), "{err}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.kind(), "redirect");
    assert_eq!(err.status(), Some(302));
}

#[tokio::test]
async fn your_own_reqwest_builder_gets_the_same_redirect_policy() {
    let (err, reached) = redirected_across_origins(|api| {
        Client::builder()
            .token(TOKEN)
            .base_url(api.base_url())
            .http_client(reqwest::Client::builder())
            .build()
            .unwrap()
    })
    .await;
    assert_eq!(reached, 0);
    assert!(matches!(err, Error::Redirect { .. }), "{err:?}");
}

#[tokio::test]
async fn a_redirect_within_the_api_origin_is_followed_with_the_token() {
    let api = MockServer::start_async().await;
    let moved = api
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/call/{CALL_ID}"));
            then.status(307).header("location", "/v1/call/moved-here");
        })
        .await;
    let landed = api
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/call/moved-here")
                .header("api-token", TOKEN);
            then.status(200).json_body(call_body("moved-here"));
        })
        .await;
    let call = client(&api).calls().get(CALL_ID).await.unwrap();
    assert_eq!(call.call_id, "moved-here");
    moved.assert_async().await;
    landed.assert_async().await;
}
