//! The chaos suite: osvi-ext against a simulator injecting faults of every kind, checked
//! against the simulator's ledger of what it actually did.
//!
//! - 1,000 call placements and 1,000 reads from 8 concurrent clients through 10% injected
//!   faults (resets before and after acting, 503, 429, latency, truncated, stalled, malformed
//!   and endless bodies): nobody is dialed twice; every placement returns the call or an error
//!   whose `may_have_reached_server()` agrees with the ledger; every read succeeds within the
//!   retry budget or fails with a clear error; nothing hangs.
//! - A stalled body ends in `Error::Timeout` within the configured deadline.
//! - An endless body ends in a decode error at the body limit, with bounded memory (measured
//!   by a counting allocator).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use osvi_ext::{Client, Error, RetryPolicy};
use osvi_sim::{FaultKind, FaultRates, Faults, Simulator};

/// The system allocator, counting the bytes live and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The tests of this file run one at a time: the memory test measures the whole process.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The client's deadline for one request.
const TIMEOUT: Duration = Duration::from_secs(2);
/// Attempts per read.
const ATTEMPTS: u32 = 4;

fn client(sim: &Simulator, policy: RetryPolicy) -> Client {
    Client::builder()
        .token(sim.token())
        .base_url(sim.base_url())
        .timeout(TIMEOUT)
        .max_response_bytes(1024 * 1024)
        .retry_policy(policy)
        .build()
        .expect("a loopback simulator")
}

/// Fails if `work` outlives every attempt's deadline plus the retry waits: nothing may hang.
async fn bounded<T>(work: impl std::future::IntoFuture<Output = T>) -> T {
    let budget = TIMEOUT * (ATTEMPTS + 1) + Duration::from_secs(5);
    match tokio::time::timeout(budget, work).await {
        Ok(done) => done,
        Err(_) => panic!("a request hung for more than {budget:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_calls_and_reads_through_ten_percent_faults() {
    let _serial = SERIAL.lock().await;
    let faults = Faults {
        latency_ms: 300,
        retry_after_seconds: 0,
        stall_seconds: 30,
        ..Faults::uniform(0.10, 2026)
    };
    let sim = Simulator::builder()
        .faults(faults)
        .start()
        .await
        .expect("the simulator starts");
    let policy = RetryPolicy::default()
        .max_attempts(ATTEMPTS)
        .base_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(50));
    let agent = sim.agents()[0].agent_id.clone();
    let mut tasks = Vec::new();
    for worker in 0..8u32 {
        let client = client(&sim, policy);
        let agent = agent.clone();
        tasks.push(tokio::spawn(async move {
            let mut creates = Vec::new();
            let mut reads = Vec::new();
            for n in 0..125u32 {
                let number = format!("98{:08}", worker * 125 + n);
                let created = bounded(client.calls().create(&agent, &number, "IN")).await;
                let read = match n % 3 {
                    0 => bounded(client.agents().list_active()).await.map(drop),
                    1 => bounded(client.calls().list().per_page(5)).await.map(drop),
                    _ => match &created {
                        Ok(call) => bounded(client.calls().get(&call.call_id)).await.map(drop),
                        Err(_) => bounded(client.campaigns().status(7)).await.map(drop),
                    },
                };
                creates.push((number, created));
                reads.push(read);
            }
            (creates, reads)
        }));
    }
    let mut creates = Vec::new();
    let mut reads = Vec::new();
    for task in tasks {
        let (c, r) = task.await.expect("no client task panicked");
        creates.extend(c);
        reads.extend(r);
    }
    assert_eq!((creates.len(), reads.len()), (1000, 1000));

    let ledger = sim.ledger();
    let injected: HashSet<FaultKind> = ledger.faults.iter().map(|f| f.kind).collect();
    assert_eq!(
        injected.len(),
        FaultKind::ALL.len(),
        "every kind of fault was injected: {injected:?}"
    );
    let mut dialed: HashMap<&str, Vec<&str>> = HashMap::new();
    for call in &ledger.calls {
        dialed
            .entry(call.phone_number.as_str())
            .or_default()
            .push(call.call_id.as_str());
    }
    let twice: Vec<_> = dialed.iter().filter(|(_, ids)| ids.len() > 1).collect();
    assert!(twice.is_empty(), "people dialed more than once: {twice:?}");

    let (mut placed, mut refused_unsent, mut uncertain) = (0, 0, 0);
    let (mut failed_but_dialed, mut failed_not_dialed) = (0, 0);
    for (number, result) in &creates {
        let person = format!("+91{number}");
        let in_ledger = dialed.get(person.as_str());
        match result {
            Ok(created) => {
                placed += 1;
                assert_eq!(
                    in_ledger.map(|ids| ids.as_slice()),
                    Some([created.call_id.as_str()].as_slice()),
                    "{person}: the call returned is the call placed"
                );
            }
            Err(error) if error.may_have_reached_server() => {
                uncertain += 1;
                assert!(
                    matches!(
                        error.kind(),
                        "transport"
                            | "timeout"
                            | "server"
                            | "rate_limited"
                            | "accepted_but_unreadable"
                    ),
                    "{person}: {error:?}"
                );
            }
            Err(error) => {
                refused_unsent += 1;
                assert!(
                    in_ledger.is_none(),
                    "{person}: the error says the request never reached the server, yet it was dialed: {error:?}"
                );
            }
        }
        match (result.is_err(), in_ledger.is_some()) {
            (true, true) => failed_but_dialed += 1,
            (true, false) => failed_not_dialed += 1,
            _ => {}
        }
        if result.is_err() && in_ledger.is_some() {
            let error = result.as_ref().err();
            assert!(
                error.is_some_and(Error::may_have_reached_server),
                "{person} was dialed but the error says it was not: {error:?}"
            );
        }
    }
    assert_eq!(placed + uncertain + refused_unsent, 1000);
    eprintln!(
        "creates: {placed} placed, {uncertain} failed after maybe reaching the server \
         ({failed_but_dialed} of all failures were dialed, {failed_not_dialed} not), \
         {refused_unsent} failed before; {} faults injected; ledger: {} calls",
        ledger.faults.len(),
        ledger.calls.len()
    );
    assert!(
        failed_but_dialed > 0 && failed_not_dialed > 0,
        "both sides of the statement were exercised"
    );
    assert!(placed >= 850, "only {placed} of 1000 calls placed cleanly");

    let failed: Vec<_> = reads.iter().filter_map(|r| r.as_ref().err()).collect();
    for error in &failed {
        assert!(
            matches!(
                error.kind(),
                "decode" | "transport" | "timeout" | "server" | "rate_limited"
            ),
            "a read failed without a clear error: {error:?}"
        );
        assert!(error.status().is_some() || error.kind() != "decode");
    }
    eprintln!("reads: {} of 1000 failed", failed.len());
    assert!(
        failed.len() <= 50,
        "{} of 1000 reads failed despite {ATTEMPTS} attempts",
        failed.len()
    );
}

/// One fault of `kind` on every request of `operation`, nothing else.
fn only(operation: &str, kind: FaultKind) -> Faults {
    let mut rates = FaultRates::default();
    match kind {
        FaultKind::StalledBody => rates.stalled_body = 1.0,
        FaultKind::EndlessBody => rates.endless_body = 1.0,
        FaultKind::ResetAfter => rates.reset_after = 1.0,
        other => panic!("not used here: {other:?}"),
    }
    let mut faults = Faults::default();
    faults.routes.insert(operation.to_string(), rates);
    faults
}

#[tokio::test]
async fn a_stalled_body_ends_in_a_timeout_within_the_deadline() {
    let _serial = SERIAL.lock().await;
    let sim = Simulator::builder()
        .faults(only("list_active_agents", FaultKind::StalledBody))
        .start()
        .await
        .unwrap();
    let client = client(&sim, RetryPolicy::none()).with_timeout(Duration::from_millis(500));
    let started = Instant::now();
    let err = bounded(client.agents().list_active()).await.unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    eprintln!("stalled body: Error::Timeout after {took:?} (deadline 500 ms)");
    assert!(
        took < Duration::from_secs(3),
        "the 500 ms deadline ended the stall only after {took:?}"
    );
}

#[tokio::test]
async fn an_endless_body_stops_at_the_limit_with_bounded_memory() {
    let _serial = SERIAL.lock().await;
    let sim = Simulator::builder()
        .faults(only("list_calls", FaultKind::EndlessBody))
        .start()
        .await
        .unwrap();
    let client = client(&sim, RetryPolicy::none());
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let err = bounded(client.calls().list()).await.unwrap_err();
    let grew = PEAK.load(Ordering::Relaxed).saturating_sub(before);
    match &err {
        Error::Decode { status, reason, .. } => {
            assert_eq!(*status, 200);
            assert!(reason.contains("larger than 1048576 bytes"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    eprintln!("endless body: the heap peaked {grew} bytes above its start (limit 1 MiB)");
    assert!(
        grew < 16 * 1024 * 1024,
        "reading an endless body grew the heap by {grew} bytes"
    );
}

#[tokio::test]
async fn a_call_placed_before_the_connection_reset_is_reported_as_maybe_placed() {
    let _serial = SERIAL.lock().await;
    let sim = Simulator::builder()
        .faults(only("create_call", FaultKind::ResetAfter))
        .start()
        .await
        .unwrap();
    let client = client(&sim, RetryPolicy::default());
    let agent = sim.agents()[0].agent_id.clone();
    let err = bounded(client.calls().create(&agent, "9876543210", "IN"))
        .await
        .unwrap_err();
    assert!(err.may_have_reached_server(), "{err:?}");
    assert!(
        matches!(
            err,
            Error::Transport {
                before_sending: false,
                ..
            }
        ),
        "{err:?}"
    );
    let ledger = sim.ledger();
    assert_eq!(ledger.calls.len(), 1, "placed once, never resent");
    assert_eq!(ledger.calls[0].phone_number, "+919876543210");
    assert_eq!(ledger.faults.len(), 1);
}

#[tokio::test]
async fn contacts_stored_before_a_reset_are_in_the_ledger_and_the_error_says_so() {
    let _serial = SERIAL.lock().await;
    let upload = |policy: RetryPolicy| async move {
        let sim = Simulator::builder()
            .faults(only("add_campaign_contacts", FaultKind::ResetAfter))
            .start()
            .await
            .unwrap();
        let agent = sim.agents()[0].agent_id.clone();
        let contacts =
            ["9876500001", "9876500002", "9876500003"].map(osvi_ext::campaigns::Contact::new);
        let sent = client(&sim, policy)
            .campaigns()
            .add_contacts(&agent, 7, contacts);
        let err = bounded(sent).await.unwrap_err();
        assert!(err.may_have_reached_server(), "{err:?}");
        let ledger = sim.ledger();
        assert!(ledger.calls.is_empty(), "without enqueue, nobody is dialed");
        ledger.contacts_stored
    };
    // The default policy does not resend a write: stored once, and the error says it may be.
    assert_eq!(upload(RetryPolicy::default()).await, 3);
    // `retry_writes(true)` resends it, as documented: "their effect may then happen twice".
    let resent = RetryPolicy::default()
        .retry_writes(true)
        .base_delay(Duration::from_millis(1));
    let attempts = RetryPolicy::default().attempts() as usize;
    assert_eq!(upload(resent).await, 3 * attempts);
}
