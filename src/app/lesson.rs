//! Guided lessons in the app: opening one, applying what a step opens (a preset or
//! a model, parameter values, a tab), the panel's masks for shown and locked
//! sliders, and evaluating the step's check every frame on the recorded run and the
//! current settings.

use std::sync::Arc;

use super::App;
use crate::io::preset::load_resolved;
use crate::lesson::{self, LessonState, Opens};
use crate::model::builtin::builtin;
use crate::sim::run::RunSpec;
use crate::ui::lesson_panel::{HistoryRecording, from_view, to_view};
use crate::ui::{Intent, View};

impl App {
    /// The open lesson, if any.
    pub fn lesson(&self) -> Option<&LessonState> {
        self.lesson.as_ref()
    }

    /// Opens a built-in lesson by name or a lesson file, at its first step.
    pub(super) fn open_lesson(&mut self, name_or_path: &str) {
        let presets = crate::ui::presets::presets_dir();
        match lesson::load(name_or_path, presets.as_deref()) {
            Ok(loaded) => {
                let title = loaded.lesson.title.clone();
                self.lesson = Some(LessonState::new(loaded));
                // The lesson panel guides now; a preset's notes window would cover it.
                self.notes.open = false;
                self.enter_lesson_step(0);
                self.toasts.info(format!("Lesson: {title}"));
            }
            Err(e) => self.toasts.error(e.to_string()),
        }
    }

    /// Shows step `k`: opens its preset or model (with its parameter values), or
    /// applies its values to the run going on; opens its tab; runs.
    pub(super) fn enter_lesson_step(&mut self, k: usize) {
        let Some(state) = &self.lesson else { return };
        let k = k.min(state.steps() - 1);
        let step = state.loaded.lesson.steps[k].clone();
        let opens = state.loaded.opens[k].clone();
        let generation = self.history.generation();
        let t_ms = self.history.time_span().map_or(0.0, |(_, t)| t);
        let mut opened = false;
        match opens.map(|o| self.lesson_setup(&o)) {
            Some(Ok(mut setup)) => {
                for (name, &v) in &step.set {
                    if let Some(i) = setup.model.param_index(name) {
                        setup.parameters[i] = v;
                    }
                }
                if step.free_running {
                    setup.events = Default::default();
                    setup.stimuli.clear();
                    setup.pause_at_end = false;
                }
                opened = self.start_setup(setup);
                if opened {
                    // Notes of a preset opened before belong to a run that is gone.
                    self.notes.clear();
                }
            }
            Some(Err(e)) => self.toasts.error(e),
            None => {
                let model = &self.setup.model;
                let values: Vec<(usize, f64)> = step
                    .set
                    .iter()
                    .filter_map(|(name, &v)| Some((model.param_index(name)?, v)))
                    .collect();
                if !values.is_empty() {
                    self.apply(Intent::SetParams(values));
                }
            }
        }
        if let Some(v) = step.view {
            self.view = to_view(v);
        }
        self.apply(Intent::SetRunning(true));
        if let Some(state) = &mut self.lesson {
            state.enter(k, generation, t_ms, opened);
        }
    }

    fn lesson_setup(&self, opens: &Opens) -> Result<RunSpec, String> {
        match opens {
            Opens::Preset(path) => load_resolved(path, None).map_err(|e| e.to_string()),
            Opens::Model(id) => match builtin(id) {
                Some(Ok(m)) => Ok(RunSpec::defaults(m)),
                Some(Err(e)) => Err(format!("model {id}: {e}")),
                None => Err(format!("unknown model {id}")),
            },
        }
    }

    /// Per parameter of the model in use: (hidden, locked) by the current step.
    pub(super) fn lesson_param_masks(&self) -> (Vec<bool>, Vec<bool>) {
        let names = self.setup.model.desc.parameters.iter().map(|p| &p.name);
        let Some(state) = &self.lesson else {
            return (Vec::new(), Vec::new());
        };
        let (shown, locked) = (state.shown_params(), state.locked_params());
        names
            .map(|n| {
                let hidden = !shown.is_empty() && !shown.contains(n) && !locked.contains(n);
                (hidden, locked.contains(n))
            })
            .unzip()
    }

    /// Whether the current step offers tab `view`.
    pub(super) fn lesson_allows(&self, view: View) -> bool {
        self.lesson.as_ref().is_none_or(|l| {
            let allowed = l.allowed_views();
            allowed.is_empty() || allowed.contains(&from_view(view)) || view == self.view
        })
    }

    /// Evaluates the open lesson's check on the recorded run (once it is the run of
    /// the model in use) and the current settings.
    pub(super) fn lesson_tick(&mut self) {
        let Some(state) = self.lesson.as_mut() else {
            return;
        };
        let Some(recorded) = &self.recorded else {
            return;
        };
        if !Arc::ptr_eq(&recorded.model, &self.setup.model) {
            return;
        }
        let recording = HistoryRecording {
            history: &self.history,
            dt_ms: recorded.dt_ms,
        };
        let setup = &self.setup;
        state.tick(
            self.history.generation(),
            &recording,
            || setup.resolve().ok(),
            from_view(self.view),
        );
    }
}
