//! GUI panels. Each panel draws from read-only state and returns [`Intent`]s;
//! `app.rs` is the one place that applies them (edits, worker commands, files).

pub mod decimate;
pub mod export;
pub mod history;
pub mod model_picker;
pub mod params;
pub mod plot_groups;
pub mod plots;
pub mod presets;
pub mod run_setup;
pub mod settings;
pub mod shortcuts;
pub mod status;
pub mod stimulus;
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
    SetParam { index: usize, value: f64 },
    ResetAllParams,
    SetInitial { var: usize, value: Option<f64> },
    SetDt(f64),
    SetIntegrator(Integrator),
    SetSeed(u32),
    SetRunning(bool),
    ToggleRunning,
    Reset,
    SingleStep,
    SetSpeed(f64),
    SetWindow(f64),
    SetRecording(bool),
    SetHistory { duration_s: f64, budget_mb: usize },
    Kick { var: usize, delta: f64 },
    SetStimuli(Vec<Stimulus>),
    OpenDialog,
    Open(PathBuf),
    SaveDialog,
    Save(PathBuf),
    ExportDialog(ExportScope),
    Export(PathBuf, ExportScope),
    ScreenshotDialog,
    Undo,
    Redo,
}
