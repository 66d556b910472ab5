//! Entry point: the CLI when given a command, the explorer window otherwise.

use clap::Parser;
use neuron_explorer::cli::{Cli, exit_code, run};

fn main() -> std::process::ExitCode {
    // Library warnings (rfd, wgpu) reach stderr instead of vanishing.
    neuron_explorer::app::logger::init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(exit_code(&e))
        }
    }
}
