//! Shared helpers of the integration tests: a client pointed at a loopback mock server.
#![allow(dead_code)]

use httpmock::MockServer;
use osvi_ext::Client;

/// A token of the documented form (16 characters).
pub const TOKEN: &str = "0123456789abcdef";
/// An agent id of the documented form.
pub const AGENT: &str = "agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og";
/// A call id as the read endpoints show them.
pub const CALL_ID: &str = "a1b2c3d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d";
/// A chat session id.
pub const SESSION_ID: &str = "4718a326-417b-4dda-90d0-21fd65a11cb8";

/// A client talking to `server`, without retries, so each test sees exactly one request
/// per call (the retry tests build their own).
pub fn client(server: &MockServer) -> Client {
    client_with(server, osvi_ext::RetryPolicy::none())
}

/// A client talking to `server` with `policy`.
pub fn client_with(server: &MockServer, policy: osvi_ext::RetryPolicy) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(server.base_url())
        .retry_policy(policy)
        .build()
        .expect("a loopback base URL and a 16-character token are accepted")
}
pub mod contract;
pub mod scripted;
