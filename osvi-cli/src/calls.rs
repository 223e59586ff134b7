//! `osvi calls`: place, list, read and wait for calls, and download recordings.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate};
use clap::{Args, Subcommand};
use futures::StreamExt as _;
use osvi_ext::calls::{CallCreated, CallStatus, CallType, DateBound, Redial};
use osvi_ext::{Client, ReconcilePolicy};
use osvi_generated::spec::enums;

use crate::exit::Failure;
use crate::output::{Column, Output, write_stdout};

/// `osvi calls ...`
#[derive(Debug, Subcommand)]
pub enum CallsCommand {
    /// Place a call. Never sent twice: a failed attempt is retried only when
    /// it provably never reached the server.
    Create(CreateArgs),
    /// List calls, most recent first, every page up to --limit.
    List(ListArgs),
    /// One call with its summary and extracted data.
    Get {
        /// The call's id.
        call_id: String,
    },
    /// A call's transcript.
    Transcript {
        /// The call's id.
        call_id: String,
    },
    /// A presigned URL of a call's audio, valid 15 minutes.
    Recording {
        /// The call's id.
        call_id: String,
    },
    /// Wait until a call has a final status, then print it.
    Wait {
        /// The call's id.
        call_id: String,
        /// Give up after this many seconds (exit 8).
        #[arg(long, default_value_t = 1800, value_name = "SECONDS")]
        deadline: u64,
    },
    /// Download a call's audio into FILE (written whole or not at all).
    DownloadRecording {
        /// The call's id.
        call_id: String,
        /// Where to write the audio.
        file: PathBuf,
    },
}

impl CallsCommand {
    /// Whether the command changes something on the server.
    pub(crate) fn writes(&self) -> bool {
        matches!(self, CallsCommand::Create(_))
    }
}

/// What both ways of placing a call take (`osvi calls create`, `osvi legacy create-call`).
#[derive(Debug, Args)]
pub struct CallBasics {
    /// The agent that places the call.
    #[arg(long)]
    pub(crate) agent: String,
    /// Who to call, as COUNTRY:DIGITS (ISO 3166-1 alpha-2 country, national number), e.g.
    /// IN:9876543210.
    #[arg(long, value_name = "COUNTRY:DIGITS")]
    pub(crate) to: String,
    /// The callee's name.
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// Replaces the agent's system prompt for this call.
    #[arg(long)]
    pub(crate) system_prompt: Option<String>,
    /// Where OSVI posts the call-completed webhook.
    #[arg(long)]
    pub(crate) webhook_url: Option<String>,
    /// Extra data for the agent's prompt, as KEY=VALUE (repeatable).
    #[arg(long, value_name = "KEY=VALUE", value_parser = crate::key_value)]
    pub(crate) data: Vec<(String, String)>,
    /// When placing the call fails uncertainly and the call list shows it was not placed,
    /// place it again (by default the command says "not placed" and exits with the
    /// failure's code; see the SDK's ReconcilePolicy).
    #[arg(long)]
    pub(crate) resend_if_absent: bool,
}

impl CallBasics {
    /// The callee as (country, digits).
    pub(crate) fn callee(&self) -> Result<(String, String), Failure> {
        split_to(&self.to)
    }

    /// How an uncertain placement is settled: the client's policy, resending if asked.
    pub(crate) fn reconcile_policy(&self, client: &Client) -> ReconcilePolicy {
        let policy = client.reconcile_policy();
        policy.resend_if_absent(self.resend_if_absent)
    }
}

/// What placing a call prints: the id, and how it was settled when the placement's answer
/// did not say (found in the call list after a failure, or placed again).
pub(crate) fn placed(created: &CallCreated) -> String {
    let Some(reconciled) = &created.reconciled else {
        return format!("call {} placed", created.call_id);
    };
    let resent = match reconciled.placements {
        1 => String::new(),
        n => format!(", after {} placements found absent", n - 1),
    };
    format!(
        "call {} placed: found in the call list ({} lookups{resent}) after the placement failed: {}",
        created.call_id, reconciled.lookups, reconciled.after
    )
}

/// `osvi calls create`
#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    basics: CallBasics,
    /// What the agent says first.
    #[arg(long)]
    greeting: Option<String>,
    /// A value to extract during the call, as KEY=DESCRIPTION (repeatable).
    #[arg(long, value_name = "KEY=DESCRIPTION", value_parser = crate::key_value)]
    extract: Vec<(String, String)>,
    /// Longest the call may last.
    #[arg(long, value_name = "SECONDS")]
    max_duration: Option<u32>,
    /// Let the callee ask to be called back.
    #[arg(long)]
    callback: bool,
    /// Turn redialing off for this call.
    #[arg(long, conflicts_with_all = ["redial_attempts", "redial_interval"])]
    no_redial: bool,
    /// Redial up to this many times when unanswered.
    #[arg(long, value_name = "N")]
    redial_attempts: Option<u32>,
    /// Minutes between redials.
    #[arg(long, value_name = "MINUTES")]
    redial_interval: Option<u32>,
}

/// `osvi calls list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only these outcomes, comma-separated (e.g. picked,busy).
    #[arg(long, value_delimiter = ',', value_parser = crate::one_of(enums::list_calls_status::ALL))]
    status: Vec<String>,
    /// Only calls of this agent.
    #[arg(long)]
    agent: Option<String>,
    /// Only calls of this campaign.
    #[arg(long)]
    campaign: Option<i64>,
    /// Only calls of this contact upload.
    #[arg(long)]
    upload: Option<i64>,
    /// Only calls whose number contains these digits.
    #[arg(long)]
    phone: Option<String>,
    /// Only inbound or only outbound calls.
    #[arg(long = "type", value_parser = crate::one_of(enums::list_calls_call_type::ALL))]
    call_type: Option<String>,
    /// Only calls answered on or after this date (YYYY-MM-DD, read in IST by the API) or
    /// instant (RFC 3339).
    #[arg(long, value_parser = date_bound)]
    since: Option<DateBound>,
    /// Only calls answered on or before this date or instant.
    #[arg(long, value_parser = date_bound)]
    until: Option<DateBound>,
    /// Print at most this many calls.
    #[arg(long, default_value_t = 50, conflicts_with = "all")]
    limit: usize,
    /// Print every call (every page).
    #[arg(long)]
    all: bool,
}

const COLUMNS: &[Column] = &[
    ("CALL ID", "/call_id"),
    ("STATUS", "/status"),
    ("PHONE", "/phone_number"),
    ("AGENT", "/agent_name"),
    ("SECONDS", "/duration_seconds"),
    ("CREATED", "/created_at"),
];

pub(crate) async fn run(cmd: CallsCommand, client: &Client, out: &Output) -> Result<(), Failure> {
    let calls = client.calls();
    match cmd {
        CallsCommand::Create(args) => {
            let created = create(client, args)?.await?;
            out.message(&placed(&created), &created)
        }
        CallsCommand::List(args) => list(client, args, out).await,
        CallsCommand::Get { call_id } => out.record(&calls.get(call_id).await?),
        CallsCommand::Transcript { call_id } => {
            let transcript = calls.transcript(call_id).await?;
            if out.is_json() {
                return out.record(&transcript);
            }
            let mut text = String::new();
            for turn in &transcript.turns {
                let role = turn.role.as_deref().unwrap_or("?");
                let content = turn.content.as_deref().unwrap_or("");
                text.push_str(&format!("{role}: {content}\n"));
            }
            if transcript.turns.is_empty() {
                text.push_str("(no transcript)\n");
            }
            write_stdout(&text)
        }
        CallsCommand::Recording { call_id } => out.record(&calls.recording(call_id).await?),
        CallsCommand::Wait { call_id, deadline } => {
            let spinner = crate::output::spinner(format!("waiting for call {call_id}"));
            let done = calls
                .wait(call_id)
                .deadline(Duration::from_secs(deadline))
                .await;
            spinner.finish_and_clear();
            out.record(&done?)
        }
        CallsCommand::DownloadRecording { call_id, file } => {
            let bytes = download(client, &call_id, &file).await?;
            let summary = serde_json::json!({"call_id": call_id, "file": file, "bytes": bytes});
            let human = format!("wrote {bytes} bytes to {}", file.display());
            out.message(&human, &summary)
        }
    }
}

/// The create-call request the flags describe.
fn create(client: &Client, args: CreateArgs) -> Result<osvi_ext::calls::CreateCall, Failure> {
    let (country, digits) = args.basics.callee()?;
    let basics = args.basics;
    let policy = basics.reconcile_policy(client);
    let mut call = client
        .calls()
        .create(&basics.agent, digits, country)
        .reconcile_policy(policy);
    if let Some(name) = basics.name {
        call = call.person_name(name);
    }
    if let Some(prompt) = basics.system_prompt {
        call = call.system_prompt(prompt);
    }
    if let Some(url) = basics.webhook_url {
        call = call.webhook_url(url);
    }
    if !basics.data.is_empty() {
        let data: serde_json::Map<String, serde_json::Value> = basics
            .data
            .into_iter()
            .map(|(key, value)| (key, value.into()))
            .collect();
        call = call.additional_data(data);
    }
    if let Some(greeting) = args.greeting {
        call = call.initial_greeting(greeting);
    }
    for (key, description) in args.extract {
        call = call.extract(key, description);
    }
    if let Some(seconds) = args.max_duration {
        call = call.max_call_duration_seconds(seconds);
    }
    if args.callback {
        call = call.enable_callback(true);
    }
    if args.no_redial {
        call = call.redial(Redial::off());
    } else if args.redial_attempts.is_some() || args.redial_interval.is_some() {
        let mut redial = Redial::new().enabled(true);
        if let Some(n) = args.redial_attempts {
            redial = redial.max_attempts(n);
        }
        if let Some(minutes) = args.redial_interval {
            redial = redial.interval_minutes(minutes);
        }
        call = call.redial(redial);
    }
    Ok(call)
}

/// `IN:9876543210` → (`IN`, `9876543210`).
fn split_to(to: &str) -> Result<(String, String), Failure> {
    match to.split_once(':') {
        Some((country, digits)) if !country.is_empty() && !digits.is_empty() => {
            Ok((country.trim().to_string(), digits.trim().to_string()))
        }
        _ => Err(Failure::validation(format!(
            "--to must be COUNTRY:DIGITS (e.g. IN:9876543210), got `{to}`"
        ))),
    }
}

async fn list(client: &Client, args: ListArgs, out: &Output) -> Result<(), Failure> {
    let mut request = client.calls().list();
    if !args.status.is_empty() {
        request = request.status(args.status.iter().map(|s| CallStatus::from(s.trim())));
    }
    if let Some(agent) = args.agent {
        request = request.agent(agent);
    }
    if let Some(campaign) = args.campaign {
        request = request.campaign(campaign);
    }
    if let Some(upload) = args.upload {
        request = request.campaign_upload(upload);
    }
    if let Some(phone) = args.phone {
        request = request.phone_number(phone);
    }
    if let Some(kind) = args.call_type {
        request = request.call_type(CallType::from(kind.as_str()));
    }
    if let Some(since) = args.since {
        request = request.since(since);
    }
    if let Some(until) = args.until {
        request = request.until(until);
    }
    let limit = if args.all { usize::MAX } else { args.limit };
    let mut stream = std::pin::pin!(request.stream().take(limit));
    let mut list = out.list(COLUMNS);
    while let Some(call) = stream.next().await {
        list.push(&call?)?;
    }
    list.finish()
}

/// `2026-06-01` or an RFC 3339 instant.
pub(crate) fn date_bound(text: &str) -> Result<DateBound, String> {
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(DateBound::from(date));
    }
    DateTime::parse_from_rfc3339(text)
        .map(DateBound::from)
        .map_err(|_| format!("expected YYYY-MM-DD or an RFC 3339 instant, got `{text}`"))
}

/// Downloads into `FILE.part`, then renames it to `file`: a failed download leaves no
/// truncated file behind and never overwrites a good one.
async fn download(client: &Client, call_id: &str, file: &Path) -> Result<u64, Failure> {
    let mut partial = file.as_os_str().to_os_string();
    partial.push(".part");
    let partial = PathBuf::from(partial);
    let cannot = |e: std::io::Error| Failure::io(format!("{}: {e}", partial.display()));
    let mut writer = tokio::fs::File::create(&partial).await.map_err(cannot)?;
    let spinner = crate::output::spinner(format!("downloading the recording of {call_id}"));
    let interrupts = crate::interrupt::Interrupts::listen();
    let calls = client.calls();
    let written = tokio::select! {
        written = calls.download_recording(call_id, &mut writer) => written,
        () = interrupts.nth(1) => {
            spinner.finish_and_clear();
            drop(writer);
            let _ = tokio::fs::remove_file(&partial).await;
            let message = format!("interrupted: nothing was written to {}", file.display());
            return Err(Failure::interrupted(message));
        }
    };
    spinner.finish_and_clear();
    drop(writer);
    match written {
        Ok(bytes) => {
            tokio::fs::rename(&partial, file)
                .await
                .map_err(|e| Failure::io(format!("{}: {e}", file.display())))?;
            Ok(bytes)
        }
        Err(e) => {
            let _ = tokio::fs::remove_file(&partial).await;
            Err(e.into())
        }
    }
}
