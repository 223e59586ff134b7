//! Response metadata of successful requests. [`with_meta`] runs any operation of the SDK and
//! returns, beside its value, what each of its requests got back: status, request id,
//! headers, how many attempts it took and how long. An error already carries the status and
//! request id of the answer that failed ([`Error::status`](crate::Error::status),
//! [`Error::request_id`](crate::Error::request_id)); this is the same for a success.
//!
//! ```no_run
//! # async fn run(client: osvi_ext::Client) -> osvi_ext::Result<()> {
//! let placing = client
//!     .calls()
//!     .create("agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og", "9876543210", "IN");
//! let placed = osvi_ext::with_meta(placing).await?;
//! if let Some(meta) = placed.meta() {
//!     println!(
//!         "call {} placed: HTTP {}, request id {}, {} attempt(s) in {:?}",
//!         placed.value.call_id,
//!         meta.status,
//!         meta.request_id.as_deref().unwrap_or("none"),
//!         meta.attempts,
//!         meta.elapsed,
//!     );
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Nothing is kept when it is not asked for: each request reads a count of open
//! [`with_meta`] scopes (one atomic load) and, only when one is open somewhere, looks for it
//! around itself (a task-local) and records there. Requests that an
//! operation runs on another tokio task are not seen; no operation of this crate does.

use std::cell::RefCell;
use std::future::IntoFuture;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::error::Result;

tokio::task_local! {
    static RECORDED: RefCell<Vec<ResponseMeta>>;
}

/// What one successful request got back: the answer of its last attempt.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ResponseMeta {
    /// The operation's id in the spec (`create_call`, `list_calls`, ...).
    pub operation: &'static str,
    /// The HTTP status of the answer.
    pub status: StatusCode,
    /// The server's request id (`x-request-id`, `request-id` or `x-amzn-requestid`), if it
    /// sent one: what OSVI support asks for.
    pub request_id: Option<String>,
    /// Every header of the answer.
    pub headers: HeaderMap,
    /// Attempts made, the successful one included (more than 1 after retries).
    pub attempts: u32,
    /// From the first attempt's start to the answer, retry waits included.
    pub elapsed: Duration,
}

/// An operation's value with the metadata of the requests that produced it, from
/// [`with_meta`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WithMeta<T> {
    /// What the operation returns without [`with_meta`].
    pub value: T,
    /// One entry per successful request, in order. Most operations make one request; a call
    /// placement whose first answer was lost and was then found in the call list has the
    /// lookups here (the lost answer is described in
    /// [`CallCreated::reconciled`](crate::calls::CallCreated::reconciled)); an upload has one
    /// per request of up to 10,000 contacts; a wait, one per status read.
    pub responses: Vec<ResponseMeta>,
}

impl<T> WithMeta<T> {
    /// The metadata of the last request, the one whose answer gave the value (`None` only for
    /// an operation that sent nothing, such as an upload of an empty list).
    pub fn meta(&self) -> Option<&ResponseMeta> {
        self.responses.last()
    }

    /// The value and the metadata, apart.
    pub fn into_parts(self) -> (T, Vec<ResponseMeta>) {
        (self.value, self.responses)
    }
}

/// Runs `operation` (any request builder of this crate, or any future of an
/// [`osvi_ext::Result`](crate::Result)) and returns its value with the metadata of its
/// successful requests. Errors are returned as they are: they carry their own status and
/// request id.
pub async fn with_meta<F, T>(operation: F) -> Result<WithMeta<T>>
where
    F: IntoFuture<Output = Result<T>>,
{
    let _open = Open::new();
    RECORDED
        .scope(RefCell::new(Vec::new()), async {
            let result = operation.await;
            let responses = RECORDED.with(RefCell::take);
            result.map(|value| WithMeta { value, responses })
        })
        .await
}

/// How many [`with_meta`] scopes are open, in any task. While none is, [`record`] returns at
/// once, without looking for the task-local.
static OPEN: AtomicUsize = AtomicUsize::new(0);

/// One open [`with_meta`] scope, counted in [`OPEN`] until dropped (also when the operation
/// is cancelled).
struct Open;

impl Open {
    fn new() -> Open {
        OPEN.fetch_add(1, Ordering::Relaxed);
        Open
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        OPEN.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Records the metadata `make` builds, inside a [`with_meta`] scope; outside one, does
/// nothing (and does not call `make`).
pub(crate) fn record(make: impl FnOnce() -> ResponseMeta) {
    if OPEN.load(Ordering::Relaxed) == 0 {
        return;
    }
    let _ = RECORDED.try_with(|recorded| recorded.borrow_mut().push(make()));
}
