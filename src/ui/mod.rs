//! GUI panels. Each panel draws from read-only state and returns [`Intent`]s;
//! `app.rs` is the one place that applies them (edits, worker commands, files).

pub mod bifurcation_panel;
pub mod clamp_steps_panel;
pub mod compare_panel;
pub mod decimate;
pub mod dynamics_common;
pub mod equations_panel;
pub mod features_panel;
pub mod fi_panel;
pub mod file_dialog;
pub mod fit_ui;
pub mod focus;
pub mod gallery;
pub mod help;
pub mod history;
pub mod iv_panel;
pub mod job;
pub mod lesson_panel;
pub mod map_panel;
pub mod markdown;
pub mod math_layout;
pub mod model_picker;
pub mod notes;
pub mod overview;
pub mod palette;
pub mod params;
pub mod phase_plane;
pub mod plot_data;
pub mod plot_groups;
pub mod plot_style;
pub mod plots;
pub mod presets;
pub mod readout;
pub mod settings;
pub mod shortcuts;
pub mod status;
pub mod stimulus;
pub mod sweep_fields;
pub mod theme;
pub mod timeline;
pub mod toasts;
pub mod toolbar;
pub mod undo;

use std::path::PathBuf;

use crate::sim::Integrator;
use crate::sim::stimulus::Stimulus;

/// What the CSV export covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ExportScope {
    /// Only the variables shown in the plots (otherwise all variables).
    pub visible_variables: bool,
    /// Only the visible time window (otherwise the whole recording).
    pub visible_window: bool,
}

/// Something the user asked for; panels return these, the app applies them.
#[must_use]
#[derive(Clone, Debug, PartialEq)]
pub enum Intent {
    SelectModel(String),
    SetParam {
        index: usize,
        value: f64,
    },
    /// Sets several parameters at once, as one undo step (e.g. a fit's result).
    SetParams(Vec<(usize, f64)>),
    ResetAllParams,
    SetInitial {
        var: usize,
        value: Option<f64>,
    },
    SetDt(f64),
    SetIntegrator(Integrator),
    SetSeed(u32),
    /// The protocol's length, and whether a running simulation pauses there.
    SetEnd {
        pause: bool,
        duration_ms: f64,
    },
    SetRunning(bool),
    /// Run the Compare tab's reference live beside the model, or stop it.
    SetLiveReference(bool),
    ToggleRunning,
    Reset,
    SingleStep,
    SetSpeed(f64),
    SetWindow(f64),
    SetRecording(bool),
    SetHistory {
        duration_s: f64,
        budget_mb: usize,
    },
    Kick {
        var: usize,
        delta: f64,
    },
    SetStimuli(Vec<Stimulus>),
    OpenDialog,
    Open(PathBuf),
    /// Lists the presets folder again (the side panel's browser).
    ScanPresets,
    /// A model file of the user's own (`.neuron`, as in docs/model-format.md).
    OpenModelDialog,
    OpenModel(PathBuf),
    SaveDialog,
    Save(PathBuf),
    ExportDialog(ExportScope),
    /// Replays the session into a CSV file in the background.
    Export(PathBuf, ExportScope),
    /// Runs a panel's computation in the background (the app owns the thread and
    /// hands the panel its progress and result); replaces a running one of its kind.
    StartJob(job::JobRequest),
    /// Cancels the background job of this kind (a sweep, the export, …).
    CancelJob(job::JobKind),
    /// Saves the session (the run plus every change made to it) as a preset.
    SaveSessionDialog,
    SaveSession(PathBuf),
    ScreenshotDialog,
    /// File → Import from Python: ANNarchy/CompNeuroPy definitions.
    ImportPythonDialog,
    /// File → Export → ANNarchy script of the current settings.
    ExportAnnarchyDialog,
    Undo,
    Redo,
    /// Switches the central view (live traces or an analysis).
    ShowView(View),
    /// Writes an analysis table (I–V, f–I) to a file.
    WriteTable {
        path: PathBuf,
        text: String,
    },
    /// Asks where to save an analysis table (CSV text), then writes it.
    SaveTableDialog {
        file_name: String,
        text: String,
    },
    /// Asks for a preset that a panel uses (the Compare reference, an f–I overlay).
    PickPresetFor(PresetTarget),
    /// Closes the window the normal way (settings and session saved).
    Quit,
    /// File → Open lesson…: a lesson file (docs/lessons.md).
    OpenLessonDialog,
    /// Opens a lesson: a built-in's name (File → Lessons) or a lesson file's path.
    OpenLesson(String),
    /// Shows step `k` of the open lesson, opening what the step opens.
    LessonStep(usize),
    /// Shows or hides the current step's hint.
    LessonHint(bool),
    CloseLesson,
    /// Scrolls the parameters panel to this parameter's slider and focuses it (a
    /// click on the parameter in the Equations view).
    FocusParam(String),
    /// Replaces the run's timed events (the timeline: add, move, edit, delete).
    SetEvents(Vec<crate::sim::run::Event>),
    /// Shows or hides the opened preset's notes.
    ShowNotes(bool),
    /// How the window looks: zoom, theme, line width, legends, Focus mode, help.
    Display(theme::DisplayIntent),
    /// Asks for a recorded CSV trace as the Compare tab's reference.
    PickRecordedReference,
    /// Reads this CSV as the Compare tab's reference (the dialog's answer).
    UseRecordedReference(std::path::PathBuf),
}

/// Which panel a picked preset goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresetTarget {
    /// The Compare tab's reference model.
    CompareReference,
    /// One more curve on the f–I tab.
    FiOverlay,
}

/// What the central area shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    #[default]
    Traces,
    PhasePlane,
    Iv,
    Fi,
    Compare,
    Bifurcation,
    Map,
    /// The model's equations with each term's live value, above the traces.
    Equations,
    /// The cell-type presets side by side on one step.
    Gallery,
}

impl View {
    pub const ALL: [View; 9] = [
        View::Traces,
        View::PhasePlane,
        View::Iv,
        View::Fi,
        View::Compare,
        View::Bifurcation,
        View::Map,
        View::Equations,
        View::Gallery,
    ];

    pub fn label(self) -> &'static str {
        match self {
            View::Traces => "Traces",
            View::PhasePlane => "Phase plane",
            View::Iv => "I–V (voltage clamp)",
            View::Fi => "f–I curve",
            View::Compare => "Compare",
            View::Bifurcation => "Bifurcation",
            View::Map => "Parameter map",
            View::Equations => "Equations",
            View::Gallery => "Gallery",
        }
    }
}
