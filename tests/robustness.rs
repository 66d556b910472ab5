//! Mangled input never panics: thousands of random edits of a valid preset and of a
//! valid model file must each parse to a value or to an error message.

use neuron_explorer::io::preset::Preset;
use neuron_explorer::model::builtin::BUILTIN_SOURCES;
use neuron_explorer::model::load_model;
use neuron_explorer::sim::rng::Mt19937;
use neuron_explorer::sim::{Engine, Integrator};

const PRESET: &str = r#"(
    model: "Izhikevich2007CorbitFsiNoisyAmpa",
    parameters: { "C": 1.0, "k": 0.065839636773661, "nonlin": 2.05780715954647 },
    initial: { "v": -70.04, "u": 0.0 },
    dt_ms: 0.1, duration_ms: 400.0, integrator: "euler", seed: 2024,
    events: [(t_ms: 50.0, set: { "I_app": 5.0 }), (t_ms: 100.0, add: { "g_ampa": 0.3 })],
    stimuli: [(target: "I_app", waveform: Pulses(start_ms: 1.0, width_ms: 2.0, period_ms: 5.0, amplitude: 1.0, count: Some(3)))],
)"#;

/// Deletes, duplicates, replaces or inserts a few random bytes.
fn mangle(src: &[u8], rng: &mut Mt19937) -> Vec<u8> {
    let mut b = src.to_vec();
    let edits = 1 + rng.next_u32() % 4;
    for _ in 0..edits {
        if b.is_empty() {
            break;
        }
        let i = rng.next_u32() as usize % b.len();
        let pick = |rng: &mut Mt19937| {
            let alphabet = b"()[]{}:,.\"=+-*/<>#|0123456789eE_ \nabcvdt\xff";
            alphabet[rng.next_u32() as usize % alphabet.len()]
        };
        match rng.next_u32() % 4 {
            0 => {
                b.remove(i);
            }
            1 => {
                let c = b[i];
                b.insert(i, c);
            }
            2 => b[i] = pick(rng),
            _ => {
                let c = pick(rng);
                b.insert(i, c);
            }
        }
    }
    b
}

#[test]
fn mangled_presets_never_panic() {
    let mut rng = Mt19937::new(11);
    let mut errors = 0;
    for _ in 0..3000 {
        let bytes = mangle(PRESET.as_bytes(), &mut rng);
        match Preset::parse("fuzz.ron", &bytes) {
            Ok(p) => {
                let text = String::from_utf8_lossy(&bytes);
                if let Err(e) = p.resolve("fuzz.ron", &text, None) {
                    assert!(e.to_string().starts_with("fuzz.ron"), "{e}");
                    errors += 1;
                }
            }
            Err(e) => {
                assert!(e.to_string().starts_with("fuzz.ron"), "{e}");
                errors += 1;
            }
        }
    }
    assert!(
        errors > 1000,
        "the mangling should break most presets, broke {errors}"
    );
}

#[test]
fn mangled_model_files_never_panic_and_survive_a_few_steps() {
    let mut rng = Mt19937::new(12);
    let mut compiled = 0;
    for round in 0..2000 {
        let (_, src) = BUILTIN_SOURCES[round % BUILTIN_SOURCES.len()];
        let bytes = mangle(src.as_bytes(), &mut rng);
        let text = String::from_utf8_lossy(&bytes);
        match load_model("fuzz.neuron", &text) {
            Ok(m) => {
                compiled += 1;
                // Whatever compiled must step without panicking (NaN is allowed).
                let mut e = Engine::new(m, 2, 0.1, Integrator::Rk4, 1).unwrap();
                for _ in 0..20 {
                    e.step();
                }
                e.set_integrator(Integrator::Exponential);
                e.step();
            }
            Err(e) => assert!(e.to_string().starts_with("fuzz.neuron:"), "{e}"),
        }
    }
    assert!(
        compiled > 100,
        "mangling comments and numbers often still compiles, got {compiled}"
    );
}

// ---------------------------------------------------------------------------------
// Hostile input, one class at a time (issue 12): each gives a clear message and a
// non-zero exit within seconds; nothing aborts, writes without bound or is ignored.

use std::path::{Path, PathBuf};
use std::process::Output;

const BIN: &str = env!("CARGO_BIN_EXE_neuron-explorer");
const HH_PRESET: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/presets/hh_corbit_fsi_current_step.ron"
);

fn cli(args: &[&str]) -> (Option<i32>, String) {
    let out: Output = std::process::Command::new(BIN).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A valid model file with `rhs` as the right-hand side of dv/dt on line 5.
fn model_with(rhs: &str, functions: &str) -> String {
    format!(
        "[model]\nid = Hostile\n[equations]\n# the line below is line 5\ndv/dt = {rhs} | mV\n[functions]\n{functions}\n"
    )
}

#[test]
fn hostile_model_files_are_refused_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("{}v{}", "(".repeat(900), ")".repeat(900));
    let chain = format!("v{}", " + v".repeat(900));
    let signs = format!("{}v", "-".repeat(1999));
    // Each function doubles the one before: 2^30 terms if inlined.
    let mut doubling = String::from("f0(x) = x + x\n");
    for k in 1..31 {
        doubling.push_str(&format!("f{k}(x) = f{}(x) * f{}(x)\n", k - 1, k - 1));
    }
    let many_lines = format!(
        "[model]\nid = Big\n[parameters]\n{}",
        (0..6000).map(|k| format!("p{k} = 1\n")).collect::<String>()
    );
    let cases = [
        ("deep.neuron", model_with(&deep, ""), ":5:", "levels deep"),
        ("chain.neuron", model_with(&chain, ""), ":5:", "levels deep"),
        ("signs.neuron", model_with(&signs, ""), ":5:", "levels deep"),
        (
            "long.neuron",
            model_with(&"v + ".repeat(3000), ""),
            ":5:",
            "tokens",
        ),
        (
            "doubling.neuron",
            model_with("f30(v)", &doubling),
            ":5:",
            "terms",
        ),
        ("lines.neuron", many_lines, ":5001:", "lines"),
    ];
    for (name, text, place, needle) in cases {
        let path = write(dir.path(), name, &text);
        let start = std::time::Instant::now();
        let (code, err) = cli(&["describe", path.to_str().unwrap()]);
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(err.contains(&format!("{name}{place}")), "{name}: {err}");
        assert!(err.contains(needle), "{name}: {err}");
        assert!(
            start.elapsed().as_secs() < 10,
            "{name} took {:?}",
            start.elapsed()
        );
    }
    let huge = "# padding\n".repeat(200_000);
    // Refused by the bounded read (or the parser's size check), never read whole.
    let path = write(dir.path(), "huge.neuron", &huge);
    let (code, err) = cli(&["describe", path.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("bytes"), "{err}");
}

#[test]
fn hostile_presets_are_refused_with_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv");
    let nested = format!(
        "(model: \"Izhikevich2007\", events: {}{})",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let p = write(dir.path(), "nested.ron", &nested);
    let (code, err) = cli(&["run", p.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("nested.ron:1: field `events"), "{err}");
}

#[test]
fn runs_that_cannot_finish_are_refused_before_they_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv");
    let o = out.to_str().unwrap();
    for (args, needles) in [
        (vec!["--dt-ms", "1e-9"], vec!["steps", "limit", "--force"]),
        (
            vec!["--duration-ms", "1e13"],
            vec!["steps", "free", "--force"],
        ),
        (vec!["--duration-ms", "1e300"], vec!["steps", "any run"]),
        (
            vec!["--duration-ms", "1e300", "--force"],
            vec!["steps", "any run"],
        ),
    ] {
        let mut all = vec!["run", HH_PRESET, "--out", o];
        all.extend(&args);
        let start = std::time::Instant::now();
        let (code, err) = cli(&all);
        assert_eq!(code, Some(4), "{args:?}: {err}");
        for n in needles {
            assert!(err.contains(n), "{args:?}: {err}");
        }
        assert!(start.elapsed().as_secs() < 5);
        assert!(!out.exists(), "nothing written");
    }
    let (code, err) = cli(&[
        "fi",
        HH_PRESET,
        "--out",
        o,
        "--duration-ms",
        "1e9",
        "--steps",
        "3",
    ]);
    assert_eq!(code, Some(4), "{err}");
    assert!(err.contains("steps"), "{err}");
}

#[test]
fn a_blow_up_stops_run_keeps_the_rows_and_names_variable_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv");
    let (code, err) = cli(&[
        "run",
        HH_PRESET,
        "--out",
        out.to_str().unwrap(),
        "--dt-ms",
        "0.5",
    ]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("became NaN or infinite at t = "), "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    let last = text.lines().last().unwrap();
    assert!(
        last.split(',')
            .all(|x| x.parse::<f64>().is_ok_and(f64::is_finite)),
        "rows before the blow-up only: {last}"
    );
    assert!(text.lines().count() > 100, "the rows so far are kept");
    let side = std::fs::read_to_string(dir.path().join("o.csv.json")).unwrap();
    assert!(side.contains("\"stopped\""), "{side}");
}

#[test]
fn an_f_i_sweep_marks_the_points_that_blew_up_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fi.csv");
    // At dt 0.2 ms the HH cell blows up when driven hard (200, 400), not at rest.
    let (code, err) = cli(&[
        "fi",
        HH_PRESET,
        "--out",
        out.to_str().unwrap(),
        "--dt-ms",
        "0.2",
        "--from",
        "0",
        "--to",
        "400",
        "--steps",
        "3",
        "--duration-ms",
        "100",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert_eq!(rows[0], "0,0,0,,,", "the point at rest is kept");
    assert_eq!(&rows[1..], ["200,,,,,", "400,,,,,"], "{text}");
    assert!(
        err.contains("I_app = 200: a variable became NaN or infinite"),
        "{err}"
    );
}

#[test]
fn a_set_that_an_event_overrides_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv");
    let (code, err) = cli(&[
        "run",
        HH_PRESET,
        "--out",
        out.to_str().unwrap(),
        "--set",
        "I_app=8",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("warning: --set I_app=8"), "{err}");
    assert!(err.contains("t = 50 ms"), "{err}");
    let side: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("o.csv.json")).unwrap())
            .unwrap();
    assert_eq!(side["overridden"][0]["parameter"], "I_app");
    assert_eq!(side["overridden"][0]["until_ms"], 50.0);
}

/// Every field of a preset, given a value of the wrong type, is named in the error.
#[test]
fn every_preset_type_error_names_its_field() {
    let base = |field: &str| -> String {
        let fields = [
            ("model", r#""Izhikevich2007""#),
            ("parameters", r#"{"a": 0.03}"#),
            ("initial", r#"{"v": -60.0}"#),
            ("dt_ms", "0.1"),
            ("duration_ms", "100.0"),
            ("integrator", r#""euler""#),
            ("seed", "1"),
            (
                "events",
                r#"[(t_ms: 1.0, set: {"I_app": 1.0}, add: {"u": 1.0})]"#,
            ),
            (
                "stimuli",
                r#"[(target: "I_app", waveform: Pulses(start_ms: 1.0, width_ms: 2.0, period_ms: 5.0, amplitude: 1.0, count: Some(3)))]"#,
            ),
        ];
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| {
                let v = match (*k == field, *k) {
                    (false, _) => v,
                    (true, "model" | "integrator") => "3",
                    (true, _) => "\"oops\"",
                };
                format!("    {k}: {v},")
            })
            .collect();
        format!("(\n{}\n)", body.join("\n"))
    };
    let mut cases: Vec<(String, String)> = [
        "model",
        "dt_ms",
        "duration_ms",
        "integrator",
        "seed",
        "parameters",
        "initial",
        "events",
        "stimuli",
    ]
    .iter()
    .map(|f| (base(f), (*f).to_owned()))
    .collect();
    // Nested fields: the wrong type deep inside, on a line that starts elsewhere.
    let good = base("");
    for (from, to, field) in [
        (r#"{"a": 0.03}"#, r#"{"a": "x"}"#, "parameters.a"),
        (r#"{"v": -60.0}"#, r#"{"v": true}"#, "initial.v"),
        ("t_ms: 1.0", r#"t_ms: "x""#, "events[0].t_ms"),
        (
            r#"set: {"I_app": 1.0}"#,
            r#"set: {"I_app": "x"}"#,
            "events[0].set.I_app",
        ),
        (r#"add: {"u": 1.0}"#, r#"add: {"u": []}"#, "events[0].add.u"),
        (r#"target: "I_app""#, "target: 3", "stimuli[0].target"),
        ("waveform: Pulses", "waveform: Pulse", "stimuli[0].waveform"),
        (
            "start_ms: 1.0",
            r#"start_ms: "x""#,
            "stimuli[0].waveform.start_ms",
        ),
        (
            "width_ms: 2.0",
            "width_ms: ()",
            "stimuli[0].waveform.width_ms",
        ),
        (
            "period_ms: 5.0",
            r#"period_ms: "x""#,
            "stimuli[0].waveform.period_ms",
        ),
        (
            "amplitude: 1.0",
            "amplitude: true",
            "stimuli[0].waveform.amplitude",
        ),
        ("Some(3)", "Some(-3)", "stimuli[0].waveform.count"),
        ("amplitude: 1.0, ", "", "stimuli[0].waveform.amplitude"),
    ] {
        assert!(good.contains(from), "{from}");
        cases.push((good.replacen(from, to, 1), field.to_owned()));
    }
    let mut seen = 0;
    for (text, field) in cases {
        let e = Preset::parse("p.ron", text.as_bytes()).unwrap_err();
        assert_eq!(e.field, field, "{text}\n{e}");
        assert!(e.line.is_some(), "{e}");
        seen += 1;
    }
    assert_eq!(seen, 22);
}

#[test]
fn a_preset_with_200k_events_runs_without_a_quadratic_setup() {
    use neuron_explorer::io::preset::Preset;
    use neuron_explorer::sim::session::Session;
    let mut text = String::from("(model: \"Izhikevich2007\", duration_ms: 2000.0, events: [");
    for k in 0..200_000 {
        // Out of order and colliding steps, as a careless generator writes them.
        let t = ((k * 7919) % 20_000) as f64 * 0.1;
        text.push_str(&format!("(t_ms: {t}, add: {{\"I_app\": 0.0}}),"));
    }
    text.push_str("])");
    let start = std::time::Instant::now();
    let p = Preset::parse("big.ron", text.as_bytes()).unwrap();
    let r = p.resolve("big.ron", &text, None).unwrap();
    let mut s = Session::new(&r, 1).unwrap();
    for _ in 0..20_000 {
        s.step();
    }
    // The quadratic merge took tens of seconds here; see benches/events.rs for timings.
    assert!(start.elapsed().as_secs() < 15, "{:?}", start.elapsed());
}

/// End to end at scale: `run` on 200k scattered events reads them all (the fast
/// reader agrees with `ron`), applies them all (the drive ends at 200k × 1 pA
/// / 1000), and its sidecar's preset reads back to the same events.
#[test]
fn a_200k_event_run_applies_every_event_and_its_sidecar_reproduces_them() {
    let n = 200_000;
    let mut text = String::from("(model: \"Izhikevich2007\", duration_ms: 20000.0, events: [\n");
    for k in 0..n {
        let t = ((k * 7919) % n) as f64 * 0.1;
        text.push_str(&format!("(t_ms: {t}, add: {{\"I_app\": 0.001}}),\n"));
    }
    text.push_str("])\n");
    let fast = Preset::parse("big.ron", text.as_bytes()).unwrap();
    let ron: Preset = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(&text)
        .unwrap();
    assert_eq!(fast, ron, "the fast reader and ron agree on 200k events");

    let dir = tempfile::tempdir().unwrap();
    let preset = write(dir.path(), "big.ron", &text);
    let out = dir.path().join("big.csv");
    let (code, err) = cli(&[
        "run",
        &preset.display().to_string(),
        "--out",
        &out.display().to_string(),
        "--record",
        "I_v",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let csv = std::fs::read_to_string(&out).unwrap();
    let last = csv.lines().last().unwrap();
    let i_v: f64 = last.split(',').nth(1).unwrap().parse().unwrap();
    // Summing 0.001 200k times rounds a little on the way.
    assert!((i_v - 200.0).abs() < 1e-6, "{last}");
    let side: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("big.csv.json")).unwrap())
            .unwrap();
    assert_eq!(side["events"].as_array().map(Vec::len), Some(n));
    let again = Preset::parse("sidecar", side["preset_ron"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(
        again.events, fast.events,
        "the sidecar's preset holds the same events"
    );
}

/// One event naming 100k targets is refused for its size, and cheaply: its map is
/// read with one sort (an insert per name was quadratic: 1M names took 23 s).
#[test]
fn an_event_with_100k_names_is_refused_with_its_field() {
    let names: Vec<String> = (0..100_000).map(|k| format!("\"n{k}\": 1.0")).collect();
    let text = format!(
        "(model: \"Izhikevich2007\", events: [(t_ms: 1.0, set: {{{}}})])",
        names.join(", ")
    );
    let dir = tempfile::tempdir().unwrap();
    let preset = write(dir.path(), "wide.ron", &text);
    let out = dir.path().join("wide.csv").display().to_string();
    let (code, err) = cli(&["run", &preset.display().to_string(), "--out", &out]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("field `events[0]`") && err.contains("100000 entries"),
        "{err}"
    );
}

#[test]
fn an_endless_python_file_is_refused_at_its_limit() {
    // /dev/zero has no size to check up front: the read itself must stop.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let (code, err) = cli(&["import", "/dev/zero", "--out", &out]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("/dev/zero") && err.contains("limit"), "{err}");
}
