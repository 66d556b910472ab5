//! The run description: everything that determines a run of one model — its
//! parameters, initial values, dt, integrator, seed, timed events and stimulus
//! waveforms. One type for the live run, the CLI, every sweep, compare, fit and the
//! phase plane; presets (`io::preset`) parse into it and print from it, and every
//! engine is built from it by [`RunSpec::build_engine`].

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::changes::Changes;
use super::stimulus::Stimulus;
use super::{Engine, EngineError, Integrator};
use crate::model::CompiledModel;

/// Length of a run whose description does not say (ms).
pub const DEFAULT_DURATION_MS: f64 = 1000.0;
/// Seed of a run whose description does not say.
pub const DEFAULT_SEED: u32 = 2024;

/// A change applied between steps, before step `round(t_ms / dt_ms)`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub t_ms: f64,
    #[serde(default, skip_serializing_if = "Changes::is_empty")]
    pub set: Changes,
    #[serde(default, skip_serializing_if = "Changes::is_empty")]
    pub add: Changes,
    /// Switches the integrator from this step on (a recorded session's change).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integrator: Option<String>,
    /// Replaces every stimulus from this step on, as a stimulus edit in the GUI does:
    /// the waveforms keep absolute time, noise streams start afresh (seed + index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stimuli: Option<Vec<Stimulus>>,
}

/// A run of one model, every value resolved against it.
#[derive(Clone, Debug)]
pub struct RunSpec {
    pub model: Arc<CompiledModel>,
    /// One value per model parameter, in model order (base values; stimuli add on top).
    pub parameters: Vec<f64>,
    /// Per model variable: a value overriding the model's initial value, if set.
    pub initial: Vec<Option<f64>>,
    pub dt_ms: f64,
    /// The protocol's length: what the CLI runs, and where a live run pauses when
    /// `pause_at_end` is set.
    pub duration_ms: f64,
    /// Whether a live run pauses at `duration_ms` (see [`default_pause_at_end`]).
    pub pause_at_end: bool,
    pub integrator: Integrator,
    pub seed: u32,
    /// Timed changes, in the order written (the session sorts them by step).
    pub events: std::sync::Arc<Vec<Event>>,
    pub stimuli: Vec<Stimulus>,
    /// What the run shows and what to look at (a preset's notes), if anything.
    pub notes: Option<String>,
}

/// Whether a run pauses at its end unless told otherwise: when it has a protocol
/// (timed events or stimulus waveforms), so a teacher sees the whole protocol once
/// instead of watching it scroll away.
pub fn default_pause_at_end(events: &[Event], stimuli: &[Stimulus]) -> bool {
    !events.is_empty() || !stimuli.is_empty()
}

impl RunSpec {
    /// The model's defaults: its parameters, initial values and dt, Euler, the
    /// default seed and duration, no protocol.
    pub fn defaults(model: Arc<CompiledModel>) -> Self {
        Self {
            parameters: model.default_parameters(),
            initial: vec![None; model.vars.len()],
            dt_ms: model.desc.dt_ms,
            duration_ms: DEFAULT_DURATION_MS,
            pause_at_end: false,
            integrator: Integrator::default(),
            seed: DEFAULT_SEED,
            events: Default::default(),
            stimuli: Vec::new(),
            notes: None,
            model,
        }
    }

    /// This run with other events (the rest copied; the old events are not).
    pub fn with_events(&self, events: Vec<Event>) -> Self {
        Self {
            model: Arc::clone(&self.model),
            parameters: self.parameters.clone(),
            initial: self.initial.clone(),
            dt_ms: self.dt_ms,
            duration_ms: self.duration_ms,
            pause_at_end: self.pause_at_end,
            integrator: self.integrator,
            seed: self.seed,
            events: Arc::new(events),
            stimuli: self.stimuli.clone(),
            notes: self.notes.clone(),
        }
    }

    /// (variable, value) initial-value overrides.
    pub fn initial_overrides(&self) -> Vec<(usize, f64)> {
        self.initial
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((i, (*v)?)))
            .collect()
    }

    /// Where a running simulation pauses, if anywhere.
    pub fn end_ms(&self) -> Option<f64> {
        self.pause_at_end.then_some(self.duration_ms)
    }

    /// Everything a background sweep of this run depends on (not its protocol), as
    /// a key that changes when any of it does (parameters compared bit for bit).
    pub fn sweep_key(&self) -> String {
        format!(
            "{}|{:?}|{:?}|{}|{}",
            self.model.id(),
            self.parameters
                .iter()
                .map(|p| p.to_bits())
                .collect::<Vec<_>>(),
            self.initial,
            self.dt_ms,
            self.integrator.name()
        )
    }

    /// The engine of this run at t = 0 over `lanes` identical lanes.
    pub fn engine(&self, lanes: usize) -> Result<Engine, EngineError> {
        self.build_engine(&self.model, lanes, 0, |_| ())
    }

    /// The one constructor of every engine built from a run description: an engine
    /// of `model` over `lanes` lanes — `model` may be the run's own or a derived
    /// one with extra variables (parameters and initial values are matched by
    /// name) — with the run's dt, integrator and seed + `seed_offset` (so lanes
    /// split into chunks draw as one population would), the run's parameters, then
    /// `per_lane` (sweeps set each lane's own values here), then the model's
    /// initial values (which may be expressions of parameters, `init=v_r`), then
    /// the run's initial values. Events and stimuli are the session's business.
    pub fn build_engine(
        &self,
        model: &Arc<CompiledModel>,
        lanes: usize,
        seed_offset: u32,
        per_lane: impl FnOnce(&mut Engine),
    ) -> Result<Engine, EngineError> {
        let same = Arc::ptr_eq(model, &self.model);
        let src = &self.model;
        let mut engine = Engine::new(
            Arc::clone(model),
            lanes,
            self.dt_ms,
            self.integrator,
            self.seed.wrapping_add(seed_offset),
        )?;
        for (i, (p, &v)) in src.desc.parameters.iter().zip(&self.parameters).enumerate() {
            let target = if same {
                Some(i)
            } else {
                model.param_index(&p.name)
            };
            if let Some(j) = target {
                engine.set_param_all(j, v);
            }
        }
        per_lane(&mut engine);
        engine.reset_state();
        for (i, v) in self.initial_overrides() {
            let target = if same {
                Some(i)
            } else {
                model.var_index(&src.vars[i].name)
            };
            if let Some(j) = target {
                for lane in 0..lanes {
                    engine.set_var(j, lane, v);
                }
            }
        }
        Ok(engine)
    }
}
