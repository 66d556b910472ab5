//! Headless GUI tests of the Compare tab (egui_kittest): the loss per term of the
//! current setup against the Corbit HH reference, a background fit applied to the
//! sliders, the same fit as the command line's for the same spec and seed, fits
//! that cannot be applied once the spec changes, and a cancelled fit that keeps its
//! best point.
//!
//! Run with `env -u DISPLAY cargo test --release --test ui_compare`.

mod ui_common;
use std::process::Command;
use std::time::Duration;
use ui_common::harness;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use neuron_explorer::analysis::fitspec::FreeParam;
use neuron_explorer::app::App;
use neuron_explorer::io::preset::load_resolved;
use neuron_explorer::ui::job::JobKind;
use neuron_explorer::ui::{Intent, View};

fn preset(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("presets")
        .join(name)
}

/// The BGM set as candidate against the HH reference, compared once.
fn compared() -> Harness<'static, App> {
    let mut h = harness();
    h.state_mut().apply(Intent::Open(preset(
        "corbit_fsi_izhikevich_fit_bgm2022.ron",
    )));
    // The preset's notes open with it; closed, as a user would, to reach the tab.
    h.state_mut().apply(Intent::ShowNotes(false));
    h.state_mut().compare_panel().reference_path = Some(preset("hh_corbit_fsi_current_step.ron"));
    h.state_mut().apply(Intent::ShowView(View::Compare));
    h.run_steps(1);
    assert!(h.state_mut().compare_panel().is_running());
    h.state_mut().wait_job(&JobKind::Compare);
    h.run_steps(2);
    h
}

fn run_fit(h: &mut Harness<'static, App>) {
    h.get_by_label("Fit").click();
    h.run_steps(1);
    assert!(h.state_mut().compare_panel().fit.is_running());
    let mut frames = 0;
    while h.state_mut().compare_panel().fit.is_running() {
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(20));
        frames += 1;
        assert!(frames < 6000, "the fit did not finish");
    }
}

#[test]
fn compare_view_shows_the_loss_per_term_and_recomputes_on_a_slider_move() {
    let mut h = compared();
    let t = h
        .state_mut()
        .compare_panel()
        .table
        .clone()
        .expect("loss table");
    // The README's numbers for the BGM-2022 set under the default spec.
    assert_eq!(format!("{:.3}", t.loss), "4.704");
    h.get_by_label_contains("f-I RMSE: 6.98 Hz");
    // f-I rate, latency, rheobase, and Γ on each of the three steps.
    assert_eq!(t.rows.len(), 6, "{t:?}");
    assert_eq!(t.rows.iter().filter(|r| r.objective == "gamma").count(), 3);
    // Both steady-state I–V curves: each model's current changes sign between the
    // holds at -75 and -65 mV (both rest at -70.04 mV).
    let (r_iv, c_iv) = h.state_mut().compare_panel().iv.clone().expect("I–V");
    for (name, iv) in [("reference", r_iv), ("candidate", c_iv)] {
        let iv = iv.unwrap_or_else(|| panic!("{name}: no I–V"));
        let at = |v: f64| iv.iter().find(|p| p.v_hold == v).map(|p| p.steady);
        let (below, above) = (at(-75.0).expect("-75"), at(-65.0).expect("-65"));
        assert!(below > 0.0 && above < 0.0, "{name}: {below}, {above}");
    }
    // The same numbers used by both models: no unit warning under the default spec
    // (it states the factor 1).
    assert!(h.state_mut().compare_panel().warning.is_none());
    let i = h.state().setup().model.param_index("d").unwrap();
    h.state_mut().apply(Intent::SetParam {
        index: i,
        value: 9.0,
    });
    h.run_steps(1);
    assert!(h.state_mut().compare_panel().is_running());
    h.state_mut().wait_job(&JobKind::Compare);
    let t2 = h
        .state_mut()
        .compare_panel()
        .table
        .clone()
        .expect("loss table");
    assert_ne!(t2.loss, t.loss);
    // Without a stated factor the HH (uA/cm2) and Izhikevich (pA) units warn.
    h.state_mut().compare_panel().fit.spec.drive_factor = None;
    h.run_steps(1);
    h.state_mut().wait_job(&JobKind::Compare);
    h.run_steps(1);
    let w = h
        .state_mut()
        .compare_panel()
        .warning
        .clone()
        .expect("warning");
    assert!(w.contains("uA/cm2") && w.contains("pA"), "{w}");
}

#[test]
fn a_gui_fit_equals_the_cli_fit_of_the_same_spec_and_seed_and_goes_stale() {
    let mut h = compared();
    let model = h.state().setup().model.clone();
    let (a, d) = (
        model.param_index("a").unwrap(),
        model.param_index("d").unwrap(),
    );
    let (a0, d0) = (
        h.state().setup().parameters[a],
        h.state().setup().parameters[d],
    );
    {
        let fit = &mut h.state_mut().compare_panel().fit;
        // The default spec's free parameters, shown in the model's order.
        assert_eq!(fit.free_names(), ["k", "v_r", "v_t", "a", "b", "c", "d"]);
        // Ticked in the "wrong" order: the fit takes them in model order anyway.
        fit.spec.free = vec![FreeParam::named("d"), FreeParam::named("a")];
        fit.spec.optimiser.evaluations = 20;
        fit.spec.optimiser.seed = 3;
        fit.spec.optimiser.starts = 2;
    }
    run_fit(&mut h);
    let fit = &h.state_mut().compare_panel().fit;
    assert!(fit.error.is_none(), "{:?}", fit.error);
    let r = fit.outcome.clone().expect("fit result").result;
    assert!(!r.cancelled);
    assert_eq!(r.starts.len(), 2);
    assert!(r.after.loss < r.before.loss);
    assert_eq!(r.sensitivity.len(), 2);

    // The command line, same spec and seed: the same values, bit for bit.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cli.ron");
    let status = Command::new(env!("CARGO_BIN_EXE_neuron-explorer"))
        .args(["fit", "--reference"])
        .arg(preset("hh_corbit_fsi_current_step.ron"))
        .arg("--candidate")
        .arg(preset("corbit_fsi_izhikevich_fit_bgm2022.ron"))
        .args([
            "--free",
            "a,d",
            "--evaluations",
            "20",
            "--seed",
            "3",
            "--starts",
            "2",
            "--threads",
            "1",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let cli = load_resolved(&out, None).unwrap();
    assert_eq!(cli.parameters[a].to_bits(), r.parameters[a].to_bits());
    assert_eq!(cli.parameters[d].to_bits(), r.parameters[d].to_bits());

    h.get_by_label("Apply best to sliders").click();
    h.run_steps(1);
    let p = &h.state().setup().parameters;
    assert_eq!((p[a], p[d]), (r.parameters[a], r.parameters[d]));
    assert!(p[a] != a0 || p[d] != d0);
    h.state_mut().apply(Intent::Undo);
    h.run_steps(1);
    assert_eq!(
        (
            h.state().setup().parameters[a],
            h.state().setup().parameters[d]
        ),
        (a0, d0)
    );
    // Another spec: the result no longer applies.
    let reference = h.state_mut().compare_panel().reference_path.clone();
    h.state_mut().compare_panel().fit.spec.optimiser.seed = 4;
    h.run_steps(1);
    let setup = h.state().setup().clone();
    assert!(
        h.state_mut()
            .compare_panel()
            .fit
            .best_values(reference.as_ref(), &setup)
            .is_none()
    );
    h.get_by_label_contains("for another spec/setup");
}

#[test]
fn a_cancelled_fit_keeps_its_best_point_and_says_so() {
    let mut h = compared();
    {
        let fit = &mut h.state_mut().compare_panel().fit;
        fit.spec.free = vec![FreeParam::named("a"), FreeParam::named("d")];
        fit.spec.optimiser.evaluations = 100_000;
    }
    h.get_by_label("Fit").click();
    h.run_steps(1);
    // Wait for a few generations, then cancel.
    let mut frames = 0;
    while h.state_mut().compare_panel().fit.progress.history.len() < 2 {
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(20));
        frames += 1;
        assert!(frames < 3000, "no generation finished");
    }
    h.get_by_label("Cancel").click();
    while h.state_mut().compare_panel().fit.is_running() {
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run_steps(1);
    let o = h
        .state_mut()
        .compare_panel()
        .fit
        .outcome
        .clone()
        .expect("best so far");
    assert!(o.result.cancelled);
    assert!(o.result.after.loss <= o.result.before.loss);
    h.get_by_label_contains("cancelled, best so far");
}
