//! Action-potential shape objectives of a fit: AP peak, AP half-width and AHP
//! depth, measured on a run's voltage trace with the definitions of
//! `docs/features.md` (`super::features`, eFEL-based), and their terms in the loss
//! table.
//!
//! Where a shape is undefined the term is skipped — a row with error 0 and a note
//! saying why — rather than scored on garbage:
//! * AP peak and half-width when either model's spike is a reset of v (Izhikevich:
//!   the reset runs in the step that crosses v_peak, so the trace never holds the
//!   peak and the falling phase is the reset's jump);
//! * any shape when a model has no spike in the window (AHP: fewer than two, or
//!   less than 5 ms of baseline before the first AP to measure the rest from). The
//!   spike-count and timing objectives score that difference.

use super::features;
use super::fitspec::{Feature, Objective, Term};
use super::objectives::LossTable;
use super::protocols::StepResponse;

/// The AP-shape features of one run over a window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ApShape {
    pub peak_mv: Option<f64>,
    pub half_width_ms: Option<f64>,
    pub ahp_depth_mv: Option<f64>,
}

impl ApShape {
    /// The shape of the trace (`t_ms`, `v_mv`, labelled as the trace CSV is) with
    /// spike times `spikes_ms` over `[from_ms, to_ms)`.
    pub fn of_trace(t_ms: &[f64], v_mv: &[f64], spikes_ms: &[f64], window: (f64, f64)) -> Self {
        let f = features::features(t_ms, v_mv, spikes_ms, window.0, window.1);
        Self {
            peak_mv: f.ap_peak_mv,
            half_width_ms: f.ap_half_width_ms,
            ahp_depth_mv: f.ahp_depth_mv,
        }
    }

    fn get(&self, feature: Feature) -> Option<f64> {
        match feature {
            Feature::ApPeak => self.peak_mv,
            Feature::ApHalfWidth => self.half_width_ms,
            Feature::AhpDepth => self.ahp_depth_mv,
            _ => None,
        }
    }
}

/// One side of a shape comparison: the run's shape (if recorded) and whether the
/// model's spike resets v.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    pub shape: Option<&'a ApShape>,
    pub reset_spike: bool,
}

impl<'a> Side<'a> {
    /// Run `i` of a step group.
    pub fn of_step(group: &'a StepResponse, i: usize, reset_spike: bool) -> Self {
        Self {
            shape: group.shapes.get(i).and_then(Option::as_ref),
            reset_spike,
        }
    }
}

/// Why a shape term is skipped, if it is.
fn skip_reason(feature: Feature, r: Side, c: Side) -> Option<&'static str> {
    let peak_like = matches!(feature, Feature::ApPeak | Feature::ApHalfWidth);
    if peak_like && (r.reset_spike || c.reset_spike) {
        return Some("skipped: the spike is a reset of v (no peak in the trace)");
    }
    let rv = r.shape.and_then(|s| s.get(feature));
    let cv = c.shape.and_then(|s| s.get(feature));
    match (rv, cv) {
        (Some(_), Some(_)) => None,
        (None, None) => Some("skipped: undefined for both (too few spikes)"),
        (None, Some(_)) => Some("skipped: undefined for the reference (too few spikes)"),
        (Some(_), None) => Some("skipped: undefined for the candidate (too few spikes)"),
    }
}

/// The AP-shape terms of one run pair, each objective's weight divided by `n` (the
/// group's size, so errors are averaged as the spike-train terms are).
pub(crate) fn shape_terms(
    table: &mut LossTable,
    protocol: &str,
    objectives: &[Objective],
    sides: (Side, Side),
    n: usize,
) {
    let (r, c) = sides;
    for o in objectives.iter().filter(|o| o.feature.is_ap_shape()) {
        let term = Term::new(o.weight / n.max(1) as f64, o.scale);
        let label = o.feature.label();
        if let Some(why) = skip_reason(o.feature, r, c) {
            table.push_note(protocol, label, term, why);
            continue;
        }
        let a = r.shape.and_then(|s| s.get(o.feature)).unwrap_or(0.0);
        let b = c.shape.and_then(|s| s.get(o.feature)).unwrap_or(0.0);
        table.push_values(protocol, label, (a, b), term);
    }
}

#[cfg(test)]
#[path = "ap_objectives_tests.rs"]
mod tests;
