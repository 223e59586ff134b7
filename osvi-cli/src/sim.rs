//! `osvi sim`: runs the local OSVI simulator until Ctrl-C and prints how to point a client at
//! it. Simulated time can run faster than real time, and faults can be injected.

use std::path::PathBuf;

use clap::Args;
use osvi_sim::{Config, Faults, Simulator};

use crate::exit::{Failure, USAGE};
use crate::output::{Output, write_stdout};

/// `osvi sim`
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Port of 127.0.0.1 to listen on (0: any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Run simulated time this many times faster than real time (a call rings 2 s and talks
    /// 20 s at 1).
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// A JSON config: agents, campaigns, tokens, outcomes, per-route faults.
    #[arg(long, value_name = "FILE.json")]
    config: Option<PathBuf>,
    /// Inject a fault into this share of requests (0 to 1), spread evenly over every kind
    /// and route.
    #[arg(long, value_name = "P")]
    faults: Option<f64>,
    /// Seed of the fault draws (the same seed and requests give the same faults).
    #[arg(long, value_name = "N")]
    fault_seed: Option<u64>,
}

pub(crate) async fn run(args: SimArgs, out: &Output) -> Result<(), Failure> {
    let mut config = match &args.config {
        Some(path) => Config::from_file(path).map_err(|e| Failure::new(USAGE, "config", e))?,
        None => Config::default(),
    };
    if let Some(rate) = args.faults {
        config.faults = Faults::uniform(rate, config.faults.seed);
    }
    if let Some(seed) = args.fault_seed {
        config.faults.seed = seed;
    }
    let sim = Simulator::builder()
        .port(args.port)
        .speed(args.speed)
        .config(config)
        .start()
        .await
        .map_err(|e| Failure::new(USAGE, "config", format!("cannot start the simulator: {e}")))?;
    let agents: Vec<_> = sim
        .agents()
        .iter()
        .map(|a| serde_json::json!({"agent_id": a.agent_id, "name": a.name, "active": a.active}))
        .collect();
    let started = serde_json::json!({
        "base_url": sim.base_url(),
        "token": sim.token(),
        "agents": agents,
    });
    let mut human = format!(
        "export OSVI_BASE_URL={}\nexport OSVI_API_TOKEN={}\n",
        sim.base_url(),
        sim.token()
    );
    human.push_str(&format!(
        "# osvi-sim on {} at {}x speed; Ctrl-C stops it. Agents:\n",
        sim.base_url(),
        args.speed
    ));
    for agent in sim.agents() {
        let state = if agent.active { "active" } else { "inactive" };
        human.push_str(&format!(
            "#   {} ({}, {state})\n",
            agent.agent_id, agent.name
        ));
    }
    if out.is_json() {
        out.event("", &started)?;
    } else {
        write_stdout(&human)?;
    }
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::io(format!("cannot wait for Ctrl-C: {e}")))
}
