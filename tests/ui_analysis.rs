//! Headless GUI tests of the analysis views (egui_kittest): the phase plane draws
//! nullclines and the rest point of the RS cell, the I–V and f–I panels run their
//! sweeps in the background and show results.
//!
//! Run with `env -u DISPLAY cargo test --test ui_analysis`.

mod ui_common;
use std::time::Duration;
use ui_common::harness;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use neuron_explorer::analysis::Control;
use neuron_explorer::analysis::fi::{FiConfig, fi_sweep};
use neuron_explorer::app::App;
use neuron_explorer::ui::job::JobKind;
use neuron_explorer::ui::{Intent, View};

fn preset(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("presets")
        .join(name)
}

#[test]
fn phase_plane_of_the_rs_cell_shows_nullclines_rest_point_and_trajectory() {
    let mut h = harness();
    h.state_mut().apply(Intent::Open(preset(
        "izhikevich2003_rs_regular_spiking.ron",
    )));
    h.state_mut().apply(Intent::ShowView(View::PhasePlane));
    h.run_steps(2);
    h.state_mut().step_now(6000);
    assert!(h.state_mut().sync_worker(Duration::from_secs(30)));
    h.run_steps(2);
    let app = h.state();
    assert_eq!(app.view(), View::PhasePlane);
    let pp = app.phase_plane();
    let plane = pp.plane.as_ref().expect("a plane for (v, u)");
    assert!(!plane.x_nullcline.is_empty() && !plane.y_nullcline.is_empty());
    let rest = plane
        .fixed_points
        .iter()
        .find(|f| f.stability.is_stable())
        .expect("rest point");
    assert!(
        (rest.x + 70.0).abs() < 1e-6 && (rest.y + 14.0).abs() < 1e-6,
        "{rest:?}"
    );
    assert!(pp.trajectory_points > 100);
    // A slider move recomputes the plane within the frame.
    let before = pp.recomputed;
    let b = app.setup().model.param_index("b").unwrap();
    h.state_mut().apply(Intent::SetParam {
        index: b,
        value: 0.25,
    });
    h.run_steps(1);
    assert!(h.state().phase_plane().recomputed > before);
    let plane = h.state().phase_plane().plane.clone().unwrap();
    // With b = 0.25 the rest point moves to v = -64.41 mV (0.04v^2 + 4.75v + 140 = 0).
    let rest = plane
        .fixed_points
        .iter()
        .find(|f| f.stability.is_stable())
        .expect("rest point");
    assert!((rest.x + 64.414).abs() < 0.001, "{rest:?}");
}

#[test]
fn other_models_get_a_projected_trajectory() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("HHneuronCorbit".into()));
    h.state_mut().apply(Intent::ShowView(View::PhasePlane));
    h.state_mut().step_now(500);
    assert!(h.state_mut().sync_worker(Duration::from_secs(30)));
    h.run_steps(2);
    let pp = h.state().phase_plane();
    // HH models now also get the reduced (Rinzel) plane: see tests/ui_dynamics.rs.
    assert!(pp.trajectory_points > 100);
}

#[test]
fn iv_and_fi_panels_sweep_in_the_background() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("Izhikevich2007".into()));
    h.state_mut().apply(Intent::ShowView(View::Iv));
    h.run_steps(1);
    let setup = h.state().setup().clone();
    {
        h.state_mut().iv_panel().hold_ms = 200.0;
        let request = h.state_mut().iv_panel().start(&setup).expect("a sweep");
        h.state_mut().apply(Intent::StartJob(request));
        assert!(h.state_mut().iv_panel().is_running());
        h.state_mut().wait_job(&JobKind::Iv);
        let iv = h.state_mut().iv_panel();
        let r = iv.result.as_ref().expect("I–V result");
        assert_eq!(r.points.len(), 25);
        assert!(iv.error.is_none());
    }
    h.run_steps(2);
    // A slider move recomputes the I–V by itself (recompute on change).
    let before = h.state_mut().iv_panel().result.clone().expect("I–V").points;
    let vr = h.state().setup().model.param_index("v_r").expect("v_r");
    h.state_mut().apply(Intent::SetParam {
        index: vr,
        value: -65.0,
    });
    h.run_steps(1);
    assert!(h.state_mut().iv_panel().is_running());
    h.state_mut().wait_job(&JobKind::Iv);
    let after = h.state_mut().iv_panel().result.clone().expect("I–V").points;
    assert_ne!(before, after);
    h.run_steps(1);

    h.state_mut().apply(Intent::ShowView(View::Fi));
    h.run_steps(1);
    // The f–I panel starts by itself (recompute on change).
    assert!(h.state_mut().fi_panel().is_running() || h.state_mut().fi_panel().current.is_some());
    h.state_mut().wait_job(&JobKind::Fi);
    let fi = h.state_mut().fi_panel();
    let r = fi.current.as_ref().expect("f–I result");
    assert_eq!(r.points.len(), 21);
    let rheo = r.rheobase().expect("fires within 0..1000 pA");
    assert!(rheo > 0.0 && rheo < 200.0, "{rheo}");
    // A parameter change restarts the sweep.
    let i = h.state().setup().model.param_index("k").unwrap();
    h.state_mut().apply(Intent::SetParam {
        index: i,
        value: 0.8,
    });
    h.run_steps(1);
    assert!(h.state_mut().fi_panel().is_running());
    h.state_mut().wait_job(&JobKind::Fi);
    h.run_steps(1);
}

#[test]
fn write_table_reports_errors() {
    let mut h = harness();
    h.state_mut().apply(Intent::WriteTable {
        path: "/nonexistent-dir/x/iv.csv".into(),
        text: "a\n".into(),
    });
    let err = h.state().toasts.last_error.clone().expect("error toast");
    assert!(err.contains("/nonexistent-dir/x/iv.csv"), "{err}");
}

/// Switches model, draws a frame, and returns the f–I tab's sweep range.
fn select_model(h: &mut Harness<'static, App>, id: &str) -> (f64, f64) {
    h.state_mut().apply(Intent::SelectModel(id.into()));
    h.run_steps(1);
    let fi = h.state_mut().fi_panel();
    (fi.from, fi.to)
}

#[test]
fn fi_range_follows_the_model_and_the_rheobase_is_refined() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("HHneuronCorbit".into()));
    h.state_mut().apply(Intent::ShowView(View::Fi));
    h.run_steps(1);
    h.state_mut().wait_job(&JobKind::Fi);
    h.run_steps(1);
    {
        let fi = h.state_mut().fi_panel();
        // The HH slider range of I_app is -5..20 uA/cm2, swept from 0.
        assert_eq!((fi.from, fi.to), (0.0, 20.0));
        let r = fi.current.as_ref().expect("f–I result");
        let (silent, spiking) = r.rheobase_bracket.expect("refined rheobase");
        // The grid step is 1; three 9-fold rounds leave 1/729 of it.
        assert!(
            spiking - silent <= 1.0 / 729.0 + 1e-9,
            "{silent}..{spiking}"
        );
        assert!((3.0..4.0).contains(&spiking), "{spiking}");
    }
    // The bracket is real: its silent end gives no spike in the window, the other does.
    let (silent, spiking) = h
        .state_mut()
        .fi_panel()
        .current
        .as_ref()
        .and_then(|r| r.rheobase_bracket)
        .expect("bracket");
    let resolved = h.state().setup().resolve().expect("setup resolves");
    let cfg = FiConfig {
        param: "I_app".into(),
        values: vec![silent, spiking],
        duration_ms: 600.0,
        transient_ms: 100.0,
        threads: 1,
    };
    let check = fi_sweep(&resolved, &cfg, &Control::default()).expect("sweep");
    assert_eq!(check.points[0].n_spikes, 0);
    assert!(check.points[1].n_spikes > 0);
    h.get_by_label_contains("rheobase I_app = 3.21");
    h.get_by_label_contains("uA/cm2 (silent at 3.21");

    // A pinned curve keeps the range when the model changes, so it stays comparable.
    h.get_by_label("Pin curve").click();
    h.run_steps(1);
    assert_eq!(select_model(&mut h, "Izhikevich2007"), (0.0, 20.0));
    // Without pinned curves it takes the new model's range (-200..1000 pA). (The
    // sweep must be done first: its end moves the buttons, and a click goes to where
    // the button was drawn.)
    h.state_mut().wait_job(&JobKind::Fi);
    h.run_steps(1);
    h.get_by_label("Clear overlays").click();
    h.run_steps(1);
    assert!(h.state_mut().fi_panel().overlays.is_empty());
    select_model(&mut h, "HHneuronCorbit");
    assert_eq!(select_model(&mut h, "Izhikevich2007"), (0.0, 1000.0));
    h.state_mut().wait_job(&JobKind::Fi);
    h.run_steps(1);
    // Choosing another parameter sweeps its range: the reset potential c is
    // negative throughout, so from its minimum, not from 0.
    h.get_by_role_and_label(Role::ComboBox, "swept parameter")
        .click();
    h.run_steps(2);
    h.get_by_label("c").click();
    h.run_steps(2);
    let c = h.state().setup().model.param_index("c").expect("c");
    let r = h.state().setup().model.desc.parameters[c].range.clone();
    let fi = h.state_mut().fi_panel();
    assert_eq!(fi.param, "c");
    assert!(r.max < 0.0, "{r:?}");
    assert_eq!((fi.from, fi.to), (r.min, r.max));
    h.state_mut().wait_jobs();
}

/// The Compare tab's reference runs live beside the model, in lock-step and fed the
/// live input; its v equals a run of the reference alone with that input.
#[test]
fn the_reference_runs_live_in_lock_step_with_the_same_input() {
    use neuron_explorer::io::preset::load_resolved;
    use neuron_explorer::sim::session::Session;

    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("Izhikevich2007".into()));
    let i_app = h.state().setup().model.param_index("I_app").expect("I_app");
    h.state_mut().apply(Intent::SetParam {
        index: i_app,
        value: 5.0,
    });
    h.state_mut().apply(Intent::ShowView(View::Compare));
    h.run_steps(1);
    h.get_by_label("run live in Traces").click();
    h.run_steps(1);
    // The channel exists once the worker has announced the run with the reference.
    assert!(h.state_mut().sync_worker(Duration::from_secs(30)));
    let name = "v (reference HHneuronCorbit)";
    assert_eq!(h.state().live_reference(), Some(name));
    assert_eq!(
        h.state().channel_names().last().map(String::as_str),
        Some(name)
    );

    h.state_mut().step_now(1000);
    assert!(h.state_mut().sync_worker(Duration::from_secs(30)));
    h.run_steps(2);
    let history = h.state().history();
    assert_eq!(history.len(), 1001);
    let live: Vec<f64> = history
        .channel(h.state().channel_names().len() - 1)
        .expect("reference channel")
        .iter()
        .copied()
        .collect();

    // The reference alone: its preset without its own protocol, I_app held at 5,
    // ten of its 0.01 ms steps per 0.1 ms step of the live model.
    let path = h
        .state_mut()
        .compare_panel()
        .reference_path
        .clone()
        .expect("default reference");
    let mut reference = load_resolved(&path, None).expect("reference preset");
    reference.events = Default::default();
    reference.stimuli.clear();
    let mut alone = Session::new(&reference, 1).expect("session");
    alone.set_param(reference.model.param_index("I_app").expect("I_app"), 5.0);
    let v = reference.model.var_index("v").expect("v");
    let mut spikes = 0;
    for (k, &x) in live.iter().enumerate() {
        assert_eq!(x.to_bits(), alone.engine.var(v, 0).to_bits(), "sample {k}");
        for _ in 0..10 {
            spikes += alone.step();
        }
    }
    assert!(
        spikes >= 3,
        "5 uA/cm2 should make the HH cell fire ({spikes})"
    );

    // Off again: the channel goes.
    h.get_by_label("run live in Traces").click();
    h.run_steps(1);
    assert!(h.state_mut().sync_worker(Duration::from_secs(30)));
    assert_eq!(h.state().live_reference(), None);
    assert!(!h.state().channel_names().iter().any(|n| n == name));
}

/// A reference with a coarser dt than the live model (the Izhikevich set beside the
/// HH cell) steps when the live time reaches its next step and holds in between.
#[test]
fn a_coarser_reference_holds_between_its_steps() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::SelectModel("HHneuronCorbit".into()));
    h.state_mut().compare_panel().reference_path =
        Some(preset("corbit_fsi_izhikevich_fit_bgm2022.ron"));
    h.state_mut().apply(Intent::SetLiveReference(true));
    h.run_steps(1);
    let i_app = h.state().setup().model.param_index("I_app").expect("I_app");
    h.state_mut().apply(Intent::SetParam {
        index: i_app,
        value: 5.0,
    });
    h.state_mut().step_now(3000);
    assert!(h.state_mut().sync_worker(Duration::from_secs(30)));
    h.run_steps(2);
    let ch = h.state().channel_names().len() - 1;
    let reference: Vec<f64> = h
        .state()
        .history()
        .channel(ch)
        .expect("reference channel")
        .iter()
        .copied()
        .collect();
    assert_eq!(reference.len(), 3001);
    assert!(reference.iter().all(|v| v.is_finite()));
    // Ten live 0.01 ms steps per reference 0.1 ms step: it changes only at multiples
    // of ten, and it does change (5 pA drives the Izhikevich set to fire).
    for (k, w) in reference.windows(2).enumerate() {
        if (k + 1) % 10 != 0 {
            assert_eq!(
                w[0].to_bits(),
                w[1].to_bits(),
                "changed at sample {}",
                k + 1
            );
        }
    }
    let (lo, hi) = reference
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    assert!(hi - lo > 20.0, "the reference should spike: {lo}..{hi}");
}
