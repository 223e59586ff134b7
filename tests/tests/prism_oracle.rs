//! An outside oracle for decoding: Stoplight Prism in dynamic mode answers every request with
//! random values that conform to `openapi/osvi.yaml`, and every operation is driven through
//! osvi-ext against it, 200 times each (`OSVI_PRISM_CALLS` to change). Every answer must be
//! read, and read as what it says (a proxy keeps each body to compare: a `2xx` saying
//! `success: false`, at the top or in `data`, is read as the refusal it is, a one-agent
//! active-session answer listing only other agents' sessions as the absence it is); no
//! request may be
//! refused by Prism's validation (a `422` or `401` of Prism's own).
//!
//! Ignored by default (it installs Prism with npm into `target/prism`, about 20 s, and needs
//! node): `cargo test -p osvi-tests --test prism_oracle -- --ignored --nocapture`. CI runs it.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use osvi_ext::campaigns::Contact;
use osvi_ext::chat::SupportCommand;
use osvi_ext::{Client, Error, RetryPolicy};
use serde_json::Value;

const AGENT: &str = "agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og";
const CALL: &str = "a1b2c3d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d";
const SESSION: &str = "4718a326-417b-4dda-90d0-21fd65a11cb8";

/// The workspace root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// `target/prism/node_modules/.bin/prism`, installed with npm when missing.
fn prism() -> PathBuf {
    let prefix = root().join("target").join("prism");
    let bin = prefix.join("node_modules").join(".bin").join("prism");
    if !bin.exists() {
        let status = Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&prefix)
            .arg("@stoplight/prism-cli@5")
            .status()
            .expect("npm runs (node with npm is needed for this test)");
        assert!(status.success(), "npm install @stoplight/prism-cli failed");
    }
    bin
}

/// A running `prism mock -d`, stopped on drop.
struct Prism(Child, u16);

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_prism() -> Prism {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let child = Command::new(prism())
        .args(["mock", "-d", "-h", "127.0.0.1", "-p", &port.to_string()])
        .arg(root().join("openapi").join("osvi.yaml"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prism starts");
    let prism = Prism(child, port);
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "prism did not start"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    prism
}

/// The body of the last answer that passed through [`recorder`].
type LastBody = Arc<Mutex<Option<Value>>>;

/// A forwarding proxy in front of Prism that keeps the last answer's body, so each reading
/// of the SDK can be compared with what was sent. Returns its base URL.
async fn recorder(prism_port: u16, last: LastBody) -> String {
    let upstream = reqwest::Client::new();
    let app = axum::Router::new().fallback(
        move |method: axum::http::Method,
              uri: axum::http::Uri,
              headers: axum::http::HeaderMap,
              body: axum::body::Bytes| {
            let (upstream, last) = (upstream.clone(), last.clone());
            async move {
                let url = format!("http://127.0.0.1:{prism_port}{uri}");
                let mut request = upstream.request(method, url).body(body);
                for (name, value) in &headers {
                    if name != axum::http::header::HOST {
                        request = request.header(name, value);
                    }
                }
                let answer = request.send().await.expect("prism answers");
                let status = answer.status();
                let content_type = answer.headers().get("content-type").cloned();
                let bytes = answer.bytes().await.unwrap_or_default();
                *last.lock().unwrap() = serde_json::from_slice(&bytes).ok();
                let mut response = axum::response::Response::new(axum::body::Body::from(bytes));
                *response.status_mut() = status;
                if let Some(content_type) = content_type {
                    response.headers_mut().insert("content-type", content_type);
                }
                response
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// Whether an answer's body says the request failed, at the top or inside `data`.
fn says_failure(body: &Value) -> bool {
    body.get("success") == Some(&Value::Bool(false))
        || body.pointer("/data/success") == Some(&Value::Bool(false))
}

/// A misreading of `body`: the SDK's verdict contradicts what the body says.
fn misread(name: &str, verdict: Verdict, body: &Value) -> Option<String> {
    let failure = says_failure(body);
    let legacy_id = body
        .pointer("/data/call_id")
        .or_else(|| body.get("call_id"))
        .is_some_and(Value::is_string);
    let wrong = match verdict {
        Verdict::Read => failure || (name == "legacy_create_call" && !legacy_id),
        Verdict::RefusalRead => !failure,
        Verdict::AbsenceRead => {
            failure
                || body
                    .get("data")
                    .and_then(Value::as_object)
                    .is_none_or(|map| map.contains_key(AGENT) || map.len() == 1)
        }
        _ => false,
    };
    wrong.then(|| format!("{name}: {verdict:?} misreads {body}"))
}

type Call = fn(Client) -> BoxFuture<'static, osvi_ext::Result<()>>;

/// One SDK call per operation of the spec, with valid input.
#[allow(deprecated)]
fn calls() -> Vec<(&'static str, Call)> {
    vec![
        ("list_active_agents", |c| {
            Box::pin(async move { c.agents().list_active().await.map(drop) })
        }),
        ("create_call", |c| {
            Box::pin(async move {
                c.calls()
                    .create(AGENT, "9876543210", "IN")
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("list_calls", |c| {
            Box::pin(async move { c.calls().list().per_page(100).page(1).await.map(drop) })
        }),
        ("get_call", |c| {
            Box::pin(async move { c.calls().get(CALL).await.map(drop) })
        }),
        ("get_call_transcript", |c| {
            Box::pin(async move { c.calls().transcript(CALL).await.map(drop) })
        }),
        ("get_call_recording", |c| {
            Box::pin(async move { c.calls().recording(CALL).await.map(drop) })
        }),
        ("add_campaign_contacts", |c| {
            Box::pin(async move {
                let contacts = [Contact::new("9876543210").person_name("Ravi")];
                c.campaigns()
                    .add_contacts(AGENT, 7, contacts)
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("get_campaign_status", |c| {
            Box::pin(async move { c.campaigns().status(7).await.map(drop) })
        }),
        ("add_dnd_number", |c| {
            Box::pin(async move { c.dnd().add(AGENT, "9876543210").send().await.map(drop) })
        }),
        ("list_dnd_numbers", |c| {
            Box::pin(async move { c.dnd().list(AGENT).page(1).await.map(drop) })
        }),
        ("remove_dnd_number", |c| {
            Box::pin(async move { c.dnd().remove(AGENT, "9876543210").await })
        }),
        ("create_chat_session", |c| {
            Box::pin(async move {
                c.chat()
                    .create_session(AGENT, "+15551112222")
                    .await
                    .map(drop)
            })
        }),
        ("send_chat_message", |c| {
            Box::pin(async move {
                c.chat()
                    .send_message(AGENT, "+15551112222", "Hi")
                    .await
                    .map(drop)
            })
        }),
        ("get_active_chat_session", |c| {
            Box::pin(async move {
                c.chat()
                    .active_session(AGENT, "+15551112222")
                    .await
                    .map(drop)
            })
        }),
        ("get_active_chat_session (all agents)", |c| {
            Box::pin(async move { c.chat().active_sessions("+15551112222").await.map(drop) })
        }),
        ("send_support_command", |c| {
            Box::pin(async move {
                c.chat()
                    .support(SESSION)
                    .command(SupportCommand::Takeover)
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("inject_chat_context", |c| {
            Box::pin(async move {
                c.chat()
                    .inject_context(SESSION, "VIP customer")
                    .await
                    .map(drop)
            })
        }),
        ("legacy_create_call", |c| {
            Box::pin(async move {
                c.legacy()
                    .create_call(AGENT, "9876543210", "IN")
                    .send()
                    .await
                    .map(drop)
            })
        }),
        ("legacy_start_chat_session", |c| {
            Box::pin(async move { c.legacy().start_chat_session(AGENT).await.map(drop) })
        }),
        ("legacy_send_chat_message", |c| {
            Box::pin(async move {
                c.legacy()
                    .send_chat_message(AGENT, SESSION, "Hi")
                    .await
                    .map(drop)
            })
        }),
        ("legacy_close_chat_session", |c| {
            Box::pin(async move {
                c.legacy()
                    .close_chat_session(AGENT, SESSION)
                    .await
                    .map(drop)
            })
        }),
        ("legacy_pause_chat_session", |c| {
            Box::pin(async move {
                c.legacy()
                    .pause_chat_session(AGENT, SESSION)
                    .await
                    .map(drop)
            })
        }),
    ]
}

/// What the oracle counts of one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    /// Read into the answer type.
    Read,
    /// A `2xx` whose body says `success: false`, read as the refusal it is.
    RefusalRead,
    /// A one-agent active-session query answered with sessions of other agents only, read
    /// as the absence it is (`NotFound`, status 200).
    AbsenceRead,
    /// Could not be read: a defect.
    Unreadable,
    /// Prism refused the request as off-spec: a defect.
    Rejected,
    /// Anything else: a defect.
    Unexpected,
}

fn verdict(result: &osvi_ext::Result<()>) -> Verdict {
    match result {
        Ok(()) => Verdict::Read,
        Err(Error::BadRequest(f)) if (200..300).contains(&f.status) => Verdict::RefusalRead,
        Err(Error::NotFound(f)) if f.status == 200 => Verdict::AbsenceRead,
        Err(Error::Decode { .. } | Error::AcceptedButUnreadable { .. }) => Verdict::Unreadable,
        Err(e) if matches!(e.status(), Some(400 | 401 | 404 | 422)) => Verdict::Rejected,
        Err(_) => Verdict::Unexpected,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "installs and runs Stoplight Prism (node); CI runs it with --ignored"]
async fn every_operation_reads_every_answer_prism_generates() {
    let per_operation: usize = std::env::var("OSVI_PRISM_CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let prism = start_prism();
    let last: LastBody = Arc::default();
    let base_url = recorder(prism.1, last.clone()).await;
    let client = Client::builder()
        .token("0123456789abcdef")
        .base_url(base_url)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let calls = calls();
    let covered: std::collections::BTreeSet<&str> = calls
        .iter()
        .map(|(name, _)| name.split(' ').next().unwrap_or_default())
        .collect();
    for operation in osvi_generated::spec::operations::ALL {
        assert!(
            covered.contains(operation.id),
            "{} is not driven",
            operation.id
        );
    }
    let started = Instant::now();
    let mut tally: BTreeMap<(&str, Verdict), usize> = BTreeMap::new();
    let mut defects = Vec::new();
    let mut misreads = 0;
    for (name, call) in &calls {
        for _ in 0..per_operation {
            *last.lock().unwrap() = None;
            let result = call(client.clone()).await;
            let verdict = verdict(&result);
            let body = last.lock().unwrap().take().unwrap_or(Value::Null);
            if let Some(wrong) = misread(name, verdict, &body) {
                misreads += 1;
                if defects.len() < 40 {
                    defects.push(wrong);
                }
            }
            *tally.entry((name, verdict)).or_default() += 1;
            let read = matches!(
                verdict,
                Verdict::Read | Verdict::RefusalRead | Verdict::AbsenceRead
            );
            if !read && defects.len() < 40 {
                defects.push(format!("{name}: {verdict:?}: {result:?}"));
            }
        }
    }
    let total = per_operation * calls.len();
    println!(
        "{total} calls ({per_operation} per method, {} methods) in {:.1} s, {misreads} misread",
        calls.len(),
        started.elapsed().as_secs_f64()
    );
    for ((name, verdict), count) in &tally {
        println!("  {name}: {verdict:?} {count}");
    }
    assert!(defects.is_empty(), "{}", defects.join("\n"));
}
