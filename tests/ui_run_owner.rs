//! Headless GUI tests (egui_kittest) of the run's single owner: the worker announces
//! every new run with its channel layout, and the UI follows the announcement, so
//! plots stay aligned after blow-ups, resets and model switches; views read the
//! current settings, not the last sample; undo covers whole-setup changes.
//!
//! Run with `env -u DISPLAY cargo test --test ui_run_owner`.

use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use neuron_explorer::app::{App, Settings};
use neuron_explorer::ui::{Intent, View};

const SYNC: Duration = Duration::from_secs(30);

fn harness() -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(|cc| App::with_settings(Settings::default(), Some(cc.egui_ctx.clone())))
}

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
    (i, setup.params[i])
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
    assert_eq!(applied.back().copied(), Some(app.setup().params[i_app]));
    let c = app.setup().params[model.param_index("c").expect("c")];
    let v_peak = app.setup().params[model.param_index("v_peak").expect("v_peak")];
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
    let stimuli = vec![neuron_explorer::io::stimulus::Stimulus {
        target: "I_app".into(),
        waveform: neuron_explorer::io::stimulus::Waveform::Sine {
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
