//! The voltage-clamp tab as taught (issue 10, item 4), driven as a user does: the
//! HHneuronCorbit I–V curve drawn with outward current positive, TTX and TEA as
//! undoable buttons, and the step protocol's traces.
//!
//! Run with `env -u DISPLAY cargo test --test ui_clamp`.

mod ui_common;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use neuron_explorer::app::App;
use neuron_explorer::ui::job::JobKind;
use neuron_explorer::ui::{Intent, View};
use ui_common::harness;

fn open_hh_clamp_tab() -> Harness<'static, App> {
    let mut h = harness();
    h.state_mut().apply(Intent::Open(
        "presets/hh_corbit_fsi_current_step.ron".into(),
    ));
    h.state_mut().apply(Intent::ShowView(View::Iv));
    h.run_steps(2);
    h
}

#[test]
fn the_hh_corbit_clamp_current_is_drawn_outward_positive_at_plus_20_mv() {
    let mut h = open_hh_clamp_tab();
    // The tab starts its sweep by itself (2 s hold, long enough to be steady).
    h.state_mut().wait_job(&JobKind::Iv);
    h.run_steps(2);
    let curve = h.state_mut().iv_panel().plotted_steady();
    let at = |v: f64| curve.iter().find(|p| p[0] == v).map(|p| p[1]);
    // +20 mV: the delayed-rectifier K⁺ current flows out of the cell: positive.
    assert!(at(20.0).is_some_and(|i| i > 0.0), "{:?}", at(20.0));
    // −100 mV, below E_K = −90 mV and E_L = −70 mV: every open channel pulls inward.
    assert!(at(-100.0).is_some_and(|i| i < 0.0), "{:?}", at(-100.0));
    h.get_by_label("steady state");
}

#[test]
fn ttx_and_tea_block_by_name_and_undo() {
    let mut h = open_hh_clamp_tab();
    let model = h.state().setup().model.clone();
    let idx = |n: &str| model.param_index(n).expect(n);
    let (na, kv3, kv1) = (idx("gg_Na"), idx("gg_Kv3"), idx("gg_Kv1"));
    h.get_by_role_and_label(Role::Button, "Apply TTX").click();
    h.run_steps(2);
    assert_eq!(h.state().setup().parameters[na], 0.0);
    h.get_by_role_and_label(Role::Button, "Wash out TTX");
    h.state_mut().apply(Intent::Undo);
    h.run_steps(2);
    assert_eq!(h.state().setup().parameters[na], 112.5);
    h.get_by_role_and_label(Role::Button, "Apply TEA").click();
    h.run_steps(2);
    let p = &h.state().setup().parameters;
    assert_eq!((p[kv3], p[kv1], p[na]), (0.0, 0.0, 112.5));
    // One click, one undo step.
    h.state_mut().apply(Intent::Undo);
    let p = &h.state().setup().parameters;
    assert_eq!((p[kv3], p[kv1]), (225.0, 0.39));
}

#[test]
fn the_step_protocol_shows_one_trace_per_test_potential() {
    let mut h = open_hh_clamp_tab();
    h.get_by_label("Step protocol (test steps, tails)").click();
    h.run_steps(2);
    h.state_mut().wait_job(&JobKind::ClampSteps);
    let panel = &mut h.state_mut().iv_panel().steps;
    let r = panel.result.as_ref().expect("traces");
    // −60 … +20 mV in 10 mV steps.
    assert_eq!(
        r.v_tests_mv,
        [-60.0, -50.0, -40.0, -30.0, -20.0, -10.0, 0.0, 10.0, 20.0]
    );
    assert!(r.current.iter().all(|c| c.len() == r.t_ms.len()));
    assert!(r.test_start_ms < r.tail_start_ms);
}

/// At dt = 2 ms explicit Euler is unstable for the HH model's fast gates at
/// depolarised holds (Euler needs dt < 2 tau): those lanes blow up. The I–V tab
/// marks them (a cross on the axis, a note naming how many and which potentials)
/// instead of leaving a silent gap, and its CSV rows keep the potential only.
#[test]
fn the_iv_tab_marks_holding_potentials_whose_run_blew_up() {
    use neuron_explorer::analysis::clamp::{IvColumns, iv_csv};
    let mut h = open_hh_clamp_tab();
    h.state_mut().apply(Intent::SetDt(2.0));
    // The tab recomputes by itself at the new dt; its result arrives through frames.
    let start = std::time::Instant::now();
    let r = loop {
        h.run_steps(1);
        let result = h.state_mut().iv_panel().result.clone();
        if let Some(r) = result.filter(|r| r.dt_ms == 2.0) {
            break r;
        }
        assert!(start.elapsed().as_secs() < 60, "no I–V at dt 2 ms");
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    h.run_steps(2);
    let blown: Vec<f64> = r
        .points
        .iter()
        .filter(|p| !(p.steady.is_finite() && p.instant.is_finite()))
        .map(|p| p.v_hold)
        .collect();
    assert!(!blown.is_empty(), "no lane blew up at dt 2 ms");
    // Hyperpolarised, the gates are slow enough for dt = 2 ms.
    assert!(blown.iter().all(|&v| v > -30.0), "{blown:?}");
    let list: Vec<String> = blown.iter().map(|v| format!("{v}")).collect();
    h.get_by_label_contains(&format!(
        "Blew up (NaN/inf) at {} holding potentials: {} mV",
        blown.len(),
        list.join(", ")
    ));
    // The crosses' legend entry.
    h.get_by_label("blew up (NaN/inf)");
    // The table the panel exports: a blown-up row keeps its potential only.
    let csv = iv_csv(&r.points, IvColumns::V2);
    for v in &blown {
        assert!(csv.lines().any(|l| l == format!("{v},,,")), "{csv}");
    }
    assert!(!csv.contains("NaN") && !csv.contains("inf"), "{csv}");
}
