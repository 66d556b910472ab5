//! Roles are data: a model file names its membrane potential, drive and plot groups
//! in `[roles]` (or the loader infers CompNeuroPy's `v` and `I_app`), and every
//! analysis follows them. A model written with `V`, `I_ext`, `w` and `I_in` must give
//! exactly the results of the same model written with CompNeuroPy's names (voltage
//! clamp, f–I, phase plane, compare, plot groups), the phase plane must find the
//! analytic fixed points of the Izhikevich (2007) model, bad `[roles]` lines give
//! file:line:column errors, and no code outside the model loader names `v` or `I_app`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use neuron_explorer::analysis::Control;
use neuron_explorer::analysis::clamp::{IvConfig, iv_sweep, outward};
use neuron_explorer::analysis::compare::compare;
use neuron_explorer::analysis::fi::{FiConfig, fi_sweep, refine_rheobase};
use neuron_explorer::analysis::fitspec::FitSpec;
use neuron_explorer::analysis::phase::{Field, compute_plane};
use neuron_explorer::io::preset::Preset;
use neuron_explorer::model::roles::PlotGroup;
use neuron_explorer::model::{CompiledModel, load_model};
use neuron_explorer::sim::run::RunSpec;
use neuron_explorer::ui::plot_groups::{
    CONDUCTANCES, CURRENTS, GATES, MEMBRANE, default_assignment,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/roles")
        .join(name)
}

fn model(name: &str) -> Arc<CompiledModel> {
    let path = fixture(name);
    let text = std::fs::read_to_string(&path).expect("fixture");
    load_model(name, &text).unwrap_or_else(|e| panic!("{e}"))
}

/// The model with `V`, `I_ext` and a `[roles]` section.
fn declared() -> Arc<CompiledModel> {
    model("izhikevich_V_Iext.neuron")
}

/// The same model with CompNeuroPy's names and inferred roles.
fn inferred() -> Arc<CompiledModel> {
    model("izhikevich_inferred.neuron")
}

fn preset(m: &Arc<CompiledModel>, drive: f64) -> RunSpec {
    let mut p = Preset {
        model: m.id().to_owned(),
        ..Preset::default()
    };
    let (name, _) = m.drive().expect("a drive");
    p.parameters.insert(name.to_owned(), drive);
    p.resolve("t.ron", "", Some(Arc::clone(m)))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn declared_and_inferred_roles_name_the_same_quantities() {
    let (d, i) = (declared(), inferred());
    assert_eq!(d.membrane(), Some(("V", "mV")));
    assert_eq!(d.drive(), Some(("I_ext", "pA")));
    assert_eq!(i.membrane(), Some(("v", "mV")));
    assert_eq!(i.drive(), Some(("I_app", "pA")));
    // Variables in equation order: the input current, the membrane, the recovery.
    let groups = [PlotGroup::Current, PlotGroup::Membrane, PlotGroup::Gate];
    for m in [&d, &i] {
        assert_eq!(m.roles.groups, groups, "{}", m.id());
        // The plots they start in follow the groups.
        assert_eq!(
            default_assignment(m, true),
            [Some(CURRENTS), Some(MEMBRANE), Some(GATES), Some(4)]
        );
    }
    // Without the declaration `w` (pA, not dimensionless) would start hidden.
    let text = std::fs::read_to_string(fixture("izhikevich_V_Iext.neuron")).unwrap();
    let undeclared = text.replace("gate     = w\n", "");
    let m = load_model("u.neuron", &undeclared).unwrap();
    assert_eq!(m.plot_group(2), PlotGroup::Other);
    // A group can be declared against the inference: I_in as a conductance.
    let regrouped = text.replace("current  = I_in", "conductance = I_in");
    let m = load_model("g.neuron", &regrouped).unwrap();
    assert_eq!(default_assignment(&m, false)[0], Some(CONDUCTANCES));
}

#[test]
fn built_in_models_keep_compneuropy_roles() {
    for m in neuron_explorer::model::builtin::all_builtins().unwrap() {
        if let Some((name, unit)) = m.membrane() {
            assert_eq!((name, unit), ("v", "mV"), "{}", m.id());
        }
        if let Some((name, _)) = m.drive() {
            assert_eq!(name, "I_app", "{}", m.id());
        }
    }
}

/// Every bad `[roles]` line names the file, the line and the column of the fault.
#[test]
fn bad_roles_are_reported_at_file_line_column() {
    let text = std::fs::read_to_string(fixture("izhikevich_V_Iext.neuron")).unwrap();
    let roles_line = |needle: &str| 1 + text.lines().position(|l| l.starts_with(needle)).unwrap();
    let m = roles_line("membrane");
    let d = roles_line("drive");
    let g = roles_line("gate");
    let c = roles_line("current");
    let cases = [
        (
            text.replace("membrane = V", "membrane = Vm"),
            format!("r.neuron:{m}:12: membrane `Vm` is not a variable of the model"),
        ),
        (
            text.replace("drive    = I_ext", "drive    = I_in"),
            format!("r.neuron:{d}:12: drive `I_in` is not a parameter of the model"),
        ),
        (
            text.replace("gate     = w", "gate     = w, V"),
            format!("r.neuron:{g}:15: `V` is the membrane potential"),
        ),
        (
            text.replace("gate     = w", "gate     = w, I_in"),
            // The second declaration is the fault.
            format!("r.neuron:{c}:12: `I_in` is given a plot group twice"),
        ),
        (
            text.replace("gate     = w", "gates    = w"),
            format!("r.neuron:{g}:1: unknown role `gates`"),
        ),
        (
            text.replace("gate     = w", "gate     = w x"),
            format!("r.neuron:{g}:12: `w x` is not a name"),
        ),
        (
            text.replace("membrane = V", "membrane = V, w"),
            format!("r.neuron:{m}:15: `membrane` takes one variable"),
        ),
        (
            text.replace("gate     = w", "gate w"),
            format!("r.neuron:{g}:1: expected `key = name` in [roles]"),
        ),
    ];
    for (source, want) in cases {
        let Err(e) = load_model("r.neuron", &source) else {
            panic!("must fail: {want}")
        };
        assert!(e.to_string().starts_with(&want), "{e}\nwant: {want}");
    }
}

/// Voltage clamp of the V model equals the v model's, and the steady clamp current
/// is the analytic one: with V held, w relaxes to b (V − v_r), so
/// I_inf = k (V − v_r)(V − v_t) − b (V − v_r) at zero drive.
#[test]
fn voltage_clamp_follows_the_membrane_role() {
    let cfg = IvConfig {
        v_holds: vec![-80.0, -70.0, -60.0, -50.0, -45.0, -40.0, -30.0],
        hold_ms: 1000.0,
        instant_ms: 1.0,
        trace_every: 0,
        threads: 1,
    };
    let c = Control::default();
    let d = iv_sweep(&preset(&declared(), 0.0), &cfg, &c).expect("clamp of V");
    let i = iv_sweep(&preset(&inferred(), 0.0), &cfg, &c).expect("clamp of v");
    assert_eq!(d.points, i.points);
    let (k, v_r, v_t, b) = (0.7, -60.0, -40.0, -2.0);
    for p in &d.points {
        let v = p.v_hold;
        let i_inf = k * (v - v_r) * (v - v_t) - b * (v - v_r);
        assert!(
            (p.steady - i_inf).abs() < 1e-6 * i_inf.abs().max(1.0),
            "{v}: {} vs {i_inf}",
            p.steady
        );
    }
    // The outward convention at -80 mV: inward rectification of the quadratic term.
    assert!(outward(d.points[0].steady) < 0.0);
}

/// f–I of the V model swept on its drive equals the v model's; both fire above the
/// saddle-node of the rest state, I* = k ((v_t + b/k − v_r) / 2)² = 51.43 pA.
#[test]
fn f_i_follows_the_drive_role() {
    let sweep = |m: &Arc<CompiledModel>| {
        let p = preset(m, 0.0);
        let cfg = FiConfig {
            param: m.drive().unwrap().0.to_owned(),
            values: (0..=8).map(|k| 20.0 * f64::from(k)).collect(),
            duration_ms: 600.0,
            transient_ms: 100.0,
            threads: 1,
        };
        let c = Control::default();
        let mut r = fi_sweep(&p, &cfg, &c).expect("sweep");
        refine_rheobase(&p, &cfg, &mut r, &c).expect("refine");
        r
    };
    let (d, i) = (sweep(&declared()), sweep(&inferred()));
    assert_eq!(d.param, "I_ext");
    assert_eq!(d.points, i.points);
    assert_eq!(d.rheobase_bracket, i.rheobase_bracket);
    let (k, v_r, v_t, b): (f64, f64, f64, f64) = (0.7, -60.0, -40.0, -2.0);
    let saddle_node = k * ((v_t + b / k - v_r) / 2.0).powi(2);
    let (silent, spiking) = d.rheobase_bracket.expect("a rheobase");
    assert!(
        spiking > saddle_node && silent < 120.0,
        "{silent}..{spiking} vs {saddle_node}"
    );
    assert!(
        d.points
            .iter()
            .filter(|p| p.value < saddle_node)
            .all(|p| p.n_spikes == 0)
    );
}

/// The fixed points of the V model's (V, w) plane are the roots of
/// k (V − v_r)(V − v_t) − b (V − v_r) + I = 0 with w = b (V − v_r).
#[test]
fn phase_plane_follows_the_membrane_role_to_the_analytic_fixed_points() {
    let (k, v_r, v_t, b): (f64, f64, f64, f64) = (0.7, -60.0, -40.0, -2.0);
    for drive in [0.0, 40.0] {
        let planes: Vec<Vec<[f64; 2]>> = [declared(), inferred()]
            .iter()
            .map(|m| {
                let p = preset(m, drive);
                let x = m.membrane_var().expect("membrane");
                let y = m
                    .vars
                    .iter()
                    .position(|v| {
                        v.unit == "pA" && v.kind == neuron_explorer::model::VarKind::State
                    })
                    .expect("recovery");
                let state: Vec<f64> = vec![0.0; m.vars.len()];
                let mut field =
                    Field::new(m, x, y, &p.parameters, &state, 0.0, p.dt_ms).expect("field");
                let plane = compute_plane(&mut field, [-80.0, -20.0], [-80.0, 20.0], 121, 101, 0);
                plane.fixed_points.iter().map(|f| [f.x, f.y]).collect()
            })
            .collect();
        assert_eq!(planes[0], planes[1]);
        // Roots of k V'^2 + (k (v_r - v_t) - b) V' + I = 0 with V' = V - v_r.
        let (qa, qb, qc) = (k, k * (v_r - v_t) - b, drive);
        let disc = (qb * qb - 4.0 * qa * qc).sqrt();
        let mut want: Vec<f64> = [(-qb - disc) / (2.0 * qa), (-qb + disc) / (2.0 * qa)]
            .iter()
            .map(|r| r + v_r)
            .collect();
        want.sort_by(f64::total_cmp);
        let mut got = planes[0].clone();
        got.sort_by(|p, q| p[0].total_cmp(&q[0]));
        assert_eq!(got.len(), 2, "{drive}: {got:?}");
        for (g, v) in got.iter().zip(&want) {
            assert!((g[0] - v).abs() < 1e-3, "{drive}: {g:?} vs V = {v}");
            assert!((g[1] - b * (v - v_r)).abs() < 1e-2, "{drive}: {g:?}");
        }
    }
}

/// Compare with each model's own drive: the two namings are the same neuron.
#[test]
fn compare_drives_each_model_through_its_own_drive_parameter() {
    let mut spec = FitSpec::default_spec();
    spec.drive_param.clear();
    if let Some(fi) = spec.fi.as_mut() {
        fi.values = (0..=10).map(|k| 20.0 * f64::from(k)).collect();
    }
    let c = compare(
        &preset(&inferred(), 0.0),
        &preset(&declared(), 0.0),
        &spec,
        2,
        &Control::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.table.loss, 0.0, "{}", c.table.text());
    assert_eq!(c.table.mean_gamma(), Some(1.0));
    assert!(c.reference.rheobase.is_some());
}

/// `neuron-explorer fi --model-file` sweeps the model's drive when `--param` is not
/// given, and writes it as the first column.
#[test]
fn cli_fi_sweeps_the_model_files_drive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let preset = dir.path().join("p.ron");
    std::fs::write(&preset, "(model: \"IzhikevichVIext\")\n").unwrap();
    let out = dir.path().join("fi.csv");
    let status = Command::new(env!("CARGO_BIN_EXE_neuron-explorer"))
        .args(["fi"])
        .arg(&preset)
        .arg("--out")
        .arg(&out)
        .arg("--model-file")
        .arg(fixture("izhikevich_V_Iext.neuron"))
        .args([
            "--from",
            "0",
            "--to",
            "200",
            "--steps",
            "5",
            "--threads",
            "1",
        ])
        .output()
        .expect("runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv.starts_with("I_ext,rate_hz,"), "{csv}");
    assert!(String::from_utf8_lossy(&status.stdout).contains("I_ext"));
}

/// `describe` shows the roles, declared or inferred.
#[test]
fn describe_shows_the_roles() {
    let out = Command::new(env!("CARGO_BIN_EXE_neuron-explorer"))
        .arg("describe")
        .arg(fixture("izhikevich_V_Iext.neuron"))
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Roles: membrane V [mV], drive I_ext [pA]"),
        "{text}"
    );
    assert!(text.contains("  gate: w\n  current: I_in\n"), "{text}");
}

/// No code outside the model loader names CompNeuroPy's membrane potential or drive:
/// it asks the model for its roles (`model::roles`). Comment lines (doc examples of
/// the preset syntax) are not code.
#[test]
fn no_role_literals_outside_the_model_loader() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path != src.join("model") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    let code = line.trim_start();
                    if !code.starts_with("//")
                        && (code.contains("\"v\"") || code.contains("\"I_app\""))
                    {
                        found.push(format!("{}:{}: {}", path.display(), n + 1, code));
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "role literals outside src/model:\n{}",
        found.join("\n")
    );
}
