//! Running one model (many parameter sets at once) under the protocols of a
//! [`FitSpec`]: the f–I grid with the refined rheobase, the step groups, the
//! steady-state I–V and the resting potential. Every run starts from the preset's
//! initial state, parameters, dt and integrator; the preset's own events and
//! stimuli are not used; the drive is 0 except where a protocol sets it.
//!
//! Drive values in a spec are in the reference's units; a runner multiplies them by
//! its `factor` (1 for the reference, the spec's drive factor for the candidate) and
//! reports rheobases and amplitudes in its own model's units.

use super::ap_objectives::ApShape;
use super::fi::{FiPoint, train_stats};
use super::fitspec::{Amp, FitSpec};
use super::objectives::round_label;
use super::{Control, SweepError, chunks};
use crate::sim::Engine;
use crate::sim::run::RunSpec;
use crate::sim::session::steps_for;

/// One step group's runs: amplitudes (this model's units) and spike times (ms).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepResponse {
    pub amps: Vec<f64>,
    pub spikes_ms: Vec<Vec<f64>>,
    /// The AP shape of each run over the group's counting window, where the
    /// group has AP-shape objectives (v is recorded only then).
    pub shapes: Vec<Option<ApShape>>,
}

/// What one model (one parameter set) does under the protocols.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Responses {
    pub fi: Vec<FiPoint>,
    /// Refined rheobase (this model's units).
    pub rheobase: Option<f64>,
    pub steps: Vec<StepResponse>,
    /// Steady clamp current at each holding potential of the I–V protocol.
    pub iv_steady: Vec<f64>,
    /// v at the end of the undriven run.
    pub rest_mv: Option<f64>,
    /// The runs whose state ended NaN or infinite (their spikes mean nothing), as
    /// "protocol @ drive" labels; the loss marks each and counts as infinite.
    pub non_finite: Vec<String>,
    /// The model's spike resets v (no AP peak or half-width in its traces).
    pub reset_spike: bool,
}

/// A constant input switched on at `on_ms` and off (back to 0) at `off_ms`, in a
/// run of `duration_ms`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Drive {
    pub amp: f64,
    pub on_ms: f64,
    pub off_ms: f64,
    pub duration_ms: f64,
    /// Record v and measure the AP shape over this window (ms).
    pub shape_window: Option<(f64, f64)>,
}

impl Drive {
    pub fn held(amp: f64, duration_ms: f64) -> Self {
        Self {
            amp,
            on_ms: 0.0,
            off_ms: f64::INFINITY,
            duration_ms,
            shape_window: None,
        }
    }
}

/// Runs parameter sets of one preset's model under a spec's protocols, each batch
/// of runs as the lanes of one engine (split into `threads` chunks).
pub struct Runner<'a> {
    pub preset: &'a RunSpec,
    pub spec: &'a FitSpec,
    /// This model's drive = factor × the spec's (reference-unit) values.
    pub factor: f64,
    pub threads: usize,
    pub control: &'a Control,
    pool: Option<rayon::ThreadPool>,
    pub(crate) drive: usize,
}

/// How one run (lane) ended.
#[derive(Clone, Debug, Default)]
pub(crate) struct LaneEnd {
    pub spikes: Vec<u64>,
    /// The asked-for variable's value at the end.
    pub end: Option<f64>,
    /// Some variable ended NaN or infinite: the run blew up.
    pub non_finite: bool,
    /// The AP shape, where the drive asked for it.
    pub shape: Option<ApShape>,
}

type RunEnds = Vec<LaneEnd>;

/// Rounds to 0.01, as the step amplitudes relative to the rheobase are.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl<'a> Runner<'a> {
    pub fn new(
        preset: &'a RunSpec,
        spec: &'a FitSpec,
        factor: f64,
        threads: usize,
        control: &'a Control,
    ) -> Result<Self, SweepError> {
        let model = &preset.model;
        let Some(drive) = spec.drive_of(model) else {
            return Err(SweepError::Usage(if spec.drive_param.is_empty() {
                format!(
                    "{} has no drive parameter; name one with `drive = NAME` in the model \
                     file's [roles] or `drive_param` in the spec",
                    model.id()
                )
            } else {
                format!(
                    "{} has no parameter {} to drive",
                    model.id(),
                    spec.drive_param
                )
            }));
        };
        if !model.has_spike() {
            return Err(SweepError::Usage(format!(
                "{} has no spike condition; the comparison needs spikes",
                model.id()
            )));
        }
        spec.validate().map_err(SweepError::Usage)?;
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
            spec,
            factor,
            threads: threads.max(1),
            control,
            pool,
            drive,
        })
    }

    /// Responses of the preset's own parameters; `step_amps` are the reference's
    /// amplitudes (reference units) of each step group, or `None` for the reference
    /// itself (derived from its rheobase).
    /// A reference whose own runs blow up is refused (nothing can be fitted to it).
    pub fn responses(&self, step_amps: Option<&[Vec<f64>]>) -> Result<Responses, SweepError> {
        let sets = vec![self.preset.parameters.clone()];
        let r = self.responses_of(&sets, step_amps)?.remove(0);
        if step_amps.is_none() && !r.non_finite.is_empty() {
            return Err(SweepError::Usage(format!(
                "the reference {} blew up (a variable became NaN or infinite) in {}; check its parameters and dt (dt = {} ms)",
                self.preset.model.id(),
                r.non_finite.join(", "),
                self.preset.dt_ms
            )));
        }
        Ok(r)
    }

    /// Responses of many parameter sets (full parameter vectors in model order).
    pub fn responses_of(
        &self,
        sets: &[Vec<f64>],
        step_amps: Option<&[Vec<f64>]>,
    ) -> Result<Vec<Responses>, SweepError> {
        let mut out = self.fi_and_rheobase(sets)?;
        let amps: Vec<Vec<Vec<f64>>> = match step_amps {
            Some(a) => vec![a.to_vec(); sets.len()],
            None => out
                .iter()
                .map(|r| self.reference_amps(r.rheobase.map(|x| x / self.factor)))
                .collect::<Result<_, _>>()?,
        };
        let mut jobs = Vec::new();
        // The step group of each job, to name a run that blew up.
        let mut job_groups = Vec::new();
        for (s, set_amps) in amps.iter().enumerate() {
            for (g, group) in self.spec.steps.iter().enumerate() {
                let off = group.off_ms.unwrap_or(f64::INFINITY);
                let shape_window = group
                    .objectives
                    .iter()
                    .any(|o| o.feature.is_ap_shape())
                    .then(|| group.count_window_ms.unwrap_or((0.0, group.duration_ms)));
                for &a in &set_amps[g] {
                    let d = Drive {
                        amp: a * self.factor,
                        on_ms: group.on_ms,
                        off_ms: off,
                        duration_ms: group.duration_ms,
                        shape_window,
                    };
                    jobs.push((s, d));
                    job_groups.push(group.name.as_str());
                }
            }
        }
        let trains = self.run(sets, &jobs, false)?;
        for (((s, d), end), name) in jobs.iter().zip(&trains).zip(&job_groups) {
            if end.non_finite {
                out[*s]
                    .non_finite
                    .push(format!("{name} @ {}", round_label(d.amp)));
            }
        }
        let dt = self.preset.dt_ms;
        let mut it = trains.iter();
        for r in out.iter_mut() {
            r.steps = self
                .spec
                .steps
                .iter()
                .map(|g| {
                    let mut sr = StepResponse::default();
                    for _ in &g.amps {
                        let end = it.next();
                        let spikes = end.map_or(&[][..], |e| e.spikes.as_slice());
                        sr.spikes_ms.push(times(spikes, dt));
                        sr.shapes.push(end.and_then(|e| e.shape));
                    }
                    sr
                })
                .collect();
            r.reset_spike = self.preset.model.spike_resets_membrane();
        }
        for (r, set_amps) in out.iter_mut().zip(&amps) {
            for (sr, a) in r.steps.iter_mut().zip(set_amps) {
                sr.amps = a.iter().map(|x| x * self.factor).collect();
            }
        }
        self.iv_and_rest(sets, &mut out)?;
        Ok(out)
    }

    /// The amplitudes (reference units) of every step group, from the reference's
    /// rheobase (reference units).
    pub fn reference_amps(&self, rheobase: Option<f64>) -> Result<Vec<Vec<f64>>, SweepError> {
        self.spec
            .steps
            .iter()
            .map(|g| {
                g.amps
                    .iter()
                    .map(|a| match *a {
                        Amp::Abs(x) => Ok(x),
                        Amp::Rel(o) => rheobase.map(|r| round2(r + o)).ok_or_else(|| {
                            SweepError::Usage(format!(
                                "{} does not fire for any {} of the f–I grid; the steps \
                                 relative to the rheobase need it",
                                self.preset.model.id(),
                                self.spec.drive_name(&self.preset.model)
                            ))
                        }),
                    })
                    .collect()
            })
            .collect()
    }

    /// The f–I grid (if any) and the rheobase: grid value, then bisection of every
    /// set at once.
    fn fi_and_rheobase(&self, sets: &[Vec<f64>]) -> Result<Vec<Responses>, SweepError> {
        let mut out = vec![Responses::default(); sets.len()];
        let Some(fi) = &self.spec.fi else {
            return Ok(out);
        };
        let f = self.factor;
        let values: Vec<f64> = fi.values.iter().map(|x| x * f).collect();
        let mut jobs = Vec::new();
        for s in 0..sets.len() {
            jobs.extend(values.iter().map(|&x| (s, Drive::held(x, fi.duration_ms))));
        }
        let trains = self.run(sets, &jobs, false)?;
        let dt = self.preset.dt_ms;
        let nf = values.len();
        for (s, r) in out.iter_mut().enumerate() {
            r.fi = values
                .iter()
                .zip(&trains[s * nf..(s + 1) * nf])
                .map(|(&x, k)| {
                    let mut p = train_stats(x, &k.spikes, dt, fi.transient_ms, fi.duration_ms);
                    p.non_finite = k.non_finite;
                    p
                })
                .collect();
            for p in r.fi.iter().filter(|p| p.non_finite) {
                r.non_finite.push(format!("f–I @ {}", round_label(p.value)));
            }
        }
        let mut brackets: Vec<Option<(f64, f64)>> = vec![None; sets.len()];
        for (s, r) in out.iter_mut().enumerate() {
            if let Some(i) = r.fi.iter().position(|p| p.first_spike_ms.is_some()) {
                r.rheobase = Some(values[i]);
                if i > 0 {
                    brackets[s] = Some((values[i - 1], values[i]));
                }
            }
        }
        let tol = fi.rheobase_tol * f;
        loop {
            let open: Vec<usize> = (0..sets.len())
                .filter(|&s| brackets[s].is_some_and(|(lo, hi)| hi - lo > tol))
                .collect();
            if open.is_empty() {
                break;
            }
            let jobs: Vec<(usize, Drive)> = open
                .iter()
                .map(|&s| {
                    let (lo, hi) = brackets[s].unwrap_or_default();
                    (s, Drive::held(0.5 * (lo + hi), fi.duration_ms))
                })
                .collect();
            let trains = self.run(sets, &jobs, true)?;
            for ((&s, (_, d)), t) in open.iter().zip(&jobs).zip(&trains) {
                if t.non_finite {
                    out[s]
                        .non_finite
                        .push(format!("rheobase search @ {}", round_label(d.amp)));
                }
                if let Some((lo, hi)) = brackets[s].as_mut() {
                    if t.spikes.is_empty() {
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
        Ok(out)
    }

    /// The steady-state I–V (generic clamp, drive 0) and the resting potential.
    fn iv_and_rest(&self, sets: &[Vec<f64>], out: &mut [Responses]) -> Result<(), SweepError> {
        if let Some(iv) = &self.spec.iv {
            let v_holds = super::range_by_step(iv.from_mv, iv.to_mv, iv.step_mv)
                .map_err(|e| SweepError::Usage(format!("iv: {e}")))?;
            let cfg = super::clamp::IvConfig {
                v_holds,
                hold_ms: iv.hold_ms,
                instant_ms: 0.0,
                trace_every: 0,
                threads: self.threads,
            };
            for (set, r) in sets.iter().zip(out.iter_mut()) {
                let mut p = self.preset.clone();
                p.parameters.clone_from(set);
                p.parameters[self.drive] = 0.0;
                let res = super::clamp::iv_sweep(&p, &cfg, self.control)?;
                r.iv_steady = res.points.iter().map(|q| q.steady).collect();
            }
        }
        if let Some(rest) = &self.spec.rest {
            let v = self.preset.model.membrane_var().unwrap_or(0);
            let jobs: Vec<(usize, Drive)> = (0..sets.len())
                .map(|s| (s, Drive::held(0.0, rest.duration_ms)))
                .collect();
            let ends = self.run_with(sets, &jobs, false, Some(v))?;
            for (r, end) in out.iter_mut().zip(ends) {
                if end.non_finite {
                    r.non_finite.push("rest".into());
                }
                r.rest_mv = end.end;
            }
        }
        Ok(())
    }

    /// Runs each job (parameter set, drive) as one lane; returns how each ended
    /// (spike steps, blown up). With `until_first`, the runs stop once every lane has
    /// spiked.
    pub(crate) fn run(
        &self,
        sets: &[Vec<f64>],
        jobs: &[(usize, Drive)],
        until_first: bool,
    ) -> Result<RunEnds, SweepError> {
        self.run_with(sets, jobs, until_first, None)
    }

    /// As [`Runner::run`], also returning variable `end_var` at each run's end.
    /// Jobs of equal length run together (a lane runs as long as its engine).
    fn run_with(
        &self,
        sets: &[Vec<f64>],
        jobs: &[(usize, Drive)],
        until_first: bool,
        end_var: Option<usize>,
    ) -> Result<RunEnds, SweepError> {
        let dt = self.preset.dt_ms;
        let mut lengths: Vec<u64> = jobs
            .iter()
            .map(|(_, d)| steps_for(d.duration_ms, dt))
            .collect();
        lengths.sort_unstable();
        lengths.dedup();
        let mut out = vec![LaneEnd::default(); jobs.len()];
        for n in lengths {
            let idx: Vec<usize> = (0..jobs.len())
                .filter(|&j| steps_for(jobs[j].1.duration_ms, dt) == n)
                .collect();
            let group: Vec<(usize, Drive)> = idx.iter().map(|&j| jobs[j]).collect();
            let ranges = chunks(group.len(), self.threads);
            let work = |range: std::ops::Range<usize>| {
                self.run_chunk(sets, &group, range, until_first, n, end_var)
            };
            let parts: Vec<RunEnds> = match &self.pool {
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
            for (j, r) in idx.into_iter().zip(parts.into_iter().flatten()) {
                out[j] = r;
            }
        }
        Ok(out)
    }

    /// A fresh engine of `lanes` lanes with each lane's parameter set, the drive at
    /// 0 and the preset's initial state.
    pub(crate) fn engine(&self, sets: &[&[f64]], seed_offset: usize) -> Result<Engine, SweepError> {
        let pre = self.preset;
        let lane_sets = |e: &mut Engine| {
            for (lane, set) in sets.iter().enumerate() {
                for (i, &v) in set.iter().enumerate() {
                    e.set_param(i, lane, v);
                }
                e.set_param(self.drive, lane, 0.0);
            }
        };
        Ok(pre.build_engine(&pre.model, sets.len(), seed_offset as u32, lane_sets)?)
    }

    fn run_chunk(
        &self,
        sets: &[Vec<f64>],
        jobs: &[(usize, Drive)],
        range: std::ops::Range<usize>,
        until_first: bool,
        n_steps: u64,
        end_var: Option<usize>,
    ) -> Result<RunEnds, SweepError> {
        let dt = self.preset.dt_ms;
        let lanes = range.len();
        let jobs = &jobs[range.clone()];
        let lane_sets: Vec<&[f64]> = jobs.iter().map(|(s, _)| sets[*s].as_slice()).collect();
        let mut e = self.engine(&lane_sets, range.start)?;
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
        let mut spikes: Vec<Vec<u64>> = vec![Vec::new(); lanes];
        let mut silent = lanes;
        // v of the lanes whose AP shape is asked for (row 0 the initial state).
        let membrane = self.preset.model.membrane_var();
        let mut traces: Vec<Option<Vec<f64>>> = jobs
            .iter()
            .enumerate()
            .map(|(lane, (_, d))| {
                let v = membrane?;
                d.shape_window?;
                let mut tr = Vec::with_capacity(n_steps as usize + 1);
                tr.push(e.var(v, lane));
                Some(tr)
            })
            .collect();
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
            if let Some(v) = membrane {
                for (lane, tr) in traces.iter_mut().enumerate() {
                    if let Some(tr) = tr {
                        tr.push(e.var(v, lane));
                    }
                }
            }
            if k % 4096 == 4095 && self.control.cancelled() {
                return Err(SweepError::Cancelled);
            }
        }
        let n_vars = self.preset.model.vars.len();
        Ok(spikes
            .into_iter()
            .zip(traces)
            .enumerate()
            .map(|(lane, (spikes, trace))| LaneEnd {
                shape: trace.zip(jobs[lane].1.shape_window).map(|(v, w)| {
                    let t: Vec<f64> = (0..v.len() as u64)
                        .map(|k| crate::io::csv::time_label(k, dt))
                        .collect();
                    ApShape::of_trace(&t, &v, &times(&spikes, dt), w)
                }),
                spikes,
                end: end_var.map(|v| e.var(v, lane)),
                non_finite: (0..n_vars).any(|i| !e.var(i, lane).is_finite()),
            })
            .collect())
    }
}

/// Spike steps as times (ms), labelled as the trace CSV labels them.
pub(crate) fn times(steps: &[u64], dt_ms: f64) -> Vec<f64> {
    steps
        .iter()
        .map(|&k| crate::io::csv::time_label(k, dt_ms))
        .collect()
}
