//! The contacts of a CSV file for `osvi campaigns add-contacts`, in constant memory: a first
//! pass checks every row (a bad row is an error naming its line, and nothing is sent) and
//! notes the lines where each request of 10,000 contacts starts and ends; a second pass reads
//! the rows again as an iterator for the SDK's streaming upload, one request's worth at a time.
//!
//! The file has a header row (names trimmed; `phone`, `person_name` and `name` in any case,
//! `Phone` or `PHONE` too). The `phone` column is required; `person_name` (or `name`) is the
//! contact's name; every other column becomes a prompt variable of the contact, under its
//! header as written.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use osvi_ext::MAX_CONTACTS_PER_REQUEST;
use osvi_ext::campaigns::Contact;

use crate::exit::Failure;

/// What the first pass learned: how many contacts, and the first and last line of each
/// request's contacts (enough to name the line to resume from).
#[derive(Debug)]
pub(crate) struct Scanned {
    pub(crate) count: usize,
    first: Vec<u64>,
    last: Vec<u64>,
}

impl Scanned {
    /// The line of contact `index` (0-based, of the rows read), where it is known: the first
    /// and last contact of each request, and the one after the last request.
    pub(crate) fn line(&self, index: usize) -> Option<u64> {
        let size = MAX_CONTACTS_PER_REQUEST;
        let request = index / size;
        if index.is_multiple_of(size) {
            return self.first.get(request).copied();
        }
        if (index + 1).is_multiple_of(size) || index + 1 == self.count {
            return self.last.get(request).copied();
        }
        None
    }
}

/// A CSV reader positioned after the header, with the columns that matter.
struct Reader {
    records: csv::StringRecordsIntoIter<std::fs::File>,
    headers: csv::StringRecord,
    phone: usize,
    name: Option<usize>,
    path: PathBuf,
}

impl Reader {
    fn open(path: &Path) -> Result<Reader, Failure> {
        let reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|e| match e.kind() {
                csv::ErrorKind::Io(_) => Failure::io(format!("{}: {e}", path.display())),
                _ => Failure::validation(format!("{}: {e}", path.display())),
            })?;
        let mut reader = reader;
        let headers = reader
            .headers()
            .map_err(|e| Failure::validation(format!("{}: {e}", path.display())))?
            .clone();
        let named = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let Some(phone) = named("phone") else {
            return Err(Failure::validation(format!(
                "{}: the header row has no `phone` column",
                path.display()
            )));
        };
        let name = named("person_name").or_else(|| named("name"));
        Ok(Reader {
            records: reader.into_records(),
            headers,
            phone,
            name,
            path: path.to_path_buf(),
        })
    }

    /// The next contact at or after line `from`, with its line; `None` at the end.
    fn next_contact(&mut self, from: u64) -> Option<Result<(u64, Contact), Failure>> {
        loop {
            let row = match self.records.next()? {
                Ok(row) => row,
                Err(e) => {
                    return Some(Err(Failure::validation(format!(
                        "{}: {e}",
                        self.path.display()
                    ))));
                }
            };
            let line = row.position().map_or(0, |p| p.line());
            if line < from {
                continue;
            }
            return Some(self.contact(&row, line).map(|c| (line, c)));
        }
    }

    /// The contact of one row.
    fn contact(&self, row: &csv::StringRecord, line: u64) -> Result<Contact, Failure> {
        let phone = row.get(self.phone).unwrap_or_default();
        if phone.is_empty() {
            return Err(Failure::validation(format!(
                "{} line {line}: no phone number",
                self.path.display()
            )));
        }
        let mut contact = Contact::new(phone);
        for (column, (header, value)) in self.headers.iter().zip(row.iter()).enumerate() {
            if column == self.phone || value.is_empty() {
                continue;
            }
            contact = match Some(column) == self.name {
                true => contact.person_name(value),
                false => contact.variable(header, value),
            };
        }
        Ok(contact)
    }
}

/// The first pass: checks every row from line `from` on, keeps none.
pub(crate) fn scan(path: &Path, from: u64) -> Result<Scanned, Failure> {
    let mut reader = Reader::open(path)?;
    let mut scanned = Scanned {
        count: 0,
        first: Vec::new(),
        last: Vec::new(),
    };
    while let Some(next) = reader.next_contact(from) {
        let (line, _) = next?;
        if scanned.count.is_multiple_of(MAX_CONTACTS_PER_REQUEST) {
            scanned.first.push(line);
            scanned.last.push(line);
        } else if let Some(last) = scanned.last.last_mut() {
            *last = line;
        }
        scanned.count += 1;
    }
    if scanned.count == 0 {
        let what = match from {
            0 => "no contacts (only a header row)".to_string(),
            _ => format!("no contacts from line {from} on"),
        };
        return Err(Failure::validation(format!("{}: {what}", path.display())));
    }
    Ok(scanned)
}

/// The second pass: the contacts from line `from` on, as they are read. A row that fails to
/// read now (the file changed since [`scan`]) ends the iterator and is kept in `failed`.
pub(crate) fn contacts(
    path: &Path,
    from: u64,
    failed: Arc<Mutex<Option<Failure>>>,
) -> Result<impl Iterator<Item = Contact> + Send + 'static, Failure> {
    let mut reader = Reader::open(path)?;
    Ok(std::iter::from_fn(move || {
        match reader.next_contact(from)? {
            Ok((_, contact)) => Some(contact),
            Err(failure) => {
                if let Ok(mut slot) = failed.lock() {
                    *slot = Some(failure.with_context(" (the file changed during the upload)"));
                }
                None
            }
        }
    }))
}
