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
/// Allocations made (calls to `alloc`), to count them per request.
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded to the system allocator with the caller's layout.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
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
    start_child(&["--serve", &page_delay_ms.to_string()])
}

/// The OSVI simulator in a child process (`osvi-bench --serve-sim`), so what it stores stays
/// out of the client's heap figures.
fn start_simulator() -> Server {
    start_child(&["--serve-sim"])
}

/// This binary again with `args`, once it printed its port.
fn start_child(args: &[&str]) -> Server {
    let exe = std::env::current_exe().expect("the benchmark knows its own path");
    let mut child = Command::new(exe)
        .args(args)
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
                assert_eq!(call.data.duration_seconds, Some(42.into()));
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

/// CPU time (user + system) this process has used so far.
fn cpu_now() -> Duration {
    // SAFETY: `getrusage` fills the zeroed struct it is given; RUSAGE_SELF is always valid.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let micros = |t: libc::timeval| t.tv_sec as u64 * 1_000_000 + t.tv_usec as u64;
    Duration::from_micros(micros(usage.ru_utime) + micros(usage.ru_stime))
}

/// What one round of one client cost, per request.
#[derive(Clone, Copy, Default)]
struct Round {
    /// Wall time per request, µs.
    wall_us: f64,
    /// Requests per second.
    throughput: f64,
    /// Client-process CPU time per request, µs.
    cpu_us: f64,
    /// Allocations per request.
    allocs: f64,
}

/// Runs `requests` of `work` and measures the round.
async fn measure<F: std::future::Future<Output = ()>>(requests: usize, work: F) -> Round {
    let (cpu, allocs, started) = (cpu_now(), ALLOCS.load(Ordering::Relaxed), Instant::now());
    work.await;
    let wall = started.elapsed().as_secs_f64();
    let n = requests as f64;
    Round {
        wall_us: wall * 1e6 / n,
        throughput: n / wall,
        cpu_us: (cpu_now() - cpu).as_secs_f64() * 1e6 / n,
        allocs: (ALLOCS.load(Ordering::Relaxed) - allocs) as f64 / n,
    }
}

/// The rounds of the three clients, in the order of [`WHICH`].
type Rounds = [Vec<Round>; 3];

/// Sequential requests, in interleaved rounds (A B C A B C ...).
async fn sequential(clients: &Clients, create: bool, rounds: usize, per_round: usize) -> Rounds {
    let mut samples: Rounds = Default::default();
    for _ in 0..rounds {
        for (i, which) in WHICH.iter().enumerate() {
            let round = measure(per_round, async {
                for _ in 0..per_round {
                    match create {
                        true => clients.create(*which).await,
                        false => clients.get(*which).await,
                    }
                }
            })
            .await;
            samples[i].push(round);
        }
    }
    samples
}

/// `total` GETs with `in_flight` at once, in interleaved rounds.
async fn concurrent(clients: &Clients, in_flight: usize, total: usize, rounds: usize) -> Rounds {
    let mut samples: Rounds = Default::default();
    for _ in 0..rounds {
        for (i, which) in WHICH.iter().enumerate() {
            let round = measure(total, async {
                futures::stream::iter(0..total)
                    .map(|_| clients.get(*which))
                    .buffer_unordered(in_flight)
                    .collect::<Vec<()>>()
                    .await;
            })
            .await;
            samples[i].push(round);
        }
    }
    samples
}

/// `(median, min, max)` of one measure over the rounds.
fn spread(rounds: &[Round], measure: fn(&Round) -> f64) -> (f64, f64, f64) {
    let mut values: Vec<f64> = rounds.iter().map(measure).collect();
    values.sort_by(f64::total_cmp);
    (
        values[values.len() / 2],
        values[0],
        values[values.len() - 1],
    )
}

/// The measure a table is about: per-request wall time (sequential) or throughput
/// (concurrency).
#[derive(Clone, Copy)]
enum Headline {
    WallTime,
    Throughput,
}

/// The rows of one scenario: the median headline (min–max of the rounds) and its ratio to
/// bare, then the median CPU per request, its ratio, and the allocations per request.
fn rows(label: &str, rounds: &Rounds, headline: Headline) {
    let (measure, unit, digits): (fn(&Round) -> f64, &str, usize) = match headline {
        Headline::WallTime => (|r| r.wall_us, "µs", 1),
        Headline::Throughput => (|r| r.throughput, "req/s", 0),
    };
    let bare = spread(&rounds[2], measure).0;
    let bare_cpu = spread(&rounds[2], |r| r.cpu_us).0;
    for (which, samples) in WHICH.iter().zip(rounds) {
        let (value, low, high) = spread(samples, measure);
        let cpu = spread(samples, |r| r.cpu_us).0;
        let allocs = spread(samples, |r| r.allocs).0;
        println!(
            "| {label} | {} | {value:.digits$} {unit} ({low:.digits$}–{high:.digits$}) | {:.3} | {cpu:.1} µs | {:.3} | {allocs:.0} |",
            name(*which),
            value / bare,
            cpu / bare_cpu,
        );
    }
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

/// The simulator with its built-in seed, until killed; prints its port.
async fn serve_simulator() {
    match osvi_sim::Simulator::builder().start().await {
        Ok(sim) => {
            let port = sim
                .base_url()
                .rsplit(':')
                .next()
                .unwrap_or_default()
                .to_string();
            println!("{port}");
            std::future::pending::<()>().await;
        }
        Err(e) => eprintln!("osvi-bench: the simulator cannot start: {e}"),
    }
}

/// `--serve-sim` runs the OSVI simulator (section 3); `--serve [DELAY_MS] [--threads N]` runs the fixed-bytes server (N tokio workers, default
/// 1; `benches/sim-load.sh` gives it the simulator's default of one per core); anything else
/// runs the client benchmarks on one worker.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let serving = args.get(1).map(String::as_str) == Some("--serve");
    let threads = args
        .iter()
        .position(|a| a == "--threads")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(if serving { threads } else { 1 })
        .enable_all()
        .build();
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(e) => return eprintln!("osvi-bench: cannot start the tokio runtime: {e}"),
    };
    if args.get(1).map(String::as_str) == Some("--serve-sim") {
        return runtime.block_on(serve_simulator());
    }
    if serving {
        let delay = args.get(2).and_then(|d| d.parse().ok()).unwrap_or(0);
        if let Err(e) = runtime.block_on(server::serve(Duration::from_millis(delay))) {
            eprintln!("benchmark server: {e}");
        }
        return;
    }
    runtime.block_on(benchmarks(args));
}

/// The client benchmarks (sections 1 to 4, or `--hammer`).
async fn benchmarks(args: Vec<String>) {
    let quick = args.iter().any(|a| a == "--quick");
    let scale = if quick { 10 } else { 1 };
    // `--only 1,4` runs only those sections.
    let only: Option<Vec<String>> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .map(|list| list.split(',').map(str::to_string).collect());
    let run = |section: &str| only.as_ref().is_none_or(|o| o.iter().any(|s| s == section));

    let server = start_server(5);
    let clients = Clients::new(&server.base_url);
    // `--hammer ext|raw|bare [N] [get|post]`: only N requests (default 100,000 GETs of
    // `/v1/call/{id}`; `post`: call placements) at 256 in flight with that client, for a
    // profiler (`perf record -g target/release/osvi-bench --hammer ext`) or callgrind
    // (instructions per request: the difference of two runs with different N,
    // `benches/instructions.sh`).
    if let Some(i) = args.iter().position(|a| a == "--hammer") {
        let which = match args.get(i + 1).map(String::as_str) {
            Some("raw") => Which::Raw,
            Some("bare") => Which::Bare,
            _ => Which::Ext,
        };
        let total = args
            .get(i + 2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(100_000);
        let post = args.get(i + 3).is_some_and(|r| r == "post");
        let round = measure(total, async {
            futures::stream::iter(0..total)
                .map(|_| async {
                    if post {
                        clients.create(which).await
                    } else {
                        clients.get(which).await
                    }
                })
                .buffer_unordered(256)
                .collect::<Vec<()>>()
                .await;
        })
        .await;
        println!(
            "{}: {:.0} req/s, {:.1} µs CPU and {:.0} allocations per request",
            name(which),
            round.throughput,
            round.cpu_us,
            round.allocs
        );
        return;
    }
    // Warm up connections and lazy statics.
    for which in WHICH {
        clients.get(which).await;
        clients.create(which).await;
    }

    if run("1") {
        println!("## 1. Per-request overhead (sequential, median of 7 interleaved rounds)\n");
        println!(
            "| request | client | time per request (min–max) | ratio to bare | CPU per request | CPU ratio | allocations per request |\n| --- | --- | --- | --- | --- | --- | --- |"
        );
        let per_round = 2000 / scale;
        let gets = sequential(&clients, false, 7, per_round).await;
        rows("GET /v1/call/{id}", &gets, Headline::WallTime);
        let creates = sequential(&clients, true, 7, per_round).await;
        rows("POST /v1/call", &creates, Headline::WallTime);
    }

    if run("2") {
        println!("\n## 2. Pagination (100 per page, server adds 5 ms per page)\n");
        println!(
            "| calls | caller's work per page | prefetch | wall time | peak heap growth |\n| --- | --- | --- | --- | --- |"
        );
        let total = 100_000 / scale;
        walk(&clients.ext, 100, false, Duration::ZERO).await; // warm-up: first-use allocations
        for work in [Duration::ZERO, Duration::from_millis(5)] {
            for prefetch in [false, true] {
                let ((elapsed, _), peak) =
                    peak_during(walk(&clients.ext, total, prefetch, work)).await;
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
    }

    if run("3") {
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
        println!(
            "\n### From an iterator (add_contacts_iter): contacts made as they are read\n\n| server | contacts | requests | wall time | peak heap growth during send |\n| --- | --- | --- | --- | --- |"
        );
        let simulator = start_simulator();
        let sim_client = osvi_ext::Client::builder()
            .token(osvi_sim::DEFAULT_TOKEN)
            .base_url(&simulator.base_url)
            .build()
            .expect("a client for the simulator");
        for (server, client, count) in [
            ("bench", &clients.ext, 10_000 / scale),
            ("bench", &clients.ext, 1_000_000 / scale),
            ("osvi-sim", &sim_client, 10_000 / scale),
            ("osvi-sim", &sim_client, 1_000_000 / scale),
        ] {
            let rows = (0..count).map(|i| {
                osvi_ext::campaigns::Contact::new(format!("98{i:08}"))
                    .person_name(format!("Person {i}"))
                    .variable("plan", "Pro")
            });
            let started = Instant::now();
            let (added, peak) =
                peak_during(client.campaigns().add_contacts_iter(AGENT, 7, rows).send()).await;
            let added = added.expect("streamed upload");
            println!(
                "| {server} | {count} | {} | {:.2} s | {:.1} MiB |",
                added.campaign_upload_ids.len(),
                started.elapsed().as_secs_f64(),
                peak as f64 / 1048576.0,
            );
        }
    }

    if run("4") {
        println!(
            "\n## 4. Concurrency (GET /v1/call/{{id}}, median of 7 interleaved rounds of 20,000)\n"
        );
        println!(
            "| in flight | client | throughput (min–max) | ratio to bare | CPU per request | CPU ratio | allocations per request |\n| --- | --- | --- | --- | --- | --- | --- |"
        );
        for in_flight in [64, 256] {
            let rounds = concurrent(&clients, in_flight, 20_000 / scale, 7).await;
            rows(&in_flight.to_string(), &rounds, Headline::Throughput);
        }
    }
}
