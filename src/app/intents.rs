//! Applying intents: [`App::apply`] only routes each intent to the function that
//! handles it; run control, views and dialogs are here, edits of the run setup in
//! `edits`, file operations in `files`, background jobs in `job_routes`.

use super::App;
use super::export_job::SessionUse;
use crate::sim::worker::Command;
use crate::ui::Intent;
use crate::ui::file_dialog::PathUse;
use crate::ui::presets::{list_presets, presets_dir};
use crate::ui::settings::HistoryBounds;

impl App {
    /// Applies one intent; nothing here panics on user input.
    pub fn apply(&mut self, intent: Intent) {
        match intent {
            Intent::SelectModel(id) => self.select_model(id),
            Intent::SetParam { index, value } => self.set_param(index, value, true),
            Intent::SetParams(values) => self.set_params(values),
            Intent::ResetAllParams => self.reset_all_params(),
            Intent::SetInitial { var, value } => self.set_initial(var, value),
            Intent::SetDt(dt_ms) => self.set_dt(dt_ms),
            Intent::SetIntegrator(i) => self.set_integrator(i),
            Intent::SetSeed(seed) => self.set_seed(seed),
            Intent::SetEnd { pause, duration_ms } => self.set_end(pause, duration_ms),
            Intent::SetStimuli(stimuli) => self.edit_stimuli(stimuli),
            Intent::SetEvents(events) => self.set_events(events),
            Intent::Kick { var, delta } => self.send(Command::AddVar { index: var, delta }),
            Intent::Undo | Intent::Redo => self.undo_redo(intent == Intent::Undo),
            Intent::SetRunning(on) => self.set_running(on),
            Intent::ToggleRunning => self.set_running(!self.is_running()),
            Intent::Reset => self.reset(),
            Intent::SingleStep => self.single_step(),
            Intent::SetLiveReference(on) => self.set_live_reference(on),
            Intent::SetSpeed(speed) => self.set_speed(speed),
            Intent::SetWindow(_) | Intent::SetRecording(_) | Intent::SetHistory { .. } => {
                self.set_history_bounds(intent);
            }
            Intent::Open(path) => self.open_preset(&path),
            Intent::OpenModel(path) => self.open_model_file(&path),
            Intent::Save(path) => self.save_preset(&path),
            Intent::SaveSession(path) => self.request_session(SessionUse::SavePreset(path)),
            Intent::Export(path, scope) => self.request_session(SessionUse::Export(path, scope)),
            Intent::WriteTable { path, text } => self.write_table(&path, &text),
            Intent::ScanPresets => self.scan_presets(),
            Intent::StartJob(request) => self.start_job(request),
            Intent::CancelJob(kind) => self.cancel_job(&kind),
            Intent::ShowView(view) => self.view = view,
            Intent::ShowNotes(on) => self.notes.open = on && self.notes.text.is_some(),
            Intent::UseRecordedReference(path) => self.use_recorded_reference(&path),
            Intent::FocusParam(name) => self.focus_param(name),
            Intent::Display(d) => self.apply_display(d),
            Intent::Quit => self.quit(),
            Intent::OpenLesson(name) => self.open_lesson(&name),
            Intent::LessonStep(k) => self.enter_lesson_step(k),
            Intent::LessonHint(on) => self.show_lesson_hint(on),
            Intent::CloseLesson => self.lesson = None,
            Intent::OpenDialog
            | Intent::OpenModelDialog
            | Intent::ImportPythonDialog
            | Intent::ExportAnnarchyDialog
            | Intent::SaveTableDialog { .. }
            | Intent::PickPresetFor(_)
            | Intent::SaveDialog
            | Intent::ExportDialog(_)
            | Intent::SaveSessionDialog
            | Intent::ScreenshotDialog
            | Intent::OpenLessonDialog
            | Intent::PickRecordedReference => self.open_dialog(intent),
        }
    }

    // ----- run control -----

    fn set_running(&mut self, on: bool) {
        if on {
            self.blow_up = None;
            self.plots.user_view = false;
        }
        self.send(Command::Run(on));
    }

    /// Restarts the run from t = 0 (the worker keeps a running one running).
    fn reset(&mut self) {
        if self.is_running() {
            self.plots.user_view = false;
        }
        self.blow_up = None;
        self.send(Command::Reset);
    }

    fn single_step(&mut self) {
        if !self.is_running() {
            self.send(Command::SingleStep);
        }
    }

    fn set_speed(&mut self, speed: f64) {
        self.settings.speed = speed;
        self.send(Command::SetSpeed(speed));
    }

    /// The plots' window and the recording's bounds (the history follows).
    fn set_history_bounds(&mut self, intent: Intent) {
        match intent {
            Intent::SetWindow(window_ms) => self.settings.window_ms = window_ms,
            Intent::SetRecording(on) => self.settings.recording = on,
            Intent::SetHistory {
                duration_s,
                budget_mb,
            } => {
                self.settings.history = HistoryBounds {
                    duration_s,
                    budget_mb,
                };
            }
            _ => return,
        }
        self.resize_history();
    }

    // ----- views, lessons, the window -----

    fn scan_presets(&mut self) {
        let dir = presets_dir();
        let files = dir.as_deref().map(list_presets).unwrap_or_default();
        self.browser.set_listing(dir, files);
    }

    /// Scrolls to the parameter's slider and focuses it.
    fn focus_param(&mut self, name: String) {
        if self.setup.model.param_index(&name).is_some() {
            // A search that hides the slider would leave nothing to find.
            self.params.search.clear();
            self.params.focus = Some(name);
        }
    }

    fn show_lesson_hint(&mut self, on: bool) {
        if let Some(lesson) = &mut self.lesson {
            lesson.hint_shown = on;
        }
    }

    fn quit(&mut self) {
        if let Some(ctx) = &self.ctx {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        }
    }

    /// Asks the user for a path (system dialog, else the in-app one); what the
    /// path is for travels with the request.
    fn open_dialog(&mut self, intent: Intent) {
        let model_id = self.setup.model.id().to_owned();
        let (purpose, folder, name) = match intent {
            Intent::OpenDialog => (PathUse::OpenPreset, presets_dir(), String::new()),
            Intent::OpenModelDialog => (PathUse::OpenModel, None, String::new()),
            Intent::ImportPythonDialog => (PathUse::ImportPython, None, String::new()),
            Intent::ExportAnnarchyDialog => (PathUse::AnnarchyFolder, None, String::new()),
            Intent::SaveTableDialog { file_name, text } => (PathUse::Table(text), None, file_name),
            Intent::PickPresetFor(target) => {
                (PathUse::Preset(target), presets_dir(), String::new())
            }
            Intent::SaveDialog => (PathUse::SavePreset, None, format!("{model_id}.ron")),
            Intent::ExportDialog(scope) => {
                (PathUse::Export(scope), None, format!("{model_id}.csv"))
            }
            Intent::SaveSessionDialog => (
                PathUse::SaveSession,
                presets_dir(),
                format!("{model_id}_session.ron"),
            ),
            Intent::ScreenshotDialog => (PathUse::Png, None, format!("{model_id}.png")),
            Intent::OpenLessonDialog => (PathUse::OpenLesson, None, String::new()),
            Intent::PickRecordedReference => (PathUse::RecordedReference, None, String::new()),
            _ => return,
        };
        self.pick_path(purpose, folder, name);
    }
}
