//! Exit codes: a script tells the kind of failure from the code alone, and reads the message
//! on standard error (a JSON object there with `--json` or `--jsonl`).
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | success |
//! | 1 | any other failure (an answer that could not be read, a 409 conflict, a file that could not be written ...) |
//! | 2 | usage: an unknown flag, a missing or malformed argument, a bad base URL or config file |
//! | 3 | validation: a value the API's rules refuse, found before sending (nothing was sent) or by the server (400/422); a CSV row that is not a contact |
//! | 4 | auth: no token, or the server refused it (401/403) |
//! | 5 | not found (404) |
//! | 6 | rate limited (429), after the retries |
//! | 7 | server error (5xx), after the retries |
//! | 8 | network: no connection, a reset or a timeout (also a `wait` past its `--deadline`) |
//! | 9 | uncertain: a write may have been carried out although the command failed (the server accepted it but its answer could not be read, part of an upload was stored, or the connection broke, timed out or got a 5xx/429 after the request may have reached the server, or an upload was abandoned by a second Ctrl-C with a request in flight); check before you run it again |
//! | 130 | interrupted (Ctrl-C or SIGTERM during an upload or download): what was sent is accounted for, nothing is uncertain; the message names the line to resume an upload from |

use std::process::ExitCode;

use osvi_ext::Error;

/// Any other failure.
pub const FAILURE: u8 = 1;
/// The command line is wrong (clap's own code for usage errors).
pub const USAGE: u8 = 2;
/// A value the API's rules refuse, locally or on the server.
pub const VALIDATION: u8 = 3;
/// No token, or a token the server refused.
pub const AUTH: u8 = 4;
/// The resource does not exist.
pub const NOT_FOUND: u8 = 5;
/// Too many requests.
pub const RATE_LIMITED: u8 = 6;
/// The server failed.
pub const SERVER: u8 = 7;
/// The network failed or a request timed out.
pub const NETWORK: u8 = 8;
/// A write may have happened although the command failed.
pub const UNCERTAIN: u8 = 9;
/// Stopped by Ctrl-C or SIGTERM, with nothing uncertain left (128 + SIGINT, as shells do).
pub const INTERRUPTED: u8 = 130;

/// Why a command failed: the exit code, a short kind for `--json`, and the message.
#[derive(Debug)]
pub(crate) struct Failure {
    code: u8,
    kind: &'static str,
    message: String,
    /// The HTTP status and request id of the answer behind the failure, if any.
    status: Option<u16>,
    request_id: Option<String>,
    /// Whether a write that failed this way may still have been carried out: the request
    /// may have reached the server and no definite answer came back (a reset or timeout
    /// after sending, a 5xx, a 429, an unexpected status).
    may_have_acted: bool,
}

impl Failure {
    /// A failure with no SDK error behind it.
    pub(crate) fn new(code: u8, kind: &'static str, message: impl Into<String>) -> Self {
        Failure {
            code,
            kind,
            message: message.into(),
            status: None,
            request_id: None,
            may_have_acted: false,
        }
    }

    /// The failure of a command that writes (places a call, stores contacts, changes a DND
    /// list or a chat session): exit 9 ("uncertain") when the write may have been carried
    /// out although the command failed, never 8 or 7, so a script that retries on those
    /// codes does not dial a person twice.
    pub(crate) fn of_write(mut self) -> Self {
        if self.may_have_acted && self.code != UNCERTAIN {
            self.code = UNCERTAIN;
            self.kind = "uncertain";
            self.message.push_str(
                " (the request may have reached the server and been carried out: check before running it again)",
            );
        }
        self
    }

    /// Stopped by an interrupt, with everything that was sent accounted for.
    pub(crate) fn interrupted(message: impl Into<String>) -> Self {
        Failure::new(INTERRUPTED, "interrupted", message)
    }

    /// Input refused before anything was sent.
    pub(crate) fn validation(message: impl Into<String>) -> Self {
        Failure::new(VALIDATION, "validation", message)
    }

    /// No usable credentials.
    pub(crate) fn auth(message: impl Into<String>) -> Self {
        Failure::new(AUTH, "auth", message)
    }

    /// A local file or terminal could not be read or written.
    pub(crate) fn io(message: impl Into<String>) -> Self {
        Failure::new(FAILURE, "io", message)
    }

    /// Appends `context` to the message.
    pub(crate) fn with_context(mut self, context: &str) -> Self {
        self.message.push_str(context);
        self
    }

    /// Prints the failure on standard error (one JSON object when `json`, else one line for
    /// people) and returns its exit code.
    pub(crate) fn report(self, json: bool) -> ExitCode {
        if json {
            let mut object = serde_json::json!({
                "error": self.kind,
                "exit_code": self.code,
                "message": self.message,
            });
            if self.status.is_some() {
                object["status"] = self.status.into();
                object["request_id"] = self.request_id.into();
            }
            eprintln!("{object}");
        } else {
            eprintln!("error: {}", self.message);
        }
        ExitCode::from(self.code)
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        let (code, kind) = classify(&error);
        Failure {
            code,
            kind,
            message: error.to_string(),
            status: error.status(),
            request_id: error.request_id().map(str::to_string),
            may_have_acted: may_have_acted(&error),
        }
    }
}

/// Whether the request behind `error` may have been carried out: the SDK's
/// `Error::is_uncertain`, or an upload that stored part of its contacts.
fn may_have_acted(error: &Error) -> bool {
    error.is_uncertain() || matches!(error, Error::PartialUpload { .. })
}

/// The exit code and kind of an SDK error.
fn classify(error: &Error) -> (u8, &'static str) {
    match error {
        Error::Validation { .. } | Error::BadRequest(_) => (VALIDATION, "validation"),
        Error::Unauthorized(_) | Error::Forbidden(_) => (AUTH, "auth"),
        Error::NotFound(_) | Error::NoRecording { .. } => (NOT_FOUND, "not_found"),
        Error::RateLimited { .. } => (RATE_LIMITED, "rate_limited"),
        Error::Server(_) => (SERVER, "server"),
        Error::Timeout { .. } | Error::Transport { .. } => (NETWORK, "network"),
        Error::AcceptedButUnreadable { .. }
        | Error::PartialUpload { .. }
        | Error::AmbiguousPlacement { .. }
        | Error::Unreconciled { .. } => (UNCERTAIN, "uncertain"),
        // Definitely not carried out: the failure's own code, never "uncertain".
        Error::NotPlaced { cause, .. } | Error::NotStored { cause, .. } => match classify(cause) {
            (UNCERTAIN, _) => (FAILURE, "failure"),
            code => code,
        },
        Error::Config { .. } => (USAGE, "config"),
        _ => (FAILURE, "failure"),
    }
}
