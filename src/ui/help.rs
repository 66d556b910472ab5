//! The help window (F1, Help menu): every keyboard shortcut and mouse gesture,
//! from the tables in [`super::shortcuts`], so the list cannot drift from the keys.

use super::Intent;
use super::shortcuts::{GESTURES, SHORTCUTS};
use super::theme::DisplayIntent;

/// Draws the help window while `open`; closing it returns an intent.
pub fn help_ui(ctx: &egui::Context, open: bool, out: &mut Vec<Intent>) {
    if !open {
        return;
    }
    let mut still_open = true;
    egui::Window::new("Help: shortcuts and gestures")
        .open(&mut still_open)
        .collapsible(false)
        .resizable(true)
        .default_width(560.0)
        .show(ctx, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                ui.heading("Keyboard");
                table_ui(ui, "help_keys", &SHORTCUTS);
                ui.add_space(8.0);
                ui.heading("Mouse");
                table_ui(ui, "help_mouse", &GESTURES);
                ui.add_space(8.0);
                ui.label(
                    "Shortcuts other than Enter and Esc are ignored while you type in a field.",
                );
            });
        });
    if !still_open {
        out.push(Intent::Display(DisplayIntent::ShowHelp(false)));
    }
}

fn table_ui(ui: &mut egui::Ui, id: &str, rows: &[(&str, &str)]) {
    egui::Grid::new(id)
        .striped(true)
        .num_columns(2)
        .show(ui, |ui| {
            for (keys, what) in rows {
                ui.strong(*keys);
                ui.label(*what);
                ui.end_row();
            }
        });
}
