//! `neuron-explorer import FILE.py [--out DIR]`: reads every ANNarchy/CompNeuroPy
//! neuron definition of a Python file and writes each as `DIR/<id>.neuron`.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::UsageError;
use crate::interop::{import_python, write_atomic};

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// The Python file with `Neuron(...)` definitions or CompNeuroPy-style classes.
    pub file: PathBuf,
    /// Folder for the `.neuron` files (default: the current folder).
    #[arg(long, default_value = ".")]
    pub out: PathBuf,
}

/// Writes what imports and lists what does not; any failure exits with code 2
/// after the readable models were written.
pub fn import_cmd(args: &ImportArgs) -> Result<()> {
    let file = args.file.display().to_string();
    let max = crate::interop::import::MAX_PYTHON_BYTES;
    let source = crate::io::read::read_text_limited(&args.file, max)
        .map_err(|e| UsageError(format!("{file}: cannot read: {e}")))?;
    let report = import_python(&file, &source);
    if !report.models.is_empty() {
        std::fs::create_dir_all(&args.out)
            .map_err(|e| UsageError(format!("cannot create {}: {e}", args.out.display())))?;
    }
    for m in &report.models {
        let path = args.out.join(format!("{}.neuron", m.id));
        write_atomic(&path, m.neuron_text.as_bytes()).map_err(|e| UsageError(e.to_string()))?;
        println!("{}:{}: {} -> {}", file, m.line, m.id, display(&path));
    }
    for e in &report.errors {
        eprintln!("error: {e}");
    }
    println!(
        "imported {} model(s), {} definition(s) not imported",
        report.models.len(),
        report.errors.len()
    );
    if report.errors.is_empty() {
        Ok(())
    } else {
        Err(UsageError(format!(
            "{} definition(s) in {file} could not be imported (see above)",
            report.errors.len()
        ))
        .into())
    }
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
