//! The loss of a candidate against a reference, term by term: one row per protocol
//! × objective with both models' values, the error, the weight, the scale and the
//! contribution (weight × error / scale); the loss is the sum of the contributions.
//! Also the spike-train features the objectives compare, and Γ.
//!
//! # Γ (Kistler et al. 1997; Jolivet et al. 2008)
//! Over a counting window of length T: Γ = (N_coinc − 2νΔN_ref) / (½(N_ref + N_cand))
//! · 1 / (1 − 2νΔ), ν = N_cand / T the candidate's rate in the window, N_coinc the
//! reference spikes matched one-to-one (in time order) to a candidate spike within
//! ±Δ. Two independent Poisson trains give Γ ≈ 0, identical trains 1. Γ = 1 when
//! neither train has a spike in the window, 0 when exactly one has, or when
//! 1 − 2νΔ ≤ 0 (candidate above 1/(2Δ)).

use super::ap_objectives::{Side, shape_terms};
use super::features;
use super::fi::FiPoint;
use super::fitspec::{Feature, FitSpec, Objective, Term};
use super::protocols::Responses;

/// One term of the loss.
#[derive(Clone, Debug, PartialEq)]
pub struct TermRow {
    /// The protocol (and amplitude), e.g. `f-I`, `steps @ 4.21`.
    pub protocol: String,
    pub objective: String,
    /// Each model's value where one value describes it (a rate, a count, Γ…).
    pub reference: Option<f64>,
    pub candidate: Option<f64>,
    pub error: f64,
    pub weight: f64,
    pub scale: f64,
    pub contribution: f64,
    /// Why the term does not count (e.g. an AP peak of a reset model), if it
    /// does not; error and contribution are then 0.
    pub note: Option<String>,
}

/// The loss and its terms.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LossTable {
    pub rows: Vec<TermRow>,
    pub loss: f64,
}

impl LossTable {
    fn push(
        &mut self,
        protocol: String,
        objective: &str,
        values: (Option<f64>, Option<f64>),
        error: f64,
        term: Term,
    ) {
        let contribution = term.weight * error / term.scale;
        self.rows.push(TermRow {
            protocol,
            objective: objective.into(),
            reference: values.0,
            candidate: values.1,
            error,
            weight: term.weight,
            scale: term.scale,
            contribution,
            note: None,
        });
    }

    /// Adds a term comparing two values (error |a − b|).
    pub(crate) fn push_values(
        &mut self,
        protocol: &str,
        objective: &str,
        ab: (f64, f64),
        term: Term,
    ) {
        let e = (ab.0 - ab.1).abs();
        self.push(
            protocol.into(),
            objective,
            (Some(ab.0), Some(ab.1)),
            e,
            term,
        );
    }

    /// Adds a skipped term: error 0, with the reason shown beside it.
    pub(crate) fn push_note(&mut self, protocol: &str, objective: &str, term: Term, note: &str) {
        self.push(protocol.into(), objective, (None, None), 0.0, term);
        if let Some(r) = self.rows.last_mut() {
            r.note = Some(note.into());
        }
    }

    /// Adds a term whose models' values are not shown.
    pub(crate) fn push_term(
        &mut self,
        protocol: &str,
        objective: &str,
        error: f64,
        weight: f64,
        scale: f64,
    ) {
        self.push(
            protocol.into(),
            objective,
            (None, None),
            error,
            Term::new(weight, scale),
        );
    }

    /// The table with its loss summed.
    pub(crate) fn finished(self) -> Self {
        self.finish()
    }

    fn finish(mut self) -> Self {
        self.loss = self.rows.iter().map(|r| r.contribution).sum();
        if self.loss.is_nan() {
            self.loss = f64::INFINITY;
        }
        self
    }

    /// The contribution of the rows whose objective is `objective`, summed.
    pub fn sum_of(&self, objective: &str) -> f64 {
        self.rows
            .iter()
            .filter(|r| r.objective == objective)
            .map(|r| r.contribution)
            .sum()
    }

    /// The first row with this objective (the aggregate metrics of the f–I grid).
    pub fn error_of(&self, objective: &str) -> Option<f64> {
        self.rows
            .iter()
            .find(|r| r.objective == objective)
            .map(|r| r.error)
    }

    /// Mean Γ over the rows that report it.
    pub fn mean_gamma(&self) -> Option<f64> {
        let g: Vec<f64> = self
            .rows
            .iter()
            .filter(|r| r.objective == "gamma")
            .filter_map(|r| r.candidate)
            .collect();
        (!g.is_empty()).then(|| g.iter().sum::<f64>() / g.len() as f64)
    }

    /// The aggregate metrics, one per line (f–I RMSE, latency RMSE, mean Γ,
    /// rheobase difference, loss), for the terms the spec has.
    pub fn summary_lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(e) = self.error_of("rate RMSE (Hz)") {
            out.push(format!("f-I RMSE: {e:.2} Hz"));
        }
        if let Some(e) = self.error_of("latency RMSE (ms)") {
            out.push(format!("latency RMSE: {e:.2} ms"));
        }
        if let Some(g) = self.mean_gamma() {
            out.push(format!("gamma: {g:.3}"));
        }
        if let Some(e) = self.error_of("rheobase") {
            out.push(format!("rheobase difference: {e:.2}"));
        }
        out.push(format!("loss: {:.3}", self.loss));
        out
    }

    /// One line: the loss and its aggregate metrics.
    pub fn breakdown(&self) -> String {
        let lines = self.summary_lines();
        let metrics = &lines[..lines.len().saturating_sub(1)];
        format!("{:.4} ({})", self.loss, metrics.join(", "))
    }

    /// A fixed-width text table, as `compare` prints it.
    pub fn text(&self) -> String {
        let num = |x: Option<f64>| x.map_or("—".to_owned(), |v| format!("{v:.4}"));
        let mut s = format!(
            "{:<26} {:<24} {:>11} {:>11} {:>10} {:>7} {:>7} {:>10}\n",
            "protocol",
            "objective",
            "reference",
            "candidate",
            "error",
            "weight",
            "scale",
            "contrib."
        );
        for r in &self.rows {
            s.push_str(&format!(
                "{:<26} {:<24} {:>11} {:>11} {:>10.4} {:>7.3} {:>7.3} {:>10.4}",
                r.protocol,
                r.objective,
                num(r.reference),
                num(r.candidate),
                r.error,
                r.weight,
                r.scale,
                r.contribution
            ));
            if let Some(n) = &r.note {
                s.push_str(&format!("  ({n})"));
            }
            s.push('\n');
        }
        s.push_str(&format!("{:<26} {:<24} {:>72.4}\n", "loss", "", self.loss));
        s
    }
}

/// Γ of a candidate train against a reference train (times in ms, sorted), window
/// ±`delta_ms`, counting the spikes in [`from_ms`, `to_ms`).
pub fn gamma(reference: &[f64], candidate: &[f64], delta_ms: f64, from_ms: f64, to_ms: f64) -> f64 {
    let inside = |t: &&f64| **t >= from_ms && **t < to_ms;
    let r: Vec<f64> = reference.iter().filter(inside).copied().collect();
    let c: Vec<f64> = candidate.iter().filter(inside).copied().collect();
    let (nr, nc) = (r.len(), c.len());
    if nr == 0 && nc == 0 {
        return 1.0;
    }
    if nr == 0 || nc == 0 {
        return 0.0;
    }
    let (mut i, mut j, mut coinc) = (0, 0, 0usize);
    while i < nr && j < nc {
        let d = c[j] - r[i];
        if d.abs() <= delta_ms + 1e-9 {
            coinc += 1;
            i += 1;
            j += 1;
        } else if d < 0.0 {
            j += 1;
        } else {
            i += 1;
        }
    }
    if coinc == nr && nr == nc {
        // Every spike matched: Γ is exactly 1 (the formula's round-off aside).
        return 1.0;
    }
    let nu = nc as f64 / (to_ms - from_ms);
    let norm = 1.0 - 2.0 * nu * delta_ms;
    if norm <= 1e-12 {
        return 0.0;
    }
    let expected = 2.0 * nu * delta_ms * nr as f64;
    (coinc as f64 - expected) / (0.5 * (nr + nc) as f64) / norm
}

pub(crate) fn rms(xs: impl Iterator<Item = f64>) -> f64 {
    let (mut s, mut n) = (0.0, 0usize);
    for x in xs {
        s += x * x;
        n += 1;
    }
    if n == 0 { 0.0 } else { (s / n as f64).sqrt() }
}

/// A spike train's value of `feature` over [from, to) (ms); `None` where undefined.
pub fn train_feature(feature: Feature, spikes_ms: &[f64], from_ms: f64, to_ms: f64) -> Option<f64> {
    let t: Vec<f64> = spikes_ms
        .iter()
        .copied()
        .filter(|&x| x >= from_ms && x < to_ms)
        .collect();
    match feature {
        Feature::SpikeCount => Some(t.len() as f64),
        Feature::FirstSpike => Some(t.first().copied().unwrap_or(to_ms)),
        Feature::SecondSpike => Some(t.get(1).copied().unwrap_or(to_ms)),
        Feature::Rate => Some(t.len() as f64 * 1000.0 / (to_ms - from_ms)),
        // The ISI features of `super::features` (eFEL definitions); 0 where a train
        // is too short to define them (both silent trains then agree).
        Feature::IsiCv => Some(features::cv(&features::isis(&t)).unwrap_or(0.0)),
        Feature::AdaptationIndex => {
            Some(features::adaptation_index(&features::isis(&t)).unwrap_or(0.0))
        }
        Feature::MaxIsiRatio => {
            let mut isis = features::isis(&t);
            if isis.len() < 2 {
                return Some(1.0);
            }
            isis.sort_by(f64::total_cmp);
            Some(isis[isis.len() - 1] / isis[isis.len() / 2])
        }
        Feature::Gamma
        | Feature::SubthresholdV
        | Feature::ApPeak
        | Feature::ApHalfWidth
        | Feature::AhpDepth => None,
    }
}

/// The terms of one spike-train comparison (a step or a recording), each
/// objective's weight divided by `n` (the group's size, so errors are averaged).
pub(crate) fn train_terms(
    table: &mut LossTable,
    protocol: &str,
    objectives: &[Objective],
    trains: (&[f64], &[f64]),
    window: (f64, f64),
    delta_ms: f64,
    n: usize,
) {
    let (r, c) = trains;
    for o in objectives {
        let term = Term::new(o.weight / n as f64, o.scale);
        if o.feature == Feature::Gamma {
            let g = gamma(r, c, delta_ms, window.0, window.1);
            table.push(
                protocol.into(),
                "gamma",
                (Some(1.0), Some(g)),
                1.0 - g,
                term,
            );
        } else if let (Some(a), Some(b)) = (
            train_feature(o.feature, r, window.0, window.1),
            train_feature(o.feature, c, window.0, window.1),
        ) {
            table.push(
                protocol.into(),
                o.feature.label(),
                (Some(a), Some(b)),
                (a - b).abs(),
                term,
            );
        }
    }
}

fn fi_terms(table: &mut LossTable, spec: &FitSpec, reference: &Responses, cand: &Responses) {
    let Some(fi) = &spec.fi else { return };
    let f = spec.drive_factor.unwrap_or(1.0);
    let pairs = || reference.fi.iter().zip(&cand.fi);
    let mean = |pts: &[FiPoint]| {
        (!pts.is_empty()).then(|| pts.iter().map(|p| p.rate_hz).sum::<f64>() / pts.len() as f64)
    };
    if let Some(t) = fi.rate {
        let e = rms(pairs().map(|(a, b)| a.rate_hz - b.rate_hz));
        table.push(
            "f-I".into(),
            "rate RMSE (Hz)",
            (mean(&reference.fi), mean(&cand.fi)),
            e,
            t,
        );
    }
    if let Some(t) = fi.latency {
        let d = fi.duration_ms;
        let e = rms(pairs()
            .filter(|(a, b)| a.first_spike_ms.is_some() || b.first_spike_ms.is_some())
            .map(|(a, b)| a.first_spike_ms.unwrap_or(d) - b.first_spike_ms.unwrap_or(d)));
        table.push("f-I".into(), "latency RMSE (ms)", (None, None), e, t);
    }
    if let Some(t) = fi.rheobase {
        let silent = fi.values.last().copied().unwrap_or(0.0) + 1.0;
        let (a, b) = (
            reference.rheobase.unwrap_or(silent),
            cand.rheobase.map_or(silent, |x| x / f),
        );
        table.push(
            "f-I".into(),
            "rheobase",
            (Some(a), Some(b)),
            (a - b).abs(),
            t,
        );
    }
}

/// The loss table of `cand` against `reference`, both run under `spec`.
pub fn loss_table(spec: &FitSpec, reference: &Responses, cand: &Responses) -> LossTable {
    let mut table = LossTable::default();
    // A run that blew up has no meaningful spikes: marked, and the loss is infinite
    // (a fit discards the candidate; compare shows which protocol).
    for label in &cand.non_finite {
        table.push(
            label.clone(),
            "blew up (NaN or inf)",
            (None, None),
            f64::INFINITY,
            Term::new(1.0, 1.0),
        );
    }
    fi_terms(&mut table, spec, reference, cand);
    let f = spec.drive_factor.unwrap_or(1.0);
    for (g, (rs, cs)) in spec
        .steps
        .iter()
        .zip(reference.steps.iter().zip(&cand.steps))
    {
        let window = g.count_window_ms.unwrap_or((0.0, g.duration_ms));
        let n = rs.spikes_ms.len();
        for (i, ((amp, r), c)) in rs
            .amps
            .iter()
            .zip(&rs.spikes_ms)
            .zip(&cs.spikes_ms)
            .enumerate()
        {
            let label = format!("{} @ {}", g.name, round_label(*amp));
            train_terms(
                &mut table,
                &label,
                &g.objectives,
                (r, c),
                window,
                g.gamma_delta_ms,
                n,
            );
            let sides = (
                Side::of_step(rs, i, reference.reset_spike),
                Side::of_step(cs, i, cand.reset_spike),
            );
            shape_terms(&mut table, &label, &g.objectives, sides, n);
        }
    }
    if let Some(iv) = &spec.iv {
        let e = rms(reference
            .iv_steady
            .iter()
            .zip(&cand.iv_steady)
            .map(|(a, b)| a - b / f));
        let label = format!("I-V {}..{} mV", iv.from_mv, iv.to_mv);
        table.push(label, "steady current RMSE", (None, None), e, iv.term);
    }
    if let Some(rest) = &spec.rest
        && let (Some(a), Some(b)) = (reference.rest_mv, cand.rest_mv)
    {
        table.push(
            "rest".into(),
            "resting v (mV)",
            (Some(a), Some(b)),
            (a - b).abs(),
            rest.term,
        );
    }
    table.finish()
}

pub(crate) fn round_label(x: f64) -> String {
    let r = (x * 1000.0).round() / 1000.0;
    format!("{r}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gamma_edge_cases() {
        let a = [10.0, 50.0, 90.0];
        assert!((gamma(&a, &a, 2.0, 0.0, 100.0) - 1.0).abs() < 1e-12);
        assert_eq!(gamma(&[], &[], 2.0, 0.0, 100.0), 1.0);
        assert_eq!(gamma(&a, &[], 2.0, 0.0, 100.0), 0.0);
        let b = [11.0, 51.0, 91.0];
        assert!((gamma(&a, &b, 2.0, 0.0, 100.0) - 1.0).abs() < 1e-12);
        // Spikes outside the window do not count.
        assert!((gamma(&a, &[11.0, 51.0], 2.0, 0.0, 80.0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn features_of_a_train() {
        let t = [10.0, 20.0, 40.0, 70.0];
        assert_eq!(train_feature(Feature::SpikeCount, &t, 0.0, 50.0), Some(3.0));
        assert_eq!(
            train_feature(Feature::SecondSpike, &t, 15.0, 100.0),
            Some(40.0)
        );
        assert_eq!(
            train_feature(Feature::FirstSpike, &[], 0.0, 100.0),
            Some(100.0)
        );
        // ISIs 10, 20, 30: mean 20, sd sqrt(200/3).
        // ISIs 10, 20, 30, 40: eFEL's index from the second ISI on is the mean of
        // 10/50 and 10/70.
        let ai = train_feature(
            Feature::AdaptationIndex,
            &[0.0, 10.0, 30.0, 60.0, 100.0],
            0.0,
            200.0,
        );
        assert!((ai.unwrap() - (0.2 + 1.0 / 7.0) / 2.0).abs() < 1e-12);
        let cv = train_feature(Feature::IsiCv, &t, 0.0, 100.0).unwrap();
        assert!((cv - (200.0f64 / 3.0).sqrt() / 20.0).abs() < 1e-12);
    }
}
