//! Headless GUI tests (egui_kittest, no GPU): the whole app is driven through its
//! eframe `App` impl; the simulation thread is stepped deterministically with
//! `step_now` + `sync_worker`, so nothing depends on wall-clock speed.
//!
//! Run with `env -u DISPLAY cargo test --test ui` (rfd would open real dialogs).

mod ui_common;
use std::time::Duration;
use ui_common::harness;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use neuron_explorer::app::App;
use neuron_explorer::io::csv::{format_row, header};
use neuron_explorer::io::preset::load_resolved;
use neuron_explorer::model::builtin::builtin_ids;
use neuron_explorer::sim::session::Session;
use neuron_explorer::ui::{ExportScope, Intent};

const SYNC: Duration = Duration::from_secs(30);

/// Exports through the GUI's intent and waits for the background replay.
fn export(
    h: &mut Harness<'static, App>,
    path: &std::path::Path,
    scope: ExportScope,
) -> Result<u64, String> {
    h.state_mut().apply(Intent::Export(path.to_owned(), scope));
    assert!(h.state_mut().sync_worker(SYNC), "worker did not answer");
    h.state_mut().finish_export().expect("an export started")
}

/// Steps the worker `n` times, waits for the samples and draws two frames.
fn step(h: &mut Harness<'static, App>, n: u64) {
    h.state_mut().step_now(n);
    assert!(h.state_mut().sync_worker(SYNC), "worker did not answer");
    h.run_steps(2);
}

#[test]
fn every_model_shows_live_traces() {
    let mut h = harness();
    for id in builtin_ids() {
        h.state_mut().apply(Intent::SelectModel(id.to_owned()));
        h.run_steps(1);
        step(&mut h, 300);
        let app = h.state();
        assert_eq!(app.setup().model.id(), id);
        assert_eq!(app.history().len(), 301, "{id}: row 0 plus one per step");
        assert!(app.points_drawn() > 0, "{id}: plots got no points");
    }
}

#[test]
fn model_picker_switches_models_by_click() {
    let mut h = harness();
    h.get_by_role_and_label(Role::ComboBox, "Model").click();
    h.run_steps(2);
    h.get_by_label("HHneuronCorbit").click();
    h.run_steps(2);
    assert_eq!(h.state().setup().model.id(), "HHneuronCorbit");
}

#[test]
fn moving_the_i_app_slider_reaches_the_engine() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("Izhikevich2007".into()));
    h.run_steps(1);
    h.get_by_role_and_label(Role::Slider, "I_app [pA]")
        .set_value_accesskit(300.0);
    h.run_steps(2);
    let app = h.state();
    let i = app.setup().model.param_index("I_app").expect("I_app");
    assert_eq!(app.setup().parameters[i], 300.0);
    step(&mut h, 10);
    // The last channel records the applied I_app as the engine saw it.
    let app = h.state();
    let applied = app
        .history()
        .channel(app.channel_names().len() - 1)
        .expect("input channel");
    assert_eq!(applied.back().copied(), Some(300.0));
    // And it makes the cell fire (the RS cell spikes at 300 pA).
    step(&mut h, 5000);
    assert!(
        h.state().history().spikes().iter().any(|&s| s),
        "no spike at 300 pA"
    );
    // Undo brings the old value back.
    h.state_mut().apply(Intent::Undo);
    assert_eq!(h.state().setup().parameters[i], 0.0);
}

fn write_preset(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("rs.ron");
    let text = r#"#![enable(implicit_some)]
(
    model: "Izhikevich2007",
    parameters: { "a": 0.03, "d": 100.0, "I_app": 70.0 },
    initial: { "u": 1.5 },
    dt_ms: 0.1,
    duration_ms: 200.0,
    seed: 7,
    events: [ (t_ms: 50.0, set: { "I_app": 120.0 }) ],
    stimuli: [ (target: "I_app", waveform: Pulses(start_ms: 20.0, width_ms: 2.0, period_ms: 25.0, amplitude: 400.0)) ],
)"#;
    std::fs::write(&path, text).expect("write preset");
    path
}

#[test]
fn a_loaded_preset_sets_parameters_and_saves_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_preset(dir.path());
    let mut h = harness();
    h.state_mut().apply(Intent::Open(path));
    h.run_steps(2);
    let app = h.state();
    let m = &app.setup().model;
    assert_eq!(m.id(), "Izhikevich2007");
    assert_eq!(
        app.setup().parameters[m.param_index("I_app").expect("I_app")],
        70.0
    );
    assert_eq!(app.setup().seed, 7);
    assert_eq!(app.setup().stimuli.len(), 1);
    assert_eq!(app.setup().initial[m.var_index("u").expect("u")], Some(1.5));
    // Save and reopen: the same state.
    let saved = dir.path().join("saved.ron");
    let before = format!("{:?}", app.setup().to_preset());
    h.state_mut().apply(Intent::Save(saved.clone()));
    h.state_mut()
        .apply(Intent::SelectModel("HHneuronCorbit".into()));
    h.state_mut().apply(Intent::Open(saved));
    assert_eq!(format!("{:?}", h.state().setup().to_preset()), before);
}

#[test]
fn exported_csv_equals_the_headless_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_preset(dir.path());
    let mut h = harness();
    h.state_mut().apply(Intent::Open(path.clone()));
    h.run_steps(1);
    let resolved = load_resolved(&path, None).expect("preset");
    let n = neuron_explorer::sim::session::steps_for(resolved.duration_ms, resolved.dt_ms);
    step(&mut h, n);
    let csv = dir.path().join("trace.csv");
    export(&mut h, &csv, ExportScope::default()).expect("export");
    let got = std::fs::read_to_string(&csv).expect("exported csv");

    // The same run, headless, as the CLI does it.
    let mut session = Session::new(&resolved, 1).expect("session");
    let vars: Vec<usize> = (0..resolved.model.vars.len()).collect();
    let mut want = header(&resolved.model, &vars);
    let mut line = String::new();
    let row = |s: &Session, spike: bool, line: &mut String| {
        let t = neuron_explorer::io::csv::time_label(s.engine.step_index(), s.engine.dt_ms());
        format_row(line, t, vars.iter().map(|&i| s.engine.var(i, 0)), spike);
    };
    row(&session, false, &mut line);
    want.push_str(&line);
    for _ in 0..n {
        let spikes = session.step();
        row(&session, spikes > 0, &mut line);
        want.push_str(&line);
    }
    assert_eq!(got.lines().count(), want.lines().count());
    assert_eq!(got, want);
    let sidecar = std::fs::read_to_string(dir.path().join("trace.csv.json")).expect("sidecar");
    let json: serde_json::Value = serde_json::from_str(&sidecar).expect("sidecar json");
    assert_eq!(json["model"], "Izhikevich2007");
    assert_eq!(json["seed"], 7);
}

#[test]
fn export_to_an_unwritable_path_reports_and_keeps_the_data() {
    let mut h = harness();
    step(&mut h, 100);
    let before = h.state().history().len();
    let failed = export(
        &mut h,
        std::path::Path::new("/nonexistent-dir/x/trace.csv"),
        ExportScope::default(),
    );
    assert!(failed.is_err());
    let app = h.state();
    let err = app.toasts.last_error.clone().expect("an error toast");
    assert!(err.contains("/nonexistent-dir/x/trace.csv"), "{err}");
    assert_eq!(app.history().len(), before);
}

#[test]
fn a_blow_up_pauses_and_names_the_variable() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("Izhikevich2007".into()));
    // With a * dt far above 2, Euler on du/dt = a (b (v - v_r) - u) diverges.
    h.state_mut().apply(Intent::SetDt(1.0));
    let a = h.state().setup().model.param_index("a").expect("a");
    let i_app = h.state().setup().model.param_index("I_app").expect("I_app");
    h.state_mut().apply(Intent::SetParam {
        index: a,
        value: 1000.0,
    });
    h.state_mut().apply(Intent::SetParam {
        index: i_app,
        value: 100.0,
    });
    step(&mut h, 2000);
    let app = h.state();
    let msg = app.blow_up().expect("blow-up message");
    assert!(
        msg.contains("NaN or infinite") && msg.contains("dt"),
        "{msg}"
    );
    assert!(!app.is_running());
}

#[test]
fn bad_preset_is_a_toast_not_a_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.ron");
    std::fs::write(
        &path,
        "(model: \"Izhikevich2007\", parameters: { \"nope\": 1.0 })",
    )
    .expect("write");
    let mut h = harness();
    h.state_mut().apply(Intent::Open(path));
    h.run_steps(1);
    let err = h.state().toasts.last_error.clone().expect("error toast");
    assert!(err.contains("bad.ron") && err.contains("nope"), "{err}");
}

#[test]
fn keyboard_shortcuts_step_and_reset() {
    let mut h = harness();
    h.run_steps(1);
    h.key_press(egui::Key::S);
    h.run_steps(1);
    assert!(h.state_mut().sync_worker(SYNC));
    assert_eq!(h.state().history().len(), 2);
    h.key_press(egui::Key::R);
    h.run_steps(1);
    assert!(h.state_mut().sync_worker(SYNC));
    assert_eq!(h.state().history().len(), 1);
}

/// Runs at full speed until the worker pauses by itself (or `limit` passes).
fn run_until_paused(h: &mut Harness<'static, App>, limit: Duration) {
    let start = std::time::Instant::now();
    while h.state().is_running() && start.elapsed() < limit {
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(h.state_mut().sync_worker(SYNC), "worker did not answer");
    h.run_steps(2);
}

#[test]
fn a_protocol_preset_pauses_at_its_end_and_the_checkbox_turns_that_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 200 ms at dt 0.1 with a timed event: a protocol to watch once.
    let path = write_preset(dir.path());
    let mut h = harness();
    h.state_mut().apply(Intent::Open(path));
    h.run_steps(2);
    assert!(h.state().setup().pause_at_end, "events imply a protocol");
    h.get_by_role_and_label(Role::Button, "Run").click();
    h.run_steps(1);
    // Running is what the worker publishes: at real time it cannot have ended yet.
    assert!(h.state_mut().sync_worker(SYNC));
    assert!(h.state().is_running());
    h.state_mut().apply(Intent::SetSpeed(f64::INFINITY));
    run_until_paused(&mut h, Duration::from_secs(60));
    assert!(!h.state().is_running(), "still running at the end");
    assert_eq!(h.state().history().len(), 2001, "row 0 plus 2000 steps");
    h.get_by_label_contains("end of the protocol, t = 200 ms");

    // Run continues past the end without pausing again.
    h.get_by_role_and_label(Role::Button, "Run").click();
    h.run_steps(1);
    std::thread::sleep(Duration::from_millis(50));
    h.run_steps(1);
    assert!(h.state_mut().sync_worker(SYNC));
    assert!(h.state().is_running(), "Run must continue past the end");
    h.state_mut().apply(Intent::SetRunning(false));

    // Unchecking "pause there" lets a replay run on past 200 ms.
    h.get_by_label("pause there").click();
    h.run_steps(1);
    assert!(!h.state().setup().pause_at_end);
    h.state_mut().apply(Intent::Reset);
    h.state_mut().apply(Intent::SetRunning(true));
    let start = std::time::Instant::now();
    while h.state().history().len() <= 3000 && start.elapsed() < Duration::from_secs(60) {
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(h.state().history().len() > 3000, "stopped at the old end");
}

#[test]
fn opening_a_preset_while_running_plays_it_from_the_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_preset(dir.path());
    let mut h = harness();
    // At real time, so that the 200 ms protocol cannot end within the frame checked.
    h.state_mut().apply(Intent::SetSpeed(1.0));
    h.state_mut().apply(Intent::SetRunning(true));
    h.run_steps(1);
    assert!(h.state_mut().sync_worker(SYNC));
    assert!(h.state().is_running());
    h.state_mut().apply(Intent::Open(path));
    h.run_steps(1);
    assert!(h.state_mut().sync_worker(SYNC));
    assert!(h.state().is_running(), "the new preset should play");
    // It plays from t = 0 to the end of its 200 ms protocol, then pauses.
    h.state_mut().apply(Intent::SetSpeed(f64::INFINITY));
    run_until_paused(&mut h, Duration::from_secs(60));
    assert_eq!(h.state().setup().seed, 7);
    assert_eq!(h.state().history().len(), 2001);
    // Opened while paused, a preset plays too (issue 10: opening a preset starts it).
    // (At real time again, so that the protocol cannot end before the check.)
    h.state_mut().settings.play_on_open = true;
    h.state_mut().apply(Intent::SetSpeed(1.0));
    h.state_mut().apply(Intent::Open(write_preset(dir.path())));
    h.run_steps(1);
    assert!(h.state_mut().sync_worker(SYNC));
    assert!(h.state().is_running());
}

/// A model of one's own: the Izhikevich (2007) file under another id, with one
/// more term so that it compiles to instructions no built-in kernel was made from.
fn write_own_model(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let own = dir.join("my_izh.neuron");
    let src = include_str!("../assets/models/Izhikevich2007.neuron")
        .replace("id          = Izhikevich2007", "id          = MyIzhikevich")
        .replace("- u + I_v", "- u + I_v + 0.0");
    assert!(src.contains("MyIzhikevich"));
    std::fs::write(&own, &src).expect("write model");
    (own, src)
}

#[test]
fn a_model_file_of_ones_own_loads_runs_and_saves_presets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (own, src) = write_own_model(dir.path());
    let mut h = harness();
    h.state_mut().apply(Intent::OpenModel(own.clone()));
    h.run_steps(1);
    assert_eq!(h.state().setup().model.id(), "MyIzhikevich");
    // Its sliders come from its own description.
    h.get_by_role_and_label(Role::Slider, "I_app [pA]");
    step(&mut h, 100);
    assert_eq!(h.state().history().len(), 101);
    // An export's sidecar names the model file, so the CLI can rerun it.
    let csv = dir.path().join("mine.csv");
    export(&mut h, &csv, ExportScope::default()).expect("export");
    let sidecar = std::fs::read_to_string(dir.path().join("mine.csv.json")).expect("sidecar");
    let json: serde_json::Value = serde_json::from_str(&sidecar).expect("sidecar json");
    assert_eq!(json["model"], "MyIzhikevich");
    assert_eq!(json["model_file"], own.display().to_string());
    // A preset saved from it reopens while that model is loaded.
    let saved = dir.path().join("mine.ron");
    h.state_mut().apply(Intent::Save(saved.clone()));
    h.state_mut().apply(Intent::Open(saved));
    h.run_steps(1);
    assert_eq!(h.state().toasts.last_error, None);
    assert_eq!(h.state().setup().model.id(), "MyIzhikevich");

    // A broken file: an error naming file, line and column; the model stays.
    let bad = dir.path().join("bad.neuron");
    let broken = src.replace("- u + I_v + 0.0", "- u + * I_v");
    let line = 1 + broken
        .lines()
        .position(|l| l.contains("+ * I_v"))
        .expect("the broken line");
    std::fs::write(&bad, broken).expect("write");
    h.state_mut().apply(Intent::OpenModel(bad));
    h.run_steps(1);
    let err = h.state().toasts.last_error.clone().expect("error toast");
    assert!(err.contains(&format!("bad.neuron:{line}:")), "{err}");
    assert_eq!(h.state().setup().model.id(), "MyIzhikevich");
}

#[test]
fn the_next_start_reopens_ones_own_model_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (own, _) = write_own_model(dir.path());
    let mut h = harness();
    h.state_mut().apply(Intent::OpenModel(own.clone()));
    h.run_steps(1);
    let kept = h.state().settings.clone();
    assert_eq!(kept.model_file.as_deref(), Some(own.as_path()));
    drop(h);

    // What the program does at its next start with the settings it kept.
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(move |cc| App::launch(Some(kept.clone()), Some(cc.egui_ctx.clone())));
    h.run_steps(1);
    assert_eq!(h.state().setup().model.id(), "MyIzhikevich");
    assert!(h.state_mut().sync_worker(SYNC));
    assert!(h.state().is_running());
    // Choosing a built-in forgets the file.
    h.state_mut()
        .apply(Intent::SelectModel("Izhikevich2007".into()));
    assert_eq!(h.state().settings.model_file, None);
}
