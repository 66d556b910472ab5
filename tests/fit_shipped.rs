//! The shipped Corbit-FSI fit (`presets/corbit_fsi_izhikevich_fitted.ron`, fitted
//! with the `fsi` spec) keeps HHneuronCorbit's near-threshold behaviour, with
//! I_app held from t = 0 for 1 s and the numbers used as they are (C = 1
//! candidate): at 3.22 and 3.3 the HH cell fires once, pauses, then fires tonically
//! from ~574 and ~442 ms, and the fit's second spike falls within 20 % of the HH
//! cell's; at 3.5 and 4.0 both fire tonically from the start (no ISI longer than
//! twice the median); the f–I RMSE stays at most 2 Hz.

use std::path::Path;

use neuron_explorer::analysis::Control;
use neuron_explorer::analysis::compare::compare;
use neuron_explorer::analysis::fitspec::{Amp, FitSpec, StepProtocol};
use neuron_explorer::analysis::protocols::Runner;
use neuron_explorer::io::preset::load_resolved;
use neuron_explorer::sim::run::RunSpec;

fn preset(name: &str) -> RunSpec {
    load_resolved(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("presets")
            .join(name),
        None,
    )
    .unwrap()
}

const AMPS: [f64; 4] = [3.22, 3.3, 3.5, 4.0];

/// Spike times (ms) at each of [`AMPS`], held from t = 0 for 1 s.
fn held_trains(p: &RunSpec) -> Vec<Vec<f64>> {
    let mut spec = FitSpec::default_spec();
    spec.fi = None;
    spec.steps = vec![StepProtocol {
        name: "held".into(),
        amps: AMPS.iter().map(|&a| Amp::Abs(a)).collect(),
        on_ms: 0.0,
        off_ms: None,
        duration_ms: 1000.0,
        count_window_ms: None,
        gamma_delta_ms: 2.0,
        objectives: Vec::new(),
    }];
    let control = Control::default();
    let runner = Runner::new(p, &spec, 1.0, 2, &control).unwrap();
    runner.responses(None).unwrap().steps.remove(0).spikes_ms
}

fn isis(t: &[f64]) -> Vec<f64> {
    t.windows(2).map(|w| w[1] - w[0]).collect()
}

fn tonic_from_the_start(t: &[f64]) -> bool {
    let mut i = isis(t);
    if i.len() < 3 {
        return false;
    }
    let max = i.iter().copied().fold(0.0, f64::max);
    i.sort_by(f64::total_cmp);
    max <= 2.0 * i[i.len() / 2]
}

#[test]
fn the_shipped_fit_keeps_the_hh_cells_near_threshold_pause() {
    let hh = held_trains(&preset("hh_corbit_fsi_current_step.ron"));
    let fit = held_trains(&preset("corbit_fsi_izhikevich_fitted.ron"));
    // The HH cell as the issue describes it: one spike, a pause, tonic firing
    // from ~574 ms (3.22) and ~442 ms (3.3).
    for (k, expected_ms) in [(0, 574.0), (1, 442.0)] {
        let second = hh[k][1];
        assert!(hh[k][0] < 50.0, "HH at {}: first {}", AMPS[k], hh[k][0]);
        assert!(
            (second - expected_ms).abs() < 10.0,
            "HH at {}: second {second}",
            AMPS[k]
        );
        let fit_second = *fit[k].get(1).unwrap_or(&f64::INFINITY);
        assert!(
            fit[k][0] < 100.0,
            "fit at {}: first {:?}",
            AMPS[k],
            fit[k].first()
        );
        assert!(
            (fit_second - second).abs() <= 0.2 * second,
            "fit at {}: second spike {fit_second} ms, HH {second} ms",
            AMPS[k]
        );
    }
    for k in [2, 3] {
        assert!(
            tonic_from_the_start(&hh[k]),
            "HH at {}: {:?}",
            AMPS[k],
            isis(&hh[k])
        );
        assert!(
            tonic_from_the_start(&fit[k]),
            "fit at {}: {:?}",
            AMPS[k],
            isis(&fit[k])
        );
    }
    // The f–I curve (default spec: 0..20, 600 ms, rate from 100 ms).
    let c = compare(
        &preset("hh_corbit_fsi_current_step.ron"),
        &preset("corbit_fsi_izhikevich_fitted.ron"),
        &FitSpec::default_spec(),
        2,
        &Control::default(),
    )
    .unwrap();
    let rmse = c.table.error_of("rate RMSE (Hz)").unwrap();
    assert!(rmse <= 2.0, "f-I RMSE {rmse} Hz");
}

/// The shipped fit says how to reproduce it — one `fit` command naming the spec
/// and the seed (`scripts/refit_corbit_fsi.sh` runs it; ~9 min, too long for a
/// test) — and `compare` of the shipped values under that spec gives the loss the
/// fit recorded in the header.
#[test]
fn the_shipped_fit_names_its_command_and_reproduces_its_recorded_loss() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("presets/corbit_fsi_izhikevich_fitted.ron");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("scripts/refit_corbit_fsi.sh"));
    let command = text
        .lines()
        .find(|l| l.starts_with("// neuron-explorer fit "))
        .expect("the fit command in the header");
    for arg in [
        "--spec fsi",
        "--seed 1",
        "--candidate presets/corbit_fsi_izhikevich_fit_bgm2022.ron",
    ] {
        assert!(command.contains(arg), "{command}");
    }
    let script = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/refit_corbit_fsi.sh"),
    )
    .unwrap();
    assert!(script.contains("fit --spec fsi") && script.contains("--seed 1"));
    let recorded: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("// Loss after:"))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|x| x.parse().ok())
        .expect("the recorded loss");
    let c = compare(
        &preset("hh_corbit_fsi_current_step.ron"),
        &preset("corbit_fsi_izhikevich_fitted.ron"),
        &FitSpec::fsi_spec(),
        2,
        &Control::default(),
    )
    .unwrap();
    // The header prints 4 decimals.
    assert!(
        (c.table.loss - recorded).abs() <= 5e-5,
        "compare: {}, recorded: {recorded}",
        c.table.loss
    );
}
