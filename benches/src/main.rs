//! The OSVI SDK benchmark harness. One command runs every scenario and prints the tables of
//! `BENCHMARKS.md`:
//!
//! ```text
//! cargo run --release -p osvi-bench
//! ```
//!
//! The loopback server is this same binary started as a child process (`--serve`), so its CPU
//! and memory stay out of the measurements. Clients that are compared run in the same process
//! and the same run, in interleaved rounds, so the ratios hold on a noisy machine.

mod server;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use serde::Deserialize;

// ---------------------------------------------------------------- memory

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded to the system allocator with the caller's layout.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its output and the peak heap growth above the start, in bytes.
async fn peak_during<T>(f: impl std::future::Future<Output = T>) -> (T, usize) {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f.await;
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

// ---------------------------------------------------------------- the server

struct Server {
    child: Child,
    base_url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn start_server(page_delay_ms: u64) -> Server {
    let exe = std::env::current_exe().expect("the benchmark knows its own path");
    let mut child = Command::new(exe)
        .args(["--serve", &page_delay_ms.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the benchmark server starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the server prints its port");
    Server {
        child,
        base_url: format!("http://127.0.0.1:{}", line.trim()),
    }
}

// ---------------------------------------------------------------- the three clients

const TOKEN: &str = "0123456789abcdef";
const CALL_ID: &str = "a1b2c3d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d";
const AGENT: &str = "agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og";

/// Hand-written structs for the bare reqwest + serde_json baseline.
#[derive(Deserialize)]
#[allow(dead_code)]
struct BareEnvelope<T> {
    success: bool,
    data: T,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct BareCall {
    call_id: String,
    agent_uuid: Option<String>,
    agent_name: Option<String>,
    phone_number: Option<String>,
    from_number: Option<String>,
    status: Option<String>,
    call_type: Option<String>,
    duration_seconds: Option<i64>,
    call_ended_by: Option<String>,
    call_ended_reason: Option<String>,
    campaign_id: Option<i64>,
    campaign_upload_id: Option<i64>,
    tag: Option<serde_json::Value>,
    created_at: Option<String>,
    call_picked_at: Option<String>,
    caller_name: Option<String>,
    retry_count: Option<i64>,
    summary: Option<String>,
    data_captured: Option<serde_json::Map<String, serde_json::Value>>,
    post_call_analysis: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Deserialize)]
struct BareCreated {
    call_id: String,
}

#[derive(Clone)]
struct Clients {
    ext: osvi_ext::Client,
    raw: osvi_generated::Client,
    bare: reqwest::Client,
    base: String,
}

impl Clients {
    fn new(base: &str) -> Clients {
        let ext = osvi_ext::Client::builder()
            .token(TOKEN)
            .base_url(base)
            .build()
            .expect("client");
        let headers: reqwest::header::HeaderMap = [(
            reqwest::header::HeaderName::from_static("api-token"),
            reqwest::header::HeaderValue::from_static(TOKEN),
        )]
        .into_iter()
        .collect();
        let raw_http = reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .expect("client");
        Clients {
            ext,
            raw: osvi_generated::Client::new_with_client(
                base,
                raw_http,
                osvi_generated::Hooks::plain(),
            ),
            bare: reqwest::Client::new(),
            base: base.to_string(),
        }
    }

    async fn get(&self, which: Which) {
        match which {
            Which::Ext => {
                let call = self.ext.calls().get(CALL_ID).await.expect("ext get");
                assert_eq!(call.duration_seconds, Some(42));
            }
            Which::Raw => {
                let call = self
                    .raw
                    .get_call()
                    .id(CALL_ID)
                    .send()
                    .await
                    .expect("raw get")
                    .into_inner();
                assert_eq!(call.data.duration_seconds, Some(42));
            }
            Which::Bare => {
                let response = self
                    .bare
                    .get(format!("{}/v1/call/{CALL_ID}", self.base))
                    .header("API-Token", TOKEN)
                    .send()
                    .await
                    .expect("bare get");
                let bytes = response.bytes().await.expect("bare body");
                let call: BareEnvelope<BareCall> =
                    serde_json::from_slice(&bytes).expect("bare decode");
                assert_eq!(call.data.duration_seconds, Some(42));
            }
        }
    }

    async fn create(&self, which: Which) {
        let id = match which {
            Which::Ext => {
                let created = self
                    .ext
                    .calls()
                    .create(AGENT, "9876543210", "IN")
                    .person_name("John Doe");
                created.send().await.expect("ext create").call_id
            }
            Which::Raw => {
                let body = osvi_generated::types::CallRequest {
                    agent_uuid: AGENT.into(),
                    phone_number: "9876543210".into(),
                    country_code: "IN".into(),
                    person_name: Some("John Doe".into()),
                    additional_data: Default::default(),
                    call_config_overrides: None,
                    data_extraction: Vec::new(),
                    initial_greeting: None,
                    system_prompt: None,
                    webhook_url: None,
                };
                let created = self
                    .raw
                    .create_call()
                    .body(body)
                    .send()
                    .await
                    .expect("raw create")
                    .into_inner();
                created.data.call_id
            }
            Which::Bare => {
                let body = serde_json::json!({"agent_uuid": AGENT, "phone_number": "9876543210",
                                              "country_code": "IN", "person_name": "John Doe"});
                let response = self
                    .bare
                    .post(format!("{}/v1/call", self.base))
                    .header("API-Token", TOKEN)
                    .json(&body)
                    .send()
                    .await
                    .expect("bare create");
                let bytes = response.bytes().await.expect("bare body");
                let created: BareEnvelope<BareCreated> =
                    serde_json::from_slice(&bytes).expect("bare decode");
                created.data.call_id
            }
        };
        assert_eq!(id, "call_abc123xyz");
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Which {
    Ext,
    Raw,
    Bare,
}

const WHICH: [Which; 3] = [Which::Ext, Which::Raw, Which::Bare];

fn name(which: Which) -> &'static str {
    match which {
        Which::Ext => "osvi-ext",
        Which::Raw => "osvi-generated (raw)",
        Which::Bare => "bare reqwest + serde_json",
    }
}

// ---------------------------------------------------------------- scenarios

/// Sequential requests: per-request median over interleaved rounds, in microseconds.
async fn sequential(clients: &Clients, create: bool, rounds: usize, per_round: usize) -> [f64; 3] {
    let mut samples: [Vec<f64>; 3] = Default::default();
    for _ in 0..rounds {
        for (i, which) in WHICH.iter().enumerate() {
            let started = Instant::now();
            for _ in 0..per_round {
                match create {
                    true => clients.create(*which).await,
                    false => clients.get(*which).await,
                }
            }
            samples[i].push(started.elapsed().as_secs_f64() * 1e6 / per_round as f64);
        }
    }
    samples.map(|mut s| {
        s.sort_by(f64::total_cmp);
        s[s.len() / 2]
    })
}

/// `total` GETs with `in_flight` at once: requests per second, best of interleaved rounds.
async fn concurrent(clients: &Clients, in_flight: usize, total: usize, rounds: usize) -> [f64; 3] {
    let mut best = [0.0f64; 3];
    for _ in 0..rounds {
        for (i, which) in WHICH.iter().enumerate() {
            let started = Instant::now();
            futures::stream::iter(0..total)
                .map(|_| clients.get(*which))
                .buffer_unordered(in_flight)
                .collect::<Vec<()>>()
                .await;
            best[i] = best[i].max(total as f64 / started.elapsed().as_secs_f64());
        }
    }
    best
}

/// Walks `total` calls, 100 per page; `work_per_page` is slept after each page's items.
async fn walk(
    client: &osvi_ext::Client,
    total: usize,
    prefetch: bool,
    work_per_page: Duration,
) -> (Duration, usize) {
    let started = Instant::now();
    let stream = client
        .calls()
        .list()
        .campaign(total as i64)
        .per_page(100)
        .prefetch(prefetch)
        .stream();
    let mut stream = std::pin::pin!(stream);
    let mut seen = 0;
    while let Some(call) = stream.try_next().await.expect("walk") {
        std::hint::black_box(&call);
        seen += 1;
        if seen % 100 == 0 && !work_per_page.is_zero() {
            tokio::time::sleep(work_per_page).await;
        }
    }
    assert_eq!(seen, total);
    (started.elapsed(), seen)
}

fn ratio_row(label: &str, values: [f64; 3], unit: &str, higher_is_better: bool) {
    let bare = values[2];
    for (which, value) in WHICH.iter().zip(values) {
        let ratio = if higher_is_better {
            bare / value
        } else {
            value / bare
        };
        println!(
            "| {label} | {} | {value:.1} {unit} | {ratio:.3} |",
            name(*which)
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--serve") {
        let delay = args.get(2).and_then(|d| d.parse().ok()).unwrap_or(0);
        if let Err(e) = server::serve(Duration::from_millis(delay)).await {
            eprintln!("benchmark server: {e}");
        }
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let scale = if quick { 10 } else { 1 };

    let server = start_server(5);
    let clients = Clients::new(&server.base_url);
    // Warm up connections and lazy statics.
    for which in WHICH {
        clients.get(which).await;
        clients.create(which).await;
    }

    println!("## 1. Per-request overhead (sequential, loopback, median of interleaved rounds)\n");
    println!("| request | client | time per request | ratio to bare |\n| --- | --- | --- | --- |");
    let rounds = 7;
    let per_round = 2000 / scale;
    ratio_row(
        "GET /v1/call/{id}",
        sequential(&clients, false, rounds, per_round).await,
        "µs",
        false,
    );
    ratio_row(
        "POST /v1/call",
        sequential(&clients, true, rounds, per_round).await,
        "µs",
        false,
    );

    println!("\n## 2. Pagination (100 per page, server adds 5 ms per page)\n");
    println!(
        "| calls | caller's work per page | prefetch | wall time | peak heap growth |\n| --- | --- | --- | --- | --- |"
    );
    let total = 100_000 / scale;
    walk(&clients.ext, 100, false, Duration::ZERO).await; // warm-up: first-use allocations
    for work in [Duration::ZERO, Duration::from_millis(5)] {
        for prefetch in [false, true] {
            let ((elapsed, _), peak) = peak_during(walk(&clients.ext, total, prefetch, work)).await;
            println!(
                "| {total} | {} ms | {prefetch} | {:.2} s | {:.0} KiB |",
                work.as_millis(),
                elapsed.as_secs_f64(),
                peak as f64 / 1024.0
            );
        }
    }
    for total in [10_000 / scale, 100_000 / scale] {
        let ((elapsed, _), peak) =
            peak_during(walk(&clients.ext, total, false, Duration::ZERO)).await;
        println!(
            "| {total} | 0 ms | false | {:.2} s | {:.0} KiB |",
            elapsed.as_secs_f64(),
            peak as f64 / 1024.0
        );
    }

    println!("\n## 3. Bulk contacts (add_contacts, 10,000 per request)\n");
    println!(
        "| contacts | requests | wall time | peak heap growth during send | input size |\n| --- | --- | --- | --- | --- |"
    );
    let count = 100_000 / scale;
    let base = LIVE.load(Ordering::Relaxed);
    let contacts: Vec<osvi_ext::campaigns::Contact> = (0..count)
        .map(|i| {
            osvi_ext::campaigns::Contact::new(format!("98{i:08}"))
                .person_name(format!("Person {i}"))
                .variable("plan", "Pro")
        })
        .collect();
    let input = LIVE.load(Ordering::Relaxed) - base;
    let started = Instant::now();
    let (added, peak) = peak_during(
        clients
            .ext
            .campaigns()
            .add_contacts(AGENT, 7, contacts)
            .send(),
    )
    .await;
    let added = added.expect("bulk upload");
    println!(
        "| {count} | {} | {:.2} s | {:.1} MiB | {:.1} MiB |",
        added.campaign_upload_ids.len(),
        started.elapsed().as_secs_f64(),
        peak as f64 / 1048576.0,
        input as f64 / 1048576.0
    );

    println!("\n## 4. Concurrency (GET /v1/call/{{id}}, best of interleaved rounds)\n");
    println!("| in flight | client | throughput | bare / client |\n| --- | --- | --- | --- |");
    for in_flight in [64, 256] {
        let values = concurrent(&clients, in_flight, 20_000 / scale, 3).await;
        ratio_row(&in_flight.to_string(), values, "req/s", true);
    }
}
