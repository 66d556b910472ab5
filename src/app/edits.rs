//! Edits of the run setup (model, parameters, initial values, dt, integrator, seed,
//! end, stimuli, events) and their undo: each checked, recorded as one undo step
//! and sent to the worker.

use super::App;
use crate::model::builtin::builtin;
use crate::sim::run::RunSpec;
use crate::sim::worker::Command;
use crate::ui::undo::{ParamEdit, Restore};

impl App {
    pub(super) fn select_model(&mut self, id: String) {
        match builtin(&id) {
            Some(Ok(m)) => {
                if self.start_setup(RunSpec::defaults(m)) {
                    self.notes.clear();
                    self.settings.model = id;
                }
            }
            Some(Err(e)) => self.toasts.error(format!("model {id}: {e}")),
            None => self.toasts.error(format!("unknown model {id}")),
        }
    }

    /// Several parameters at once (a fit's result, a blocker), as one undo step.
    pub(super) fn set_params(&mut self, values: Vec<(usize, f64)>) {
        let edits: Vec<ParamEdit> = values
            .into_iter()
            .filter(|&(i, v)| {
                v.is_finite()
                    && self
                        .setup
                        .parameters
                        .get(i)
                        .is_some_and(|old| old.to_bits() != v.to_bits())
            })
            .map(|(index, after)| ParamEdit {
                index,
                before: self.setup.parameters[index],
                after,
            })
            .collect();
        if edits.is_empty() {
            return;
        }
        self.record_param_edits(edits);
    }

    pub(super) fn reset_all_params(&mut self) {
        let defaults = self.setup.model.default_parameters();
        // A parameter a lesson step locks keeps its value: the step set it.
        let locked = |i: usize| self.params.locked.get(i).copied().unwrap_or(false);
        let edits: Vec<ParamEdit> = (0..defaults.len())
            .filter(|&i| !locked(i))
            .filter(|&i| defaults[i].to_bits() != self.setup.parameters[i].to_bits())
            .map(|i| ParamEdit {
                index: i,
                before: self.setup.parameters[i],
                after: defaults[i],
            })
            .collect();
        self.record_param_edits(edits);
    }

    fn record_param_edits(&mut self, edits: Vec<ParamEdit>) {
        for e in &edits {
            self.set_param(e.index, e.after, false);
        }
        self.undo
            .record(edits, self.started.elapsed().as_secs_f64());
    }

    pub(super) fn set_initial(&mut self, var: usize, value: Option<f64>) {
        if var < self.setup.initial.len() {
            self.record_setup_undo("initial");
        }
        if let Some(slot) = self.setup.initial.get_mut(var) {
            *slot = value.filter(|v| v.is_finite());
            self.send(Command::SetInitial(self.setup.initial.clone()));
        }
    }

    pub(super) fn set_dt(&mut self, dt_ms: f64) {
        let refused = self.live_refusal(|run| run.dt_ms = dt_ms);
        if let Some(why) = refused.filter(|_| dt_ms > 0.0) {
            self.toasts.error(format!("dt not changed: {why}"));
        } else if dt_ms.is_finite() && dt_ms > 0.0 {
            self.record_setup_undo("dt");
            self.setup.dt_ms = dt_ms;
            self.send(Command::SetDt(dt_ms));
        } else {
            self.toasts
                .error(format!("dt must be a positive number of ms, got {dt_ms}"));
        }
    }

    pub(super) fn set_integrator(&mut self, integrator: crate::sim::Integrator) {
        self.record_setup_undo("integrator");
        self.setup.integrator = integrator;
        self.send(Command::SetIntegrator(integrator));
    }

    pub(super) fn set_seed(&mut self, seed: u32) {
        self.record_setup_undo("seed");
        self.setup.seed = seed;
        self.send(Command::SetSeed(seed));
    }

    pub(super) fn set_end(&mut self, pause: bool, duration_ms: f64) {
        let refused = self.live_refusal(|run| {
            run.pause_at_end = pause;
            run.duration_ms = duration_ms;
        });
        if let Some(why) = refused {
            self.toasts.error(format!("end not changed: {why}"));
        } else if duration_ms.is_finite() && duration_ms > 0.0 {
            self.record_setup_undo("end");
            self.setup.pause_at_end = pause;
            self.setup.duration_ms = duration_ms;
            self.send(Command::SetEnd(self.setup.end_ms()));
        }
    }

    /// The stimulus panel's edit, one undo step when valid.
    pub(super) fn edit_stimuli(&mut self, stimuli: Vec<crate::sim::stimulus::Stimulus>) {
        if stimuli.iter().all(|s| s.validate().is_ok()) {
            self.record_setup_undo("stimuli");
        }
        self.set_stimuli(stimuli);
    }

    pub(super) fn undo_redo(&mut self, undo: bool) {
        let current = self.snapshot();
        let restore = if undo {
            self.undo.undo(|| current)
        } else {
            self.undo.redo(|| current)
        };
        if let Some(restore) = restore {
            self.apply_restore(restore);
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

    pub(super) fn set_stimuli(&mut self, stimuli: Vec<crate::sim::stimulus::Stimulus>) {
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
    pub(super) fn set_events(&mut self, events: Vec<crate::sim::run::Event>) {
        let mut candidate = self.setup.clone();
        candidate.events = std::sync::Arc::new(events);
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
        self.send(Command::SetEvents(std::sync::Arc::clone(
            &self.setup.events,
        )));
    }
}
