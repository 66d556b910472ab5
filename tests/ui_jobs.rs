//! The app owns every background job (`app::jobs`): a sweep keeps running while
//! another tab shows and its result reaches its panel through the app's frames;
//! Cancel in a panel cancels the app's job; sweeps of different tabs run at once.

mod ui_common;
use std::time::{Duration, Instant};
use ui_common::harness;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use neuron_explorer::app::App;
use neuron_explorer::ui::job::JobKind;
use neuron_explorer::ui::{Intent, View};

/// Draws frames (as the window would) until no job of `kind` runs.
fn frames_until_done(h: &mut Harness<'static, App>, kind: &JobKind) {
    let start = Instant::now();
    while h.state().is_job_running(kind) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{kind:?} never ended"
        );
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(10));
    }
    h.run_steps(1);
}

#[test]
fn a_sweep_keeps_running_on_another_tab_and_its_result_arrives() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("Izhikevich2007".into()));
    h.get_by_role_and_label(Role::Button, "f–I curve").click();
    h.run_steps(2);
    assert!(h.state().is_job_running(&JobKind::Fi));
    assert!(h.state_mut().fi_panel().current.is_none());
    // Back to the traces: the f–I panel is no longer drawn, its sweep goes on.
    h.get_by_role_and_label(Role::Button, "Traces").click();
    h.run_steps(1);
    assert_eq!(h.state().view(), View::Traces);
    frames_until_done(&mut h, &JobKind::Fi);
    let fi = h.state_mut().fi_panel();
    assert!(fi.progress.is_none());
    let r = fi.current.as_ref().expect("the f–I curve arrived");
    assert_eq!(r.points.len(), 21);
    assert!(fi.error.is_none(), "{:?}", fi.error);
}

#[test]
fn cancel_in_the_panel_cancels_the_apps_job() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("Izhikevich2007".into()));
    // Many long runs, so that the sweep is still going when Cancel is clicked.
    h.state_mut().fi_panel().steps = 1000;
    h.state_mut().fi_panel().duration_ms = 5000.0;
    h.get_by_role_and_label(Role::Button, "f–I curve").click();
    h.run_steps(2);
    assert!(h.state().is_job_running(&JobKind::Fi));
    h.get_by_role_and_label(Role::Button, "Cancel").click();
    h.run_steps(1);
    assert!(!h.state().is_job_running(&JobKind::Fi));
    assert!(h.state().running_jobs().is_empty());
    let fi = h.state_mut().fi_panel();
    assert!(fi.progress.is_none() && !fi.auto && fi.current.is_none());
    // The button is Compute again.
    h.run_steps(1);
    h.get_by_role_and_label(Role::Button, "Compute");
}

#[test]
fn sweeps_of_two_tabs_run_at_once_and_both_arrive() {
    let mut h = harness();
    // The HH model at dt 0.01 ms: its 2 s clamp sweep takes a while.
    h.state_mut().apply(Intent::Open(
        "presets/hh_corbit_fsi_current_step.ron".into(),
    ));
    {
        let b = h.state_mut().bifurcation_panel();
        b.steps = 10;
        b.run_ms = 200.0;
    }
    h.get_by_role_and_label(Role::Button, "I–V (voltage clamp)")
        .click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Bifurcation").click();
    h.run_steps(2);
    let running = h.state().running_jobs();
    assert!(running.contains(&JobKind::Iv), "{running:?}");
    assert!(running.contains(&JobKind::Bifurcation), "{running:?}");
    frames_until_done(&mut h, &JobKind::Iv);
    frames_until_done(&mut h, &JobKind::Bifurcation);
    assert_eq!(
        h.state_mut()
            .iv_panel()
            .result
            .as_ref()
            .map(|r| r.points.len()),
        Some(25),
        "−100 … +20 mV in 5 mV steps"
    );
    let b = h.state_mut().bifurcation_panel();
    assert_eq!(b.current.as_ref().map(|b| b.attractor.len()), Some(10));
}

/// An f–I overlay of another preset: the panel names the file, the app reads it on
/// the job's thread and the curve arrives labelled by the file's name.
#[test]
fn an_fi_overlay_preset_is_read_by_the_app_and_its_curve_arrives() {
    // The in-app file dialog answers (tests/faults_ui.rs covers falling back to it).
    let mut h = harness();
    h.state_mut().use_in_app_dialogs();
    h.state_mut()
        .apply(Intent::SelectModel("Izhikevich2007".into()));
    h.get_by_role_and_label(Role::Button, "f–I curve").click();
    h.run_steps(2);
    // The tab's own sweep first: its row of buttons changes when it ends.
    h.state_mut().wait_job(&JobKind::Fi);
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Add preset…").click();
    // The click's intent opens the dialog after that frame; its first frames measure.
    let file = "corbit_fsi_izhikevich_fit_bgm2022.ron";
    for _ in 0..50 {
        if h.query_by_label(file).is_some() {
            break;
        }
        h.run_steps(1);
    }
    let toasts: Vec<String> = h
        .state()
        .toasts
        .messages()
        .map(|t| t.text.clone())
        .collect();
    assert!(
        h.query_by_label(file).is_some(),
        "no {file} listed; toasts {toasts:?}"
    );
    h.get_by_label(file).click();
    h.run_steps(2);
    h.get_by_role_and_label(Role::Button, "Open").click();
    h.run_steps(1);
    let kind = JobKind::FiOverlay("corbit_fsi_izhikevich_fit_bgm2022".into());
    assert!(
        h.state().is_job_running(&kind),
        "{:?}",
        h.state().running_jobs()
    );
    frames_until_done(&mut h, &kind);
    let fi = h.state_mut().fi_panel();
    assert!(fi.error.is_none(), "{:?}", fi.error);
    let labels: Vec<&str> = fi.overlays.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(labels, ["corbit_fsi_izhikevich_fit_bgm2022"]);
    assert_eq!(fi.overlays[0].1.points.len(), 21);
}
