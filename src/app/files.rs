//! File operations the app does for the panels: opening presets and model files,
//! saving presets and tables, PNG screenshots. Each error is reported once as a
//! toast; writes are atomic (`io::csv::write_file`).

use std::path::{Path, PathBuf};

use super::App;
use super::export_file::save_png;
use crate::io::preset::{Preset, read_preset};
use crate::model::builtin::builtin;
use crate::sim::run::RunSpec;
use crate::ui::Intent;
use crate::ui::presets::remember;

impl App {
    pub fn open_preset(&mut self, path: &Path) {
        // Read and parsed once (a 200k-event protocol is ~9 MB): the run, the model
        // check and the notes all come from this text.
        let resolved = read_preset(path).and_then(|(preset, text)| {
            // A preset of the user's own model (loaded from a file) resolves against it.
            let current = &self.setup.model;
            let own = (builtin(current.id()).is_none() && preset.model == current.id())
                .then(|| current.clone());
            let notes = crate::io::protocol::notes(&preset, &text);
            let run = preset.into_run(&path.display().to_string(), &text, own)?;
            Ok((run, notes))
        });
        match resolved {
            Ok((resolved, notes)) => {
                let model = resolved.model.clone();
                if self.start_setup(resolved) {
                    // Only built-ins are remembered: a model file may be gone next time.
                    if builtin(model.id()).is_some() {
                        self.settings.model = model.id().to_owned();
                        remember(&mut self.settings.recent, path);
                    }
                    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
                    self.preset_label = stem.map(|s| (model.id().to_owned(), s));
                    self.toasts.info(format!("Opened {}", path.display()));
                    let title = path.file_stem().map(|s| s.to_string_lossy().into_owned());
                    self.notes.show(title.unwrap_or_default(), notes);
                    // In a lesson the lesson panel guides; the notes stay one click
                    // away (the timeline's Notes button) instead of covering it.
                    if self.lesson.is_some() {
                        self.notes.open = false;
                    }
                    if self.settings.play_on_open {
                        self.apply(Intent::SetRunning(true));
                    }
                }
            }
            Err(e) => self.toasts.error(e.to_string()),
        }
    }

    /// Loads a model file of the user's own (same format as the built-ins) and
    /// switches to it at its defaults. Errors name the file, line and column.
    pub fn open_model_file(&mut self, path: &Path) {
        let file = path.display().to_string();
        let max_bytes = crate::model::limits::MAX_MODEL_BYTES;
        let text = match crate::io::read::read_text_limited(path, max_bytes) {
            Ok(t) => t,
            Err(e) => return self.toasts.error(format!("{file}: cannot read: {e}")),
        };
        match crate::model::load_model(&file, &text) {
            Ok(model) => {
                let id = model.id().to_owned();
                if self.start_setup(RunSpec::defaults(model)) {
                    // The previous preset's notes do not describe this model.
                    self.notes.clear();
                    // Exports name it in their sidecar, so the CLI can rerun them;
                    // the next start reopens it.
                    self.own_model_file = Some(path.to_owned());
                    self.settings.model_file = Some(path.to_owned());
                    self.toasts.info(format!("Loaded model {id} from {file}"));
                }
            }
            Err(e) => self.toasts.error(e.to_string()),
        }
    }

    /// Opens a preset given as bytes (drag and drop without a path).
    pub(super) fn open_preset_bytes(&mut self, name: &str, bytes: &[u8]) {
        let resolved = Preset::parse(name, bytes)
            .and_then(|p| p.resolve(name, &String::from_utf8_lossy(bytes), None));
        match resolved {
            Ok(r) => {
                self.start_setup(r);
            }
            Err(e) => self.toasts.error(e.to_string()),
        }
    }

    pub(super) fn save_preset(&mut self, path: &Path) {
        let mut text = self.setup.to_preset_ron();
        // A fitted setup carries its fit's provenance, and its spec beside it.
        if let Some((header, spec)) = self.compare.fit.provenance(&self.setup.parameters) {
            text = format!("{header}{text}");
            let spec_path = path.with_extension("spec.ron");
            if let Err(e) = crate::io::csv::write_file(&spec_path, spec.as_bytes()) {
                self.toasts.error(e.to_string());
            }
        }
        self.write_preset(path, &text);
    }

    /// Writes preset text and remembers the file.
    pub(super) fn write_preset(&mut self, path: &Path, text: &str) {
        match crate::io::csv::write_file(path, text.as_bytes()) {
            Ok(()) => {
                remember(&mut self.settings.recent, path);
                self.toasts.info(format!("Saved {}", path.display()));
            }
            Err(e) => self.toasts.error(e.to_string()),
        }
    }

    pub(super) fn request_png(&mut self, path: PathBuf) {
        let Some(ctx) = &self.ctx else {
            self.toasts.error("PNG export needs a window");
            return;
        };
        self.pending_png = Some(path);
        let tx = self.screenshot_tx.clone();
        ctx.request_screenshot(move |image| {
            let _ = tx.send(image);
        });
    }

    pub(super) fn finish_png(&mut self) {
        let Ok(image) = self.screenshot_rx.try_recv() else {
            return;
        };
        let Some(path) = self.pending_png.take() else {
            return;
        };
        let ppp = self
            .ctx
            .as_ref()
            .map_or(1.0, egui::Context::pixels_per_point);
        match save_png(&path, &image, self.plots.rect, ppp) {
            Ok(()) => self.toasts.info(format!("Saved {}", path.display())),
            Err(e) => self.toasts.error(format!("PNG {}: {e}", path.display())),
        }
    }

    /// Writes an analysis table (I–V, f–I, …) a panel asked to save.
    pub(super) fn write_table(&mut self, path: &Path, text: &str) {
        match crate::io::csv::write_file(path, text.as_bytes()) {
            Ok(()) => self.toasts.info(format!("Saved {}", path.display())),
            Err(e) => self.toasts.error(e.to_string()),
        }
    }
}
