//! Voltage clamp for any model with a membrane potential `v`.
//!
//! The clamped model is derived from the model description exactly as CompNeuroPy
//! writes its `*VoltageClamp` variants: the right-hand side of the `v` equation is
//! replaced by 0 (its factor, e.g. `C *`, is kept), and an assignment
//! `I_inf = <the original right-hand side>` is added after the block of ODEs that
//! contains `v` (so it sees the advanced gates, in ANNarchy's line order). `I_inf`
//! is the net membrane current at the clamped potential, the right-hand side of
//! `C dv/dt`, not divided by C. Spike rule and reset are kept (as in the variants),
//! so holding potentials at or above a reset model's spike threshold reset `v`.
//!
//! A model that already defines `I_inf` (the variants themselves) is used as is.
//!
//! **Sign convention.** `I_inf` has the sign of `C dv/dt`: outward K⁺ current is
//! negative in it. What is plotted and exported is the *clamp current* as
//! physiology teaches it, outward positive: `I_clamp = −I_inf = Σ I_ion − I_app`,
//! the membrane current the amplifier must supply to hold v (Hille, *Ion Channels
//! of Excitable Membranes*, 3rd ed., ch. 2: outward currents are positive). See
//! [`outward`] and the `I_outward_*` columns of [`iv_csv`].

use std::sync::Arc;

use super::{Control, SweepError, cell, chunks, engine_for, run_chunks};
use crate::model::ast::Expr;
use crate::model::file::{EqKind, EquationDesc};
use crate::model::{CompiledModel, compile};
use crate::sim::run::RunSpec;

/// Name of the clamp current variable.
pub const I_INF: &str = "I_inf";

/// The clamp current, outward positive, from `I_inf` (the right-hand side of
/// `C dv/dt`): `−I_inf`.
pub fn outward(i_inf: f64) -> f64 {
    // 0 − x rather than −x: no current prints as 0, not −0.
    0.0 - i_inf
}

/// Columns of the I–V table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IvColumns {
    /// Version 1 (before the outward convention): `I_inf_*`, the right-hand side
    /// of `C dv/dt` (outward current negative).
    V1,
    /// Version 2 (default): `I_outward_*`, the clamp current, outward positive.
    #[default]
    V2,
}

/// The voltage-clamped version of `model` (or `model` itself if it has `I_inf`).
pub fn clamp_model(model: &Arc<CompiledModel>) -> Result<Arc<CompiledModel>, SweepError> {
    if model.var_index(I_INF).is_some() && model.membrane_var().is_some() {
        return Ok(Arc::clone(model));
    }
    let mut desc = model.desc.clone();
    let membrane = model.membrane().map(|(name, _)| name);
    let Some(iv) = desc
        .equations
        .iter()
        .position(|e| Some(e.var.as_str()) == membrane && matches!(e.kind, EqKind::Ode { .. }))
    else {
        return Err(SweepError::Usage(format!(
            "{} has no membrane potential defined by an ODE; the voltage clamp needs one \
             (declare it with `membrane = NAME` in the model file's [roles])",
            model.id()
        )));
    };
    let eq = &mut desc.equations[iv];
    let rhs = std::mem::replace(&mut eq.rhs, Expr::Num(0.0));
    let rhs_text = eq
        .text
        .split_once('=')
        .map_or("", |(_, r)| r.trim())
        .to_owned();
    let lhs = eq
        .text
        .split_once('=')
        .map_or("dv/dt", |(l, _)| l.trim())
        .to_owned();
    eq.text = format!("{lhs} = 0");
    eq.description = "Membrane potential, held fixed (voltage clamp).".into();
    let span = eq.span;
    // The end of the run of consecutive ODEs that holds v (one ANNarchy block).
    let mut end = iv;
    while desc
        .equations
        .get(end + 1)
        .is_some_and(|e| matches!(e.kind, EqKind::Ode { .. }))
    {
        end += 1;
    }
    let unit = model
        .drive()
        .map(|(_, unit)| unit.to_owned())
        .unwrap_or_default();
    desc.equations.insert(
        end + 1,
        EquationDesc {
            var: I_INF.into(),
            kind: EqKind::Assign,
            rhs,
            init: None,
            unit,
            description:
                "Net membrane current at the clamped potential (the clamp injects minus this)."
                    .into(),
            text: format!("{I_INF} = {rhs_text}"),
            span,
        },
    );
    desc.id = format!("{}+clamp", model.id());
    desc.name = format!("{} (voltage clamp)", desc.name);
    Ok(Arc::new(compile(desc)?))
}

/// What to sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct IvConfig {
    /// Holding potentials (mV), one lane each.
    pub v_holds: Vec<f64>,
    pub hold_ms: f64,
    /// When the "instantaneous" current is read.
    pub instant_ms: f64,
    /// Record a trace every this many steps (0: no traces).
    pub trace_every: usize,
    /// Rayon threads (lanes are split into this many chunks).
    pub threads: usize,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IvPoint {
    pub v_hold: f64,
    /// I_inf after the first step.
    pub first_step: f64,
    /// I_inf after round(instant_ms / dt) steps.
    pub instant: f64,
    /// I_inf after round(hold_ms / dt) steps.
    pub steady: f64,
    /// I_inf after 90 % of the hold: if it differs from `steady`, the hold was too
    /// short to be steady (see [`not_steady_fraction`]).
    pub late: f64,
}

impl IvPoint {
    /// A variable of this lane became NaN or infinite (dt too large for the clamp's
    /// fastest gate): its currents are no measurement. Marked, not guessed, as the
    /// f–I sweep marks its lanes.
    pub fn blew_up(&self) -> bool {
        [self.first_step, self.instant, self.steady, self.late]
            .iter()
            .any(|x| !x.is_finite())
    }
}

/// The holding potentials whose lane blew up (see [`IvPoint::blew_up`]).
pub fn blown_up_holds(points: &[IvPoint]) -> Vec<f64> {
    points
        .iter()
        .filter(|p| p.blew_up())
        .map(|p| p.v_hold)
        .collect()
}

/// Clamp current traces: per holding potential, per recorded variable, the values.
#[derive(Clone, Debug, Default)]
pub struct IvTraces {
    /// Recorded variables: `I_inf` first, then every assigned variable named `I_*`
    /// (the ionic currents of HH models).
    pub names: Vec<String>,
    pub t_ms: Vec<f64>,
    /// `values[point][var][sample]`.
    pub values: Vec<Vec<Vec<f64>>>,
}

#[derive(Clone, Debug, Default)]
pub struct IvResult {
    pub points: Vec<IvPoint>,
    pub traces: IvTraces,
    pub dt_ms: f64,
    /// How long each potential was held (ms).
    pub hold_ms: f64,
    pub model_id: String,
}

/// Steps of the hold and of the instantaneous read-out.
pub fn iv_steps(cfg: &IvConfig, dt_ms: f64) -> (u64, u64) {
    let hold = ((cfg.hold_ms / dt_ms).round().max(1.0)) as u64;
    let instant = ((cfg.instant_ms / dt_ms).round().max(1.0) as u64).min(hold);
    (hold, instant)
}

/// Total lane-steps of a sweep (for progress bars).
pub fn iv_total(cfg: &IvConfig, dt_ms: f64) -> u64 {
    iv_steps(cfg, dt_ms).0 * cfg.v_holds.len() as u64
}

/// Runs the I–V sweep of `preset`'s model, parameters and initial state (events and
/// stimuli are not applied: the clamp holds the preset's parameter values).
pub fn iv_sweep(
    preset: &RunSpec,
    cfg: &IvConfig,
    control: &Control,
) -> Result<IvResult, SweepError> {
    if !(cfg.hold_ms.is_finite() && cfg.hold_ms > 0.0) {
        return Err(SweepError::Usage(format!(
            "the hold must be > 0 ms, got {}",
            cfg.hold_ms
        )));
    }
    if !(cfg.instant_ms.is_finite() && cfg.instant_ms >= 0.0) {
        return Err(SweepError::Usage(format!(
            "the instantaneous time must be >= 0 ms, got {}",
            cfg.instant_ms
        )));
    }
    if cfg.v_holds.is_empty() {
        return Err(SweepError::Usage("no holding potential to sweep".into()));
    }
    let model = clamp_model(&preset.model)?;
    let v = model
        .membrane_var()
        .ok_or_else(|| SweepError::Usage("no membrane potential".into()))?;
    let i_inf = model
        .var_index(I_INF)
        .ok_or_else(|| SweepError::Usage("no I_inf".into()))?;
    let mut rec = vec![i_inf];
    rec.extend(model.vars.iter().enumerate().filter_map(|(k, var)| {
        (k != i_inf
            && var.kind == crate::model::VarKind::Assigned
            && var.name.starts_with("I_")
            && var.name != "I_v")
            .then_some(k)
    }));
    let dt = preset.dt_ms;
    let (n_hold, n_instant) = iv_steps(cfg, dt);
    let n_late = (n_hold * 9 / 10).max(1);
    let ranges = chunks(cfg.v_holds.len(), cfg.threads);
    type Chunk = (Vec<IvPoint>, Vec<Vec<Vec<f64>>>);
    let results: Vec<Chunk> = run_chunks(&ranges, cfg.threads, |range| {
        let lanes = range.len();
        let mut e = engine_for(preset, &model, lanes, range.start)?;
        for (lane, &vh) in cfg.v_holds[range.clone()].iter().enumerate() {
            e.set_var(v, lane, vh);
        }
        let mut pts: Vec<IvPoint> = cfg.v_holds[range.clone()]
            .iter()
            .map(|&v_hold| IvPoint {
                v_hold,
                first_step: f64::NAN,
                instant: f64::NAN,
                steady: f64::NAN,
                late: f64::NAN,
            })
            .collect();
        let mut traces: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); rec.len()]; lanes];
        let record = |e: &crate::sim::Engine, traces: &mut Vec<Vec<Vec<f64>>>| {
            for (lane, t) in traces.iter_mut().enumerate() {
                for (j, &var) in rec.iter().enumerate() {
                    t[j].push(e.var(var, lane));
                }
            }
        };
        if cfg.trace_every > 0 {
            record(&e, &mut traces);
        }
        let mut pending = 0u64;
        for k in 1..=n_hold {
            e.step();
            if k == 1 {
                for (lane, p) in pts.iter_mut().enumerate() {
                    p.first_step = e.var(i_inf, lane);
                }
            }
            if k == n_late {
                for (lane, p) in pts.iter_mut().enumerate() {
                    p.late = e.var(i_inf, lane);
                }
            }
            if k == n_instant {
                for (lane, p) in pts.iter_mut().enumerate() {
                    p.instant = e.var(i_inf, lane);
                }
            }
            if cfg.trace_every > 0 && k % cfg.trace_every as u64 == 0 {
                record(&e, &mut traces);
            }
            control.tick(&mut pending, lanes)?;
        }
        control.flush(&mut pending, lanes);
        for (lane, p) in pts.iter_mut().enumerate() {
            p.steady = e.var(i_inf, lane);
        }
        Ok((pts, traces))
    })?;
    let mut out = IvResult {
        dt_ms: dt,
        hold_ms: cfg.hold_ms,
        model_id: preset.model.id().to_owned(),
        ..IvResult::default()
    };
    out.traces.names = rec.iter().map(|&k| model.vars[k].name.clone()).collect();
    if cfg.trace_every > 0 {
        out.traces.t_ms = (0..=n_hold / cfg.trace_every as u64)
            .map(|j| (j * cfg.trace_every as u64) as f64 * dt)
            .collect();
    }
    for (pts, traces) in results {
        out.points.extend(pts);
        if cfg.trace_every > 0 {
            out.traces.values.extend(traces);
        }
    }
    Ok(out)
}

/// The I–V table as CSV. V2: `v_hold,I_outward_first_step,I_outward_instant,
/// I_outward_steady` (clamp current, outward positive); V1: the same values as
/// `I_inf_*` with the sign of `C dv/dt`.
pub fn iv_csv(points: &[IvPoint], columns: IvColumns) -> String {
    let (header, convert): (&str, fn(f64) -> f64) = match columns {
        IvColumns::V1 => (
            "v_hold,I_inf_first_step,I_inf_instant,I_inf_steady\n",
            |x| x,
        ),
        IvColumns::V2 => (
            "v_hold,I_outward_first_step,I_outward_instant,I_outward_steady\n",
            outward,
        ),
    };
    let mut s = String::from(header);
    for p in points {
        cell(&mut s, Some(p.v_hold));
        if p.blew_up() {
            // As `fi`: a blown-up lane's row keeps its potential and no currents.
            s.push_str(",,,\n");
            continue;
        }
        for x in [p.first_step, p.instant, p.steady] {
            s.push(',');
            cell(&mut s, Some(convert(x)));
        }
        s.push('\n');
    }
    s
}

/// How far the end-of-hold currents still moved over the hold's last 10 %, as a
/// fraction of the steady curve's range (0: steady). Above ~0.01 the curve is not a
/// steady state and should be labelled with its hold time.
pub fn not_steady_fraction(points: &[IvPoint]) -> f64 {
    let finite = |x: &f64| x.is_finite();
    let range = points.iter().map(|p| p.steady).filter(finite);
    let (lo, hi) = range.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    let drift = points
        .iter()
        .map(|p| (p.steady - p.late).abs())
        .filter(finite)
        .fold(0.0, f64::max);
    if hi > lo { drift / (hi - lo) } else { 0.0 }
}

/// Where a sampled curve crosses zero, by linear interpolation, with the sign of
/// the slope (`+1`: the current turns outward with depolarisation).
pub fn zero_crossings(xs: &[f64], ys: &[f64]) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    for k in 0..xs.len().min(ys.len()) {
        let (x0, y0) = (xs[k], ys[k]);
        if !y0.is_finite() {
            continue;
        }
        if y0 == 0.0 {
            let slope = if k + 1 < ys.len() {
                ys[k + 1] - y0
            } else {
                y0 - ys[k.saturating_sub(1)]
            };
            out.push((x0, slope.signum()));
            continue;
        }
        if let (Some(&x1), Some(&y1)) = (xs.get(k + 1), ys.get(k + 1))
            && y1.is_finite()
            && y1 != 0.0
            && (y0 < 0.0) != (y1 < 0.0)
        {
            out.push((x0 - y0 * (x1 - x0) / (y1 - y0), (y1 - y0).signum()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blown_up_row_keeps_its_potential_and_no_currents() {
        let p = |v_hold: f64, x: f64| IvPoint {
            v_hold,
            first_step: 1.0,
            instant: 1.0,
            steady: x,
            late: x,
        };
        let points = [p(-80.0, 2.0), p(0.0, f64::NAN), p(10.0, f64::NEG_INFINITY)];
        assert_eq!(blown_up_holds(&points), [0.0, 10.0]);
        let csv = iv_csv(&points, IvColumns::V1);
        assert_eq!(
            csv,
            "v_hold,I_inf_first_step,I_inf_instant,I_inf_steady\n-80,1,1,2\n0,,,\n10,,,\n"
        );
    }
}
