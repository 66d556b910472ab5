//! The top toolbar: File, View and Help menus, run/pause, reset, single step,
//! speed, time window, record on/off, undo/redo and the Focus button. It wraps onto
//! a second row rather than run off a narrow (or zoomed) window.

use std::path::PathBuf;

use super::theme::{DisplayIntent, LINE_WIDTHS, Theme};
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
    pub view: ViewMenuState,
}

/// What the View menu shows.
#[derive(Clone, Copy, Debug)]
pub struct ViewMenuState {
    pub zoom: f32,
    pub theme: Theme,
    pub line_width: f32,
    pub legends: bool,
    pub focus: bool,
}

pub fn toolbar_ui(ui: &mut egui::Ui, s: &ToolbarState<'_>, out: &mut Vec<Intent>) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.horizontal_wrapped(|ui| controls_ui(ui, s, out));
    });
}

fn controls_ui(ui: &mut egui::Ui, s: &ToolbarState<'_>, out: &mut Vec<Intent>) {
    file_menu_ui(ui, s.recent, out);
    view_menu_ui(ui, &s.view, out);
    help_menu_ui(ui, out);
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
    speed_window_ui(ui, s, out);
    ui.separator();
    undo_redo_focus_ui(ui, s, out);
}

fn speed_window_ui(ui: &mut egui::Ui, s: &ToolbarState<'_>, out: &mut Vec<Intent>) {
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
}

fn undo_redo_focus_ui(ui: &mut egui::Ui, s: &ToolbarState<'_>, out: &mut Vec<Intent>) {
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
    ui.separator();
    let focus_label = if s.view.focus { "Leave Focus" } else { "Focus" };
    if ui
        .button(focus_label)
        .on_hover_text("F11: only the plots and the lesson's controls (Esc leaves)")
        .clicked()
    {
        out.push(Intent::Display(DisplayIntent::ToggleFocus));
    }
}

fn view_menu_ui(ui: &mut egui::Ui, s: &ViewMenuState, out: &mut Vec<Intent>) {
    ui.menu_button("View", |ui| {
        ui.label(format!("Zoom {:.0} %", s.zoom * 100.0));
        let zooms = [
            ("Zoom in  (Ctrl+plus)", DisplayIntent::ZoomIn),
            ("Zoom out  (Ctrl+minus)", DisplayIntent::ZoomOut),
            ("Actual size  (Ctrl+0)", DisplayIntent::ZoomReset),
        ];
        for (label, intent) in zooms {
            if ui.button(label).clicked() {
                out.push(Intent::Display(intent));
            }
        }
        ui.separator();
        for theme in Theme::ALL {
            if ui.radio(s.theme == theme, theme.label()).clicked() && s.theme != theme {
                out.push(Intent::Display(DisplayIntent::SetTheme(theme)));
            }
        }
        ui.separator();
        let mut width = s.line_width;
        let slider = egui::Slider::new(&mut width, LINE_WIDTHS)
            .step_by(0.25)
            .text("line width");
        if ui.add(slider).changed() {
            out.push(Intent::Display(DisplayIntent::SetLineWidth(width)));
        }
        let mut legends = s.legends;
        if ui.checkbox(&mut legends, "legends in plots").changed() {
            out.push(Intent::Display(DisplayIntent::SetLegends(legends)));
        }
        ui.separator();
        let mut focus = s.focus;
        if ui.checkbox(&mut focus, "Focus mode  (F11)").changed() {
            out.push(Intent::Display(DisplayIntent::SetFocus(focus)));
        }
    });
}

fn help_menu_ui(ui: &mut egui::Ui, out: &mut Vec<Intent>) {
    ui.menu_button("Help", |ui| {
        if ui.button("Shortcuts and gestures  (F1)").clicked() {
            out.push(Intent::Display(DisplayIntent::ShowHelp(true)));
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

/// The central view's tabs in one row; where they do not fit (a zoomed or narrow
/// window) a menu naming the view in use takes their place, so the plots keep
/// their height.
pub fn view_tabs_ui(
    ui: &mut egui::Ui,
    current: super::View,
    views: &[super::View],
    out: &mut Vec<Intent>,
) {
    let font = egui::TextStyle::Button.resolve(ui.style());
    let pad = ui.spacing().button_padding.x * 2.0 + ui.spacing().item_spacing.x;
    let needed: f32 = views
        .iter()
        .map(|v| {
            let galley = ui.painter().layout_no_wrap(
                v.label().to_owned(),
                font.clone(),
                egui::Color32::WHITE,
            );
            galley.size().x + pad
        })
        .sum();
    if needed <= ui.available_width() {
        ui.horizontal(|ui| {
            for &view in views {
                if ui.selectable_label(current == view, view.label()).clicked() && current != view {
                    out.push(Intent::ShowView(view));
                }
            }
        });
        return;
    }
    ui.horizontal(|ui| {
        ui.label("View");
        egui::ComboBox::from_id_salt("view_tabs")
            .selected_text(current.label())
            .show_ui(ui, |ui| {
                for &view in views {
                    if ui.selectable_label(current == view, view.label()).clicked()
                        && current != view
                    {
                        out.push(Intent::ShowView(view));
                    }
                }
            })
            .response
            .accessible_name("central view");
    });
}
