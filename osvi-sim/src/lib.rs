//! # osvi-sim: a local, stateful OSVI API
//!
//! Serves the whole documented OSVI API on loopback from in-memory state, so tests and demos
//! run end to end with no OSVI account and no phone calls. Stateless mock servers answer
//! fixed bodies; this one keeps state and plays calls out:
//!
//! - tokens and agents come from a [`Config`] (a built-in seed by default: one token, three
//!   active agents and an inactive one, campaign 7);
//! - calls go from `in_progress` to a final status on a simulated clock that runs
//!   [`SimulatorBuilder::speed`] times faster than real time and can be stepped with
//!   [`Simulator::advance`]; outcomes are scripted per number or random from a seed;
//! - an answered call gets a transcript, a summary, `data_captured` from its `data_extraction`
//!   keys and a recording served by the simulator; every finished call with a `webhook_url`
//!   gets the older call-completion webhook POSTed, and every answered call the current
//!   post-call webhook sent to each active integration of its agent
//!   ([`config::IntegrationSeed`]: URL placeholders, method, custom headers), each retried up
//!   to 4 times if the receiver fails;
//! - DND lists are honoured (calls refused, campaign contacts skipped), campaigns queue and
//!   call their contacts, chat sessions follow the documented rules (one active session per
//!   customer and agent, 5 context entries, `ai`/`support` modes, the five commands);
//! - list endpoints paginate with `meta`, and the documented quirks are kept (bare-array
//!   agents, `201` on DND add, `message` on DND delete, legacy envelopes);
//! - on request it misbehaves like an API in an outage ([`faults`]: resets, 5xx, 429,
//!   latency, broken bodies), and its [`Ledger`] says what it actually did.
//!
//! Each simulator has its own state and port; many can run at once.
//!
//! ```no_run
//! # async fn run() {
//! let sim = osvi_sim::Simulator::start().await;
//! println!("{} {}", sim.base_url(), sim.token());
//! # }
//! ```
//!
//! Differences from the real API, on purpose: call ids are UUIDs everywhere (the real
//! `POST /v1/call` is documented returning `call_abc123xyz`), and replies of chat agents are
//! canned.

// docs.rs (`--cfg docsrs`, nightly): badge each item with the feature it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod clock;
pub mod config;
mod conform;
pub mod faults;

mod handlers;
mod http;
mod journal;
pub use journal::Exchange;
mod shared;
mod state;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use config::{AgentSeed, CampaignSeed, Config, DEFAULT_TOKEN, IntegrationSeed};
pub use faults::{FaultKind, FaultRates, Faults, InjectedFault};
pub use state::{Ledger, PlacedCall, SkippedContact};

use shared::Shared;
use state::{Delivery, State};

/// How often the simulator looks for calls that finished (real time).
const TICK: Duration = Duration::from_millis(20);
/// Delivery attempts of one webhook.
const WEBHOOK_ATTEMPTS: u32 = 4;

/// A running simulator. Dropping it stops the server.
pub struct Simulator {
    base_url: String,
    token: String,
    config: Config,
    shared: Shared,
    deliveries: Arc<DeliveryStats>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// The webhook sender and its counts.
#[derive(Debug, Default)]
struct DeliveryStats {
    http: reqwest::Client,
    delivered: AtomicUsize,
    failed: AtomicUsize,
    in_flight: AtomicUsize,
}

/// Configures a [`Simulator`] before it starts.
#[derive(Debug, Clone)]
pub struct SimulatorBuilder {
    config: Config,
    speed: f64,
    port: u16,
    journal: bool,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        SimulatorBuilder {
            config: Config::default(),
            speed: 1.0,
            port: 0,
            journal: false,
        }
    }
}

impl SimulatorBuilder {
    /// Uses `config` instead of the built-in seed.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Runs simulated time `speed` times faster than real time (default 1.0).
    pub fn speed(mut self, speed: f64) -> Self {
        self.speed = speed;
        self
    }

    /// Keeps every exchange (request and answer) for [`Simulator::exchanges`] (default
    /// `false`; memory grows with every request, so leave it off for long runs).
    pub fn journal(mut self, keep: bool) -> Self {
        self.journal = keep;
        self
    }

    /// Injects faults (see [`faults`]); replaces the `faults` of the config.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.config.faults = faults;
        self
    }

    /// Listens on this port of 127.0.0.1 (default 0: a free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Binds the port and starts serving. Fails on fault rates that are not probabilities.
    pub async fn start(self) -> std::io::Result<Simulator> {
        self.config
            .faults
            .check()
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let mut state = State::new(self.config.clone(), self.speed);
        state.base_url = base_url.clone();
        let conformance = conform::Conformance::from_spec().map_err(std::io::Error::other)?;
        let shared = Shared {
            state: Arc::new(Mutex::new(state)),
            wake: Arc::new(tokio::sync::Notify::new()),
            conformance: Arc::new(conformance),
            journal: self.journal.then(Default::default),
            faults: Arc::new(faults::Injector::new(self.config.faults.clone())),
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(std::io::Error::other)?;
        let deliveries = Arc::new(DeliveryStats {
            http,
            ..DeliveryStats::default()
        });
        let app = http::router(shared.clone())
            .into_make_service_with_connect_info::<faults::Connection>();
        let listener = faults::Listener(listener);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let ticker = tokio::spawn(tick(shared.clone(), deliveries.clone()));
        Ok(Simulator {
            base_url,
            token: self.config.token().to_string(),
            config: self.config,
            shared,
            deliveries,
            tasks: vec![server, ticker],
        })
    }
}

impl Simulator {
    /// Starts a simulator with the built-in seed on a free loopback port, at real speed.
    ///
    /// # Panics
    /// If no loopback port can be bound; use [`Simulator::builder`] to handle that error.
    pub async fn start() -> Simulator {
        match Simulator::builder().start().await {
            Ok(sim) => sim,
            Err(e) => panic!("osvi-sim cannot listen on 127.0.0.1: {e}"),
        }
    }

    /// Starts a [`SimulatorBuilder`].
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }

    /// The base URL to give a client (`http://127.0.0.1:<port>`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A valid API token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The agents of the account (active and inactive).
    pub fn agents(&self) -> &[AgentSeed] {
        &self.config.agents
    }

    /// Moves the simulated clock forward by `by`; calls due by then finish at once and
    /// their webhooks are sent.
    pub fn advance(&self, by: Duration) {
        self.shared.lock().clock.advance(by);
        self.shared.wake.notify_one();
    }

    /// Finishes the calls that are due and waits until every webhook in flight was delivered
    /// or gave up.
    pub async fn settle(&self) {
        for delivery in take_due(&self.shared, &self.deliveries) {
            deliver(delivery, &self.deliveries).await;
        }
        while self.deliveries.in_flight.load(Ordering::SeqCst) > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Every exchange so far, in order, when the journal is on ([`SimulatorBuilder::journal`]);
    /// empty otherwise.
    pub fn exchanges(&self) -> Vec<Exchange> {
        match &self.shared.journal {
            Some(journal) => journal
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone(),
            None => Vec::new(),
        }
    }

    /// What the simulator actually did so far, whatever its clients saw: every call placed
    /// (by `POST /v1/call`, legacy `POST /call` or an enqueued campaign upload), the contacts
    /// stored, and the faults injected.
    pub fn ledger(&self) -> Ledger {
        let mut ledger = self.shared.lock().ledger();
        ledger.faults = self
            .shared
            .faults
            .injected
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        ledger
    }

    /// Webhooks delivered (answered 2xx) so far.
    pub fn webhooks_delivered(&self) -> usize {
        self.deliveries.delivered.load(Ordering::SeqCst)
    }

    /// Webhooks that failed every attempt so far.
    pub fn webhooks_failed(&self) -> usize {
        self.deliveries.failed.load(Ordering::SeqCst)
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Finishes the calls that are due and counts their webhooks as in flight, both under the
/// state lock, so [`Simulator::settle`] never misses a delivery another task took.
fn take_due(shared: &Shared, stats: &DeliveryStats) -> Vec<Delivery> {
    let mut state = shared.lock();
    let due = state.process();
    stats.in_flight.fetch_add(due.len(), Ordering::SeqCst);
    due
}

/// Finishes due calls every [`TICK`] (or when woken) and delivers their webhooks.
async fn tick(shared: Shared, stats: Arc<DeliveryStats>) {
    loop {
        let _ = tokio::time::timeout(TICK, shared.wake.notified()).await;
        for delivery in take_due(&shared, &stats) {
            let stats = stats.clone();
            tokio::spawn(async move { deliver(delivery, &stats).await });
        }
    }
}

/// POSTs one webhook, retrying a failed attempt up to [`WEBHOOK_ATTEMPTS`] times.
async fn deliver(delivery: Delivery, stats: &DeliveryStats) {
    let mut delivered = false;
    for attempt in 0..WEBHOOK_ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
        }
        let method = reqwest::Method::from_bytes(delivery.method.as_bytes())
            .unwrap_or(reqwest::Method::POST);
        let mut request = stats.http.request(method, &delivery.url);
        for (name, value) in &delivery.headers {
            request = request.header(name, value);
        }
        request = match &delivery.body {
            Some(body) => request.json(body),
            None => request.header(reqwest::header::CONTENT_TYPE, "application/json"),
        };
        let sent = request.send().await;
        if sent.is_ok_and(|r| r.status().is_success()) {
            delivered = true;
            break;
        }
    }
    let counter = if delivered {
        &stats.delivered
    } else {
        &stats.failed
    };
    counter.fetch_add(1, Ordering::SeqCst);
    stats.in_flight.fetch_sub(1, Ordering::SeqCst);
}
