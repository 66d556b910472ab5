//! The top toolbar: File menu, run/pause, reset, single step, speed, time window,
//! record on/off, undo/redo.

use std::path::PathBuf;

use super::{ExportScope, Intent};

/// Speed choices (simulated time per real time); infinity = as fast as possible.
pub const SPEEDS: [f64; 11] = [
    0.01,
    0.03,
    0.1,
    0.3,
    0.5,
    1.0,
    2.0,
    5.0,
    10.0,
    100.0,
    f64::INFINITY,
];
/// Time window choices in ms.
pub const WINDOWS_MS: [f64; 7] = [100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10_000.0];

pub fn speed_label(speed: f64) -> String {
    if speed.is_infinite() {
        "as fast as possible".into()
    } else {
        format!("{speed}×")
    }
}

pub fn window_label(window_ms: f64) -> String {
    if window_ms >= 1000.0 {
        format!("{} s", window_ms / 1000.0)
    } else {
        format!("{window_ms} ms")
    }
}

/// What the toolbar shows.
pub struct ToolbarState<'a> {
    pub running: bool,
    pub speed: f64,
    pub window_ms: f64,
    pub recording: bool,
    pub can_undo: bool,
    pub can_redo: bool,
    pub recent: &'a [PathBuf],
}

pub fn toolbar_ui(ui: &mut egui::Ui, s: &ToolbarState<'_>, out: &mut Vec<Intent>) {
    egui::MenuBar::new().ui(ui, |ui| {
        file_menu_ui(ui, s.recent, out);
        ui.separator();
        let run_label = if s.running { "Pause" } else { "Run" };
        if ui.button(run_label).on_hover_text("Space").clicked() {
            out.push(Intent::ToggleRunning);
        }
        if ui
            .button("Reset")
            .on_hover_text("R: back to t = 0 with the current parameters")
            .clicked()
        {
            out.push(Intent::Reset);
        }
        if ui
            .add_enabled(!s.running, egui::Button::new("Step"))
            .on_hover_text("S: one step")
            .clicked()
        {
            out.push(Intent::SingleStep);
        }
        ui.separator();
        ui.label("speed");
        egui::ComboBox::from_id_salt("speed")
            .selected_text(speed_label(s.speed))
            .show_ui(ui, |ui| {
                for speed in SPEEDS {
                    if ui
                        .selectable_label(speed == s.speed, speed_label(speed))
                        .clicked()
                    {
                        out.push(Intent::SetSpeed(speed));
                    }
                }
            })
            .response
            .accessible_name("speed");
        ui.label("window");
        egui::ComboBox::from_id_salt("window")
            .selected_text(window_label(s.window_ms))
            .show_ui(ui, |ui| {
                for w in WINDOWS_MS {
                    if ui
                        .selectable_label(w == s.window_ms, window_label(w))
                        .clicked()
                    {
                        out.push(Intent::SetWindow(w));
                    }
                }
            })
            .response
            .accessible_name("time window");
        let mut recording = s.recording;
        if ui
            .checkbox(&mut recording, "record")
            .on_hover_text("Keep the whole history (for export); off keeps only the visible window")
            .changed()
        {
            out.push(Intent::SetRecording(recording));
        }
        ui.separator();
        if ui
            .add_enabled(s.can_undo, egui::Button::new("Undo"))
            .on_hover_text("Undo parameter edit (Ctrl+Z)")
            .clicked()
        {
            out.push(Intent::Undo);
        }
        if ui
            .add_enabled(s.can_redo, egui::Button::new("Redo"))
            .on_hover_text("Redo (Ctrl+Shift+Z)")
            .clicked()
        {
            out.push(Intent::Redo);
        }
    });
}

fn file_menu_ui(ui: &mut egui::Ui, recent: &[PathBuf], out: &mut Vec<Intent>) {
    ui.menu_button("File", |ui| {
        if ui.button("Open preset…  (Ctrl+O)").clicked() {
            out.push(Intent::OpenDialog);
        }
        if ui.button("Save preset…  (Ctrl+S)").clicked() {
            out.push(Intent::SaveDialog);
        }
        if ui
            .button("Save session as preset…")
            .on_hover_text(
                "The run since its last start with every change you made (sliders, kicks, \
                 stimulus and integrator edits) as timed events: it replays identically",
            )
            .clicked()
        {
            out.push(Intent::SaveSessionDialog);
        }
        if ui
            .button("Open model file…")
            .on_hover_text("A model of your own in the .neuron format (docs/model-format.md)")
            .clicked()
        {
            out.push(Intent::OpenModelDialog);
        }
        if ui
            .button("Import from Python…")
            .on_hover_text("ANNarchy Neuron(...) definitions and CompNeuroPy neuron classes, saved as .neuron files")
            .clicked()
        {
            out.push(Intent::ImportPythonDialog);
        }
        lessons_menu_ui(ui, out);
        ui.menu_button("Open recent", |ui| {
            if recent.is_empty() {
                ui.weak("nothing yet");
            }
            for path in recent {
                if ui.button(path.display().to_string()).clicked() {
                    out.push(Intent::Open(path.clone()));
                }
            }
        });
        ui.separator();
        let scopes = [
            (
                "Export CSV: all variables, whole recording…  (Ctrl+E)",
                ExportScope::default(),
            ),
            (
                "Export CSV: plotted variables, whole recording…",
                ExportScope {
                    visible_variables: true,
                    visible_window: false,
                },
            ),
            (
                "Export CSV: all variables, visible window…",
                ExportScope {
                    visible_variables: false,
                    visible_window: true,
                },
            ),
            (
                "Export CSV: plotted variables, visible window…",
                ExportScope {
                    visible_variables: true,
                    visible_window: true,
                },
            ),
        ];
        for (label, scope) in scopes {
            if ui.button(label).clicked() {
                out.push(Intent::ExportDialog(scope));
            }
        }
        if ui.button("Export plots as PNG…").clicked() {
            out.push(Intent::ScreenshotDialog);
        }
        ui.menu_button("Export", |ui| {
            if ui
                .button("ANNarchy script…")
                .on_hover_text("The model as an ANNarchy 5 Neuron(...) and a script that reruns these settings")
                .clicked()
            {
                out.push(Intent::ExportAnnarchyDialog);
            }
        });
        ui.separator();
        if ui.button("Quit  (Ctrl+Q)").clicked() {
            out.push(Intent::Quit);
        }
    });
}

/// File → Open lesson… and File → Lessons (the built-in curriculum).
fn lessons_menu_ui(ui: &mut egui::Ui, out: &mut Vec<Intent>) {
    if ui
        .button("Open lesson…")
        .on_hover_text("A guided lesson file (docs/lessons.md)")
        .clicked()
    {
        out.push(Intent::OpenLessonDialog);
    }
    ui.menu_button("Lessons", |ui| {
        for (name, title) in crate::lesson::builtin_titles() {
            if ui.button(title.as_str()).on_hover_text(*name).clicked() {
                out.push(Intent::OpenLesson((*name).to_owned()));
            }
        }
    });
}
