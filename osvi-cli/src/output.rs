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
    table.set_header(columns.iter().map(|(header, _)| *header));
    for item in items {
        table.add_row(
            columns
                .iter()
                .map(|(_, pointer)| cell(pointer, item.pointer(pointer))),
        );
    }
    render(table)
}

/// A table's lines without borders, columns two spaces apart.
fn render(mut table: Table) -> String {
    table.load_preset(presets::NOTHING);
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

/// `key  value` lines of a record's non-empty fields, keys aligned. A field holding a list of
/// objects (a campaign's uploads) follows as a table of its own under `key:`.
fn record_lines(value: &Value) -> String {
    let Value::Object(fields) = value else {
        return format!("{}\n", cell("", Some(value)));
    };
    let (lists, shown): (Vec<_>, Vec<_>) = fields
        .iter()
        .filter(|(_, v)| !is_empty(v))
        .partition(|(_, v)| is_list_of_objects(v));
    let width = shown.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let mut text: String = shown
        .iter()
        .map(|(key, v)| format!("{key:width$}  {}\n", nested_cell(key, v)))
        .collect();
    for (key, list) in lists {
        if let Value::Array(items) = list {
            text.push_str(&format!("\n{key}:\n"));
            text.push_str(&list_table(items));
        }
    }
    text
}

/// Whether `value` is a list of objects (printed as a table, not as JSON).
fn is_list_of_objects(value: &Value) -> bool {
    matches!(value, Value::Array(items) if items.iter().all(Value::is_object))
}

/// A list of objects as a table: a column per field that any of them fills, in the order
/// first seen.
fn list_table(items: &[Value]) -> String {
    let mut columns: Vec<&str> = Vec::new();
    for item in items {
        if let Value::Object(fields) = item {
            for (key, v) in fields {
                if !is_empty(v) && !columns.contains(&key.as_str()) {
                    columns.push(key);
                }
            }
        }
    }
    let mut table = Table::new();
    table.set_header(columns.iter().copied());
    for item in items {
        table.add_row(columns.iter().map(|key| match item.get(*key) {
            Some(v) => nested_cell(key, v),
            None => "-".to_string(),
        }));
    }
    render(table)
}

/// A value inside a record for people: a list of objects one per line, an object as
/// `key: value` pairs, anything else as [`cell`] shows it.
fn nested_cell(name: &str, value: &Value) -> String {
    match value {
        Value::Array(items) if is_list_of_objects(value) => items
            .iter()
            .map(|item| nested_cell(name, item))
            .collect::<Vec<_>>()
            .join("\n"),
        Value::Object(fields) => fields
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(key, v)| format!("{key}: {}", cell(key, Some(v))))
            .collect::<Vec<_>>()
            .join(", "),
        other => cell(name, Some(other)),
    }
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
