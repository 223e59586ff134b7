//! Phone calls: place one, list and filter them, read one call's result, transcript and
//! recording.
//!
//! Placing a call (`POST /v1/call`) is asynchronous: [`CreateCall::send`] returns as soon as
//! OSVI accepted the call, with its id; the result arrives later, by webhook or by reading
//! [`Calls::get`].
//!
//! ```no_run
//! # async fn run(client: osvi_ext::Client) -> osvi_ext::Result<()> {
//! let created = client
//!     .calls()
//!     .create("agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og", "9876543210", "IN")
//!     .person_name("John Doe")
//!     .initial_greeting("Hello John, this is a reminder about your appointment.")
//!     .extract("appointment_confirmed", "Ask if they can confirm the appointment.")
//!     .send()
//!     .await?;
//! println!("placed {}", created.call_id);
//!
//! use osvi_ext::calls::CallStatus;
//! let answered = client
//!     .calls()
//!     .list()
//!     .status([CallStatus::Picked, CallStatus::Voicemail])
//!     .collect_all()
//!     .await?;
//! println!("{} answered calls", answered.len());
//! # Ok(()) }
//! ```
//!
//! Runnable example (placing a call, polling it to its end, its transcript and the call list), against the simulator without `OSVI_API_TOKEN`:
//! [`examples/calls.rs`](https://github.com/osvi-ai/osvi-rust/blob/main/osvi-ext/examples/calls.rs),
//! `cargo run -p osvi-ext --example calls`.

mod create;
mod list;
pub(crate) mod model;
pub(crate) mod reconcile;

pub use create::{CreateCall, ExtractionField, Redial};
pub use list::{DateBound, ListCalls};
pub use model::{
    Call, CallCreated, CallStatus, CallTag, CallType, Reconciled, Recording, Transcript,
    TranscriptTurn,
};

use osvi_generated::spec::operations;

use crate::client::Client;
use crate::error::Result;
use crate::macros::awaitable;
use crate::validate;
use crate::wire::Echo;

/// The calls resource: `client.calls()`.
#[derive(Debug, Clone, Copy)]
pub struct Calls<'a> {
    client: &'a Client,
}

impl Client {
    /// Phone calls: place, list, read. See [`crate::calls`].
    pub fn calls(&self) -> Calls<'_> {
        Calls { client: self }
    }
}

impl Calls<'_> {
    /// Starts a call from `agent_uuid` to `phone_number` (digits only, without country code)
    /// in `country_code` (ISO 3166-1 alpha-2, e.g. `IN`). Optional settings go on the
    /// returned builder; [`CreateCall::send`] validates and places the call.
    pub fn create(
        &self,
        agent_uuid: impl Into<String>,
        phone_number: impl Into<String>,
        country_code: impl Into<String>,
    ) -> CreateCall {
        CreateCall::new(
            self.client.clone(),
            agent_uuid.into(),
            phone_number.into(),
            country_code.into(),
        )
    }

    /// Lists the account's calls, most recent first. Filters and the way to read the pages
    /// go on the returned builder.
    pub fn list(&self) -> ListCalls {
        ListCalls::new(self.client.clone())
    }

    /// The full record of one call: status, summary, extracted data, analysis.
    /// An unknown or malformed id is [`NotFound`](crate::Error::NotFound).
    pub fn get(&self, call_id: impl Into<String>) -> GetCall {
        GetCall {
            client: self.client.clone(),
            call_id: call_id.into(),
        }
    }

    /// The turn-by-turn transcript of a call (no turns when none was captured).
    pub fn transcript(&self, call_id: impl Into<String>) -> GetTranscript {
        GetTranscript {
            client: self.client.clone(),
            call_id: call_id.into(),
        }
    }

    /// Waits until the call has a final status and returns it; see [`WaitForCall`].
    ///
    /// ```no_run
    /// # async fn run(client: osvi_ext::Client) -> osvi_ext::Result<()> {
    /// let call = client.calls().wait("a1b2c3d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d").await?;
    /// let status = call.status.as_ref().map_or("unknown", |s| s.as_str());
    /// println!("{status}: {}", call.summary.as_deref().unwrap_or("(no summary)"));
    /// # Ok(()) }
    /// ```
    pub fn wait(&self, call_id: impl Into<String>) -> WaitForCall {
        WaitForCall {
            client: self.client.clone(),
            call_id: call_id.into(),
            deadline: std::time::Duration::from_secs(30 * 60),
            first_interval: std::time::Duration::from_secs(2),
            max_interval: std::time::Duration::from_secs(30),
        }
    }

    /// Streams the call's audio into `writer`, chunk by chunk (never the whole file in
    /// memory), and returns the number of bytes written. It fetches a fresh presigned URL
    /// first; the API token is not sent to the storage host. The client's timeout covers the
    /// whole download: raise it with [`Client::with_timeout`] for long recordings. A call
    /// without a recording is [`Error::NoRecording`](crate::Error::NoRecording).
    pub async fn download_recording<W>(&self, call_id: &str, writer: &mut W) -> Result<u64>
    where
        W: tokio::io::AsyncWrite + Unpin,
    {
        use tokio::io::AsyncWriteExt;
        let recording = self.recording(call_id).send().await?;
        let Some(url) = recording.recording_url else {
            let call_id = call_id.to_string();
            return Err(crate::Error::NoRecording { call_id });
        };
        let mut response = self.client.download(&url).await?;
        let mut written = 0u64;
        let io = |e: std::io::Error| crate::Error::Io {
            message: format!("writing the recording of {call_id}: {e}"),
            source: e,
        };
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| crate::Error::from_reqwest("download_recording", e))?
        {
            writer.write_all(&chunk).await.map_err(io)?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(io)?;
        Ok(written)
    }

    /// A presigned URL of the call's audio. It expires (after 15 minutes): fetch it when you
    /// need it, do not store it.
    pub fn recording(&self, call_id: impl Into<String>) -> GetRecording {
        GetRecording {
            client: self.client.clone(),
            call_id: call_id.into(),
        }
    }
}

/// Request of `GET /v1/call/{id}`, from [`Calls::get`]: await it, or call
/// [`send`](GetCall::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct GetCall {
    client: Client,
    call_id: String,
}

impl GetCall {
    /// Sends the request.
    pub async fn send(self) -> Result<Call> {
        validate::non_empty("id", &self.call_id)?;
        let api = self.client.api(&operations::GET_CALL);
        api.run(|| api.raw().get_call().id(self.call_id.as_str()).send())
            .await
    }
}

/// Request of `GET /v1/call/{id}/transcript`, from [`Calls::transcript`]: await it, or call
/// [`send`](GetTranscript::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct GetTranscript {
    client: Client,
    call_id: String,
}

impl GetTranscript {
    /// Sends the request.
    pub async fn send(self) -> Result<Transcript> {
        validate::non_empty("id", &self.call_id)?;
        let api = self.client.api(&operations::GET_CALL_TRANSCRIPT);
        api.run(|| {
            api.raw()
                .get_call_transcript()
                .id(self.call_id.as_str())
                .send()
        })
        .await
        .map(|answer: Transcript| answer.echo(&self.call_id))
    }
}

/// Request of `GET /v1/call/{id}/recording`, from [`Calls::recording`]: await it, or call
/// [`send`](GetRecording::send).
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until you .await it (or call .send())"]
pub struct GetRecording {
    client: Client,
    call_id: String,
}

impl GetRecording {
    /// Sends the request.
    pub async fn send(self) -> Result<Recording> {
        validate::non_empty("id", &self.call_id)?;
        let api = self.client.api(&operations::GET_CALL_RECORDING);
        api.run(|| {
            api.raw()
                .get_call_recording()
                .id(self.call_id.as_str())
                .send()
        })
        .await
        .map(|answer: Recording| answer.echo(&self.call_id))
    }
}

awaitable!(
    GetCall: send => Call,
    GetTranscript: send => Transcript,
    GetRecording: send => Recording,
    CreateCall: send => CallCreated,
    WaitForCall: run => Call,
);

/// Waiting for a call to finish, from [`Calls::wait`]: polls `GET /v1/call/{id}` until the
/// call has a final status, then resolves to the full [`Call`]. Await it directly, or set
/// the deadline and intervals first.
///
/// Polls start `2 s` apart and grow by half each time up to `30 s`; the default deadline is
/// 30 minutes; the last poll is at the deadline itself, after which the wait fails with
/// [`Error::Timeout`](crate::Error::Timeout). A status the SDK does not know counts as final.
/// A poll that fails transiently (an unreadable answer, a timeout, a broken connection, a
/// 5xx or 429 after the SDK's retries) is tried again at the next interval, within the
/// deadline; any other error (404 included: the docs do not say whether the `call_id` of
/// `POST /v1/call` is readable at once) ends the wait.
#[derive(Debug, Clone)]
#[must_use = "nothing happens until the wait is awaited"]
pub struct WaitForCall {
    client: Client,
    call_id: String,
    deadline: std::time::Duration,
    first_interval: std::time::Duration,
    max_interval: std::time::Duration,
}

impl WaitForCall {
    /// Gives up after `deadline` (default 30 minutes).
    pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The first wait between polls (default 2 s) and the longest (default 30 s).
    pub fn poll_interval(mut self, first: std::time::Duration, max: std::time::Duration) -> Self {
        self.first_interval = first;
        self.max_interval = max.max(first);
        self
    }

    async fn run(self) -> Result<Call> {
        let schedule = crate::polling::Schedule {
            first: self.first_interval,
            factor: 1.5,
            max: self.max_interval,
            deadline: self.deadline,
        };
        let calls = self.client.calls();
        crate::polling::until(
            schedule,
            || calls.get(self.call_id.as_str()).send(),
            |call| call.status.as_ref().is_some_and(CallStatus::is_final),
            |call| {
                let status = call.status.as_ref().map_or("unknown", CallStatus::as_str);
                format!("call {} still `{status}`", self.call_id)
            },
        )
        .await
    }
}
