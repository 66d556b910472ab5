//! The GUI's side of hostile conditions, driven headless as a user would: no system
//! file dialog (the in-app one opens and a toast says why), and a session lost to an
//! abnormal exit (the next start offers Restore / Discard and restores it).

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use neuron_explorer::app::{App, Settings};
use neuron_explorer::ui::Intent;

fn harness() -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(|cc| App::with_settings(Settings::default(), Some(cc.egui_ctx.clone())))
}

#[test]
fn without_a_system_dialog_the_in_app_one_opens_a_preset() {
    // SAFETY: set before any thread of this test reads the environment; no display
    // and no session bus, so rfd can only fail.
    unsafe {
        std::env::remove_var("DISPLAY");
        std::env::remove_var("WAYLAND_DISPLAY");
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent");
    }
    let mut h = harness();
    h.state_mut().apply(Intent::OpenDialog);
    h.run_steps(2);
    let msgs: Vec<String> = h
        .state()
        .toasts
        .messages()
        .map(|t| t.text.clone())
        .collect();
    assert!(
        msgs.iter()
            .any(|m| m.contains("system file dialog is unavailable")),
        "{msgs:?}"
    );
    // The in-app dialog lists the shipped presets; pick one and open it.
    h.get_by_label("hh_corbit_fsi_current_step.ron").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Open").click();
    h.run_steps(3);
    assert_eq!(h.state().setup().model.id(), "HHneuronCorbit");
}

#[test]
fn a_session_lost_to_a_crash_is_offered_and_restored() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut h = harness();
        h.state_mut().enable_autosave(dir.path());
        h.state_mut()
            .apply(Intent::SelectModel("HHneuronCorbit".into()));
        let i = h.state().setup().model.param_index("I_app").unwrap();
        h.state_mut().apply(Intent::SetParam {
            index: i,
            value: 7.25,
        });
        h.run_steps(2);
        // Dropped without `on_exit`: as after a crash, the marker stays.
    }
    let mut h = harness();
    h.state_mut().enable_autosave(dir.path());
    assert!(h.state().restore_offered());
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Restore").click();
    h.run_steps(3);
    let app = h.state();
    assert_eq!(app.setup().model.id(), "HHneuronCorbit");
    let i = app.setup().model.param_index("I_app").unwrap();
    assert_eq!(app.setup().params[i], 7.25);
    assert!(!app.restore_offered());
}
