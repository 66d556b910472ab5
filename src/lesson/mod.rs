//! Guided lessons: the file format ([`format`], docs/lessons.md), its validation
//! against the models ([`validate`]), the checks on the live run ([`check`]), the
//! lessons built into the binary (`assets/lessons/`) and the progress of an open
//! lesson ([`LessonState`]). The panel that draws it is `ui/lesson_panel.rs`; the
//! app applies what a step opens.

pub mod check;
pub mod format;
pub mod validate;

#[cfg(test)]
mod tests;

use std::path::Path;

pub use check::{Analyses, Observed, Outcome, Recording};
pub use format::{Action, Check, Lesson, LessonError, LessonView, LoadedLesson, Opens, Step};

/// The shipped curriculum, in teaching order: (name, RON text).
pub const BUILTIN: [(&str, &str); 8] = [
    (
        "01_action_potential",
        include_str!("../../assets/lessons/01_action_potential.ron"),
    ),
    (
        "02_channel_block",
        include_str!("../../assets/lessons/02_channel_block.ron"),
    ),
    (
        "03_voltage_clamp",
        include_str!("../../assets/lessons/03_voltage_clamp.ron"),
    ),
    (
        "04_phase_plane",
        include_str!("../../assets/lessons/04_phase_plane.ron"),
    ),
    (
        "05_excitability_classes",
        include_str!("../../assets/lessons/05_excitability_classes.ron"),
    ),
    (
        "06_firing_patterns",
        include_str!("../../assets/lessons/06_firing_patterns.ron"),
    ),
    (
        "07_synapses_and_noise",
        include_str!("../../assets/lessons/07_synapses_and_noise.ron"),
    ),
    (
        "08_reduced_vs_detailed",
        include_str!("../../assets/lessons/08_reduced_vs_detailed.ron"),
    ),
];

/// The built-in lesson called `name` (`01_action_potential`, or without its number:
/// `action_potential`).
pub fn builtin_text(name: &str) -> Option<(&'static str, &'static str)> {
    BUILTIN
        .iter()
        .copied()
        .find(|(n, _)| *n == name || n.split_once('_').is_some_and(|(_, rest)| rest == name))
}

/// Loads a built-in lesson by name, or else a lesson file at `name_or_path`.
pub fn load(name_or_path: &str, presets_dir: Option<&Path>) -> Result<LoadedLesson, LessonError> {
    match builtin_text(name_or_path) {
        Some((name, text)) => {
            let mut l = Lesson::load_text(name, text, None, presets_dir)?;
            l.name = name.to_owned();
            Ok(l)
        }
        None => Lesson::load(Path::new(name_or_path), presets_dir),
    }
}

/// Where the step's observation window starts.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Since {
    /// The step opened a new run: wait for the worker to announce a generation other than this.
    NewRunAfter(u64),
    /// From this recorded time of this generation (a new generation starts it at its beginning).
    At { generation: u64, t_ms: f64 },
}

/// An open lesson: which step is shown, which steps are done, and the window its
/// check looks at.
pub struct LessonState {
    pub loaded: LoadedLesson,
    pub step: usize,
    /// Latched: a step stays done once its check passed.
    pub done: Vec<bool>,
    pub hint_shown: bool,
    /// The last verdict on the current step's check.
    pub outcome: Option<Outcome>,
    since: Since,
    analyses: Analyses,
}

impl LessonState {
    pub fn new(loaded: LoadedLesson) -> Self {
        let n = loaded.lesson.steps.len();
        Self {
            loaded,
            step: 0,
            done: vec![false; n],
            hint_shown: false,
            outcome: None,
            since: Since::NewRunAfter(u64::MAX),
            analyses: Analyses::default(),
        }
    }

    pub fn current(&self) -> &Step {
        &self.loaded.lesson.steps[self.step]
    }

    pub fn steps(&self) -> usize {
        self.loaded.lesson.steps.len()
    }

    /// Moves to step `k` (clamped). `generation`/`t_ms`: the run the history holds now;
    /// `opens_run`: the step starts a new run, so its window starts with that run.
    pub fn enter(&mut self, k: usize, generation: u64, t_ms: f64, opens_run: bool) {
        self.step = k.min(self.steps() - 1);
        self.hint_shown = false;
        self.outcome = None;
        self.since = if opens_run {
            Since::NewRunAfter(generation)
        } else {
            Since::At { generation, t_ms }
        };
    }

    /// The parameters exposed in this step (empty: all) — for Focus mode's `focus_params`.
    pub fn shown_params(&self) -> &[String] {
        &self.current().params
    }

    pub fn locked_params(&self) -> &[String] {
        &self.current().locked
    }

    /// The tabs offered (empty: all).
    pub fn allowed_views(&self) -> &[LessonView] {
        &self.current().views
    }

    /// The recorded time the current step's window starts at, once its run is recorded.
    pub fn since_ms(&self) -> Option<f64> {
        match self.since {
            Since::At { t_ms, .. } => Some(t_ms),
            Since::NewRunAfter(_) => None,
        }
    }

    /// Evaluates the current step's check on the run recorded as `generation`; a
    /// passed check marks the step done.
    pub fn tick(
        &mut self,
        generation: u64,
        recording: &dyn Recording,
        settings: impl FnOnce() -> Option<crate::sim::run::RunSpec>,
        view: LessonView,
    ) {
        let start_ms = recording.span_ms().map_or(0.0, |(t0, _)| t0);
        self.since = match self.since {
            Since::NewRunAfter(g) if g == generation => return,
            Since::At {
                generation: g,
                t_ms,
            } if g == generation => Since::At { generation, t_ms },
            _ => Since::At {
                generation,
                t_ms: start_ms,
            },
        };
        let Some(check) = self.current().check.clone() else {
            return;
        };
        if self.done[self.step] {
            return;
        }
        let (Some(since_ms), Some(settings)) = (self.since_ms(), settings()) else {
            return;
        };
        let observed = Observed {
            recording,
            since_ms,
            settings: &settings,
            view,
        };
        let outcome = check::evaluate(&check, &observed, &mut self.analyses);
        if outcome.passed {
            self.done[self.step] = true;
        }
        self.outcome = Some(outcome);
    }
}

/// (name, title) of each built-in lesson, read once.
pub fn builtin_titles() -> &'static [(&'static str, String)] {
    static TITLES: std::sync::OnceLock<Vec<(&'static str, String)>> = std::sync::OnceLock::new();
    TITLES.get_or_init(|| {
        BUILTIN
            .iter()
            .map(|&(name, text)| {
                let title = crate::io::preset::parse_ron::<Lesson>(name, text)
                    .map_or_else(|_| name.to_owned(), |l| l.title);
                (name, title)
            })
            .collect()
    })
}
