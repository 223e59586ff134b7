//! Shared by the examples: a client for OSVI when `OSVI_API_TOKEN` is set, otherwise for the
//! local simulator (in-process, 20x real time: no account, no network, no phone rings), and
//! a `main` that prints failures for people. Not every example uses every item.
#![allow(dead_code)]

use std::future::Future;
use std::process::ExitCode;

use osvi_ext::Client;
use osvi_sim::Simulator;

/// The client, the agent to use, and the simulator when one was started (keep it alive).
pub struct Setup {
    pub client: Client,
    pub agent: String,
    pub sim: Option<Simulator>,
}

/// A client for OSVI (`OSVI_API_TOKEN`, optional `OSVI_BASE_URL`, the agent in `OSVI_AGENT`
/// or the first active one) or, without a token, for a simulator started here.
pub async fn setup() -> Result<Setup, Box<dyn std::error::Error>> {
    let (client, sim) = if std::env::var_os("OSVI_API_TOKEN").is_some() {
        println!("OSVI_API_TOKEN is set: talking to OSVI.");
        (Client::from_env()?, None)
    } else {
        let mut config = osvi_sim::Config::default();
        config.outcomes.insert("9876543210".into(), "picked".into());
        let sim = Simulator::builder()
            .config(config)
            .speed(20.0)
            .start()
            .await?;
        println!(
            "OSVI_API_TOKEN is not set: using the local simulator at {}",
            sim.base_url()
        );
        let client = Client::builder()
            .token(sim.token())
            .base_url(sim.base_url())
            .build()?;
        (client, Some(sim))
    };
    let agent = match std::env::var("OSVI_AGENT") {
        Ok(agent) => agent,
        Err(_) => match client.agents().list_active().await?.into_iter().next() {
            Some(agent) => agent.agent_id,
            None => return Err("no active agent: activate one in the dashboard first".into()),
        },
    };
    Ok(Setup { client, agent, sim })
}

/// Runs an example's body; prints its error with `Display` and exits 1 when it fails.
pub async fn run<F>(example: F) -> ExitCode
where
    F: Future<Output = Result<(), Box<dyn std::error::Error>>>,
{
    match example.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("failed: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Whether the example may place calls or upload contacts that dial: always against the
/// simulator, and against OSVI only with `OSVI_EXAMPLES_MAY_DIAL=1`.
pub fn may_dial(setup: &Setup) -> bool {
    setup.sim.is_some() || std::env::var("OSVI_EXAMPLES_MAY_DIAL").is_ok_and(|v| v == "1")
}
