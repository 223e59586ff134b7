//! `osvi-sim`: runs the simulator as a program.
//!
//! ```text
//! cargo run -p osvi-sim -- --port 8080 [--speed 10] [--config sim.json]
//!     [--faults 0.1] [--fault-seed 42]
//! ```
//!
//! `--faults P` injects faults into a share `P` of the requests, spread evenly over every kind
//! and route (see `osvi_sim::faults`; a config file can set them per route).

use std::path::PathBuf;
use std::process::ExitCode;

use osvi_sim::{Config, Simulator};

const USAGE: &str =
    "usage: osvi-sim [--port N] [--speed X] [--config FILE.json] [--faults P] [--fault-seed N]";

#[tokio::main]
async fn main() -> ExitCode {
    let mut builder = Simulator::builder().port(8080);
    let mut config = Config::default();
    let mut fault_rate: Option<f64> = None;
    let mut fault_seed: Option<u64> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next();
        let parsed = match (arg.as_str(), value.as_deref()) {
            ("--port", Some(v)) => v
                .parse()
                .map(|port| builder = builder.clone().port(port))
                .is_ok(),
            ("--speed", Some(v)) => v
                .parse()
                .map(|speed| builder = builder.clone().speed(speed))
                .is_ok(),
            ("--faults", Some(v)) => v.parse().map(|p| fault_rate = Some(p)).is_ok(),
            ("--fault-seed", Some(v)) => v.parse().map(|s| fault_seed = Some(s)).is_ok(),
            ("--config", Some(v)) => match Config::from_file(&PathBuf::from(v)) {
                Ok(loaded) => {
                    config = loaded;
                    true
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            },
            _ => false,
        };
        if !parsed {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    }
    if let Some(rate) = fault_rate {
        config.faults = osvi_sim::Faults::uniform(rate, config.faults.seed);
    }
    if let Some(seed) = fault_seed {
        config.faults.seed = seed;
    }
    let sim = match builder.config(config).start().await {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("osvi-sim listening on {}", sim.base_url());
    println!(
        "  OSVI_BASE_URL={} OSVI_API_TOKEN={}",
        sim.base_url(),
        sim.token()
    );
    if let Some(rate) = fault_rate {
        println!("  injecting faults into {:.1}% of requests", rate * 100.0);
    }
    for agent in sim.agents() {
        let state = if agent.active { "active" } else { "inactive" }; // display only
        println!("  agent {} ({}, {state})", agent.agent_id, agent.name);
    }
    let _ = tokio::signal::ctrl_c().await;
    ExitCode::SUCCESS
}
