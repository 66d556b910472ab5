//! Keyboard shortcuts: Space run/pause, R reset, S single step, Ctrl+O open,
//! Ctrl+S save, Ctrl+E export, Ctrl+Z undo, Ctrl+Shift+Z redo, Ctrl+Q quit. Ignored while a text
//! field has focus, so typing a value never starts the run.

use egui::{Key, KeyboardShortcut, Modifiers};

use super::{ExportScope, Intent};

pub fn shortcut_intents(ctx: &egui::Context) -> Vec<Intent> {
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
            (Modifiers::NONE, Key::Space, Intent::ToggleRunning),
            (Modifiers::NONE, Key::R, Intent::Reset),
            (Modifiers::NONE, Key::S, Intent::SingleStep),
        ];
        for (modifiers, key, intent) in table {
            if i.consume_shortcut(&KeyboardShortcut::new(modifiers, key)) {
                out.push(intent);
            }
        }
    });
    out
}
