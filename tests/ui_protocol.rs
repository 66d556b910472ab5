//! The protocol on screen (issue 10, item 2): the timeline strip under the plots,
//! driven as a user does (drag a marker, type an event's time, Add/Delete, Undo),
//! with the run's recorded data checked for when the events act; the override
//! warning; the preset's notes; and pausing at the end of stimulus-only protocols.
//!
//! Run with `env -u DISPLAY cargo test --test ui_protocol`.

mod ui_common;
use std::time::Duration;
use ui_common::harness;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use neuron_explorer::app::{App, Settings};
use neuron_explorer::io::preset::load_resolved;
use neuron_explorer::sim::session::Session;
use neuron_explorer::ui::{ExportScope, Intent};

const SYNC: Duration = Duration::from_secs(30);
/// The Izhikevich (2007) RS cell at rest (v = v_r = −60 mV, u = 0, I_app = 0),
/// stepped to I_app = 100 pA at 50 ms and back to 0 at 150 ms.
const STEP_PRESET: &str = r#"// A current step for the timeline tests.
//
// What it shows: rest, then a 100 pA step.
// Look at: v rising when the step starts.
(
    model: "Izhikevich2007",
    initial: { "v": -60.0, "u": 0.0 },
    dt_ms: 0.1,
    duration_ms: 200.0,
    events: [
        (t_ms: 50.0, set: { "I_app": 100.0 }),
        (t_ms: 150.0, set: { "I_app": 0.0 }),
    ],
)"#;

fn step(h: &mut Harness<'static, App>, n: u64) {
    h.state_mut().step_now(n);
    assert!(h.state_mut().sync_worker(SYNC), "worker did not answer");
    h.run_steps(2);
}

fn open_step_preset(h: &mut Harness<'static, App>, dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("step.ron");
    std::fs::write(&path, STEP_PRESET).expect("write preset");
    h.state_mut().apply(Intent::Open(path.clone()));
    assert!(h.state_mut().sync_worker(SYNC));
    h.run_steps(3);
    path
}

/// (t, v, applied I_app) of every recorded row.
fn rows(h: &Harness<'static, App>) -> Vec<(f64, f64, f64)> {
    let app = h.state();
    let v = app.setup().model.var_index("v").expect("v");
    let input = app.channel_names().len() - 1;
    assert_eq!(app.channel_names()[input], "I_app (applied)");
    let (Some(vs), Some(inputs)) = (app.history().channel(v), app.history().channel(input)) else {
        panic!("no channels")
    };
    app.history()
        .t_ms()
        .iter()
        .zip(vs.iter())
        .zip(inputs.iter())
        .map(|((&t, &v), &i)| (t, v, i))
        .collect()
}

/// The screen x of time `t_ms` on the strip: it spans 0 … the protocol's end.
/// Waits for the layout to settle first (the side panel finds its width over a
/// few frames), as a user's eye would.
fn strip_x(h: &mut Harness<'static, App>, t_ms: f64, end_ms: f64) -> (f32, f32) {
    let mut rect = h.get_by_label("Protocol timeline").rect();
    for _ in 0..100 {
        h.run_steps(1);
        let now = h.get_by_label("Protocol timeline").rect();
        if now == rect {
            break;
        }
        rect = now;
    }
    (
        rect.left() + (t_ms / end_ms) as f32 * rect.width(),
        rect.center().y,
    )
}

/// Clicks the strip at time `t_ms` (a press and release where a user clicks).
fn click_strip(h: &mut Harness<'static, App>, t_ms: f64, end_ms: f64) {
    let (x, y) = strip_x(h, t_ms, end_ms);
    let pos = egui::pos2(x, y);
    h.hover_at(pos);
    h.run_steps(1);
    h.drag_at(pos);
    h.drop_at(pos);
    h.run_steps(2);
}

/// The step starts when its event acts: the applied input is 0 before, 100 pA after,
/// and v stays at rest until then and rises after (100 pA into 100 pF: +1 mV/ms).
fn assert_step_starts_at(h: &Harness<'static, App>, t_on: f64) {
    let rows = rows(h);
    assert_eq!(rows.len(), 2001);
    for &(t, v, i) in &rows {
        if t < t_on - 0.05 {
            assert_eq!(i, 0.0, "input at {t} ms before the step at {t_on}");
            assert!(
                (v + 60.0).abs() < 1e-9,
                "v = {v} at {t} ms, before the step at {t_on}"
            );
        } else if t > t_on + 0.05 && t < 150.0 {
            assert_eq!(i, 100.0, "input at {t} ms after the step at {t_on}");
        }
    }
    let v_after = rows.iter().find(|r| r.0 >= t_on + 5.0).map(|r| r.1);
    assert!(
        v_after.is_some_and(|v| v > -57.0),
        "v 5 ms after the step: {v_after:?}"
    );
}

#[test]
fn an_event_dragged_on_the_timeline_acts_at_its_new_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness();
    open_step_preset(&mut h, dir.path());
    let (x0, y) = strip_x(&mut h, 50.0, 200.0);
    let (x1, _) = strip_x(&mut h, 100.0, 200.0);
    h.hover_at(egui::pos2(x0, y));
    h.run_steps(1);
    h.drag_at(egui::pos2(x0, y));
    h.run_steps(1);
    for k in 1..=10 {
        h.hover_at(egui::pos2(x0 + (x1 - x0) * k as f32 / 10.0, y));
        h.run_steps(1);
    }
    assert_eq!(
        h.state().timeline().selected,
        Some(0),
        "the dragged marker is selected"
    );
    h.drop_at(egui::pos2(x1, y));
    h.run_steps(2);
    let t = h.state().setup().events[0].t_ms;
    // Within a pixel of 100 ms, on a whole step.
    let ms_per_px = 200.0 / f64::from(h.get_by_label("Protocol timeline").rect().width());
    assert!((t - 100.0).abs() <= ms_per_px, "moved to {t} ms");
    assert_eq!((t * 10.0).round() / 10.0, t, "snapped to dt");
    step(&mut h, 2000);
    assert_step_starts_at(&h, t);
}

#[test]
fn an_event_time_typed_in_the_editor_acts_at_the_new_time_and_undoes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness();
    open_step_preset(&mut h, dir.path());
    // A click on the strip picks the marker under the pointer.
    click_strip(&mut h, 50.0, 200.0);
    h.get_by_role_and_label(Role::SpinButton, "event time [ms]")
        .set_value_accesskit(100.0);
    h.run_steps(2);
    assert_eq!(h.state().setup().events[0].t_ms, 100.0);
    step(&mut h, 2000);
    assert_step_starts_at(&h, 100.0);
    // Undo brings the step back to 50 ms, in the run too.
    h.state_mut().apply(Intent::Undo);
    h.state_mut().apply(Intent::Reset);
    assert!(h.state_mut().sync_worker(SYNC));
    assert_eq!(h.state().setup().events[0].t_ms, 50.0);
    step(&mut h, 2000);
    assert_step_starts_at(&h, 50.0);
}

#[test]
fn events_are_added_and_deleted_on_the_timeline_and_undone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness();
    open_step_preset(&mut h, dir.path());
    let original = h.state().setup().events.clone();
    step(&mut h, 200);
    h.get_by_label("Add event").click();
    h.run_steps(2);
    let events = h.state().setup().events.clone();
    assert_eq!(events.len(), 3);
    // At the current time (20 ms), setting the input to its value now.
    assert_eq!(events[2].t_ms, 20.0);
    assert_eq!(events[2].set.get("I_app"), Some(&0.0));
    // The new event is selected: delete it, then the first one.
    h.get_by_label("Delete event").click();
    h.run_steps(2);
    assert_eq!(h.state().setup().events, original);
    click_strip(&mut h, 50.0, 200.0);
    h.get_by_label("Delete event").click();
    h.run_steps(2);
    assert_eq!(h.state().setup().events[..], original[1..]);
    // Without the step, v stays at rest over the whole run.
    h.state_mut().apply(Intent::Reset);
    step(&mut h, 2000);
    assert!(
        rows(&h)
            .iter()
            .all(|r| r.2 == 0.0 && (r.1 + 60.0).abs() < 1e-9)
    );
    // Undo: the first event is back; undo again: the added one is back.
    h.state_mut().apply(Intent::Undo);
    assert_eq!(h.state().setup().events, original);
    h.state_mut().apply(Intent::Undo);
    assert_eq!(h.state().setup().events.len(), 3);
}

#[test]
fn a_slider_edit_that_a_later_event_overrides_is_flagged_on_the_timeline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness();
    open_step_preset(&mut h, dir.path());
    assert!(h.query_by_label_contains("edit holds until").is_none());
    h.get_by_role_and_label(Role::Slider, "I_app [pA]")
        .set_value_accesskit(30.0);
    h.run_steps(3);
    h.get_by_label_contains("Your I_app edit holds until the event at 50 ms sets it");
}

#[test]
fn opening_a_preset_shows_its_notes_and_starts_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness();
    h.state_mut().settings.play_on_open = true;
    open_step_preset(&mut h, dir.path());
    assert!(h.state_mut().sync_worker(SYNC));
    assert!(h.state().is_running(), "an opened preset plays");
    assert!(h.state().notes().open);
    h.get_by_label_contains("What it shows: rest, then a 100 pA step.");
    h.get_by_label_contains("Look at: v rising");
    h.get_by_label("Close notes").click();
    h.run_steps(2);
    assert!(h.query_by_label_contains("What it shows").is_none());
    h.get_by_label("Notes").click();
    h.run_steps(2);
    h.get_by_label_contains("What it shows: rest, then a 100 pA step.");
}

#[test]
fn a_stimulus_only_preset_pauses_at_its_end() {
    let mut h = harness();
    h.state_mut().settings.play_on_open = true;
    h.state_mut().apply(Intent::SetSpeed(f64::INFINITY));
    h.state_mut().apply(Intent::Open(
        "presets/izhikevich2003_rz_resonator.ron".into(),
    ));
    // Running is what the worker publishes: it has the preset once it answers.
    assert!(h.state_mut().sync_worker(SYNC));
    let start = std::time::Instant::now();
    while h.state().is_running() && start.elapsed() < Duration::from_secs(60) {
        h.run_steps(1);
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(!h.state().is_running(), "still running");
    assert!(h.state_mut().sync_worker(SYNC));
    // 600 ms at dt 0.1: row 0 plus 6000 steps.
    assert_eq!(h.state().history().len(), 6001);
}

/// Timeline edits made during a run are logged by the worker: the export replays
/// the events that acted before each edit and the new ones after it.
#[test]
fn timeline_edits_mid_run_replay_exactly_in_the_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness();
    open_step_preset(&mut h, dir.path());
    let mut events = Vec::clone(&h.state().setup().events);
    step(&mut h, 300);
    // At 30 ms: move the step from 50 to 100 ms (not yet acted).
    events[0].t_ms = 100.0;
    h.state_mut().apply(Intent::SetEvents(events.clone()));
    step(&mut h, 900);
    // At 120 ms: the step has acted; moving it into the past changes nothing in
    // this run, and the end of the step moves from 150 to 170 ms.
    events[0].t_ms = 10.0;
    events[1].t_ms = 170.0;
    h.state_mut().apply(Intent::SetEvents(events));
    step(&mut h, 800);
    let csv = dir.path().join("trace.csv");
    h.state_mut()
        .apply(Intent::Export(csv.clone(), ExportScope::default()));
    assert!(h.state_mut().sync_worker(SYNC));
    h.state_mut()
        .finish_export()
        .expect("an export")
        .expect("exported");
    let got = std::fs::read_to_string(&csv).expect("csv");
    // What acted: the step at 100 ms and its end at 170 ms, run headless.
    let expected_preset = dir.path().join("expected.ron");
    let text = STEP_PRESET
        .replace("t_ms: 50.0", "t_ms: 100.0")
        .replace("t_ms: 150.0", "t_ms: 170.0");
    std::fs::write(&expected_preset, text).expect("write");
    let resolved = load_resolved(&expected_preset, None).expect("preset");
    let v = resolved.model.var_index("v").expect("v");
    let mut session = Session::new(&resolved, 1).expect("session");
    let mut want = vec![session.engine.var(v, 0)];
    for _ in 0..2000 {
        session.step();
        want.push(session.engine.var(v, 0));
    }
    let v_col: Vec<f64> = got
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .nth(1 + v)
                .and_then(|x| x.parse().ok())
                .expect("v")
        })
        .collect();
    assert_eq!(v_col.len(), want.len());
    for (k, (a, b)) in v_col.iter().zip(&want).enumerate() {
        assert_eq!(a.to_bits(), b.to_bits(), "row {k}: {a} vs {b}");
    }
}

/// On a short window (2× zoom on 1280×720 is 640×360 points) the protocol strip
/// starts folded to its header row so the plots keep room; *Show* unfolds it and
/// the choice sticks.
#[test]
fn the_protocol_strip_folds_on_a_short_window() {
    let settings = Settings {
        play_on_open: false,
        ..Settings::default()
    };
    let mut h = Harness::builder()
        .with_size(egui::vec2(640.0, 360.0))
        .build_eframe(move |cc| App::with_settings(settings.clone(), Some(cc.egui_ctx.clone())));
    // The side panel settles its width over the first frames; then the layout holds.
    h.run_steps(15);
    assert!(
        h.query_by_label("Add event").is_some(),
        "the header row stays"
    );
    assert!(
        h.query_by_label("Click an event on the strip to edit it.")
            .is_none()
    );
    // Through accesskit: on a loaded machine a pointer click landed while the
    // layout still moved; what is tested here is the folding, not the pointer.
    h.get_by_role_and_label(Role::Button, "Show")
        .click_accesskit();
    h.run_steps(3);
    assert!(
        h.query_by_label("Click an event on the strip to edit it.")
            .is_some(),
        "the strip and its editor row are shown"
    );
    h.run_steps(3);
    assert!(
        h.query_by_role_and_label(Role::Button, "Hide").is_some(),
        "the user's choice sticks"
    );
    // With the strip open the plots keep above it: a pointer click reaches Hide.
    h.get_by_role_and_label(Role::Button, "Hide").click();
    h.run_steps(3);
    assert!(
        h.query_by_role_and_label(Role::Button, "Show").is_some(),
        "Hide folds the strip again"
    );
}

/// A dense protocol (20,000 events on a 200 ms strip, ~18 per pixel) is drawn and
/// edited like a short one: a click picks the event nearest the pointer, Delete
/// removes exactly it, and Undo brings back the very same protocol (shared, not
/// copied, by the undo step).
#[test]
fn a_dense_protocol_is_picked_edited_and_undone_on_the_strip() {
    let dir = tempfile::tempdir().expect("tempdir");
    let n = 20_000;
    let mut text =
        String::from("(model: \"Izhikevich2007\", dt_ms: 0.01, duration_ms: 200.0, events: [\n");
    for k in 0..n {
        // Out of file order, each at its own time, the drive rising with time.
        let slot = (k * 7919) % n;
        let t = slot as f64 * 0.01;
        text.push_str(&format!("(t_ms: {t}, set: {{\"I_app\": {slot}.0}}),\n"));
    }
    text.push_str("])\n");
    let path = dir.path().join("dense.ron");
    std::fs::write(&path, text).expect("write preset");
    let mut h = harness();
    h.state_mut().apply(Intent::Open(path));
    assert!(h.state_mut().sync_worker(SYNC));
    h.state_mut().apply(Intent::ShowNotes(false));
    h.run_steps(3);
    let before = std::sync::Arc::clone(&h.state().setup().events);
    assert_eq!(before.len(), n);

    // The strip runs past the last event by 2 %, here past the protocol's end.
    let end_ms = 199.99 * 1.02;
    click_strip(&mut h, 120.0, end_ms);
    let Some(i) = h.state().timeline().selected else {
        panic!("a click on the dense strip selects an event")
    };
    let ms_per_px = end_ms / f64::from(h.get_by_label("Protocol timeline").rect().width());
    let picked = before[i].t_ms;
    assert!(
        (picked - 120.0).abs() <= 1.5 * ms_per_px,
        "picked {picked} ms"
    );
    assert!(h.query_by_label_contains(&format!("of {n}:")).is_some());

    h.get_by_label("Delete event").click();
    h.run_steps(2);
    let after = &h.state().setup().events;
    assert_eq!(after.len(), n - 1);
    assert!(
        after.iter().all(|e| e.t_ms != picked),
        "the picked event is gone"
    );

    h.state_mut().apply(Intent::Undo);
    h.run_steps(2);
    let restored = &h.state().setup().events;
    assert!(
        std::sync::Arc::ptr_eq(restored, &before),
        "undo brings back the protocol itself"
    );
}
