//! `neuron-explorer open [FILE]`: the window, on a preset (`.ron`) or a model file
//! (`.neuron`), running. The desktop entry (assets/neuron-explorer.desktop) uses it
//! so a double-click on a preset opens it.

use std::path::PathBuf;

use anyhow::Result;

use super::UsageError;

#[derive(clap::Args, Debug)]
pub struct OpenArgs {
    /// A preset (.ron) or model file (.neuron); without it the window opens as usual.
    pub file: Option<PathBuf>,
}

pub fn open_cmd(args: &OpenArgs) -> Result<()> {
    if let Some(path) = &args.file {
        let known = path
            .extension()
            .is_some_and(|e| e == "ron" || e == "neuron");
        if !known {
            return Err(UsageError(format!(
                "{}: expected a preset (.ron) or a model file (.neuron)",
                path.display()
            ))
            .into());
        }
        if !path.is_file() {
            return Err(UsageError(format!("{}: no such file", path.display())).into());
        }
    }
    crate::app::run_gui_opening(args.file.clone())
}
