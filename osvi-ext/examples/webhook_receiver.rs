//! A webhook receiver that prints each OSVI webhook it gets.
//!
//! ```text
//! cargo run -p osvi-ext --features axum --example webhook_receiver
//! OSVI_WEBHOOK_SECRET=change-me cargo run -p osvi-ext --features axum --example webhook_receiver -- --listen
//! curl -X POST localhost:3000/osvi/webhook -H 'x-osvi-secret: change-me' \
//!      -d '{"call_log_id":"8de63236","call_status":"picked","call_summary":"Confirmed."}'
//! ```
//!
//! Without arguments it runs against the simulator: starts it, serves the receiver on a free
//! port, places a call whose `webhook_url` is the receiver, prints the webhook the simulator
//! sends when the call ends, and exits. With `--listen` it listens on `PORT` (default 3000)
//! until Ctrl-C. Without `OSVI_WEBHOOK_SECRET` no header is required: fine on a laptop, not
//! on the internet (see `osvi_ext::webhooks` on protecting a receiver).

use std::time::Duration;

use osvi_ext::webhooks::WebhookEvent;
use osvi_ext::webhooks::axum::{SharedSecret, router};
use tokio::sync::mpsc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("failed: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let listen = std::env::args().any(|a| a == "--listen");
    let secret = std::env::var("OSVI_WEBHOOK_SECRET")
        .ok()
        .map(|value| SharedSecret::new("x-osvi-secret", value));
    if secret.is_none() {
        println!("OSVI_WEBHOOK_SECRET is not set: accepting webhooks without a secret header");
    }
    let (events, mut received) = mpsc::unbounded_channel();
    let app = axum::Router::new().nest(
        "/osvi/webhook",
        router(secret, move |event| {
            print_event(&event);
            let _ = events.send(());
            async {}
        }),
    );
    let port = match listen {
        true => std::env::var("PORT").unwrap_or_else(|_| "3000".into()),
        false => "0".into(),
    };
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    let url = format!("http://{}/osvi/webhook", listener.local_addr()?);
    println!("listening on {url}");
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    if listen {
        return Ok(server.await??);
    }

    let mut config = osvi_sim::Config::default();
    config.outcomes.insert("9876543210".into(), "picked".into());
    let sim = osvi_sim::Simulator::builder()
        .config(config)
        .speed(20.0)
        .start()
        .await?;
    println!(
        "placing a call on the local simulator at {}",
        sim.base_url()
    );
    let client = osvi_ext::Client::builder()
        .token(sim.token())
        .base_url(sim.base_url())
        .build()?;
    let agent = client.agents().list_active().await?;
    let agent = agent.first().ok_or("the simulator has no active agent")?;
    client
        .calls()
        .create(&agent.agent_id, "9876543210", "IN")
        .webhook_url(&url)
        .await?;
    tokio::time::timeout(Duration::from_secs(30), received.recv())
        .await
        .map_err(|_| "no webhook within 30 s")?;
    Ok(())
}

fn print_event(event: &WebhookEvent) {
    match event {
        WebhookEvent::CallCompleted(call) => println!(
            "call {} finished: {}\n{}",
            call.call_log_id.as_deref().unwrap_or("?"),
            call.call_status
                .as_ref()
                .map_or("(no status)", |s| s.as_str()),
            call.chat.as_deref().unwrap_or("")
        ),
        WebhookEvent::PostCallAnalysis(call) => println!(
            "call {} analysed: {}\n  extracted: {}",
            call.call_log_id.as_deref().unwrap_or("?"),
            call.call_summary.as_deref().unwrap_or("(no summary)"),
            serde_json::Value::Object(call.data_capture.clone())
        ),
        other => println!("{other:?}"),
    }
}
