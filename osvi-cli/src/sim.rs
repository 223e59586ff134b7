//! `osvi sim`: runs the local OSVI simulator until Ctrl-C and prints how to point a client at
//! it. Simulated time can run faster than real time, and faults can be injected.

use std::path::PathBuf;

use clap::Args;
use osvi_sim::{Config, Faults, Simulator};

use crate::exit::{Failure, USAGE};
use crate::output::{Output, write_stdout};

/// The start of the last line `osvi sim` prints when it listens.
const STARTED: &str = "# osvi-sim on";

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
    /// Start the simulator in the background and print shell lines that point the next
    /// commands at it (`OSVI_BASE_URL`, `OSVI_API_TOKEN`, and `OSVI_SIM_PID` to stop it):
    /// `eval "$(osvi sim --background)"`. Unix only.
    #[arg(long)]
    background: bool,
}

pub(crate) async fn run(args: SimArgs, out: &Output) -> Result<(), Failure> {
    if args.background {
        return background(&args);
    }
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
    human.push_str("# Agents:\n");
    for agent in sim.agents() {
        let state = if agent.active { "active" } else { "inactive" };
        human.push_str(&format!(
            "#   {} ({}, {state})\n",
            agent.agent_id, agent.name
        ));
    }
    // The last line: `--background` reads up to it.
    human.push_str(&format!(
        "{STARTED} {} at {}x speed; Ctrl-C stops it.\n",
        sim.base_url(),
        args.speed
    ));
    if out.is_json() {
        out.event("", &started)?;
    } else {
        write_stdout(&human)?;
    }
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::io(format!("cannot wait for Ctrl-C: {e}")))
}

/// `--background`: runs this program again as `osvi sim` with the same settings, detached
/// (its own process group, so the terminal's Ctrl-C does not stop it; standard input and
/// error closed), waits until it listens, and prints its `export` lines with its process id.
#[cfg(unix)]
fn background(args: &SimArgs) -> Result<(), Failure> {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};

    let program = std::env::current_exe()
        .map_err(|e| Failure::io(format!("cannot find this program to start it again: {e}")))?;
    let mut command = Command::new(program);
    command.args(["sim", "--port", &args.port.to_string()]);
    command.args(["--speed", &args.speed.to_string()]);
    if let Some(config) = &args.config {
        command.arg("--config").arg(config);
    }
    if let Some(rate) = args.faults {
        command.args(["--faults", &rate.to_string()]);
    }
    if let Some(seed) = args.fault_seed {
        command.args(["--fault-seed", &seed.to_string()]);
    }
    // Its standard error goes to a file that is removed once it started (nothing reads a
    // pipe after this program exits): only a failure to start is read from it.
    let errors = std::env::temp_dir().join(format!("osvi-sim-{}.err", std::process::id()));
    let errors_file = std::fs::File::create(&errors)
        .map_err(|e| Failure::io(format!("cannot create {}: {e}", errors.display())))?;
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(errors_file)
        .process_group(0)
        .spawn();
    let started = child.and_then(|child| wait_for_start(child, &errors));
    let _ = std::fs::remove_file(&errors);
    match started {
        Ok(Ok(printed)) => write_stdout(&printed),
        Ok(Err(why)) => Err(Failure::new(
            USAGE,
            "config",
            format!("the simulator did not start: {}", why.trim()),
        )),
        Err(e) => Err(Failure::io(format!("cannot start the simulator: {e}"))),
    }
}

/// Reads the started simulator's first lines: its `export` lines and process id to print, or
/// (it exited) what it wrote to standard error.
#[cfg(unix)]
fn wait_for_start(
    mut child: std::process::Child,
    errors: &std::path::Path,
) -> std::io::Result<Result<String, String>> {
    use std::io::{BufRead, BufReader};

    let pid = child.id();
    let mut printed = String::new();
    if let Some(stdout) = child.stdout.take() {
        // The foreground simulator prints its `export` lines and agents, then `STARTED`.
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let last = line.starts_with(STARTED);
            printed.push_str(&line);
            printed.push('\n');
            if last {
                printed.push_str(&format!(
                    "export OSVI_SIM_PID={pid}\n# (in the background: stop it with kill $OSVI_SIM_PID)\n"
                ));
                return Ok(Ok(printed));
            }
        }
    }
    child.wait()?;
    Ok(Err(std::fs::read_to_string(errors)?))
}

/// `--background` needs Unix process groups.
#[cfg(not(unix))]
fn background(_: &SimArgs) -> Result<(), Failure> {
    Err(Failure::new(
        USAGE,
        "usage",
        "--background is available on Unix only; run `osvi sim` in its own terminal",
    ))
}
