//! The analyses: the generic voltage clamp against CompNeuroPy's `*VoltageClamp`
//! models and ANNarchy's clamp trace, the I–V curve against its analytic steady
//! state, f–I curves (rheobase, monotonicity, spike-time convention) and the CLI
//! tables.

mod common;

use std::process::Command;
use std::sync::Arc;

use common::{num, oracle_file, read_json, resolve_json};
use neuron_explorer::analysis::clamp::{IvConfig, clamp_model, iv_sweep, zero_crossings};
use neuron_explorer::analysis::fi::{FiConfig, fi_sweep, train_stats};
use neuron_explorer::analysis::phase::{Field, Stability, compute_plane};
use neuron_explorer::analysis::{Control, linspace, range_by_step};
use neuron_explorer::io::preset::Preset;
use neuron_explorer::model::CompiledModel;
use neuron_explorer::model::builtin::builtin;
use neuron_explorer::sim::run::RunSpec;
use neuron_explorer::sim::session::Session;

fn model(id: &str) -> Arc<CompiledModel> {
    builtin(id).expect("built-in").expect("compiles")
}

fn preset(text: &str) -> RunSpec {
    Preset::parse("test.ron", text.as_bytes())
        .and_then(|p| p.resolve("test.ron", text, None))
        .expect("preset resolves")
}

/// Runs `resolved` (events included) on `m` and returns every variable after every step.
fn run_all(resolved: &RunSpec, m: &Arc<CompiledModel>, steps: u64) -> Vec<Vec<u64>> {
    let mut r = resolved.clone();
    r.model = Arc::clone(m);
    let mut s = Session::new(&r, 1).expect("session");
    (0..steps)
        .map(|_| {
            s.step();
            (0..m.vars.len())
                .map(|i| s.engine.var(i, 0).to_bits())
                .collect()
        })
        .collect()
}

/// The generic clamp of `plain` is, variable by variable and bit for bit, the
/// `*VoltageClamp` variant, under a protocol that moves v around.
fn generic_equals_variant(plain: &str, variant: &str, dt: f64, steps: u64) {
    let generic = clamp_model(&model(plain)).expect("clamp");
    let variant_m = model(variant);
    let names = |m: &CompiledModel| m.vars.iter().map(|v| v.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&generic), names(&variant_m), "variable order");
    let text = format!(
        r#"(model: "{variant}", dt_ms: {dt}, events: [
            (t_ms: {a}, set: {{"v": -20.0}}), (t_ms: {b}, set: {{"v": -70.0}}), (t_ms: {c}, set: {{"v": -45.0}})])"#,
        a = steps as f64 * dt * 0.1,
        b = steps as f64 * dt * 0.5,
        c = steps as f64 * dt * 0.8,
    );
    let resolved = preset(&text);
    let want = run_all(&resolved, &variant_m, steps);
    let got = run_all(&resolved, &generic, steps);
    assert_eq!(got, want, "{plain}: generic clamp differs from {variant}");
    // The sweep gives the same numbers as stepping the variant by hand.
    let cfg = IvConfig {
        v_holds: vec![-80.0, -50.0, -20.0],
        hold_ms: 20.0,
        instant_ms: 1.0,
        trace_every: 0,
        threads: 2,
    };
    let plain_preset = preset(&format!(r#"(model: "{plain}", dt_ms: {dt})"#));
    let variant_preset = preset(&format!(r#"(model: "{variant}", dt_ms: {dt})"#));
    let a = iv_sweep(&plain_preset, &cfg, &Control::default()).expect("sweep");
    let b = iv_sweep(&variant_preset, &cfg, &Control::default()).expect("sweep");
    assert_eq!(format!("{:?}", a.points), format!("{:?}", b.points));
    let i_inf = variant_m.var_index("I_inf").unwrap();
    let v = variant_m.var_index("v").unwrap();
    let mut s = Session::new(&variant_preset, 1).unwrap();
    s.engine.set_var(v, 0, -50.0);
    s.step();
    assert_eq!(
        s.engine.var(i_inf, 0).to_bits(),
        b.points[1].first_step.to_bits()
    );
    let n = (20.0 / dt).round() as u64;
    for _ in 1..n {
        s.step();
    }
    assert_eq!(
        s.engine.var(i_inf, 0).to_bits(),
        b.points[1].steady.to_bits()
    );
}

#[test]
fn generic_clamp_of_izhikevich2007_is_its_voltage_clamp_variant() {
    generic_equals_variant("Izhikevich2007", "Izhikevich2007VoltageClamp", 0.1, 4000);
}

#[test]
fn generic_clamp_of_hh_corbit_is_its_voltage_clamp_variant() {
    generic_equals_variant("HHneuronCorbit", "HHneuronCorbitVoltageClamp", 0.01, 20000);
}

/// ANNarchy's own clamp run (v: rest -> -20 -> -70 mV): the generic clamp of the
/// plain HH model reproduces its I_inf (row k of ANNarchy = our state after k+1 steps).
#[test]
fn generic_clamp_reproduces_annarchy_hh_clamp_trace() {
    let json = "HHneuronCorbitVoltageClamp__step.json";
    let meta = read_json(&oracle_file("traces", json));
    let dt = num(&meta, "dt");
    let mut resolved = resolve_json(json, &meta);
    let generic = clamp_model(&model("HHneuronCorbit")).expect("clamp");
    resolved.model = Arc::clone(&generic);
    let n = num(&meta, "n_steps") as u64;
    let text = std::fs::read_to_string(oracle_file(
        "traces",
        "HHneuronCorbitVoltageClamp__step__every20.csv",
    ))
    .unwrap();
    let mut lines = text.lines();
    let cols: Vec<&str> = lines.next().unwrap().split(',').collect();
    let c_inf = cols.iter().position(|c| *c == "I_inf").unwrap();
    let c_v = cols.iter().position(|c| *c == "v").unwrap();
    let want: std::collections::HashMap<u64, (f64, f64)> = lines
        .map(|l| {
            let f: Vec<f64> = l.split(',').map(|x| x.parse().unwrap()).collect();
            ((f[0] / dt).round() as u64, (f[c_v], f[c_inf]))
        })
        .collect();
    let (i_inf, v) = (
        generic.var_index("I_inf").unwrap(),
        generic.var_index("v").unwrap(),
    );
    let mut s = Session::new(&resolved, 1).unwrap();
    let mut compared = 0;
    for k in 0..n {
        s.step();
        if let Some(&(wv, wi)) = want.get(&k) {
            let (gv, gi) = (s.engine.var(v, 0), s.engine.var(i_inf, 0));
            assert!(
                (gv - wv).abs() <= 1e-12 * wv.abs(),
                "v at step {k}: {gv} vs {wv}"
            );
            assert!(
                (gi - wi).abs() <= 1e-9 + 1e-9 * wi.abs(),
                "I_inf at step {k}: {gi} vs {wi}"
            );
            compared += 1;
        }
    }
    assert!(compared > 2000, "compared {compared} rows");
}

#[test]
fn izhikevich2007_steady_iv_is_analytic() {
    let resolved = preset(r#"(model: "Izhikevich2007", parameters: {"I_app": 30.0}, dt_ms: 0.1)"#);
    let v_holds = range_by_step(-100.0, 20.0, 5.0).unwrap();
    let cfg = IvConfig {
        v_holds: v_holds.clone(),
        hold_ms: 2000.0,
        instant_ms: 1.0,
        trace_every: 100,
        threads: 2,
    };
    let r = iv_sweep(&resolved, &cfg, &Control::default()).expect("sweep");
    assert_eq!(r.points.len(), 25);
    let (k, vr, vt, b, i) = (0.7, -60.0, -40.0, -2.0, 30.0);
    for p in &r.points {
        let v = p.v_hold;
        let want = k * (v - vr) * (v - vt) - b * (v - vr) + i;
        assert!(
            (p.steady - want).abs() < 1e-6 * (1.0 + want.abs()),
            "v {v}: {} vs {want}",
            p.steady
        );
        // After one step u has hardly moved from 0: I_inf = k(v-v_r)(v-v_t) - u1 + I.
        let u1 = 0.1 * 0.03 * (b * (v - vr));
        let first = k * (v - vr) * (v - vt) - u1 + i;
        assert!(
            (p.first_step - first).abs() < 1e-9 * (1.0 + first.abs()),
            "first step at {v}"
        );
    }
    // Traces: I_inf for every potential, 2000 ms / (100 * 0.1 ms) + 1 samples.
    assert_eq!(r.traces.names[0], "I_inf");
    assert_eq!(r.traces.t_ms.len(), 201);
    assert_eq!(r.traces.values.len(), 25);
    assert_eq!(r.traces.values[3][0].len(), 201);
    // Zero crossings of the steady curve: the roots of the quadratic.
    let steady: Vec<f64> = r.points.iter().map(|p| p.steady).collect();
    let zc = zero_crossings(&v_holds, &steady);
    assert_eq!(zc.len(), 2, "{zc:?}");
    // 0.7 (v+60)(v+40) + 2 (v+60) + 30 = 0
    let (qa, qb, qc) = (0.7, 0.7 * 100.0 + 2.0, 0.7 * 2400.0 + 120.0 + 30.0);
    let disc: f64 = qb * qb - 4.0 * qa * qc;
    let roots = [
        (-qb - disc.sqrt()) / (2.0 * qa),
        (-qb + disc.sqrt()) / (2.0 * qa),
    ];
    for (z, root) in zc.iter().zip(roots) {
        assert!((z.0 - root).abs() < 1.0, "crossing {} vs root {root}", z.0);
    }
    assert!(
        zc[0].1 < 0.0 && zc[1].1 > 0.0,
        "rest (stable) then threshold"
    );
}

#[test]
fn clamp_needs_a_membrane_potential() {
    let err = clamp_model(&model("PoissonNeuron")).unwrap_err();
    assert!(err.to_string().contains('v'), "{err}");
}

#[test]
fn fi_of_izhikevich2007_rs_zero_below_rheobase_then_increasing() {
    let resolved = preset(r#"(model: "Izhikevich2007", dt_ms: 0.1)"#);
    let values = linspace(0.0, 300.0, 31).unwrap();
    let cfg = FiConfig {
        param: "I_app".into(),
        values,
        duration_ms: 1000.0,
        transient_ms: 200.0,
        threads: 2,
    };
    let r = fi_sweep(&resolved, &cfg, &Control::default()).expect("sweep");
    let rheo = r.rheobase().expect("fires somewhere");
    // RS cell: I_rheo = (b + k (v_t - v_r))^2 / (4k) = (-2 + 14)^2 / 2.8 = 51.4 pA.
    assert!((50.0..=70.0).contains(&rheo), "rheobase {rheo}");
    let mut last = 0.0;
    for p in &r.points {
        if p.value < 51.0 {
            assert_eq!(p.n_spikes, 0, "{p:?}");
            assert_eq!(p.rate_hz, 0.0);
            assert_eq!(p.first_spike_ms, None);
        }
        if p.value >= rheo + 10.0 {
            assert!(p.rate_hz > last, "rate must increase: {p:?} after {last}");
            assert!(p.isi_mean_ms.is_some() && p.isi_cv.is_some());
        }
        if p.n_spikes > 0 {
            last = p.rate_hz;
        }
    }
    // Chunking does not change anything.
    let one = fi_sweep(
        &resolved,
        &FiConfig {
            threads: 1,
            ..cfg.clone()
        },
        &Control::default(),
    )
    .unwrap();
    assert_eq!(one.points, r.points);
}

#[test]
fn spike_time_is_the_start_of_the_spiking_step() {
    // Spikes found by steps 10, 20, 30 (0-based) are at 1.0, 2.0, 3.0 ms (dt 0.1).
    let p = train_stats(1.0, &[10, 20, 30, 45], 0.1, 2.0, 4.5);
    assert_eq!(p.first_spike_ms, Some(1.0));
    // Window [2.0, 4.5): 2.0 and 3.0 count, 4.5 does not.
    assert_eq!(p.n_spikes, 2);
    assert!((p.rate_hz - 2.0 / 0.0025).abs() < 1e-9);
    assert_eq!(p.isi_mean_ms, Some(1.0));
    assert_eq!(p.isi_cv, None, "CV needs two intervals");

    // And the sweep agrees with a hand-stepped session.
    let resolved = preset(r#"(model: "Izhikevich2007", parameters: {"I_app": 200.0}, dt_ms: 0.1)"#);
    let mut s = Session::new(&resolved, 1).unwrap();
    let mut steps = Vec::new();
    for k in 0..3000u64 {
        if s.step() > 0 {
            steps.push(k);
        }
    }
    let cfg = FiConfig {
        param: "I_app".into(),
        values: vec![200.0],
        duration_ms: 300.0,
        transient_ms: 0.0,
        threads: 1,
    };
    let r = fi_sweep(&resolved, &cfg, &Control::default()).unwrap();
    assert_eq!(r.points[0].n_spikes, steps.len());
    assert_eq!(
        r.points[0].first_spike_ms,
        Some(neuron_explorer::io::csv::time_label(steps[0], 0.1))
    );
}

#[test]
fn a_cancelled_sweep_stops() {
    let resolved = preset(r#"(model: "HHneuronCorbit")"#);
    let control = Control::default();
    control.cancel();
    let cfg = IvConfig {
        v_holds: vec![-70.0; 4],
        hold_ms: 5000.0,
        instant_ms: 1.0,
        trace_every: 0,
        threads: 1,
    };
    let err = iv_sweep(&resolved, &cfg, &control).unwrap_err();
    assert_eq!(err.to_string(), "cancelled");
    assert!(control.done() <= 4 * 4096, "stops at the first check");
}

#[test]
fn izhikevich2003_rs_phase_plane_has_parabola_line_and_rest_point() {
    let m = model("Izhikevich2003NoisyAmpa");
    let resolved = preset(
        r#"(model: "Izhikevich2003NoisyAmpa", parameters: {"a": 0.02, "b": 0.2, "c": -65.0, "d": 8.0, "n2": 0.04, "n1": 5.0, "n0": 140.0}, initial: {"v": -65.0, "u": -13.0})"#,
    );
    let s = Session::new(&resolved, 1).unwrap();
    let state: Vec<f64> = (0..m.vars.len()).map(|i| s.engine.var(i, 0)).collect();
    let (v, u) = (m.var_index("v").unwrap(), m.var_index("u").unwrap());
    let mut field =
        Field::new(&m, v, u, &resolved.parameters, &state, 0.0, 0.1).expect("v and u are ODEs");
    let plane = compute_plane(&mut field, [-90.0, -40.0], [-20.0, 0.0], 161, 121, 15);
    // Fixed points of 0.04v^2 + 5v + 140 = 0.2 v: v = -70 (stable) and -50 (saddle).
    assert_eq!(plane.fixed_points.len(), 2, "{:?}", plane.fixed_points);
    let rest = plane.fixed_points[0];
    assert!(
        (rest.x + 70.0).abs() < 1e-6 && (rest.y + 14.0).abs() < 1e-6,
        "{rest:?}"
    );
    assert!(rest.stability.is_stable(), "{rest:?}");
    let saddle = plane.fixed_points[1];
    assert!(
        (saddle.x + 50.0).abs() < 1e-6 && saddle.stability == Stability::Saddle,
        "{saddle:?}"
    );
    // The v-nullcline is the parabola, the u-nullcline the line u = 0.2 v.
    for line in &plane.x_nullcline {
        for p in line {
            let want = 0.04 * p[0] * p[0] + 5.0 * p[0] + 140.0;
            assert!((p[1] - want).abs() < 1e-9, "{p:?}");
        }
    }
    let n: usize = plane.y_nullcline.iter().map(Vec::len).sum();
    assert!(n > 100);
    for p in plane.y_nullcline.iter().flatten() {
        assert!((p[1] - 0.2 * p[0]).abs() < 1e-9, "{p:?}");
    }
    assert!(!plane.arrows.is_empty());
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_neuron-explorer"))
}

#[test]
fn cli_iv_and_fi_write_their_tables() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("rs.ron");
    std::fs::write(
        &p,
        r#"(model: "Izhikevich2007", dt_ms: 0.1, events: [(t_ms: 10.0, set: {"I_app": 500.0})])"#,
    )
    .unwrap();
    let iv = dir.path().join("iv.csv");
    let out = bin()
        .args([
            "iv",
            p.to_str().unwrap(),
            "--from",
            "-100",
            "--to",
            "20",
            "--step",
            "5",
            "--hold-ms",
            "500",
            "--instant-ms",
            "1",
            // The former columns (the default is now v2, outward positive).
            "--columns",
            "v1",
            "--out",
        ])
        .arg(&iv)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&iv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("v_hold,I_inf_first_step,I_inf_instant,I_inf_steady")
    );
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|x| x.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 25);
    assert_eq!(rows[0][0], -100.0);
    assert_eq!(rows[24][0], 20.0);
    // At v_r the quadratic term vanishes and u stays 0: zero current throughout.
    let at_vr = rows.iter().find(|r| r[0] == -60.0).unwrap();
    assert_eq!(&at_vr[1..], &[0.0, 0.0, 0.0]);

    let fi = dir.path().join("fi.csv");
    let out = bin()
        .args([
            "fi",
            p.to_str().unwrap(),
            "--param",
            "I_app",
            "--from",
            "0",
            "--to",
            "200",
            "--steps",
            "5",
        ])
        .args(["--duration-ms", "600", "--transient-ms", "100", "--out"])
        .arg(&fi)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The grid (0, 50, ...) brackets the rheobase between 50 and 100; stdout gives it
    // refined, with its unit, inside that bracket.
    let said = String::from_utf8_lossy(&out.stdout);
    let rheo: f64 = said
        .trim()
        .strip_prefix("rheobase I_app = ")
        .and_then(|r| r.split_once(" pA (silent at "))
        .and_then(|(x, _)| x.parse().ok())
        .unwrap_or_else(|| panic!("no rheobase line: {said}"));
    assert!((50.0..100.0).contains(&rheo), "{rheo}");
    let text = std::fs::read_to_string(&fi).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "I_app,rate_hz,n_spikes,first_spike_ms,isi_mean_ms,isi_cv"
    );
    assert_eq!(lines.len(), 6);
    assert_eq!(
        lines[1], "0,0,0,,,",
        "no spike: empty latency and ISI cells"
    );
    let last: Vec<&str> = lines[5].split(',').collect();
    assert_eq!(last[0], "200");
    assert!(last[1].parse::<f64>().unwrap() > 5.0);
    assert!(!last[3].is_empty());

    // Mistakes are usage errors (exit code 2) naming the problem.
    let out = bin()
        .args(["fi", p.to_str().unwrap(), "--param", "nope", "--out"])
        .arg(&fi)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));
    let out = bin()
        .args(["iv", p.to_str().unwrap(), "--step", "-5", "--out"])
        .arg(&iv)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
