//! `osvi campaigns`: upload contacts from a CSV file, read and wait for a campaign's progress.
//!
//! The CSV file (`contacts_csv.rs`) is checked in full first: a row without a
//! phone, or with more or fewer cells than the header, is an error naming its line, and then
//! nothing is uploaded. It is then streamed, 10,000 contacts per request, in constant memory.

use std::path::{Path, PathBuf};
use std::time::Duration;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use clap::Subcommand;
use osvi_ext::campaigns::ContactsAdded;
use osvi_ext::{Client, Error};

use crate::contacts_csv::{self, Scanned};
use crate::exit::Failure;
use crate::interrupt::Interrupts;
use crate::output::{Output, progress_bar, spinner};

/// `osvi campaigns ...`
#[derive(Debug, Subcommand)]
pub enum CampaignsCommand {
    /// Add the contacts of a CSV file to a campaign, in
    /// requests of at most 10,000.
    AddContacts {
        /// The campaign's id.
        campaign_id: i64,
        /// The agent that will call the contacts.
        #[arg(long)]
        agent: String,
        /// The CSV file: a header row with `phone`, optionally `person_name` (or `name`), and
        /// any other columns as prompt variables.
        file: PathBuf,
        /// Release the contacts to the calling queue at once. Every contact of the file is
        /// called: running the same file again calls them again (the command warns when the
        /// campaign already holds uploads).
        #[arg(long)]
        enqueue: bool,
        /// Upload only the rows from this line of the file on (the line an interrupted or
        /// failed upload names), to resume it.
        #[arg(long, value_name = "LINE")]
        from_line: Option<u64>,
    },
    /// A campaign's settings, call outcomes and queues.
    Status {
        /// The campaign's id.
        campaign_id: i64,
    },
    /// Wait until every calling queue of a campaign is complete, then print its status.
    Wait {
        /// The campaign's id.
        campaign_id: i64,
        /// Seconds between two status requests.
        #[arg(long, default_value_t = 15, value_name = "SECONDS")]
        interval: u64,
        /// Give up after this many seconds (exit 8).
        #[arg(long, default_value_t = 6 * 3600, value_name = "SECONDS")]
        deadline: u64,
    },
}

impl CampaignsCommand {
    /// Whether the command changes something on the server.
    pub(crate) fn writes(&self) -> bool {
        matches!(self, CampaignsCommand::AddContacts { .. })
    }
}

pub(crate) async fn run(
    cmd: CampaignsCommand,
    client: &Client,
    out: &Output,
) -> Result<(), Failure> {
    let campaigns = client.campaigns();
    match cmd {
        CampaignsCommand::AddContacts {
            campaign_id,
            agent,
            file,
            enqueue,
            from_line,
        } => {
            let from = from_line.unwrap_or(0);
            let scanned = contacts_csv::scan(&file, from)?;
            if enqueue {
                warn_if_called_before(client, campaign_id).await;
            }
            let target = Target {
                campaign_id,
                agent,
                enqueue,
            };
            let added = upload(client, target, &file, from, &scanned).await?;
            let uploads: Vec<String> = added
                .campaign_upload_ids
                .iter()
                .map(i64::to_string)
                .collect();
            let mut human = format!(
                "{} contacts received, {} accepted, {} duplicates removed (upload {})",
                count(added.contacts_received),
                count(added.contacts_accepted),
                count(added.duplicates_removed),
                uploads.join(", "),
            );
            human.push_str(&unexplained(&added));
            out.message(&human, &added)
        }
        CampaignsCommand::Status { campaign_id } => {
            out.record(&campaigns.status(campaign_id).await?)
        }
        CampaignsCommand::Wait {
            campaign_id,
            interval,
            deadline,
        } => {
            let spinner = spinner(format!("waiting for campaign {campaign_id} to drain"));
            let status = campaigns
                .wait_until_drained(campaign_id)
                .poll_interval(Duration::from_secs(interval))
                .deadline(Duration::from_secs(deadline))
                .await;
            spinner.finish_and_clear();
            out.record(&status?)
        }
    }
}

fn count(n: Option<i64>) -> String {
    n.map_or_else(|| "?".to_string(), |n| n.to_string())
}

/// Where an upload goes.
struct Target {
    campaign_id: i64,
    agent: String,
    enqueue: bool,
}

/// Streams the rows of `file` from line `from` on (already [`scanned`](contacts_csv::scan))
/// with a progress bar. The first Ctrl-C (or SIGTERM) lets the request in flight finish and
/// stops there; a second abandons it. Either way the failure says what was stored and the
/// line to resume from.
async fn upload(
    client: &Client,
    target: Target,
    file: &Path,
    from: u64,
    scanned: &Scanned,
) -> Result<ContactsAdded, Failure> {
    let interrupts = Interrupts::listen();
    let failed = Arc::new(Mutex::new(None));
    let rows = contacts_csv::contacts(file, from, failed.clone())?;
    let bar = progress_bar(scanned.count as u64, "uploading contacts".into());
    let reporter = bar.clone();
    let sent = Arc::new(AtomicUsize::new(0));
    let progress = sent.clone();
    let upload = client
        .campaigns()
        .add_contacts_iter(target.agent, target.campaign_id, rows)
        .enqueue(target.enqueue)
        .stop_when(interrupts.nth(1))
        .on_progress(move |p| {
            progress.store(p.contacts_sent, Ordering::Relaxed);
            reporter.set_position(p.contacts_sent as u64);
        })
        .send();
    let added = tokio::select! {
        added = upload => added,
        () = interrupts.nth(2) => {
            bar.finish_and_clear();
            return Err(abandoned(sent.load(Ordering::Relaxed), file, scanned));
        }
    };
    bar.finish_and_clear();
    if let Some(failure) = failed.lock().ok().and_then(|mut slot| slot.take()) {
        return Err(failure);
    }
    added.map_err(|e| name_row(e, file, scanned))
}

/// An upload abandoned with a request in flight: what was stored, what may have been.
fn abandoned(stored: usize, path: &Path, lines: &Scanned) -> Failure {
    let end = (stored + osvi_ext::MAX_CONTACTS_PER_REQUEST).min(lines.count);
    let (Some(first), Some(last)) = (lines.line(stored), lines.line(end.saturating_sub(1))) else {
        return Failure::interrupted(format!("interrupted: all {stored} contacts were stored"));
    };
    let mut message = format!(
        "interrupted: {stored} contacts were stored; the request with {} lines {first} to {last} was abandoned in flight, and its contacts may or may not have been stored (check `osvi campaigns status`)",
        path.display()
    );
    if let Some(next) = lines.line(end) {
        message.push_str(&format!("; the rows from line {next} on were not sent"));
    }
    Failure::new(crate::exit::UNCERTAIN, "uncertain", message)
}

/// Warns, before an enqueueing upload, that the campaign already holds uploads: their
/// contacts were called, and the same contacts in this file will be called again. A status
/// that cannot be read gives no warning.
async fn warn_if_called_before(client: &Client, campaign_id: i64) {
    let Ok(status) = client.campaigns().status(campaign_id).await else {
        return;
    };
    if !status.uploads.is_empty() {
        eprintln!(
            "warning: campaign {campaign_id} already holds {} uploads; with --enqueue every contact of this file is called, including any an earlier upload already called (to resume an interrupted upload, pass --from-line)",
            status.uploads.len()
        );
    }
}

/// Adds the file and line to an SDK validation error about `contacts[i]`, and to an upload
/// that stopped part-way the line to resume from.
fn name_row(error: Error, path: &Path, lines: &Scanned) -> Failure {
    if matches!(error, Error::Stopped) {
        return Failure::interrupted("interrupted before anything was sent: nothing was stored");
    }
    if let Error::PartialUpload { stored, source, .. } = &error {
        let resume = lines.line(*stored).map(|line| {
            format!(
                "; the rows from {} line {line} on were not stored (resume with --from-line {line})",
                path.display()
            )
        });
        let resume = resume.unwrap_or_default();
        if matches!(**source, Error::Stopped) {
            return Failure::interrupted(format!(
                "interrupted: {stored} contacts were stored{resume}"
            ));
        }
        return Failure::from(error).with_context(&resume);
    }
    if let Error::Validation { field, rule } = &error {
        let index = field
            .strip_prefix("contacts[")
            .and_then(|rest| rest.split_once(']'))
            .and_then(|(i, _)| i.parse::<usize>().ok());
        if let Some(line) = index.and_then(|i| lines.line(i)) {
            return Failure::validation(format!("{} line {line}: {field} {rule}", path.display()));
        }
    }
    error.into()
}

/// A note on contacts the answer neither accepted nor explained (not stored: most likely a
/// number OSVI could not normalize; the answer gives no reason), or on DND skips; empty when
/// every contact is accounted for.
fn unexplained(added: &osvi_ext::campaigns::ContactsAdded) -> String {
    let skipped = added.dnd_skipped.len() as i64;
    let mut note = String::new();
    if skipped > 0 {
        note.push_str(&format!("; {skipped} skipped: on the agent's DND list"));
    }
    if let (Some(received), Some(accepted), Some(duplicates)) = (
        added.contacts_received,
        added.contacts_accepted,
        added.duplicates_removed,
    ) {
        let missing = received - accepted - duplicates - skipped;
        if missing > 0 {
            note.push_str(&format!(
                "; {missing} not stored, for no reason the answer gives (most likely numbers OSVI cannot normalize)"
            ));
        }
    }
    note
}
