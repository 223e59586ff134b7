//! Quickstart: list agents, place a call with data extraction and a local webhook receiver,
//! wait for the result (summary, extracted data, transcript), add and remove a DND number,
//! and hold a short chat conversation.
//!
//! ```text
//! cargo run -p osvi-ext --features axum --example quickstart
//! ```
//!
//! Without `OSVI_API_TOKEN` it starts the OSVI simulator (`osvi-sim`) in-process on
//! 127.0.0.1, running 20 times faster than real time, and says so: no account, no network,
//! no phone rings. With `OSVI_API_TOKEN` (and optionally `OSVI_BASE_URL`) it talks to OSVI but
//! only reads, unless you also set `OSVI_QUICKSTART_CALL_TO=IN:9876543210`: only then does it
//! place a real call (and wait for it by polling, since OSVI cannot reach a local receiver).

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use osvi_ext::Client;
use osvi_ext::webhooks::WebhookEvent;

/// Prints a failure for people (`Display`, not `Debug`) and exits with 1.
#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("quickstart failed: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let sim;
    let (client, call_to, local) = match std::env::var("OSVI_API_TOKEN") {
        Ok(_) => {
            println!("OSVI_API_TOKEN is set: talking to OSVI.");
            (
                Client::from_env()?,
                std::env::var("OSVI_QUICKSTART_CALL_TO").ok(),
                false,
            )
        }
        Err(_) => {
            let mut config = osvi_sim::Config::default();
            config.outcomes.insert("9876543210".into(), "picked".into());
            sim = osvi_sim::Simulator::builder()
                .config(config)
                .speed(20.0)
                .start()
                .await?;
            println!(
                "OSVI_API_TOKEN is not set: using the local OSVI simulator at {}",
                sim.base_url()
            );
            println!("(in-process, 20x real time; no account, no network, no phone rings)\n");
            let client = Client::builder()
                .token(sim.token())
                .base_url(sim.base_url())
                .build()?;
            (client, Some("IN:9876543210".to_string()), true)
        }
    };

    let agents = client.agents().list_active().await?;
    println!("{} active agent(s):", agents.len());
    for agent in &agents {
        println!(
            "  {}  {}",
            agent.agent_id,
            agent.name.as_deref().unwrap_or("-")
        );
    }
    let Some(agent) = agents.first() else {
        println!("no active agent: activate one in the dashboard first");
        return Ok(());
    };

    match call_to.as_deref().and_then(|t| t.split_once(':')) {
        Some((country, number)) => {
            place_and_follow_a_call(&client, &agent.agent_id, country, number, local).await?
        }
        None => println!("\n(set OSVI_QUICKSTART_CALL_TO=IN:9876543210 to place a real call)"),
    }

    let blocked = client.dnd().list(&agent.agent_id).collect_all().await?;
    println!(
        "\n{} number(s) on the DND list of {}",
        blocked.len(),
        agent.agent_id
    );
    if local {
        let entry = client
            .dnd()
            .add(&agent.agent_id, "9876500000")
            .reason("customer opted out")
            .send()
            .await?;
        println!("added {} to the DND list", entry.phone);
        client.dnd().remove(&agent.agent_id, &entry.phone).await?;
        println!("removed it again");

        let mut chat = client.chat().conversation(&agent.agent_id, "+15551112222");
        for line in ["Hi, I need help.", "What are your hours?"] {
            let reply = chat.send(line).await?;
            println!(
                "\nchat: customer: {line}\nchat: agent:    {}",
                reply.reply.unwrap_or_default()
            );
        }
        chat.close().await?;
    }
    Ok(())
}

/// Places a call, follows it to its end (webhook when local, polling always) and prints the
/// result.
async fn place_and_follow_a_call(
    client: &Client,
    agent: &str,
    country: &str,
    number: &str,
    local: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut call = client
        .calls()
        .create(agent, number, country)
        .person_name("John Doe")
        .initial_greeting(
            "Hello John, this is a reminder about your appointment tomorrow at 10 AM.",
        )
        .extract(
            "appointment_confirmed",
            "Ask if they can confirm their appointment.",
        );
    let received = Arc::new(Mutex::new(Vec::new()));
    if local {
        let sink = received.clone();
        let app = axum::Router::new().nest(
            "/hook",
            osvi_ext::webhooks::axum::router(None, move |event| {
                let sink = sink.clone();
                async move { sink.lock().unwrap_or_else(|p| p.into_inner()).push(event) }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let hook = format!("http://{}/hook", listener.local_addr()?);
        tokio::spawn(async move { axum::serve(listener, app).await });
        println!("\nwebhook receiver listening at {hook}");
        call = call.webhook_url(hook);
    }
    let created = call.send().await?;
    println!(
        "placed call {}; waiting for it to finish...",
        created.call_id
    );

    let done = client
        .calls()
        .wait(&created.call_id)
        .poll_interval(Duration::from_millis(250), Duration::from_secs(5))
        .await?;
    let status = done.status.as_ref().map_or("unknown", |s| s.as_str());
    println!(
        "\ncall {status} after {} s of talk",
        done.duration_seconds.unwrap_or(0)
    );
    println!("summary:   {}", done.summary.as_deref().unwrap_or("(none)"));
    println!(
        "extracted: {}",
        serde_json::Value::Object(done.data_captured.clone())
    );
    println!("transcript:");
    for turn in client.calls().transcript(&done.call_id).await?.turns {
        println!(
            "  {:>5}: {}",
            turn.role.unwrap_or_default(),
            turn.content.unwrap_or_default()
        );
    }

    if local {
        for _ in 0..50 {
            if !received
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_empty()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        for event in received.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            if let WebhookEvent::CallCompleted(hook) = event {
                println!(
                    "webhook:   call {} {}",
                    hook.call_log_id.as_deref().unwrap_or("?"),
                    hook.call_status
                        .as_ref()
                        .map_or("(no status)", |s| s.as_str())
                );
            }
        }
    }
    Ok(())
}
