//! `neuron-explorer export-annarchy PRESET.ron --out DIR`: the preset's model as an
//! ANNarchy `Neuron(...)` and a script that reruns the preset in ANNarchy 5.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{PresetArgs, UsageError, resolve_run};
use crate::interop::{annarchy::export_annarchy, write_atomic};

#[derive(clap::Args, Debug)]
pub struct ExportAnnarchyArgs {
    /// The preset file (RON).
    pub preset: PathBuf,
    /// Folder for the files (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// A model file to use instead of the built-in model named in the preset.
    #[arg(long)]
    pub model_file: Option<PathBuf>,
    /// Override a parameter: NAME=VALUE (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    #[arg(long)]
    pub duration_ms: Option<f64>,
}

pub fn export_annarchy_cmd(args: &ExportAnnarchyArgs) -> Result<()> {
    let run = PresetArgs {
        preset: args.preset.clone(),
        out: args.out.clone(),
        set: args.set.clone(),
        dt_ms: None,
        integrator: None,
        seed: None,
        model_file: args.model_file.clone(),
        force: false,
    };
    let resolved = resolve_run(&run, args.duration_ms)?;
    let label = args.preset.file_name().map_or_else(
        || args.preset.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let export = export_annarchy(&resolved, &label).map_err(|e| UsageError(e.to_string()))?;
    write_export(&args.out, &export.files)?;
    println!(
        "run it with: python3 {}",
        args.out.join(&export.script).display()
    );
    Ok(())
}

/// Writes every file of an export into `dir`.
pub fn write_export(dir: &Path, files: &[(String, String)]) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| UsageError(format!("cannot create {}: {e}", dir.display())))?;
    for (name, text) in files {
        let path = dir.join(name);
        write_atomic(&path, text.as_bytes()).map_err(|e| UsageError(e.to_string()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
