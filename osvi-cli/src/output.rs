//! What the commands print: for people, aligned tables (lists) and `key  value` lines (one
//! record), with dates in local time; for scripts, JSON (`--json`) or JSON Lines (`--jsonl`)
//! of the SDK's types as they serialize (field names as in the SDK, dates in RFC 3339, UTC).
//!
//! Everything goes through `serde_json::Value`: a record's fields are printed in the order the
//! SDK declares them, and a column is a JSON pointer into each item, so a field the SDK adds
//! shows up in `--json` without a change here.

use std::io::Write;

use chrono::{DateTime, Local};
use comfy_table::{Table, presets};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use serde_json::Value;

use crate::exit::Failure;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Tables and `key  value` lines, dates in local time.
    Human,
    /// One JSON document.
    Json,
    /// One JSON object per line.
    Jsonl,
}

/// A column of a table: its header and the JSON pointer of its value in each item.
pub(crate) type Column = (&'static str, &'static str);

/// Prints results in the chosen [`Format`] on standard output.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    format: Format,
}

impl Output {
    pub(crate) fn new(format: Format) -> Self {
        Output { format }
    }

    /// Whether a machine format was asked for.
    pub(crate) fn is_json(&self) -> bool {
        self.format != Format::Human
    }

    /// Prints one record.
    pub(crate) fn record<T: Serialize>(&self, value: &T) -> Result<(), Failure> {
        let value = to_value(value)?;
        match self.format {
            Format::Human => write_stdout(&record_lines(&value)),
            Format::Json => write_stdout(&pretty(&value)?),
            Format::Jsonl => write_stdout(&format!("{value}\n")),
        }
    }

    /// Prints a line for people; in a JSON format, prints `value` instead.
    pub(crate) fn message<T: Serialize>(&self, human: &str, value: &T) -> Result<(), Failure> {
        match self.format {
            Format::Human => write_stdout(&format!("{human}\n")),
            _ => self.record(value),
        }
    }

    /// Prints one event of a stream as it happens: a line for people, or one compact JSON
    /// line in both JSON formats (a stream has no end to close an array at).
    pub(crate) fn event<T: Serialize>(&self, human: &str, value: &T) -> Result<(), Failure> {
        match self.format {
            Format::Human => write_stdout(&format!("{human}\n")),
            _ => write_stdout(&format!("{}\n", to_value(value)?)),
        }
    }

    /// Starts a list with these table columns; push items, then [`List::finish`].
    pub(crate) fn list(&self, columns: &'static [Column]) -> List {
        List {
            format: self.format,
            columns,
            items: Vec::new(),
        }
    }
}

/// A list being printed: JSON Lines go out as items arrive, a table or a JSON array when it
/// is finished.
#[derive(Debug)]
pub(crate) struct List {
    format: Format,
    columns: &'static [Column],
    items: Vec<Value>,
}

impl List {
    /// Adds an item.
    pub(crate) fn push<T: Serialize>(&mut self, item: &T) -> Result<(), Failure> {
        let value = to_value(item)?;
        if self.format == Format::Jsonl {
            return write_stdout(&format!("{value}\n"));
        }
        self.items.push(value);
        Ok(())
    }

    /// Prints what is left: the table (or `(none)`), or the JSON array.
    pub(crate) fn finish(self) -> Result<(), Failure> {
        match self.format {
            Format::Jsonl => Ok(()),
            Format::Json => write_stdout(&pretty(&Value::Array(self.items))?),
            Format::Human if self.items.is_empty() => write_stdout("(none)\n"),
            Format::Human => write_stdout(&table(self.columns, &self.items)),
        }
    }
}

/// A record as `key  value` lines for people (what [`Output::record`] prints), to hand to
/// [`Output::event`], which adds the blank line that separates two events.
pub(crate) fn record_text<T: Serialize>(value: &T) -> Result<String, Failure> {
    Ok(record_lines(&to_value(value)?))
}

/// An aligned table without borders, one row per item.
fn table(columns: &[Column], items: &[Value]) -> String {
    let mut table = Table::new();
    table.load_preset(presets::NOTHING);
    table.set_header(columns.iter().map(|(header, _)| *header));
    for item in items {
        table.add_row(
            columns
                .iter()
                .map(|(_, pointer)| cell(pointer, item.pointer(pointer))),
        );
    }
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    let mut text = String::new();
    for line in table.lines() {
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// `key  value` lines of a record's non-empty fields, keys aligned.
fn record_lines(value: &Value) -> String {
    let Value::Object(fields) = value else {
        return format!("{}\n", cell("", Some(value)));
    };
    let shown: Vec<(&String, String)> = fields
        .iter()
        .filter(|(_, v)| !is_empty(v))
        .map(|(key, v)| (key, cell(key, Some(v))))
        .collect();
    let width = shown.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    shown
        .iter()
        .map(|(key, v)| format!("{key:width$}  {v}\n"))
        .collect()
}

/// Whether a field has nothing to show.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// A value as text for people. A field whose name ends in `_at` holding an RFC 3339 date is
/// shown in local time.
fn cell(name: &str, value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "-".to_string(),
        Some(Value::String(s)) if name.ends_with("_at") => local_time(s),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// An RFC 3339 date in local time (`2026-06-01 15:04:05`); anything else as it is.
pub(crate) fn local_time(text: &str) -> String {
    match DateTime::parse_from_rfc3339(text) {
        Ok(at) => at
            .with_timezone(&Local)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        Err(_) => text.to_string(),
    }
}

/// A spinner with the elapsed time on standard error, drawn only when it is a terminal.
pub(crate) fn spinner(message: String) -> ProgressBar {
    let style = ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    let bar = ProgressBar::new_spinner()
        .with_style(style)
        .with_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// A progress bar of `total` steps on standard error, drawn only when it is a terminal.
pub(crate) fn progress_bar(total: u64, message: String) -> ProgressBar {
    let style = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed})")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::new(total)
        .with_style(style)
        .with_message(message)
}

fn to_value<T: Serialize>(value: &T) -> Result<Value, Failure> {
    serde_json::to_value(value).map_err(|e| Failure::io(format!("cannot print the result: {e}")))
}

fn pretty(value: &Value) -> Result<String, Failure> {
    serde_json::to_string_pretty(value)
        .map(|mut text| {
            text.push('\n');
            text
        })
        .map_err(|e| Failure::io(format!("cannot print the result: {e}")))
}

/// Writes to standard output. A closed pipe (`osvi ... | head`) ends the command at once,
/// quietly and with code 0: the reader has what it wanted, and nothing more can be printed.
pub(crate) fn write_stdout(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => other.map_err(|e| Failure::io(format!("cannot write to standard output: {e}"))),
    }
}
