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

/// No display and no session bus, so rfd can only fail.
fn without_system_dialogs() {
    // SAFETY: every test of this file sets the same values before it reads them;
    // nothing else in this test binary reads these variables.
    unsafe {
        std::env::remove_var("DISPLAY");
        std::env::remove_var("WAYLAND_DISPLAY");
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent");
    }
}

#[test]
fn without_a_system_dialog_the_in_app_one_opens_a_preset() {
    without_system_dialogs();
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
    assert_eq!(app.setup().parameters[i], 7.25);
    assert!(!app.restore_offered());
}

/// The panels' own file choices (Compare's reference, a table's CSV) go through the
/// app's dialogs too, so they also fall back to the in-app dialog.
#[test]
fn panel_file_choices_fall_back_to_the_in_app_dialog() {
    without_system_dialogs();
    let mut h = harness();
    h.get_by_role_and_label(Role::Button, "Compare").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Choose…").click();
    // The click's intent opens the dialog after that frame; a new window's first
    // frame only measures it.
    h.run_steps(3);
    h.get_by_label("hh_bischop_fsi_current_step.ron").click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Open").click();
    h.run_steps(2);
    let chosen = h.state_mut().compare_panel().reference_path.clone();
    assert!(
        chosen.is_some_and(|p| p.ends_with("hh_bischop_fsi_current_step.ron")),
        "the Compare reference is the preset picked in the in-app dialog"
    );

    // A table: the dialog asks for the name; the file holds the panel's text.
    let dir = tempfile::tempdir().unwrap();
    h.state_mut().apply(Intent::SaveTableDialog {
        file_name: "table.csv".into(),
        text: "v_mV,I\n-70,0\n".into(),
    });
    h.run_steps(2);
    h.get_by_label("Folder:").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by_label("Folder:")
        .type_text(&dir.path().display().to_string());
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Save").click();
    h.run_steps(2);
    let written = std::fs::read_to_string(dir.path().join("table.csv")).unwrap();
    assert_eq!(written, "v_mV,I\n-70,0\n");
}

/// After a crash the recording itself can be replayed: the run from its start with
/// the change the user made, where they made it (not only the sliders as they were).
#[test]
fn a_crashed_session_can_replay_its_recording() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut h = harness();
        h.state_mut().enable_autosave(dir.path());
        h.state_mut()
            .apply(Intent::SelectModel("HHneuronCorbit".into()));
        h.state_mut().apply(Intent::SetSpeed(f64::INFINITY));
        h.state_mut().apply(Intent::SetRunning(true));
        h.run_steps(3);
        std::thread::sleep(std::time::Duration::from_millis(50));
        h.run_steps(2);
        let i = h.state().setup().model.param_index("I_app").unwrap();
        h.state_mut().apply(Intent::SetParam {
            index: i,
            value: 7.25,
        });
        h.run_steps(2);
        h.state_mut().autosave_now();
        let file = dir.path().join("autosave.ron");
        let written = (0..200).any(|_| {
            h.run_steps(1);
            std::thread::sleep(std::time::Duration::from_millis(10));
            std::fs::read_to_string(&file).is_ok_and(|t| t.contains("recording_ron: Some"))
        });
        assert!(written, "the recording reaches the autosave file");
        // Dropped without `on_exit`: as after a crash, the marker stays.
    }
    let mut h = harness();
    h.state_mut().enable_autosave(dir.path());
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Replay the recording")
        .click();
    h.run_steps(3);
    let setup = h.state().setup();
    assert_eq!(setup.model.id(), "HHneuronCorbit");
    // The slider edit is an event at the step where it was made, after t = 0.
    let edit = setup
        .events
        .iter()
        .find(|e| e.set.get("I_app") == Some(&7.25))
        .expect("the I_app edit is in the replayed recording");
    assert!(edit.t_ms > 0.0, "made after the run started: {}", edit.t_ms);
}

fn toast_texts(h: &Harness<'static, App>) -> Vec<String> {
    h.state()
        .toasts
        .messages()
        .map(|t| t.text.clone())
        .collect()
}

#[test]
fn a_live_run_that_could_not_be_watched_is_refused_with_its_numbers() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("HHneuronCorbit".into()));
    h.run_steps(2);
    // The smallest dt the field takes is fine live: 1e4 steps per simulated ms.
    h.get_by_role_and_label(Role::SpinButton, "dt [ms]")
        .set_value_accesskit(1e-4);
    h.run_steps(2);
    assert_eq!(h.state().setup().dt_ms, 1e-4);
    // Pausing at the end of 1 s (1e7 steps) is fine too ...
    h.get_by_role_and_label(Role::CheckBox, "pause there")
        .click_accesskit();
    h.run_steps(2);
    assert!(h.state().setup().pause_at_end, "{:?}", toast_texts(&h));
    // ... an end at 1e7 ms is 1e11 steps: hours. Refused, and the end stays.
    let before = h.state().setup().duration_ms;
    h.get_by_role_and_label(Role::SpinButton, "end [ms]")
        .set_value_accesskit(1e7);
    h.run_steps(2);
    assert_eq!(h.state().setup().duration_ms, before);
    let msgs = toast_texts(&h);
    assert!(
        msgs.iter()
            .any(|m| m.contains("end not changed") && m.contains("1.000e11 steps")),
        "{msgs:?}"
    );
    // A preset whose dt makes one simulated ms 1e12 steps is not opened.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("frozen.ron");
    std::fs::write(&path, "(model: \"Izhikevich2007\", dt_ms: 1e-12)").unwrap();
    h.state_mut().apply(Intent::Open(path));
    h.run_steps(2);
    assert_eq!(h.state().setup().model.id(), "HHneuronCorbit");
    let msgs = toast_texts(&h);
    assert!(
        msgs.iter()
            .any(|m| m.contains("not opened") && m.contains("use a larger dt")),
        "{msgs:?}"
    );
}

#[test]
fn a_background_sweep_that_could_not_finish_is_refused_with_its_numbers() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("HHneuronCorbit".into()));
    h.state_mut()
        .apply(Intent::ShowView(neuron_explorer::ui::View::Fi));
    h.run_steps(2);
    h.state_mut()
        .wait_job(&neuron_explorer::ui::job::JobKind::Fi);
    // The smallest dt the field takes (fine live), then the longest sweep the
    // fields take: 1e12 lane-steps or more, days on any machine.
    h.state_mut().apply(Intent::SetDt(1e-4));
    {
        let fi = h.state_mut().fi_panel();
        fi.auto = false;
        fi.steps = 1000;
        fi.duration_ms = 1e7;
    }
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Compute").click();
    h.run_steps(2);
    assert!(
        !h.state()
            .is_job_running(&neuron_explorer::ui::job::JobKind::Fi),
        "{:?} {:?}",
        toast_texts(&h),
        h.state_mut().fi_panel().error
    );
    let msgs = toast_texts(&h);
    assert!(
        msgs.iter().any(|m| m.contains("not started")
            && m.contains("steps")
            && m.contains("fewer points")),
        "{msgs:?}"
    );
    let error = h.state_mut().fi_panel().error.clone().unwrap_or_default();
    assert!(error.contains("fewer points"), "{error}");
}
