//! Fault injection: the simulator misbehaves the way a real API does during an outage, so you
//! can watch your service (and the SDK) cope.
//!
//! Each request draws at most one fault, with the probabilities of [`FaultRates`] (the same for
//! every route, or per operation id in [`Faults::routes`]), from a random generator seeded
//! with [`Faults::seed`]: the same seed and the same order of requests give the same faults.
//! The kinds ([`FaultKind`]):
//!
//! | kind | what the client sees | acted on? |
//! | --- | --- | --- |
//! | `reset_before` | the connection closes without an answer | no |
//! | `reset_after` | the connection closes without an answer | **yes** (the call was placed) |
//! | `server_error` | `503` with a JSON error body | no |
//! | `rate_limited` | `429` with `Retry-After` ([`Faults::retry_after_seconds`]) | no |
//! | `latency` | the normal answer, [`Faults::latency_ms`] later | yes |
//! | `truncated_body` | the status and half the body, then the connection closes | yes |
//! | `stalled_body` | the status and half the body, then nothing ([`Faults::stall_seconds`]) | yes |
//! | `malformed_json` | the status, and a body that is not JSON | yes |
//! | `endless_body` | the status, and a body that never ends | yes |
//!
//! What the simulator did, whatever the client saw, is in its [`Ledger`](crate::Ledger)
//! ([`Simulator::ledger`](crate::Simulator::ledger)).
//!
//! In a JSON config (`osvi sim --config sim.json`):
//!
//! ```json
//! {"faults": {"seed": 1, "all": {"server_error": 0.05, "reset_after": 0.02},
//!             "routes": {"create_call": {"rate_limited": 0.2}}, "latency_ms": 500}}
//! ```
//!
//! or from the command line, spread evenly over every kind and route:
//! `osvi sim --faults 0.1 --fault-seed 42`.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::connect_info::Connected;
use axum::extract::{ConnectInfo, Request, State as AxumState};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::serve::IncomingStream;
use futures::StreamExt as _;
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::conform::MAX_REQUEST_BYTES;

/// One kind of fault. See the [module docs](self) for what each does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FaultKind {
    /// The connection closes before the request is acted on.
    ResetBefore,
    /// The request is acted on, then the connection closes without an answer.
    ResetAfter,
    /// `503` without acting.
    ServerError,
    /// `429` with `Retry-After`, without acting.
    RateLimited,
    /// The answer comes late.
    Latency,
    /// Half the body, then the connection closes.
    TruncatedBody,
    /// Half the body, then nothing for a long time.
    StalledBody,
    /// A body that is not JSON.
    MalformedJson,
    /// A body that never ends.
    EndlessBody,
}

impl FaultKind {
    /// Every kind, in the order probabilities are drawn.
    pub const ALL: [FaultKind; 9] = [
        FaultKind::ResetBefore,
        FaultKind::ResetAfter,
        FaultKind::ServerError,
        FaultKind::RateLimited,
        FaultKind::Latency,
        FaultKind::TruncatedBody,
        FaultKind::StalledBody,
        FaultKind::MalformedJson,
        FaultKind::EndlessBody,
    ];
}

/// The probability of each fault kind for one request, each in `0.0..=1.0`, summing to at
/// most 1. Missing fields are 0.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FaultRates {
    /// See [`FaultKind::ResetBefore`].
    pub reset_before: f64,
    /// See [`FaultKind::ResetAfter`].
    pub reset_after: f64,
    /// See [`FaultKind::ServerError`].
    pub server_error: f64,
    /// See [`FaultKind::RateLimited`].
    pub rate_limited: f64,
    /// See [`FaultKind::Latency`].
    pub latency: f64,
    /// See [`FaultKind::TruncatedBody`].
    pub truncated_body: f64,
    /// See [`FaultKind::StalledBody`].
    pub stalled_body: f64,
    /// See [`FaultKind::MalformedJson`].
    pub malformed_json: f64,
    /// See [`FaultKind::EndlessBody`].
    pub endless_body: f64,
}

impl FaultRates {
    /// `total` spread evenly over every kind (`0.1` gives each of the 9 kinds 1/90).
    pub fn uniform(total: f64) -> FaultRates {
        let each = total / FaultKind::ALL.len() as f64;
        FaultRates {
            reset_before: each,
            reset_after: each,
            server_error: each,
            rate_limited: each,
            latency: each,
            truncated_body: each,
            stalled_body: each,
            malformed_json: each,
            endless_body: each,
        }
    }

    /// The probability of `kind`.
    pub fn of(&self, kind: FaultKind) -> f64 {
        match kind {
            FaultKind::ResetBefore => self.reset_before,
            FaultKind::ResetAfter => self.reset_after,
            FaultKind::ServerError => self.server_error,
            FaultKind::RateLimited => self.rate_limited,
            FaultKind::Latency => self.latency,
            FaultKind::TruncatedBody => self.truncated_body,
            FaultKind::StalledBody => self.stalled_body,
            FaultKind::MalformedJson => self.malformed_json,
            FaultKind::EndlessBody => self.endless_body,
        }
    }

    /// The kind `draw` (uniform in `0.0..1.0`) falls on, if any.
    fn pick(&self, draw: f64) -> Option<FaultKind> {
        let mut edge = 0.0;
        FaultKind::ALL.into_iter().find(|kind| {
            edge += self.of(*kind);
            draw < edge
        })
    }

    /// Checks that every rate is a probability and that they sum to at most 1.
    fn check(&self, what: &str) -> Result<(), String> {
        let rates = FaultKind::ALL.map(|kind| self.of(kind));
        if rates.iter().any(|r| !(0.0..=1.0).contains(r)) {
            return Err(format!("{what}: every fault rate must be within 0..=1"));
        }
        if rates.iter().sum::<f64>() > 1.0 + 1e-9 {
            return Err(format!("{what}: the fault rates sum to more than 1"));
        }
        Ok(())
    }
}

/// Fault injection settings: rates for every route, rates per operation id, and the knobs of
/// the kinds that need one. The default injects nothing.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Seed of the draws.
    pub seed: u64,
    /// Rates of every route without its own entry in `routes`.
    pub all: FaultRates,
    /// Rates by `operationId` (`create_call`, `get_call` ...), replacing `all` there.
    pub routes: BTreeMap<String, FaultRates>,
    /// The delay of a `latency` fault, in milliseconds (default 2000).
    pub latency_ms: u64,
    /// The `Retry-After` of a `rate_limited` fault, in seconds (default 1).
    pub retry_after_seconds: u64,
    /// How long a `stalled_body` stalls before closing, in seconds (default 3600).
    pub stall_seconds: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            seed: 0,
            all: FaultRates::default(),
            routes: BTreeMap::new(),
            latency_ms: 2000,
            retry_after_seconds: 1,
            stall_seconds: 3600,
        }
    }
}

impl Faults {
    /// `total` spread evenly over every kind, on every route, drawn from `seed`.
    pub fn uniform(total: f64, seed: u64) -> Faults {
        Faults {
            seed,
            all: FaultRates::uniform(total),
            ..Faults::default()
        }
    }

    /// Checks every rate (see [`FaultRates`]) and that `routes` names operations of the spec.
    pub fn check(&self) -> Result<(), String> {
        self.all.check("faults.all")?;
        for (route, rates) in &self.routes {
            let known = osvi_generated::spec::operations::ALL
                .iter()
                .any(|op| op.id == route);
            if !known {
                return Err(format!("faults.routes: `{route}` is not an operation id"));
            }
            rates.check(&format!("faults.routes.{route}"))?;
        }
        Ok(())
    }

    fn rates(&self, operation: &str) -> &FaultRates {
        self.routes.get(operation).unwrap_or(&self.all)
    }

    fn enabled(&self) -> bool {
        let any = |r: &FaultRates| FaultKind::ALL.iter().any(|k| r.of(*k) > 0.0);
        any(&self.all) || self.routes.values().any(any)
    }
}

/// A fault the simulator injected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InjectedFault {
    /// The operation id of the request.
    pub operation: String,
    /// What was done to it.
    pub kind: FaultKind,
}

/// The injector: the settings, the seeded generator, and what it injected.
#[derive(Debug)]
pub(crate) struct Injector {
    faults: Faults,
    rng: Mutex<fastrand::Rng>,
    pub(crate) injected: Mutex<Vec<InjectedFault>>,
}

impl Injector {
    pub(crate) fn new(faults: Faults) -> Injector {
        Injector {
            rng: Mutex::new(fastrand::Rng::with_seed(faults.seed)),
            faults,
            injected: Mutex::new(Vec::new()),
        }
    }

    pub(crate) fn enabled(&self) -> bool {
        self.faults.enabled()
    }

    /// The fault of the next request to `operation`, if it draws one.
    fn draw(&self, operation: &str) -> Option<FaultKind> {
        let draw = self
            .rng
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .f64();
        let kind = self.faults.rates(operation).pick(draw)?;
        self.injected
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(InjectedFault {
                operation: operation.to_string(),
                kind,
            });
        Some(kind)
    }
}

/// Middleware: injects the drawn fault of each request of an operation.
pub(crate) async fn inject(
    AxumState(injector): AxumState<Arc<Injector>>,
    ConnectInfo(connection): ConnectInfo<Connection>,
    request: Request,
    next: Next,
) -> Response {
    if !injector.enabled() {
        return next.run(request).await;
    }
    let operation = crate::conform::operation_of(&request).unwrap_or_default();
    let Some(kind) = injector.draw(&operation) else {
        return next.run(request).await;
    };
    let faults = &injector.faults;
    match kind {
        FaultKind::ResetBefore => connection.reset(),
        FaultKind::ServerError => {
            let body =
                serde_json::json!({"success": false, "error": "Service unavailable (injected)"});
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
        }
        FaultKind::RateLimited => {
            let body =
                serde_json::json!({"success": false, "error": "Too many requests (injected)"});
            let retry_after = faults.retry_after_seconds.to_string();
            let mut response = (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response();
            if let Ok(value) = header::HeaderValue::from_str(&retry_after) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        FaultKind::Latency => {
            tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
            next.run(request).await
        }
        FaultKind::ResetAfter => {
            let _ = next.run(request).await;
            connection.reset()
        }
        FaultKind::TruncatedBody
        | FaultKind::StalledBody
        | FaultKind::MalformedJson
        | FaultKind::EndlessBody => {
            let response = next.run(request).await;
            let stall = Duration::from_secs(faults.stall_seconds);
            damage(response, kind, connection, stall).await
        }
    }
}

/// The answer with its body damaged as `kind` says.
async fn damage(
    response: Response,
    kind: FaultKind,
    connection: Connection,
    stall: Duration,
) -> Response {
    let (mut parts, body) = response.into_parts();
    let full = axum::body::to_bytes(body, MAX_REQUEST_BYTES)
        .await
        .unwrap_or_default();
    let half = full.slice(..full.len() / 2);
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = match kind {
        FaultKind::MalformedJson => {
            let mut text = half.to_vec();
            text.extend_from_slice(b"<html>not json");
            Body::from(text)
        }
        FaultKind::TruncatedBody => {
            // The full length is announced, half is sent, then the connection goes.
            parts
                .headers
                .insert(header::CONTENT_LENGTH, full.len().into());
            let cut = futures::stream::iter([Ok::<Bytes, std::io::Error>(half)]).chain(
                futures::stream::once(async move {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    connection.kill();
                    Err(std::io::Error::other("truncated (injected)"))
                }),
            );
            Body::from_stream(cut)
        }
        FaultKind::StalledBody => {
            let stalled = futures::stream::iter([Ok::<Bytes, std::io::Error>(half)]).chain(
                futures::stream::once(async move {
                    tokio::time::sleep(stall).await;
                    Err(std::io::Error::other("stalled (injected)"))
                }),
            );
            Body::from_stream(stalled)
        }
        _ => {
            let chunk = Bytes::from(vec![b' '; 64 * 1024]);
            let endless =
                futures::stream::repeat_with(move || Ok::<Bytes, std::io::Error>(chunk.clone()));
            Body::from_stream(
                futures::stream::iter([Ok(Bytes::from_static(b"{\"data\": \""))]).chain(endless),
            )
        }
    };
    Response::from_parts(parts, body)
}

/// The connection a request came on, able to cut it.
#[derive(Debug, Clone)]
pub(crate) struct Connection {
    killed: Arc<AtomicBool>,
}

impl Connection {
    /// Cuts the connection: the answer is never written, the socket closes.
    fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
    }

    /// Cuts the connection, and returns the answer hyper will fail to write.
    fn reset(&self) -> Response {
        self.kill();
        StatusCode::INTERNAL_SERVER_ERROR.into_response()
    }
}

impl Connected<IncomingStream<'_, Listener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, Listener>) -> Self {
        Connection {
            killed: stream.io().killed.clone(),
        }
    }
}

/// The simulator's listener: a TCP listener whose connections can be cut by a fault.
pub(crate) struct Listener(pub(crate) tokio::net::TcpListener);

impl axum::serve::Listener for Listener {
    type Io = Io;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Io, std::net::SocketAddr) {
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    let io = Io {
                        stream,
                        killed: Arc::new(AtomicBool::new(false)),
                    };
                    return (io, addr);
                }
                // A failed accept (too many open files ...) is retried shortly.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.local_addr()
    }
}

/// A connection of [`Listener`]: once killed, every read and write fails.
pub(crate) struct Io {
    stream: tokio::net::TcpStream,
    killed: Arc<AtomicBool>,
}

impl Io {
    fn cut(&self) -> Option<std::io::Error> {
        self.killed
            .load(Ordering::SeqCst)
            .then(|| std::io::Error::new(std::io::ErrorKind::ConnectionReset, "cut by a fault"))
    }
}

impl AsyncRead for Io {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if let Some(error) = self.cut() {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Io {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if let Some(error) = self.cut() {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if let Some(error) = self.cut() {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_fall_on_kinds_in_order_and_rates_are_checked() {
        let rates = FaultRates {
            reset_before: 0.1,
            server_error: 0.2,
            ..FaultRates::default()
        };
        assert_eq!(rates.pick(0.05), Some(FaultKind::ResetBefore));
        assert_eq!(rates.pick(0.15), Some(FaultKind::ServerError));
        assert_eq!(rates.pick(0.35), None);
        assert!(FaultRates::uniform(0.9).check("x").is_ok());
        assert!(FaultRates::uniform(1.5).check("x").is_err());
        let negative = FaultRates {
            latency: -0.1,
            ..FaultRates::default()
        };
        assert!(negative.check("x").is_err());
        let mut faults = Faults::uniform(0.1, 1);
        assert!(faults.check().is_ok());
        faults.routes.insert("nope".into(), FaultRates::default());
        assert!(faults.check().is_err());
    }

    #[test]
    fn the_same_seed_draws_the_same_faults() {
        let run = || {
            let injector = Injector::new(Faults::uniform(0.5, 42));
            (0..200)
                .map(|_| injector.draw("get_call"))
                .collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        let hits = first.iter().flatten().count();
        assert!((60..140).contains(&hits), "{hits} of 200 at 0.5");
    }
}
