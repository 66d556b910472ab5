//! Comparing and fitting a candidate neuron to a reference: the coincidence factor,
//! the metrics of identical models, the optimiser on a small problem, and the
//! `compare` / `fit` command lines.

use std::path::{Path, PathBuf};
use std::process::Command;

use neuron_explorer::analysis::Control;
use neuron_explorer::analysis::compare::{Protocol, compare, gamma};
use neuron_explorer::analysis::fit::{FitConfig, fit};
use neuron_explorer::io::preset::{ResolvedPreset, load_resolved};
use neuron_explorer::sim::rng::Mt19937;

fn preset_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("presets")
        .join(name)
}

fn bgm() -> ResolvedPreset {
    load_resolved(&preset_path("corbit_fsi_izhikevich_fit_bgm2022.ron"), None).unwrap()
}

fn poisson(rate_hz: f64, duration_ms: f64, rng: &mut Mt19937) -> Vec<f64> {
    let mut t = 0.0;
    let mut out = Vec::new();
    loop {
        t += -(1.0 - rng.canonical()).ln() * 1000.0 / rate_hz;
        if t >= duration_ms {
            return out;
        }
        out.push(t);
    }
}

#[test]
fn gamma_is_one_for_the_same_train_and_near_zero_for_independent_poisson_trains() {
    let mut rng = Mt19937::new(3);
    let t = 200_000.0;
    let a = poisson(20.0, t, &mut rng);
    assert!((gamma(&a, &a, 2.0, t) - 1.0).abs() < 1e-12);
    let mut gs = Vec::new();
    for _ in 0..5 {
        let b = poisson(20.0, t, &mut rng);
        gs.push(gamma(&a, &b, 2.0, t));
    }
    let mean = gs.iter().sum::<f64>() / gs.len() as f64;
    assert!(mean.abs() < 0.03, "{gs:?}");
    // A copy jittered by less than the window still coincides completely.
    let c: Vec<f64> = a.iter().map(|x| x + 1.5).collect();
    assert!((gamma(&a, &c, 2.0, t) - 1.0).abs() < 1e-2);
}

#[test]
fn identical_models_have_zero_errors_and_gamma_one() {
    let p = bgm();
    let c = compare(&p, &p, &Protocol::default(), 2, &Control::default()).unwrap();
    let m = c.metrics;
    assert_eq!(m.fi_rmse_hz, 0.0);
    assert_eq!(m.latency_rmse_ms, 0.0);
    assert_eq!(m.rheobase_diff, 0.0);
    assert_eq!(m.gamma, 1.0);
    assert_eq!(m.loss, 0.0);
    // The BGM set fires from I_app = 3 on the grid; the bisection refines it below.
    let r = c.reference.rheobase.unwrap();
    assert!(r > 2.0 && r <= 3.0, "{r}");
    assert_eq!(c.reference.step_amps.len(), 3);
    assert_eq!(c.reference.fi.len(), 21);
}

/// The BGM set as reference; the candidate has `a` and `b` perturbed.
fn perturbed() -> (ResolvedPreset, ResolvedPreset, usize, usize) {
    let reference = bgm();
    let mut cand = reference.clone();
    let m = &cand.model;
    let (ia, ib) = (m.param_index("a").unwrap(), m.param_index("b").unwrap());
    cand.parameters[ia] *= 1.4;
    cand.parameters[ib] += 0.3;
    (reference, cand, ia, ib)
}

#[test]
fn fit_recovers_a_and_b_and_is_reproducible() {
    let (reference, cand, ia, ib) = perturbed();
    let cfg = |threads| FitConfig {
        free: vec!["a".into(), "b".into()],
        evaluations: 120,
        seed: 5,
        population: Some(8),
        threads,
        protocol: Protocol::default(),
    };
    let r1 = fit(
        &reference,
        &cand,
        &cfg(2),
        &Control::default(),
        &mut |_, _| {},
    )
    .unwrap();
    assert!(r1.before.loss > 0.5, "{:?}", r1.before);
    assert!(
        r1.after.loss < 0.5 * r1.before.loss,
        "{:?} -> {:?}",
        r1.before,
        r1.after
    );
    let err = |p: &[f64]| {
        ((p[ia] - reference.parameters[ia]) / reference.parameters[ia]).abs()
            + (p[ib] - reference.parameters[ib]).abs()
    };
    assert!(err(&r1.parameters) < err(&cand.parameters));
    assert!(r1.evaluations <= 120);
    assert!(r1.history.windows(2).all(|w| w[1] <= w[0]));
    // Same seed, other thread count: the same result, bit for bit.
    let r2 = fit(
        &reference,
        &cand,
        &cfg(1),
        &Control::default(),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(r1.parameters, r2.parameters);
    assert_eq!(r1.after, r2.after);
    assert_eq!(r1.history, r2.history);
}

#[test]
fn fit_rejects_unknown_and_driven_parameters() {
    let (reference, cand, _, _) = perturbed();
    for free in ["nope", "I_app"] {
        let cfg = FitConfig {
            free: vec![free.into()],
            evaluations: 10,
            seed: 1,
            population: None,
            threads: 1,
            protocol: Protocol::default(),
        };
        let e = fit(&reference, &cand, &cfg, &Control::default(), &mut |_, _| {});
        assert!(e.is_err(), "{free}");
    }
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_neuron-explorer"))
}

fn value_of(text: &str, key: &str) -> f64 {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(key))
        .unwrap_or_else(|| panic!("no `{key}` in\n{text}"));
    line.trim_start()[key.len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn compare_cli_prints_one_metric_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let snippet = dir.path().join("cand.py");
    let out = bin()
        .args(["compare"])
        .arg(preset_path("hh_corbit_fsi_current_step.ron"))
        .arg(preset_path("corbit_fsi_izhikevich_fit_bgm2022.ron"))
        .arg("--snippet")
        .arg(&snippet)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(lines[0], "f-I RMSE: 6.98 Hz");
    assert!(
        lines[1].starts_with("latency RMSE: ") && lines[1].ends_with(" ms"),
        "{text}"
    );
    assert!(lines[2].starts_with("gamma: "), "{text}");
    assert!(lines[3].starts_with("rheobase difference: "), "{text}");
    assert!(lines[4].starts_with("loss: "), "{text}");
    let py = std::fs::read_to_string(&snippet).unwrap();
    assert!(py.contains("Izhikevich2007CorbitFsiNoisyAmpa(\n"), "{py}");
    for p in [
        "C=1.0,",
        "k=0.065839636773661,",
        "nonlin=2.05780715954647,",
        "v_peak=30.0,",
    ] {
        assert!(py.contains(p), "{p} missing:\n{py}");
    }
}

#[test]
fn fit_cli_prints_before_and_after_and_writes_a_loadable_preset() {
    let dir = tempfile::tempdir().unwrap();
    let out_ron = dir.path().join("fitted.ron");
    let snippet = dir.path().join("fitted.py");
    let out = bin()
        .args(["fit", "--reference"])
        .arg(preset_path("hh_corbit_fsi_current_step.ron"))
        .arg("--candidate")
        .arg(preset_path("corbit_fsi_izhikevich_fit_bgm2022.ron"))
        .args([
            "--free",
            "a,b,d",
            "--evaluations",
            "40",
            "--seed",
            "1",
            "--out",
        ])
        .arg(&out_ron)
        .arg("--snippet")
        .arg(&snippet)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let before = text.split("after").next().unwrap();
    let after = text.split("after").nth(1).unwrap();
    assert!(before.starts_with("before:\n"), "{text}");
    for key in [
        "f-I RMSE: ",
        "latency RMSE: ",
        "gamma: ",
        "rheobase difference: ",
        "loss: ",
    ] {
        value_of(before, key);
        value_of(after, key);
    }
    assert!(
        value_of(after, "loss: ") <= value_of(before, "loss: "),
        "{text}"
    );
    let fitted = load_resolved(&out_ron, None).unwrap();
    assert_eq!(fitted.model.id(), "Izhikevich2007CorbitFsiNoisyAmpa");
    let ron = std::fs::read_to_string(&out_ron).unwrap();
    assert!(
        ron.starts_with("// Izhikevich2007CorbitFsiNoisyAmpa fitted to HHneuronCorbit"),
        "{ron}"
    );
    assert!(
        ron.contains("// Loss before: ") && ron.contains("// Loss after: "),
        "{ron}"
    );
    // The events of the candidate preset are kept.
    assert_eq!(fitted.events.len(), 2);
    let py = std::fs::read_to_string(&snippet).unwrap();
    let a = fitted.parameters[fitted.model.param_index("a").unwrap()];
    assert!(py.contains(&format!("a={a:?},")), "{py}");
    // A bad free parameter is a usage error.
    let out = bin()
        .args(["fit", "--reference"])
        .arg(preset_path("hh_corbit_fsi_current_step.ron"))
        .arg("--candidate")
        .arg(preset_path("corbit_fsi_izhikevich_fit_bgm2022.ron"))
        .args(["--free", "zz", "--out"])
        .arg(&out_ron)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("zz"));
}
