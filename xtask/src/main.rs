//! Maintainer tasks for the OSVI SDK workspace.
//!
//! `cargo xtask regen` regenerates, from `openapi/osvi.yaml`, the raw client
//! (`osvi-generated/src/generated.rs`), its httpmock helpers (`src/mock.rs`), the wire facts
//! (`src/spec.rs`: operations, token header, enum values, validation rules) and the spec as
//! JSON (`openapi.json`); `cargo xtask regen --check` regenerates in memory and fails, naming
//! the first differing line, when the checked-in files are stale.
//!
//! The workspace root is found at run time: the nearest directory, from the current one
//! upwards, that holds `openapi/osvi.yaml`.

mod facts;
mod generate;
mod glue;
mod load;
mod normalize;
mod tools;
mod trim;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask regen [--check]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["regen"] => false,
        ["regen", "--check"] => true,
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let root = match workspace_root() {
        Ok(root) => root,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::FAILURE;
        }
    };
    match regen(&root, check) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The spec, relative to the workspace root.
const SPEC: &str = "openapi/osvi.yaml";

/// The workspace root: the nearest directory, from the current one upwards, holding the spec.
fn workspace_root() -> Result<PathBuf, String> {
    let here = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
    find_root(&here).ok_or_else(|| {
        format!(
            "no {SPEC} in {} or any parent: run `cargo xtask regen` inside the workspace",
            here.display()
        )
    })
}

/// The first of `start` and its ancestors that holds [`SPEC`].
fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(SPEC).is_file())
        .map(Path::to_path_buf)
}

/// Generates the files and writes them, or with `check` compares them to the checked-in ones.
fn regen(root: &Path, check: bool) -> Result<(), String> {
    let output = generate::generate(&root.join(SPEC))?;
    let files = [
        ("osvi-generated/src/generated.rs", output.client),
        ("osvi-generated/src/mock.rs", output.mock),
        ("osvi-generated/src/spec.rs", output.facts),
        ("osvi-generated/src/server.rs", output.server),
        ("osvi-generated/src/answers.rs", output.answers),
        ("osvi-generated/src/tools.rs", output.tools),
        ("osvi-generated/openapi.json", output.json),
    ];
    for (relative, contents) in files {
        let path = root.join(relative);
        if check {
            let current = std::fs::read_to_string(&path).unwrap_or_default();
            if let Some(difference) = first_difference(&current, &contents) {
                return Err(format!(
                    "{relative} is stale (run `cargo xtask regen`): {difference}"
                ));
            }
        } else {
            std::fs::write(&path, contents)
                .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
            println!("wrote {relative}");
        }
    }
    if check {
        println!("generated code is up to date");
    }
    Ok(())
}

/// Describes the first line where `current` and `expected` differ, or `None` if they are equal.
fn first_difference(current: &str, expected: &str) -> Option<String> {
    if current == expected {
        return None;
    }
    let mut current_lines = current.lines();
    let mut expected_lines = expected.lines();
    for number in 1.. {
        match (current_lines.next(), expected_lines.next()) {
            (Some(a), Some(b)) if a == b => continue,
            (None, None) => break,
            (a, b) => {
                return Some(format!(
                    "first difference at line {number}:\n  checked in: {}\n  generated:  {}",
                    a.unwrap_or("<end of file>"),
                    b.unwrap_or("<end of file>")
                ));
            }
        }
    }
    Some("the files differ only in line endings or a trailing newline".into())
}

#[cfg(test)]
mod tests {
    use super::{find_root, first_difference};

    #[test]
    fn the_root_is_found_from_a_subdirectory_at_run_time() {
        let base = std::env::temp_dir().join(format!("xtask-root-{}", std::process::id()));
        let nested = base.join("osvi-ext/src");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::create_dir_all(base.join("openapi")).unwrap();
        std::fs::write(base.join("openapi/osvi.yaml"), "openapi: 3.1.0\n").unwrap();
        assert_eq!(find_root(&nested), Some(base.clone()));
        std::fs::remove_dir_all(&base).unwrap();
        assert_eq!(find_root(&nested), None);
    }

    #[test]
    fn equal_files_have_no_difference() {
        assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
    }

    #[test]
    fn first_differing_line_is_named() {
        let d = first_difference("a\nb\nc\n", "a\nB\nc\n").unwrap();
        assert_eq!(
            d,
            "first difference at line 2:\n  checked in: b\n  generated:  B"
        );
    }

    #[test]
    fn a_missing_tail_is_named() {
        let d = first_difference("a\n", "a\nb\n").unwrap();
        assert_eq!(
            d,
            "first difference at line 2:\n  checked in: <end of file>\n  generated:  b"
        );
    }
}
