//! The `osvi` binary, driven as a user would (with `assert_cmd`), against the simulator on
//! loopback: every subcommand, `--json` output parsed, exit codes, a 1,000-row CSV upload,
//! the webhook receiver, `osvi sim`, completions, and the token kept out of every output.
//!
//! Over 600 lines on purpose: the binary is one process to build and drive, and its tests
//! share the simulator helpers at the top; splitting would repeat them per file.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use osvi_generated::spec::operations;
use osvi_sim::{FaultRates, Faults, Simulator};
use serde_json::{Value, json};

const AGENT: &str = "agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og";
const CHAT_AGENT: &str = "agent_x9KpL2Mn_41Tg83YWQNca-B_pe";
/// The simulator's campaign.
const CAMPAIGN: &str = "7";
/// A fault seed whose first draw at rate 0.5 is no fault and whose second is one.
const SEED_FIRST_OK_SECOND_FAILS: u64 = 3;

/// A simulator on its own runtime, running 200 times faster than real time.
struct Sim {
    sim: Simulator,
    _runtime: tokio::runtime::Runtime,
}

impl Sim {
    fn start() -> Sim {
        Sim::with(Simulator::builder())
    }

    fn with(builder: osvi_sim::SimulatorBuilder) -> Sim {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let sim = runtime
            .block_on(builder.speed(200.0).journal(true).start())
            .expect("simulator");
        Sim {
            sim,
            _runtime: runtime,
        }
    }

    /// `osvi` configured for this simulator through the environment, in UTC.
    fn osvi(&self) -> Command {
        let mut cmd = Command::cargo_bin("osvi").expect("the osvi binary");
        cmd.env_clear()
            .env("OSVI_BASE_URL", self.sim.base_url())
            .env("OSVI_API_TOKEN", self.sim.token())
            .env("TZ", "UTC");
        cmd
    }

    /// Runs `osvi --json ARGS`, asserts success and parses standard output.
    fn json(&self, args: &[&str]) -> Value {
        let output = self
            .osvi()
            .arg("--json")
            .args(args)
            .output()
            .expect("run osvi");
        assert!(
            output.status.success(),
            "osvi {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("--json prints one JSON document")
    }

    /// The operations the simulator has seen, by operation id.
    fn operations_seen(&self) -> BTreeSet<String> {
        self.sim
            .exchanges()
            .into_iter()
            .map(|e| e.operation)
            .collect()
    }
}

/// Every leaf subcommand of `osvi`, as `group command` or `command`.
fn leaf_subcommands() -> BTreeSet<String> {
    let mut leaves = BTreeSet::new();
    for group in osvi_cli::command().get_subcommands() {
        let name = group.get_name();
        if group.has_subcommands() {
            for cmd in group.get_subcommands() {
                leaves.insert(format!("{name} {}", cmd.get_name()));
            }
        } else {
            leaves.insert(name.to_string());
        }
    }
    leaves
}

/// Runs every API subcommand once with `--json` and checks what it decoded; then checks that
/// every API subcommand was run and every operation of the spec reached the simulator.
#[test]
fn every_api_subcommand_runs_against_the_simulator() {
    let sim = Sim::start();
    let mut ran = BTreeSet::new();
    let mut json = |args: &[&str]| {
        let leaf = if leaf_subcommands().contains(&format!("{} {}", args[0], args[1])) {
            format!("{} {}", args[0], args[1])
        } else {
            args[0].to_string()
        };
        ran.insert(leaf);
        sim.json(args)
    };

    let agents = json(&["agents", "list"]);
    let ids: Vec<&str> = agents
        .as_array()
        .expect("a JSON array")
        .iter()
        .filter_map(|a| a["agent_id"].as_str())
        .collect();
    assert_eq!(
        ids.len(),
        3,
        "the three active agents of the seed: {agents}"
    );
    assert_eq!(
        agents[0],
        json!({"agent_id": AGENT, "name": "Appointment Reminder", "status": "active"})
    );

    let created = json(&[
        "calls",
        "create",
        "--agent",
        AGENT,
        "--to",
        "IN:9876543210",
        "--name",
        "John Doe",
        "--greeting",
        "Hello John",
        "--extract",
        "confirmed=Can they come at 10?",
        "--data",
        "plan=gold",
        "--max-duration",
        "300",
        "--redial-attempts",
        "2",
    ]);
    let call_id = created["call_id"].as_str().expect("call_id").to_string();
    let body = last_request_body(&sim, "create_call");
    assert_eq!(body["phone_number"], "9876543210");
    assert_eq!(body["country_code"], "IN");
    assert_eq!(body["person_name"], "John Doe");
    assert_eq!(body["additional_data"], json!({"plan": "gold"}));
    assert_eq!(body["data_extraction"][0]["key"], "confirmed");

    let done = json(&["calls", "wait", &call_id, "--deadline", "60"]);
    assert_eq!(done["call_id"], call_id.as_str());
    assert_eq!(done["status"], "picked", "{done}");
    let got = json(&["calls", "get", &call_id]);
    assert_eq!(got["caller_name"], "John Doe");
    assert!(got["data_captured"].get("confirmed").is_some(), "{got}");
    let listed = json(&[
        "calls",
        "list",
        "--status",
        "picked,busy",
        "--since",
        "2020-01-01",
    ]);
    assert_eq!(listed[0]["call_id"], call_id.as_str());
    assert!(last_query(&sim, "list_calls").contains("status=picked%2Cbusy"));
    let transcript = json(&["calls", "transcript", &call_id]);
    assert!(!transcript["turns"].as_array().expect("turns").is_empty());
    let recording = json(&["calls", "recording", &call_id]);
    assert_eq!(recording["expires_in_seconds"], 900);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("call.mp4");
    let file_arg = file.to_str().expect("utf-8 path");
    let downloaded = json(&["calls", "download-recording", &call_id, file_arg]);
    let bytes = std::fs::metadata(&file).expect("the recording file").len();
    assert!(bytes > 0);
    assert_eq!(downloaded["bytes"], bytes);
    assert!(!dir.path().join("call.mp4.part").exists());

    let added = json(&[
        "dnd",
        "add",
        "--agent",
        AGENT,
        "+919876500000",
        "--reason",
        "asked",
    ]);
    assert_eq!(added["phone"], "+919876500000");
    let dnd = json(&["dnd", "list", "--agent", AGENT]);
    assert_eq!(dnd[0]["reason"], "asked");
    let removed = json(&["dnd", "remove", "--agent", AGENT, "+919876500000"]);
    assert_eq!(removed, json!({"phone": "+919876500000", "removed": true}));
    assert_eq!(json(&["dnd", "list", "--agent", AGENT]), json!([]));

    let csv = dir.path().join("two.csv");
    std::fs::write(&csv, "phone,name\n+919876500001,Asha\n+919876500002,Ravi\n").expect("csv");
    let csv_arg = csv.to_str().expect("utf-8 path");
    let upload = json(&[
        "campaigns",
        "add-contacts",
        CAMPAIGN,
        "--agent",
        AGENT,
        csv_arg,
        "--enqueue",
    ]);
    assert_eq!(upload["contacts_accepted"], 2);
    let status = json(&["campaigns", "status", CAMPAIGN]);
    assert_eq!(status["name"], "June Renewals");
    let drained = json(&[
        "campaigns",
        "wait",
        CAMPAIGN,
        "--interval",
        "1",
        "--deadline",
        "60",
    ]);
    assert_eq!(
        drained["uploads"][0]["queues"][0]["completed"], true,
        "{drained}"
    );

    let session = json(&[
        "chat",
        "create",
        "--agent",
        CHAT_AGENT,
        "--customer",
        "cust-1",
        "--input",
        "plan=gold",
        "--context",
        "VIP",
    ]);
    let session_id = session["id"].as_str().expect("session id").to_string();
    assert_eq!(session["input_fields"], json!({"plan": "gold"}));
    let reply = json(&[
        "chat",
        "send",
        "--agent",
        CHAT_AGENT,
        "--customer",
        "cust-1",
        "hello",
    ]);
    assert_eq!(reply["session_id"], session_id.as_str());
    assert!(reply["reply"].as_str().is_some_and(|r| !r.is_empty()));
    let active = json(&[
        "chat",
        "active",
        "--agent",
        CHAT_AGENT,
        "--customer",
        "cust-1",
    ]);
    assert_eq!(active["id"], session_id.as_str());
    let sessions = json(&["chat", "sessions", "--customer", "cust-1"]);
    assert_eq!(sessions[0]["agent"], CHAT_AGENT);
    assert_eq!(sessions[0]["session"]["id"], session_id.as_str());
    let context = json(&["chat", "context", &session_id, "called twice"]);
    assert_eq!(context["context"], json!(["VIP", "called twice"]));
    let taken = json(&[
        "chat",
        "support",
        &session_id,
        "--command",
        "takeover",
        "--message",
        "Hi, a human here",
    ]);
    assert_eq!(taken["command"], "takeover");
    let closed = json(&["chat", "support", &session_id, "--command", "close"]);
    assert_eq!(closed["command"], "close");

    let legacy_call = json(&[
        "legacy",
        "create-call",
        "--agent",
        AGENT,
        "--to",
        "IN:9876543210",
        "--data",
        "plan=gold",
    ]);
    assert!(legacy_call["call_id"].is_string());
    let legacy = json(&[
        "legacy",
        "chat-start",
        "--agent",
        CHAT_AGENT,
        "--name",
        "Ann",
        "--metadata",
        "plan=gold",
    ]);
    let legacy_id = legacy["session_id"]
        .as_str()
        .expect("legacy session id")
        .to_string();
    let legacy_reply = json(&[
        "legacy",
        "chat-send",
        "--agent",
        CHAT_AGENT,
        &legacy_id,
        "hello",
    ]);
    assert_eq!(legacy_reply["session_id"], legacy_id.as_str());
    let paused = json(&["legacy", "chat-pause", "--agent", CHAT_AGENT, &legacy_id]);
    assert_eq!(
        paused,
        json!({"session_id": legacy_id.as_str(), "message": "Session paused"})
    );
    // The next message resumes the paused session.
    let resumed = json(&[
        "legacy",
        "chat-send",
        "--agent",
        CHAT_AGENT,
        &legacy_id,
        "still there?",
    ]);
    assert_eq!(resumed["session_id"], legacy_id.as_str());
    let legacy_closed = json(&["legacy", "chat-close", "--agent", CHAT_AGENT, &legacy_id]);
    assert!(legacy_closed["summary"].is_string());

    // `chat talk` reads its messages from standard input.
    let talk = sim
        .osvi()
        .args([
            "--jsonl",
            "chat",
            "talk",
            "--agent",
            CHAT_AGENT,
            "--customer",
            "cust-2",
        ])
        .write_stdin("hi\n\nwhat time is it?\n")
        .output()
        .expect("run osvi");
    assert!(talk.status.success());
    let replies: Vec<Value> = String::from_utf8_lossy(&talk.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON reply per line"))
        .collect();
    assert_eq!(replies.len(), 2, "the blank line is not sent");
    assert_eq!(
        replies[0]["session_id"], replies[1]["session_id"],
        "one conversation"
    );
    ran.insert("chat talk".to_string());

    let elsewhere: BTreeSet<String> = ["sim", "webhooks listen", "completions", "mcp"]
        .map(String::from)
        .into();
    let expected: BTreeSet<String> = leaf_subcommands().difference(&elsewhere).cloned().collect();
    assert_eq!(ran, expected, "every API subcommand is run here");
    let seen = sim.operations_seen();
    let missing: Vec<&str> = operations::ALL
        .iter()
        .map(|op| op.id)
        .filter(|id| !seen.contains(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "operations no subcommand reached: {missing:?}"
    );
}

/// The body of the last request of `operation` the simulator received.
fn last_request_body(sim: &Sim, operation: &str) -> Value {
    let exchange = sim
        .sim
        .exchanges()
        .into_iter()
        .rfind(|e| e.operation == operation)
        .expect("the request reached the simulator");
    serde_json::from_slice(&exchange.request_body).expect("a JSON body")
}

/// The query string of the last request of `operation`.
fn last_query(sim: &Sim, operation: &str) -> String {
    sim.sim
        .exchanges()
        .into_iter()
        .rfind(|e| e.operation == operation)
        .map(|e| e.query)
        .unwrap_or_default()
}

#[test]
fn tables_for_people_with_dates_in_local_time() {
    let sim = Sim::start();
    let agents = sim
        .osvi()
        .args(["agents", "list"])
        .output()
        .expect("run osvi");
    assert_eq!(
        String::from_utf8_lossy(&agents.stdout),
        "AGENT ID                          NAME                  STATUS\n\
         agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og  Appointment Reminder  active\n\
         agent_x9KpL2Mn_41Tg83YWQNca-B_pe  Support Line          active\n\
         agent_Qw7Er5Ty_12Ui34OPasd-F_gh   Lead Qualifier        active\n"
    );

    let added = sim.json(&["dnd", "add", "--agent", AGENT, "+919876500000"]);
    let utc = chrono::DateTime::parse_from_rfc3339(added["created_at"].as_str().expect("date"))
        .expect("RFC 3339 in --json");
    let india = utc + chrono::Duration::minutes(330);
    let table = sim
        .osvi()
        .env("TZ", "IST-5:30")
        .args(["dnd", "list", "--agent", AGENT])
        .output()
        .expect("run osvi");
    let text = String::from_utf8_lossy(&table.stdout);
    let expected_date = india.format("%Y-%m-%d %H:%M:%S").to_string();
    assert!(text.starts_with("PHONE          REASON  ADDED\n"), "{text}");
    assert!(
        text.contains(&format!("+919876500000  -       {expected_date}")),
        "{text}"
    );

    let empty = sim
        .osvi()
        .args(["dnd", "list", "--agent", CHAT_AGENT])
        .output()
        .expect("run");
    assert_eq!(String::from_utf8_lossy(&empty.stdout), "(none)\n");
}

#[test]
fn a_campaign_status_shows_its_uploads_as_a_table() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("one.csv");
    std::fs::write(&csv, "phone,name\n+919876500001,Asha\n").expect("csv");
    let (code, stderr) = add_contacts(&sim, &[], csv.to_str().expect("utf-8 path"));
    assert_eq!(code, Some(0), "{stderr}");
    let output = sim
        .osvi()
        .args(["campaigns", "status", CAMPAIGN])
        .output()
        .expect("run osvi");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        !text.contains("[{") && !text.contains("{\""),
        "JSON in a table: {text}"
    );
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("id "), "{text}");
    let at = lines
        .iter()
        .position(|line| *line == "uploads:")
        .unwrap_or_else(|| panic!("no uploads table: {text}"));
    let header: Vec<&str> = lines[at + 1].split_whitespace().collect();
    assert_eq!(
        header,
        [
            "campaign_upload_id",
            "file_name",
            "agent_uuid",
            "created_at",
            "queues"
        ],
        "{text}"
    );
    assert!(
        lines[at + 2].starts_with(|c: char| c.is_ascii_digit()),
        "{text}"
    );
    assert!(
        lines[at + 2].ends_with(&format!(
            "agent_uuid: {AGENT}, total_queued: 1, completed: false"
        )) || lines[at + 2].ends_with(&format!(
            "agent_uuid: {AGENT}, total_queued: 0, completed: true"
        )),
        "{text}"
    );
}

#[test]
fn jsonl_prints_one_object_per_line() {
    let sim = Sim::start();
    let output = sim
        .osvi()
        .args(["--jsonl", "agents", "list"])
        .output()
        .expect("run osvi");
    let lines: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[2]["name"], "Lead Qualifier");
}

/// A route of the simulator that always answers with `kind`.
fn always(kind: fn(&mut FaultRates)) -> FaultRates {
    let mut rates = FaultRates::default();
    kind(&mut rates);
    rates
}

#[test]
fn exit_codes_tell_failures_apart() {
    let mut faults = Faults {
        retry_after_seconds: 0,
        ..Faults::default()
    };
    faults.routes.insert(
        "get_call_transcript".into(),
        always(|r| r.rate_limited = 1.0),
    );
    faults.routes.insert(
        "get_campaign_status".into(),
        always(|r| r.server_error = 1.0),
    );
    faults
        .routes
        .insert("add_dnd_number".into(), always(|r| r.malformed_json = 1.0));
    let sim = Sim::with(Simulator::builder().faults(faults));
    let code = |cmd: &mut Command| cmd.output().expect("run osvi").status.code();

    assert_eq!(
        code(sim.osvi().args(["calls", "get"])),
        Some(2),
        "usage: a missing argument"
    );
    assert_eq!(
        code(sim.osvi().args(["calls", "frobnicate"])),
        Some(2),
        "usage: no such command"
    );
    assert_eq!(
        code(sim.osvi().args([
            "calls",
            "create",
            "--agent",
            "bad id",
            "--to",
            "IN:9876543210"
        ])),
        Some(3),
        "validation before sending"
    );
    assert_eq!(
        code(
            sim.osvi()
                .args(["calls", "create", "--agent", AGENT, "--to", "9876543210"])
        ),
        Some(3),
        "--to without a country"
    );
    assert_eq!(
        code(
            sim.osvi()
                .env_remove("OSVI_API_TOKEN")
                .args(["agents", "list"])
        ),
        Some(4),
        "no token"
    );
    assert_eq!(
        code(
            sim.osvi()
                .env("OSVI_API_TOKEN", "wrong0123456789a")
                .args(["agents", "list"])
        ),
        Some(4),
        "a token the server refuses"
    );
    assert_eq!(
        code(
            sim.osvi()
                .args(["calls", "get", "00000000-0000-4000-8000-000000000000"])
        ),
        Some(5),
        "not found"
    );
    let call = sim.json(&["calls", "create", "--agent", AGENT, "--to", "IN:9876543210"]);
    let call_id = call["call_id"].as_str().expect("call id");
    assert_eq!(
        code(
            sim.osvi()
                .args(["--attempts", "1", "calls", "transcript", call_id])
        ),
        Some(6),
        "rate limited"
    );
    assert_eq!(
        code(
            sim.osvi()
                .args(["--attempts", "2", "campaigns", "status", CAMPAIGN])
        ),
        Some(7),
        "server error after the retries"
    );
    assert_eq!(
        code(
            sim.osvi()
                .args(["dnd", "add", "--agent", AGENT, "+919876500000"])
        ),
        Some(9),
        "a write accepted but unreadable"
    );
    let nowhere = format!("{}/no-such-dir/call.mp4", env!("CARGO_TARGET_TMPDIR"));
    assert_eq!(
        code(
            sim.osvi()
                .args(["calls", "download-recording", call_id, &nowhere])
        ),
        Some(1),
        "any other failure: a file that cannot be written"
    );
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    assert_eq!(
        code(sim.osvi().args([
            "--base-url",
            &format!("http://127.0.0.1:{port}"),
            "agents",
            "list"
        ])),
        Some(8),
        "network: nothing listens there"
    );

    // With --json the failure is a JSON object on standard error.
    let output = sim
        .osvi()
        .args([
            "--json",
            "calls",
            "get",
            "00000000-0000-4000-8000-000000000000",
        ])
        .output()
        .expect("run osvi");
    let error: Value = serde_json::from_slice(&output.stderr).expect("a JSON error");
    assert_eq!(error["error"], "not_found");
    assert_eq!(error["exit_code"], 5);
    assert_eq!(error["status"], 404);
    assert!(output.stdout.is_empty());
}

/// Runs `osvi [flags] campaigns add-contacts 7 --agent AGENT csv`; returns the exit code and
/// standard error.
fn add_contacts(sim: &Sim, flags: &[&str], csv: &str) -> (Option<i32>, String) {
    let output = sim
        .osvi()
        .args(flags)
        .args(["campaigns", "add-contacts", CAMPAIGN, "--agent", AGENT, csv])
        .output()
        .expect("run osvi");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr)
}

#[test]
fn enum_flags_take_only_the_spec_values() {
    let sim = Sim::start();
    for (args, allowed) in [
        (
            &["calls", "list", "--type", "sideways"][..],
            osvi_generated::spec::enums::list_calls_call_type::ALL,
        ),
        (
            &["calls", "list", "--status", "picked,lost"][..],
            osvi_generated::spec::enums::list_calls_status::ALL,
        ),
        (
            &["chat", "support", "some-session", "--command", "dance"][..],
            osvi_generated::spec::enums::support_request_command::ALL,
        ),
    ] {
        let output = sim.osvi().args(args).output().expect("run osvi");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        for value in allowed {
            assert!(stderr.contains(value), "{args:?} names `{value}`: {stderr}");
        }
    }
    assert!(sim.operations_seen().is_empty(), "nothing was sent");
    let listed = sim.json(&[
        "calls",
        "list",
        "--type",
        "outbound",
        "--status",
        "picked,busy",
    ]);
    assert!(listed.is_array(), "{listed}");
    assert!(
        last_query(&sim, "list_calls").contains("call_type=outbound"),
        "{}",
        last_query(&sim, "list_calls")
    );
}

#[test]
fn a_thousand_row_csv_is_uploaded() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("contacts.csv");
    let mut text = String::from("phone,person_name,city\n");
    for i in 0..1000 {
        text.push_str(&format!("+91987{i:07},Person {i},Pune\n"));
    }
    std::fs::write(&csv, text).expect("csv");
    let added = sim.json(&[
        "campaigns",
        "add-contacts",
        CAMPAIGN,
        "--agent",
        AGENT,
        csv.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(added["contacts_received"], 1000);
    assert_eq!(added["contacts_accepted"], 1000);
    assert_eq!(added["duplicates_removed"], 0);
    assert_eq!(added["enqueued"], false);
    assert_eq!(sim.sim.ledger().contacts_stored, 1000);
    let body = last_request_body(&sim, "add_campaign_contacts");
    assert_eq!(body["contacts"].as_array().map(Vec::len), Some(1000));
    assert_eq!(
        body["contacts"][999],
        json!({"phone": "+919870000999", "person_name": "Person 999", "city": "Pune"})
    );
}

#[test]
fn a_bad_csv_row_is_named_and_nothing_is_stored() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("contacts.csv");
    let mut text = String::from("phone,name\n");
    for i in 0..600 {
        let phone = if i == 499 {
            "12".to_string()
        } else {
            format!("+91987{i:07}")
        };
        text.push_str(&format!("{phone},Person {i}\n"));
    }
    let cases = [
        (
            "phone,name\n+919876500001,Asha\n,Ravi\n",
            "line 3: no phone number",
        ),
        ("phone,name\n+919876500001,Asha\n+919876500002\n", "line: 3"),
        ("name\nAsha\n", "no `phone` column"),
        ("phone,name\n", "no contacts"),
    ];
    let path = csv.to_str().expect("utf-8 path");
    for (content, message) in cases {
        std::fs::write(&csv, content).expect("csv");
        let (code, stderr) = add_contacts(&sim, &[], path);
        assert_eq!(code, Some(3), "{stderr}");
        assert!(stderr.contains(message), "expected `{message}` in {stderr}");
    }
    assert!(
        !sim.operations_seen().contains("add_campaign_contacts"),
        "nothing was sent"
    );
    // The phone form is an assumed rule: the SDK sends it, the simulator (which enforces the
    // whole spec) refuses the request, naming the contact, and stores none of it.
    std::fs::write(&csv, &text).expect("csv");
    let (code, stderr) = add_contacts(&sim, &[], path);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("contacts.499.phone"), "{stderr}");
    assert_eq!(sim.sim.ledger().contacts_stored, 0);
}

#[test]
fn the_token_is_never_printed() {
    let sim = Sim::start();
    for args in [
        vec!["--help"],
        vec!["calls", "create", "--help"],
        vec!["agents", "list", "--token", "wrong0123456789a"],
        vec!["--json", "agents", "list", "--token", "wrong0123456789a"],
    ] {
        let output = sim.osvi().args(&args).output().expect("run osvi");
        for stream in [&output.stdout, &output.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(
                !text.contains(sim.sim.token()),
                "{args:?} printed the token: {text}"
            );
            assert!(
                !text.contains("wrong0123456789a"),
                "{args:?} printed the token: {text}"
            );
        }
    }
}

#[test]
fn completions_for_three_shells() {
    for (shell, marker) in [
        ("bash", "_osvi()"),
        ("zsh", "#compdef osvi"),
        ("fish", "complete -c osvi"),
    ] {
        let output = Command::cargo_bin("osvi")
            .expect("osvi")
            .args(["completions", shell])
            .output()
            .expect("run osvi");
        assert!(output.status.success());
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(
            script.contains("add-contacts"),
            "{shell} completes subcommands"
        );
    }
}

/// A spawned `osvi` that is killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str], env: &[(&str, &str)]) -> Running {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("osvi"));
    cmd.env_clear()
        .envs(env.iter().copied())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    Running(cmd.spawn().expect("spawn osvi"))
}

/// Sends one HTTP/1.1 POST to 127.0.0.1:`port` and returns the status code.
fn post(port: u16, path: &str, headers: &[(&str, &str)], body: &str) -> u16 {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut stream = loop {
        match std::net::TcpStream::connect(("127.0.0.1", port)) {
            Ok(stream) => break stream,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("the receiver never listened: {e}"),
        }
    };
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

#[test]
fn webhooks_listen_prints_both_generations() {
    let port = free_port();
    let port_arg = port.to_string();
    let mut receiver = spawn(
        &[
            "--jsonl", "webhooks", "listen", "--port", &port_arg, "--path", "/osvi", "--secret",
            "s3cret",
        ],
        &[],
    );
    let secret = [("x-osvi-secret", "s3cret")];
    let older = r#"{"call_log_id":"8de63236-e013-42dd-9d99-1be5521701d4","agent_name":"Sales Agent","agent_uuid":"agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og","phone_number":"+919876543210","chat":"Agent: Hi","call_status":"picked","executionMode":"prod"}"#;
    let current = r#"{"call_log_id":"8de63236-e013-42dd-9d99-1be5521701d4","phone_number":"+919876543210","call_status":"picked","call_type":"outbound","call_summary":"Confirmed.","data_capture":{"confirmed":"yes"}}"#;
    assert_eq!(post(port, "/osvi", &secret, older), 200);
    assert_eq!(
        post(port, "/osvi", &[("x-osvi-secret", "nope")], current),
        401
    );
    assert_eq!(post(port, "/osvi", &secret, "[1, 2]"), 400);
    assert_eq!(post(port, "/osvi", &secret, current), 200);
    // OSVI retrying the same delivery: answered 200, not printed again.
    assert_eq!(post(port, "/osvi", &secret, current), 200);
    let another_call = current.replace("8de63236", "9fe63236");
    assert_eq!(post(port, "/osvi", &secret, &another_call), 200);

    let stdout = receiver.0.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut next = || -> Value {
        serde_json::from_str(&lines.next().expect("a line").expect("read")).expect("JSON")
    };
    let (first, second, third) = (next(), next(), next());
    assert_eq!(first["kind"], "call_completed");
    assert_eq!(first["execution_mode"], "prod");
    assert_eq!(second["kind"], "post_call_analysis");
    assert_eq!(second["data_capture"], json!({"confirmed": "yes"}));
    assert_eq!(third["kind"], "post_call_analysis");
    assert_eq!(
        third["call_log_id"], "9fe63236-e013-42dd-9d99-1be5521701d4",
        "the repeat was dropped, the next call printed"
    );
    // What was not printed is logged on standard error, without the secrets.
    let stderr = receiver.0.stderr.take().expect("stderr");
    let _ = receiver.0.kill();
    let mut log = String::new();
    BufReader::new(stderr)
        .read_to_string(&mut log)
        .expect("read stderr");
    for expected in [
        "webhook delivery refused (401): missing or wrong secret",
        "webhook delivery refused (400): ",
        "webhook delivery dropped a repeated post_call_analysis delivery for call 8de63236-e013-42dd-9d99-1be5521701d4",
    ] {
        assert!(log.contains(expected), "{expected:?} in {log}");
    }
    assert!(!log.contains("s3cret") && !log.contains("nope"), "{log}");
    drop(receiver);
}

/// The first `sh` block of the README's CLI section.
fn readme_cli_example() -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let section = readme
        .split_once("## The `osvi` command line")
        .expect("the CLI section")
        .1;
    let block = section.split_once("```sh\n").expect("a sh block").1;
    block
        .split_once("```")
        .expect("the block's end")
        .0
        .to_string()
}

#[test]
fn the_readme_cli_example_runs_as_typed() {
    let example = readme_cli_example();
    assert!(example.starts_with("eval \"$(osvi sim"), "{example}");
    let osvi = assert_cmd::cargo::cargo_bin("osvi");
    let bin_dir = osvi.parent().expect("the binary's directory");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Stops the simulator even when a line fails (the block's own `kill` runs otherwise).
    let script = format!(
        "set -euo pipefail\ntrap '[ -n \"${{OSVI_SIM_PID:-}}\" ] && kill $OSVI_SIM_PID 2>/dev/null; true' EXIT\n{example}"
    );
    let output = std::process::Command::new("bash")
        .args(["-c", &script])
        .env_clear()
        .env("PATH", path)
        .env("TZ", "UTC")
        .env("HOME", std::env::temp_dir())
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    // The call placed by the second line is in the list of the third.
    let placed = stdout
        .lines()
        .find_map(|l| {
            l.split_whitespace()
                .find(|w| w.len() == 36 && w.matches('-').count() == 4)
        })
        .unwrap_or_else(|| panic!("no call id printed: {stdout}"));
    assert!(
        stdout.matches(placed).count() >= 2,
        "the list shows the placed call: {stdout}"
    );
    assert!(stderr.is_empty(), "nothing on standard error: {stderr}");
}

#[test]
fn sim_prints_the_environment_to_use_it() {
    let mut sim = spawn(&["sim", "--port", "0", "--speed", "10"], &[]);
    let stdout = sim.0.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut next = || lines.next().expect("a line").expect("read");
    let base_url = next()
        .strip_prefix("export OSVI_BASE_URL=")
        .expect("the base URL line")
        .to_string();
    let token = next()
        .strip_prefix("export OSVI_API_TOKEN=")
        .expect("the token line")
        .to_string();
    assert!(base_url.starts_with("http://127.0.0.1:"));
    let output = Command::cargo_bin("osvi")
        .expect("osvi")
        .env_clear()
        .env("OSVI_BASE_URL", &base_url)
        .env("OSVI_API_TOKEN", &token)
        .args(["--json", "agents", "list"])
        .output()
        .expect("run osvi");
    assert!(output.status.success());
    let agents: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(agents.as_array().map(Vec::len), Some(3));
    drop(sim);

    let bad = Command::cargo_bin("osvi")
        .expect("osvi")
        .args(["sim", "--port", "0", "--faults", "2"])
        .output()
        .expect("run osvi");
    assert_eq!(
        bad.status.code(),
        Some(2),
        "a fault rate above 1 is a usage error"
    );
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot start the simulator"));
}

#[test]
fn an_upload_that_stops_part_way_names_the_line_to_resume_from() {
    // 10,001 contacts take two requests; with this seed the first is stored and the second
    // answered 503 (and not retried: --attempts 1).
    let mut faults = Faults {
        seed: SEED_FIRST_OK_SECOND_FAILS,
        ..Faults::default()
    };
    faults.routes.insert(
        "add_campaign_contacts".into(),
        always(|r| r.server_error = 0.5),
    );
    let sim = Sim::with(Simulator::builder().faults(faults));
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("contacts.csv");
    let mut text = String::from("phone\n");
    for i in 0..10_001 {
        text.push_str(&format!("+9198{i:08}\n"));
    }
    std::fs::write(&csv, text).expect("csv");
    let path = csv.to_str().expect("utf-8 path");
    let (code, stderr) = add_contacts(&sim, &["--attempts", "1"], path);
    assert_eq!(code, Some(9), "{stderr}");
    assert!(
        stderr.contains("after the first 10000 contacts were stored"),
        "{stderr}"
    );
    assert!(stderr.contains("line 10002 on were not stored"), "{stderr}");
    assert_eq!(sim.sim.ledger().contacts_stored, 10_000);
}

#[test]
fn formatted_numbers_are_accepted_and_unstored_contacts_are_reported() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("contacts.csv");
    let mut text = String::from("phone,name\n");
    for i in 0..10 {
        text.push_str(&format!("+91 98765 {:05},Person {i}\n", 43_210 + i));
    }
    text.push_str("12345,Short\n");
    std::fs::write(&csv, text).expect("csv");
    let output = sim
        .osvi()
        .args(["campaigns", "add-contacts", CAMPAIGN, "--agent", AGENT])
        .arg(&csv)
        .output()
        .expect("run osvi");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("11 contacts received, 10 accepted, 0 duplicates removed")
            && stdout.contains("; 1 not stored, for no reason the answer gives"),
        "{stdout}"
    );
    assert_eq!(sim.sim.ledger().contacts_stored, 10);
}

/// A placement whose outcome is uncertain is looked up in the call list: found, it succeeds
/// and says so; absent, it is "not placed" with the failure's own code (7 for a 5xx), and
/// nobody was dialed.
#[test]
fn an_uncertain_placement_is_looked_up_and_the_outcome_printed() {
    let mut faults = Faults::default();
    faults
        .routes
        .insert("create_call".into(), always(|r| r.reset_after = 1.0));
    faults.routes.insert(
        "legacy_create_call".into(),
        always(|r| r.server_error = 1.0),
    );
    let sim = Sim::with(Simulator::builder().faults(faults));
    let run = |args: &[&str]| {
        let output = sim.osvi().args(args).output().expect("run osvi");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        (output.status.code(), stdout, stderr)
    };
    let (code, stdout, stderr) =
        run(&["calls", "create", "--agent", AGENT, "--to", "IN:9876543210"]);
    assert_eq!(code, Some(0), "{stderr}");
    let ledger = sim.sim.ledger();
    assert_eq!(ledger.calls.len(), 1, "the call was placed once");
    let id = &ledger.calls[0].call_id;
    assert!(
        stdout.starts_with(&format!(
            "call {id} placed: found in the call list (1 lookups) after the placement failed: transport error"
        )),
        "{stdout}"
    );
    let (code, stdout, _) = run(&[
        "--json",
        "calls",
        "create",
        "--agent",
        AGENT,
        "--to",
        "IN:9876543211",
    ]);
    assert_eq!(code, Some(0));
    let printed: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON object");
    assert_eq!(printed["reconciled"]["placements"], 1, "{printed}");

    let legacy = [
        "legacy",
        "create-call",
        "--agent",
        AGENT,
        "--to",
        "IN:9876500099",
        "--reconcile-window",
        "1",
    ];
    let (code, _, stderr) = run(&legacy);
    assert_eq!(code, Some(7), "{stderr}");
    assert!(
        stderr.starts_with(
            "error: the call was not placed: placing it failed (server error: HTTP 503"
        ),
        "{stderr}"
    );
    let (code, _, stderr) = run(&[&legacy[..], &["--resend-if-absent"]].concat());
    assert_eq!(
        code,
        Some(7),
        "placed 3 times, answered 503 each time: {stderr}"
    );
    let ledger = sim.sim.ledger();
    assert_eq!(ledger.calls.len(), 2, "the 503s dialed nobody");
    let legacy_faults = ledger
        .faults
        .iter()
        .filter(|f| f.operation == "legacy_create_call")
        .count();
    assert_eq!(
        legacy_faults,
        1 + 3,
        "one placement, then three with resending"
    );
}

/// A write whose connection breaks after the server acted exits 9 ("uncertain"), never 8: a
/// script that retries on 8 must not dial the person again. A read failing the same way is
/// still 8, and a 5xx on a write is 9 too. A placement is 9 when its lookup fails as well.
#[test]
fn a_write_that_may_have_reached_the_server_exits_9_never_8() {
    let mut faults = Faults::default();
    for route in [
        "create_call",
        "add_campaign_contacts",
        "get_call",
        "add_dnd_number",
        "list_calls",
        "get_campaign_status",
    ] {
        faults
            .routes
            .insert(route.into(), always(|r| r.reset_after = 1.0));
    }
    faults.routes.insert(
        "legacy_create_call".into(),
        always(|r| r.server_error = 1.0),
    );
    let sim = Sim::with(Simulator::builder().faults(faults));
    let run = |args: &[&str]| {
        let output = sim.osvi().args(args).output().expect("run osvi");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        (output.status.code(), stderr)
    };
    let (code, stderr) = run(&[
        "calls",
        "create",
        "--agent",
        AGENT,
        "--to",
        "IN:9876543210",
        "--reconcile-window",
        "1",
    ]);
    assert_eq!(code, Some(9), "{stderr}");
    assert!(
        stderr.starts_with(
            "error: the request may have been carried out: it failed (transport error: create_call"
        ) && stderr.contains("looking it up failed too (transport error: list_calls"),
        "{stderr}"
    );
    assert_eq!(sim.sim.ledger().calls.len(), 1, "the call was placed");

    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("contacts.csv");
    std::fs::write(&csv, "phone\n+919876500011\n+919876500012\n").expect("csv");
    let path = csv.to_str().expect("utf-8 path");
    let (code, stderr) = add_contacts(&sim, &["--reconcile-window", "1"], path);
    assert_eq!(code, Some(9), "{stderr}");
    let (code, stderr) = run(&["dnd", "add", "--agent", AGENT, "+919876500013"]);
    assert_eq!(code, Some(9), "{stderr}");
    let (code, stderr) = run(&[
        "legacy",
        "create-call",
        "--agent",
        AGENT,
        "--to",
        "IN:9876543210",
        "--reconcile-window",
        "1",
    ]);
    assert_eq!(code, Some(9), "{stderr}");

    let (code, stderr) = run(&["calls", "get", "00000000-0000-4000-8000-000000000000"]);
    assert_eq!(code, Some(8), "a read that failed the same way: {stderr}");
}

/// Ctrl-C during a 30,000-row upload: the request in flight finishes, the command prints how
/// many contacts were stored and the line to resume from, exits 130; `--from-line` resumes
/// there, and the ledger shows every contact stored exactly once.
#[test]
fn an_interrupted_upload_says_where_to_resume_and_resumes_there() {
    let mut faults = Faults {
        latency_ms: 1500,
        ..Faults::default()
    };
    faults
        .routes
        .insert("add_campaign_contacts".into(), always(|r| r.latency = 1.0));
    let sim = Sim::with(Simulator::builder().faults(faults));
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("contacts.csv");
    let mut rows = String::from("phone,person_name\n");
    for i in 0..30_000 {
        rows.push_str(&format!("+9198{i:08},Person {i}\n"));
    }
    std::fs::write(&csv, rows).expect("csv");
    let path = csv.to_str().expect("utf-8 path");
    let env = [
        ("OSVI_BASE_URL", sim.sim.base_url()),
        ("OSVI_API_TOKEN", sim.sim.token()),
    ];
    let mut child = spawn(
        &[
            "campaigns",
            "add-contacts",
            CAMPAIGN,
            "--agent",
            AGENT,
            path,
        ],
        &env,
    );
    // Each request takes 1.5 s: at 2.5 s the second one is in flight.
    std::thread::sleep(Duration::from_millis(2500));
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.0.id().to_string()])
        .status()
        .expect("kill");
    assert!(interrupted.success());
    let status = child.0.wait().expect("osvi ends");
    let mut stderr = String::new();
    let mut pipe = child.0.stderr.take().expect("piped stderr");
    pipe.read_to_string(&mut stderr).expect("stderr");
    assert_eq!(status.code(), Some(130), "{stderr}");
    let stored = sim.sim.ledger().contacts_stored;
    assert!(
        stored == 10_000 || stored == 20_000,
        "the request in flight finished, no later one was sent: {stored} stored"
    );
    let resume = (stored + 2).to_string();
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: interrupted: {stored} contacts were stored; the rows from {path} line {resume} on were not stored (resume with --from-line {resume})"
        )
    );

    let output = sim
        .osvi()
        .args([
            "campaigns",
            "add-contacts",
            CAMPAIGN,
            "--agent",
            AGENT,
            path,
        ])
        .args(["--from-line", &resume])
        .output()
        .expect("run osvi");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let rest = 30_000 - stored;
    assert!(
        stdout.starts_with(&format!("{rest} contacts received, {rest} accepted")),
        "{stdout}"
    );
    assert_eq!(
        sim.sim.ledger().contacts_stored,
        30_000,
        "every contact stored once"
    );
}

/// Ctrl-C during `download-recording` leaves neither the file nor its `.part`.
#[test]
fn an_interrupted_download_leaves_no_part_file() {
    let mut faults = Faults {
        latency_ms: 5000,
        ..Faults::default()
    };
    faults
        .routes
        .insert("get_call_recording".into(), always(|r| r.latency = 1.0));
    let sim = Sim::with(Simulator::builder().faults(faults));
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("call.mp3");
    let path = file.to_str().expect("utf-8 path");
    let env = [
        ("OSVI_BASE_URL", sim.sim.base_url()),
        ("OSVI_API_TOKEN", sim.sim.token()),
    ];
    let call = "a1b2c3d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d";
    let mut child = spawn(&["calls", "download-recording", call, path], &env);
    let part = dir.path().join("call.mp3.part");
    let started = Instant::now();
    while !part.exists() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(part.exists(), "the download started");
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.0.id().to_string()])
        .status()
        .expect("kill");
    assert!(interrupted.success());
    let status = child.0.wait().expect("osvi ends");
    assert_eq!(status.code(), Some(130));
    assert!(!part.exists() && !file.exists(), "nothing left behind");
}

/// An enqueueing upload to a campaign that already holds uploads warns, before sending, that
/// its contacts will be called again.
#[test]
fn an_enqueueing_upload_warns_when_the_campaign_holds_uploads() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("contacts.csv");
    std::fs::write(&csv, "phone\n+919876500021\n").expect("csv");
    let path = csv.to_str().expect("utf-8 path");
    let (code, first) = add_contacts(&sim, &[], path);
    assert_eq!(code, Some(0), "{first}");
    let output = sim
        .osvi()
        .args([
            "campaigns",
            "add-contacts",
            CAMPAIGN,
            "--agent",
            AGENT,
            path,
            "--enqueue",
        ])
        .output()
        .expect("run osvi");
    let second = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(0), "{second}");
    assert!(
        second.starts_with("warning: campaign 7 already holds 1 uploads; with --enqueue every contact of this file is called"),
        "{second}"
    );
}

/// CSV headers are matched without regard to case (`Phone`, `Name`), and a closed pipe
/// (`osvi ... | head`) ends a command quietly with code 0.
#[test]
fn csv_headers_in_any_case_and_a_closed_pipe_end_quietly() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("contacts.csv");
    std::fs::write(&csv, " Phone ,NAME,Plan\n+919876500041,Ann,Pro\n").expect("csv");
    let (code, stderr) = add_contacts(&sim, &["--json"], csv.to_str().expect("utf-8 path"));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(sim.sim.ledger().contacts_stored, 1);

    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("osvi"))
        .args(["completions", "bash"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn osvi");
    // The reader goes away before osvi writes a byte.
    drop(child.stdout.take());
    let status = child.wait().expect("osvi ends");
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        pipe.read_to_string(&mut stderr).expect("stderr");
    }
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, "", "nothing printed for a closed pipe");
}
