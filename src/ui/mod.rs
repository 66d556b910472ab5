//! GUI panels. Each panel draws from read-only state and returns [`Intent`]s;
//! `app.rs` is the one place that applies them (edits, worker commands, files).

pub mod bifurcation_panel;
pub mod compare_panel;
pub mod decimate;
pub mod dynamics_common;
pub mod export;
pub mod features_panel;
pub mod fi_panel;
pub mod file_dialog;
pub mod fit_ui;
pub mod focus;
pub mod help;
pub mod history;
pub mod iv_panel;
pub mod map_panel;
pub mod model_picker;
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
pub mod run_setup;
pub mod settings;
pub mod shortcuts;
pub mod status;
pub mod stimulus;
pub mod sweep_job;
pub mod theme;
pub mod toasts;
pub mod toolbar;
pub mod undo;

use std::path::PathBuf;

use crate::io::stimulus::Stimulus;
use crate::sim::Integrator;

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
    /// A model file of the user's own (`.neuron`, as in docs/model-format.md).
    OpenModelDialog,
    OpenModel(PathBuf),
    SaveDialog,
    Save(PathBuf),
    ExportDialog(ExportScope),
    /// Replays the session into a CSV file in the background.
    Export(PathBuf, ExportScope),
    CancelExport,
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
    /// How the window looks: zoom, theme, line width, legends, Focus mode, help.
    Display(theme::DisplayIntent),
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
}

impl View {
    pub const ALL: [View; 7] = [
        View::Traces,
        View::PhasePlane,
        View::Iv,
        View::Fi,
        View::Compare,
        View::Bifurcation,
        View::Map,
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
        }
    }
}
