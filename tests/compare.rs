//! Comparing and fitting a candidate neuron to a reference: the coincidence factor,
//! the metrics of identical models, the optimiser on a small problem, and the
//! `compare` / `fit` command lines.

use std::path::{Path, PathBuf};
use std::process::Command;

use neuron_explorer::analysis::Control;
use neuron_explorer::analysis::compare::compare;
use neuron_explorer::analysis::fit::{Target, fit};
use neuron_explorer::analysis::fitspec::{FitSpec, FreeParam};
use neuron_explorer::analysis::objectives::gamma;
use neuron_explorer::io::preset::load_resolved;
use neuron_explorer::sim::rng::Mt19937;
use neuron_explorer::sim::run::RunSpec;

fn preset_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("presets")
        .join(name)
}

fn bgm() -> RunSpec {
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
    assert!((gamma(&a, &a, 2.0, 0.0, t) - 1.0).abs() < 1e-12);
    let mut gs = Vec::new();
    for _ in 0..5 {
        let b = poisson(20.0, t, &mut rng);
        gs.push(gamma(&a, &b, 2.0, 0.0, t));
    }
    let mean = gs.iter().sum::<f64>() / gs.len() as f64;
    assert!(mean.abs() < 0.03, "{gs:?}");
    // A copy jittered by less than the window still coincides completely.
    let c: Vec<f64> = a.iter().map(|x| x + 1.5).collect();
    assert!((gamma(&a, &c, 2.0, 0.0, t) - 1.0).abs() < 1e-2);
}

/// Trains that fire only during a step (here 20 Hz in [100, 500) ms of 600 ms runs,
/// many runs): counted over the step, chance is ~0; counted over the whole run, the
/// chance rate is underestimated by a third and Γ of independent trains is biased
/// up by about a third of 2νΔ (0.08), i.e. ~0.027.
#[test]
fn gamma_over_the_counting_window_has_chance_zero() {
    let mut rng = Mt19937::new(11);
    let (mut step, mut run) = (Vec::new(), Vec::new());
    for _ in 0..2000 {
        let shift = |v: Vec<f64>| v.into_iter().map(|t| t + 100.0).collect::<Vec<_>>();
        let a = shift(poisson(20.0, 400.0, &mut rng));
        let b = shift(poisson(20.0, 400.0, &mut rng));
        if a.is_empty() || b.is_empty() {
            continue;
        }
        step.push(gamma(&a, &b, 2.0, 100.0, 500.0));
        run.push(gamma(&a, &b, 2.0, 0.0, 600.0));
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (s, r) = (mean(&step), mean(&run));
    assert!(s.abs() < 0.015, "step window: {s}, run: {r}");
    assert!(r - s > 0.015, "step window: {s}, run: {r}");
}

#[test]
fn identical_models_have_zero_errors_and_gamma_one() {
    let p = bgm();
    for spec in [FitSpec::default_spec(), FitSpec::fsi_spec()] {
        let c = compare(&p, &p, &spec, 2, &Control::default()).unwrap();
        assert_eq!(c.table.loss, 0.0, "{}", c.table.text());
        assert!(c.table.rows.iter().all(|r| r.error == 0.0));
        assert_eq!(c.table.mean_gamma(), Some(1.0));
        let r = c.reference.rheobase.unwrap();
        assert!(r > 2.0 && r <= 3.0, "{r}");
    }
}

/// The default spec gives the numbers the README reports for the BGM-2022 set
/// (the loss neuron-explorer has always computed).
#[test]
fn the_default_spec_reproduces_the_readme_loss_of_the_bgm_set() {
    let hh = load_resolved(&preset_path("hh_corbit_fsi_current_step.ron"), None).unwrap();
    let c = compare(
        &hh,
        &bgm(),
        &FitSpec::default_spec(),
        2,
        &Control::default(),
    )
    .unwrap();
    let lines = c.table.summary_lines();
    assert_eq!(
        lines,
        [
            "f-I RMSE: 6.98 Hz",
            "latency RMSE: 14.30 ms",
            "gamma: 0.103",
            "rheobase difference: 0.25",
            "loss: 4.704"
        ]
    );
}

/// The BGM set as reference; the candidate has `a` and `b` perturbed.
fn perturbed() -> (RunSpec, RunSpec, usize, usize) {
    let reference = bgm();
    let mut cand = reference.clone();
    let m = &cand.model;
    let (ia, ib) = (m.param_index("a").unwrap(), m.param_index("b").unwrap());
    cand.parameters[ia] *= 1.4;
    cand.parameters[ib] += 0.3;
    (reference, cand, ia, ib)
}

fn spec_ab(evaluations: usize, starts: usize) -> FitSpec {
    let mut spec = FitSpec::default_spec();
    spec.free = vec![FreeParam::named("b"), FreeParam::named("a")];
    spec.optimiser.evaluations = evaluations;
    spec.optimiser.seed = 5;
    spec.optimiser.starts = starts;
    spec.optimiser.population = Some(8);
    spec
}

#[test]
fn fit_recovers_a_and_b_and_is_reproducible() {
    let (reference, cand, ia, ib) = perturbed();
    let target = Target::Preset(Box::new(reference.clone()));
    let mut spec = spec_ab(120, 2);
    spec.optimiser.polish_evaluations = 30;
    let run = |threads| {
        fit(
            &target,
            &cand,
            &spec,
            threads,
            &Control::default(),
            &mut |_, _, _| {},
        )
        .unwrap()
    };
    let r1 = run(2);
    assert!(r1.before.loss > 0.5, "{}", r1.before.text());
    assert!(
        r1.after.loss < 0.5 * r1.before.loss,
        "{} -> {}",
        r1.before.loss,
        r1.after.loss
    );
    let err = |p: &[f64]| {
        ((p[ia] - reference.parameters[ia]) / reference.parameters[ia]).abs()
            + (p[ib] - reference.parameters[ib]).abs()
    };
    assert!(err(&r1.parameters) < err(&cand.parameters));
    // Two starts, each within its budget; the best one kept; free in model order.
    assert_eq!(r1.starts.len(), 2);
    assert_eq!(r1.starts[1].seed, 6);
    assert!(r1.starts.iter().all(|s| s.evaluations <= 120));
    let best = r1
        .starts
        .iter()
        .map(|s| s.loss)
        .fold(f64::INFINITY, f64::min);
    assert!(r1.after.loss <= best);
    let (pa, pb) = r1.polish.expect("polished");
    assert!(pb <= pa);
    assert_eq!(r1.free, vec![ia.min(ib), ia.max(ib)]);
    assert!(r1.history.windows(2).all(|w| w[1] <= w[0]));
    assert_eq!(r1.sensitivity.len(), 2);
    // Same seed, other thread count: the same result, bit for bit.
    let r2 = run(1);
    assert_eq!(r1.parameters, r2.parameters);
    assert_eq!(r1.after, r2.after);
    assert_eq!(r1.history, r2.history);
}

#[test]
fn fit_rejects_unknown_and_driven_parameters() {
    let (reference, cand, _, _) = perturbed();
    let target = Target::Preset(Box::new(reference));
    for free in ["nope", "I_app"] {
        let mut spec = spec_ab(10, 1);
        spec.free = vec![FreeParam::named(free)];
        let e = fit(
            &target,
            &cand,
            &spec,
            1,
            &Control::default(),
            &mut |_, _, _| {},
        );
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
    // The table: a header, six terms (f-I rate, latency, rheobase, Γ per step), the
    // loss; then one metric per line.
    assert_eq!(lines.len(), 8 + 5, "{text}");
    assert!(lines[0].starts_with("protocol"), "{text}");
    assert_eq!(
        lines.iter().filter(|l| l.contains(" gamma ")).count(),
        3,
        "{text}"
    );
    assert!(
        lines[7].starts_with("loss") && lines[7].ends_with("4.7044"),
        "{text}"
    );
    let tail = &lines[8..];
    assert_eq!(tail[0], "f-I RMSE: 6.98 Hz");
    assert!(
        tail[1].starts_with("latency RMSE: ") && tail[1].ends_with(" ms"),
        "{text}"
    );
    assert!(tail[2].starts_with("gamma: "), "{text}");
    assert!(tail[3].starts_with("rheobase difference: "), "{text}");
    assert_eq!(tail[4], "loss: 4.704");
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
    let before = text.split("\nafter").next().unwrap();
    let after = text.split("\nafter").nth(1).unwrap();
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
        ron.contains("loss before: ") && ron.contains("// Loss after: "),
        "{ron}"
    );
    // The provenance: the loss tables, the sensitivity, and the spec beside it.
    assert!(
        ron.contains("// sensitivity:") && ron.contains("// starts:"),
        "{ron}"
    );
    assert!(text.contains("sensitivity:\nparameter"), "{text}");
    let spec = FitSpec::load(out_ron.with_extension("spec.ron").to_str().unwrap()).unwrap();
    assert_eq!(spec.optimiser.evaluations, 40);
    let free: Vec<&str> = spec.free.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(free, ["a", "b", "d"]);
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

/// `--spec fsi` prints the near-threshold and I–V terms; `--model-file` runs the
/// candidate on a model file of one's own (here the built-in model's own file).
#[test]
fn compare_cli_takes_a_spec_and_a_model_file() {
    let model_file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/models/Izhikevich2007CorbitFsiNoisyAmpa.neuron");
    let out = bin()
        .args(["compare", "--spec", "fsi", "--model-file"])
        .arg(&model_file)
        .arg(preset_path("hh_corbit_fsi_current_step.ron"))
        .arg(preset_path("corbit_fsi_izhikevich_fit_bgm2022.ron"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("near threshold @ "), "{text}");
    assert!(text.contains("steady current RMSE"), "{text}");
    assert!(text.contains("resting v"), "{text}");
    // A spec without a drive factor warns about the units.
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("s.ron");
    std::fs::write(&spec, "(name: \"no factor\", fi: None, steps: [], rest: Some((duration_ms: 100.0, term: (weight: 1.0, scale: 1.0))))").unwrap();
    let out = bin()
        .args(["compare", "--spec"])
        .arg(&spec)
        .arg(preset_path("hh_corbit_fsi_current_step.ron"))
        .arg(preset_path("corbit_fsi_izhikevich_fit_bgm2022.ron"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: I_app is in uA/cm2") && err.contains("pA"),
        "{err}"
    );
    // A bad spec names the file and the field.
    std::fs::write(&spec, "(optimiser: (evaluations: 1, seed: 1, starts: 1))").unwrap();
    let out = bin()
        .args(["compare", "--spec"])
        .arg(&spec)
        .arg(preset_path("hh_corbit_fsi_current_step.ron"))
        .arg(preset_path("corbit_fsi_izhikevich_fit_bgm2022.ron"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("s.ron") && err.contains("optimiser.evaluations"),
        "{err}"
    );
}

/// A candidate whose runs blow up under drive (a < 0: the recovery variable u grows
/// exponentially once v leaves rest; undriven, it stays at its equilibrium) is marked
/// run by run, its loss is infinite, and the runs that did not blow up
/// (rest) still count; a reference that blows up is refused with the protocols named.
#[test]
fn blown_up_runs_are_marked_and_the_rest_kept() {
    let reference = bgm();
    let mut candidate = bgm();
    let i = candidate.model.param_index("a").unwrap();
    candidate.parameters[i] = -5.0;
    let spec = FitSpec::fsi_spec();
    let cmp = compare(&reference, &candidate, &spec, 2, &Control::default()).unwrap();
    let blown: Vec<&str> = cmp
        .table
        .rows
        .iter()
        .filter(|r| r.objective.starts_with("blew up"))
        .map(|r| r.protocol.as_str())
        .collect();
    assert!(!blown.is_empty(), "{:?}", cmp.table.rows);
    assert!(blown.iter().any(|p| p.starts_with("f–I @")), "{blown:?}");
    assert!(
        !blown.contains(&"rest"),
        "at rest (no drive) it does not blow up"
    );
    assert_eq!(cmp.table.loss, f64::INFINITY);
    let rest = cmp.candidate.rest_mv.expect("the rest run is kept");
    assert!(rest.is_finite());

    // The same preset as the reference: refused, naming where it blew up.
    let Err(err) = compare(&candidate, &reference, &spec, 2, &Control::default()) else {
        panic!("a reference that blows up is refused");
    };
    let err = err.to_string();
    assert!(err.contains("blew up") && err.contains("f–I @"), "{err}");
}
