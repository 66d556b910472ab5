//! Comparing a candidate neuron with a reference neuron: f–I RMSE, first-spike
//! latency RMSE, rheobase difference and the spike-time coincidence factor Γ, and
//! the loss the optimiser ([`super::fit`]) minimises.
//!
//! # Protocols (the defaults of [`Protocol`])
//! Every run starts from the preset's initial state (its `initial` block, else the
//! model's initial values), with the preset's parameters, at the preset's own dt and
//! integrator; the preset's events and stimuli are not applied. `I_app` is 0 except
//! where a protocol drives it.
//!
//! * **f–I**: `I_app` = 0, 1, …, 20 held from t = 0 for 600 ms; the rate counts the
//!   spikes in [100 ms, 600 ms) (see [`super::fi`] for the spike-time convention);
//!   the latency is the time of the first spike of the run, from t = 0.
//! * **Rheobase**: the smallest `I_app` of the f–I grid at which the model fires at
//!   least once in the 600 ms run, refined by bisection between it and the grid value
//!   below to 0.01 (the smallest value found to fire is reported). A model that does
//!   not fire anywhere on the grid is given the rheobase "last grid value + 1" (21).
//! * **Steps** (for Γ): `I_app` = R + 1, R + 3, R + 6 (R = the reference's refined
//!   rheobase), switched on at 100 ms and off at 500 ms, 600 ms runs.
//!
//! # Metrics
//! * **f–I RMSE** (Hz): root mean square of the rate differences over the 21 points.
//! * **Latency RMSE** (ms): over the amplitudes where at least one model fires; a
//!   model that stays silent counts as firing at the end of the run (600 ms), so an
//!   amplitude where exactly one model fires is penalised by 600 ms minus that
//!   model's latency. 0 when neither model fires anywhere.
//! * **Rheobase difference**: |R_ref − R_cand| in `I_app` units.
//! * **Γ** (Kistler et al. 1997, as in Jolivet et al. 2008): for each step protocol,
//!   Γ = (N_coinc − 2νΔN_ref) / (½(N_ref + N_cand)) · 1 / (1 − 2νΔ), Δ = 2 ms, ν the
//!   candidate's rate over the whole run (N_cand / 600 ms), N_coinc the number of
//!   reference spikes matched one-to-one (in time order) to a candidate spike with
//!   |t_ref − t_cand| ≤ Δ. Γ = 1 when neither model spikes, 0 when exactly one does or
//!   when 1 − 2νΔ ≤ 0 (candidate above 1/(2Δ) = 250 Hz). The reported Γ is the mean
//!   over the step amplitudes.
//! * **Loss** = f–I RMSE / 10 Hz + latency RMSE / 5 ms + (1 − Γ) + rheobase
//!   difference / 1.
//!
//! # Units
//! The Corbit HH model's `I_app` is in µA/cm² and the Izhikevich CorbitFsi model's
//! in pA, but CompNeuroPy's fit (C = 1) drives both with the same numbers: `I_app`
//! values are compared as shared plain numbers, without conversion.

use super::fi::{FiPoint, train_stats};
use super::{Control, SweepError, chunks};
use crate::io::preset::ResolvedPreset;
use crate::model::CompiledModel;
use crate::sim::Engine;
use crate::sim::session::steps_for;

/// The driven parameter.
pub const DRIVE_PARAM: &str = "I_app";

/// Weights of the loss: each metric is divided by its scale.
#[derive(Clone, Debug, PartialEq)]
pub struct LossScales {
    pub fi_hz: f64,
    pub latency_ms: f64,
    pub gamma: f64,
    pub rheobase: f64,
}

impl Default for LossScales {
    fn default() -> Self {
        Self {
            fi_hz: 10.0,
            latency_ms: 5.0,
            gamma: 1.0,
            rheobase: 1.0,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Protocol {
    /// `I_app` values of the f–I curve.
    pub fi_values: Vec<f64>,
    pub duration_ms: f64,
    /// Spikes before this time do not count in the rate.
    pub transient_ms: f64,
    /// Step amplitudes relative to the reference's rheobase.
    pub step_offsets: Vec<f64>,
    pub step_on_ms: f64,
    pub step_off_ms: f64,
    /// Coincidence window Δ of Γ (ms).
    pub window_ms: f64,
    /// Bisection tolerance of the rheobase.
    pub rheobase_tol: f64,
    pub scales: LossScales,
}

impl Default for Protocol {
    fn default() -> Self {
        Self {
            fi_values: (0..=20).map(f64::from).collect(),
            duration_ms: 600.0,
            transient_ms: 100.0,
            step_offsets: vec![1.0, 3.0, 6.0],
            step_on_ms: 100.0,
            step_off_ms: 500.0,
            window_ms: 2.0,
            rheobase_tol: 0.01,
            scales: LossScales::default(),
        }
    }
}

impl Protocol {
    /// The rheobase given to a model that never fires on the grid.
    pub fn silent_rheobase(&self) -> f64 {
        self.fi_values.last().copied().unwrap_or(0.0) + 1.0
    }
}

/// What one model (one parameter set) does under the protocols.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Responses {
    pub fi: Vec<FiPoint>,
    pub rheobase: Option<f64>,
    pub step_amps: Vec<f64>,
    /// Spike times (ms) of each step protocol.
    pub step_spikes_ms: Vec<Vec<f64>>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Metrics {
    pub fi_rmse_hz: f64,
    pub latency_rmse_ms: f64,
    pub gamma: f64,
    pub rheobase_diff: f64,
    pub loss: f64,
}

impl Metrics {
    /// One metric per line, as `compare` prints them.
    pub fn lines(&self) -> Vec<String> {
        vec![
            format!("f-I RMSE: {:.2} Hz", self.fi_rmse_hz),
            format!("latency RMSE: {:.2} ms", self.latency_rmse_ms),
            format!("gamma: {:.3}", self.gamma),
            format!("rheobase difference: {:.2}", self.rheobase_diff),
            format!("loss: {:.3}", self.loss),
        ]
    }
}

/// A constant input switched on at `on_ms` and off (back to 0) at `off_ms`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Drive {
    amp: f64,
    on_ms: f64,
    off_ms: f64,
}

impl Drive {
    fn held(amp: f64) -> Self {
        Self {
            amp,
            on_ms: 0.0,
            off_ms: f64::INFINITY,
        }
    }
}

/// Runs the parameter sets of one preset's model under the protocols, each batch
/// of runs as the lanes of one engine (split into `threads` chunks).
pub struct Runner<'a> {
    pub preset: &'a ResolvedPreset,
    pub protocol: &'a Protocol,
    pub threads: usize,
    pub control: &'a Control,
    pool: Option<rayon::ThreadPool>,
    drive: usize,
}

impl<'a> Runner<'a> {
    pub fn new(
        preset: &'a ResolvedPreset,
        protocol: &'a Protocol,
        threads: usize,
        control: &'a Control,
    ) -> Result<Self, SweepError> {
        let model = &preset.model;
        let Some(drive) = model.param_index(DRIVE_PARAM) else {
            return Err(SweepError::Usage(format!(
                "{} has no parameter {DRIVE_PARAM} to drive",
                model.id()
            )));
        };
        if !model.has_spike() {
            return Err(SweepError::Usage(format!(
                "{} has no spike condition; the comparison needs spikes",
                model.id()
            )));
        }
        let p = protocol;
        if !(p.duration_ms > 0.0 && p.transient_ms >= 0.0 && p.transient_ms < p.duration_ms)
            || p.fi_values.is_empty()
        {
            return Err(SweepError::Usage("invalid comparison protocol".into()));
        }
        let pool = if threads > 1 {
            Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .map_err(|e| SweepError::Usage(format!("cannot start worker threads: {e}")))?,
            )
        } else {
            None
        };
        Ok(Self {
            preset,
            protocol,
            threads: threads.max(1),
            control,
            pool,
            drive,
        })
    }

    /// Responses of the preset's own parameters; the step amplitudes are the
    /// reference's (`step_amps`), or derived from this model's rheobase when `None`.
    pub fn responses(&self, step_amps: Option<&[f64]>) -> Result<Responses, SweepError> {
        let sets = vec![self.preset.parameters.clone()];
        Ok(self.responses_of(&sets, step_amps)?.remove(0))
    }

    /// Responses of many parameter sets (full parameter vectors in model order).
    pub fn responses_of(
        &self,
        sets: &[Vec<f64>],
        step_amps: Option<&[f64]>,
    ) -> Result<Vec<Responses>, SweepError> {
        let p = self.protocol;
        let nf = p.fi_values.len();
        let step = |amp: f64| Drive {
            amp,
            on_ms: p.step_on_ms,
            off_ms: p.step_off_ms,
        };
        // Round 1: the f–I grid (and the steps, when their amplitudes are known).
        let mut jobs = Vec::new();
        for s in 0..sets.len() {
            jobs.extend(p.fi_values.iter().map(|&x| (s, Drive::held(x))));
            if let Some(amps) = step_amps {
                jobs.extend(amps.iter().map(|&a| (s, step(a))));
            }
        }
        let trains = self.run(sets, &jobs, false)?;
        let per = nf + step_amps.map_or(0, <[f64]>::len);
        let dt = self.preset.dt_ms;
        let mut out: Vec<Responses> = (0..sets.len())
            .map(|s| {
                let t = &trains[s * per..(s + 1) * per];
                let fi: Vec<FiPoint> = p
                    .fi_values
                    .iter()
                    .zip(t)
                    .map(|(&x, k)| train_stats(x, k, dt, p.transient_ms, p.duration_ms))
                    .collect();
                let (step_amps, step_spikes_ms) = match step_amps {
                    Some(a) => (a.to_vec(), t[nf..].iter().map(|k| times(k, dt)).collect()),
                    None => (Vec::new(), Vec::new()),
                };
                Responses {
                    fi,
                    rheobase: None,
                    step_amps,
                    step_spikes_ms,
                }
            })
            .collect();
        // Rheobase: grid value, then bisection of every set at once.
        let fires = |pt: &FiPoint| pt.first_spike_ms.is_some();
        let mut brackets: Vec<Option<(f64, f64)>> = vec![None; sets.len()];
        for (s, r) in out.iter_mut().enumerate() {
            if let Some(i) = r.fi.iter().position(fires) {
                r.rheobase = Some(p.fi_values[i]);
                if i > 0 {
                    brackets[s] = Some((p.fi_values[i - 1], p.fi_values[i]));
                }
            }
        }
        loop {
            let open: Vec<usize> = (0..sets.len())
                .filter(|&s| brackets[s].is_some_and(|(lo, hi)| hi - lo > p.rheobase_tol))
                .collect();
            if open.is_empty() {
                break;
            }
            let jobs: Vec<(usize, Drive)> = open
                .iter()
                .map(|&s| {
                    let (lo, hi) = brackets[s].unwrap_or_default();
                    (s, Drive::held(0.5 * (lo + hi)))
                })
                .collect();
            let trains = self.run(sets, &jobs, true)?;
            for ((&s, (_, d)), t) in open.iter().zip(&jobs).zip(&trains) {
                if let Some((lo, hi)) = brackets[s].as_mut() {
                    if t.is_empty() {
                        *lo = d.amp;
                    } else {
                        *hi = d.amp;
                    }
                }
            }
        }
        for (r, b) in out.iter_mut().zip(&brackets) {
            if let Some((_, hi)) = b {
                r.rheobase = Some(*hi);
            }
        }
        // The reference's steps, around its own rheobase.
        if step_amps.is_none() {
            let mut jobs = Vec::new();
            for (s, r) in out.iter_mut().enumerate() {
                let Some(rb) = r.rheobase else {
                    return Err(SweepError::Usage(format!(
                        "{} does not fire for any {DRIVE_PARAM} of the f–I grid; the step \
                         protocols need its rheobase",
                        self.preset.model.id()
                    )));
                };
                r.step_amps = p.step_offsets.iter().map(|o| round2(rb + o)).collect();
                jobs.extend(r.step_amps.iter().map(|&a| (s, step(a))));
            }
            let trains = self.run(sets, &jobs, false)?;
            for ((s, _), t) in jobs.iter().zip(&trains) {
                out[*s].step_spikes_ms.push(times(t, dt));
            }
        }
        Ok(out)
    }

    /// Runs each job (parameter set, drive) as one lane; returns the spike steps of
    /// each. With `until_first`, the runs stop once every lane has spiked.
    fn run(
        &self,
        sets: &[Vec<f64>],
        jobs: &[(usize, Drive)],
        until_first: bool,
    ) -> Result<Vec<Vec<u64>>, SweepError> {
        let ranges = chunks(jobs.len(), self.threads);
        let work = |range: std::ops::Range<usize>| self.run_chunk(sets, jobs, range, until_first);
        let parts: Vec<Vec<Vec<u64>>> = match &self.pool {
            Some(pool) if ranges.len() > 1 => pool.install(|| {
                use rayon::prelude::*;
                ranges
                    .par_iter()
                    .cloned()
                    .map(work)
                    .collect::<Result<_, _>>()
            })?,
            _ => ranges.iter().cloned().map(work).collect::<Result<_, _>>()?,
        };
        Ok(parts.into_iter().flatten().collect())
    }

    fn run_chunk(
        &self,
        sets: &[Vec<f64>],
        jobs: &[(usize, Drive)],
        range: std::ops::Range<usize>,
        until_first: bool,
    ) -> Result<Vec<Vec<u64>>, SweepError> {
        let pre = self.preset;
        let model = &pre.model;
        let dt = pre.dt_ms;
        let lanes = range.len();
        let jobs = &jobs[range.clone()];
        let mut e = Engine::new(
            model.clone(),
            lanes,
            dt,
            pre.integrator,
            pre.seed.wrapping_add(range.start as u32),
        )?;
        for (lane, (s, _)) in jobs.iter().enumerate() {
            for (i, &v) in sets[*s].iter().enumerate() {
                e.set_param(i, lane, v);
            }
            e.set_param(self.drive, lane, 0.0);
        }
        // Initial values may depend on parameters (`init=v_r`).
        e.reset_state();
        for &(i, v) in &pre.initial {
            for lane in 0..lanes {
                e.set_var(i, lane, v);
            }
        }
        // Input changes, by step: (step, lane, value).
        let mut changes: Vec<(u64, usize, f64)> = Vec::new();
        for (lane, (_, d)) in jobs.iter().enumerate() {
            changes.push(((d.on_ms / dt).round() as u64, lane, d.amp));
            if d.off_ms.is_finite() {
                changes.push(((d.off_ms / dt).round() as u64, lane, 0.0));
            }
        }
        changes.sort_by_key(|c| c.0);
        let mut next = 0;
        let n_steps = steps_for(self.protocol.duration_ms, dt);
        let mut spikes: Vec<Vec<u64>> = vec![Vec::new(); lanes];
        let mut silent = lanes;
        for k in 0..n_steps {
            while let Some(&(s, lane, v)) = changes.get(next) {
                if s > k {
                    break;
                }
                e.set_param(self.drive, lane, v);
                next += 1;
            }
            if e.step() > 0 {
                for (lane, sp) in spikes.iter_mut().enumerate() {
                    if e.spiked(lane) {
                        if sp.is_empty() {
                            silent -= 1;
                        }
                        sp.push(k);
                    }
                }
                if until_first && silent == 0 {
                    break;
                }
            }
            if k % 4096 == 4095 && self.control.cancelled() {
                return Err(SweepError::Cancelled);
            }
        }
        Ok(spikes)
    }
}

/// The membrane potential of one run (for plotting both models on a protocol).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Trace {
    /// The step amplitude (`I_app`).
    pub amp: f64,
    /// (t ms, v) samples: t = 0, then at most one per `sample_ms` of the run.
    pub points: Vec<[f64; 2]>,
    /// Spike times (ms), as in [`Responses::step_spikes_ms`].
    pub spikes_ms: Vec<f64>,
}

impl Runner<'_> {
    /// Runs the preset's own parameters on the step protocol of amplitude `amp`
    /// (on at `step_on_ms`, off at `step_off_ms`) and records `v` (else the first
    /// variable), one sample per `sample_ms` (at least one per step).
    pub fn step_trace(&self, amp: f64, sample_ms: f64) -> Result<Trace, SweepError> {
        let pre = self.preset;
        let model = &pre.model;
        let p = self.protocol;
        let dt = pre.dt_ms;
        let var = model.var_index("v").unwrap_or(0);
        let mut e = Engine::new(model.clone(), 1, dt, pre.integrator, pre.seed)?;
        for (i, &v) in pre.parameters.iter().enumerate() {
            e.set_param(i, 0, v);
        }
        e.set_param(self.drive, 0, 0.0);
        e.reset_state();
        for &(i, v) in &pre.initial {
            e.set_var(i, 0, v);
        }
        let on = (p.step_on_ms / dt).round() as u64;
        let off = (p.step_off_ms / dt).round() as u64;
        let stride = ((sample_ms / dt).round() as u64).max(1);
        let n_steps = steps_for(p.duration_ms, dt);
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

fn times(steps: &[u64], dt_ms: f64) -> Vec<f64> {
    steps
        .iter()
        .map(|&k| crate::io::csv::time_label(k, dt_ms))
        .collect()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn rms(xs: impl Iterator<Item = f64>) -> f64 {
    let (mut s, mut n) = (0.0, 0usize);
    for x in xs {
        s += x * x;
        n += 1;
    }
    if n == 0 { 0.0 } else { (s / n as f64).sqrt() }
}

/// The coincidence factor Γ of a candidate train against a reference train (times
/// in ms, sorted), window ±`window_ms`, over a run of `duration_ms`.
pub fn gamma(reference: &[f64], candidate: &[f64], window_ms: f64, duration_ms: f64) -> f64 {
    let (nr, nc) = (reference.len(), candidate.len());
    if nr == 0 && nc == 0 {
        return 1.0;
    }
    if nr == 0 || nc == 0 {
        return 0.0;
    }
    let (mut i, mut j, mut coinc) = (0, 0, 0usize);
    while i < nr && j < nc {
        let d = candidate[j] - reference[i];
        if d.abs() <= window_ms + 1e-9 {
            coinc += 1;
            i += 1;
            j += 1;
        } else if d < 0.0 {
            j += 1;
        } else {
            i += 1;
        }
    }
    let nu = nc as f64 / duration_ms;
    let norm = 1.0 - 2.0 * nu * window_ms;
    if norm <= 1e-12 {
        return 0.0;
    }
    let expected = 2.0 * nu * window_ms * nr as f64;
    (coinc as f64 - expected) / (0.5 * (nr + nc) as f64) / norm
}

/// The metrics of `cand` against `reference` (same protocol and step amplitudes).
pub fn metrics(reference: &Responses, cand: &Responses, protocol: &Protocol) -> Metrics {
    let p = protocol;
    let fi_rmse_hz = rms(reference
        .fi
        .iter()
        .zip(&cand.fi)
        .map(|(a, b)| a.rate_hz - b.rate_hz));
    let latency_rmse_ms = rms(reference
        .fi
        .iter()
        .zip(&cand.fi)
        .filter(|(a, b)| a.first_spike_ms.is_some() || b.first_spike_ms.is_some())
        .map(|(a, b)| {
            a.first_spike_ms.unwrap_or(p.duration_ms) - b.first_spike_ms.unwrap_or(p.duration_ms)
        }));
    let gammas: Vec<f64> = reference
        .step_spikes_ms
        .iter()
        .zip(&cand.step_spikes_ms)
        .map(|(a, b)| gamma(a, b, p.window_ms, p.duration_ms))
        .collect();
    let gamma = if gammas.is_empty() {
        1.0
    } else {
        gammas.iter().sum::<f64>() / gammas.len() as f64
    };
    let silent = p.silent_rheobase();
    let rheobase_diff =
        (reference.rheobase.unwrap_or(silent) - cand.rheobase.unwrap_or(silent)).abs();
    let s = &p.scales;
    let loss = fi_rmse_hz / s.fi_hz
        + latency_rmse_ms / s.latency_ms
        + (1.0 - gamma) / s.gamma
        + rheobase_diff / s.rheobase;
    Metrics {
        fi_rmse_hz,
        latency_rmse_ms,
        gamma,
        rheobase_diff,
        loss,
    }
}

/// Both models' responses and the metrics of the candidate.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub reference: Responses,
    pub candidate: Responses,
    pub metrics: Metrics,
}

/// Compares two presets under `protocol`.
pub fn compare(
    reference: &ResolvedPreset,
    candidate: &ResolvedPreset,
    protocol: &Protocol,
    threads: usize,
    control: &Control,
) -> Result<Comparison, SweepError> {
    let r = Runner::new(reference, protocol, threads, control)?.responses(None)?;
    let c = Runner::new(candidate, protocol, threads, control)?.responses(Some(&r.step_amps))?;
    let metrics = metrics(&r, &c, protocol);
    Ok(Comparison {
        reference: r,
        candidate: c,
        metrics,
    })
}

/// A CompNeuroPy snippet creating the model with these parameter values (model
/// order), e.g. `Izhikevich2007CorbitFsiNoisyAmpa(C=1.0, k=0.0658, …)`.
pub fn snippet(model: &CompiledModel, parameters: &[f64]) -> String {
    // Delegates to the interop module, which owns the snippet (issue 13).
    let dt_ms = model.desc.dt_ms;
    let initial = crate::interop::snippet::default_initial(model, parameters, dt_ms);
    crate::interop::snippet::compneuropy_snippet(model, parameters, &initial, dt_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_edge_cases() {
        let a = [10.0, 50.0, 90.0];
        assert!((gamma(&a, &a, 2.0, 100.0) - 1.0).abs() < 1e-12);
        assert_eq!(gamma(&[], &[], 2.0, 100.0), 1.0);
        assert_eq!(gamma(&a, &[], 2.0, 100.0), 0.0);
        // Shifted by 1 ms: still coincident.
        let b = [11.0, 51.0, 91.0];
        assert!((gamma(&a, &b, 2.0, 100.0) - 1.0).abs() < 1e-12);
    }
}
