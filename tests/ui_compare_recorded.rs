//! Headless GUI test of the Compare tab with a recorded trace as the reference
//! (egui_kittest): a CSV exported by `neuron-explorer run` is chosen (the dialog's
//! answer applied as the dialog would), the tab shows the loss per term against
//! it, and a fit runs against it; a bad CSV is refused with its file, line and
//! column.
//!
//! Run with `env -u DISPLAY cargo test --release --test ui_compare_recorded`.

use std::process::Command;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use neuron_explorer::analysis::fitspec::FreeParam;
use neuron_explorer::app::{App, Settings};
use neuron_explorer::ui::job::JobKind;
use neuron_explorer::ui::{Intent, View};

fn preset(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("presets")
        .join(name)
}

fn harness() -> Harness<'static, App> {
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_eframe(|cc| {
            let settings = Settings {
                play_on_open: false,
                ..Settings::default()
            };
            App::with_settings(settings, Some(cc.egui_ctx.clone()))
        });
    h.state_mut().apply(Intent::Open(preset(
        "corbit_fsi_izhikevich_fit_bgm2022.ron",
    )));
    h.state_mut().apply(Intent::ShowNotes(false));
    h.state_mut().apply(Intent::ShowView(View::Compare));
    h.run_steps(2);
    h.state_mut().wait_job(&JobKind::Compare);
    h
}

fn settle(h: &mut Harness<'static, App>) {
    h.run_steps(1);
    h.state_mut().wait_job(&JobKind::Compare);
    h.run_steps(2);
}

#[test]
fn a_recorded_csv_is_the_reference_of_compare_and_fit() {
    // The BGM-2022 preset's own run (I_app 0 -> 5 at 50 ms, back at 350 ms),
    // exported by the command line: a CSV without a current column, whose sidecar
    // holds the events.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bgm_run.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_neuron-explorer"))
        .arg("run")
        .arg(preset("corbit_fsi_izhikevich_fit_bgm2022.ron"))
        .arg("--out")
        .arg(&csv)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut h = harness();
    // The button asks the app for the file dialog; its answer is applied here.
    h.get_by_label("Recorded CSV…");
    h.state_mut()
        .apply(Intent::UseRecordedReference(csv.clone()));
    settle(&mut h);
    let panel = h.state_mut().compare_panel();
    assert!(panel.error.is_none(), "{:?}", panel.error);
    assert!(panel.recorded.is_some());
    let table = panel.table.clone().expect("loss table");
    // The candidate is the model and parameters that made the recording: every
    // spike coincides and the traces are identical.
    assert!(table.rows.iter().any(|r| r.protocol == "recording 1"));
    assert_eq!(table.mean_gamma(), Some(1.0), "{}", table.text());
    assert_eq!(table.loss, 0.0, "{}", table.text());
    assert!(
        panel
            .traces
            .as_ref()
            .is_some_and(|t| t.0.spikes_ms.len() > 5)
    );
    h.get_by_label_contains("bgm_run.csv");
    h.get_by_label("Loss per term").click();
    h.run_steps(2);
    assert!(h.query_all_by_label_contains("recording 1").count() >= 4);

    // Moved away from the recording's d, the loss rises; a fit of d brings it down.
    let d = h.state().setup().model.param_index("d").unwrap();
    let d0 = h.state().setup().parameters[d];
    h.state_mut().apply(Intent::SetParams(vec![(d, 1.3 * d0)]));
    settle(&mut h);
    let moved = h.state_mut().compare_panel().table.clone().unwrap().loss;
    assert!(moved > 0.0);
    {
        let fit = &mut h.state_mut().compare_panel().fit;
        fit.spec.free = vec![FreeParam::named("d")];
        fit.spec.optimiser.evaluations = 30;
        fit.spec.optimiser.starts = 1;
        fit.spec.optimiser.polish_evaluations = 0;
    }
    h.get_by_label("Fit").click();
    h.run_steps(1);
    let mut frames = 0;
    while h.state_mut().compare_panel().fit.is_running() {
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(20));
        frames += 1;
        assert!(frames < 3000, "the fit did not finish");
    }
    let fit = &h.state_mut().compare_panel().fit;
    assert!(fit.error.is_none(), "{:?}", fit.error);
    let r = fit.outcome.clone().expect("fit result").result;
    assert!(
        (r.before.loss - moved).abs() < 1e-9,
        "{} vs {moved}",
        r.before.loss
    );
    assert!(r.after.loss < r.before.loss);
    assert!(r.after.rows.iter().all(|row| row.protocol == "recording 1"));

    // Choosing a preset again leaves the recording.
    h.state_mut()
        .compare_panel()
        .choose_reference(preset("hh_corbit_fsi_current_step.ron"));
    assert!(h.state_mut().compare_panel().recorded.is_none());
    assert!(h.state_mut().compare_panel().fit.spec.reference.is_none());
}

#[test]
fn a_bad_csv_is_refused_with_its_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bad.csv");
    std::fs::write(&csv, "t,v,I_app\n0,-70,0\n0.1,-69.9,0\n0.2,oops,0\n").unwrap();
    let mut h = harness();
    h.state_mut().apply(Intent::UseRecordedReference(csv));
    h.run_steps(2);
    let panel = h.state_mut().compare_panel();
    let e = panel.error.clone().expect("an error");
    assert!(
        e.contains("bad.csv:4") && e.contains("column v `oops`"),
        "{e}"
    );
    assert!(panel.recorded.is_none());
    // Without a current column or a sidecar: says what to add.
    let csv = dir.path().join("no_current.csv");
    std::fs::write(&csv, "t,v\n0,-70\n0.1,-70\n").unwrap();
    h.state_mut().apply(Intent::UseRecordedReference(csv));
    h.run_steps(2);
    let e = h
        .state_mut()
        .compare_panel()
        .error
        .clone()
        .expect("an error");
    assert!(
        e.contains("no_current.csv: line 1: no `I_app` column"),
        "{e}"
    );
}
