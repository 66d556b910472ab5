//! Keyboard shortcuts: Space run/pause, R reset, S single step, Ctrl+O open,
//! Ctrl+S save, Ctrl+E export, Ctrl+Z undo, Ctrl+Shift+Z redo, Ctrl+Q quit,
//! Ctrl +/−/0 zoom, F11 Focus mode, F1 help, Esc leaves Focus and help. Ignored while
//! a text field has focus, so typing a value never starts the run. [`SHORTCUTS`] and
//! [`GESTURES`] are what the help window lists.

use egui::{Key, KeyboardShortcut, Modifiers};

use super::theme::DisplayIntent;
use super::{ExportScope, Intent};

/// Every keyboard shortcut: keys, what it does.
pub const SHORTCUTS: [(&str, &str); 16] = [
    ("Space", "Run / pause"),
    ("R", "Reset: back to t = 0 with the current parameters"),
    ("S", "One step (while paused)"),
    ("Ctrl+O", "Open a preset"),
    ("Ctrl+S", "Save the settings as a preset"),
    ("Ctrl+E", "Export CSV (all variables, whole recording)"),
    ("Ctrl+Z", "Undo (a slider drag is one step)"),
    ("Ctrl+Shift+Z", "Redo"),
    ("Ctrl+Q", "Quit (the session and settings are saved)"),
    ("Ctrl+plus (or Ctrl+=)", "Zoom in (remembered)"),
    ("Ctrl+minus", "Zoom out"),
    ("Ctrl+0", "Zoom back to 100 %"),
    (
        "F11",
        "Focus mode on/off: only the plots and the lesson's controls",
    ),
    ("Esc", "Leave Focus mode; close this help"),
    ("F1", "This help"),
    ("Enter", "Accept a typed number (Esc cancels it)"),
];

/// Mouse gestures on the plots and controls: where, what, effect.
pub const GESTURES: [(&str, &str); 10] = [
    (
        "Hover a plot",
        "Read time and values under the cursor (line above the plots and a tooltip)",
    ),
    ("Drag a plot (paused)", "Pan"),
    ("Scroll / Ctrl+scroll on a plot (paused)", "Pan / zoom"),
    ("Right-drag a box on a plot (paused)", "Zoom to the box"),
    ("Double-click a plot", "Follow the newest samples again"),
    ("Click a legend entry", "Hide or show that curve"),
    (
        "Drag a slider",
        "Change the parameter live (one undo step per drag)",
    ),
    (
        "Click a slider's number",
        "Type any finite value, also outside the slider's range",
    ),
    (
        "Drag the side panel's edge",
        "Resize the panel (it changes only then)",
    ),
    (
        "Click a pixel of the parameter map",
        "Jump to those parameter values (undoable)",
    ),
];

/// The intents of this frame's shortcuts. Esc is only taken when `escape_wanted`
/// (Focus mode or help open), so otherwise it still closes menus and popups.
pub fn shortcut_intents(ctx: &egui::Context, escape_wanted: bool) -> Vec<Intent> {
    if ctx.text_edit_focused() {
        return Vec::new();
    }
    let mut out = Vec::new();
    ctx.input_mut(|i| {
        // Ctrl+Shift+Z first: egui matches Ctrl+Z logically, ignoring Shift.
        if i.consume_shortcut(&KeyboardShortcut::new(
            Modifiers::COMMAND | Modifiers::SHIFT,
            Key::Z,
        )) {
            out.push(Intent::Redo);
        }
        let display = Intent::Display;
        let table = [
            (Modifiers::COMMAND, Key::Z, Intent::Undo),
            (Modifiers::COMMAND, Key::Q, Intent::Quit),
            (Modifiers::COMMAND, Key::O, Intent::OpenDialog),
            (Modifiers::COMMAND, Key::S, Intent::SaveDialog),
            (
                Modifiers::COMMAND,
                Key::E,
                Intent::ExportDialog(ExportScope::default()),
            ),
            (
                Modifiers::COMMAND,
                Key::Plus,
                display(DisplayIntent::ZoomIn),
            ),
            (
                Modifiers::COMMAND,
                Key::Equals,
                display(DisplayIntent::ZoomIn),
            ),
            (
                Modifiers::COMMAND,
                Key::Minus,
                display(DisplayIntent::ZoomOut),
            ),
            (
                Modifiers::COMMAND,
                Key::Num0,
                display(DisplayIntent::ZoomReset),
            ),
            (
                Modifiers::NONE,
                Key::F11,
                display(DisplayIntent::ToggleFocus),
            ),
            (
                Modifiers::NONE,
                Key::F1,
                display(DisplayIntent::ShowHelp(true)),
            ),
            (Modifiers::NONE, Key::Space, Intent::ToggleRunning),
            (Modifiers::NONE, Key::R, Intent::Reset),
            (Modifiers::NONE, Key::S, Intent::SingleStep),
        ];
        for (modifiers, key, intent) in table {
            if i.consume_shortcut(&KeyboardShortcut::new(modifiers, key)) {
                out.push(intent);
            }
        }
        if escape_wanted && i.consume_key(Modifiers::NONE, Key::Escape) {
            out.push(display(DisplayIntent::Escape));
        }
    });
    out
}
