//! Voltage clamp as physiology teaches it (issue 10, item 4): the clamp current is
//! outward positive, in the analysis result and in the CLI's CSV, and the step
//! protocol's tail currents behave as the gating kinetics say. Expected values are
//! computed here from the published equations of HHneuronCorbit (Corbit et al. 2016,
//! as in assets/models/HHneuronCorbit.neuron), with every gate at its steady state,
//! never from the code under test.

use std::process::Command;

use neuron_explorer::analysis::Control;
use neuron_explorer::analysis::clamp::{IvConfig, iv_sweep, outward};
use neuron_explorer::analysis::clamp_steps::{StepProtocol, step_protocol};
use neuron_explorer::io::preset::load_resolved;

const PRESET: &str = "presets/hh_corbit_fsi_current_step.ron";

fn sigmoid(th: f64, k: f64, v: f64) -> f64 {
    1.0 / (1.0 + ((th - v) / k).exp())
}

/// Σ I_ion at `v` with every gate at its steady state (µA/cm², outward positive):
/// leak, transient Na⁺ (m³h), Kv3 (n²) and Kv1 (m³h), default parameters.
fn steady_membrane_current(v: f64) -> f64 {
    let leak = 0.25 * (v + 70.0);
    let na = 112.5 * sigmoid(-24.0, 11.5, v).powi(3) * sigmoid(-58.3, -6.7, v) * (v - 50.0);
    let kv3 = 225.0 * sigmoid(-12.4, 6.8, v).powi(2) * (v + 90.0);
    let kv1 = 0.39 * sigmoid(-50.0, 20.0, v).powi(3) * sigmoid(-70.0, -6.0, v) * (v + 90.0);
    leak + na + kv3 + kv1
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_neuron-explorer"))
}

#[test]
fn hh_corbit_clamp_current_is_outward_positive_at_plus_20_and_inward_at_e_k() {
    let preset = load_resolved(PRESET.as_ref(), None).expect("preset");
    let cfg = IvConfig {
        v_holds: vec![-90.0, 20.0],
        // Ten times the slowest time constant (Kv1 inactivation, 150 ms) and more.
        hold_ms: 2000.0,
        instant_ms: 1.0,
        trace_every: 0,
        threads: 1,
    };
    let r = iv_sweep(&preset, &cfg, &Control::default()).expect("sweep");
    for p in &r.points {
        let got = outward(p.steady);
        let want = steady_membrane_current(p.v_hold);
        assert!(
            (got - want).abs() <= 1e-6 * want.abs().max(1.0),
            "v = {}: clamp current {got}, expected {want}",
            p.v_hold
        );
    }
    // +20 mV: the Kv3 K⁺ current (~24 mA/cm² = 24000 µA/cm²) dominates: outward.
    assert!(outward(r.points[1].steady) > 20_000.0, "{:?}", r.points[1]);
    // −90 mV = E_K: no K⁺ current; the leak (E_L = −70 mV) pulls inward: about −5.
    let at_ek = outward(r.points[0].steady);
    assert!(at_ek < 0.0 && (at_ek + 5.0).abs() < 0.01, "{at_ek}");
}

#[test]
fn the_cli_iv_csv_states_the_convention_and_has_outward_positive_currents() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |columns: &str| {
        let out = dir.path().join(format!("iv_{columns}.csv"));
        let status = bin()
            .args(["iv", PRESET, "--from", "-90", "--to", "20", "--step", "110"])
            .args(["--hold-ms", "2000", "--columns", columns, "--out"])
            .arg(&out)
            .output()
            .expect("run");
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        std::fs::read_to_string(&out).expect("csv")
    };
    let v2 = run("v2");
    let mut lines = v2.lines();
    assert_eq!(
        lines.next(),
        Some("v_hold,I_outward_first_step,I_outward_instant,I_outward_steady")
    );
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|x| x.parse().expect("number")).collect())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0][0], rows[1][0]), (-90.0, 20.0));
    assert!(rows[1][3] > 20_000.0, "+20 mV steady: {}", rows[1][3]);
    assert!(rows[0][3] < 0.0, "-90 mV steady: {}", rows[0][3]);
    // The former columns stay available, with the sign of C dv/dt.
    let v1 = run("v1");
    assert!(v1.starts_with("v_hold,I_inf_first_step,I_inf_instant,I_inf_steady\n"));
    let v1_steady: f64 = v1
        .lines()
        .nth(2)
        .and_then(|l| l.split(',').nth(3))
        .and_then(|x| x.parse().ok())
        .expect("v1 row");
    assert_eq!(v1_steady, -rows[1][3]);
}

#[test]
fn tail_currents_after_a_step_to_plus_20_decay_with_the_kv3_gate() {
    let preset = load_resolved(PRESET.as_ref(), None).expect("preset");
    let protocol = StepProtocol {
        v_hold_mv: -80.0,
        hold_ms: 200.0,
        v_tests_mv: vec![-80.0, 20.0],
        test_ms: 20.0,
        v_tail_mv: -50.0,
        tail_ms: 20.0,
        samples: 4000,
    };
    let r = step_protocol(&preset, &protocol, &Control::default()).expect("protocol");
    let at = |lane: usize, t: f64| {
        let k = r.t_ms.iter().position(|&x| x >= t).expect("sample");
        r.current[lane][k]
    };
    // End of the +20 mV test step: near the steady outward current there (the Kv1
    // inactivation, tau 150 ms, has barely started; Kv3 has settled, tau ~2.4 ms).
    let last_before = |lane: usize, t: f64| {
        let k = r.t_ms.iter().rposition(|&x| x <= t).expect("sample");
        r.current[lane][k]
    };
    let end_test = last_before(1, r.tail_start_ms);
    assert!(end_test > 20_000.0, "{end_test}");
    // First sample of the tail at −50 mV: the Kv3 gate is still open (n ≈ n∞(+20) =
    // 0.9915), so I_Kv3 ≈ 225 n² (−50 + 90) ≈ 8850 µA/cm², outward, plus leak (5) and
    // Kv1 (~10); Na⁺ is inactivated.
    let n = sigmoid(-12.4, 6.8, 20.0);
    let predicted = 225.0 * n * n * 40.0 + 0.25 * 20.0;
    let first_tail = at(1, r.tail_start_ms + 0.005);
    assert!(
        (first_tail - predicted).abs() < 0.05 * predicted,
        "tail starts at {first_tail}, expected about {predicted}"
    );
    // At −50 mV the Kv3 gate closes with tau ≈ 8.8 ms: after 20 ms n² < 2 % of its start.
    let last_tail = *r.current[1].last().expect("samples");
    assert!(
        last_tail > 0.0 && last_tail < 0.05 * first_tail,
        "{last_tail} vs {first_tail}"
    );
    // The step to the holding potential itself gives no tail: the current at −50 mV
    // after a −80 mV "step" is the small steady current there.
    assert!(at(0, r.tail_start_ms + 0.005).abs() < 100.0);
}

/// A holding potential whose run blew up is named on stderr and its row keeps the
/// potential with empty cells, as `fi` does for its lanes; the run still succeeds.
#[test]
fn the_cli_iv_names_blown_up_holding_potentials_and_leaves_their_cells_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("iv.csv");
    // Explicit Euler at dt = 2 ms is unstable for the fast gates when depolarised.
    let status = bin()
        .args(["iv", PRESET, "--dt-ms", "2", "--from", "-100", "--to", "20"])
        .args(["--step", "10", "--hold-ms", "2000", "--out"])
        .arg(&out)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(status.status.success(), "{stderr}");
    let csv = std::fs::read_to_string(&out).expect("csv");
    let blown: Vec<&str> = csv.lines().filter_map(|l| l.strip_suffix(",,,")).collect();
    assert!(blown.contains(&"20"), "{csv}");
    assert!(!blown.contains(&"-100"), "{csv}");
    for v in &blown {
        assert!(
            stderr.contains(&format!(
                "v_hold = {v} mV: a variable became NaN or infinite"
            )),
            "{stderr}"
        );
    }
    assert!(!csv.contains("NaN") && !csv.contains("inf"), "{csv}");
}
