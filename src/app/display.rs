//! How the window looks, applied: zoom, theme, line width, legends (kept in the
//! settings, so they survive a restart), Focus mode and the help window.

use super::App;
use crate::ui::theme::{self, DisplayIntent, DisplayStyle, LINE_WIDTHS, zoom_step};

impl App {
    /// Applies a View/Help menu choice or display shortcut.
    pub(super) fn apply_display(&mut self, intent: DisplayIntent) {
        let s = &mut self.settings;
        match intent {
            DisplayIntent::ZoomIn => s.zoom = zoom_step(s.zoom, true),
            DisplayIntent::ZoomOut => s.zoom = zoom_step(s.zoom, false),
            DisplayIntent::ZoomReset => s.zoom = 1.0,
            DisplayIntent::SetTheme(t) => s.theme = t,
            DisplayIntent::SetLineWidth(w) => {
                if w.is_finite() {
                    s.line_width = w.clamp(*LINE_WIDTHS.start(), *LINE_WIDTHS.end());
                }
            }
            DisplayIntent::SetLegends(on) => s.legends = on,
            DisplayIntent::SetFocus(on) => self.focus = on,
            DisplayIntent::ToggleFocus => self.focus = !self.focus,
            DisplayIntent::ShowHelp(open) => self.help_open = open,
            DisplayIntent::Escape => {
                // Esc closes what is on top first: the help window, then Focus.
                if self.help_open {
                    self.help_open = false;
                } else {
                    self.focus = false;
                }
            }
        }
        if let Some(ctx) = &self.ctx {
            ctx.request_repaint();
        }
    }

    /// Hands the settings to egui: zoom and theme when they changed (egui's own
    /// keyboard zoom is off so Ctrl +/−/0 go through [`Self::apply_display`] and are
    /// remembered), and this frame's line width and legends for the plots.
    pub(super) fn sync_display(&mut self, ctx: &egui::Context) {
        let wanted = (self.settings.theme, sanitize_zoom(self.settings.zoom));
        if self.applied_display != Some(wanted) {
            ctx.options_mut(|o| o.zoom_with_keyboard = false);
            theme::apply_theme(ctx, wanted.0);
            ctx.set_zoom_factor(wanted.1);
            self.applied_display = Some(wanted);
        }
        theme::publish(
            ctx,
            DisplayStyle {
                line_width: self.settings.line_width,
                legends: self.settings.legends,
            },
        );
    }

    /// Whether Focus mode is on.
    pub fn is_focus(&self) -> bool {
        self.focus
    }

    pub fn help_open(&self) -> bool {
        self.help_open
    }

    /// The parameters the Focus strip offers (by name).
    pub fn set_focus_params(&mut self, names: Vec<String>) {
        self.focus_params = names;
    }
}

/// A stored zoom from an older or edited settings file, made usable.
fn sanitize_zoom(zoom: f32) -> f32 {
    if zoom.is_finite() {
        zoom.clamp(
            theme::ZOOM_STEPS[0],
            theme::ZOOM_STEPS[theme::ZOOM_STEPS.len() - 1],
        )
    } else {
        1.0
    }
}

impl App {
    /// Screen rectangles of the live plots' data areas last frame, top to bottom
    /// (tests hover them at known positions).
    pub fn plot_frames(&self) -> &[egui::Rect] {
        &self.plots.frames
    }

    /// The plot each recorded channel is drawn in (`ui::plot_groups`), `None` when
    /// hidden.
    pub fn plot_assignment(&self) -> &[Option<usize>] {
        &self.plots.assignment
    }
}
