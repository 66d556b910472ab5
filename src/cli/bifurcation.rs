//! `neuron-explorer bifurcation`: the equilibria (with stability) and attractor of a
//! preset's model against one parameter, as CSV (`src/analysis/bifurcation.rs`).

use anyhow::Result;

use super::{SweepBase, UsageError, sweep_error, sweep_preset, sweep_threads, write_table};
use crate::analysis::bifurcation::{BifurcationConfig, bifurcation, bifurcation_csv};
use crate::analysis::{Control, linspace};

#[derive(clap::Args, Debug)]
pub struct BifurcationArgs {
    #[command(flatten)]
    pub base: SweepBase,
    /// The parameter (default: the model's drive, I_app).
    #[arg(long)]
    pub param: Option<String>,
    #[arg(long, allow_hyphen_values = true, default_value_t = 0.0)]
    pub from: f64,
    #[arg(long, allow_hyphen_values = true, default_value_t = 20.0)]
    pub to: f64,
    /// Number of values from --from to --to inclusive.
    #[arg(long, default_value_t = 200)]
    pub steps: usize,
    /// Length of each attractor run (ms); v's range and the rate are measured over
    /// its second half.
    #[arg(long, default_value_t = 1000.0)]
    pub run_ms: f64,
}

pub fn bifurcation_cmd(args: &BifurcationArgs) -> Result<()> {
    let preset = sweep_preset(&args.base)?;
    let param = super::param_or_drive(&preset, args.param.as_ref())?;
    let values = linspace(args.from, args.to, args.steps)
        .map_err(|e| UsageError(format!("--from/--to/--steps: {e}")))?;
    let mut cfg = BifurcationConfig::new(&param, values, sweep_threads(&args.base)?);
    cfg.run_ms = args.run_ms;
    cfg.transient_ms = args.run_ms / 2.0;
    let b = bifurcation(&preset, &cfg, &Control::default()).map_err(sweep_error)?;
    write_table(&args.base.run.out, &bifurcation_csv(&b))?;
    match b.stable_rest_lost_at() {
        Some(x) => println!("stable rest lost at {param} = {x} {}", b.unit),
        None => println!("no loss of a stable rest state in the range"),
    }
    Ok(())
}
