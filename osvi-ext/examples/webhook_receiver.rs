//! A webhook receiver: listens on a local port and prints each OSVI webhook it gets.
//!
//! ```text
//! OSVI_WEBHOOK_SECRET=change-me cargo run -p osvi-ext --features axum --example webhook_receiver
//! curl -X POST localhost:3000/osvi/webhook -H 'x-osvi-secret: change-me' \
//!      -d '{"call_log_id":"8de63236","call_status":"picked","call_summary":"Confirmed."}'
//! ```
//!
//! Set `PORT` to listen elsewhere. Without `OSVI_WEBHOOK_SECRET` no header is required: fine
//! on a laptop, not on the internet (see `osvi_ext::webhooks` on protecting a receiver).

use osvi_ext::webhooks::WebhookEvent;
use osvi_ext::webhooks::axum::{SharedSecret, router};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let secret = std::env::var("OSVI_WEBHOOK_SECRET")
        .ok()
        .map(|value| SharedSecret::new("x-osvi-secret", value));
    if secret.is_none() {
        println!("OSVI_WEBHOOK_SECRET is not set: accepting webhooks without a secret header");
    }
    let app = axum::Router::new().nest(
        "/osvi/webhook",
        router(secret, |event| async move { print_event(&event) }),
    );
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!(
        "listening on http://{}/osvi/webhook",
        listener.local_addr()?
    );
    axum::serve(listener, app).await
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
