//! Comparing a candidate neuron with a reference under a [`FitSpec`]: both models
//! run the spec's protocols ([`super::protocols`]) and the loss is summed term by
//! term ([`super::objectives`]). Also the drive-unit check and the CompNeuroPy
//! snippet of a candidate.
//!
//! # Units
//! The Corbit HH model's `I_app` is in µA/cm² and the Izhikevich CorbitFsi model's
//! in pA. CompNeuroPy's fit (C = 1) drives both with the same numbers; a spec states
//! that with `drive_factor: Some(1.0)`. Where two models with different drive units
//! meet without a stated factor, [`drive_unit_warning`] says so.

use super::fitspec::{FitSpec, drive_index};
use super::objectives::{LossTable, loss_table};
use super::protocols::times;
pub use super::protocols::{Responses, Runner, StepResponse};
use super::{Control, SweepError};
use crate::model::CompiledModel;
use crate::sim::run::RunSpec;
use crate::sim::session::steps_for;

/// A warning when `reference` and `candidate` drive `drive_param` (empty: each
/// model's own drive parameter) in different units and no factor between them is
/// stated; `None` when the units agree or a factor is given.
pub fn drive_unit_warning(
    reference: &CompiledModel,
    candidate: &CompiledModel,
    drive_param: &str,
    factor: Option<f64>,
) -> Option<String> {
    let drive = |m: &CompiledModel| {
        drive_index(m, drive_param).map(|i| {
            let p = &m.desc.parameters[i];
            (p.name.clone(), p.unit.clone())
        })
    };
    let ((name_a, a), (name_b, b)) = (drive(reference)?, drive(candidate)?);
    let names = if name_a == name_b {
        name_a
    } else {
        format!("the drive ({name_a} / {name_b})")
    };
    (a != b && factor.is_none()).then(|| {
        format!(
            "{names} is in {a} for {} but in {b} for {}; no drive factor is stated, so the \
             numbers pass unchanged (set `drive_factor` in the fit spec)",
            reference.id(),
            candidate.id()
        )
    })
}

/// Both models' responses and the candidate's loss table.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub reference: Responses,
    pub candidate: Responses,
    pub table: LossTable,
}

/// Compares two presets under `spec` (whose `reference` and `candidate` fields are
/// not used: the presets are given).
pub fn compare(
    reference: &RunSpec,
    candidate: &RunSpec,
    spec: &FitSpec,
    threads: usize,
    control: &Control,
) -> Result<Comparison, SweepError> {
    let r = Runner::new(reference, spec, 1.0, threads, control)?.responses(None)?;
    let factor = spec.drive_factor.unwrap_or(1.0);
    let amps = reference_amps(&r, 1.0);
    let c = Runner::new(candidate, spec, factor, threads, control)?.responses(Some(&amps))?;
    let table = loss_table(spec, &r, &c);
    Ok(Comparison {
        reference: r,
        candidate: c,
        table,
    })
}

/// The reference's step amplitudes of every group in reference units.
pub fn reference_amps(reference: &Responses, factor: f64) -> Vec<Vec<f64>> {
    reference
        .steps
        .iter()
        .map(|s| s.amps.iter().map(|a| a / factor).collect())
        .collect()
}

/// The membrane potential of one run (for plotting both models on a protocol).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    /// The step amplitude (this model's units).
    pub amp: f64,
    /// (t ms, v) samples: t = 0, then at most one per `sample_ms` of the run.
    pub points: Vec<[f64; 2]>,
    /// Spike times (ms).
    pub spikes_ms: Vec<f64>,
}

impl Runner<'_> {
    /// Runs the preset's own parameters with the drive `amp` (this model's units)
    /// from `on_ms` to `off_ms` in a run of `duration_ms`, recording `v` (else the
    /// first variable), one sample per `sample_ms` (at least one per step).
    pub fn step_trace(
        &self,
        amp: f64,
        (on_ms, off_ms, duration_ms): (f64, f64, f64),
        sample_ms: f64,
    ) -> Result<Trace, SweepError> {
        let pre = self.preset;
        let dt = pre.dt_ms;
        let var = pre.model.membrane_var().unwrap_or(0);
        let mut e = self.engine(&[pre.parameters.as_slice()], 0)?;
        let on = (on_ms / dt).round() as u64;
        let off = if off_ms.is_finite() {
            (off_ms / dt).round() as u64
        } else {
            u64::MAX
        };
        let stride = ((sample_ms / dt).round() as u64).max(1);
        let n_steps = steps_for(duration_ms, dt);
        let mut points = vec![[0.0, e.var(var, 0)]];
        let mut spikes = Vec::new();
        for k in 0..n_steps {
            if k == on {
                e.set_param(self.drive, 0, amp);
            }
            if k == off {
                e.set_param(self.drive, 0, 0.0);
            }
            if e.step() > 0 && e.spiked(0) {
                spikes.push(k);
            }
            if (k + 1) % stride == 0 {
                points.push([crate::io::csv::time_label(k + 1, dt), e.var(var, 0)]);
            }
            if k % 4096 == 4095 && self.control.cancelled() {
                return Err(SweepError::Cancelled);
            }
        }
        Ok(Trace {
            amp,
            points,
            spikes_ms: times(&spikes, dt),
        })
    }
}

/// A CompNeuroPy snippet creating `run`'s model with these parameter values (model
/// order), e.g. `Izhikevich2007CorbitFsiNoisyAmpa(C=1.0, k=0.0658, …)`, starting
/// from the run's initial state and stating the dt it was tuned at (the interop
/// module owns the snippet, issue 13).
pub fn snippet(run: &RunSpec, parameters: &[f64]) -> String {
    let model = &run.model;
    let with_parameters = |e: &mut crate::sim::Engine| {
        for (i, &v) in parameters.iter().enumerate() {
            e.set_param_all(i, v);
        }
    };
    let initial = match run.build_engine(model, 1, 0, with_parameters) {
        Ok(e) => (0..model.vars.len()).map(|i| e.var(i, 0)).collect(),
        Err(_) => vec![0.0; model.vars.len()],
    };
    crate::interop::snippet::compneuropy_snippet(model, parameters, &initial, run.dt_ms)
}
