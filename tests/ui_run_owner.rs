//! Headless GUI tests (egui_kittest) of the run's single owner: the worker announces
//! every new run with its channel layout, and the UI follows the announcement, so
//! plots stay aligned after blow-ups, resets and model switches; views read the
//! current settings, not the last sample; undo covers whole-setup changes.
//!
//! Run with `env -u DISPLAY cargo test --test ui_run_owner`.

mod ui_common;
use std::time::Duration;
use ui_common::harness;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use neuron_explorer::app::App;
use neuron_explorer::ui::{Intent, View};

const SYNC: Duration = Duration::from_secs(30);

fn step(h: &mut Harness<'static, App>, n: u64) {
    h.state_mut().step_now(n);
    assert!(h.state_mut().sync_worker(SYNC), "worker did not answer");
    h.run_steps(2);
}

fn preset(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("presets")
        .join(name)
}

fn param(h: &Harness<'static, App>, name: &str) -> (usize, f64) {
    let setup = h.state().setup();
    let i = setup.model.param_index(name).expect(name);
    (i, setup.parameters[i])
}

/// A blow-up (HH at dt 0.5 ms), a reset and a switch to the Izhikevich cell: the
/// recorded channels are the new model's, and every spike flag sits on the sample
/// where v was reset to c after crossing v_peak.
#[test]
fn channels_stay_aligned_after_a_blow_up_reset_and_model_switch() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("HHneuronCorbit".into()));
    h.state_mut().apply(Intent::SetDt(0.5));
    let (i_app, _) = param(&h, "I_app");
    h.state_mut().apply(Intent::SetParam {
        index: i_app,
        value: 10.0,
    });
    step(&mut h, 4000);
    assert!(
        h.state().blow_up().is_some(),
        "HH at dt 0.5 ms should blow up"
    );
    h.key_press(egui::Key::R);
    h.run_steps(1);
    step(&mut h, 10);
    h.state_mut()
        .apply(Intent::SelectModel("Izhikevich2007".into()));
    h.run_steps(1);
    let (i_app, _) = param(&h, "I_app");
    h.get_by_role_and_label(Role::Slider, "I_app [pA]")
        .set_value_accesskit(300.0);
    h.run_steps(1);
    step(&mut h, 5000);

    let app = h.state();
    let model = &app.setup().model;
    let mut expected: Vec<String> = model.vars.iter().map(|v| v.name.clone()).collect();
    expected.push("I_app (applied)".into());
    assert_eq!(app.channel_names(), expected.as_slice());
    assert_eq!(app.history().channels(), expected.len());
    assert_eq!(app.history().len(), 5001, "row 0 plus one per step");
    assert!(app.points_drawn() > 0);
    let v = app
        .history()
        .channel(model.var_index("v").expect("v"))
        .expect("v");
    let applied = app.history().channel(expected.len() - 1).expect("input");
    assert_eq!(applied.back().copied(), Some(app.setup().parameters[i_app]));
    let c = app.setup().parameters[model.param_index("c").expect("c")];
    let v_peak = app.setup().parameters[model.param_index("v_peak").expect("v_peak")];
    let spikes: Vec<usize> = (0..app.history().len())
        .filter(|&k| app.history().spikes()[k])
        .collect();
    assert!(spikes.len() >= 3, "the RS cell fires at 300 pA");
    for k in spikes {
        assert_eq!(v[k], c, "sample {k}: reset to c in the spiking step");
        assert!(v[k - 1] < v_peak, "sample {k}: below v_peak before");
    }
}

/// Paused, an I_app edit moves the Izhikevich (2007) cell's rest point at once. With
/// u = b(v - v_r) on the u-nullcline, rest solves k x^2 - (k(v_t - v_r) + b) x + I = 0
/// for x = v - v_r (Izhikevich 2007, ch. 8): the smaller root is the stable node.
#[test]
fn the_paused_phase_plane_follows_an_i_app_edit_within_a_frame() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("Izhikevich2007".into()));
    h.state_mut().apply(Intent::ShowView(View::PhasePlane));
    step(&mut h, 100);
    assert!(!h.state().is_running());
    let (i_app, _) = param(&h, "I_app");
    let i_pa = 30.0;
    h.state_mut().apply(Intent::SetParam {
        index: i_app,
        value: i_pa,
    });
    h.run_steps(1);
    let k = param(&h, "k").1;
    let (v_r, v_t, b) = (param(&h, "v_r").1, param(&h, "v_t").1, param(&h, "b").1);
    let a = k * (v_t - v_r) + b;
    let x = (a - (a * a - 4.0 * k * i_pa).sqrt()) / (2.0 * k);
    let plane = h
        .state()
        .phase_plane()
        .plane
        .clone()
        .expect("a (v, u) plane");
    let rest = plane
        .fixed_points
        .iter()
        .find(|f| f.stability.is_stable())
        .expect("a stable rest point");
    assert!(
        (rest.x - (v_r + x)).abs() < 1e-6,
        "{rest:?}, expected v = {}",
        v_r + x
    );
}

/// Load preset A, edit k, load preset B: Ctrl+Z returns to A with the edited k, whole
/// (model, every parameter, dt, events, stimuli); a second Ctrl+Z undoes the edit;
/// Ctrl+Shift+Z redoes both.
#[test]
fn undo_across_a_preset_load_restores_the_previous_state_whole() {
    let mut h = harness();
    h.state_mut().apply(Intent::Open(preset(
        "izhikevich2007_rs_regular_spiking.ron",
    )));
    h.run_steps(1);
    let loaded_a = format!("{:?}", h.state().setup().to_preset());
    let (k, k0) = param(&h, "k");
    h.state_mut().apply(Intent::SetParam {
        index: k,
        value: k0 * 1.5,
    });
    let edited_a = format!("{:?}", h.state().setup().to_preset());
    h.state_mut()
        .apply(Intent::Open(preset("hh_corbit_fsi_current_step.ron")));
    h.run_steps(1);
    let b = format!("{:?}", h.state().setup().to_preset());
    assert_eq!(h.state().setup().model.id(), "HHneuronCorbit");

    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(1);
    assert_eq!(format!("{:?}", h.state().setup().to_preset()), edited_a);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(1);
    assert_eq!(format!("{:?}", h.state().setup().to_preset()), loaded_a);

    let redo = egui::Modifiers::COMMAND | egui::Modifiers::SHIFT;
    h.key_press_modifiers(redo, egui::Key::Z);
    h.key_press_modifiers(redo, egui::Key::Z);
    h.run_steps(1);
    assert_eq!(format!("{:?}", h.state().setup().to_preset()), b);
    // The worker runs what the setup says: its announcement names B's model.
    step(&mut h, 10);
    assert_eq!(
        h.state().recorded_model().map(|m| m.id().to_owned()),
        Some("HHneuronCorbit".to_owned())
    );
}

/// dt, integrator, seed, initial values and stimuli are undoable too.
#[test]
fn setup_edits_are_undoable() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("Izhikevich2007".into()));
    let before = format!("{:?}", h.state().setup().to_preset());
    h.state_mut().apply(Intent::SetDt(0.05));
    h.state_mut()
        .apply(Intent::SetIntegrator(neuron_explorer::sim::Integrator::Rk4));
    h.state_mut().apply(Intent::SetSeed(99));
    h.state_mut().apply(Intent::SetInitial {
        var: 0,
        value: Some(-65.0),
    });
    let stimuli = vec![neuron_explorer::sim::stimulus::Stimulus {
        target: "I_app".into(),
        waveform: neuron_explorer::sim::stimulus::Waveform::Sine {
            amplitude: 3.0,
            frequency_hz: 8.0,
            phase_deg: 0.0,
            offset: 0.0,
        },
    }];
    h.state_mut().apply(Intent::SetStimuli(stimuli));
    assert_ne!(format!("{:?}", h.state().setup().to_preset()), before);
    for _ in 0..5 {
        h.state_mut().apply(Intent::Undo);
    }
    assert_eq!(format!("{:?}", h.state().setup().to_preset()), before);
    step(&mut h, 10);
    assert_eq!(h.state().history().len(), 11);
}

/// Exports through the GUI and waits for the background replay.
fn export(h: &mut Harness<'static, App>, path: &std::path::Path) {
    let scope = neuron_explorer::ui::ExportScope::default();
    h.state_mut().apply(Intent::Export(path.to_owned(), scope));
    assert!(h.state_mut().sync_worker(SYNC), "worker did not answer");
    let rows = h.state_mut().finish_export().expect("an export started");
    rows.expect("export");
}

/// Saves the session as a preset and runs it with the CLI; returns the CLI's CSV.
fn cli_csv_of_session(h: &mut Harness<'static, App>, dir: &std::path::Path) -> String {
    let preset = dir.join("session.ron");
    h.state_mut().apply(Intent::SaveSession(preset.clone()));
    assert!(h.state_mut().sync_worker(SYNC), "worker did not answer");
    assert_eq!(h.state().toasts.last_error, None);
    let out = dir.join("cli.csv");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_neuron-explorer"))
        .args(["run", &preset.display().to_string(), "--out"])
        .arg(&out)
        .output()
        .expect("the CLI runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    std::fs::read_to_string(out).expect("CLI csv")
}

fn pulses(amplitude: f64) -> Vec<neuron_explorer::sim::stimulus::Stimulus> {
    vec![neuron_explorer::sim::stimulus::Stimulus {
        target: "I_app".into(),
        waveform: neuron_explorer::sim::stimulus::Waveform::Pulses {
            start_ms: 5.0,
            width_ms: 2.0,
            period_ms: 15.0,
            amplitude,
            count: None,
        },
    }]
}

/// Slider moves, kicks, stimulus and integrator edits and a dt change, exported from
/// the GUI: byte for byte what `neuron-explorer run` makes of the saved session.
#[test]
fn an_edited_session_exports_exactly_what_the_cli_runs_from_its_saved_preset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("Izhikevich2007".into()));
    h.run_steps(1);
    let (i_app, _) = param(&h, "I_app");
    let (k, k0) = param(&h, "k");
    let v = h.state().setup().model.var_index("v").expect("v");
    step(&mut h, 500);
    h.get_by_role_and_label(Role::Slider, "I_app [pA]")
        .set_value_accesskit(120.0);
    h.run_steps(1);
    step(&mut h, 700);
    h.state_mut().apply(Intent::Kick {
        var: v,
        delta: 15.0,
    });
    step(&mut h, 300);
    h.state_mut().apply(Intent::SetStimuli(pulses(200.0)));
    step(&mut h, 400);
    // dt restarts the run from t = 0 with everything set so far.
    h.state_mut().apply(Intent::SetDt(0.05));
    step(&mut h, 1000);
    h.state_mut().apply(Intent::SetParam {
        index: k,
        value: k0 * 1.2,
    });
    step(&mut h, 333);
    h.state_mut().apply(Intent::Kick {
        var: v,
        delta: -5.0,
    });
    h.state_mut().apply(Intent::SetParam {
        index: i_app,
        value: 60.0,
    });
    step(&mut h, 1);
    h.state_mut().apply(Intent::SetStimuli(pulses(350.0)));
    h.state_mut()
        .apply(Intent::SetIntegrator(neuron_explorer::sim::Integrator::Rk4));
    step(&mut h, 1500);

    let gui = dir.path().join("gui.csv");
    export(&mut h, &gui);
    let got = std::fs::read_to_string(&gui).expect("GUI csv");
    let want = cli_csv_of_session(&mut h, dir.path());
    assert_eq!(
        got.lines().count(),
        1000 + 333 + 1 + 1500 + 2,
        "header + row 0 + steps"
    );
    assert!(
        got == want,
        "the GUI export differs from the CLI's run of the session"
    );
    // And the live recording agrees with both where it holds the samples.
    let history = h.state().history();
    let last = got.lines().last().expect("a row");
    let t_last: f64 = last.split(',').next().expect("t").parse().expect("number");
    assert_eq!(history.t_ms().back().copied(), Some(t_last));
}

/// With the display forced to drop samples (the UI not drained while the worker
/// runs at 10x), the export is still complete and equals the CLI's run.
#[test]
fn an_export_is_complete_even_when_the_display_dropped_samples() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("Izhikevich2007".into()));
    h.run_steps(1);
    let (i_app, _) = param(&h, "I_app");
    h.state_mut().apply(Intent::SetParam {
        index: i_app,
        value: 150.0,
    });
    h.state_mut().apply(Intent::SetSpeed(20.0));
    h.state_mut().apply(Intent::SetRunning(true));
    // No frames: the ring (512 blocks) fills and the worker drops blocks.
    let start = std::time::Instant::now();
    while h.state().dropped_samples() == 0 && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(50));
    }
    h.state_mut().apply(Intent::SetRunning(false));
    assert!(h.state_mut().sync_worker(SYNC));
    assert!(
        h.state().dropped_samples() > 0,
        "the display should have dropped samples"
    );
    // Samples after the lost ones arrive: the plots mark where the display lost some.
    step(&mut h, 10);
    let gaps = h
        .state()
        .history()
        .overview()
        .gaps_in(0.0, f64::INFINITY)
        .count();
    assert!(gaps > 0, "dropped samples leave a marked gap");
    let gui = dir.path().join("gui.csv");
    export(&mut h, &gui);
    let got = std::fs::read_to_string(&gui).expect("GUI csv");
    let want = cli_csv_of_session(&mut h, dir.path());
    assert!(
        got.lines().count() > h.state().history().len() + 1,
        "the export holds samples the display dropped"
    );
    assert!(
        got == want,
        "the GUI export differs from the CLI's run of the session"
    );
}

/// The worker owns what a restart does to running (the app keeps no flag of its
/// own): Reset keeps a running run running from t = 0, a dt change pauses it, and
/// the toolbar's Run/Pause label is the worker's published state.
#[test]
fn reset_keeps_a_running_run_running_and_a_dt_change_pauses_it() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("Izhikevich2007".into()));
    h.state_mut().apply(Intent::SetRunning(true));
    assert!(h.state_mut().sync_worker(SYNC));
    h.run_steps(1);
    assert!(h.state().is_running());
    h.get_by_role_and_label(Role::Button, "Pause");
    h.get_by_role_and_label(Role::Button, "Reset").click();
    h.run_steps(1);
    assert!(h.state_mut().sync_worker(SYNC));
    assert!(h.state().is_running(), "Reset keeps running");
    h.state_mut().apply(Intent::SetDt(0.05));
    assert!(h.state_mut().sync_worker(SYNC));
    h.run_steps(1);
    assert!(!h.state().is_running(), "a dt change pauses");
    h.get_by_role_and_label(Role::Button, "Run");
}
