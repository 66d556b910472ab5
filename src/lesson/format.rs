//! The lesson file format (RON, documented in docs/lessons.md): a title, goals, a
//! citation and ordered steps, each with text, what to open, what to show or lock,
//! an optional check and a hint. Parsing uses the presets' bounded RON loader, so
//! every error names the file, the line and the field (`steps[2].check.name`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::io::preset::{PresetError, err, parse_ron};
use crate::model::CompiledModel;
use crate::model::builtin::builtin;

/// A lesson's errors name the file, line and field, as a preset's do.
pub type LessonError = PresetError;

/// Largest lesson file read (a 30-step lesson is ~15 kB).
pub const MAX_LESSON_BYTES: usize = 256 << 10;
/// Most steps in one lesson.
pub const MAX_STEPS: usize = 100;
/// Most entries in one list or map of a step (goals, set, params, checks of `All`).
pub const MAX_ITEMS: usize = 200;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    pub title: String,
    #[serde(default)]
    pub goals: Vec<String>,
    /// Where the science comes from (shown under the title).
    pub citation: String,
    pub steps: Vec<Step>,
}

/// One step: what the student reads, what opens, what they may touch, and the
/// condition on the live run that turns the step green.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub title: String,
    /// A Markdown subset: paragraphs, `**bold**`, `*italic*`, `- ` bullets, `` `code` ``.
    pub text: String,
    /// A shipped preset by name (`izhikevich2003_rz_resonator`) or a `.ron` path
    /// relative to the lesson file. Without `preset` and `model` the run goes on.
    #[serde(default)]
    pub preset: Option<String>,
    /// A built-in model at its defaults (instead of a preset).
    #[serde(default)]
    pub model: Option<String>,
    /// Parameter values applied when the step opens.
    #[serde(default)]
    pub set: BTreeMap<String, f64>,
    /// Drop the opened preset's timed events, stimuli and end, so slider edits hold and
    /// the neuron runs on (no effect on a step that opens nothing).
    #[serde(default)]
    pub free_running: bool,
    /// The tab opened with the step.
    #[serde(default)]
    pub view: Option<LessonView>,
    /// The tabs offered during the step (empty: all).
    #[serde(default)]
    pub views: Vec<LessonView>,
    /// The parameter sliders shown (empty: all).
    #[serde(default)]
    pub params: Vec<String>,
    /// Parameter sliders shown but disabled.
    #[serde(default)]
    pub locked: Vec<String>,
    #[serde(default)]
    pub check: Option<Check>,
    #[serde(default)]
    pub hint: String,
    /// What a student does to pass the check ("Show me", and the lesson tests).
    #[serde(default)]
    pub solution: Vec<Action>,
}

/// The central tabs, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LessonView {
    Traces,
    PhasePlane,
    Iv,
    Fi,
    Compare,
    Bifurcation,
    Map,
    /// The model's equations with live terms.
    Equations,
    /// The cell-type presets side by side.
    Gallery,
}

/// A condition on the live run (its recorded data since the step started) and the
/// current settings; never a prediction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Check {
    /// Firing rate over the last second of the run (or since the step started, once
    /// that is at least 0.4 s: `check::MIN_WINDOW_MS`).
    Rate { min_hz: f64, max_hz: f64 },
    /// A spike since the step started.
    Spiked,
    /// No spike in the last `ms` (at least `ms` recorded since the step started).
    Silent { ms: f64 },
    /// A parameter's current value in `[min, max]`.
    Param { name: String, min: f64, max: f64 },
    /// Fixed points of the model at the current settings (`None`: any number).
    FixedPoints {
        count: Option<usize>,
        stable: Option<usize>,
    },
    /// A firing feature (docs/features.md) over the window of `Rate`, in `[min, max]`.
    Feature { name: String, min: f64, max: f64 },
    /// The firing class over the window of `Rate` (`tonic`, `adapting`, `bursting`, ...).
    Class { name: String },
    /// The refined f–I rheobase of the current settings, in `[min, max]`.
    Rheobase { min: f64, max: f64 },
    /// A variable went above `above` or below `below` since the step started.
    Reached {
        var: String,
        above: Option<f64>,
        below: Option<f64>,
    },
    /// This tab is open.
    View(LessonView),
    /// Every one of these.
    All(Vec<Check>),
}

/// A student's action, as the GUI performs it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Action {
    /// Set a parameter (slider or number field).
    Set(String, f64),
    /// Open a tab.
    Show(LessonView),
    /// Add to a variable (a synaptic kick button).
    Kick(String, f64),
    /// Open a preset (from the Presets list or File → Open), named as in `Step::preset`.
    Open(String),
}

/// The feature names a `Feature` check takes (as `neuron-explorer features` prints them).
pub const FEATURE_NAMES: [&str; 13] = [
    "spike_count",
    "rate",
    "first_spike_latency",
    "isi_mean",
    "isi_cv",
    "adaptation_index",
    "burst_count",
    "spikes_per_burst",
    "ap_peak",
    "ap_amplitude",
    "ap_half_width",
    "ahp_depth",
    "resting_potential",
];

/// What a step opens, resolved: a preset file or a model.
#[derive(Clone, Debug, PartialEq)]
pub enum Opens {
    Preset(PathBuf),
    Model(String),
}

/// A parsed, checked lesson and where it came from.
#[derive(Clone, Debug)]
pub struct LoadedLesson {
    /// The built-in name or the file path.
    pub name: String,
    pub lesson: Lesson,
    /// Per step: what it opens, if anything.
    pub opens: Vec<Option<Opens>>,
    /// Per step: the model in use (the last one opened).
    pub models: Vec<Arc<CompiledModel>>,
    /// Where presets named by path are looked up (the lesson file's folder).
    pub base_dir: Option<PathBuf>,
    /// Where presets named plainly are looked up (the shipped `presets/`).
    pub presets_dir: Option<PathBuf>,
}

impl Lesson {
    /// Parses and checks lesson text. `file` names it in errors; presets given as
    /// paths are found relative to `base_dir`, shipped ones in `presets_dir`.
    pub fn load_text(
        file: &str,
        text: &str,
        base_dir: Option<&Path>,
        presets_dir: Option<&Path>,
    ) -> Result<LoadedLesson, LessonError> {
        if text.len() > MAX_LESSON_BYTES {
            return Err(err(
                file,
                None,
                "",
                format!(
                    "the file has {} bytes; lessons are limited to {MAX_LESSON_BYTES}",
                    text.len()
                ),
            ));
        }
        if text.trim().is_empty() {
            let msg = "the file is empty; a lesson needs `(title: .., citation: .., steps: [..])`";
            return Err(err(file, None, "", msg.into()));
        }
        let lesson: Lesson = parse_ron(file, text)?;
        super::validate::validate(file, text, lesson, base_dir, presets_dir)
    }

    /// Reads and checks a lesson file (bounded read).
    pub fn load(path: &Path, presets_dir: Option<&Path>) -> Result<LoadedLesson, LessonError> {
        let file = path.display().to_string();
        let text = crate::io::read::read_text_limited(path, MAX_LESSON_BYTES)
            .map_err(|e| err(&file, None, "", format!("cannot read: {e}")))?;
        Self::load_text(&file, &text, path.parent(), presets_dir)
    }
}

/// The built-in model `id`, or an error naming the field.
pub(super) fn model_of(id: &str) -> Result<Arc<CompiledModel>, String> {
    match builtin(id) {
        Some(Ok(m)) => Ok(m),
        Some(Err(e)) => Err(format!("model {id}: {e}")),
        None => Err(format!(
            "unknown model `{id}`; `neuron-explorer models` lists the built-ins"
        )),
    }
}
