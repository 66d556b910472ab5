//! The command line as a user drives it: listing models, running presets, and every
//! kind of broken preset failing with exit code 2 and a message naming the problem.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_neuron-explorer"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

/// Runs the binary and fails the test with its stderr unless it succeeded.
fn run_ok(args: &[&str]) -> Output {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The preset from the simulation-core issue, verbatim.
const ISSUE_PRESET: &str = r#"(
    model: "Izhikevich2007CorbitFsiNoisyAmpa",
    parameters: { "C": 1.0, "k": 0.065839636773661, "nonlin": 2.05780715954647 },
    initial: { "v": -70.04, "u": 0.0 },
    dt_ms: 0.1,
    duration_ms: 400.0,
    integrator: "euler",
    seed: 2024,
    events: [
        (t_ms: 50.0, set: { "I_app": 5.0 }),
        (t_ms: 100.0, add: { "g_ampa": 0.3 }),
    ],
)
"#;

#[test]
fn models_lists_exactly_the_26_builtins() {
    let out = run(&["models"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let ids: Vec<&str> = text
        .lines()
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert_eq!(ids.len(), 26, "{text}");
    for id in [
        "Izhikevich2007CorbitFsiNoisyAmpa",
        "HHneuronCorbit",
        "PoissonNeuronSin",
        "IntegratorNeuronSimple",
    ] {
        assert!(ids.contains(&id), "{id} missing");
    }
}

#[test]
fn describe_shows_parameters_with_units_and_equations() {
    let out = run(&["describe", "HHneuronCorbit"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("gg_Na") && text.contains("mS/cm2"), "{text}");
    assert!(text.contains("dh_Na/dt"), "{text}");
    assert!(text.contains("(v > v_t) and (prev_v <= v_t)"), "{text}");
}

#[test]
fn the_issue_preset_runs_and_the_trace_follows_the_csv_contract() {
    let dir = tmp();
    let preset = write(dir.path(), "p.ron", ISSUE_PRESET.as_bytes());
    let csv = dir.path().join("trace.csv");
    run_ok(&[
        "run",
        preset.to_str().unwrap(),
        "--out",
        csv.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("t,g_ampa,g_gaba,I_v,v,u,s,n,spike"));
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|x| x.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 4001, "row 0 plus 400 ms / 0.1 ms steps");
    assert_eq!(rows[0][0], 0.0);
    assert_eq!(rows[0][4], -70.04, "row 0 is the initial state");
    assert_eq!(rows[1000][0], 100.0);
    // The kick acts before the step starting at 100 ms: row 1000 is before it, and
    // row 1001 shows g_ampa = 0.3 decayed by one Euler step of the model's default
    // tau_ampa = 2 ms.
    assert!(rows[1000][1] < 1e-12);
    assert!(
        (rows[1001][1] - 0.3 * (1.0 - 0.1 / 2.0)).abs() < 1e-12,
        "{}",
        rows[1001][1]
    );
    // I_app = 5 is set before the step starting at 50 ms: I_v = root_func(5, nonlin) - n
    // appears in row 501, not before.
    assert!(rows[500][3].abs() < 0.1, "{}", rows[500][3]);
    let expected = 5f64.powf(1.0 / 2.05780715954647) - rows[500][7];
    assert!(
        (rows[501][3] - expected).abs() < 1e-9,
        "{} vs {expected}",
        rows[501][3]
    );
    let side: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("trace.csv.json")).unwrap())
            .unwrap();
    assert_eq!(side["model"], "Izhikevich2007CorbitFsiNoisyAmpa");
    assert_eq!(side["seed"], 2024);
    assert_eq!(side["parameters"]["k"], 0.065839636773661);
    assert!(side["app"].as_str().unwrap().starts_with("neuron-explorer"));
}

#[test]
fn same_preset_and_seed_give_byte_identical_csv_and_the_sidecar_reproduces_it() {
    let dir = tmp();
    let noisy = r#"(model: "Izhikevich2007NoisyAmpa", parameters: {"I_app": 50.0, "rates_noise": 200.0, "increase_noise": 1.0}, duration_ms: 300.0, seed: 7,
        stimuli: [(target: "I_app", waveform: Noise(mean: 0.0, sigma: 20.0, tau_ms: 5.0))])"#;
    let preset = write(dir.path(), "n.ron", noisy.as_bytes());
    let outs: Vec<Vec<u8>> = (0..2)
        .map(|k| {
            let csv = dir.path().join(format!("t{k}.csv"));
            run_ok(&[
                "run",
                preset.to_str().unwrap(),
                "--out",
                csv.to_str().unwrap(),
            ]);
            std::fs::read(&csv).unwrap()
        })
        .collect();
    assert_eq!(outs[0], outs[1]);
    // Another seed gives another trace.
    let csv = dir.path().join("other.csv");
    assert!(
        run(&[
            "run",
            preset.to_str().unwrap(),
            "--out",
            csv.to_str().unwrap(),
            "--seed",
            "8"
        ])
        .status
        .success()
    );
    assert_ne!(std::fs::read(&csv).unwrap(), outs[0]);
    // The sidecar's full preset reproduces the file byte for byte.
    let side: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("t0.csv.json")).unwrap())
            .unwrap();
    let again = write(
        dir.path(),
        "again.ron",
        side["preset_ron"].as_str().unwrap().as_bytes(),
    );
    let csv = dir.path().join("again.csv");
    run_ok(&[
        "run",
        again.to_str().unwrap(),
        "--out",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(&csv).unwrap(), outs[0]);
}

#[test]
fn overrides_and_record_narrow_the_run() {
    let dir = tmp();
    let preset = write(dir.path(), "p.ron", br#"(model: "Izhikevich2007")"#);
    let csv = dir.path().join("t.csv");
    run_ok(&[
        "run",
        preset.to_str().unwrap(),
        "--out",
        csv.to_str().unwrap(),
        "--set",
        "I_app=100",
        "--duration-ms",
        "10",
        "--dt-ms",
        "0.5",
        "--integrator",
        "rk4",
        "--record",
        "v,u",
    ]);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("t,v,u,spike\n0,-60,0,0\n0.5,"),
        "{}",
        &text[..60.min(text.len())]
    );
    assert_eq!(text.lines().count(), 1 + 21);
}

fn expect_error(dir: &Path, name: &str, bytes: &[u8], needles: &[&str]) {
    let preset = write(dir, name, bytes);
    let csv = dir.join("never.csv");
    let out = run(&[
        "run",
        preset.to_str().unwrap(),
        "--out",
        csv.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{name}: {err}");
    assert!(!err.contains("panicked"), "{name}: {err}");
    for n in needles {
        assert!(err.contains(n), "{name}: `{n}` not in `{err}`");
    }
}

#[test]
fn malformed_presets_fail_with_file_line_and_field() {
    let dir = tmp();
    let d = dir.path();
    expect_error(
        d,
        "syntax.ron",
        b"(\n  model: \"Izhikevich2007\",\n  dt_ms: 0.1\n  duration_ms: 5.0,\n)",
        &["syntax.ron:4"],
    );
    expect_error(
        d,
        "model.ron",
        b"(\n model: \"NoSuchNeuron\",\n)",
        &["model.ron:2", "field `model`", "NoSuchNeuron"],
    );
    expect_error(
        d,
        "param.ron",
        b"(\n model: \"Izhikevich2007\",\n parameters: {\n  \"bogus\": 1.0 },\n)",
        &["param.ron:4", "parameters.bogus"],
    );
    expect_error(
        d,
        "var.ron",
        b"(model: \"Izhikevich2007\",\n initial: {\"w\": 1.0})",
        &["var.ron:2", "initial.w"],
    );
    expect_error(
        d,
        "nan.ron",
        b"(model: \"Izhikevich2007\",\n parameters: {\"C\": NaN})",
        &["nan.ron:2", "parameters.C", "finite"],
    );
    expect_error(
        d,
        "inf.ron",
        b"(model: \"Izhikevich2007\",\n events: [(t_ms: 1.0, set: {\"I_app\": inf})])",
        &["inf.ron:2", "events[0].I_app"],
    );
    expect_error(
        d,
        "dt.ron",
        b"(model: \"Izhikevich2007\",\n dt_ms: 0.0)",
        &["dt.ron:2", "dt_ms", "> 0"],
    );
    expect_error(
        d,
        "negdt.ron",
        b"(model: \"Izhikevich2007\", dt_ms: -1.0)",
        &["negdt.ron:1", "dt_ms"],
    );
    expect_error(d, "empty.ron", b"", &["empty.ron", "empty"]);
    expect_error(
        d,
        "binary.ron",
        &[0x28, 0xff, 0xfe, 0x00, 0x12, 0x9c],
        &["binary.ron:1", "UTF-8"],
    );
    expect_error(
        d,
        "type.ron",
        b"(model: \"Izhikevich2007\",\n dt_ms: \"fast\")",
        &["type.ron:2", "dt_ms"],
    );
    expect_error(
        d,
        "field.ron",
        b"(model: \"Izhikevich2007\",\n speed: 2.0)",
        &["field.ron:2", "speed"],
    );
    expect_error(
        d,
        "integ.ron",
        b"(model: \"Izhikevich2007\",\n integrator: \"leapfrog\")",
        &["integ.ron:2", "integrator", "leapfrog"],
    );
    expect_error(
        d,
        "seed.ron",
        b"(model: \"Izhikevich2007\", seed: -4)",
        &["seed.ron:1"],
    );
    expect_error(d, "stim.ron", b"(model: \"Izhikevich2007\",\n stimuli: [(target: \"I_zz\", waveform: Constant(value: 1.0))])", &["stim.ron:2", "stimuli[0].target"]);
}

#[test]
fn bad_command_line_values_exit_2() {
    let dir = tmp();
    let preset = write(dir.path(), "p.ron", br#"(model: "Izhikevich2007")"#);
    let csv = dir.path().join("t.csv");
    let p = preset.to_str().unwrap();
    let c = csv.to_str().unwrap();
    for args in [
        vec!["run", p, "--out", c, "--set", "I_app"],
        vec!["run", p, "--out", c, "--set", "I_app=lots"],
        vec!["run", p, "--out", c, "--record", "nope"],
        vec!["run", p, "--out", "/nonexistent-dir/t.csv"],
        vec!["run", "/nonexistent.ron", "--out", c],
        vec!["describe", "NoSuchModel"],
    ] {
        let out = run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
    }
}

#[test]
fn a_users_model_file_loads_at_run_time() {
    let dir = tmp();
    let model = write(dir.path(), "lif.neuron", b"[model]\nid = Lif\n[parameters]\ntau = 10 | ms | 1 .. 100 | Membrane time constant.\nI = 2 | mV | 0 .. 5 | Drive.\n[equations]\ntau * dv/dt = -v + I * tau / 10 | mV | Potential.\n[spike]\nv >= 1\n[reset]\nv = 0\n");
    let preset = write(
        dir.path(),
        "p.ron",
        br#"(model: "Lif", duration_ms: 100.0, dt_ms: 0.1)"#,
    );
    let csv = dir.path().join("t.csv");
    run_ok(&[
        "run",
        preset.to_str().unwrap(),
        "--out",
        csv.to_str().unwrap(),
        "--model-file",
        model.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("t,v,spike\n"));
    assert!(text.lines().filter(|l| l.ends_with(",1")).count() >= 3);
    // A broken model file names its line and column.
    let bad = write(dir.path(), "bad.neuron", b"[equations]\ndv/dt = -v +\n");
    let out = run(&[
        "run",
        preset.to_str().unwrap(),
        "--out",
        csv.to_str().unwrap(),
        "--model-file",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.neuron:2:"));
}

#[test]
fn bench_prints_ns_per_neuron_step_last() {
    let out = run(&[
        "bench",
        "--model",
        "Izhikevich2007",
        "--duration-ms",
        "100",
        "--lanes",
        "4",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let last = text.lines().last().unwrap();
    let value: f64 = last
        .strip_prefix("ns per neuron-step: ")
        .unwrap()
        .parse()
        .unwrap();
    assert!(value > 0.0);
    assert!(
        text.contains("execution: compiled kernel Izhikevich2007/euler"),
        "{text}"
    );
}

#[test]
fn bench_interpreted_and_user_models_report_the_interpreter() {
    let dir = tmp();
    let own = dir.path().join("own.neuron");
    // A built-in with one more term compiles to instructions no kernel was made from.
    let src = include_str!("../assets/models/Izhikevich2007.neuron")
        .replace("- u + I_v", "- u + I_v + 0.0");
    std::fs::write(&own, src).unwrap();
    for args in [
        vec!["--model", "Izhikevich2007", "--interpreted"],
        vec!["--model", own.to_str().unwrap()],
    ] {
        let mut all = vec!["bench", "--duration-ms", "10"];
        all.extend(args);
        let out = run(&all);
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("execution: tape interpreter"), "{text}");
    }
}
