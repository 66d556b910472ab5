//! The app's side of the Python interop: File → Import from Python (ANNarchy /
//! CompNeuroPy definitions saved as `.neuron` files, the first one opened) and
//! File → Export → ANNarchy script (the current settings as an ANNarchy 5 run),
//! plus opening a file given on the command line (`neuron-explorer open FILE`).

use std::path::Path;

use super::App;
use crate::interop::annarchy::export_annarchy;
use crate::interop::{import_python, write_atomic};

/// Error toasts shown for one import; the rest are counted.
const MAX_ERROR_TOASTS: usize = 3;

impl App {
    /// Imports every neuron definition of `file`, saves each as `<dir>/<id>.neuron`
    /// and opens the first; errors name the Python line.
    pub fn import_python(&mut self, file: &Path, dir: &Path) {
        let name = file.display().to_string();
        let max = crate::interop::import::MAX_PYTHON_BYTES;
        let source = match crate::io::read::read_text_limited(file, max) {
            Ok(s) => s,
            Err(e) => return self.toasts.error(format!("{name}: cannot read: {e}")),
        };
        let report = import_python(&name, &source);
        for e in report.errors.iter().take(MAX_ERROR_TOASTS) {
            self.toasts.error(e.to_string());
        }
        if report.errors.len() > MAX_ERROR_TOASTS {
            let more = report.errors.len() - MAX_ERROR_TOASTS;
            self.toasts
                .error(format!("{name}: {more} more definitions could not be imported (see `neuron-explorer import`)"));
        }
        let mut saved = Vec::new();
        for m in &report.models {
            let path = dir.join(format!("{}.neuron", m.id));
            match write_atomic(&path, m.neuron_text.as_bytes()) {
                Ok(()) => saved.push(path),
                Err(e) => self.toasts.error(e.to_string()),
            }
        }
        let Some(first) = saved.first().cloned() else {
            return;
        };
        self.toasts.info(format!(
            "Imported {} model(s) from {name} as .neuron files in {}",
            saved.len(),
            dir.display()
        ));
        self.open_model_file(&first);
    }

    /// Writes the current settings as an ANNarchy 5 neuron, snippet and script.
    pub fn export_annarchy(&mut self, dir: &Path) {
        let resolved = match self.setup.resolve() {
            Ok(r) => r,
            Err(e) => return self.toasts.error(e.to_string()),
        };
        let export = match export_annarchy(&resolved, "the explorer's settings") {
            Ok(x) => x,
            Err(e) => return self.toasts.error(e.to_string()),
        };
        for (name, text) in &export.files {
            if let Err(e) = write_atomic(&dir.join(name), text.as_bytes()) {
                return self.toasts.error(e.to_string());
            }
        }
        self.toasts.info(format!(
            "Wrote the ANNarchy script {}: run it with python3",
            dir.join(&export.script).display()
        ));
    }

    /// Opens a preset (`.ron`) or a model file (`.neuron`) and runs it.
    pub fn open_file(&mut self, path: &Path) {
        if path.extension().is_some_and(|e| e == "neuron") {
            self.open_model_file(path);
        } else {
            self.open_preset(path);
        }
        self.apply(crate::ui::Intent::SetRunning(true));
    }

    /// "neuron-explorer — <preset> (<model>)", or the model's name without a preset.
    pub fn window_title(&self) -> String {
        let m = &self.setup.model;
        match &self.preset_label {
            Some((model, preset)) if model == m.id() => {
                format!("neuron-explorer — {preset} ({})", m.id())
            }
            _ => format!("neuron-explorer — {} ({})", m.desc.name, m.id()),
        }
    }
}
