//! Known results of the dynamics analyses: Izhikevich's presets classified as their
//! firing patterns (Izhikevich 2003 Fig. 1, 2007 ch. 8), the saddle-node of the
//! quadratic model against its formula, the (c, d) map of Izhikevich (2003) Fig. 2,
//! and the Corbit HH cell's loss of stable rest against its f–I rheobase.

use std::path::Path;

use neuron_explorer::analysis::bifurcation::{BifurcationConfig, bifurcation};
use neuron_explorer::analysis::features::{FiringClass, run_membrane};
use neuron_explorer::analysis::fi::{FiConfig, fi_sweep, refine_rheobase};
use neuron_explorer::analysis::map::{Axis, MapConfig, map_csv, map_sweep};
use neuron_explorer::analysis::phase::{Field, FixedPoint, Stability, compute_plane};
use neuron_explorer::analysis::{Control, all_threads, linspace};
use neuron_explorer::io::preset::{Preset, load_resolved};
use neuron_explorer::sim::run::RunSpec;

fn shipped(name: &str) -> RunSpec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("presets")
        .join(name);
    load_resolved(&path, None).expect("shipped preset loads")
}

/// The class of a shipped preset over its whole run.
fn class_of(name: &str) -> FiringClass {
    let p = shipped(name);
    let trace = run_membrane(&p).expect("runs");
    let f = trace.features(0.0, p.duration_ms);
    eprintln!("{name}: {f:?}");
    f.class
}

#[test]
fn izhikevich_presets_are_classified_as_their_patterns() {
    use FiringClass::*;
    let cases: &[(&str, &[FiringClass])] = &[
        ("izhikevich2003_rs_regular_spiking.ron", &[Adapting, Tonic]),
        ("izhikevich2003_fs_fast_spiking.ron", &[Tonic]),
        ("izhikevich2003_ch_chattering.ron", &[Bursting]),
        (
            "izhikevich2003_ib_intrinsically_bursting.ron",
            &[InitialBurst, Bursting],
        ),
        (
            "izhikevich2003_lts_low_threshold_spiking.ron",
            &[Adapting, Bursting],
        ),
        ("izhikevich2007_rs_regular_spiking.ron", &[Adapting, Tonic]),
        ("izhikevich2007_fs_fast_spiking.ron", &[Tonic]),
        ("izhikevich2007_ch_chattering.ron", &[Bursting]),
        (
            "izhikevich2007_ib_intrinsically_bursting.ron",
            &[InitialBurst, Bursting],
        ),
    ];
    let mut wrong = Vec::new();
    for &(name, expected) in cases {
        let got = class_of(name);
        if !expected.contains(&got) {
            wrong.push(format!("{name}: {got}, expected one of {expected:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A preset of `model` with `params` set, from the model's initial state, 1 s.
fn preset_of(model: &str, params: &[(&str, f64)]) -> RunSpec {
    let params: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("\"{k}\": {v:?}"))
        .collect();
    let text = format!(
        "(model: \"{model}\", parameters: {{ {} }}, duration_ms: 1000.0)",
        params.join(", ")
    );
    Preset::parse("test.ron", text.as_bytes())
        .and_then(|p| p.resolve("test.ron", &text, None))
        .expect("preset resolves")
}

/// Izhikevich (2007) RS, the book's parameters (ch. 8.2.1).
fn izhikevich2007_rs() -> RunSpec {
    preset_of(
        "Izhikevich2007",
        &[
            ("C", 100.0),
            ("k", 0.7),
            ("v_r", -60.0),
            ("v_t", -40.0),
            ("a", 0.03),
            ("b", -2.0),
            ("c", -50.0),
            ("d", 100.0),
            ("v_peak", 35.0),
        ],
    )
}

/// The saddle-node of C v' = k(v - v_r)(v - v_t) - u + I, u' = a(b(v - v_r) - u):
/// with u = b(v - v_r) the equilibria solve k x² + (k(v_r - v_t) - b) x + I = 0
/// (x = v - v_r), which has a double root at I = (k(v_t - v_r) + b)² / (4k).
fn saddle_node(k: f64, v_r: f64, v_t: f64, b: f64) -> f64 {
    (k * (v_t - v_r) + b).powi(2) / (4.0 * k)
}

#[test]
fn izhikevich2007_rs_saddle_node_matches_the_formula() {
    let p = izhikevich2007_rs();
    let i_sn = saddle_node(0.7, -60.0, -40.0, -2.0);
    let step = 0.5;
    let values = linspace(0.0, 100.0, 201).unwrap();
    let cfg = BifurcationConfig::new("I_app", values.clone(), all_threads());
    let b = bifurcation(&p, &cfg, &Control::default()).expect("diagram");
    for &i in &values {
        let eq: Vec<_> = b.equilibria_at(i).collect();
        if i < i_sn - step {
            assert_eq!(eq.len(), 2, "I = {i}: {eq:?}");
            assert_eq!(
                eq.iter().filter(|e| e.stability.is_stable()).count(),
                1,
                "I = {i}"
            );
            // The analytic roots.
            let (k, bb) = (0.7, -2.0);
            let lin = k * (-60.0 - -40.0) - bb;
            let disc = (lin * lin - 4.0 * k * i).sqrt();
            let lo = -60.0 + (-lin - disc) / (2.0 * k);
            let hi = -60.0 + (-lin + disc) / (2.0 * k);
            assert!(
                (eq[0].v_mv - lo).abs() < 1e-6 && (eq[1].v_mv - hi).abs() < 1e-6,
                "{eq:?}"
            );
            assert!(
                eq[0].stability.is_stable(),
                "the lower one is the rest state"
            );
        } else if i > i_sn + step {
            assert!(eq.is_empty(), "I = {i}: {eq:?}");
        }
    }
    let lost = b.stable_rest_lost_at().expect("rest is lost");
    assert!(
        (lost - i_sn).abs() <= step,
        "lost at {lost}, formula {i_sn}"
    );
}

/// Fixed points of the (v, u) phase plane of `p` with `I_app` = `i`.
fn plane_fixed_points(p: &RunSpec, i: f64) -> Vec<FixedPoint> {
    let m = &p.model;
    let mut params = p.parameters.clone();
    params[m.drive_param().unwrap()] = i;
    let state = vec![-60.0, 0.0];
    let (v, u) = (m.membrane_var().unwrap(), m.var_index("u").unwrap());
    let mut field = Field::new(m, v, u, &params, &state, 0.0, p.dt_ms).expect("v, u are ODEs");
    compute_plane(&mut field, [-80.0, 0.0], [-150.0, 50.0], 321, 201, 10).fixed_points
}

#[test]
fn izhikevich2007_rs_phase_plane_and_rheobase_agree_with_the_saddle_node() {
    let p = izhikevich2007_rs();
    let i_sn = saddle_node(0.7, -60.0, -40.0, -2.0);
    // The phase plane's two fixed points merge at the formula's current.
    let below = plane_fixed_points(&p, i_sn - 0.5);
    assert_eq!(below.len(), 2, "{below:?}");
    assert!(below[0].stability.is_stable() && below[1].stability == Stability::Saddle);
    assert!(below[1].x - below[0].x < 6.0, "close to merging: {below:?}");
    assert!(plane_fixed_points(&p, i_sn + 0.5).is_empty());
    // The f-I rheobase (1 s runs from v_r): a saddle-node on the invariant circle,
    // so firing starts at the saddle-node, with a latency that grows without bound
    // near it; a finite run therefore sees the rheobase a little above.
    let cfg = FiConfig {
        param: "I_app".into(),
        values: linspace(0.0, 100.0, 101).unwrap(),
        duration_ms: 1000.0,
        transient_ms: 0.0,
        threads: all_threads(),
    };
    let mut fi = fi_sweep(&p, &cfg, &Control::default()).unwrap();
    refine_rheobase(&p, &cfg, &mut fi, &Control::default()).unwrap();
    let rheobase = fi.best_rheobase().unwrap();
    eprintln!("saddle-node {i_sn}, rheobase {rheobase}");
    assert!(
        rheobase >= i_sn && rheobase - i_sn < 0.5,
        "rheobase {rheobase}, saddle-node {i_sn}"
    );
}

/// HHneuronCorbit's f–I rheobase (600 ms runs, `neuron-explorer fi`, in the issue).
const CORBIT_RHEOBASE: f64 = 3.214;

#[test]
fn hh_corbit_loses_stable_rest_by_a_hopf_just_below_its_rheobase() {
    let p = shipped("hh_corbit_fsi_current_step.ron");
    let values = linspace(2.5, 3.5, 101).unwrap();
    let mut cfg = BifurcationConfig::new("I_app", values, all_threads());
    cfg.run_ms = 600.0;
    cfg.transient_ms = 100.0;
    let b = bifurcation(&p, &cfg, &Control::default()).expect("diagram");
    let lost = b.stable_rest_lost_at().expect("rest is lost");
    // One equilibrium throughout; it loses stability through a complex pair (Hopf).
    let after: Vec<_> = b.equilibria_at(lost).collect();
    assert_eq!(after.len(), 1, "{after:?}");
    let unstable: Vec<_> = after[0].eigen.iter().filter(|e| e.0 > 0.0).collect();
    assert!(unstable.len() == 2 && unstable[0].1 != 0.0, "{after:?}");
    // Below the rheobase: the oscillations that grow after the Hopf take longer than
    // the f-I run to reach a spike (the README explains), so the rate stays 0 there.
    assert!(
        lost < CORBIT_RHEOBASE && CORBIT_RHEOBASE - lost < 0.25,
        "lost at {lost}"
    );
    for a in &b.attractor {
        if a.value < lost {
            assert_eq!(a.rate_hz, 0.0, "{a:?}");
        }
        if a.value > CORBIT_RHEOBASE + 0.02 {
            assert!(a.rate_hz > 0.0, "{a:?}");
        }
    }
    eprintln!("stable rest lost at I_app = {lost}");
}

#[test]
fn izhikevich2003_cd_map_has_rs_ib_ch_where_figure_2_puts_them() {
    // Izhikevich (2003) Fig. 2: at a = 0.02, b = 0.2 the reset (c, d) decides the
    // pattern: (-65, 8) regular spiking, (-55, 4) intrinsically bursting, (-50, 2)
    // chattering. The RS preset supplies a, b and the current step.
    let p = shipped("izhikevich2003_rs_regular_spiking.ron");
    let cfg = MapConfig {
        x: Axis {
            param: "c".into(),
            values: linspace(-70.0, -45.0, 26).unwrap(),
        },
        y: Axis {
            param: "d".into(),
            values: linspace(0.0, 10.0, 21).unwrap(),
        },
        threads: all_threads(),
    };
    let mut passes = 0;
    let m = map_sweep(&p, &cfg, &Control::default(), |_| passes += 1).expect("map");
    assert_eq!(passes, 4);
    assert!(m.protocol_applied);
    assert!(m.cells.iter().all(Option::is_some));
    use FiringClass::*;
    let rs = m.cell_at(-65.0, 8.0).unwrap().class;
    let ib = m.cell_at(-55.0, 4.0).unwrap().class;
    let ch = m.cell_at(-50.0, 2.0).unwrap().class;
    // The patterns the presets themselves are classified as (test above).
    assert!([Tonic, Adapting].contains(&rs), "(-65, 8): {rs}");
    assert!([InitialBurst, Bursting].contains(&ib), "(-55, 4): {ib}");
    assert_eq!(ch, Bursting, "(-50, 2)");
    let csv = map_csv(&m);
    assert!(
        csv.starts_with("c,d,class,rate_hz\n-70,0,"),
        "{}",
        &csv[..60]
    );
    assert_eq!(csv.lines().count(), 1 + 26 * 21);
}

fn bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_neuron-explorer"))
}

fn preset_path(name: &str) -> String {
    format!("{}/presets/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn cli_features_bifurcation_and_map() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .args(["features", &preset_path("izhikevich2003_ch_chattering.ron")])
        .args(["--from-ms", "50", "--to-ms", "450"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("spike_count: 37\n") && text.contains("rate: 92.5000 Hz\n"),
        "{text}"
    );
    assert!(text.ends_with("class: bursting\n"), "{text}");

    let b = dir.path().join("b.csv");
    let out = bin()
        .args([
            "bifurcation",
            &preset_path("izhikevich2007_rs_regular_spiking.ron"),
        ])
        .args(["--from", "0", "--to", "100", "--steps", "5", "--out"])
        .arg(&b)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(&b).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert!(csv.starts_with("I_app,kind,v_mv,stability,rate_hz\n"));
    // 0, 25 and 50 pA: two equilibria each (below the saddle-node at 51.4), none above.
    assert_eq!(rows.iter().filter(|r| r[1] == "equilibrium").count(), 6);
    for r in &rows {
        assert_eq!(r.len(), 5, "{r:?}");
        match r[1] {
            "equilibrium" => assert!(["stable", "unstable"].contains(&r[3]) && r[4].is_empty()),
            "v_min" | "v_max" => assert!(r[3].is_empty() && r[4].parse::<f64>().is_ok()),
            other => panic!("unknown kind {other}"),
        }
    }

    let (m, png) = (dir.path().join("m.csv"), dir.path().join("m.png"));
    let out = bin()
        .args(["map", &preset_path("izhikevich2003_rs_regular_spiking.ron")])
        .args([
            "--x",
            "c",
            "--x-from",
            "-70",
            "--x-to",
            "-45",
            "--x-steps",
            "6",
        ])
        .args([
            "--y",
            "d",
            "--y-from",
            "0",
            "--y-to",
            "10",
            "--y-steps",
            "4",
            "--out",
        ])
        .arg(&m)
        .arg("--png")
        .arg(&png)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read_to_string(&m).unwrap();
    assert!(csv.starts_with("c,d,class,rate_hz\n"));
    assert_eq!(csv.lines().count(), 1 + 24);
    let img = image::open(&png).unwrap();
    assert_eq!((img.width(), img.height()), (48, 32));

    // A parameter the model lacks: a clear error, exit code 2.
    let out = bin()
        .args([
            "bifurcation",
            &preset_path("izhikevich2007_rs_regular_spiking.ron"),
        ])
        .args(["--param", "nope", "--out"])
        .arg(dir.path().join("x.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`nope` is not a parameter"));
}

/// Points of a map whose run blows up are marked (class `blew_up`, no rate, the orange the class legend shows)
/// and the others keep their class: Izhikevich (2007) RS with a < 0 (u grows
/// exponentially once v moves) beside the book's a = 0.03.
#[test]
fn map_marks_blown_up_points_and_keeps_the_rest() {
    let mut p = izhikevich2007_rs();
    let i = p.model.param_index("I_app").unwrap();
    p.parameters[i] = 100.0;
    let cfg = MapConfig {
        x: Axis {
            param: "a".into(),
            values: vec![-5.0, 0.03],
        },
        y: Axis {
            param: "d".into(),
            values: vec![100.0, 120.0],
        },
        threads: 1,
    };
    let m = map_sweep(&p, &cfg, &Control::default(), |_| {}).expect("map");
    for d in [100.0, 120.0] {
        let blown = m.cell_at(-5.0, d).unwrap();
        assert_eq!(blown.class, FiringClass::NonFinite, "a = -5, d = {d}");
        assert!(blown.rate_hz.is_nan());
        let fine = m.cell_at(0.03, d).unwrap();
        assert!(
            matches!(fine.class, FiringClass::Tonic | FiringClass::Adapting),
            "a = 0.03, d = {d}: {}",
            fine.class
        );
        assert!(fine.rate_hz > 1.0);
    }
    let csv = map_csv(&m);
    assert!(csv.contains("-5,100,blew_up,\n"), "{csv}");
    assert_eq!(
        neuron_explorer::analysis::map::rate_rgb(f64::NAN, 50.0),
        neuron_explorer::analysis::map::class_rgb(FiringClass::NonFinite)
    );
}
