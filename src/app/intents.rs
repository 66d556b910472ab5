//! Applying intents: edits of the run setup, worker commands, and file operations
//! (open, save, export, PNG), each error reported once as a toast.

use std::path::{Path, PathBuf};

use super::App;
use super::export_file::save_png;
use super::export_job::SessionUse;
use crate::io::preset::{Preset, load_resolved};
use crate::model::builtin::builtin;
use crate::sim::worker::Command;
use crate::ui::Intent;
use crate::ui::file_dialog::PathUse;
use crate::ui::presets::{list_presets, presets_dir, remember};
use crate::ui::run_setup::RunSetup;
use crate::ui::settings::HistoryBounds;
use crate::ui::undo::{ParamEdit, Restore};

impl App {
    /// Applies one intent; nothing here panics on user input.
    pub fn apply(&mut self, intent: Intent) {
        match intent {
            Intent::SelectModel(id) => match builtin(&id) {
                Some(Ok(m)) => {
                    if self.start_setup(RunSetup::defaults(m)) {
                        self.notes.clear();
                        self.settings.model = id;
                    }
                }
                Some(Err(e)) => self.toasts.error(format!("model {id}: {e}")),
                None => self.toasts.error(format!("unknown model {id}")),
            },
            Intent::SetParam { index, value } => self.set_param(index, value, true),
            Intent::Display(d) => self.apply_display(d),
            Intent::SetParams(values) => {
                let edits: Vec<ParamEdit> = values
                    .into_iter()
                    .filter(|&(i, v)| {
                        v.is_finite()
                            && self
                                .setup
                                .params
                                .get(i)
                                .is_some_and(|old| old.to_bits() != v.to_bits())
                    })
                    .map(|(index, after)| ParamEdit {
                        index,
                        before: self.setup.params[index],
                        after,
                    })
                    .collect();
                if edits.is_empty() {
                    return;
                }
                for e in &edits {
                    self.set_param(e.index, e.after, false);
                }
                self.undo
                    .record(edits, self.started.elapsed().as_secs_f64());
            }
            Intent::ResetAllParams => {
                let defaults: Vec<f64> = self
                    .setup
                    .model
                    .desc
                    .parameters
                    .iter()
                    .map(|p| p.default)
                    .collect();
                // A parameter a lesson step locks keeps its value: the step set it.
                let locked = |i: usize| self.params.locked.get(i).copied().unwrap_or(false);
                let edits: Vec<ParamEdit> = (0..defaults.len())
                    .filter(|&i| !locked(i))
                    .filter(|&i| defaults[i].to_bits() != self.setup.params[i].to_bits())
                    .map(|i| ParamEdit {
                        index: i,
                        before: self.setup.params[i],
                        after: defaults[i],
                    })
                    .collect();
                for e in &edits {
                    self.set_param(e.index, e.after, false);
                }
                self.undo
                    .record(edits, self.started.elapsed().as_secs_f64());
            }
            Intent::SetInitial { var, value } => {
                if var < self.setup.initial.len() {
                    self.record_setup_undo("initial");
                }
                if let Some(slot) = self.setup.initial.get_mut(var) {
                    *slot = value.filter(|v| v.is_finite());
                    self.send(Command::SetInitial(self.setup.initial_overrides()));
                }
            }
            Intent::SetDt(dt_ms) => {
                if dt_ms.is_finite() && dt_ms > 0.0 {
                    self.record_setup_undo("dt");
                    self.setup.dt_ms = dt_ms;
                    self.send(Command::SetDt(dt_ms));
                } else {
                    self.toasts
                        .error(format!("dt must be a positive number of ms, got {dt_ms}"));
                }
            }
            Intent::SetIntegrator(i) => {
                self.record_setup_undo("integrator");
                self.setup.integrator = i;
                self.send(Command::SetIntegrator(i));
            }
            Intent::SetSeed(seed) => {
                self.record_setup_undo("seed");
                self.setup.seed = seed;
                self.send(Command::SetSeed(seed));
            }
            Intent::SetEnd { pause, duration_ms } => {
                if duration_ms.is_finite() && duration_ms > 0.0 {
                    self.record_setup_undo("end");
                    self.setup.pause_at_end = pause;
                    self.setup.duration_ms = duration_ms;
                    self.send(Command::SetEnd(self.setup.end_ms()));
                }
            }
            Intent::SetRunning(on) => {
                if on {
                    self.blow_up = None;
                    self.plots.user_view = false;
                }
                self.send(Command::Run(on));
            }
            Intent::SetLiveReference(on) => self.set_live_reference(on),
            Intent::ToggleRunning => self.apply(Intent::SetRunning(!self.is_running())),
            Intent::Reset => {
                let was_running = self.is_running();
                self.blow_up = None;
                self.send(Command::Reset);
                if was_running {
                    self.apply(Intent::SetRunning(true));
                }
            }
            Intent::SingleStep => {
                if !self.is_running() {
                    self.send(Command::SingleStep);
                }
            }
            Intent::SetSpeed(speed) => {
                self.settings.speed = speed;
                self.send(Command::SetSpeed(speed));
            }
            Intent::SetWindow(window_ms) => {
                self.settings.window_ms = window_ms;
                self.resize_history();
            }
            Intent::SetRecording(on) => {
                self.settings.recording = on;
                self.resize_history();
            }
            Intent::SetHistory {
                duration_s,
                budget_mb,
            } => {
                self.settings.history = HistoryBounds {
                    duration_s,
                    budget_mb,
                };
                self.resize_history();
            }
            Intent::Kick { var, delta } => self.send(Command::AddVar { index: var, delta }),
            Intent::SetStimuli(stimuli) => {
                if stimuli.iter().all(|s| s.validate().is_ok()) {
                    self.record_setup_undo("stimuli");
                }
                self.set_stimuli(stimuli);
            }
            Intent::OpenDialog => {
                self.pick_path(PathUse::OpenPreset, presets_dir(), String::new());
            }
            Intent::Open(path) => self.open_preset(&path),
            Intent::ScanPresets => {
                let dir = presets_dir();
                let files = dir.as_deref().map(list_presets).unwrap_or_default();
                self.browser.set_listing(dir, files);
            }
            Intent::OpenModelDialog => self.pick_path(PathUse::OpenModel, None, String::new()),
            Intent::OpenModel(path) => self.open_model_file(&path),
            Intent::ImportPythonDialog => {
                self.pick_path(PathUse::ImportPython, None, String::new());
            }
            Intent::ExportAnnarchyDialog => {
                self.pick_path(PathUse::AnnarchyFolder, None, String::new());
            }
            Intent::SaveTableDialog { file_name, text } => {
                self.pick_path(PathUse::Table(text), None, file_name);
            }
            Intent::Quit => {
                if let Some(ctx) = &self.ctx {
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            }
            Intent::PickPresetFor(target) => {
                self.pick_path(PathUse::Preset(target), presets_dir(), String::new());
            }
            Intent::SaveDialog => {
                let name = format!("{}.ron", self.setup.model.id());
                self.pick_path(PathUse::SavePreset, None, name);
            }
            Intent::Save(path) => self.save_preset(&path),
            Intent::ExportDialog(scope) => {
                let name = format!("{}.csv", self.setup.model.id());
                self.pick_path(PathUse::Export(scope), None, name);
            }
            Intent::Export(path, scope) => self.request_session(SessionUse::Export(path, scope)),
            Intent::StartJob(request) => self.start_job(request),
            Intent::CancelJob(kind) => self.cancel_job(&kind),
            Intent::SaveSessionDialog => {
                let name = format!("{}_session.ron", self.setup.model.id());
                self.pick_path(PathUse::SaveSession, presets_dir(), name);
            }
            Intent::SaveSession(path) => self.request_session(SessionUse::SavePreset(path)),
            Intent::ScreenshotDialog => {
                let name = format!("{}.png", self.setup.model.id());
                self.pick_path(PathUse::Png, None, name);
            }
            Intent::Undo => {
                let current = self.snapshot();
                if let Some(restore) = self.undo.undo(|| current) {
                    self.apply_restore(restore);
                }
            }
            Intent::ShowView(view) => self.view = view,
            Intent::WriteTable { path, text } => {
                match crate::io::csv::write_file(&path, text.as_bytes()) {
                    Ok(()) => self.toasts.info(format!("Saved {}", path.display())),
                    Err(e) => self.toasts.error(e.to_string()),
                }
            }
            Intent::OpenLessonDialog => self.pick_path(PathUse::OpenLesson, None, String::new()),
            Intent::OpenLesson(name) => self.open_lesson(&name),
            Intent::LessonStep(k) => self.enter_lesson_step(k),
            Intent::LessonHint(on) => {
                if let Some(lesson) = &mut self.lesson {
                    lesson.hint_shown = on;
                }
            }
            Intent::CloseLesson => self.lesson = None,
            Intent::SetEvents(events) => self.set_events(events),
            Intent::ShowNotes(on) => self.notes.open = on && self.notes.text.is_some(),
            Intent::Redo => {
                let current = self.snapshot();
                if let Some(restore) = self.undo.redo(|| current) {
                    self.apply_restore(restore);
                }
            }
            Intent::FocusParam(name) => {
                if self.setup.model.param_index(&name).is_some() {
                    // A search that hides the slider would leave nothing to find.
                    self.params.search.clear();
                    self.params.focus = Some(name);
                }
            }
        }
    }

    fn apply_restore(&mut self, restore: Restore) {
        match restore {
            Restore::Params(values) => {
                for (i, v) in values {
                    self.set_param(i, v, false);
                }
            }
            Restore::Setup(snapshot) => self.restore_snapshot(*snapshot),
        }
    }

    pub(super) fn set_stimuli(&mut self, stimuli: Vec<crate::io::stimulus::Stimulus>) {
        if let Some(e) = stimuli.iter().find_map(|s| s.validate().err()) {
            self.toasts.error(format!("stimulus: {e}"));
            return;
        }
        self.setup.stimuli = stimuli.clone();
        self.stimulus.draft = stimuli.clone();
        // If the recorded channels change, the worker announces a new generation.
        self.send(Command::SetStimuli(stimuli));
    }

    /// The timeline's edit of the timed events: checked as a preset would be, one
    /// undo step (a drag coalesces), sent to the worker, which acts on them from
    /// the current step on.
    fn set_events(&mut self, events: Vec<crate::io::preset::Event>) {
        let mut candidate = self.setup.clone();
        candidate.events = events;
        if let Err(e) = candidate.resolve() {
            self.toasts.error(format!("timeline: {e}"));
            return;
        }
        if candidate.events == self.setup.events {
            return;
        }
        if candidate.events.len() == self.setup.events.len() {
            // Typing an event's time or value digit by digit is one step.
            self.record_setup_undo("events");
        } else {
            self.undo.record_setup_step(self.snapshot());
        }
        self.setup.events = candidate.events;
        self.send(Command::SetEvents(self.setup.events.clone()));
    }

    pub fn open_preset(&mut self, path: &Path) {
        // A preset of the user's own model (loaded from a file) resolves against it.
        let current = &self.setup.model;
        let own = (builtin(current.id()).is_none()
            && Preset::load(path).is_ok_and(|p| p.model == current.id()))
        .then(|| current.clone());
        match load_resolved(path, own) {
            Ok(resolved) => {
                if self.start_setup(RunSetup::from_resolved(&resolved)) {
                    // Only built-ins are remembered: a model file may be gone next time.
                    if builtin(resolved.model.id()).is_some() {
                        self.settings.model = resolved.model.id().to_owned();
                        remember(&mut self.settings.recent, path);
                    }
                    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
                    self.preset_label = stem.map(|s| (resolved.model.id().to_owned(), s));
                    self.toasts.info(format!("Opened {}", path.display()));
                    let title = path.file_stem().map(|s| s.to_string_lossy().into_owned());
                    self.notes.show(
                        title.unwrap_or_default(),
                        crate::io::protocol::notes_of_file(path),
                    );
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
                if self.start_setup(RunSetup::defaults(model)) {
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
                self.start_setup(RunSetup::from_resolved(&r));
            }
            Err(e) => self.toasts.error(e.to_string()),
        }
    }

    fn save_preset(&mut self, path: &Path) {
        let mut text = self.setup.to_preset().to_ron();
        // A fitted setup carries its fit's provenance, and its spec beside it.
        if let Some((header, spec)) = self.compare.fit.provenance(&self.setup.params) {
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
}
