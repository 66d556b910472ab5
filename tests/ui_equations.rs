//! The Equations and Gallery views, driven as a user does (egui_kittest, no GPU):
//! the HH membrane equation's terms with live values that change while the neuron
//! runs, a click on a parameter in an equation focusing its slider, every built-in
//! model's equations drawn with finite terms at rest, and a gallery cell opening
//! its preset.
//!
//! Run with `env -u DISPLAY cargo test --test ui_equations`.

use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use neuron_explorer::analysis::terms::TermProbe;
use neuron_explorer::app::{App, Settings};
use neuron_explorer::model::builtin::{builtin, builtin_ids};
use neuron_explorer::sim::{Engine, Integrator};
use neuron_explorer::ui::job::JobKind;
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

/// The membrane equation's terms as the panel drew them last frame.
fn membrane_terms(h: &Harness<'static, App>) -> Vec<(String, f64)> {
    h.state()
        .equations_panel()
        .values
        .iter()
        .filter(|t| t.var == "v")
        .map(|t| (t.term.clone(), t.value))
        .collect()
}

fn hh_in_equations_view() -> Harness<'static, App> {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("HHneuronCorbit".into()));
    h.state_mut().apply(Intent::ShowView(View::Equations));
    h.run_steps(1);
    h
}

#[test]
fn hh_membrane_terms_show_live_values_that_change_while_running() {
    let mut h = hh_in_equations_view();
    let model = h.state().setup().model.clone();
    let i_app = model.param_index("I_app").unwrap();
    h.state_mut().apply(Intent::SetParam {
        index: i_app,
        value: 5.0,
    });
    step(&mut h, 10);
    let before = membrane_terms(&h);
    let names: Vec<&str> = before.iter().map(|(t, _)| t.as_str()).collect();
    // The four currents and the drive, with the signs the model file gives them.
    assert_eq!(
        names,
        ["−I_{L}", "−I_{Na}", "−I_{Kv3}", "−I_{Kv1}", "+I_{app}"]
    );
    // Independent check of two terms against the recorded state: the drive is the
    // slider's value, and −I_L = −ḡ_L (v − v_L) from the leak's textbook formula.
    let app = h.state();
    let v_now = *app
        .history()
        .channel(model.var_index("v").unwrap())
        .unwrap()
        .back()
        .unwrap();
    let p = |n: &str| app.setup().parameters[model.param_index(n).unwrap()];
    assert_eq!(before[4].1, 5.0);
    let leak = -p("gg_L") * (v_now - p("v_L"));
    assert!(
        (before[0].1 - leak).abs() < 1e-9,
        "{} vs {leak}",
        before[0].1
    );
    // 3 ms later, during the first spike's upstroke or its approach, every term moved.
    step(&mut h, 300);
    let after = membrane_terms(&h);
    assert_eq!(after.len(), 5);
    for ((name, a), (_, b)) in before.iter().zip(&after).take(4) {
        assert!(a.is_finite() && b.is_finite(), "{name}: {a} → {b}");
        assert_ne!(a, b, "{name} did not change while running");
    }
}

#[test]
fn clicking_a_parameter_in_an_equation_finds_its_slider() {
    let mut h = hh_in_equations_view();
    step(&mut h, 1);
    h.get_all_by_role_and_label(Role::Link, "gg_Na")
        .next()
        .expect("gg_Na is drawn as a link in the equations")
        .click();
    h.run_steps(3);
    // Scrolled to and outlined (tests cannot see the outline; the state says it).
    assert_eq!(h.state().highlighted_param(), Some("gg_Na"));
    let slider = h
        .get_by_role_and_label(Role::Slider, "gg_Na [mS/cm2]")
        .rect();
    assert!(
        slider.top() >= 0.0 && slider.bottom() <= 900.0,
        "{slider:?} in view"
    );
}

#[test]
fn every_builtin_model_draws_its_equations_with_finite_terms_at_rest() {
    for id in builtin_ids() {
        let model = builtin(id).unwrap().unwrap();
        let mut probe = TermProbe::new(&model).unwrap_or_else(|e| panic!("{id}: {e}"));
        let engine = Engine::new(model.clone(), 1, model.desc.dt_ms, Integrator::Euler, 1).unwrap();
        let params: Vec<f64> = model.desc.parameters.iter().map(|p| p.default).collect();
        let state: Vec<f64> = (0..model.vars.len()).map(|i| engine.var(i, 0)).collect();
        probe.eval(&params, &state, 0.0, model.desc.dt_ms);
        for (term, value) in probe.terms().iter().zip(probe.term_values()) {
            assert!(
                value.is_finite(),
                "{id}: a term of equation {} is {value}",
                term.equation
            );
        }
    }
    let mut h = harness();
    h.state_mut().apply(Intent::ShowView(View::Equations));
    for id in builtin_ids() {
        h.state_mut().apply(Intent::SelectModel(id.to_owned()));
        h.run_steps(1);
        step(&mut h, 2);
        let app = h.state();
        assert_eq!(app.setup().model.id(), id);
        for t in &app.equations_panel().values {
            assert!(
                t.value.is_finite(),
                "{id}: {} of d{}/dt is {}",
                t.term,
                t.var,
                t.value
            );
        }
    }
}

#[test]
fn a_gallery_cell_opens_its_preset() {
    let mut h = harness();
    h.state_mut().apply(Intent::ShowView(View::Gallery));
    h.run_steps(1);
    h.state_mut().wait_job(&JobKind::Gallery);
    h.run_steps(2);
    let cells = &h.state_mut().gallery_panel().cells;
    // 2003: RS IB CH FS LTS TC RZ; 2007: RS IB CH FS LTS LS.
    assert_eq!(
        cells.len(),
        13,
        "{:?}",
        cells.iter().map(|c| &c.title).collect::<Vec<_>>()
    );
    h.get_by_label("Open 2007 LS: late spiking").click();
    h.run_steps(2);
    assert!(h.state_mut().sync_worker(SYNC));
    let app = h.state();
    let p = |n: &str| app.setup().parameters[app.setup().model.param_index(n).unwrap()];
    assert_eq!(app.setup().model.id(), "Izhikevich2007");
    assert_eq!(
        (p("C"), p("k"), p("v_r")),
        (20.0, 0.3, -66.0),
        "the LS preset's values"
    );
}
