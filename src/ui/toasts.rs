//! Short messages in the corner: failed loads and saves (file and reason), exports.

use egui::{Align2, Color32, RichText};

const SHOW_S: f64 = 8.0;
const MAX_TOASTS: usize = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Error,
}

#[derive(Clone, Debug)]
pub struct Toast {
    pub level: Level,
    pub text: String,
    /// When it appeared (`egui` input time); `None` until first shown.
    shown_at_s: Option<f64>,
}

#[derive(Debug, Default)]
pub struct Toasts {
    toasts: Vec<Toast>,
    /// The last error, kept for the status line (and tests).
    pub last_error: Option<String>,
}

impl Toasts {
    pub fn info(&mut self, text: impl Into<String>) {
        self.push(Level::Info, text.into());
    }

    pub fn error(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.last_error = Some(text.clone());
        self.push(Level::Error, text);
    }

    fn push(&mut self, level: Level, text: String) {
        self.toasts.push(Toast {
            level,
            text,
            shown_at_s: None,
        });
        if self.toasts.len() > MAX_TOASTS {
            self.toasts.remove(0);
        }
    }

    pub fn messages(&self) -> impl Iterator<Item = &Toast> {
        self.toasts.iter()
    }

    /// Draws the toasts over everything; a click dismisses one.
    pub fn ui(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        self.toasts
            .retain(|t| t.shown_at_s.is_none_or(|s| now - s < SHOW_S));
        if self.toasts.is_empty() {
            return;
        }
        let mut dismissed = None;
        egui::Area::new(egui::Id::unique("toasts"))
            .anchor(Align2::RIGHT_BOTTOM, [-12.0, -36.0])
            .order(egui::Order::Foreground)
            .show(ctx, |ui| {
                for (k, toast) in self.toasts.iter_mut().enumerate() {
                    toast.shown_at_s.get_or_insert(now);
                    let (fill, text_color) = match toast.level {
                        Level::Info => (Color32::from_rgb(40, 70, 110), Color32::WHITE),
                        Level::Error => (Color32::from_rgb(130, 30, 30), Color32::WHITE),
                    };
                    let frame = egui::Frame::popup(ui.style()).fill(fill);
                    let response = frame
                        .show(ui, |ui| {
                            ui.set_max_width(480.0);
                            ui.label(RichText::new(&toast.text).color(text_color));
                        })
                        .response
                        .interact(egui::Sense::click());
                    if response.clicked() {
                        dismissed = Some(k);
                    }
                }
            });
        if let Some(k) = dismissed {
            self.toasts.remove(k);
        }
        ctx.request_repaint_after(std::time::Duration::from_secs(1));
    }
}
