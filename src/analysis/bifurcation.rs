//! One-parameter bifurcation diagrams: for each value of a parameter (default the
//! drive), the equilibria with their stability, and the attractor a run from the
//! preset's state settles on (min and max of v, firing rate).
//!
//! **Equilibria** are found where the steady-state voltage-clamp current is zero
//! ([`super::clamp`]: the clamped model holds v on a grid while every other state
//! variable relaxes; a zero crossing of `I_inf` along the grid is an equilibrium of
//! the free model). The clamp runs with exponential Euler at a long step
//! ([`CLAMP_DT_MS`]): for gates and the Izhikevich `u` (linear in themselves at fixed
//! v) each step lands on the exact relaxation, so a few steps reach the steady state.
//! Each crossing is then polished by Newton's method on the full model and
//! classified by the eigenvalues of the full system's numerical Jacobian
//! ([`super::equilibrium`]). Holding potentials at which a reset model's spike rule
//! fires (v at or above its peak) are skipped.
//!
//! **Attractor**: one lane per value, the parameter held from t = 0 from the preset's
//! initial state (events and stimuli not applied, as in the f–I sweep); v's min and
//! max and the spikes are taken over `[transient_ms, run_ms)`. For a reset model the
//! maximum is the last sample before a reset (the trace never holds the peak).

use std::sync::Arc;

use super::clamp::{I_INF, clamp_model, zero_crossings};
use super::equilibrium::{Rhs, eigenvalues, stability_of};
use super::phase::Stability;
use super::{Control, SweepError, cell, engine_for, require_param, run_chunks};
use crate::model::CompiledModel;
use crate::sim::Integrator;
use crate::sim::run::RunSpec;
use crate::sim::session::steps_for;

/// Time step of the clamp runs (ms); see the module doc for why it can be long.
pub const CLAMP_DT_MS: f64 = 20.0;
/// Length of each clamp hold (ms): 100 steps, ≥ 10 time constants of the slowest
/// gate of the built-in models (Corbit's Kv1 inactivation, 150 ms).
pub const CLAMP_HOLD_MS: f64 = 2000.0;
/// Lanes per engine (keeps each engine's slots in cache).
const LANES_PER_ENGINE: usize = 512;

#[derive(Clone, Debug, PartialEq)]
pub struct BifurcationConfig {
    pub param: String,
    pub values: Vec<f64>,
    /// Holding potentials searched for equilibria: `v_steps` from `v_from_mv` to `v_to_mv`.
    pub v_from_mv: f64,
    pub v_to_mv: f64,
    pub v_steps: usize,
    /// Length of each attractor run and the part discarded before measuring.
    pub run_ms: f64,
    pub transient_ms: f64,
    pub threads: usize,
}

impl BifurcationConfig {
    /// Defaults: v from -100 to 40 mV in 0.5 mV, 1 s runs measured after 500 ms.
    pub fn new(param: &str, values: Vec<f64>, threads: usize) -> Self {
        Self {
            param: param.to_owned(),
            values,
            v_from_mv: -100.0,
            v_to_mv: 40.0,
            v_steps: 281,
            run_ms: 1000.0,
            transient_ms: 500.0,
            threads,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Equilibrium {
    /// The parameter's value.
    pub value: f64,
    pub v_mv: f64,
    /// Every state variable (the model's ODE order).
    pub state: Vec<f64>,
    pub eigen: Vec<(f64, f64)>,
    pub stability: Stability,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AttractorPoint {
    pub value: f64,
    pub v_min_mv: f64,
    pub v_max_mv: f64,
    pub rate_hz: f64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bifurcation {
    pub param: String,
    pub unit: String,
    pub model_id: String,
    pub equilibria: Vec<Equilibrium>,
    pub attractor: Vec<AttractorPoint>,
}

impl Bifurcation {
    /// The first value (in sweep order) without a stable equilibrium after one with.
    pub fn stable_rest_lost_at(&self) -> Option<f64> {
        let stable_at = |x: f64| {
            self.equilibria
                .iter()
                .any(|e| e.value == x && e.stability.is_stable())
        };
        let values: Vec<f64> = self.attractor.iter().map(|a| a.value).collect();
        values
            .windows(2)
            .find(|w| stable_at(w[0]) && !stable_at(w[1]))
            .map(|w| w[1])
    }

    /// The equilibria at one value.
    pub fn equilibria_at(&self, value: f64) -> impl Iterator<Item = &Equilibrium> {
        self.equilibria.iter().filter(move |e| e.value == value)
    }
}

/// Total lane-steps (for progress bars).
pub fn bifurcation_total(cfg: &BifurcationConfig, dt_ms: f64) -> u64 {
    let clamp = steps_for(CLAMP_HOLD_MS, CLAMP_DT_MS) * (cfg.values.len() * cfg.v_steps) as u64;
    clamp + steps_for(cfg.run_ms, dt_ms) * cfg.values.len() as u64
}

fn check(cfg: &BifurcationConfig) -> Result<(), SweepError> {
    let usage = |m: String| Err(SweepError::Usage(m));
    if cfg.values.is_empty() {
        return usage("no parameter value to sweep".into());
    }
    if cfg.v_steps < 2
        || cfg.v_steps > 100_000
        || cfg.v_from_mv >= cfg.v_to_mv
        || !cfg.v_from_mv.is_finite()
        || !cfg.v_to_mv.is_finite()
    {
        return usage(format!(
            "the holding potentials need 2..100000 steps from a lower to a higher v, got {} from {} to {}",
            cfg.v_steps, cfg.v_from_mv, cfg.v_to_mv
        ));
    }
    if !(cfg.run_ms.is_finite() && cfg.run_ms > 0.0) {
        return usage(format!("the run must be > 0 ms, got {}", cfg.run_ms));
    }
    if !(cfg.transient_ms >= 0.0 && cfg.transient_ms < cfg.run_ms) {
        return usage(format!(
            "the transient must be >= 0 ms and shorter than the run ({} ms), got {}",
            cfg.run_ms, cfg.transient_ms
        ));
    }
    Ok(())
}

/// Contiguous ranges of at most [`LANES_PER_ENGINE`] lanes.
fn blocks(n: usize) -> Vec<std::ops::Range<usize>> {
    (0..n)
        .step_by(LANES_PER_ENGINE)
        .map(|s| s..(s + LANES_PER_ENGINE).min(n))
        .collect()
}

/// The diagram of `preset`'s model against `cfg.param`.
pub fn bifurcation(
    preset: &RunSpec,
    cfg: &BifurcationConfig,
    control: &Control,
) -> Result<Bifurcation, SweepError> {
    check(cfg)?;
    let model = &preset.model;
    let pi = require_param(model, &cfg.param)?;
    let equilibria = equilibria(preset, cfg, pi, control)?;
    let attractor = attractor(preset, cfg, pi, control)?;
    Ok(Bifurcation {
        param: cfg.param.clone(),
        unit: model.desc.parameters[pi].unit.clone(),
        model_id: model.id().to_owned(),
        equilibria,
        attractor,
    })
}

/// The holding potentials of the clamp grid.
fn v_grid(cfg: &BifurcationConfig) -> Vec<f64> {
    let n = cfg.v_steps;
    (0..n)
        .map(|k| cfg.v_from_mv + (cfg.v_to_mv - cfg.v_from_mv) * k as f64 / (n - 1) as f64)
        .collect()
}

/// Clamp results of one lane: `I_inf` (NaN when the hold was not kept) and the
/// state variables (the free model's ODE order).
type ClampLane = (f64, Vec<f64>);

fn clamp_lanes(
    preset: &RunSpec,
    cfg: &BifurcationConfig,
    pi: usize,
    control: &Control,
) -> Result<Vec<ClampLane>, SweepError> {
    let model = &preset.model;
    let clamped: Arc<CompiledModel> = clamp_model(model)?;
    let (Some(cv), Some(i_inf)) = (clamped.membrane_var(), clamped.var_index(I_INF)) else {
        return Err(SweepError::Usage(format!(
            "{} has no membrane potential; equilibria need one",
            model.id()
        )));
    };
    let name = &model.desc.parameters[pi].name;
    let cpi = require_param(&clamped, name)?;
    // The free model's state variables, located in the clamped model by name.
    let states: Vec<usize> = Rhs::new(model, &preset.parameters, preset.dt_ms)
        .state_vars()
        .into_iter()
        .filter_map(|i| clamped.var_index(&model.vars[i].name))
        .collect();
    let mut clamp_preset = preset.clone();
    clamp_preset.dt_ms = CLAMP_DT_MS;
    clamp_preset.integrator = Integrator::Exponential;
    let vs = v_grid(cfg);
    let n_v = vs.len();
    let n_steps = steps_for(CLAMP_HOLD_MS, CLAMP_DT_MS);
    let ranges = blocks(cfg.values.len() * n_v);
    let out = run_chunks(&ranges, cfg.threads, |range| {
        let lanes = range.len();
        let mut e = engine_for(&clamp_preset, &clamped, lanes, range.start)?;
        for (lane, k) in range.clone().enumerate() {
            e.set_param(cpi, lane, cfg.values[k / n_v]);
            e.set_var(cv, lane, vs[k % n_v]);
        }
        let mut pending = 0u64;
        for _ in 0..n_steps {
            e.step();
            control.tick(&mut pending, lanes)?;
        }
        control.flush(&mut pending, lanes);
        Ok(range
            .enumerate()
            .map(|(lane, k)| {
                let held = e.var(cv, lane) == vs[k % n_v];
                let i = if held { e.var(i_inf, lane) } else { f64::NAN };
                (i, states.iter().map(|&s| e.var(s, lane)).collect())
            })
            .collect::<Vec<_>>())
    })?;
    Ok(out.into_iter().flatten().collect())
}

fn equilibria(
    preset: &RunSpec,
    cfg: &BifurcationConfig,
    pi: usize,
    control: &Control,
) -> Result<Vec<Equilibrium>, SweepError> {
    let model = &preset.model;
    let lanes = clamp_lanes(preset, cfg, pi, control)?;
    let vs = v_grid(cfg);
    let n_v = vs.len();
    let probe = Rhs::new(model, &preset.parameters, preset.dt_ms);
    let Some(v_pos) = model
        .membrane_var()
        .and_then(|v| probe.state_vars().iter().position(|&s| s == v))
    else {
        return Err(SweepError::Usage(format!(
            "{}'s membrane potential is not a state variable",
            model.id()
        )));
    };
    let step_mv = vs[1] - vs[0];
    let mut out = Vec::new();
    for (k, &value) in cfg.values.iter().enumerate() {
        let row = &lanes[k * n_v..(k + 1) * n_v];
        let currents: Vec<f64> = row.iter().map(|l| l.0).collect();
        let mut params = preset.parameters.clone();
        params[pi] = value;
        let mut rhs = Rhs::new(model, &params, preset.dt_ms);
        let mut found: Vec<Equilibrium> = Vec::new();
        for (v_star, _) in zero_crossings(&vs, &currents) {
            let j = (((v_star - vs[0]) / step_mv).floor().max(0.0) as usize).min(n_v - 2);
            let f = ((v_star - vs[j]) / step_mv).clamp(0.0, 1.0);
            let mut x0: Vec<f64> = row[j]
                .1
                .iter()
                .zip(&row[j + 1].1)
                .map(|(a, b)| a + f * (b - a))
                .collect();
            x0[v_pos] = v_star;
            // Newton may wander off to another equilibrium; keep the crossing's.
            let x = rhs
                .newton(&x0, 30)
                .filter(|x| (x[v_pos] - v_star).abs() <= 2.0 * step_mv)
                .unwrap_or(x0);
            if found.iter().any(|e| (e.v_mv - x[v_pos]).abs() < 1e-6) {
                continue;
            }
            let eigen = eigenvalues(&rhs.jacobian(&x));
            found.push(Equilibrium {
                value,
                v_mv: x[v_pos],
                stability: stability_of(&eigen),
                eigen,
                state: x,
            });
        }
        out.extend(found);
    }
    Ok(out)
}

fn attractor(
    preset: &RunSpec,
    cfg: &BifurcationConfig,
    pi: usize,
    control: &Control,
) -> Result<Vec<AttractorPoint>, SweepError> {
    let model = &preset.model;
    let Some(vi) = model.membrane_var() else {
        return Err(SweepError::Usage(format!(
            "{} has no membrane potential",
            model.id()
        )));
    };
    let dt = preset.dt_ms;
    let n_steps = steps_for(cfg.run_ms, dt);
    let first_kept = steps_for(cfg.transient_ms, dt);
    let window_s = (n_steps - first_kept) as f64 * dt / 1000.0;
    let ranges = super::chunks(cfg.values.len(), cfg.threads);
    let out = run_chunks(&ranges, cfg.threads, |range| {
        let lanes = range.len();
        let mut e = engine_for(preset, model, lanes, range.start)?;
        for (lane, &x) in cfg.values[range.clone()].iter().enumerate() {
            e.set_param(pi, lane, x);
        }
        let mut lo = vec![f64::INFINITY; lanes];
        let mut hi = vec![f64::NEG_INFINITY; lanes];
        let mut spikes = vec![0usize; lanes];
        let mut pending = 0u64;
        for k in 0..n_steps {
            // The sample before step k is the state at t = k dt (a reset model's
            // pre-reset value when step k spikes).
            if k >= first_kept {
                for lane in 0..lanes {
                    let v = e.var(vi, lane);
                    lo[lane] = lo[lane].min(v);
                    hi[lane] = hi[lane].max(v);
                }
            }
            if e.step() > 0 && k >= first_kept {
                for (lane, s) in spikes.iter_mut().enumerate() {
                    *s += usize::from(e.spiked(lane));
                }
            }
            control.tick(&mut pending, lanes)?;
        }
        control.flush(&mut pending, lanes);
        Ok(cfg.values[range]
            .iter()
            .enumerate()
            .map(|(lane, &value)| AttractorPoint {
                value,
                v_min_mv: lo[lane],
                v_max_mv: hi[lane],
                rate_hz: spikes[lane] as f64 / window_s,
            })
            .collect::<Vec<_>>())
    })?;
    Ok(out.into_iter().flatten().collect())
}

/// The diagram as CSV: `<param>,kind,v_mv,stability,rate_hz`; one row per
/// equilibrium (`equilibrium`, `stable`/`unstable`, no rate), then per value a
/// `v_min` and a `v_max` row (no stability, the rate).
pub fn bifurcation_csv(b: &Bifurcation) -> String {
    let mut s = format!("{},kind,v_mv,stability,rate_hz\n", b.param);
    for e in &b.equilibria {
        cell(&mut s, Some(e.value));
        s.push_str(",equilibrium,");
        cell(&mut s, Some(e.v_mv));
        s.push_str(if e.stability.is_stable() {
            ",stable,\n"
        } else {
            ",unstable,\n"
        });
    }
    for a in &b.attractor {
        for (kind, v) in [("v_min", a.v_min_mv), ("v_max", a.v_max_mv)] {
            cell(&mut s, Some(a.value));
            s.push(',');
            s.push_str(kind);
            s.push(',');
            cell(&mut s, Some(v));
            s.push_str(",,");
            cell(&mut s, Some(a.rate_hz));
            s.push('\n');
        }
    }
    s
}
