//! `osvi mcp` driven by an independent client, the official MCP Python SDK
//! (`tests/mcp/client.py`, `mcp` installed from PyPI into `target/mcp-venv` on first run),
//! over stdio (`osvi mcp --sim`, with and without `--allow-calls`) and over Streamable HTTP
//! (`osvi mcp --http` in front of a simulator whose ledger the test reads).
//!
//! Ignored by default (it needs python3 with pip, and PyPI on its first run); CI runs it:
//! `cargo test -p osvi-cli --test mcp -- --ignored --nocapture`.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use osvi_generated::PlacesCalls;
use osvi_generated::tools::TOOLS;
use serde_json::Value;

/// The pinned version of the official MCP Python SDK.
const MCP_PYTHON: &str = "mcp==2.3.0";
const AGENT: &str = "agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og";

/// `target/mcp-venv/bin/python`, with the MCP SDK installed when missing.
fn python() -> PathBuf {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/mcp-venv");
    let python = venv.join("bin/python");
    let installed = Command::new(&python)
        .args(["-c", "import mcp"])
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 runs");
        assert!(made.success(), "python3 -m venv failed");
        let pip = Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", MCP_PYTHON])
            .status()
            .expect("pip runs");
        assert!(pip.success(), "pip install {MCP_PYTHON} failed");
    }
    python
}

/// Runs the client script with `args`; returns its steps by name (the last of each name)
/// and everything it and the servers it spawned wrote.
fn drive(args: &[&str]) -> (Vec<(String, Value)>, String) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp/client.py");
    let output = Command::new(python())
        .arg(script)
        .args(args)
        .env_remove("OSVI_API_TOKEN")
        .output()
        .expect("the MCP client runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "the MCP client failed:\n{stdout}\n{stderr}"
    );
    let steps = stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).expect("one JSON object per line"))
        .map(|step| (step["step"].as_str().unwrap_or_default().to_string(), step))
        .collect();
    (steps, format!("{stdout}\n{stderr}"))
}

/// The step named `name` (the last one, when both servers ran it).
fn step<'a>(steps: &'a [(String, Value)], name: &str) -> &'a Value {
    steps
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s)
        .unwrap_or_else(|| panic!("no step {name}"))
}

/// Checks the steps of one server run with `--allow-calls` (see `exercise` in client.py).
fn check_exercise(steps: &[(String, Value)]) {
    let read = step(steps, "read");
    assert_eq!(read["is_error"], false);
    let names: Vec<&str> = read["structured"]["items"]
        .as_array()
        .expect("the agents")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["Appointment Reminder", "Support Line", "Lead Qualifier"]
    );

    assert_eq!(
        step(steps, "dnd_add")["structured"]["phone"],
        "+919876500077"
    );
    let listed = &step(steps, "dnd_listed")["structured"]["items"];
    assert!(
        listed
            .as_array()
            .is_some_and(|l| l.iter().any(|e| e["phone"] == "+919876500077"))
    );
    assert_eq!(step(steps, "dnd_remove")["is_error"], false);
    let after = &step(steps, "dnd_after")["structured"]["items"];
    assert!(
        after
            .as_array()
            .is_some_and(|l| l.iter().all(|e| e["phone"] != "+919876500077"))
    );

    let dry = step(steps, "dry_run");
    assert_eq!(dry["is_error"], false);
    assert_eq!(dry["calls"], 0);
    let request = &dry["structured"]["request"];
    assert_eq!(
        (request["method"].as_str(), request["path"].as_str()),
        (Some("POST"), Some("/v1/call"))
    );
    assert_eq!(request["body"]["phone_number"], "9876543210");
    assert_eq!(request["body"]["person_name"], "John Doe");

    let refused = step(steps, "no_confirm");
    assert_eq!(refused["is_error"], true);
    assert!(
        refused["text"]
            .as_str()
            .is_some_and(|t| t.contains("\"confirm\": true")),
        "{refused}"
    );

    let bad = step(steps, "bad_input");
    assert_eq!(bad["is_error"], true);
    assert_eq!(bad["structured"]["field"], "phone_number", "{bad}");
    assert_eq!(bad["structured"]["sent"], false);
    let two = &step(steps, "two_bad")["structured"]["problems"];
    let fields: BTreeSet<&str> = two
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        BTreeSet::from(["phone_number", "country_code"]),
        "{two}"
    );
    let broken = step(steps, "broken_rule");
    assert_eq!(
        broken["structured"]["field"], "initial_greeting",
        "{broken}"
    );
    assert!(
        broken["structured"]["rule"]
            .as_str()
            .is_some_and(|r| r.contains("2000")),
        "{broken}"
    );
    assert_eq!(
        step(steps, "before_placing")["calls"],
        0,
        "dry run, refusal and bad input sent nothing"
    );

    let placed = step(steps, "placed");
    assert_eq!(placed["is_error"], false, "{placed}");
    assert!(placed["structured"]["call_id"].is_string());
    assert_eq!(step(steps, "after_placing")["calls"], 1);

    let missing = step(steps, "api_error");
    assert_eq!(missing["is_error"], true);
    assert_eq!(missing["structured"]["error"], "not_found");
    assert_eq!(missing["structured"]["status"], 404);
}

#[test]
#[ignore = "needs python3 with pip (and PyPI on the first run); CI runs it"]
fn the_python_sdk_drives_osvi_mcp_over_stdio() {
    let binary = assert_cmd::cargo::cargo_bin("osvi");
    let (steps, everything) = drive(&["stdio", binary.to_str().expect("utf-8 path")]);
    let all: BTreeSet<&str> = TOOLS.iter().map(|t| t.name).collect();
    let placing: BTreeSet<&str> = TOOLS
        .iter()
        .filter(|t| t.operation.places_calls == PlacesCalls::Always)
        .map(|t| t.name)
        .collect();
    assert_eq!(
        placing,
        BTreeSet::from(["create_call", "legacy_create_call"])
    );
    let listings: Vec<&Value> = steps
        .iter()
        .filter(|(n, _)| n == "tools")
        .map(|(_, s)| s)
        .collect();
    assert_eq!(listings.len(), 2, "one listing per server");
    for listing in listings {
        let tools = listing["tools"].as_object().expect("tools");
        let listed: BTreeSet<&str> = tools.keys().map(String::as_str).collect();
        if listing["allow_calls"] == true {
            assert_eq!(listed, all, "with --allow-calls every operation is a tool");
            for name in &placing {
                assert_eq!(tools[*name]["destructive"], true, "{name}");
            }
        } else {
            let expected: BTreeSet<&str> = all.difference(&placing).copied().collect();
            assert_eq!(
                listed, expected,
                "without --allow-calls the call-placing tools are hidden"
            );
        }
        assert_eq!(tools["list_calls"]["read_only"], true);
        assert_eq!(tools["remove_dnd_number"]["destructive"], true);
    }
    check_exercise(&steps);
    assert!(
        !everything.contains(osvi_sim::DEFAULT_TOKEN),
        "the token appeared:\n{everything}"
    );
}

#[test]
#[ignore = "needs python3 with pip (and PyPI on the first run); CI runs it"]
fn the_python_sdk_drives_osvi_mcp_over_streamable_http() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sim = runtime
        .block_on(osvi_sim::Simulator::builder().start())
        .expect("simulator");
    let mut server = Command::new(assert_cmd::cargo::cargo_bin("osvi"))
        .args(["mcp", "--http", "127.0.0.1:0", "--allow-calls"])
        .env_clear()
        .env("OSVI_BASE_URL", sim.base_url())
        .env("OSVI_API_TOKEN", sim.token())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("osvi mcp starts");
    let mut lines = BufReader::new(server.stderr.take().expect("stderr")).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("osvi mcp: listening on ")
                .map(str::to_string)
        })
        .expect("osvi mcp prints its address");
    let (steps, everything) = drive(&["http", &url]);
    let _ = server.kill();
    let _ = server.wait();
    let logged: Vec<String> = lines.map_while(Result::ok).collect();
    check_exercise(&steps);
    let tools = step(&steps, "tools")["tools"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert_eq!(tools.len(), TOOLS.len());
    assert_eq!(tools["create_call"]["destructive"], true);
    let ledger = sim.ledger();
    assert_eq!(
        ledger.calls.len(),
        1,
        "exactly one call placed: {:?}",
        ledger.calls
    );
    assert_eq!(ledger.calls[0].phone_number, "+919876543210");
    let agent_calls = ledger
        .calls
        .iter()
        .filter(|c| c.agent_uuid == AGENT)
        .count();
    assert_eq!(agent_calls, 1);
    for text in [everything.as_str(), &logged.join("\n")] {
        assert!(!text.contains(sim.token()), "the token appeared:\n{text}");
    }
}
