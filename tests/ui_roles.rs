//! Headless GUI test (egui_kittest) of a user's model whose roles are not
//! CompNeuroPy's names: membrane `V`, drive `I_ext`, recovery `w`, current `I_in`
//! (tests/fixtures/roles). Opened from File → Open model file it gets a drive
//! slider, traces in the plots its `[roles]` assigns, a phase plane with the analytic
//! rest point, and an f–I tab that sweeps `I_ext`.
//!
//! Run with `env -u DISPLAY cargo test --test ui_roles`.

mod ui_common;
use std::time::Duration;
use ui_common::harness;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use neuron_explorer::ui::job::JobKind;
use neuron_explorer::ui::plot_groups::{CURRENTS, GATES, MEMBRANE, STIMULUS};
use neuron_explorer::ui::{Intent, View};

#[test]
fn a_v_i_ext_model_file_gets_traces_phase_plane_and_f_i() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/roles/izhikevich_V_Iext.neuron");
    let mut h = harness();
    h.state_mut().apply(Intent::OpenModel(file));
    h.run_steps(1);
    assert_eq!(h.state().toasts.last_error, None);
    assert_eq!(h.state().setup().model.id(), "IzhikevichVIext");
    // The drive has its slider, named as the file names it.
    h.get_by_role_and_label(Role::Slider, "I_ext [pA]");

    // Traces: every variable recorded, each in the plot of its role.
    h.state_mut().step_now(2000);
    assert!(h.state_mut().sync_worker(Duration::from_secs(30)));
    h.run_steps(2);
    assert!(h.state().history().len() > 1000);
    assert_eq!(&h.state().channel_names()[..3], ["I_in", "V", "w"]);
    assert_eq!(
        h.state().plot_assignment(),
        [Some(CURRENTS), Some(MEMBRANE), Some(GATES), Some(STIMULUS)]
    );

    // Phase plane of (V, w): at zero drive the rest point is (v_r, 0) = (-60, 0)
    // (tests/roles.rs checks the saddle too, on a wider plane).
    h.state_mut().apply(Intent::ShowView(View::PhasePlane));
    h.run_steps(2);
    let plane = h
        .state()
        .phase_plane()
        .plane
        .clone()
        .expect("a plane for (V, w)");
    assert!(!plane.x_nullcline.is_empty() && !plane.y_nullcline.is_empty());
    let rest = plane
        .fixed_points
        .iter()
        .find(|f| f.stability.is_stable())
        .expect("rest point");
    assert!(
        (rest.x + 60.0).abs() < 1e-3 && rest.y.abs() < 1e-2,
        "{rest:?}"
    );

    // The f–I tab sweeps the drive over its slider range and finds a rheobase.
    h.state_mut().apply(Intent::ShowView(View::Fi));
    h.run_steps(1);
    h.state_mut().wait_job(&JobKind::Fi);
    h.run_steps(1);
    let fi = h.state_mut().fi_panel();
    assert_eq!(fi.param, "I_ext");
    assert_eq!((fi.from, fi.to), (0.0, 1000.0));
    let r = fi.current.as_ref().expect("f–I result");
    assert!(r.points.iter().any(|p| p.n_spikes > 0));
    assert!(r.rheobase_bracket.is_some());
    h.get_by_label_contains("rheobase I_ext = ");
}

/// The stimulus editor draws each waveform's fields from the one table of
/// `sim::waveform_fields` (labels with units, the amplitude in the drive's unit) and
/// refuses what the table's rules refuse.
#[test]
fn the_stimulus_editor_follows_the_waveform_table_and_the_drive() {
    use neuron_explorer::sim::stimulus::Waveform;
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/roles/izhikevich_V_Iext.neuron");
    let mut h = harness();
    h.state_mut().apply(Intent::OpenModel(file));
    h.run_steps(1);
    h.get_by_label("Add stimulus").click_accesskit();
    h.run_steps(2);
    let stimuli = &h.state().setup().stimuli;
    assert_eq!(stimuli.len(), 1);
    // A new stimulus drives the model's drive parameter with a step.
    assert_eq!(stimuli[0].target, "I_ext");
    assert!(matches!(stimuli[0].waveform, Waveform::Step { .. }));
    h.get_by_role_and_label(Role::SpinButton, "from [ms]");
    h.get_by_role_and_label(Role::SpinButton, "amplitude [pA]")
        .set_value_accesskit(250.0);
    h.run_steps(2);
    let Waveform::Step { amplitude, .. } = h.state().setup().stimuli[0].waveform else {
        panic!("still a step")
    };
    assert_eq!(amplitude, 250.0);
    // The ramp's end must lie after its start (its rule in the table).
    h.get_by_role_and_label(Role::ComboBox, "waveform").click();
    h.run_steps(2);
    h.get_by_label("ramp").click();
    h.run_steps(2);
    assert!(matches!(
        h.state().setup().stimuli[0].waveform,
        Waveform::Ramp { .. }
    ));
    h.get_by_role_and_label(Role::SpinButton, "end value [pA]");
    h.get_by_role_and_label(Role::SpinButton, "to [ms]")
        .set_value_accesskit(-5.0);
    h.run_steps(2);
    h.get_by_label_contains("Ramp needs end_ms > start_ms");
    let Waveform::Ramp { end_ms, .. } = h.state().setup().stimuli[0].waveform else {
        panic!("still a ramp")
    };
    assert_eq!(end_ms, 1000.0, "the refused edit is not applied");
}

#[test]
fn a_model_file_closes_the_notes_of_the_preset_before_it() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut h = harness();
    h.state_mut().apply(Intent::Open(
        root.join("presets/hh_corbit_fsi_current_step.ron"),
    ));
    h.run_steps(2);
    assert!(h.state().notes().open, "the preset's notes open with it");
    h.state_mut().apply(Intent::OpenModel(
        root.join("tests/fixtures/roles/izhikevich_V_Iext.neuron"),
    ));
    h.run_steps(2);
    assert_eq!(h.state().setup().model.id(), "IzhikevichVIext");
    assert!(!h.state().notes().open, "notes of another run stay closed");
}
