//! Analyses built on the population engine: voltage-clamp I–V sweeps ([`clamp`]),
//! f–I curves ([`fi`]), firing features ([`features`]), the phase plane of two-variable models ([`phase`]), and
//! comparing and fitting a candidate model to a reference ([`compare`], [`fit`]).
//!
//! Sweeps run one lane per sweep point, in chunks of lanes spread over a rayon pool
//! of a chosen size (the GUI leaves a core to the live simulation). They report
//! progress through an atomic counter and stop early when asked to ([`Control`]).

pub mod ap_objectives;
pub mod bifurcation;
pub mod blockers;
pub mod clamp;
pub mod clamp_steps;
pub(crate) mod cmaes;
pub mod compare;
pub mod equilibrium;
pub mod features;
pub mod fi;
pub mod fit;
pub mod fitspec;
pub mod gallery;
pub mod map;
pub mod nelder_mead;
pub mod objectives;
pub mod phase;
pub mod protocols;
pub mod sensitivity;
pub mod terms;
pub mod trace_import;
pub mod trace_ref;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::sim::run::RunSpec;
use crate::sim::{Engine, EngineError};

/// Progress and cancellation shared between a sweep and whoever watches it.
#[derive(Clone, Debug, Default)]
pub struct Control {
    /// Set to stop the sweep; it returns [`SweepError::Cancelled`] soon after.
    pub cancel: Arc<AtomicBool>,
    /// Lane-steps done so far (compare with the sweep's total).
    pub done: Arc<AtomicU64>,
}

impl Control {
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    pub fn done(&self) -> u64 {
        self.done.load(Ordering::Relaxed)
    }

    fn add(&self, n: u64) {
        self.done.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts one step of `lanes` lanes; every 4096 steps publishes the progress and
    /// checks for cancellation (often enough to feel instant, rarely enough to cost
    /// nothing). Call [`Control::flush`] when the loop ends.
    fn tick(&self, pending: &mut u64, lanes: usize) -> Result<(), SweepError> {
        *pending += 1;
        if *pending == 4096 {
            self.flush(pending, lanes);
            if self.cancelled() {
                return Err(SweepError::Cancelled);
            }
        }
        Ok(())
    }

    fn flush(&self, pending: &mut u64, lanes: usize) {
        self.add(*pending * lanes as u64);
        *pending = 0;
    }
}

/// The index of parameter `name`, or a message listing the model's parameters.
pub fn require_param(model: &crate::model::CompiledModel, name: &str) -> Result<usize, SweepError> {
    model.param_index(name).ok_or_else(|| {
        let known: Vec<&str> = model
            .desc
            .parameters
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        SweepError::Usage(format!(
            "`{name}` is not a parameter of {} (parameters: {})",
            model.id(),
            known.join(", ")
        ))
    })
}

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error("{0}")]
    Usage(String),
    #[error("cancelled")]
    Cancelled,
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Model(#[from] crate::model::ModelError),
}

/// Threads for a sweep next to a live simulation: all cores but one (at least one).
pub fn background_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .saturating_sub(1)
        .max(1)
}

/// Threads for a headless sweep: every core.
pub fn all_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Splits `n` lanes into at most `threads` contiguous chunks of near-equal size.
pub(crate) fn chunks(n: usize, threads: usize) -> Vec<std::ops::Range<usize>> {
    let k = threads.clamp(1, n.max(1));
    let base = n / k;
    let extra = n % k;
    let mut out = Vec::with_capacity(k);
    let mut start = 0;
    for i in 0..k {
        let len = base + usize::from(i < extra);
        if len > 0 {
            out.push(start..start + len);
        }
        start += len;
    }
    out
}

/// Runs `f` on every chunk, in parallel on a pool of `threads` threads, keeping order.
pub(crate) fn run_chunks<T: Send>(
    ranges: &[std::ops::Range<usize>],
    threads: usize,
    f: impl Fn(std::ops::Range<usize>) -> Result<T, SweepError> + Sync,
) -> Result<Vec<T>, SweepError> {
    use rayon::prelude::*;
    if threads <= 1 || ranges.len() <= 1 {
        return ranges.iter().cloned().map(&f).collect();
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| SweepError::Usage(format!("cannot start worker threads: {e}")))?;
    pool.install(|| ranges.par_iter().cloned().map(&f).collect())
}

/// An engine of `lanes` lanes set up as [`crate::sim::session::Session::new`] does
/// for `preset`, but on `model` (which may be a derived model with extra variables:
/// parameters and initial values are matched by name). Lane `i` draws from the
/// random stream `preset.seed + first_lane + i`, so results do not depend on how
/// the lanes are split into chunks. Events and stimuli are not applied.
pub(crate) fn engine_for(
    preset: &RunSpec,
    model: &Arc<crate::model::CompiledModel>,
    lanes: usize,
    first_lane: usize,
) -> Result<Engine, SweepError> {
    Ok(preset.build_engine(model, lanes, first_lane as u32, |_| ())?)
}

/// Values from `from` to `to` (inclusive, within round-off) in steps of `step`.
pub fn range_by_step(from: f64, to: f64, step: f64) -> Result<Vec<f64>, String> {
    if !(from.is_finite() && to.is_finite() && step.is_finite()) {
        return Err("from, to and step must be finite numbers".into());
    }
    if step == 0.0 || (to - from) * step < 0.0 {
        return Err(format!("step {step} does not lead from {from} to {to}"));
    }
    let n = ((to - from) / step + 1e-9).floor() as usize + 1;
    if n > 100_000 {
        return Err(format!("{n} points are too many (at most 100000)"));
    }
    // from + k*step, rounded to 12 significant digits so -100 + 5k prints as -95.
    Ok((0..n).map(|k| round12(from + k as f64 * step)).collect())
}

/// `steps` evenly spaced values from `from` to `to` inclusive.
pub fn linspace(from: f64, to: f64, steps: usize) -> Result<Vec<f64>, String> {
    if !(from.is_finite() && to.is_finite()) {
        return Err("from and to must be finite numbers".into());
    }
    match steps {
        0 => Err("at least one step is needed".into()),
        1 => Ok(vec![from]),
        n if n > 100_000 => Err(format!("{n} points are too many (at most 100000)")),
        n => Ok((0..n)
            .map(|k| round12(from + (to - from) * k as f64 / (n - 1) as f64))
            .collect()),
    }
}

fn round12(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let digits = 12 - x.abs().log10().ceil() as i32;
    let scale = 10f64.powi(digits.clamp(-300, 300));
    let r = (x * scale).round() / scale;
    if r.is_finite() { r } else { x }
}

/// A CSV cell: the number, or empty when undefined.
pub(crate) fn cell(out: &mut String, v: Option<f64>) {
    if let Some(v) = v {
        crate::io::csv::fmt_num(v, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let r = range_by_step(-100.0, 20.0, 5.0).unwrap();
        assert_eq!(r.len(), 25);
        assert_eq!(r[1], -95.0);
        assert_eq!(*r.last().unwrap(), 20.0);
        let l = linspace(0.0, 20.0, 21).unwrap();
        assert_eq!(l[3], 3.0);
        assert_eq!(chunks(25, 2), vec![0..13, 13..25]);
        assert_eq!(chunks(1, 4), vec![0..1]);
        assert_eq!(range_by_step(0.0, 1.0, 0.1).unwrap().len(), 11);
        assert!(range_by_step(0.0, 1.0, -0.1).is_err());
    }
}
