//! `osvi webhooks listen`: a local receiver that prints webhook events (both generations) as
//! they arrive, checking the shared-secret header when one is given. It answers `200` to a
//! payload, `401` to a wrong or missing secret and `400` to a body that is not a payload.
//! A repeated delivery (same kind and call) is answered `200` and not printed again, unless
//! `--keep-repeats`. Every delivery it does not print is logged on standard error (never the
//! secret).

use clap::Subcommand;
use osvi_ext::webhooks::axum::{Receiver, SharedSecret};

use crate::exit::{Failure, USAGE};
use crate::output::{Output, record_text};

/// `osvi webhooks ...`
#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Receive webhooks on http://HOST:PORT/PATH and print each event until Ctrl-C.
    Listen {
        /// The port to listen on.
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// The address to listen on (0.0.0.0 to accept other machines).
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// The path OSVI posts to.
        #[arg(long, default_value = "/")]
        path: String,
        /// Require this shared secret (from the integration's settings) in --secret-header.
        #[arg(long, env = "OSVI_WEBHOOK_SECRET", hide_env_values = true)]
        secret: Option<String>,
        /// The header that carries the secret.
        #[arg(long, default_value = "x-osvi-secret")]
        secret_header: String,
        /// Print a repeated delivery of an event again (by default it is dropped: the last
        /// 10,000 deliveries are remembered).
        #[arg(long)]
        keep_repeats: bool,
    },
}

pub(crate) async fn run(cmd: WebhooksCommand, out: &Output) -> Result<(), Failure> {
    let WebhooksCommand::Listen {
        port,
        host,
        path,
        secret,
        secret_header,
        keep_repeats,
    } = cmd;
    if !path.starts_with('/') {
        return Err(Failure::new(USAGE, "usage", "--path must start with `/`"));
    }
    let out = *out;
    let mut receiver = Receiver::new(move |event| async move {
        let human = record_text(&event).unwrap_or_default();
        // A closed standard output cannot be reported to the sender; the event is dropped.
        let _ = out.event(&human, &event);
    })
    .on_dropped(|dropped| eprintln!("webhook delivery {dropped}"));
    if let Some(value) = secret {
        receiver = receiver.secret(SharedSecret::new(&secret_header, value));
    }
    if keep_repeats {
        receiver = receiver.remember(0);
    }
    let receiver = receiver.router();
    let app = if path == "/" {
        receiver
    } else {
        axum::Router::new().nest(path.trim_end_matches('/'), receiver)
    };
    let listener = tokio::net::TcpListener::bind((host.as_str(), port))
        .await
        .map_err(|e| {
            Failure::new(
                USAGE,
                "usage",
                format!("cannot listen on {host}:{port}: {e}"),
            )
        })?;
    let address = listener
        .local_addr()
        .map_err(|e| Failure::io(format!("cannot read the listening address: {e}")))?;
    eprintln!("listening for webhooks on http://{address}{path} (Ctrl-C stops)");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| Failure::io(format!("webhook receiver failed: {e}")))
}
