//! The opened preset's notes ("What it shows / Look at", from its `notes` field or
//! header comment) in a window that appears when the preset opens; closed, it
//! reopens from the timeline's *Notes* button.

use super::Intent;

#[derive(Debug, Default)]
pub struct NotesWindow {
    /// The preset's file stem, as the window's title.
    pub title: String,
    /// The notes of the preset opened last, if it has any.
    pub text: Option<String>,
    /// Whether the window is shown.
    pub open: bool,
}

impl NotesWindow {
    /// A preset opened: show its notes (or nothing, if it has none).
    pub fn show(&mut self, title: String, text: Option<String>) {
        self.open = text.is_some();
        self.title = title;
        self.text = text;
    }

    /// The setup no longer comes from a preset (a model was chosen).
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    pub fn ui(&self, ctx: &egui::Context, out: &mut Vec<Intent>) {
        let Some(text) = self.text.as_deref().filter(|_| self.open) else {
            return;
        };
        let mut open = true;
        egui::Window::new(format!("About this preset: {}", self.title))
            .open(&mut open)
            .default_width(460.0)
            .default_pos(ctx.content_rect().right_top() + egui::vec2(-500.0, 60.0))
            .collapsible(true)
            .resizable(true)
            .show(ctx, |ui| {
                egui::ScrollArea::vertical()
                    .max_height(ctx.content_rect().height() * 0.5)
                    .show(ui, |ui| {
                        for paragraph in text.split('\n') {
                            if paragraph.is_empty() {
                                ui.add_space(4.0);
                            } else {
                                ui.label(paragraph);
                            }
                        }
                    });
                ui.separator();
                if ui.button("Close notes").clicked() {
                    out.push(Intent::ShowNotes(false));
                }
            });
        if !open {
            out.push(Intent::ShowNotes(false));
        }
    }
}
