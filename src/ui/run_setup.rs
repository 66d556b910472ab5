//! The run the user has set up: everything a preset holds. The UI edits this copy;
//! every edit is also sent to the worker, and saving writes it back as a preset.

use std::sync::Arc;

use crate::io::preset::{
    DEFAULT_DURATION_MS, DEFAULT_SEED, Event, Preset, PresetError, ResolvedPreset,
};
use crate::io::stimulus::Stimulus;
use crate::model::CompiledModel;
use crate::sim::Integrator;

#[derive(Clone, Debug)]
pub struct RunSetup {
    pub model: Arc<CompiledModel>,
    /// One value per parameter, in model order (base values; stimuli add on top).
    pub params: Vec<f64>,
    /// Per variable: an initial value overriding the model's, if set.
    pub initial: Vec<Option<f64>>,
    pub dt_ms: f64,
    /// The protocol's length: saved in presets, and where a running simulation
    /// pauses when `pause_at_end` is set.
    pub duration_ms: f64,
    /// Pause at `duration_ms` (on for presets with a protocol, timed events or
    /// stimuli, unless the preset says otherwise; off for the model defaults).
    pub pause_at_end: bool,
    pub integrator: Integrator,
    pub seed: u32,
    /// A loaded preset's events; they replay after every reset.
    pub events: Vec<Event>,
    pub stimuli: Vec<Stimulus>,
}

impl RunSetup {
    /// The model's defaults.
    pub fn defaults(model: Arc<CompiledModel>) -> Self {
        Self {
            params: model.desc.parameters.iter().map(|p| p.default).collect(),
            initial: vec![None; model.vars.len()],
            dt_ms: model.desc.dt_ms,
            duration_ms: DEFAULT_DURATION_MS,
            pause_at_end: false,
            integrator: Integrator::default(),
            seed: DEFAULT_SEED,
            events: Vec::new(),
            stimuli: Vec::new(),
            model,
        }
    }

    pub fn from_resolved(r: &ResolvedPreset) -> Self {
        let mut initial = vec![None; r.model.vars.len()];
        for &(i, v) in &r.initial {
            if let Some(slot) = initial.get_mut(i) {
                *slot = Some(v);
            }
        }
        Self {
            model: Arc::clone(&r.model),
            params: r.parameters.clone(),
            initial,
            dt_ms: r.dt_ms,
            duration_ms: r.duration_ms,
            pause_at_end: crate::io::protocol::pauses_at_end(&r.preset),
            integrator: r.integrator,
            seed: r.seed,
            events: r.events.clone(),
            stimuli: r.stimuli.clone(),
        }
    }

    /// Everything a background sweep of this setup depends on, as a key that
    /// changes when any of it does (parameters compared bit for bit).
    pub fn sweep_key(&self) -> String {
        format!(
            "{}|{:?}|{:?}|{}|{}",
            self.model.id(),
            self.params.iter().map(|p| p.to_bits()).collect::<Vec<_>>(),
            self.initial,
            self.dt_ms,
            self.integrator.name()
        )
    }

    /// Where the worker should pause a running simulation, if anywhere.
    pub fn end_ms(&self) -> Option<f64> {
        self.pause_at_end.then_some(self.duration_ms)
    }

    /// The preset that reproduces this run; parameters are listed when they differ
    /// from the model's defaults.
    pub fn to_preset(&self) -> Preset {
        let m = &self.model;
        Preset {
            model: m.id().to_owned(),
            parameters: crate::io::preset::changed_parameters(m, &self.params),
            initial: m
                .vars
                .iter()
                .zip(&self.initial)
                .filter_map(|(var, v)| Some((var.name.clone(), (*v)?)))
                .collect(),
            dt_ms: Some(self.dt_ms),
            duration_ms: Some(self.duration_ms),
            integrator: Some(self.integrator.name().to_owned()),
            seed: Some(self.seed),
            events: self.events.clone(),
            stimuli: self.stimuli.clone(),
            notes: None,
            pause_at_end: None,
        }
        .with_pause_at_end(self.pause_at_end)
    }

    /// Checks this setup as the CLI would check the saved preset.
    pub fn resolve(&self) -> Result<ResolvedPreset, PresetError> {
        self.to_preset()
            .resolve("(current settings)", "", Some(Arc::clone(&self.model)))
    }

    /// (variable, value) initial-value overrides.
    pub fn initial_overrides(&self) -> Vec<(usize, f64)> {
        self.initial
            .iter()
            .enumerate()
            .filter_map(|(i, v)| Some((i, (*v)?)))
            .collect()
    }
}
