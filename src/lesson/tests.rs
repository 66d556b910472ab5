//! Lesson format and checks: a good file loads, each bad field is named with its
//! line, the built-ins load, and every kind of check decides on recorded data as
//! its definition says (fake recordings with known spikes and values).

use std::path::PathBuf;

use super::check::{Analyses, Observed, Recording, evaluate};
use super::format::{Check, Lesson, LessonError, LessonView, Opens};
use super::{BUILTIN, LessonState, builtin_text, load};
use crate::io::preset::Preset;
use crate::sim::run::RunSpec;
// The built-in lessons drive CompNeuroPy's Izhikevich2007 through its `I_app`.
use crate::model::roles::{DRIVE_PARAM, MEMBRANE_VAR};

fn presets() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("presets")
}

fn parse(text: &str) -> Result<super::LoadedLesson, LessonError> {
    Lesson::load_text("t.ron", text, None, Some(&presets()))
}

/// A lesson around the given steps (one per line of `steps`).
fn lesson(steps: &str) -> String {
    format!("(\n    title: \"T\",\n    citation: \"C\",\n    steps: [\n{steps}\n    ],\n)\n")
}

const GOOD_STEP_0: &str =
    r#"        (title: "A", text: "x", model: "Izhikevich2007", set: {"d": 10.0}),"#;

#[test]
fn a_good_lesson_loads_with_what_each_step_opens() {
    let text = lesson(&format!(
        "{GOOD_STEP_0}\n        (title: \"B\", text: \"y\", check: Rate(min_hz: 1.0, max_hz: 5.0), solution: [Set(\"I_app\", 60.0), Show(Fi)]),\n        (title: \"C\", text: \"z\", preset: \"izhikevich2003_rz_resonator\", free_running: true, check: All([Spiked, View(Traces)])),"
    ));
    let l = parse(&text).expect("loads");
    assert_eq!(l.lesson.steps.len(), 3);
    assert_eq!(l.opens[0], Some(Opens::Model("Izhikevich2007".into())));
    assert_eq!(l.opens[1], None);
    assert_eq!(
        l.opens[2],
        Some(Opens::Preset(
            presets().join("izhikevich2003_rz_resonator.ron")
        ))
    );
    assert_eq!(
        l.models[1].id(),
        "Izhikevich2007",
        "a step without opens keeps the model"
    );
    assert_eq!(l.models[2].id(), "Izhikevich2003NoisyAmpa");
}

#[test]
fn every_builtin_lesson_loads_and_cites_its_source() {
    for (name, _) in BUILTIN {
        let l = load(name, Some(&presets())).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            !l.lesson.citation.is_empty() && !l.lesson.goals.is_empty(),
            "{name}"
        );
        assert!(l.lesson.steps.iter().any(|s| s.check.is_some()), "{name}");
    }
    assert_eq!(
        builtin_text("phase_plane").map(|b| b.0),
        Some("04_phase_plane")
    );
}

/// The error of `steps` (after a good first step), its field and line.
fn error_of(second_step: &str) -> LessonError {
    parse(&lesson(&format!("{GOOD_STEP_0}\n{second_step}"))).expect_err("must fail")
}

#[test]
fn each_bad_field_is_named_with_its_line() {
    // (second step, field, line): the first step is on line 5.
    let cases = [
        (
            r#"        (title: "B", text: "y", colour: 3),"#,
            "steps[1].colour",
            6,
        ),
        (
            r#"        (title: "B", text: "y", set: {"d": "x"}),"#,
            "steps[1].set.d",
            6,
        ),
        (
            r#"        (title: "B", text: "y", set: {"I_ap": 1.0}),"#,
            "steps[1].set.I_ap",
            6,
        ),
        (
            r#"        (title: "B", text: "y", preset: "no_such_preset"),"#,
            "steps[1].preset",
            6,
        ),
        (
            r#"        (title: "B", text: "y", preset: "welcome_izhikevich2007_rs_live", model: "Izhikevich2007"),"#,
            "steps[1].model",
            6,
        ),
        (
            r#"        (title: "B", text: "y", model: "Nope"),"#,
            "steps[1].model",
            6,
        ),
        (
            r#"        (title: "B", text: "y", locked: ["g_Na"]),"#,
            "steps[1].locked[0]",
            6,
        ),
        (
            r#"        (title: "B", text: "y", check: Param(name: "zz", min: 0.0, max: 1.0)),"#,
            "steps[1].check.name",
            6,
        ),
        (
            r#"        (title: "B", text: "y", check: Feature(name: "speed", min: 0.0, max: 1.0)),"#,
            "steps[1].check.name",
            6,
        ),
        (
            r#"        (title: "B", text: "y", check: Class(name: "jazzy")),"#,
            "steps[1].check.name",
            6,
        ),
        (
            r#"        (title: "B", text: "y", check: Rate(min_hz: 5.0, max_hz: 1.0)),"#,
            "steps[1].check",
            6,
        ),
        (
            r#"        (title: "B", text: "y", check: Silent(ms: -1.0)),"#,
            "steps[1].check",
            6,
        ),
        (
            r#"        (title: "B", text: "y", check: Reached(var: "u")),"#,
            "steps[1].check",
            6,
        ),
        (
            r#"        (title: "B", text: "y", check: All([Spiked, Reached(var: "w", above: 1.0)])),"#,
            "steps[1].check[1].var",
            6,
        ),
        (
            r#"        (title: "B", text: "y", solution: [Kick("g_ampa", 1.0)]),"#,
            "steps[1].solution[0]",
            6,
        ),
        (
            r#"        (title: "B", text: "y", solution: [Open("nope")]),"#,
            "steps[1].solution[0]",
            6,
        ),
        (
            r#"        (title: "B", text: "y", check: Sometimes),"#,
            "steps[1].check",
            6,
        ),
    ];
    for (step, field, line) in cases {
        let e = error_of(step);
        assert_eq!(e.field, field, "{step}: {e}");
        assert_eq!(e.line, Some(line), "{step}: {e}");
        assert_eq!(e.file, "t.ron");
        let shown = e.to_string();
        assert!(
            shown.starts_with(&format!("t.ron:{line}: field `{field}`")),
            "{shown}"
        );
    }
}

#[test]
fn a_field_on_a_later_line_of_a_step_is_found() {
    let e = error_of(
        "        (\n            title: \"B\",\n            text: \"y\",\n            set: {\"bogus\": 1.0},\n        ),",
    );
    assert_eq!((e.field.as_str(), e.line), ("steps[1].set.bogus", Some(9)));
}

#[test]
fn whole_file_errors() {
    let e = parse("   ").expect_err("empty");
    assert!(e.message.contains("empty"), "{e}");
    let e = parse(&lesson("")).expect_err("no steps");
    assert_eq!(e.field, "steps");
    let e = parse(&lesson(r#"        (title: "A", text: "x"),"#)).expect_err("nothing opened");
    assert_eq!(e.field, "steps[0].preset");
    let big = "/".repeat(super::format::MAX_LESSON_BYTES + 1);
    assert!(
        parse(&big)
            .expect_err("too big")
            .message
            .contains("limited")
    );
    let e = parse("(title: \"T\", steps: [])").expect_err("no citation");
    assert_eq!((e.field.as_str(), e.line), ("citation", Some(1)));
}

/// A recording with given spike times and one variable's samples (every ms).
struct Fake {
    t_ms: Vec<f64>,
    spikes_ms: Vec<f64>,
    v: Vec<f64>,
}

impl Fake {
    /// `until_ms` of samples at 1 ms, v = -60 except +30 at each spike.
    fn spiking(until_ms: f64, spikes_ms: Vec<f64>) -> Self {
        let t_ms: Vec<f64> = (0..=until_ms as usize).map(|i| i as f64).collect();
        let v = t_ms
            .iter()
            .map(|t| if spikes_ms.contains(t) { 30.0 } else { -60.0 })
            .collect();
        Self { t_ms, spikes_ms, v }
    }
}

impl Recording for Fake {
    fn span_ms(&self) -> Option<(f64, f64)> {
        Some((*self.t_ms.first()?, *self.t_ms.last()?))
    }
    fn spikes_ms(&self, from_ms: f64, to_ms: f64) -> Vec<f64> {
        self.spikes_ms
            .iter()
            .copied()
            .filter(|&s| s >= from_ms && s <= to_ms)
            .collect()
    }
    fn samples(&self, _var: usize, from_ms: f64, to_ms: f64) -> (Vec<f64>, Vec<f64>) {
        self.t_ms
            .iter()
            .zip(&self.v)
            .filter(|(t, _)| **t >= from_ms && **t <= to_ms)
            .map(|(t, v)| (*t, *v))
            .unzip()
    }
}

fn izhikevich(i_app: f64) -> RunSpec {
    let mut p = Preset {
        model: "Izhikevich2007".into(),
        ..Preset::default()
    };
    p.parameters.insert(DRIVE_PARAM.into(), i_app);
    p.resolve("t", "", None).expect("resolves")
}

fn passes(check: &Check, rec: &Fake, since_ms: f64, s: &RunSpec) -> bool {
    let o = Observed {
        recording: rec,
        since_ms,
        settings: s,
        view: LessonView::Traces,
    };
    evaluate(check, &o, &mut Analyses::default()).passed
}

#[test]
fn spike_checks_count_only_since_the_step_started() {
    let s = izhikevich(0.0);
    let rec = Fake::spiking(2000.0, vec![100.0, 200.0]);
    assert!(passes(&Check::Spiked, &rec, 50.0, &s));
    assert!(!passes(&Check::Spiked, &rec, 300.0, &s));
    let silent = Check::Silent { ms: 500.0 };
    assert!(passes(&silent, &rec, 0.0, &s), "no spike in 1500..2000");
    assert!(
        !passes(&silent, &rec, 1800.0, &s),
        "only 200 ms since the step started"
    );
    assert!(!passes(
        &silent,
        &Fake::spiking(600.0, vec![150.0]),
        0.0,
        &s
    ));
}

#[test]
fn rate_is_over_the_last_second_since_the_step_started() {
    let s = izhikevich(0.0);
    // 10 spikes in 0..1000 (100 ms apart), then 20 spikes in 1000..2000.
    let spikes: Vec<f64> = (0..10)
        .map(|k| 50.0 + 100.0 * k as f64)
        .chain((0..20).map(|k| 1025.0 + 50.0 * k as f64))
        .collect();
    let rec = Fake::spiking(2000.0, spikes);
    let rate = |min_hz, max_hz| Check::Rate { min_hz, max_hz };
    assert!(passes(&rate(19.5, 20.5), &rec, 0.0, &s));
    assert!(!passes(&rate(9.0, 11.0), &rec, 0.0, &s));
    assert!(
        !passes(&rate(0.0, 1000.0), &rec, 1700.0, &s),
        "needs 400 ms"
    );
    assert!(
        passes(&rate(19.0, 21.0), &rec, 1500.0, &s),
        "10 spikes in 500 ms"
    );
}

#[test]
fn parameter_variable_view_and_all_checks() {
    let s = izhikevich(42.0);
    let rec = Fake::spiking(1000.0, vec![500.0]);
    let param = |min, max| Check::Param {
        name: DRIVE_PARAM.into(),
        min,
        max,
    };
    assert!(passes(&param(40.0, 45.0), &rec, 0.0, &s));
    assert!(!passes(&param(0.0, 41.9), &rec, 0.0, &s));
    let reached = |above, below| Check::Reached {
        var: MEMBRANE_VAR.into(),
        above,
        below,
    };
    assert!(passes(&reached(Some(0.0), None), &rec, 0.0, &s));
    assert!(!passes(&reached(Some(0.0), None), &rec, 600.0, &s));
    assert!(!passes(&reached(None, Some(-61.0)), &rec, 0.0, &s));
    assert!(!passes(&Check::View(LessonView::Fi), &rec, 0.0, &s));
    assert!(passes(&Check::View(LessonView::Traces), &rec, 0.0, &s));
    let all = Check::All(vec![param(40.0, 45.0), Check::Spiked]);
    assert!(passes(&all, &rec, 0.0, &s) && !passes(&all, &rec, 600.0, &s));
}

#[test]
fn fixed_points_and_rheobase_of_the_current_settings() {
    // Izhikevich (2007) RS: 0.7 x^2 - 12 x + I = 0 with x = v - v_r has two roots
    // for I < 144 / 2.8 = 51.43 pA (stable rest and saddle) and none above.
    let rec = Fake::spiking(10.0, vec![]);
    let fp = |count, stable| Check::FixedPoints { count, stable };
    assert!(passes(&fp(Some(2), Some(1)), &rec, 0.0, &izhikevich(0.0)));
    assert!(passes(&fp(Some(2), Some(1)), &rec, 0.0, &izhikevich(50.0)));
    assert!(passes(&fp(Some(0), None), &rec, 0.0, &izhikevich(52.0)));
    assert!(!passes(&fp(Some(2), None), &rec, 0.0, &izhikevich(60.0)));
    // A class 1 cell starts firing near the saddle-node input (51.43 pA).
    let rheobase = Check::Rheobase {
        min: 51.0,
        max: 53.0,
    };
    assert!(passes(&rheobase, &rec, 0.0, &izhikevich(0.0)));
}

#[test]
fn features_and_class_over_the_last_second() {
    let s = izhikevich(0.0);
    let regular: Vec<f64> = (0..40).map(|k| 1005.0 + 25.0 * k as f64).collect();
    let rec = Fake::spiking(2000.0, regular);
    let cv = Check::Feature {
        name: "isi_cv".into(),
        min: 0.0,
        max: 0.01,
    };
    assert!(passes(&cv, &rec, 0.0, &s));
    assert!(passes(
        &Check::Class {
            name: "tonic".into()
        },
        &rec,
        0.0,
        &s
    ));
    assert!(!passes(
        &Check::Class {
            name: "bursting".into()
        },
        &rec,
        0.0,
        &s
    ));
}

#[test]
fn a_step_that_opens_a_run_waits_for_it_and_stays_done() {
    let loaded = load("action_potential", Some(&presets())).expect("built-in");
    let mut state = LessonState::new(loaded);
    let s = izhikevich(0.0);
    let spiking = Fake::spiking(1000.0, vec![500.0]);
    state.enter(0, 7, 900.0, true);
    // The old run (generation 7) spiked; its data must not count.
    state.tick(7, &spiking, || Some(s.clone()), LessonView::Traces);
    assert!(!state.done[0] && state.outcome.is_none());
    // The new run (generation 8) starts at its beginning.
    state.tick(
        8,
        &Fake::spiking(400.0, vec![]),
        || Some(s.clone()),
        LessonView::Traces,
    );
    assert!(!state.done[0]);
    state.tick(8, &spiking, || Some(s.clone()), LessonView::Traces);
    assert!(state.done[0], "{:?}", state.outcome);
    state.tick(
        8,
        &Fake::spiking(1000.0, vec![]),
        || Some(s.clone()),
        LessonView::Traces,
    );
    assert!(state.done[0], "latched");
    assert_eq!(state.shown_params()[0], DRIVE_PARAM);
}

#[test]
fn the_worked_example_of_the_docs_loads() {
    let doc = include_str!("../../docs/lessons.md");
    let start = doc.find("```ron\n").expect("a RON block") + 7;
    let end = start + doc[start..].find("```").expect("closed");
    let l = parse(&doc[start..end]).unwrap_or_else(|e| panic!("docs/lessons.md example: {e}"));
    assert_eq!(l.lesson.steps.len(), 2);
}
