//! `osvi campaigns`: upload contacts from a CSV file, read and wait for a campaign's progress.
//!
//! The CSV file has a header row. The `phone` column is required; `person_name` (or `name`)
//! is the contact's name; every other column becomes a prompt variable of the contact, under
//! the column's name. A row without a phone, or with more or fewer cells than the header, is
//! an error naming its line, and then nothing is uploaded.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Subcommand;
use osvi_ext::campaigns::Contact;
use osvi_ext::{Client, Error};

use crate::exit::Failure;
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
        /// Release the contacts to the calling queue at once.
        #[arg(long)]
        enqueue: bool,
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
        } => {
            let (contacts, lines) = read_contacts(&file)?;
            let bar = progress_bar(contacts.len() as u64, "uploading contacts".into());
            let reporter = bar.clone();
            let added = campaigns
                .add_contacts(agent, campaign_id, contacts)
                .enqueue(enqueue)
                .on_progress(move |p| reporter.set_position(p.contacts_sent as u64))
                .await;
            bar.finish_and_clear();
            let added = added.map_err(|e| name_row(e, &file, &lines))?;
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

/// The contacts of a CSV file, with the line each came from.
fn read_contacts(path: &Path) -> Result<(Vec<Contact>, Vec<u64>), Failure> {
    let file_error = |e: csv::Error| Failure::validation(format!("{}: {e}", path.display()));
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| match e.kind() {
            csv::ErrorKind::Io(_) => Failure::io(format!("{}: {e}", path.display())),
            _ => file_error(e),
        })?;
    let headers = reader.headers().map_err(file_error)?.clone();
    let Some(phone_column) = headers.iter().position(|h| h == "phone") else {
        return Err(Failure::validation(format!(
            "{}: the header row has no `phone` column",
            path.display()
        )));
    };
    let name_column = headers
        .iter()
        .position(|h| h == "person_name")
        .or_else(|| headers.iter().position(|h| h == "name"));
    let mut contacts = Vec::new();
    let mut lines = Vec::new();
    for row in reader.records() {
        let row = row.map_err(file_error)?;
        let line = row.position().map_or(0, |p| p.line());
        let phone = row.get(phone_column).unwrap_or_default();
        if phone.is_empty() {
            return Err(Failure::validation(format!(
                "{} line {line}: no phone number",
                path.display()
            )));
        }
        let mut contact = Contact::new(phone);
        for (column, (header, value)) in headers.iter().zip(row.iter()).enumerate() {
            if column == phone_column || value.is_empty() {
                continue;
            }
            if Some(column) == name_column {
                contact = contact.person_name(value);
            } else {
                contact = contact.variable(header, value);
            }
        }
        contacts.push(contact);
        lines.push(line);
    }
    if contacts.is_empty() {
        return Err(Failure::validation(format!(
            "{}: no contacts (only a header row)",
            path.display()
        )));
    }
    Ok((contacts, lines))
}

/// Adds the file and line to an SDK validation error about `contacts[i]`, and to an upload
/// that stopped part-way the line to resume from.
fn name_row(error: Error, path: &Path, lines: &[u64]) -> Failure {
    if let Error::PartialUpload { stored, .. } = &error {
        let resume = lines.get(*stored).map(|line| {
            format!(
                "; the rows from {} line {line} on were not stored",
                path.display()
            )
        });
        return Failure::from(error).with_context(&resume.unwrap_or_default());
    }
    if let Error::Validation { field, rule } = &error {
        let index = field
            .strip_prefix("contacts[")
            .and_then(|rest| rest.split_once(']'))
            .and_then(|(i, _)| i.parse::<usize>().ok());
        if let Some(line) = index.and_then(|i| lines.get(i)) {
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
