//! `osvi`: see the `osvi_cli` crate docs, or `osvi --help`.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = osvi_cli::Cli::parse();
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(osvi_cli::run(cli)),
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::from(osvi_cli::exit::FAILURE)
        }
    }
}
