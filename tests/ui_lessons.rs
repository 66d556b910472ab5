//! Every shipped lesson, walked through in the app as a student would (egui_kittest,
//! headless): open it, and for each step — entered with the panel's *Next* button —
//! run the neuron and check that the step's check is still open, perform the step's
//! actions (sliders through their accessibility node, tabs and presets by clicking
//! their labels, kicks through the intent the kick button emits), run on, and check
//! that it turned green. The worker is stepped deterministically (`step_now`).
//!
//! Run with `env -u DISPLAY cargo test --release --test ui_lessons`.

use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use neuron_explorer::app::{App, Settings};
use neuron_explorer::lesson::{Action, BUILTIN};
use neuron_explorer::ui::Intent;
use neuron_explorer::ui::lesson_panel::{action_intent, to_view};
use neuron_explorer::ui::params::param_label;

const SYNC: Duration = Duration::from_secs(60);
/// Simulated time run before a step's actions: longer than any check's window, so a
/// check that could pass without the action would have.
const BEFORE_MS: f64 = 1200.0;
/// Most simulated time allowed after the actions for the check to pass.
const AFTER_MS: f64 = 2500.0;
/// Simulated time per chunk (the check is evaluated after each).
const CHUNK_MS: f64 = 250.0;

fn harness() -> Harness<'static, App> {
    Harness::builder()
        .with_size(egui::vec2(1600.0, 1000.0))
        .build_eframe(|cc| App::with_settings(Settings::default(), Some(cc.egui_ctx.clone())))
}

/// Draws frames until the app has adopted what was asked of the worker.
fn settle(h: &mut Harness<'static, App>) {
    h.run_steps(2);
    assert!(h.state_mut().sync_worker(SYNC), "worker did not answer");
    h.run_steps(2);
}

/// Runs `ms` of simulated time in chunks, drawing frames (and evaluating the check)
/// after each; stops early once `until` holds.
fn run_ms(h: &mut Harness<'static, App>, ms: f64, until: impl Fn(&App) -> bool) {
    let mut done_ms = 0.0;
    while done_ms < ms && !until(h.state()) {
        let dt_ms = h.state().setup().dt_ms;
        h.state_mut().step_now((CHUNK_MS / dt_ms).round() as u64);
        settle(h);
        done_ms += CHUNK_MS;
    }
}

fn step_done(app: &App) -> bool {
    let l = app.lesson().expect("a lesson is open");
    l.done[l.step]
}

/// Performs one action through the UI where a widget does it, else via its intent.
fn perform(h: &mut Harness<'static, App>, action: &Action) {
    match action {
        Action::Set(name, value) => {
            let model = h.state().setup().model.clone();
            let i = model.param_index(name).expect("validated name");
            let p = &model.desc.parameters[i];
            h.get_by_role_and_label(Role::Slider, &param_label(&p.name, &p.unit))
                .set_value_accesskit(*value);
        }
        Action::Show(view) => h.get_by_label(to_view(*view).label()).click(),
        Action::Open(name) => {
            let stem = name.trim_end_matches(".ron");
            h.get_by_label(stem).click();
        }
        Action::Kick(..) => {
            let app = h.state();
            let lesson = &app.lesson().expect("open").loaded;
            let intent = action_intent(action, &app.setup().model, lesson).expect("valid kick");
            h.state_mut().apply(intent);
        }
    }
    settle(h);
}

fn walk(name: &str) {
    let mut h = harness();
    h.state_mut().apply(Intent::OpenLesson(name.to_owned()));
    settle(&mut h);
    let steps = h.state().lesson().expect("the lesson opens").steps();
    // Goals and citation drawn (every glyph of a lesson must be in the app's fonts).
    h.get_by_label("Goals and source").click();
    settle(&mut h);
    for k in 0..steps {
        if k > 0 {
            h.get_by_label("Next >").click();
            settle(&mut h);
        }
        // Deterministic from here: the worker steps only when told to.
        h.state_mut().apply(Intent::SetRunning(false));
        settle(&mut h);
        let app = h.state();
        let lesson = app.lesson().expect("open");
        assert_eq!(lesson.step, k, "{name}: Next went to step {}", lesson.step);
        let step = lesson.current().clone();
        if let Some(view) = step.view {
            assert_eq!(app.view(), to_view(view), "{name} step {k}: its tab opens");
        }
        if !step.hint.is_empty() {
            h.get_by_label("Hint").click();
            settle(&mut h);
            assert!(
                h.state().lesson().is_some_and(|l| l.hint_shown),
                "{name} step {k}: hint"
            );
        }
        let Some(check) = &step.check else {
            run_ms(&mut h, 300.0, |_| false);
            continue;
        };
        run_ms(&mut h, BEFORE_MS, step_done);
        let seen = h.state().lesson().and_then(|l| l.outcome.clone());
        assert!(
            !step_done(h.state()),
            "{name} step {k} ({}): {check:?} passed before its action ({seen:?})",
            step.title
        );
        assert!(
            !step.solution.is_empty(),
            "{name} step {k}: a check needs a solution"
        );
        eprintln!("{name} step {k} before: {seen:?}");
        for action in &step.solution {
            perform(&mut h, action);
        }
        run_ms(&mut h, AFTER_MS, step_done);
        let seen = h.state().lesson().and_then(|l| l.outcome.clone());
        eprintln!(
            "{name} step {k} after: {seen:?} at t = {:?}",
            h.state().history().time_span()
        );
        assert!(
            step_done(h.state()),
            "{name} step {k} ({}): {check:?} still open after {:?} ({seen:?})",
            step.title,
            step.solution
        );
    }
    let lesson = h.state().lesson().expect("open");
    let checked = lesson
        .loaded
        .lesson
        .steps
        .iter()
        .filter(|s| s.check.is_some());
    assert_eq!(
        lesson.done.iter().filter(|&&d| d).count(),
        checked.count(),
        "{name}: every checked step ends green"
    );
}

#[test]
fn eight_lessons_ship() {
    assert!(BUILTIN.len() >= 8);
}

#[test]
fn lesson_01_action_potential() {
    walk("01_action_potential");
}

#[test]
fn lesson_02_channel_block() {
    walk("02_channel_block");
}

#[test]
fn lesson_03_voltage_clamp() {
    walk("03_voltage_clamp");
}

#[test]
fn lesson_04_phase_plane() {
    walk("04_phase_plane");
}

#[test]
fn lesson_05_excitability_classes() {
    walk("05_excitability_classes");
}

#[test]
fn lesson_06_firing_patterns() {
    walk("06_firing_patterns");
}

#[test]
fn lesson_07_synapses_and_noise() {
    walk("07_synapses_and_noise");
}

#[test]
fn lesson_08_reduced_vs_detailed() {
    walk("08_reduced_vs_detailed");
}

/// A step's locked sliders are disabled and its hidden ones are not drawn.
#[test]
fn a_step_locks_and_hides_sliders() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::OpenLesson("action_potential".into()));
    settle(&mut h);
    let model = h.state().setup().model.clone();
    let label = |n: &str| {
        let p = &model.desc.parameters[model.param_index(n).expect("param")];
        param_label(&p.name, &p.unit)
    };
    assert!(
        !h.get_by_role_and_label(Role::Slider, &label("I_app"))
            .accesskit_node()
            .is_disabled()
    );
    assert!(
        h.get_by_role_and_label(Role::Slider, &label("gg_Na"))
            .accesskit_node()
            .is_disabled()
    );
    assert!(
        h.query_by_role_and_label(Role::Slider, &label("E_Na"))
            .is_none()
    );
    // Only the step's tabs are offered.
    assert!(h.query_by_label("Phase plane").is_none());
    assert_eq!(
        h.state().lesson().map(|l| l.shown_params().len()),
        Some(5),
        "the shown parameters, for Focus mode"
    );
    h.get_by_label("Close").click();
    settle(&mut h);
    assert!(h.state().lesson().is_none());
    assert!(
        h.query_by_role_and_label(Role::Slider, &label("E_Na"))
            .is_some()
    );
}

/// File → Lessons lists the built-ins; a click opens one at its first step.
#[test]
fn the_file_menu_opens_a_built_in_lesson() {
    let mut h = harness();
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Lessons").click();
    h.run_steps(2);
    let title = neuron_explorer::lesson::builtin_titles()[3].1.clone();
    h.get_by_label(&title).click();
    settle(&mut h);
    let lesson = h.state().lesson().expect("opened from the menu");
    assert_eq!(
        (lesson.loaded.lesson.title.as_str(), lesson.step),
        (title.as_str(), 0)
    );
    assert_eq!(h.state().setup().model.id(), "Izhikevich2007");
}

/// Zoomed 2× on a 1280×720 projector (640×360 points), the lesson panel stays on
/// screen with its buttons whole (a long title wraps instead of widening it).
const SMALL: (f32, f32) = (640.0, 360.0);

#[test]
fn the_lesson_panel_fits_a_small_zoomed_window() {
    let mut h = Harness::builder()
        .with_size(egui::vec2(SMALL.0, SMALL.1))
        .build_eframe(|cc| App::with_settings(Settings::default(), Some(cc.egui_ctx.clone())));
    h.state_mut()
        .apply(Intent::OpenLesson("phase_plane".into()));
    settle(&mut h);
    for label in ["Close", "Show me", "Next >"] {
        let rect = h.get_by_label(label).rect();
        assert!(
            rect.right() <= SMALL.0 && rect.left() >= 0.0,
            "{label} at {rect:?}"
        );
    }
}

/// *Reset all* leaves the parameters a step locks as they are (the step set them);
/// the others go back to their defaults.
#[test]
fn reset_all_keeps_a_steps_locked_parameters() {
    let mut h = harness();
    h.state_mut()
        .apply(Intent::OpenLesson("action_potential".into()));
    settle(&mut h);
    let model = h.state().setup().model.clone();
    let (i_app, gg_na) = (
        model.param_index("I_app").expect("I_app"),
        model.param_index("gg_Na").expect("gg_Na"),
    );
    h.state_mut().apply(Intent::SetParam {
        index: i_app,
        value: 7.0,
    });
    h.state_mut().apply(Intent::SetParam {
        index: gg_na,
        value: 100.0,
    });
    settle(&mut h);
    h.get_by_role_and_label(Role::Button, "Reset all").click();
    settle(&mut h);
    let params = &h.state().setup().parameters;
    assert_eq!(params[i_app], model.desc.parameters[i_app].default);
    assert_eq!(params[gg_na], 100.0, "locked by the step: kept");
}

/// A lesson opened over a preset (as `neuron-explorer lesson` does over the welcome
/// preset) is not covered by that preset's notes window.
#[test]
fn a_lesson_closes_the_notes_of_the_preset_before_it() {
    let mut h = harness();
    let preset = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("presets/welcome_izhikevich2007_rs_live.ron");
    h.state_mut().apply(Intent::Open(preset));
    settle(&mut h);
    assert!(
        h.query_by_label("Close notes").is_some(),
        "the preset's notes open"
    );
    h.state_mut()
        .apply(Intent::OpenLesson("phase_plane".into()));
    settle(&mut h);
    assert!(h.query_by_label("Close notes").is_none());
}
