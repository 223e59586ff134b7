//! `osvi mcp`: the whole API as Model Context Protocol tools for AI agents, over stdio or
//! (`--http ADDR`) Streamable HTTP, built on `rmcp`, the protocol's official Rust SDK.
//!
//! - One tool per operation of the spec, from the generated table
//!   (`osvi_generated::tools`): its name is the operation id, its input schema the operation's
//!   parameters and body. The tools call osvi-ext, so they validate, retry and paginate as
//!   the SDK does, and never dial a person twice.
//! - **Safe by default**: `create_call` and `legacy_create_call` are not listed unless the
//!   server is started with `--allow-calls`; even then each needs `"confirm": true`, and
//!   `"dry_run": true` returns the exact request without sending it. An upload with
//!   `"enqueue": true` (which dials its contacts) follows the same rules.
//! - `--sim` serves an in-process simulator: try it with no account.
//!
//! Logs go to standard error (stdout carries the protocol); they never hold the token.

mod handlers;
mod server;

use std::net::SocketAddr;
use std::sync::Arc;

use clap::Args;
use rmcp::ServiceExt;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::exit::{Failure, USAGE};
use handlers::Handlers;
use server::{OsviMcp, Session};

/// `osvi mcp`
#[derive(Debug, Args)]
pub struct McpArgs {
    /// Serve an in-process simulator instead of the API (no token needed, no phone rings).
    #[arg(long)]
    sim: bool,
    /// List the tools that place phone calls (`create_call`, `legacy_create_call`) and let
    /// uploads enqueue their contacts; each such call still needs `"confirm": true`.
    #[arg(long)]
    allow_calls: bool,
    /// Serve Streamable HTTP on this address (at `/mcp`) instead of stdio. Bind to loopback
    /// (`127.0.0.1:PORT`) unless you mean to expose it; port 0 picks a free one, printed on
    /// standard error.
    #[arg(long, value_name = "ADDR")]
    http: Option<SocketAddr>,
}

/// Runs the server until the client goes away (stdio) or Ctrl-C (HTTP).
pub(crate) async fn run(args: McpArgs, global: &crate::Global) -> Result<(), Failure> {
    // Kept alive for as long as the server runs.
    let mut _simulator = None;
    let client = match args.sim {
        true => {
            let sim = osvi_sim::Simulator::builder().start().await.map_err(|e| {
                Failure::new(USAGE, "config", format!("cannot start the simulator: {e}"))
            })?;
            let client = osvi_ext::Client::builder()
                .token(sim.token())
                .base_url(sim.base_url())
                .build()?;
            eprintln!(
                "osvi mcp: serving an in-process simulator at {}",
                sim.base_url()
            );
            _simulator = Some(sim);
            client
        }
        false => global.client()?,
    };
    let handlers = Handlers {
        client,
        allow_calls: args.allow_calls,
    };
    let state = OsviMcp::new(handlers).map_err(|e| Failure::new(crate::exit::FAILURE, "mcp", e))?;
    match args.http {
        None => serve_stdio(state).await,
        Some(addr) => serve_http(state, addr).await,
    }
}

/// MCP over standard input and output, until the client closes them.
async fn serve_stdio(state: Arc<OsviMcp>) -> Result<(), Failure> {
    let running = Session(state)
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| {
            Failure::new(
                crate::exit::FAILURE,
                "mcp",
                format!("MCP session failed to start: {e}"),
            )
        })?;
    running.waiting().await.map_err(|e| {
        Failure::new(
            crate::exit::FAILURE,
            "mcp",
            format!("MCP session ended: {e}"),
        )
    })?;
    Ok(())
}

/// MCP over Streamable HTTP at `/mcp` on `addr`, until Ctrl-C.
async fn serve_http(state: Arc<OsviMcp>, addr: SocketAddr) -> Result<(), Failure> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::new(USAGE, "usage", format!("cannot listen on {addr}: {e}")))?;
    let local = listener
        .local_addr()
        .map_err(|e| Failure::io(format!("the listening address: {e}")))?;
    let mut config = StreamableHttpServerConfig::default();
    if !local.ip().is_loopback() {
        // The default accepts only loopback `Host`s (against DNS rebinding); an address the
        // user chose to expose is accepted too.
        config.allowed_hosts.push(local.ip().to_string());
        config.allowed_hosts.push(local.to_string());
    }
    let service = StreamableHttpService::new(
        move || Ok(Session(state.clone())),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    let router = axum::Router::new().nest_service("/mcp", service);
    eprintln!("osvi mcp: listening on http://{local}/mcp");
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| Failure::io(format!("the HTTP server failed: {e}")))
}
