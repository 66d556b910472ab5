//! AP peak, half-width and AHP depth as fit objectives on a real HH trace:
//! HHneuronCorbit held at I_app = 4 from t = 0 for 200 ms. The values in the loss
//! table equal the ones computed here, independently, from the recorded membrane
//! potential (definitions of `docs/features.md`); HH against itself costs nothing;
//! against the Izhikevich fit (a reset model) peak and half-width are skipped with
//! a note and the AHP depth is scored.

use std::path::Path;

use neuron_explorer::analysis::Control;
use neuron_explorer::analysis::compare::compare;
use neuron_explorer::analysis::fitspec::{Amp, Feature, FitSpec, Objective, StepProtocol};
use neuron_explorer::io::preset::load_resolved;
use neuron_explorer::sim::run::RunSpec;

const AMP: f64 = 4.0;
const DURATION_MS: f64 = 200.0;

fn preset(name: &str) -> RunSpec {
    load_resolved(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("presets")
            .join(name),
        None,
    )
    .unwrap()
}

fn spec() -> FitSpec {
    let mut spec = FitSpec::default_spec();
    spec.fi = None;
    spec.steps = vec![StepProtocol {
        name: "held".into(),
        amps: vec![Amp::Abs(AMP)],
        on_ms: 0.0,
        off_ms: None,
        duration_ms: DURATION_MS,
        count_window_ms: None,
        gamma_delta_ms: 2.0,
        objectives: [Feature::ApPeak, Feature::ApHalfWidth, Feature::AhpDepth]
            .map(|feature| Objective {
                feature,
                weight: 1.0,
                scale: 1.0,
            })
            .to_vec(),
    }];
    spec
}

/// v after every step (index k+1 at t = (k+1)·dt, index 0 the initial state) and
/// the spike steps, I_app held from t = 0.
fn trace(p: &RunSpec) -> (Vec<f64>, Vec<usize>) {
    let m = &p.model;
    let (iv, ii) = (m.var_index("v").unwrap(), m.param_index("I_app").unwrap());
    // The run's engine at rest: its initial state computed with the drive at 0.
    let mut e = p
        .build_engine(m, 1, 0, |e| e.set_param(ii, 0, 0.0))
        .unwrap();
    e.set_param(ii, 0, AMP);
    let n = (DURATION_MS / p.dt_ms).round() as usize;
    let (mut v, mut spikes) = (vec![e.var(iv, 0)], Vec::new());
    for k in 0..n {
        if e.step() > 0 && e.spiked(0) {
            spikes.push(k);
        }
        v.push(e.var(iv, 0));
    }
    (v, spikes)
}

/// Independent AP measurements: per spike, the peak is the highest sample in the
/// 5 ms from the spike (or to the next spike); the AP begins where, walking back
/// from the steepest sample of the upstroke, v first rises at < 10 mV/ms; the half-width is the time
/// v spends above the midpoint of begin and peak (linear interpolation); the AHP
/// is each trough between consecutive peaks minus the median v before the first
/// AP begins. Returns the means (peak, half-width, AHP depth).
fn measure(v: &[f64], spikes: &[usize], dt: f64) -> (f64, f64, f64) {
    let win = (5.0 / dt).round() as usize;
    let mut peaks = Vec::new();
    let (mut sum_peak, mut sum_hw, mut first_begin) = (0.0, 0.0, None);
    for (j, &s) in spikes.iter().enumerate() {
        let end = (s + win).min(spikes.get(j + 1).map_or(v.len() - 1, |&n| n));
        let p = (s..=end).max_by(|&a, &b| v[a].total_cmp(&v[b])).unwrap();
        let floor = peaks.last().map_or(0, |&q| q);
        let slope = |i: usize| (v[i] - v[i - 1]) / dt;
        let mut b = (floor + 1..=p)
            .max_by(|&x, &y| slope(x).total_cmp(&slope(y)))
            .unwrap();
        while b > floor && (v[b] - v[b - 1]) / dt >= 10.0 {
            b -= 1;
        }
        first_begin.get_or_insert(b);
        let half = 0.5 * (v[b] + v[p]);
        let up = (b..p).find(|&i| v[i + 1] >= half).unwrap();
        let down = (p..v.len() - 1).find(|&i| v[i + 1] < half).unwrap();
        let t_up = (up as f64 + (half - v[up]) / (v[up + 1] - v[up])) * dt;
        let t_down = (down as f64 + (half - v[down]) / (v[down + 1] - v[down])) * dt;
        sum_peak += v[p];
        sum_hw += t_down - t_up;
        peaks.push(p);
    }
    let mut base: Vec<f64> = v[..first_begin.unwrap()].to_vec();
    base.sort_by(f64::total_cmp);
    let rest = if base.len() % 2 == 1 {
        base[base.len() / 2]
    } else {
        0.5 * (base[base.len() / 2 - 1] + base[base.len() / 2])
    };
    let troughs: Vec<f64> = peaks
        .windows(2)
        .map(|w| v[w[0]..=w[1]].iter().copied().fold(f64::INFINITY, f64::min))
        .collect();
    let n = spikes.len() as f64;
    let ahp = troughs.iter().sum::<f64>() / troughs.len() as f64 - rest;
    (sum_peak / n, sum_hw / n, ahp)
}

#[test]
fn ap_objectives_on_a_real_hh_trace() {
    let hh = preset("hh_corbit_fsi_current_step.ron");
    let (v, spikes) = trace(&hh);
    assert!(spikes.len() >= 5, "{spikes:?}");
    let (peak, hw, ahp) = measure(&v, &spikes, hh.dt_ms);
    // A fast-spiking interneuron's narrow spike and an AHP below its pre-spike v.
    assert!(
        peak > 0.0 && hw > 0.1 && hw < 1.0 && ahp < 0.0,
        "{peak} {hw} {ahp}"
    );

    let c = compare(&hh, &hh, &spec(), 1, &Control::default()).unwrap();
    let rows = &c.table.rows;
    assert_eq!(rows.len(), 3, "{}", c.table.text());
    for (row, want) in rows.iter().zip([peak, hw, ahp]) {
        let got = row.reference.unwrap();
        assert!(
            (got - want).abs() < 1e-6,
            "{}: {got} vs {want}",
            row.objective
        );
        assert_eq!(row.contribution, 0.0);
    }

    let izh = preset("corbit_fsi_izhikevich_fitted.ron");
    let c = compare(&hh, &izh, &spec(), 1, &Control::default()).unwrap();
    let text = c.table.text();
    let rows = &c.table.rows;
    for row in &rows[..2] {
        assert_eq!(row.contribution, 0.0, "{text}");
        assert!(
            row.note.as_deref().unwrap_or("").contains("reset"),
            "{text}"
        );
        assert!(text.contains("the spike is a reset"), "{text}");
    }
    let ahp_row = &rows[2];
    assert_eq!(ahp_row.note, None, "{text}");
    assert!((ahp_row.reference.unwrap() - ahp).abs() < 1e-6, "{text}");
    assert!(ahp_row.contribution > 0.0, "{text}");
}
