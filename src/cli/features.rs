//! `neuron-explorer features`: runs a preset with its protocol and prints the
//! firing features of its membrane potential, one `name: value unit` line each
//! (definitions in docs/features.md).

use anyhow::{Result, bail};

use super::{UsageError, resolve_file, sweep_error};
use crate::analysis::features::run_membrane;

#[derive(clap::Args, Debug)]
pub struct FeaturesArgs {
    /// The preset file (RON); its protocol (events, stimuli) is applied.
    pub preset: std::path::PathBuf,
    /// Start of the window (ms); default 0.
    #[arg(long)]
    pub from_ms: Option<f64>,
    /// End of the window (ms, exclusive); default the preset's duration.
    #[arg(long)]
    pub to_ms: Option<f64>,
}

pub fn features_cmd(args: &FeaturesArgs) -> Result<()> {
    let preset = resolve_file(&args.preset)?;
    let from_ms = args.from_ms.unwrap_or(0.0);
    let to_ms = args.to_ms.unwrap_or(preset.duration_ms);
    if !(from_ms.is_finite() && to_ms.is_finite() && from_ms >= 0.0 && from_ms < to_ms) {
        bail!(UsageError(format!(
            "--from-ms {from_ms} / --to-ms {to_ms}: need 0 <= from < to"
        )));
    }
    let trace = run_membrane(&preset).map_err(sweep_error)?;
    print!("{}", trace.features(from_ms, to_ms).text());
    Ok(())
}
