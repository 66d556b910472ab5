//! Headless GUI tests of the dynamics tabs (egui_kittest): the bifurcation and map
//! tabs open from their tab buttons, compute in the background, recompute when
//! another slider moves but not when the swept one does, and a click on the map
//! sets both parameters as one undo step.
//!
//! Run with `env -u DISPLAY cargo test --test ui_dynamics`.

mod ui_common;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use neuron_explorer::app::App;
use neuron_explorer::ui::job::JobKind;
use neuron_explorer::ui::{Intent, View};
use ui_common::harness;

fn open(h: &mut Harness<'static, App>, name: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("presets")
        .join(name);
    h.state_mut().apply(Intent::Open(path));
    h.state_mut().apply(Intent::SetRunning(false));
    h.run_steps(2);
}

fn param(h: &Harness<'static, App>, name: &str) -> (usize, f64) {
    let s = h.state().setup();
    let i = s.model.param_index(name).unwrap();
    (i, s.parameters[i])
}

#[test]
fn bifurcation_tab_computes_and_follows_other_sliders() {
    let mut h = harness();
    open(&mut h, "izhikevich2007_rs_regular_spiking.ron");
    h.get_by_role_and_label(Role::Button, "Bifurcation").click();
    h.run_steps(2);
    assert_eq!(h.state().view(), View::Bifurcation);
    h.state_mut().wait_job(&JobKind::Bifurcation);
    let b = h
        .state_mut()
        .bifurcation_panel()
        .current
        .clone()
        .expect("a diagram");
    assert_eq!(b.param, "I_app");
    // RS at I_app = 0 rests: one stable and one unstable equilibrium.
    let at0: Vec<_> = b.equilibria_at(0.0).collect();
    assert_eq!(
        at0.iter().filter(|e| e.stability.is_stable()).count(),
        1,
        "{at0:?}"
    );
    // Moving the swept parameter only moves the marker.
    let (ia, _) = param(&h, "I_app");
    h.state_mut().apply(Intent::SetParam {
        index: ia,
        value: 100.0,
    });
    h.run_steps(2);
    assert!(!h.state_mut().bifurcation_panel().is_running());
    // Another slider makes it stale: recomputed in the background.
    let (ib, _) = param(&h, "b");
    h.state_mut().apply(Intent::SetParam {
        index: ib,
        value: 0.0,
    });
    h.run_steps(2);
    assert!(h.state_mut().bifurcation_panel().is_running());
    h.state_mut().wait_job(&JobKind::Bifurcation);
    let b2 = h.state_mut().bifurcation_panel().current.clone().unwrap();
    assert_ne!(b2, b);
}

#[test]
fn map_tab_fills_in_and_a_click_jumps_there_undoably() {
    let mut h = harness();
    open(&mut h, "izhikevich2003_rs_regular_spiking.ron");
    h.get_by_role_and_label(Role::Button, "Parameter map")
        .click();
    h.run_steps(2);
    assert_eq!(h.state().view(), View::Map);
    {
        let panel = h.state_mut().map_panel();
        panel.steps = 16;
    }
    h.run_steps(2);
    h.state_mut().wait_job(&JobKind::Map);
    h.run_steps(2);
    let m = h.state_mut().map_panel().current.clone().expect("a map");
    assert_eq!(m.x.as_ref().unwrap().param, "c");
    assert_eq!(m.y.as_ref().unwrap().param, "d");
    assert_eq!(m.passes_done, 4);
    assert!(m.cells.iter().all(Option::is_some));
    // Click in the middle of the plot, below the hint label.
    let before = (param(&h, "c").1, param(&h, "d").1);
    let hint = h.get_by_label("Click a pixel to go there.").rect();
    let pos = egui::pos2(hint.center().x, hint.bottom() + 300.0);
    h.hover_at(pos);
    h.run_steps(1);
    h.drag_at(pos);
    h.run_steps(1);
    h.drop_at(pos);
    h.run_steps(2);
    let after = (param(&h, "c").1, param(&h, "d").1);
    assert_ne!(after, before, "the click moved the settings");
    let (xs, ys) = (&m.x.as_ref().unwrap().values, &m.y.as_ref().unwrap().values);
    assert!(
        xs.contains(&after.0) && ys.contains(&after.1),
        "{after:?} is a pixel"
    );
    // Moving c or d does not recompute the map.
    assert!(!h.state_mut().map_panel().is_running());
    h.state_mut().apply(Intent::Undo);
    h.run_steps(1);
    assert_eq!((param(&h, "c").1, param(&h, "d").1), before);
}

#[test]
fn traces_tab_shows_the_features_of_the_visible_window() {
    let mut h = harness();
    open(&mut h, "izhikevich2003_ch_chattering.ron");
    h.state_mut().apply(Intent::ShowView(View::Traces));
    // The whole 500 ms protocol (5000 steps), then a frame to show it.
    h.state_mut().step_now(5000);
    assert!(
        h.state_mut()
            .sync_worker(std::time::Duration::from_secs(30))
    );
    h.run_steps(2);
    let f = h
        .state()
        .features_panel()
        .features
        .clone()
        .expect("features");
    // The same run as `neuron-explorer features` (tests/dynamics.rs): 37 spikes,
    // chattering; the default window covers it all.
    assert_eq!(f.spike_count, 37, "{f:?}");
    assert_eq!(f.class.name(), "bursting");
    h.get_by_label("Firing features (visible window)").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("class: bursting").is_some());
}

#[test]
fn izhikevich_phase_plane_draws_resets_as_jumps() {
    let mut h = harness();
    open(&mut h, "izhikevich2003_rs_regular_spiking.ron");
    h.state_mut().apply(Intent::ShowView(View::PhasePlane));
    h.state_mut().step_now(5000);
    assert!(
        h.state_mut()
            .sync_worker(std::time::Duration::from_secs(30))
    );
    h.run_steps(2);
    // The preset fires 10 spikes in its 500 ms, all within the default window.
    assert_eq!(h.state().phase_plane().reset_jumps, 10);
    assert!(h.query_by_label_contains("spike at v ≥ 30").is_some());
}

#[test]
fn hh_phase_plane_is_the_reduced_plane_with_the_rest_point() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("HHneuronCorbit".into()));
    h.state_mut().apply(Intent::SetRunning(false));
    h.state_mut().apply(Intent::ShowView(View::PhasePlane));
    h.state_mut().step_now(2000);
    assert!(
        h.state_mut()
            .sync_worker(std::time::Duration::from_secs(30))
    );
    h.run_steps(2);
    let pp = h.state().phase_plane();
    let plane = pp.plane.as_ref().expect("a reduced plane for (v, gate)");
    assert!(!plane.x_nullcline.is_empty() && !plane.y_nullcline.is_empty());
    // At rest the full system's equilibrium (v = -70.038 mV, the model's initial
    // state and the bifurcation diagram's equilibrium at I_app = 0) is a fixed point
    // of the reduced plane too, and stable.
    let rest = plane
        .fixed_points
        .iter()
        .find(|f| f.stability.is_stable())
        .expect("rest point");
    assert!((rest.x + 70.038).abs() < 0.01, "{rest:?}");
    assert!(pp.trajectory_points > 10);
}

/// The Compute and Cancel buttons of the bifurcation tab: a click on Cancel stops
/// the job (and its automatic recompute); a click on Compute starts it again.
#[test]
fn bifurcation_tab_compute_and_cancel_buttons() {
    let mut h = harness();
    open(&mut h, "izhikevich2007_rs_regular_spiking.ron");
    h.get_by_role_and_label(Role::Button, "Bifurcation").click();
    h.run_steps(1);
    // Many points so that the job is still running when Cancel is clicked.
    h.state_mut().bifurcation_panel().steps = 2000;
    let setup = h.state().setup().clone();
    let request = h
        .state_mut()
        .bifurcation_panel()
        .start(&setup)
        .expect("a computation");
    h.state_mut().apply(Intent::StartJob(request));
    h.run_steps(1);
    assert!(h.state_mut().bifurcation_panel().is_running());
    h.get_by_role_and_label(Role::Button, "Cancel").click();
    h.run_steps(2);
    assert!(!h.state_mut().bifurcation_panel().is_running());
    assert!(!h.state_mut().bifurcation_panel().auto);
    h.get_by_role_and_label(Role::Button, "Compute").click();
    h.run_steps(2);
    assert!(h.state_mut().bifurcation_panel().is_running());
    h.state_mut().wait_job(&JobKind::Bifurcation);
    assert!(h.state_mut().bifurcation_panel().current.is_some());
}
